// From the identity provider's token response to what is stored and what the driver gets: the expiry
// (expires_in, else the JWT's own exp), the refresh token kept across a refresh that sends none, and
// reuse only while more than a minute is left.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { TokenEndpointResponse } from "oauth4webapi";
import {
  callbackResultOf,
  isFresh,
  REUSE_MARGIN_MS,
  tokensOf,
} from "../../../../src/mechanisms/oidc/human/tokens.ts";

const NOW = 1_700_000_000_000;

function jwt(payload: Record<string, unknown>): string {
  const part = (value: unknown) =>
    btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  return `${part({ alg: "RS256" })}.${part(payload)}.c2ln`;
}

function response(fields: Partial<TokenEndpointResponse>): TokenEndpointResponse {
  return { access_token: "opaque", token_type: "bearer", ...fields } as TokenEndpointResponse;
}

describe("tokensOf", () => {
  it("expires_in wins; else the access token's own exp; else unknown", () => {
    assert.equal(tokensOf(response({ expires_in: 60 }), NOW).expiresAt, NOW + 60_000);
    const exp = NOW / 1000 + 600;
    assert.equal(tokensOf(response({ access_token: jwt({ exp }) }), NOW).expiresAt, exp * 1000);
    assert.equal(tokensOf(response({ access_token: jwt({ sub: "x" }) }), NOW).expiresAt, undefined);
    assert.equal(tokensOf(response({ access_token: "not.a-jwt.!!" }), NOW).expiresAt, undefined);
  });

  it("keeps the refresh token used when the refresh answer carries none (RFC 6749 §6)", () => {
    assert.equal(tokensOf(response({}), NOW, "old").refreshToken, "old");
    assert.equal(tokensOf(response({ refresh_token: "new" }), NOW, "old").refreshToken, "new");
    assert.equal("refreshToken" in tokensOf(response({}), NOW), false);
  });
});

describe("callbackResultOf and isFresh", () => {
  it("hands the driver whole seconds left, and the refresh token", () => {
    const result = callbackResultOf({ accessToken: "a", expiresAt: NOW + 90_500, refreshToken: "r" }, NOW);
    assert.deepEqual(result, { accessToken: "a", expiresInSeconds: 90, refreshToken: "r" });
    assert.deepEqual(callbackResultOf({ accessToken: "a", expiresAt: NOW - 1 }, NOW), {
      accessToken: "a",
      expiresInSeconds: 0,
    });
  });

  it(`reuses a stored token only with ${REUSE_MARGIN_MS} ms or more left, and never one of unknown expiry`, () => {
    assert.equal(isFresh({ accessToken: "a", expiresAt: NOW + REUSE_MARGIN_MS }, NOW), true);
    assert.equal(isFresh({ accessToken: "a", expiresAt: NOW + REUSE_MARGIN_MS - 1 }, NOW), false);
    assert.equal(isFresh({ accessToken: "a" }, NOW), false);
  });
});
