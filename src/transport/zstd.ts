/**
 * zstd for wire compression, from `node:zlib` where the runtime has it there (Node.js 22.15 and later, Deno,
 * Bun): the Node.js and Deno transports hand it to connect() as `Transport.zstd`. The work runs off the
 * event loop, in the runtime's thread pool, as the official driver's native zstd does.
 *
 * @module
 */
import * as zlib from "node:zlib";
import type { ZstdCodec } from "../wire/compression.ts";

type ZstdOptions = { maxOutputLength?: number; pledgedSrcSize?: number; chunkSize?: number };
type ZstdFunction = (
  data: Uint8Array,
  options: ZstdOptions,
  callback: (err: Error | null, result: Uint8Array) => void,
) => void;

// Read by name: the type declarations of Node.js 20, which the project builds against, have no zstd.
const { zstdCompress, zstdDecompress, zstdDecompressSync } = zlib as unknown as {
  zstdCompress?: ZstdFunction;
  zstdDecompress?: ZstdFunction;
  zstdDecompressSync?: (data: Uint8Array, options: ZstdOptions) => Uint8Array;
};

// Deno's asynchronous zstd throws a decoding error outside its callback, an uncaught exception that ends
// the process, when a frame is followed by other bytes (found by tests/hardening/fuzz-wire.test.ts); its
// synchronous one reports it. So Deno decompresses on the event loop: about 0.1 ms for a command's reply,
// 70 ms for 16 MB, 200 ms for the most a message may declare (48 MB), measured.
const decompressOnEventLoop = "Deno" in globalThis;

// The largest output chunk asked for at once (a message may declare up to 48 MB).
const MAX_CHUNK = 4 * 1024 * 1024;

/**
 * The runtime's zstd through `node:zlib`, or `undefined` where it has none (Node.js before 22.15).
 *
 * @returns the codec, or `undefined`
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nodeZstd } from "./zstd.ts";
 *
 * const zstd = nodeZstd();
 * if (zstd) {
 *   const text = new TextEncoder().encode("compress me ".repeat(50));
 *   const frame = await zstd.compress(text);
 *   assert.ok(frame.length < text.length);
 *   assert.deepEqual(await zstd.decompress(frame, text.length), text);
 *   assert.equal(await zstd.decompress(frame, text.length - 1), undefined);
 * }
 * ```
 */
export function nodeZstd(): ZstdCodec | undefined {
  if (typeof zstdCompress !== "function" || typeof zstdDecompress !== "function") return undefined;
  return {
    // With the size pledged the frame header carries it, as ZSTD_compress writes it (mongod, the official
    // driver): some decoders need it (pymongo's zstandard refuses a frame without), and Deno leaves it out
    // otherwise.
    compress: (data) => run(zstdCompress, data, { pledgedSrcSize: data.length }),
    // maxOutputLength makes zlib stop once the output would pass it (RangeError ERR_BUFFER_TOO_LARGE), so
    // that a frame which claims little and makes much never holds more than the limit. It cannot be 0.
    // Output chunks of the size expected: with the default 16 KB, each chunk is a round trip to the thread
    // pool (a 0.67 MB message took 3 ms on Bun and Deno, 1.1–1.4 ms in one chunk).
    decompress: (data, limit) => {
      const options = {
        maxOutputLength: Math.max(1, limit),
        chunkSize: Math.min(Math.max(64, limit), MAX_CHUNK),
      };
      const output = decompressOnEventLoop && zstdDecompressSync
        ? new Promise<Uint8Array>((resolve) => resolve(asUint8Array(zstdDecompressSync(data, options))))
        : run(zstdDecompress, data, options);
      return output.then(
        (out) => out.length > limit ? undefined : out,
        (err) => {
          if ((err as { code?: unknown }).code === "ERR_BUFFER_TOO_LARGE") return undefined;
          throw err;
        },
      );
    },
  };
}

// A Buffer as the plain Uint8Array the wire layer compares and hands on.
function asUint8Array(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function run(
  zstd: ZstdFunction,
  data: Uint8Array,
  options: ZstdOptions,
): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    zstd(
      data,
      options,
      (err, result) => err ? reject(err) : resolve(asUint8Array(result)),
    );
  });
}
