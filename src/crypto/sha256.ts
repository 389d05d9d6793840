/**
 * A synchronous SHA-256 (FIPS 180-4 section 6.2), for what must not wait on a WebCrypto round trip: the
 * {@link ScramKeyCache} identifier of a password, and the few compressions a SCRAM conversation does
 * after PBKDF2 (HMAC with SaltedPassword, StoredKey and ServerKey; `hmac.ts`). PBKDF2 itself, thousands
 * of compressions, stays in WebCrypto.
 *
 * @module
 */
import { type BlockHash, hashFrom, wordAt } from "./block-hash.ts";

// First 32 bits of the fractional parts of the cube roots of the first 64 primes (FIPS 180-4 4.2.2).
// Indexed by the round number only.
// deno-fmt-ignore
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

// The message schedule, reused by every compression (they never interleave: all of this is synchronous).
const W = new Int32Array(64);

/**
 * SHA-256 as a {@link BlockHash}: H(0) is the first 32 bits of the fractional parts of the square roots
 * of the first 8 primes (FIPS 180-4 5.3.3).
 *
 * @example The initial state
 * ```ts
 * import assert from "node:assert/strict";
 * import { SHA256 } from "./sha256.ts";
 *
 * assert.equal(SHA256.initial[0] >>> 0, 0x6a09e667);
 * ```
 */
export const SHA256: BlockHash = {
  initial: new Int32Array([
    0x6a09e667,
    0xbb67ae85,
    0x3c6ef372,
    0xa54ff53a,
    0x510e527f,
    0x9b05688c,
    0x1f83d9ab,
    0x5be0cd19,
  ]),
  outputLength: 32,
  compress,
};

/**
 * Hashes bytes, or the UTF-8 encoding of a string, with SHA-256, synchronously.
 *
 * @param input the bytes, or a string to encode as UTF-8
 * @param out where to write the digest (32 bytes); a new array by default
 * @returns the 32-byte digest: `out` when given
 *
 * @example FIPS 180-2 example: SHA-256("abc")
 * ```ts
 * import assert from "node:assert/strict";
 * import { sha256 } from "./sha256.ts";
 * import { toHex } from "./hex.ts";
 *
 * assert.equal(toHex(sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
 * ```
 */
export function sha256(input: Uint8Array | string, out?: Uint8Array): Uint8Array {
  const data = typeof input === "string" ? new TextEncoder().encode(input) : input;
  return hashFrom(SHA256, SHA256.initial, data, 0, out);
}

// One 64-byte block (FIPS 180-4 section 6.2.2).
function compress(state: Int32Array, bytes: Uint8Array, offset: number): void {
  for (let t = 0; t < 16; t++) W[t] = wordAt(bytes, offset + 4 * t);
  for (let t = 16; t < 64; t++) {
    const w2 = W[t - 2];
    const w15 = W[t - 15];
    const s1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >>> 10);
    const s0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >>> 3);
    W[t] = (s1 + W[t - 7] + s0 + W[t - 16]) | 0;
  }
  let a = state[0], b = state[1], c = state[2], d = state[3];
  let e = state[4], f = state[5], g = state[6], h = state[7];
  for (let t = 0; t < 64; t++) {
    const t1 = (h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[t] + W[t]) | 0;
    const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  state[0] = (state[0] + a) | 0;
  state[1] = (state[1] + b) | 0;
  state[2] = (state[2] + c) | 0;
  state[3] = (state[3] + d) | 0;
  state[4] = (state[4] + e) | 0;
  state[5] = (state[5] + f) | 0;
  state[6] = (state[6] + g) | 0;
  state[7] = (state[7] + h) | 0;
  W.fill(0);
}

function rotr(x: number, n: number): number {
  return (x >>> n) | (x << (32 - n));
}
