/**
 * The credentials document that both the ECS container endpoint and EC2 instance metadata answer:
 * `{ Code?, AccessKeyId, SecretAccessKey, Token, Expiration }`.
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
 * @returns the credentials
 * @throws {MongoAuthError} `CREDENTIAL_PROVIDER_ERROR` when the body is not JSON, reports a failure
 *   `Code`, or lacks a field; never with the body's secrets in the message
 */
export function metadataCredentials(body: string, source: string): AwsCredentials {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(body);
  } catch {
    throw awsSourceError(source, "the credentials answer is not JSON");
  }
  if (doc.Code !== undefined && doc.Code !== "Success") {
    throw awsSourceError(
      source,
      `the credentials answer has Code ${JSON.stringify(String(doc.Code).slice(0, 64))}`,
    );
  }
  return checkAwsCredentials({
    accessKeyId: doc.AccessKeyId,
    secretAccessKey: doc.SecretAccessKey,
    sessionToken: doc.Token,
    expiration: doc.Expiration,
  }, source);
}
