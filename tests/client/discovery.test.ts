// How connect() finds its member, driven through connectWith against a deployment played in memory
// (tests/support/scripted-deployment.ts): which servers it checks, in which order, when it stops, which
// one it ends on, and that every socket it does not keep is closed. The replica set end-to-end tests
// (tests/e2e/replica-set.test.ts) prove the same choices against the reference server; here each rule is
// counted socket by socket, and the refusals no real server is needed for get their messages checked.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ObjectId } from "bson";
import {
  AuthCacheStore,
  connectWith,
  MongoAuthError,
  type OpenSocketOptions,
  type TraceEvent,
  type Transport,
} from "@mongo-auth/core";
import {
  scriptedDeployment,
  type ScriptedServer,
  silent,
  silentHost,
} from "../support/scripted-deployment.ts";
import { memorySocket, type Peer, replyTo, requestBody } from "../support/memory-socket.ts";
import { fixturePath } from "../../testing/paths.ts";
import { settledWithin } from "../support/settled-within.ts";

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

// One client: one cacheStore. Each test plays its own deployment (its own transport), so no scan of another
// test's is remembered.
const client = () => ({ cacheStore: new AuthCacheStore() });

async function refusal(promise: Promise<unknown>): Promise<MongoAuthError> {
  const error = await promise.then(() => assert.fail("connect() should have failed"), (e: unknown) => e);
  assert.ok(error instanceof MongoAuthError, `a MongoAuthError, not ${error}`);
  return error;
}

describe("discovery: mongoses", () => {
  const M1 = "m1.test:27017";
  const M2 = "m2.test:27017";
  const FAR = "far.test:27017";
  const mongoses = { [M1]: mongos, [M2]: mongos, "m3.test:27017": mongos };

  it("checks every seed at once and ends on one mongos; every other socket is closed", async () => {
    const deployment = scriptedDeployment(mongoses);
    const conn = await connectWith(deployment.transport, "mongodb://m1.test,m2.test,m3.test/");
    assert.equal(conn.role, "mongos");
    assert.equal(conn.topology.type, "Sharded");
    assert.equal(conn.handshake.serversChecked, 3);
    assert.deepEqual(openedAddresses(deployment).sort(), Object.keys(mongoses).sort());
    assert.deepEqual(stillOpen(deployment), [conn.address]);
    assert.equal(selected(conn.trace).candidates, 3, "all three answered within localThresholdMS");
    assert.equal(selected(conn.trace).abandoned, undefined);
    await conn.close();
    assert.deepEqual(stillOpen(deployment), []);
  });

  it("chooses at random among the mongoses in the latency window, which spreads clients over them", async () => {
    const chosen = new Set<string>();
    // Three seeds, twenty connections: all on one mongos has a chance of 3 in 3^20.
    for (let i = 0; i < 20; i++) {
      const deployment = scriptedDeployment(mongoses);
      const conn = await connectWith(deployment.transport, "mongodb://m1.test,m2.test,m3.test/");
      chosen.add(conn.address);
      await conn.close();
    }
    assert.ok(chosen.size > 1, `every connection went to ${[...chosen]}`);
  });

  it("never ends on a mongos far outside the latency window: its check is abandoned and its socket closed", async () => {
    // A near mongos, one 3 ms further (inside localThresholdMS, 15 ms), and one 500 ms away. The far one is
    // listed first and would be checked first by a scan that went one seed at a time.
    const chosen = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const deployment = scriptedDeployment({ [FAR]: mongos, [M1]: mongos, [M2]: mongos }, undefined, {
        [FAR]: 500,
        [M2]: 3,
      });
      const conn = await connectWith(deployment.transport, "mongodb://far.test,m1.test,m2.test/");
      assert.notEqual(conn.address, FAR);
      assert.equal(conn.handshake.serversChecked, 3, "all three checked at once");
      assert.deepEqual(
        stillOpen(deployment),
        [conn.address],
        "the far mongos's check abandoned, its socket closed",
      );
      assert.ok(selected(conn.trace).candidates <= 2);
      assert.deepEqual(selected(conn.trace).abandoned, [FAR]);
      assert.ok(!conn.trace.some((e) => e.type === "host.failed"), "an abandoned check is no failure");
      chosen.add(conn.address);
      await conn.close();
    }
    assert.deepEqual([...chosen].sort(), [M1, M2], "both mongoses in the window are chosen");
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

  it("does not wait for a seed that drops packets: the mongos that answered is chosen", async () => {
    // Six connections: a scan that went one seed at a time would have begun with the silent seed in one of
    // them (a chance of 63 in 64) and waited out its connectTimeoutMS there.
    for (let i = 0; i < 6; i++) {
      const deployment = scriptedDeployment({ [M1]: mongos });
      const transport = silentHost(deployment, "silent.test");
      const conn = await connectWith(transport, "mongodb://silent.test,m1.test/?connectTimeoutMS=2000");
      assert.equal(conn.address, M1);
      assert.ok(!conn.trace.some((e) => e.type === "host.failed"), "the silent seed's check was abandoned");
      await conn.close();
    }
  });

  describe("a client's later connections", () => {
    it("check one mongos each, chosen at random in the window the first scan measured", async () => {
      const servers: Record<string, ScriptedServer> = { [FAR]: mongos, [M1]: mongos, [M2]: mongos };
      const deployment = scriptedDeployment(servers, undefined, { [FAR]: 500 });
      const options = client();
      const uri = "mongodb://far.test,m1.test,m2.test/";
      await (await connectWith(deployment.transport, uri, options)).close();
      const chosen = new Set<string>();
      for (let i = 0; i < 20; i++) {
        const from = deployment.opened.length;
        const conn = await connectWith(deployment.transport, uri, options);
        assert.deepEqual(openedAddresses(deployment).slice(from), [conn.address], "one socket");
        assert.equal(conn.handshake.serversChecked, 1);
        assert.ok(selected(conn.trace).rememberedMs! >= 0);
        chosen.add(conn.address);
        await conn.close();
      }
      assert.deepEqual([...chosen].sort(), [M1, M2]);
    });

    it("started together, without replicaSet=, wait for the first one's scan: one scan, then one socket each", async () => {
      const deployment = scriptedDeployment(mongoses);
      const options = client();
      const uri = "mongodb://m1.test,m2.test,m3.test/";
      const conns = await Promise.all(
        Array.from({ length: 10 }, () => connectWith(deployment.transport, uri, options)),
      );
      assert.equal(deployment.opened.length, 3 + 9);
      assert.deepEqual(conns.map((conn) => conn.handshake.serversChecked).sort(), [
        1,
        1,
        1,
        1,
        1,
        1,
        1,
        1,
        1,
        3,
      ]);
      // Those the turn budget held back start after the scan and find it remembered; the others wait for it.
      assert.ok(conns.some((conn) => selected(conn.trace).waitedMs !== undefined), "some waited");
      await Promise.all(conns.map((conn) => conn.close()));
      assert.deepEqual(stillOpen(deployment), []);
    });

    it("a remembered mongos gone silent holds a connection up 500 ms, not its connectTimeoutMS", async () => {
      // The first scan hears m1 alone in the window (the others 500 ms away, abandoned): its memory is m1.
      const delays: Record<string, number> = { [M2]: 500, "m3.test:27017": 500 };
      const deployment = scriptedDeployment(mongoses, undefined, delays);
      let m1Down = false;
      const transport: Transport = Object.create(deployment.transport, {
        openSocket: {
          value: (o: OpenSocketOptions) =>
            m1Down && o.host === "m1.test" ? silent(o) : deployment.transport.openSocket(o),
        },
      });
      const options = client();
      const uri = "mongodb://m1.test,m2.test,m3.test/?connectTimeoutMS=10000";
      const first = await connectWith(transport, uri, options);
      assert.equal(first.address, M1);
      await first.close();
      for (const address of Object.keys(delays)) delete delays[address];
      m1Down = true;
      const conn = await settledWithin(
        3000,
        "connect() from a silent mongos",
        connectWith(transport, uri, options),
      );
      assert.notEqual(conn.address, M1);
      const connecting = conn.trace.filter((e) => e.type === "host.connecting");
      assert.deepEqual(connecting.map((e) => e.attributes.host).slice(0, 1), ["m1.test"], "m1 first");
      assert.equal(connecting.length, 3, "then the other two, at once");
      assert.deepEqual(connecting.map((e) => e.attributes.beside), [undefined, [M1], [M1]]);
      assert.ok(selected(conn.trace).rememberedMs! >= 0, "it started from the earlier scan");
      assert.ok(selected(conn.trace).abandoned?.includes(M1), "m1's check abandoned");
      assert.ok(!conn.trace.some((e) => e.type === "host.failed"), "an abandoned check is no failure");
      await conn.close();
      // The scan beside m1 is the one remembered now: one socket each, never m1.
      for (let i = 0; i < 5; i++) {
        const next = await settledWithin(400, "a connection after it", connectWith(transport, uri, options));
        assert.notEqual(next.address, M1);
        assert.equal(next.handshake.serversChecked, 1);
        await next.close();
      }
      assert.deepEqual(stillOpen(deployment), []);
    });

    it("when the remembered mongos refuses, scan again without it, and remember the new scan", async () => {
      const servers: Record<string, ScriptedServer> = { ...mongoses };
      const deployment = scriptedDeployment(servers);
      const options = client();
      const uri = "mongodb://m1.test,m2.test,m3.test/";
      await (await connectWith(deployment.transport, uri, options)).close();
      for (const address of Object.keys(mongoses)) servers[address] = "refuse";
      servers[M1] = mongos;
      // Refused sockets are not recorded: whichever mongos is remembered, the next connection ends on m1.
      const conn = await connectWith(deployment.transport, uri, options);
      assert.equal(conn.address, M1);
      await conn.close();
      const from = deployment.opened.length;
      const next = await connectWith(deployment.transport, uri, options);
      assert.equal(next.address, M1);
      assert.deepEqual(openedAddresses(deployment).slice(from), [M1], "one socket");
      await next.close();
    });
  });
});

describe("discovery: one server", () => {
  const hellos = (deployment: ReturnType<typeof scriptedDeployment>, address: string) =>
    deployment.commands.get(address)?.filter((name) => name === "hello").length;
  const types = (trace: readonly TraceEvent[]) => trace.map((event) => event.type);

  it("one seed, a standalone: its one check is the whole of discovery, and nothing was chosen among", async () => {
    const deployment = scriptedDeployment({ "db.test:27017": { isWritablePrimary: true } });
    const conn = await connectWith(deployment.transport, "mongodb://db.test/", client());
    assert.equal(conn.role, "standalone");
    assert.equal(conn.topology.type, "Single");
    assert.equal(conn.handshake.serversChecked, 1);
    const connecting = conn.trace.find((event) => event.type === "host.connecting");
    assert.deepEqual(connecting?.attributes, { host: "db.test", port: 27017, attempt: 1, of: 1 });
    assert.ok(
      !types(conn.trace).includes("topology.updated") && !types(conn.trace).includes("server.selected"),
    );
    await conn.close();
    assert.deepEqual(stillOpen(deployment), []);
  });

  it("one seed, a mongos: that check is the scan's first (one socket, one hello), and the scan is remembered", async () => {
    const deployment = scriptedDeployment({ "m.test:27017": mongos });
    const options = client();
    const conn = await connectWith(deployment.transport, "mongodb://m.test/", options);
    assert.equal(conn.role, "mongos");
    assert.deepEqual(openedAddresses(deployment), ["m.test:27017"]);
    assert.equal(hellos(deployment, "m.test:27017"), 1);
    assert.equal(selected(conn.trace).checks, 1);
    const next = await connectWith(deployment.transport, "mongodb://m.test/", options);
    assert.equal(
      typeof selected(next.trace).rememberedMs,
      "number",
      "the next connection starts from that scan",
    );
    await Promise.all([conn.close(), next.close()]);
  });

  it("one seed, a secondary: the scan goes on to the primary it names, without checking the seed again", async () => {
    const deployment = scriptedDeployment(replicaSet);
    const conn = await connectWith(deployment.transport, "mongodb://s1.test/", client());
    assert.equal(conn.address, P);
    assert.deepEqual(openedAddresses(deployment), [S1, P]);
    assert.equal(hellos(deployment, S1), 1);
    assert.equal(conn.handshake.serversChecked, 2);
    assert.deepEqual(stillOpen(deployment), [P], "the secondary's socket is closed");
    await conn.close();
  });

  it("one seed that refused is not checked again in its cooldown (5 s), though the scans go on", async () => {
    let attempts = 0;
    const deployment = scriptedDeployment({ "db.test:27017": { isWritablePrimary: true } });
    const transport: Transport = Object.create(deployment.transport, {
      openSocket: {
        value: (options: OpenSocketOptions) =>
          attempts++ === 0
            ? Promise.reject(new MongoAuthError("CONNECTION_FAILED", "db.test:27017: connection refused"))
            : deployment.transport.openSocket(options),
      },
    });
    const uri = "mongodb://db.test/?serverSelectionTryOnce=false&serverSelectionTimeoutMS=1200";
    const error = await refusal(connectWith(transport, uri, client()));
    assert.equal(error.code, "CONNECTION_FAILED");
    assert.equal(attempts, 1, "the scans after 500 ms and 1 s found it in its cooldown");
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

  it("a member that drops packets holds up the next member's check 500 ms, not its connectTimeoutMS", async () => {
    // The seeds in random order: in about half the runs the silent one is checked first.
    let silentFirst = 0;
    for (let i = 0; i < 10; i++) {
      const deployment = scriptedDeployment(replicaSet);
      const conn = await settledWithin(
        4000,
        "connect() with a silent seed",
        connectWith(
          silentHost(deployment, "s2.test"),
          "mongodb://s2.test,s1.test/?replicaSet=rs0&connectTimeoutMS=10000",
        ),
      );
      assert.equal(conn.address, P);
      const checked = conn.trace.filter((e) => e.type === "host.connecting").map((e) => e.attributes.host);
      if (checked[0] === "s2.test") {
        silentFirst++;
        assert.deepEqual(checked, ["s2.test", "s1.test", "p.test"]);
        const beside = conn.trace.filter((e) => e.type === "host.connecting").map((e) => e.attributes.beside);
        assert.deepEqual(beside, [undefined, [S2], undefined], "the trace says the second started beside S2");
        const after = conn.trace.filter((e) => e.type === "host.connecting").map((e) =>
          e.attributes.slowAfterMs
        );
        assert.deepEqual(after, [undefined, 500, undefined], "and after how long");
        assert.deepEqual(selected(conn.trace).abandoned, [S2], "the silent member's check was abandoned");
      } else {
        assert.deepEqual(checked, ["s1.test", "p.test"], "without a slow check, one member at a time");
      }
      await conn.close();
      assert.deepEqual(stillOpen(deployment), []);
    }
    assert.ok(silentFirst > 0, "the silent seed came first in some run (1 in 1024 that it never does)");
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

  it("a member started with --replSet before rs.initiate() (a fresh container): says to run rs.initiate()", async () => {
    // mongod 7.0's hello before the set has a configuration (replication_info.cpp): isreplicaset, no setName.
    const uninitiated = {
      isWritablePrimary: false,
      secondary: false,
      isreplicaset: true,
      info: "Does not have a valid replica set config",
    };
    for (const uri of ["mongodb://s1.test/", "mongodb://s1.test/?replicaSet=rs0"]) {
      const deployment = scriptedDeployment({ [S1]: uninitiated });
      const error = await refusal(connectWith(deployment.transport, uri));
      assert.equal(error.code, "SERVER_SELECTION_FAILED");
      assert.match(
        error.message,
        /^s1\.test:27017 is a replica set member not yet in a set's configuration: mongod runs with --replSet, but rs\.initiate\(\) has not run/,
        uri,
      );
      assert.doesNotMatch(error.message, /several hosts|another set/, uri);
      assert.deepEqual(stillOpen(deployment), []);
    }
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

  it("does not choose before the members only the others name are checked too", async () => {
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

  it("does not wait for a member that drops packets: chooses among those that answered", async () => {
    // Six connections: waiting for the silent member would cost each its connectTimeoutMS and a TIMEOUT.
    for (let i = 0; i < 6; i++) {
      const deployment = scriptedDeployment(replicaSet);
      const conn = await connectWith(
        silentHost(deployment, "s2.test"),
        "mongodb://p.test,s1.test,s2.test/?replicaSet=rs0&readPreference=nearest&connectTimeoutMS=2000",
      );
      assert.ok([P, S1].includes(conn.address), conn.address);
      assert.ok(!conn.trace.some((e) => e.type === "host.failed"), "the silent member's check was abandoned");
      assert.deepEqual(selected(conn.trace).abandoned, [S2]);
      await conn.close();
      assert.deepEqual(stillOpen(deployment), []);
    }
  });

  it("a scan that did not wait for a silent member serves the client's next readers: one socket each", async () => {
    const deployment = scriptedDeployment(replicaSet);
    const transport = silentHost(deployment, "s2.test");
    const options = client();
    const uri =
      "mongodb://p.test,s1.test,s2.test/?replicaSet=rs0&readPreference=nearest&connectTimeoutMS=2000";
    await (await connectWith(transport, uri, options)).close();
    for (let i = 0; i < 5; i++) {
      const from = deployment.opened.length;
      const conn = await connectWith(transport, uri, options);
      assert.deepEqual(openedAddresses(deployment).slice(from), [conn.address], "one socket");
      assert.ok([P, S1].includes(conn.address), conn.address);
      await conn.close();
    }
  });

  it("waits for the members a far seed names as long as that seed's check took: they are nearer, and chosen", async () => {
    // The seed answers in 100 ms, the members it names (checked only then) in 70 ms: they are what the latency
    // window holds, though they answer 70 ms after the seed did.
    for (let i = 0; i < 3; i++) {
      const deployment = scriptedDeployment(replicaSet, undefined, { [S1]: 100, [P]: 70, [S2]: 70 });
      const conn = await connectWith(
        deployment.transport,
        "mongodb://s1.test/?replicaSet=rs0&readPreference=nearest",
      );
      assert.ok([P, S2].includes(conn.address), conn.address);
      assert.equal(selected(conn.trace).checks, 3);
      assert.equal(selected(conn.trace).abandoned, undefined);
      await conn.close();
    }
  });

  it("never ends on a member far outside the latency window: its check is abandoned", async () => {
    for (let i = 0; i < 5; i++) {
      const deployment = scriptedDeployment(replicaSet, undefined, { [S2]: 500 });
      const conn = await connectWith(
        deployment.transport,
        "mongodb://p.test,s1.test,s2.test/?replicaSet=rs0&readPreference=nearest",
      );
      assert.ok([P, S1].includes(conn.address), conn.address);
      assert.deepEqual(selected(conn.trace).abandoned, [S2]);
      await conn.close();
      assert.deepEqual(stillOpen(deployment), []);
    }
  });

  it("secondaryPreferred: a primary that answers first does not cut short the wait for the secondaries", async () => {
    // The primary answers at once and the secondaries after 100 ms: they are the choice, as every member
    // would have said had all answered together.
    const deployment = scriptedDeployment(replicaSet, undefined, { [S1]: 100, [S2]: 100 });
    const conn = await connectWith(
      deployment.transport,
      "mongodb://p.test,s1.test,s2.test/?replicaSet=rs0&readPreference=secondaryPreferred",
    );
    assert.equal(conn.role, "secondary");
    assert.equal(selected(conn.trace).abandoned, undefined);
    await conn.close();
  });
});

describe("discovery: a client's later connections start from its last scan of the replica set", () => {
  const opened = (deployment: ReturnType<typeof scriptedDeployment>, from: number) =>
    openedAddresses(deployment).slice(from);

  it("the next connection checks only the primary the scan found: one socket, one hello", async () => {
    const deployment = scriptedDeployment(replicaSet);
    const options = client();
    const first = await connectWith(deployment.transport, "mongodb://s1.test/?replicaSet=rs0", options);
    assert.equal(first.handshake.serversChecked, 2);
    assert.equal(selected(first.trace).rememberedMs, undefined);
    const before = deployment.opened.length;
    const second = await connectWith(deployment.transport, "mongodb://s1.test/?replicaSet=rs0", options);
    assert.equal(second.address, P);
    assert.equal(second.role, "primary");
    assert.deepEqual(opened(deployment, before), [P]);
    assert.equal(second.handshake.serversChecked, 1);
    assert.deepEqual([...second.topology.hosts].sort(), [...MEMBERS].sort());
    const selection = selected(second.trace);
    assert.equal(selection.checks, 1);
    assert.equal(typeof selection.rememberedMs, "number");
    assert.ok(selection.rememberedMs! >= 0);
    await first.close();
    await second.close();
    assert.deepEqual(stillOpen(deployment), []);
  });

  it("another client, another transport or another seed list scans for itself", async () => {
    const deployment = scriptedDeployment(replicaSet);
    const options = client();
    await (await connectWith(deployment.transport, "mongodb://s1.test/?replicaSet=rs0", options)).close();
    const checks = async (uri: string, transport = deployment.transport, more = options) => {
      const conn = await connectWith(transport, uri, more);
      await conn.close();
      return conn.handshake.serversChecked;
    };
    assert.equal(await checks("mongodb://s1.test/?replicaSet=rs0", deployment.transport, client()), 2);
    assert.equal(
      await checks("mongodb://s1.test/?replicaSet=rs0", scriptedDeployment(replicaSet).transport),
      2,
    );
    assert.equal(await checks("mongodb://s1.test,s2.test/?replicaSet=rs0"), 2);
    assert.equal(await checks("mongodb://s1.test/?replicaSet=rs0"), 1, "the first client still remembers");
  });

  it("after heartbeatFrequencyMS, a connection scans again", async () => {
    const deployment = scriptedDeployment(replicaSet);
    const options = client();
    const uri = "mongodb://s1.test/?replicaSet=rs0&heartbeatFrequencyMS=500";
    await (await connectWith(deployment.transport, uri, options)).close();
    await new Promise((resolve) => setTimeout(resolve, 600));
    const conn = await connectWith(deployment.transport, uri, options);
    assert.equal(conn.handshake.serversChecked, 2);
    assert.equal(selected(conn.trace).rememberedMs, undefined);
    await conn.close();
  });

  it("a primary that stepped down since: its hello says so, the connection scans and ends on the new one", async () => {
    const servers: Record<string, ScriptedServer> = { ...replicaSet };
    const deployment = scriptedDeployment(servers);
    const options = client();
    const uri = "mongodb://s1.test/?replicaSet=rs0";
    await (await connectWith(deployment.transport, uri, options)).close();
    const electionId = new ObjectId();
    servers[S1] = { ...primary, me: S1, primary: S1, electionId, setVersion: 2 };
    servers[S2] = { ...secondaryAt(S2), primary: S1 };
    servers[P] = { ...secondaryAt(P), primary: S1 };
    const before = deployment.opened.length;
    const conn = await connectWith(deployment.transport, uri, options);
    assert.equal(conn.address, S1);
    assert.equal(conn.role, "primary");
    assert.deepEqual(
      opened(deployment, before),
      [P, S1],
      "the remembered primary, then the scan from the seed",
    );
    assert.equal(conn.handshake.serversChecked, 2);
    assert.equal(selected(conn.trace).rememberedMs, undefined);
    await conn.close();
    const next = await connectWith(deployment.transport, uri, options);
    assert.equal(next.address, S1, "the scan that found the new primary is the one remembered");
    assert.equal(next.handshake.serversChecked, 1);
    await next.close();
    assert.deepEqual(stillOpen(deployment), []);
  });

  // The deployment's transport, on which p.test drops packets once `down.p` is set.
  const primaryGoesSilent = (deployment: ReturnType<typeof scriptedDeployment>) => {
    const down = { p: false };
    const transport: Transport = Object.create(deployment.transport, {
      openSocket: {
        value: (o: OpenSocketOptions) =>
          down.p && o.host === "p.test" ? silent(o) : deployment.transport.openSocket(o),
      },
    });
    return { transport, down };
  };

  it("a remembered primary gone silent, another elected: found beside it in about 500 ms, not connectTimeoutMS", async () => {
    const servers: Record<string, ScriptedServer> = { ...replicaSet };
    const deployment = scriptedDeployment(servers);
    const { transport, down } = primaryGoesSilent(deployment);
    const options = client();
    const uri = "mongodb://s1.test/?replicaSet=rs0&connectTimeoutMS=10000";
    await (await connectWith(transport, uri, options)).close();
    down.p = true;
    servers[S1] = { ...primary, me: S1, primary: S1, electionId: new ObjectId(), setVersion: 2 };
    servers[S2] = { ...secondaryAt(S2), primary: S1 };
    const conn = await settledWithin(
      3000,
      "connect() from a silent primary",
      connectWith(transport, uri, options),
    );
    assert.equal(conn.address, S1);
    assert.equal(conn.role, "primary");
    const connecting = conn.trace.filter((e) => e.type === "host.connecting");
    assert.equal(connecting[0].attributes.host, "p.test", "the remembered primary first");
    assert.deepEqual(connecting[1].attributes.beside, [P], "the next member beside it");
    assert.deepEqual(selected(conn.trace).abandoned, [P]);
    await conn.close();
    const next = await settledWithin(400, "the connection after it", connectWith(transport, uri, options));
    assert.equal(next.address, S1, "the scan beside the silent primary is the one remembered");
    assert.equal(next.handshake.serversChecked, 1);
    await next.close();
    assert.deepEqual(stillOpen(deployment), []);
  });

  it("a remembered primary slower than 500 ms that still answers is still the one chosen", async () => {
    const delays: Record<string, number> = {};
    const deployment = scriptedDeployment(replicaSet, undefined, delays);
    const options = client();
    const uri = "mongodb://s1.test/?replicaSet=rs0&connectTimeoutMS=10000";
    await (await connectWith(deployment.transport, uri, options)).close();
    delays[P] = 800;
    const conn = await connectWith(deployment.transport, uri, options);
    assert.equal(conn.address, P);
    assert.equal(conn.role, "primary");
    assert.equal(conn.handshake.serversChecked, 3, "the members beside it told nothing new");
    assert.ok(!conn.trace.some((e) => e.type === "host.failed"));
    await conn.close();
    assert.deepEqual(stillOpen(deployment), []);
  });

  it("a remembered primary far away has eight of its round trips before the members are checked beside it", async () => {
    // The scan measured the primary's hello at about 100 ms: it has about 800 ms, not 500.
    const delays: Record<string, number> = { [P]: 100 };
    const deployment = scriptedDeployment(replicaSet, undefined, delays);
    const options = client();
    const uri = "mongodb://s1.test/?replicaSet=rs0&connectTimeoutMS=10000";
    await (await connectWith(deployment.transport, uri, options)).close();
    delays[P] = 650;
    const conn = await connectWith(deployment.transport, uri, options);
    assert.equal(conn.address, P);
    assert.equal(conn.handshake.serversChecked, 1, "no member checked beside it");
    await conn.close();
    delays[P] = 1500;
    const slow = await connectWith(deployment.transport, uri, options);
    assert.equal(slow.address, P);
    const beside = slow.trace.find((e) => e.type === "host.connecting" && e.attributes.beside);
    assert.ok(beside?.type === "host.connecting");
    assert.ok(beside.attributes.slowAfterMs! >= 800, `${beside.attributes.slowAfterMs} ms`);
    await slow.close();
    assert.deepEqual(stillOpen(deployment), []);
  });

  it("a remembered primary that refuses the connection: the scan passes it over (its cooldown) and says why", async () => {
    const servers: Record<string, ScriptedServer> = { ...replicaSet };
    const deployment = scriptedDeployment(servers);
    const options = client();
    const uri = "mongodb://s1.test/?replicaSet=rs0";
    await (await connectWith(deployment.transport, uri, options)).close();
    servers[P] = "refuse";
    const before = deployment.opened.length;
    const error = await refusal(connectWith(deployment.transport, uri, options));
    assert.equal(error.code, "SERVER_SELECTION_FAILED");
    assert.match(error.message, /p\.test:27017/);
    assert.match(error.message, /connection refused/);
    assert.deepEqual(
      opened(deployment, before).sort(),
      [S1, S2],
      "the seed and the other member it names; not the primary, which is cooling down",
    );
    assert.deepEqual(stillOpen(deployment), []);
  });

  it("read from secondaries: once a scan checked every member, the next connection checks one, at random in the window", async () => {
    const deployment = scriptedDeployment(replicaSet);
    const options = client();
    const uri = "mongodb://s1.test/?replicaSet=rs0&readPreference=secondary";
    await (await connectWith(deployment.transport, uri, options)).close();
    const ends = new Set<string>();
    // Two secondaries, twenty connections: all on one has a chance of 2 in 2^20.
    for (let i = 0; i < 20; i++) {
      const before = deployment.opened.length;
      const conn = await connectWith(deployment.transport, uri, options);
      assert.equal(conn.role, "secondary");
      assert.deepEqual(opened(deployment, before), [conn.address]);
      const selection = selected(conn.trace);
      assert.equal(selection.checks, 1);
      assert.equal(selection.candidates, 2);
      ends.add(conn.address);
      await conn.close();
    }
    assert.deepEqual([...ends].sort(), [S1, S2]);
  });

  it("a scan that stopped at the primary does not serve a connection that reads from secondaries", async () => {
    const deployment = scriptedDeployment(replicaSet);
    const options = client();
    await (await connectWith(deployment.transport, "mongodb://p.test/?replicaSet=rs0", options)).close();
    const conn = await connectWith(
      deployment.transport,
      "mongodb://p.test/?replicaSet=rs0&readPreference=secondary",
      options,
    );
    assert.equal(conn.handshake.serversChecked, 3, "every member, as without the earlier scan");
    assert.equal(selected(conn.trace).rememberedMs, undefined);
    await conn.close();
    const primaryAgain = await connectWith(deployment.transport, "mongodb://p.test/?replicaSet=rs0", options);
    assert.equal(
      primaryAgain.handshake.serversChecked,
      1,
      "a complete scan serves the primary's readers too",
    );
    await primaryAgain.close();
  });

  it("a remembered secondary whose tags changed is not kept: the connection scans", async () => {
    const servers: Record<string, ScriptedServer> = {
      ...replicaSet,
      [S2]: { ...secondaryAt(S2), tags: { dc: "sf" } },
    };
    const deployment = scriptedDeployment(servers);
    const options = client();
    const uri = "mongodb://s1.test/?replicaSet=rs0&readPreference=secondary&readPreferenceTags=dc:sf";
    await (await connectWith(deployment.transport, uri, options)).close();
    servers[S2] = { ...secondaryAt(S2), tags: { dc: "ny" } };
    servers[S1] = { ...secondaryAt(S1), tags: { dc: "sf" } };
    const conn = await connectWith(deployment.transport, uri, options);
    assert.equal(conn.address, S1);
    assert.equal(conn.handshake.serversChecked, 4, "S2 first, then the scan of all three");
    await conn.close();
  });

  it("connections that start together wait for the first one's scan: five at once, one scan", async () => {
    const deployment = scriptedDeployment(replicaSet);
    const options = client();
    const conns = await Promise.all(
      Array.from(
        { length: 5 },
        () => connectWith(deployment.transport, "mongodb://s1.test/?replicaSet=rs0", options),
      ),
    );
    assert.deepEqual(
      openedAddresses(deployment).sort(),
      [P, P, P, P, P, S1],
      "the scan's two, then the primary",
    );
    assert.deepEqual(conns.map((conn) => conn.address), [P, P, P, P, P]);
    assert.deepEqual(conns.map((conn) => conn.handshake.serversChecked).sort(), [1, 1, 1, 1, 2]);
    assert.equal(conns.filter((conn) => selected(conn.trace).rememberedMs !== undefined).length, 4);
    assert.equal(conns.filter((conn) => typeof selected(conn.trace).waitedMs === "number").length, 4);
    await Promise.all(conns.map((conn) => conn.close()));
    assert.deepEqual(stillOpen(deployment), []);
  });

  it("a scan for the primary in flight does not hold up a connection that reads from secondaries", async () => {
    const deployment = scriptedDeployment(replicaSet);
    const options = client();
    const [primaryReader, secondaryReader] = await Promise.all([
      connectWith(deployment.transport, "mongodb://s1.test/?replicaSet=rs0", options),
      connectWith(
        deployment.transport,
        "mongodb://s1.test/?replicaSet=rs0&readPreference=secondary",
        options,
      ),
    ]);
    assert.equal(primaryReader.handshake.serversChecked, 2);
    assert.equal(secondaryReader.handshake.serversChecked, 3, "every member, its own scan");
    await Promise.all([primaryReader.close(), secondaryReader.close()]);
  });

  // The first socket opened (the first connection's first check) hangs until its deadline.
  const firstSocketHangs = (deployment: ReturnType<typeof scriptedDeployment>): Transport => {
    let hung = false;
    return Object.create(deployment.transport, {
      openSocket: {
        value: (options: OpenSocketOptions) => {
          if (hung) return deployment.transport.openSocket(options);
          hung = true;
          return silent(options);
        },
      },
    });
  };

  it("a connection waits for another's scan no longer than its connectTimeoutMS, then scans itself", async () => {
    const deployment = scriptedDeployment(replicaSet);
    const transport = firstSocketHangs(deployment);
    const options = client();
    const uri = "mongodb://s1.test,s2.test/?replicaSet=rs0";
    const settled: string[] = [];
    const first = connectWith(transport, uri, { ...options, connectTimeoutMS: 1_000 })
      .finally(() => settled.push("first"));
    const waiter = connectWith(transport, uri, { ...options, connectTimeoutMS: 100 })
      .finally(() => settled.push("waiter"));
    const conn = await waiter;
    assert.equal(conn.address, P);
    assert.ok(conn.handshake.serversChecked! >= 2, "a scan of its own");
    assert.equal(selected(conn.trace).rememberedMs, undefined);
    assert.ok(selected(conn.trace).waitedMs! >= 0, "after waiting");
    assert.deepEqual(settled, ["waiter"], "while the first connection's check still hangs");
    await conn.close();
    const firstConn = await first;
    assert.equal(firstConn.address, P);
    await firstConn.close();
  });

  it("with one seed and no replicaSet= (most often a standalone), a connection does not wait for another's scan", async () => {
    const deployment = scriptedDeployment(replicaSet);
    const transport = firstSocketHangs(deployment);
    const options = client();
    const uri = "mongodb://s1.test/?connectTimeoutMS=1000";
    const settled: string[] = [];
    const first = connectWith(transport, uri, options).finally(() => settled.push("first"));
    const second = await connectWith(transport, uri, options).finally(() => settled.push("second"));
    assert.equal(second.address, P);
    assert.equal(selected(second.trace).rememberedMs, undefined);
    assert.deepEqual(settled, ["second"], "while the first connection's check still hangs");
    await second.close();
    await assert.rejects(first, "its one seed never answered");
  });

  it("a connection's signal ends its wait for another's scan at once: ABORTED", async () => {
    const deployment = scriptedDeployment(replicaSet);
    const transport = firstSocketHangs(deployment);
    const options = client();
    const uri = "mongodb://s1.test,s2.test/?replicaSet=rs0&connectTimeoutMS=1000";
    const settled: string[] = [];
    const first = connectWith(transport, uri, options).finally(() => settled.push("first"));
    const controller = new AbortController();
    const waiter = connectWith(transport, uri, { ...options, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const error = await refusal(waiter);
    assert.equal(error.code, "ABORTED");
    assert.deepEqual(settled, [], "the first connection is still waiting on its check");
    await (await first).close();
  });

  it("a direct connection is never served from a scan: it checks its one server", async () => {
    const deployment = scriptedDeployment(replicaSet);
    const options = client();
    await (await connectWith(deployment.transport, "mongodb://s1.test/?replicaSet=rs0", options)).close();
    const conn = await connectWith(deployment.transport, "mongodb://s1.test/?directConnection=true", options);
    assert.equal(conn.address, S1);
    assert.equal(conn.role, "secondary");
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

  it("MONGODB-X509 and the primary an earlier scan found: its one check speculates", async () => {
    const deployment = scriptedDeployment(replicaSet);
    const options = { ...certificate, cacheStore: new AuthCacheStore() };
    const uri = "mongodb://s1.test,s2.test/?replicaSet=rs0&authMechanism=MONGODB-X509&tls=true";
    await (await connectWith(deployment.transport, uri, options)).close();
    const before = deployment.opened.length;
    const conn = await connectWith(deployment.transport, uri, options);
    assert.deepEqual(openedAddresses(deployment).slice(before), [P]);
    const hellos = deployment.bodies.get(P)!.filter((body) => body.hello !== undefined);
    assert.equal(hellos.length, 2, "the first connection's and this one's");
    assert.ok(hellos[1].speculativeAuthenticate, "this one's hello carries the whole login");
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

describe("discovery: serverSelectionTimeoutMS bounds finding the server, its checks included", () => {
  // Servers that accept the connection and never answer hello: what connectTimeoutMS=0 alone never ends.
  function mute(deployment: ReturnType<typeof scriptedDeployment>, ...hosts: string[]) {
    const peers: Peer[] = [];
    const transport: Transport = Object.create(deployment.transport, {
      openSocket: {
        value: (options: OpenSocketOptions) => {
          if (!hosts.includes(options.host)) return deployment.transport.openSocket(options);
          const { socket, peer } = memorySocket();
          peers.push(peer);
          return Promise.resolve(socket);
        },
      },
    });
    return { transport, peers };
  }

  async function timedRefusal(transport: Transport, uri: string) {
    const started = performance.now();
    const error = await settledWithin(
      5_000,
      `connect() to ${uri}`,
      refusal(connectWith(transport, uri, client())),
    );
    return { error, ms: performance.now() - started };
  }

  const unanswered = "the connection opened, but hello got no answer: check that the port is a MongoDB " +
    "server's, and whether the server is overloaded";

  for (
    const [label, query] of [
      ["connectTimeoutMS=0", "connectTimeoutMS=0&serverSelectionTimeoutMS=300"],
      [
        "connectTimeoutMS=0 and serverSelectionTryOnce=false",
        "connectTimeoutMS=0&serverSelectionTimeoutMS=300&serverSelectionTryOnce=false",
      ],
      ["connectTimeoutMS longer than it", "connectTimeoutMS=3000&serverSelectionTimeoutMS=300"],
    ]
  ) {
    it(`${label}: a server that never answers hello fails at serverSelectionTimeoutMS, saying where it stood`, async () => {
      const { transport, peers } = mute(scriptedDeployment({}), "db.test");
      const { error, ms } = await timedRefusal(transport, `mongodb://alice:pw@db.test/?${query}`);
      assert.equal(error.code, "TIMEOUT");
      assert.equal(
        error.message,
        `connecting to db.test:27017 did not finish within serverSelectionTimeoutMS (300 ms): ${unanswered}`,
      );
      assert.ok(ms >= 250 && ms < 1_500, `settled after ${Math.round(ms)} ms`);
      assert.ok(peers.length > 0 && peers.every((peer) => peer.closed), "every socket closed");
    });
  }

  it("a scan for the primary: what each member was, where the check under way stood, and who was not tried", async () => {
    // S1 names P, which accepts and never answers; S2's turn comes after the time ran out.
    const { transport, peers } = mute(
      scriptedDeployment({ [S1]: secondaryAt(S1), [S2]: secondaryAt(S2) }),
      "p.test",
    );
    const uri = "mongodb://s1.test/?replicaSet=rs0&connectTimeoutMS=0&serverSelectionTimeoutMS=300";
    const { error, ms } = await timedRefusal(transport, uri);
    assert.equal(error.code, "SERVER_SELECTION_FAILED");
    assert.equal(
      error.message,
      'replica set "rs0" has no primary that answers (read preference primary); during an election, retry, or ' +
        "set serverSelectionTryOnce=false to wait up to serverSelectionTimeoutMS: " +
        `${S1} is a secondary of replica set "rs0", naming ${P} as primary; ` +
        `connecting to ${P} did not finish within serverSelectionTimeoutMS (300 ms): ${unanswered}; ` +
        `${S2} was not tried: serverSelectionTimeoutMS (300 ms) ran out before its turn (the hosts before it took ` +
        "the time)",
    );
    assert.ok(ms >= 250 && ms < 1_500, `settled after ${Math.round(ms)} ms`);
    assert.ok(peers.every((peer) => peer.closed), "the silent primary's socket closed");
  });

  it("mongoses: when the time runs out on the others' checks, one that answered is chosen", async () => {
    // A latency window of 1 s would wait 4 s for the other two checks.
    const M1 = "m1.test:27017";
    const { transport } = mute(scriptedDeployment({ [M1]: mongos }), "m2.test", "m3.test");
    const uri =
      "mongodb://m1.test,m2.test,m3.test/?localThresholdMS=1000&connectTimeoutMS=0&serverSelectionTimeoutMS=300";
    const started = performance.now();
    const conn = await settledWithin(5_000, "connect() to mongoses", connectWith(transport, uri, client()));
    const ms = performance.now() - started;
    assert.equal(conn.address, M1);
    assert.ok(ms >= 250 && ms < 1_500, `settled after ${Math.round(ms)} ms`);
    await conn.close();
  });

  it("inside timeoutMS, the nearer end counts: serverSelectionTimeoutMS when it is shorter", async () => {
    const { transport } = mute(scriptedDeployment({}), "db.test");
    const { error } = await timedRefusal(
      transport,
      "mongodb://db.test/?timeoutMS=5000&connectTimeoutMS=0&serverSelectionTimeoutMS=300",
    );
    assert.equal(error.code, "TIMEOUT");
    assert.match(
      error.message,
      /^connecting to db\.test:27017 did not finish within serverSelectionTimeoutMS \(300 ms\)/,
    );
  });

  it("does not bound the authentication on the chosen server: a login longer than serverSelectionTimeoutMS ends", async () => {
    // hello at once, then every command of the PLAIN login 400 ms late: selection is over by then.
    const transport: Transport = Object.create(scriptedDeployment({}).transport, {
      openSocket: {
        value: () => {
          const { socket, peer } = memorySocket();
          void (async () => {
            for (;;) {
              const request = await peer.nextWrite();
              if ("hello" in requestBody(request)) {
                peer.send(replyTo(request, { ok: 1, isWritablePrimary: true, maxWireVersion: 21 }));
                continue;
              }
              await new Promise((resolve) => setTimeout(resolve, 400));
              peer.send(
                replyTo(request, { ok: 1, done: true, conversationId: 1, payload: new Uint8Array() }),
              );
            }
          })();
          return Promise.resolve(socket);
        },
      },
    });
    const uri =
      "mongodb://alice:pw@db.test/?authMechanism=PLAIN&connectTimeoutMS=0&serverSelectionTimeoutMS=100";
    const conn = await settledWithin(
      5_000,
      "connect() with a slow login",
      connectWith(transport, uri, client()),
    );
    assert.equal(conn.handshake.mechanism, "PLAIN");
    await conn.close();
  });
});
