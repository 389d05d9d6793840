/**
 * The public face of the credential chain: an `AWS_CREDENTIAL_PROVIDER` for drivers that take one.
 *
 * @module
 */
import { type RuntimeEnv, runtimeEnv } from "../runtime-env.ts";
import { resolveAwsCredentials } from "./chain.ts";
import { AwsCredentialCache } from "./credential-cache.ts";
import type { AwsCredentialProvider } from "./credentials.ts";

/** Options for {@link awsCredentialProvider}. */
export interface AwsCredentialProviderOptions {
  /**
   * Where variables, files, HTTP and the clock come from. Default: `runtimeEnv()`, which has no
   * variables and no files; pass your runtime's (e.g. `runtimeEnv({ env: process.env, readTextFile })`)
   * or your Worker's bindings.
   */
  readonly env?: RuntimeEnv;
  /** Cancels every HTTP call of every use of the provider. */
  readonly signal?: AbortSignal;
  /** Milliseconds before one HTTP call is given up. Default 10 000. */
  readonly timeoutMs?: number;
}

/**
 * The MONGODB-AWS credential chain as an async function, in the shape the official Node driver (v7)
 * takes as `authMechanismProperties.AWS_CREDENTIAL_PROVIDER`. It looks, in order, at
 * `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/`AWS_SESSION_TOKEN`, the shared credentials and config
 * files (static keys, then AssumeRole), AssumeRoleWithWebIdentity, the ECS container endpoint and EC2
 * IMDSv2. Temporary credentials are cached inside the returned function until five minutes before
 * they expire.
 *
 * @param options the runtime environment, a signal, a timeout
 * @returns a function resolving to `{ accessKeyId, secretAccessKey, sessionToken?, expiration? }`
 * @throws {MongoAuthError} (from the returned function) `CREDENTIAL_PROVIDER_ERROR` naming the source that
 *   failed, or saying that none applies; messages never contain a key or token
 * @example Credentials from (injected) environment variables
 * ```ts
 * import assert from "node:assert/strict";
 * import { awsCredentialProvider, runtimeEnv } from "@mongo-auth/core";
 *
 * const provider = awsCredentialProvider({
 *   env: runtimeEnv({ env: { AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI" } }),
 * });
 * const credentials = await provider();
 * assert.equal(credentials.accessKeyId, "AKIDEXAMPLE");
 * assert.equal(credentials.sessionToken, undefined);
 * ```
 */
export function awsCredentialProvider(options: AwsCredentialProviderOptions = {}): AwsCredentialProvider {
  const env = options.env ?? runtimeEnv();
  const cache = new AwsCredentialCache();
  return async () => {
    const found = await resolveAwsCredentials({
      env,
      cache,
      signal: options.signal,
      timeoutMs: options.timeoutMs,
    });
    return found.credentials;
  };
}
