// What one hello says about a server, as SDAM reads it: the type table, addresses normalised, the BSON
// forms of numbers and ObjectIds, and whatever odd fields a server sends left out rather than trusted.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Int32, Long, ObjectId } from "bson";
import {
  addressKey,
  describeServer,
  hostPort,
  isSocketPath,
  loadBalancerServer,
  parseAddress,
  unknownServer,
  uriHost,
} from "../../src/topology/server-description.ts";

const A = "db1.example.net:27017";

describe("addressKey / parseAddress", () => {
  it("lower-cases the host and brackets an IPv6 literal", () => {
    assert.equal(addressKey({ host: "DB1.Example.NET", port: 27018 }), "db1.example.net:27018");
    assert.equal(addressKey({ host: "::1", port: 27017 }), "[::1]:27017");
  });

  it("hostPort writes host:port as given and uriHost the host alone, an IPv6 literal in brackets", () => {
    assert.equal(hostPort({ host: "DB1.Example.NET", port: 27018 }), "DB1.Example.NET:27018");
    assert.equal(hostPort({ host: "::1", port: 27017 }), "[::1]:27017");
    assert.equal(hostPort({ host: "fe80::1:2", port: 1 }), "[fe80::1:2]:1");
    assert.equal(uriHost("fe80::1:2"), "[fe80::1:2]");
    assert.equal(uriHost("127.0.0.1"), "127.0.0.1");
  });

  it("reads host:port, [v6]:port, and a host without a port as port 27017", () => {
    assert.deepEqual(parseAddress("db1.example.net:27018"), { host: "db1.example.net", port: 27018 });
    assert.deepEqual(parseAddress("db1.example.net"), { host: "db1.example.net", port: 27017 });
    assert.deepEqual(parseAddress("[::1]:27019"), { host: "::1", port: 27019 });
    assert.deepEqual(parseAddress("[fe80::1]"), { host: "fe80::1", port: 27017 });
  });

  it("takes an unbracketed IPv6 literal as a host, not as host and port", () => {
    assert.deepEqual(parseAddress("fe80::1"), { host: "fe80::1", port: 27017 });
  });

  it("writes a UNIX domain socket as its path, case kept, and reads it back with port 0", () => {
    const socket = { host: "/tmp/MongoDB-27017.sock", port: 0 };
    assert.equal(isSocketPath(socket.host), true);
    assert.equal(isSocketPath("rel/mongodb.sock"), true);
    assert.equal(isSocketPath("::1"), false);
    assert.equal(hostPort(socket), "/tmp/MongoDB-27017.sock");
    assert.equal(addressKey(socket), "/tmp/MongoDB-27017.sock");
    assert.equal(uriHost("/run/a:b.sock"), "/run/a:b.sock");
    assert.deepEqual(parseAddress(addressKey(socket)), socket);
    assert.deepEqual(parseAddress("/run/a:1.sock"), { host: "/run/a:1.sock", port: 0 });
  });
});

describe("unknownServer / loadBalancerServer", () => {
  it("describes a server not (yet) checked, with the error when there is one", () => {
    const never = unknownServer(A);
    assert.equal(never.type, "Unknown");
    assert.equal("error" in never, false);
    assert.equal(never.lastUpdateTime, 0);
    assert.deepEqual([never.hosts, never.passives, never.arbiters, never.tags], [[], [], [], {}]);
    assert.deepEqual(unknownServer(A, "connection refused", 42), {
      ...never,
      error: "connection refused",
      lastUpdateTime: 42,
    });
  });

  it("describes a load balancer by its address, round trip and serviceId only", () => {
    const serviceId = new ObjectId("65A1B2C3D4E5F60718293A4B");
    const lb = loadBalancerServer(A, { ok: 1, serviceId, setName: "rs0", hosts: ["x:1"] }, {
      roundTripTime: 3,
      lastUpdateTime: 9,
    });
    assert.deepEqual(lb, {
      address: A,
      type: "LoadBalancer",
      roundTripTime: 3,
      lastUpdateTime: 9,
      hosts: [],
      passives: [],
      arbiters: [],
      tags: {},
      serviceId: "65a1b2c3d4e5f60718293a4b",
    });
  });
});

describe("describeServer: the type table", () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ["no ok", { isWritablePrimary: true }, "Unknown"],
    ["ok: 0", { ok: 0, isWritablePrimary: true }, "Unknown"],
    ["a standalone", { ok: 1, isWritablePrimary: true }, "Standalone"],
    ["ok: true", { ok: true }, "Standalone"],
    ["a mongos", { ok: 1, isWritablePrimary: true, msg: "isdbgrid" }, "Mongos"],
    ["a ghost", { ok: 1, isreplicaset: true }, "RSGhost"],
    ["a ghost with a setName", { ok: 1, isreplicaset: true, setName: "rs0" }, "RSGhost"],
    ["a primary", { ok: 1, setName: "rs0", isWritablePrimary: true }, "RSPrimary"],
    ["a legacy primary (ismaster)", { ok: 1, setName: "rs0", ismaster: true }, "RSPrimary"],
    ["isWritablePrimary false over ismaster", {
      ok: 1,
      setName: "rs0",
      isWritablePrimary: false,
      ismaster: true,
    }, "RSOther"],
    ["a secondary", { ok: 1, setName: "rs0", secondary: true }, "RSSecondary"],
    ["an arbiter", { ok: 1, setName: "rs0", arbiterOnly: true }, "RSArbiter"],
    ["a hidden secondary", { ok: 1, setName: "rs0", secondary: true, hidden: true }, "RSOther"],
    ["a member that is none of these", { ok: 1, setName: "rs0" }, "RSOther"],
    ["an empty setName", { ok: 1, setName: "", secondary: true }, "Standalone"],
  ];
  for (const [what, hello, type] of cases) {
    it(`${what} is ${type}`, () => assert.equal(describeServer(A, hello).type, type));
  }

  it("says why a reply without ok: 1 leaves the server Unknown", () => {
    assert.equal(
      describeServer(A, { ok: 0 }, { lastUpdateTime: 5 }).error,
      "the hello reply did not have ok: 1",
    );
    assert.equal(describeServer(A, { ok: 0 }, { lastUpdateTime: 5 }).lastUpdateTime, 5);
  });

  it("is a LoadBalancer in load-balanced mode, whatever the hello says", () => {
    const lb = describeServer(A, { ok: 1, setName: "rs0", isWritablePrimary: true }, { loadBalanced: true });
    assert.equal(lb.type, "LoadBalancer");
    assert.equal(lb.setName, undefined);
  });
});

describe("describeServer: the fields", () => {
  it("normalises the addresses a member lists, leaving out what is not a string", () => {
    const server = describeServer(A, {
      ok: 1,
      setName: "rs0",
      secondary: true,
      me: "DB1.Example.net:27017",
      primary: "DB0.example.net",
      hosts: ["DB0.example.net:27017", 7, null, "[::1]:27018"],
      passives: ["P.example.net:27017"],
      arbiters: "not a list",
    });
    assert.equal(server.me, "db1.example.net:27017");
    assert.equal(server.primary, "db0.example.net:27017");
    assert.deepEqual(server.hosts, ["db0.example.net:27017", "[::1]:27018"]);
    assert.deepEqual(server.passives, ["p.example.net:27017"]);
    assert.deepEqual(server.arbiters, []);
  });

  it("leaves out a socket path a member lists: only the connection string may name one", () => {
    const server = describeServer(A, {
      ok: 1,
      setName: "rs0",
      secondary: true,
      primary: "/var/run/docker.sock",
      hosts: ["db0.example.net:27017", "/tmp/mongodb-27017.sock"],
      passives: ["rel/other.sock"],
      arbiters: ["/tmp/arbiter.sock"],
    });
    assert.equal(server.primary, undefined);
    assert.deepEqual(server.hosts, ["db0.example.net:27017"]);
    assert.deepEqual([server.passives, server.arbiters], [[], []]);
  });

  it("reads numbers of every BSON width, and Dates for lastWriteDate", () => {
    const at = Date.UTC(2026, 0, 1);
    const server = describeServer(A, {
      ok: 1,
      setName: "rs0",
      secondary: true,
      minWireVersion: new Int32(6),
      maxWireVersion: Long.fromNumber(25),
      setVersion: 3n,
      logicalSessionTimeoutMinutes: 30,
      lastWrite: { lastWriteDate: new Date(at) },
    });
    assert.equal(server.minWireVersion, 6);
    assert.equal(server.maxWireVersion, 25);
    assert.equal(server.setVersion, 3);
    assert.equal(server.logicalSessionTimeoutMinutes, 30);
    assert.equal(server.lastWriteDate, at);
  });

  it("defaults the wire versions to 0 and leaves out numbers it cannot read", () => {
    const server = describeServer(A, {
      ok: 1,
      setVersion: "3",
      logicalSessionTimeoutMinutes: null,
      lastWrite: {},
    });
    assert.equal(server.minWireVersion, 0);
    assert.equal(server.maxWireVersion, 0);
    for (const field of ["setVersion", "logicalSessionTimeoutMinutes", "lastWriteDate"]) {
      assert.equal(field in server, false, field);
    }
  });

  it("reads electionId and topologyVersion's processId as lower-case hex", () => {
    const id = new ObjectId("7FFFFFFF0000000000000001");
    const server = describeServer(A, {
      ok: 1,
      setName: "rs0",
      isWritablePrimary: true,
      electionId: id,
      topologyVersion: { processId: id, counter: Long.fromNumber(4) },
    });
    assert.equal(server.electionId, "7fffffff0000000000000001");
    assert.deepEqual(server.topologyVersion, { processId: "7fffffff0000000000000001", counter: 4 });
  });

  it("leaves out an electionId that is not an ObjectId and a topologyVersion without both parts", () => {
    const server = describeServer(A, {
      ok: 1,
      setName: "rs0",
      isWritablePrimary: true,
      electionId: "7fffffff0000000000000001",
      topologyVersion: { processId: new ObjectId() },
    });
    assert.equal("electionId" in server, false);
    assert.equal("topologyVersion" in server, false);
  });

  it("keeps only string tags", () => {
    const tags = (value: unknown) =>
      describeServer(A, { ok: 1, setName: "rs0", secondary: true, tags: value }).tags;
    assert.deepEqual(tags({ dc: "ny", rack: 1, zone: null }), { dc: "ny" });
    assert.deepEqual(tags(["dc"]), {});
    assert.deepEqual(tags(null), {});
  });

  it("records the round trip and when the check ended, only when given", () => {
    const timed = describeServer(A, { ok: 1 }, { roundTripTime: 12, lastUpdateTime: 1000 });
    assert.equal(timed.roundTripTime, 12);
    assert.equal(timed.lastUpdateTime, 1000);
    const untimed = describeServer(A, { ok: 1 });
    assert.equal("roundTripTime" in untimed, false);
    assert.equal(untimed.lastUpdateTime, 0);
  });

  it("keeps the address as dialled, not the server's me", () => {
    assert.equal(
      describeServer("DB1.example.net:27017", { ok: 1, me: "other:1" }).address,
      "DB1.example.net:27017",
    );
  });
});
