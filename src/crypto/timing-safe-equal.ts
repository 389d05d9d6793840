/**
 * Constant-time comparison of byte arrays, so that comparing a server signature does not leak how
 * many leading bytes matched.
 *
 * @module
 */

/**
 * Compares two byte arrays in time that depends only on their lengths, never on their contents.
 * Lengths are not secret (they follow from the hash function), so different lengths return early.
 *
 * @param a first bytes
 * @param b second bytes
 * @returns `true` when both have the same length and the same bytes
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { timingSafeEqual } from "./timing-safe-equal.ts";
 *
 * assert.equal(timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2])), true);
 * assert.equal(timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3])), false);
 * ```
 */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}
