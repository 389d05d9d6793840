/**
 * OP_MSG (opCode 2013) encoding and decoding with the `bson` package. Every length the peer sends is
 * checked against the bytes actually received before anything is read or allocated.
 *
 * @module
 */
import { BSON } from "bson";
import { MongoAuthError, reasonOf } from "../core/errors.ts";
import { crc32c } from "./crc32c.ts";
import { pooledBytes } from "./pooled-bytes.ts";
import { commandName, type Document } from "./command.ts";

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

// The header, the flag bits and the body section's kind byte.
const BODY_OFFSET = HEADER_SIZE + 4 + 1;
// The largest length a message header holds (an int32).
const MAX_LENGTH = 0x7fff_ffff;

// bson serializes into one shared buffer of 17 MiB (unless it was grown), and does not always say when a
// command outgrows it: a long binary throws a RangeError, but a long string is cut short in silence, and
// the document around it comes out whole-looking. A cut string ends at most 3 bytes before the buffer's
// end (a character that did not fit), and its terminator and the document's follow, so a result that
// reaches this close to the end is not trusted: the command is encoded again at its exact size.
const CUT_MARGIN = 16;
let trustedBelow = 17 * 1024 * 1024 - CUT_MARGIN;

/**
 * Encodes a command as an OP_MSG with a single body section.
 *
 * @param requestId the message's requestID
 * @param body the command document (must include `$db`)
 * @param maxMessageSize the largest message the server accepts (its `maxMessageSizeBytes`); default: the
 *   largest a header can say
 * @returns the whole message, header included (a view of a shared slab when it is small: pooled-bytes.ts)
 * @throws {MongoAuthError} `MESSAGE_TOO_LARGE` for a message larger than `maxMessageSize`, before a
 *   buffer of its size is allocated; `INVALID_OPTION` for a command BSON cannot hold (one that contains
 *   itself, say)
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeOpMsg, encodeOpMsg } from "./op-msg.ts";
 *
 * const message = encodeOpMsg(7, { ping: 1, $db: "admin" });
 * assert.deepEqual(decodeOpMsg(message).body, { ping: 1, $db: "admin" });
 * assert.throws(() => encodeOpMsg(8, { insert: "c", documents: [{ text: "x".repeat(100) }], $db: "app" }, 100), {
 *   code: "MESSAGE_TOO_LARGE",
 * });
 * ```
 */
export function encodeOpMsg(requestId: number, body: Document, maxMessageSize = MAX_LENGTH): Uint8Array {
  const doc = serializeBody(body);
  if (doc === undefined) return encodeLarge(requestId, body, maxMessageSize);
  const length = BODY_OFFSET + doc.length;
  if (length > maxMessageSize) throw messageTooLarge(commandName(body), length, maxMessageSize);
  const message = pooledBytes(length);
  writeHeader(message, length, requestId);
  message.set(doc, BODY_OFFSET);
  return message;
}

/**
 * The error for a command larger than the server accepts: its name and size, the limit, and what to do.
 *
 * @param command the command's name (its first key)
 * @param length the message's size in bytes
 * @param maxMessageSize the limit, the server's `maxMessageSizeBytes`
 * @returns a `MESSAGE_TOO_LARGE` error
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { messageTooLarge } from "./op-msg.ts";
 *
 * const err = messageTooLarge("insert", 50_000_000, 48_000_000);
 * assert.equal(err.code, "MESSAGE_TOO_LARGE");
 * assert.match(err.message, /^the insert command is 50000000 bytes, more than maxMessageSizeBytes \(48000000\)/);
 * ```
 */
export function messageTooLarge(command: string, length: number, maxMessageSize: number): MongoAuthError {
  return new MongoAuthError(
    "MESSAGE_TOO_LARGE",
    `the ${command} command is ${length} bytes, more than maxMessageSizeBytes (${maxMessageSize}), the ` +
      "largest message the server accepts: send it in smaller parts (fewer documents per insert, say)",
  );
}

// The serialized body, or undefined when it outgrew bson's buffer.
function serializeBody(body: Document): Uint8Array | undefined {
  let doc: Uint8Array;
  try {
    doc = BSON.serialize(body);
  } catch (err) {
    if (err instanceof RangeError) return undefined;
    throw notEncodable(body, err);
  }
  return doc.length < trustedBelow ? doc : undefined;
}

// Only for a command bson's buffer cannot hold: its exact size is worked out (a walk of the whole
// command), checked against the limit, and bson's buffer grown to hold it. bson keeps the grown buffer.
function encodeLarge(requestId: number, body: Document, maxMessageSize: number): Uint8Array {
  let size: number;
  try {
    size = BSON.calculateObjectSize(body);
  } catch (err) {
    throw notEncodable(body, err);
  }
  const length = BODY_OFFSET + size;
  if (length > maxMessageSize) throw messageTooLarge(commandName(body), length, maxMessageSize);
  BSON.setInternalBufferSize(size + CUT_MARGIN);
  trustedBelow = Math.max(trustedBelow, size);
  const message = new Uint8Array(length);
  try {
    const last = BSON.serializeWithBufferAndIndex(body, message, { index: BODY_OFFSET });
    if (last !== length - 1) throw new Error("it changed size while it was encoded");
  } catch (err) {
    throw notEncodable(body, err);
  }
  writeHeader(message, length, requestId);
  return message;
}

function writeHeader(message: Uint8Array, length: number, requestId: number): void {
  const view = new DataView(message.buffer, message.byteOffset, length);
  view.setInt32(0, length, true);
  view.setInt32(4, requestId, true);
  view.setInt32(8, 0, true);
  view.setInt32(12, OP_MSG, true);
  view.setUint32(16, 0, true);
  message[20] = 0;
}

// A caller's command that BSON cannot hold. bson's words name at most a key, a pattern or a type, and no
// command's secret is one of those (a password or payload is a value).
function notEncodable(body: Document, err: unknown): MongoAuthError {
  return new MongoAuthError(
    "INVALID_OPTION",
    `the ${commandName(body)} command cannot be encoded as BSON (${reasonOf(err)}): fix the command ` +
      "document (a document that contains itself cannot be sent)",
    { cause: err },
  );
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
