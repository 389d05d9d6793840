// checkOk: the one check of a reply's `ok`, which every reply passes before a mechanism sees it.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MongoServerError } from "../../src/core/errors.ts";
import { checkOk } from "../../src/wire/command.ts";

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
});
