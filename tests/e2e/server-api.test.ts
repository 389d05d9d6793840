// The Stable API end to end: our client through each transport of this runtime against the reference server
// started with requireApiVersion (mongod's setParameter), which refuses every command without apiVersion, as
// a deployment that enforces the Stable API does.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { connectWith, MongoServerError, ServerApiVersion } from "@mongo-auth/core";
import { type RunningServer, startServer } from "../../testing/reference-server/server.ts";
import { transports } from "../support/transports.ts";
import { refusal, whoami } from "../support/who-am-i.ts";

const users = [
  { db: "admin", user: "alice", password: "alice-pw", mechanisms: ["SCRAM-SHA-256"] },
  { db: "admin", user: "bob", password: "bob-pw", mechanisms: ["SCRAM-SHA-1"] },
];

for (const { name, transport } of await transports()) {
  describe(`the Stable API against a server that requires it (${name} transport)`, () => {
    let server: RunningServer;
    before(async () => void (server = await startServer({ users, requireApiVersion: true })));
    after(() => server.close());

    it("serverApi: hello, every authentication step and later commands carry apiVersion", async () => {
      for (const [user, mechanism] of [["alice", "SCRAM-SHA-256"], ["bob", "SCRAM-SHA-1"]]) {
        const uri = `mongodb://${user}:${user}-pw@${server.address}/?authMechanism=${mechanism}`;
        const conn = await connectWith(transport, uri, { serverApi: { version: ServerApiVersion.v1 } });
        try {
          assert.deepEqual(await whoami(conn), { user, db: "admin" });
          assert.equal((await conn.command("admin", { ping: 1 })).ok, 1);
        } finally {
          await conn.close();
        }
      }
    });

    it("negotiates the mechanism and authenticates speculatively inside a hello that carries it", async () => {
      const events: string[] = [];
      const conn = await connectWith(transport, `mongodb://alice:alice-pw@${server.address}/`, {
        serverApi: "1",
        onEvent: (event) => void (event.type === "hello" && events.push(event.attributes.serverApi ?? "")),
      });
      try {
        assert.equal(conn.handshake.mechanism, "SCRAM-SHA-256");
        assert.equal(conn.handshake.speculative, true);
        assert.deepEqual(events, ["1"]);
      } finally {
        await conn.close();
      }
    });

    it("strict: the server refuses a command outside version 1 (323) and runs those in it", async () => {
      const conn = await connectWith(transport, `mongodb://alice:alice-pw@${server.address}/`, {
        serverApi: { version: "1", strict: true, deprecationErrors: true },
      });
      try {
        assert.equal((await conn.command("admin", { ping: 1 })).ok, 1);
        const err = await refusal(conn.command("admin", { connectionStatus: 1 }));
        assert.ok(err instanceof MongoServerError);
        assert.equal(err.serverCode, 323);
        assert.equal(err.codeName, "APIStrictError");
      } finally {
        await conn.close();
      }
    });

    it("without serverApi: the login is refused with 498870, and the message says which option to give", async () => {
      const err = await refusal(connectWith(transport, `mongodb://alice:alice-pw@${server.address}/`));
      assert.ok(err instanceof MongoServerError, err.message);
      assert.equal(err.serverCode, 498870);
      assert.match(err.message, /give connect\(\) serverApi: \{ version: "1" \}/);
      assert.doesNotMatch(err.message, /alice-pw/);
    });
  });
}
