/**
 * Checks what a user's OIDC callback returned before anything is cached or sent.
 *
 * @module
 */
import { MongoAuthError } from "../../core/errors.ts";
import type { OidcCallbackResult } from "../../credential/oidc-callback.ts";

/**
 * Validates a callback's result: `accessToken` a non-empty string, `expiresInSeconds` a number ≥ 0 when
 * present, `refreshToken` a string when present. Other properties are ignored, so callbacks written for
 * a later callback version still work.
 *
 * @param result whatever the callback resolved to
 * @param callbackName the property the callback came from, for the message (`"OIDC_CALLBACK"`, …)
 * @returns a clean result holding only the known fields
 * @throws {MongoAuthError} `CREDENTIAL_PROVIDER_ERROR` naming the first field that is wrong; never a token
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { validateCallbackResult } from "./validate-result.ts";
 *
 * assert.deepEqual(validateCallbackResult({ accessToken: "eyJ.x.y", expiresInSeconds: 60 }, "OIDC_CALLBACK"), {
 *   accessToken: "eyJ.x.y",
 *   expiresInSeconds: 60,
 * });
 * assert.throws(() => validateCallbackResult(null, "OIDC_CALLBACK"), { code: "CREDENTIAL_PROVIDER_ERROR" });
 * ```
 */
export function validateCallbackResult(result: unknown, callbackName: string): OidcCallbackResult {
  const fail = (what: string) =>
    new MongoAuthError(
      "CREDENTIAL_PROVIDER_ERROR",
      `${callbackName} returned ${what}; it must resolve to { accessToken: string, expiresInSeconds?: number, refreshToken?: string }`,
    );
  if (typeof result !== "object" || result === null) {
    throw fail(result === null ? "null" : `a ${typeof result}`);
  }
  const { accessToken, expiresInSeconds, refreshToken } = result as Record<string, unknown>;
  if (typeof accessToken !== "string") throw fail("no accessToken string");
  if (accessToken.length === 0) throw fail("an empty accessToken");
  if (
    expiresInSeconds !== undefined &&
    (typeof expiresInSeconds !== "number" || !Number.isFinite(expiresInSeconds) || expiresInSeconds < 0)
  ) {
    throw fail("an expiresInSeconds that is not a number of seconds ≥ 0");
  }
  if (refreshToken !== undefined && typeof refreshToken !== "string") {
    throw fail("a refreshToken that is not a string");
  }
  const clean: OidcCallbackResult = { accessToken };
  if (expiresInSeconds !== undefined) clean.expiresInSeconds = expiresInSeconds;
  if (refreshToken !== undefined) clean.refreshToken = refreshToken;
  return clean;
}
