/**
 * MONGODB-OIDC: an OpenID Connect access token from a built-in environment (Azure, GCP, Kubernetes,
 * test), `OIDC_CALLBACK` (machine) or `OIDC_HUMAN_CALLBACK` (human). Tokens are cached per client and
 * sent speculatively in hello, so a connection after the first authenticates in the hello round trip.
 *
 * @module
 */
import { sleep } from "../../core/abort.ts";
import { OidcAuthenticator } from "./authenticator.ts";
import { MONGODB_OIDC } from "./sasl.ts";
import { type CacheClock, OidcTokenCache } from "./token-cache.ts";
import { type EnvironmentEndpoints, tokenSourceOf } from "./token-source.ts";
import { envScope } from "../../core/runtime-env.ts";
import type { AuthContext, Authenticator, Mechanism } from "../../auth/mechanism.ts";

/** Options of {@link createOidcMechanism}. */
export interface OidcMechanismOptions {
  /** Where the Azure and GCP environments' endpoints are (tests: loopback fakes), and their timeout. */
  readonly endpoints?: EnvironmentEndpoints;
  /**
   * Waits out the 100 ms between two callback calls. Default: a timer. Tests pass one that advances
   * their clock (the clock itself is `RuntimeEnv.now`).
   */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * The key of the client's {@link OidcTokenCache} in `AuthContext.cache` for callback credentials (tests
 * look inside with it). `ENVIRONMENT` tokens are kept per env instead: see {@link oidcCacheKey}.
 */
export const OIDC_CACHE_KEY = "MONGODB-OIDC/tokens";

/**
 * Where a credential's tokens are cached in its scope: a callback's tokens are the callback's (the scope
 * already tells callbacks apart); a built-in environment's come from the env (its variables, files and
 * fetch), so they are kept per env.
 *
 * @param context the authentication context
 * @returns the key of the token cache in `context.cache`
 */
export function oidcCacheKey(context: Pick<AuthContext, "credential" | "env">): string {
  const fromEnvironment = context.credential.mechanismProperties.ENVIRONMENT !== undefined;
  return fromEnvironment ? `${OIDC_CACHE_KEY} ${envScope(context.env)}` : OIDC_CACHE_KEY;
}

/**
 * A MONGODB-OIDC mechanism with its endpoints and sleep chosen; {@link mongodbOidc} is the default.
 *
 * @param options endpoints for the built-in environments, the sleep between callback calls
 * @returns the mechanism
 *
 * @example A machine callback over a stand-in server
 * ```ts
 * import assert from "node:assert/strict";
 * import { AuthCacheStore, parseCredential, runtimeEnv } from "@mongo-auth/core";
 * import { createOidcMechanism } from "./mechanism.ts";
 *
 * let calls = 0;
 * const credential = parseCredential("mongodb://localhost/?authMechanism=MONGODB-OIDC", {
 *   authMechanismProperties: { OIDC_CALLBACK: async () => ({ accessToken: `eyJ.token.${++calls}` }) },
 * })!;
 * const cache = new AuthCacheStore().scopeFor(credential);
 * const mechanism = createOidcMechanism();
 * const runner = { command: async () => ({ ok: 1, done: true }) };
 * for (let i = 0; i < 3; i++) {
 *   const auth = mechanism.create({ credential, host: "localhost", env: runtimeEnv(), cache });
 *   const speculative = await auth.speculativeCommand();
 *   await auth.finish(runner, speculative ? { done: true } : undefined);
 * }
 * assert.equal(calls, 1); // one token for three connections
 * ```
 */
export function createOidcMechanism(options: OidcMechanismOptions = {}): Mechanism {
  const wait = options.sleep ?? ((ms: number, signal?: AbortSignal) => sleep(ms, signal, MONGODB_OIDC));
  return {
    name: MONGODB_OIDC,
    create(context: AuthContext): Authenticator {
      const clock: CacheClock = { now: () => context.env.now(), sleep: wait };
      return new OidcAuthenticator({
        credential: context.credential,
        host: context.host,
        cache: context.cache.get(oidcCacheKey(context), () => new OidcTokenCache(clock)),
        source: () => tokenSourceOf(context.credential, context.env, options.endpoints),
        // Read when used: a re-authentication runs under its own signal, not the connect one.
        get signal() {
          return context.signal;
        },
        get outsideConnectTimeout() {
          return context.outsideConnectTimeout;
        },
        get timeLeft() {
          return context.timeLeft;
        },
        trace: context.trace,
        now: () => context.env.now(),
      });
    },
  };
}

/**
 * MONGODB-OIDC with the real cloud endpoints.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mongodbOidc } from "./mechanism.ts";
 *
 * assert.equal(mongodbOidc.name, "MONGODB-OIDC");
 * ```
 */
export const mongodbOidc: Mechanism = createOidcMechanism();
