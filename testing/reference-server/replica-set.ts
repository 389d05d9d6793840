// A replica set in one process: each member listens on a port of its own and answers hello as a mongod
// 7.0 member does (replication_info.cpp, HelloResponse::toBSON: topologyVersion, hosts, passives,
// arbiters, setName, setVersion, isWritablePrimary, secondary, primary, arbiterOnly, passive, hidden,
// tags, me, electionId, lastWrite), shares the set's users and data (replication is instant, but a
// member's lastWriteDate lags the primary's by its configured lag), and refuses writes and unflagged
// reads as a member in its state would (see commands.ts). Tests step the primary down, elect another
// member, or stop one, and each change wakes the awaitable hellos of every member.
import { Long, ObjectId } from "bson";
import type { ServerConfig } from "./config.ts";
import { type RunningServer, startListener, type StartOptions } from "./server.ts";
import { type MemberState, type ServerRole, TopologyClock } from "./topology.ts";
import type { Document } from "./wire.ts";

/** One member of a replica set. */
export interface MemberConfig {
  /** The state it starts in. Default: the first member PRIMARY, the others SECONDARY. */
  state?: MemberState;
  /** Its replica set tags (rs.conf() `members[n].tags`). */
  tags?: Record<string, string>;
  /** priority 0: listed under `passives` and never elected. */
  passive?: boolean;
  /** hidden (priority 0): in no member's host list, `hidden: true` in its own hello. */
  hidden?: boolean;
  /** Replication lag: its lastWriteDate is the primary's minus this many seconds. Default 0. */
  lagSeconds?: number;
  /**
   * The host:port the set knows it by (rs.conf() `members[n].host`), which hello reports, or a function
   * of the port it listens on. Default the address it listens on, `127.0.0.1:<port>`; tests name members
   * as a DNS zone would (their sockets are then mapped to the real ports).
   */
  name?: string | ((port: number) => string);
}

/** A replica set: the server configuration every member shares, the set name and the members. */
export interface ReplicaSetConfig extends ServerConfig {
  /** The replica set name (`replSetName`). */
  setName: string;
  /** The members, in rs.conf() order. */
  members: MemberConfig[];
}

/** A running member. */
export interface RunningMember extends RunningServer {
  /** The host:port hello reports for it. */
  readonly name: string;
  /** Its state now. */
  readonly state: MemberState;
  /** Whether it is stopped (its port refuses connections). */
  readonly stopped: boolean;
}

/** A running replica set. */
export interface RunningReplicaSet {
  readonly setName: string;
  readonly members: readonly RunningMember[];
  /** The member in state PRIMARY, if any. */
  primary(): RunningMember | undefined;
  /** The members in state SECONDARY. */
  secondaries(): RunningMember[];
  /**
   * `host:port,host:port` of the given members' listening addresses (default all), for a connection string.
   * @param members the members to list
   */
  seedList(members?: readonly RunningMember[]): string;
  /** replSetStepDown: the primary becomes a secondary; the set has no primary until {@link elect}. */
  stepDown(): void;
  /** An election: `member` becomes primary (the old primary, if any, steps down), with a new electionId. */
  elect(member: RunningMember): void;
  /** The member stops: its port closes, every connection to it drops; a primary is then no longer one. */
  stop(member: RunningMember): Promise<void>;
  /**
   * A network partition between clients and the member: its port closes, but the set does not notice
   * (a primary stays primary, and the other members still name it).
   */
  cutOff(member: RunningMember): Promise<void>;
  /** Stops every member. */
  close(): Promise<void>;
}

interface Member {
  readonly config: MemberConfig;
  state: MemberState;
  name: string;
  server?: RunningServer;
  stopped: boolean;
  readonly clock: TopologyClock;
}

/**
 * Starts a replica set: one listener per member on `config.host` (ports picked by the system), sharing
 * users and data.
 * @param config the set name, the members, and what every member shares (users, TLS, mechanisms' keys)
 * @param options mechanisms to use instead of the default registry
 * @returns the running set
 * @throws TypeError for an invalid configuration (no member, two primaries, a passive primary)
 */
export async function startReplicaSet(
  config: ReplicaSetConfig,
  options: StartOptions = {},
): Promise<RunningReplicaSet> {
  const set = new ReplicaSet(config);
  const { setName: _setName, members: _members, ...serverConfig } = config;
  const shared = options.shared ?? {};
  try {
    for (const member of set.members) {
      const server = await startListener(serverConfig, { ...options, shared, role: set.roleOf(member) });
      member.server = server;
      const { name } = member.config;
      member.name = typeof name === "function" ? name(server.port) : name ?? server.address;
    }
  } catch (error) {
    await set.close();
    throw error;
  }
  return set.running();
}

class ReplicaSet {
  readonly setName: string;
  readonly members: Member[];
  #setVersion = 1;
  #term = 1;
  #electionId: ObjectId;

  constructor(config: ReplicaSetConfig) {
    if (typeof config.setName !== "string" || config.setName === "") {
      throw new TypeError("config.setName must be a non-empty string");
    }
    if (!Array.isArray(config.members) || config.members.length === 0) {
      throw new TypeError("config.members must list at least one member");
    }
    this.setName = config.setName;
    this.members = config.members.map((member, index) => ({
      config: member,
      state: member.state ?? (index === 0 ? "PRIMARY" : "SECONDARY"),
      name: "",
      stopped: false,
      clock: new TopologyClock(),
    }));
    const primaries = this.members.filter((m) => m.state === "PRIMARY");
    if (primaries.length > 1) throw new TypeError("config.members: at most one member may start as PRIMARY");
    if (primaries.some((m) => m.config.passive || m.config.hidden)) {
      throw new TypeError("config.members: a passive or hidden member (priority 0) cannot be primary");
    }
    this.#electionId = electionIdFor(this.#term);
  }

  roleOf(member: Member): ServerRole {
    return {
      kind: "member",
      helloFields: (legacy) => this.#helloFields(member, legacy),
      topologyVersion: () => member.clock.version(),
      nextChange: () => member.clock.next(),
      canAcceptWrites: () => member.state === "PRIMARY",
      memberState: () => member.state,
    };
  }

  // HelloResponse::toBSON's order; fields a member in this state does not report are left out.
  #helloFields(member: Member, legacy: boolean): Document {
    const listed = this.members.filter((m) => !m.config.hidden);
    const names = (pick: (m: Member) => boolean) => listed.filter(pick).map((m) => m.name);
    const hosts = names((m) => m.state !== "ARBITER" && !m.config.passive);
    const passives = names((m) => m.state !== "ARBITER" && m.config.passive === true);
    const arbiters = names((m) => m.state === "ARBITER");
    const primary = this.members.find((m) => m.state === "PRIMARY");
    const fields: Document = {
      topologyVersion: member.clock.version(),
      hosts,
      ...(passives.length > 0 && { passives }),
      ...(arbiters.length > 0 && { arbiters }),
      setName: this.setName,
      setVersion: this.#setVersion,
      [legacy ? "ismaster" : "isWritablePrimary"]: member.state === "PRIMARY",
      secondary: member.state === "SECONDARY",
      ...(primary && { primary: primary.name }),
      ...(member.state === "ARBITER" && { arbiterOnly: true }),
      ...((member.config.passive || member.config.hidden) && { passive: true }),
      ...(member.config.hidden && { hidden: true }),
      ...(member.config.tags && { tags: { ...member.config.tags } }),
      me: member.name,
      ...(member.state === "PRIMARY" && { electionId: this.#electionId }),
    };
    if (member.state !== "ARBITER") fields.lastWrite = this.#lastWrite(member);
    return fields;
  }

  // An idle primary writes a no-op every 10 s (idleWritePeriodMS), so its lastWriteDate is at most 10 s
  // old; here it is "now". A secondary's trails it by the member's lag.
  #lastWrite(member: Member): Document {
    const lagMs = member.state === "PRIMARY" ? 0 : (member.config.lagSeconds ?? 0) * 1000;
    const date = new Date(Date.now() - lagMs);
    const opTime = {
      ts: Long.fromBits(1, Math.floor(date.getTime() / 1000), true),
      t: Long.fromNumber(this.#term),
    };
    return { opTime, lastWriteDate: date, majorityOpTime: opTime, majorityWriteDate: date };
  }

  stepDown(): void {
    const primary = this.members.find((m) => m.state === "PRIMARY");
    if (primary) primary.state = "SECONDARY";
    this.#changed();
  }

  elect(member: Member): void {
    if (member.config.passive || member.config.hidden || member.state === "ARBITER" || member.stopped) {
      throw new TypeError(`${member.name} cannot be elected (passive, hidden, arbiter or stopped)`);
    }
    for (const m of this.members) if (m.state === "PRIMARY") m.state = "SECONDARY";
    member.state = "PRIMARY";
    this.#term++;
    this.#electionId = electionIdFor(this.#term);
    this.#changed();
  }

  async stop(member: Member): Promise<void> {
    member.stopped = true;
    if (member.state === "PRIMARY") member.state = "SECONDARY";
    await member.server?.close();
    this.#changed();
  }

  // Every member's topologyVersion moves on: each one's view of the set changed.
  #changed(): void {
    for (const member of this.members) member.clock.tick();
  }

  close(): Promise<void> {
    return Promise.all(this.members.map((m) => m.server?.close())).then(() => {});
  }

  running(): RunningReplicaSet {
    const views = new Map<Member, RunningMember>();
    const view = (member: Member): RunningMember => {
      const server = member.server!;
      const running: RunningMember = {
        host: server.host,
        port: server.port,
        address: server.address,
        stats: server.stats,
        failPoints: server.failPoints,
        close: () => server.close(),
        get name() {
          return member.name;
        },
        get state() {
          return member.state;
        },
        get stopped() {
          return member.stopped;
        },
      };
      views.set(member, running);
      return running;
    };
    const members = this.members.map(view);
    const memberOf = (running: RunningMember) => {
      const found = [...views].find(([, v]) => v === running)?.[0];
      if (!found) throw new TypeError("not a member of this replica set");
      return found;
    };
    return {
      setName: this.setName,
      members,
      primary: () => members.find((m) => m.state === "PRIMARY"),
      secondaries: () => members.filter((m) => m.state === "SECONDARY" && !m.stopped),
      seedList: (list = members) => list.map((m) => m.address).join(","),
      stepDown: () => this.stepDown(),
      elect: (member) => this.elect(memberOf(member)),
      stop: (member) => this.stop(memberOf(member)),
      cutOff: async (member) => {
        const cut = memberOf(member);
        cut.stopped = true;
        await cut.server?.close();
      },
      close: () => this.close(),
    };
  }
}

// electionIds compare as ObjectIds, and drivers discard a primary whose (electionId, setVersion) is
// older than one already seen: mongod's are 0x7fffffff followed by the term, so a later term is larger.
function electionIdFor(term: number): ObjectId {
  const bytes = new Uint8Array(12);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, 0x7fffffff);
  view.setUint32(8, term);
  return new ObjectId(bytes);
}
