// How a deployment's description starts and how each checked server changes it. The SDAM spec's JSON
// cases (tests/spec/sdam.test.ts) walk the table of actions phase by phase and compare types and fields;
// this file pins what they do not look at: which options decide the initial type, that an update never
// touches the old description, the replies that change nothing at all, and the messages a user reads
// when a server is set aside (wrong set, stale primary, wire versions out of range).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Document, ObjectId } from "bson";
import { describeServer, type ServerDescription } from "../../src/topology/server-description.ts";
import {
  CLIENT_MAX_WIRE_VERSION,
  CLIENT_MIN_WIRE_VERSION,
  initialTopology,
  type TopologyDescription,
  type TopologySettings,
  updateTopology,
} from "../../src/topology/topology-description.ts";

const A = "a:27017";
const B = "b:27017";
const C = "c:27017";
const WIRE = { minWireVersion: 0, maxWireVersion: 21 };

function hello(address: string, reply: Document): ServerDescription {
  return describeServer(address, { ok: 1, ...WIRE, ...reply });
}

const primary = (address: string, extra: Document = {}) =>
  hello(address, { isWritablePrimary: true, setName: "rs0", hosts: [A, B], me: address, ...extra });
const secondary = (address: string, extra: Document = {}) =>
  hello(address, { secondary: true, setName: "rs0", hosts: [A, B], me: address, ...extra });
const mongos = (address: string) => hello(address, { isWritablePrimary: true, msg: "isdbgrid" });
const standalone = (address: string) => hello(address, { isWritablePrimary: true });

/** The topology after each server's check, in order. */
function afterChecks(settings: TopologySettings, ...servers: ServerDescription[]): TopologyDescription {
  return servers.reduce(
    (topology, server) => updateTopology(topology, server, settings),
    initialTopology(settings),
  );
}

const typesOf = (topology: TopologyDescription) =>
  Object.fromEntries([...topology.servers].map(([address, server]) => [address, server.type]));

describe("initialTopology", () => {
  it("starts Unknown, Single, ReplicaSetNoPrimary or LoadBalanced from the connection string's options", () => {
    const seeds = [A];
    assert.equal(initialTopology({ seeds }).type, "Unknown");
    assert.equal(initialTopology({ seeds, directConnection: true }).type, "Single");
    assert.equal(initialTopology({ seeds, directConnection: false }).type, "Unknown");
    assert.equal(initialTopology({ seeds, replicaSet: "rs0" }).type, "ReplicaSetNoPrimary");
    assert.equal(initialTopology({ seeds, directConnection: true, replicaSet: "rs0" }).type, "Single");
    assert.equal(initialTopology({ seeds, loadBalanced: true }).type, "LoadBalanced");
  });

  it("keeps replicaSet as the set name, and knows nothing else yet", () => {
    const topology = initialTopology({ seeds: [A, B], replicaSet: "rs0" });
    assert.equal(topology.setName, "rs0");
    assert.equal(topology.compatible, true);
    assert.equal(topology.maxElectionId, undefined);
    assert.equal(topology.maxSetVersion, undefined);
    assert.equal(topology.logicalSessionTimeoutMinutes, undefined);
    assert.equal("setName" in initialTopology({ seeds: [A] }), false);
  });

  it("describes every seed as Unknown, in order, except a load balancer, which is known from the start", () => {
    assert.deepEqual(typesOf(initialTopology({ seeds: [B, A] })), { [B]: "Unknown", [A]: "Unknown" });
    assert.deepEqual([...initialTopology({ seeds: [B, A] }).servers.keys()], [B, A]);
    assert.deepEqual(typesOf(initialTopology({ seeds: [A], loadBalanced: true })), { [A]: "LoadBalancer" });
  });
});

describe("updateTopology: what does not change", () => {
  it("returns a new description and leaves the one it was given untouched", () => {
    const settings = { seeds: [A] };
    const before = initialTopology(settings);
    const after = updateTopology(before, primary(A), settings);
    assert.notEqual(after, before);
    assert.equal(before.type, "Unknown");
    assert.deepEqual(typesOf(before), { [A]: "Unknown" });
    assert.deepEqual(typesOf(after), { [A]: "RSPrimary", [B]: "Unknown" });
  });

  it("ignores the check of a server that was removed while it was being checked", () => {
    const settings = { seeds: [A, C] };
    const topology = afterChecks(settings, primary(A)); // C is not in the set: removed
    assert.equal(topology.servers.has(C), false);
    assert.equal(updateTopology(topology, secondary(C), settings), topology);
  });

  it("ignores a reply whose topologyVersion is older than the one it has from the same process", () => {
    const settings = { seeds: [A] };
    const processId = new ObjectId();
    const newer = afterChecks(settings, primary(A, { topologyVersion: { processId, counter: 2 } }));
    const older = secondary(A, { topologyVersion: { processId, counter: 1 } });
    assert.equal(updateTopology(newer, older, settings), newer);
  });

  it("takes a reply with an equal counter, or from another process (a restart), as current", () => {
    const settings = { seeds: [A] };
    const processId = new ObjectId();
    const topology = afterChecks(settings, primary(A, { topologyVersion: { processId, counter: 2 } }));
    const same = secondary(A, { topologyVersion: { processId, counter: 2 } });
    const restarted = secondary(A, { topologyVersion: { processId: new ObjectId(), counter: 0 } });
    assert.equal(updateTopology(topology, same, settings).servers.get(A)?.type, "RSSecondary");
    assert.equal(updateTopology(topology, restarted, settings).servers.get(A)?.type, "RSSecondary");
  });

  it("LoadBalanced: a check replaces only that server's description: the type stays, no member is added", () => {
    const settings = { seeds: [A], loadBalanced: true };
    const topology = afterChecks(settings, primary(A));
    assert.equal(topology.type, "LoadBalanced");
    assert.deepEqual(typesOf(topology), { [A]: "RSPrimary" });
  });
});

describe("updateTopology: the table of actions", () => {
  it("Unknown + Standalone: Single with one seed; removed when there are several", () => {
    assert.equal(afterChecks({ seeds: [A] }, standalone(A)).type, "Single");
    const several = afterChecks({ seeds: [A, B] }, standalone(A));
    assert.equal(several.type, "Unknown");
    assert.deepEqual(typesOf(several), { [B]: "Unknown" });
  });

  it("Unknown + Mongos: Sharded; Sharded then drops any server that is not a mongos", () => {
    const settings = { seeds: [A, B, C] };
    const topology = afterChecks(settings, mongos(A), secondary(B), standalone(C));
    assert.equal(topology.type, "Sharded");
    assert.deepEqual(typesOf(topology), { [A]: "Mongos" });
  });

  it("Sharded keeps a server whose check failed (Unknown), to try it again", () => {
    const settings = { seeds: [A, B] };
    const failed = describeServer(B, { ok: 0 });
    assert.deepEqual(typesOf(afterChecks(settings, mongos(A), failed)), { [A]: "Mongos", [B]: "Unknown" });
  });

  it("a secondary's primary becomes PossiblePrimary only while that server is still Unknown", () => {
    const settings = { seeds: [A, B] };
    const named = afterChecks(settings, secondary(B, { primary: A }));
    assert.equal(named.servers.get(A)?.type, "PossiblePrimary");
    const checked = afterChecks(settings, secondary(A), secondary(B, { primary: A }));
    assert.equal(checked.servers.get(A)?.type, "RSSecondary");
  });

  it("ReplicaSetWithPrimary falls back to ReplicaSetNoPrimary when its primary's check fails", () => {
    const settings = { seeds: [A] };
    const withPrimary = afterChecks(settings, primary(A), secondary(B));
    assert.equal(withPrimary.type, "ReplicaSetWithPrimary");
    const lost = updateTopology(withPrimary, describeServer(A, { ok: 0 }), settings);
    assert.equal(lost.type, "ReplicaSetNoPrimary");
    assert.deepEqual(typesOf(lost), { [A]: "Unknown", [B]: "RSSecondary" });
  });

  it("a primary's host list decides the members: the others are removed, new ones added Unknown", () => {
    const settings = { seeds: [A, C] };
    const topology = afterChecks(settings, primary(A, { hosts: [A], passives: [B], arbiters: ["d:27017"] }));
    assert.deepEqual(typesOf(topology), { [A]: "RSPrimary", [B]: "Unknown", "d:27017": "Unknown" });
  });
});

describe("updateTopology: the messages of a server set aside", () => {
  it("Single with replicaSet: a server of another set, or of none, is Unknown and says which", () => {
    const settings = { seeds: [A], directConnection: true, replicaSet: "rs1" };
    const other = afterChecks(settings, primary(A));
    assert.equal(other.type, "Single");
    assert.equal(other.servers.get(A)?.type, "Unknown");
    assert.equal(other.servers.get(A)?.error, `${A} is a member of replica set "rs0", not of "rs1"`);
    const none = afterChecks(settings, standalone(A)).servers.get(A);
    assert.equal(none?.error, `${A} is not a replica set member, not of "rs1"`);
    assert.equal(
      afterChecks({ ...settings, replicaSet: "rs0" }, primary(A)).servers.get(A)?.type,
      "RSPrimary",
    );
  });

  it("a primary with an older electionId is Unknown, with both (electionId, setVersion) pairs", () => {
    const settings = { seeds: [A, B] };
    const newer = primary(A, { electionId: new ObjectId("000000000000000000000002"), setVersion: 1 });
    const stale = primary(B, { electionId: new ObjectId("000000000000000000000001"), setVersion: 1 });
    const topology = afterChecks(settings, newer, stale);
    assert.equal(topology.type, "ReplicaSetWithPrimary");
    assert.equal(topology.servers.get(B)?.type, "Unknown");
    assert.equal(
      topology.servers.get(B)?.error,
      "primary marked stale due to electionId/setVersion mismatch, " +
        "{ electionId: 000000000000000000000001, setVersion: 1 } is stale compared to " +
        "{ electionId: 000000000000000000000002, setVersion: 1 }",
    );
  });

  it("an old primary is Unknown once a newer one is found, and says so", () => {
    const settings = { seeds: [A, B] };
    const first = primary(A, { electionId: new ObjectId("000000000000000000000001"), setVersion: 1 });
    const second = primary(B, { electionId: new ObjectId("000000000000000000000002"), setVersion: 1 });
    const topology = afterChecks(settings, first, second);
    assert.equal(topology.servers.get(A)?.error, "primary marked stale due to discovery of newer primary");
    assert.equal(topology.maxElectionId, "000000000000000000000002");
  });
});

describe("updateTopology: wire version compatibility", () => {
  it("a server too new for this client makes the topology incompatible, naming it and both versions", () => {
    const settings = { seeds: [A] };
    const tooNew = hello(A, { isWritablePrimary: true, minWireVersion: CLIENT_MAX_WIRE_VERSION + 1 });
    const topology = afterChecks(settings, tooNew);
    assert.equal(topology.compatible, false);
    assert.equal(
      topology.compatibilityError,
      `Server at ${A} requires wire version ${CLIENT_MAX_WIRE_VERSION + 1}, but this version of mongo-auth ` +
        `only supports up to ${CLIENT_MAX_WIRE_VERSION}`,
    );
  });

  it("a server too old for OP_MSG makes it incompatible, naming MongoDB 3.6", () => {
    const tooOld = hello(A, { isWritablePrimary: true, maxWireVersion: CLIENT_MIN_WIRE_VERSION - 1 });
    const topology = afterChecks({ seeds: [A] }, tooOld);
    assert.equal(topology.compatible, false);
    assert.equal(
      topology.compatibilityError,
      `Server at ${A} reports wire version ${CLIENT_MIN_WIRE_VERSION - 1}, but this version of mongo-auth ` +
        `requires at least ${CLIENT_MIN_WIRE_VERSION} (MongoDB 3.6)`,
    );
  });

  it("the versions at either end of the client's range are compatible; unchecked servers are not judged", () => {
    const edges = hello(A, {
      isWritablePrimary: true,
      minWireVersion: CLIENT_MAX_WIRE_VERSION,
      maxWireVersion: CLIENT_MAX_WIRE_VERSION,
    });
    assert.equal(afterChecks({ seeds: [A] }, edges).compatible, true);
    const oldest = hello(A, { isWritablePrimary: true, maxWireVersion: CLIENT_MIN_WIRE_VERSION });
    assert.equal(afterChecks({ seeds: [A] }, oldest).compatible, true);
    // B is Unknown (wire versions 0): not a reason to refuse the deployment.
    assert.equal(afterChecks({ seeds: [A, B] }, mongos(A)).compatible, true);
  });
});

describe("updateTopology: logicalSessionTimeoutMinutes", () => {
  it("is the smallest of the data-bearing servers', and absent as soon as one of them has none", () => {
    const settings = { seeds: [A, B] };
    const both = afterChecks(
      settings,
      primary(A, { logicalSessionTimeoutMinutes: 30 }),
      secondary(B, { logicalSessionTimeoutMinutes: 10 }),
    );
    assert.equal(both.logicalSessionTimeoutMinutes, 10);
    const one = afterChecks(settings, primary(A, { logicalSessionTimeoutMinutes: 30 }), secondary(B));
    assert.equal(one.logicalSessionTimeoutMinutes, undefined);
  });

  it("does not count an arbiter or an unchecked server", () => {
    const settings = { seeds: [A] };
    const topology = afterChecks(
      settings,
      primary(A, { hosts: [A], arbiters: [B], logicalSessionTimeoutMinutes: 30 }),
      hello(B, { arbiterOnly: true, setName: "rs0", hosts: [A], arbiters: [B], me: B }),
    );
    assert.equal(topology.servers.get(B)?.type, "RSArbiter");
    assert.equal(topology.logicalSessionTimeoutMinutes, 30);
  });
});
