/**
 * Freezing and printing a credential: the password and `AWS_SESSION_TOKEN` never show in `String()`,
 * `JSON.stringify`, Node's `util.inspect` or Deno's `inspect` (through the symbols those look for, so no
 * runtime is imported), while `credential.password` itself stays readable for the mechanisms. A parsed
 * connection string prints the same way (connection-string.ts).
 *
 * @module
 */
import { DENO_INSPECT, NODE_INSPECT } from "../core/inspect.ts";
import type { AuthMechanism, MongoCredential } from "./mongo-credential.ts";

/** Shown in place of secrets. */
export const REDACTED = "<redacted>";
/** Mechanism properties that are secrets. */
const SECRET_PROPERTIES: ReadonlySet<string> = new Set(["AWS_SESSION_TOKEN"]);

/** The values a credential is made of. */
export interface CredentialFields {
  username?: string;
  password?: string;
  source: string;
  mechanism?: AuthMechanism;
  mechanismProperties: Record<string, unknown>;
}

/**
 * Freezes the credential. `password` is non-enumerable (spreads and naive loggers skip it); the
 * printing hooks are non-enumerable too, so `Object.keys` and `deepEqual` see only the data.
 */
export function freezeCredential(fields: CredentialFields): MongoCredential {
  const mechanismProperties = freezeProperties(fields.mechanismProperties);
  const credential: Record<string, unknown> = {};
  if (fields.username !== undefined) credential.username = fields.username;
  if (fields.password !== undefined) {
    Object.defineProperty(credential, "password", { value: fields.password, enumerable: false });
  }
  credential.source = fields.source;
  if (fields.mechanism !== undefined) credential.mechanism = fields.mechanism;
  credential.mechanismProperties = mechanismProperties;
  const shown = (): string => describeCredential(fields, mechanismProperties);
  const json = () => ({
    ...(fields.username !== undefined && { username: fields.username }),
    ...(fields.password !== undefined && { password: REDACTED }),
    source: fields.source,
    ...(fields.mechanism !== undefined && { mechanism: fields.mechanism }),
    mechanismProperties: redactedProperties(mechanismProperties),
  });
  addPrintingHooks(credential, shown, json);
  return Object.freeze(credential) as unknown as MongoCredential;
}

/** Freezes the properties object, with the same printing hooks (it hides AWS_SESSION_TOKEN). */
function freezeProperties(properties: Record<string, unknown>): Readonly<Record<string, unknown>> {
  const copy: Record<string, unknown> = { ...properties };
  addPrintingHooks(copy, () => describeProperties(copy), () => redactedProperties(copy));
  return Object.freeze(copy);
}

/** Defines non-enumerable `toString`, `toJSON` and the Node and Deno inspect hooks. */
function addPrintingHooks(target: object, shown: () => string, json: () => unknown): void {
  const hidden = (value: unknown) => ({ value, enumerable: false });
  Object.defineProperties(target, {
    toString: hidden(shown),
    toJSON: hidden(json),
    [NODE_INSPECT]: hidden(shown),
    [DENO_INSPECT]: hidden(shown),
  });
}

/**
 * A prototype whose `toString`, `toJSON` and Node and Deno inspect hooks print `view(this)` — a copy with
 * the secrets replaced — for objects made in numbers (a parsed connection string per connect()), which
 * then cost nothing more than a plain object to make and to read.
 *
 * @param name what the printed text starts with
 * @param view the object as it may be shown
 * @returns the prototype
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { printingPrototype, REDACTED } from "./redaction.ts";
 *
 * const proto = printingPrototype<{ user: string; secret: string }>("Login", (l) => ({ ...l, secret: REDACTED }));
 * const login = Object.assign(Object.create(proto), { user: "alice", secret: "s3cret" });
 * assert.equal(String(login), 'Login {"user":"alice","secret":"<redacted>"}');
 * assert.equal(login.secret, "s3cret");
 * ```
 */
export function printingPrototype<T>(name: string, view: (target: T) => unknown): object {
  const shown = function (this: T): string {
    return `${name} ${JSON.stringify(view(this))}`;
  };
  const hidden = (value: unknown) => ({ value, enumerable: false });
  return Object.create(Object.prototype, {
    toString: hidden(shown),
    toJSON: hidden(function (this: T) {
      return view(this);
    }),
    [NODE_INSPECT]: hidden(shown),
    [DENO_INSPECT]: hidden(shown),
  });
}

/**
 * The properties with secrets replaced, for JSON.
 *
 * @param properties authMechanismProperties
 * @returns a copy with `AWS_SESSION_TOKEN` as `<redacted>`
 */
export function redactedProperties(properties: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(properties).map(([name, value]) => [name, SECRET_PROPERTIES.has(name) ? REDACTED : value]),
  );
}

/** `MongoCredential { username: "alice", password: <redacted>, source: "admin", … }` */
function describeCredential(fields: CredentialFields, properties: Readonly<Record<string, unknown>>): string {
  const parts: string[] = [];
  if (fields.username !== undefined) parts.push(`username: ${JSON.stringify(fields.username)}`);
  if (fields.password !== undefined) parts.push(`password: ${REDACTED}`);
  parts.push(`source: ${JSON.stringify(fields.source)}`);
  if (fields.mechanism !== undefined) parts.push(`mechanism: ${JSON.stringify(fields.mechanism)}`);
  parts.push(`mechanismProperties: ${describeProperties(properties)}`);
  return `MongoCredential { ${parts.join(", ")} }`;
}

/** `{ SERVICE_NAME: "mongodb", AWS_SESSION_TOKEN: <redacted>, OIDC_CALLBACK: [Function] }` */
function describeProperties(properties: Readonly<Record<string, unknown>>): string {
  const parts = Object.entries(properties).map(([name, value]) => `${name}: ${describeValue(name, value)}`);
  return parts.length === 0 ? "{}" : `{ ${parts.join(", ")} }`;
}

function describeValue(name: string, value: unknown): string {
  if (SECRET_PROPERTIES.has(name)) return REDACTED;
  if (typeof value === "function") return "[Function]";
  return JSON.stringify(value) ?? String(value);
}
