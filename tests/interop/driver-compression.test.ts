// The official `mongodb` driver (v7) with wire compression against the reference server: it offers zlib
// in its handshake, logs in with SCRAM-SHA-256 uncompressed (the driver never compresses hello or the
// SASL commands) and sends every later command as OP_COMPRESSED, which the server answers compressed —
// the server's counters say what really went over the wire.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Document, MongoClient, type MongoClientOptions } from "mongodb";
import type { ServerConfig } from "../../testing/reference-server/config.ts";
import { type RunningServer, startServer } from "../../testing/reference-server/server.ts";
import { RawClient } from "../../testing/reference-server/tests/raw-client.ts";

const CONFIG: ServerConfig = {
  users: [{ db: "admin", user: "alice", password: "alice-pw", mechanisms: ["SCRAM-SHA-256"] }],
};

/** Compressed messages the server received and sent so far. */
const compressed = (server: RunningServer) => [server.stats.compressedIn, server.stats.compressedOut];

/** Runs `fn` with a driver client (one pooled connection) logged in as alice, always closing it. */
async function withDriver(
  uri: string,
  options: MongoClientOptions,
  fn: (client: MongoClient) => Promise<void>,
): Promise<void> {
  const client = new MongoClient(uri, {
    auth: { username: "alice", password: "alice-pw" },
    authMechanism: "SCRAM-SHA-256",
    serverSelectionTimeoutMS: 3000,
    connectTimeoutMS: 3000,
    maxPoolSize: 1,
    ...options,
  });
  try {
    await fn(client);
  } finally {
    await client.close();
  }
}

/** connectionStatus then ping; asserts the login and that each went `expected` (compressed or not). */
async function run(client: MongoClient, server: RunningServer, expected: "compressed" | "plain") {
  const status: Document = await client.db("admin").command({ connectionStatus: 1 });
  assert.deepEqual(status.authInfo.authenticatedUsers, [{ user: "alice", db: "admin" }]);
  assert.equal(server.stats.authSuccessesByMechanism["SCRAM-SHA-256"], 1);
  // Only connectionStatus so far: hello and the SASL conversation went uncompressed.
  assert.deepEqual(compressed(server), expected === "compressed" ? [1, 1] : [0, 0]);
  assert.equal((await client.db("admin").command({ ping: 1 })).ok, 1);
  assert.deepEqual(compressed(server), expected === "compressed" ? [2, 2] : [0, 0]);
}

describe("official mongodb driver with wire compression", () => {
  let server: RunningServer;
  let disabled: RunningServer;
  before(async () => {
    server = await startServer(CONFIG);
    disabled = await startServer({ ...CONFIG, compressors: [] });
  });
  after(() => Promise.all([server.close(), disabled.close()]));

  it('compressors: ["zlib"]: logs in with SCRAM-SHA-256, then connectionStatus and ping go compressed', async () => {
    await withDriver(
      `mongodb://${server.address}/`,
      { compressors: ["zlib"] },
      (client) => run(client, server, "compressed"),
    );
  });

  it("compressors=zlib in the URI does the same", async () => {
    const fresh = await startServer(CONFIG);
    try {
      await withDriver(
        `mongodb://${fresh.address}/?compressors=zlib`,
        {},
        (client) => run(client, fresh, "compressed"),
      );
    } finally {
      await fresh.close();
    }
  });

  it("a server with compressors: [] negotiates nothing: the driver sends everything uncompressed", async () => {
    await withDriver(
      `mongodb://${disabled.address}/`,
      { compressors: ["zlib"] },
      (client) => run(client, disabled, "plain"),
    );
  });

  it("snappy only: hello negotiates nothing, so the driver (without the snappy package) runs uncompressed", async () => {
    const fresh = await startServer(CONFIG);
    const raw = await RawClient.open(fresh.port);
    try {
      const reply = await raw.msg({ hello: 1, compression: ["snappy"], $db: "admin" });
      assert.equal(reply?.ok, 1);
      assert.equal("compression" in reply!, false);
      await withDriver(
        `mongodb://${fresh.address}/`,
        { compressors: ["snappy"] },
        (client) => run(client, fresh, "plain"),
      );
    } finally {
      raw.close();
      await fresh.close();
    }
  });
});
