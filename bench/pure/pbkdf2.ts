// PBKDF2-HMAC (RFC 8018 section 5.2) in plain TypeScript: what a port without WebCrypto would pay
// for SCRAM's Hi(). Written the way a careful pure-JS implementation is (HMAC states precomputed,
// two compressions per iteration, no allocation in the loop), so the comparison is fair to it.
import { type BlockHash, wordsToBytes } from "./hash.ts";
import { hmac, hmacKey, hmacOfDigest } from "./hmac.ts";

/**
 * Derives `length` bytes with PBKDF2 over `hash`.
 *
 * @param hash the block hash (bench/pure/sha1.ts or sha256.ts)
 * @param password the password bytes
 * @param salt the salt bytes
 * @param iterations the iteration count
 * @param length output length in bytes
 * @returns the derived bytes
 */
export function pbkdf2(
  hash: BlockHash,
  password: Uint8Array,
  salt: Uint8Array,
  iterations: number,
  length: number,
): Uint8Array {
  const key = hmacKey(hash, password);
  const out = new Uint8Array(length);
  const block = new Int32Array(16);
  const u = new Int32Array(hash.words);
  for (let i = 1, offset = 0; offset < length; i++, offset += hash.words * 4) {
    const first = new Uint8Array(salt.length + 4);
    first.set(salt);
    new DataView(first.buffer).setUint32(salt.length, i);
    u.set(hmac(key, first));
    const t = u.slice();
    for (let n = 1; n < iterations; n++) {
      hmacOfDigest(key, u, block, u);
      for (let j = 0; j < t.length; j++) t[j] ^= u[j];
    }
    out.set(wordsToBytes(t).subarray(0, length - offset), offset);
  }
  return out;
}
