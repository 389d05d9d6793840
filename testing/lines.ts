/**
 * Lines out of a stream's chunks: the reference server's command line reads "stats" requests with it, and the
 * processes that start the server (the benchmark, the command line's test) read its answers.
 *
 * @module
 */

/**
 * Makes a chunk handler that calls `onLine` with each complete line (without its "\n"), in order, however the
 * chunks cut them.
 *
 * @param onLine called with each line
 * @returns the handler to give each chunk
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lineReader } from "./lines.ts";
 *
 * const lines: string[] = [];
 * const read = lineReader((line) => lines.push(line));
 * read(new TextEncoder().encode("listening 127.0.0.1:1\nsta"));
 * read(new TextEncoder().encode("ts []\n"));
 * assert.deepEqual(lines, ["listening 127.0.0.1:1", "stats []"]);
 * ```
 */
export function lineReader(onLine: (line: string) => void): (chunk: Uint8Array) => void {
  const decoder = new TextDecoder();
  let pending = "";
  return (chunk) => {
    pending += decoder.decode(chunk, { stream: true });
    for (let end = pending.indexOf("\n"); end >= 0; end = pending.indexOf("\n")) {
      const line = pending.slice(0, end);
      pending = pending.slice(end + 1);
      onLine(line);
    }
  };
}
