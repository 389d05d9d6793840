/**
 * Cryptographically secure random bytes.
 *
 * @module
 */

/**
 * Returns `length` random bytes from `crypto.getRandomValues`. Up to 256 bytes are cut from a pool the
 * size of a few pages, drawn at once and zeroed as it is handed out; each byte is handed out once.
 *
 * @param length how many bytes (at most 65536, the WebCrypto limit per call)
 * @returns fresh random bytes
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { randomBytes } from "./random.ts";
 *
 * assert.equal(randomBytes(24).length, 24);
 * ```
 */
export function randomBytes(length: number): Uint8Array {
  if (length > MAX_POOLED) return crypto.getRandomValues(new Uint8Array(length));
  if (poolOffset + length > pool.length) {
    pool = crypto.getRandomValues(new Uint8Array(POOL_SIZE));
    poolOffset = 0;
  }
  const bytes = pool.slice(poolOffset, poolOffset + length);
  // Handed out once: the pool keeps no copy of a nonce it gave away.
  pool.fill(0, poolOffset, poolOffset + length);
  poolOffset += length;
  return bytes;
}

// Small draws (a SCRAM nonce per login, 24 bytes) come from one getRandomValues call per 4 KiB, as
// Node.js's randomUUID does: a call costs microseconds on Node.js, more than the bytes themselves.
const POOL_SIZE = 4096;
const MAX_POOLED = 256;
let pool = new Uint8Array(0);
let poolOffset = 0;

/**
 * A uniform random integer in [0, n), from `crypto.getRandomValues`, without modulo bias.
 *
 * @param n the bound (1 to 2³²)
 * @returns the integer
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { randomBelow } from "./random.ts";
 *
 * const roll = randomBelow(6);
 * assert.ok(roll >= 0 && roll < 6);
 * ```
 */
export function randomBelow(n: number): number {
  // One choice needs no randomness; connect() asks for one among a single server on every connection.
  if (n === 1) return 0;
  const limit = Math.floor(0x1_0000_0000 / n) * n;
  const word = new Uint32Array(1);
  do crypto.getRandomValues(word); while (word[0] >= limit);
  return word[0] % n;
}

/**
 * The items in a uniformly random order (Fisher–Yates with {@link randomBelow}).
 *
 * @param items the items
 * @returns a shuffled copy
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { shuffled } from "./random.ts";
 *
 * assert.deepEqual(shuffled([1, 2, 3]).sort(), [1, 2, 3]);
 * ```
 */
export function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = randomBelow(i + 1);
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}
