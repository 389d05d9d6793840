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
import { MongoAuthError } from "../../../core/errors.ts";
import { httpRequest } from "../../../core/http.ts";
import { awsRequest, expectOk } from "./http.ts";
import { awsSourceError } from "./provider-error.ts";
import { metadataCredentials } from "./metadata-credentials.ts";
import type { AwsCredentialSource, AwsSourceContext } from "./source.ts";

const SOURCE = "the EC2 instance metadata service (IMDSv2)";
const CREDENTIALS_PATH = "/latest/meta-data/iam/security-credentials/";
/** The session token only has to outlive the next two requests. */
const TOKEN_TTL_SECONDS = "30";
/**
 * How long the first request (the session token) may take. On EC2 the service answers within
 * milliseconds; elsewhere the address usually swallows packets, and the whole connect timeout would go
 * waiting for it. The AWS SDKs give IMDS one second too.
 */
export const IMDS_PROBE_TIMEOUT_MS = 1000;

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

// The session token, or why the service is not there (no answer in time, unreachable): off EC2 that
// is the expected case, reported with the other sources rather than as a failure. An HTTP error is an
// answer, so it stays an error.
async function sessionToken(context: AwsSourceContext, base: string): Promise<string | { skipped: string }> {
  const url = base + "/latest/api/token";
  const timeoutMs = Math.min(IMDS_PROBE_TIMEOUT_MS, context.timeoutMs ?? IMDS_PROBE_TIMEOUT_MS);
  const request = awsRequest(context.env, url, {
    method: "PUT",
    headers: { "X-aws-ec2-metadata-token-ttl-seconds": TOKEN_TTL_SECONDS },
  }, { ...context, timeoutMs, source: SOURCE });
  let response;
  try {
    response = await httpRequest(request);
  } catch (err) {
    // The caller's abort is the caller's; no answer in time, or none at all, is this source's.
    if (!(err instanceof MongoAuthError) || err.code !== "CREDENTIAL_PROVIDER_ERROR") throw err;
    const reason = err.message.slice(`MONGODB-AWS: ${SOURCE}: `.length);
    return { skipped: `EC2 instance metadata: ${reason} (not running on EC2?)` };
  }
  expectOk(response, request);
  return response.text;
}

async function get(context: AwsSourceContext, url: string, token: string): Promise<string> {
  const request = awsRequest(context.env, url, {
    method: "GET",
    headers: { "X-aws-ec2-metadata-token": token },
  }, { ...context, source: SOURCE, secrets: [token] });
  const response = await httpRequest(request);
  expectOk(response, request);
  return response.text;
}

/** Credentials of the instance's role. */
export const fromInstanceMetadata: AwsCredentialSource = async (context) => {
  if (imdsDisabled(context)) {
    return { skipped: "EC2 instance metadata: off (AWS_EC2_METADATA_DISABLED=true)" };
  }
  const base = baseUrl(context);
  const probe = await sessionToken(context, base);
  if (typeof probe !== "string") return probe;
  const token = probe.trim();
  const roleName = (await get(context, base + CREDENTIALS_PATH, token)).split("\n")[0].trim();
  if (!roleName) throw awsSourceError(SOURCE, "the instance has no IAM role attached");
  const body = await get(context, base + CREDENTIALS_PATH + encodeURIComponent(roleName), token);
  const credentials = metadataCredentials(body, SOURCE);
  return { credentials, source: SOURCE, temporary: true };
};
