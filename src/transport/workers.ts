/**
 * `connect()` for Cloudflare Workers (and workerd): sockets from `cloudflare:sockets`, TLS with
 * `secureTransport: "on"`, `mongodb+srv://` through DNS-over-HTTPS over `fetch`.
 *
 * A connection belongs to the request that opened it (Workers bind sockets to the request's I/O
 * context): open it in `fetch()`, close it before the response is done or in `ctx.waitUntil()`.
 * Workers have no process environment and no files: pass your bindings as the environment of AWS and
 * OIDC credential sources with `env: runtimeEnv({ env })`.
 *
 * What Workers cannot do is declared in the transport's capabilities and reported as
 * `RUNTIME_UNSUPPORTED`, with what to do instead: client certificates (MONGODB-X509,
 * `tlsCertificateKeyFile`, `tlsCertificateKey`), custom CAs (`tlsCAFile`, `tlsCA`), skipping certificate
 * checks, SCRAM iteration counts above the platform's PBKDF2 cap of 100 000 (detected when WebCrypto
 * refuses, since only the server's reply carries the count), and listening for a browser's redirect (the
 * OIDC sign-in of a person signs in with the device flow here).
 *
 * @example
 * ```ts ignore
 * import { connect } from "@mongo-auth/core/workers";
 * import { runtimeEnv } from "@mongo-auth/core";
 *
 * export default {
 *   async fetch(_request: Request, env: Record<string, string>): Promise<Response> {
 *     const conn = await connect(env.MONGODB_URI, { env: runtimeEnv({ env }) });
 *     try {
 *       return Response.json(await conn.command("admin", { connectionStatus: 1 }));
 *     } finally {
 *       await conn.close();
 *     }
 *   },
 * };
 * ```
 *
 * @module
 */
import { throwIfAborted } from "../core/abort.ts";
import type { ConnectOptions } from "../client/options.ts";
import { connectWith } from "../client/connect.ts";
import type { Connection } from "../client/connection.ts";
import { dnsOverHttpsEndpoint, dnsOverHttpsResolver } from "../dns/dns-over-https.ts";
import { MongoAuthError } from "../core/errors.ts";
import { asRuntimeDefault, type FetchLike, type RuntimeEnv, runtimeEnv } from "../core/runtime-env.ts";
import {
  type OpenSocketOptions,
  type ProxySettings,
  requireCapability,
  type Transport,
  type TransportCapabilities,
} from "../client/transport.ts";
import type { OidcCallback } from "../credential/oidc-callback.ts";
import {
  createHumanCallback as createSignIn,
  type HumanCallbackOptions,
} from "../mechanisms/oidc/human/human-callback.ts";
import { openWithin, socketError, socketStreams } from "./socket.ts";
import { socks5Handshake, unreachableProxy } from "./socks5.ts";
import type { HostAddress } from "../credential/connection-string.ts";
import type { SocketStreams } from "../wire/wire-connection.ts";
import { hostPort, uriHost } from "../topology/server-description.ts";

/** The slice of a `cloudflare:sockets` Socket used here, typed locally (no Workers types needed). */
export interface WorkersSocket {
  /** Bytes from the peer. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Bytes to the peer. */
  readonly writable: WritableStream<Uint8Array>;
  /** Resolves once the connection (and the TLS handshake) is established. */
  readonly opened: Promise<unknown>;
  /** Closes the socket. */
  close(): Promise<void>;
  /**
   * Upgrades a socket opened with `secureTransport: "starttls"` to TLS, checking the server's certificate
   * for `expectedServerHostname`; the socket it returns is the one to use.
   */
  startTls?(options?: { expectedServerHostname?: string }): WorkersSocket;
}

/** `connect` of `cloudflare:sockets`. */
export type WorkersConnect = (
  address: { hostname: string; port: number },
  options?: { secureTransport?: "off" | "on" | "starttls"; allowHalfOpen?: boolean },
) => WorkersSocket;

/** Options of {@link createWorkersTransport}. */
export interface WorkersTransportOptions {
  /**
   * `connect` from `cloudflare:sockets`. Default: imported on first use. Pass it when your bundler
   * cannot leave a dynamic `import("cloudflare:sockets")` alone, or to test with other sockets.
   */
  connect?: WorkersConnect;
  /** DNS-over-HTTPS endpoint for `mongodb+srv://`. Default: `https://cloudflare-dns.com/dns-query`. */
  dnsOverHttps?: string;
  /** `fetch` for DNS-over-HTTPS. Default: the global `fetch`. */
  fetch?: FetchLike;
}

// A Workers socket says nothing of its TLS session.
const WORKERS_TLS_UNAVAILABLE = ["protocol", "cipher", "server certificate"].map((what) =>
  `${what} (cloudflare:sockets does not show it)`
);

/** The PBKDF2 iteration cap of Cloudflare's production runtime (workerd itself has none). */
export const WORKERS_MAX_PBKDF2_ITERATIONS = 100_000;

const INSTEAD_OF_CERTIFICATES = "authenticate with SCRAM-SHA-256, MONGODB-AWS or MONGODB-OIDC instead " +
  "(Workers sockets present no client certificate, and Workers have no files)";

/** What Workers sockets cannot do, and what to do instead. */
const WORKERS_CAPABILITIES: TransportCapabilities = {
  runtime: "Cloudflare Workers",
  clientCertificates: { instead: INSTEAD_OF_CERTIFICATES },
  customCA: {
    instead: "Workers verify servers against the platform's trust store only (and have no files): remove " +
      "tlsCAFile/tlsCA and give the server a certificate from a public CA (as MongoDB Atlas has)",
  },
  skipCertificateVerification: {
    instead: "Workers always verify the server's certificate and host name: remove the option",
  },
  skipHostnameVerification: {
    instead: "Workers always verify the server's certificate and host name: remove the option",
  },
  encryptedPrivateKeys: { instead: INSTEAD_OF_CERTIFICATES },
  loopbackListener: {
    instead: 'Workers cannot listen: sign the person in with createHumanCallback({ flow: "device" })',
  },
  unixDomainSockets: { instead: "connect over TCP (host:port): a Worker's sockets reach only TCP hosts" },
  socks5Proxy: true,
  certificateRevocationLists: {
    instead: "Workers verify servers against the platform's trust store only (and have no files): remove " +
      "tlsCRLFile",
  },
  maxPbkdf2Iterations: WORKERS_MAX_PBKDF2_ITERATIONS,
};

// A variable, not a literal: type checkers (tsc, deno check) then leave the Workers-only module
// alone, and the file can be imported anywhere; only opening a socket needs the real runtime.
const SOCKETS_MODULE = "cloudflare:sockets";
let loadedConnect: Promise<WorkersConnect> | undefined;

/**
 * Connects to MongoDB and authenticates, inside a Cloudflare Worker.
 *
 * @param uri a `mongodb://` or `mongodb+srv://` connection string
 * @param options MongoClient-style options; `env: runtimeEnv({ env })` hands your bindings to the
 *   AWS and OIDC credential sources; `dnsOverHttps` picks another resolver
 * @returns the authenticated connection; close it before the request ends
 * @throws {MongoAuthError} see `connectWith`; `RUNTIME_UNSUPPORTED` for what Workers cannot do
 */
export function connect(uri: string, options?: ConnectOptions): Promise<Connection> {
  return connectWith(workersTransport, uri, options);
}

/**
 * The Workers runtime environment: no variables (Workers have no process environment; pass your
 * bindings with `runtimeEnv({ env })`), no files, the global `fetch`.
 *
 * @returns the environment
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { workersEnv } from "@mongo-auth/core/workers";
 *
 * const env = workersEnv();
 * assert.equal(env.getEnv("AWS_ACCESS_KEY_ID"), undefined);
 * assert.equal(env.readTextFile, undefined);
 * ```
 */
export function workersEnv(): RuntimeEnv {
  return asRuntimeDefault(runtimeEnv({}));
}

/**
 * A Workers transport, for `connectWith` and tests.
 *
 * @param options `connect` of `cloudflare:sockets`, DNS-over-HTTPS endpoint and fetch
 * @returns the transport
 * @throws {MongoAuthError} `INVALID_OPTION` when `dnsOverHttps` is not an `https://` URL
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createWorkersTransport } from "@mongo-auth/core/workers";
 *
 * const transport = createWorkersTransport({ dnsOverHttps: "https://dns.google/dns-query" });
 * assert.equal(transport.platform, "Cloudflare Workers");
 * ```
 */
export function createWorkersTransport(options: WorkersTransportOptions = {}): Transport {
  // Checked here first, so that a refusal names this function's option, not the resolver's.
  dnsOverHttpsEndpoint(options.dnsOverHttps, "option dnsOverHttps of createWorkersTransport()");
  const doh = dnsOverHttpsResolver({ endpoint: options.dnsOverHttps, fetch: options.fetch });
  return {
    platform: "Cloudflare Workers",
    osType: "unknown",
    capabilities: WORKERS_CAPABILITIES,
    ioPerRequest: true,
    openSocket: (socketOptions) => openSocket(socketOptions, options.connect),
    resolveSrv: (name, signal) => doh.resolveSrv(name, signal),
    resolveTxt: (name, signal) => doh.resolveTxt(name, signal),
    defaultEnv: workersEnv,
  };
}

// Made by a call marked pure, so that a bundle which takes only the human sign-in from this module leaves
// the sockets and the DNS-over-HTTPS resolver out (tests/bundle.test.ts).
/** The default Workers transport: `cloudflare:sockets`, Cloudflare's DNS-over-HTTPS resolver. */
export const workersTransport: Transport = /* @__PURE__ */ createWorkersTransport();

function loadConnect(): Promise<WorkersConnect> {
  loadedConnect ??= (import(SOCKETS_MODULE) as Promise<{ connect: WorkersConnect }>).then(
    (module) => module.connect,
    (err) => {
      loadedConnect = undefined;
      throw new MongoAuthError(
        "RUNTIME_UNSUPPORTED",
        "cloudflare:sockets is not available: @mongo-auth/core/workers runs inside Cloudflare Workers " +
          "or workerd; use @mongo-auth/core/node or @mongo-auth/core/deno elsewhere",
        { cause: err },
      );
    },
  );
  return loadedConnect;
}

async function openSocket(
  { host, port, tls, proxy, signal, trace }: OpenSocketOptions,
  injected: WorkersConnect | undefined,
): Promise<SocketStreams> {
  const what = `connecting to ${hostPort({ host, port })}`;
  throwIfAborted(signal, what);
  const connectSocket = injected ?? await loadConnect();
  let socket: WorkersSocket | undefined;
  const close = (opened: WorkersSocket | undefined) => void opened?.close().catch(() => {});
  try {
    if (proxy) {
      // The tunnel is tracked as it opens, so that giving up (abort, timeout) closes it mid-handshake.
      const tunnel = openTunnel(connectSocket, proxy, { host, port }, !!tls, (opening) => (socket = opening));
      socket = await openWithin(tunnel, signal, what, close);
      // TLS end to end, through the tunnel: the certificate is checked for the host asked for (openTunnel
      // made sure that startTls is there).
      if (tls) socket = socket.startTls!({ expectedServerHostname: host });
    } else {
      // connect() reads its hostname as a URL authority's: an IPv6 literal needs its brackets (workerd
      // refuses a bare ::1 as "invalid authority", measured).
      socket = connectSocket({ hostname: uriHost(host), port }, { secureTransport: tls ? "on" : "off" });
    }
    const opened = socket;
    await openWithin(opened.opened.then(() => opened), signal, what, close);
    if (tls) trace?.emit("tls.handshake", { unavailable: WORKERS_TLS_UNAVAILABLE });
    return socketStreams(socket);
  } catch (err) {
    close(socket);
    throw socketError(err, host, port, tls !== undefined, trace);
  }
}

// A socket to the SOCKS5 proxy that carries the target's bytes once the handshake is done; opened for
// STARTTLS when the connection is to speak TLS, which then starts inside the tunnel.
async function openTunnel(
  connectSocket: WorkersConnect,
  proxy: ProxySettings,
  target: HostAddress,
  tls: boolean,
  track: (socket: WorkersSocket) => void,
): Promise<WorkersSocket> {
  const socket = connectSocket(
    { hostname: uriHost(proxy.host), port: proxy.port },
    { secureTransport: tls ? "starttls" : "off" },
  );
  track(socket);
  try {
    if (tls && typeof socket.startTls !== "function") throw withoutStartTls(proxy);
    await socket.opened.catch((err) => {
      throw unreachableProxy(err, proxy);
    });
    const reader = socket.readable.getReader();
    const writer = socket.writable.getWriter();
    await socks5Handshake(
      {
        read: async () => {
          const { done, value } = await reader.read();
          return done ? null : value;
        },
        write: (bytes) => writer.write(bytes),
      },
      proxy,
      target,
    );
    reader.releaseLock();
    writer.releaseLock();
    return socket;
  } catch (err) {
    socket.close().catch(() => {});
    throw err;
  }
}

// A `connect` given to createWorkersTransport whose sockets cannot start TLS: said before any byte goes
// to the proxy, rather than the runtime's TypeError once the tunnel is up.
function withoutStartTls(proxy: ProxySettings): MongoAuthError {
  return new MongoAuthError(
    "RUNTIME_UNSUPPORTED",
    `TLS through the SOCKS5 proxy ${hostPort(proxy)} needs sockets with startTls(), and the sockets of ` +
      "the connect given to createWorkersTransport have none: pass connect from cloudflare:sockets, or give " +
      "your sockets startTls()",
  );
}

/**
 * An `OIDC_HUMAN_CALLBACK` that signs a person in with the device flow (RFC 8628): the person opens a
 * page on any device and enters the code `showDeviceCode` shows them. Workers cannot listen for a
 * browser's redirect (their transport's capabilities say so), so `flow: "device"` is required.
 *
 * @param options `flow: "device"`, `showDeviceCode`, token store, timeouts (see `HumanCallbackOptions`)
 * @returns the callback
 * @throws {MongoAuthError} `RUNTIME_UNSUPPORTED` without `flow: "device"`; `INVALID_OPTION` for a bad
 *   option
 *
 * @example Show the device code in the Worker's own way
 * ```ts
 * import assert from "node:assert/strict";
 * import { createHumanCallback } from "@mongo-auth/core/workers";
 *
 * const shown: string[] = [];
 * const OIDC_HUMAN_CALLBACK = createHumanCallback({
 *   flow: "device",
 *   showDeviceCode: ({ verificationUri, userCode }) => void shown.push(`${verificationUri} ${userCode}`),
 * });
 * assert.equal(typeof OIDC_HUMAN_CALLBACK, "function");
 * assert.throws(() => createHumanCallback(), { code: "RUNTIME_UNSUPPORTED" });
 * ```
 */
export function createHumanCallback(options: HumanCallbackOptions = {}): OidcCallback {
  const callback = createSignIn(options, undefined);
  if (options.flow !== "device") requireCapability(WORKERS_CAPABILITIES, "loopbackListener");
  return callback;
}
