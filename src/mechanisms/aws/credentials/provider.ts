/**
 * The credential chain as an `AWS_CREDENTIAL_PROVIDER`, for drivers that take one.
 *
 * @module
 */
import { RUNTIME_ENV_CHECK, type RuntimeEnv } from "../../../core/runtime-env.ts";
import { checkMilliseconds, checkOptions, IS, optionChecks } from "../../../core/options.ts";
import { resolveAwsCredentials } from "./chain.ts";
import { AwsCredentialCache } from "./cache.ts";
import type { AwsCredentialProvider } from "../../../credential/aws.ts";

/** Options of `awsCredentialProvider` (from `@mongo-auth/core/node` or `/deno`). */
export interface AwsCredentialProviderOptions {
  /**
   * Where variables, files, HTTP and the clock come from. Default: the runtime's (the process's variables
   * and files); pass `runtimeEnv({ env, readTextFile })` to read something else.
   */
  readonly env?: RuntimeEnv;
  /** Cancels every HTTP call of every use of the provider. */
  readonly signal?: AbortSignal;
  /**
   * Milliseconds before one HTTP call is given up: a whole number from 1 to 2 147 483 647. Default 10 000
   * (the instance metadata service's first request gets at most 1 000).
   */
  readonly timeoutMs?: number;
}

const AWS_PROVIDER_OPTION_CHECKS = optionChecks({
  env: RUNTIME_ENV_CHECK,
  signal: IS.signal,
  timeoutMs: IS.number,
});

/**
 * The MONGODB-AWS credential chain over `env` as an async function, in the shape the official Node driver
 * (v7) takes as `authMechanismProperties.AWS_CREDENTIAL_PROVIDER`: what `awsCredentialProvider` of
 * `/node` and `/deno` returns, with their runtime's env as the default. Temporary credentials are cached
 * inside the returned function until five minutes before they expire.
 *
 * @param env where variables, files, HTTP and the clock come from
 * @param options a signal, a timeout
 * @returns a function resolving to `{ accessKeyId, secretAccessKey, sessionToken?, expiration? }`
 * @throws {MongoAuthError} `INVALID_OPTION` at once for an option of the wrong type or a `timeoutMs` out of
 *   range; (from the returned function) `CREDENTIAL_PROVIDER_ERROR` naming the source that failed, or every
 *   source and why none applies; messages never contain a key or token
 * @example Credentials from (injected) environment variables
 * ```ts
 * import assert from "node:assert/strict";
 * import { runtimeEnv } from "@mongo-auth/core";
 * import { createAwsCredentialProvider } from "./provider.ts";
 *
 * const env = runtimeEnv({ env: { AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI" } });
 * const credentials = await createAwsCredentialProvider(env)();
 * assert.equal(credentials.accessKeyId, "AKIDEXAMPLE");
 * assert.equal(credentials.sessionToken, undefined);
 * ```
 */
export function createAwsCredentialProvider(
  env: RuntimeEnv,
  given?: AwsCredentialProviderOptions,
): AwsCredentialProvider {
  const options = checkOptions(given, "awsCredentialProvider()", AWS_PROVIDER_OPTION_CHECKS);
  checkMilliseconds(options.timeoutMs, "timeoutMs", "awsCredentialProvider()");
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
