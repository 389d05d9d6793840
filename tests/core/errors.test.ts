import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MongoAuthError, MongoServerError } from "@mongo-auth/core";
import { reasonOf } from "../../src/core/errors.ts";

describe("MongoAuthError", () => {
  it("is an Error with a stable code and keeps its cause", () => {
    const cause = new Error("inner");
    const err = new MongoAuthError("INVALID_URI", "bad", { cause });
    assert.ok(err instanceof Error);
    assert.equal(err.name, "MongoAuthError");
    assert.equal(err.code, "INVALID_URI");
    assert.equal(err.cause, cause);
  });
});

describe("MongoServerError", () => {
  it("maps server error 18 to AUTHENTICATION_FAILED and keeps the server's fields", () => {
    const err = MongoServerError.fromReply({
      ok: 0,
      code: 18,
      codeName: "AuthenticationFailed",
      errmsg: "Authentication failed.",
    });
    assert.ok(err instanceof MongoAuthError);
    assert.equal(err.code, "AUTHENTICATION_FAILED");
    assert.equal(err.serverCode, 18);
    assert.equal(err.codeName, "AuthenticationFailed");
    assert.equal(err.errmsg, "Authentication failed.");
  });

  it("maps MongoDB Atlas's proxy's refusal (8000 AtlasError, \"bad auth\") to AUTHENTICATION_FAILED too", () => {
    for (
      const errmsg of [
        "bad auth : Authentication failed.",
        "bad auth Authentication failed.",
        "Authentication failed.",
      ]
    ) {
      const err = MongoServerError.fromReply({ ok: 0, code: 8000, codeName: "AtlasError", errmsg });
      assert.equal(err.code, "AUTHENTICATION_FAILED", errmsg);
      assert.equal(err.serverCode, 8000);
      assert.equal(err.codeName, "AtlasError");
    }
    const other = MongoServerError.fromReply({
      ok: 0,
      code: 8000,
      codeName: "AtlasError",
      errmsg: "cannot create a new collection -- already using 500 collections of 500",
    });
    assert.equal(other.code, "SERVER_ERROR");
  });

  it("says what Atlas's proxy's \"not allowed to do action\" (its 13) asks for: a role given in the Atlas UI", () => {
    const err = MongoServerError.fromReply({
      ok: 0,
      code: 8000,
      codeName: "AtlasError",
      errmsg: "user is not allowed to do action [insert] on [app.items]",
    });
    assert.equal(err.code, "SERVER_ERROR");
    assert.equal(
      err.message,
      "server error 8000 (AtlasError): user is not allowed to do action [insert] on [app.items]; the user logged " +
        "in, but no role of theirs allows this action there: on MongoDB Atlas, give the database user a role that " +
        "does (readWrite, say) in Database Access in the Atlas UI",
    );
  });

  it("maps other server errors to SERVER_ERROR", () => {
    const err = MongoServerError.fromReply({
      ok: 0,
      code: 391,
      codeName: "ReauthenticationRequired",
      errmsg: "x",
    });
    assert.equal(err.code, "SERVER_ERROR");
    assert.equal(err.serverCode, 391);
  });

  it("tolerates a reply without code fields", () => {
    const err = MongoServerError.fromReply({ ok: 0 });
    assert.equal(err.serverCode, 0);
    assert.equal(err.errmsg, "command failed");
  });

  it("says which option declares the Stable API when the server requires one (498870)", () => {
    const errmsg = "The apiVersion parameter is required, please configure your MongoClient's API version";
    const err = MongoServerError.fromReply({ ok: 0, code: 498870, codeName: "Location498870", errmsg });
    assert.equal(err.code, "SERVER_ERROR");
    assert.equal(err.errmsg, errmsg);
    assert.equal(
      err.message,
      `server error 498870 (Location498870): ${errmsg}; the deployment requires a declared Stable API version: ` +
        `give connect() serverApi: { version: "1" } (mongo-auth whoami: --apiVersion 1), or your driver's API ` +
        `version option`,
    );
  });

  it("says whether a 13 (Unauthorized) means no login or a user without the role, as mongod's words tell (else nothing)", () => {
    const unauthorized = (errmsg: string) =>
      MongoServerError.fromReply({ ok: 0, code: 13, codeName: "Unauthorized", errmsg });
    const anonymous = unauthorized("Command find requires authentication");
    assert.equal(anonymous.code, "SERVER_ERROR");
    assert.equal(anonymous.errmsg, "Command find requires authentication");
    assert.equal(
      anonymous.message,
      "server error 13 (Unauthorized): Command find requires authentication; this connection did not log in: put " +
        "the user and password in the connection string (or give them as options)",
    );
    const roleless = unauthorized(
      'not authorized on app to execute command { insert: "items", documents: [ { a: 1 } ], $db: "app" }',
    );
    assert.match(
      roleless.message,
      /; the user logged in, but no role of theirs allows this command on that database: grant one \(readWrite, say\) with grantRolesToUser/,
    );
    const elsewhere = unauthorized("configureFailPoint may only be run against the admin database.");
    assert.equal(
      elsewhere.message,
      "server error 13 (Unauthorized): configureFailPoint may only be run against the admin database.",
    );
  });

  it("maps SDAM's state change errors to NOT_PRIMARY, keeping the server's code, name and message", () => {
    const codes = [
      [10107, "NotWritablePrimary"],
      [13435, "NotPrimaryNoSecondaryOk"],
      [10058, "LegacyNotPrimary"],
      [11600, "InterruptedAtShutdown"],
      [11602, "InterruptedDueToReplStateChange"],
      [13436, "NotPrimaryOrSecondary"],
      [189, "PrimarySteppedDown"],
      [91, "ShutdownInProgress"],
    ] as const;
    for (const [code, codeName] of codes) {
      const err = MongoServerError.fromReply({ ok: 0, code, codeName, errmsg: "not primary" });
      assert.equal(err.code, "NOT_PRIMARY", codeName);
      assert.equal(err.serverCode, code);
      assert.equal(err.codeName, codeName);
      assert.equal(err.errmsg, "not primary");
      assert.match(
        err.message,
        new RegExp(`^server error ${code} \\(${codeName}\\): not primary; .*connect again`),
      );
    }
  });

  it("recognises a state change by its message only when the reply has no code", () => {
    assert.equal(MongoServerError.fromReply({ ok: 0, errmsg: "not master" }).code, "NOT_PRIMARY");
    assert.equal(MongoServerError.fromReply({ ok: 0, errmsg: "node is recovering" }).code, "NOT_PRIMARY");
    assert.equal(
      MongoServerError.fromReply({ ok: 0, code: 2, codeName: "BadValue", errmsg: "not master" }).code,
      "SERVER_ERROR",
    );
    assert.equal(
      MongoServerError.fromReply({ ok: 0, code: 11000, codeName: "DuplicateKey", errmsg: "E11000" }).code,
      "SERVER_ERROR",
    );
  });
});

describe("reasonOf", () => {
  it("gives a runtime error's own words on one line, whatever was thrown", () => {
    const denied = Object.assign(new Error("EACCES: permission denied, open '/ca.pem'\n    at open"), {
      code: "EACCES",
    });
    assert.equal(reasonOf(denied), "EACCES: permission denied, open '/ca.pem'");
    assert.equal(reasonOf("gone"), "gone");
    assert.equal(reasonOf(undefined), "undefined");
    assert.equal(reasonOf({ message: "refused" }), "refused");
    assert.equal(reasonOf({ name: "NotFound", message: "" }), "NotFound");
    assert.equal(reasonOf(Object.assign(new Error(""), { code: "ECONNREFUSED" })), "ECONNREFUSED");
  });
});
