// A stand-in for an OpenID Connect identity provider: an RS256 key generated at start (jose, a dev
// dependency; no key material in the repository), its JWKS for the reference server's configuration,
// and a signer for access tokens. Shared by the tests, the demo and the benchmarks.
import { exportJWK, generateKeyPair, type JSONWebKeySet, type JWTPayload, SignJWT } from "jose";
import type { OidcServerConfig } from "./reference-server/mechanisms/oidc.ts";

/** An identity provider with a fresh RS256 key: its JWKS and a signer. */
export interface TestIdentityProvider {
  readonly issuer: string;
  readonly audience: string;
  readonly jwks: JSONWebKeySet;
  /**
   * Signs a token for `sub`, valid from now for `ttlSeconds` (negative: already expired).
   * @param sub the principal
   * @param overrides claims to change (iss, aud, exp…)
   */
  token(sub: string, ttlSeconds?: number, overrides?: JWTPayload): Promise<string>;
}

/**
 * Makes an identity provider with a key generated now (no key material in the repository).
 * @param issuer the `iss`
 * @param audience the `aud`
 * @returns the provider
 */
export async function createIdentityProvider(
  issuer = "https://idp.test.invalid",
  audience = "mongo-auth-tests",
): Promise<TestIdentityProvider> {
  const { publicKey, privateKey } = await generateKeyPair("RS256");
  const kid = `k${Math.random().toString(36).slice(2)}`;
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
  return {
    issuer,
    audience,
    jwks: { keys: [jwk] },
    token(sub, ttlSeconds = 3600, overrides = {}) {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({
        sub,
        iss: issuer,
        aud: audience,
        iat: now,
        nbf: now - 1,
        exp: now + ttlSeconds,
        ...overrides,
      })
        .setProtectedHeader({ alg: "RS256", kid, typ: "JWT" })
        .sign(privateKey);
    },
  };
}

/**
 * The `oidc` section of a reference-server configuration for `idp`.
 * @param idp the identity provider
 * @param extra clientId, requestScopes, principalClaim
 * @returns the configuration
 */
export function oidcServerConfig(
  idp: TestIdentityProvider,
  extra: Partial<OidcServerConfig> = {},
): OidcServerConfig {
  return {
    issuer: idp.issuer,
    audience: idp.audience,
    jwks: idp.jwks,
    clientId: "mongo-auth-client",
    ...extra,
  };
}
