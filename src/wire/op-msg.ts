/**
 * OP_MSG (opCode 2013) encoding and decoding with the `bson` package. Every length the peer sends is
 * checked against the bytes actually received before anything is read or allocated.
 *
 * @module
 */
import { BSON } from "bson";
import { MongoAuthError } from "../core/errors.ts";
import { crc32c } from "./crc32c.ts";
import { pooledBytes } from "./pooled-bytes.ts";
import type { Document } from "./command.ts";

/** The opCode of OP_MSG. */
export const OP_MSG = 2013;
/** Size of the standard message header: messageLength, requestID, responseTo, opCode. */
export const HEADER_SIZE = 16;

const CHECKSUM_PRESENT = 1 << 0;
const MORE_TO_COME = 1 << 1;
// Bits 0-15 are "required": a receiver must reject a message with one it does not know.
const KNOWN_REQUIRED_BITS = CHECKSUM_PRESENT | MORE_TO_COME;

/** A decoded OP_MSG. */
export interface OpMsg {
  readonly requestId: number;
  readonly responseTo: number;
  readonly flags: number;
  /** The kind-0 body section. */
  readonly body: Document;
  /** Kind-1 document sequences, by identifier. */
  readonly sequences: ReadonlyMap<string, Document[]>;
}

/**
 * Encodes a command as an OP_MSG with a single body section.
 *
 * @param requestId the message's requestID
 * @param body the command document (must include `$db`)
 * @returns the whole message, header included (a view of a shared slab when it is small: pooled-bytes.ts)
 */
export function encodeOpMsg(requestId: number, body: Document): Uint8Array {
  const doc = BSON.serialize(body);
  const length = HEADER_SIZE + 4 + 1 + doc.length;
  const message = pooledBytes(length);
  const view = new DataView(message.buffer, message.byteOffset, length);
  view.setInt32(0, length, true);
  view.setInt32(4, requestId, true);
  view.setInt32(8, 0, true);
  view.setInt32(12, OP_MSG, true);
  view.setUint32(16, 0, true);
  message[20] = 0;
  message.set(doc, 21);
  return message;
}

function protocolError(message: string, cause?: unknown): MongoAuthError {
  return new MongoAuthError("PROTOCOL_ERROR", `invalid OP_MSG from server: ${message}`, { cause });
}

function readDocument(bytes: Uint8Array, offset: number, end: number): [Document, number] {
  if (end - offset < 5) throw protocolError("truncated BSON document");
  const size = new DataView(bytes.buffer, bytes.byteOffset + offset, 4).getInt32(0, true);
  if (size < 5 || size > end - offset) throw protocolError("BSON document length out of bounds");
  try {
    return [
      BSON.deserialize(bytes.subarray(offset, offset + size), { validation: { utf8: true } }),
      offset + size,
    ];
  } catch (err) {
    throw protocolError("malformed BSON document", err);
  }
}

function readCString(bytes: Uint8Array, offset: number, end: number): [string, number] {
  const zero = bytes.indexOf(0, offset);
  if (zero < 0 || zero >= end) throw protocolError("unterminated section identifier");
  try {
    return [new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(offset, zero)), zero + 1];
  } catch (err) {
    throw protocolError("section identifier is not valid UTF-8", err);
  }
}

/**
 * Decodes a whole OP_MSG frame (header included), as produced by the frame reader.
 *
 * @param frame the message bytes; its first int32 must equal its length
 * @returns the decoded message
 * @throws {MongoAuthError} `PROTOCOL_ERROR` for anything that is not a valid OP_MSG
 */
export function decodeOpMsg(frame: Uint8Array): OpMsg {
  if (frame.length < HEADER_SIZE + 5) throw protocolError("message too short");
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  if (view.getInt32(0, true) !== frame.length) throw protocolError("length does not match the frame");
  const requestId = view.getInt32(4, true);
  const responseTo = view.getInt32(8, true);
  const opCode = view.getInt32(12, true);
  if (opCode !== OP_MSG) throw protocolError(`unexpected opCode ${opCode}`);
  const flags = view.getUint32(16, true);
  // Bits 16-31 (exhaustAllowed and future optional bits) may be ignored, as the OP_MSG spec allows.
  if ((flags & 0xffff & ~KNOWN_REQUIRED_BITS) !== 0) throw protocolError("unknown required flag bits");
  let end = frame.length;
  if (flags & CHECKSUM_PRESENT) {
    end -= 4;
    if (end < HEADER_SIZE + 5) throw protocolError("message too short for its checksum");
    if (crc32c(frame.subarray(0, end)) !== view.getUint32(end, true)) {
      throw protocolError("checksum mismatch");
    }
  }
  let body: Document | undefined;
  const sequences = new Map<string, Document[]>();
  let offset = HEADER_SIZE + 4;
  while (offset < end) {
    const kind = frame[offset++];
    if (kind === 0) {
      if (body) throw protocolError("more than one body section");
      [body, offset] = readDocument(frame, offset, end);
    } else if (kind === 1) {
      if (end - offset < 4) throw protocolError("truncated document sequence");
      const size = view.getInt32(offset, true);
      if (size < 4 || size > end - offset) throw protocolError("document sequence length out of bounds");
      const sectionEnd = offset + size;
      let identifier: string;
      let cursor: number;
      [identifier, cursor] = readCString(frame, offset + 4, sectionEnd);
      const docs: Document[] = [];
      while (cursor < sectionEnd) {
        let doc: Document;
        [doc, cursor] = readDocument(frame, cursor, sectionEnd);
        docs.push(doc);
      }
      sequences.set(identifier, docs);
      offset = sectionEnd;
    } else {
      throw protocolError(`unknown section kind ${kind}`);
    }
  }
  if (!body) throw protocolError("no body section");
  return { requestId, responseTo, flags, body, sequences };
}
