/**
 * MD5 (RFC 1321). WebCrypto has no MD5, and MongoDB's SCRAM-SHA-1 needs it once per credential to
 * turn the password into `hex(MD5(username ":mongo:" password))`. It is never used for anything else.
 *
 * @module
 */
import { padTail } from "./md-padding.ts";

// Per-round left-rotation amounts (RFC 1321 section 3.4).
// deno-fmt-ignore
const SHIFTS = new Int32Array([
  7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
  5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
  4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
  6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
]);

// T[i] = floor(2^32 * |sin(i + 1)|), the table of RFC 1321 section 3.4, as int32 like every word here, so
// a round is 32-bit integer arithmetic.
const T = Int32Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32));
const INITIAL = new Int32Array([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476]);
// The state, the block's words and the padded tail, reused by every call (all of this is synchronous, as
// in block-hash.ts): a typed array of more than 64 bytes lives outside the heap, and allocating one cost
// more than the compression on Deno.
const STATE = new Int32Array(4);
const X = new Int32Array(16);
const TAIL = new Uint8Array(128);
const encoder = new TextEncoder();

/**
 * Hashes bytes, or the UTF-8 encoding of a string, with MD5.
 *
 * @param input the bytes, or a string to encode as UTF-8
 * @returns the 16-byte digest
 *
 * @example RFC 1321 test suite: MD5("abc")
 * ```ts
 * import assert from "node:assert/strict";
 * import { md5 } from "./md5.ts";
 * import { toHex } from "./hex.ts";
 *
 * assert.equal(toHex(md5("abc")), "900150983cd24fb0d6963f7d28e17f72");
 * ```
 */
export function md5(input: Uint8Array | string): Uint8Array {
  const data = typeof input === "string" ? encoder.encode(input) : input;
  const state = STATE;
  const x = X;
  state.set(INITIAL);
  const whole = data.length - (data.length & 63);
  for (let offset = 0; offset < whole; offset += 64) compress(state, readBlock(x, data, offset));
  const tailLength = padTail(data, true, 0, TAIL);
  for (let offset = 0; offset < tailLength; offset += 64) compress(state, readBlock(x, TAIL, offset));
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = state[i >> 2] >>> (8 * (i & 3));
  // The input is a password digest's: no word of it stays behind.
  x.fill(0);
  TAIL.fill(0);
  state.fill(0);
  return out;
}

// The 16 little-endian words of the block at bytes[offset], into x.
function readBlock(x: Int32Array, bytes: Uint8Array, offset: number): Int32Array {
  for (let j = 0, at = offset; j < 16; j++, at += 4) {
    x[j] = bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24);
  }
  return x;
}

// One 64-byte block: four rounds of sixteen operations on the state (RFC 1321 section 3.4).
function compress(state: Int32Array, x: Int32Array): void {
  let a = state[0], b = state[1], c = state[2], d = state[3];
  for (let i = 0; i < 64; i++) {
    let f: number;
    let g: number;
    if (i < 16) {
      f = (b & c) | (~b & d);
      g = i;
    } else if (i < 32) {
      f = (d & b) | (~d & c);
      g = (5 * i + 1) % 16;
    } else if (i < 48) {
      f = b ^ c ^ d;
      g = (3 * i + 5) % 16;
    } else {
      f = c ^ (b | ~d);
      g = (7 * i) % 16;
    }
    const sum = (a + f + T[i] + x[g]) | 0;
    a = d;
    d = c;
    c = b;
    b = (b + rotl(sum, SHIFTS[i])) | 0;
  }
  state[0] = (state[0] + a) | 0;
  state[1] = (state[1] + b) | 0;
  state[2] = (state[2] + c) | 0;
  state[3] = (state[3] + d) | 0;
}

function rotl(value: number, shift: number): number {
  return (value << shift) | (value >>> (32 - shift));
}
