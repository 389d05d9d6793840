/**
 * Who a set of AWS credentials is, and the `$external` user mongod looks up for it: mongod sends the
 * signed `GetCallerIdentity` to STS and authenticates as the simplified ARN of the answer (an IAM user
 * as is; an assumed role without its session name: `arn:aws:sts::<account>:assumed-role/<role>/*`).
 * When the server refuses, that name is what a person needs to see. The credential sources often know
 * it already (an STS AssumeRole answer names the assumed-role ARN, the ECS endpoint the role's ARN,
 * IMDS the role's name); otherwise {@link lookUpCallerIdentity} asks STS, when the caller asked to
 * explain a failure.
 *
 * @module
 */
import type { AwsCredentials } from "../../credential/aws.ts";
import type { RuntimeEnv } from "../../core/runtime-env.ts";
import { stsEndpoint } from "./credentials/sts-endpoint.ts";
import { stsQuery } from "./credentials/sts.ts";

/** What is known of the identity of AWS credentials. */
export interface AwsIdentity {
  /** The identity's ARN; an assumed role's session part may be `*`, its account `<account>`. */
  readonly arn: string;
  /** Where it is known from, e.g. `the AssumeRoleWithWebIdentity answer`. */
  readonly from: string;
}

/** How long {@link lookUpCallerIdentity} may take. */
export const CALLER_IDENTITY_TIMEOUT_MS = 5_000;

/**
 * The `$external` user name mongod authenticates an ARN as (its `makeSimplifiedArn`).
 *
 * @param arn the identity's ARN
 * @returns the user name, or the ARN itself when it is neither an IAM user nor an assumed role
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mongodbUserOf } from "./identity.ts";
 *
 * assert.equal(
 *   mongodbUserOf("arn:aws:sts::123456789012:assumed-role/app/i-0abc"),
 *   "arn:aws:sts::123456789012:assumed-role/app/*",
 * );
 * assert.equal(mongodbUserOf("arn:aws:iam::123456789012:user/ci"), "arn:aws:iam::123456789012:user/ci");
 * ```
 */
export function mongodbUserOf(arn: string): string {
  const match = /^(arn:[^:]+:sts::[^:]*:assumed-role\/[^/]+\/).+$/.exec(arn);
  return match ? match[1] + "*" : arn;
}

/**
 * The assumed-role ARN (any session) of a role's ARN: `arn:aws:iam::<account>:role/<path>/<name>` is
 * assumed as `arn:aws:sts::<account>:assumed-role/<name>/<session>` (the path is not part of it).
 *
 * @param roleArn the role's ARN
 * @returns the assumed-role ARN with `*` as the session, or `undefined` when it is not a role's ARN
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { assumedRoleOf } from "./identity.ts";
 *
 * assert.equal(assumedRoleOf("arn:aws:iam::123456789012:role/ecs/task"), "arn:aws:sts::123456789012:assumed-role/task/*");
 * ```
 */
export function assumedRoleOf(roleArn: string): string | undefined {
  const match = /^arn:([^:]+):iam::([^:]*):role\/(?:.*\/)?([^/]+)$/.exec(roleArn);
  return match ? `arn:${match[1]}:sts::${match[2]}:assumed-role/${match[3]}/*` : undefined;
}

/**
 * Asks STS who `credentials` are: a signed `GetCallerIdentity` to the endpoint the environment names
 * (`AWS_ENDPOINT_URL_STS`, a regional endpoint, or the global one), bounded by
 * {@link CALLER_IDENTITY_TIMEOUT_MS}. Only ever called to explain a refusal, when the caller asked.
 *
 * @param env fetch, clock, the STS endpoint's variables
 * @param credentials the credentials to ask about
 * @param signal the caller's signal
 * @returns the identity, or why it could not be found out
 */
export async function lookUpCallerIdentity(
  env: RuntimeEnv,
  credentials: AwsCredentials,
  signal?: AbortSignal,
): Promise<AwsIdentity | { readonly unknown: string }> {
  const endpoint = stsEndpoint(env);
  try {
    const text = await stsQuery(env, {
      action: "GetCallerIdentity",
      params: {},
      signWith: credentials,
      endpoint,
      source: "STS GetCallerIdentity",
      signal,
      timeoutMs: CALLER_IDENTITY_TIMEOUT_MS,
    });
    const arn = /<GetCallerIdentityResult>[\s\S]*?<Arn>\s*([^<\s]+)\s*<\/Arn>/.exec(text)?.[1] ??
      /"Arn"\s*:\s*"([^"]+)"/.exec(text)?.[1];
    if (arn === undefined) return { unknown: "STS GetCallerIdentity answered without an Arn" };
    return { arn, from: `STS GetCallerIdentity at ${new URL(endpoint.url).host}` };
  } catch (err) {
    return { unknown: (err as Error)?.message ?? "STS GetCallerIdentity failed" };
  }
}

/**
 * An access key ID as a trace may show it: its kind (the first four characters: `AKIA` long-term,
 * `ASIA` temporary) and its last four.
 *
 * @param accessKeyId the access key ID
 * @returns e.g. `ASIA…MPLE`
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { maskedAccessKeyId } from "./identity.ts";
 *
 * assert.equal(maskedAccessKeyId("ASIAIOSFODNN7EXAMPLE"), "ASIA…MPLE");
 * assert.equal(maskedAccessKeyId("short"), "…");
 * ```
 */
export function maskedAccessKeyId(accessKeyId: string): string {
  return accessKeyId.length < 12 ? "…" : `${accessKeyId.slice(0, 4)}…${accessKeyId.slice(-4)}`;
}
