// Which servers suit an operation. The Server Selection and Max Staleness specs' JSON cases
// (tests/spec/server-selection.test.ts) compare whole suitable sets per file; this file states the rules
// one at a time: what each topology type offers, each read preference mode's fallbacks, that
// maxStalenessSeconds filters before tag sets, the staleness estimate's two formulas, the latency window's
// edges, and the retry's deprioritized servers.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  type ServerDescription,
  type ServerType,
  unknownServer,
} from "../../src/topology/server-description.ts";
import type { TopologyDescription, TopologyType } from "../../src/topology/topology-description.ts";
import type { ReadPreference } from "../../src/topology/read-preference.ts";
import {
  inLatencyWindow,
  matchingTags,
  staleness,
  suitableServers,
} from "../../src/topology/server-selection.ts";

const HEARTBEAT = { heartbeatFrequencyMS: 10_000 };

function server(
  address: string,
  type: ServerType,
  extra: Partial<ServerDescription> = {},
): ServerDescription {
  return { ...unknownServer(address), type, maxWireVersion: 21, ...extra };
}

function topologyOf(type: TopologyType, ...servers: ServerDescription[]): TopologyDescription {
  return { type, servers: new Map(servers.map((s) => [s.address, s])), compatible: true };
}

const addresses = (servers: readonly ServerDescription[]) => servers.map((s) => s.address);

function select(
  topology: TopologyDescription,
  readPreference: ReadPreference,
  operation: "read" | "write" = "read",
  deprioritized?: ReadonlySet<string>,
): string[] {
  return addresses(suitableServers(topology, operation, readPreference, { ...HEARTBEAT, deprioritized }));
}

const PRIMARY = { mode: "primary" } as const;
const p = server("p:27017", "RSPrimary", { tags: { dc: "ny" } });
const s1 = server("s1:27017", "RSSecondary", { tags: { dc: "ny", rack: "1" } });
const s2 = server("s2:27017", "RSSecondary", { tags: { dc: "sf" } });
const arbiter = server("arb:27017", "RSArbiter");
const rs = topologyOf("ReplicaSetWithPrimary", p, s1, s2, arbiter);
const noPrimary = topologyOf("ReplicaSetNoPrimary", s1, s2, arbiter);

describe("suitableServers: by topology type", () => {
  it("Unknown: none, whatever the servers say", () => {
    assert.deepEqual(select(topologyOf("Unknown", server("a:27017", "Standalone")), PRIMARY), []);
  });

  it("Single and LoadBalanced: the server once checked, whatever the read preference or operation", () => {
    for (const type of ["Single", "LoadBalanced"] as const) {
      const checked = topologyOf(type, server("a:27017", "RSSecondary"));
      assert.deepEqual(select(checked, PRIMARY, "write"), ["a:27017"], type);
      assert.deepEqual(select(checked, { mode: "secondary", tags: [{ dc: "none" }] }), ["a:27017"], type);
      assert.deepEqual(select(topologyOf(type, server("a:27017", "Unknown")), PRIMARY), [], type);
      assert.deepEqual(select(topologyOf(type, server("a:27017", "PossiblePrimary")), PRIMARY), [], type);
    }
  });

  it("Sharded: every mongos for reads and writes, never a server still Unknown", () => {
    const sharded = topologyOf(
      "Sharded",
      server("m1:27017", "Mongos"),
      server("u:27017", "Unknown"),
      server("m2:27017", "Mongos"),
    );
    assert.deepEqual(select(sharded, { mode: "secondary", tags: [{ dc: "none" }] }), [
      "m1:27017",
      "m2:27017",
    ]);
    assert.deepEqual(select(sharded, PRIMARY, "write"), ["m1:27017", "m2:27017"]);
  });

  it("a replica set: writes go to the primary only, whatever the read preference", () => {
    assert.deepEqual(select(rs, { mode: "nearest" }, "write"), ["p:27017"]);
    assert.deepEqual(select(noPrimary, { mode: "secondary" }, "write"), []);
  });
});

describe("suitableServers: read preference modes in a replica set", () => {
  it("primary: the primary, or none without one", () => {
    assert.deepEqual(select(rs, PRIMARY), ["p:27017"]);
    assert.deepEqual(select(noPrimary, PRIMARY), []);
  });

  it("primaryPreferred: the primary, ignoring tags; the matching secondaries without one", () => {
    assert.deepEqual(select(rs, { mode: "primaryPreferred", tags: [{ dc: "sf" }] }), ["p:27017"]);
    assert.deepEqual(select(noPrimary, { mode: "primaryPreferred", tags: [{ dc: "sf" }] }), ["s2:27017"]);
  });

  it("secondary: the secondaries (never the primary or an arbiter), or none", () => {
    assert.deepEqual(select(rs, { mode: "secondary" }), ["s1:27017", "s2:27017"]);
    assert.deepEqual(select(rs, { mode: "secondary", tags: [{ dc: "la" }] }), []);
  });

  it("secondaryPreferred: the matching secondaries; the primary when none matches", () => {
    assert.deepEqual(select(rs, { mode: "secondaryPreferred", tags: [{ dc: "sf" }] }), ["s2:27017"]);
    assert.deepEqual(select(rs, { mode: "secondaryPreferred", tags: [{ dc: "la" }] }), ["p:27017"]);
  });

  it("nearest: primary and secondaries alike, filtered by tags", () => {
    assert.deepEqual(select(rs, { mode: "nearest" }), ["p:27017", "s1:27017", "s2:27017"]);
    assert.deepEqual(select(rs, { mode: "nearest", tags: [{ dc: "ny" }] }), ["p:27017", "s1:27017"]);
  });
});

describe("suitableServers: deprioritized servers (a retry's)", () => {
  it("avoids them while another server suits, and falls back to them when none does", () => {
    const sharded = topologyOf("Sharded", server("m1:27017", "Mongos"), server("m2:27017", "Mongos"));
    assert.deepEqual(select(sharded, PRIMARY, "read", new Set(["m1:27017"])), ["m2:27017"]);
    assert.deepEqual(select(sharded, PRIMARY, "read", new Set(["m1:27017", "m2:27017"])), [
      "m1:27017",
      "m2:27017",
    ]);
    assert.deepEqual(select(rs, PRIMARY, "write", new Set(["p:27017"])), ["p:27017"]);
  });
});

describe("suitableServers: maxStalenessSeconds", () => {
  // The primary wrote at 100 s; s1 is 5 s behind it, s2 100 s behind (plus the 10 s heartbeat each).
  const now = 200_000;
  const fresh = server("s1:27017", "RSSecondary", {
    lastUpdateTime: now,
    lastWriteDate: 95_000,
    tags: { dc: "ny" },
  });
  const stale = server("s2:27017", "RSSecondary", {
    lastUpdateTime: now,
    lastWriteDate: 0,
    tags: { dc: "sf" },
  });
  const withPrimary = topologyOf(
    "ReplicaSetWithPrimary",
    server("p:27017", "RSPrimary", { lastUpdateTime: now, lastWriteDate: 100_000 }),
    fresh,
    stale,
  );

  it("leaves out the secondaries estimated staler than it, keeps those at or under it", () => {
    assert.deepEqual(select(withPrimary, { mode: "secondary", maxStalenessSeconds: 90 }), ["s1:27017"]);
    assert.deepEqual(select(withPrimary, { mode: "secondary", maxStalenessSeconds: 110 }), [
      "s1:27017",
      "s2:27017",
    ]);
    assert.deepEqual(select(withPrimary, { mode: "secondary", maxStalenessSeconds: 15 }), ["s1:27017"]);
    assert.deepEqual(select(withPrimary, { mode: "secondary", maxStalenessSeconds: 14 }), []);
  });

  it("-1 (or absent) means no limit", () => {
    assert.deepEqual(select(withPrimary, { mode: "secondary", maxStalenessSeconds: -1 }), [
      "s1:27017",
      "s2:27017",
    ]);
  });

  it("applies before tag sets: a stale server matching the first set does not stop the second", () => {
    const readPreference = {
      mode: "secondary",
      tags: [{ dc: "sf" }, { dc: "ny" }],
      maxStalenessSeconds: 90,
    } as const;
    assert.deepEqual(select(withPrimary, readPreference), ["s1:27017"]);
  });
});

describe("staleness", () => {
  it("with a primary: how far the secondary's last write lags the primary's, plus one heartbeat", () => {
    const primary = server("p:27017", "RSPrimary", { lastUpdateTime: 1_000_000, lastWriteDate: 900_000 });
    const secondary = server("s:27017", "RSSecondary", { lastUpdateTime: 1_002_000, lastWriteDate: 850_000 });
    const topology = topologyOf("ReplicaSetWithPrimary", primary, secondary);
    // (1_002_000 - 850_000) - (1_000_000 - 900_000) + 10_000
    assert.equal(staleness(topology, secondary, 10_000), 62_000);
  });

  it("without a primary: how far it lags the freshest secondary, plus one heartbeat", () => {
    const freshest = server("a:27017", "RSSecondary", { lastWriteDate: 500_000 });
    const behind = server("b:27017", "RSSecondary", { lastWriteDate: 480_000 });
    const topology = topologyOf("ReplicaSetNoPrimary", freshest, behind);
    assert.equal(staleness(topology, behind, 10_000), 30_000);
    assert.equal(staleness(topology, freshest, 10_000), 10_000);
  });

  it("is zero for anything but a secondary", () => {
    assert.equal(staleness(rs, p, 10_000), 0);
    assert.equal(staleness(rs, arbiter, 10_000), 0);
  });
});

describe("matchingTags", () => {
  it("uses the first tag set that any server matches, a set matching when all its pairs are present", () => {
    const servers = [p, s1, s2];
    assert.deepEqual(addresses(matchingTags(servers, [{ dc: "ny", rack: "1" }, { dc: "sf" }])), ["s1:27017"]);
    assert.deepEqual(addresses(matchingTags(servers, [{ dc: "la" }, { dc: "sf" }])), ["s2:27017"]);
    assert.deepEqual(addresses(matchingTags(servers, [{ dc: "la" }, { rack: "2" }])), []);
  });

  it("matches every server with no tag sets, [] or the empty tag set {}", () => {
    const all = ["p:27017", "s1:27017", "s2:27017"];
    assert.deepEqual(addresses(matchingTags([p, s1, s2], undefined)), all);
    assert.deepEqual(addresses(matchingTags([p, s1, s2], [])), all);
    assert.deepEqual(addresses(matchingTags([p, s1, s2], [{ dc: "la" }, {}])), all);
  });
});

describe("inLatencyWindow", () => {
  const at = (address: string, roundTripTime: number) => server(address, "Mongos", { roundTripTime });

  it("keeps the servers at most localThresholdMS (default 15) slower than the fastest, the edge included", () => {
    const servers = [at("a:1", 20), at("b:1", 5), at("c:1", 21)];
    assert.deepEqual(addresses(inLatencyWindow(servers)), ["a:1", "b:1"]);
    assert.deepEqual(addresses(inLatencyWindow(servers, 16)), ["a:1", "b:1", "c:1"]);
    assert.deepEqual(addresses(inLatencyWindow(servers, 0)), ["b:1"]);
  });

  it("keeps a lone server, and counts a server without a round trip time as the fastest", () => {
    assert.deepEqual(addresses(inLatencyWindow([at("a:1", 500)], 0)), ["a:1"]);
    const unmeasured = server("u:1", "Mongos");
    assert.deepEqual(addresses(inLatencyWindow([at("a:1", 16), unmeasured])), ["u:1"]);
  });
});
