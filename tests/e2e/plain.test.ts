// PLAIN end to end: our client on each transport, and the official driver, against the reference
// server's PLAIN (users in $external, checked against its stand-in for an LDAP directory).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { MongoClient, MongoServerError as DriverServerError } from "mongodb";
import { connectWith, MongoAuthError, type MongoServerError } from "@mongo-auth/core";
import { type RunningServer, startServer } from "../../testing/reference-server/server.ts";
import { transports } from "../support/transports.ts";
import { whoami } from "../support/who-am-i.ts";

const config = {
  users: [
    { db: "$external", user: "ldap-user", password: "ldap-pw", mechanisms: ["PLAIN"] },
    { db: "admin", user: "alice", password: "alice-pw", mechanisms: ["SCRAM-SHA-256"] },
  ],
};

const runtimeTransports = await transports();

describe("PLAIN end to end", () => {
  let server: RunningServer;
  before(async () => void (server = await startServer(config)));
  after(() => server.close());

  for (const { name, transport } of runtimeTransports) {
    it(`our client (${name} transport) authenticates in $external`, async () => {
      const conn = await connectWith(
        transport,
        `mongodb://ldap-user:ldap-pw@${server.address}/?authMechanism=PLAIN`,
      );
      assert.equal(conn.handshake.mechanism, "PLAIN");
      assert.deepEqual(await whoami(conn), { user: "ldap-user", db: "$external" });
      await conn.close();
    });

    it(`our client (${name} transport) fails with AUTHENTICATION_FAILED for a wrong password`, async () => {
      await assert.rejects(
        connectWith(transport, `mongodb://ldap-user:nope@${server.address}/?authMechanism=PLAIN`),
        { code: "AUTHENTICATION_FAILED" },
      );
    });
  }

  it("a password with a NUL, which mongod would cut to ldap-pw and accept, is refused before any connection", async () => {
    const opened = server.stats.connectionsOpened;
    await assert.rejects(
      connectWith(
        runtimeTransports[0].transport,
        `mongodb://ldap-user:ldap-pw%00x@${server.address}/?authMechanism=PLAIN`,
      ),
      (err: unknown) => {
        assert.ok(err instanceof MongoAuthError);
        assert.equal(err.code, "INVALID_CREDENTIAL");
        assert.doesNotMatch(err.message, /ldap-pw/);
        return true;
      },
    );
    assert.equal(server.stats.connectionsOpened, opened);
  });

  it("the official driver authenticates with PLAIN, and fails with 18 for a wrong password", async () => {
    const uri = (pw: string) =>
      `mongodb://ldap-user:${pw}@${server.address}/?authMechanism=PLAIN&authSource=%24external&serverSelectionTimeoutMS=3000`;
    const client = new MongoClient(uri("ldap-pw"));
    try {
      const status = await client.db("admin").command({ connectionStatus: 1 });
      assert.deepEqual(status.authInfo.authenticatedUsers, [{ user: "ldap-user", db: "$external" }]);
    } finally {
      await client.close();
    }
    const bad = new MongoClient(uri("wrong"));
    try {
      await assert.rejects(bad.db("admin").command({ ping: 1 }), (err: unknown) => {
        assert.ok(err instanceof DriverServerError);
        assert.equal(err.code, 18);
        return true;
      });
    } finally {
      await bad.close();
    }
  });

  it("PLAIN outside $external is UNSUPPORTED_MECHANISM: mongod refuses it with 334 before the conversation", async () => {
    const { transport } = runtimeTransports[0];
    const before = server.stats.authFailures;
    await assert.rejects(
      connectWith(
        transport,
        `mongodb://alice:alice-pw@${server.address}/?authMechanism=PLAIN&authSource=admin`,
      ),
      (err: unknown) => {
        assert.ok(err instanceof MongoAuthError);
        assert.equal(err.code, "UNSUPPORTED_MECHANISM");
        assert.match(err.message, /PLAIN on authentication database "admin" \(user "alice"\)/);
        assert.match(err.message, /authSource/);
        assert.doesNotMatch(err.message, /alice-pw/);
        assert.equal((err.cause as MongoServerError).serverCode, 334);
        return true;
      },
    );
    // No conversation ran: the password never reached the server.
    assert.equal(server.stats.authFailures, before);
  });
});
