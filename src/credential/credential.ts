/**
 * The credential: built from a connection string and MongoClient-style options, validated and given
 * its defaults per the MongoDB Driver Authentication specification, then frozen.
 *
 * Precedence: a field given in {@link AuthOptions} replaces the same field of the connection string;
 * `authMechanismProperties` are merged key by key, the options winning. `username`/`password` win over
 * `auth.username`/`auth.password` (the Node driver's spelling), which win over the URI's userinfo.
 *
 * A printed credential never shows its password or its AWS session token: `String()`, `JSON.stringify()`,
 * Node's `util.inspect` (and so `console.log` in Node and Bun) and Deno's `inspect` all print `<redacted>`.
 * The values themselves stay readable, since the mechanisms need them.
 *
 * @module
 */
import { MongoAuthError } from "../core/errors.ts";
import { type ConnectionString, parseConnectionString } from "./connection-string.ts";
import { splitKeyValuePairs } from "./uri-options.ts";
import { freezeCredential } from "./redaction.ts";
import { AUTH_MECHANISMS, type AuthMechanism, type MongoCredential } from "./mongo-credential.ts";
import { invalidCredential, type MechanismRules } from "./rules.ts";
import { SCRAM_RULES } from "./scram.ts";
import { PLAIN_RULES } from "./plain.ts";
import { GSSAPI_RULES } from "./gssapi.ts";
import { X509_RULES } from "./x509.ts";
import { AWS_RULES, type AwsCredentialProvider } from "./aws.ts";
import { OIDC_RULES, type OidcEnvironment } from "./oidc.ts";
import type { OidcCallback } from "./oidc-callback.ts";

/**
 * Authentication options, as the official drivers' MongoClient options name them. Each one given
 * replaces the connection string's value; `authMechanismProperties` merge key by key.
 *
 * `authMechanismProperties` is an object, or a `"KEY:value,KEY:value"` string as in a connection string
 * (split at every `,` and at the first `:` of each pair). Properties that are functions or arrays
 * (`OIDC_CALLBACK`, `OIDC_HUMAN_CALLBACK`, `AWS_CREDENTIAL_PROVIDER`, `ALLOWED_HOSTS`), and values that
 * contain a comma (a `TOKEN_RESOURCE` URL, say), can only be given in the object form.
 *
 * @example Options replace the connection string's fields
 * ```ts
 * import assert from "node:assert/strict";
 * import { type AuthOptions, parseCredential } from "@mongo-auth/core";
 *
 * const options: AuthOptions = { username: "alice", password: "s3cret", authSource: "app" };
 * assert.equal(parseCredential("mongodb://localhost", options)?.source, "app");
 * ```
 */
export interface AuthOptions {
  /** The username; replaces the connection string's. */
  username?: string;
  /** The password; replaces the connection string's. */
  password?: string;
  /** The Node driver's spelling of `username`/`password`; those two win over it. */
  auth?: { username?: string; password?: string };
  /** The database that holds the user. */
  authSource?: string;
  /** The mechanism (any letter case); omitted: negotiated with the server. */
  authMechanism?: AuthMechanism | string;
  /** Mechanism properties: an object, or `"KEY:value,KEY:value"`. */
  authMechanismProperties?: AuthMechanismProperties | string;
}

/**
 * `authMechanismProperties` as an object: every property any mechanism takes, typed, so callbacks get
 * their parameter types without annotations. Names are case-insensitive, as in the connection string
 * (`environment` is `ENVIRONMENT`); the index signature lets the other spellings through, and
 * {@link parseCredential} refuses a name no mechanism knows.
 *
 * @example An OIDC callback, fully typed
 * ```ts
 * import assert from "node:assert/strict";
 * import { type AuthMechanismProperties, parseCredential } from "@mongo-auth/core";
 *
 * const properties: AuthMechanismProperties = {
 *   OIDC_CALLBACK: (params) => Promise.resolve({ accessToken: `token-v${params.version}` }),
 * };
 * const credential = parseCredential("mongodb://db.example.net/?authMechanism=MONGODB-OIDC", {
 *   authMechanismProperties: properties,
 * })!;
 * assert.equal(typeof credential.mechanismProperties.OIDC_CALLBACK, "function");
 * ```
 */
export interface AuthMechanismProperties {
  /** MONGODB-OIDC: returns a token for a workload (machine flow). Options only. */
  OIDC_CALLBACK?: OidcCallback;
  /** MONGODB-OIDC: signs a person in with the identity provider the server names. Options only. */
  OIDC_HUMAN_CALLBACK?: OidcCallback;
  /**
   * MONGODB-OIDC with `OIDC_HUMAN_CALLBACK`: the hosts the human flow may talk to (`*.example.net`
   * patterns). Default `DEFAULT_ALLOWED_HOSTS`. Options only.
   */
  ALLOWED_HOSTS?: readonly string[];
  /** MONGODB-OIDC: where the token comes from, built in: `test`, `azure`, `gcp` or `k8s`. */
  ENVIRONMENT?: OidcEnvironment;
  /** MONGODB-OIDC with `ENVIRONMENT` `azure` or `gcp`: the token's audience. */
  TOKEN_RESOURCE?: string;
  /** MONGODB-AWS: returns AWS credentials, in place of the built-in chain. Options only. */
  AWS_CREDENTIAL_PROVIDER?: AwsCredentialProvider;
  /** MONGODB-AWS: the session token of temporary keys given as username and password. */
  AWS_SESSION_TOKEN?: string;
  /** GSSAPI: the Kerberos service name (default `mongodb`). */
  SERVICE_NAME?: string;
  /** GSSAPI: how to canonicalize the host name. */
  CANONICALIZE_HOST_NAME?: boolean | "none" | "forward" | "forwardAndReverse";
  /** GSSAPI: the Kerberos realm of the service. */
  SERVICE_REALM?: string;
  /** GSSAPI: the host name to use in place of the connected host's. */
  SERVICE_HOST?: string;
  /** Any spelling of the names above (they are case-insensitive). */
  [name: string]: unknown;
}

/**
 * Builds the credential of a connection string and options, validated per the MongoDB auth spec.
 *
 * Defaults: `source` is `authSource`, else the URI database or `"admin"` (SCRAM, negotiated) or
 * `"$external"` (PLAIN); always `"$external"` for GSSAPI, MONGODB-X509, MONGODB-AWS and MONGODB-OIDC.
 * GSSAPI gets `SERVICE_NAME: "mongodb"`; `CANONICALIZE_HOST_NAME` `true`/`false` become
 * `"forwardAndReverse"`/`"none"`. Mechanism names and property names are case-insensitive.
 *
 * In a connection string, `authMechanismProperties` is split at every comma, even a percent-encoded one,
 * so a `TOKEN_RESOURCE` containing `,` must be given in `options.authMechanismProperties`; a `:` in the
 * value is fine (`TOKEN_RESOURCE:api://app`). A connection string whose `authMechanismProperties` has a
 * pair without `:` gets that option ignored, with a warning (Connection String spec); in
 * `options.authMechanismProperties` the same string is an error.
 *
 * @param uri a `mongodb://` or `mongodb+srv://` connection string
 * @param options MongoClient-style options that replace the connection string's values
 * @returns the frozen credential, or `undefined` when nothing asks for authentication (no userinfo,
 * no mechanism, no username or password in the options)
 * @throws {MongoAuthError} `INVALID_URI` for a malformed connection string; `INVALID_CREDENTIAL` when
 * the credential breaks the spec's rules (missing username or password, forbidden password, wrong
 * `authSource` for `$external` mechanisms, unknown mechanism or property, bad property value);
 * `INVALID_OPTION` when an option has the wrong type
 *
 * @example SCRAM with the URI database as source
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCredential } from "@mongo-auth/core";
 *
 * const credential = parseCredential("mongodb://alice:s3cret@localhost/app")!;
 * assert.equal(credential.source, "app");
 * assert.equal(credential.mechanism, undefined); // negotiated with the server
 * assert.equal(String(credential).includes("s3cret"), false);
 * ```
 *
 * @example Options replace the connection string
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCredential } from "@mongo-auth/core";
 *
 * const credential = parseCredential(
 *   "mongodb://localhost/?authMechanism=MONGODB-OIDC&authMechanismProperties=ENVIRONMENT:azure",
 *   { authMechanismProperties: { TOKEN_RESOURCE: "api://app,other" } },
 * )!;
 * assert.deepEqual(credential.mechanismProperties, { ENVIRONMENT: "azure", TOKEN_RESOURCE: "api://app,other" });
 * assert.equal(credential.source, "$external");
 * ```
 *
 * @example Invalid credentials throw
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCredential } from "@mongo-auth/core";
 *
 * assert.throws(() => parseCredential("mongodb://user:pass@localhost/?authMechanism=MONGODB-X509"), {
 *   code: "INVALID_CREDENTIAL",
 * });
 * assert.equal(parseCredential("mongodb://localhost/app"), undefined);
 * ```
 */
export function parseCredential(uri: string, options?: AuthOptions): MongoCredential | undefined {
  return credentialFromConnectionString(parseConnectionString(uri), options);
}

/**
 * {@link parseCredential} for a connection string already parsed with `parseConnectionString`.
 *
 * @param connectionString the parsed connection string
 * @param options MongoClient-style options that replace the connection string's values
 * @returns the frozen credential, or `undefined` when nothing asks for authentication
 * @throws {MongoAuthError} `INVALID_CREDENTIAL` or `INVALID_OPTION`, as {@link parseCredential}
 *
 * @example From a connection string parsed once
 * ```ts
 * import assert from "node:assert/strict";
 * import { credentialFromConnectionString, parseConnectionString } from "@mongo-auth/core";
 *
 * const cs = parseConnectionString("mongodb://localhost/?authMechanism=MONGODB-AWS");
 * const credential = credentialFromConnectionString(cs, { username: "AKIDEXAMPLE", password: "secret" })!;
 * assert.equal(credential.username, "AKIDEXAMPLE");
 * assert.equal(credential.source, "$external");
 * ```
 */
export function credentialFromConnectionString(
  connectionString: ConnectionString,
  options: AuthOptions = {},
): MongoCredential | undefined {
  return credentialWithSrvDefaults(connectionString, options, {});
}

/**
 * {@link credentialFromConnectionString} with the defaults a `mongodb+srv` TXT record gave.
 *
 * A TXT `authSource` (Atlas publishes `authSource=admin`) is a default for the mechanisms whose users
 * live in a database: SCRAM, named or negotiated. It is not applied to the mechanisms that authenticate
 * against `$external` (MONGODB-X509, MONGODB-AWS, MONGODB-OIDC, GSSAPI), as the official Node driver
 * does, nor to PLAIN, whose default `$external` is what LDAP users need (Node applies it to PLAIN; an
 * LDAP user on Atlas would then be looked up in `admin`). An `authSource` given in the connection string
 * or the options wins over the TXT record for every mechanism.
 *
 * @param connectionString the parsed connection string
 * @param options MongoClient-style options
 * @param srv what the TXT record set, if anything
 * @returns the frozen credential, or `undefined` when nothing asks for authentication
 * @throws {MongoAuthError} as {@link credentialFromConnectionString}
 */
export function credentialWithSrvDefaults(
  connectionString: ConnectionString,
  options: AuthOptions,
  srv: { readonly authSource?: string },
): MongoCredential | undefined {
  const input = gatherInput(connectionString, options);
  checkAuthSource(input.authSource);
  const requested = input.username !== undefined || input.password !== undefined ||
    input.mechanismName !== undefined;
  if (!requested) {
    if (input.properties.size > 0) {
      throw invalid("authMechanismProperties were given without authMechanism; add authMechanism");
    }
    return undefined; // the auth spec: a database or authSource alone does not ask for authentication
  }
  const mechanism = parseMechanism(input.mechanismName);
  if (input.authSource === undefined && RULES[mechanism ?? ""].source === "admin") {
    input.authSource = srv.authSource;
  }
  return buildCredential(input, mechanism);
}

/** Where a credential's authentication database came from, and why; see {@link authSourceOrigin}. */
export interface AuthSourceOrigin {
  /** Which rule picked it. */
  readonly origin:
    | "authSource option"
    | "connection string authSource"
    | "TXT record"
    | "connection string database"
    | "mechanism default";
  /** Why, in words that name the setting. */
  readonly reason: string;
}

/**
 * Why `credential.source` is what it is, by the precedence {@link credentialWithSrvDefaults} applies: for
 * the trace of a login, so a person sees which setting sent the user lookup to which database.
 *
 * @param connectionString the parsed connection string
 * @param options the options the credential was built with
 * @param srv what the TXT record set, if anything
 * @param credential the credential built from them
 * @returns the origin and the reason
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseConnectionString } from "./connection-string.ts";
 * import { authSourceOrigin, credentialFromConnectionString } from "./credential.ts";
 *
 * const cs = parseConnectionString("mongodb://bob:pw@db.example.net/app");
 * const credential = credentialFromConnectionString(cs)!;
 * assert.equal(authSourceOrigin(cs, {}, {}, credential).origin, "connection string database");
 * ```
 */
export function authSourceOrigin(
  connectionString: ConnectionString,
  options: AuthOptions,
  srv: { readonly authSource?: string },
  credential: MongoCredential,
): AuthSourceOrigin {
  const rules = RULES[credential.mechanism ?? ""];
  const label = credential.mechanism ?? "SCRAM";
  const db = JSON.stringify(credential.source);
  if (options.authSource !== undefined && options.authSource !== null) {
    return { origin: "authSource option", reason: `the authSource option names ${db}` };
  }
  if (connectionString.parsedOptions.authSource !== undefined) {
    return {
      origin: "connection string authSource",
      reason: `authSource=${credential.source} in the connection string`,
    };
  }
  if (rules.source === "$external") {
    return { origin: "mechanism default", reason: `${label} users live in $external` };
  }
  if (rules.source === "admin" && srv.authSource !== undefined) {
    return { origin: "TXT record", reason: `the mongodb+srv TXT record sets authSource=${srv.authSource}` };
  }
  if (connectionString.database !== undefined) {
    return {
      origin: "connection string database",
      reason:
        `no authSource is given, so the connection string's database (/${connectionString.database}) is used`,
    };
  }
  return {
    origin: "mechanism default",
    reason: `no authSource and no database in the connection string: ${label}'s default is ${db}`,
  };
}

/**
 * The credential as the rules want it: one {@link parseCredential} made is returned as it is; any other
 * object (a driver author may build a `MongoCredential` by hand) is run through the same rules, with the
 * same errors, and comes back frozen. What `authenticate` does before a mechanism sees a credential.
 *
 * @param credential the credential to authenticate
 * @returns a validated, frozen credential
 * @throws {MongoAuthError} `INVALID_CREDENTIAL` when it breaks a rule, as {@link parseCredential} would
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkedCredential } from "./credential.ts";
 *
 * const byHand = { source: "$external", mechanism: "MONGODB-OIDC" as const, mechanismProperties: {} };
 * assert.throws(() => checkedCredential(byHand), { code: "INVALID_CREDENTIAL", message: /needs ENVIRONMENT/ });
 * ```
 */
export function checkedCredential(credential: MongoCredential): MongoCredential {
  if (built.has(credential)) return credential;
  if (credential === null || typeof credential !== "object") {
    throw invalid("the credential must be an object: build it with parseCredential");
  }
  const mechanism = parseMechanism(credential.mechanism);
  const rules = RULES[mechanism ?? ""];
  const username = givenText(credential, "username", rules.username);
  const password = givenText(credential, "password", rules.password);
  const source = givenText(credential, "source", "required");
  checkAuthSource(source);
  return buildCredential({
    username,
    password,
    authSource: source,
    properties: canonicalProperties(credential.mechanismProperties ?? {}),
  }, mechanism);
}

// A field of a credential built by hand: a string, or absent (undefined or null). The official driver's
// MongoCredential holds "" for a username or password it was not given (MONGODB-X509, MONGODB-AWS,
// MONGODB-OIDC): where the mechanism does not require one, "" is absent too.
function givenText(
  credential: MongoCredential,
  name: "username" | "password" | "source",
  rule: "required" | "optional" | "forbidden",
): string | undefined {
  const value: unknown = credential[name];
  if (value === undefined || value === null || (value === "" && rule !== "required")) return undefined;
  if (typeof value !== "string") {
    throw invalid(`the credential's ${name} must be a string, got ${typeof value}`);
  }
  return value;
}

// ---------------------------------------------------------------------------------------------------
// Gathering: the connection string's values, replaced by the options'.

/** Everything the credential is built from, after precedence, before validation. */
interface CredentialInput {
  username?: string;
  password?: string;
  authSource?: string;
  mechanismName?: string;
  database?: string;
  /** Canonical property name (or the given name, when unknown) → value. */
  properties: Map<string, unknown>;
}

/** Applies the documented precedence: options, then `options.auth`, then the connection string. */
function gatherInput(cs: ConnectionString, options: AuthOptions): CredentialInput {
  if (options === null || typeof options !== "object") {
    throw invalidOption("the options must be an object");
  }
  const auth = options.auth ?? undefined; // null counts as absent
  if (auth !== undefined && typeof auth !== "object") {
    throw invalidOption("options.auth must be an object with username and password");
  }
  const properties = canonicalProperties(cs.parsedOptions.authMechanismProperties ?? {});
  for (const [name, value] of propertiesFromOption(options.authMechanismProperties)) {
    properties.set(name, value);
  }
  return {
    username: stringOption(options.username, "username") ?? stringOption(auth?.username, "auth.username") ??
      cs.username,
    password: stringOption(options.password, "password") ?? stringOption(auth?.password, "auth.password") ??
      cs.password,
    authSource: stringOption(options.authSource, "authSource") ?? cs.parsedOptions.authSource,
    mechanismName: stringOption(options.authMechanism, "authMechanism") ?? cs.parsedOptions.authMechanism,
    database: cs.database,
    properties,
  };
}

/** A string option, or undefined when absent (`null` counts as absent). */
function stringOption(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw invalidOption(`${name} must be a string`);
  return value;
}

/** `options.authMechanismProperties`, in either form, as canonical name → value. */
function propertiesFromOption(value: unknown): Map<string, unknown> {
  if (value === undefined || value === null) return new Map();
  if (typeof value === "string") {
    const pairs = splitKeyValuePairs(value);
    if (pairs === undefined) {
      throw invalid('authMechanismProperties must be "KEY:value" pairs separated by commas');
    }
    return canonicalProperties(pairs);
  }
  if (typeof value !== "object" || Array.isArray(value)) {
    throw invalidOption('authMechanismProperties must be an object or a "KEY:value,KEY:value" string');
  }
  return canonicalProperties(value as Record<string, unknown>);
}

/** Properties under their canonical names. */
function canonicalProperties(value: Readonly<Record<string, unknown>>): Map<string, unknown> {
  const properties = new Map<string, unknown>();
  for (const [name, item] of Object.entries(value)) properties.set(canonicalName(name), item);
  return properties;
}

// ---------------------------------------------------------------------------------------------------
// Mechanisms and their rules: each family's in its own file.

/** The rules of each mechanism; the key `""` holds those of the negotiated (default) mechanism. */
const RULES: Readonly<Record<AuthMechanism | "", MechanismRules>> = {
  "": SCRAM_RULES,
  "SCRAM-SHA-256": SCRAM_RULES,
  "SCRAM-SHA-1": SCRAM_RULES,
  PLAIN: PLAIN_RULES,
  GSSAPI: GSSAPI_RULES,
  "MONGODB-X509": X509_RULES,
  "MONGODB-AWS": AWS_RULES,
  "MONGODB-OIDC": OIDC_RULES,
};

// What an error offers instead of a wrong name: GSSAPI parses, but no runtime here logs in with it.
const OFFERED = AUTH_MECHANISMS.filter((mechanism) => mechanism !== "GSSAPI").join(", ");

/** Canonical mechanism from the given name (any case); `DEFAULT` means negotiate, like no mechanism. */
function parseMechanism(name: string | undefined): AuthMechanism | undefined {
  if (name === undefined || name === null) return undefined;
  if (typeof name !== "string") {
    throw invalid(`the mechanism must be a string, one of ${OFFERED}; got ${typeof name}`);
  }
  const upper = name.toUpperCase();
  if (upper === "DEFAULT") return undefined;
  const mechanism = AUTH_MECHANISMS.find((m) => m === upper);
  if (mechanism !== undefined) return mechanism;
  if (upper === "MONGODB-CR") {
    throw invalid("authMechanism MONGODB-CR was removed in MongoDB 4.0; use SCRAM-SHA-256 or SCRAM-SHA-1");
  }
  // A name is repeated; whatever else stands in its place (a connection string pasted there) may hold a secret.
  const shown = /^[A-Za-z0-9_-]{1,40}$/.test(name)
    ? JSON.stringify(name)
    : "(not shown: it is no mechanism's name)";
  throw invalid(`unknown authMechanism ${shown}; use one of ${OFFERED}`);
}

/**
 * Whether a credential of the mechanism named (any case; undefined or `DEFAULT`: negotiated, SCRAM) must carry a
 * password, by the auth specification's rules: SCRAM and PLAIN.
 *
 * @param mechanismName the `authMechanism` as given
 * @returns true when a credential without a password is refused
 * @throws {MongoAuthError} `INVALID_CREDENTIAL` for a name that is no mechanism
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { passwordRequired } from "./credential.ts";
 *
 * assert.equal(passwordRequired(undefined), true);
 * assert.equal(passwordRequired("default"), true);
 * assert.equal(passwordRequired("MONGODB-X509"), false);
 * ```
 */
export function passwordRequired(mechanismName: string | undefined): boolean {
  return RULES[parseMechanism(mechanismName) ?? ""].password === "required";
}

/** Every property name any mechanism knows, for case-insensitive lookup. */
const KNOWN_PROPERTIES: ReadonlySet<string> = new Set(
  Object.values(RULES).flatMap((rules) => Object.keys(rules.properties)),
);

/** The canonical (upper-case) name of a known property; an unknown name is kept as given. */
function canonicalName(name: string): string {
  const upper = name.toUpperCase();
  return KNOWN_PROPERTIES.has(upper) ? upper : name;
}

/** The credentials built here: {@link checkedCredential} takes them as they are. */
const built = new WeakSet<MongoCredential>();

/** Validates `input` against the rules of `mechanism` and freezes the result. */
function buildCredential(input: CredentialInput, mechanism: AuthMechanism | undefined): MongoCredential {
  const label = mechanism ?? "authentication without authMechanism (SCRAM)";
  const rules = RULES[mechanism ?? ""];
  checkUsername(input.username, rules, label);
  checkPassword(input, rules, label);
  const source = resolveSource(input, rules, label);
  const properties = resolveProperties(input.properties, rules, label);
  rules.check?.(input, properties);
  const credential = freezeCredential({
    username: input.username,
    password: input.password,
    source,
    mechanism,
    mechanismProperties: Object.fromEntries(properties),
  });
  built.add(credential);
  return credential;
}

function checkUsername(username: string | undefined, rules: MechanismRules, label: string): void {
  if (username === undefined && rules.username === "required") {
    throw invalid(
      `${label} needs a username: put it in the connection string (user:password@host) or options`,
    );
  }
  if (username === "") {
    throw invalid(
      `the username must not be empty for ${label} (an '@' in the connection string asks for authentication)`,
    );
  }
}

function checkPassword(
  { username, password }: { username?: string; password?: string },
  rules: MechanismRules,
  label: string,
): void {
  if (password === undefined && rules.password === "required") {
    // mongosh asks for a password left out of its connection string, so a string that works there may have none.
    const whose = username === undefined ? "" : `user "${username}" has no password: `;
    throw invalid(
      `${whose}${label} needs a password: put it in the connection string (user:password@host) or options ` +
        "(mongosh asks for one left out; a program cannot)",
    );
  }
  if (password !== undefined && rules.password === "forbidden") {
    throw invalid(`${label} does not take a password; remove it from the connection string and options`);
  }
}

function checkAuthSource(authSource: string | undefined): void {
  if (authSource === "") {
    throw invalid("authSource must not be empty; remove it or name the database that holds the user");
  }
}

/** The explicit authSource, or the mechanism's default; `$external` mechanisms accept nothing else. */
function resolveSource(input: CredentialInput, rules: MechanismRules, label: string): string {
  if (rules.source === "$external") {
    if (input.authSource !== undefined && input.authSource !== "$external") {
      throw invalid(`${label} authenticates against $external; remove authSource or set it to $external`);
    }
    return "$external";
  }
  const fallback = rules.source === "admin" ? "admin" : "$external";
  return input.authSource ?? input.database ?? fallback;
}

/** Checks each property against the mechanism's allowed ones, normalises values, adds defaults. */
function resolveProperties(
  given: Map<string, unknown>,
  rules: MechanismRules,
  label: string,
): Map<string, unknown> {
  const properties = new Map<string, unknown>(Object.entries(rules.defaults ?? {}));
  for (const [name, value] of given) {
    const check = rules.properties[name];
    if (check === undefined) {
      const allowed = Object.keys(rules.properties);
      const hint = allowed.length === 0 ? "it takes none" : `it takes ${allowed.join(", ")}`;
      const what = KNOWN_PROPERTIES.has(name) ? "does not apply to" : "is not a property of";
      const read = rules.fromEnvironment?.(name) ?? "";
      throw invalid(`authMechanismProperties ${JSON.stringify(name)} ${what} ${label}; ${hint}${read}`);
    }
    properties.set(name, check(value, name, label));
  }
  return properties;
}

function invalid(message: string): MongoAuthError {
  return invalidCredential(message);
}

function invalidOption(message: string): MongoAuthError {
  return new MongoAuthError("INVALID_OPTION", message);
}
