/**
 * The error connect() gives when its scan found no member that suits: which set, which read preference,
 * and what each server checked was or why its check failed — so that "the primary did not answer", "no
 * primary", "members of another set", "nothing matches the tags", "the set names its members by hosts this
 * machine cannot reach" (Docker, from outside) and "not yet initiated" read differently.
 *
 * @module
 */
import { MongoAuthError } from "../core/errors.ts";
import type { ReadPreference } from "../topology/read-preference.ts";
import type { ServerDescription } from "../topology/server-description.ts";
import type { TopologyDescription } from "../topology/topology-description.ts";
import type { SelectionOptions } from "./options.ts";
import { HOST_NAME_ADVICE } from "./transport.ts";

/** What the last scan left. */
export interface SelectionOutcome {
  readonly topology: TopologyDescription;
  /** Why each failed check failed. */
  readonly failures: ReadonlyMap<string, unknown>;
  /** What each successful check said (servers the topology then removed included). */
  readonly seen: ReadonlyMap<string, ServerDescription>;
  readonly selection: SelectionOptions;
  /** The `replicaSet` asked for. */
  readonly replicaSet?: string;
  /** The seeds' addresses (`host:port`, lower-case): the hosts the connection string named. */
  readonly seeds?: readonly string[];
}

/**
 * The error for a scan that chose nothing: `CONNECTION_FAILED` when no server answered (the one failure
 * itself when there was one server), else `SERVER_SELECTION_FAILED`.
 *
 * @param outcome what the scan left
 * @returns the error to throw
 */
export function selectionFailure(outcome: SelectionOutcome): MongoAuthError {
  const { failures, seen } = outcome;
  if (seen.size === 0) {
    const errors = [...failures.values()];
    if (errors.length === 1 && errors[0] instanceof MongoAuthError) return errors[0];
    return new MongoAuthError(
      "CONNECTION_FAILED",
      `could not connect to any host: ${reasons(failures, outcome.seeds).join("; ")}`,
      {
        cause: new AggregateError(errors, "every host failed"),
      },
    );
  }
  const cause = failures.size > 0
    ? new AggregateError([...failures.values()], "checks that failed")
    : undefined;
  const ghosts = [...seen.values()].filter(({ type }) => type === "RSGhost");
  if (ghosts.length === seen.size && outcome.topology.type !== "Single") {
    return new MongoAuthError("SERVER_SELECTION_FAILED", notInitiated(ghosts, outcome), { cause });
  }
  const renamed = renamedSeed(outcome);
  if (renamed) {
    return new MongoAuthError("SERVER_SELECTION_FAILED", namesUnreachable(renamed, outcome), { cause });
  }
  const details = [
    ...[...seen.values()].map((server) => `${server.address} is ${role(server, outcome)}`),
    ...reasons(failures, outcome.seeds),
  ];
  return new MongoAuthError("SERVER_SELECTION_FAILED", `${headline(outcome)}: ${details.join("; ")}`, {
    cause,
  });
}

function headline(outcome: SelectionOutcome): string {
  const { topology, selection, replicaSet, seen } = outcome;
  const readPreference = selection.readPreference;
  const setName = topology.setName ?? replicaSet;
  const ofOurSet = [...seen.values()].some((s) => setName !== undefined && s.setName === setName);
  if (replicaSet !== undefined && !ofOurSet) {
    return `no member of replica set "${replicaSet}" answered (a member of another set is never used: check ` +
      `replicaSet, or the hosts)`;
  }
  if (topology.type === "Single") {
    return `the server of this direct connection cannot be used` +
      ([...topology.servers.values()][0]?.error ? ` (${[...topology.servers.values()][0].error})` : "");
  }
  const isReplicaSet = topology.type === "ReplicaSetNoPrimary" || topology.type === "ReplicaSetWithPrimary";
  if (isReplicaSet && readPreference.mode === "primary") {
    const hint = selection.serverSelectionTryOnce
      ? "; during an election, retry, or set serverSelectionTryOnce=false to wait up to serverSelectionTimeoutMS"
      : ` within serverSelectionTimeoutMS (${selection.serverSelectionTimeoutMS} ms)`;
    return `replica set "${setName}" has no primary that answers (read preference primary)${hint}`;
  }
  if (isReplicaSet) {
    return `no member of replica set "${setName}" matches read preference ${describe(readPreference)}`;
  }
  if (topology.type === "Unknown") {
    return "no replica set member or mongos answered (with several hosts, connect() looks for a replica set or " +
      "mongoses, as the SDAM specification says; for a standalone server, give only its host)";
  }
  return `no server of this deployment suits read preference ${describe(readPreference)}`;
}

// mongod started with --replSet answers so until rs.initiate() has run (or when the set's configuration no
// longer lists it): what a replica set in a fresh container looks like.
function notInitiated(ghosts: readonly ServerDescription[], outcome: SelectionOutcome): string {
  const one = ghosts.length === 1;
  const which = `${ghosts.map(({ address }) => address).join(", ")} ${one ? "is a" : "are"} replica set ` +
    `member${one ? "" : "s"} not yet in a set's configuration`;
  const why =
    `mongod runs with --replSet, but rs.initiate() has not run (or the set's configuration does not ` +
    `list ${one ? "it" : "them"})`;
  const failed = reasons(outcome.failures, outcome.seeds);
  return `${which}: ${why}: run rs.initiate() on one member (in mongosh) to make the set, then connect again` +
    (failed.length > 0 ? `; ${failed.join("; ")}` : "");
}

// A seed that answered as a member under another name (its `me`), which then failed: a replica set in Docker or
// Kubernetes reached from outside, whose members are named by hosts only its own network reaches. SDAM reaches
// members by those names alone, so the seed that answered is dropped, and every driver fails the same way.
function renamedSeed({ seen, failures, seeds = [] }: SelectionOutcome): ServerDescription | undefined {
  return [...seen.values()].find(({ address, setName, me }) =>
    setName !== undefined && me !== undefined && seeds.includes(address) && me.toLowerCase() !== address &&
    failures.has(me.toLowerCase())
  );
}

function namesUnreachable(seed: ServerDescription, outcome: SelectionOutcome): string {
  const { failures, seeds = [] } = outcome;
  const members = [...seed.hosts, ...seed.passives, ...seed.arbiters].join(", ");
  const named = new Map([...failures].filter(([address]) => !seeds.includes(address)));
  const why = `replica set "${seed.setName}" names its members ${members} (its configuration, rs.conf()), ` +
    `and a client reaches a member only by the name the set gives it (SDAM), whatever host it was given`;
  const what = `${seed.address} answered as ${seed.me}, ${role(seed, outcome)}, but from this machine ` +
    reasons(named, seeds, "").join("; ");
  const todo = `This is how a replica set in Docker or Kubernetes looks from outside its network: to use ` +
    `${seed.address} alone, connect to it by itself with directConnection=true (as mongosh and Compass do by ` +
    `default with one host and no replicaSet, which is why they reach it); to use the set, make those names ` +
    `reach its members from here (an /etc/hosts entry, the same ports published), or give the members names ` +
    `their clients can reach (rs.reconfig())`;
  return `${why}: ${what}. ${todo}`;
}

/**
 * A read preference as a person reads it: `secondary, tags [{"dc":"ny"}], maxStalenessSeconds 120`.
 *
 * @param readPreference the read preference
 * @returns the text
 */
export function describe(readPreference: ReadPreference): string {
  return [
    readPreference.mode,
    ...(readPreference.tags ? [`tags ${JSON.stringify(readPreference.tags)}`] : []),
    ...(readPreference.maxStalenessSeconds
      ? [`maxStalenessSeconds ${readPreference.maxStalenessSeconds}`]
      : []),
  ].join(", ");
}

function role(server: ServerDescription, outcome: SelectionOutcome): string {
  const set = server.setName === undefined ? "" : ` of replica set "${server.setName}"`;
  const tags = Object.keys(server.tags).length > 0 ? ` with tags ${JSON.stringify(server.tags)}` : "";
  switch (server.type) {
    case "Standalone":
      return `a standalone server (${whyNotStandalone(outcome)})`;
    case "Mongos":
      return "a mongos";
    case "LoadBalancer":
      return "a load balancer";
    case "RSPrimary":
      return `the primary${set}${tags}`;
    case "RSSecondary":
      return `a secondary${set}${tags}` + (server.primary ? `, naming ${server.primary} as primary` : "");
    case "RSArbiter":
      return `an arbiter${set}`;
    case "RSOther":
      return `a member${set} that is neither primary nor secondary (hidden, starting up or recovering)`;
    case "RSGhost":
      return "a replica set member not yet in a set's configuration";
    default:
      return `unusable (${server.error ?? server.type})`;
  }
}

/** Why SDAM dropped a standalone it checked: the set asked for, the mongoses beside it, or the seed list. */
function whyNotStandalone({ replicaSet, topology }: SelectionOutcome): string {
  if (replicaSet !== undefined) {
    return `replicaSet=${replicaSet} asks for a member of that set; to use a standalone server, remove replicaSet`;
  }
  if (topology.type === "Sharded") {
    return "the other hosts are mongoses, and a deployment is one or the other";
  }
  return "several hosts were given, so a replica set or mongoses were expected";
}

// Where the hosts go in words shared by several; no message holds it.
const HOSTS = "\u0000";

// Hosts that failed alike are named together, so that the advice a failure carries (a firewall, Atlas's IP
// Access List) is said once, not once per host.
// A host the connection string did not name came from a replica set's configuration: the advice to check the
// connection string would send the reader to the wrong place.
function reasons(
  failures: ReadonlyMap<string, unknown>,
  seeds?: readonly string[],
  origin = ": a name from the replica set's configuration",
): string[] {
  const hostsByWords = new Map<string, string[]>();
  for (const [address, err] of failures) {
    const named = seeds !== undefined && !seeds.includes(address);
    const message = err instanceof MongoAuthError
      ? named ? err.message.replace(HOST_NAME_ADVICE, origin) : err.message
      : `unexpected ${(err as Error)?.name ?? "error"}`;
    const words = message.includes(address) ? message.replaceAll(address, HOSTS) : `${HOSTS}: ${message}`;
    hostsByWords.set(words, [...hostsByWords.get(words) ?? [], address]);
  }
  return [...hostsByWords].map(([words, addresses]) => words.replaceAll(HOSTS, addresses.join(", ")));
}
