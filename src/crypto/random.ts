/**
 * Cryptographically secure random bytes.
 *
 * @module
 */

/**
 * Returns `length` random bytes from `crypto.getRandomValues`.
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
  return crypto.getRandomValues(new Uint8Array(length));
}
