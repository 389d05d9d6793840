// PLAIN (RFC 4616, LDAP through $external): never speculative, since hello would carry the password; one
// saslStart with `\0user\0password`; a reply without done is a protocol error; the server's refusal is
// passed on as it came.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MongoServerError } from "@mongo-auth/core";
import { plain } from "../../src/mechanisms/plain.ts";
import { authContext } from "../support/auth-context.ts";
import { scriptedRunner } from "../support/scripted-runner.ts";

function authenticator(uri = "mongodb://bob:p%C3%A4ss%20word@ldap.test/?authMechanism=PLAIN") {
  return plain.create(authContext(uri, "ldap.test"));
}

describe("PLAIN", () => {
  it("has no speculative step: the password never travels in hello", async () => {
    assert.equal(await authenticator().speculativeCommand(), undefined);
  });

  it("sends one saslStart to the credential's source with \\0user\\0password in UTF-8", async () => {
    const runner = scriptedRunner(() => ({ ok: 1, done: true, conversationId: 1 }));
    await authenticator().finish(runner, undefined);
    assert.equal(runner.sent.length, 1);
    const [{ db, cmd }] = runner.sent;
    assert.equal(db, "$external");
    assert.deepEqual({ ...cmd, payload: undefined }, {
      saslStart: 1,
      mechanism: "PLAIN",
      payload: undefined,
      autoAuthorize: 1,
    });
    assert.deepEqual(cmd.payload, new TextEncoder().encode("\0bob\0päss word"));
  });

  it("uses authSource when the connection string gives one", async () => {
    const runner = scriptedRunner(() => ({ ok: 1, done: true }));
    await authenticator("mongodb://bob:pw@ldap.test/?authMechanism=PLAIN&authSource=ldapdb").finish(
      runner,
      undefined,
    );
    assert.equal(runner.sent[0].db, "ldapdb");
  });

  it("a reply without done is PROTOCOL_ERROR: PLAIN has exactly one step", async () => {
    const runner = scriptedRunner(() => ({
      ok: 1,
      done: false,
      conversationId: 1,
      payload: new Uint8Array(0),
    }));
    await assert.rejects(authenticator().finish(runner, undefined), {
      code: "PROTOCOL_ERROR",
      message: "PLAIN conversation did not complete",
    });
    assert.equal(runner.sent.length, 1);
  });

  it("passes the server's refusal on unchanged, with no password in it", async () => {
    const refusal = new MongoServerError(18, "AuthenticationFailed", "Authentication failed.");
    const runner = scriptedRunner(() => {
      throw refusal;
    });
    const error = await authenticator().finish(runner, undefined).catch((e) => e);
    assert.equal(error, refusal);
    assert.equal(error.code, "AUTHENTICATION_FAILED");
    assert.doesNotMatch(error.message, /päss/);
  });
});
