// What kind of process a listener is — a standalone mongod, a replica set member, or a mongos — and the
// two things that depend on it: the fields of hello that describe it (replication_info.cpp's
// appendReplicationInfo, HelloResponse::toBSON; cluster_hello_cmd.cpp for mongos), and whether a command
// may run here (service_entry_point_common.cpp's commandCanRunHere and the "not primary" checks after it).
import { Long, ObjectId } from "bson";
import type { Document } from "./wire.ts";

/** A replica set member's state, as rs.status() names it. */
export type MemberState = "PRIMARY" | "SECONDARY" | "ARBITER" | "RECOVERING";

/** hello's `topologyVersion` (topology_version.idl). */
export interface TopologyVersion {
  readonly processId: ObjectId;
  readonly counter: Long;
}

/**
 * What a process is. The server asks it for hello's descriptive fields and for the replication state
 * the command dispatch checks.
 */
export interface ServerRole {
  /** `standalone`, `member` (of a replica set) or `mongos`. */
  readonly kind: "standalone" | "member" | "mongos";
  /**
   * hello's fields before `maxBsonObjectSize`, in mongod's order.
   * @param legacy the command was `isMaster`/`ismaster` (answers `ismaster`, not `isWritablePrimary`)
   */
  helloFields(legacy: boolean): Document;
  /** The topologyVersion every hello carries, or undefined (this standalone sends none, see README). */
  topologyVersion(): TopologyVersion | undefined;
  /** Resolves at the next change of this process's topologyVersion (an awaitable hello waits on it). */
  nextChange(): Promise<void>;
  /** replCoord->canAcceptWritesForDatabase: primary, standalone, mongos. */
  canAcceptWrites(): boolean;
  /**
   * The replica set member state, or undefined when not a member; `STARTUP` for a mongod started with
   * `--replSet` that has no configuration yet.
   */
  memberState(): MemberState | "STARTUP" | undefined;
  /** A mongos's serviceId (its hello has it on connections through its load balancer port). */
  serviceId?(): ObjectId;
}

/** A process's topologyVersion and the waiters of its next change. */
export class TopologyClock {
  readonly processId = new ObjectId();
  #counter = 0;
  #waiters: Array<() => void> = [];

  /** The current version. */
  version(): TopologyVersion {
    return { processId: this.processId, counter: Long.fromNumber(this.#counter) };
  }

  /** Resolves at the next {@link tick}. */
  next(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** A topology change: the counter moves on and every awaitable hello answers. */
  tick(): void {
    this.#counter++;
    for (const wake of this.#waiters.splice(0)) wake();
  }
}

/** A standalone mongod: writable, and (a deliberate simplification, see README) no topologyVersion. */
export const STANDALONE: ServerRole = {
  kind: "standalone",
  helloFields: (legacy) => ({ [legacy ? "ismaster" : "isWritablePrimary"]: true }),
  topologyVersion: () => undefined,
  nextChange: () => new Promise(() => {}),
  canAcceptWrites: () => true,
  memberState: () => undefined,
};

/** A mongos: `msg: "isdbgrid"`, always writable, a topologyVersion that never changes here. */
export class MongosRole implements ServerRole {
  readonly kind = "mongos";
  readonly #clock = new TopologyClock();
  // load_balancer_support.cpp's PerService serviceId: one per process, for its lifetime.
  readonly #serviceId = new ObjectId();

  serviceId(): ObjectId {
    return this.#serviceId;
  }

  helloFields(legacy: boolean): Document {
    return {
      [legacy ? "ismaster" : "isWritablePrimary"]: true,
      msg: "isdbgrid",
      topologyVersion: this.#clock.version(),
    };
  }

  topologyVersion(): TopologyVersion {
    return this.#clock.version();
  }

  nextChange(): Promise<void> {
    return this.#clock.next();
  }

  canAcceptWrites(): boolean {
    return true;
  }

  memberState(): undefined {
    return undefined;
  }
}

/**
 * A mongod started with `--replSet` before `rs.initiate()` ran (a fresh container): a member of no set yet,
 * which answers hello as fillIsMasterForReplSet does without a configuration — not writable, not a
 * secondary, `isreplicaset` and mongod's `info` (SDAM's RSGhost) — and refuses writes and unflagged reads
 * as any member that is not primary does.
 *
 * @returns the role, with a topologyVersion of its own
 */
export function uninitiatedMember(): ServerRole {
  const clock = new TopologyClock();
  return {
    kind: "member",
    helloFields: (legacy) => ({
      topologyVersion: clock.version(),
      [legacy ? "ismaster" : "isWritablePrimary"]: false,
      secondary: false,
      info: "Does not have a valid replica set config",
      isreplicaset: true,
    }),
    topologyVersion: () => clock.version(),
    nextChange: () => clock.next(),
    canAcceptWrites: () => false,
    memberState: () => "STARTUP",
  };
}
