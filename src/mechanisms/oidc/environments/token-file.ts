/**
 * Reads an access token from a file named by the environment: shared by the `k8s` and `test`
 * environments.
 *
 * @module
 */
import { MongoAuthError, reasonOf } from "../../../core/errors.ts";
import type { RuntimeEnv } from "../../../core/runtime-env.ts";

/** What the file-based environments need from the host: environment variables and a file reader. */
export type TokenFileEnv = Pick<RuntimeEnv, "getEnv" | "readTextFile" | "envRestriction">;

/**
 * Reads the token in `path`, without surrounding whitespace (a trailing newline is common).
 *
 * @param env the file reader
 * @param path the file
 * @param source the environment and where the path came from, for messages
 * @returns the token
 * @throws {MongoAuthError} `RUNTIME_UNSUPPORTED` without a file reader; `CREDENTIAL_PROVIDER_ERROR`
 *   when the file cannot be read or is empty
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readTokenFile } from "./token-file.ts";
 *
 * const env = { getEnv: () => undefined, readTextFile: async () => "eyJ.a.b\n" };
 * assert.equal(await readTokenFile(env, "/token", "ENVIRONMENT:k8s"), "eyJ.a.b");
 * ```
 */
export async function readTokenFile(env: TokenFileEnv, path: string, source: string): Promise<string> {
  if (!env.readTextFile) {
    throw new MongoAuthError(
      "RUNTIME_UNSUPPORTED",
      `MONGODB-OIDC ${source} reads a token file, but this runtime environment has no readTextFile; ` +
        "pass one in the RuntimeEnv or use OIDC_CALLBACK",
    );
  }
  let text: string;
  try {
    text = await env.readTextFile(path);
  } catch (error) {
    throw new MongoAuthError(
      "CREDENTIAL_PROVIDER_ERROR",
      `MONGODB-OIDC ${source}: cannot read token file ${path}: ${reasonOf(error)}`,
      { cause: error },
    );
  }
  const token = text.trim();
  if (token.length === 0) {
    throw new MongoAuthError(
      "CREDENTIAL_PROVIDER_ERROR",
      `MONGODB-OIDC ${source}: token file ${path} is empty`,
    );
  }
  return token;
}
