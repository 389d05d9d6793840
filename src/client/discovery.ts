/**
 * How connect() finds the member it ends on: a single-threaded driver's server selection (Server
 * Selection spec), with no monitor and no pool. It scans the deployment — each check one socket and one
 * hello, kept open — updating the topology as SDAM says, and chooses as soon as the choice is certain:
 *
 * - a direct connection or a load balancer: the one server;
 * - mongoses: every seed is checked at once, as a driver's monitors check them, and one of those that
 *   answered within the latency window is chosen at random;
 * - a replica set read from the primary (`primary`, `primaryPreferred`): the primary, checked first once a
 *   member names it;
 * - other read preferences: every member is checked, at once, then one suitable member within the
 *   latency window is chosen at random.
 *
 * Where every server is checked at once, the choice waits for each check until the server could no longer be
 * in the latency window (see {@link WINDOW_WAIT_ROUND_TRIPS}), so a server far away or dropping packets costs
 * no wait.
 *
 * Seeds of a deployment not yet known are checked at once too. With `serverSelectionTryOnce` (the default)
 * one scan decides; otherwise it scans again every 500 ms until `serverSelectionTimeoutMS`, which bounds the
 * whole search, the checks under way included. Once the choice is made, checks still under way are abandoned
 * and every other socket is closed.
 *
 * A client's scan of a replica set or of mongoses serves its next connections for `heartbeatFrequencyMS`
 * (./topology-memory.ts): they check the server that scan points to first, and end there when its hello
 * keeps it the choice; otherwise they scan, beside it when it has not answered in {@link SLOW_CHECK_MS} (longer
 * for a server found far away). With `replicaSet` given, or several seeds, connections that start while
 * another of the client's scans wait for that scan (at most `connectTimeoutMS`).
 *
 * @module
 */
import { abortError, Deadline, raceAbort, sleep, stoppedFor } from "../core/abort.ts";
import { MongoAuthError } from "../core/errors.ts";
import type { TimerQueue } from "../core/timer-queue.ts";
import type { TraceEventAttributes } from "../core/trace.ts";
import { randomBelow, shuffled } from "../crypto/random.ts";
import type { HostAddress } from "../credential/connection-string.ts";
import type { MongoCredential } from "../credential/mongo-credential.ts";
import { checkMaxStaleness, type ReadPreference } from "../topology/read-preference.ts";
import {
  hostPort,
  parseAddress,
  type ServerDescription,
  unknownServer,
} from "../topology/server-description.ts";
import { inLatencyWindow, suitableServers } from "../topology/server-selection.ts";
import {
  initialTopology,
  type TopologyDescription,
  type TopologySettings,
  updateTopology,
} from "../topology/topology-description.ts";
import {
  abandonCheck,
  type CheckContext,
  checkDeadline,
  type CheckedServer,
  checkServer,
  failureAttributes,
  outOfSelectionTime,
  timersFor,
} from "./check.ts";
import type { SelectionOptions } from "./options.ts";
import { selectionFailure } from "./selection-error.ts";
import {
  deploymentKey,
  type RememberedScan,
  type ScanInFlight,
  type TopologyMemory,
} from "./topology-memory.ts";

/** SDAM's minHeartbeatFrequencyMS: the least time between two scans. */
const MIN_HEARTBEAT_FREQUENCY_MS = 500;
/** SDAM's cooldownMS: a server whose check failed on the network is not checked again before this. */
const COOLDOWN_MS = 5_000;
/**
 * Where every server is checked at once, each check is waited for until it has taken as long as the fastest
 * check of a server that could be chosen, plus this many times `localThresholdMS` (60 ms by default). A check
 * is at most four round trips (TCP, TLS 1.2's two, hello), so a server whose round trip is within
 * `localThresholdMS` of the fastest's has answered by then; one that has not is outside the latency window,
 * and its check is abandoned.
 */
const WINDOW_WAIT_ROUND_TRIPS = 4;

/**
 * A replica set read from the primary is checked one member at a time. A check that has not landed after this
 * long (a member that drops packets, or accepts and never answers) no longer holds up the next member's, which
 * starts beside it: a member down does not cost every connection its connectTimeoutMS (10 s by default), as a
 * driver's monitors, which check every member at once, are not held up either. A check of a member a few
 * round trips away (TCP, TLS, hello) lands well before it.
 */
export const SLOW_CHECK_MS = 500;

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
  /** The client's replica sets as its earlier connections scanned them; without it, every connection scans. */
  readonly memory?: TopologyMemory;
}

/**
 * Scans and chooses, within `serverSelectionTimeoutMS`.
 *
 * @param context transport, settings, the caller's options, the seeds, the read preference
 * @returns the chosen server and the topology
 * @throws {MongoAuthError} `SERVER_SELECTION_FAILED` when the deployment answered but nothing suits,
 *   `CONNECTION_FAILED` (or the one server's own error, `TIMEOUT` when serverSelectionTimeoutMS ended its
 *   check) when nothing answered, `INVALID_OPTION` for a maxStalenessSeconds the replica set cannot honour,
 *   and the codes no other server would change
 */
export async function discover(context: DiscoveryContext): Promise<Discovered> {
  const clock = new SelectionClock(timersFor(context.transport), context.selection.serverSelectionTimeoutMS);
  try {
    return await select(context, clock);
  } finally {
    clock.stop();
  }
}

// The Server Selection spec's loop for a single-threaded driver: a scan, and with serverSelectionTryOnce=false
// another every 500 ms, until a server is chosen or serverSelectionTimeoutMS has passed.
async function select(context: DiscoveryContext, clock: SelectionClock): Promise<Discovered> {
  const started = performance.now();
  const { selection } = context;
  const failedAt = new Map<string, number>();
  const slot = memorySlot(context);
  const recalling = slot && fromMemory(context, slot, failedAt, clock);
  let earlier = recalling ? await recalling : undefined;
  // Nothing awaited between finding no scan in flight and noting this one's (below): the connections that
  // start in one turn of the event loop then wait for the first one's scan.
  const inFlight = earlier === undefined && slot ? scanToWaitFor(context, slot) : undefined;
  let waitedMs: number | undefined;
  if (inFlight && slot) {
    const waitStarted = performance.now();
    await waitForScan(context, inFlight, clock);
    waitedMs = performance.now() - waitStarted;
    earlier = await fromMemory(context, slot, failedAt, clock, waitedMs);
  }
  if (earlier?.discovered) return earlier.discovered;
  let topology = initialTopology(context.topologySettings);
  let checks = earlier?.checks ?? 0;
  for (let scan = 1;; scan++) {
    const scanning = scanAndRemember(context, topology, failedAt, clock, slot);
    if (scan === 1 && slot && othersWait(context.topologySettings)) {
      slot.memory.track(context.transport, slot.key, scanning, servesEveryReader(context));
    }
    const outcome = await scanning;
    checks += outcome.checks;
    topology = outcome.topology;
    if (outcome.chosen) {
      const { abandoned } = outcome;
      traceSelection(context, outcome.chosen, topology, outcome.candidates, checks, { waitedMs, abandoned });
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
    const timedOut = clock.ranOut || elapsed + waitMS > selection.serverSelectionTimeoutMS;
    if (selection.serverSelectionTryOnce || timedOut) {
      throw selectionFailure({
        topology,
        // What the member an earlier scan pointed to failed with belongs to the story too.
        failures: new Map([...earlier?.failures ?? [], ...outcome.failures]),
        seen: new Map([...earlier?.seen ?? [], ...outcome.seen]),
        selection,
        replicaSet: context.topologySettings.replicaSet,
        seeds: context.topologySettings.seeds,
      });
    }
    if (context.options.signal?.aborted) throw abortError(context.options.signal, "server selection");
    await sleep(waitMS, context.options.signal, "server selection");
  }
}

// A scan; a replica set or mongoses it chose among are remembered for the client's next connections.
async function scanAndRemember(
  context: DiscoveryContext,
  topology: TopologyDescription,
  failedAt: Map<string, number>,
  clock: SelectionClock,
  slot: MemorySlot | undefined,
): Promise<ScanOutcome> {
  const alone = aloneServer(topology, failedAt);
  const outcome = alone !== undefined
    ? await checkAlone(context, topology, alone, failedAt, clock)
    : await new Scan(context, topology, failedAt, clock).run();
  if (outcome.chosen && slot && isRemembered(outcome.topology)) {
    const scan = { topology: outcome.topology, at: context.now(), complete: outcome.complete };
    slot.memory.remember(context.transport, slot.key, scan);
  }
  return outcome;
}

// A deployment of one server (one seed, a direct connection, a load balancer) is most often settled by that
// server's check: a standalone, any server of a direct connection, the load balancer leave nothing to
// choose among, and the check is all of discovery, without a scan's bookkeeping (in a pool's warm-up, 0.93–0.98
// × the main-thread CPU of connect() on Deno, 0.96–0.99 × on Node.js and Bun: bench:compare). A replica set
// member or a mongos (more to discover, a scan to remember), a failure, a server this client cannot use: a
// scan goes on from the check.
async function checkAlone(
  context: DiscoveryContext,
  topology: TopologyDescription,
  address: string,
  failedAt: Map<string, number>,
  clock: SelectionClock,
): Promise<ScanOutcome> {
  const started = performance.now();
  const target = parseAddress(address);
  context.trace.emit("host.connecting", { host: target.host, port: target.port, attempt: 1, of: 1 });
  const speculate = speculates(context, topology, address, topology.servers.get(address));
  const deadline = checkDeadline(context, target);
  clock.watch(deadline);
  const checking = checkServer(context, target, speculate, deadline);
  const checked = await checking.catch(() => undefined);
  clock.release(deadline);
  if (checked) {
    const after = updateTopology(topology, checked.description, context.topologySettings);
    if (isSettledBy(after, checked, context.selection)) {
      return {
        chosen: checked,
        candidates: 1,
        abandoned: [],
        topology: after,
        failures: new Map(),
        seen: new Map([[address, checked.description]]),
        checks: 1,
        complete: true,
        durationMS: performance.now() - started,
      };
    }
  }
  return await new Scan(context, topology, failedAt, clock, started).runFrom(address, target, checking);
}

// The address of the one server, when it is one, not in its cooldown, and no replica set is named (whose
// scan checks maxStalenessSeconds first).
function aloneServer(topology: TopologyDescription, failedAt: Map<string, number>): string | undefined {
  if (topology.servers.size !== 1 || isReplicaSet(topology)) return undefined;
  const address: string = topology.servers.keys().next().value!;
  return inCooldown(failedAt, address) ? undefined : address;
}

// SDAM's cooldown: a server whose check failed on the network is not checked again for COOLDOWN_MS.
function inCooldown(failedAt: Map<string, number>, address: string, now = performance.now()): boolean {
  return now - (failedAt.get(address) ?? -Infinity) < COOLDOWN_MS;
}

// Whether the one server's check leaves nothing to choose, and the server is the choice (as a scan would
// choose it: compatible, suitable, a load balancer that named its service).
function isSettledBy(
  topology: TopologyDescription,
  checked: CheckedServer,
  selection: SelectionOptions,
): boolean {
  if (hasChoices(topology) || !topology.compatible) return false;
  if (topology.type === "LoadBalanced" && checked.description.serviceId === undefined) return false;
  const { readPreference, heartbeatFrequencyMS } = selection;
  return suitableServers(topology, "read", readPreference, { heartbeatFrequencyMS }).length === 1;
}

// Whether connections wait for another connection's scan of the same deployment, so that a pool's burst makes
// one scan rather than one each: for a deployment named a replica set (replicaSet=), or given by several seeds
// (a replica set or mongoses), whose scan is remembered. One seed alone is most often a standalone, which is
// not remembered: waiting for its scan would only add a round trip.
function othersWait({ replicaSet, seeds }: TopologySettings): boolean {
  return replicaSet !== undefined || seeds.length > 1;
}

// A scan serves every reader when it checks every member (a read preference other than the primary), or when
// the deployment may be mongoses, where the read preference does not choose.
function servesEveryReader(context: DiscoveryContext): boolean {
  return !wantsPrimary(context.selection.readPreference) || context.topologySettings.replicaSet === undefined;
}

// A connection that starts while another connection of the client scans the same deployment waits for that
// scan, when that scan serves this read preference.
function scanToWaitFor(context: DiscoveryContext, slot: MemorySlot): ScanInFlight | undefined {
  const inFlight = slot.memory.inFlight(context.transport, slot.key);
  if (inFlight === undefined) return undefined;
  return inFlight.servesEveryReader || wantsPrimary(context.selection.readPreference) ? inFlight : undefined;
}

// At most connectTimeoutMS (a member that drops packets may hold that scan up), and no longer than this
// connection's serverSelectionTimeoutMS, after which the connection scans itself; the caller's signal and
// timeoutMS end the connection.
async function waitForScan(
  context: DiscoveryContext,
  inFlight: ScanInFlight,
  clock: SelectionClock,
): Promise<void> {
  const caller = context.operation ?? context.options.signal;
  const what = "waiting for another connection's scan of the replica set";
  const waitMS = Math.max(1, Math.min(context.settings.connectTimeoutMS || Infinity, clock.timeLeft()));
  const deadline = new Deadline(caller, waitMS, what);
  try {
    await raceAbort(inFlight.ended, deadline.signal, what);
  } catch (err) {
    if ((caller instanceof Deadline ? caller.signal : caller)?.aborted) throw err;
  } finally {
    deadline.dispose();
  }
}

/** Where a client keeps its scans of a deployment; none for a direct connection or a load balancer. */
interface MemorySlot {
  readonly memory: TopologyMemory;
  readonly key: string;
}

function memorySlot(context: DiscoveryContext): MemorySlot | undefined {
  const { memory, topologySettings: { seeds, replicaSet, directConnection, loadBalanced } } = context;
  if (memory === undefined || directConnection || loadBalanced) return undefined;
  const proxy = context.settings.proxy && hostPort(context.settings.proxy);
  return { memory, key: deploymentKey(seeds, replicaSet, proxy) };
}

/** What checking the member an earlier scan pointed to came to. */
interface Recalled {
  /** The choice, when that member's hello confirmed it. */
  readonly discovered?: Discovered;
  readonly checks: number;
  readonly failures: Map<string, unknown>;
  readonly seen: Map<string, ServerDescription>;
}

// The member the client's last scan of this deployment points to, checked alone; undefined, without a
// promise, when there is none (a standalone's scan is never remembered). When its hello leaves it out of the
// choice (a primary stepped down, a secondary fell behind) or it fails, that scan is dropped and the caller
// scans; a member that failed on the network is then in its cooldown.
function fromMemory(
  context: DiscoveryContext,
  slot: MemorySlot,
  failedAt: Map<string, number>,
  clock: SelectionClock,
  waitedMs?: number,
): Promise<Recalled | undefined> | undefined {
  const now = context.now();
  const remembered = slot.memory.recall(
    context.transport,
    slot.key,
    now,
    context.selection.heartbeatFrequencyMS,
  );
  const choice = remembered && rememberedChoice(remembered, context.selection);
  if (remembered === undefined || choice === undefined) return undefined;
  return confirmRemembered(context, slot, remembered, choice, { failedAt, clock, now, waitedMs });
}

async function confirmRemembered(
  context: DiscoveryContext,
  slot: MemorySlot,
  remembered: RememberedScan,
  choice: { address: string; candidates: number },
  { failedAt, clock, now, waitedMs }: {
    failedAt: Map<string, number>;
    clock: SelectionClock;
    now: number;
    waitedMs: number | undefined;
  },
): Promise<Recalled> {
  const outcome = await new Scan(context, remembered.topology, failedAt, clock).confirm(
    choice.address,
    choice.candidates,
  );
  if (outcome.chosen === undefined) {
    slot.memory.forget(context.transport, slot.key, remembered);
    return { checks: outcome.checks, failures: outcome.failures, seen: outcome.seen };
  }
  // That member was slow, and the scan beside it chose: this scan is the one the next connections start from.
  if (outcome.checks > 1 && isRemembered(outcome.topology)) {
    const scan = { topology: outcome.topology, at: context.now(), complete: outcome.complete };
    slot.memory.remember(context.transport, slot.key, scan);
  }
  const rememberedMs = now - remembered.at;
  const { candidates, checks, abandoned } = outcome;
  traceSelection(context, outcome.chosen, outcome.topology, candidates, checks, {
    rememberedMs,
    waitedMs,
    abandoned,
  });
  const discovered = { chosen: outcome.chosen, topology: outcome.topology, checks };
  return { discovered, checks, failures: outcome.failures, seen: outcome.seen };
}

// One of the mongoses in the latency window, at random (those not heard from were outside it); in a replica
// set, the primary for a read preference that wants it, otherwise one of the suitable members in the latency
// window, at random, once a scan has checked every member (a scan for the primary stops at it).
function rememberedChoice(
  remembered: RememberedScan,
  selection: SelectionOptions,
): { address: string; candidates: number } | undefined {
  const { topology, complete } = remembered;
  if (!topology.compatible) return undefined;
  const served = topology.type === "Sharded" ||
    (wantsPrimary(selection.readPreference) ? topology.type === "ReplicaSetWithPrimary" : complete);
  if (!served) return undefined;
  const window = inLatencyWindow(suitableMembers(topology, selection), selection.localThresholdMS);
  if (window.length === 0) return undefined;
  return { address: window[randomBelow(window.length)].address, candidates: window.length };
}

// The members of a replica set that suit the read preference (its maxStalenessSeconds checked first, as a
// scan's choice checks it); every mongos of a sharded cluster.
function suitableMembers(topology: TopologyDescription, selection: SelectionOptions): ServerDescription[] {
  const { readPreference, heartbeatFrequencyMS } = selection;
  checkMaxStaleness(readPreference, topology.type, heartbeatFrequencyMS);
  return suitableServers(topology, "read", readPreference, { heartbeatFrequencyMS });
}

function isReplicaSet(topology: TopologyDescription): boolean {
  return topology.type === "ReplicaSetWithPrimary" || topology.type === "ReplicaSetNoPrimary";
}

// The deployments whose scan serves later connections: a direct connection or a load balancer is one check.
function isRemembered(topology: TopologyDescription): boolean {
  return isReplicaSet(topology) || topology.type === "Sharded";
}

/**
 * serverSelectionTimeoutMS, the time connect() has to find its server (the Server Selection spec's
 * computed timeout; inside timeoutMS, whichever ends first ends it). A check is bounded by connectTimeoutMS,
 * but the checks of a scan for the primary run one after another, and connectTimeoutMS=0 bounds none: a
 * server that accepts the connection and never answers hello would hold connect() for ever, where an official
 * driver's server selection gives up after serverSelectionTimeoutMS. When the clock runs out, every check
 * under way ends, saying where it stood, and a check that would start after it is not tried. A check that
 * has answered is no longer the clock's, and the chosen server's authentication is not selection: it runs
 * under connectTimeoutMS (and timeoutMS), as an official driver's handshake of a new connection does.
 *
 * One entry in the checks' timer queue, as a Deadline (abort.ts) without its AbortSignal, which a connect()
 * would pay for; a timer that fires a second or more late gives that time back once, as a Deadline does. It
 * joins the queue with the first check, after that check's budget: connectTimeoutMS (10 s) most often ends
 * first, and the queue's one timer is then left as it is.
 */
class SelectionClock {
  readonly #checks = new Set<Deadline>();
  readonly #timers: TimerQueue;
  readonly #onDue = () => this.#due();
  #dueAt: number;
  #scheduled = false;
  #gaveBack = false;
  #ranOut = false;

  /**
   * @param timers the queue the checks' budgets wait on
   * @param timeoutMS serverSelectionTimeoutMS (at least 1)
   */
  constructor(timers: TimerQueue, timeoutMS: number) {
    this.#timers = timers;
    this.#dueAt = Date.now() + timeoutMS;
  }

  /** Whether serverSelectionTimeoutMS has run out. */
  get ranOut(): boolean {
    return this.#ranOut;
  }

  /** Milliseconds before it runs out (0 once it has). */
  timeLeft(): number {
    return this.#ranOut ? 0 : Math.max(0, this.#dueAt - Date.now());
  }

  /** A check starting, by its budget: ended when the clock runs out, or at once when it has. */
  watch(deadline: Deadline): void {
    if (this.#ranOut) return outOfSelectionTime(deadline);
    this.#checks.add(deadline);
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.#timers.schedule(this.#onDue, this.#dueAt);
  }

  /** A check that has landed: its server, open or failed, is no longer the clock's to end. */
  release(deadline: Deadline): void {
    this.#checks.delete(deadline);
  }

  /** Discovery is over: the clock ends nothing more. */
  stop(): void {
    this.#timers.cancel(this.#onDue);
    this.#checks.clear();
  }

  #due(): void {
    const now = Date.now();
    if (now < this.#dueAt) return this.#timers.schedule(this.#onDue, this.#dueAt);
    const stopped = stoppedFor(this.#dueAt, now);
    if (stopped > 0 && !this.#gaveBack) {
      // The process did not run (a long garbage collection): answers that came meanwhile are still unread.
      this.#gaveBack = true;
      this.#dueAt = now + stopped;
      return this.#timers.schedule(this.#onDue, this.#dueAt);
    }
    this.#ranOut = true;
    for (const deadline of this.#checks) outOfSelectionTime(deadline);
    this.#checks.clear();
  }
}

/** What a scan came to. */
interface ScanOutcome {
  readonly chosen: CheckedServer | undefined;
  /** How many suitable servers the choice was made among. */
  readonly candidates: number;
  readonly topology: TopologyDescription;
  readonly failures: Map<string, unknown>;
  readonly seen: Map<string, ServerDescription>;
  readonly checks: number;
  /** Whether every server the topology ends with was checked (or not waited for, being outside the window). */
  readonly complete: boolean;
  readonly durationMS: number;
  /** The servers whose check was still under way when the choice was made, and was abandoned. */
  readonly abandoned: readonly string[];
}

/** A check under way, and its budget (what abandons it). */
interface CheckUnderWay {
  readonly landed: Promise<void>;
  readonly deadline: Deadline;
}

/** One scan: checks in SDAM's order until the choice is certain or every server has been checked. */
class Scan {
  readonly #context: DiscoveryContext;
  readonly #failedAt: Map<string, number>;
  readonly #clock: SelectionClock;
  readonly #open = new Map<string, CheckedServer>();
  readonly #checking = new Map<string, CheckUnderWay>();
  /** Every server whose check has started, and when; once it answered, when it did (performance.now()). */
  readonly #startedAt = new Map<string, number>();
  readonly #answeredAt = new Map<string, number>();
  /** How long the fastest check of a server that could be chosen took: the others' yardstick. */
  #fastestCheckMS: number | undefined;
  /** How long the last choice said to wait for the checks under way, when it waits for them. */
  #waitMS: number | undefined;
  /** How long until the checks under way are slow enough for the next member's to start beside them. */
  #slowInMS: number | undefined;
  /** How long a check may go unanswered before the next member's starts beside it. */
  #slowCheckMS = SLOW_CHECK_MS;
  /** Set once the scan has chosen or failed: a check that lands later only closes its socket. */
  #finished = false;
  /** The servers whose check was under way when the scan ended, and was abandoned. */
  #abandoned: string[] = [];
  readonly failures = new Map<string, unknown>();
  /** What each successful check said, removed servers included (for the error when nothing suits). */
  readonly seen = new Map<string, ServerDescription>();
  #topology: TopologyDescription;
  /** Each server's place in the scanning order: the seeds shuffled, then servers as they are found. */
  readonly #order = new Map<string, number>();
  /** How many suitable servers the last choice had to pick from. */
  #candidates = 0;
  /** The member an earlier scan chose, which this connection expects to stay on. */
  #expected: string | undefined;
  readonly #started: number;

  /**
   * @param context what the checks need
   * @param topology the deployment as known before the scan
   * @param failedAt when each server last failed on the network (its cooldown), shared by the scans
   * @param clock serverSelectionTimeoutMS's, which ends the checks under way when it runs out
   * @param started when the scan began (performance.now()), when its first check came before it
   */
  constructor(
    context: DiscoveryContext,
    topology: TopologyDescription,
    failedAt: Map<string, number>,
    clock: SelectionClock,
    started = performance.now(),
  ) {
    this.#started = started;
    this.#context = context;
    this.#topology = topology;
    this.#failedAt = failedAt;
    this.#clock = clock;
    // Never-checked servers in random order (SDAM's scanning order), which spreads clients over the seeds.
    for (const address of shuffled([...topology.servers.keys()])) this.#order.set(address, this.#order.size);
  }

  /**
   * Goes on from a check made before the scan ({@link checkAlone}'s, which said `host.connecting`): it is
   * this scan's first, and the scan runs from there.
   */
  async runFrom(
    address: string,
    target: HostAddress,
    checking: Promise<CheckedServer>,
  ): Promise<ScanOutcome> {
    this.#startedAt.set(address, this.#started);
    try {
      await this.#settle(address, target, checking);
    } catch (err) {
      await this.#closeAll();
      throw err;
    }
    return await this.run();
  }

  async run(): Promise<ScanOutcome> {
    try {
      for (;;) {
        const chosen = this.#choose(false);
        if (chosen) return await this.#done(chosen);
        // Until nothing more is to start now: the next member is held back beside a check just started.
        for (let batch = this.#nextBatch(); batch.length > 0; batch = this.#nextBatch()) {
          const underWay = [...this.#checking.keys()];
          for (const address of batch) this.#start(address, underWay);
        }
        if (this.#checking.size === 0) return await this.#done(this.#choose(true));
        await this.#nextLanding();
      }
    } catch (err) {
      await this.#closeAll();
      throw err;
    }
  }

  /**
   * Checks the member an earlier scan chose (among `candidates` in its latency window), and chooses it when
   * its own hello keeps it suitable. When it has not answered in time ({@link slowCheckMS}: a member gone
   * down since, a mongos that drops packets), the deployment as that scan left it is scanned beside it, that
   * member no longer counted on, so that it does not cost every connection its connectTimeoutMS.
   */
  async confirm(address: string, candidates: number): Promise<ScanOutcome> {
    this.#expected = address;
    this.#candidates = candidates;
    this.#slowCheckMS = slowCheckMS(this.#topology.servers.get(address));
    try {
      this.#start(address);
      this.#slowInMS = this.#slowCheckMS;
      await this.#nextLanding();
      if (!this.#checking.has(address)) return await this.#done(this.#confirmed(address));
    } catch (err) {
      await this.#closeAll();
      throw err;
    }
    const reason = `had not answered in ${this.#slowCheckMS} ms`;
    this.#update(unknownServer(address, reason, this.#context.now()));
    return await this.run();
  }

  // Its hello may make it unsuitable (a primary that stepped down, a secondary behind or retagged), but its
  // round trip does not move it out of the window: a handshake's round trip under a burst of connections
  // is not a heartbeat's, and an official driver's pool does not feed it to the latency window either.
  #confirmed(address: string): CheckedServer | undefined {
    const open = this.#open.get(address);
    if (open === undefined || !this.#topology.compatible || !isRemembered(this.#topology)) return undefined;
    const suitable = suitableMembers(this.#topology, this.#context.selection);
    return suitable.some((server) => server.address === address) ? open : undefined;
  }

  async #done(chosen: CheckedServer | undefined): Promise<ScanOutcome> {
    const topology = this.#topology;
    // Checks still under way after the wait are outside the latency window: the choice did not need them.
    const outside = this.#choosesAmongAll() && this.#waitLeft() === 0;
    const complete = [...topology.servers.keys()]
      .every((address) => this.#startedAt.has(address) && (outside || !this.#checking.has(address)));
    const closing = this.#closeAll(chosen);
    if (closing) await closing;
    // Every key written out: a conditional spread in front of the others made this object literal the
    // costliest lines of an in-memory connect() (a Node.js profile).
    return {
      chosen,
      candidates: this.#candidates,
      abandoned: this.#abandoned,
      topology,
      failures: this.failures,
      seen: this.seen,
      checks: this.#startedAt.size,
      complete,
      durationMS: performance.now() - this.#started,
    };
  }

  // Ends the scan: abandons the checks still under way, and closes every socket but the chosen one's. What
  // there is to wait for, if anything: most scans end with one check, landed, and its socket kept.
  #closeAll(keep?: CheckedServer): Promise<unknown> | undefined {
    this.#finished = true;
    this.#abandoned = [...this.#checking.keys()];
    const waits: Promise<unknown>[] = [];
    // A check that has answered (its socket among the open ones) owns its budget from then on: the chosen
    // server's runs on into its authentication.
    for (const [address, check] of this.#checking) {
      if (!this.#open.has(address)) abandonCheck(check.deadline);
      waits.push(check.landed.catch(() => {}));
    }
    for (const server of this.#open.values()) if (server !== keep) waits.push(server.close());
    return waits.length > 0 ? Promise.all(waits) : undefined;
  }

  // `underWay`: the checks under way when this one was started.
  #start(address: string, underWay: readonly string[] = []): void {
    const target = parseAddress(address);
    const deadline = checkDeadline(this.#context, target);
    this.#clock.watch(deadline);
    const landed = this.#check(address, target, deadline, underWay).finally(() => {
      this.#checking.delete(address);
      this.#clock.release(deadline);
    });
    this.#checking.set(address, { landed, deadline });
  }

  // Until a check under way lands, or the wait the last choice set for them is over (the same wait, not one
  // computed again: a moment later it may read 0 and leave the scan waiting for a check it gave up on). One
  // check and no wait, as most scans are, is that check's landing itself.
  #nextLanding(): Promise<unknown> {
    const landings: Promise<unknown>[] = [...this.#checking.values()].map((check) => check.landed);
    const waitMS = this.#waitMS ?? this.#slowInMS;
    if (waitMS === undefined) return landings.length === 1 ? landings[0] : Promise.race(landings);
    let timer: ReturnType<typeof setTimeout> | undefined;
    landings.push(new Promise((resolve) => (timer = setTimeout(resolve, waitMS))));
    return Promise.race(landings).finally(() => clearTimeout(timer));
  }

  // What is left of the wait for the checks under way, each of which may take as long as the fastest check
  // of a server that could be chosen plus WINDOW_WAIT_ROUND_TRIPS × localThresholdMS; Infinity before one
  // such server has answered.
  #waitLeft(): number {
    if (this.#fastestCheckMS === undefined) return Infinity;
    const allowedMS = this.#fastestCheckMS +
      WINDOW_WAIT_ROUND_TRIPS * this.#context.selection.localThresholdMS;
    const now = performance.now();
    let left = 0;
    for (const address of this.#checking.keys()) {
      left = Math.max(left, this.#startedAt.get(address)! + allowedMS - now);
    }
    return left;
  }

  // Every server is checked at once, and one in the latency window chosen among them: mongoses, and a replica
  // set read from secondaries.
  #choosesAmongAll(): boolean {
    const topology = this.#topology;
    return topology.type === "Sharded" ||
      (isReplicaSet(topology) && !wantsPrimary(this.#context.selection.readPreference));
  }

  // Notes the fastest check of a server that could be chosen, once one has answered: a mongos, or a member the
  // read preference allows (for secondaryPreferred, a secondary: the primary is its fallback, not a choice
  // to settle on because it answered first).
  #noteFastestCheck(): void {
    if (this.#fastestCheckMS !== undefined) return;
    const { readPreference, heartbeatFrequencyMS } = this.#context.selection;
    const preferred = readPreference.mode === "secondaryPreferred"
      ? { ...readPreference, mode: "secondary" as const }
      : readPreference;
    for (const server of suitableServers(this.#topology, "read", preferred, { heartbeatFrequencyMS })) {
      const answeredAt = this.#answeredAt.get(server.address);
      if (answeredAt === undefined || !this.#open.has(server.address)) continue;
      const tookMS = answeredAt - this.#startedAt.get(server.address)!;
      this.#fastestCheckMS = Math.min(this.#fastestCheckMS ?? Infinity, tookMS);
    }
  }

  // The choice, once it is certain; `complete`: every server has been checked.
  #choose(complete: boolean): CheckedServer | undefined {
    this.#waitMS = undefined;
    const topology = this.#topology;
    const { selection } = this.#context;
    if (!topology.compatible) return undefined;
    const readPreference = selection.readPreference;
    if (topology.type === "ReplicaSetNoPrimary" || topology.type === "ReplicaSetWithPrimary") {
      checkMaxStaleness(readPreference, topology.type, selection.heartbeatFrequencyMS);
      if (!complete && wantsPrimary(readPreference) && topology.type === "ReplicaSetNoPrimary") {
        return undefined;
      }
    }
    if (topology.type === "Unknown") return undefined;
    if (!complete && this.#choosesAmongAll()) {
      if (this.#nextBatch().length > 0) return undefined; // servers just found, not yet checked
      this.#noteFastestCheck();
      const waitLeft = this.#waitLeft();
      if (waitLeft > 0) {
        if (waitLeft < Infinity) this.#waitMS = waitLeft;
        return undefined;
      }
    }
    const suitable = suitableServers(topology, "read", readPreference, {
      heartbeatFrequencyMS: selection.heartbeatFrequencyMS,
    }).filter((server) => this.#open.has(server.address));
    const window = inLatencyWindow(suitable, selection.localThresholdMS);
    if (window.length === 0) return undefined;
    this.#candidates = window.length;
    return this.#open.get(window[randomBelow(window.length)].address);
  }

  // SDAM's scanning order. Seeds of a deployment not yet known, mongoses, and the members of a replica set
  // read from secondaries are checked all at once, as a driver's monitors check them; a replica set read from
  // the primary checks the possible primary first, otherwise one member at a time, the next one beside checks
  // that are slow (SLOW_CHECK_MS).
  #nextBatch(): string[] {
    this.#slowInMS = undefined;
    const now = performance.now();
    const unchecked = [...this.#topology.servers.values()]
      .filter((s) => !this.#startedAt.has(s.address))
      .filter((s) => !inCooldown(this.#failedAt, s.address, now));
    if (this.#topology.type === "Unknown" || this.#choosesAmongAll()) {
      const rank = (address: string) => this.#order.get(address) ?? Infinity;
      return unchecked.map((s) => s.address).sort((a, b) => rank(a) - rank(b));
    }
    const possiblePrimary = unchecked.find((s) => s.type === "PossiblePrimary");
    if (possiblePrimary) return [possiblePrimary.address];
    if (unchecked.length === 0) return [];
    const slowInMS = this.#slowIn(now);
    if (slowInMS > 0) {
      this.#slowInMS = slowInMS;
      return [];
    }
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

  // A replica set read from the primary: its members are checked one at a time, but for slow checks.
  #oneAtATime(): boolean {
    return isReplicaSet(this.#topology) && !this.#choosesAmongAll();
  }

  // How long until every check under way has taken #slowCheckMS (0 when none is under way).
  #slowIn(now: number): number {
    let left = 0;
    for (const address of this.#checking.keys()) {
      left = Math.max(left, this.#startedAt.get(address)! + this.#slowCheckMS - now);
    }
    return left;
  }

  // Hosts checked and hosts to check: a seed the topology dropped (a member under another name, another set's)
  // still counts, so that a check is never "host 3 of 2".
  #hostsKnown(): number {
    let known = this.#startedAt.size;
    for (const address of this.#topology.servers.keys()) if (!this.#startedAt.has(address)) known++;
    return known;
  }

  async #check(
    address: string,
    { host, port }: HostAddress,
    deadline: Deadline,
    underWay: readonly string[],
  ): Promise<void> {
    this.#startedAt.set(address, performance.now());
    const before = this.#topology.servers.get(address);
    const { trace } = this.#context;
    const connecting: TraceEventAttributes["host.connecting"] = {
      host,
      port,
      attempt: this.#startedAt.size,
      of: this.#hostsKnown(),
    };
    // Started while others are under way, one member at a time or beside the member an earlier scan chose:
    // they are slow (#slowCheckMS).
    const besideSlow = this.#oneAtATime() || this.#expected !== undefined;
    if (underWay.length > 0 && besideSlow && before?.type !== "PossiblePrimary") {
      connecting.beside = [...underWay];
      connecting.slowAfterMs = this.#slowCheckMS;
    }
    trace.emit("host.connecting", connecting);
    const speculate = speculates(this.#context, this.#topology, address, before, this.#expected);
    await this.#settle(
      address,
      { host, port },
      checkServer(this.#context, { host, port }, speculate, deadline),
    );
  }

  // What a check came to: its server joins the topology, or its failure is noted (and a failure no other
  // server would change ends the scan).
  async #settle(
    address: string,
    { host, port }: HostAddress,
    checking: Promise<CheckedServer>,
  ): Promise<void> {
    try {
      const checked = await checking;
      if (this.#finished || !this.#topology.servers.has(address)) {
        await checked.close(); // abandoned, or removed while it was being checked
        return;
      }
      this.#answeredAt.set(address, performance.now());
      this.seen.set(address, checked.description);
      if (this.#topology.type === "LoadBalanced" && checked.description.serviceId === undefined) {
        await checked.close();
        throw notLoadBalanced(address);
      }
      this.#open.set(address, checked);
      this.#update(checked.description);
    } catch (err) {
      if (this.#finished) return; // abandoned: what it failed with no longer matters
      this.#context.trace.emit("host.failed", { host, port, ...failureAttributes(err) });
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
}

/**
 * Whether a check carries the authentication's speculative step. Always for SCRAM (its first step
 * authenticates nothing by itself, so leaving the member costs nothing); for the mechanisms whose speculative
 * step is the whole authentication (MONGODB-X509, MONGODB-OIDC) only where connect() expects to stay: a direct
 * connection, a load balancer, the primary a member named, and the only seed of an unknown deployment (a
 * standalone, a mongos or a primary stays; only a secondary is left, after one authentication it did not
 * need), and the member an earlier scan chose (`expected`).
 */
function speculates(
  context: DiscoveryContext,
  topology: TopologyDescription,
  address: string,
  server: ServerDescription | undefined,
  expected?: string,
): boolean {
  const credential = context.credential;
  if (credential === undefined) return false;
  const mechanism = credential.mechanism;
  if (mechanism === undefined || mechanism === "SCRAM-SHA-256" || mechanism === "SCRAM-SHA-1") return true;
  const { type, servers } = topology;
  if (type === "Single" || type === "LoadBalanced" || address === expected) return true;
  if (server?.type === "PossiblePrimary") return wantsPrimary(context.selection.readPreference);
  return type === "Unknown" && servers.size === 1 && context.topologySettings.seeds.length === 1;
}

// A server far away takes longer to check: the one an earlier scan chose has SLOW_CHECK_MS, or twice the
// WINDOW_WAIT_ROUND_TRIPS its check may take at the round trip that scan measured, before the deployment is
// scanned beside it. Otherwise every connection to a deployment 150 ms away would check a second member.
function slowCheckMS(remembered: ServerDescription | undefined): number {
  return Math.max(SLOW_CHECK_MS, 2 * WINDOW_WAIT_ROUND_TRIPS * (remembered?.roundTripTime ?? 0));
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
  { rememberedMs, waitedMs, abandoned = [] }: {
    rememberedMs?: number;
    waitedMs?: number;
    abandoned?: readonly string[];
  } = {},
): void {
  if (!hasChoices(topology)) return;
  const { readPreference } = context.selection;
  const tags = readPreference.tags?.map((set) =>
    Object.entries(set).map(([name, value]) => `${name}:${value}`).join(",") || "{}"
  );
  const selected: TraceEventAttributes["server.selected"] = {
    host: chosen.address.host,
    port: chosen.address.port,
    serverType: chosen.description.type,
    topology: topology.type,
    readPreference: readPreference.mode,
    readPreferenceTags: tags,
    candidates,
    checks,
  };
  if (rememberedMs !== undefined) selected.rememberedMs = rememberedMs;
  if (waitedMs !== undefined) selected.waitedMs = waitedMs;
  if (abandoned.length > 0) selected.abandoned = abandoned.slice(0, TRACED_SERVERS);
  context.trace.emit("server.selected", selected);
}
