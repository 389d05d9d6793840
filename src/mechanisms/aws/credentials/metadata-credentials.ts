/**
 * The credentials document that both the ECS container endpoint and EC2 instance metadata answer:
 * `{ Code?, AccessKeyId, SecretAccessKey, Token, Expiration }`, and (ECS) the task role's `RoleArn`.
 *
 * @module
 */
import type { AwsCredentials } from "../../../credential/aws.ts";
import { checkAwsCredentials } from "./check-credentials.ts";
import { awsSourceError } from "./provider-error.ts";

/**
 * Parses and checks a metadata credentials answer.
 *
 * @param body the response body
 * @param source the source's name, for errors
 * @returns the credentials, and the role's ARN when the answer names it
 * @throws {MongoAuthError} `CREDENTIAL_PROVIDER_ERROR` when the body is not a JSON object, reports a failure
 *   `Code`, or lacks a field; never with the body's secrets in the message
 */
export function metadataCredentials(
  body: string,
  source: string,
): AwsCredentials & { readonly roleArn?: string } {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(body);
  } catch {
    throw awsSourceError(source, "the credentials answer is not JSON");
  }
  // `null`, a string or a number parse too; reading a field of `null` would be a TypeError.
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    throw awsSourceError(source, "the credentials answer is not a JSON object");
  }
  if (doc.Code !== undefined && doc.Code !== "Success") {
    throw awsSourceError(
      source,
      `the credentials answer has Code ${JSON.stringify(String(doc.Code).slice(0, 64))}`,
    );
  }
  const credentials = checkAwsCredentials({
    accessKeyId: doc.AccessKeyId,
    secretAccessKey: doc.SecretAccessKey,
    sessionToken: doc.Token,
    expiration: doc.Expiration,
  }, source);
  // The ECS endpoint names the task's role; for the trace only, so it is not kept with the keys.
  return typeof doc.RoleArn === "string" ? { ...credentials, roleArn: doc.RoleArn } : credentials;
}
