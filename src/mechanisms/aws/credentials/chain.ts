/**
 * The AWS credential chain, in the order of the MongoDB drivers' guides (pymongo's):
 *
 * 1. the MongoCredential: username (access key ID), password (secret key), `AWS_SESSION_TOKEN`;
 *    or, in its place, the user's `AWS_CREDENTIAL_PROVIDER` function (options only);
 * 2. `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`;
 * 3. static keys of the `AWS_PROFILE` (else `default`) profile in the shared files;
 * 4. that profile's `role_arn` via STS AssumeRole (or AssumeRoleWithWebIdentity), its IAM Identity
 *    Center (SSO) role with the token `aws sso login` cached, or its `credential_process`;
 * 5. AssumeRoleWithWebIdentity from `AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN`;
 * 6. the ECS container endpoint;
 * 7. EC2 IMDSv2: tried last and unasked, so that its failure (an HTTP error off EC2, say) is one more source
 *    that does not apply, unless `AWS_EC2_METADATA_SERVICE_ENDPOINT(_MODE)` points at it.
 *
 * Temporary credentials fetched by 4–7 are cached until five minutes before they expire; a valid
 * cached entry is used before looking at 2–7 (the spec: even if environment variables appear later).
 *
 * @module
 */
import { raceAbort } from "../../../core/abort.ts";
import { MongoAuthError } from "../../../core/errors.ts";
import type { RuntimeEnv } from "../../../core/runtime-env.ts";
import type { AwsCredentialCache } from "./cache.ts";
import type { AwsCredentialProvider } from "../../../credential/aws.ts";
import { checkAwsCredentials } from "./check-credentials.ts";
import { awsSourceError } from "./provider-error.ts";
import { type AwsCredentialSource, type FoundAwsCredentials, sourceContext } from "./source.ts";
import { fromAssumeRoleProfile } from "./source-assume-role.ts";
import { fromContainerEndpoint } from "./source-ecs.ts";
import { fromEnvironment } from "./source-env.ts";
import { fromInstanceMetadataImplicitly } from "./source-imds.ts";
import { fromSharedFiles } from "./source-profile.ts";
import { fromSsoProfile } from "./source-sso.ts";
import { fromProcessProfile } from "./source-process.ts";
import { fromWebIdentity } from "./source-web-identity.ts";
import type { TraceEmitter } from "../../../core/trace.ts";
import { maskedAccessKeyId, mongodbUserOf } from "../identity.ts";

/** Sources 2–7, in order, with the names a trace gives them. */
export const AWS_CREDENTIAL_SOURCES: readonly {
  readonly name: string;
  readonly find: AwsCredentialSource;
}[] = [
  { name: "environment variables", find: fromEnvironment },
  { name: "shared files: profile keys", find: fromSharedFiles },
  { name: "shared files: profile role", find: fromAssumeRoleProfile },
  { name: "shared files: profile SSO", find: fromSsoProfile },
  { name: "shared files: profile process", find: fromProcessProfile },
  { name: "web identity", find: fromWebIdentity },
  { name: "ECS container endpoint", find: fromContainerEndpoint },
  { name: "EC2 instance metadata", find: fromInstanceMetadataImplicitly },
];

/** What a resolution starts from. */
export interface AwsChainInput {
  /** Environment variables, files, fetch, clock. */
  readonly env: RuntimeEnv;
  /** The client's cache of temporary credentials. */
  readonly cache: AwsCredentialCache;
  /** Explicit keys (source 1), already checked. */
  readonly explicit?: FoundAwsCredentials;
  /** The user's provider, used instead of sources 2–7. */
  readonly provider?: AwsCredentialProvider;
  /** The caller's signal. */
  readonly signal?: AbortSignal;
  /** Milliseconds before one HTTP call is given up. */
  readonly timeoutMs?: number;
  /** Where each source tried, and the identity found, are recorded. */
  readonly trace?: TraceEmitter;
}

/** Found credentials, and whether they came out of the cache. */
export interface ResolvedAwsCredentials extends FoundAwsCredentials {
  /** True when served from the cache (and so worth one retry with fresh ones if the server refuses them). */
  readonly fromCache: boolean;
}

/**
 * Finds credentials: source 1, the user's provider, the cache, then sources 2–7.
 *
 * @param input environment, cache, explicit keys or provider
 * @returns the first credentials found
 * @throws {MongoAuthError} `CREDENTIAL_PROVIDER_ERROR` when a source that applies fails, or none applies
 */
export async function resolveAwsCredentials(input: AwsChainInput): Promise<ResolvedAwsCredentials> {
  const { trace } = input;
  if (input.explicit) return foundIn(trace, input.explicit.source, input.explicit, false);
  if (input.provider) {
    const found = await tried(
      trace,
      "AWS_CREDENTIAL_PROVIDER",
      () => callProvider(input.provider!, input.signal),
    );
    return foundIn(trace, "AWS_CREDENTIAL_PROVIDER", found, false);
  }
  const cached = input.cache.get(input.env.now());
  if (cached) return foundIn(trace, cached.source, { ...cached, temporary: true }, true);
  const context = sourceContext(input.env, input.signal, input.timeoutMs);
  const skipped = new Set<string>();
  let cause: MongoAuthError | undefined;
  for (const { name, find } of AWS_CREDENTIAL_SOURCES) {
    const found = await tried(trace, name, () => find(context));
    if ("skipped" in found) {
      trace?.emit("aws.source", { source: name, outcome: "skipped", reason: found.skipped });
      skipped.add(found.skipped);
      cause = found.cause ?? cause;
      continue;
    }
    if (found.temporary) input.cache.set(found.credentials, found.source, found.identity);
    return foundIn(trace, name, found, false);
  }
  throw noCredentials(input.env, [...skipped], cause);
}

// Runs one source; when it applies and fails, the trace says so before the error goes on.
async function tried<T>(trace: TraceEmitter | undefined, source: string, find: () => Promise<T>): Promise<T> {
  try {
    return await find();
  } catch (err) {
    const reason = err instanceof MongoAuthError
      ? err.message
      : `unexpected ${(err as Error)?.name ?? "error"}`;
    trace?.emit("aws.source", { source, outcome: "failed", reason });
    throw err;
  }
}

// Records the credentials found (never the keys: the access key ID masked, the secret and token not at
// all) and who they are, when the source said.
function foundIn(
  trace: TraceEmitter | undefined,
  source: string,
  found: FoundAwsCredentials,
  fromCache: boolean,
): ResolvedAwsCredentials {
  if (trace) {
    const { credentials, identity } = found;
    trace.emit("aws.source", {
      source,
      outcome: fromCache ? "cached" : "found",
      reason: found.source === source ? undefined : found.source,
      temporary: credentials.sessionToken !== undefined,
      accessKeyId: maskedAccessKeyId(credentials.accessKeyId),
      expiresAt: credentials.expiration?.toISOString(),
    });
    if (identity) {
      trace.emit("aws.identity", {
        ...identity,
        user: mongodbUserOf(identity.arn),
        accountUnknown: identity.arn.includes("<account>") || undefined,
      });
    }
  }
  return { ...found, fromCache };
}

// Every source and why it did not apply, so the user sees at once what was looked at; `cause` is the failure
// that showed one of them not to apply (IMDS's HTTP error), when there was one.
function noCredentials(env: RuntimeEnv, skipped: readonly string[], cause?: MongoAuthError): MongoAuthError {
  const restriction = env.envRestriction ? ` ${env.envRestriction}.` : "";
  return new MongoAuthError(
    "CREDENTIAL_PROVIDER_ERROR",
    `MONGODB-AWS: no AWS credentials found.${restriction} Looked at: ${skipped.join("; ")}. ` +
      "Give the keys as username:password (access key ID and secret access key), set AWS_ACCESS_KEY_ID " +
      "and AWS_SECRET_ACCESS_KEY, use a shared credentials profile, or run where an ECS, EKS or EC2 role applies",
    cause && { cause },
  );
}

async function callProvider(
  provider: AwsCredentialProvider,
  signal?: AbortSignal,
): Promise<FoundAwsCredentials> {
  const source = "AWS_CREDENTIAL_PROVIDER";
  let value: unknown;
  try {
    value = await raceAbort(provider(), signal, `MONGODB-AWS: ${source}`);
  } catch (err) {
    if (err instanceof MongoAuthError) throw err;
    throw awsSourceError(source, "the function threw or rejected", err);
  }
  return { credentials: checkAwsCredentials(value, source), source, temporary: false };
}
