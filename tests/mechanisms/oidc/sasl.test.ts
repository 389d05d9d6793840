// The MONGODB-OIDC SASL messages as the auth spec writes them: the one-step saslStart { jwt }, the
// two-step principal request { n? } and its saslContinue { jwt }, and how the server's replies and
// errors are read.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Binary, BSON } from "bson";
import {
  checkDone,
  isAuthenticationFailure,
  jwtContinueCommand,
  jwtStepCommand,
  MONGODB_OIDC,
  principalStepCommand,
  readPayload,
} from "../../../src/mechanisms/oidc/sasl.ts";
import { MongoAuthError, MongoServerError } from "../../../src/core/errors.ts";
import type { Document } from "../../../src/wire/command.ts";

const payloadOf = (command: Document) => BSON.deserialize((command.payload as Binary).buffer);

function protocolError(run: () => unknown, message: RegExp): void {
  assert.throws(run, (err: unknown) => {
    assert.ok(err instanceof MongoAuthError);
    assert.equal(err.code, "PROTOCOL_ERROR");
    assert.match(err.message, message);
    return true;
  });
}

describe("the client's messages", () => {
  it("one-step: saslStart MONGODB-OIDC with payload { jwt } and nothing else", () => {
    const command = jwtStepCommand("header.claims.signature");
    assert.equal(MONGODB_OIDC, "MONGODB-OIDC");
    assert.deepEqual(Object.keys(command), ["saslStart", "mechanism", "payload"]);
    assert.equal(command.saslStart, 1);
    assert.equal(command.mechanism, "MONGODB-OIDC");
    assert.ok(command.payload instanceof Binary);
    assert.deepEqual(payloadOf(command), { jwt: "header.claims.signature" });
  });

  it("two-step, first: saslStart with { n: username }, or an empty payload without a username", () => {
    const named = principalStepCommand("test_user1");
    assert.deepEqual(Object.keys(named), ["saslStart", "mechanism", "payload"]);
    assert.equal(named.mechanism, "MONGODB-OIDC");
    assert.deepEqual(payloadOf(named), { n: "test_user1" });
    assert.deepEqual(payloadOf(principalStepCommand(undefined)), {});
    // An empty name is a name: the server decides what it means.
    assert.deepEqual(payloadOf(principalStepCommand("")), { n: "" });
  });

  it("two-step, second: saslContinue with the server's conversationId as given and { jwt }", () => {
    const command = jwtContinueCommand(7, "header.claims.signature");
    assert.deepEqual(Object.keys(command), ["saslContinue", "conversationId", "payload"]);
    assert.equal(command.saslContinue, 1);
    assert.equal(command.conversationId, 7);
    assert.deepEqual(payloadOf(command), { jwt: "header.claims.signature" });
  });
});

describe("readPayload", () => {
  const idpInfo = { issuer: "https://idp.example", clientId: "mongo-client", requestScopes: ["openid"] };

  it("decodes the payload whether it is a Binary or a Uint8Array", () => {
    const bytes = BSON.serialize(idpInfo);
    assert.deepEqual(readPayload({ ok: 1, payload: new Binary(bytes) }), idpInfo);
    assert.deepEqual(readPayload({ ok: 1, payload: bytes }), idpInfo);
  });

  it("refuses a reply without a payload, or with a payload that is not binary", () => {
    for (const reply of [{ ok: 1 }, { ok: 1, payload: "eyJ..." }, { ok: 1, payload: null }]) {
      protocolError(() => readPayload(reply), /^MONGODB-OIDC: the server's reply has no payload$/);
    }
  });

  it("refuses a payload that is not BSON, keeping the parser's error as the cause", () => {
    const garbage = new Binary(Uint8Array.of(0xff, 0xff, 0xff, 0x7f, 0x00));
    assert.throws(() => readPayload({ ok: 1, payload: garbage }), (err: unknown) => {
      assert.ok(err instanceof MongoAuthError);
      assert.equal(err.code, "PROTOCOL_ERROR");
      assert.equal(err.message, "MONGODB-OIDC: the server's payload is not BSON");
      assert.ok(err.cause instanceof Error);
      return true;
    });
  });
});

describe("checkDone", () => {
  it("accepts done: true only", () => {
    checkDone({ ok: 1, done: true });
    for (const done of [false, undefined, 1, "true"]) {
      protocolError(() => checkDone({ ok: 1, done }), /the server did not finish after the token step/);
    }
  });
});

describe("isAuthenticationFailure", () => {
  it("is true for a refused login only (18, or Atlas's proxy's 8000 \"bad auth\"), ours or a driver's", () => {
    assert.equal(isAuthenticationFailure(new MongoServerError(18, "AuthenticationFailed", "")), true);
    assert.equal(isAuthenticationFailure(Object.assign(new Error("driver's"), { code: 18 })), true);
    const atlas = "bad auth : Authentication failed.";
    assert.equal(isAuthenticationFailure(new MongoServerError(8000, "AtlasError", atlas)), true);
    assert.equal(isAuthenticationFailure(Object.assign(new Error(atlas), { code: 8000 })), true);
    assert.equal(isAuthenticationFailure(Object.assign(new Error("x"), { code: 8000, errmsg: atlas })), true);
    assert.equal(
      isAuthenticationFailure(new MongoServerError(8000, "AtlasError", "user is not allowed")),
      false,
    );
    assert.equal(isAuthenticationFailure(new MongoServerError(391, "ReauthenticationRequired", "")), false);
    assert.equal(
      isAuthenticationFailure(new MongoAuthError("AUTHENTICATION_FAILED", "not the server's")),
      false,
    );
    assert.equal(isAuthenticationFailure(Object.assign(new Error("x"), { code: "18" })), false);
    assert.equal(isAuthenticationFailure(null), false);
  });
});
