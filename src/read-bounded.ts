/**
 * Reads an HTTP response body with a size limit, so a peer that sends too much (or says it will) is
 * refused instead of filling memory. Used by DNS-over-HTTPS and the OIDC sign-in.
 *
 * @module
 */

/**
 * The whole body of `response`, refusing one larger than `maxBytes` (by its `content-length`, or as
 * read) with the error `tooLarge` makes; the body is cancelled then.
 *
 * @param response the response
 * @param maxBytes the limit
 * @param tooLarge makes the error to throw
 * @returns the body's bytes (empty when there is none)
 * @throws whatever `tooLarge` returns; whatever reading the body throws
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readBounded } from "./read-bounded.ts";
 *
 * assert.equal((await readBounded(new Response("abc"), 8, () => new Error("big"))).length, 3);
 * await assert.rejects(readBounded(new Response("too long"), 3, () => new Error("big")), /big/);
 * ```
 */
export async function readBounded(
  response: Response,
  maxBytes: number,
  tooLarge: () => Error,
): Promise<Uint8Array> {
  if (Number(response.headers.get("content-length") ?? "0") > maxBytes) {
    await response.body?.cancel();
    throw tooLarge();
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body?.getReader();
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  const body = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.byteLength;
  }
  return body;
}
