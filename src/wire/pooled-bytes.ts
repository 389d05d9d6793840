/**
 * Byte arrays for messages, cut from shared slabs as Node.js's `Buffer.allocUnsafe` cuts small buffers: a
 * typed array costs V8 about a microsecond to allocate when its bytes live outside the JavaScript heap (on
 * Deno every one, whatever its size; on Node.js those over 64 bytes), and a view of a slab a few
 * nanoseconds. A connection's handshake sends three messages and receives three replies of a few hundred
 * bytes each.
 *
 * A slab lives as long as any array cut from it. What is cut from one is a message to send, or a chunk read
 * (Deno) until its frames are decoded; a decoded reply's binary fields are views of its chunk, so a document
 * kept from a small reply keeps its slab (8 KiB) alive, as a Node.js `Buffer` from its pool does.
 *
 * @module
 */

const SLAB_BYTES = 8 * 1024;
// Larger arrays get their own memory: a slab would hold few of them, and they are not the hot path.
const MAX_POOLED_BYTES = 1024;

let slab = new Uint8Array(0);
let used = 0;

/**
 * A zeroed byte array of `length` bytes, a view of a shared slab when it is small. Its `buffer` is the
 * slab: read it through `byteOffset` and `byteLength`, never as a whole.
 *
 * @param length how many bytes
 * @returns the array, zeroed and handed out once
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pooledBytes } from "./pooled-bytes.ts";
 *
 * const a = pooledBytes(100);
 * const b = pooledBytes(100);
 * a.fill(1);
 * assert.equal(a.length, 100);
 * assert.deepEqual(b, new Uint8Array(100));
 * ```
 */
export function pooledBytes(length: number): Uint8Array {
  if (length > MAX_POOLED_BYTES) return new Uint8Array(length);
  if (used + length > slab.length) {
    slab = new Uint8Array(SLAB_BYTES);
    used = 0;
  }
  const bytes = slab.subarray(used, used + length);
  // Each array starts on an 8-byte boundary, as Node.js aligns its pooled buffers.
  used += (length + 7) & ~7;
  return bytes;
}

/**
 * A copy of `bytes`, cut from a shared slab when it is small (see {@link pooledBytes}).
 *
 * @param bytes what to copy
 * @returns the copy
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pooledCopy } from "./pooled-bytes.ts";
 *
 * const read = Uint8Array.of(1, 2, 3);
 * const copy = pooledCopy(read);
 * read.fill(0);
 * assert.deepEqual(copy, Uint8Array.of(1, 2, 3));
 * ```
 */
export function pooledCopy(bytes: Uint8Array): Uint8Array {
  const copy = pooledBytes(bytes.length);
  copy.set(bytes);
  return copy;
}
