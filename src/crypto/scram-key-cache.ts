/**
 * The SCRAM key cache. PBKDF2 with 10 000 or 15 000 iterations is the whole cost of a SCRAM
 * conversation, and its result depends only on (hash, password, salt, iterations), which a server keeps
 * fixed for a user. So the derived keys are cached, the way the official drivers do, and concurrent
 * conversations of the same user share one in-flight computation (single flight).
 *
 * @module
 */
import { MongoAuthError } from "../core/errors.ts";
import { encodeBase64 } from "./base64.ts";
import { digest, type ScramHash } from "./digest.ts";
import { toHex } from "./hex.ts";
import { HmacState } from "./hmac.ts";
import { pbkdf2 } from "./pbkdf2.ts";
import { sha256 } from "./sha256.ts";

/**
 * What the SCRAM keys are derived from.
 *
 * @example Derive (and cache) the keys of one credential
 * ```ts
 * import assert from "node:assert/strict";
 * import { ScramKeyCache, type ScramKeyParams } from "@mongo-auth/core";
 *
 * const params: ScramKeyParams = { hash: "SHA-256", password: "pencil", salt: new Uint8Array(16), iterations: 4096 };
 * const cache = new ScramKeyCache();
 * await cache.keys(params);
 * await cache.keys(params);
 * assert.equal(cache.computations, 1);
 * ```
 */
export interface ScramKeyParams {
  /** The SCRAM hash function. */
  readonly hash: ScramHash;
  /** The string fed to Hi(): already hashed (SCRAM-SHA-1) or SASLprepped (SCRAM-SHA-256). */
  readonly password: string;
  /** The salt the server sent. */
  readonly salt: Uint8Array;
  /** The iteration count the server sent. */
  readonly iterations: number;
}

/**
 * The keys of RFC 5802 section 3 a client needs: ClientKey as bytes (it is XORed into the proof), and
 * StoredKey and ServerKey as {@link HmacState}s, ready to sign: a cached conversation computes its two
 * signatures synchronously, without any round trip into a crypto backend.
 *
 * @example ClientKey as bytes, the other two ready to sign
 * ```ts
 * import assert from "node:assert/strict";
 * import { ScramKeyCache, type ScramKeys } from "@mongo-auth/core";
 *
 * const keys: ScramKeys = await new ScramKeyCache().keys({
 *   hash: "SHA-1",
 *   password: "pencil",
 *   salt: new Uint8Array(16),
 *   iterations: 4096,
 * });
 * assert.equal(keys.clientKey.length, 20);
 * assert.equal(keys.storedKey.sign(new Uint8Array(1)).length, 20);
 * ```
 */
export interface ScramKeys {
  /** ClientKey := HMAC(SaltedPassword, "Client Key"). */
  readonly clientKey: Uint8Array;
  /** StoredKey := H(ClientKey), ready to sign the AuthMessage (ClientSignature). */
  readonly storedKey: HmacState;
  /** ServerKey := HMAC(SaltedPassword, "Server Key"), ready to sign the AuthMessage (ServerSignature). */
  readonly serverKey: HmacState;
}

/**
 * Options of {@link ScramKeyCache}.
 *
 * @example A cache that counts its derivations
 * ```ts
 * import assert from "node:assert/strict";
 * import { ScramKeyCache, type ScramKeyCacheOptions } from "@mongo-auth/core";
 *
 * const options: ScramKeyCacheOptions = { maxEntries: 8 };
 * const cache = new ScramKeyCache(options);
 * assert.equal(cache.size, 0);
 * ```
 */
export interface ScramKeyCacheOptions {
  /** How many credentials to keep; the least recently used is dropped first. Default 64. */
  readonly maxEntries?: number;
  /**
   * How keys are derived on a miss; defaults to {@link deriveScramKeys}. An injection point for tests
   * (say, a derivation that fails once) and for runtimes with a faster PBKDF2.
   */
  readonly derive?: (params: ScramKeyParams) => Promise<ScramKeys>;
}

/** The default capacity of a {@link ScramKeyCache}. */
export const DEFAULT_MAX_ENTRIES = 64;

const encoder = new TextEncoder();
const CLIENT_KEY = encoder.encode("Client Key");
const SERVER_KEY = encoder.encode("Server Key");

/**
 * Derives the SCRAM keys: SaltedPassword := Hi(password, salt, i) in WebCrypto (PBKDF2, off the event
 * loop on every runtime), then ClientKey, StoredKey and ServerKey (RFC 5802 section 3) synchronously, in
 * a few SHA compressions. SaltedPassword reaches JavaScript memory for as long as that takes: it is wiped
 * as soon as its HMAC states exist, and so are StoredKey's and ServerKey's bytes once theirs do.
 *
 * @param params hash, password, salt and iteration count
 * @returns the keys a client needs
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { deriveScramKeys } from "./scram-key-cache.ts";
 *
 * const keys = await deriveScramKeys({ hash: "SHA-256", password: "pencil", salt: new Uint8Array(16), iterations: 4096 });
 * assert.equal(keys.clientKey.length, 32);
 * ```
 */
export async function deriveScramKeys(params: ScramKeyParams): Promise<ScramKeys> {
  const { hash } = params;
  const password = encoder.encode(params.password);
  let saltedPassword: Uint8Array;
  try {
    saltedPassword = await pbkdf2(hash, password, params.salt, params.iterations);
  } finally {
    password.fill(0);
  }
  const salted = new HmacState(hash, saltedPassword);
  saltedPassword.fill(0);
  const clientKey = salted.sign(CLIENT_KEY);
  const serverKeyBytes = salted.sign(SERVER_KEY);
  salted.destroy();
  const storedKeyBytes = digest(hash, clientKey);
  const keys = {
    clientKey,
    storedKey: new HmacState(hash, storedKeyBytes),
    serverKey: new HmacState(hash, serverKeyBytes),
  };
  storedKeyBytes.fill(0);
  serverKeyBytes.fill(0);
  return keys;
}

/**
 * Whether `value` is a {@link ScramKeyCache} (of this copy of the library or another): what the
 * `scramKeyCache` and `cache` options are checked with.
 *
 * @param value an option's value
 * @returns whether it is one
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isScramKeyCache, ScramKeyCache } from "./scram-key-cache.ts";
 *
 * assert.equal(isScramKeyCache(new ScramKeyCache()), true);
 * assert.equal(isScramKeyCache(new Map()), false);
 * ```
 */
export function isScramKeyCache(value: unknown): value is ScramKeyCache {
  const cache = value as { keys?: unknown } | null;
  return typeof cache?.keys === "function" && "computations" in cache;
}

/**
 * A bounded, single-flight cache of SCRAM keys. Entries are keyed by hash, iteration count, salt and a
 * SHA-256 of the password; the plaintext password is never kept. Concurrent requests for the same entry
 * share one PBKDF2 computation; a computation that fails is dropped, so the next request retries.
 *
 * @example Two conversations, one PBKDF2
 * ```ts
 * import assert from "node:assert/strict";
 * import { ScramKeyCache } from "@mongo-auth/core";
 *
 * const cache = new ScramKeyCache({ maxEntries: 8 });
 * const params = { hash: "SHA-256", password: "pencil", salt: new Uint8Array(16), iterations: 4096 } as const;
 * const [a, b] = await Promise.all([cache.keys(params), cache.keys(params)]);
 * assert.equal(a, b);
 * assert.equal(cache.computations, 1);
 * ```
 */
export class ScramKeyCache {
  readonly #maxEntries: number;
  readonly #derive: (params: ScramKeyParams) => Promise<ScramKeys>;
  // Map iteration order is insertion order: re-inserting on every hit makes the first key the LRU one.
  readonly #entries = new Map<string, Promise<ScramKeys>>();
  #computations = 0;
  #hits = 0;

  /**
   * Creates an empty cache.
   *
   * @param options capacity and derivation function
   * @throws {MongoAuthError} `INVALID_OPTION` when `maxEntries` is not a positive integer
   */
  constructor(given?: ScramKeyCacheOptions) {
    // Checked by hand, not with core/options.ts: ScramClient bundles this, and stays small without it.
    const options = given ?? {};
    if (typeof options !== "object") {
      throw new MongoAuthError("INVALID_OPTION", "the options of new ScramKeyCache() must be an object");
    }
    if (options.derive !== undefined && typeof options.derive !== "function") {
      throw new MongoAuthError("INVALID_OPTION", "option derive of new ScramKeyCache() must be a function");
    }
    const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
      throw new MongoAuthError("INVALID_OPTION", "ScramKeyCache maxEntries must be a positive integer");
    }
    this.#maxEntries = maxEntries;
    this.#derive = options.derive ?? deriveScramKeys;
  }

  /** How many key derivations (PBKDF2 runs) this cache has started, failed ones included. */
  get computations(): number {
    return this.#computations;
  }

  /** How many requests were answered from an entry, finished or in flight, without a new derivation. */
  get hits(): number {
    return this.#hits;
  }

  /** How many entries (finished or in flight) the cache holds. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * The keys for `params`: from the cache, from a computation already in flight, or freshly derived.
   *
   * @param params hash, password, salt and iteration count
   * @returns the keys; the same object for every request that hits the same entry
   * @throws whatever the derivation throws; the failed entry is removed so a later call retries
   */
  keys(params: ScramKeyParams): Promise<ScramKeys> {
    // The lookup is synchronous, so requests made in the same tick already share one computation.
    const id = cacheKey(params);
    const cached = this.#entries.get(id);
    if (cached) {
      this.#hits++;
      this.#entries.delete(id);
      this.#entries.set(id, cached);
      return cached;
    }
    this.#computations++;
    // async wrapper: a derive that throws synchronously still becomes a rejected, removable entry.
    const computation = (async () => await this.#derive(params))();
    this.#entries.set(id, computation);
    this.#evictOverflow();
    computation.catch(() => {
      if (this.#entries.get(id) === computation) this.#entries.delete(id);
    });
    return computation;
  }

  /** Drops every entry (computations in flight still finish for their callers). */
  clear(): void {
    this.#entries.clear();
  }

  #evictOverflow(): void {
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.#maxEntries) return;
      this.#entries.delete(oldest);
    }
  }
}

// hash, iterations, salt and SHA-256(password): everything the keys depend on, without the plaintext.
// The synchronous SHA-256 keeps a cache hit free of any WebCrypto round trip (see sha256.ts). Its digest
// goes into scratch space (a typed array costs Deno about a microsecond to allocate), and the password's
// bytes are wiped.
function cacheKey(params: ScramKeyParams): string {
  const password = encoder.encode(params.password);
  const digest = sha256(password, PASSWORD_DIGEST);
  password.fill(0);
  const id = `${params.hash}:${params.iterations}:${encodeBase64(params.salt)}:${toHex(digest)}`;
  digest.fill(0);
  return id;
}

const PASSWORD_DIGEST = new Uint8Array(32);

/** The cache a {@link ScramKeyCache}-less `ScramClient` uses: one per process (module instance). */
export const defaultScramKeyCache: ScramKeyCache = new ScramKeyCache();
