/**
 * Wire compression (the MongoDB OP_COMPRESSED specification): a message wrapped in OP_COMPRESSED, and the
 * way back. mongo-auth compresses with snappy (snappy.ts), zlib (the runtime's `CompressionStream`) or zstd
 * (the runtime's own, which the transport hands over as a {@link ZstdCodec} where the runtime has one), and
 * reads what a server sends compressed with any of them or not at all (noop).
 *
 * @module
 */
import { MongoAuthError } from "../core/errors.ts";
import { readBounded } from "../core/read-bounded.ts";
import { HEADER_SIZE, OP_MSG } from "./op-msg.ts";
import { snappyCompress, snappyUncompress } from "./snappy.ts";

/** The opcode of a compressed message. */
export const OP_COMPRESSED = 2012;

/** A compressor mongo-auth compresses with, by its handshake name. */
export type Compressor = "snappy" | "zlib" | "zstd";

/** The compressors mongo-auth implements, by handshake name (zstd only where the runtime has it). */
export const SUPPORTED_COMPRESSORS: readonly Compressor[] = Object.freeze(["snappy", "zlib", "zstd"]);

/**
 * A runtime's zstd (RFC 8878), as a transport provides it (`Transport.zstd`): the wire layer has no
 * zstd of its own, and uses this one for the messages of a connection that negotiated zstd.
 *
 * @example The Node.js transport's (undefined on Node.js 20, which has no zstd)
 * ```ts
 * import assert from "node:assert/strict";
 * import { nodeTransport } from "@mongo-auth/core/node";
 *
 * const zstd = nodeTransport.zstd;
 * if (zstd) {
 *   const text = new TextEncoder().encode("zstd ".repeat(100));
 *   const frame = await zstd.compress(text);
 *   assert.deepEqual(await zstd.decompress(frame, text.length), text);
 *   assert.equal(await zstd.decompress(frame, 10), undefined); // it would make more than 10 bytes
 * }
 * ```
 */
export interface ZstdCodec {
  /** Compresses `data` into one zstd frame. */
  compress(data: Uint8Array): Promise<Uint8Array>;
  /**
   * Decompresses `data`, never holding more than `limit` bytes of what it makes: `undefined` when it would
   * make more. Rejects when `data` is not zstd.
   */
  decompress(data: Uint8Array, limit: number): Promise<Uint8Array | undefined>;
}

// The specification's compressor ids. Replies may use any compressor negotiated, or noop (0).
const NOOP_ID = 0;
const SNAPPY_ID = 1;
const ZLIB_ID = 2;
const ZSTD_ID = 3;
const ID_OF: Readonly<Record<Compressor, number>> = { snappy: SNAPPY_ID, zlib: ZLIB_ID, zstd: ZSTD_ID };
// originalOpcode, uncompressedSize, compressorId.
const COMPRESSION_HEADER_SIZE = 9;

/**
 * Commands that are never compressed (the specification's list): the handshake and authentication, so
 * that no secret goes through a compressor whose output length could betray it.
 */
const UNCOMPRESSIBLE: ReadonlySet<string> = new Set([
  "hello",
  "isMaster",
  "ismaster",
  "saslStart",
  "saslContinue",
  "getnonce",
  "authenticate",
  "createUser",
  "updateUser",
  "copydbSaslStart",
  "copydbgetnonce",
  "copydb",
]);

/**
 * Whether a command may be sent compressed: every command but the handshake's and authentication's.
 *
 * @param commandName the command's name (its first key)
 * @returns false for hello, the SASL commands and the others the specification lists
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isCompressible } from "./compression.ts";
 *
 * assert.equal(isCompressible("find"), true);
 * assert.equal(isCompressible("saslContinue"), false);
 * ```
 */
export function isCompressible(commandName: string): boolean {
  return !UNCOMPRESSIBLE.has(commandName);
}

/**
 * The compressor this connection compresses with: the first of the client's list that the server's hello
 * reply lists (the specification's rule), or `undefined` when they share none.
 *
 * @param ours the compressors the client offered, in its order of preference
 * @param theirs the hello reply's `compression` field, whatever it holds
 * @returns the compressor to use, or `undefined`
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { negotiatedCompressor } from "./compression.ts";
 *
 * assert.equal(negotiatedCompressor(["zlib"], ["zlib"]), "zlib");
 * assert.equal(negotiatedCompressor(["zlib"], undefined), undefined);
 * ```
 */
export function negotiatedCompressor(
  ours: readonly Compressor[] | undefined,
  theirs: unknown,
): Compressor | undefined {
  if (!ours || !Array.isArray(theirs)) return undefined;
  return ours.find((name) => theirs.includes(name));
}

/**
 * Wraps an encoded message (header included) in OP_COMPRESSED: same request id, the original opcode and
 * size in the compression header, the rest compressed.
 *
 * @param message one complete message, e.g. from `encodeOpMsg`
 * @param compressor the compressor negotiated
 * @param zstd the runtime's zstd, for `"zstd"`
 * @returns the OP_COMPRESSED message
 * @throws {MongoAuthError} `RUNTIME_UNSUPPORTED` for `"zstd"` without a codec
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compressMessage, decompressMessage } from "./compression.ts";
 * import { decodeOpMsg, encodeOpMsg } from "./op-msg.ts";
 *
 * const compressed = await compressMessage(encodeOpMsg(7, { ping: 1, $db: "admin" }), "zlib");
 * const message = decodeOpMsg(await decompressMessage(compressed, 48_000_000, "db:27017"));
 * assert.deepEqual(message.body, { ping: 1, $db: "admin" });
 * ```
 */
export async function compressMessage(
  message: Uint8Array,
  compressor: Compressor,
  zstd?: ZstdCodec,
): Promise<Uint8Array> {
  const view = new DataView(message.buffer, message.byteOffset, message.byteLength);
  const payload = message.subarray(HEADER_SIZE);
  const body = compressor === "snappy"
    ? snappyCompress(payload)
    : compressor === "zlib"
    ? await deflate(payload)
    : await requireZstd(zstd).compress(payload);
  const length = HEADER_SIZE + COMPRESSION_HEADER_SIZE + body.length;
  const out = new Uint8Array(length);
  const header = new DataView(out.buffer);
  header.setInt32(0, length, true);
  header.setInt32(4, view.getInt32(4, true), true);
  header.setInt32(8, view.getInt32(8, true), true);
  header.setInt32(12, OP_COMPRESSED, true);
  header.setInt32(16, view.getInt32(12, true), true);
  header.setInt32(20, message.length - HEADER_SIZE, true);
  out[24] = ID_OF[compressor];
  out.set(body, HEADER_SIZE + COMPRESSION_HEADER_SIZE);
  return out;
}

/**
 * Unwraps an OP_COMPRESSED message into the OP_MSG it carries (its header rebuilt), decompressing with
 * the compressor its header names. The size it declares is never trusted: the output is bounded by it,
 * and must come to exactly it. The message it wraps must be an OP_MSG, the one message mongo-auth reads.
 *
 * @param frame one complete OP_COMPRESSED message
 * @param maxMessageSize the largest message the connection accepts (the server's maxMessageSizeBytes)
 * @param peer the server, for messages
 * @param zstd the runtime's zstd: without it a zstd message is a compressor mongo-auth does not implement
 * @returns the original message, header included
 * @throws {MongoAuthError} `PROTOCOL_ERROR` for a header too short, a wrapped message other than an
 *   OP_MSG (another OP_COMPRESSED included), a compressor mongo-auth does not implement, a size out of
 *   bounds, data that does not decompress, or decompresses to another size;
 *   `MESSAGE_TOO_LARGE` when the message it carries is larger than `maxMessageSize`
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decompressMessage } from "./compression.ts";
 *
 * const noop = new Uint8Array([30, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0xdc, 7, 0, 0, 0xdd, 7, 0, 0, 5, 0, 0, 0, 0, 1, 2, 3, 4, 5]);
 * const message = await decompressMessage(noop, 48_000_000, "db:27017");
 * assert.deepEqual([...message.subarray(12)], [0xdd, 7, 0, 0, 1, 2, 3, 4, 5]);
 * ```
 */
export async function decompressMessage(
  frame: Uint8Array,
  maxMessageSize: number,
  peer: string,
  zstd?: ZstdCodec,
): Promise<Uint8Array> {
  if (frame.length < HEADER_SIZE + COMPRESSION_HEADER_SIZE) {
    throw invalid(peer, "a compressed message too short for its compression header");
  }
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const originalOpcode = view.getInt32(16, true);
  if (originalOpcode !== OP_MSG) throw invalid(peer, wrongOpcode(originalOpcode));
  const size = view.getInt32(20, true);
  const compressorId = frame[24];
  const known = compressorId === ZLIB_ID || compressorId === SNAPPY_ID || compressorId === NOOP_ID ||
    (compressorId === ZSTD_ID && zstd !== undefined);
  if (!known) {
    throw invalid(
      peer,
      compressorId === ZSTD_ID
        ? "a message compressed with zstd (compressor 3), which this runtime has no zstd to decompress"
        : `a message compressed with compressor ${compressorId}, which mongo-auth does not implement`,
    );
  }
  if (size < 0) throw invalid(peer, `a compressed message that declares ${size} bytes`);
  if (HEADER_SIZE + size > maxMessageSize) {
    throw new MongoAuthError(
      "MESSAGE_TOO_LARGE",
      `${peer} sent a compressed message of ${HEADER_SIZE + size} bytes, more than maxMessageSizeBytes ` +
        `(${maxMessageSize})`,
    );
  }
  const data = frame.subarray(HEADER_SIZE + COMPRESSION_HEADER_SIZE);
  const body = compressorId === NOOP_ID
    ? data
    : compressorId === SNAPPY_ID
    ? unsnappy(data, size, peer)
    : compressorId === ZLIB_ID
    ? await inflate(data, size, peer)
    : await unzstd(zstd!, data, size, peer);
  if (body?.length !== size) {
    const holds = body === undefined ? "more" : `${body.length}`;
    throw invalid(peer, `a compressed message that declares ${size} bytes and holds ${holds}`);
  }
  const message = new Uint8Array(HEADER_SIZE + size);
  const header = new DataView(message.buffer);
  header.setInt32(0, message.length, true);
  header.setInt32(4, view.getInt32(4, true), true);
  header.setInt32(8, view.getInt32(8, true), true);
  header.setInt32(12, view.getInt32(16, true), true);
  message.set(body, HEADER_SIZE);
  return message;
}

// Refused before any work: a compressed message wrapping another would be unwrapped layer by layer, each
// layer copying the rest of the frame, and a frame of noop layers (9 bytes each) held the event loop for
// minutes.
function wrongOpcode(originalOpcode: number): string {
  return originalOpcode === OP_COMPRESSED
    ? "a compressed message that wraps another compressed message (originalOpcode 2012): a message is " +
      "compressed only once"
    : `a compressed message that wraps opcode ${originalOpcode}, where OP_MSG (2013) was expected`;
}

function invalid(peer: string, what: string): MongoAuthError {
  return new MongoAuthError("PROTOCOL_ERROR", `${peer} sent ${what}`);
}

function unsnappy(bytes: Uint8Array, size: number, peer: string): Uint8Array {
  try {
    return snappyUncompress(bytes, size);
  } catch (err) {
    throw new MongoAuthError(
      "PROTOCOL_ERROR",
      `${peer} sent a message that does not decompress (snappy: ${(err as Error).message})`,
    );
  }
}

function requireZstd(zstd: ZstdCodec | undefined): ZstdCodec {
  if (zstd) return zstd;
  throw new MongoAuthError(
    "RUNTIME_UNSUPPORTED",
    "zstd compression needs the runtime's zstd: give new WireConnection() the transport's (its zstd option, " +
      "Transport.zstd), or compress with snappy or zlib",
  );
}

async function unzstd(zstd: ZstdCodec, bytes: Uint8Array, limit: number, peer: string) {
  try {
    return await zstd.decompress(bytes, limit);
  } catch (err) {
    throw new MongoAuthError("PROTOCOL_ERROR", `${peer} sent a message that does not decompress (zstd)`, {
      cause: err,
    });
  }
}

async function deflate(bytes: Uint8Array): Promise<Uint8Array> {
  return (await readBounded(through(new CompressionStream("deflate"), bytes), Infinity))!;
}

// At most `limit` bytes are read out of the stream: more means the message lied about its size
// (`undefined`), and nothing beyond the limit is ever held.
async function inflate(bytes: Uint8Array, limit: number, peer: string): Promise<Uint8Array | undefined> {
  try {
    return await readBounded(through(new DecompressionStream("deflate"), bytes), limit);
  } catch (err) {
    if (err instanceof MongoAuthError) throw err;
    throw new MongoAuthError("PROTOCOL_ERROR", `${peer} sent a message that does not decompress (zlib)`, {
      cause: err,
    });
  }
}

function through(stream: CompressionStream | DecompressionStream, bytes: Uint8Array) {
  const writer = stream.writable.getWriter();
  // The reader sees any failure; these promises must not go unhandled besides.
  writer.write(bytes as Uint8Array<ArrayBuffer>).catch(() => {});
  writer.close().catch(() => {});
  return stream.readable.getReader();
}
