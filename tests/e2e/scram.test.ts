// SCRAM end to end: our client, through each transport of this runtime, against the reference server.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { connectWith, MongoAuthError } from "@mongo-auth/core";
import { type RunningServer, startServer } from "../../testing/reference-server/server.ts";
import { startHostileServer } from "../support/hostile-server.ts";
import { transports } from "../support/transports.ts";
import { whoami } from "../support/who-am-i.ts";

const users = [
  { db: "admin", user: "alice", password: "alice-pw", mechanisms: ["SCRAM-SHA-1", "SCRAM-SHA-256"] },
  { db: "admin", user: "legacy", password: "legacy-pw", mechanisms: ["SCRAM-SHA-1"] },
  { db: "app", user: "we=ird,user", password: "p,w=", mechanisms: ["SCRAM-SHA-1", "SCRAM-SHA-256"] },
  // SASLprep maps U+00AD (soft hyphen) to nothing and U+2168 (Roman numeral nine) to "IX".
  { db: "admin", user: "unicode", password: "I\u00ADX\u2168", mechanisms: ["SCRAM-SHA-256"] },
  // SCRAM-SHA-1 never SASLpreps, so these passwords are fine for it; SASLprep refuses both (a control
  // character, a code point unassigned in Unicode 3.2).
  { db: "admin", user: "legacy-bell", password: "bell\u0007pw", mechanisms: ["SCRAM-SHA-1"] },
  { db: "admin", user: "legacy-unassigned", password: "pw\u0221", mechanisms: ["SCRAM-SHA-1"] },
];

for (const { name, transport } of await transports()) {
  describe(`SCRAM end to end (${name} transport)`, () => {
    let server: RunningServer;
    let base: string;
    before(async () => {
      server = await startServer({ users });
      base = `mongodb://${server.address}`;
    });
    after(() => server.close());

    const uri = (user: string, password: string, query = "") =>
      `mongodb://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${server.address}/${query}`;

    for (const mechanism of ["SCRAM-SHA-256", "SCRAM-SHA-1"]) {
      it(`${mechanism}: authenticates in 2 round trips including hello`, async () => {
        const conn = await connectWith(transport, uri("alice", "alice-pw", `?authMechanism=${mechanism}`));
        try {
          assert.deepEqual(conn.handshake.mechanism, mechanism);
          assert.equal(conn.handshake.speculative, true);
          assert.equal(conn.handshake.roundTrips, 2);
          assert.deepEqual(await whoami(conn), { user: "alice", db: "admin" });
        } finally {
          await conn.close();
        }
      });
    }

    it("negotiates SCRAM-SHA-256 when the user has it", async () => {
      const conn = await connectWith(transport, uri("alice", "alice-pw"));
      assert.equal(conn.handshake.mechanism, "SCRAM-SHA-256");
      assert.equal(conn.handshake.roundTrips, 2);
      await conn.close();
    });

    it("negotiates SCRAM-SHA-1 for a user who has only that, dropping the speculative attempt", async () => {
      const conn = await connectWith(transport, uri("legacy", "legacy-pw"));
      try {
        assert.equal(conn.handshake.mechanism, "SCRAM-SHA-1");
        assert.equal(conn.handshake.speculative, false);
        assert.equal(conn.handshake.roundTrips, 3);
        assert.deepEqual(await whoami(conn), { user: "legacy", db: "admin" });
      } finally {
        await conn.close();
      }
    });

    for (const mechanism of ["SCRAM-SHA-256", "SCRAM-SHA-1"]) {
      it(`${mechanism}: a user name with = and , (the official driver fails SCRAM-SHA-1 here; we must not)`, async () => {
        const conn = await connectWith(
          transport,
          uri("we=ird,user", "p,w=", `app?authMechanism=${mechanism}`),
        );
        assert.deepEqual(await whoami(conn), { user: "we=ird,user", db: "app" });
        await conn.close();
      });
    }

    it("negotiates SCRAM-SHA-1 for a user whose password SASLprep refuses (the SHA-256 guess never preps it)", async () => {
      for (const [user, password] of [["legacy-bell", "bell\u0007pw"], ["legacy-unassigned", "pw\u0221"]]) {
        const conn = await connectWith(transport, uri(user, password));
        try {
          assert.equal(conn.handshake.mechanism, "SCRAM-SHA-1");
          assert.deepEqual(await whoami(conn), { user, db: "admin" });
        } finally {
          await conn.close();
        }
      }
    });

    it("SCRAM-SHA-256 with a password SASLprep refuses: INVALID_CREDENTIAL, the password not echoed", async () => {
      await assert.rejects(
        connectWith(transport, uri("alice", "bell\u0007pw", "?authMechanism=SCRAM-SHA-256")),
        (err: MongoAuthError) => {
          assert.equal(err.code, "INVALID_CREDENTIAL");
          assert.ok(!err.message.includes("bell"));
          return true;
        },
      );
    });

    it("SASLprep: the password is prepared before hashing", async () => {
      for (const password of ["I\u00ADX\u2168", "IXIX", "I\u00ADXIX"]) {
        const conn = await connectWith(transport, uri("unicode", password));
        assert.deepEqual(await whoami(conn), { user: "unicode", db: "admin" });
        await conn.close();
      }
    });

    it("a wrong password fails with AUTHENTICATION_FAILED and no secret in the error", async () => {
      const failuresBefore = server.stats.authFailures;
      await assert.rejects(connectWith(transport, uri("alice", "wrong-pw")), (err: unknown) => {
        assert.ok(err instanceof MongoAuthError);
        assert.equal(err.code, "AUTHENTICATION_FAILED");
        assert.doesNotMatch(`${err.message} ${String(err.cause)}`, /wrong-pw|alice-pw/);
        return true;
      });
      assert.equal(server.stats.authFailures, failuresBefore + 1);
    });

    it("a wrong password behind MongoDB Atlas's proxy (8000 AtlasError, not 18) is AUTHENTICATION_FAILED too", async () => {
      // Atlas's free and shared clusters (M0, Flex; serverless) sit behind a proxy that refuses with its own code.
      const peer = await startHostileServer({
        upstream: { host: server.host, port: server.port },
        plan: {
          rewriteReply: (body) =>
            body.code === 18
              ? { ok: 0, code: 8000, codeName: "AtlasError", errmsg: "bad auth : Authentication failed." }
              : body,
        },
      });
      try {
        const refused = connectWith(transport, `mongodb://alice:wrong-pw@${peer.address}/?authSource=admin`);
        await assert.rejects(refused, (err: unknown) => {
          assert.ok(err instanceof MongoAuthError);
          assert.equal(err.code, "AUTHENTICATION_FAILED");
          assert.match(
            err.message,
            /^the server refused user "alice" on database "admin" with SCRAM-SHA-256 /,
          );
          assert.match(
            err.message,
            /\(server error 8000 AtlasError from MongoDB Atlas's proxy: "bad auth : /,
          );
          assert.match(err.message, /on MongoDB Atlas, the user is a database user from Database Access/);
          assert.doesNotMatch(err.message, /wrong-pw|alice-pw/);
          return true;
        });
        assert.equal(peer.connections.length, 1, "a refusal is final: no second attempt");
      } finally {
        await peer.close();
      }
    });

    it("without credentials connects unauthenticated, and auth-only commands fail with 13", async () => {
      const conn = await connectWith(transport, base);
      assert.equal(conn.handshake.mechanism, undefined);
      assert.equal(conn.handshake.roundTrips, 1);
      await assert.rejects(conn.command("admin", { endSessions: [] }), { serverCode: 13 });
      await conn.close();
    });

    it("a server that drops the connection mid-conversation gives CONNECTION_CLOSED", async () => {
      const admin = await connectWith(transport, uri("alice", "alice-pw"));
      await admin.command("admin", {
        configureFailPoint: "failCommand",
        mode: { times: 1 },
        data: { failCommands: ["saslContinue"], closeConnection: true },
      });
      await admin.close();
      await assert.rejects(connectWith(transport, uri("alice", "alice-pw")), { code: "CONNECTION_CLOSED" });
    });

    it("391 ReauthenticationRequired: re-authenticates, then the command succeeds", async () => {
      const conn = await connectWith(transport, uri("alice", "alice-pw"));
      try {
        await conn.command("admin", {
          configureFailPoint: "failCommand",
          mode: { times: 1 },
          data: { failCommands: ["ping"], errorCode: 391 },
        });
        const successes = server.stats.authSuccesses;
        const reply = await conn.command("admin", { ping: 1 });
        assert.equal(reply.ok, 1);
        assert.equal(server.stats.authSuccesses, successes + 1);
      } finally {
        await conn.close();
      }
    });

    it("391 after the connect timeout has passed: re-authentication runs under the command's own bounds", async () => {
      const conn = await connectWith(transport, uri("alice", "alice-pw"), { connectTimeoutMS: 300 });
      try {
        await conn.command("admin", {
          configureFailPoint: "failCommand",
          mode: { times: 1 },
          data: { failCommands: ["ping"], errorCode: 391 },
        });
        await new Promise((resolve) => setTimeout(resolve, 400));
        assert.equal((await conn.command("admin", { ping: 1 })).ok, 1);
      } finally {
        await conn.close();
      }
    });

    it("with several hosts, a standalone is not used (SDAM): SERVER_SELECTION_FAILED says what each host was", async () => {
      // Port 1 on loopback refuses at once.
      await assert.rejects(
        connectWith(transport, `mongodb://alice:alice-pw@127.0.0.1:1,${server.address}/`),
        {
          code: "SERVER_SELECTION_FAILED",
          message: new RegExp(
            `no replica set member or mongos answered.*${server.address} is a standalone server.*127\\.0\\.0\\.1:1: connection refused`,
          ),
        },
      );
    });

    it("fails with CONNECTION_FAILED when no host answers", async () => {
      await assert.rejects(connectWith(transport, "mongodb://alice:pw@127.0.0.1:1/"), {
        code: "CONNECTION_FAILED",
      });
    });

    it("aborting while connecting rejects with ABORTED", async () => {
      const controller = new AbortController();
      controller.abort();
      await assert.rejects(connectWith(transport, uri("alice", "alice-pw"), { signal: controller.signal }), {
        code: "ABORTED",
      });
    });
  });
}
