// How connect() finds its member, driven through connectWith against a deployment played in memory
// (tests/support/scripted-deployment.ts): which servers it checks, in which order, when it stops, which
// one it ends on, and that every socket it does not keep is closed. The replica set end-to-end tests
// (tests/e2e/replica-set.test.ts) prove the same choices against the reference server; here each rule is
// counted socket by socket, and the refusals no real server is needed for get their messages checked.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ObjectId } from "bson";
import { connectWith, MongoAuthError, type TraceEvent } from "@mongo-auth/core";
import { scriptedDeployment, type ScriptedServer } from "../support/scripted-deployment.ts";
import { fixturePath } from "../../testing/paths.ts";

const P = "p.test:27017";
const S1 = "s1.test:27017";
const S2 = "s2.test:27017";
// The primary listed last: checking it before S2 is the possible-primary rule, not the list's order.
const MEMBERS = [S1, S2, P];

const mongos = { isWritablePrimary: true, msg: "isdbgrid" };
const primary = { isWritablePrimary: true, setName: "rs0", hosts: MEMBERS, me: P, primary: P };
const secondaryAt = (me: string) => ({ secondary: true, setName: "rs0", hosts: MEMBERS, me, primary: P });
const replicaSet: Record<string, ScriptedServer> = {
  [P]: primary,
  [S1]: secondaryAt(S1),
  [S2]: secondaryAt(S2),
};

const openedAddresses = (deployment: ReturnType<typeof scriptedDeployment>) =>
  deployment.opened.map((socket) => socket.address);

/** The addresses of the sockets still open, in the order they were opened. */
const stillOpen = (deployment: ReturnType<typeof scriptedDeployment>) =>
  deployment.opened.filter((socket) => !socket.peer.closed).map((socket) => socket.address);

function selected(trace: readonly TraceEvent[]) {
  const event = trace.find((e) => e.type === "server.selected");
  assert.ok(event?.type === "server.selected", "a server.selected event");
  return event.attributes;
}

async function refusal(promise: Promise<unknown>): Promise<MongoAuthError> {
  const error = await promise.then(() => assert.fail("connect() should have failed"), (e: unknown) => e);
  assert.ok(error instanceof MongoAuthError, `a MongoAuthError, not ${error}`);
  return error;
}

describe("discovery: mongoses", () => {
  it("ends on the first mongos that answers: one socket, the others never checked", async () => {
    const deployment = scriptedDeployment({
      "m1.test:27017": mongos,
      "m2.test:27017": mongos,
      "m3.test:27017": mongos,
    });
    const conn = await connectWith(deployment.transport, "mongodb://m1.test,m2.test,m3.test/");
    assert.equal(conn.role, "mongos");
    assert.equal(conn.topology.type, "Sharded");
    assert.equal(conn.handshake.serversChecked, 1);
    assert.deepEqual(openedAddresses(deployment), [conn.address]);
    await conn.close();
  });

  it("checks the seeds in random order, which spreads clients over the mongoses", async () => {
    const firsts = new Set<string>();
    // Three seeds, twenty connections: all on one mongos has a chance of 3 in 3^20.
    for (let i = 0; i < 20; i++) {
      const deployment = scriptedDeployment({
        "m1.test:27017": mongos,
        "m2.test:27017": mongos,
        "m3.test:27017": mongos,
      });
      const conn = await connectWith(deployment.transport, "mongodb://m1.test,m2.test,m3.test/");
      firsts.add(conn.address);
      await conn.close();
    }
    assert.ok(firsts.size > 1, `every connection went to ${[...firsts]}`);
  });

  it("passes over a seed that refuses the connection to one that answers", async () => {
    for (let i = 0; i < 5; i++) {
      const deployment = scriptedDeployment({ "down.test:27017": "refuse", "m.test:27017": mongos });
      const conn = await connectWith(deployment.transport, "mongodb://down.test,m.test/");
      assert.equal(conn.address, "m.test:27017");
      assert.deepEqual(openedAddresses(deployment), ["m.test:27017"]);
      await conn.close();
    }
  });
});

describe("discovery: a replica set read from the primary", () => {
  it("from a secondary, checks the primary it names next and stops there: the other member is never checked", async () => {
    const deployment = scriptedDeployment(replicaSet);
    const conn = await connectWith(deployment.transport, "mongodb://s1.test/?replicaSet=rs0");
    assert.equal(conn.address, P);
    assert.equal(conn.role, "primary");
    assert.deepEqual(openedAddresses(deployment), [S1, P]);
    assert.equal(conn.handshake.serversChecked, 2);
    assert.deepEqual(stillOpen(deployment), [P], "the secondary's socket is closed");
    assert.deepEqual([...conn.topology.hosts].sort(), [...MEMBERS].sort());
    assert.equal(selected(conn.trace).checks, 2);
    await conn.close();
    assert.deepEqual(stillOpen(deployment), []);
  });

  it("a primary among the seeds: one check when it is the first", async () => {
    const deployment = scriptedDeployment(replicaSet);
    const conn = await connectWith(deployment.transport, "mongodb://p.test/?replicaSet=rs0");
    assert.deepEqual(openedAddresses(deployment), [P]);
    assert.equal(conn.handshake.serversChecked, 1);
    await conn.close();
  });

  it("with no primary, fails after checking every member, each socket closed", async () => {
    const noPrimary = {
      [S1]: { ...secondaryAt(S1), primary: undefined },
      [S2]: { ...secondaryAt(S2), primary: undefined },
    };
    const deployment = scriptedDeployment({ ...noPrimary, [P]: "refuse" });
    const error = await refusal(connectWith(deployment.transport, "mongodb://s1.test/?replicaSet=rs0"));
    assert.equal(error.code, "SERVER_SELECTION_FAILED");
    assert.deepEqual(openedAddresses(deployment).sort(), [S1, S2]);
    assert.deepEqual(stillOpen(deployment), []);
  });
});

describe("discovery: a replica set read from secondaries", () => {
  it("checks every member at once and ends on a secondary, closing the others", async () => {
    const deployment = scriptedDeployment(replicaSet);
    const conn = await connectWith(
      deployment.transport,
      "mongodb://s1.test/?replicaSet=rs0&readPreference=secondary",
    );
    assert.equal(conn.role, "secondary");
    assert.deepEqual(openedAddresses(deployment).sort(), [...MEMBERS].sort());
    assert.equal(conn.handshake.serversChecked, 3);
    assert.deepEqual(stillOpen(deployment), [conn.address]);
    const selection = selected(conn.trace);
    assert.equal(selection.readPreference, "secondary");
    assert.equal(selection.candidates, 2);
    assert.equal(selection.checks, 3);
    await conn.close();
  });

  it("does not choose before every member is checked, even once the primary and a secondary answered", async () => {
    const deployment = scriptedDeployment(replicaSet);
    const conn = await connectWith(
      deployment.transport,
      "mongodb://p.test,s1.test/?replicaSet=rs0&readPreference=secondary",
    );
    assert.deepEqual(
      openedAddresses(deployment).sort(),
      [...MEMBERS].sort(),
      "S2, which only the members name, too",
    );
    assert.equal(selected(conn.trace).candidates, 2);
    await conn.close();
  });

  it("chooses only among members whose tags match", async () => {
    const tagged = { ...replicaSet, [S2]: { ...secondaryAt(S2), tags: { dc: "sf" } } };
    const deployment = scriptedDeployment(tagged);
    const conn = await connectWith(
      deployment.transport,
      "mongodb://s1.test/?replicaSet=rs0&readPreference=secondary&readPreferenceTags=dc:sf",
    );
    assert.equal(conn.address, S2);
    assert.equal(selected(conn.trace).candidates, 1);
    assert.deepEqual(selected(conn.trace).readPreferenceTags, ["dc:sf"]);
    await conn.close();
  });
});

describe("discovery: servers it refuses to use", () => {
  it("loadBalanced=true and a server without serviceId: SERVER_SELECTION_FAILED saying what to change", async () => {
    const deployment = scriptedDeployment({ "lb.test:27017": mongos });
    const error = await refusal(connectWith(deployment.transport, "mongodb://lb.test/?loadBalanced=true"));
    assert.equal(error.code, "SERVER_SELECTION_FAILED");
    assert.match(error.message, /^Driver attempted to initialize in load balancing mode/);
    assert.match(error.message, /lb\.test:27017 answered hello without a serviceId/);
    assert.match(error.message, /remove loadBalanced=true/);
    assert.deepEqual(stillOpen(deployment), []);
  });

  it("loadBalanced=true and a serviceId: the load balancer, one check", async () => {
    const deployment = scriptedDeployment({ "lb.test:27017": { ...mongos, serviceId: new ObjectId() } });
    const conn = await connectWith(deployment.transport, "mongodb://lb.test/?loadBalanced=true");
    assert.equal(conn.role, "loadBalancer");
    assert.equal(conn.topology.type, "LoadBalanced");
    assert.equal(deployment.bodies.get("lb.test:27017")?.[0].loadBalanced, true, "hello says loadBalanced");
    await conn.close();
  });

  it("a server whose wire versions this client does not speak: SERVER_SELECTION_FAILED naming them", async () => {
    const deployment = scriptedDeployment({
      "old.test:27017": { isWritablePrimary: true, maxWireVersion: 5 },
    });
    const error = await refusal(connectWith(deployment.transport, "mongodb://old.test/"));
    assert.equal(error.code, "SERVER_SELECTION_FAILED");
    assert.match(
      error.message,
      /old\.test:27017 reports wire version 5.*requires at least 6 \(MongoDB 3\.6\)/,
    );
    assert.deepEqual(stillOpen(deployment), []);
  });

  it("a standalone among several seeds is never chosen: removed if checked, its socket closed", async () => {
    // Twelve tries: the standalone is checked first in all but 1 in 4096 runs.
    for (let i = 0; i < 12; i++) {
      const deployment = scriptedDeployment({
        "solo.test:27017": { isWritablePrimary: true },
        "m.test:27017": mongos,
      });
      const conn = await connectWith(deployment.transport, "mongodb://solo.test,m.test/");
      assert.equal(conn.address, "m.test:27017");
      assert.deepEqual(stillOpen(deployment), ["m.test:27017"]);
      if (openedAddresses(deployment).includes("solo.test:27017")) {
        assert.equal(conn.topology.hosts.includes("solo.test:27017"), false, "checked, it is removed");
      }
      await conn.close();
    }
  });
});

describe("discovery: where a check carries the authentication's speculative step", () => {
  // The scripted transport opens no TLS: the certificate only has to be there for X509 to be allowed.
  const certificate = { tlsCertificateKeyFile: fixturePath("pki/client.pem") };
  const speculated = (deployment: ReturnType<typeof scriptedDeployment>, address: string) =>
    deployment.bodies.get(address)?.[0].speculativeAuthenticate !== undefined;

  it("MONGODB-X509 (the step is the whole login): only on the primary a member named, not on the seeds", async () => {
    const deployment = scriptedDeployment(replicaSet);
    const conn = await connectWith(
      deployment.transport,
      "mongodb://s1.test,s2.test/?replicaSet=rs0&authMechanism=MONGODB-X509&tls=true",
      certificate,
    );
    assert.equal(conn.address, P);
    for (const seed of openedAddresses(deployment).filter((a) => a !== P)) {
      assert.equal(speculated(deployment, seed), false, `${seed}'s hello`);
    }
    assert.equal(speculated(deployment, P), true, "the primary's hello");
    await conn.close();
  });

  it("MONGODB-X509 and a single seed: speculates, since connect() stays on it unless it is a secondary", async () => {
    const deployment = scriptedDeployment({ "solo.test:27017": { isWritablePrimary: true } });
    const conn = await connectWith(
      deployment.transport,
      "mongodb://solo.test/?authMechanism=MONGODB-X509&tls=true",
      certificate,
    );
    assert.equal(speculated(deployment, "solo.test:27017"), true);
    await conn.close();
  });

  it("no credential: no check speculates", async () => {
    const deployment = scriptedDeployment(replicaSet);
    const conn = await connectWith(deployment.transport, "mongodb://s1.test/?replicaSet=rs0");
    for (const address of openedAddresses(deployment)) {
      assert.equal(speculated(deployment, address), false, address);
    }
    await conn.close();
  });
});

describe("connect(): a member that names more hosts than a replica set can have", () => {
  it("each topology.updated event lists 50 servers and how many more, and the scan still finds the primary", async () => {
    // 120 hosts that refuse, and the primary listed last: MongoDB caps a replica set at 50 members.
    const many = Array.from({ length: 120 }, (_, i) => `m${i}.test:27017`);
    const hosts = [...many, P];
    const deployment = scriptedDeployment({
      [P]: { isWritablePrimary: true, setName: "rs0", hosts, me: P, primary: P },
      [S1]: { secondary: true, setName: "rs0", hosts, me: S1, primary: P },
    });
    const conn = await connectWith(deployment.transport, `mongodb://${S1}/?replicaSet=rs0`);
    assert.equal(conn.address, P);
    const updates = conn.trace.filter((e) => e.type === "topology.updated");
    assert.ok(updates.length > 0);
    for (const event of updates) {
      assert.ok(event.type === "topology.updated");
      const servers = event.attributes.servers;
      assert.ok(servers.length <= 51, `${servers.length} entries`);
      if (servers.length === 51) assert.match(servers[50], /^… and \d+ more$/);
    }
    await conn.close();
  });
});
