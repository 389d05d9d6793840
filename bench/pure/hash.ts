// The shape shared by the pure-TypeScript SHA-1 and SHA-256 below: a Merkle–Damgård hash with
// 64-byte blocks and big-endian 32-bit words, driven one compression at a time so that HMAC and
// PBKDF2 can start from a saved state instead of rehashing the key for every block.

/** A block hash as PBKDF2 needs it: initial state, compression, output size in words. */
export interface BlockHash {
  /** The initial hash value H(0). */
  readonly iv: Int32Array;
  /** Output length in 32-bit words (5 for SHA-1, 8 for SHA-256). */
  readonly words: number;
  /** Mixes one 16-word block into `state`, in place. */
  compress(state: Int32Array, block: Int32Array): void;
}

/**
 * Hashes `data` starting from `state` (a copy is made), as if `prefixBytes` bytes had already been
 * absorbed: that is how HMAC continues from its precomputed inner and outer states.
 *
 * @param hash the block hash
 * @param state the state after the prefix
 * @param data the rest of the message
 * @param prefixBytes how many bytes the state already covers (a multiple of 64)
 * @returns the digest as words
 */
export function finish(hash: BlockHash, state: Int32Array, data: Uint8Array, prefixBytes = 0): Int32Array {
  const out = state.slice();
  const totalBits = (prefixBytes + data.length) * 8;
  const blocks = Math.floor((data.length + 8) / 64) + 1;
  const padded = new Uint8Array(blocks * 64);
  padded.set(data);
  padded[data.length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, Math.floor(totalBits / 2 ** 32));
  view.setUint32(padded.length - 4, totalBits >>> 0);
  const block = new Int32Array(16);
  for (let offset = 0; offset < padded.length; offset += 64) {
    for (let i = 0; i < 16; i++) block[i] = view.getInt32(offset + i * 4);
    hash.compress(out, block);
  }
  return out;
}

/**
 * A whole-message digest.
 *
 * @param hash the block hash
 * @param data the message
 * @returns the digest bytes
 */
export function digest(hash: BlockHash, data: Uint8Array): Uint8Array {
  return wordsToBytes(finish(hash, hash.iv, data));
}

/** Big-endian words to bytes. */
export function wordsToBytes(words: Int32Array): Uint8Array {
  const out = new Uint8Array(words.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < words.length; i++) view.setInt32(i * 4, words[i]);
  return out;
}
