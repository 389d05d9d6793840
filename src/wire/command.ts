/**
 * The command contract: what runs one command on a MongoDB connection ({@link CommandRunner}), the
 * documents it sends and gets back ({@link Document}), and the one check of a reply's `ok`
 * ({@link checkOk}).
 *
 * @module
 */
import { MongoServerError } from "../core/errors.ts";

/**
 * A BSON document as plain JavaScript.
 *
 * @example A hello command
 * ```ts
 * import type { Document } from "@mongo-auth/core";
 *
 * const hello: Document = { hello: 1, helloOk: true };
 * ```
 */
export type Document = Record<string, unknown>;

/**
 * Runs one command and returns the server's reply: a driver's connection, or mongo-auth's own.
 *
 * The reply contract: a runner MAY return a reply with `ok: 0` (a driver author's runner often does)
 * or throw for it (mongo-auth's own `WireConnection` and `Connection` throw a `MongoServerError`).
 * Either is fine, because the authentication layer (`authenticate`, `beginAuthentication` and
 * re-authentication) passes every reply through {@link checkOk} before a mechanism sees it: the runner a
 * mechanism is handed throws for `ok: 0`, so a mechanism never checks `ok` itself.
 *
 * @example A runner over a driver's own connection
 * ```ts
 * import assert from "node:assert/strict";
 * import type { CommandRunner, Document } from "@mongo-auth/core";
 *
 * const sent: Document[] = [];
 * const runner: CommandRunner = {
 *   command: (db, cmd) => (sent.push({ ...cmd, $db: db }), Promise.resolve({ ok: 1 })),
 * };
 * assert.deepEqual(await runner.command("admin", { ping: 1 }), { ok: 1 });
 * assert.equal(sent[0].$db, "admin");
 * ```
 */
export interface CommandRunner {
  /**
   * Sends `cmd` to database `db`.
   *
   * @param db the database, sent as `$db`
   * @param cmd the command document
   * @returns the server's reply, `ok: 0` included (see the reply contract above)
   */
  command(db: string, cmd: Document): Promise<Document>;
}

/**
 * The Stable API fields a declared API version adds to every command (the `serverApi` option of
 * `connect()` makes them).
 *
 * @example
 * ```ts
 * import type { ApiParameters } from "@mongo-auth/core";
 *
 * const parameters: ApiParameters = { apiVersion: "1", apiStrict: true };
 * ```
 */
export interface ApiParameters {
  /** The declared API version: `"1"`. */
  readonly apiVersion: "1";
  /** Sent only when given: the server refuses commands outside the version. */
  readonly apiStrict?: boolean;
  /** Sent only when given: the server refuses what the version deprecates. */
  readonly apiDeprecationErrors?: boolean;
}

/**
 * The one check of a reply's `ok`: returns the reply when `ok` is 1, throws the server's error otherwise.
 *
 * @param reply the reply
 * @returns the same reply
 * @throws {MongoServerError} when `ok` is not 1 (`AUTHENTICATION_FAILED` for server error 18)
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkOk } from "./command.ts";
 *
 * assert.throws(() => checkOk({ ok: 0, code: 18, errmsg: "Authentication failed." }), { code: "AUTHENTICATION_FAILED" });
 * assert.deepEqual(checkOk({ ok: 1, done: true }), { ok: 1, done: true });
 * ```
 */
export function checkOk(reply: Document): Document {
  if (reply.ok === 1 || reply.ok === true) return reply;
  throw MongoServerError.fromReply(reply);
}
