/**
 * The `test` environment (`ENVIRONMENT:test`) of the auth specification, named here for what it reads:
 * the token in the file named by `OIDC_TOKEN_FILE`. Meant for driver test suites, not for production.
 *
 * @module
 */
import { MongoAuthError } from "../../../core/errors.ts";
import type { OidcCallback, OidcCallbackResult } from "../../../credential/oidc-callback.ts";
import { readTokenFile, type TokenFileEnv } from "./token-file.ts";

/** Options of {@link createTestCallback}. */
export interface TestCallbackOptions {
  /** Environment variables and a file reader (a `RuntimeEnv`). */
  readonly env: TokenFileEnv;
}

/**
 * A callback that reads the token in the file named by `OIDC_TOKEN_FILE`, read at each call.
 *
 * @param options the environment to read variables and files from
 * @returns the callback
 * @throws {MongoAuthError} (from the callback) `CREDENTIAL_PROVIDER_ERROR` when `OIDC_TOKEN_FILE` is
 *   unset or its file cannot be read or is empty
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runtimeEnv } from "@mongo-auth/core";
 * import { createTestCallback } from "./oidc-token-file.ts";
 *
 * const env = runtimeEnv({ env: { OIDC_TOKEN_FILE: "/tmp/tokens/test_user1" }, readTextFile: async () => "eyJ.a.b" });
 * const result = await createTestCallback({ env })({ version: 1, timeoutContext: new AbortController().signal });
 * assert.equal(result.accessToken, "eyJ.a.b");
 * ```
 */
export function createTestCallback(options: TestCallbackOptions): OidcCallback {
  const { env } = options;
  return async (): Promise<OidcCallbackResult> => {
    const path = env.getEnv("OIDC_TOKEN_FILE");
    if (!path) {
      throw new MongoAuthError(
        "CREDENTIAL_PROVIDER_ERROR",
        "MONGODB-OIDC ENVIRONMENT:test needs the OIDC_TOKEN_FILE environment variable (path of a token file)" +
          (env.envRestriction ? `. ${env.envRestriction}` : ""),
      );
    }
    return { accessToken: await readTokenFile(env, path, "ENVIRONMENT:test (OIDC_TOKEN_FILE)") };
  };
}
