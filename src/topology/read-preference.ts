/**
 * The read preference of a connection (Server Selection specification): its mode, tag sets and
 * maxStalenessSeconds, checked once from the connection string and options, and the `$readPreference` a
 * command carries for the topology and server it runs on.
 *
 * @module
 */
import { MongoAuthError } from "../core/errors.ts";
import type { Document } from "../wire/command.ts";
import type { ServerType } from "./server-description.ts";
import type { TopologyType } from "./topology-description.ts";

/**
 * Where reads may go: only the primary; the primary when there is one, else a secondary; only
 * secondaries; a secondary when there is one, else the primary; any data-bearing member.
 *
 * @example
 * ```ts
 * import type { ReadPreferenceMode } from "@mongo-auth/core";
 *
 * const mode: ReadPreferenceMode = "secondaryPreferred";
 * void mode;
 * ```
 */
export type ReadPreferenceMode =
  | "primary"
  | "primaryPreferred"
  | "secondary"
  | "secondaryPreferred"
  | "nearest";

/** One tag set: a member matches when its tags include every pair. `{}` matches any member. */
export type TagSet = Readonly<Record<string, string>>;

/**
 * A read preference.
 *
 * @example Secondaries in New York, not more than two minutes behind
 * ```ts
 * import type { ReadPreference } from "@mongo-auth/core";
 *
 * const readPreference: ReadPreference = { mode: "secondary", tags: [{ dc: "ny" }, {}], maxStalenessSeconds: 120 };
 * void readPreference;
 * ```
 */
export interface ReadPreference {
  /** Which members may serve: `primary`, `primaryPreferred`, `secondary`, `secondaryPreferred`, `nearest`. */
  readonly mode: ReadPreferenceMode;
  /** Tag sets, tried in order until one matches a member; absent or `[{}]` matches every member. */
  readonly tags?: readonly TagSet[];
  /** The most replication lag a secondary may have, in seconds (90 or more); absent or -1: no limit. */
  readonly maxStalenessSeconds?: number;
}

/** The five modes, for messages. */
export const READ_PREFERENCE_MODES: readonly ReadPreferenceMode[] = Object.freeze([
  "primary",
  "primaryPreferred",
  "secondary",
  "secondaryPreferred",
  "nearest",
]);

/** The read preference options as given (connection string or options object). */
export interface ReadPreferenceOptions {
  readonly readPreference?: unknown;
  readonly readPreferenceTags?: unknown;
  readonly maxStalenessSeconds?: unknown;
}

/**
 * The read preference the options describe, checked as the Server Selection and Max Staleness
 * specifications require of a connection string: a known mode (spelled exactly), tag sets that are
 * objects of strings, no tags and no maxStalenessSeconds with mode primary (the default mode included).
 *
 * @param options `readPreference`, `readPreferenceTags`, `maxStalenessSeconds`
 * @returns the read preference (mode primary when none is given)
 * @throws {MongoAuthError} `INVALID_OPTION` naming the option and what it accepts
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readPreferenceFrom } from "./read-preference.ts";
 *
 * assert.deepEqual(readPreferenceFrom({}), { mode: "primary" });
 * assert.throws(() => readPreferenceFrom({ readPreferenceTags: [{ dc: "ny" }] }), { code: "INVALID_OPTION" });
 * ```
 */
export function readPreferenceFrom(options: ReadPreferenceOptions): ReadPreference {
  const mode = modeOf(options.readPreference);
  const tags = tagSetsOf(options.readPreferenceTags);
  const maxStalenessSeconds = maxStalenessOf(options.maxStalenessSeconds);
  if (mode === "primary") {
    if (tags !== undefined && !matchesAny(tags)) {
      throw invalid(
        "readPreferenceTags cannot be used with read preference primary (the default): only the primary " +
          "is ever read from; set readPreference to another mode or remove the tags",
      );
    }
    if (maxStalenessSeconds !== undefined && maxStalenessSeconds > 0) {
      throw invalid(
        "maxStalenessSeconds cannot be used with read preference primary (the default): the primary is " +
          "never stale; set readPreference to another mode or remove maxStalenessSeconds",
      );
    }
  }
  return {
    mode,
    ...(tags !== undefined && { tags }),
    ...(maxStalenessSeconds !== undefined && maxStalenessSeconds !== -1 && { maxStalenessSeconds }),
  };
}

function modeOf(value: unknown): ReadPreferenceMode {
  if (value === undefined) return "primary";
  if (READ_PREFERENCE_MODES.includes(value as ReadPreferenceMode)) return value as ReadPreferenceMode;
  const text = typeof value === "string" ? value : undefined;
  const sameLetters = READ_PREFERENCE_MODES.find((mode) => mode.toLowerCase() === text?.toLowerCase());
  throw invalid(
    `readPreference must be one of ${READ_PREFERENCE_MODES.join(", ")}` +
      (sameLetters ? ` (spelled exactly: did you mean ${sameLetters}?)` : ""),
  );
}

function tagSetsOf(value: unknown): TagSet[] | undefined {
  if (value === undefined) return undefined;
  const isTagSet = (set: unknown) =>
    typeof set === "object" && set !== null && !Array.isArray(set) &&
    Object.values(set).every((v) => typeof v === "string");
  if (!Array.isArray(value) || !value.every(isTagSet)) {
    throw invalid(
      "readPreferenceTags must be a list of tag sets, each an object of strings ({} matches any member)",
    );
  }
  return value.map((set) => ({ ...set }));
}

function maxStalenessOf(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < -1) {
    throw invalid("maxStalenessSeconds must be -1 (no limit) or a whole number of seconds, at least 90");
  }
  return value;
}

function matchesAny(tags: readonly TagSet[]): boolean {
  return tags.every((set) => Object.keys(set).length === 0);
}

/** mongod and the specification's smallest allowed maxStalenessSeconds. */
export const SMALLEST_MAX_STALENESS_SECONDS = 90;
/** How often an idle primary writes a no-op, so that its lastWriteDate moves (Max Staleness spec). */
export const IDLE_WRITE_PERIOD_MS = 10_000;

/**
 * The Server Selection specification's check of maxStalenessSeconds against a replica set: at least 90
 * seconds, and at least heartbeatFrequencyMS plus the 10 s idle write period. 0 is never valid.
 *
 * @param readPreference the read preference
 * @param topologyType the deployment's type (only replica sets are checked; a mongos checks for itself)
 * @param heartbeatFrequencyMS the configured heartbeat frequency
 * @throws {MongoAuthError} `INVALID_OPTION`
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkMaxStaleness } from "./read-preference.ts";
 *
 * checkMaxStaleness({ mode: "secondary", maxStalenessSeconds: 90 }, "ReplicaSetWithPrimary", 10_000);
 * assert.throws(
 *   () => checkMaxStaleness({ mode: "secondary", maxStalenessSeconds: 30 }, "ReplicaSetNoPrimary", 10_000),
 *   { code: "INVALID_OPTION" },
 * );
 * ```
 */
export function checkMaxStaleness(
  readPreference: ReadPreference,
  topologyType: TopologyType,
  heartbeatFrequencyMS: number,
): void {
  const seconds = readPreference.maxStalenessSeconds;
  if (seconds === undefined) return;
  if (seconds === 0) throw invalid("maxStalenessSeconds=0 is not valid: use -1 for no limit, or 90 or more");
  if (topologyType !== "ReplicaSetWithPrimary" && topologyType !== "ReplicaSetNoPrimary") return;
  const smallest = Math.max(
    SMALLEST_MAX_STALENESS_SECONDS,
    (heartbeatFrequencyMS + IDLE_WRITE_PERIOD_MS) / 1000,
  );
  if (seconds < smallest) {
    throw invalid(
      `maxStalenessSeconds must be at least ${smallest} seconds against a replica set (at least 90, and at ` +
        `least heartbeatFrequencyMS (${heartbeatFrequencyMS} ms) plus the 10 s idle write period); it is ${seconds}`,
    );
  }
}

/**
 * The `$readPreference` document of a read preference: `mode`, and `tags` and `maxStalenessSeconds`
 * when they narrow anything.
 *
 * @param readPreference the read preference
 * @returns the document
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readPreferenceDocument } from "./read-preference.ts";
 *
 * assert.deepEqual(readPreferenceDocument({ mode: "nearest", tags: [{ dc: "ny" }] }), { mode: "nearest", tags: [{ dc: "ny" }] });
 * ```
 */
export function readPreferenceDocument(readPreference: ReadPreference): Document {
  const { mode, tags, maxStalenessSeconds } = readPreference;
  return {
    mode,
    ...(tags !== undefined && !matchesAny(tags) && { tags: tags.map((set) => ({ ...set })) }),
    ...(maxStalenessSeconds !== undefined && maxStalenessSeconds > 0 && { maxStalenessSeconds }),
  };
}

/**
 * The `$readPreference` a command carries over OP_MSG (Server Selection spec, "Passing read preference
 * to mongos and load balancers" and the rules per topology): to a mongos or load balancer, the read
 * preference unless it is primary; on a direct connection to a replica set member, primaryPreferred for
 * primary (so that a secondary answers); to a standalone, none; to a replica set member chosen by the
 * read preference, the read preference unless it is primary.
 *
 * @param topologyType the deployment's type
 * @param serverType the type of the server the connection is on
 * @param readPreference the connection's read preference
 * @returns the document to send as `$readPreference`, or undefined to send none
 * @example A direct connection to a secondary still reads
 * ```ts
 * import assert from "node:assert/strict";
 * import { readPreferenceForCommand } from "./read-preference.ts";
 *
 * assert.deepEqual(readPreferenceForCommand("Single", "RSSecondary", { mode: "primary" }), { mode: "primaryPreferred" });
 * assert.equal(readPreferenceForCommand("ReplicaSetWithPrimary", "RSPrimary", { mode: "primary" }), undefined);
 * ```
 */
export function readPreferenceForCommand(
  topologyType: TopologyType,
  serverType: ServerType,
  readPreference: ReadPreference,
): Document | undefined {
  if (serverType === "Standalone") return undefined;
  if (serverType === "Mongos" || serverType === "LoadBalancer" || topologyType !== "Single") {
    return readPreference.mode === "primary" ? undefined : readPreferenceDocument(readPreference);
  }
  return readPreferenceDocument(
    readPreference.mode === "primary" ? { mode: "primaryPreferred" } : readPreference,
  );
}

function invalid(message: string): MongoAuthError {
  return new MongoAuthError("INVALID_OPTION", message);
}
