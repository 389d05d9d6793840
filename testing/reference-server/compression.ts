// Wire compression (OP_COMPRESSED) as mongod 7.0 does it: the compressors this process enables
// (`net.compression.compressors`, MessageCompressorRegistry), hello's negotiation and
// MessageCompressorManager's decompressMessage / compressMessage (transport/message_compressor_manager.cpp,
// message_compressor_snappy.cpp, message_compressor_zlib.cpp, message_compressor_zstd.cpp). snappy comes
// from the `snappy` package (Google's raw format, napi: the one the official Node driver uses) and zlib from
// node:zlib, on Node, Deno and Bun alike; zstd from node:zlib where the runtime has it there (Deno, Bun,
// Node.js 22.15 and later; not the Node.js 20 CI runs).
import { compressSync, uncompressSync } from "snappy";
import * as zlib from "node:zlib";
import type { ServerConfig } from "./config.ts";
import { HEADER_SIZE, MAX_MESSAGE_SIZE, OP_COMPRESSED, ProtocolViolation, view } from "./wire.ts";

/** One compressor of the registry, by its name in hello and its id in OP_COMPRESSED. */
interface Compressor {
  readonly name: string;
  readonly id: number;
  compress(data: Uint8Array): Uint8Array;
  /**
   * The original data, never more than `declared` bytes (what the OP_COMPRESSED header says, the size of
   * mongod's output buffer); throws when the data is corrupt or does not fit.
   */
  decompress(data: Uint8Array, declared: number): Uint8Array;
  /** The most `compress` can make of `length` bytes (the compressor's getMaxCompressedSize). */
  maxCompressedSize(length: number): number;
}

/**
 * SnappyMessageCompressor: raw snappy (snappy::RawCompress / RawUncompress). Before uncompressing, mongod
 * reads the preamble (GetUncompressedLength) and refuses data that cannot say its length or says another
 * than the header's: so the library never allocates more than declared, and "returned less data than
 * expected" cannot happen with snappy.
 */
const SNAPPY: Compressor = {
  name: "snappy",
  id: 1,
  compress: (data) => compressSync(data),
  decompress: (data, declared) => {
    if (snappyPreamble(data) !== declared) throw new RangeError("snappy preamble is not the declared size");
    // Bun hands back an empty result from a native module as a detached buffer.
    const body = uncompressSync(data, { asBuffer: true }) as Uint8Array;
    return body.byteLength === 0 ? new Uint8Array() : body;
  },
  // snappy::MaxCompressedLength.
  maxCompressedSize: (length) => 32 + length + Math.floor(length / 6),
};

/**
 * snappy's preamble, the uncompressed length as a little-endian base-128 varint of at most 5 bytes
 * (Varint::Parse32WithLimit: the fifth byte below 16, so it fits 32 bits).
 * @param data raw snappy data
 * @returns the length, or undefined when the data ends first or the varint is too long
 */
function snappyPreamble(data: Uint8Array): number | undefined {
  let length = 0;
  for (let i = 0; i < 5 && i < data.length; i++) {
    const byte = data[i];
    if (i === 4 && byte >= 16) return undefined;
    length += (byte & 0x7f) * 2 ** (7 * i);
    if (byte < 0x80) return length;
  }
  return undefined;
}

const ZLIB: Compressor = {
  name: "zlib",
  id: 2,
  compress: (data) => zlib.deflateSync(data),
  // maxOutputLength bounds the allocation by what the header declares, as mongod's buffer is; less is
  // returned as it is, for decompressMessage's length check.
  decompress: (data, declared) => zlib.inflateSync(data, { maxOutputLength: Math.max(1, declared) }),
  // zlib's compressBound (ZlibMessageCompressor::getMaxCompressedSize).
  maxCompressedSize: (length) => length + (length >>> 12) + (length >>> 14) + (length >>> 25) + 13,
};

type ZstdSync = (
  data: Uint8Array,
  options?: { maxOutputLength?: number; pledgedSrcSize?: number },
) => Uint8Array;
// Read by name: Node.js 20's type declarations have no zstd.
const { zstdCompressSync, zstdDecompressSync } = zlib as unknown as {
  zstdCompressSync?: ZstdSync;
  zstdDecompressSync?: ZstdSync;
};

/**
 * ZstdMessageCompressor: ZSTD_compress at ZSTD_CLEVEL_DEFAULT (3, node:zlib's default too), its frame
 * header saying the content size as ZSTD_compress's does (pledged: Deno's node:zlib leaves it out otherwise,
 * and pymongo's zstandard cannot read such a frame), and
 * ZSTD_decompress into a buffer of the declared size, so more than declared is an error. One difference, on
 * Deno and Bun: their node:zlib hands back what a truncated frame holds where ZSTD_decompress (and Node.js's
 * zlib) fails, so such a message is refused as "returned less data than expected" rather than "invalid or
 * corrupted" (the session ends either way).
 */
const ZSTD: Compressor | undefined = zstdCompressSync && zstdDecompressSync && {
  name: "zstd",
  id: 3,
  compress: (data) => zstdCompressSync(data, { pledgedSrcSize: data.length }),
  decompress: (data, declared) => zstdDecompressSync(data, { maxOutputLength: Math.max(1, declared) }),
  // ZSTD_compressBound.
  maxCompressedSize: (length) =>
    length + (length >>> 8) + (length < 128 * 1024 ? (128 * 1024 - length) >>> 11 : 0),
};

/** The compressors this server implements: mongod's three where the runtime has zstd, else two. */
const IMPLEMENTED: readonly Compressor[] = ZSTD ? [SNAPPY, ZLIB, ZSTD] : [SNAPPY, ZLIB];

/** Whether this runtime's node:zlib has zstd (so the server implements it). */
export const ZSTD_IMPLEMENTED: boolean = ZSTD !== undefined;

/** The compressors a server enables when its config names none: mongod's default, snappy,zstd,zlib. */
export const DEFAULT_COMPRESSORS: readonly string[] = ["snappy", "zstd", "zlib"];

/** OP_COMPRESSED's own header after the message header: originalOpcode, uncompressedSize, compressorId. */
const COMPRESSION_HEADER_SIZE = 9;

/**
 * Checks `config.compressors`.
 * @param compressors the configured list (undefined: the default)
 * @throws TypeError when it is not an array of strings or names a compressor other than snappy, zlib and
 *   zstd (or zstd on a runtime without it)
 */
export function checkCompressors(compressors: unknown): void {
  if (compressors === undefined) return;
  if (!Array.isArray(compressors) || compressors.some((name) => typeof name !== "string")) {
    throw new TypeError('config.compressors must be an array of compressor names, like ["snappy", "zlib"]');
  }
  for (const name of compressors) {
    if (IMPLEMENTED.some((c) => c.name === name)) continue;
    const got = JSON.stringify(name);
    throw new TypeError(
      name === "zstd"
        ? "config.compressors: zstd needs a runtime whose node:zlib has it (Node.js 22.15 and later, Deno, Bun)"
        : `config.compressors: the reference server implements only snappy, zlib and zstd, got ${got}`,
    );
  }
}

/**
 * The name of an implemented compressor, for the stats.
 * @param id a compressor id decompressMessage returned
 * @returns its name in hello, e.g. "snappy"
 */
export function compressorName(id: number): string {
  return IMPLEMENTED.find((c) => c.id === id)!.name;
}

/** The compressors this server enables (mongod's MessageCompressorRegistry after startup). */
function enabled(config: ServerConfig): Compressor[] {
  const names = config.compressors ?? DEFAULT_COMPRESSORS;
  return IMPLEMENTED.filter((c) => names.includes(c.name));
}

/**
 * MessageCompressorManager::serverNegotiate: with a `compression` field, every name the server enables
 * is negotiated in the client's order (unknown ones skipped, repeats kept, as mongod does) and replaces
 * what was negotiated before; without one, the reply repeats the last negotiated list.
 * @param config the server's configuration
 * @param state the connection's state, where the negotiated list is kept
 * @param offered hello's `compression` (already type-checked by the IDL parse), or undefined
 * @returns the reply's `compression`, or undefined when the reply has none
 */
export function negotiateCompression(
  config: ServerConfig,
  state: { compressors?: readonly string[] },
  offered: readonly string[] | undefined,
): string[] | undefined {
  if (offered !== undefined) {
    const names = enabled(config).map((c) => c.name);
    state.compressors = offered.filter((name) => names.includes(name));
  }
  const negotiated = state.compressors ?? [];
  return negotiated.length > 0 ? [...negotiated] : undefined;
}

/** A message taken out of its OP_COMPRESSED envelope. */
export interface Decompressed {
  /** The original message, header included (its opCode the original one). */
  readonly message: Uint8Array;
  /** The compressor it came with: the reply goes back with the same one. */
  readonly compressorId: number;
}

/**
 * MessageCompressorManager::decompressMessage (7.0, with the CVE-2025-14847 fix): the declared size is
 * never trusted, the output is bounded by it and its real length compared with it.
 * @param message one complete OP_COMPRESSED message, header included
 * @param config the server's configuration (which compressors are enabled)
 * @returns the original message and its compressor
 * @throws ProtocolViolation with mongod's message for each refusal (the session ends)
 */
export function decompressMessage(message: Uint8Array, config: ServerConfig): Decompressed {
  if (message.length - HEADER_SIZE < COMPRESSION_HEADER_SIZE) {
    throw new ProtocolViolation("Invalid compressed message header");
  }
  const data = view(message);
  const originalOpcode = data.getInt32(HEADER_SIZE, true);
  const uncompressedSize = data.getInt32(HEADER_SIZE + 4, true);
  const compressorId = message[HEADER_SIZE + 8];
  // mongod 7.0 looks only at its registry: a compressor this connection did not negotiate still works.
  const compressor = enabled(config).find((c) => c.id === compressorId);
  if (compressor === undefined) {
    throw new ProtocolViolation("Compression algorithm specified in message is not available");
  }
  if (uncompressedSize < 0) throw new ProtocolViolation("Decompressed message would be negative in size");
  if (uncompressedSize + HEADER_SIZE > MAX_MESSAGE_SIZE) {
    throw new ProtocolViolation("Decompressed message would be larger than maximum message size");
  }
  let body: Uint8Array;
  try {
    body = compressor.decompress(message.subarray(HEADER_SIZE + COMPRESSION_HEADER_SIZE), uncompressedSize);
  } catch {
    // Corrupt data, or more than declared (zlib's uncompress into mongod's buffer: Z_BUF_ERROR), or a
    // snappy preamble unreadable or other than declared.
    throw new ProtocolViolation("Compressed message was invalid or corrupted");
  }
  if (body.length !== uncompressedSize) {
    throw new ProtocolViolation("Decompressing message returned less data than expected");
  }
  const out = new Uint8Array(HEADER_SIZE + body.length);
  out.set(message.subarray(0, HEADER_SIZE));
  const header = view(out);
  header.setInt32(0, out.length, true);
  header.setInt32(12, originalOpcode, true);
  out.set(body, HEADER_SIZE);
  return { message: out, compressorId };
}

/**
 * MessageCompressorManager::compressMessage with the request's compressor: the same requestId and
 * responseTo, opCode 2012. Like mongod, a message whose compressed bound would pass the maximum message
 * size goes uncompressed.
 * @param message the reply, header included
 * @param compressorId the compressor the request came with
 * @returns the OP_COMPRESSED message, or undefined to send `message` as it is
 */
export function compressMessage(message: Uint8Array, compressorId: number): Uint8Array | undefined {
  const compressor = IMPLEMENTED.find((c) => c.id === compressorId)!;
  const bodyLength = message.length - HEADER_SIZE;
  if (compressor.maxCompressedSize(bodyLength) + COMPRESSION_HEADER_SIZE + HEADER_SIZE > MAX_MESSAGE_SIZE) {
    return undefined;
  }
  const compressed = compressor.compress(message.subarray(HEADER_SIZE));
  const out = new Uint8Array(HEADER_SIZE + COMPRESSION_HEADER_SIZE + compressed.length);
  out.set(message.subarray(0, HEADER_SIZE));
  const data = view(out);
  data.setInt32(0, out.length, true);
  data.setInt32(12, OP_COMPRESSED, true);
  data.setInt32(HEADER_SIZE, view(message).getInt32(12, true), true);
  data.setInt32(HEADER_SIZE + 4, bodyLength, true);
  out[HEADER_SIZE + 8] = compressor.id;
  out.set(compressed, HEADER_SIZE + COMPRESSION_HEADER_SIZE);
  return out;
}
