/**
 * Connection string parsing per the MongoDB Connection String specification: scheme, userinfo, hosts,
 * database and options, each percent-decoded, the options validated per the URI Options specification
 * (`uri-options.ts`). No credential rules live here (see `credential.ts`).
 *
 * Error messages never quote the userinfo, and never quote host text either, because a password with an
 * unescaped delimiter can end up parsed as a host.
 *
 * @module
 */
import { MongoAuthError } from "../core/errors.ts";
import {
  checkOptionRules,
  isSecretValued,
  isUriOptionName,
  type OptionPair,
  parseUriOptions,
  type UriOptions,
} from "./uri-options.ts";
import { printingPrototype, REDACTED, redactedProperties } from "./redaction.ts";

/** The port a host without an explicit port gets. */
const DEFAULT_PORT = 27017;

/**
 * One server address of a connection string.
 *
 * @example An IPv6 host with its port
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseConnectionString } from "@mongo-auth/core";
 *
 * const [address] = parseConnectionString("mongodb://[::1]:27018").hosts;
 * assert.deepEqual(address, { host: "::1", port: 27018 });
 * ```
 */
export interface HostAddress {
  /**
   * Host name (lower-cased), IPv4 address, IPv6 address without its brackets, or the path of a UNIX domain
   * socket (percent-encoded in the connection string, case kept; it contains `/` and ends in `.sock`).
   */
  readonly host: string;
  /** TCP port, 27017 when the connection string gave none; 0 for a UNIX domain socket. */
  readonly port: number;
}

/**
 * The parts of a `mongodb://` or `mongodb+srv://` connection string, percent-decoded.
 *
 * `username` is present (possibly `""`) exactly when the string has userinfo (an `@` before the hosts),
 * which the auth specification reads as a request to authenticate.
 *
 * @example The decoded parts of a connection string
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseConnectionString } from "@mongo-auth/core";
 *
 * const cs = parseConnectionString("mongodb://alice:p%40ss@db1,db2:27018/app?authSource=admin");
 * assert.equal(cs.scheme, "mongodb");
 * assert.equal(cs.password, "p@ss");
 * assert.equal(cs.database, "app");
 * assert.equal(cs.options.get("authsource"), "admin");
 * assert.deepEqual(cs.warnings, []);
 * ```
 */
export interface ConnectionString {
  /** `mongodb`, or `mongodb+srv` (the one host is then an SRV service name, resolved later). */
  readonly scheme: "mongodb" | "mongodb+srv";
  /** At least one address; for `mongodb+srv` exactly one, whose `port` is only a placeholder. */
  readonly hosts: readonly HostAddress[];
  /** Decoded username; `""` for `mongodb://@host`, absent without userinfo. */
  readonly username?: string;
  /** Decoded password; `""` for `user:@host`, absent when the userinfo has no `:`. */
  readonly password?: string;
  /** Decoded database from the path; absent when the path is missing or empty. */
  readonly database?: string;
  /**
   * The valid options as text: canonical name ASCII-lower-cased → decoded value (the last instance of a
   * repeated key). Unknown options and ignored values are left out (see `warnings`).
   */
  readonly options: ReadonlyMap<string, string>;
  /** The valid options, typed, under their canonical names (`connectTimeoutMS: 2000`, `tls: true`). */
  readonly parsedOptions: UriOptions;
  /**
   * What the Connection String spec says to warn about, as sentences: unknown or misspelt options, values
   * an option does not accept, repeated and deprecated options. Each was ignored (the last of repeated
   * keys wins). Warnings name options, never their values. mongo-auth logs nothing: show them yourself.
   */
  readonly warnings: readonly string[];
}

/**
 * Parses a connection string per the MongoDB Connection String specification.
 *
 * The `/` between the hosts and the options may be left out (`mongodb://host?w=1`). Options are validated
 * per the URI Options spec: an unknown option or a value an option does not accept is ignored and
 * reported in `warnings` (never logged); options in conflict are errors. Printed (`String`,
 * `JSON.stringify`, Node's and Deno's `inspect`), the result shows `<redacted>` for the password and the
 * values of `proxyPassword`, `tlsCertificateKeyFilePassword` and `AWS_SESSION_TOKEN`; the fields hold them.
 * A UNIX domain socket path (`%2Ftmp%2Fmongodb-27017.sock`) is a host with port 0 (`connect()` dials it on
 * Deno, Node.js and Bun).
 *
 * @param uri the connection string
 * @returns its decoded parts
 * @throws {MongoAuthError} `INVALID_URI` when the string is malformed: missing or unknown scheme, userinfo
 * with an unescaped `@`, `/`, `?`, second `:` or bad `%` escape, no host, a bad port, an unbracketed IPv6
 * address, an unescaped `/` in a host, `mongodb+srv` with several hosts, a port or a socket path, a
 * database name with a forbidden character, or an option without `=`.
 * @throws {MongoAuthError} `INVALID_OPTION` when options conflict: `tls` and `ssl` disagreeing (or `tls`
 * repeated with another value, or not `true`/`false`), `tlsInsecure` with an option it implies,
 * `directConnection=true` with several hosts or `mongodb+srv`, `loadBalanced=true` with several hosts,
 * `replicaSet` or `directConnection=true`, `srvServiceName` or `srvMaxHosts` on `mongodb://`, a positive
 * `srvMaxHosts` with `replicaSet` or `loadBalanced=true`, and the SOCKS5 proxy rules.
 *
 * @example Hosts, ports and options
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseConnectionString } from "@mongo-auth/core";
 *
 * const cs = parseConnectionString("mongodb://db1.example.com,[::1]:27018/?replicaSet=rs0");
 * assert.deepEqual(cs.hosts, [{ host: "db1.example.com", port: 27017 }, { host: "::1", port: 27018 }]);
 * assert.equal(cs.options.get("replicaset"), "rs0");
 * assert.equal(cs.username, undefined);
 * ```
 *
 * @example Unknown options are warnings, conflicting ones errors
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseConnectionString } from "@mongo-auth/core";
 *
 * const cs = parseConnectionString("mongodb://db.example.com?authSorce=admin&connectTimeoutMS=soon");
 * assert.deepEqual(cs.warnings, [
 *   'the option "authSorce" in the connection string is not a known option and was ignored (did you mean authSource?)',
 *   "the value of connectTimeoutMS in the connection string is not an integer ≥ 0 and was ignored",
 * ]);
 * assert.throws(() => parseConnectionString("mongodb://db.example.com/?tls=true&tls=false"), {
 *   code: "INVALID_OPTION",
 * });
 * ```
 *
 * @example A password with a reserved character must be percent-encoded
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseConnectionString } from "@mongo-auth/core";
 *
 * assert.throws(() => parseConnectionString("mongodb://alice:a@b@localhost"), { code: "INVALID_URI" });
 * assert.equal(parseConnectionString("mongodb://alice:a%40b@localhost").password, "a@b");
 * ```
 */
export function parseConnectionString(uri: string): ConnectionString {
  if (typeof uri !== "string") throw new MongoAuthError("INVALID_URI", notAString(uri));
  // As the official driver's URL parser, white space around the string (the line break of a file or an
  // environment variable it was read from) is no part of it.
  const trimmed = uri.replace(OUTER_WHITE_SPACE, "");
  const { scheme, rest } = splitScheme(trimmed);
  const { authority, path, query } = splitSections(rest);
  const at = authority.lastIndexOf("@");
  const userinfo = at === -1 ? undefined : parseUserinfo(authority.slice(0, at));
  const hosts = parseHosts(authority.slice(at + 1), scheme);
  const database = parseDatabase(path);
  const options = parseUriOptions(splitOptions(query));
  checkOptionRules(options.values, options.given, {
    srv: scheme === "mongodb+srv",
    hostCount: scheme === "mongodb+srv" ? undefined : hosts.length,
  });
  const cs = Object.create(PRINTS_REDACTED);
  cs.scheme = scheme;
  cs.hosts = hosts;
  if (userinfo?.username !== undefined) cs.username = userinfo.username;
  if (userinfo?.password !== undefined) cs.password = userinfo.password;
  if (database !== undefined) cs.database = database;
  cs.options = options.texts;
  cs.parsedOptions = options.values;
  cs.warnings = trimmed === uri ? options.warnings : [TRIMMED, ...options.warnings];
  return cs;
}

// C0 controls and space, as the WHATWG URL parser strips them: control characters are the point here.
// deno-lint-ignore no-control-regex
const OUTER_WHITE_SPACE = /^[\u0000-\u0020]+|[\u0000-\u0020]+$/g;
const TRIMMED =
  "the connection string had white space (a line break, say) before or after it, which was ignored";

// What printing shows (String, JSON, the inspectors): the password and the values of secret options
// (proxyPassword, tlsCertificateKeyFilePassword, AWS_SESSION_TOKEN) as <redacted>; the options as an object.
function printable(cs: ConnectionString): Record<string, unknown> {
  const shown = (name: string, value: unknown) =>
    name === "authMechanismProperties" && typeof value === "object" && value !== null
      ? redactedProperties(value as Record<string, unknown>)
      : isSecretValued(name)
      ? REDACTED
      : value;
  return {
    ...cs,
    ...(cs.password !== undefined && { password: REDACTED }),
    options: Object.fromEntries(
      [...cs.options].map(([name, value]) => [name, isSecretValued(name) ? REDACTED : value]),
    ),
    parsedOptions: Object.fromEntries(
      Object.entries(cs.parsedOptions).map(([name, value]) => [name, shown(name, value)]),
    ),
  };
}

// Every parsed connection string prints through it; the fields stay plain data.
const PRINTS_REDACTED = printingPrototype("ConnectionString", printable);

// Most often an environment variable that was never set (an .env file not loaded): the official driver's
// "The "url" argument must be of type string. Received undefined" leaves that to be guessed.
function notAString(value: unknown): string {
  return value === undefined || value === null
    ? `the connection string is ${value}: is the environment variable or secret meant to hold it set here (its ` +
      "name, the .env file loaded)?"
    : `the connection string must be a string, got ${typeof value}`;
}

// What most often stands where the scheme should: quotes, a variable's name, capitals, a slash short, another
// scheme, or none. Only a scheme is repeated, never the rest (it may hold a password).
function schemeAdvice(uri: string): string {
  if (uri === "") return ": it is empty (an environment variable empty or not set?)";
  if (/^["'`]/.test(uri)) {
    return ": remove the quotes around it (a shell, an .env file or JSON may have kept them)";
  }
  const assignment = /^([a-z_]\w*)=/i.exec(uri);
  if (assignment) return `: it starts with "${assignment[1]}=", so pass only what follows the '='`;
  if (/^mongodb(\+srv)?:\/\//i.test(uri)) return ": write the scheme in lower case";
  if (/^mongodb(\+srv)?:/i.test(uri)) return ": write two slashes after the colon";
  const scheme = /^([a-z][\w+.-]*):\/\//i.exec(uri)?.[1].toLowerCase();
  if (scheme === undefined) {
    return ": put mongodb:// before the host, or mongodb+srv:// before an Atlas cluster's name";
  }
  return `, not ${scheme}://` +
    (/^https?$/.test(scheme) ? " (a web page's: Atlas's Connect dialog gives the string)" : "");
}

/** Removes and checks the scheme. */
function splitScheme(uri: string): { scheme: ConnectionString["scheme"]; rest: string } {
  for (const scheme of ["mongodb", "mongodb+srv"] as const) {
    const prefix = `${scheme}://`;
    if (uri.startsWith(prefix)) return { scheme, rest: uri.slice(prefix.length) };
  }
  throw new MongoAuthError(
    "INVALID_URI",
    `the connection string must start with mongodb:// or mongodb+srv://${schemeAdvice(uri)}`,
  );
}

/**
 * Splits `userinfo@hosts/database?options` the way the specification does: at the first `/`, then the
 * path at the first `?`; a `?` before any `/` starts the options directly (`mongodb://host?w=1`, valid
 * since 2023). A `/` or `?` typed unescaped in the password would land elsewhere, so those cases are
 * recognised here and reported as userinfo errors.
 */
function splitSections(rest: string): { authority: string; path?: string; query?: string } {
  const slash = rest.indexOf("/");
  const beforeSlash = slash === -1 ? rest : rest.slice(0, slash);
  const questionInAuthority = beforeSlash.indexOf("?");
  if (questionInAuthority !== -1) {
    const hostsAndOptions = !beforeSlash.includes("@", questionInAuthority) ||
      startsOptions(beforeSlash.slice(0, questionInAuthority), beforeSlash.slice(questionInAuthority + 1));
    if (!hostsAndOptions) throw userinfoNotEncoded(beforeSlash.slice(0, questionInAuthority), "?");
    return { authority: rest.slice(0, questionInAuthority), query: rest.slice(questionInAuthority + 1) };
  }
  const tail = slash === -1 ? undefined : rest.slice(slash + 1);
  const question = tail === undefined ? -1 : tail.indexOf("?");
  const path = question === -1 ? tail : tail!.slice(0, question);
  const query = question === -1 ? undefined : tail!.slice(question + 1);
  if (path?.includes("@")) throw userinfoNotEncoded(beforeSlash, "/");
  return { authority: beforeSlash, path, query };
}

// Hosts as a connection string lists them: names or [IPv6] literals, each with an optional port.
const HOST = String.raw`(\[[^\]]*\]|[^:,[\]]+)(:\d+)?`;
const HOST_LIST = new RegExp(`^${HOST}(,${HOST})*$`);

// Whether a '?' with an '@' after it (and no '/' before it) starts the options, as in Azure Cosmos DB's
// `…:10255?ssl=true&appName=@account@`, rather than standing unescaped in a password: what precedes it ends in
// a host list and what follows begins with an option's name and '='.
function startsOptions(before: string, after: string): boolean {
  return HOST_LIST.test(before.slice(before.lastIndexOf("@") + 1)) && /^[a-z]\w*=/i.test(after);
}

/** Checks and decodes `username[:password]`. */
function parseUserinfo(userinfo: string): { username: string; password?: string } {
  const reserved = /[@/?#[\]]/.exec(userinfo);
  if (reserved) throw userinfoNotEncoded(userinfo.slice(0, reserved.index), reserved[0]);
  const colon = userinfo.indexOf(":");
  const second = colon === -1 ? -1 : userinfo.indexOf(":", colon + 1);
  if (second !== -1) throw userinfoNotEncoded(userinfo.slice(0, second), ":");
  const percent = BARE_PERCENT.exec(userinfo);
  if (percent) throw userinfoNotEncoded(userinfo.slice(0, percent.index), "%");
  const username = decode(colon === -1 ? userinfo : userinfo.slice(0, colon), "the username or password");
  if (colon === -1) return { username };
  return { username, password: decode(userinfo.slice(colon + 1), "the username or password") };
}

/**
 * The error for userinfo that needed percent-encoding: whether the username or the password holds which
 * character, and how to write it. Never quotes the userinfo itself.
 *
 * @param before the userinfo before the character (a `:` in it: the character is in the password)
 * @param char the character
 */
function userinfoNotEncoded(before: string, char: string): MongoAuthError {
  const part = char === ":"
    ? "the username or password"
    : before.includes(":")
    ? "the password"
    : "the username";
  const bare = char === "%" ? " not followed by two hex digits" : char === ":" ? " (a second one)" : "";
  return new MongoAuthError(
    "INVALID_URI",
    `${part} in the connection string holds a '${char}'${bare}, which must be percent-encoded there ` +
      `(${encodeURIComponent(char)}): encode the username and password with encodeURIComponent`,
  );
}

/** Parses the comma-separated host list. */
function parseHosts(list: string, scheme: ConnectionString["scheme"]): HostAddress[] {
  if (list === "") throw new MongoAuthError("INVALID_URI", "the connection string names no host");
  const hosts = list.split(",").map((text, index) => parseHost(text, index + 1));
  if (scheme === "mongodb+srv") checkSrvHost(list, hosts.length);
  return hosts;
}

/** `mongodb+srv` names exactly one SRV service and no port (Initial DNS Seedlist Discovery spec). */
function checkSrvHost(list: string, count: number): void {
  if (count !== 1) {
    throw new MongoAuthError("INVALID_URI", "a mongodb+srv:// connection string must name exactly one host");
  }
  if (list.includes(":")) {
    throw new MongoAuthError(
      "INVALID_URI",
      "a mongodb+srv:// host must not have a port (its SRV records give the ports): remove it, or write " +
        "mongodb://host:port to reach that one server",
    );
  }
  if (/%2f/i.test(list)) {
    throw new MongoAuthError("INVALID_URI", "a mongodb+srv:// host must be a DNS name, not a socket path");
  }
}

/**
 * Parses `host`, `host:port`, `[ipv6]`, `[ipv6]:port` or a percent-encoded UNIX domain socket path;
 * `position` (1-based) names it in errors.
 */
function parseHost(text: string, position: number): HostAddress {
  const where = `host #${position}`;
  if (text.startsWith("[")) return parseIpLiteral(text, where);
  if (/%2f/i.test(text)) return parseSocketPath(text, where);
  const colon = text.indexOf(":");
  if (colon !== -1 && text.indexOf(":", colon + 1) !== -1) {
    throw new MongoAuthError(
      "INVALID_URI",
      `${where} has more than one ':'; write an IPv6 address in brackets, like [::1]:27017`,
    );
  }
  const name = decode(colon === -1 ? text : text.slice(0, colon), where);
  checkHostName(name, where);
  const port = colon === -1 ? DEFAULT_PORT : parsePort(text.slice(colon + 1), where);
  return { host: name.toLowerCase(), port };
}

/** Parses a bracketed IPv6 literal with an optional port. */
function parseIpLiteral(text: string, where: string): HostAddress {
  const close = text.indexOf("]");
  if (close === -1) throw new MongoAuthError("INVALID_URI", `${where} opens '[' without a closing ']'`);
  const address = decode(text.slice(1, close), where);
  if (!/^[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(%[^%\s]+)?$/.test(address)) {
    throw new MongoAuthError("INVALID_URI", `${where} is not a valid IPv6 address inside [ ]`);
  }
  const after = text.slice(close + 1);
  if (after !== "" && !after.startsWith(":")) {
    throw new MongoAuthError("INVALID_URI", `${where} must be [address] or [address]:port`);
  }
  const port = after === "" ? DEFAULT_PORT : parsePort(after.slice(1), where);
  return { host: address.toLowerCase(), port };
}

/** A UNIX domain socket: its decoded path, case kept, which must end in `.sock` (Connection String spec). */
function parseSocketPath(text: string, where: string): HostAddress {
  const path = decode(text, where);
  if (!path.endsWith(".sock")) {
    throw new MongoAuthError(
      "INVALID_URI",
      `${where} looks like a UNIX domain socket path (it has an encoded '/') but does not end in .sock`,
    );
  }
  return { host: path, port: 0 };
}

/** Rejects empty names, unescaped socket paths and characters no host name can have. */
function checkHostName(name: string, where: string): void {
  if (name === "") throw new MongoAuthError("INVALID_URI", `${where} is empty`);
  if (name.includes("/")) {
    throw new MongoAuthError(
      "INVALID_URI",
      `${where} contains '/': percent-encode a UNIX domain socket path (%2Ftmp%2Fmongodb-27017.sock)`,
    );
  }
  if (/[\s@?#[\]%]/.test(name)) {
    throw new MongoAuthError("INVALID_URI", `${where} contains a character a host name cannot have`);
  }
}

/** A port is all digits, 1 to 65535. */
function parsePort(text: string, where: string): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= 1 && port <= 65535)) {
    throw new MongoAuthError("INVALID_URI", `the port of ${where} must be an integer from 1 to 65535`);
  }
  return port;
}

/** Decodes the database; the specification forbids `/ \ space " $` in it. */
function parseDatabase(path: string | undefined): string | undefined {
  if (path === undefined || path === "") return undefined;
  const database = decode(path, "the database name");
  if (/[/\\ "$]/.test(database)) {
    // Where LDAP, X.509, AWS and OIDC users live is no database of data: the path is not where it goes.
    const external = database === "$external"
      ? ": users in $external are named with authSource=$external in the options (the path names a database " +
        "of data, and is left out)"
      : "";
    throw new MongoAuthError(
      "INVALID_URI",
      "the database name in the connection string must not contain '/', '\\', ' ', '\"' or '$'" + external,
    );
  }
  return database;
}

/**
 * Splits `key=value&key=value` into decoded pairs, in order. A pair without `=` is an error; it is only
 * quoted when it is a known option's name, since it may be the tail of a password split at an `&`.
 */
function splitOptions(query: string | undefined): OptionPair[] {
  const pairs: OptionPair[] = [];
  if (query === undefined) return pairs;
  for (const pair of query.split("&")) {
    if (pair === "") continue; // tolerate `?` alone and a trailing `&`
    const equals = pair.indexOf("=");
    if (equals === -1) {
      const known = isUriOptionName(pair);
      throw new MongoAuthError(
        "INVALID_URI",
        `${known ? `option '${pair}'` : "an option"} has no '='; write key=value (key= for an empty value)` +
          (known ? "" : ", and percent-encode an '&' inside a value as %26"),
      );
    }
    const key = decode(pair.slice(0, equals), "an option name");
    pairs.push({ key, value: decode(pair.slice(equals + 1), `the value of option '${key}'`) });
  }
  return pairs;
}

/** True when every `%` starts a `%XX` escape. */
function isValidPercentEncoding(text: string): boolean {
  return !BARE_PERCENT.test(text);
}

/** A `%` that does not start a percent-encoded byte. */
const BARE_PERCENT = /%(?![0-9A-Fa-f]{2})/;

/** Percent-decodes `text`; `what` names the part in errors (the text itself is never quoted). */
function decode(text: string, what: string): string {
  // Most names and passwords have no escape: nothing to check or decode.
  if (!text.includes("%")) return text;
  if (!isValidPercentEncoding(text)) {
    throw new MongoAuthError(
      "INVALID_URI",
      `${what} has a '%' that does not start a %XX escape; write '%' as %25`,
    );
  }
  try {
    return decodeURIComponent(text);
  } catch {
    throw new MongoAuthError("INVALID_URI", `${what} is not valid percent-encoded UTF-8`);
  }
}
