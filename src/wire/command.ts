/**
 * The one check of a reply's `ok`: mongo-auth's own runners throw for `ok: 0`, but the runner of a
 * driver author may hand such a reply back, so every mechanism and the handshake pass replies here.
 *
 * @module
 */
import { MongoServerError } from "../core/errors.ts";
import type { Document } from "../auth/mechanism.ts";

/**
 * Throws the server's error when a reply has `ok: 0` (runners of driver authors may return those).
 *
 * @param reply the reply
 * @returns the same reply
 * @throws {MongoServerError} when `ok` is not 1
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkOk } from "./command.ts";
 *
 * assert.throws(() => checkOk({ ok: 0, code: 18, errmsg: "Authentication failed." }), { code: "AUTHENTICATION_FAILED" });
 * ```
 */
export function checkOk(reply: Document): Document {
  if (reply.ok === 1 || reply.ok === true) return reply;
  throw MongoServerError.fromReply(reply);
}
