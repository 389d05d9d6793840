/**
 * The answers of `mongodb+srv://` lookups, kept per client for a minute: the connections of one client (a
 * pool filled with `connect()`) look a deployment's name up once, as an official driver does, which resolves
 * it when its client starts and looks again at most every 60 s (the SRV polling specification's
 * `rescanSRVIntervalMS`). Connections that start together share one lookup, which stops once all of them
 * have stopped waiting; a lookup that fails is not kept.
 *
 * @module
 */
import { raceAbort } from "../core/abort.ts";
import type { DnsResolver } from "./resolver.ts";
import { resolveSrvHosts, type SrvResult } from "./srv.ts";
import { perClient } from "../core/client-scope.ts";
import { setNewest } from "../core/bounded-map.ts";

/** How long an answer serves the later connections of a client, in milliseconds. */
export const SEEDLIST_MAX_AGE_MS = 60_000;

/** Names kept per client and resolver, the oldest dropped first. */
const MAX_NAMES = 64;

/** What {@link SeedlistCache.resolve} found: the answer, and whether an earlier connection looked it up. */
export interface SeedlistAnswer {
  readonly result: SrvResult;
  /** True when the answer came from a lookup another connection started (within the last minute). */
  readonly reused: boolean;
}

interface Lookup {
  /** When it started, by the caller's clock. */
  readonly at: number;
  readonly result: Promise<SrvResult>;
  readonly controller: AbortController;
  /** Connections waiting for it; when the last one gives up, the lookup stops. */
  waiting: number;
  /** Whether it has answered (or failed). */
  settled: boolean;
}

/**
 * One client's `mongodb+srv://` answers, by resolver, SRV service and name.
 *
 * @example Two connections of one client, one lookup
 * ```ts
 * import assert from "node:assert/strict";
 * import { SeedlistCache } from "./seedlist-cache.ts";
 *
 * let lookups = 0;
 * const resolver = {
 *   resolveSrv: async () => (lookups++, [{ name: "a.cluster0.example.net", port: 27017 }]),
 *   resolveTxt: async () => [],
 * };
 * const cache = new SeedlistCache();
 * const signal = new AbortController().signal;
 * const first = await cache.resolve(resolver, "cluster0.example.net", "mongodb", signal, 0);
 * const second = await cache.resolve(resolver, "cluster0.example.net", "mongodb", signal, 1_000);
 * assert.deepEqual([lookups, first.reused, second.reused], [1, false, true]);
 * ```
 */
export class SeedlistCache {
  readonly #lookups = new WeakMap<DnsResolver, Map<string, Lookup>>();

  /**
   * Resolves `name` (SRV and TXT, {@link resolveSrvHosts}), or gives the answer of a lookup this client made
   * within {@link SEEDLIST_MAX_AGE_MS}, or is making.
   *
   * @param resolver the DNS to ask
   * @param name the host of the `mongodb+srv://` string
   * @param service `srvServiceName`
   * @param signal this connection's: it ends this connection's wait (the lookup goes on while another waits)
   * @param now the time, in milliseconds
   * @returns the answer, and whether it was another connection's lookup
   * @throws {MongoAuthError} what {@link resolveSrvHosts} throws; `TIMEOUT` or `ABORTED` when `signal` fires
   */
  async resolve(
    resolver: DnsResolver,
    name: string,
    service: string,
    signal: AbortSignal,
    now: number,
  ): Promise<SeedlistAnswer> {
    let lookups = this.#lookups.get(resolver);
    if (!lookups) this.#lookups.set(resolver, lookups = new Map());
    const key = `${service}\0${name.toLowerCase()}`;
    const kept = lookups.get(key);
    const reused = kept !== undefined && now - kept.at < SEEDLIST_MAX_AGE_MS;
    const lookup = reused ? kept : start(lookups, key, now, resolver, name, service);
    lookup.waiting++;
    try {
      return { result: await raceAbort(lookup.result, signal, `resolving SRV records of ${name}`), reused };
    } finally {
      // The last connection waiting gave up: no one wants the lookup any more, nor will the next connection.
      if (--lookup.waiting === 0 && signal.aborted && !lookup.settled) {
        lookup.controller.abort(signal.reason);
        if (lookups.get(key) === lookup) lookups.delete(key);
      }
    }
  }
}

function start(
  lookups: Map<string, Lookup>,
  key: string,
  now: number,
  resolver: DnsResolver,
  name: string,
  service: string,
): Lookup {
  const controller = new AbortController();
  const result = resolveSrvHosts(resolver, name, service, controller.signal);
  const lookup: Lookup = { at: now, result, controller, waiting: 0, settled: false };
  setNewest(lookups, key, lookup, MAX_NAMES);
  // A failure is not kept: the next connection asks again.
  result.then(
    () => void (lookup.settled = true),
    () => {
      lookup.settled = true;
      if (lookups.get(key) === lookup) lookups.delete(key);
    },
  );
  return lookup;
}

/**
 * The seedlist cache of a client: of its `cacheStore`, or the process's when there is none (as
 * `maxConnecting` counts per client).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { seedlistCacheOf } from "./seedlist-cache.ts";
 *
 * const store = {};
 * assert.equal(seedlistCacheOf(store), seedlistCacheOf(store));
 * assert.notEqual(seedlistCacheOf(store), seedlistCacheOf(undefined));
 * ```
 */
export const seedlistCacheOf: (scope: object | undefined) => SeedlistCache = perClient(() =>
  new SeedlistCache()
);
