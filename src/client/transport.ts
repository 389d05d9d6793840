/**
 * What a runtime provides to `connect()`: sockets, DNS, its default environment, and a declared set of
 * {@link TransportCapabilities}. Each file of `src/transport/` implements {@link Transport}; the client
 * checks what a connection asks for against the capabilities once, before any socket, and reports what
 * the runtime cannot do as `RUNTIME_UNSUPPORTED` in one shape: `<runtime> cannot <what> (<options>):
 * <what to do instead>`.
 *
 * @module
 */
import { MongoAuthError } from "../core/errors.ts";
import { typeName } from "../core/options.ts";
import type { RuntimeEnv } from "../core/runtime-env.ts";
import type { AuthMechanism } from "../credential/mongo-credential.ts";
import type { DnsResolver } from "../dns/resolver.ts";
import type { SocketStreams } from "../wire/wire-connection.ts";
import type { ZstdCodec } from "../wire/compression.ts";
import type { TraceEmitter } from "../core/trace.ts";
import type { HostDescription } from "./handshake.ts";

/**
 * TLS settings, with files still as paths: the transport reads them, never the core.
 *
 * @example TLS with a pinned CA and a client certificate
 * ```ts
 * import type { TlsSettings } from "@mongo-auth/core";
 *
 * const tls: TlsSettings = {
 *   caFile: "/etc/ssl/mongodb-ca.pem",
 *   certificateKeyFile: "/etc/ssl/client.pem",
 *   allowInvalidCertificates: false,
 *   allowInvalidHostnames: false,
 * };
 * void tls;
 * ```
 */
export interface TlsSettings {
  /** CA bundle file (PEM). */
  readonly caFile?: string;
  /** CA bundle as PEM text. */
  readonly ca?: string;
  /** Client certificate and private key in one PEM file. */
  readonly certificateKeyFile?: string;
  /** Client certificate and private key as PEM text. */
  readonly certificateKey?: { readonly cert: string; readonly key: string };
  /** Passphrase of an encrypted private key. */
  readonly certificateKeyPassword?: string;
  /** Certificate revocation lists (PEM) to check the server's chain against. */
  readonly crlFile?: string;
  /** Accept any server certificate. Unsafe: anyone on the path can impersonate the server. */
  readonly allowInvalidCertificates: boolean;
  /** Accept a valid certificate issued for another host. Unsafe. */
  readonly allowInvalidHostnames: boolean;
}

/**
 * A SOCKS5 proxy (`proxyHost`, `proxyPort`, `proxyUsername`, `proxyPassword`).
 *
 * @example A proxy that wants a user name and password
 * ```ts
 * import type { ProxySettings } from "@mongo-auth/core";
 *
 * const proxy: ProxySettings = { host: "proxy.example.net", port: 1080, username: "app", password: "s3cret" };
 * void proxy;
 * ```
 */
export interface ProxySettings {
  /** The proxy's host name or IP address. */
  readonly host: string;
  /** Its port (1080 by default). */
  readonly port: number;
  /** The user name, for a proxy that asks for one (with `password`). */
  readonly username?: string;
  /** The password. */
  readonly password?: string;
}

/**
 * Where and how to open one socket.
 *
 * @example What connectWith asks a transport to open
 * ```ts
 * import type { OpenSocketOptions } from "@mongo-auth/core";
 *
 * const options: OpenSocketOptions = {
 *   host: "db1.example.net",
 *   port: 27017,
 *   tls: { allowInvalidCertificates: false, allowInvalidHostnames: false },
 *   signal: AbortSignal.timeout(10_000),
 * };
 * void options;
 * ```
 */
export interface OpenSocketOptions {
  /**
   * Host name or IP address; or the path of a UNIX domain socket (it contains `/`, and `port` is 0), only
   * for a transport whose capabilities declare `unixDomainSockets`.
   */
  readonly host: string;
  /** TCP port; 0 for a UNIX domain socket. */
  readonly port: number;
  /**
   * TLS settings; plain TCP when absent. Only what the transport's {@link TransportCapabilities} allow:
   * `connectWith` refuses the rest before it opens a socket.
   */
  readonly tls?: TlsSettings;
  /**
   * Reach the host through this SOCKS5 proxy, which resolves the host name (it is passed on as given);
   * TLS, when on, runs end to end through the tunnel. Only for a transport whose capabilities declare
   * `socks5Proxy`.
   */
  readonly proxy?: ProxySettings;
  /** Fires on the caller's abort or the connect timeout; the transport must give up and close. */
  readonly signal: AbortSignal;
  /**
   * Where the transport records what the TLS handshake showed (`tls.handshake`: protocol, the server's
   * certificate, the client certificate's subject, and what the runtime does not expose) or why it failed
   * (`tls.failed`). A transport may ignore it; `connectWith` records the socket itself.
   */
  readonly trace?: TraceEmitter;
}

/**
 * A capability: `true`, or what to do instead (a sentence that names the alternatives).
 *
 * @example Supported, or what to do instead
 * ```ts
 * import type { Capability } from "@mongo-auth/core";
 *
 * const supported: Capability = true;
 * const unsupported: Capability = { instead: "give the server a certificate from a public CA" };
 * void [supported, unsupported];
 * ```
 */
export type Capability = true | { readonly instead: string };

/**
 * What a runtime's sockets and WebCrypto can do, declared by its transport.
 *
 * @example Cloudflare Workers
 * ```ts
 * import assert from "node:assert/strict";
 * import { workersTransport } from "@mongo-auth/core/workers";
 *
 * assert.notEqual(workersTransport.capabilities.clientCertificates, true);
 * assert.equal(workersTransport.capabilities.maxPbkdf2Iterations, 100_000);
 * ```
 */
export interface TransportCapabilities {
  /** The runtime's name in messages, e.g. `"Cloudflare Workers"`, `"Deno 2.9.6"`. */
  readonly runtime: string;
  /** Present a TLS client certificate (MONGODB-X509, `tlsCertificateKeyFile`, `tlsCertificateKey`). */
  readonly clientCertificates: Capability;
  /** Trust only a given CA (`tlsCAFile`, `tlsCA`). */
  readonly customCA: Capability;
  /** Skip verifying the server's certificate (`tlsAllowInvalidCertificates`, `tlsInsecure`). */
  readonly skipCertificateVerification: Capability;
  /** Accept a certificate issued for another host (`tlsAllowInvalidHostnames`, `tlsInsecure`). */
  readonly skipHostnameVerification: Capability;
  /** Decrypt an encrypted private key (`tlsCertificateKeyFilePassword`, or an encrypted key in the PEM). */
  readonly encryptedPrivateKeys: Capability;
  /**
   * Listen on a loopback port for a browser's redirect: the OIDC sign-in of a person in a browser
   * (`createHumanCallback`, `flow: "code"`). `connect()` never needs it; the runtime's
   * `createHumanCallback` checks it.
   */
  readonly loopbackListener: Capability;
  /**
   * Open a UNIX domain socket: a connection string whose host is a socket's path
   * (`mongodb://%2Ftmp%2Fmongodb-27017.sock`), which `openSocket` then gets as `host`. Absent means no:
   * a transport written before this capability is never handed a path.
   */
  readonly unixDomainSockets?: Capability;
  /**
   * Go through a SOCKS5 proxy (`proxyHost`), which `openSocket` then gets as `proxy`. Absent means no, as
   * for `unixDomainSockets`.
   */
  readonly socks5Proxy?: Capability;
  /**
   * Check the server's certificate chain against certificate revocation lists (`tlsCRLFile`), which
   * `openSocket` then gets as `tls.crlFile`. Absent means no, as for `unixDomainSockets`.
   */
  readonly certificateRevocationLists?: Capability;
  /**
   * The most PBKDF2 iterations the runtime's WebCrypto derives (Cloudflare's production Workers:
   * 100 000), or `undefined` for no cap. Only the server's reply carries the SCRAM iteration count, so a
   * refusal is recognised when WebCrypto refuses, and explained with this number.
   */
  readonly maxPbkdf2Iterations?: number;
}

/**
 * The words a transport's error for a host name that does not resolve ends with (`cannot resolve host db
 * (ENOTFOUND): check the host name in the connection string`). A scan's error takes them off for a host the
 * connection string did not name: a replica set's configuration named it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { HOST_NAME_ADVICE } from "./transport.ts";
 *
 * assert.match(HOST_NAME_ADVICE, /connection string/);
 * ```
 */
export const HOST_NAME_ADVICE = ": check the host name in the connection string";

/** Every capability: what a transport whose sockets do all that mongo-auth asks declares (the Node.js one, Bun too). */
export const FULL_CAPABILITIES: Omit<TransportCapabilities, "runtime"> = Object.freeze({
  clientCertificates: true,
  customCA: true,
  skipCertificateVerification: true,
  skipHostnameVerification: true,
  encryptedPrivateKeys: true,
  loopbackListener: true,
  unixDomainSockets: true,
  socks5Proxy: true,
  certificateRevocationLists: true,
});

/**
 * A runtime's sockets, DNS, default environment and capabilities.
 *
 * @example A transport for another runtime, with DNS-over-HTTPS
 * ```ts
 * import assert from "node:assert/strict";
 * import { dnsOverHttpsResolver, runtimeEnv, type Transport } from "@mongo-auth/core";
 *
 * const transport: Transport = {
 *   ...dnsOverHttpsResolver({ endpoint: "https://dns.example/dns-query" }),
 *   platform: "Example 1.0",
 *   osType: "unknown",
 *   capabilities: {
 *     runtime: "Example",
 *     clientCertificates: { instead: "authenticate with SCRAM-SHA-256" },
 *     customCA: { instead: "use a server certificate from a public CA" },
 *     skipCertificateVerification: { instead: "remove the option" },
 *     skipHostnameVerification: { instead: "remove the option" },
 *     encryptedPrivateKeys: { instead: "authenticate with SCRAM-SHA-256" },
 *     loopbackListener: { instead: 'sign in with createHumanCallback({ flow: "device" })' },
 *   },
 *   openSocket: () => Promise.reject(new Error("open your runtime's socket here")),
 *   defaultEnv: () => runtimeEnv(),
 * };
 * assert.equal(typeof transport.resolveSrv, "function");
 * ```
 */
export interface Transport extends DnsResolver {
  /** Runtime name and version for hello's client metadata, e.g. `"Deno 2.9.6"`. */
  readonly platform: string;
  /** Operating system type for hello's client metadata, e.g. `"Linux"`. */
  readonly osType: string;
  /**
   * The host as hello's client metadata describes it beyond `osType` (the OS's name, architecture and
   * version; FaaS and container variables; `/.dockerenv`), read when the first connection is made. Without
   * it the metadata has no `env` and only `os.type`. It must not block on a person: the Deno transport reads
   * only the variables and files it has been granted.
   */
  readonly describeHost?: () => HostDescription;
  /** What this runtime can do; `connectWith` checks a connection's options against it. */
  readonly capabilities: TransportCapabilities;
  /** Opens a TCP (or TLS) socket; rejects with `CONNECTION_FAILED`, `TLS_ERROR`, `TIMEOUT` or `ABORTED`. */
  openSocket(options: OpenSocketOptions): Promise<SocketStreams>;
  /** The runtime's default environment for credential sources (process env, files, fetch). */
  defaultEnv(): RuntimeEnv;
  /**
   * Whether each request runs in an I/O context of its own, where a timer set while serving one request
   * cannot wake work of another (Cloudflare Workers). connect() then spreads no handshake steps over
   * turns of the event loop, which would make connections of different requests wait on each other's
   * timers. Default: false.
   */
  readonly ioPerRequest?: boolean;
  /**
   * How to reach a later turn of the event loop in which the timers due by then have run: connect() spreads
   * its handshake steps over such turns when many connections start together. Default: a timer tick,
   * `setTimeout(run, 0)`, a millisecond or more later. The Node.js transport uses `setImmediate` on
   * Node.js, where the due timers run first at every loop iteration, and on Bun `setImmediate` made
   * `timerFair` (it waits for a timer tick whenever the timers are 4 ms overdue), as the Deno transport does
   * with Deno's.
   */
  readonly nextTurn?: (run: () => void) => void;
  /**
   * The runtime's zstd, for `compressors=zstd`: the Node.js transport's where `node:zlib` has it (Node.js
   * 22.15 and later, Bun), the Deno transport's. Without it connect() leaves zstd out of hello with a
   * warning, as the compression specification says of a compressor a client does not have.
   */
  readonly zstd?: ZstdCodec;
}

type CapabilityName = Exclude<keyof TransportCapabilities, "runtime" | "maxPbkdf2Iterations">;

const WHAT: Readonly<Record<CapabilityName, [what: string, options: string]>> = {
  clientCertificates: [
    "present a TLS client certificate",
    "MONGODB-X509, tlsCertificateKeyFile/tlsCertificateKey",
  ],
  customCA: ["trust only the CA it is given", "tlsCAFile/tlsCA"],
  skipCertificateVerification: [
    "skip verifying the server's certificate",
    "tlsAllowInvalidCertificates/tlsInsecure",
  ],
  skipHostnameVerification: [
    "accept a certificate issued for another host",
    "tlsAllowInvalidHostnames/tlsInsecure",
  ],
  encryptedPrivateKeys: [
    "decrypt an encrypted private key",
    "tlsCertificateKeyFilePassword, or an encrypted key in the PEM",
  ],
  loopbackListener: [
    "listen on a loopback port for the browser's redirect of the OIDC sign-in",
    'createHumanCallback, flow: "code"',
  ],
  unixDomainSockets: ["open a UNIX domain socket", "a socket path as the host"],
  socks5Proxy: ["go through a SOCKS5 proxy", "proxyHost"],
  certificateRevocationLists: ["check the server's certificate against a revocation list", "tlsCRLFile"],
};

// What a transport that does not declare a capability added after the first release is told.
const UNDECLARED: Readonly<Partial<Record<CapabilityName, string>>> = {
  unixDomainSockets: "connect over TCP (host:port; mongod listens on 127.0.0.1:27017 by default)",
  socks5Proxy: "remove the proxy options to connect directly",
  certificateRevocationLists: "remove tlsCRLFile, or connect with the Node.js transport",
};

/**
 * Throws unless the runtime has `capability`: the one `RUNTIME_UNSUPPORTED` of what a runtime cannot
 * do. The client calls it before connecting; a transport calls it only for what it alone can see (an
 * encrypted key inside a file it read).
 *
 * @param capabilities the transport's capabilities
 * @param capability the one needed
 * @throws {MongoAuthError} `RUNTIME_UNSUPPORTED`: `<runtime> cannot <what> (<options>): <instead>`
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FULL_CAPABILITIES, requireCapability } from "./transport.ts";
 *
 * const capabilities = { ...FULL_CAPABILITIES, runtime: "Example", customCA: { instead: "use a public CA" } };
 * requireCapability(capabilities, "clientCertificates");
 * assert.throws(() => requireCapability(capabilities, "customCA"), {
 *   code: "RUNTIME_UNSUPPORTED",
 *   message: "Example cannot trust only the CA it is given (tlsCAFile/tlsCA): use a public CA",
 * });
 * ```
 */
export function requireCapability(capabilities: TransportCapabilities, capability: CapabilityName): void {
  const has = capabilities[capability] ?? { instead: UNDECLARED[capability] ?? "use another runtime" };
  if (has === true) return;
  const [what, options] = WHAT[capability];
  throw new MongoAuthError(
    "RUNTIME_UNSUPPORTED",
    `${capabilities.runtime} cannot ${what} (${options}): ${has.instead}`,
  );
}

/**
 * Checks that `transport` has what connecting calls on it, so that a transport of one's own that lacks a
 * part is told which, rather than failing later with a `TypeError` from inside.
 *
 * @param transport what was passed as the transport
 * @param api the function it was passed to, for the message: `connectWith()`
 * @throws {MongoAuthError} `INVALID_OPTION` naming what is missing
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkTransport } from "./transport.ts";
 *
 * assert.throws(() => checkTransport({ openSocket: () => {} }, "connectWith()"), {
 *   code: "INVALID_OPTION",
 *   message: /lacks resolveSrv\(\), resolveTxt\(\), defaultEnv\(\), capabilities/,
 * });
 * ```
 */
export function checkTransport(transport: unknown, api: string): asserts transport is Transport {
  if (typeof transport !== "object" || transport === null) {
    throw notATransport(api, `got ${typeName(transport)}`);
  }
  const given = transport as Record<string, unknown>;
  const missing = TRANSPORT_PARTS.filter(([name, type]) =>
    typeof given[name] !== type || given[name] === null
  );
  if (missing.length === 0) return;
  throw notATransport(
    api,
    `it lacks ${missing.map(([name, type]) => type === "function" ? `${name}()` : name).join(", ")}`,
  );
}

function notATransport(api: string, what: string): MongoAuthError {
  return new MongoAuthError(
    "INVALID_OPTION",
    `${api} needs a Transport (a runtime's, as nodeTransport from @mongo-auth/core/node, or one of your own): ` +
      what,
  );
}

// What connecting calls on a transport: its sockets, DNS, default env and what its runtime can do.
const TRANSPORT_PARTS: readonly (readonly [name: keyof Transport, type: "function" | "object"])[] = [
  ["openSocket", "function"],
  ["resolveSrv", "function"],
  ["resolveTxt", "function"],
  ["defaultEnv", "function"],
  ["capabilities", "object"],
];

/**
 * Checks what a connection asks for against what the runtime can do, before any socket.
 *
 * @param capabilities the transport's capabilities
 * @param tls the connection's TLS settings, if TLS is on
 * @param mechanism the credential's mechanism, if any
 * @throws {MongoAuthError} `RUNTIME_UNSUPPORTED` for the first thing the runtime cannot do
 */
export function requireCapabilities(
  capabilities: TransportCapabilities,
  tls: TlsSettings | undefined,
  mechanism?: AuthMechanism,
): void {
  if (mechanism === "MONGODB-X509") requireCapability(capabilities, "clientCertificates");
  if (!tls) return;
  if (tls.certificateKeyFile !== undefined || tls.certificateKey !== undefined) {
    requireCapability(capabilities, "clientCertificates");
  }
  if (tls.certificateKeyPassword !== undefined) requireCapability(capabilities, "encryptedPrivateKeys");
  if (tls.caFile !== undefined || tls.ca !== undefined) requireCapability(capabilities, "customCA");
  if (tls.allowInvalidCertificates) requireCapability(capabilities, "skipCertificateVerification");
  if (tls.allowInvalidHostnames) requireCapability(capabilities, "skipHostnameVerification");
  if (tls.crlFile !== undefined) requireCapability(capabilities, "certificateRevocationLists");
}

/**
 * Turns a WebCrypto refusal of the runtime's PBKDF2 cap, wherever it sits in `err`'s causes, into a
 * `RUNTIME_UNSUPPORTED` error that says what to change; returns any other error as it is.
 *
 * @param err an error from connecting
 * @param capabilities the transport's capabilities (nothing to explain without `maxPbkdf2Iterations`)
 * @returns the explained error, or `err`
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { explainPbkdf2Cap, FULL_CAPABILITIES } from "./transport.ts";
 *
 * const capabilities = { ...FULL_CAPABILITIES, runtime: "Cloudflare Workers", maxPbkdf2Iterations: 100_000 };
 * const refusal = new DOMException(
 *   "Pbkdf2 failed: iteration counts above 100000 are not supported (requested 200000).",
 *   "NotSupportedError",
 * );
 * const err = explainPbkdf2Cap(new AggregateError([refusal]), capabilities) as { code: string; message: string };
 * assert.equal(err.code, "RUNTIME_UNSUPPORTED");
 * assert.match(err.message, /200000/);
 * ```
 */
export function explainPbkdf2Cap(err: unknown, capabilities: TransportCapabilities): unknown {
  const cap = capabilities.maxPbkdf2Iterations;
  const refusal = cap === undefined ? undefined : findPbkdf2Refusal(err, 0);
  if (refusal === undefined) return err;
  const requested = /requested (\d+)/.exec(refusal.message)?.[1];
  return new MongoAuthError(
    "RUNTIME_UNSUPPORTED",
    `${capabilities.runtime} cannot derive PBKDF2 with more than ${cap} iterations, and the server's SCRAM ` +
      `iteration count is ${requested ?? "higher"}: set scramSHA256IterationCount (SCRAM-SHA-256) or ` +
      `scramIterationCount (SCRAM-SHA-1) on the server to ${cap} or less and set the user's password again, ` +
      "or authenticate with MONGODB-AWS or MONGODB-OIDC",
    { cause: refusal },
  );
}

function findPbkdf2Refusal(err: unknown, depth: number): Error | undefined {
  if (depth > 4 || typeof err !== "object" || err === null) return undefined;
  const { name, message } = err as { name?: unknown; message?: unknown };
  if (name === "NotSupportedError" && typeof message === "string" && /pbkdf2.*iteration/i.test(message)) {
    return err as Error;
  }
  const nested = err instanceof AggregateError ? err.errors : [];
  for (const inner of [(err as { cause?: unknown }).cause, ...nested]) {
    const found = findPbkdf2Refusal(inner, depth + 1);
    if (found) return found;
  }
  return undefined;
}
