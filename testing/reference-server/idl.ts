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
  /** `elementsOf(bytes)`, scanned once for every check that reads them. */
  readonly elements: readonly BsonElement[];
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
 * @example
 * ```ts
 * const [first] = elementsOf(bytes); // the command name and the BSON type of its value
 * ```
 */
export function elementsOf(bytes: Uint8Array): BsonElement[] {
  const elements: BsonElement[] = [];
  for (const [type, nameOffset, nameLength, offset, length] of BSON.onDemand.parseToElements(bytes)) {
    elements.push(
      new ScannedElement(fieldName(bytes, nameOffset, nameLength), type, bytes, offset, offset + length),
    );
  }
  return elements;
}

/** An element whose value is cut out of its document only when read: most checks look at names and types. */
class ScannedElement implements BsonElement {
  readonly name: string;
  readonly type: number;
  readonly #document: Uint8Array;
  readonly #start: number;
  readonly #end: number;

  constructor(name: string, type: number, document: Uint8Array, start: number, end: number) {
    this.name = name;
    this.type = type;
    this.#document = document;
    this.#start = start;
    this.#end = end;
  }

  get value(): Uint8Array {
    return this.#document.subarray(this.#start, this.#end);
  }
}

/**
 * A raw document made from its bytes, scanned once: a command's checks (read preference, client metadata,
 * IDL, SASL payload) all read its elements.
 * @param bytes one BSON document
 * @param doc its value, when already deserialized
 * @returns the raw document
 * @example
 * ```ts
 * const spec = rawDocument(element.value); // hello's speculativeAuthenticate
 * ```
 */
export function rawDocument(bytes: Uint8Array, doc: Document = BSON.deserialize(bytes)): RawDocument {
  return { doc, bytes, elements: elementsOf(bytes) };
}

const utf8 = new TextDecoder();

// Field names are almost always ASCII, which needs no decoder call; anything else goes through the
// TextDecoder as before.
function fieldName(bytes: Uint8Array, offset: number, length: number): string {
  let name = "";
  for (let i = offset; i < offset + length; i++) {
    const byte = bytes[i];
    if (byte >= 0x80) return utf8.decode(bytes.subarray(offset, offset + length));
    name += String.fromCharCode(byte);
  }
  return name;
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
  const elements = raw.elements;
  for (let index = isCommand ? 1 : 0; index < elements.length; index++) {
    checkField(context, schema, isCommand, seen, elements[index]);
  }
  // Document sequences are arrays after the body's fields.
  for (const name of raw.sequenceNames ?? []) checkField(context, schema, isCommand, seen, { name, type: 4 });
  const { required, bounded } = shapeOf(schema);
  for (const name of required) {
    if (!seen.has(name)) {
      throw new CommandError(40414, `BSON field '${context}.${name}' is missing but a required field`);
    }
  }
  const doc = raw.doc;
  for (const [name, gte] of bounded) {
    if (typeof doc[name] === "number" && (doc[name] as number) < gte) {
      throw new CommandError(
        51024,
        `BSON field '${name}' value must be >= ${gte}, actual value '${doc[name]}'`,
      );
    }
  }
  return doc;
}

/** A field as the IDL parser sees it: a document sequence is an array whose bytes are elsewhere. */
interface FieldElement {
  readonly name: string;
  readonly type: number;
  readonly value?: Uint8Array;
}

function checkField(
  context: string,
  schema: IdlStruct,
  isCommand: boolean,
  seen: Set<string>,
  element: FieldElement,
): void {
  const name = element.name;
  const field = Object.hasOwn(schema.fields, name) ? schema.fields[name] : undefined;
  if (field === undefined) {
    if (isCommand && name === "$db" && seen.has("$db")) throw duplicate(context, "$db");
    if (isCommand && name === "$db") seen.add("$db");
    if (isCommand && GENERIC_ARGUMENTS.has(name)) return;
    if (schema.strict === false) return;
    throw new CommandError(40415, `BSON field '${context}.${name}' is an unknown field.`);
  }
  if (seen.has(name)) throw duplicate(context, name);
  seen.add(name);
  checkType(`${context}.${name}`, field, element);
}

/** A struct's required fields and `gte` validators, in declaration order (worked out once per struct). */
interface StructShape {
  readonly required: readonly string[];
  readonly bounded: ReadonlyArray<readonly [string, number]>;
}

const shapes = new WeakMap<IdlStruct, StructShape>();

function shapeOf(schema: IdlStruct): StructShape {
  let shape = shapes.get(schema);
  if (shape === undefined) {
    const fields = Object.entries(schema.fields);
    shape = {
      required: fields.filter(([, field]) => field.required).map(([name]) => name),
      bounded: fields.flatMap(([name, field]) => field.gte === undefined ? [] : [[name, field.gte] as const]),
    };
    shapes.set(schema, shape);
  }
  return shape;
}

function duplicate(context: string, name: string): CommandError {
  return new CommandError(40413, `BSON field '${context}.${name}' is a duplicate field`);
}

function checkType(path: string, field: IdlField, element: FieldElement): void {
  if (field.type === "any") return;
  const alternatives = typeof field.type === "string" ? [field.type] : field.type;
  if (alternatives.includes("any")) return;
  const accepted = alternatives.length === 1
    ? ACCEPTED[alternatives[0] as Exclude<IdlType, "any">]
    : alternatives.flatMap((t) => ACCEPTED[t as Exclude<IdlType, "any">]);
  const type = element.type;
  if (!accepted.includes(type)) throw wrongType(path, type, accepted);
  const nested = alternatives.includes("uuid") || (type === 4 && field.items !== undefined) ||
    (type === 3 && field.struct !== undefined);
  const value = nested ? element.value : undefined;
  if (value === undefined) return;
  if (alternatives.includes("uuid") && value[4] !== 4) {
    throw new CommandError(
      14,
      `BSON field '${path}' is the wrong binData type '${value[4]}', expected type 'UUID'`,
    );
  }
  if (type === 4 && field.items !== undefined) {
    for (const item of elementsOf(value)) checkType(`${path}.${item.name}`, { type: field.items }, item);
  }
  if (type === 3 && field.struct !== undefined) {
    parseIdl(path, field.struct, rawDocument(value), false);
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
  // Buffer.byteLength counts without encoding: TextEncoder.encode costs microseconds per call.
  const bytes = Buffer.byteLength(db, "utf8");
  if (bytes === 0 || bytes >= 64 || /[\0/\\. "]/.test(db)) {
    throw new CommandError(73, `Invalid database name: '${db}'`);
  }
}
