/**
 * The per-client OIDC token cache (the auth specification's "Client Cache") and the lock that keeps a
 * client's callback from running twice at once.
 *
 * @module
 */
import { raceAbort } from "../../core/abort.ts";
import type { IdpInfo, OidcCallbackResult } from "../../credential/oidc-callback.ts";

/** At least this long between two callback calls of one client (the auth specification's 100 ms). */
export const CALLBACK_INTERVAL_MS = 100;

/**
 * A token is treated as expired this long before its `expiresInSeconds` run out (five minutes, as for
 * AWS credentials), or half its lifetime when that is shorter, so a connection never starts with a
 * token about to lapse while a short-lived token is still reused.
 */
export const EXPIRY_MARGIN_MS = 300_000;

/** A cached access token. */
export interface CachedToken {
  /** The access token. */
  readonly accessToken: string;
  /** When the token stops being used (ms since the epoch), or `undefined` when its lifetime is unknown. */
  readonly staleAt?: number;
  /**
   * Counts the tokens this cache has held. A connection remembers the generation it authenticated
   * with, so dropping "my token" never drops a newer one another connection fetched.
   */
  readonly generation: number;
}

/** A callback call planned by a flow; see {@link OidcTokenCache.obtain}. */
export interface TokenCall {
  /** Runs the callback. */
  readonly call: () => Promise<OidcCallbackResult>;
  /** The IdP information the call was made with, cached with the result (human flow). */
  readonly idpInfo?: IdpInfo;
  /** True when `call` passes the cached refresh token: a result without one keeps the old one. */
  readonly refreshing?: boolean;
}

/** Time, injected so tests never wait. */
export interface CacheClock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms` milliseconds; rejects when `signal` fires. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * One client's OIDC state: the access token, and for the human flow the refresh token and IdP
 * information. {@link obtain} is the only way a callback runs: under a lock, at least
 * {@link CALLBACK_INTERVAL_MS} after the previous call, and only when no fresh token appeared while
 * waiting for the lock, so many connections that miss the cache together cause one call.
 *
 * @example Ten connections, one callback call
 * ```ts
 * import assert from "node:assert/strict";
 * import { OidcTokenCache } from "./token-cache.ts";
 *
 * const cache = new OidcTokenCache({ now: () => 0, sleep: async () => {} });
 * let calls = 0;
 * const plan = () => ({ call: async () => ({ accessToken: `t${++calls}` }) });
 * const tokens = await Promise.all(Array.from({ length: 10 }, () => cache.obtain(plan)));
 * assert.equal(calls, 1);
 * assert.ok(tokens.every((token) => token?.accessToken === "t1"));
 * ```
 */
export class OidcTokenCache {
  readonly #clock: CacheClock;
  #token: CachedToken | undefined;
  #refreshToken: string | undefined;
  #idpInfo: IdpInfo | undefined;
  #generation = 0;
  #lastCallEnd = -Infinity;
  #queue: Promise<void> = Promise.resolve();

  /** @param clock the time source and sleep */
  constructor(clock: CacheClock) {
    this.#clock = clock;
  }

  /**
   * The cached access token, unless there is none or it is stale.
   *
   * @returns the token, or `undefined`
   */
  current(): CachedToken | undefined {
    const token = this.#token;
    if (token?.staleAt !== undefined && this.#clock.now() >= token.staleAt) return undefined;
    return token;
  }

  /** The cached refresh token (human flow). */
  get refreshToken(): string | undefined {
    return this.#refreshToken;
  }

  /** The cached IdP information (human flow). */
  get idpInfo(): IdpInfo | undefined {
    return this.#idpInfo;
  }

  /**
   * Drops the access token if it is still the one of `generation` (atomic: no await in between).
   *
   * @param generation the generation the caller used
   */
  invalidate(generation: number): void {
    if (this.#token?.generation === generation) this.#token = undefined;
  }

  /** Forgets the refresh token, after the server or the identity provider refused it. */
  dropRefreshToken(): void {
    this.#refreshToken = undefined;
  }

  /**
   * Returns a fresh cached token, or runs the call `plan` gives and caches its result. Runs under the
   * client's lock; `plan` is asked only once the lock is held and no fresh token is there, so it sees
   * the state left by whoever held the lock before.
   *
   * @param plan returns the call to make, or `undefined` when there is nothing to call (say, the
   *   refresh token is gone): then `obtain` returns `undefined`
   * @param signal cancels waiting for the lock or the interval
   * @returns the token, or `undefined` when `plan` returned nothing
   * @throws whatever the call throws; `ABORTED` when `signal` fires while waiting
   */
  obtain(plan: () => TokenCall | undefined, signal?: AbortSignal): Promise<CachedToken | undefined> {
    return this.#locked(async () => {
      const fresh = this.current();
      if (fresh) return fresh;
      const planned = plan();
      if (!planned) return undefined;
      const wait = this.#lastCallEnd + CALLBACK_INTERVAL_MS - this.#clock.now();
      if (wait > 0) await this.#clock.sleep(wait, signal);
      try {
        return this.#store(await planned.call(), planned);
      } finally {
        this.#lastCallEnd = this.#clock.now();
      }
    }, signal);
  }

  #store(result: OidcCallbackResult, planned: TokenCall): CachedToken {
    const lifetimeMs = (result.expiresInSeconds ?? 0) * 1000;
    const staleAt = lifetimeMs > 0
      ? this.#clock.now() + lifetimeMs - Math.min(EXPIRY_MARGIN_MS, lifetimeMs / 2)
      : undefined;
    this.#token = { accessToken: result.accessToken, staleAt, generation: ++this.#generation };
    if (result.refreshToken !== undefined || !planned.refreshing) this.#refreshToken = result.refreshToken;
    if (planned.idpInfo) this.#idpInfo = planned.idpInfo;
    return this.#token;
  }

  // A promise chain: each caller waits for the one before. A caller that gives up waiting (abort)
  // still keeps its place until its predecessor is done, so two holders never overlap.
  async #locked<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const previous = this.#queue;
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    this.#queue = previous.then(() => mine);
    try {
      await raceAbort(previous, signal, "MONGODB-OIDC: waiting for another connection's callback");
      return await work();
    } finally {
      release();
    }
  }
}
