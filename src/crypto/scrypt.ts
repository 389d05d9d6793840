/**
 * scrypt (RFC 7914), for private keys encrypted with `openssl pkcs8 -scrypt`, which no WebCrypto derives.
 * Its two PBKDF2-HMAC-SHA256 passes run in WebCrypto; the memory-hard middle (ROMix over Salsa20/8) runs
 * here, on the event loop: about 150 ms at OpenSSL's parameters (N 16384, r 8, p 1, 16 MiB), so the caller
 * bounds the work and keeps what it derives. Its memory is read at places the data chooses, by design, as in
 * every scrypt.
 *
 * @module
 */
import { pbkdf2 } from "./pbkdf2.ts";

/** scrypt's cost parameters. */
export interface ScryptParameters {
  /** N, the CPU and memory cost: a power of 2 above 1. */
  readonly cost: number;
  /** r, the block size. */
  readonly blockSize: number;
  /** p, the parallelization. */
  readonly parallelization: number;
}

/**
 * Derives `length` bytes with scrypt.
 *
 * @param password the passphrase's bytes
 * @param salt the salt
 * @param parameters N, r and p
 * @param length how many bytes to derive
 * @returns the derived key
 * @throws {RangeError} for N that is not a power of 2 above 1, or r or p below 1
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scrypt } from "./scrypt.ts";
 * import { toHex } from "./hex.ts";
 *
 * // RFC 7914, section 12: "password", "NaCl", N 1024, r 8, p 16.
 * const encode = (text: string) => new TextEncoder().encode(text);
 * const key = await scrypt(encode("password"), encode("NaCl"), { cost: 1024, blockSize: 8, parallelization: 16 }, 64);
 * assert.equal(toHex(key).slice(0, 16), "fdbabe1c9d347200");
 * ```
 */
export async function scrypt(
  password: Uint8Array,
  salt: Uint8Array,
  { cost, blockSize, parallelization }: ScryptParameters,
  length: number,
): Promise<Uint8Array> {
  checkScryptParameters({ cost, blockSize, parallelization });
  const words = 32 * blockSize; // one block of 128·r bytes, in 32-bit words
  const blocks = await pbkdf2("SHA-256", password, salt, 1, parallelization * 4 * words);
  const x = new Int32Array(words);
  const v = new Int32Array(words * cost);
  const scratch = new Int32Array(words + 16);
  for (let i = 0; i < parallelization; i++) {
    readWords(blocks, i * 4 * words, x);
    roMix(x, v, scratch, blockSize, cost);
    writeWords(x, blocks, i * 4 * words);
  }
  v.fill(0), x.fill(0), scratch.fill(0);
  const derived = await pbkdf2("SHA-256", password, blocks, 1, length);
  blocks.fill(0);
  return derived;
}

/**
 * Throws unless N is a power of 2 above 1 and r and p are at least 1, as scrypt needs them.
 *
 * @param parameters N, r and p
 * @throws {RangeError} saying which values are wrong
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkScryptParameters } from "./scrypt.ts";
 *
 * checkScryptParameters({ cost: 16384, blockSize: 8, parallelization: 1 });
 * assert.throws(() => checkScryptParameters({ cost: 1000, blockSize: 8, parallelization: 1 }), RangeError);
 * ```
 */
export function checkScryptParameters({ cost, blockSize, parallelization }: ScryptParameters): void {
  if (cost < 2 || (cost & (cost - 1)) !== 0 || blockSize < 1 || parallelization < 1) {
    throw new RangeError(
      `scrypt's N ${cost}, r ${blockSize}, p ${parallelization}: N is a power of 2 above 1, r and p at least 1`,
    );
  }
}

// ROMix (RFC 7914 section 5): fill V with N successive BlockMixes of X, then mix X with N entries of V that X
// itself picks.
function roMix(x: Int32Array, v: Int32Array, scratch: Int32Array, r: number, n: number): void {
  const words = x.length;
  for (let i = 0; i < n; i++) {
    v.set(x, i * words);
    blockMix(x, scratch, r);
  }
  for (let i = 0; i < n; i++) {
    const j = x[words - 16] & (n - 1); // Integerify: the last 64-byte block's first word
    for (let k = 0; k < words; k++) x[k] ^= v[j * words + k];
    blockMix(x, scratch, r);
  }
}

// BlockMix with Salsa20/8 (RFC 7914 section 4): each 64-byte block XORed into the running one and hashed;
// the even results first, then the odd ones.
function blockMix(b: Int32Array, scratch: Int32Array, r: number): void {
  const y = scratch.subarray(0, 32 * r);
  const t = scratch.subarray(32 * r, 32 * r + 16);
  t.set(b.subarray((2 * r - 1) * 16, 2 * r * 16));
  for (let i = 0; i < 2 * r; i++) {
    for (let k = 0; k < 16; k++) t[k] ^= b[i * 16 + k];
    salsa20x8(t);
    y.set(t, ((i & 1) * r + (i >> 1)) * 16);
  }
  b.set(y);
}

// The Salsa20/8 core (RFC 7914 section 3): four double rounds, then the input added.
function salsa20x8(b: Int32Array): void {
  let x0 = b[0], x1 = b[1], x2 = b[2], x3 = b[3], x4 = b[4], x5 = b[5], x6 = b[6], x7 = b[7];
  let x8 = b[8], x9 = b[9], x10 = b[10], x11 = b[11], x12 = b[12], x13 = b[13], x14 = b[14], x15 = b[15];
  const rotl = (a: number, n: number) => (a << n) | (a >>> (32 - n));
  for (let i = 0; i < 8; i += 2) {
    // Columns.
    x4 ^= rotl((x0 + x12) | 0, 7), x8 ^= rotl((x4 + x0) | 0, 9);
    x12 ^= rotl((x8 + x4) | 0, 13), x0 ^= rotl((x12 + x8) | 0, 18);
    x9 ^= rotl((x5 + x1) | 0, 7), x13 ^= rotl((x9 + x5) | 0, 9);
    x1 ^= rotl((x13 + x9) | 0, 13), x5 ^= rotl((x1 + x13) | 0, 18);
    x14 ^= rotl((x10 + x6) | 0, 7), x2 ^= rotl((x14 + x10) | 0, 9);
    x6 ^= rotl((x2 + x14) | 0, 13), x10 ^= rotl((x6 + x2) | 0, 18);
    x3 ^= rotl((x15 + x11) | 0, 7), x7 ^= rotl((x3 + x15) | 0, 9);
    x11 ^= rotl((x7 + x3) | 0, 13), x15 ^= rotl((x11 + x7) | 0, 18);
    // Rows.
    x1 ^= rotl((x0 + x3) | 0, 7), x2 ^= rotl((x1 + x0) | 0, 9);
    x3 ^= rotl((x2 + x1) | 0, 13), x0 ^= rotl((x3 + x2) | 0, 18);
    x6 ^= rotl((x5 + x4) | 0, 7), x7 ^= rotl((x6 + x5) | 0, 9);
    x4 ^= rotl((x7 + x6) | 0, 13), x5 ^= rotl((x4 + x7) | 0, 18);
    x11 ^= rotl((x10 + x9) | 0, 7), x8 ^= rotl((x11 + x10) | 0, 9);
    x9 ^= rotl((x8 + x11) | 0, 13), x10 ^= rotl((x9 + x8) | 0, 18);
    x12 ^= rotl((x15 + x14) | 0, 7), x13 ^= rotl((x12 + x15) | 0, 9);
    x14 ^= rotl((x13 + x12) | 0, 13), x15 ^= rotl((x14 + x13) | 0, 18);
  }
  b[0] += x0, b[1] += x1, b[2] += x2, b[3] += x3, b[4] += x4, b[5] += x5, b[6] += x6, b[7] += x7;
  b[8] += x8, b[9] += x9, b[10] += x10, b[11] += x11, b[12] += x12, b[13] += x13, b[14] += x14, b[15] += x15;
}

// Bytes to little-endian 32-bit words and back.
function readWords(bytes: Uint8Array, offset: number, words: Int32Array): void {
  for (let i = 0; i < words.length; i++) {
    const at = offset + 4 * i;
    words[i] = bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24);
  }
}

function writeWords(words: Int32Array, bytes: Uint8Array, offset: number): void {
  for (let i = 0; i < words.length; i++) {
    const at = offset + 4 * i;
    bytes[at] = words[i], bytes[at + 1] = words[i] >>> 8, bytes[at + 2] = words[i] >>> 16;
    bytes[at + 3] = words[i] >>> 24;
  }
}
