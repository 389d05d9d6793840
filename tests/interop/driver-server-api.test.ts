// The official `mongodb` driver against the reference server started with requireApiVersion: with
// `serverApi` it logs in (its monitoring hello, its handshake and its SASL conversation all carry
// apiVersion) and runs commands; without it, it cannot; with `strict` the server refuses commands outside
// version 1 — what a deployment that enforces the Stable API does to the driver our client stands beside.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { MongoClient, ServerApiVersion } from "mongodb";
import { type RunningServer, startServer } from "../../testing/reference-server/server.ts";
import { driverAuthenticatedUsers } from "../support/driver-who-am-i.ts";

const users = [
  { db: "admin", user: "alice", password: "alice-pw", mechanisms: ["SCRAM-SHA-256"] },
  { db: "admin", user: "bob", password: "bob-pw", mechanisms: ["SCRAM-SHA-1"] },
];

describe("official mongodb driver: a server with requireApiVersion", () => {
  let server: RunningServer;
  before(async () => void (server = await startServer({ users, requireApiVersion: true })));
  after(() => server.close());

  it("logs in with serverApi, SCRAM-SHA-256 and SCRAM-SHA-1", async () => {
    for (const user of ["alice", "bob"]) {
      const uri = `mongodb://${user}:${user}-pw@${server.address}/`;
      assert.deepEqual(await driverAuthenticatedUsers(uri, { serverApi: ServerApiVersion.v1 }), [
        { user, db: "admin" },
      ]);
    }
  });

  it("cannot log in without serverApi: the server answers 498870", async () => {
    await assert.rejects(
      driverAuthenticatedUsers(`mongodb://alice:alice-pw@${server.address}/`, {
        serverSelectionTimeoutMS: 500,
      }),
      (err: Error) => {
        assert.match(String(err.message), /apiVersion parameter is required/);
        return true;
      },
    );
  });

  it("strict: ping runs, connectionStatus is refused with 323 APIStrictError", async () => {
    const client = new MongoClient(`mongodb://alice:alice-pw@${server.address}/`, {
      serverSelectionTimeoutMS: 3000,
      maxPoolSize: 1,
      serverApi: { version: ServerApiVersion.v1, strict: true, deprecationErrors: true },
    });
    try {
      assert.equal((await client.db("admin").command({ ping: 1 })).ok, 1);
      await assert.rejects(client.db("admin").command({ connectionStatus: 1 }), {
        code: 323,
        codeName: "APIStrictError",
      });
    } finally {
      await client.close();
    }
  });
});
