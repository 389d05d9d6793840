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
 * Freezes the credential. `password` is non-enumerable (spreads and naive loggers skip it); the printing
 * hooks are the prototype's, so `Object.keys` sees only the data. A credential is made per connect(): a
 * shared prototype costs it nothing, where hooks of its own were the costliest part of planning one (a
 * Node.js profile).
 */
export function freezeCredential(fields: CredentialFields): MongoCredential {
  const credential = Object.create(PRINTS_CREDENTIAL);
  if (fields.username !== undefined) credential.username = fields.username;
  if (fields.password !== undefined) {
    Object.defineProperty(credential, "password", { value: fields.password, enumerable: false });
  }
  credential.source = fields.source;
  if (fields.mechanism !== undefined) credential.mechanism = fields.mechanism;
  credential.mechanismProperties = freezeProperties(fields.mechanismProperties);
  return Object.freeze(credential);
}

// Every credential prints through it: `this` is the credential.
const PRINTS_CREDENTIAL: object = Object.create(
  Object.prototype,
  printingHooks(function (this: MongoCredential) {
    return describeCredential(this);
  }, function (this: MongoCredential) {
    return {
      ...(this.username !== undefined && { username: this.username }),
      ...(this.password !== undefined && { password: REDACTED }),
      source: this.source,
      ...(this.mechanism !== undefined && { mechanism: this.mechanism }),
      mechanismProperties: redactedProperties(this.mechanismProperties),
    };
  }),
);

/**
 * Freezes the properties object, with the same printing hooks (it hides AWS_SESSION_TOKEN). It keeps the
 * plain prototype, so that it compares equal to a plain object; most credentials have none, and share one.
 */
function freezeProperties(properties: Record<string, unknown>): Readonly<Record<string, unknown>> {
  for (const _ in properties) return frozenProperties(properties);
  return NO_PROPERTIES;
}

function frozenProperties(properties: Record<string, unknown>): Readonly<Record<string, unknown>> {
  const copy: Record<string, unknown> = { ...properties };
  Object.defineProperties(
    copy,
    printingHooks(() => describeProperties(copy), () => redactedProperties(copy)),
  );
  return Object.freeze(copy);
}

const NO_PROPERTIES = frozenProperties({});

/**
 * Non-enumerable `toString`, `toJSON` and the Node and Deno inspect hooks, as property descriptors: for an
 * object of its own, or for a prototype (whose hooks read `this`).
 */
function printingHooks(
  shown: (this: never) => string,
  json: (this: never) => unknown,
): PropertyDescriptorMap {
  const hidden = (value: unknown) => ({ value, enumerable: false });
  return {
    toString: hidden(shown),
    toJSON: hidden(json),
    [NODE_INSPECT]: hidden(shown),
    [DENO_INSPECT]: hidden(shown),
  };
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
  return Object.create(
    Object.prototype,
    printingHooks(shown, function (this: T) {
      return view(this);
    }),
  );
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
function describeCredential(credential: MongoCredential): string {
  const parts: string[] = [];
  if (credential.username !== undefined) parts.push(`username: ${JSON.stringify(credential.username)}`);
  if (credential.password !== undefined) parts.push(`password: ${REDACTED}`);
  parts.push(`source: ${JSON.stringify(credential.source)}`);
  if (credential.mechanism !== undefined) parts.push(`mechanism: ${JSON.stringify(credential.mechanism)}`);
  parts.push(`mechanismProperties: ${describeProperties(credential.mechanismProperties)}`);
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
