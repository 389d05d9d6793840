/**
 * Reading a stream whole, up to a bound: what a peer claims it sends never decides how much is held.
 *
 * @module
 */

/**
 * Reads `reader` to its end into one buffer, or stops (cancelling the stream) as soon as it has given more
 * than `limit` bytes.
 *
 * @param reader the stream's reader; released to no one else
 * @param limit the most bytes to hold (`Infinity`: no bound)
 * @returns the bytes, or `undefined` when the stream holds more than `limit`
 * @throws whatever reading the stream throws (a network error, data a decompressor refuses)
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readBounded } from "./read-bounded.ts";
 *
 * const stream = () => new Blob(["abc", "def"]).stream().getReader();
 * assert.deepEqual(await readBounded(stream(), 6), new TextEncoder().encode("abcdef"));
 * assert.equal(await readBounded(stream(), 5), undefined);
 * ```
 */
export async function readBounded(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  limit: number,
): Promise<Uint8Array | undefined> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.byteLength;
    if (length > limit) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0];
  const bytes = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}
