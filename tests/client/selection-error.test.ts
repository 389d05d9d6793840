// The error connect() gives when its scan chose no server: it says which set, which read preference, and
// what each server checked was or why its check failed.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MongoAuthError } from "../../src/core/errors.ts";
import { describe as describeReadPreference, selectionFailure } from "../../src/client/selection-error.ts";
import type { SelectionOptions } from "../../src/client/options.ts";
import { HOST_NAME_ADVICE } from "../../src/client/transport.ts";
import type { ReadPreference } from "../../src/topology/read-preference.ts";
import { describeServer, type ServerDescription } from "../../src/topology/server-description.ts";
import type { TopologyDescription, TopologyType } from "../../src/topology/topology-description.ts";

const A = "a.example.net:27017";
const B = "b.example.net:27017";

function selection(readPreference: ReadPreference = { mode: "primary" }, tryOnce = true): SelectionOptions {
  return {
    readPreference,
    serverSelectionTimeoutMS: 30_000,
    serverSelectionTryOnce: tryOnce,
    localThresholdMS: 15,
    heartbeatFrequencyMS: 60_000,
  };
}

function topology(type: TopologyType, servers: ServerDescription[], setName?: string): TopologyDescription {
  return {
    type,
    ...(setName !== undefined && { setName }),
    servers: new Map(servers.map((s) => [s.address, s])),
    compatible: true,
  };
}

const secondary = (address: string, setName = "rs0", tags = {}) =>
  describeServer(address, { ok: 1, setName, secondary: true, hosts: [A, B], primary: A, tags });

function refusedWith(err: MongoAuthError, code: string, message: RegExp) {
  assert.ok(err instanceof MongoAuthError);
  assert.equal(err.code, code);
  assert.match(err.message, message);
}

describe("selectionFailure", () => {
  it("gives back the one host's own error when the only host checked failed", () => {
    const refused = new MongoAuthError("CONNECTION_FAILED", `connection to ${A} refused`);
    const err = selectionFailure({
      topology: topology("Unknown", []),
      failures: new Map([[A, refused]]),
      seen: new Map(),
      selection: selection(),
    });
    assert.equal(err, refused);
  });

  it("is CONNECTION_FAILED listing every host's reason when no host answered, the errors as its cause", () => {
    const errors = [new MongoAuthError("TIMEOUT", "timed out"), new TypeError("secret internals")];
    const err = selectionFailure({
      topology: topology("Unknown", []),
      failures: new Map([[A, errors[0]], [B, errors[1]]]),
      seen: new Map(),
      selection: selection(),
    });
    refusedWith(
      err,
      "CONNECTION_FAILED",
      new RegExp(`^could not connect to any host: ${A}: timed out; ${B}: unexpected TypeError$`),
    );
    assert.ok(err.cause instanceof AggregateError);
    assert.deepEqual(err.cause.errors, errors);
  });

  it("does not repeat an address the failure's message already names", () => {
    const err = selectionFailure({
      topology: topology("Unknown", []),
      failures: new Map<string, unknown>([[A, new MongoAuthError("TIMEOUT", `${A} timed out`)], [
        B,
        "not an error",
      ]]),
      seen: new Map(),
      selection: selection(),
    });
    assert.match(err.message, new RegExp(`any host: ${A} timed out; ${B}: unexpected error$`));
  });

  it("names the hosts that failed alike together, so that what to do is said once", () => {
    const C = "c.example.net:27017";
    const timedOut = (address: string) =>
      new MongoAuthError("TIMEOUT", `connecting to ${address} timed out: the TCP connection did not open`);
    const err = selectionFailure({
      topology: topology("Unknown", []),
      failures: new Map<string, unknown>([
        [A, timedOut(A)],
        [B, new MongoAuthError("CONNECTION_FAILED", "connection refused")],
        [C, timedOut(C)],
      ]),
      seen: new Map(),
      selection: selection(),
    });
    assert.equal(
      err.message,
      `could not connect to any host: connecting to ${A}, ${C} timed out: the TCP connection did not open; ` +
        `${B}: connection refused`,
    );
  });

  it("says a replica set has no primary, and how to wait for one, when the read preference is primary", () => {
    const seen = new Map([[B, secondary(B)]]);
    const outcome = {
      topology: topology("ReplicaSetNoPrimary", [...seen.values()], "rs0"),
      failures: new Map([[A, new MongoAuthError("TIMEOUT", "timed out")]]),
      seen,
      replicaSet: "rs0",
    };
    const tryOnce = selectionFailure({ ...outcome, selection: selection() });
    refusedWith(
      tryOnce,
      "SERVER_SELECTION_FAILED",
      /^replica set "rs0" has no primary that answers \(read preference primary\); during an election, retry, or set serverSelectionTryOnce=false/,
    );
    assert.match(
      tryOnce.message,
      new RegExp(`${B} is a secondary of replica set "rs0", naming ${A} as primary`),
    );
    assert.match(tryOnce.message, new RegExp(`${A}: timed out$`));
    assert.ok(tryOnce.cause instanceof AggregateError);
    const waited = selectionFailure({ ...outcome, selection: selection(undefined, false) });
    assert.match(
      waited.message,
      /no primary that answers \(read preference primary\) within serverSelectionTimeoutMS \(30000 ms\)/,
    );
  });

  describe("a replica set whose members are named by hosts this machine cannot reach (Docker, Kubernetes)", () => {
    const SEED = "localhost:27017";
    const [M1, M2] = ["mongo1:27017", "mongo2:27017"];
    const unresolvable = (host: string) =>
      new MongoAuthError("CONNECTION_FAILED", `cannot resolve host ${host} (ENOTFOUND)${HOST_NAME_ADVICE}`);
    const primaryAs = (me: string) =>
      describeServer(SEED, {
        ok: 1,
        setName: "rs0",
        isWritablePrimary: true,
        hosts: [M1, M2],
        me,
        primary: me,
      });

    it("says the seed answered under the set's name for it, that those names failed here, and what to do", () => {
      const err = selectionFailure({
        topology: topology("ReplicaSetNoPrimary", [], "rs0"),
        failures: new Map([[M1, unresolvable("mongo1")], [M2, unresolvable("mongo2")]]),
        seen: new Map([[SEED, primaryAs(M1)]]),
        selection: selection(),
        seeds: [SEED],
      });
      assert.equal(err.code, "SERVER_SELECTION_FAILED");
      assert.equal(
        err.message,
        `replica set "rs0" names its members ${M1}, ${M2} (its configuration, rs.conf()), and a client reaches ` +
          `a member only by the name the set gives it (SDAM), whatever host it was given: ${SEED} answered as ` +
          `${M1}, the primary of replica set "rs0", but from this machine ${M1}: cannot resolve host mongo1 ` +
          `(ENOTFOUND); ${M2}: cannot resolve host mongo2 (ENOTFOUND). This is how a replica set in Docker or ` +
          `Kubernetes looks from outside its network: to use ${SEED} alone, connect to it by itself with ` +
          `directConnection=true (as mongosh and Compass do by default with one host and no replicaSet, which is ` +
          `why they reach it); to use the set, make those names reach its members from here (an /etc/hosts ` +
          `entry, the same ports published), or give the members names their clients can reach (rs.reconfig())`,
      );
      assert.ok(err.cause instanceof AggregateError);
    });

    it("keeps the usual words when the seed's own name for itself answered", () => {
      const err = selectionFailure({
        topology: topology("ReplicaSetNoPrimary", [], "rs0"),
        failures: new Map([[M2, unresolvable("mongo2")]]),
        seen: new Map([[SEED, primaryAs(M1)], [M1, secondary(M1)]]),
        selection: selection(),
        seeds: [SEED],
      });
      assert.match(err.message, /^replica set "rs0" has no primary that answers/);
      assert.doesNotMatch(err.message, /Docker/);
    });

    it("says a host the set named, not the connection string, failed to resolve", () => {
      const err = selectionFailure({
        topology: topology("ReplicaSetNoPrimary", [], "rs0"),
        failures: new Map([[M2, unresolvable("mongo2")]]),
        seen: new Map([[M1, secondary(M1)]]),
        selection: selection(),
        seeds: [M1],
      });
      assert.match(
        err.message,
        /mongo2:27017: cannot resolve host mongo2 \(ENOTFOUND\): a name from the replica set's configuration$/,
      );
      assert.doesNotMatch(err.message, /connection string/);
    });
  });

  it("says members not yet in a set's configuration need rs.initiate(), with any other host's failure", () => {
    const ghost = (address: string) =>
      describeServer(address, { ok: 1, isreplicaset: true, secondary: false });
    const err = selectionFailure({
      topology: topology("Unknown", []),
      failures: new Map([[
        B,
        new MongoAuthError("CONNECTION_FAILED", `cannot connect to ${B}: connection refused`),
      ]]),
      seen: new Map([[A, ghost(A)]]),
      selection: selection(),
      seeds: [A, B],
    });
    assert.equal(
      err.message,
      `${A} is a replica set member not yet in a set's configuration: mongod runs with --replSet, but ` +
        "rs.initiate() has not run (or the set's configuration does not list it): run rs.initiate() on " +
        `one member (in mongosh) to make the set, then connect again; cannot connect to ${B}: connection refused`,
    );
    const two = selectionFailure({
      topology: topology("Unknown", []),
      failures: new Map(),
      seen: new Map([[A, ghost(A)], [B, ghost(B)]]),
      selection: selection(),
    });
    assert.match(
      two.message,
      new RegExp(`^${A}, ${B} are replica set members not yet in a set's configuration`),
    );
  });

  it("names the read preference no member matches, with the members' tags", () => {
    const readPreference: ReadPreference = { mode: "secondary", tags: [{ dc: "ny" }] };
    const seen = new Map([[B, secondary(B, "rs0", { dc: "sf" })]]);
    const err = selectionFailure({
      topology: topology("ReplicaSetNoPrimary", [...seen.values()], "rs0"),
      failures: new Map(),
      seen,
      selection: selection(readPreference),
    });
    refusedWith(
      err,
      "SERVER_SELECTION_FAILED",
      /^no member of replica set "rs0" matches read preference secondary, tags \[\{"dc":"ny"\}\]: .* with tags \{"dc":"sf"\}/,
    );
    assert.equal(err.cause, undefined);
  });

  it("says no member of the set asked for answered when only another set's members did", () => {
    const seen = new Map([[B, secondary(B, "other")]]);
    const err = selectionFailure({
      topology: topology("ReplicaSetNoPrimary", [], "rs0"),
      failures: new Map(),
      seen,
      selection: selection(),
      replicaSet: "rs0",
    });
    refusedWith(
      err,
      "SERVER_SELECTION_FAILED",
      /^no member of replica set "rs0" answered \(a member of another set is never used/,
    );
    assert.match(err.message, new RegExp(`${B} is a secondary of replica set "other"`));
  });

  it("explains why a standalone was not used (several hosts, replicaSet, mongoses), and a direct connection's unusable server", () => {
    const standalone = describeServer(A, { ok: 1, isWritablePrimary: true });
    const unknown = topology("Unknown", []);
    const several = selectionFailure({
      topology: unknown,
      failures: new Map(),
      seen: new Map([[A, standalone]]),
      selection: selection(),
    });
    assert.match(
      several.message,
      /^no replica set member or mongos answered .*for a standalone server, give only its host/,
    );
    assert.match(several.message, /is a standalone server \(several hosts were given/);

    const askedForSet = selectionFailure({
      topology: topology("ReplicaSetNoPrimary", [], "rs0"),
      failures: new Map(),
      seen: new Map([[A, standalone]]),
      selection: selection(),
      replicaSet: "rs0",
    });
    assert.match(askedForSet.message, /^no member of replica set "rs0" answered/);
    assert.match(
      askedForSet.message,
      /is a standalone server \(replicaSet=rs0 asks for a member of that set; to use a standalone server, remove replicaSet\)$/,
    );
    assert.doesNotMatch(askedForSet.message, /several hosts/);

    const besideMongoses = selectionFailure({
      topology: topology("Sharded", []),
      failures: new Map(),
      seen: new Map([[A, standalone], [B, describeServer(B, { ok: 1, msg: "isdbgrid" })]]),
      selection: selection(),
    });
    assert.match(besideMongoses.message, /is a standalone server \(the other hosts are mongoses/);

    const ghost = describeServer(A, { ok: 1, isreplicaset: true });
    const direct = selectionFailure({
      topology: topology("Single", [{ ...ghost, error: "wire version 2 is too old" }]),
      failures: new Map(),
      seen: new Map([[A, ghost]]),
      selection: selection(),
    });
    assert.match(
      direct.message,
      /^the server of this direct connection cannot be used \(wire version 2 is too old\): /,
    );
    assert.match(direct.message, /a replica set member not yet in a set's configuration/);
  });

  it("describes each kind of member as a person reads it", () => {
    const members = [
      [describeServer("m:1", { ok: 1, msg: "isdbgrid" }), "m:1 is a mongos"],
      [
        describeServer("p:1", { ok: 1, setName: "rs0", isWritablePrimary: true }),
        'p:1 is the primary of replica set "rs0"',
      ],
      [
        describeServer("r:1", { ok: 1, setName: "rs0", arbiterOnly: true }),
        'r:1 is an arbiter of replica set "rs0"',
      ],
      [
        describeServer("h:1", { ok: 1, setName: "rs0", hidden: true }),
        'h:1 is a member of replica set "rs0" that is neither primary nor secondary',
      ],
      [describeServer("u:1", { ok: 0 }), "u:1 is unusable (the hello reply did not have ok: 1)"],
    ] as const;
    const err = selectionFailure({
      topology: topology("Sharded", []),
      failures: new Map(),
      seen: new Map(members.map(([server]) => [server.address, server])),
      selection: selection({ mode: "nearest" }),
    });
    assert.match(err.message, /^no server of this deployment suits read preference nearest: /);
    for (const [, text] of members) assert.ok(err.message.includes(text), `${text} in ${err.message}`);
  });
});

describe("describe (a read preference)", () => {
  it("reads mode, tags and maxStalenessSeconds, leaving out what is not set", () => {
    assert.equal(describeReadPreference({ mode: "primary" }), "primary");
    assert.equal(
      describeReadPreference({ mode: "secondary", tags: [{ dc: "ny" }, {}], maxStalenessSeconds: 120 }),
      'secondary, tags [{"dc":"ny"},{}], maxStalenessSeconds 120',
    );
  });
});
