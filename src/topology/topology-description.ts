/**
 * The client's view of a deployment (SDAM's TopologyDescription) and how each checked server changes it:
 * the initial topology type from `directConnection`, `replicaSet` and `loadBalanced`, and the
 * specification's table of actions (updateUnknownWithStandalone, updateRSWithoutPrimary,
 * updateRSWithPrimaryFromMember, updateRSFromPrimary with electionId/setVersion staleness,
 * checkIfHasPrimary), with topologyVersion ordering and wire version compatibility. Pure functions: a
 * new description comes back, the old one is untouched.
 *
 * @module
 */
import {
  loadBalancerServer,
  type ServerDescription,
  type ServerType,
  unknownServer,
} from "./server-description.ts";

/**
 * A deployment's shape (SDAM's TopologyType).
 *
 * @example
 * ```ts
 * import type { TopologyType } from "@mongo-auth/core";
 *
 * const kinds: TopologyType[] = ["Single", "ReplicaSetWithPrimary", "Sharded", "LoadBalanced"];
 * void kinds;
 * ```
 */
export type TopologyType =
  | "Single"
  | "ReplicaSetNoPrimary"
  | "ReplicaSetWithPrimary"
  | "Sharded"
  | "LoadBalanced"
  | "Unknown";

/**
 * Everything known about a deployment.
 *
 * @example The topology a replica set connection string starts in
 * ```ts
 * import assert from "node:assert/strict";
 * import { initialTopology } from "./topology-description.ts";
 *
 * const topology = initialTopology({ seeds: ["db1.example.net:27017"], replicaSet: "rs0" });
 * assert.equal(topology.type, "ReplicaSetNoPrimary");
 * assert.equal(topology.setName, "rs0");
 * ```
 */
export interface TopologyDescription {
  /** Unknown, Single, ReplicaSetNoPrimary, ReplicaSetWithPrimary, Sharded or LoadBalanced. */
  readonly type: TopologyType;
  /** The replica set's name (`replicaSet`, or the first member's). */
  readonly setName?: string;
  /** The largest electionId a primary reported (24 hex digits). */
  readonly maxElectionId?: string;
  /** The setVersion that came with it. */
  readonly maxSetVersion?: number;
  /** Every server, by address, in the order they were added. */
  readonly servers: ReadonlyMap<string, ServerDescription>;
  /** False when a server's wire versions do not overlap the client's. */
  readonly compatible: boolean;
  /** Why not, naming the server and the versions. */
  readonly compatibilityError?: string;
  /** The smallest of the data-bearing servers' session timeouts, or undefined if one has none. */
  readonly logicalSessionTimeoutMinutes?: number;
}

/** What a connection string says about the deployment. */
export interface TopologySettings {
  /** The seeds' addresses (`host:port`, lower-case). */
  readonly seeds: readonly string[];
  /** `directConnection`: true is Single, whatever the server is. */
  readonly directConnection?: boolean;
  /** `replicaSet`: only members of this set are used. */
  readonly replicaSet?: string;
  /** `loadBalanced`. */
  readonly loadBalanced?: boolean;
}

/** The wire protocol versions this client speaks: OP_MSG (MongoDB 3.6) and later. */
export const CLIENT_MIN_WIRE_VERSION = 6;
/** The newest wire version this client knows (MongoDB 8.x). */
export const CLIENT_MAX_WIRE_VERSION = 29;

const DATA_BEARING: ReadonlySet<ServerType> = new Set([
  "Mongos",
  "RSPrimary",
  "RSSecondary",
  "Standalone",
  "LoadBalancer",
]);

/**
 * The topology before any server is checked: SDAM's initial TopologyType (LoadBalanced; Single for
 * `directConnection=true`; ReplicaSetNoPrimary with a `replicaSet`; else Unknown), every seed Unknown.
 *
 * @param settings the seeds and the options that decide the type
 * @returns the initial description
 * @example A single seed without directConnection is not Single: it may be a replica set member
 * ```ts
 * import assert from "node:assert/strict";
 * import { initialTopology } from "./topology-description.ts";
 *
 * assert.equal(initialTopology({ seeds: ["db1.example.net:27017"] }).type, "Unknown");
 * assert.equal(initialTopology({ seeds: ["db1.example.net:27017"], directConnection: true }).type, "Single");
 * ```
 */
export function initialTopology(settings: TopologySettings): TopologyDescription {
  const type: TopologyType = settings.loadBalanced
    ? "LoadBalanced"
    : settings.directConnection
    ? "Single"
    : settings.replicaSet !== undefined
    ? "ReplicaSetNoPrimary"
    : "Unknown";
  // Load-balanced: one server, the load balancer, known as such from the start (no monitoring).
  const describe = type === "LoadBalanced" ? loadBalancerServer : unknownServer;
  const servers = new Map(settings.seeds.map((address) => [address, describe(address)]));
  return {
    type,
    ...(settings.replicaSet !== undefined && { setName: settings.replicaSet }),
    servers,
    compatible: true,
  };
}

/**
 * The topology after one server's check: its new description replaces the old one (unless its
 * topologyVersion is older), and SDAM's table of actions decides what else changes.
 *
 * @param topology the current description
 * @param server the checked server's new description
 * @param settings the seeds and options the topology started from
 * @returns the new description
 * @example A secondary names the primary and the other members
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeServer } from "./server-description.ts";
 * import { initialTopology, updateTopology } from "./topology-description.ts";
 *
 * const settings = { seeds: ["b:27017"] };
 * const secondary = describeServer("b:27017", {
 *   ok: 1, setName: "rs0", secondary: true, hosts: ["a:27017", "b:27017"], primary: "a:27017", me: "b:27017",
 * });
 * const topology = updateTopology(initialTopology(settings), secondary, settings);
 * assert.equal(topology.type, "ReplicaSetNoPrimary");
 * assert.equal(topology.servers.get("a:27017")?.type, "PossiblePrimary");
 * ```
 */
export function updateTopology(
  topology: TopologyDescription,
  server: ServerDescription,
  settings: TopologySettings,
): TopologyDescription {
  const current = topology.servers.get(server.address);
  if (current === undefined) return topology; // a server removed while it was being checked
  if (isOlder(server, current)) return topology;
  const next = new Draft(topology);
  next.servers.set(server.address, server);
  next.apply(server, settings);
  return next.finish();
}

// SDAM's topologyVersion comparison: a reply is older only when it is the same process's, with a lower
// counter.
function isOlder(reply: ServerDescription, current: ServerDescription): boolean {
  const a = reply.topologyVersion;
  const b = current.topologyVersion;
  return a !== undefined && b !== undefined && a.processId === b.processId && a.counter < b.counter;
}

/** A topology being updated: the actions of SDAM's table, applied in place to a copy. */
class Draft {
  type: TopologyType;
  setName: string | undefined;
  maxElectionId: string | undefined;
  maxSetVersion: number | undefined;
  readonly servers: Map<string, ServerDescription>;

  constructor(topology: TopologyDescription) {
    this.type = topology.type;
    this.setName = topology.setName;
    this.maxElectionId = topology.maxElectionId;
    this.maxSetVersion = topology.maxSetVersion;
    this.servers = new Map(topology.servers);
  }

  apply(server: ServerDescription, settings: TopologySettings): void {
    switch (this.type) {
      case "Single":
        // Verifying setName with TopologyType Single: a member of another set (or of none) is Unknown.
        if (
          settings.replicaSet !== undefined && server.type !== "Unknown" &&
          server.setName !== settings.replicaSet
        ) {
          this.servers.set(
            server.address,
            unknownServer(
              server.address,
              `${server.address} is ${
                server.setName === undefined
                  ? "not a replica set member"
                  : `a member of replica set "${server.setName}"`
              }, not of "${settings.replicaSet}"`,
              server.lastUpdateTime,
            ),
          );
        }
        return;
      case "LoadBalanced":
        return;
      case "Unknown":
        return this.#fromUnknown(server, settings);
      case "Sharded":
        if (server.type !== "Unknown" && server.type !== "Mongos") this.servers.delete(server.address);
        return;
      case "ReplicaSetNoPrimary":
        return this.#fromReplicaSetNoPrimary(server);
      case "ReplicaSetWithPrimary":
        return this.#fromReplicaSetWithPrimary(server);
    }
  }

  #fromUnknown(server: ServerDescription, settings: TopologySettings): void {
    switch (server.type) {
      case "Standalone":
        // updateUnknownWithStandalone
        if (settings.seeds.length === 1) this.type = "Single";
        else this.servers.delete(server.address);
        return;
      case "Mongos":
        this.type = "Sharded";
        return;
      case "RSPrimary":
        this.type = "ReplicaSetWithPrimary";
        return this.#updateFromPrimary(server);
      case "RSSecondary":
      case "RSArbiter":
      case "RSOther":
        this.type = "ReplicaSetNoPrimary";
        return this.#updateWithoutPrimary(server);
    }
  }

  #fromReplicaSetNoPrimary(server: ServerDescription): void {
    switch (server.type) {
      case "Standalone":
      case "Mongos":
        this.servers.delete(server.address);
        return;
      case "RSPrimary":
        this.type = "ReplicaSetWithPrimary";
        return this.#updateFromPrimary(server);
      case "RSSecondary":
      case "RSArbiter":
      case "RSOther":
        return this.#updateWithoutPrimary(server);
    }
  }

  #fromReplicaSetWithPrimary(server: ServerDescription): void {
    switch (server.type) {
      case "Unknown":
      case "RSGhost":
        return this.#checkIfHasPrimary();
      case "Standalone":
      case "Mongos":
        this.servers.delete(server.address);
        return this.#checkIfHasPrimary();
      case "RSPrimary":
        return this.#updateFromPrimary(server);
      case "RSSecondary":
      case "RSArbiter":
      case "RSOther":
        return this.#updateWithPrimaryFromMember(server);
    }
  }

  #updateWithoutPrimary(server: ServerDescription): void {
    if (this.setName === undefined) this.setName = server.setName;
    else if (this.setName !== server.setName) {
      this.servers.delete(server.address);
      return;
    }
    this.#addMembersOf(server);
    if (server.primary !== undefined) this.#markPossiblePrimary(server.primary);
    if (server.me !== undefined && server.address !== server.me) this.servers.delete(server.address);
  }

  #updateWithPrimaryFromMember(server: ServerDescription): void {
    if (this.setName !== server.setName || (server.me !== undefined && server.address !== server.me)) {
      this.servers.delete(server.address);
      return this.#checkIfHasPrimary();
    }
    if (![...this.servers.values()].some((s) => s.type === "RSPrimary")) {
      this.type = "ReplicaSetNoPrimary";
      if (server.primary !== undefined) this.#markPossiblePrimary(server.primary);
    }
  }

  #updateFromPrimary(server: ServerDescription): void {
    if (this.setName === undefined) this.setName = server.setName;
    else if (this.setName !== server.setName) {
      this.servers.delete(server.address);
      return this.#checkIfHasPrimary();
    }
    if (this.#isStalePrimary(server)) {
      this.servers.set(
        server.address,
        unknownServer(
          server.address,
          `primary marked stale due to electionId/setVersion mismatch, ` +
            `${tuple(server.electionId, server.setVersion)} is stale compared to ` +
            `${tuple(this.maxElectionId, this.maxSetVersion)}`,
          server.lastUpdateTime,
        ),
      );
      return this.#checkIfHasPrimary();
    }
    for (const [address, other] of this.servers) {
      if (address !== server.address && other.type === "RSPrimary") {
        this.servers.set(
          address,
          unknownServer(
            address,
            "primary marked stale due to discovery of newer primary",
            other.lastUpdateTime,
          ),
        );
      }
    }
    this.#addMembersOf(server);
    const members = new Set([...server.hosts, ...server.passives, ...server.arbiters]);
    for (const address of [...this.servers.keys()]) if (!members.has(address)) this.servers.delete(address);
    this.#checkIfHasPrimary();
  }

  // The electionId/setVersion comparison of updateRSFromPrimary: MongoDB 6.0+ (wire version 17) orders by
  // electionId first, older servers by setVersion first. Each branch records the new maximum.
  #isStalePrimary(server: ServerDescription): boolean {
    const { electionId, setVersion } = server;
    if ((server.maxWireVersion ?? 0) >= 17) {
      const byElection = compareOptional(electionId, this.maxElectionId, compareHex);
      const newer = byElection > 0 ||
        (byElection === 0 && compareOptional(setVersion, this.maxSetVersion, (a, b) => a - b) >= 0);
      if (!newer) return true;
      this.maxElectionId = electionId;
      this.maxSetVersion = setVersion;
      return false;
    }
    if (setVersion !== undefined && electionId !== undefined) {
      const { maxSetVersion, maxElectionId } = this;
      if (
        maxSetVersion !== undefined && maxElectionId !== undefined &&
        (maxSetVersion > setVersion ||
          (maxSetVersion === setVersion && compareHex(maxElectionId, electionId) > 0))
      ) {
        return true;
      }
      this.maxElectionId = electionId;
    }
    if (setVersion !== undefined && (this.maxSetVersion === undefined || setVersion > this.maxSetVersion)) {
      this.maxSetVersion = setVersion;
    }
    return false;
  }

  #addMembersOf(server: ServerDescription): void {
    for (const address of [...server.hosts, ...server.passives, ...server.arbiters]) {
      if (!this.servers.has(address)) this.servers.set(address, unknownServer(address));
    }
  }

  // The special handling of `primary`: a single-threaded client checks the possible primary first.
  #markPossiblePrimary(address: string): void {
    const described = this.servers.get(address);
    if (described?.type === "Unknown") this.servers.set(address, { ...described, type: "PossiblePrimary" });
  }

  #checkIfHasPrimary(): void {
    const hasPrimary = [...this.servers.values()].some((s) => s.type === "RSPrimary");
    this.type = hasPrimary ? "ReplicaSetWithPrimary" : "ReplicaSetNoPrimary";
  }

  finish(): TopologyDescription {
    const servers = [...this.servers.values()];
    const incompatible = servers.map(compatibilityError).find((error) => error !== undefined);
    return {
      type: this.type,
      ...(this.setName !== undefined && { setName: this.setName }),
      ...(this.maxElectionId !== undefined && { maxElectionId: this.maxElectionId }),
      ...(this.maxSetVersion !== undefined && { maxSetVersion: this.maxSetVersion }),
      servers: this.servers,
      compatible: incompatible === undefined,
      ...(incompatible !== undefined && { compatibilityError: incompatible }),
      ...sessionTimeout(servers),
    };
  }
}

function compatibilityError(server: ServerDescription): string | undefined {
  if (server.type === "Unknown" || server.type === "PossiblePrimary" || server.type === "LoadBalancer") {
    return undefined;
  }
  const minWireVersion = server.minWireVersion ?? 0;
  const maxWireVersion = server.maxWireVersion ?? 0;
  if (minWireVersion > CLIENT_MAX_WIRE_VERSION) {
    return `Server at ${server.address} requires wire version ${minWireVersion}, but this version of ` +
      `mongo-auth only supports up to ${CLIENT_MAX_WIRE_VERSION}`;
  }
  if (maxWireVersion < CLIENT_MIN_WIRE_VERSION) {
    return `Server at ${server.address} reports wire version ${maxWireVersion}, but this version of ` +
      `mongo-auth requires at least ${CLIENT_MIN_WIRE_VERSION} (MongoDB 3.6)`;
  }
  return undefined;
}

// Logical Session Timeout: the smallest among the data-bearing servers, or none if one has none.
function sessionTimeout(servers: readonly ServerDescription[]): { logicalSessionTimeoutMinutes?: number } {
  const bearing = servers.filter((s) => DATA_BEARING.has(s.type));
  if (bearing.length === 0 || bearing.some((s) => s.logicalSessionTimeoutMinutes === undefined)) return {};
  return { logicalSessionTimeoutMinutes: Math.min(...bearing.map((s) => s.logicalSessionTimeoutMinutes!)) };
}

function compareHex(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// "Null values for both electionId and setVersion are always considered less than" any value.
function compareOptional<T>(a: T | undefined, b: T | undefined, compare: (a: T, b: T) => number): number {
  if (a === undefined) return b === undefined ? 0 : -1;
  if (b === undefined) return 1;
  return compare(a, b);
}

function tuple(electionId: string | undefined, setVersion: number | undefined): string {
  return `{ electionId: ${electionId ?? "null"}, setVersion: ${setVersion ?? "null"} }`;
}
