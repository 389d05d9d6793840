// Wire compression (OP_COMPRESSED) as mongod 7.0 does it: the compressors this process enables
// (`net.compression.compressors`, MessageCompressorRegistry), hello's negotiation and
// MessageCompressorManager's decompressMessage / compressMessage (transport/message_compressor_manager.cpp,
// message_compressor_zlib.cpp). Only zlib is implemented: node:zlib has it on Node, Deno and Bun alike.
import { deflateSync, inflateSync } from "node:zlib";
import type { ServerConfig } from "./config.ts";
import { HEADER_SIZE, MAX_MESSAGE_SIZE, OP_COMPRESSED, ProtocolViolation, view } from "./wire.ts";

/** One compressor of the registry, by its name in hello and its id in OP_COMPRESSED. */
interface Compressor {
  readonly name: string;
  readonly id: number;
  compress(data: Uint8Array): Uint8Array;
  /** At most `maxLength` bytes of output; throws when the data is corrupt or inflates to more. */
  decompress(data: Uint8Array, maxLength: number): Uint8Array;
}

const ZLIB: Compressor = {
  name: "zlib",
  id: 2,
  compress: (data) => deflateSync(data),
  // maxOutputLength bounds the allocation by what the header declares, as mongod's buffer is.
  decompress: (data, maxLength) => inflateSync(data, { maxOutputLength: Math.max(1, maxLength) }),
};

/** The compressors this server implements (mongod also has snappy, id 1, and zstd, id 3). */
const IMPLEMENTED: readonly Compressor[] = [ZLIB];

/** The compressors a server enables when its config names none. */
export const DEFAULT_COMPRESSORS: readonly string[] = ["zlib"];

/** OP_COMPRESSED's own header after the message header: originalOpcode, uncompressedSize, compressorId. */
const COMPRESSION_HEADER_SIZE = 9;

/**
 * Checks `config.compressors`.
 * @param compressors the configured list (undefined: the default)
 * @throws TypeError when it is not an array of strings or names a compressor other than zlib
 */
export function checkCompressors(compressors: unknown): void {
  if (compressors === undefined) return;
  if (!Array.isArray(compressors) || compressors.some((name) => typeof name !== "string")) {
    throw new TypeError('config.compressors must be an array of compressor names, like ["zlib"]');
  }
  for (const name of compressors) {
    if (!IMPLEMENTED.some((c) => c.name === name)) {
      throw new TypeError(
        `config.compressors: the reference server implements only zlib, got ${JSON.stringify(name)}`,
      );
    }
  }
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
    // Corrupt data, or more than declared (zlib's uncompress into mongod's buffer: Z_BUF_ERROR).
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
  if (zlibBound(bodyLength) + COMPRESSION_HEADER_SIZE + HEADER_SIZE > MAX_MESSAGE_SIZE) return undefined;
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

/** zlib's compressBound (ZlibMessageCompressor::getMaxCompressedSize). */
function zlibBound(length: number): number {
  return length + (length >>> 12) + (length >>> 14) + (length >>> 25) + 13;
}
