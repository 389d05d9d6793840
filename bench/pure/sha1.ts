// SHA-1 (FIPS 180-4 section 6.1) in plain TypeScript, for the PBKDF2 reference in bench/pbkdf2.ts.
import type { BlockHash } from "./hash.ts";

const w = new Int32Array(80);

/** SHA-1 as a {@link BlockHash}. */
export const sha1: BlockHash = {
  iv: new Int32Array([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0]),
  words: 5,
  compress(state, block) {
    for (let t = 0; t < 16; t++) w[t] = block[t];
    for (let t = 16; t < 80; t++) {
      const x = w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16];
      w[t] = (x << 1) | (x >>> 31);
    }
    let a = state[0], b = state[1], c = state[2], d = state[3], e = state[4];
    // Four rounds of 20 steps, each with its own function and constant.
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
      const temp = (((a << 5) | (a >>> 27)) + f + e + k + w[t]) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = temp;
    }
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
    state[4] += e;
  },
};
