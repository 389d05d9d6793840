/**
 * The Merkle–Damgård padding MD5 (RFC 1321 section 3.1–3.2), SHA-1 and SHA-256 (FIPS 180-4 section
 * 5.1.1) share: 0x80, zeros up to 56 mod 64, then the message length in bits as a 64-bit integer,
 * little-endian for MD5 and big-endian for the SHA family.
 *
 * @module
 */

/**
 * Writes the last one or two 64-byte blocks of a padded message into `into`: the bytes of `data` after
 * its last whole block, then the padding. The whole blocks before them are hashed straight from `data`,
 * without a copy.
 *
 * @param data the message, or its tail after `prefixBytes` already hashed
 * @param littleEndian `true` for MD5's length, `false` for the SHA family's
 * @param prefixBytes how many bytes before `data` a saved hash state already covers (HMAC's 64-byte key
 *   block); the length field counts them
 * @param into at least 128 bytes; wipe them after use when `data` is a secret
 * @returns how many bytes of `into` the tail fills: 64 or 128
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { padTail } from "./md-padding.ts";
 *
 * const tail = new Uint8Array(128);
 * assert.equal(padTail(new Uint8Array([0x61]), false, 0, tail), 64);
 * assert.equal(tail[1], 0x80);
 * assert.equal(tail[63], 8); // one byte: 8 bits, big-endian
 * assert.equal(padTail(new Uint8Array(70), false, 0, tail), 64); // 6 bytes after the whole block
 * assert.equal(padTail(new Uint8Array(60), false, 0, tail), 128); // no room left for the length
 * padTail(new Uint8Array([0x61]), false, 64, tail);
 * assert.equal(tail[62], 0x02); // 65 bytes: 520 bits
 * ```
 */
export function padTail(
  data: Uint8Array,
  littleEndian: boolean,
  prefixBytes: number,
  into: Uint8Array,
): number {
  const rest = data.length & 63;
  const length = rest < 56 ? 64 : 128;
  for (let i = 0, from = data.length - rest; i < rest; i++, from++) into[i] = data[from];
  into[rest] = 0x80;
  into.fill(0, rest + 1, length);
  // The 64-bit length, byte by byte (a DataView would cost more than hashing a short message).
  const bits = (prefixBytes + data.length) * 8;
  const low = bits >>> 0;
  const high = Math.floor(bits / 2 ** 32);
  for (let i = 0; i < 4; i++) {
    const lowByte = (low >>> (8 * i)) & 0xff;
    const highByte = (high >>> (8 * i)) & 0xff;
    if (littleEndian) {
      into[length - 8 + i] = lowByte;
      into[length - 4 + i] = highByte;
    } else {
      into[length - 1 - i] = lowByte;
      into[length - 5 - i] = highByte;
    }
  }
  return length;
}
