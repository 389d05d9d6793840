// The official `mongodb` driver against the reference server's deployments, before our client is tested
// against them: it discovers a replica set's primary from a seed list of secondaries, honours
// readPreference=secondary, fails a direct write to a secondary with 10107 (and reads there, as the
// driver flags reads on a direct connection primaryPreferred), follows an election through awaitable (streamed) hellos, refuses a
// member of another set, uses a mongos, connects through a load balancer only in load-balanced mode, and
// selects a member before rs.initiate() (RSGhost) only on a direct connection, where writes get 10107.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { MongoClient, type MongoClientOptions, MongoServerError } from "mongodb";
import { type RunningReplicaSet, startReplicaSet } from "../../testing/reference-server/replica-set.ts";
import { type RunningShardedCluster, startShardedCluster } from "../../testing/reference-server/sharded.ts";
import { type RunningServer, startListener, startServer } from "../../testing/reference-server/server.ts";
import { uninitiatedMember } from "../../testing/reference-server/topology.ts";
import type { UserConfig } from "../../testing/reference-server/config.ts";

const USERS: UserConfig[] = [
  {
    db: "admin",
    user: "alice",
    password: "alice-pw",
    mechanisms: ["SCRAM-SHA-256"],
    roles: [{ role: "readWriteAnyDatabase", db: "admin" }],
  },
];

const OPTIONS: MongoClientOptions = {
  auth: { username: "alice", password: "alice-pw" },
  serverSelectionTimeoutMS: 5000,
  connectTimeoutMS: 3000,
  heartbeatFrequencyMS: 500,
};

async function withClient<T>(
  uri: string,
  options: MongoClientOptions,
  fn: (client: MongoClient) => Promise<T>,
): Promise<T> {
  const client = new MongoClient(uri, { ...OPTIONS, ...options });
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

const count = (record: Record<string, number>, name: string) => record[name] ?? 0;

describe("official mongodb driver against the reference replica set", () => {
  let rs: RunningReplicaSet;
  before(async () => {
    rs = await startReplicaSet({
      setName: "rs0",
      users: USERS,
      members: [{}, { tags: { dc: "east" } }, { tags: { dc: "west" } }],
    });
  });
  after(() => rs?.close());

  it("reaches the primary from a seed list of secondaries and writes there", async () => {
    const primary = rs.primary()!;
    const before = count(primary.stats.commands, "insert");
    await withClient(`mongodb://${rs.seedList(rs.secondaries())}/?replicaSet=rs0`, {}, async (client) => {
      const result = await client.db("app").collection("items").insertOne({ _id: "from-seeds" as never });
      assert.equal(result.acknowledged, true);
    });
    assert.equal(count(primary.stats.commands, "insert"), before + 1);
    for (const secondary of rs.secondaries()) assert.equal(count(secondary.stats.commands, "insert"), 0);
  });

  it("discovers the set without replicaSet from several seeds", async () => {
    await withClient(`mongodb://${rs.seedList(rs.secondaries())}/`, {}, async (client) => {
      await client.db("app").collection("items").insertOne({ note: "no replicaSet option" });
    });
  });

  it("reads from a secondary with readPreference=secondary, with $readPreference on the command", async () => {
    const uri = `mongodb://${rs.seedList()}/?replicaSet=rs0&readPreference=secondary`;
    const found = await withClient(
      uri,
      {},
      (client) => client.db("app").collection("items").findOne({ _id: "from-seeds" as never }),
    );
    assert.deepEqual(found, { _id: "from-seeds" });
    const reads = rs.secondaries().flatMap((s) => s.stats.readPreferences.find ?? []);
    assert.deepEqual(reads, ["secondary"]);
    assert.equal(rs.primary()!.stats.readPreferences.find, undefined);
  });

  it("honours readPreferenceTags", async () => {
    const west = rs.members[2];
    const uri =
      `mongodb://${rs.seedList()}/?replicaSet=rs0&readPreference=secondary&readPreferenceTags=dc:west`;
    const before = (west.stats.readPreferences.find ?? []).length;
    await withClient(uri, {}, (client) => client.db("app").collection("items").findOne({}));
    assert.equal((west.stats.readPreferences.find ?? []).length, before + 1);
  });

  it("fails a direct write to a secondary with 10107, and reads there as primaryPreferred", async () => {
    const secondary = rs.secondaries()[0];
    await withClient(`mongodb://${secondary.address}/?directConnection=true`, {}, async (client) => {
      const items = client.db("app").collection("items");
      await assert.rejects(items.insertOne({ note: "direct" }), (error: unknown) => {
        assert.ok(error instanceof MongoServerError, String(error));
        assert.equal(error.code, 10107);
        assert.equal(error.codeName, "NotWritablePrimary");
        return true;
      });
      assert.deepEqual(await items.findOne({ _id: "from-seeds" as never }), { _id: "from-seeds" });
    });
    assert.deepEqual(secondary.stats.readPreferences.find?.at(-1), "primaryPreferred");
  });

  it("refuses a set of another name", async () => {
    const uri = `mongodb://${rs.seedList()}/?replicaSet=other`;
    await assert.rejects(
      withClient(
        uri,
        { serverSelectionTimeoutMS: 1000 },
        (client) => client.db("admin").command({ ping: 1 }),
      ),
      { name: "MongoServerSelectionError" },
    );
  });

  it("follows an election to the new primary", async () => {
    await withClient(`mongodb://${rs.seedList()}/?replicaSet=rs0`, {}, async (client) => {
      const items = client.db("app").collection("elections");
      await items.insertOne({ term: "first" });
      const next = rs.secondaries()[0];
      const before = count(next.stats.commands, "insert");
      rs.elect(next);
      await items.insertOne({ term: "second" });
      assert.equal(count(next.stats.commands, "insert"), before + 1);
    });
  });
});

describe("official mongodb driver against the reference mongoses and load balancer", () => {
  let cluster: RunningShardedCluster;
  let standalone: RunningServer;
  before(async () => {
    cluster = await startShardedCluster({ users: USERS, mongoses: 2, loadBalancer: true });
    standalone = await startServer({ users: USERS });
  });
  after(async () => {
    await cluster?.close();
    await standalone?.close();
  });

  it("uses a mongos and passes readPreference to it as $readPreference", async () => {
    const seeds = cluster.mongoses.map((m) => m.address).join(",");
    await withClient(`mongodb://${seeds}/?readPreference=secondary`, {}, async (client) => {
      await client.db("app").collection("routed").insertOne({ via: "mongos" });
      assert.equal((await client.db("app").collection("routed").findOne({}))?.via, "mongos");
    });
    const modes = cluster.mongoses.flatMap((m) => m.stats.readPreferences.find ?? []);
    assert.deepEqual(modes, ["secondary"]);
  });

  it("connects through the load balancer with loadBalanced=true", async () => {
    const uri = `mongodb://${cluster.loadBalancer!.address}/?loadBalanced=true`;
    await withClient(uri, {}, async (client) => {
      await client.db("app").collection("balanced").insertOne({ via: "load balancer" });
      assert.equal((await client.db("admin").command({ ping: 1 })).ok, 1);
    });
    assert.ok(cluster.loadBalancer!.connectionsPerBackend.every((n) => n >= 0));
    assert.ok(cluster.mongoses.some((m) => (m.stats.authSuccesses ?? 0) > 0));
  });

  it("is refused by a mongos behind the load balancer without loadBalanced=true (354)", async () => {
    const uri = `mongodb://${cluster.loadBalancer!.address}/?directConnection=true`;
    await assert.rejects(
      withClient(
        uri,
        { serverSelectionTimeoutMS: 1000 },
        (client) => client.db("admin").command({ ping: 1 }),
      ),
      (error: Error) => {
        assert.match(
          String(error.message),
          /load balancer, but this driver does not have load balancing enabled/,
        );
        return true;
      },
    );
  });

  it("refuses loadBalanced=true against a server that is not behind a load balancer", async () => {
    const uri = `mongodb://${standalone.address}/?loadBalanced=true`;
    await assert.rejects(
      withClient(uri, {}, (client) => client.db("admin").command({ ping: 1 })),
      /Driver attempted to initialize in load balancing mode, but the server does not support this mode/,
    );
  });
});

describe("official mongodb driver against a member before rs.initiate()", () => {
  let fresh: RunningServer;
  before(async () => {
    fresh = await startListener({ users: USERS }, { role: uninitiatedMember() });
  });
  after(() => fresh?.close());

  it("logs in directly, reads hello's RSGhost fields, and has a write refused with 10107 (not primary)", async () => {
    await withClient(`mongodb://${fresh.address}/?directConnection=true`, {}, async (client) => {
      const hello = await client.db("admin").command({ hello: 1 });
      assert.equal(hello.isreplicaset, true);
      assert.equal(hello.info, "Does not have a valid replica set config");
      assert.equal(hello.setName, undefined);
      await assert.rejects(
        client.db("app").collection("items").insertOne({ at: 1 }),
        (error: unknown) => error instanceof MongoServerError && error.code === 10107,
      );
    });
  });

  it("finds no server to use without directConnection, as a ghost is never selected", async () => {
    await assert.rejects(
      withClient(
        `mongodb://${fresh.address}/`,
        { serverSelectionTimeoutMS: 700 },
        (client) => client.db("admin").command({ ping: 1 }),
      ),
      { name: "MongoServerSelectionError" },
    );
  });
});
