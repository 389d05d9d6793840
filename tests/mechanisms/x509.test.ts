// MONGODB-X509: the certificate is the credential, so the `authenticate` command (never saslStart: mongod
// 7.0 does not speak X509 over SASL) carries at most the user name. Speculative in hello where connect()
// will stay; otherwise one authenticate on $external. mongod answers 11 UserNotFound, not 18, for a
// subject with no $external user: that becomes AUTHENTICATION_FAILED saying what to create.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MongoServerError } from "@mongo-auth/core";
import { mongodbX509 } from "../../src/mechanisms/x509.ts";
import { authContext } from "../support/auth-context.ts";
import { scriptedRunner } from "../support/scripted-runner.ts";

const SUBJECT = "CN=client,OU=apps,O=Example";

function authenticator(uri = "mongodb://db.test/?authMechanism=MONGODB-X509&tls=true") {
  return mongodbX509.create(authContext(uri, "db.test"));
}

const withUser = () =>
  authenticator(`mongodb://${encodeURIComponent(SUBJECT)}@db.test/?authMechanism=MONGODB-X509&tls=true`);

describe("MONGODB-X509: the speculative step", () => {
  it("is authenticate on $external, without a user when the credential names none (the server takes the subject)", async () => {
    assert.deepEqual(await authenticator().speculativeCommand(), {
      authenticate: 1,
      mechanism: "MONGODB-X509",
      db: "$external",
    });
  });

  it("names the user when the credential does", async () => {
    assert.deepEqual(await withUser().speculativeCommand(), {
      authenticate: 1,
      mechanism: "MONGODB-X509",
      user: SUBJECT,
      db: "$external",
    });
  });

  it("answered with the user the server authenticated: done, nothing more is sent", async () => {
    const runner = scriptedRunner(() => assert.fail("nothing should be sent"));
    await authenticator().finish(runner, { user: SUBJECT, dbname: "$external" });
    assert.equal(runner.sent.length, 0);
  });

  it("answered without a user: PROTOCOL_ERROR", async () => {
    const runner = scriptedRunner(() => assert.fail("nothing should be sent"));
    await assert.rejects(authenticator().finish(runner, { dbname: "$external" }), {
      code: "PROTOCOL_ERROR",
      message: "server's speculative X509 reply names no user",
    });
  });
});

describe("MONGODB-X509: without a speculative reply", () => {
  it("sends authenticate to $external, with the user when there is one", async () => {
    const runner = scriptedRunner(() => ({ ok: 1, user: SUBJECT, dbname: "$external" }));
    await withUser().finish(runner, undefined);
    assert.deepEqual(runner.sent, [
      { db: "$external", cmd: { authenticate: 1, mechanism: "MONGODB-X509", user: SUBJECT } },
    ]);
  });

  it("11 UserNotFound is AUTHENTICATION_FAILED, keeping the server's words and saying what to create", async () => {
    const notFound = new MongoServerError(
      11,
      "UserNotFound",
      `Could not find user "${SUBJECT}" for db "$external"`,
    );
    const runner = scriptedRunner(() => {
      throw notFound;
    });
    const error = await authenticator().finish(runner, undefined).catch((e) => e);
    assert.equal(error.code, "AUTHENTICATION_FAILED");
    // As every refusal is worded: who, on which database, with which mechanism, the server's code, what to do.
    assert.equal(
      error.message,
      'the server refused the client certificate on database "$external" with MONGODB-X509 (server error 11 ' +
        `UserNotFound: Could not find user "${SUBJECT}" for db "$external"): create that user in $external, ` +
        "named exactly as the certificate's subject",
    );
    assert.equal(error.cause, notFound);
    // With the subject given as the username, the refusal names it as the other refusals name their user.
    const named = await withUser().finish(runner, undefined).catch((e) => e);
    assert.match(
      named.message,
      new RegExp(
        `^the server refused user "${SUBJECT}" on database "\\$external" with MONGODB-X509 \\(server error 11 `,
      ),
    );
  });

  it("any other server error is passed on unchanged", async () => {
    const refusal = new MongoServerError(18, "AuthenticationFailed", "Authentication failed.");
    const runner = scriptedRunner(() => {
      throw refusal;
    });
    assert.equal(await authenticator().finish(runner, undefined).catch((e) => e), refusal);
  });
});
