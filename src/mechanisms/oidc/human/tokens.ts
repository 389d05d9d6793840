/**
 * From the identity provider's token response to what is stored and what the driver gets.
 *
 * @module
 */
import type { TokenEndpointResponse } from "oauth4webapi";
import type { OidcCallbackResult } from "../../../credential/oidc-callback.ts";
import type { StoredTokens } from "./token-store.ts";

/** A stored access token is reused only while it has at least this long left. */
export const REUSE_MARGIN_MS = 60_000;

/**
 * The tokens of a successful token response. The expiry is `expires_in`, or else the access token's
 * own `exp` when it is a JWT (MongoDB's are); otherwise unknown.
 *
 * @param response the processed token endpoint response
 * @param now milliseconds since the epoch
 * @param previousRefreshToken the refresh token used, kept when a refresh answer carries none (RFC 6749 §6)
 * @returns the tokens to store and return
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tokensOf } from "./tokens.ts";
 *
 * const response = { access_token: "opaque", token_type: "bearer", expires_in: 60 } as const;
 * assert.deepEqual(tokensOf(response, 1_000), { accessToken: "opaque", expiresAt: 61_000 });
 * ```
 */
export function tokensOf(
  response: TokenEndpointResponse,
  now: number,
  previousRefreshToken?: string,
): StoredTokens {
  const expiresAt = typeof response.expires_in === "number"
    ? now + response.expires_in * 1000
    : jwtExpiry(response.access_token);
  const refreshToken = response.refresh_token ?? previousRefreshToken;
  return {
    accessToken: response.access_token,
    ...(expiresAt !== undefined ? { expiresAt } : {}),
    ...(refreshToken !== undefined ? { refreshToken } : {}),
  };
}

/**
 * The callback result for `tokens`.
 *
 * @param tokens the tokens
 * @param now milliseconds since the epoch
 * @returns `{ accessToken, expiresInSeconds?, refreshToken? }`
 */
export function callbackResultOf(tokens: StoredTokens, now: number): OidcCallbackResult {
  const result: OidcCallbackResult = { accessToken: tokens.accessToken };
  if (tokens.expiresAt !== undefined) {
    result.expiresInSeconds = Math.max(0, Math.floor((tokens.expiresAt - now) / 1000));
  }
  if (tokens.refreshToken !== undefined) result.refreshToken = tokens.refreshToken;
  return result;
}

/**
 * Whether a stored access token may be handed out again: its expiry is known and at least
 * {@link REUSE_MARGIN_MS} away.
 *
 * @param tokens the stored tokens
 * @param now milliseconds since the epoch
 * @returns true when it is fresh
 */
export function isFresh(tokens: StoredTokens, now: number): boolean {
  return tokens.expiresAt !== undefined && tokens.expiresAt - now >= REUSE_MARGIN_MS;
}

// The `exp` of a JWT, read without verifying (only to know when to stop reusing it; the server verifies).
function jwtExpiry(token: string): number | undefined {
  const payload = token.split(".")[1];
  if (token.split(".").length !== 3 || !payload) return undefined;
  try {
    const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    const exp = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === "number" && Number.isFinite(exp) ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
