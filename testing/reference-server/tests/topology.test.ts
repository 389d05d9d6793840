// The reference server as a replica set member, a mongos and a mongos behind a load balancer, through a
// raw wire client: hello's fields, the "not primary" refusals with mongod's codes and wording, the checks
// of $readPreference, awaitable hellos and the exhaust stream, the load balancer handshake.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Long, ObjectId } from "bson";
import { RawClient, scramAuth } from "./raw-client.ts";
import { type RunningReplicaSet, startReplicaSet } from "../replica-set.ts";
import { type RunningShardedCluster, startShardedCluster } from "../sharded.ts";
import type { Document } from "../wire.ts";

const ALICE = { hash: "sha256", user: "alice", password: "alice-pw", db: "admin" } as const;
const USERS = [{
  db: "admin",
  user: "alice",
  password: "alice-pw",
  mechanisms: ["SCRAM-SHA-256"],
  roles: [{ role: "readWriteAnyDatabase", db: "admin" }],
}];
const EXHAUST_ALLOWED = 1 << 16;
const MORE_TO_COME = 1 << 1;

async function withClient<T>(port: number, fn: (client: RawClient) => Promise<T>): Promise<T> {
  const client = await RawClient.open(port);
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}

/** A topologyVersion as a driver sends it back: its counter an int64 (bson promotes it to a number). */
function asSent(tv: unknown): Document {
  const { processId, counter } = tv as { processId: ObjectId; counter: number };
  return { processId, counter: Long.fromNumber(counter) };
}

/** A client that said helloOk and logged in as alice, as a driver's would. */
async function loggedIn<T>(port: number, fn: (client: RawClient) => Promise<T>): Promise<T> {
  return await withClient(port, async (client) => {
    assert.equal((await client.msg({ hello: 1, helloOk: true, $db: "admin" }))?.ok, 1);
    assert.equal((await scramAuth(client, ALICE))?.ok, 1);
    return await fn(client);
  });
}

describe("reference server as a replica set", () => {
  let rs: RunningReplicaSet;
  before(async () => {
    rs = await startReplicaSet({
      setName: "rs0",
      users: USERS,
      members: [
        {},
        { tags: { dc: "east" }, lagSeconds: 30 },
        { passive: true },
        { state: "ARBITER" },
        { hidden: true },
      ],
    });
  });
  after(() => rs?.close());

  it("answers hello as a 7.0 primary: topologyVersion, hosts, passives, arbiters, setName, electionId, lastWrite", async () => {
    const [primary, secondary, passive, arbiter] = rs.members;
    const reply = await withClient(primary.port, (c) => c.msg({ hello: 1, $db: "admin" }));
    assert.deepEqual(Object.keys(reply!).slice(0, 14), [
      "topologyVersion",
      "hosts",
      "passives",
      "arbiters",
      "setName",
      "setVersion",
      "isWritablePrimary",
      "secondary",
      "primary",
      "me",
      "electionId",
      "lastWrite",
      "maxBsonObjectSize",
      "maxMessageSizeBytes",
    ]);
    assert.deepEqual(reply!.hosts, [primary.name, secondary.name]);
    assert.deepEqual(reply!.passives, [passive.name]);
    assert.deepEqual(reply!.arbiters, [arbiter.name]);
    assert.equal(reply!.setName, "rs0");
    assert.equal(reply!.isWritablePrimary, true);
    assert.equal(reply!.secondary, false);
    assert.equal(reply!.primary, primary.name);
    assert.equal(reply!.me, primary.name);
    assert.ok(reply!.electionId instanceof ObjectId);
    const tv = reply!.topologyVersion as { processId: unknown; counter: unknown };
    assert.ok(tv.processId instanceof ObjectId);
    assert.ok(Number.isInteger(tv.counter), "bson promotes the int64 counter to a number");
    assert.ok((reply!.lastWrite as { lastWriteDate: unknown }).lastWriteDate instanceof Date);
  });

  it("answers hello as a secondary, a passive, an arbiter and a hidden member do", async () => {
    const [primary, secondary, passive, arbiter, hidden] = rs.members;
    const hello = (port: number) => withClient(port, (c) => c.msg({ isMaster: 1, $db: "admin" }));
    const second = (await hello(secondary.port))!;
    assert.equal(second.ismaster, false);
    assert.equal(second.secondary, true);
    assert.equal(second.primary, primary.name);
    assert.deepEqual(second.tags, { dc: "east" });
    assert.equal(second.electionId, undefined);
    const lag = (primaryReply: Document, secondaryReply: Document) =>
      ((primaryReply.lastWrite as { lastWriteDate: Date }).lastWriteDate.getTime() -
        (secondaryReply.lastWrite as { lastWriteDate: Date }).lastWriteDate.getTime()) / 1000;
    assert.ok(
      lag((await hello(primary.port))!, second) >= 29,
      "the lagging secondary's lastWriteDate trails",
    );
    assert.equal((await hello(passive.port))!.passive, true);
    const arbiterReply = (await hello(arbiter.port))!;
    assert.equal(arbiterReply.arbiterOnly, true);
    assert.equal(arbiterReply.secondary, false);
    assert.equal(arbiterReply.lastWrite, undefined);
    const hiddenReply = (await hello(hidden.port))!;
    assert.equal(hiddenReply.hidden, true);
    assert.ok(!(hiddenReply.hosts as string[]).includes(hidden.name));
  });

  it("refuses a write on a secondary with 10107 NotWritablePrimary", async () => {
    const secondary = rs.members[1];
    const reply = await loggedIn(
      secondary.port,
      (c) =>
        c.msg({ insert: "items", documents: [{ a: 1 }], $db: "app", $readPreference: { mode: "secondary" } }),
    );
    assert.deepEqual(
      { ok: reply?.ok, code: reply?.code, codeName: reply?.codeName, errmsg: reply?.errmsg },
      { ok: 0, code: 10107, codeName: "NotWritablePrimary", errmsg: "not primary" },
    );
  });

  it("labels a refused retryable write RetryableWriteError, as mongod does for a txnNumber", async () => {
    const reply = await loggedIn(
      rs.members[1].port,
      (c) => c.msg({ insert: "items", documents: [{ a: 1 }], txnNumber: Long.fromNumber(1), $db: "app" }),
    );
    assert.equal(reply?.code, 10107);
    assert.deepEqual(reply?.errorLabels, ["RetryableWriteError"]);
  });

  it("refuses a read on a secondary without a read preference that allows it, with 13435", async () => {
    for (const readPreference of [undefined, { mode: "primary" }]) {
      const reply = await loggedIn(
        rs.members[1].port,
        (c) =>
          c.msg({
            find: "items",
            filter: {},
            $db: "app",
            ...(readPreference && { $readPreference: readPreference }),
          }),
      );
      assert.deepEqual(
        { code: reply?.code, codeName: reply?.codeName, errmsg: reply?.errmsg },
        { code: 13435, codeName: "NotPrimaryNoSecondaryOk", errmsg: "not primary and secondaryOk=false" },
      );
    }
  });

  it("says master and slaveOk to a client that did not send helloOk, as mongod does", async () => {
    const reply = await withClient(rs.members[1].port, async (client) => {
      await client.msg({ hello: 1, $db: "admin" });
      await scramAuth(client, ALICE);
      return await client.msg({ find: "items", filter: {}, $db: "app" });
    });
    assert.equal(reply?.errmsg, "not master and slaveOk=false");
  });

  it("reads on a secondary with any read preference but primary, and the data the primary wrote is there", async () => {
    const [primary, secondary] = rs.members;
    await loggedIn(
      primary.port,
      (c) => c.msg({ insert: "shared", documents: [{ _id: 1, v: "x" }], $db: "app" }),
    );
    for (const mode of ["secondary", "secondaryPreferred", "primaryPreferred", "nearest"]) {
      const reply = await loggedIn(
        secondary.port,
        (c) => c.msg({ find: "shared", filter: { _id: 1 }, $db: "app", $readPreference: { mode } }),
      );
      assert.deepEqual((reply?.cursor as { firstBatch: unknown[] }).firstBatch, [{ _id: 1, v: "x" }], mode);
    }
  });

  it("refuses a read on an arbiter with 13436 NotPrimaryOrSecondary", async () => {
    const arbiter = rs.members[3];
    const reply = await loggedIn(
      arbiter.port,
      (c) => c.msg({ find: "items", filter: {}, $db: "app", $readPreference: { mode: "secondary" } }),
    );
    assert.deepEqual(
      { code: reply?.code, errmsg: reply?.errmsg },
      { code: 13436, errmsg: "node is not in primary or recovering state" },
    );
  });

  it("checks $readPreference as mongod's ReadPreferenceSetting::fromInnerBSON does", async () => {
    const cases: [unknown, number, RegExp][] = [
      ["secondary", 14, /^\$readPreference has incorrect type: expected object but got string$/],
      [{}, 4, /^Missing expected field "mode"$/],
      [{ mode: 1 }, 14, /^"mode" had the wrong type\. Expected string, found /],
      [{ mode: "Secondary" }, 2, /^Could not parse \$readPreference mode 'Secondary'\. Only the modes/],
      [{ mode: "secondary", tags: {} }, 14, /^"tags" had the wrong type\. Expected array/],
      [
        { mode: "primary", tags: [{ dc: "east" }] },
        2,
        /^Only empty tags are allowed with primary read preference$/,
      ],
      [
        { mode: "secondary", maxStalenessSeconds: 10 },
        160,
        /^maxStalenessSeconds value can not be less than 90$/,
      ],
      [
        { mode: "secondary", maxStalenessSeconds: -1 },
        2,
        /^maxStalenessSeconds must be a non-negative integer$/,
      ],
      [
        { mode: "primary", maxStalenessSeconds: 120 },
        2,
        /^maxStalenessSeconds can not be set for the primary mode$/,
      ],
    ];
    await loggedIn(rs.members[0].port, async (client) => {
      for (const [readPreference, code, message] of cases) {
        const reply = await client.msg({ ping: 1, $db: "admin", $readPreference: readPreference });
        assert.equal(reply?.code, code, JSON.stringify(readPreference));
        assert.match(String(reply?.errmsg), message);
      }
      const fine = await client.msg({
        ping: 1,
        $db: "admin",
        $readPreference: { mode: "primary", tags: [{}] },
      });
      assert.equal(fine?.ok, 1);
    });
  });

  it("answers an awaitable hello at a topology change, and streams with exhaustAllowed until the connection ends", async () => {
    const member = rs.members[1];
    await withClient(member.port, async (client) => {
      const first = (await client.msg({ hello: 1, helloOk: true, $db: "admin" }))!;
      const awaited = member.stats.awaitedHellos;
      const request = client.nextRequestId;
      const reply = client.msg(
        { hello: 1, topologyVersion: asSent(first.topologyVersion), maxAwaitTimeMS: 60_000, $db: "admin" },
        { flags: EXHAUST_ALLOWED },
      );
      // The reply waits: nothing changed. An election does.
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(member.stats.awaitedHellos, awaited + 1);
      rs.elect(member);
      const changed = (await reply)!;
      assert.equal(changed.isWritablePrimary, true);
      assert.equal(client.lastReplyFlags & MORE_TO_COME, MORE_TO_COME);
      assert.equal(client.lastResponseTo, request);
      const counter = (tv: unknown) => Number((tv as { counter: Long }).counter);
      assert.equal(counter(changed.topologyVersion), counter(first.topologyVersion) + 1);
      // The stream goes on by itself: the next reply comes at the next change, unasked.
      rs.elect(rs.members[0]);
      const next = (await client.nextReply())!;
      assert.equal(next.isWritablePrimary, false);
      assert.equal(next.primary, rs.members[0].name);
      assert.equal(client.lastReplyFlags & MORE_TO_COME, MORE_TO_COME);
    });
  });

  it("answers at once a hello whose topologyVersion is another process's", async () => {
    const reply = await withClient(rs.members[0].port, (c) =>
      c.msg({
        hello: 1,
        topologyVersion: { processId: new ObjectId(), counter: Long.fromNumber(0) },
        maxAwaitTimeMS: 60_000,
        $db: "admin",
      }));
    assert.equal(reply?.ok, 1);
  });

  it("leaves no primary after a step-down, and a stopped member's port refuses connections", async () => {
    rs.stepDown();
    const reply = await withClient(rs.members[1].port, (c) => c.msg({ hello: 1, $db: "admin" }));
    assert.equal(reply?.primary, undefined);
    assert.equal(reply?.isWritablePrimary, false);
    rs.elect(rs.members[0]);
    const stopped = rs.members[4];
    await rs.stop(stopped);
    await assert.rejects(RawClient.open(stopped.port), { code: "ECONNREFUSED" });
  });
});

describe("reference server as mongoses behind a load balancer", () => {
  let cluster: RunningShardedCluster;
  before(async () => {
    cluster = await startShardedCluster({ users: USERS, mongoses: 2, loadBalancer: true });
  });
  after(() => cluster?.close());

  it("answers hello as a mongos: msg isdbgrid, a topologyVersion, no serviceId on its main port", async () => {
    const reply = await withClient(
      cluster.mongoses[0].port,
      (c) => c.msg({ hello: 1, loadBalanced: true, $db: "admin" }),
    );
    assert.equal(reply?.msg, "isdbgrid");
    assert.equal(reply?.isWritablePrimary, true);
    assert.ok(reply?.topologyVersion);
    assert.equal(reply?.serviceId, undefined);
    assert.equal(reply?.setName, undefined);
  });

  it("gives its serviceId to the first load-balanced hello through the load balancer", async () => {
    const port = cluster.loadBalancer!.port;
    const ids = new Set<string>();
    for (let i = 0; i < 2; i++) {
      await withClient(port, async (client) => {
        const first = (await client.msg({ hello: 1, loadBalanced: true, $db: "admin" }))!;
        assert.ok(first.serviceId instanceof ObjectId);
        ids.add(first.serviceId.toHexString());
        const again = (await client.msg({ hello: 1, loadBalanced: true, $db: "admin" }))!;
        assert.equal(again.serviceId, undefined, "only the first hello is special");
      });
    }
    assert.equal(ids.size, 2, "round robin: each mongos has its own serviceId");
  });

  it("refuses a hello without loadBalanced through the load balancer with 354 and closes", async () => {
    await withClient(cluster.loadBalancer!.port, async (client) => {
      const reply = await client.msg({ hello: 1, $db: "admin" });
      assert.deepEqual(
        { code: reply?.code, codeName: reply?.codeName },
        { code: 354, codeName: "LoadBalancerSupportMismatch" },
      );
      await client.closed();
    });
  });
});
