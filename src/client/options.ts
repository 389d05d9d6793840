/**
 * The options of `connect()`: MongoClient-style options merged with the connection string's,
 * options winning, validated into the settings the transport and handshake use.
 *
 * @module
 */
import type { AuthCacheStore } from "../auth/cache-store.ts";
import type { AuthOptions } from "../credential/credential.ts";
import { MongoAuthError } from "../core/errors.ts";
import { definedFields } from "../core/options.ts";
import { checkAppName, checkDriverInfo, type DriverInfo } from "./handshake.ts";
import { DEFAULT_MAX_CONNECTING } from "./handshake-gate.ts";
import type { RuntimeEnv } from "../core/runtime-env.ts";
import type { TraceListener } from "../core/trace.ts";
import { checkMaxIterations } from "../mechanisms/scram/client.ts";
import type { ConnectionString } from "../credential/connection-string.ts";
import {
  checkOptionRules,
  isSrvServiceName,
  suggestName,
  URI_OPTION_NAMES,
  type UriOptions,
} from "../credential/uri-options.ts";
import type { ProxySettings, TlsSettings, Transport } from "./transport.ts";
import { apiParameters, type ServerApi, type ServerApiVersion } from "./server-api.ts";
import type { ApiParameters } from "../wire/command.ts";
import { type Compressor, SUPPORTED_COMPRESSORS } from "../wire/compression.ts";
import {
  type ReadPreference,
  readPreferenceFrom,
  type ReadPreferenceMode,
  type TagSet,
} from "../topology/read-preference.ts";

/**
 * Options of `connect()`. Each may also be given in the connection string (same name, any case) except
 * `tlsCertificateKey`, `serverApi`, `signal`, `env`, `dnsOverHttps`, `cacheStore`, `onWarning`, `onEvent` and `explain`; an option given
 * here wins over the connection string's. Names here are case-sensitive: a key that is not one of these
 * (`connectTimeoutMs`, say) is ignored with a warning that suggests the right name.
 *
 * @example Options, and warnings as they are found
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ConnectOptions } from "@mongo-auth/core";
 *
 * const warnings: string[] = [];
 * const options: ConnectOptions = {
 *   appName: "billing",
 *   connectTimeoutMS: 5_000,
 *   onWarning: (message) => warnings.push(message),
 * };
 * assert.equal(typeof options.onWarning, "function");
 * ```
 */
export interface ConnectOptions extends AuthOptions {
  /** Use TLS. Default: `false`, or `true` for `mongodb+srv://`. `ssl` is an alias. */
  tls?: boolean;
  /** Alias of `tls`. */
  ssl?: boolean;
  /** CA bundle file (PEM) to verify the server with. Default: the runtime's trust store. */
  tlsCAFile?: string;
  /** CA bundle as PEM text, for runtimes without files. */
  tlsCA?: string;
  /** Client certificate and private key in one PEM file (MONGODB-X509). */
  tlsCertificateKeyFile?: string;
  /** Client certificate and private key as PEM text, for runtimes without files. */
  tlsCertificateKey?: { cert: string; key: string };
  /**
   * Passphrase of an encrypted private key: any encryption OpenSSL writes but RC2 and RC4 (PBES2 with PBKDF2 or
   * scrypt and AES, triple DES or DES; OpenSSL's traditional form; PKCS#12's triple DES; PBES1), on every
   * runtime with files (docs/x509.md).
   */
  tlsCertificateKeyFilePassword?: string;
  /**
   * Certificate revocation lists (PEM, `-----BEGIN X509 CRL-----`) to check the server's certificate
   * chain against: one for each CA of the chain, as OpenSSL checks them. A revoked certificate fails the
   * handshake with `TLS_ERROR`. Node.js and Bun check them in their TLS library, Deno in mongo-auth (its TLS
   * takes no list); Workers cannot (`RUNTIME_UNSUPPORTED`).
   */
  tlsCRLFile?: string;
  /** Accept any server certificate. Unsafe: only for tests against self-signed servers. */
  tlsAllowInvalidCertificates?: boolean;
  /** Accept a certificate issued for another host name. Unsafe. */
  tlsAllowInvalidHostnames?: boolean;
  /** Both of the above. Unsafe. */
  tlsInsecure?: boolean;
  /**
   * Go through the SOCKS5 proxy on this host (a name or an IP address): it connects to the server, by the
   * host name as given, and TLS runs through it end to end. DNS (`mongodb+srv://`) stays local.
   */
  proxyHost?: string;
  /** The SOCKS5 proxy's port. Default 1080. Only with `proxyHost`. */
  proxyPort?: number;
  /** The user name the SOCKS5 proxy wants (RFC 1929), with `proxyPassword`. */
  proxyUsername?: string;
  /** The SOCKS5 proxy's password, with `proxyUsername`. */
  proxyPassword?: string;
  /**
   * Milliseconds to open the socket and complete hello and authentication, per host (0: no timeout).
   * Default 10 000. A human OIDC callback does not count against it: it has its own five minutes.
   */
  connectTimeoutMS?: number;
  /** Milliseconds to wait for each command's reply afterwards (0: forever). Default 60 000. */
  socketTimeoutMS?: number;
  /**
   * The Client Side Operations Timeout: the most milliseconds `connect()` may take as a whole (DNS, the
   * wait for a turn, every host checked, TLS, hello, authentication with any credential fetch or callback
   * it runs), and then each command's timeout in place of `socketTimeoutMS`, sent along as its `maxTimeMS`
   * (not on `getMore`). `connectTimeoutMS` still bounds each host within it. 0: no overall bound, and
   * commands wait forever. Default: unset.
   */
  timeoutMS?: number;
  /**
   * Sent in hello's client metadata (`application.name`), shown in the server log. At most 128 bytes of
   * UTF-8 (the server refuses more).
   */
  appName?: string;
  /**
   * The libraries that wrap mongo-auth (an ODM, a framework), named in hello's client metadata after
   * mongo-auth: `{ name: "my-odm", version: "2.1.0" }`, or a list, the outermost last. Each is appended to
   * `driver.name`, `driver.version` and `platform` with `|`, as the handshake specification has wrapping
   * libraries do (the official driver's `driverInfo`); a repeat is appended once. No field may hold `|`.
   */
  driverInfo?: DriverInfo | readonly DriverInfo[];
  /** `mongodb+srv://`: the SRV service name, `_<name>._tcp.<host>`. Default `mongodb`. */
  srvServiceName?: string;
  /** `mongodb+srv://`: use at most this many of the SRV hosts, picked at random (0: all). Default 0. */
  srvMaxHosts?: number;
  /** Use only members of this replica set: a member of another set is never used. */
  replicaSet?: string;
  /**
   * `true`: connect to exactly the one host given, whatever it is (a secondary included; reads there go
   * with `$readPreference` primaryPreferred). Default: discover the deployment from the host(s).
   */
  directConnection?: boolean;
  /** Connect through a load balancer (the load-balanced handshake); a `mongodb+srv` TXT record may set it. */
  loadBalanced?: boolean;
  /**
   * The member to end on in a replica set, and the `$readPreference` commands carry: `primary` (default),
   * `primaryPreferred`, `secondary`, `secondaryPreferred` or `nearest`.
   */
  readPreference?: ReadPreferenceMode;
  /** Tag sets a member must match (tried in order; `{}` matches any); not with mode primary. */
  readPreferenceTags?: TagSet[];
  /** The most replication lag a secondary may have, in seconds (90 or more; -1: no limit). */
  maxStalenessSeconds?: number;
  /**
   * How long finding the server may take: the checks under way (socket, TLS, hello) end then, whatever
   * `connectTimeoutMS` says (0 included); with `serverSelectionTryOnce=false`, how long to keep looking for
   * a suitable member, rescanning every 500 ms. Authentication on the server found is outside it. Default
   * 30 000.
   */
  serverSelectionTimeoutMS?: number;
  /**
   * `true` (default): one scan of the members, then a member or an error, as a single-threaded driver
   * does. `false`: rescan until `serverSelectionTimeoutMS` (waits out an election).
   */
  serverSelectionTryOnce?: boolean;
  /** How much slower than the fastest suitable member another may be and still be chosen. Default 15 ms. */
  localThresholdMS?: number;
  /**
   * Only used to estimate a secondary's staleness for `maxStalenessSeconds` (connect() monitors nothing).
   * Default 60 000, a single-threaded driver's; at least 500.
   */
  heartbeatFrequencyMS?: number;
  /**
   * Compress the connection's commands, as the official driver's `compressors` (and the connection
   * string's): `["zstd", "snappy", "zlib"]`. The server picks the first of the list it supports; hello
   * and authentication are never compressed. snappy and zlib work on every runtime; zstd where the runtime
   * has it (Node.js 22.15 and later, Deno, Bun), elsewhere it is left out with a warning. Default: none.
   */
  compressors?: readonly string[];
  /**
   * Declare a Stable API version, as the official driver's `serverApi`: `{ version: "1", strict: true,
   * deprecationErrors: true }`, or `"1"`. Every command the connection sends (hello and authentication
   * included) then carries `apiVersion`, and `apiStrict` and `apiDeprecationErrors` when given; a server
   * started with `requireApiVersion` refuses every command without it. Not in the connection string: the
   * Stable API specification keeps a declared version in code.
   */
  serverApi?: ServerApi | ServerApiVersion;
  /** Cancels connecting (and any credential fetch or callback it runs). */
  signal?: AbortSignal;
  /**
   * Host facilities for AWS and OIDC credential sources. Default: the runtime's (process env, files,
   * fetch). Temporary AWS credentials and `ENVIRONMENT` OIDC tokens are cached per env object (the
   * runtime's own env counts as one): reuse an env to share them, give each tenant its own.
   */
  env?: RuntimeEnv;
  /**
   * Resolve `mongodb+srv://` with DNS-over-HTTPS (RFC 8484) over `fetch` (`env.fetch` when given): `true`
   * for Cloudflare's public resolver, or the `https://` URL of another. Default: the runtime's DNS
   * (Workers: DNS-over-HTTPS already).
   */
  dnsOverHttps?: string | true;
  /** State shared by the connections of one client: SCRAM keys, AWS credentials, OIDC tokens. Default: process-wide. */
  cacheStore?: AuthCacheStore;
  /**
   * The most SCRAM iterations a server may ask for; a larger count is refused with
   * `SCRAM_ITERATIONS_TOO_HIGH` before any key is derived. Default 1 000 000 (servers use 10 000 to
   * 15 000); at most 2 147 483 647. An option only: it is not one of MongoDB's connection-string options.
   */
  maxScramIterations?: number;
  /**
   * At most this many connections of one client (one `cacheStore`; without one, of the process) open
   * their socket, say hello and authenticate at the same time; the others wait their turn, within their
   * `connectTimeoutMS`. As the official driver's `maxConnecting` (and the connection string's), which it
   * is named after; default 100, so that a full pool (the driver's default maxPoolSize) warms up at once.
   * The event loop stays responsive whatever the bound: connect() takes at most 10 handshake steps per
   * turn of it, process-wide (bench/README.md has the measurements). A whole number ≥ 1.
   */
  maxConnecting?: number;
  /**
   * Called with each warning as it is found: those of the connection string and of these options before
   * any network I/O, those of a `mongodb+srv` TXT record after its lookup. Warnings are what the
   * Connection String spec says to warn about (an unknown or misspelt option, a value an option does not
   * accept, a repeated or deprecated option); what they name was ignored. mongo-auth never logs: without
   * `onWarning` they are still on `Connection.warnings`. A warning names options, never values. Throw
   * from it to make warnings fatal: `connect()` then rejects with what you threw. A promise it returns is
   * not awaited, and its rejection is ignored (never an unhandled rejection).
   */
  onWarning?: (message: string) => void;
  /**
   * Called with each event of the login's trace as it happens: host resolution, socket and TLS, hello,
   * the mechanism and authSource and why, each credential source tried, each SASL step, the result. No
   * event holds a secret. The same events are on `Connection.trace`, and on the `MongoAuthError`'s
   * `trace` when connecting fails. A listener that throws does not stop the login: its error is
   * recorded in the trace as a `trace.listener_failed` event.
   */
  onEvent?: TraceListener;
  /**
   * When authentication is refused, spend one bounded request (5 s) to find evidence the server's
   * "Authentication failed." hides: MONGODB-AWS asks STS `GetCallerIdentity` which identity the
   * credentials belong to, when the credential source did not say. Default `false`; `mongo-auth whoami
   * --explain` sets it.
   */
  explain?: boolean;
}

/** Every key of {@link ConnectOptions}; the type check below keeps it complete. */
export const CONNECT_OPTION_NAMES = [
  "username",
  "password",
  "auth",
  "authSource",
  "authMechanism",
  "authMechanismProperties",
  "tls",
  "ssl",
  "tlsCAFile",
  "tlsCA",
  "tlsCertificateKeyFile",
  "tlsCertificateKey",
  "tlsCertificateKeyFilePassword",
  "tlsCRLFile",
  "tlsAllowInvalidCertificates",
  "tlsAllowInvalidHostnames",
  "tlsInsecure",
  "proxyHost",
  "proxyPort",
  "proxyUsername",
  "proxyPassword",
  "connectTimeoutMS",
  "socketTimeoutMS",
  "timeoutMS",
  "appName",
  "driverInfo",
  "srvServiceName",
  "srvMaxHosts",
  "replicaSet",
  "directConnection",
  "loadBalanced",
  "readPreference",
  "readPreferenceTags",
  "maxStalenessSeconds",
  "serverSelectionTimeoutMS",
  "serverSelectionTryOnce",
  "localThresholdMS",
  "heartbeatFrequencyMS",
  "compressors",
  "serverApi",
  "signal",
  "env",
  "dnsOverHttps",
  "cacheStore",
  "maxScramIterations",
  "maxConnecting",
  "onWarning",
  "onEvent",
  "explain",
] as const satisfies readonly (keyof ConnectOptions)[];

// A compile error here means a ConnectOptions key is missing from CONNECT_OPTION_NAMES: without it,
// the option would be reported as unknown.
const _everyConnectOption: Exclude<keyof ConnectOptions, typeof CONNECT_OPTION_NAMES[number]> extends never
  ? true
  : never = true;

const KNOWN_CONNECT_OPTIONS: ReadonlySet<string> = new Set(CONNECT_OPTION_NAMES);

/**
 * How connect() finds and chooses its member: the read preference and the Server Selection settings (a
 * `mongodb+srv` TXT record's `replicaSet` and `loadBalanced` are added once DNS has answered).
 */
export interface SelectionOptions {
  readonly readPreference: ReadPreference;
  readonly replicaSet?: string;
  readonly directConnection?: boolean;
  readonly loadBalanced?: boolean;
  /** Default 30 000. */
  readonly serverSelectionTimeoutMS: number;
  /** Default true. */
  readonly serverSelectionTryOnce: boolean;
  /** Default 15. */
  readonly localThresholdMS: number;
  /** Default 60 000 (single-threaded). */
  readonly heartbeatFrequencyMS: number;
}

/** Settings resolved from a connection string and {@link ConnectOptions}. */
export interface ConnectSettings {
  readonly tls?: TlsSettings;
  /** The SOCKS5 proxy, when `proxyHost` is given. */
  readonly proxy?: ProxySettings;
  readonly connectTimeoutMS: number;
  readonly socketTimeoutMS: number;
  /** The Client Side Operations Timeout, when given (0: none). */
  readonly timeoutMS?: number;
  readonly appName?: string;
  /** The wrapping libraries of `driverInfo`, each once; `undefined` when none. */
  readonly driverInfo?: readonly DriverInfo[];
  /** The SRV service name (`mongodb` unless given). */
  readonly srvServiceName: string;
  /** At most this many SRV hosts (0: all). */
  readonly srvMaxHosts: number;
  /** Handshakes in flight per client, at most. */
  readonly maxConnecting: number;
  /** How connect() finds and chooses the member it ends on. */
  readonly selection: SelectionOptions;
  /** The declared Stable API version's fields, added to every command. */
  readonly apiParameters?: ApiParameters;
  /** The compressors offered in hello, in order of preference; `undefined`: none. */
  readonly compressors?: readonly Compressor[];
  /** Warnings about the options object (the connection string's are on it). */
  readonly warnings: readonly string[];
}

/**
 * Merges and validates connection options.
 *
 * @param cs the parsed connection string
 * @param options the caller's options
 * @param runtime the transport, for its zstd (and its platform, to name it in a warning); default: a
 *   runtime without zstd
 * @returns the settings
 * @throws {MongoAuthError} `INVALID_OPTION` for a value of the wrong type or range (an appName over 128
 *   bytes), options in conflict across the connection string and the options (see
 *   `parseConnectionString`), and TLS files without TLS
 */
export function connectSettings(
  cs: ConnectionString,
  options: ConnectOptions,
  runtime: Pick<Transport, "platform" | "zstd"> = { platform: "this runtime" },
): ConnectSettings {
  const uri = cs.parsedOptions;
  const text = (name: keyof ConnectOptions & keyof UriOptions): string | undefined => {
    const value = options[name] ?? uri[name];
    if (value !== undefined && typeof value !== "string") throw invalid(name, "a string");
    return value as string | undefined;
  };
  const flag = (name: keyof ConnectOptions & keyof UriOptions): boolean | undefined => {
    const value = options[name] ?? uri[name];
    if (value === undefined || typeof value === "boolean") return value;
    if (value === "true") return true;
    if (value === "false") return false;
    throw invalid(name, "true or false");
  };
  const count = (name: keyof ConnectOptions & keyof UriOptions, fallback: number, unit = "milliseconds") => {
    const raw = options[name] ?? uri[name];
    if (raw === undefined) return fallback;
    const value = typeof raw === "string" && /^\d+$/.test(raw) ? Number(raw) : raw;
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
      throw invalid(name, `a whole number of ${unit} ≥ 0`);
    }
    return value;
  };

  const warnings = optionObjectWarnings(options);
  // Read before the rules below compare it with 0, which a value of the wrong type would not survive.
  const srvMaxHosts = count("srvMaxHosts", 0, "hosts");
  const tlsFlag = flag("tls");
  const sslFlag = flag("ssl");
  // The conflict rules again, over both sources: tlsInsecure in the URI and tlsAllowInvalidHostnames
  // here conflict as much as both in the URI.
  // Object.assign rather than a spread followed by keys: on Node.js 20 such a spread builds a slow object
  // (1.3 µs against 0.1, and slower to read).
  const merged = definedFields(
    Object.assign({}, uri, definedFields({ ...options }), { tls: tlsFlag, ssl: sslFlag }),
  );
  checkOptionRules(merged as UriOptions, new Set(Object.keys(merged)), { srv: cs.scheme === "mongodb+srv" });

  const insecure = flag("tlsInsecure") ?? false;
  const certificateKey = options.tlsCertificateKey;
  if (
    certificateKey !== undefined &&
    (typeof certificateKey?.cert !== "string" || typeof certificateKey?.key !== "string")
  ) {
    throw invalid("tlsCertificateKey", "{ cert, key } with PEM strings");
  }
  const tlsOn = tlsFlag ?? sslFlag ?? cs.scheme === "mongodb+srv";
  const tls: TlsSettings | undefined = tlsOn
    ? {
      caFile: text("tlsCAFile"),
      ca: text("tlsCA"),
      certificateKeyFile: text("tlsCertificateKeyFile"),
      certificateKey,
      certificateKeyPassword: text("tlsCertificateKeyFilePassword"),
      crlFile: text("tlsCRLFile"),
      allowInvalidCertificates: insecure || (flag("tlsAllowInvalidCertificates") ?? false),
      allowInvalidHostnames: insecure || (flag("tlsAllowInvalidHostnames") ?? false),
    }
    : undefined;
  if (
    !tlsOn &&
    (text("tlsCAFile") ?? text("tlsCertificateKeyFile") ?? text("tlsCRLFile") ?? certificateKey) !== undefined
  ) {
    throw new MongoAuthError("INVALID_OPTION", "TLS files were given but TLS is off: add tls=true");
  }
  if (tls?.crlFile !== undefined) checkRevocationRules(tls, uri.tlsDisableCertificateRevocationCheck);
  const srvServiceName = text("srvServiceName") ?? "mongodb";
  if (!isSrvServiceName(srvServiceName)) {
    throw invalid("srvServiceName", "an SRV service name (letters, digits and inner single hyphens)");
  }
  if (options.maxScramIterations !== undefined) checkMaxIterations(options.maxScramIterations);
  const appName = text("appName");
  if (appName !== undefined) checkAppName(appName);
  const driverInfo = options.driverInfo === undefined ? undefined : checkDriverInfo(options.driverInfo);
  const maxConnecting = count("maxConnecting", DEFAULT_MAX_CONNECTING, "connections");
  if (maxConnecting < 1) throw invalid("maxConnecting", "a whole number of connections ≥ 1");
  return {
    tls,
    proxy: proxySettings(options, uri, text),
    connectTimeoutMS: count("connectTimeoutMS", 10_000),
    socketTimeoutMS: count("socketTimeoutMS", 60_000),
    timeoutMS: (options.timeoutMS ?? uri.timeoutMS) === undefined ? undefined : count("timeoutMS", 0),
    appName,
    driverInfo,
    srvServiceName,
    srvMaxHosts,
    maxConnecting,
    selection: selectionOptions(options, uri, { text, flag, count }),
    apiParameters: apiParameters(options.serverApi),
    compressors: compressorsOf(options, uri, warnings, runtime),
    warnings,
  };
}

// A revocation list is checked only where certificates are: beside an option that turns the checking off,
// it would be ignored without a word.
function checkRevocationRules(tls: TlsSettings, revocationCheckOff: boolean | undefined): void {
  const off = tls.allowInvalidCertificates
    ? "tlsAllowInvalidCertificates (or tlsInsecure) accepts any certificate"
    : revocationCheckOff
    ? "tlsDisableCertificateRevocationCheck=true turns revocation checking off"
    : undefined;
  if (off) {
    throw new MongoAuthError(
      "INVALID_OPTION",
      `tlsCRLFile would change nothing: ${off}; keep one of them`,
    );
  }
}

// The compression specification: compressors the client does not implement yield a warning and are left
// out of the handshake; so does zstd on a runtime without it. zlibCompressionLevel is validated with the
// connection string; CompressionStream has no level to set, so a level other than zlib's default is said
// to be ignored.
function compressorsOf(
  options: ConnectOptions,
  uri: UriOptions,
  warnings: string[],
  runtime: Pick<Transport, "platform" | "zstd">,
): readonly Compressor[] | undefined {
  const given = options.compressors ?? uri.compressors;
  if (given === undefined) return undefined;
  if (!Array.isArray(given) || !given.every((name) => typeof name === "string")) {
    throw invalid("compressors", `a list of compressor names, e.g. ["zlib"]`);
  }
  const chosen: Compressor[] = [];
  for (const name of new Set(given)) {
    const supported = SUPPORTED_COMPRESSORS.find((ours) => ours === name);
    if (supported === "zstd" && !runtime.zstd) {
      warnings.push(
        `compressors: "zstd" was left out: ${runtime.platform} has no zstd (Node.js 22.15 and later, Deno and ` +
          "Bun have it); snappy and zlib work everywhere",
      );
    } else if (supported) {
      chosen.push(supported);
    } else if (name !== "none" && name !== "") {
      warnings.push(
        `compressors: ${
          JSON.stringify(name)
        } is not a compressor mongo-auth implements (it compresses with snappy, zlib and zstd) and ` +
          "was left out",
      );
    }
  }
  const level = uri.zlibCompressionLevel;
  if (chosen.includes("zlib") && level !== undefined && level !== -1 && level !== 6) {
    warnings.push(
      `zlibCompressionLevel=${level} was ignored: mongo-auth compresses with the runtime's ` +
        `CompressionStream, at zlib's default level (6)`,
    );
  }
  return chosen.length > 0 ? chosen : undefined;
}

// The SOCKS5 specification: port 1080 by default; an empty user name or password is ignored.
function proxySettings(
  options: ConnectOptions,
  uri: UriOptions,
  text: Readers["text"],
): ProxySettings | undefined {
  const host = text("proxyHost");
  if (host === undefined) return undefined;
  if (host === "") throw invalid("proxyHost", "a host name or IP address");
  const given: unknown = options.proxyPort ?? uri.proxyPort ?? 1080;
  // A number, or its digits (as the connection string gives them); Number() would take true as port 1.
  const port = typeof given === "string" && /^\d+$/.test(given) ? Number(given) : given;
  if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw invalid("proxyPort", "a port number, 1 to 65535");
  }
  const username = text("proxyUsername");
  const password = text("proxyPassword");
  return { host, port, ...(username && password && { username, password }) };
}

interface Readers {
  text(name: keyof ConnectOptions & keyof UriOptions): string | undefined;
  flag(name: keyof ConnectOptions & keyof UriOptions): boolean | undefined;
  count(name: keyof ConnectOptions & keyof UriOptions, fallback: number, unit?: string): number;
}

function selectionOptions(options: ConnectOptions, uri: UriOptions, read: Readers): SelectionOptions {
  const replicaSet = read.text("replicaSet");
  const directConnection = read.flag("directConnection");
  const loadBalanced = read.flag("loadBalanced");
  const heartbeatFrequencyMS = read.count("heartbeatFrequencyMS", 60_000);
  if (heartbeatFrequencyMS < 500) {
    throw invalid("heartbeatFrequencyMS", "at least 500 (minHeartbeatFrequencyMS)");
  }
  const serverSelectionTimeoutMS = read.count("serverSelectionTimeoutMS", 30_000);
  if (serverSelectionTimeoutMS < 1) {
    throw invalid("serverSelectionTimeoutMS", "a whole number of milliseconds ≥ 1");
  }
  return {
    readPreference: readPreferenceFrom({
      readPreference: options.readPreference ?? uri.readPreference,
      readPreferenceTags: options.readPreferenceTags ?? uri.readPreferenceTags,
      maxStalenessSeconds: options.maxStalenessSeconds ?? uri.maxStalenessSeconds,
    }),
    ...(replicaSet !== undefined && { replicaSet }),
    ...(directConnection !== undefined && { directConnection }),
    ...(loadBalanced !== undefined && { loadBalanced }),
    serverSelectionTimeoutMS,
    serverSelectionTryOnce: read.flag("serverSelectionTryOnce") ?? true,
    localThresholdMS: read.count("localThresholdMS", 15),
    heartbeatFrequencyMS,
  };
}

// Mongoose's names for the credential, which code moving from it brings along: ignored, the connection would
// not log in.
const OTHER_LIBRARIES_NAMES: Readonly<Record<string, string>> = { user: "username", pass: "password" };

/** A warning for each key of the options object that connect() does not take. */
function optionObjectWarnings(options: ConnectOptions): string[] {
  const warnings: string[] = [];
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined || KNOWN_CONNECT_OPTIONS.has(key)) continue;
    const suggestion = Object.hasOwn(OTHER_LIBRARIES_NAMES, key)
      ? OTHER_LIBRARIES_NAMES[key]
      : suggestName(key, CONNECT_OPTION_NAMES);
    const uriOnly = suggestion === undefined && (URI_OPTION_NAMES as readonly string[]).includes(key);
    warnings.push(
      `the option ${JSON.stringify(key)} given to connect() is not one it takes and was ignored` +
        (suggestion !== undefined
          ? ` (did you mean ${suggestion}?${
            suggestion.toLowerCase() === key.toLowerCase() ? " option names are case-sensitive here" : ""
          })`
          : uriOnly
          ? " (connect() opens one connection; in a connection string it is validated but not acted on)"
          : ""),
    );
  }
  return warnings;
}

function invalid(name: string, expected: string): MongoAuthError {
  return new MongoAuthError("INVALID_OPTION", `option ${name} must be ${expected}`);
}
