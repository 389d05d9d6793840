// The server side of MONGODB-OIDC as mongod (7.0+ Enterprise) runs it: a one-step conversation
// (saslStart { jwt }, also inside hello's speculativeAuthenticate) and a two-step one (saslStart
// { n? } answered with the identity provider's { issuer, clientId, requestScopes? }, then
// saslContinue { jwt }). Tokens are verified with jose against the identity provider's keys (a JWKS
// given in the configuration, or, as mongod does, the jwks_uri its discovery document names): signature,
// iss, aud, exp and nbf. The principal is the configured claim (default "sub") and must be a user of $external
// with MONGODB-OIDC. Every failure is mongod's error 18; the reason goes to the server's stats only.
import { BSON } from "bson";
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  type JSONWebKeySet,
  jwtVerify,
  type JWTVerifyGetKey,
} from "jose";
import type { ServerConfig } from "../config.ts";
import { AuthFailure } from "../errors.ts";
import type { SaslConversation, SaslMechanismServer, SaslStepResult, ServerAuthContext } from "../sasl.ts";

/** The `oidc` key of the server configuration: one identity provider. */
export interface OidcServerConfig {
  /** The issuer; tokens must carry it as `iss`. Sent to human clients as IdP information. */
  issuer: string;
  /** The audience; tokens must carry it in `aud`. */
  audience: string;
  /**
   * The public keys tokens are signed with (a JWKS document). Absent: found as mongod finds them, through
   * the issuer's discovery document (`<issuer>/.well-known/openid-configuration`, whose `issuer` must
   * match) and its `jwks_uri`, fetched when first needed and again when a token names an unknown key.
   */
  jwks?: JSONWebKeySet;
  /** The claim that names the user (default "sub"). */
  principalClaim?: string;
  /**
   * The client ID sent to human clients as IdP information. Absent: an identity provider for machines
   * only (mongod's `supportsHumanFlows: false`), whose IdP information has no clientId.
   */
  clientId?: string;
  /** Extra scopes sent to human clients as IdP information. */
  requestScopes?: string[];
  /**
   * Clock skew tolerance for exp/nbf in seconds (default 0: a token is refused the second it expires,
   * which is at least as strict as mongod).
   */
  clockToleranceSeconds?: number;
}

declare module "../config.ts" {
  interface ServerConfig {
    /** MONGODB-OIDC: the one identity provider whose tokens the server accepts. */
    oidc?: OidcServerConfig;
  }
}

const EXTERNAL = "$external";
const NAME = "MONGODB-OIDC";

/**
 * The `oidc` section of a server configuration, checked.
 * @param config the whole server configuration
 * @returns the OIDC configuration
 * @throws TypeError when it is missing or malformed
 */
export function oidcConfigOf(config: ServerConfig): OidcServerConfig {
  const oidc = config.oidc;
  if (!oidc || typeof oidc !== "object") throw new TypeError("config.oidc is required for MONGODB-OIDC");
  for (const key of ["issuer", "audience", "clientId"] as const) {
    if (key === "clientId" && oidc[key] === undefined) continue;
    if (typeof oidc[key] !== "string" || oidc[key] === "") {
      throw new TypeError(`config.oidc.${key} must be a string`);
    }
  }
  if (oidc.jwks !== undefined && !Array.isArray(oidc.jwks?.keys)) {
    throw new TypeError("config.oidc.jwks must be a JWKS ({ keys: [...] })");
  }
  if (oidc.principalClaim !== undefined && typeof oidc.principalClaim !== "string") {
    throw new TypeError("config.oidc.principalClaim must be a string");
  }
  if (
    oidc.requestScopes !== undefined &&
    !(Array.isArray(oidc.requestScopes) && oidc.requestScopes.every((s) => typeof s === "string"))
  ) {
    throw new TypeError("config.oidc.requestScopes must be an array of strings");
  }
  return oidc;
}

/**
 * The server side of MONGODB-OIDC for the registry.
 * @returns the mechanism (enabled when the configuration has an `oidc` section)
 */
export function oidcMechanism(): SaslMechanismServer {
  return {
    name: NAME,
    external: true,
    enabled: (config) => config.oidc !== undefined,
    storeCredential(user, config) {
      oidcConfigOf(config);
      if (user.db !== EXTERNAL) {
        throw new TypeError(`MONGODB-OIDC user ${user.user} must be defined in $external`);
      }
      if (user.password !== undefined) {
        throw new TypeError(`MONGODB-OIDC user ${user.user} must not have a password`);
      }
      return {};
    },
    start(ctx) {
      return new OidcConversation(ctx, oidcConfigOf(ctx.config));
    },
  };
}

class OidcConversation implements SaslConversation {
  #step = 0;
  #sentIdpInfo = false;
  readonly #ctx: ServerAuthContext;
  readonly #config: OidcServerConfig;

  constructor(ctx: ServerAuthContext, config: OidcServerConfig) {
    this.#ctx = ctx;
    this.#config = config;
  }

  async step(payload: Uint8Array): Promise<SaslStepResult> {
    this.#step++;
    const doc = decode(payload);
    if (this.#step === 1 && typeof doc.jwt !== "string") return this.#principalStep(doc);
    if (this.#step > 2 || (this.#step === 2 && !this.#sentIdpInfo)) {
      throw new AuthFailure(`Invalid MONGODB-OIDC authentication step: ${this.#step}`);
    }
    if (typeof doc.jwt !== "string") throw new AuthFailure("MONGODB-OIDC expected a JwtStepRequest { jwt }");
    if (Object.keys(doc).length !== 1) {
      throw new AuthFailure("MONGODB-OIDC JwtStepRequest has unknown fields");
    }
    const user = await this.#verify(doc.jwt);
    this.#ctx.authenticated(user, EXTERNAL);
    return { payload: new Uint8Array(0), done: true };
  }

  // PrincipalStepRequest { n? } → IdpInfo. mongod only takes it as a real saslStart, never speculatively.
  #principalStep(doc: Record<string, unknown>): SaslStepResult {
    if (this.#ctx.speculative) {
      throw new AuthFailure("MONGODB-OIDC speculative authentication needs a JwtStepRequest");
    }
    const extra = Object.keys(doc).filter((key) => key !== "n");
    if (extra.length > 0 || (doc.n !== undefined && typeof doc.n !== "string")) {
      throw new AuthFailure("MONGODB-OIDC PrincipalStepRequest must be { n?: string }");
    }
    const { issuer, clientId, requestScopes } = this.#config;
    const info: Record<string, unknown> = { issuer };
    if (clientId !== undefined) info.clientId = clientId;
    if (requestScopes !== undefined) info.requestScopes = requestScopes;
    this.#sentIdpInfo = true;
    return { payload: BSON.serialize(info), done: false };
  }

  async #verify(jwt: string): Promise<string> {
    const { issuer, audience, jwks, principalClaim = "sub", clockToleranceSeconds = 0 } = this.#config;
    let claims: Record<string, unknown>;
    try {
      const keys = jwks ? createLocalJWKSet(jwks) : await discoveredKeys(issuer);
      ({ payload: claims } = await jwtVerify(jwt, keys, {
        issuer,
        audience,
        clockTolerance: clockToleranceSeconds,
        requiredClaims: ["exp"],
      }));
    } catch (error) {
      // jose's messages name the failed check (expired, issuer, signature), never the token.
      throw new AuthFailure(`MONGODB-OIDC token rejected: ${(error as Error).message}`);
    }
    const principal = claims[principalClaim];
    if (typeof principal !== "string" || principal === "") {
      throw new AuthFailure(`MONGODB-OIDC token has no string claim ${principalClaim}`);
    }
    const user = this.#ctx.findUser(principal, EXTERNAL);
    if (!user || !user.mechanisms.includes(NAME)) throw new AuthFailure("UserNotFound");
    return principal;
  }
}

// The keys of each discovered issuer, kept like mongod's JWKS cache (jose refetches on an unknown key).
const discovered = new Map<string, Promise<JWTVerifyGetKey>>();

function discoveredKeys(issuer: string): Promise<JWTVerifyGetKey> {
  let keys = discovered.get(issuer);
  if (!keys) {
    keys = discover(issuer);
    keys.catch(() => discovered.delete(issuer));
    discovered.set(issuer, keys);
  }
  return keys;
}

async function discover(issuer: string): Promise<JWTVerifyGetKey> {
  const url = `${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`;
  const response = await fetch(url, { signal: AbortSignal.timeout(5000), redirect: "error" });
  if (!response.ok) throw new Error(`OIDC discovery ${url} answered HTTP ${response.status}`);
  const metadata = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
  if (metadata.issuer !== issuer) throw new Error(`OIDC discovery ${url} names another issuer`);
  if (typeof metadata.jwks_uri !== "string") throw new Error(`OIDC discovery ${url} has no jwks_uri`);
  return createRemoteJWKSet(new URL(metadata.jwks_uri), { timeoutDuration: 5000 });
}

function decode(payload: Uint8Array): Record<string, unknown> {
  try {
    return BSON.deserialize(payload);
  } catch {
    throw new AuthFailure("MONGODB-OIDC payload is not BSON");
  }
}
