/**
 * The command contract: what runs one command on a MongoDB connection ({@link CommandRunner}), the
 * documents it sends and gets back ({@link Document}), the one check of what a caller asks to send
 * ({@link checkCommand}) and the one check of a reply's `ok` ({@link checkOk}).
 *
 * @module
 */
import { MongoAuthError, MongoServerError } from "../core/errors.ts";
import { IS, typeName } from "../core/options.ts";

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
 * A command's name: its first key (`{ saslStart: 1, … }` is saslStart), or "" for an empty document. A
 * for-in that stops at the first key, since `Object.keys` would build the array of every key per command.
 *
 * @param cmd the command document
 * @returns the name
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { commandName } from "./command.ts";
 *
 * assert.equal(commandName({ saslStart: 1, mechanism: "SCRAM-SHA-256" }), "saslStart");
 * assert.equal(commandName({}), "");
 * ```
 */
export function commandName(cmd: Document): string {
  for (const key in cmd) return key;
  return "";
}

/**
 * Checks what a caller asks to send before anything is encoded: the database name a non-empty string, the
 * command a document whose first key names it. A wrong one would otherwise reach the server as `$db: 5`
 * (refused with a puzzling error) or fail as a `TypeError` inside the encoder.
 *
 * @param db the database name
 * @param cmd the command document
 * @param api the method, for the message (`command()`)
 * @throws {MongoAuthError} `INVALID_OPTION` saying what was wrong
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkCommand } from "./command.ts";
 *
 * checkCommand("admin", { ping: 1 }, "command()");
 * assert.throws(() => checkCommand("admin", "ping" as never, "command()"), {
 *   code: "INVALID_OPTION",
 *   message: "command() needs the command as a document, e.g. { ping: 1 }, got a string",
 * });
 * ```
 */
export function checkCommand(db: string, cmd: Document, api: string): void {
  if (typeof db !== "string" || db === "") {
    throw new MongoAuthError(
      "INVALID_OPTION",
      `${api} needs the database name as a non-empty string, e.g. "admin", got ${typeName(db)}`,
    );
  }
  if (!IS.object[0](cmd)) {
    throw new MongoAuthError(
      "INVALID_OPTION",
      `${api} needs the command as a document, e.g. { ping: 1 }, got ${typeName(cmd)}`,
    );
  }
  for (const _ in cmd) return;
  throw new MongoAuthError(
    "INVALID_OPTION",
    `${api} got an empty command: its first key names the command, e.g. { ping: 1 }`,
  );
}

/**
 * The one check of a reply's `ok`: returns the reply when `ok` is 1, throws the server's error otherwise.
 * A reply that is not a document at all (`null`, a number, an array) did not come from a server: a
 * {@link CommandRunner} resolved to something else than the reply, which is its bug, not the server's.
 *
 * @param reply the reply, as a runner resolved to it
 * @param command the command's name, for the message when the reply is not a document
 * @returns the same reply
 * @throws {MongoServerError} when `ok` is not 1 (`AUTHENTICATION_FAILED` for server error 18)
 * @throws {MongoAuthError} `PROTOCOL_ERROR` when the reply is not a document
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkOk } from "./command.ts";
 *
 * assert.throws(() => checkOk({ ok: 0, code: 18, errmsg: "Authentication failed." }), { code: "AUTHENTICATION_FAILED" });
 * assert.deepEqual(checkOk({ ok: 1, done: true }), { ok: 1, done: true });
 * assert.throws(() => checkOk(null as never, "saslStart"), { code: "PROTOCOL_ERROR" });
 * ```
 */
export function checkOk(reply: Document, command?: string): Document {
  if (reply?.ok === 1 || reply?.ok === true) return reply;
  if (!IS.object[0](reply)) throw notADocument(reply, command);
  throw MongoServerError.fromReply(reply);
}

function notADocument(reply: unknown, command: string | undefined): MongoAuthError {
  const to = command === undefined ? "a command" : `the ${command} command`;
  return new MongoAuthError(
    "PROTOCOL_ERROR",
    `the reply to ${to} is ${typeName(reply)}, not a document: a CommandRunner must resolve to the ` +
      "server's reply document (with ok: 0 for a failed command, or throw), so check the runner",
  );
}
