/**
 * The words of the socket failures a user meets first, shared by the transports: each transport
 * recognises its runtime's error (Node's `ENOTFOUND`, Deno's `ConnectionRefused`, …) and reports it
 * with one of these, so every runtime says the same thing and what to do about it.
 *
 * @module
 */
import { MongoAuthError } from "../errors.ts";

/**
 * The host name does not resolve.
 *
 * @param host the host name
 * @param reason the resolver's reason (`ENOTFOUND`, "Name or service not known", …)
 * @param cause the runtime's error
 * @returns `CONNECTION_FAILED`
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unresolvableHost } from "./socket-errors.ts";
 *
 * assert.match(unresolvableHost("db.exmaple.net", "ENOTFOUND", undefined).message, /check the host name/);
 * ```
 */
export function unresolvableHost(host: string, reason: string, cause: unknown): MongoAuthError {
  return new MongoAuthError(
    "CONNECTION_FAILED",
    `cannot resolve host ${host} (${reason}): check the host name in the connection string`,
    { cause },
  );
}

/**
 * Nothing accepts connections on the port.
 *
 * @param peer `host:port`
 * @param cause the runtime's error
 * @returns `CONNECTION_FAILED`
 */
export function connectionRefused(peer: string, cause: unknown): MongoAuthError {
  return new MongoAuthError(
    "CONNECTION_FAILED",
    `cannot connect to ${peer}: connection refused (nothing listens there: check the host, the port ` +
      "and that the server is running)",
    { cause },
  );
}

/**
 * The peer hung up during our TLS handshake: mongod does that to a ClientHello when its TLS is off.
 *
 * @param peer `host:port`
 * @param cause the runtime's error
 * @returns `TLS_ERROR`
 */
export function closedDuringTlsHandshake(peer: string, cause: unknown): MongoAuthError {
  return new MongoAuthError(
    "TLS_ERROR",
    `${peer} closed the connection during the TLS handshake: it may not speak TLS, so remove tls=true ` +
      "or check the port; or it refused the client certificate",
    { cause },
  );
}
