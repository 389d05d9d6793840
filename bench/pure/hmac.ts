// HMAC (RFC 2104) over a pure-TypeScript block hash, keyed once: the states after absorbing
// K XOR ipad and K XOR opad are kept, so each MAC costs only the message's own blocks.
import { type BlockHash, digest, finish } from "./hash.ts";

/** An HMAC key: the hash states after the inner and outer key blocks. */
export interface HmacKey {
  readonly hash: BlockHash;
  readonly inner: Int32Array;
  readonly outer: Int32Array;
}

/** Prepares `key` for {@link hmac}; keys longer than a block are hashed first (RFC 2104). */
export function hmacKey(hash: BlockHash, key: Uint8Array): HmacKey {
  const padded = new Uint8Array(64);
  padded.set(key.length > 64 ? digest(hash, key) : key);
  return { hash, inner: keyState(hash, padded, 0x36), outer: keyState(hash, padded, 0x5c) };
}

function keyState(hash: BlockHash, padded: Uint8Array, pad: number): Int32Array {
  const block = new Int32Array(16);
  const view = new DataView(padded.buffer);
  for (let i = 0; i < 16; i++) block[i] = view.getInt32(i * 4) ^ (pad * 0x01010101);
  const state = hash.iv.slice();
  hash.compress(state, block);
  return state;
}

/** HMAC(key, data) as words. */
export function hmac(key: HmacKey, data: Uint8Array): Int32Array {
  const inner = finish(key.hash, key.inner, data, 64);
  return digestBlock(key.hash, key.outer, inner, new Int32Array(16), inner);
}

/**
 * HMAC of a message that is itself one digest (PBKDF2's U(i) from U(i-1)): two compressions and no
 * allocation, writing into `out`. `block` is scratch space of 16 words.
 */
export function hmacOfDigest(
  key: HmacKey,
  message: Int32Array,
  block: Int32Array,
  out: Int32Array,
): Int32Array {
  digestBlock(key.hash, key.inner, message, block, out); // H(K^ipad || message)
  return digestBlock(key.hash, key.outer, out, block, out); // H(K^opad || inner)
}

// H(64 key-block bytes || a digest-sized message), from the state after the key block: one block.
function digestBlock(
  hash: BlockHash,
  keyState: Int32Array,
  message: Int32Array,
  block: Int32Array,
  out: Int32Array,
): Int32Array {
  block.fill(0);
  block.set(message);
  block[hash.words] = 0x80000000 | 0;
  block[15] = (64 + hash.words * 4) * 8;
  out.set(keyState);
  hash.compress(out, block);
  return out;
}
