/**
 * Source 6: the ECS / EKS Pod Identity container endpoint, as the AWS SDKs call it.
 *
 * - `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`: `http://169.254.170.2` + that path (ECS tasks).
 * - else `AWS_CONTAINER_CREDENTIALS_FULL_URI`: that URL, which must be HTTPS or go to a loopback or
 *   container-agent address (the SDKs' rule, so a stray variable cannot send the token elsewhere),
 *   with `Authorization` from `AWS_CONTAINER_AUTHORIZATION_TOKEN` or the file named by
 *   `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (EKS Pod Identity).
 *
 * The answer is JSON: `AccessKeyId`, `SecretAccessKey`, `Token`, `Expiration`.
 *
 * @module
 */
import { httpRequest, isLoopbackHost, safeUrl } from "../../../core/http.ts";
import { awsRequest, expectOk } from "./http.ts";
import { awsSourceError } from "./provider-error.ts";
import { reasonOf } from "../../../core/errors.ts";
import { metadataCredentials } from "./metadata-credentials.ts";
import { assumedRoleOf } from "../identity.ts";
import type { AwsCredentialSource, AwsSourceContext } from "./source.ts";

const SOURCE = "the ECS container credentials endpoint";
const ECS_HOST = "http://169.254.170.2";
const CONTAINER_HOSTS = new Set(["169.254.170.2", "169.254.170.23", "[fd00:ec2::23]"]);

function allowedFullUri(url: URL): boolean {
  if (url.protocol === "https:") return true;
  if (url.protocol !== "http:") return false;
  return isLoopbackHost(url.hostname) || CONTAINER_HOSTS.has(url.hostname);
}

function endpoint(context: AwsSourceContext): string | undefined {
  const relative = context.env.getEnv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
  if (relative) return ECS_HOST + (relative.startsWith("/") ? relative : "/" + relative);
  const full = context.env.getEnv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
  if (!full) return undefined;
  let url: URL;
  try {
    url = new URL(full);
  } catch {
    throw awsSourceError(SOURCE, "AWS_CONTAINER_CREDENTIALS_FULL_URI is not a URL");
  }
  if (!allowedFullUri(url)) {
    throw awsSourceError(
      SOURCE,
      `AWS_CONTAINER_CREDENTIALS_FULL_URI ${safeUrl(full)} must be https, or http to a loopback or ` +
        "container-agent address",
    );
  }
  return full;
}

async function authorization(context: AwsSourceContext): Promise<string | undefined> {
  const { env } = context;
  const tokenFile = env.getEnv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
  if (tokenFile) {
    if (!env.readTextFile) {
      throw awsSourceError(
        SOURCE,
        "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE is set but this runtime cannot read files: pass readTextFile " +
          "in the runtime env, or set AWS_CONTAINER_AUTHORIZATION_TOKEN",
      );
    }
    try {
      return (await env.readTextFile(tokenFile)).trim();
    } catch (err) {
      throw awsSourceError(
        SOURCE,
        `cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE ${tokenFile}: ${reasonOf(err)}`,
        err,
      );
    }
  }
  return env.getEnv("AWS_CONTAINER_AUTHORIZATION_TOKEN") || undefined;
}

/** Credentials from the container endpoint, when one of its variables is set. */
export const fromContainerEndpoint: AwsCredentialSource = async (context) => {
  const url = endpoint(context);
  if (!url) {
    return {
      skipped:
        "the ECS endpoint: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI not set",
    };
  }
  const headers: Record<string, string> = { Accept: "application/json" };
  // The authorization token only goes with the full URI: the relative one is the ECS agent's own.
  const token = context.env.getEnv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
    ? undefined
    : await authorization(context);
  if (token) headers.Authorization = token;
  const request = awsRequest(context.env, url, { method: "GET", headers }, {
    ...context,
    source: SOURCE,
    secrets: [token],
  });
  const response = await httpRequest(request);
  expectOk(response, request);
  const { roleArn, ...credentials } = metadataCredentials(response.text, SOURCE);
  const arn = roleArn === undefined ? undefined : assumedRoleOf(roleArn);
  const identity = arn === undefined ? undefined : { arn, from: `the ECS endpoint's RoleArn (${roleArn})` };
  return { credentials, source: SOURCE, temporary: true, identity };
};
