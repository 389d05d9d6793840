/**
 * What SHA-1 and SHA-256 share: a Merkle–Damgård hash over 64-byte blocks and big-endian 32-bit words,
 * driven one compression at a time, so that HMAC can start from a saved state (the state after its key
 * block) instead of hashing the key again for every message. Synchronous, in 32-bit integer arithmetic,
 * with no table indexed by data: what it hashes (SCRAM keys) never selects a memory address.
 *
 * @module
 */
import { padTail } from "./md-padding.ts";

// Scratch space of hashFrom(), wiped after every use (all of this is synchronous: no two calls overlap).
// One typed array allocated per call or three costs little on Node and Bun, and microseconds on Deno.
const WORKING = new Int32Array(8);
const TAIL = new Uint8Array(128);

/**
 * A block hash: its initial state, its compression function, its output length.
 *
 * @example SHA-256 as a block hash
 * ```ts
 * import assert from "node:assert/strict";
 * import { SHA256 } from "./sha256.ts";
 *
 * assert.equal(SHA256.initial.length, 8);
 * assert.equal(SHA256.outputLength, 32);
 * ```
 */
export interface BlockHash {
  /** The initial hash value H(0), as signed 32-bit words. */
  readonly initial: Int32Array;
  /** The digest length in bytes: the state's first `outputLength / 4` words. */
  readonly outputLength: number;
  /**
   * Mixes the 64-byte block at `bytes[offset]` into `state`, in place. Leaves no trace of the block in
   * any buffer of its own (the message schedule is wiped).
   */
  compress(state: Int32Array, bytes: Uint8Array, offset: number): void;
}

/**
 * Finishes a hash from `state`, the state after `prefixBytes` bytes (a multiple of 64), over the rest of
 * the message: the whole digest when `state` is the initial one and `prefixBytes` 0. The padded tail of
 * `data` and the working state are wiped before returning, since `data` may be a key.
 *
 * @param hash the block hash
 * @param state the state after the prefix (not modified)
 * @param data the rest of the message
 * @param prefixBytes how many bytes `state` already covers
 * @param out where to write the digest (`outputLength` bytes); a new array by default
 * @returns the digest: `out` when given
 *
 * @example SHA-256("abc"), FIPS 180-2 appendix B.1
 * ```ts
 * import assert from "node:assert/strict";
 * import { hashFrom } from "./block-hash.ts";
 * import { SHA256 } from "./sha256.ts";
 * import { toHex } from "./hex.ts";
 *
 * const digest = hashFrom(SHA256, SHA256.initial, new TextEncoder().encode("abc"));
 * assert.equal(toHex(digest), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
 * ```
 */
export function hashFrom(
  hash: BlockHash,
  state: Int32Array,
  data: Uint8Array,
  prefixBytes = 0,
  out: Uint8Array = new Uint8Array(hash.outputLength),
): Uint8Array {
  for (let i = 0; i < state.length; i++) WORKING[i] = state[i];
  const whole = data.length - (data.length & 63);
  for (let offset = 0; offset < whole; offset += 64) hash.compress(WORKING, data, offset);
  const tailLength = padTail(data, false, prefixBytes, TAIL);
  for (let offset = 0; offset < tailLength; offset += 64) hash.compress(WORKING, TAIL, offset);
  for (let i = 0; i < hash.outputLength; i++) out[i] = WORKING[i >>> 2] >>> (24 - 8 * (i & 3));
  TAIL.fill(0);
  WORKING.fill(0);
  return out;
}

/**
 * The big-endian 32-bit word at `bytes[offset]`, signed.
 *
 * @param bytes the bytes
 * @param offset where the word starts
 * @returns the word
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { wordAt } from "./block-hash.ts";
 *
 * assert.equal(wordAt(new Uint8Array([0, 0, 1, 2]), 0), 0x0102);
 * ```
 */
export function wordAt(bytes: Uint8Array, offset: number): number {
  return (bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3];
}
