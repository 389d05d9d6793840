/**
 * The Merkle–Damgård padding MD5 (RFC 1321 section 3.1–3.2) and SHA-256 (FIPS 180-4 section 5.1.1)
 * share: 0x80, zeros up to 56 mod 64, then the message length in bits as a 64-bit integer, little-endian
 * for MD5 and big-endian for SHA-256.
 *
 * @module
 */

/**
 * The message padded to a whole number of 64-byte blocks.
 *
 * @param data the message
 * @param littleEndian `true` for MD5's length, `false` for SHA-256's
 * @returns the padded copy
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mdPad } from "./md-padding.ts";
 *
 * const padded = mdPad(new Uint8Array([0x61]), false);
 * assert.equal(padded.length, 64);
 * assert.equal(padded[1], 0x80);
 * assert.equal(padded[63], 8); // one byte: 8 bits, big-endian
 * ```
 */
export function mdPad(data: Uint8Array, littleEndian: boolean): Uint8Array {
  const length = (((data.length + 8) >>> 6) + 1) * 64;
  const padded = new Uint8Array(length);
  padded.set(data);
  padded[data.length] = 0x80;
  const view = new DataView(padded.buffer);
  const low = (data.length * 8) >>> 0;
  const high = Math.floor((data.length * 8) / 2 ** 32);
  view.setUint32(length - (littleEndian ? 8 : 4), low, littleEndian);
  view.setUint32(length - (littleEndian ? 4 : 8), high, littleEndian);
  return padded;
}
