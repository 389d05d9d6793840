// MongoDB wire protocol framing, the server side: OP_MSG in both directions, OP_QUERY in (the
// legacy hello handshake drivers send before they know the server speaks OP_MSG) and OP_REPLY out.
import { BSON } from "bson";
import { crc32c } from "./crc32c.ts";

export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_COMPRESSED = 2012;
export const OP_MSG = 2013;
/** mongod's maxMessageSizeBytes. */
export const MAX_MESSAGE_SIZE = 48_000_000;
/** The message header: messageLength, requestID, responseTo, opCode. */
export const HEADER_SIZE = 16;
const CHECKSUM_PRESENT = 1 << 0;
const MORE_TO_COME = 1 << 1;
const EXHAUST_ALLOWED = 1 << 16;
/** Bits 0-15 are "required": a receiver must reject a message with one it doesn't know. */
const REQUIRED_BITS = 0xffff;
const KNOWN_REQUIRED = CHECKSUM_PRESENT | MORE_TO_COME;

/** A document as bson deserializes it. */
export type Document = Record<string, unknown>;

/** A message that breaks the wire protocol; the server closes the connection. */
export class ProtocolViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProtocolViolation";
  }
}

/** An OP_MSG command. */
export interface OpMsgRequest {
  readonly opCode: typeof OP_MSG;
  readonly requestId: number;
  /** The body with document sequences (section kind 1) merged in as arrays. */
  readonly body: Document;
  /** The body section's BSON, for the IDL checks that need field order, types and repeats. */
  readonly bodyBytes: Uint8Array;
  /** Names of the document sequences merged into `body`. */
  readonly sequenceNames: readonly string[];
  /** The client expects no reply. */
  readonly moreToCome: boolean;
  /** flagBits bit 16: the client accepts an exhaust stream of replies. */
  readonly exhaustAllowed: boolean;
}

/** An OP_QUERY message. */
export interface OpQueryRequest {
  readonly opCode: typeof OP_QUERY;
  readonly requestId: number;
  /** OP_QUERY flags, e.g. bit 6 Exhaust. */
  readonly flags: number;
  /** "<db>.<collection>", e.g. "admin.$cmd". */
  readonly collection: string;
  readonly numberToReturn: number;
  readonly query: Document;
  /** The query document's BSON. */
  readonly queryBytes: Uint8Array;
}

/** A parsed request. */
export type WireRequest = OpMsgRequest | OpQueryRequest;

/**
 * The length of the next complete message at the start of `buffer`, or 0 if more bytes are needed.
 * @param buffer bytes received so far
 * @returns the message length, or 0
 * @throws ProtocolViolation when the declared length is out of bounds
 */
export function nextMessageLength(buffer: Uint8Array): number {
  if (buffer.length < 4) return 0;
  const length = view(buffer).getInt32(0, true);
  if (length < HEADER_SIZE || length > MAX_MESSAGE_SIZE) {
    throw new ProtocolViolation(`message length ${length} out of bounds`);
  }
  return buffer.length >= length ? length : 0;
}

/**
 * Parses one complete message. The request's bytes (and bson Binary values) point into `message`: pass
 * bytes that nothing else will write to.
 * @param message exactly one message, header included
 * @returns the request
 * @throws ProtocolViolation for an unsupported opcode or malformed content
 */
export function parseMessage(message: Uint8Array): WireRequest {
  const header = view(message);
  const requestId = header.getInt32(4, true);
  const opCode = header.getInt32(12, true);
  try {
    if (opCode === OP_MSG) return parseOpMsg(message, requestId);
    if (opCode === OP_QUERY) return parseOpQuery(message, requestId);
  } catch (error) {
    if (error instanceof ProtocolViolation) throw error;
    throw new ProtocolViolation(`malformed message: ${(error as Error).message}`);
  }
  // OP_COMPRESSED is unwrapped before this (compression.ts), once: one inside another is refused here, as
  // are the legacy opcodes, gone in 7.0.
  throw new ProtocolViolation(`unsupported opCode ${opCode}`);
}

function parseOpMsg(message: Uint8Array, requestId: number): OpMsgRequest {
  const data = view(message);
  const flags = data.getUint32(HEADER_SIZE, true);
  const unknownRequired = flags & REQUIRED_BITS & ~KNOWN_REQUIRED;
  if (unknownRequired !== 0) {
    throw new ProtocolViolation(`unknown required OP_MSG flag bits ${unknownRequired}`);
  }
  let end = message.length;
  if (flags & CHECKSUM_PRESENT) {
    end -= 4;
    if (end < HEADER_SIZE + 4) throw new ProtocolViolation("OP_MSG too short for its checksum");
    if (crc32c(message.subarray(0, end)) !== data.getUint32(end, true)) {
      throw new ProtocolViolation("OP_MSG checksum mismatch");
    }
  }
  const { body, bodyBytes, sequences } = readSections(message, HEADER_SIZE + 4, end);
  for (const [name, docs] of sequences) {
    if (name in body) {
      throw new ProtocolViolation(`duplicate field ${name} in OP_MSG body and document sequence`);
    }
    body[name] = docs;
  }
  return {
    opCode: OP_MSG,
    requestId,
    body,
    bodyBytes,
    sequenceNames: [...sequences.keys()],
    moreToCome: (flags & MORE_TO_COME) !== 0,
    exhaustAllowed: (flags & EXHAUST_ALLOWED) !== 0,
  };
}

function readSections(message: Uint8Array, start: number, end: number) {
  let body: Document | undefined;
  let bodyBytes: Uint8Array | undefined;
  const sequences = new Map<string, Document[]>();
  let offset = start;
  while (offset < end) {
    const kind = message[offset++];
    if (kind === 0) {
      if (body !== undefined) throw new ProtocolViolation("OP_MSG has more than one body section");
      const size = documentSize(message, offset, end);
      // The message is the connection's own copy: the body may point into it.
      bodyBytes = message.subarray(offset, offset + size);
      body = BSON.deserialize(bodyBytes);
      offset += size;
    } else if (kind === 1) {
      offset = readSequence(message, offset, end, sequences);
    } else {
      throw new ProtocolViolation(`unknown OP_MSG section kind ${kind}`);
    }
  }
  if (offset !== end) throw new ProtocolViolation("OP_MSG sections overrun the message");
  if (body === undefined || bodyBytes === undefined) {
    throw new ProtocolViolation("OP_MSG has no body section");
  }
  return { body, bodyBytes, sequences };
}

function readSequence(
  message: Uint8Array,
  start: number,
  end: number,
  sequences: Map<string, Document[]>,
): number {
  const size = view(message).getInt32(start, true);
  const sequenceEnd = start + size;
  if (size < 5 || sequenceEnd > end) {
    throw new ProtocolViolation("OP_MSG document sequence size out of bounds");
  }
  const { text: name, next } = readCString(message, start + 4, sequenceEnd);
  if (sequences.has(name)) throw new ProtocolViolation(`duplicate OP_MSG document sequence ${name}`);
  const docs: Document[] = [];
  let offset = next;
  while (offset < sequenceEnd) {
    const docSize = documentSize(message, offset, sequenceEnd);
    docs.push(BSON.deserialize(message.subarray(offset, offset + docSize)));
    offset += docSize;
  }
  sequences.set(name, docs);
  return sequenceEnd;
}

function parseOpQuery(message: Uint8Array, requestId: number): OpQueryRequest {
  const flags = view(message).getInt32(HEADER_SIZE, true);
  const { text: collection, next } = readCString(message, HEADER_SIZE + 4, message.length);
  if (next + 8 > message.length) throw new ProtocolViolation("truncated OP_QUERY");
  const numberToReturn = view(message).getInt32(next + 4, true); // after numberToSkip
  const queryStart = next + 8;
  const size = documentSize(message, queryStart, message.length);
  const queryBytes = message.subarray(queryStart, queryStart + size);
  const query = BSON.deserialize(queryBytes);
  return { opCode: OP_QUERY, requestId, flags, collection, numberToReturn, query, queryBytes };
}

function documentSize(message: Uint8Array, offset: number, end: number): number {
  if (offset + 5 > end) throw new ProtocolViolation("truncated BSON document");
  const size = view(message).getInt32(offset, true);
  if (size < 5 || offset + size > end) throw new ProtocolViolation("BSON document size out of bounds");
  return size;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function readCString(message: Uint8Array, offset: number, end: number): { text: string; next: number } {
  const zero = message.indexOf(0, offset);
  if (zero < 0 || zero >= end) throw new ProtocolViolation("unterminated C string");
  return {
    text: utf8.decode(message.subarray(offset, zero)),
    next: zero + 1,
  };
}

/**
 * An OP_MSG reply with one body section.
 * @param requestId this message's id
 * @param responseTo the request's id (in an exhaust stream, the previous reply's id)
 * @param body the reply document
 * @param moreToCome set flagBits' moreToCome: another reply follows without a request (exhaust)
 * @returns the encoded message
 */
export function encodeOpMsg(
  requestId: number,
  responseTo: number,
  body: Document,
  moreToCome = false,
): Uint8Array {
  const doc = BSON.serialize(body);
  const message = new Uint8Array(HEADER_SIZE + 4 + 1 + doc.length);
  writeHeader(message, requestId, responseTo, OP_MSG);
  new DataView(message.buffer).setUint32(HEADER_SIZE, moreToCome ? MORE_TO_COME : 0, true);
  message[HEADER_SIZE + 4] = 0;
  message.set(doc, HEADER_SIZE + 5);
  return message;
}

/**
 * An OP_REPLY carrying one document, the answer to an OP_QUERY.
 * @param requestId this message's id
 * @param responseTo the request's id
 * @param doc the reply document
 * @param queryFailure set the QueryFailure response flag
 * @returns the encoded message
 */
export function encodeOpReply(
  requestId: number,
  responseTo: number,
  doc: Document,
  queryFailure = false,
): Uint8Array {
  const bytes = BSON.serialize(doc);
  const message = new Uint8Array(HEADER_SIZE + 20 + bytes.length);
  writeHeader(message, requestId, responseTo, OP_REPLY);
  const data = view(message);
  data.setInt32(HEADER_SIZE, queryFailure ? 2 : 0, true); // responseFlags
  data.setBigInt64(HEADER_SIZE + 4, 0n, true); // cursorID
  data.setInt32(HEADER_SIZE + 12, 0, true); // startingFrom
  data.setInt32(HEADER_SIZE + 16, 1, true); // numberReturned
  message.set(bytes, HEADER_SIZE + 20);
  return message;
}

function writeHeader(message: Uint8Array, requestId: number, responseTo: number, opCode: number): void {
  const data = view(message);
  data.setInt32(0, message.length, true);
  data.setInt32(4, requestId, true);
  data.setInt32(8, responseTo, true);
  data.setInt32(12, opCode, true);
}

/** A DataView over exactly `bytes`. */
export function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
