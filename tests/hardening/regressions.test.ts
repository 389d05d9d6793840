// Regression tests for the bugs the hardening work (fuzz, hostile peers) found in src/, one per bug,
// each named after it. Each failed before its fix.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Binary, BSON } from "bson";
import {
  AuthCacheStore,
  authenticate,
  beginAuthentication,
  type CommandRunner,
  MongoAuthError,
  parseCredential,
} from "@mongo-auth/core";
import { decodeOpMsg } from "../../src/wire/op-msg.ts";

describe("hardening regressions", () => {
  it("decodeOpMsg: a section identifier that is not UTF-8 is PROTOCOL_ERROR, not a TypeError", () => {
    const body = BSON.serialize({ ok: 1 });
    const doc = BSON.serialize({ a: 1 });
    const identifier = Uint8Array.of(0xff, 0xfe, 0); // invalid UTF-8, NUL-terminated
    const sectionSize = 4 + identifier.length + doc.length;
    const length = 16 + 4 + 1 + body.length + 1 + sectionSize;
    const frame = new Uint8Array(length);
    const view = new DataView(frame.buffer);
    view.setInt32(0, length, true);
    view.setInt32(12, 2013, true);
    let at = 20;
    frame[at++] = 0;
    frame.set(body, at);
    at += body.length;
    frame[at++] = 1;
    view.setInt32(at, sectionSize, true);
    frame.set(identifier, at + 4);
    frame.set(doc, at + 4 + identifier.length);
    assert.throws(() => decodeOpMsg(frame), (err: unknown) => {
      assert.ok(err instanceof MongoAuthError);
      assert.equal(err.code, "PROTOCOL_ERROR");
      return true;
    });
  });

  it("MONGODB-AWS: a saslStart payload that is not BSON is PROTOCOL_ERROR, not a BSONError", async () => {
    const credential = parseCredential("mongodb://AKIDEXAMPLE:secret@localhost/?authMechanism=MONGODB-AWS")!;
    const runner: CommandRunner = {
      command: () =>
        Promise.resolve({ ok: 1, conversationId: 1, done: false, payload: new Binary(Uint8Array.of(1, 2)) }),
    };
    await assert.rejects(
      authenticate(runner, credential, { cacheStore: new AuthCacheStore(), helloReply: { ok: 1 } }),
      (err: unknown) => err instanceof MongoAuthError && err.code === "PROTOCOL_ERROR",
    );
  });

  it("MONGODB-AWS: an STS host that is not a URL host is PROTOCOL_ERROR, not aws4fetch's TypeError", async () => {
    const credential = parseCredential("mongodb://AKIDEXAMPLE:secret@localhost/?authMechanism=MONGODB-AWS")!;
    for (
      const h of ["#", "sts.amazonaws.com:99999", "sts amazonaws.com", "sts.amazonaws.com/path", "u@sts.com"]
    ) {
      const runner: CommandRunner = {
        command(_db, cmd) {
          const r = BSON.deserialize((cmd.payload as Binary).value()).r as Binary;
          const s = new Binary(new Uint8Array([...r.value(), ...new Uint8Array(32)]));
          return Promise.resolve({
            ok: 1,
            conversationId: 1,
            done: false,
            payload: new Binary(BSON.serialize({ s, h })),
          });
        },
      };
      await assert.rejects(
        authenticate(runner, credential, { cacheStore: new AuthCacheStore(), helloReply: { ok: 1 } }),
        (err: unknown) => err instanceof MongoAuthError && err.code === "PROTOCOL_ERROR",
        h,
      );
    }
  });

  it("authenticate(): aborting while a driver's runner has a command pending rejects at once with ABORTED", async () => {
    const credential = parseCredential("mongodb://alice:pw@localhost/?authMechanism=SCRAM-SHA-256")!;
    const runner: CommandRunner = { command: () => new Promise(() => {}) }; // a server that never answers
    const controller = new AbortController();
    const attempt = authenticate(runner, credential, { signal: controller.signal });
    setTimeout(() => controller.abort(), 10);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const outcome = await Promise.race([
      attempt.then(() => "resolved", (err: unknown) => err),
      new Promise((resolve) => (timer = setTimeout(() => resolve("still pending after 2 s"), 2000))),
    ]);
    clearTimeout(timer);
    assert.ok(outcome instanceof MongoAuthError, String(outcome));
    assert.equal(outcome.code, "ABORTED");
  });

  it("SCRAM with an explicit mechanism against a server that ignores speculativeAuthenticate: saslStart is sent", async () => {
    // Before the fix the client-first message was made twice and SCRAM failed with SCRAM_PROTOCOL_ERROR
    // before sending anything (MongoDB < 4.4 never answers speculativeAuthenticate).
    for (const mechanism of ["SCRAM-SHA-256", "SCRAM-SHA-1"]) {
      const credential = parseCredential(`mongodb://alice:pw@h/?authMechanism=${mechanism}`)!;
      const sent: Record<string, unknown>[] = [];
      const runner: CommandRunner = {
        command(_db, cmd) {
          sent.push(cmd);
          return Promise.resolve({
            ok: 0,
            code: 18,
            codeName: "AuthenticationFailed",
            errmsg: "Authentication failed.",
          });
        },
      };
      const auth = await beginAuthentication(credential, { cacheStore: new AuthCacheStore() });
      await assert.rejects(auth.complete(runner, { ok: 1, maxWireVersion: 7 }), {
        code: "AUTHENTICATION_FAILED",
      });
      assert.equal(sent.length, 1);
      assert.equal(sent[0].saslStart, 1);
      const speculative = auth.helloFields.speculativeAuthenticate as Record<string, unknown>;
      assert.deepEqual(sent[0].payload, speculative.payload, "the same client-first message is sent");
    }
  });
});
