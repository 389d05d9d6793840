/**
 * Which servers of a topology suit a read preference (Server Selection specification): per topology type,
 * then for a replica set by mode, maxStalenessSeconds (before tags), tag sets in order, and finally the
 * latency window of localThresholdMS around the fastest. connect() uses it with the generic command
 * method's semantics: the connection's read preference decides the member every command goes to.
 *
 * @module
 */
import type { ServerDescription } from "./server-description.ts";
import type { TopologyDescription } from "./topology-description.ts";
import type { ReadPreference, TagSet } from "./read-preference.ts";

/** What selection needs besides the topology and the read preference. */
export interface SelectionSettings {
  /** The size of the latency window, in milliseconds. Default 15. */
  readonly localThresholdMS?: number;
  /** The heartbeat frequency the staleness estimate adds. */
  readonly heartbeatFrequencyMS: number;
  /**
   * Addresses to avoid (a retry's: the servers that already failed it), used only when nothing else
   * suits.
   */
  readonly deprioritized?: ReadonlySet<string>;
}

/**
 * The servers suitable for an operation.
 *
 * @param topology the deployment as checked so far
 * @param operation `read` (with the read preference) or `write`
 * @param readPreference for reads
 * @param settings the heartbeat frequency (for staleness)
 * @returns the suitable servers, in the topology's order
 * @example A secondary read in a replica set
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeServer } from "./server-description.ts";
 * import { initialTopology, updateTopology } from "./topology-description.ts";
 * import { suitableServers } from "./server-selection.ts";
 *
 * const settings = { seeds: ["a:27017"] };
 * let topology = initialTopology(settings);
 * topology = updateTopology(topology, describeServer("a:27017", {
 *   ok: 1, setName: "rs0", isWritablePrimary: true, hosts: ["a:27017", "b:27017"], maxWireVersion: 21,
 * }), settings);
 * topology = updateTopology(topology, describeServer("b:27017", {
 *   ok: 1, setName: "rs0", secondary: true, hosts: ["a:27017", "b:27017"], me: "b:27017", maxWireVersion: 21,
 * }), settings);
 * const suitable = suitableServers(topology, "read", { mode: "secondary" }, { heartbeatFrequencyMS: 10_000 });
 * assert.deepEqual(suitable.map((s) => s.address), ["b:27017"]);
 * ```
 */
export function suitableServers(
  topology: TopologyDescription,
  operation: "read" | "write",
  readPreference: ReadPreference,
  settings: SelectionSettings,
): ServerDescription[] {
  const all = [...topology.servers.values()];
  const avoided = settings.deprioritized;
  if (avoided !== undefined && avoided.size > 0) {
    const preferred = all.filter((s) => !avoided.has(s.address));
    const found = suitableAmong(
      topology,
      preferred,
      operation,
      readPreference,
      settings.heartbeatFrequencyMS,
    );
    if (found.length > 0) return found;
  }
  return suitableAmong(topology, all, operation, readPreference, settings.heartbeatFrequencyMS);
}

function suitableAmong(
  topology: TopologyDescription,
  servers: readonly ServerDescription[],
  operation: "read" | "write",
  readPreference: ReadPreference,
  heartbeatFrequencyMS: number,
): ServerDescription[] {
  switch (topology.type) {
    case "Unknown":
      return [];
    case "Single":
    case "LoadBalanced":
      return servers.filter((s) => s.type !== "Unknown" && s.type !== "PossiblePrimary");
    case "Sharded":
      return servers.filter((s) => s.type === "Mongos");
    case "ReplicaSetWithPrimary":
    case "ReplicaSetNoPrimary":
      return operation === "write"
        ? servers.filter((s) => s.type === "RSPrimary")
        : replicaSetReadServers(topology, servers, readPreference, heartbeatFrequencyMS);
  }
}

function replicaSetReadServers(
  topology: TopologyDescription,
  servers: readonly ServerDescription[],
  readPreference: ReadPreference,
  heartbeatFrequencyMS: number,
): ServerDescription[] {
  const primary = servers.filter((s) => s.type === "RSPrimary");
  const secondaries = () =>
    eligible(topology, servers.filter((s) => s.type === "RSSecondary"), readPreference, heartbeatFrequencyMS);
  switch (readPreference.mode) {
    case "primary":
      return primary;
    case "primaryPreferred":
      return primary.length > 0 ? primary : secondaries();
    case "secondary":
      return secondaries();
    case "secondaryPreferred": {
      const found = secondaries();
      return found.length > 0 ? found : primary;
    }
    case "nearest":
      return eligible(
        topology,
        servers.filter((s) => s.type === "RSPrimary" || s.type === "RSSecondary"),
        readPreference,
        heartbeatFrequencyMS,
      );
  }
}

// maxStalenessSeconds first, then tag sets ("Why is maxStalenessSeconds applied before tag_sets?").
function eligible(
  topology: TopologyDescription,
  candidates: readonly ServerDescription[],
  readPreference: ReadPreference,
  heartbeatFrequencyMS: number,
): ServerDescription[] {
  const maxStalenessMS = (readPreference.maxStalenessSeconds ?? -1) * 1000;
  const fresh = maxStalenessMS > 0
    ? candidates.filter((s) => staleness(topology, s, heartbeatFrequencyMS) <= maxStalenessMS)
    : [...candidates];
  return matchingTags(fresh, readPreference.tags);
}

/**
 * A secondary's estimated staleness in milliseconds (Server Selection spec): against the primary when
 * there is one, else against the freshest secondary; zero for anything but a secondary.
 *
 * @param topology the deployment
 * @param server the server
 * @param heartbeatFrequencyMS the heartbeat frequency
 * @returns the staleness in milliseconds
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeServer } from "./server-description.ts";
 * import { initialTopology, updateTopology } from "./topology-description.ts";
 * import { staleness } from "./server-selection.ts";
 *
 * const settings = { seeds: ["a:27017", "b:27017"], replicaSet: "rs0" };
 * const secondary = (address: string, lastWriteDate: number) =>
 *   describeServer(address, { ok: 1, setName: "rs0", secondary: true, hosts: ["a:27017", "b:27017"], me: address, lastWrite: { lastWriteDate: new Date(lastWriteDate) } });
 * let topology = initialTopology(settings);
 * topology = updateTopology(topology, secondary("a:27017", 100_000), settings);
 * topology = updateTopology(topology, secondary("b:27017", 40_000), settings);
 * assert.equal(staleness(topology, topology.servers.get("b:27017")!, 10_000), 70_000);
 * ```
 */
export function staleness(
  topology: TopologyDescription,
  server: ServerDescription,
  heartbeatFrequencyMS: number,
): number {
  if (server.type !== "RSSecondary") return 0;
  const servers = [...topology.servers.values()];
  const lastWrite = (s: ServerDescription) => s.lastWriteDate ?? 0;
  const primary = servers.find((s) => s.type === "RSPrimary");
  if (topology.type === "ReplicaSetWithPrimary" && primary !== undefined) {
    return (server.lastUpdateTime - lastWrite(server)) - (primary.lastUpdateTime - lastWrite(primary)) +
      heartbeatFrequencyMS;
  }
  const freshest = Math.max(...servers.filter((s) => s.type === "RSSecondary").map(lastWrite));
  return freshest - lastWrite(server) + heartbeatFrequencyMS;
}

/**
 * The servers matching the first tag set that matches any: a tag set matches a server when every one of
 * its pairs is among the server's tags. No tag sets (or `[]`) match every server.
 *
 * @param servers the candidates
 * @param tags the tag sets, in order
 * @returns the matching servers
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeServer } from "./server-description.ts";
 * import { matchingTags } from "./server-selection.ts";
 *
 * const member = (address: string, dc: string) =>
 *   describeServer(address, { ok: 1, setName: "rs0", secondary: true, tags: { dc } });
 * const servers = [member("a:27017", "ny"), member("b:27017", "sf")];
 * assert.deepEqual(matchingTags(servers, [{ dc: "la" }, { dc: "sf" }]).map((s) => s.address), ["b:27017"]);
 * ```
 */
export function matchingTags(
  servers: readonly ServerDescription[],
  tags: readonly TagSet[] | undefined,
): ServerDescription[] {
  if (tags === undefined || tags.length === 0) return [...servers];
  for (const set of tags) {
    const matching = servers.filter((s) =>
      Object.entries(set).every(([key, value]) => s.tags[key] === value)
    );
    if (matching.length > 0) return matching;
  }
  return [];
}

/**
 * The suitable servers within the latency window: at most localThresholdMS slower than the fastest.
 *
 * @param servers the suitable servers (each with a round trip time)
 * @param localThresholdMS the window's size (default 15)
 * @returns the servers in the window
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { inLatencyWindow } from "./server-selection.ts";
 * import { unknownServer } from "./server-description.ts";
 *
 * const at = (address: string, roundTripTime: number) => ({ ...unknownServer(address), type: "RSSecondary" as const, roundTripTime });
 * assert.deepEqual(inLatencyWindow([at("a:1", 5), at("b:1", 18), at("c:1", 30)], 15).map((s) => s.address), ["a:1", "b:1"]);
 * ```
 */
export function inLatencyWindow(
  servers: readonly ServerDescription[],
  localThresholdMS = 15,
): ServerDescription[] {
  if (servers.length <= 1) return [...servers];
  const rtt = (s: ServerDescription) => s.roundTripTime ?? 0;
  const fastest = Math.min(...servers.map(rtt));
  return servers.filter((s) => rtt(s) <= fastest + localThresholdMS);
}
