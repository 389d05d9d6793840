/**
 * The error connect() gives when its scan found no member that suits: which set, which read preference,
 * and what each server checked was or why its check failed — so that "the primary did not answer", "no
 * primary", "members of another set" and "nothing matches the tags" read differently.
 *
 * @module
 */
import { MongoAuthError } from "../core/errors.ts";
import type { ReadPreference } from "../topology/read-preference.ts";
import type { ServerDescription } from "../topology/server-description.ts";
import type { TopologyDescription } from "../topology/topology-description.ts";
import type { SelectionOptions } from "./options.ts";

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
      `could not connect to any host: ${reasons(failures).join("; ")}`,
      {
        cause: new AggregateError(errors, "every host failed"),
      },
    );
  }
  const details = [
    ...[...seen.values()].map((server) => `${server.address} is ${role(server, outcome)}`),
    ...reasons(failures),
  ];
  return new MongoAuthError("SERVER_SELECTION_FAILED", `${headline(outcome)}: ${details.join("; ")}`, {
    cause: failures.size > 0 ? new AggregateError([...failures.values()], "checks that failed") : undefined,
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
function reasons(failures: ReadonlyMap<string, unknown>): string[] {
  const hostsByWords = new Map<string, string[]>();
  for (const [address, err] of failures) {
    const message = err instanceof MongoAuthError
      ? err.message
      : `unexpected ${(err as Error)?.name ?? "error"}`;
    const words = message.includes(address) ? message.replaceAll(address, HOSTS) : `${HOSTS}: ${message}`;
    hostsByWords.set(words, [...hostsByWords.get(words) ?? [], address]);
  }
  return [...hostsByWords].map(([words, addresses]) => words.replaceAll(HOSTS, addresses.join(", ")));
}
