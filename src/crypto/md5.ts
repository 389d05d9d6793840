/**
 * MD5 (RFC 1321). WebCrypto has no MD5, and MongoDB's SCRAM-SHA-1 needs it once per credential to
 * turn the password into `hex(MD5(username ":mongo:" password))`. It is never used for anything else.
 *
 * @module
 */
import { padTail } from "./md-padding.ts";

// Per-round left-rotation amounts (RFC 1321 section 3.4).
// deno-fmt-ignore
const SHIFTS = [
  7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
  5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
  4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
  6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
];

// T[i] = floor(2^32 * |sin(i + 1)|), the table of RFC 1321 section 3.4.
const T = Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) >>> 0);

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
  const data = typeof input === "string" ? new TextEncoder().encode(input) : input;
  const state = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];
  const x = new Array<number>(16);
  const whole = data.length - (data.length & 63);
  for (let offset = 0; offset < whole; offset += 64) compress(state, readBlock(x, data, offset));
  const tail = new Uint8Array(128);
  const tailLength = padTail(data, true, 0, tail);
  for (let offset = 0; offset < tailLength; offset += 64) compress(state, readBlock(x, tail, offset));
  const out = new Uint8Array(16);
  const outView = new DataView(out.buffer);
  state.forEach((word, i) => outView.setUint32(i * 4, word, true));
  return out;
}

// The 16 little-endian words of the block at bytes[offset], into x.
function readBlock(x: number[], bytes: Uint8Array, offset: number): number[] {
  for (let j = 0, at = offset; j < 16; j++, at += 4) {
    x[j] = bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24);
  }
  return x;
}

// One 64-byte block: four rounds of sixteen operations on the state (RFC 1321 section 3.4).
function compress(state: number[], x: number[]): void {
  let [a, b, c, d] = state;
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
