/**
 * Recognises the first bytes of a reply that is not MongoDB's wire protocol, so a wrong port or a
 * missing `tls=true` gets a message that says so instead of an absurd message length ("HTTP" read as
 * a length is 1 347 703 880 bytes) or a bare closed connection.
 *
 * A TLS record and a MongoDB header can start with the same bytes: a reply of 789 bytes begins
 * `15 03 00 00`, as a TLS alert record does (and 790, 66 325, 66 326, … bytes likewise). A MongoDB header
 * then carries its opCode at bytes 12 to 15, so such a start is judged only with those bytes, or with
 * all the peer sent before it closed the connection, as a TLS server does after its alert.
 *
 * @module
 */
import { MongoAuthError } from "../core/errors.ts";
import { OP_COMPRESSED } from "./compression.ts";
import { HEADER_SIZE, OP_MSG } from "./op-msg.ts";

// The opCodes a server answers with: OP_MSG, OP_COMPRESSED, and OP_REPLY (to a legacy OP_QUERY).
const OP_REPLY = 1;
// A TLS record's length field is at most 2^14 + 2048 (RFC 5246 §6.2.3, the largest ciphertext).
const MAX_TLS_RECORD = 16_384 + 2_048;
const TLS_RECORD_HEADER = 5;

const ascii = (head: Uint8Array, text: string) =>
  head.length >= text.length && [...text].every((c, i) => head[i] === c.charCodeAt(0));

/**
 * Whether `head` starts as a TLS record does, so that only a whole message header (16 bytes) tells it from
 * a MongoDB reply: {@link foreignProtocolError} needs that many, or all the peer sent.
 *
 * @param head the first bytes the peer sent (at least 4)
 * @returns true for a content type of alert (21) or handshake (22) followed by version 3.0 to 3.4, while
 *   `head` is shorter than a message header
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { awaitsHeader } from "./foreign-protocol.ts";
 *
 * assert.equal(awaitsHeader(new Uint8Array([0x15, 0x03, 0x00, 0x00])), true); // a TLS alert, or 789 bytes of MongoDB
 * assert.equal(awaitsHeader(new Uint8Array([0x2a, 0, 0, 0])), false);
 * ```
 */
export function awaitsHeader(head: Uint8Array): boolean {
  return head.length < HEADER_SIZE && startsLikeTls(head);
}

/**
 * The error for a reply whose first bytes are another protocol's, or `undefined` when they may be
 * MongoDB's. A MongoDB header (a server's opCode at bytes 12 to 15) is never taken for another protocol.
 *
 * @param head the first bytes the peer sent: at least 4, and at least 16 when {@link awaitsHeader} says
 *   so, unless the peer closed the connection before sending that many
 * @param peer `host:port`, for the message
 * @returns `PROTOCOL_ERROR` for HTTP and SSH, `TLS_ERROR` for a TLS record; `undefined` otherwise
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { foreignProtocolError } from "./foreign-protocol.ts";
 *
 * const err = foreignProtocolError(new TextEncoder().encode("HTTP/1.1 400 Bad Request"), "db.example.net:80");
 * assert.equal(err?.code, "PROTOCOL_ERROR");
 * assert.equal(foreignProtocolError(new Uint8Array([0x2a, 0, 0, 0]), "h:1"), undefined);
 * const alert = new Uint8Array([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28]); // all a TLS server sent
 * assert.equal(foreignProtocolError(alert, "h:1")?.code, "TLS_ERROR");
 * ```
 */
export function foreignProtocolError(head: Uint8Array, peer: string): MongoAuthError | undefined {
  if (ascii(head, "HTTP")) {
    return new MongoAuthError(
      "PROTOCOL_ERROR",
      `${peer} speaks HTTP, not the MongoDB wire protocol: check the host and port in the connection ` +
        "string (MongoDB listens on 27017 unless configured otherwise)",
    );
  }
  if (ascii(head, "SSH-")) {
    return new MongoAuthError(
      "PROTOCOL_ERROR",
      `${peer} speaks SSH, not the MongoDB wire protocol: check the host and port in the connection string`,
    );
  }
  if (isTlsRecord(head) && !isMongoHeader(head)) {
    return new MongoAuthError(
      "TLS_ERROR",
      `${peer} answered with TLS (a TLS ${head[0] === 21 ? "alert" : "handshake"} record) to a plain ` +
        "connection: the server requires TLS, so add tls=true to the connection string (and tlsCAFile " +
        "when its certificate is signed by a private CA)",
    );
  }
  return undefined;
}

// Content type alert (21) or handshake (22), then version 3.x (SSL 3.0 to TLS 1.3's legacy 3.4).
function startsLikeTls(head: Uint8Array): boolean {
  return (head[0] === 21 || head[0] === 22) && head[1] === 3 && head[2] <= 4;
}

// The whole record header, with a length field a record may have.
function isTlsRecord(head: Uint8Array): boolean {
  if (head.length < TLS_RECORD_HEADER || !startsLikeTls(head)) return false;
  const length = (head[3] << 8) | head[4];
  return length > 0 && length <= MAX_TLS_RECORD;
}

function isMongoHeader(head: Uint8Array): boolean {
  if (head.length < HEADER_SIZE) return false;
  const opCode = head[12] | (head[13] << 8) | (head[14] << 16) | (head[15] << 24);
  return opCode === OP_MSG || opCode === OP_COMPRESSED || opCode === OP_REPLY;
}
