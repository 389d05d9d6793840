/**
 * The credential: built from a connection string and MongoClient-style options, validated and given
 * its defaults per the MongoDB Driver Authentication specification, then frozen.
 *
 * Precedence: a field given in {@link AuthOptions} replaces the same field of the connection string;
 * `authMechanismProperties` are merged key by key, the options winning. `username`/`password` win over
 * `auth.username`/`auth.password` (the Node driver's spelling), which win over the URI's userinfo.
 *
 * A printed credential never shows its password or its AWS session token: `String()`, `JSON.stringify()`,
 * Node's `util.inspect` (and so `console.log` in Node and Bun) and `Deno.inspect` all print `<redacted>`.
 * The values themselves stay readable, since the mechanisms need them.
 *
 * @module
 */
import { MongoAuthError } from "./errors.ts";
import { type ConnectionString, parseConnectionString } from "./uri.ts";
import { splitKeyValuePairs } from "./uri-options.ts";
import { freezeCredential } from "./credential-redaction.ts";
import type { AwsCredentialProvider } from "./aws/credentials.ts";
import type { OidcCallback } from "./oidc/callback.ts";

/**
 * An authentication mechanism, spelled as the server and the connection string spell it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type AuthMechanism, parseCredential } from "@mongo-auth/core";
 *
 * const mechanism: AuthMechanism | undefined = parseCredential(
 *   "mongodb://localhost/?authMechanism=MONGODB-X509",
 * )?.mechanism;
 * assert.equal(mechanism, "MONGODB-X509");
 * ```
 */
export type AuthMechanism =
  | "SCRAM-SHA-256"
  | "SCRAM-SHA-1"
  | "MONGODB-X509"
  | "MONGODB-AWS"
  | "MONGODB-OIDC"
  | "PLAIN"
  | "GSSAPI";

/**
 * Authentication options, as the official drivers' MongoClient options name them. Each one given
 * replaces the connection string's value; `authMechanismProperties` merge key by key.
 *
 * `authMechanismProperties` is an object, or a `"KEY:value,KEY:value"` string as in a connection string
 * (split at every `,` and at the first `:` of each pair). Properties that are functions or arrays
 * (`OIDC_CALLBACK`, `OIDC_HUMAN_CALLBACK`, `AWS_CREDENTIAL_PROVIDER`, `ALLOWED_HOSTS`), and values that
 * contain a comma (a `TOKEN_RESOURCE` URL, say), can only be given in the object form.
 *
 * @example
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
   * patterns). Default {@link DEFAULT_ALLOWED_HOSTS}. Options only.
   */
  ALLOWED_HOSTS?: readonly string[];
  /** MONGODB-OIDC: where the token comes from, built in: `test`, `azure`, `gcp` or `k8s`. */
  ENVIRONMENT?: "test" | "azure" | "gcp" | "k8s";
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
 * A validated, frozen credential. Printing it (`String`, `JSON.stringify`, `util.inspect`,
 * `Deno.inspect`) shows `<redacted>` in place of the password and of `AWS_SESSION_TOKEN`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCredential } from "@mongo-auth/core";
 *
 * const credential = parseCredential("mongodb://alice:s3cret@localhost/app")!;
 * assert.equal(credential.password, "s3cret");
 * assert.ok(!JSON.stringify(credential).includes("s3cret"));
 * assert.ok(Object.isFrozen(credential));
 * ```
 */
export interface MongoCredential {
  /** The user; absent for mechanisms where it is optional (X509, AWS, OIDC). */
  readonly username?: string;
  /** The password (or AWS secret access key); absent when not given. */
  readonly password?: string;
  /** The database the authentication commands are sent to. */
  readonly source: string;
  /** The mechanism; undefined: negotiate SCRAM-SHA-256 or SCRAM-SHA-1 with the server. */
  readonly mechanism?: AuthMechanism;
  /** Mechanism properties with canonical (upper-case) names and their defaults; `{}` when none. */
  readonly mechanismProperties: Readonly<Record<string, unknown>>;
}

/**
 * The hosts MONGODB-OIDC's human flow may talk to when `ALLOWED_HOSTS` is not given (auth spec).
 * A credential with `OIDC_HUMAN_CALLBACK` and no `ALLOWED_HOSTS` gets this list as `ALLOWED_HOSTS`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_ALLOWED_HOSTS } from "@mongo-auth/core";
 *
 * assert.ok(DEFAULT_ALLOWED_HOSTS.includes("*.mongodb.net"));
 * assert.ok(Object.isFrozen(DEFAULT_ALLOWED_HOSTS));
 * ```
 */
export const DEFAULT_ALLOWED_HOSTS: readonly string[] = Object.freeze([
  "*.mongodb.net",
  "*.mongodb-qa.net",
  "*.mongodb-dev.net",
  "*.mongodbgov.net",
  "localhost",
  "127.0.0.1",
  "::1",
]);

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
 * @example
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
  if (input.authSource === "") {
    throw invalid("authSource must not be empty; remove it or name the database that holds the user");
  }
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
// Mechanisms and their rules.

const MECHANISMS: readonly AuthMechanism[] = [
  "SCRAM-SHA-256",
  "SCRAM-SHA-1",
  "MONGODB-X509",
  "MONGODB-AWS",
  "MONGODB-OIDC",
  "PLAIN",
  "GSSAPI",
];

/** Canonical mechanism from the given name (any case); `DEFAULT` means negotiate, like no mechanism. */
function parseMechanism(name: string | undefined): AuthMechanism | undefined {
  if (name === undefined) return undefined;
  const upper = name.toUpperCase();
  if (upper === "DEFAULT") return undefined;
  const mechanism = MECHANISMS.find((m) => m === upper);
  if (mechanism !== undefined) return mechanism;
  if (upper === "MONGODB-CR") {
    throw invalid("authMechanism MONGODB-CR was removed in MongoDB 4.0; use SCRAM-SHA-256 or SCRAM-SHA-1");
  }
  throw invalid(`unknown authMechanism ${JSON.stringify(name)}; use one of ${MECHANISMS.join(", ")}`);
}

/** Validates a property value and returns it in canonical form. */
type PropertyCheck = (value: unknown, name: string, mechanism: string) => unknown;

/** What a mechanism requires, allows and defaults. */
interface MechanismRules {
  readonly username: "required" | "optional";
  readonly password: "required" | "optional" | "forbidden";
  /** `$external`: the source must be `$external`; otherwise the fallback after the URI database. */
  readonly source: "admin" | "$external-default" | "$external";
  readonly properties: Readonly<Record<string, PropertyCheck>>;
  readonly defaults?: Readonly<Record<string, unknown>>;
  /** Rules across fields (AWS, OIDC); may add defaults to `properties`. */
  readonly check?: (input: CredentialInput, properties: Map<string, unknown>) => void;
}

const SCRAM_RULES: MechanismRules = {
  username: "required",
  password: "required",
  source: "admin",
  properties: {},
};

/** The rules of each mechanism; the key `""` holds those of the negotiated (default) mechanism. */
const RULES: Readonly<Record<AuthMechanism | "", MechanismRules>> = {
  "": SCRAM_RULES,
  "SCRAM-SHA-256": SCRAM_RULES,
  "SCRAM-SHA-1": SCRAM_RULES,
  PLAIN: { username: "required", password: "required", source: "$external-default", properties: {} },
  GSSAPI: {
    username: "required",
    password: "optional",
    source: "$external",
    properties: {
      SERVICE_NAME: nonEmptyString,
      CANONICALIZE_HOST_NAME: canonicalizeHostName,
      SERVICE_REALM: nonEmptyString,
      SERVICE_HOST: nonEmptyString,
    },
    defaults: { SERVICE_NAME: "mongodb" },
  },
  "MONGODB-X509": { username: "optional", password: "forbidden", source: "$external", properties: {} },
  "MONGODB-AWS": {
    username: "optional",
    password: "optional",
    source: "$external",
    properties: { AWS_SESSION_TOKEN: nonEmptyString, AWS_CREDENTIAL_PROVIDER: optionFunction },
    check: checkAws,
  },
  "MONGODB-OIDC": {
    username: "optional",
    password: "forbidden",
    source: "$external",
    properties: {
      ENVIRONMENT: oidcEnvironment,
      TOKEN_RESOURCE: nonEmptyString,
      OIDC_CALLBACK: optionFunction,
      OIDC_HUMAN_CALLBACK: optionFunction,
      ALLOWED_HOSTS: hostList,
    },
    check: checkOidc,
  },
};

/** Every property name any mechanism knows, for case-insensitive lookup. */
const KNOWN_PROPERTIES: ReadonlySet<string> = new Set(
  Object.values(RULES).flatMap((rules) => Object.keys(rules.properties)),
);

/** The canonical (upper-case) name of a known property; an unknown name is kept as given. */
function canonicalName(name: string): string {
  const upper = name.toUpperCase();
  return KNOWN_PROPERTIES.has(upper) ? upper : name;
}

/** Validates `input` against the rules of `mechanism` and freezes the result. */
function buildCredential(input: CredentialInput, mechanism: AuthMechanism | undefined): MongoCredential {
  const label = mechanism ?? "authentication without authMechanism (SCRAM)";
  const rules = RULES[mechanism ?? ""];
  checkUsername(input.username, rules, label);
  checkPassword(input.password, rules, label);
  const source = resolveSource(input, rules, label);
  const properties = resolveProperties(input.properties, rules, label);
  rules.check?.(input, properties);
  return freezeCredential({
    username: input.username,
    password: input.password,
    source,
    mechanism,
    mechanismProperties: Object.fromEntries(properties),
  });
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

function checkPassword(password: string | undefined, rules: MechanismRules, label: string): void {
  if (password === undefined && rules.password === "required") {
    throw invalid(
      `${label} needs a password: put it in the connection string (user:password@host) or options`,
    );
  }
  if (password !== undefined && rules.password === "forbidden") {
    throw invalid(`${label} does not take a password; remove it from the connection string and options`);
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
      throw invalid(`authMechanismProperties ${JSON.stringify(name)} ${what} ${label}; ${hint}`);
    }
    properties.set(name, check(value, name, label));
  }
  return properties;
}

// ---------------------------------------------------------------------------------------------------
// Property checks. Messages name the property, never its value (AWS_SESSION_TOKEN is a secret).

function nonEmptyString(value: unknown, name: string, mechanism: string): string {
  if (typeof value !== "string" || value === "") {
    throw invalid(`${mechanism} property ${name} must be a non-empty string`);
  }
  return value;
}

/** The spec's values, plus the legacy booleans: `true` is forwardAndReverse, `false` is none. */
function canonicalizeHostName(value: unknown, name: string, mechanism: string): string {
  if (value === true || value === "true") return "forwardAndReverse";
  if (value === false || value === "false") return "none";
  if (value === "none" || value === "forward" || value === "forwardAndReverse") return value;
  throw invalid(
    `${mechanism} property ${name} must be "none", "forward", "forwardAndReverse", true or false`,
  );
}

const OIDC_ENVIRONMENTS = ["test", "azure", "gcp", "k8s"];

function oidcEnvironment(value: unknown, name: string, mechanism: string): string {
  if (typeof value !== "string" || !OIDC_ENVIRONMENTS.includes(value)) {
    throw invalid(`${mechanism} property ${name} must be one of ${OIDC_ENVIRONMENTS.join(", ")}`);
  }
  return value;
}

/** Callbacks and providers are functions, so they can only come from the options object. */
function optionFunction(value: unknown, name: string, mechanism: string): unknown {
  if (typeof value !== "function") {
    throw invalid(
      `${mechanism} property ${name} must be a function, given in options.authMechanismProperties ` +
        "(it cannot be given in the connection string)",
    );
  }
  return value;
}

/** ALLOWED_HOSTS must not come from the connection string (auth spec); arrays only exist in options. */
function hostList(value: unknown, name: string, mechanism: string): readonly string[] {
  if (!Array.isArray(value) || !value.every((host) => typeof host === "string" && host !== "")) {
    throw invalid(
      `${mechanism} property ${name} must be an array of host names, given in ` +
        "options.authMechanismProperties (it cannot be given in the connection string)",
    );
  }
  return Object.freeze([...value]);
}

/** MONGODB-AWS: an access key ID and a secret key go together; a session token needs both. */
function checkAws(input: CredentialInput, properties: Map<string, unknown>): void {
  if ((input.username === undefined) !== (input.password === undefined)) {
    throw invalid(
      "MONGODB-AWS needs both a username (access key ID) and a password (secret access key), or neither",
    );
  }
  if (input.password === "") throw invalid("the MONGODB-AWS password (secret access key) must not be empty");
  if (properties.has("AWS_SESSION_TOKEN") && input.username === undefined) {
    throw invalid(
      "MONGODB-AWS AWS_SESSION_TOKEN needs a username and password (access key ID and secret key)",
    );
  }
  if (properties.has("AWS_CREDENTIAL_PROVIDER") && input.username !== undefined) {
    throw invalid("MONGODB-AWS takes either a username and password or AWS_CREDENTIAL_PROVIDER, not both");
  }
}

/** MONGODB-OIDC: one source of tokens; TOKEN_RESOURCE exactly for azure and gcp. */
function checkOidc(input: CredentialInput, properties: Map<string, unknown>): void {
  const environment = properties.get("ENVIRONMENT");
  const callbacks = ["OIDC_CALLBACK", "OIDC_HUMAN_CALLBACK"].filter((name) => properties.has(name));
  if (callbacks.length === 2) {
    throw invalid("MONGODB-OIDC takes OIDC_CALLBACK or OIDC_HUMAN_CALLBACK, not both");
  }
  if (environment !== undefined && callbacks.length > 0) {
    throw invalid(`MONGODB-OIDC takes ENVIRONMENT or ${callbacks[0]}, not both`);
  }
  if (environment === undefined && callbacks.length === 0) {
    throw invalid(
      "MONGODB-OIDC needs ENVIRONMENT (test, azure, gcp, k8s), OIDC_CALLBACK or OIDC_HUMAN_CALLBACK",
    );
  }
  if (environment === "test" && input.username !== undefined) {
    throw invalid("MONGODB-OIDC ENVIRONMENT test does not take a username");
  }
  const needsResource = environment === "azure" || environment === "gcp";
  if (needsResource && !properties.has("TOKEN_RESOURCE")) {
    throw invalid(`MONGODB-OIDC ENVIRONMENT ${environment} needs TOKEN_RESOURCE (the token audience)`);
  }
  if (!needsResource && properties.has("TOKEN_RESOURCE")) {
    throw invalid("MONGODB-OIDC TOKEN_RESOURCE applies only to ENVIRONMENT azure or gcp");
  }
  if (properties.has("OIDC_HUMAN_CALLBACK") && !properties.has("ALLOWED_HOSTS")) {
    properties.set("ALLOWED_HOSTS", DEFAULT_ALLOWED_HOSTS);
  }
}

// ---------------------------------------------------------------------------------------------------

function invalid(message: string): MongoAuthError {
  return new MongoAuthError("INVALID_CREDENTIAL", message);
}

function invalidOption(message: string): MongoAuthError {
  return new MongoAuthError("INVALID_OPTION", message);
}
