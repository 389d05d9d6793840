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
 * The chain tries it last, unasked ({@link fromInstanceMetadataImplicitly}): there a failure means that it
 * does not apply, and the chain's summary says why. Asked for, by those variables or by a profile's
 * `credential_source = Ec2InstanceMetadata` ({@link fromInstanceMetadata}), a failure is its own error.
 *
 * @module
 */
import { MongoAuthError } from "../../../core/errors.ts";
import { httpRequest, type HttpResponse } from "../../../core/http.ts";
import { awsRequest, expectOk } from "./http.ts";
import { awsSourceError } from "./provider-error.ts";
import { metadataCredentials } from "./metadata-credentials.ts";
import type {
  AwsCredentialSource,
  AwsSourceContext,
  FoundAwsCredentials,
  SkippedAwsSource,
} from "./source.ts";

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

/**
 * Whether the user pointed at IMDS (`AWS_EC2_METADATA_SERVICE_ENDPOINT` or
 * `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE` set): then whatever it answers is meant for this client.
 *
 * @param context the source context
 * @returns true when either variable is set
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runtimeEnv } from "@mongo-auth/core";
 * import { sourceContext } from "./source.ts";
 * import { imdsConfigured } from "./source-imds.ts";
 *
 * const moved = runtimeEnv({ env: { AWS_EC2_METADATA_SERVICE_ENDPOINT: "http://127.0.0.1:1338" } });
 * assert.equal(imdsConfigured(sourceContext(moved)), true);
 * assert.equal(imdsConfigured(sourceContext(runtimeEnv({ env: {} }))), false);
 * ```
 */
export function imdsConfigured(context: AwsSourceContext): boolean {
  return Boolean(
    context.env.getEnv("AWS_EC2_METADATA_SERVICE_ENDPOINT") ||
      context.env.getEnv("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"),
  );
}

// The session token, or why the service is not there. No answer in time, or none at all, is the expected
// case off EC2. So is an HTTP error where IMDS was not asked for: a machine that is not EC2 may have something
// else answering the address (a proxy, another cloud's metadata service). Where the user pointed at IMDS, an
// HTTP error is its answer, and stays an error.
async function sessionToken(
  context: AwsSourceContext,
  base: string,
  implicit: boolean,
): Promise<string | SkippedAwsSource> {
  const url = base + "/latest/api/token";
  const timeoutMs = Math.min(IMDS_PROBE_TIMEOUT_MS, context.timeoutMs ?? IMDS_PROBE_TIMEOUT_MS);
  const request = awsRequest(context.env, url, {
    method: "PUT",
    headers: { "X-aws-ec2-metadata-token-ttl-seconds": TOKEN_TTL_SECONDS },
  }, { ...context, timeoutMs, source: SOURCE });
  let response: HttpResponse | undefined;
  try {
    response = await httpRequest(request);
    expectOk(response, request);
    return response.text;
  } catch (err) {
    // The caller's abort is the caller's (ABORTED, TIMEOUT): only this source's failures are looked at.
    const answered = response !== undefined;
    if (!isOwnFailure(err) || answered && !implicit) throw err;
    return notApplying(err, " (not running on EC2?)");
  }
}

function isOwnFailure(err: unknown): err is MongoAuthError {
  return err instanceof MongoAuthError && err.code === "CREDENTIAL_PROVIDER_ERROR";
}

// A failure as the reason the chain's summary gives, with the failure kept for the summary's `cause`.
function notApplying(err: MongoAuthError, hint = ""): SkippedAwsSource {
  const reason = err.message.slice(`MONGODB-AWS: ${SOURCE}: `.length);
  return { skipped: `EC2 instance metadata: ${reason}${hint}`, cause: err };
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

async function instanceCredentials(
  context: AwsSourceContext,
  implicit: boolean,
): Promise<FoundAwsCredentials | SkippedAwsSource> {
  if (imdsDisabled(context)) {
    return { skipped: "EC2 instance metadata: off (AWS_EC2_METADATA_DISABLED=true)" };
  }
  const base = baseUrl(context);
  const probe = await sessionToken(context, base, implicit);
  if (typeof probe !== "string") return probe;
  const token = probe.trim();
  const roleName = (await get(context, base + CREDENTIALS_PATH, token)).split("\n")[0].trim();
  if (!roleName) throw awsSourceError(SOURCE, "the instance has no IAM role attached");
  const body = await get(context, base + CREDENTIALS_PATH + encodeURIComponent(roleName), token);
  const { roleArn: _none, ...credentials } = metadataCredentials(body, SOURCE);
  // IMDS names the instance's role, not its account (that would take another request).
  const identity = {
    arn: `arn:aws:sts::<account>:assumed-role/${roleName}/*`,
    from: `the instance's role name from IMDS (${roleName}); the account is not known here`,
  };
  return { credentials, source: SOURCE, temporary: true, identity };
}

/**
 * Credentials of the instance's role, asked for (a profile's `credential_source = Ec2InstanceMetadata`): a
 * failure once IMDS answered is this source's error. No answer at all is a skip, which the caller words.
 *
 * @example Turned off
 * ```ts
 * import assert from "node:assert/strict";
 * import { runtimeEnv } from "@mongo-auth/core";
 * import { sourceContext } from "./source.ts";
 * import { fromInstanceMetadata } from "./source-imds.ts";
 *
 * const env = runtimeEnv({ env: { AWS_EC2_METADATA_DISABLED: "true" } });
 * assert.deepEqual(await fromInstanceMetadata(sourceContext(env)), {
 *   skipped: "EC2 instance metadata: off (AWS_EC2_METADATA_DISABLED=true)",
 * });
 * ```
 */
export const fromInstanceMetadata: AwsCredentialSource = (
  context,
): Promise<FoundAwsCredentials | SkippedAwsSource> => instanceCredentials(context, false);

/**
 * Source 7 as the chain tries it: last, because no other source applied. Unless the user pointed at IMDS
 * ({@link imdsConfigured}), any failure of it (an HTTP error from whatever answers its address off EC2, an
 * instance without a role) means that it does not apply either: the chain then ends with its summary of
 * every source, this one's failure included and kept as the `cause`, as the AWS SDK's chain moves past a
 * failing IMDS to "Could not load credentials from any providers".
 *
 * @example A machine where something else answers 169.254.169.254
 * ```ts
 * import assert from "node:assert/strict";
 * import { runtimeEnv } from "@mongo-auth/core";
 * import { sourceContext } from "./source.ts";
 * import { fromInstanceMetadataImplicitly } from "./source-imds.ts";
 *
 * const fetch = async () => new Response("Not Found", { status: 404 });
 * const found = await fromInstanceMetadataImplicitly(sourceContext(runtimeEnv({ env: {}, fetch })));
 * assert.ok("skipped" in found);
 * assert.equal(
 *   found.skipped,
 *   "EC2 instance metadata: http://169.254.169.254/latest/api/token answered HTTP 404: Not Found (not running on EC2?)",
 * );
 * ```
 */
export const fromInstanceMetadataImplicitly: AwsCredentialSource = async (
  context,
): Promise<FoundAwsCredentials | SkippedAwsSource> => {
  const implicit = !imdsConfigured(context);
  try {
    return await instanceCredentials(context, implicit);
  } catch (err) {
    if (!implicit || !isOwnFailure(err)) throw err;
    return notApplying(err);
  }
};
