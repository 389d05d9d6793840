// checkOk: the one check of a reply's `ok`, which every reply passes before a mechanism sees it.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type MongoAuthError, MongoServerError } from "../../src/core/errors.ts";
import { checkCommand, checkOk, commandName } from "../../src/wire/command.ts";

describe("checkOk", () => {
  it("returns the very reply when ok is 1 or true", () => {
    for (const reply of [{ ok: 1, done: true }, { ok: true, conversationId: 1 }]) {
      assert.equal(checkOk(reply), reply);
    }
  });

  it("throws the server's error for ok: 0, with its code, codeName and errmsg", () => {
    assert.throws(
      () => checkOk({ ok: 0, code: 59, codeName: "CommandNotFound", errmsg: "no such command: 'x'" }),
      (err: unknown) => {
        assert.ok(err instanceof MongoServerError);
        assert.equal(err.code, "SERVER_ERROR");
        assert.equal(err.serverCode, 59);
        assert.equal(err.codeName, "CommandNotFound");
        assert.equal(err.errmsg, "no such command: 'x'");
        assert.match(err.message, /server error 59 \(CommandNotFound\): no such command/);
        return true;
      },
    );
  });

  it("reports server error 18 as AUTHENTICATION_FAILED", () => {
    assert.throws(
      () => checkOk({ ok: 0, code: 18, codeName: "AuthenticationFailed", errmsg: "Authentication failed." }),
      { name: "MongoServerError", code: "AUTHENTICATION_FAILED" },
    );
  });

  it("treats a missing or odd ok as a failure, not as success", () => {
    for (const ok of [undefined, 0, false, "1", 2, null]) {
      assert.throws(() => checkOk({ ok }), { name: "MongoServerError" }, `ok: ${String(ok)}`);
    }
    assert.throws(() => checkOk({}), { name: "MongoServerError", message: /command failed/ });
  });

  it("a reply that is not a document is the runner's bug, not the server's: PROTOCOL_ERROR saying so", () => {
    for (
      const [reply, type] of [
        [null, "null"],
        [undefined, "undefined"],
        [42, "a number"],
        ["ok", "a string"],
        [[{ ok: 1 }], "an array"],
      ] as const
    ) {
      assert.throws(() => checkOk(reply as never, "saslStart"), (err: unknown) => {
        assert.ok(!(err instanceof MongoServerError), "no server said anything");
        assert.equal((err as MongoAuthError).code, "PROTOCOL_ERROR");
        assert.equal(
          (err as Error).message,
          `the reply to the saslStart command is ${type}, not a document: a CommandRunner must resolve to ` +
            "the server's reply document (with ok: 0 for a failed command, or throw), so check the runner",
        );
        return true;
      });
    }
    assert.throws(() => checkOk(null as never), {
      code: "PROTOCOL_ERROR",
      message: /^the reply to a command is null/,
    });
  });
});

describe("commandName", () => {
  it("is the first key, whatever follows; an empty document has none", () => {
    assert.equal(
      commandName({ saslContinue: 1, conversationId: 1, payload: new Uint8Array() }),
      "saslContinue",
    );
    assert.equal(commandName({ getMore: 5n, collection: "c" }), "getMore");
    assert.equal(commandName({}), "");
  });
});

describe("checkCommand", () => {
  it("takes a database name and a document whose first key names the command", () => {
    checkCommand("admin", { ping: 1 }, "command()");
    checkCommand("app", { find: "users", filter: {} }, "command()");
  });

  it("refuses a database name that is not a non-empty string, before anything reaches the server", () => {
    for (
      const [db, type] of [[5, "a number"], [null, "null"], [undefined, "undefined"], ["", "an empty string"]]
    ) {
      assert.throws(() => checkCommand(db as string, { ping: 1 }, "command()"), {
        code: "INVALID_OPTION",
        message: `command() needs the database name as a non-empty string, e.g. "admin", got ${type}`,
      });
    }
  });

  it("refuses a command that is not a document, or is empty", () => {
    for (const [cmd, type] of [["ping", "a string"], [null, "null"], [[{ ping: 1 }], "an array"]]) {
      assert.throws(() => checkCommand("admin", cmd as never, "command()"), {
        code: "INVALID_OPTION",
        message: `command() needs the command as a document, e.g. { ping: 1 }, got ${type}`,
      });
    }
    assert.throws(() => checkCommand("admin", {}, "command()"), {
      code: "INVALID_OPTION",
      message: "command() got an empty command: its first key names the command, e.g. { ping: 1 }",
    });
  });
});
