// A client's memory of the replica sets it scanned: a scan serves for heartbeatFrequencyMS, per transport and
// deployment; a scan found wrong is dropped unless a newer one replaced it; a client keeps a bounded number.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  deploymentKey,
  type RememberedScan,
  TopologyMemory,
  topologyMemoryOf,
} from "../../src/client/topology-memory.ts";
import { initialTopology } from "../../src/topology/topology-description.ts";

const scanAt = (at: number, complete = true): RememberedScan => ({
  topology: initialTopology({ seeds: ["a.test:27017"], replicaSet: "rs0" }),
  at,
  complete,
});
const KEY = deploymentKey(["a.test:27017"], "rs0");

describe("TopologyMemory", () => {
  it("recalls a scan while it is younger than the maximum age, and not from then on", () => {
    const memory = new TopologyMemory();
    const transport = {};
    const scan = scanAt(1_000);
    memory.remember(transport, KEY, scan);
    assert.equal(memory.recall(transport, KEY, 1_000, 10_000), scan);
    assert.equal(memory.recall(transport, KEY, 10_999, 10_000), scan);
    assert.equal(memory.recall(transport, KEY, 11_000, 10_000), undefined);
  });

  it("keeps a scan per transport and per deployment", () => {
    const memory = new TopologyMemory();
    const [one, other] = [{}, {}];
    memory.remember(one, KEY, scanAt(0));
    assert.equal(memory.recall(other, KEY, 0, 10_000), undefined);
    assert.equal(memory.recall(one, deploymentKey(["a.test:27017"], "rs1"), 0, 10_000), undefined);
    assert.equal(memory.recall(one, deploymentKey(["a.test:27017"]), 0, 10_000), undefined);
  });

  it("a newer scan takes the place of the older one", () => {
    const memory = new TopologyMemory();
    const transport = {};
    const [older, newer] = [scanAt(0), scanAt(5)];
    memory.remember(transport, KEY, older);
    memory.remember(transport, KEY, newer);
    assert.equal(memory.recall(transport, KEY, 5, 10_000), newer);
  });

  it("forgets a scan found wrong, but not a newer one that replaced it meanwhile", () => {
    const memory = new TopologyMemory();
    const transport = {};
    const [older, newer] = [scanAt(0), scanAt(5)];
    memory.remember(transport, KEY, older);
    memory.remember(transport, KEY, newer);
    memory.forget(transport, KEY, older);
    assert.equal(memory.recall(transport, KEY, 5, 10_000), newer);
    memory.forget(transport, KEY, newer);
    assert.equal(memory.recall(transport, KEY, 5, 10_000), undefined);
  });

  it("keeps the 64 deployments scanned last, the oldest dropped first", () => {
    const memory = new TopologyMemory();
    const transport = {};
    const key = (i: number) => deploymentKey([`h${i}.test:27017`], "rs0");
    for (let i = 0; i <= 64; i++) memory.remember(transport, key(i), scanAt(0));
    assert.equal(memory.recall(transport, key(0), 0, 10_000), undefined);
    assert.ok(memory.recall(transport, key(1), 0, 10_000));
    assert.ok(memory.recall(transport, key(64), 0, 10_000));
  });
});

describe("deploymentKey", () => {
  it("names a deployment by its seeds in any order, the replica set asked for, and the proxy", () => {
    assert.equal(
      deploymentKey(["b.test:1", "a.test:1"], "rs0"),
      deploymentKey(["a.test:1", "b.test:1"], "rs0"),
    );
    assert.notEqual(deploymentKey(["a.test:1"], "rs0"), deploymentKey(["a.test:1", "b.test:1"], "rs0"));
    assert.notEqual(
      deploymentKey(["a.test:1"], "rs0"),
      deploymentKey(["a.test:1"], "rs0", "proxy.test:1080"),
    );
    assert.notEqual(deploymentKey(["a.test:1"]), deploymentKey(["a.test:1"], "rs0"));
  });
});

describe("topologyMemoryOf", () => {
  it("is one memory per cacheStore, and one for the process without one", () => {
    const store = {};
    assert.equal(topologyMemoryOf(store), topologyMemoryOf(store));
    assert.equal(topologyMemoryOf(undefined), topologyMemoryOf(undefined));
    assert.notEqual(topologyMemoryOf(store), topologyMemoryOf({}));
    assert.notEqual(topologyMemoryOf(store), topologyMemoryOf(undefined));
  });
});
