// Just enough of mongod's CRUD for the unified-format auth tests: `find` (equality filters on
// top-level fields), `insert` and `drop`, on an in-memory store per server. The commands are parsed with
// their 7.0 IDL (find_command.idl, write_ops.idl, drop.idl: strict, so an unknown field is 40415); a
// known option this store cannot answer the way mongod would (operators in a filter, projections,
// sorts, getMore) is refused with BadValue rather than answered differently.
import { BSON, Long, ObjectId } from "bson";
import type { CommandContext, DataStore, ServerState } from "./context.ts";
import { CommandError } from "./errors.ts";
import { bsonTypeName, type IdlStruct } from "./idl.ts";
import type { Document } from "./wire.ts";

/**
 * find_command.idl's `find` fields; `filter`, `limit` and the batching options (the whole result is one
 * batch) are served: a driver's findOne sends `limit: 1, singleBatch: true`.
 */
export const FIND: IdlStruct = {
  fields: {
    filter: { type: "object" },
    ...Object.fromEntries(
      [
        "projection",
        "sort",
        "hint",
        "collation",
        "skip",
        "limit",
        "batchSize",
        "ntoreturn",
        "singleBatch",
        "allowDiskUse",
        "min",
        "max",
        "returnKey",
        "showRecordId",
        "tailable",
        "oplogReplay",
        "noCursorTimeout",
        "awaitData",
        "allowPartialResults",
        "let",
        "options",
        "term",
        "readOnce",
        "allowSpeculativeMajorityRead",
        "$_requestResumeToken",
        "$_resumeAfter",
        "runtimeConstants",
        "collectionUUID",
      ].map((name) => [name, { type: "any" as const }]),
    ),
    limit: { type: "safeInt64", gte: 0 },
    batchSize: { type: "safeInt64", gte: 0 },
    singleBatch: { type: "bool" },
  },
};

/** write_ops.idl's `insert` (with WriteCommandRequestBase). */
export const INSERT: IdlStruct = {
  fields: {
    documents: { type: "array", items: "object", required: true },
    ordered: { type: "bool" },
    bypassDocumentValidation: { type: "safeBool" },
    stmtIds: { type: "array" },
    collectionUUID: { type: "uuid" },
    isTimeseriesNamespace: { type: "bool" },
    encryptionInformation: { type: "object" },
  },
};

/** drop.idl's `drop`. */
export const DROP: IdlStruct = { fields: { collectionUUID: { type: "uuid" } } };

/** An empty data store, for a standalone or a deployment's first process. */
export function newDataStore(): DataStore {
  return new Map();
}

function collectionsOf(server: ServerState): DataStore {
  return server.data;
}

/**
 * CommandHelpers::parseNsCollectionRequired: the command's value names the collection (73). Part of the
 * command's parse, so it comes before the authorization check, which needs the namespace.
 * @param ctx the command context
 * @param cmd the command
 * @param name the command's name, its first field
 * @returns the collection's name
 */
export function collectionName(ctx: CommandContext, cmd: Document, name: string): string {
  const value = cmd[name];
  if (typeof value !== "string") {
    throw new CommandError(
      73,
      `collection name has invalid type ${bsonTypeName(ctx.request.elements[0].type)}`,
    );
  }
  if (value === "") throw new CommandError(73, `Invalid namespace specified '${ctx.db}.'`);
  return value;
}

const SERVED_FIND_OPTIONS: ReadonlySet<string> = new Set(["filter", "limit", "singleBatch", "batchSize"]);

const same = (a: unknown, b: unknown) =>
  JSON.stringify(BSON.serialize({ v: a })) === JSON.stringify(BSON.serialize({ v: b }));

/**
 * `find` with an equality filter: `{ cursor: { firstBatch, id: 0, ns } }`.
 * @param ctx the command context
 * @param cmd the command
 * @returns the reply without `ok`
 * @throws CommandError for what this store does not support
 */
export function find(ctx: CommandContext, cmd: Document): Document {
  const coll = collectionName(ctx, cmd, "find");
  for (const option of Object.keys(FIND.fields)) {
    if (!SERVED_FIND_OPTIONS.has(option) && cmd[option] !== undefined) {
      throw new CommandError(2, `the reference server's find does not support ${option}`);
    }
  }
  const filter = (cmd.filter ?? {}) as Document;
  if (Object.keys(filter).some((key) => key.startsWith("$"))) {
    throw new CommandError(2, "the reference server's find supports only equality filters");
  }
  const limit = Number(cmd.limit ?? 0);
  const docs = collectionsOf(ctx.server).get(`${ctx.db}.${coll}`) ?? [];
  const matching = docs.filter((doc) =>
    Object.entries(filter).every(([key, value]) => same(doc[key], value))
  );
  // Every match fits the first batch here (no getMore), so the cursor is always exhausted (id 0).
  const firstBatch = limit > 0 ? matching.slice(0, limit) : matching;
  return { cursor: { firstBatch, id: Long.fromNumber(0), ns: `${ctx.db}.${coll}` } };
}

/**
 * `insert`: adds `_id` when missing; a duplicate `_id` is a write error 11000, as mongod.
 * @param ctx the command context
 * @param cmd the command
 * @returns `{ n, writeErrors? }`
 */
export function insert(ctx: CommandContext, cmd: Document): Document {
  const coll = collectionName(ctx, cmd, "insert");
  if ((cmd.documents as Document[]).length === 0) {
    throw new CommandError(2, "Write batch sizes must be between 1 and 100000. Got 0 operations.");
  }
  const ns = `${ctx.db}.${coll}`;
  const collections = collectionsOf(ctx.server);
  const docs = collections.get(ns) ?? [];
  collections.set(ns, docs);
  const writeErrors: Document[] = [];
  let n = 0;
  for (const [index, raw] of (cmd.documents as Document[]).entries()) {
    const doc = raw._id === undefined ? { _id: new ObjectId(), ...raw } : raw;
    if (docs.some((existing) => same(existing._id, doc._id))) {
      writeErrors.push({
        index,
        code: 11000,
        errmsg: `E11000 duplicate key error collection: ${ns} index: _id_`,
      });
      if (cmd.ordered !== false) break;
      continue;
    }
    docs.push(doc);
    n++;
  }
  return writeErrors.length > 0 ? { n, writeErrors } : { n };
}

/**
 * `drop`: mongod 7.0 answers ok for a collection that does not exist.
 * @param ctx the command context
 * @param cmd the command
 * @returns `{ ns, nIndexesWas }` or `{}`
 */
export function drop(ctx: CommandContext, cmd: Document): Document {
  const ns = `${ctx.db}.${collectionName(ctx, cmd, "drop")}`;
  const existed = collectionsOf(ctx.server).delete(ns);
  return existed ? { ns, nIndexesWas: 1 } : {};
}
