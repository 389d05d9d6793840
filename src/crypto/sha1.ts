/**
 * A synchronous SHA-1 (FIPS 180-4 section 6.1), for the few compressions of a SCRAM-SHA-1 conversation
 * after PBKDF2 (HMAC with SaltedPassword, StoredKey and ServerKey; `hmac.ts`). PBKDF2 itself stays in
 * WebCrypto. SCRAM-SHA-1 uses SHA-1 as RFC 5802 defines it, through HMAC, where SHA-1's collisions do not
 * matter.
 *
 * @module
 */
import { type BlockHash, hashFrom, wordAt } from "./block-hash.ts";

// The message schedule, reused by every compression (they never interleave: all of this is synchronous).
const W = new Int32Array(80);

/**
 * SHA-1 as a {@link BlockHash} (H(0) from FIPS 180-4 5.3.1).
 *
 * @example The initial state
 * ```ts
 * import assert from "node:assert/strict";
 * import { SHA1 } from "./sha1.ts";
 *
 * assert.equal(SHA1.initial[0], 0x67452301);
 * ```
 */
export const SHA1: BlockHash = {
  initial: new Int32Array([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0]),
  outputLength: 20,
  compress,
};

/**
 * Hashes bytes, or the UTF-8 encoding of a string, with SHA-1, synchronously.
 *
 * @param input the bytes, or a string to encode as UTF-8
 * @returns the 20-byte digest
 *
 * @example FIPS 180-2 example: SHA-1("abc")
 * ```ts
 * import assert from "node:assert/strict";
 * import { sha1 } from "./sha1.ts";
 * import { toHex } from "./hex.ts";
 *
 * assert.equal(toHex(sha1("abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
 * ```
 */
export function sha1(input: Uint8Array | string): Uint8Array {
  const data = typeof input === "string" ? new TextEncoder().encode(input) : input;
  return hashFrom(SHA1, SHA1.initial, data);
}

// One 64-byte block (FIPS 180-4 section 6.1.2): four rounds of twenty steps, each round with its own
// function and constant.
function compress(state: Int32Array, bytes: Uint8Array, offset: number): void {
  for (let t = 0; t < 16; t++) W[t] = wordAt(bytes, offset + 4 * t);
  for (let t = 16; t < 80; t++) W[t] = rotl(W[t - 3] ^ W[t - 8] ^ W[t - 14] ^ W[t - 16], 1);
  let a = state[0], b = state[1], c = state[2], d = state[3], e = state[4];
  for (let t = 0; t < 80; t++) {
    let f: number;
    let k: number;
    if (t < 20) {
      f = (b & c) | (~b & d);
      k = 0x5a827999;
    } else if (t < 40) {
      f = b ^ c ^ d;
      k = 0x6ed9eba1;
    } else if (t < 60) {
      f = (b & c) | (b & d) | (c & d);
      k = 0x8f1bbcdc;
    } else {
      f = b ^ c ^ d;
      k = 0xca62c1d6;
    }
    const temp = (rotl(a, 5) + f + e + k + W[t]) | 0;
    e = d;
    d = c;
    c = rotl(b, 30);
    b = a;
    a = temp;
  }
  state[0] = (state[0] + a) | 0;
  state[1] = (state[1] + b) | 0;
  state[2] = (state[2] + c) | 0;
  state[3] = (state[3] + d) | 0;
  state[4] = (state[4] + e) | 0;
  W.fill(0);
}

function rotl(x: number, n: number): number {
  return (x << n) | (x >>> (32 - n));
}
