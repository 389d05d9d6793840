/**
 * Client-wide authentication state (SCRAM keys, AWS temporary credentials, OIDC tokens), scoped per
 * credential: connections that authenticate the same credential through the same cache share one
 * scope, so e.g. 100 connections of one OIDC user call the callback once.
 *
 * @module
 */
import type { MongoCredential } from "../credential/mongo-credential.ts";
import { defaultScramKeyCache, isScramKeyCache, type ScramKeyCache } from "../crypto/scram-key-cache.ts";
import type { AuthCache } from "./mechanism.ts";
import { checkOptions, IS, optionChecks } from "../core/options.ts";
import { setNewest } from "../core/bounded-map.ts";

/**
 * Options of {@link AuthCacheStore}.
 *
 * @example A small store with its own SCRAM key cache
 * ```ts
 * import assert from "node:assert/strict";
 * import { AuthCacheStore, type AuthCacheStoreOptions, ScramKeyCache } from "@mongo-auth/core";
 *
 * const options: AuthCacheStoreOptions = { maxScopes: 16, scramKeyCache: new ScramKeyCache({ maxEntries: 16 }) };
 * assert.equal(new AuthCacheStore(options).scramKeyCache, options.scramKeyCache);
 * ```
 */
export interface AuthCacheStoreOptions {
  /** How many credentials to keep state for; the oldest is dropped first. Default 256. */
  readonly maxScopes?: number;
  /** Where SCRAM keys are cached (and PBKDF2 runs can be counted). Default: the process-wide cache. */
  readonly scramKeyCache?: ScramKeyCache;
}

const CACHE_STORE_OPTION_CHECKS = optionChecks({
  maxScopes: IS.number,
  scramKeyCache: [isScramKeyCache, "a ScramKeyCache"],
});

/**
 * Holds one {@link AuthCache} scope per credential. Make one per client (pool); `connect()` uses a
 * process-wide default when none is given.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AuthCacheStore, parseCredential } from "@mongo-auth/core";
 *
 * const store = new AuthCacheStore();
 * const a = store.scopeFor(parseCredential("mongodb://alice:x@h/")!);
 * const b = store.scopeFor(parseCredential("mongodb://alice:x@h/")!);
 * assert.equal(a.get("n", () => ({ v: 1 })), b.get("n", () => ({ v: 2 })));
 * ```
 *
 * @example Count PBKDF2 runs with a client-owned SCRAM key cache
 * ```ts
 * import assert from "node:assert/strict";
 * import { AuthCacheStore, ScramKeyCache } from "@mongo-auth/core";
 *
 * const scramKeyCache = new ScramKeyCache();
 * const store = new AuthCacheStore({ scramKeyCache });
 * assert.equal(store.scramKeyCache, scramKeyCache);
 * assert.equal(scramKeyCache.computations, 0);
 * ```
 */
export class AuthCacheStore {
  /** The SCRAM key cache of this client's connections. */
  readonly scramKeyCache: ScramKeyCache;
  readonly #scopes = new Map<string, Map<string, unknown>>();
  readonly #maxScopes: number;

  /**
   * Creates an empty store.
   *
   * @param options how many credentials to keep state for (a number is `maxScopes`), and the SCRAM key
   *   cache to use
   */
  constructor(options?: number | AuthCacheStoreOptions) {
    const { maxScopes = 256, scramKeyCache = defaultScramKeyCache } = typeof options === "number"
      ? { maxScopes: options }
      : checkOptions(options, "new AuthCacheStore()", CACHE_STORE_OPTION_CHECKS);
    this.#maxScopes = maxScopes;
    this.scramKeyCache = scramKeyCache;
  }

  /**
   * The scope for `credential`.
   *
   * @param credential the credential a connection authenticates
   * @returns its cache scope
   */
  scopeFor(credential: MongoCredential): AuthCache {
    // Found (or made) when first asked for: SCRAM keeps all it caches in scramKeys, so a SCRAM login
    // neither computes the credential's key nor takes one of the maxScopes places.
    let scope: Map<string, unknown> | undefined;
    const entries = () => scope ??= this.#entries(credential);
    return {
      scramKeys: this.scramKeyCache,
      get<T>(name: string, create: () => T): T {
        const found = entries();
        if (!found.has(name)) found.set(name, create());
        return found.get(name) as T;
      },
    };
  }

  #entries(credential: MongoCredential): Map<string, unknown> {
    const key = scopeKey(credential);
    let entries = this.#scopes.get(key);
    if (!entries) {
      entries = new Map();
      setNewest(this.#scopes, key, entries, this.#maxScopes);
    }
    return entries;
  }
}

const functionIds = new WeakMap<object, number>();
let nextFunctionId = 1;

// The password is left out on purpose: the key must never hold it, and the state kept here
// (temporary credentials, tokens) is for credentials whose secret comes from elsewhere. SCRAM keys
// are cached by a hash of the password in their own cache.
function scopeKey(credential: MongoCredential): string {
  const properties = Object.entries(credential.mechanismProperties).map(([k, v]) => {
    if (typeof v === "function") {
      if (!functionIds.has(v)) functionIds.set(v, nextFunctionId++);
      return [k, `fn#${functionIds.get(v)}`];
    }
    return [k, v];
  });
  return JSON.stringify([
    credential.mechanism ?? "",
    credential.source,
    credential.username ?? "",
    properties,
  ]);
}
