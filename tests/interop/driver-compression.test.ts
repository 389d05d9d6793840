// The official `mongodb` driver (v7) with wire compression against the reference server: it offers zlib
// or snappy (through the `snappy` package, Google's format) in its handshake, logs in with SCRAM-SHA-256
// uncompressed (the driver never compresses hello or the SASL commands) and sends every later command as
// OP_COMPRESSED, which the server answers compressed with the same compressor — the server's counters,
// per compressor, say what really went over the wire.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Document, MongoClient, type MongoClientOptions } from "mongodb";
import type { ServerConfig } from "../../testing/reference-server/config.ts";
import type { RunningServer } from "../../testing/reference-server/server.ts";
import { RawClient } from "../../testing/reference-server/tests/raw-client.ts";
import { withServer } from "../support/with-server.ts";

const CONFIG: ServerConfig = {
  users: [{ db: "admin", user: "alice", password: "alice-pw", mechanisms: ["SCRAM-SHA-256"] }],
};

/** Compressed messages the server received and sent so far, by compressor. */
const compressed = (server: RunningServer) => ({
  in: server.stats.compressedInBy,
  out: server.stats.compressedOutBy,
});

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

/**
 * connectionStatus then ping; asserts the login and that each went compressed with `expected`, or
 * uncompressed when it is "plain".
 */
async function run(client: MongoClient, server: RunningServer, expected: "zlib" | "snappy" | "plain") {
  const counted = (n: number) => expected === "plain" ? {} : { [expected]: n };
  const status: Document = await client.db("admin").command({ connectionStatus: 1 });
  assert.deepEqual(status.authInfo.authenticatedUsers, [{ user: "alice", db: "admin" }]);
  assert.equal(server.stats.authSuccessesByMechanism["SCRAM-SHA-256"], 1);
  // Only connectionStatus so far: hello and the SASL conversation went uncompressed.
  assert.deepEqual(compressed(server), { in: counted(1), out: counted(1) });
  assert.equal((await client.db("admin").command({ ping: 1 })).ok, 1);
  assert.deepEqual(compressed(server), { in: counted(2), out: counted(2) });
  assert.deepEqual(
    [server.stats.compressedIn, server.stats.compressedOut],
    expected === "plain" ? [0, 0] : [2, 2],
  );
}

describe("official mongodb driver with wire compression", () => {
  it('compressors: ["zlib"]: logs in with SCRAM-SHA-256, then connectionStatus and ping go compressed', async () => {
    await withServer(
      CONFIG,
      (server) =>
        withDriver(
          `mongodb://${server.address}/`,
          { compressors: ["zlib"] },
          (client) => run(client, server, "zlib"),
        ),
    );
  });

  it("compressors=zlib in the URI does the same", async () => {
    await withServer(CONFIG, (server) =>
      withDriver(
        `mongodb://${server.address}/?compressors=zlib`,
        {},
        (client) => run(client, server, "zlib"),
      ));
  });

  it('compressors: ["snappy"]: negotiates snappy, logs in uncompressed, then every command goes snappy', async () => {
    await withServer(CONFIG, (server) =>
      withDriver(
        `mongodb://${server.address}/`,
        { compressors: ["snappy"] },
        (client) => run(client, server, "snappy"),
      ));
  });

  it("compressors=snappy,zlib in the URI: the server answers both in that order, the driver uses snappy", async () => {
    await withServer(CONFIG, async (server) => {
      // What the driver's handshake gets back, seen from a raw connection offering the same list.
      const raw = await RawClient.open(server.port);
      try {
        const reply = await raw.msg({ hello: 1, compression: ["snappy", "zlib"], $db: "admin" });
        assert.deepEqual(reply?.compression, ["snappy", "zlib"]);
      } finally {
        raw.close();
      }
      await withDriver(
        `mongodb://${server.address}/?compressors=snappy,zlib`,
        {},
        (client) => run(client, server, "snappy"),
      );
    });
  });

  it("compressors=zlib,snappy: the driver uses the first it offered, zlib", async () => {
    await withServer(CONFIG, (server) =>
      withDriver(
        `mongodb://${server.address}/?compressors=zlib,snappy`,
        {},
        (client) => run(client, server, "zlib"),
      ));
  });

  it("a server with compressors: [] negotiates nothing: the driver sends everything uncompressed", async () => {
    await withServer({ ...CONFIG, compressors: [] }, (disabled) =>
      withDriver(
        `mongodb://${disabled.address}/`,
        { compressors: ["zlib", "snappy"] },
        (client) => run(client, disabled, "plain"),
      ));
  });

  it('a server with compressors: ["zlib"] and a driver offering snappy only: nothing negotiated, commands go plain', async () => {
    await withServer({ ...CONFIG, compressors: ["zlib"] }, async (zlibOnly) => {
      const raw = await RawClient.open(zlibOnly.port);
      try {
        const reply = await raw.msg({ hello: 1, compression: ["snappy"], $db: "admin" });
        assert.equal(reply?.ok, 1);
        assert.equal("compression" in reply!, false);
      } finally {
        raw.close();
      }
      await withDriver(
        `mongodb://${zlibOnly.address}/`,
        { compressors: ["snappy"] },
        (client) => run(client, zlibOnly, "plain"),
      );
    });
  });
});
