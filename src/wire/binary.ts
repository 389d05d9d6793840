/**
 * SASL payloads travel as BSON Binary; these helpers turn what the server sent into bytes and text,
 * rejecting anything else with a clear error instead of a TypeError deep in a mechanism.
 *
 * @module
 */
import { MongoAuthError } from "../core/errors.ts";

/**
 * The bytes of a BSON Binary or a Uint8Array, or `undefined` for anything else. A Binary from any
 * copy of the bson package counts (a driver author's runner may decode replies with its own), so it
 * is recognised by its `_bsontype`, not by `instanceof`.
 *
 * @param value a reply field
 * @returns the bytes, or `undefined`
 */
export function bytesOf(value: unknown): Uint8Array | undefined {
  if (value instanceof Uint8Array) return value;
  const binary = value as { _bsontype?: unknown; buffer?: unknown; position?: unknown } | null;
  if (binary?._bsontype !== "Binary" || !(binary.buffer instanceof Uint8Array)) return undefined;
  return typeof binary.position === "number" ? binary.buffer.subarray(0, binary.position) : binary.buffer;
}

/**
 * The bytes of a BSON Binary (or Uint8Array) value from a server reply.
 *
 * @param value the reply field, e.g. `reply.payload`
 * @param what the field's name, for the error message
 * @returns the bytes
 * @throws {MongoAuthError} `PROTOCOL_ERROR` when the value is not binary
 */
export function binaryBytes(value: unknown, what = "payload"): Uint8Array {
  const bytes = bytesOf(value);
  if (bytes) return bytes;
  throw new MongoAuthError("PROTOCOL_ERROR", `server reply has no binary ${what}`);
}

/**
 * The UTF-8 text of a BSON Binary value (SCRAM messages).
 *
 * @param value the reply field
 * @param what the field's name, for the error message
 * @returns the decoded text
 * @throws {MongoAuthError} `PROTOCOL_ERROR` when not binary or not valid UTF-8
 */
export function binaryText(value: unknown, what = "payload"): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(binaryBytes(value, what));
  } catch (err) {
    if (err instanceof MongoAuthError) throw err;
    throw new MongoAuthError("PROTOCOL_ERROR", `server ${what} is not valid UTF-8`, { cause: err });
  }
}
