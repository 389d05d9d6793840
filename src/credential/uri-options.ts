/**
 * The options of a connection string, per the URI Options specification: every option it lists (plus
 * mongo-auth's own `tlsCA`), the values each accepts, and the rules between options that must be errors.
 *
 * What the Connection String specification asks for, and how it is reported here:
 *
 * - An unknown option, or a value an option does not accept, is ignored with a **warning**.
 *   mongo-auth never logs: warnings are data, on `ConnectionString.warnings` and `Connection.warnings`,
 *   and passed to `onWarning` of `connect()`.
 * - A repeated option warns and the last value wins; `readPreferenceTags` is a list (each instance is a tag
 *   set). Repeated `proxy*` options, and TLS options repeated with different values, are errors.
 * - Conflicting options are errors (`INVALID_OPTION`): `tls` and `ssl` disagreeing, `tlsInsecure` with
 *   any option it implies, `directConnection=true` with several hosts or `mongodb+srv`, `loadBalanced`
 *   with several hosts, `replicaSet` or `directConnection=true`, `srvServiceName`/`srvMaxHosts` without
 *   `mongodb+srv`, a positive `srvMaxHosts` with `replicaSet` or `loadBalanced`, `proxy*` without
 *   `proxyHost`, and a proxy user without a password (or the reverse).
 * - A `tls` or `ssl` value other than `true` or `false` (an empty one included) is an error, not a
 *   warning: ignoring it could send credentials in plaintext.
 *
 * Warnings and errors name options, never their values: a value may be a password.
 *
 * @module
 */
import { MongoAuthError } from "../core/errors.ts";

/**
 * The options of a connection string, validated and typed, under their canonical names. An option the
 * connection string did not give (or gave with a value that was ignored) is absent.
 *
 * `connect()` acts on the TLS options, `connectTimeoutMS`, `socketTimeoutMS`, `appName`, the auth
 * options, `srvServiceName`, `srvMaxHosts` and `maxConnecting` (handshakes in flight per client). Others are validated, as the specification asks, but not
 * acted on: `connect()` opens one connection, it is not a MongoClient (no pool, no server selection, no
 * compression, no write concern). mongo-auth checks revocation only against the lists of `tlsCRLFile` (no
 * OCSP, nor do the runtimes' TLS stacks by default), so `tlsDisableOCSPEndpointCheck` changes nothing, and
 * `tlsDisableCertificateRevocationCheck=true` beside a `tlsCRLFile` is a contradiction.
 *
 * @example Typed options of a connection string
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseConnectionString, type UriOptions } from "@mongo-auth/core";
 *
 * const options: UriOptions = parseConnectionString(
 *   "mongodb://db.example.com/?tls=true&connectTimeoutMS=2000&readPreferenceTags=dc:ny&readPreferenceTags=",
 * ).parsedOptions;
 * assert.equal(options.tls, true);
 * assert.equal(options.connectTimeoutMS, 2000);
 * assert.deepEqual(options.readPreferenceTags, [{ dc: "ny" }, {}]);
 * ```
 */
export interface UriOptions {
  /** Application name sent in hello (`connect()` refuses more than 128 bytes of UTF-8). */
  readonly appName?: string;
  /** The authentication mechanism (checked by the credential rules, not here). */
  readonly authMechanism?: string;
  /** Mechanism properties, `KEY:value` pairs split at `,` and at the first `:`. */
  readonly authMechanismProperties?: Readonly<Record<string, string>>;
  /** The database that holds the user. */
  readonly authSource?: string;
  /** Compressors the client would accept (mongo-auth compresses nothing). */
  readonly compressors?: readonly string[];
  /** Milliseconds to connect, hello and authenticate; 0: no timeout. */
  readonly connectTimeoutMS?: number;
  /** Connect to the one host only (Single topology). */
  readonly directConnection?: boolean;
  /** Client backpressure: overload retargeting. */
  readonly enableOverloadRetargeting?: boolean;
  /** Server monitoring interval, at least 500. */
  readonly heartbeatFrequencyMS?: number;
  /** Write concern `j`. */
  readonly journal?: boolean;
  /** Connect through a load balancer. */
  readonly loadBalanced?: boolean;
  /** Server selection latency window. */
  readonly localThresholdMS?: number;
  /** Client backpressure: retries on overload. */
  readonly maxAdaptiveRetries?: number;
  /** Pool: connections being established at once (positive). */
  readonly maxConnecting?: number;
  /** Pool: idle time before a connection is closed. */
  readonly maxIdleTimeMS?: number;
  /** Pool: maximum size (0: no maximum). */
  readonly maxPoolSize?: number;
  /**
   * Read preference staleness in seconds: -1 (no limit) or a whole number; `connect()` refuses 0, a
   * positive value with mode primary, and less than 90 against a replica set, as the Max Staleness spec
   * says (so this parser keeps them, rather than ignore them with a warning and read from stale members).
   */
  readonly maxStalenessSeconds?: number;
  /** Pool: minimum size. */
  readonly minPoolSize?: number;
  /** SOCKS5 proxy host. */
  readonly proxyHost?: string;
  /** SOCKS5 proxy password. */
  readonly proxyPassword?: string;
  /** SOCKS5 proxy port. */
  readonly proxyPort?: number;
  /** SOCKS5 proxy user. */
  readonly proxyUsername?: string;
  /** Read concern level (any string). */
  readonly readConcernLevel?: string;
  /** Read preference mode. */
  readonly readPreference?: string;
  /** Tag sets, one per `readPreferenceTags` instance (`""` is the empty tag set). */
  readonly readPreferenceTags?: readonly Readonly<Record<string, string>>[];
  /** Replica set name. */
  readonly replicaSet?: string;
  /** Retryable reads. */
  readonly retryReads?: boolean;
  /** Retryable writes. */
  readonly retryWrites?: boolean;
  /** `auto`, `stream` or `poll`. */
  readonly serverMonitoringMode?: "auto" | "stream" | "poll";
  /** Server selection timeout (positive). */
  readonly serverSelectionTimeoutMS?: number;
  /** Single-threaded server selection. */
  readonly serverSelectionTryOnce?: boolean;
  /** Milliseconds to wait for each reply after connecting; 0: no timeout. */
  readonly socketTimeoutMS?: number;
  /** `mongodb+srv`: use at most this many SRV hosts, chosen at random (0: all). */
  readonly srvMaxHosts?: number;
  /** `mongodb+srv`: the SRV service name (default `mongodb`). */
  readonly srvServiceName?: string;
  /** Alias of `tls`. */
  readonly ssl?: boolean;
  /** Client-side operation timeout. */
  readonly timeoutMS?: number;
  /** Use TLS. */
  readonly tls?: boolean;
  /** Accept any server certificate (unsafe). */
  readonly tlsAllowInvalidCertificates?: boolean;
  /** Accept a certificate for another host name (unsafe). */
  readonly tlsAllowInvalidHostnames?: boolean;
  /** mongo-auth's own: CA certificates as PEM text. */
  readonly tlsCA?: string;
  /** CA bundle file. */
  readonly tlsCAFile?: string;
  /** Client certificate and key file. */
  readonly tlsCertificateKeyFile?: string;
  /**
   * Certificate revocation lists (PEM) to check the server's certificate chain against, as the official
   * Node.js driver's `tlsCRLFile`: one list for each CA of the chain.
   */
  readonly tlsCRLFile?: string;
  /** Passphrase of the client key. */
  readonly tlsCertificateKeyFilePassword?: string;
  /** Accepted and validated; `true` contradicts a `tlsCRLFile` (an error). mongo-auth does no OCSP. */
  readonly tlsDisableCertificateRevocationCheck?: boolean;
  /** Accepted and validated; mongo-auth checks no revocation. */
  readonly tlsDisableOCSPEndpointCheck?: boolean;
  /** `tlsAllowInvalidCertificates` and `tlsAllowInvalidHostnames` together (unsafe). */
  readonly tlsInsecure?: boolean;
  /** Write concern `w`: a non-negative integer or a tag (`majority`). */
  readonly w?: number | string;
  /** Pool: wait for a connection (positive). */
  readonly waitQueueTimeoutMS?: number;
  /** Write concern `wtimeout`. */
  readonly wTimeoutMS?: number;
  /** zlib level, -1 to 9. */
  readonly zlibCompressionLevel?: number;
}

/** A canonical option name. */
export type UriOptionName = keyof UriOptions;

type Value = NonNullable<UriOptions[UriOptionName]>;

/** How one option's text becomes its value; `undefined` when the text is not a value it accepts. */
interface OptionRule {
  readonly parse: (text: string) => Value | undefined;
  /** What the option accepts, for the warning. */
  readonly accepts: string;
  /** Each instance is one element of a list (`readPreferenceTags`); repeating is not a warning. */
  readonly list?: true;
}

const MAX_INT32 = 2 ** 31 - 1;

function integer(min: number, max = MAX_INT32, also?: number): OptionRule {
  const range = max === MAX_INT32 ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`;
  return {
    accepts: also === undefined ? range : `${also} or ${range}`,
    parse: (text) => {
      if (!/^-?\d+$/.test(text)) return undefined;
      const value = Number(text);
      return value === also || (Number.isSafeInteger(value) && value >= min && value <= max)
        ? value
        : undefined;
    },
  };
}

const BOOLEAN: OptionRule = {
  accepts: "true or false",
  parse: (text) => ({ true: true, false: false } as Record<string, boolean>)[text.toLowerCase()],
};

const STRING: OptionRule = { accepts: "a string", parse: (text) => text };

const LIST: OptionRule = {
  accepts: "a comma-separated list of names",
  parse: (text) => {
    const names = text.split(",");
    return names.every((name) => name !== "") ? names : undefined;
  },
};

const PAIRS: OptionRule = {
  accepts: "KEY:value pairs separated by commas (a value containing a comma cannot be given in the URI)",
  parse: (text) => splitKeyValuePairs(text) ?? undefined,
};

const TAG_SET: OptionRule = {
  accepts: "tag:value pairs separated by commas (empty for the empty tag set)",
  list: true,
  parse: (text) => text === "" ? {} : splitKeyValuePairs(text) ?? undefined,
};

const WRITE_CONCERN_W: OptionRule = {
  accepts: "a non-negative integer or a tag such as majority",
  parse: (text) =>
    /^\d+$/.test(text) ? integer(0).parse(text) : text === "" || text.startsWith("-") ? undefined : text,
};

/**
 * Whether `name` is an SRV service name: RFC 6335 section 5.1 (letters, digits, single inner hyphens, at
 * least one letter), with the seedlist spec's exception that it may be longer than 15 characters as
 * long as `_name` fits one DNS label.
 *
 * @param name a `srvServiceName`
 * @returns true when valid
 */
export function isSrvServiceName(name: string): boolean {
  return /^(?!-)(?!.*--)[A-Za-z0-9-]{1,62}(?<!-)$/.test(name) && /[A-Za-z]/.test(name);
}

const SERVICE_NAME: OptionRule = {
  accepts: "an SRV service name (letters, digits and inner single hyphens, at least one letter)",
  parse: (text) => isSrvServiceName(text) ? text : undefined,
};

function oneOf(...values: string[]): OptionRule {
  return { accepts: values.join(", "), parse: (text) => values.includes(text) ? text : undefined };
}

/** Every option, by canonical name. */
const RULES: { readonly [name in UriOptionName]-?: OptionRule } = {
  appName: STRING, // its 128-byte limit is an error, where connect() checks it (handshake.ts)
  authMechanism: STRING,
  authMechanismProperties: PAIRS,
  authSource: STRING,
  compressors: LIST,
  connectTimeoutMS: integer(0),
  directConnection: BOOLEAN,
  enableOverloadRetargeting: BOOLEAN,
  heartbeatFrequencyMS: integer(500),
  journal: BOOLEAN,
  loadBalanced: BOOLEAN,
  localThresholdMS: integer(0),
  maxAdaptiveRetries: integer(0),
  maxConnecting: integer(1),
  maxIdleTimeMS: integer(0),
  maxPoolSize: integer(0),
  maxStalenessSeconds: integer(0, MAX_INT32, -1),
  minPoolSize: integer(0),
  proxyHost: STRING,
  proxyPassword: STRING,
  proxyPort: integer(0, 65535),
  proxyUsername: STRING,
  readConcernLevel: STRING,
  readPreference: STRING,
  readPreferenceTags: TAG_SET,
  replicaSet: STRING,
  retryReads: BOOLEAN,
  retryWrites: BOOLEAN,
  serverMonitoringMode: oneOf("auto", "stream", "poll"),
  serverSelectionTimeoutMS: integer(1),
  serverSelectionTryOnce: BOOLEAN,
  socketTimeoutMS: integer(0),
  srvMaxHosts: integer(0),
  srvServiceName: SERVICE_NAME,
  ssl: BOOLEAN,
  timeoutMS: integer(0),
  tls: BOOLEAN,
  tlsAllowInvalidCertificates: BOOLEAN,
  tlsAllowInvalidHostnames: BOOLEAN,
  tlsCA: STRING,
  tlsCAFile: STRING,
  tlsCertificateKeyFile: STRING,
  tlsCRLFile: STRING,
  tlsCertificateKeyFilePassword: STRING,
  tlsDisableCertificateRevocationCheck: BOOLEAN,
  tlsDisableOCSPEndpointCheck: BOOLEAN,
  tlsInsecure: BOOLEAN,
  w: WRITE_CONCERN_W,
  waitQueueTimeoutMS: integer(1),
  wTimeoutMS: integer(0, Number.MAX_SAFE_INTEGER),
  zlibCompressionLevel: integer(-1, 9),
};

/** Renamed options: the old name still works, with a warning; when both are given the new one wins. */
const DEPRECATED: Readonly<Record<string, UriOptionName>> = { wtimeout: "wTimeoutMS" };

/** Every canonical name, in a stable order. */
export const URI_OPTION_NAMES: readonly UriOptionName[] = Object.freeze(
  Object.keys(RULES) as UriOptionName[],
);

const BY_LOWER_CASE: ReadonlyMap<string, UriOptionName> = new Map(
  URI_OPTION_NAMES.map((name) => [asciiLowerCase(name), name]),
);

/**
 * Whether `key` names a known option (any letter case, deprecated names included).
 *
 * @param key an option name as given
 * @returns true for a known name
 */
export function isUriOptionName(key: string): boolean {
  const lower = asciiLowerCase(key);
  return BY_LOWER_CASE.has(lower) || DEPRECATED[lower] !== undefined;
}

/** Options whose values are secrets: never quoted, and a key right after one may be part of it. */
const SECRET_VALUED: ReadonlySet<UriOptionName> = new Set([
  "authMechanismProperties",
  "proxyPassword",
  "tlsCertificateKeyFilePassword",
]);

/**
 * Whether an option's value is a secret (`proxyPassword`, `tlsCertificateKeyFilePassword`, and
 * `authMechanismProperties`, which may hold `AWS_SESSION_TOKEN`), by its name in any letter case.
 *
 * @param name the option's name
 * @returns true for an option whose value is never shown
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isSecretValued } from "./uri-options.ts";
 *
 * assert.equal(isSecretValued("proxypassword"), true);
 * assert.equal(isSecretValued("appName"), false);
 * ```
 */
export function isSecretValued(name: string): boolean {
  const canonical = BY_LOWER_CASE.get(asciiLowerCase(name));
  return canonical !== undefined && SECRET_VALUED.has(canonical);
}

/** One `key=value` of the query, both percent-decoded, the key as the user spelled it. */
export interface OptionPair {
  readonly key: string;
  readonly value: string;
}

/** What {@link parseUriOptions} makes of the query. */
export interface ParsedUriOptions {
  /** Valid options, typed. */
  readonly values: UriOptions;
  /** Valid options, lower-cased canonical name → text (last instance). */
  readonly texts: Map<string, string>;
  /** Every option given, valid or not (the conflict rules look at presence). */
  readonly given: ReadonlySet<UriOptionName>;
  readonly warnings: string[];
}

/**
 * Validates the options of a connection string (or of a TXT record), in order.
 *
 * @param pairs the decoded `key=value` pairs, in the order given
 * @param where `"connection string"` or a TXT record's description, for messages
 * @returns the typed values, their texts, what was given, and the warnings
 * @throws {MongoAuthError} `INVALID_OPTION` for a repeated `proxy*` option, a TLS option repeated with
 *   different values, and a `tls` or `ssl` that is neither `true` nor `false`
 */
export function parseUriOptions(pairs: readonly OptionPair[], where = "connection string"): ParsedUriOptions {
  const instances = new Map<UriOptionName, string[]>();
  const spelled = new Map<UriOptionName, string>();
  const warnings: string[] = [];
  const deprecated: [string, UriOptionName, string][] = [];
  let previous: UriOptionName | undefined;
  for (const { key, value } of pairs) {
    const lower = asciiLowerCase(key);
    const name = BY_LOWER_CASE.get(lower);
    if (name !== undefined) {
      // Pushed, not copied: a string repeating an option 100 000 times took minutes when each copied the list.
      const given = instances.get(name);
      if (given) given.push(value);
      else instances.set(name, [value]);
      spelled.set(name, key);
    } else if (DEPRECATED[lower] !== undefined) {
      deprecated.push([key, DEPRECATED[lower], value]);
    } else {
      warnings.push(unknownOptionWarning(key, previous, where));
    }
    previous = name;
  }
  for (const [key, replacement, value] of deprecated) {
    if (instances.has(replacement)) {
      warnings.push(`the deprecated option ${key} was ignored: ${replacement} is also given and wins`);
    } else {
      warnings.push(`the option ${key} is deprecated; write ${replacement} instead`);
      instances.set(replacement, [value]);
      spelled.set(replacement, key);
    }
  }

  const values: Record<string, Value> = {};
  const texts = new Map<string, string>();
  for (const [name, given] of instances) {
    const rule = RULES[name];
    const key = spelled.get(name)!;
    if (rule.list) {
      const list = given.map((text) => rule.parse(text)).filter((value) => value !== undefined);
      if (list.length < given.length) warnings.push(ignoredValueWarning(key, rule, where, "an instance of"));
      if (list.length > 0) {
        values[name] = list as Value;
        texts.set(asciiLowerCase(name), given.at(-1)!);
      }
      continue;
    }
    checkRepeated(name, given, where);
    if (given.length > 1) {
      warnings.push(`the option ${key} is given ${given.length} times in the ${where}; the last wins`);
    }
    const text = given.at(-1)!;
    if (text === "" && NOT_EMPTY.has(name)) throw emptyValue(key, where);
    const value = text === "" && rule !== STRING && rule !== PAIRS ? undefined : rule.parse(text);
    if (value === undefined) {
      if (name === "tls" || name === "ssl") {
        throw new MongoAuthError(
          "INVALID_OPTION",
          `the option ${key} must be true or false; ignoring it could mean plaintext, so it is an error`,
        );
      }
      warnings.push(
        text === ""
          ? `the option ${key} has an empty value in the ${where} and was ignored`
          : ignoredValueWarning(key, rule, where) + inMilliseconds(name, rule, text),
      );
      continue;
    }
    values[name] = value;
    texts.set(asciiLowerCase(name), text);
  }
  return { values: values as UriOptions, texts, given: new Set(instances.keys()), warnings };
}

// Options whose empty value names nothing that could work (a set called "", a file called ""), and which ignoring
// would turn into another deployment or another trust: most often a template's variable that was not set.
const NOT_EMPTY: ReadonlySet<UriOptionName> = new Set([
  "replicaSet",
  "tlsCAFile",
  "tlsCertificateKeyFile",
  "tlsCRLFile",
]);

function emptyValue(key: string, where: string): MongoAuthError {
  return new MongoAuthError(
    "INVALID_OPTION",
    `the option ${key} is empty in the ${where}: give it a value or remove it (is the variable meant to fill ` +
      "it set?)",
  );
}

/** Repeated proxy options are errors (SOCKS5 spec tests); so are TLS options repeated with different values. */
function checkRepeated(name: UriOptionName, given: readonly string[], where: string): void {
  if (given.length < 2) return;
  if (name.startsWith("proxy")) {
    throw new MongoAuthError(
      "INVALID_OPTION",
      `${name} is given more than once in the ${where}; give it once`,
    );
  }
  const isTls = name === "ssl" || name.startsWith("tls");
  if (isTls && new Set(given.map((text) => text.toLowerCase())).size > 1) {
    throw new MongoAuthError(
      "INVALID_OPTION",
      `${name} is given more than once in the ${where} with different values; give it once`,
    );
  }
}

// The Stable API's option and command fields, which users copy into connection strings.
const STABLE_API_NAMES: ReadonlySet<string> = new Set(
  ["serverApi", "apiVersion", "apiStrict", "apiDeprecationErrors"].map(asciiLowerCase),
);

function unknownOptionWarning(key: string, previous: UriOptionName | undefined, where: string): string {
  if (previous !== undefined && SECRET_VALUED.has(previous)) {
    // Likely the rest of a secret value split at an unescaped '&': never quote it.
    return `an unknown option right after ${previous} in the ${where} was ignored; if the value of ` +
      `${previous} contains '&', percent-encode it as %26`;
  }
  if (STABLE_API_NAMES.has(asciiLowerCase(key))) {
    return `the option ${JSON.stringify(key)} in the ${where} was ignored: a Stable API version is ` +
      `declared in code, never in a connection string (the Stable API specification); pass ` +
      `serverApi: { version: "1" } to connect()`;
  }
  const suggestion = suggestName(key, URI_OPTION_NAMES);
  // A name no option has is quoted when it reads as one: a connection string or userinfo pasted into the query
  // (its '@', ':' and '/') may carry a password.
  const quoted = /[@:/]/.test(key)
    ? "(not shown: it is no option's name)"
    : JSON.stringify(key.length > 64 ? `${key.slice(0, 64)}…` : key);
  return `the option ${quoted} in the ${where} is not a known option and was ignored` +
    (suggestion ? ` (did you mean ${suggestion}?)` : "");
}

// The *MS options count milliseconds; "10s" or "2m" is a duration written as elsewhere (Go, systemd). No option
// whose name ends in MS holds a secret, so its value may be worked out in the warning.
function inMilliseconds(name: UriOptionName, rule: OptionRule, text: string): string {
  const duration = /^(\d+(?:\.\d+)?)\s*(ms|s|m|min)$/i.exec(text);
  if (!name.endsWith("MS") || !duration) return "";
  const scale: Record<string, number> = { ms: 1, s: 1000, m: 60_000, min: 60_000 };
  const ms = String(Math.round(Number(duration[1]) * scale[duration[2].toLowerCase()]));
  // Only a value the option takes is worth suggesting (heartbeatFrequencyMS=0.1s would be 100, under its 500).
  return rule.parse(ms) === undefined ? "" : `: it counts milliseconds, so write ${name}=${ms}`;
}

function ignoredValueWarning(key: string, rule: OptionRule, where: string, prefix = "the value of"): string {
  return `${prefix} ${key} in the ${where} is not ${rule.accepts} and was ignored`;
}

/**
 * Splits `KEY:value,KEY:value` at every `,` and each pair at its first `:` (a value may hold `:`, as in
 * `TOKEN_RESOURCE:api://app`). Empty pairs are skipped.
 *
 * @param text the option's value
 * @returns key → value, or `undefined` when a pair has no `:` or an empty key
 */
export function splitKeyValuePairs(text: string): Record<string, string> | undefined {
  const pairs: Record<string, string> = {};
  for (const pair of text.split(",")) {
    if (pair === "") continue;
    const colon = pair.indexOf(":");
    if (colon <= 0) return undefined;
    pairs[pair.slice(0, colon)] = pair.slice(colon + 1);
  }
  return pairs;
}

/** Where the hosts come from, for the rules that depend on them. */
export interface TopologyFacts {
  /** `mongodb+srv://` */
  readonly srv: boolean;
  /** How many hosts: the connection string's, or the SRV records'; unknown before SRV resolution. */
  readonly hostCount?: number;
}

/**
 * The rules between options that the URI Options, Initial DNS Seedlist Discovery, Load Balancer and
 * SOCKS5 specifications make errors.
 *
 * @param values the options' values
 * @param given every option given (present even when its value was ignored)
 * @param facts the scheme and, once known, the number of hosts
 * @throws {MongoAuthError} `INVALID_OPTION` naming the options in conflict
 */
export function checkOptionRules(values: UriOptions, given: ReadonlySet<string>, facts: TopologyFacts): void {
  checkTlsRules(values, given);
  const conflict = (message: string) => {
    throw new MongoAuthError("INVALID_OPTION", message);
  };
  if (values.directConnection === true) {
    if (facts.srv) {
      conflict("directConnection=true cannot be used with mongodb+srv://, which may name several hosts");
    }
    if ((facts.hostCount ?? 1) > 1) conflict("directConnection=true needs exactly one host");
  }
  if (!facts.srv) {
    for (let i = 0; i < SRV_ONLY.length; i++) {
      if (given.has(SRV_ONLY[i])) {
        conflict(`${SRV_ONLY[i]} applies only to mongodb+srv:// connection strings; remove it`);
      }
    }
  }
  const srvMaxHosts = values.srvMaxHosts ?? 0;
  if (srvMaxHosts > 0 && values.replicaSet !== undefined) {
    conflict("a positive srvMaxHosts cannot be combined with replicaSet");
  }
  if (values.loadBalanced === true) {
    if ((facts.hostCount ?? 1) > 1) {
      conflict(
        `loadBalanced=true needs exactly one host (the load balancer)` +
          (facts.srv ? `; the SRV records give ${facts.hostCount}` : ""),
      );
    }
    if (values.replicaSet !== undefined) conflict("loadBalanced=true cannot be combined with replicaSet");
    if (values.directConnection === true) {
      conflict("loadBalanced=true cannot be combined with directConnection=true");
    }
    if (srvMaxHosts > 0) conflict("loadBalanced=true cannot be combined with a positive srvMaxHosts");
  }
  checkProxyRules(values, given);
}

// Read by index in the rules below, which run three times per connect(): a for-of over an array literal
// allocated the array and its iterator each time.
const SRV_ONLY: readonly UriOptionName[] = ["srvServiceName", "srvMaxHosts"];
const NEED_PROXY_HOST: readonly UriOptionName[] = ["proxyPort", "proxyUsername", "proxyPassword"];

/** Pairs of options that must not both appear (URI Options spec, "Conflicting TLS options"). */
const TLS_CONFLICTS: readonly (readonly [UriOptionName, UriOptionName])[] = [
  ["tlsInsecure", "tlsAllowInvalidCertificates"],
  ["tlsInsecure", "tlsAllowInvalidHostnames"],
  ["tlsInsecure", "tlsDisableOCSPEndpointCheck"],
  ["tlsInsecure", "tlsDisableCertificateRevocationCheck"],
  ["tlsAllowInvalidCertificates", "tlsDisableOCSPEndpointCheck"],
  ["tlsAllowInvalidCertificates", "tlsDisableCertificateRevocationCheck"],
  ["tlsDisableOCSPEndpointCheck", "tlsDisableCertificateRevocationCheck"],
];

function checkTlsRules(values: UriOptions, given: ReadonlySet<string>): void {
  for (let i = 0; i < TLS_CONFLICTS.length; i++) {
    const a = TLS_CONFLICTS[i][0], b = TLS_CONFLICTS[i][1];
    if (given.has(a) && given.has(b)) {
      throw new MongoAuthError(
        "INVALID_OPTION",
        `${a} and ${b} cannot both be given: ${
          a === "tlsInsecure" ? `tlsInsecure already sets ${b}` : "they overlap"
        }; keep one`,
      );
    }
  }
  if (values.tls !== undefined && values.ssl !== undefined && values.tls !== values.ssl) {
    throw new MongoAuthError("INVALID_OPTION", "tls and ssl are aliases and must not disagree");
  }
}

function checkProxyRules(values: UriOptions, given: ReadonlySet<string>): void {
  const present = (name: UriOptionName) => given.has(name) && values[name] !== "";
  if (!given.has("proxyHost")) {
    for (let i = 0; i < NEED_PROXY_HOST.length; i++) {
      if (given.has(NEED_PROXY_HOST[i])) {
        throw new MongoAuthError("INVALID_OPTION", `${NEED_PROXY_HOST[i]} needs proxyHost`);
      }
    }
  }
  if (present("proxyUsername") !== present("proxyPassword")) {
    throw new MongoAuthError(
      "INVALID_OPTION",
      "proxyUsername and proxyPassword go together; give both or neither",
    );
  }
}

/**
 * The known name closest to `name`: the same letters in another case, or one to two edits away.
 *
 * @param name an unknown option name
 * @param known the names it may be a misspelling of
 * @returns the suggestion, or `undefined`
 */
export function suggestName(name: string, known: readonly string[]): string | undefined {
  const lower = asciiLowerCase(name);
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const limit = Math.min(2, Math.floor(candidate.length / 4));
    // Lengths further apart than the limit: no spelling is that close. Skipped without the quadratic
    // distance, which a 100 KB key had made seconds long.
    if (Math.abs(lower.length - candidate.length) > limit) continue;
    const distance = editDistance(lower, asciiLowerCase(candidate), limit);
    if (distance <= limit && (!best || distance < best.distance)) {
      best = { name: candidate, distance };
    }
  }
  return best?.name;
}

// Levenshtein distance with adjacent transpositions counted as one edit, over three rows of the table, given
// up (limit + 1) once a whole row is past `limit`: the whole table per call made a string of many unknown
// options cost seconds.
function editDistance(a: string, b: string, limit: number): number {
  let before = new Array<number>(b.length + 1).fill(0); // row i - 2
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j); // row i - 1
  let current = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let rowMinimum = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let cell = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        cell = Math.min(cell, before[j - 2] + 1);
      }
      current[j] = cell;
      if (cell < rowMinimum) rowMinimum = cell;
    }
    if (rowMinimum > limit) return limit + 1;
    const oldest = before;
    before = previous;
    previous = current;
    current = oldest;
  }
  return previous[b.length];
}

/** Lower-cases ASCII A–Z only, as the Connection String spec normalises keys. */
export function asciiLowerCase(text: string): string {
  // On ASCII text toLowerCase is the same and far cheaper than a replace with a callback; beyond ASCII it
  // would also change letters such as the Kelvin sign or a dotted İ, which no option name may match.
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 127) return text.replace(/[A-Z]/g, (c) => c.toLowerCase());
  }
  return text.toLowerCase();
}
