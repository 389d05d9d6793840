/**
 * SASLprep (RFC 4013), the password preparation SCRAM-SHA-256 requires. The tables come from
 * `@mongodb-js/saslprep`, the implementation MongoDB's own drivers use; this wrapper turns its errors
 * into a {@link MongoAuthError} that never repeats the input, which is usually a password.
 *
 * @module
 */
import { saslprep as prepare } from "@mongodb-js/saslprep";
import { MongoAuthError } from "../errors.ts";

/**
 * Prepares a string with SASLprep (RFC 4013): maps non-ASCII spaces to U+0020, removes characters
 * commonly mapped to nothing, normalizes to NFKC, and rejects prohibited, unassigned and
 * mixed-direction text.
 *
 * @param s the string, usually a password
 * @returns the prepared string
 * @throws {MongoAuthError} `INVALID_CREDENTIAL` when `s` holds a character SASLprep forbids; the
 *   message names the rule that failed, never the input
 *
 * @example RFC 4013 section 3
 * ```ts
 * import assert from "node:assert/strict";
 * import { saslprep } from "@mongo-auth/core";
 *
 * assert.equal(saslprep("I\u00ADX"), "IX");
 * assert.equal(saslprep("\u2168"), "IX");
 * assert.throws(() => saslprep("\u0007"), { code: "INVALID_CREDENTIAL" });
 * ```
 */
export function saslprep(s: string): string {
  if (typeof s !== "string") {
    throw new MongoAuthError("INVALID_CREDENTIAL", "SASLprep needs a string");
  }
  try {
    return prepare(s);
  } catch (err) {
    // The library's messages are fixed texts naming the RFC rule; they never include the input.
    throw new MongoAuthError(
      "INVALID_CREDENTIAL",
      `the password is not allowed by SASLprep (RFC 4013): ${reason(err)}; remove that character`,
    );
  }
}

// The rule that failed, taken from the library's fixed message without its URL, or a generic text.
function reason(err: unknown): string {
  const message = err instanceof Error ? err.message : "";
  if (/prohibited/i.test(message)) return "it contains a prohibited character";
  if (/unassigned/i.test(message)) return "it contains an unassigned code point";
  if (/RandALCat|bidirectional/i.test(message)) return "it mixes right-to-left and left-to-right text";
  return "it contains a character SASLprep rejects";
}
