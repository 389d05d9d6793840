// mongod's IDL parsing of command documents (src/mongo/idl/idl_parser.cpp and the parsers generated from
// each command's .idl file): a strict command refuses an unknown field (40415), a repeated field (40413),
// a missing required field (40414) and a field of the wrong BSON type (14 TypeMismatch). The generic
// arguments every command takes (src/mongo/idl/generic_argument.idl) are always allowed. The first field
// is the command name and is not looked at.
import { BSON } from "bson";
import { CommandError } from "./errors.ts";
import type { Document } from "./wire.ts";

/** One element of a BSON document, as it is on the wire (repeats kept, in order). */
export interface BsonElement {
  readonly name: string;
  /** The BSON type byte (1 double, 2 string, 3 object, 4 array, 5 binData, 16 int, 18 long, …). */
  readonly type: number;
  /** The value's bytes: for an object or array, a whole BSON document. */
  readonly value: Uint8Array;
}

/** A command or sub-document as received: its value and its bytes. */
export interface RawDocument {
  readonly doc: Document;
  readonly bytes: Uint8Array;
  /** OP_MSG document sequences merged into `doc` (arrays that are not in `bytes`). */
  readonly sequenceNames?: readonly string[];
}

/** The IDL types the reference server's commands use, by their .idl name. */
export type IdlType =
  | "string"
  | "int"
  | "long"
  | "bool"
  | "safeBool"
  | "safeInt"
  | "safeInt64"
  | "object"
  | "array"
  | "objectid"
  | "uuid"
  | "date"
  | "any";

/** One field of a command or struct. */
export interface IdlField {
  /** The type, or the alternatives of a `variant`. */
  readonly type: IdlType | readonly IdlType[];
  readonly required?: boolean;
  /** `array<T>`: the type of each element. */
  readonly items?: IdlType;
  /** A nested IDL struct (parsed with the same rules). */
  readonly struct?: IdlStruct;
  /** `validator: { gte: n }` (error 51024). */
  readonly gte?: number;
}

/** A command's or struct's fields. */
export interface IdlStruct {
  readonly fields: Readonly<Record<string, IdlField>>;
  /** `strict: false` lets unknown fields through (IDL's default is strict). */
  readonly strict?: boolean;
}

const TYPE_NAMES: Readonly<Record<number, string>> = {
  1: "double",
  2: "string",
  3: "object",
  4: "array",
  5: "binData",
  6: "undefined",
  7: "objectId",
  8: "bool",
  9: "date",
  10: "null",
  11: "regex",
  12: "dbPointer",
  13: "javascript",
  14: "symbol",
  15: "javascriptWithScope",
  16: "int",
  17: "timestamp",
  18: "long",
  19: "decimal",
  127: "maxKey",
  255: "minKey",
};

/** The BSON types each IDL type accepts, in the order mongod names them in its error. */
const ACCEPTED: Readonly<Record<Exclude<IdlType, "any">, readonly number[]>> = {
  string: [2],
  int: [16],
  long: [18],
  bool: [8],
  safeBool: [8, 18, 16, 19, 1],
  safeInt: [18, 16, 19, 1],
  safeInt64: [18, 16, 19, 1],
  object: [3],
  array: [4],
  objectid: [7],
  uuid: [5],
  date: [9],
};

/** generic_argument.idl (7.0): the arguments every command accepts besides its own. */
const GENERIC_ARGUMENTS: ReadonlySet<string> = new Set([
  "apiVersion",
  "apiStrict",
  "apiDeprecationErrors",
  "$db",
  "maxTimeMS",
  "readConcern",
  "writeConcern",
  "lsid",
  "clientOperationKey",
  "txnNumber",
  "autocommit",
  "startTransaction",
  "stmtId",
  "comment",
  "$readPreference",
  "$clusterTime",
  "$audit",
  "$client",
  "$configServerState",
  "allowImplicitCollectionCreation",
  "$oplogQueryData",
  "$queryOptions",
  "$replData",
  "databaseVersion",
  "shardVersion",
  "tracking_info",
  "coordinator",
  "maxTimeMSOpOnly",
  "$configTime",
  "$topologyTime",
  "txnRetryCounter",
  "mayBypassWriteBlocking",
  "$tenant",
]);

/**
 * mongod's `typeName()` of a BSON type byte.
 * @param type the type byte
 * @returns e.g. "int", "binData"
 */
export function bsonTypeName(type: number): string {
  return TYPE_NAMES[type] ?? `type${type}`;
}

/**
 * The elements of a BSON document in wire order, repeats included.
 * @param bytes one BSON document
 * @returns its elements
 */
export function elementsOf(bytes: Uint8Array): BsonElement[] {
  const decoder = new TextDecoder();
  return [...BSON.onDemand.parseToElements(bytes)].map(([type, nameOffset, nameLength, offset, length]) => ({
    name: decoder.decode(bytes.subarray(nameOffset, nameOffset + nameLength)),
    type,
    value: bytes.subarray(offset, offset + length),
  }));
}

/**
 * The raw form of a sub-document of a raw document.
 * @param raw the outer document
 * @param name the field holding an object
 * @returns the sub-document, or undefined when the field is missing or not an object
 */
export function subDocument(raw: RawDocument, name: string): RawDocument | undefined {
  const element = elementsOf(raw.bytes).find((e) => e.name === name);
  if (element === undefined || element.type !== 3) return undefined;
  return { doc: BSON.deserialize(element.value), bytes: element.value };
}

/**
 * Parses a command (its first field is the command name) or a nested struct the way mongod's generated
 * IDL parser does.
 * @param context the parser context, e.g. "saslStart" (errors name fields `context.field`)
 * @param schema the command's fields
 * @param raw the document
 * @param isCommand whether the first field is the command name (skipped) and generic arguments allowed
 * @returns the document's values
 * @throws CommandError 40415, 40413, 40414, 14 or 51024 as mongod
 */
export function parseIdl(context: string, schema: IdlStruct, raw: RawDocument, isCommand = true): Document {
  const seen = new Set<string>();
  const elements: Array<{ name: string; type: number; value?: Uint8Array }> = elementsOf(raw.bytes);
  for (const name of raw.sequenceNames ?? []) elements.push({ name, type: 4 });
  for (const [index, element] of elements.entries()) {
    if (isCommand && index === 0) continue;
    const field = Object.hasOwn(schema.fields, element.name) ? schema.fields[element.name] : undefined;
    if (field === undefined) {
      if (isCommand && element.name === "$db" && seen.has("$db")) throw duplicate(context, "$db");
      if (isCommand && element.name === "$db") seen.add("$db");
      if (isCommand && GENERIC_ARGUMENTS.has(element.name)) continue;
      if (schema.strict === false) continue;
      throw new CommandError(40415, `BSON field '${context}.${element.name}' is an unknown field.`);
    }
    if (seen.has(element.name)) throw duplicate(context, element.name);
    seen.add(element.name);
    checkType(`${context}.${element.name}`, field, element.type, element.value);
  }
  for (const [name, field] of Object.entries(schema.fields)) {
    if (field.required && !seen.has(name)) {
      throw new CommandError(40414, `BSON field '${context}.${name}' is missing but a required field`);
    }
  }
  const doc = raw.doc;
  for (const [name, field] of Object.entries(schema.fields)) {
    if (field.gte !== undefined && typeof doc[name] === "number" && (doc[name] as number) < field.gte) {
      throw new CommandError(
        51024,
        `BSON field '${name}' value must be >= ${field.gte}, actual value '${doc[name]}'`,
      );
    }
  }
  return doc;
}

function duplicate(context: string, name: string): CommandError {
  return new CommandError(40413, `BSON field '${context}.${name}' is a duplicate field`);
}

function checkType(path: string, field: IdlField, type: number, value: Uint8Array | undefined): void {
  const alternatives = typeof field.type === "string" ? [field.type] : field.type;
  if (alternatives.includes("any")) return;
  const accepted = alternatives.flatMap((t) => ACCEPTED[t as Exclude<IdlType, "any">]);
  if (!accepted.includes(type)) throw wrongType(path, type, accepted);
  if (alternatives.includes("uuid") && value !== undefined && value[4] !== 4) {
    throw new CommandError(
      14,
      `BSON field '${path}' is the wrong binData type '${value[4]}', expected type 'UUID'`,
    );
  }
  if (type === 4 && field.items !== undefined && value !== undefined) {
    for (const item of elementsOf(value)) {
      checkType(`${path}.${item.name}`, { type: field.items }, item.type, item.value);
    }
  }
  if (type === 3 && field.struct !== undefined && value !== undefined) {
    parseIdl(path, field.struct, { doc: BSON.deserialize(value), bytes: value }, false);
  }
}

/**
 * mongod's TypeMismatch for a field of the wrong BSON type.
 * @param path "command.field"
 * @param type the type received
 * @param accepted the types allowed
 * @returns the error
 */
export function wrongType(path: string, type: number, accepted: readonly number[]): CommandError {
  const names = accepted.map(bsonTypeName);
  const expected = names.length === 1 ? `type '${names[0]}'` : `types '[${names.join(", ")}]'`;
  return new CommandError(
    14,
    `BSON field '${path}' is the wrong type '${bsonTypeName(type)}', expected ${expected}`,
  );
}

/**
 * A `$db` as mongod's DatabaseName takes it (NamespaceString::validDBName): 1 to 63 bytes, none of
 * NUL, `/`, `\`, `.`, space or `"`.
 * @param db the database name
 * @throws CommandError 73 InvalidNamespace
 */
export function checkDatabaseName(db: string): void {
  const bytes = new TextEncoder().encode(db).length;
  if (bytes === 0 || bytes >= 64 || /[\0/\\. "]/.test(db)) {
    throw new CommandError(73, `Invalid database name: '${db}'`);
  }
}
