/**
 * The public face of the credential chain: an `AWS_CREDENTIAL_PROVIDER` for drivers that take one.
 *
 * @module
 */
import { MongoAuthError } from "../errors.ts";
import type { RuntimeEnv } from "../runtime-env.ts";
import { resolveAwsCredentials } from "./chain.ts";
import { AwsCredentialCache } from "./credential-cache.ts";
import type { AwsCredentialProvider } from "./credentials.ts";

/** Options for {@link awsCredentialProvider}. */
export interface AwsCredentialProviderOptions {
  /**
   * Where variables, files, HTTP and the clock come from. Required from `@mongo-auth/core`, which
   * reads no runtime by itself: pass `runtimeEnv({ env, readTextFile })` (your Worker's bindings, say).
   * The `/node` and `/deno` entry points default it to the process's variables and files.
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
 * This one, from `@mongo-auth/core`, reads only the `env` it is given. The same function from
 * `@mongo-auth/core/node` or `@mongo-auth/core/deno` reads the process's variables and files unless
 * given another `env`: use that one in an application.
 *
 * @param options the runtime environment (required here), a signal, a timeout
 * @returns a function resolving to `{ accessKeyId, secretAccessKey, sessionToken?, expiration? }`
 * @throws {MongoAuthError} `INVALID_OPTION` without `options.env`; (from the returned function)
 *   `CREDENTIAL_PROVIDER_ERROR` naming the source that failed, or every source and why none applies;
 *   messages never contain a key or token
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
export function awsCredentialProvider(
  options: AwsCredentialProviderOptions & { readonly env: RuntimeEnv },
): AwsCredentialProvider {
  const env = options?.env;
  if (env === undefined) {
    throw new MongoAuthError(
      "INVALID_OPTION",
      "awsCredentialProvider() from @mongo-auth/core reads no environment by itself: import it from " +
        "@mongo-auth/core/node or @mongo-auth/core/deno (they read the process's variables and files), " +
        "or pass env: runtimeEnv({ env, readTextFile })",
    );
  }
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
