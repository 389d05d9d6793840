// The official `mongodb` driver with mongo-auth's human sign-in as its OIDC_HUMAN_CALLBACK, against the
// reference server and oidc-provider: the driver runs the two-step conversation, our callback signs
// the person in; on 391 the driver hands the refresh token back and our callback refreshes it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MongoClient } from "mongodb";
import { createHumanCallback } from "../../src/transport/node.ts";
import { signInDeployment, TEST_REDIRECT_URI } from "../support/human-sign-in.ts";
import { ScriptedPerson } from "../../testing/oidc-provider/person.ts";

describe("official mongodb driver with createHumanCallback as OIDC_HUMAN_CALLBACK", () => {
  const deployment = signInDeployment();

  it("signs the person in, and refreshes without them when the server asks to re-authenticate (391)", async () => {
    const person = new ScriptedPerson("alice");
    const client = new MongoClient(deployment.uri, {
      serverSelectionTimeoutMS: 10_000,
      maxPoolSize: 1,
      authMechanismProperties: {
        OIDC_HUMAN_CALLBACK: createHumanCallback({
          redirectUri: TEST_REDIRECT_URI,
          prompt: "consent",
          openUrl: (url) => void person.signIn(url),
        }),
      },
    });
    try {
      const admin = client.db("admin");
      const status = await admin.command({ connectionStatus: 1 });
      assert.deepEqual(status.authInfo.authenticatedUsers, [{ user: "alice", db: "$external" }]);
      await admin.command({
        configureFailPoint: "failCommand",
        mode: { times: 1 },
        data: { failCommands: ["connectionStatus"], errorCode: 391 },
      });
      const again = await admin.command({ connectionStatus: 1 });
      assert.deepEqual(again.authInfo.authenticatedUsers, [{ user: "alice", db: "$external" }]);
    } finally {
      await client.close();
    }
    assert.equal(person.opened.length, 1, "the person signed in once");
    assert.deepEqual((await deployment.idp.grants()).slice(-2), ["authorization_code", "refresh_token"]);
  });
});
