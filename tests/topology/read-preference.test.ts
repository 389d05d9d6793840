// The read preference as the Server Selection and Max Staleness specifications define it: what the
// options may say, the smallest maxStalenessSeconds a replica set allows, and the $readPreference a
// command carries on each kind of server.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  checkMaxStaleness,
  readPreferenceDocument,
  readPreferenceForCommand,
  readPreferenceFrom,
} from "../../src/topology/read-preference.ts";

describe("readPreferenceFrom", () => {
  it("defaults to primary and keeps tags and maxStalenessSeconds of other modes", () => {
    assert.deepEqual(readPreferenceFrom({}), { mode: "primary" });
    assert.deepEqual(
      readPreferenceFrom({
        readPreference: "secondary",
        readPreferenceTags: [{ dc: "ny" }, {}],
        maxStalenessSeconds: 120,
      }),
      { mode: "secondary", tags: [{ dc: "ny" }, {}], maxStalenessSeconds: 120 },
    );
    assert.deepEqual(readPreferenceFrom({ readPreference: "nearest", maxStalenessSeconds: -1 }), {
      mode: "nearest",
    });
  });

  it("refuses an unknown mode, naming the modes, and a mode in the wrong case, naming the right one", () => {
    assert.throws(() => readPreferenceFrom({ readPreference: "fastest" }), {
      code: "INVALID_OPTION",
      message: /one of primary, primaryPreferred, secondary, secondaryPreferred, nearest$/,
    });
    assert.throws(() => readPreferenceFrom({ readPreference: "SECONDARY" }), {
      code: "INVALID_OPTION",
      message: /did you mean secondary\?/,
    });
  });

  it("refuses tags and maxStalenessSeconds with primary, but allows the empty tag set", () => {
    assert.throws(() => readPreferenceFrom({ readPreferenceTags: [{ dc: "ny" }] }), {
      code: "INVALID_OPTION",
      message: /readPreferenceTags cannot be used with read preference primary/,
    });
    assert.throws(() => readPreferenceFrom({ readPreference: "primary", maxStalenessSeconds: 120 }), {
      code: "INVALID_OPTION",
      message: /maxStalenessSeconds cannot be used with read preference primary/,
    });
    assert.deepEqual(readPreferenceFrom({ readPreferenceTags: [{}] }), { mode: "primary", tags: [{}] });
  });

  it("refuses malformed tag sets and staleness values", () => {
    for (const readPreferenceTags of ["dc:ny", [{ dc: 1 }], [null], [["dc", "ny"]]]) {
      assert.throws(() => readPreferenceFrom({ readPreference: "secondary", readPreferenceTags }), {
        code: "INVALID_OPTION",
        message: /readPreferenceTags must be a list of tag sets/,
      });
    }
    for (const maxStalenessSeconds of [-2, 1.5, "120"]) {
      assert.throws(() => readPreferenceFrom({ readPreference: "secondary", maxStalenessSeconds }), {
        code: "INVALID_OPTION",
        message: /maxStalenessSeconds must be -1/,
      });
    }
  });
});

describe("checkMaxStaleness", () => {
  const secondary = (maxStalenessSeconds: number) => ({ mode: "secondary" as const, maxStalenessSeconds });

  it("against a replica set: at least 90 s, and at least heartbeatFrequencyMS plus the idle write period", () => {
    checkMaxStaleness(secondary(90), "ReplicaSetWithPrimary", 60_000);
    checkMaxStaleness(secondary(130), "ReplicaSetNoPrimary", 120_000);
    assert.throws(() => checkMaxStaleness(secondary(89), "ReplicaSetWithPrimary", 500), {
      code: "INVALID_OPTION",
      message: /at least 90 seconds/,
    });
    assert.throws(() => checkMaxStaleness(secondary(120), "ReplicaSetNoPrimary", 120_000), {
      code: "INVALID_OPTION",
      message: /at least 130 seconds.*heartbeatFrequencyMS \(120000 ms\).*it is 120/,
    });
  });

  it("leaves a mongos to check for itself, but never allows 0", () => {
    checkMaxStaleness(secondary(10), "Sharded", 60_000);
    checkMaxStaleness({ mode: "secondary" }, "ReplicaSetWithPrimary", 60_000);
    assert.throws(() => checkMaxStaleness(secondary(0), "Sharded", 60_000), {
      code: "INVALID_OPTION",
      message: /maxStalenessSeconds=0 is not valid/,
    });
  });
});

describe("readPreferenceDocument", () => {
  it("sends tags and maxStalenessSeconds only when they narrow the choice", () => {
    assert.deepEqual(readPreferenceDocument({ mode: "secondary", tags: [{}] }), { mode: "secondary" });
    assert.deepEqual(
      readPreferenceDocument({ mode: "nearest", tags: [{ dc: "ny" }, {}], maxStalenessSeconds: 120 }),
      { mode: "nearest", tags: [{ dc: "ny" }, {}], maxStalenessSeconds: 120 },
    );
  });
});

describe("readPreferenceForCommand (Server Selection: passing the read preference over OP_MSG)", () => {
  const primary = { mode: "primary" } as const;
  const secondary = { mode: "secondary", tags: [{ dc: "ny" }] } as const;

  it("a standalone gets none, whatever the read preference", () => {
    assert.equal(readPreferenceForCommand("Single", "Standalone", secondary), undefined);
    assert.equal(readPreferenceForCommand("Single", "Standalone", primary), undefined);
  });

  it("a mongos or load balancer gets it unless it is primary", () => {
    for (
      const [topology, server] of [["Sharded", "Mongos"], ["Single", "Mongos"], [
        "LoadBalanced",
        "LoadBalancer",
      ]] as const
    ) {
      assert.equal(readPreferenceForCommand(topology, server, primary), undefined, `${topology} ${server}`);
      assert.deepEqual(readPreferenceForCommand(topology, server, secondary), {
        mode: "secondary",
        tags: [{ dc: "ny" }],
      });
    }
  });

  it("a direct connection to a replica set member reads: primary becomes primaryPreferred", () => {
    for (const server of ["RSPrimary", "RSSecondary", "RSArbiter", "RSOther"] as const) {
      assert.deepEqual(
        readPreferenceForCommand("Single", server, primary),
        { mode: "primaryPreferred" },
        server,
      );
    }
    assert.deepEqual(readPreferenceForCommand("Single", "RSSecondary", secondary), {
      mode: "secondary",
      tags: [{ dc: "ny" }],
    });
  });

  it("a replica set member chosen by the read preference gets it unless it is primary", () => {
    assert.equal(readPreferenceForCommand("ReplicaSetWithPrimary", "RSPrimary", primary), undefined);
    assert.deepEqual(readPreferenceForCommand("ReplicaSetWithPrimary", "RSSecondary", secondary), {
      mode: "secondary",
      tags: [{ dc: "ny" }],
    });
    assert.deepEqual(
      readPreferenceForCommand("ReplicaSetNoPrimary", "RSSecondary", { mode: "primaryPreferred" }),
      { mode: "primaryPreferred" },
    );
  });
});
