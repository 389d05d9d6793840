/**
 * How connect() finds the member it ends on: a single-threaded driver's server selection (Server
 * Selection spec), with no monitor and no pool. It scans the deployment — each check one socket and one
 * hello, kept open — updating the topology as SDAM says, and chooses as soon as the choice is certain:
 *
 * - a direct connection or a load balancer: the one server;
 * - mongoses: the first that answers (seeds are checked in random order, which spreads clients);
 * - a replica set read from the primary (`primary`, `primaryPreferred`): the primary, checked first once a
 *   member names it;
 * - other read preferences: every member is checked, at once, then one suitable member within the
 *   latency window is chosen at random.
 *
 * With `serverSelectionTryOnce` (the default) one scan decides; otherwise it scans again every 500 ms
 * until `serverSelectionTimeoutMS`. Every other socket is closed once the choice is made.
 *
 * @module
 */
import { abortError, sleep } from "../core/abort.ts";
import { MongoAuthError } from "../core/errors.ts";
import { randomBelow, shuffled } from "../crypto/random.ts";
import type { MongoCredential } from "../credential/mongo-credential.ts";
import { checkMaxStaleness, type ReadPreference } from "../topology/read-preference.ts";
import { parseAddress, type ServerDescription, unknownServer } from "../topology/server-description.ts";
import { inLatencyWindow, suitableServers } from "../topology/server-selection.ts";
import {
  initialTopology,
  type TopologyDescription,
  type TopologySettings,
  updateTopology,
} from "../topology/topology-description.ts";
import { type CheckContext, type CheckedServer, checkServer, failureAttributes } from "./check.ts";
import type { SelectionOptions } from "./options.ts";
import { selectionFailure } from "./selection-error.ts";

/** SDAM's minHeartbeatFrequencyMS: the least time between two scans. */
const MIN_HEARTBEAT_FREQUENCY_MS = 500;
/** SDAM's cooldownMS: a server whose check failed on the network is not checked again before this. */
const COOLDOWN_MS = 5_000;

/** Errors that no other server would change: stop the scan and report them. */
const STOP_CODES: ReadonlySet<string> = new Set([
  "AUTHENTICATION_FAILED",
  "UNSUPPORTED_MECHANISM",
  "ABORTED",
  "RUNTIME_UNSUPPORTED",
  "INVALID_OPTION",
  "INVALID_CREDENTIAL",
  "CREDENTIAL_PROVIDER_ERROR",
  "SCRAM_ITERATIONS_TOO_HIGH",
  "SERVER_SELECTION_FAILED",
]);

/** What discovery found: the chosen server, its socket open, and the topology around it. */
export interface Discovered {
  readonly chosen: CheckedServer;
  readonly topology: TopologyDescription;
  /** Every check made, the chosen one's included. */
  readonly checks: number;
}

/** What discovery needs besides a check's context. */
export interface DiscoveryContext extends CheckContext {
  readonly topologySettings: TopologySettings;
  readonly selection: SelectionOptions;
  readonly credential?: MongoCredential;
}

/**
 * Scans and chooses.
 *
 * @param context transport, settings, the caller's options, the seeds, the read preference
 * @returns the chosen server and the topology
 * @throws {MongoAuthError} `SERVER_SELECTION_FAILED` when the deployment answered but nothing suits,
 *   `CONNECTION_FAILED` (or the one server's own error) when nothing answered, `INVALID_OPTION` for a
 *   maxStalenessSeconds the replica set cannot honour, and the codes no other server would change
 */
export async function discover(context: DiscoveryContext): Promise<Discovered> {
  const started = performance.now();
  const { selection } = context;
  const failedAt = new Map<string, number>();
  let topology = initialTopology(context.topologySettings);
  let checks = 0;
  for (let scan = 1;; scan++) {
    const outcome = await new Scan(context, topology, failedAt).run();
    checks += outcome.checks;
    topology = outcome.topology;
    if (outcome.chosen) {
      traceSelection(context, outcome.chosen, topology, outcome.candidates, checks);
      return { chosen: outcome.chosen, topology, checks };
    }
    const elapsed = performance.now() - started;
    if (!topology.compatible) {
      throw new MongoAuthError(
        "SERVER_SELECTION_FAILED",
        topology.compatibilityError ?? "incompatible server",
      );
    }
    const waitMS = Math.max(0, MIN_HEARTBEAT_FREQUENCY_MS - outcome.durationMS);
    if (selection.serverSelectionTryOnce || elapsed + waitMS > selection.serverSelectionTimeoutMS) {
      throw selectionFailure({
        topology,
        failures: outcome.failures,
        seen: outcome.seen,
        selection,
        replicaSet: context.topologySettings.replicaSet,
      });
    }
    if (context.options.signal?.aborted) throw abortError(context.options.signal, "server selection");
    await sleep(waitMS, context.options.signal, "server selection");
  }
}

/** One scan: checks in SDAM's order until the choice is certain or every server has been checked. */
class Scan {
  readonly #context: DiscoveryContext;
  readonly #failedAt: Map<string, number>;
  readonly #open = new Map<string, CheckedServer>();
  readonly #checked = new Set<string>();
  readonly failures = new Map<string, unknown>();
  /** What each successful check said, removed servers included (for the error when nothing suits). */
  readonly seen = new Map<string, ServerDescription>();
  #topology: TopologyDescription;
  /** Each server's place in the scanning order: the seeds shuffled, then servers as they are found. */
  readonly #order = new Map<string, number>();
  /** How many suitable servers the last choice had to pick from. */
  #candidates = 0;
  readonly #started = performance.now();

  constructor(
    context: DiscoveryContext,
    topology: TopologyDescription,
    failedAt: Map<string, number>,
  ) {
    this.#context = context;
    this.#topology = topology;
    this.#failedAt = failedAt;
    // Never-checked servers in random order (SDAM's scanning order), which spreads clients over mongoses.
    for (const address of shuffled([...topology.servers.keys()])) this.#order.set(address, this.#order.size);
  }

  async run(): Promise<{
    chosen: CheckedServer | undefined;
    candidates: number;
    topology: TopologyDescription;
    failures: Map<string, unknown>;
    seen: Map<string, ServerDescription>;
    checks: number;
    durationMS: number;
  }> {
    try {
      for (;;) {
        const chosen = this.#choose(false);
        if (chosen) return this.#done(chosen);
        const batch = this.#nextBatch();
        if (batch.length === 0) break;
        await Promise.all(batch.map((address) => this.#check(address)));
      }
      return this.#done(this.#choose(true));
    } catch (err) {
      await this.#closeAll();
      throw err;
    }
  }

  async #done(chosen: CheckedServer | undefined) {
    await this.#closeAll(chosen);
    // Every key written out: a conditional spread in front of the others made this object literal the
    // costliest lines of an in-memory connect() (a Node.js profile).
    return {
      chosen,
      candidates: this.#candidates,
      topology: this.#topology,
      failures: this.failures,
      seen: this.seen,
      checks: this.#checked.size,
      durationMS: performance.now() - this.#started,
    };
  }

  async #closeAll(keep?: CheckedServer): Promise<void> {
    await Promise.all([...this.#open.values()].filter((s) => s !== keep).map((s) => s.close()));
  }

  // The choice, once it is certain; `complete`: every server has been checked.
  #choose(complete: boolean): CheckedServer | undefined {
    const topology = this.#topology;
    const { selection } = this.#context;
    if (!topology.compatible) return undefined;
    const readPreference = selection.readPreference;
    if (topology.type === "ReplicaSetNoPrimary" || topology.type === "ReplicaSetWithPrimary") {
      checkMaxStaleness(readPreference, topology.type, selection.heartbeatFrequencyMS);
      if (!complete && !wantsPrimary(readPreference)) return undefined;
      if (!complete && topology.type === "ReplicaSetNoPrimary") return undefined;
    }
    if (topology.type === "Unknown") return undefined;
    const suitable = suitableServers(topology, "read", readPreference, {
      heartbeatFrequencyMS: selection.heartbeatFrequencyMS,
    }).filter((server) => this.#open.has(server.address));
    const window = inLatencyWindow(suitable, selection.localThresholdMS);
    if (window.length === 0) return undefined;
    this.#candidates = window.length;
    return this.#open.get(window[randomBelow(window.length)].address);
  }

  // SDAM's scanning order: the possible primary first; a replica set read from secondaries checks
  // every member at once; otherwise one server at a time.
  #nextBatch(): string[] {
    const now = performance.now();
    const unchecked = [...this.#topology.servers.values()]
      .filter((s) => !this.#checked.has(s.address))
      .filter((s) => now - (this.#failedAt.get(s.address) ?? -Infinity) >= COOLDOWN_MS);
    const replicaSet = this.#topology.type === "ReplicaSetNoPrimary" ||
      this.#topology.type === "ReplicaSetWithPrimary";
    if (replicaSet && !wantsPrimary(this.#context.selection.readPreference)) {
      return unchecked.map((s) => s.address);
    }
    const possiblePrimary = unchecked.find((s) => s.type === "PossiblePrimary");
    if (possiblePrimary) return [possiblePrimary.address];
    // The first in scanning order, found in one pass: sorting with a search per comparison made a member
    // that lists 2 000 hosts cost a scan seconds of CPU past its serverSelectionTimeoutMS.
    let next: string | undefined;
    let nextRank = Infinity;
    for (const { address } of unchecked) {
      const rank = this.#order.get(address) ?? Infinity;
      if (next === undefined || rank < nextRank) {
        next = address;
        nextRank = rank;
      }
    }
    return next ? [next] : [];
  }

  async #check(address: string): Promise<void> {
    this.#checked.add(address);
    const before = this.#topology.servers.get(address);
    const { host, port } = parseAddress(address);
    const { trace } = this.#context;
    trace.emit("host.connecting", {
      host,
      port,
      attempt: this.#checked.size,
      of: this.#topology.servers.size,
    });
    try {
      const checked = await checkServer(this.#context, { host, port }, this.#speculates(before));
      if (!this.#topology.servers.has(address)) {
        await checked.close(); // removed while it was being checked
        return;
      }
      this.seen.set(address, checked.description);
      if (this.#topology.type === "LoadBalanced" && checked.description.serviceId === undefined) {
        await checked.close();
        throw notLoadBalanced(address);
      }
      this.#open.set(address, checked);
      this.#update(checked.description);
    } catch (err) {
      trace.emit("host.failed", { host, port, ...failureAttributes(err) });
      if (err instanceof MongoAuthError && STOP_CODES.has(err.code)) throw err;
      this.failures.set(address, err);
      this.#failedAt.set(address, performance.now());
      const reason = err instanceof MongoAuthError
        ? err.message
        : `unexpected ${(err as Error)?.name ?? "error"}`;
      this.#update(unknownServer(address, reason, this.#context.now()));
    }
  }

  #update(server: ServerDescription): void {
    this.#topology = updateTopology(this.#topology, server, this.#context.topologySettings);
    traceTopology(this.#context, this.#topology);
    // A server the update removed (another set, a standalone among several seeds, a member the primary
    // does not list) is never chosen: close its socket now.
    for (const [address, open] of this.#open) {
      if (!this.#topology.servers.has(address)) {
        this.#open.delete(address);
        open.close();
      }
    }
    for (const address of this.#topology.servers.keys()) {
      if (!this.#order.has(address)) this.#order.set(address, this.#order.size);
    }
  }

  /**
   * Whether this check carries the authentication's speculative step. Always for SCRAM (its first step
   * authenticates nothing by itself, so leaving the member costs nothing); for the mechanisms whose
   * speculative step is the whole authentication (MONGODB-X509, MONGODB-OIDC) only where connect() expects
   * to stay: a direct connection, a load balancer, the primary a member named, and the only seed of an
   * unknown deployment (a standalone, a mongos or a primary stays; only a secondary is left, after one
   * authentication it did not need).
   */
  #speculates(server: ServerDescription | undefined): boolean {
    const credential = this.#context.credential;
    if (credential === undefined) return false;
    const mechanism = credential.mechanism;
    if (mechanism === undefined || mechanism === "SCRAM-SHA-256" || mechanism === "SCRAM-SHA-1") return true;
    const { type, servers } = this.#topology;
    if (type === "Single" || type === "LoadBalanced") return true;
    if (server?.type === "PossiblePrimary") return wantsPrimary(this.#context.selection.readPreference);
    return type === "Unknown" && servers.size === 1 && this.#context.topologySettings.seeds.length === 1;
  }
}

// The Load Balancer spec's message, and what to do about it.
function notLoadBalanced(address: string): MongoAuthError {
  return new MongoAuthError(
    "SERVER_SELECTION_FAILED",
    `Driver attempted to initialize in load balancing mode, but the server does not support this mode: ` +
      `${address} answered hello without a serviceId, so it is not a service behind a load balancer; ` +
      `remove loadBalanced=true (from the connection string or the mongodb+srv TXT record) or connect to ` +
      `the load balancer's address`,
  );
}

function wantsPrimary(readPreference: ReadPreference): boolean {
  return readPreference.mode === "primary" || readPreference.mode === "primaryPreferred";
}

// A lone server (a standalone, a direct connection, a load balancer) leaves nothing to discover or
// choose: its trace says only what its check found.
function hasChoices(topology: TopologyDescription): boolean {
  return topology.type !== "Single" && topology.type !== "LoadBalanced";
}

/** The most servers a `topology.updated` event lists: a replica set has at most 50 members. */
const TRACED_SERVERS = 50;

function traceTopology(context: DiscoveryContext, topology: TopologyDescription): void {
  if (!hasChoices(topology)) return;
  // An event per update, each listing the servers: bounded, so that a member that names thousands of hosts
  // cannot make the trace hold millions of strings.
  const servers: string[] = [];
  for (const server of topology.servers.values()) {
    if (servers.length === TRACED_SERVERS) {
      servers.push(`… and ${topology.servers.size - TRACED_SERVERS} more`);
      break;
    }
    servers.push(`${server.address} ${server.type}`);
  }
  context.trace.emit("topology.updated", { type: topology.type, setName: topology.setName, servers });
}

function traceSelection(
  context: DiscoveryContext,
  chosen: CheckedServer,
  topology: TopologyDescription,
  candidates: number,
  checks: number,
): void {
  if (!hasChoices(topology)) return;
  const { readPreference } = context.selection;
  const tags = readPreference.tags?.map((set) =>
    Object.entries(set).map(([name, value]) => `${name}:${value}`).join(",") || "{}"
  );
  context.trace.emit("server.selected", {
    host: chosen.address.host,
    port: chosen.address.port,
    serverType: chosen.description.type,
    topology: topology.type,
    readPreference: readPreference.mode,
    readPreferenceTags: tags,
    candidates,
    checks,
  });
}
