/**
 * SASL payloads travel as BSON Binary; these helpers turn what the server sent into bytes and text,
 * rejecting anything else with a clear error instead of a TypeError deep in a mechanism.
 *
 * @module
 */
import { Binary } from "bson";
import { MongoAuthError } from "../errors.ts";

/**
 * The bytes of a BSON Binary (or Uint8Array) value from a server reply.
 *
 * @param value the reply field, e.g. `reply.payload`
 * @param what the field's name, for the error message
 * @returns the bytes
 * @throws {MongoAuthError} `PROTOCOL_ERROR` when the value is not binary
 */
export function binaryBytes(value: unknown, what = "payload"): Uint8Array {
  if (value instanceof Binary) return value.buffer.subarray(0, value.position);
  if (value instanceof Uint8Array) return value;
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
