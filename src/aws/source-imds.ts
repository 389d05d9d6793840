/**
 * Source 7, the last: the EC2 instance metadata service, version 2 only (the spec's MUST).
 *
 * 1. `PUT /latest/api/token` with `X-aws-ec2-metadata-token-ttl-seconds` starts a session;
 * 2. `GET /latest/meta-data/iam/security-credentials/` with `X-aws-ec2-metadata-token` names the role;
 * 3. `GET /latest/meta-data/iam/security-credentials/<role>` returns JSON credentials.
 *
 * `AWS_EC2_METADATA_DISABLED=true` turns it off; `AWS_EC2_METADATA_SERVICE_ENDPOINT` (or
 * `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6`) moves it.
 *
 * @module
 */
import { awsHttp, expectOk } from "./http.ts";
import { awsSourceError } from "./provider-error.ts";
import { metadataCredentials } from "./metadata-credentials.ts";
import type { AwsCredentialSource, AwsSourceContext } from "./source.ts";

const SOURCE = "the EC2 instance metadata service (IMDSv2)";
const CREDENTIALS_PATH = "/latest/meta-data/iam/security-credentials/";
/** The session token only has to outlive the next two requests. */
const TOKEN_TTL_SECONDS = "30";

/**
 * Whether `AWS_EC2_METADATA_DISABLED` turns IMDS off.
 *
 * @param context the source context
 * @returns true when the variable is `true` (any case)
 */
export function imdsDisabled(context: AwsSourceContext): boolean {
  return (context.env.getEnv("AWS_EC2_METADATA_DISABLED") ?? "").trim().toLowerCase() === "true";
}

function baseUrl(context: AwsSourceContext): string {
  const set = context.env.getEnv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
  if (set) return set.replace(/\/+$/, "");
  const mode = (context.env.getEnv("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE") ?? "").toLowerCase();
  return mode === "ipv6" ? "http://[fd00:ec2::254]" : "http://169.254.169.254";
}

async function get(
  context: AwsSourceContext,
  url: string,
  init: { method: string; headers: Record<string, string> },
) {
  const response = await awsHttp(context.env, url, init, { ...context, source: SOURCE });
  expectOk(response, SOURCE, url);
  return response.body;
}

/** Credentials of the instance's role. */
export const fromInstanceMetadata: AwsCredentialSource = async (context) => {
  if (imdsDisabled(context)) return undefined;
  const base = baseUrl(context);
  const token = await get(context, base + "/latest/api/token", {
    method: "PUT",
    headers: { "X-aws-ec2-metadata-token-ttl-seconds": TOKEN_TTL_SECONDS },
  });
  const headers = { "X-aws-ec2-metadata-token": token.trim() };
  const roleName = (await get(context, base + CREDENTIALS_PATH, { method: "GET", headers })).split("\n")[0]
    .trim();
  if (!roleName) throw awsSourceError(SOURCE, "the instance has no IAM role attached");
  const body = await get(context, base + CREDENTIALS_PATH + encodeURIComponent(roleName), {
    method: "GET",
    headers,
  });
  const credentials = metadataCredentials(body, SOURCE);
  return { credentials, source: SOURCE, temporary: true };
};
