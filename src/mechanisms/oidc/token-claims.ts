/**
 * The claims a trace shows of an access token — `iss`, `aud`, `sub`, `exp` — read from the JWT's
 * payload without verifying anything (the server verifies; this only explains what was sent). Never
 * the token, its header or its signature, and no other claim.
 *
 * @module
 */
import type { TraceEventAttributes } from "../../core/trace.ts";

/** What {@link tokenClaims} reads, as the `oidc.token` event carries it. */
export type TokenClaims = Omit<TraceEventAttributes["oidc.token"], "origin">;

/**
 * Reads `iss`, `aud`, `sub` and `exp` of a JWT access token, unverified.
 *
 * @param accessToken the token
 * @param now milliseconds since the epoch, for `expiresInSeconds`
 * @returns the claims, or `{ jwt: false }` when the token is not a JWT with a JSON payload
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tokenClaims } from "./token-claims.ts";
 *
 * const payload = btoa(JSON.stringify({ iss: "https://idp", aud: "api://db", sub: "app", exp: 1_000 }))
 *   .replace(/=+$/, "");
 * const claims = tokenClaims(`eyJhbGciOiJub25lIn0.${payload}.sig`, 820_000);
 * assert.deepEqual(claims, {
 *   jwt: true,
 *   issuer: "https://idp",
 *   audience: ["api://db"],
 *   subject: "app",
 *   expiresAt: "1970-01-01T00:16:40.000Z",
 *   expiresInSeconds: 180,
 * });
 * assert.deepEqual(tokenClaims("opaque-token", 0), { jwt: false });
 * ```
 */
export function tokenClaims(accessToken: string, now: number): TokenClaims {
  const payload = jwtPayload(accessToken);
  if (!payload) return { jwt: false };
  const text = (value: unknown) => (typeof value === "string" ? value : undefined);
  const aud = payload.aud;
  const audience = typeof aud === "string"
    ? [aud]
    : Array.isArray(aud)
    ? aud.filter((a): a is string => typeof a === "string")
    : undefined;
  const exp = typeof payload.exp === "number" && Number.isFinite(payload.exp) ? payload.exp : undefined;
  const expiresAt = exp === undefined ? undefined : safeIso(exp * 1000);
  return {
    jwt: true,
    issuer: text(payload.iss),
    audience,
    subject: text(payload.sub),
    expiresAt,
    expiresInSeconds: expiresAt === undefined ? undefined : Math.round(exp! - now / 1000),
  };
}

function jwtPayload(token: string): Record<string, unknown> | undefined {
  const parts = token.split(".");
  if (parts.length !== 3 || !/^[A-Za-z0-9_-]+$/.test(parts[1])) return undefined;
  try {
    const base64 = parts[1].replace(/-/g, "+").replace(/_/g, "/");
    const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    const payload: unknown = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
    return payload !== null && typeof payload === "object" && !Array.isArray(payload)
      ? payload as Record<string, unknown>
      : undefined;
  } catch {
    return undefined;
  }
}

function safeIso(ms: number): string | undefined {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
