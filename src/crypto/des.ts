/**
 * DES and triple DES (FIPS 46-3, SP 800-67) in CBC mode, decryption only: what an encrypted private key
 * written by OpenSSL 1.x needs (`genrsa -des3`, `req` without `-nodes`), and no WebCrypto has.
 *
 * Bitsliced, so that nothing depends on the key in time: 32 blocks are decrypted at once, bit `i` of each
 * block held in bit `block` of word `i`. The permutations become a choice of words, and each S-box a
 * multiplexer tree over its six input words, with the table's bits as the leaves: no look-up is ever
 * indexed by the key or the data, as a table-driven DES's S-box look-ups are. A 2048-bit RSA key takes
 * about 2 ms.
 *
 * @module
 */

// FIPS 46-3's tables, its bits numbered 1 to 64 from the most significant bit of the first byte.
// deno-fmt-ignore
const IP = [
  58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4,
  62, 54, 46, 38, 30, 22, 14, 6, 64, 56, 48, 40, 32, 24, 16, 8,
  57, 49, 41, 33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3,
  61, 53, 45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31, 23, 15, 7,
];
// deno-fmt-ignore
const E = [
  32, 1, 2, 3, 4, 5, 4, 5, 6, 7, 8, 9, 8, 9, 10, 11, 12, 13, 12, 13, 14, 15, 16, 17,
  16, 17, 18, 19, 20, 21, 20, 21, 22, 23, 24, 25, 24, 25, 26, 27, 28, 29, 28, 29, 30, 31, 32, 1,
];
// deno-fmt-ignore
const P = [
  16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10,
  2, 8, 24, 14, 32, 27, 3, 9, 19, 13, 30, 6, 22, 11, 4, 25,
];
// deno-fmt-ignore
const PC1 = [
  57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18, 10, 2, 59, 51, 43, 35, 27, 19, 11, 3, 60, 52, 44, 36,
  63, 55, 47, 39, 31, 23, 15, 7, 62, 54, 46, 38, 30, 22, 14, 6, 61, 53, 45, 37, 29, 21, 13, 5, 28, 20, 12, 4,
];
// deno-fmt-ignore
const PC2 = [
  14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10, 23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2,
  41, 52, 31, 37, 47, 55, 30, 40, 51, 45, 33, 48, 44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32,
];
const SHIFTS = [1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1];
// S1 to S8, each four rows of sixteen: the row is the input's first and last bits, the column the middle four.
// deno-fmt-ignore
const S = [
  [
    14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7, 0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11, 9, 5, 3, 8,
    4, 1, 14, 8, 13, 6, 2, 11, 15, 12, 9, 7, 3, 10, 5, 0, 15, 12, 8, 2, 4, 9, 1, 7, 5, 11, 3, 14, 10, 0, 6, 13,
  ],
  [
    15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10, 3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10, 6, 9, 11, 5,
    0, 14, 7, 11, 10, 4, 13, 1, 5, 8, 12, 6, 9, 3, 2, 15, 13, 8, 10, 1, 3, 15, 4, 2, 11, 6, 7, 12, 0, 5, 14, 9,
  ],
  [
    10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8, 13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12, 11, 15, 1,
    13, 6, 4, 9, 8, 15, 3, 0, 11, 1, 2, 12, 5, 10, 14, 7, 1, 10, 13, 0, 6, 9, 8, 7, 4, 15, 14, 3, 11, 5, 2, 12,
  ],
  [
    7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15, 13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1, 10, 14, 9,
    10, 6, 9, 0, 12, 11, 7, 13, 15, 1, 3, 14, 5, 2, 8, 4, 3, 15, 0, 6, 10, 1, 13, 8, 9, 4, 5, 11, 12, 7, 2, 14,
  ],
  [
    2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9, 14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10, 3, 9, 8, 6,
    4, 2, 1, 11, 10, 13, 7, 8, 15, 9, 12, 5, 6, 3, 0, 14, 11, 8, 12, 7, 1, 14, 2, 13, 6, 15, 0, 9, 10, 4, 5, 3,
  ],
  [
    12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11, 10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14, 0, 11, 3, 8,
    9, 14, 15, 5, 2, 8, 12, 3, 7, 0, 4, 10, 1, 13, 11, 6, 4, 3, 2, 12, 9, 5, 15, 10, 11, 14, 1, 7, 6, 0, 8, 13,
  ],
  [
    4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1, 13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12, 2, 15, 8, 6,
    1, 4, 11, 13, 12, 3, 7, 14, 10, 15, 6, 8, 0, 5, 9, 2, 6, 11, 13, 8, 1, 4, 10, 7, 9, 5, 0, 15, 14, 2, 3, 12,
  ],
  [
    13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7, 1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11, 0, 14, 9, 2,
    7, 11, 4, 1, 9, 12, 14, 2, 0, 6, 10, 13, 15, 3, 5, 8, 2, 1, 14, 7, 4, 10, 8, 13, 15, 12, 9, 0, 3, 5, 6, 11,
  ],
];

/** The final permutation, IP's inverse. */
const FP = IP.map((_, i) => IP.indexOf(i + 1) + 1);

/**
 * The leaves of each S-box output bit's multiplexer tree: for S-box `s` and output bit `k` (most significant
 * first), entry `x` (the six input bits b1…b6 read as a number, b1 the most significant) is all ones when
 * that bit of S(x) is set. Built from the public tables once.
 */
const SBOX_LEAVES: Int32Array[][] = S.map((table) =>
  [3, 2, 1, 0].map((shift) =>
    Int32Array.from({ length: 64 }, (_, x) => {
      const row = ((x >> 4) & 2) | (x & 1);
      const column = (x >> 1) & 15;
      return -((table[row * 16 + column] >> shift) & 1);
    })
  )
);

const BLOCK = 8;
const LANES = 32;

/**
 * Decrypts CBC data with DES (an 8-byte key) or triple DES in EDE form (24 bytes: three keys; 16 bytes: two,
 * the first used again as the third), leaving any padding for the caller to check.
 *
 * @param key the key: 8, 16 or 24 bytes (parity bits ignored, as DES does)
 * @param iv the 8-byte initialisation vector
 * @param data the ciphertext, whole 8-byte blocks
 * @returns the plaintext, as long as `data`
 * @throws {RangeError} for a key, IV or data of another length
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { desCbcDecrypt } from "./des.ts";
 *
 * // FIPS 46-3's worked example: 0123456789ABCDEF under 133457799BBCDFF1 is 85E813540F0AB405.
 * const hex = (text: string) => Uint8Array.from(text.match(/../g)!, (byte) => parseInt(byte, 16));
 * const plain = desCbcDecrypt(hex("133457799bbcdff1"), new Uint8Array(8), hex("85e813540f0ab405"));
 * assert.deepEqual(plain, hex("0123456789abcdef"));
 * ```
 */
export function desCbcDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  if (key.length !== 8 && key.length !== 16 && key.length !== 24) {
    throw new RangeError(`a DES key is 8, 16 or 24 bytes, not ${key.length}`);
  }
  if (iv.length !== BLOCK) throw new RangeError(`a DES IV is 8 bytes, not ${iv.length}`);
  if (data.length % BLOCK !== 0) throw new RangeError("DES data is whole 8-byte blocks");
  // EDE decryption: decrypt with the third key, encrypt with the second, decrypt with the first.
  const third = key.length === 24 ? key.subarray(16) : key.subarray(0, 8);
  const keys = key.length === 8
    ? [subkeys(key)]
    : [subkeys(third), subkeys(key.subarray(8, 16)), subkeys(key.subarray(0, 8))];
  const out = new Uint8Array(data.length);
  const words = new Int32Array(64);
  for (let first = 0; first < data.length / BLOCK; first += LANES) {
    const count = Math.min(LANES, data.length / BLOCK - first);
    load(words, data, first, count);
    keys.forEach((keySchedule, i) => desBlocks(words, keySchedule, i % 2 === 0));
    store(words, out, first, count);
  }
  for (let i = 0; i < out.length; i++) out[i] ^= i < BLOCK ? iv[i] : data[i - BLOCK];
  for (const keySchedule of keys) keySchedule.fill(0);
  words.fill(0);
  return out;
}

/** The 16 round keys of 48 bits, round after round, each bit a mask: 0, or all ones for a set bit. */
function subkeys(key: Uint8Array): Int32Array {
  const bit = (n: number) => -((key[(n - 1) >> 3] >> (7 - ((n - 1) & 7))) & 1);
  const halves = PC1.map(bit); // C then D, 28 bits each
  const schedule = new Int32Array(16 * 48);
  let shifted = 0;
  for (let round = 0; round < 16; round++) {
    shifted += SHIFTS[round];
    for (let k = 0; k < 48; k++) {
      const n = PC2[k] - 1; // 0–27 in C, 28–55 in D, each rotated left by `shifted`
      const half = n < 28 ? 0 : 28;
      schedule[round * 48 + k] = halves[half + ((n - half + shifted) % 28)];
    }
  }
  halves.fill(0);
  return schedule;
}

/** Blocks `first`… of `data` into the words, bit `i` of block `first + j` as bit `j` of word `i`. */
function load(words: Int32Array, data: Uint8Array, first: number, count: number): void {
  words.fill(0);
  for (let j = 0; j < count; j++) {
    const offset = (first + j) * BLOCK;
    for (let i = 0; i < 64; i++) words[i] |= ((data[offset + (i >> 3)] >> (7 - (i & 7))) & 1) << j;
  }
}

function store(words: Int32Array, out: Uint8Array, first: number, count: number): void {
  for (let j = 0; j < count; j++) {
    const offset = (first + j) * BLOCK;
    for (let i = 0; i < 64; i++) out[offset + (i >> 3)] |= ((words[i] >>> j) & 1) << (7 - (i & 7));
  }
}

/** One DES pass over the 32 lanes in place: encryption, or decryption (the round keys in reverse). */
function desBlocks(words: Int32Array, schedule: Int32Array, decrypt: boolean): void {
  let left = IP.slice(0, 32).map((n) => words[n - 1]);
  let right = IP.slice(32).map((n) => words[n - 1]);
  const expanded = new Int32Array(48);
  const substituted = new Int32Array(32);
  const scratch = new Int32Array(64);
  for (let round = 0; round < 16; round++) {
    const base = (decrypt ? 15 - round : round) * 48;
    for (let k = 0; k < 48; k++) expanded[k] = right[E[k] - 1] ^ schedule[base + k];
    for (let s = 0; s < 8; s++) {
      for (let k = 0; k < 4; k++) {
        substituted[s * 4 + k] = multiplex(SBOX_LEAVES[s][k], expanded, s * 6, scratch);
      }
    }
    const next = left.map((word, i) => word ^ substituted[P[i] - 1]);
    left = right;
    right = next;
  }
  const joined = [...right, ...left]; // the last round's halves, swapped back
  for (let i = 0; i < 64; i++) words[i] = joined[FP[i] - 1];
  expanded.fill(0), substituted.fill(0), scratch.fill(0);
}

/**
 * The leaf the six input words select, lane by lane: the 64 leaves are halved six times, each time on the
 * next input bit from the last, `lo ^ ((lo ^ hi) & bit)` picking `hi` where the bit is set.
 */
function multiplex(leaves: Int32Array, input: Int32Array, at: number, scratch: Int32Array): number {
  scratch.set(leaves);
  for (let bit = 5, size = 32; bit >= 0; bit--, size >>= 1) {
    const select = input[at + bit];
    for (let m = 0; m < size; m++) {
      const lo = scratch[2 * m];
      scratch[m] = lo ^ ((lo ^ scratch[2 * m + 1]) & select);
    }
  }
  return scratch[0];
}
