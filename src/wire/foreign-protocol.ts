/**
 * Recognises the first bytes of a reply that is not MongoDB's wire protocol, so a wrong port or a
 * missing `tls=true` gets a message that says so instead of an absurd message length ("HTTP" read as
 * a length is 1 347 703 880 bytes) or a bare closed connection.
 *
 * @module
 */
import { MongoAuthError } from "../core/errors.ts";

const ascii = (head: Uint8Array, text: string) =>
  head.length >= text.length && [...text].every((c, i) => head[i] === c.charCodeAt(0));

/**
 * The error for a reply whose first bytes are another protocol's, or `undefined` when they may be
 * MongoDB's.
 *
 * @param head the first bytes the peer sent (at least 4)
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
  // A TLS record: content type alert (21) or handshake (22), then version 3.x.
  if ((head[0] === 21 || head[0] === 22) && head[1] === 3 && head[2] <= 4) {
    return new MongoAuthError(
      "TLS_ERROR",
      `${peer} answered with TLS (a TLS ${head[0] === 21 ? "alert" : "handshake"} record) to a plain ` +
        "connection: the server requires TLS, so add tls=true to the connection string (and tlsCAFile " +
        "when its certificate is signed by a private CA)",
    );
  }
  return undefined;
}
