/**
 * `connect()` for Cloudflare Workers (and workerd): sockets from `cloudflare:sockets`, TLS with
 * `secureTransport: "on"`, `mongodb+srv://` through DNS-over-HTTPS over `fetch`.
 *
 * A connection belongs to the request that opened it (Workers bind sockets to the request's I/O
 * context): open it in `fetch()`, close it before the response is done or in `ctx.waitUntil()`.
 * Workers have no process environment and no files: pass your bindings as the environment of AWS and
 * OIDC credential sources with `env: runtimeEnv({ env })`.
 *
 * What Workers cannot do is reported as `RUNTIME_UNSUPPORTED`, with what to do instead: client
 * certificates (MONGODB-X509, `tlsCertificateKeyFile`, `tlsCertificateKey`), custom CAs (`tlsCAFile`,
 * `tlsCA`), skipping certificate checks, and SCRAM iteration counts above the platform's PBKDF2 cap of
 * 100 000 (detected when WebCrypto refuses, since only the server's reply carries the count).
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
import { abortError } from "../abort.ts";
import type { ConnectOptions } from "../connect-options.ts";
import { connectWith } from "../connect.ts";
import type { Connection } from "../connection.ts";
import { parseCredential } from "../credential.ts";
import { dnsOverHttpsEndpoint, resolveSrvOverHttps, resolveTxtOverHttps } from "../dns-over-https.ts";
import { MongoAuthError } from "../errors.ts";
import { asRuntimeDefault, type FetchLike, type RuntimeEnv, runtimeEnv } from "../runtime-env.ts";
import type { OpenSocketOptions, TlsSettings, Transport } from "../wire/transport.ts";
import type { SocketStreams } from "../wire/wire-connection.ts";

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

/** The PBKDF2 iteration cap of Cloudflare's production runtime (workerd itself has none). */
export const WORKERS_MAX_PBKDF2_ITERATIONS = 100_000;

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
export async function connect(uri: string, options?: ConnectOptions): Promise<Connection> {
  if (mechanismOf(uri, options) === "MONGODB-X509") {
    throw new MongoAuthError(
      "RUNTIME_UNSUPPORTED",
      "MONGODB-X509 needs a client certificate, which Cloudflare Workers sockets cannot present: " +
        "authenticate with SCRAM-SHA-256, MONGODB-AWS or MONGODB-OIDC instead",
    );
  }
  try {
    return await connectWith(workersTransport, uri, options);
  } catch (err) {
    throw explainWorkersLimit(err);
  }
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
  const doh = { endpoint: dnsOverHttpsEndpoint(options.dnsOverHttps).href, fetch: options.fetch };
  return {
    platform: "Cloudflare Workers",
    osType: "unknown",
    openSocket: (socketOptions) => openSocket(socketOptions, options.connect),
    resolveSrv: (name, signal) => resolveSrvOverHttps(name, { ...doh, signal }),
    resolveTxt: (name, signal) => resolveTxtOverHttps(name, { ...doh, signal }),
    defaultEnv: workersEnv,
  };
}

/** The default Workers transport: `cloudflare:sockets`, Cloudflare's DNS-over-HTTPS resolver. */
export const workersTransport: Transport = createWorkersTransport();

/**
 * Turns a WebCrypto refusal of Workers' PBKDF2 cap, wherever it sits in `err`'s causes, into a
 * `RUNTIME_UNSUPPORTED` error that says what to change; returns any other error as it is.
 *
 * @param err an error from `connectWith`
 * @returns the explained error, or `err`
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { explainWorkersLimit } from "@mongo-auth/core/workers";
 *
 * const refusal = new DOMException(
 *   "Pbkdf2 failed: iteration counts above 100000 are not supported (requested 200000).",
 *   "NotSupportedError",
 * );
 * const err = explainWorkersLimit(new AggregateError([refusal])) as { code: string; message: string };
 * assert.equal(err.code, "RUNTIME_UNSUPPORTED");
 * assert.match(err.message, /200000/);
 * ```
 */
export function explainWorkersLimit(err: unknown): unknown {
  const refusal = findPbkdf2Refusal(err, 0);
  if (refusal === undefined) return err;
  const requested = /requested (\d+)/.exec(refusal.message)?.[1];
  return new MongoAuthError(
    "RUNTIME_UNSUPPORTED",
    `Cloudflare Workers derive PBKDF2 with at most ${WORKERS_MAX_PBKDF2_ITERATIONS} iterations, and the ` +
      `server's SCRAM iteration count is ${requested ?? "higher"}: set scramSHA256IterationCount ` +
      `(SCRAM-SHA-256) or scramIterationCount (SCRAM-SHA-1) on the server to ${WORKERS_MAX_PBKDF2_ITERATIONS} ` +
      "or less and set the user's password again, or authenticate with MONGODB-AWS or MONGODB-OIDC",
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

// The mechanism asked for, if the credential parses; connectWith reports a credential that does not.
function mechanismOf(uri: string, options: ConnectOptions | undefined): string | undefined {
  try {
    return parseCredential(uri, options)?.mechanism;
  } catch {
    return undefined;
  }
}

function checkTls(settings: TlsSettings): void {
  const unsupported = (message: string) => new MongoAuthError("RUNTIME_UNSUPPORTED", message);
  if (settings.certificateKeyFile !== undefined || settings.certificateKey !== undefined) {
    throw unsupported(
      "Cloudflare Workers sockets cannot present a client certificate (and Workers have no files): " +
        "remove tlsCertificateKeyFile/tlsCertificateKey and authenticate with SCRAM-SHA-256, MONGODB-AWS or MONGODB-OIDC",
    );
  }
  if (settings.caFile !== undefined || settings.ca !== undefined) {
    throw unsupported(
      "Cloudflare Workers verify servers against the platform's trust store only (and have no files): " +
        "remove tlsCAFile/tlsCA and give the server a certificate from a public CA (as MongoDB Atlas has)",
    );
  }
  if (settings.allowInvalidCertificates || settings.allowInvalidHostnames) {
    throw unsupported(
      "Cloudflare Workers always verify the server's certificate and host name: remove " +
        "tlsAllowInvalidCertificates, tlsAllowInvalidHostnames and tlsInsecure",
    );
  }
}

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
  { host, port, tls, signal }: OpenSocketOptions,
  injected: WorkersConnect | undefined,
): Promise<SocketStreams> {
  if (tls) checkTls(tls);
  const what = `connecting to ${host}:${port}`;
  if (signal.aborted) throw abortError(signal, what);
  const connectSocket = injected ?? await loadConnect();
  let socket: WorkersSocket | undefined;
  let onAbort: () => void = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(abortError(signal, what));
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    socket = connectSocket({ hostname: host, port }, { secureTransport: tls ? "on" : "off" });
    socket.opened.catch(() => {}); // a failure after an abort must not surface as unhandled
    await Promise.race([socket.opened, aborted]);
    return toStreams(socket);
  } catch (err) {
    socket?.close().catch(() => {});
    if (err instanceof MongoAuthError) throw err;
    const message = (err as Error)?.message ?? String(err);
    throw /tls|ssl|certificate|handshake/i.test(message)
      ? new MongoAuthError("TLS_ERROR", `TLS handshake with ${host}:${port} failed: ${message}`, {
        cause: err,
      })
      : new MongoAuthError("CONNECTION_FAILED", `cannot connect to ${host}:${port}: ${message}`, {
        cause: err,
      });
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

function toStreams(socket: WorkersSocket): SocketStreams {
  let closed = false;
  return {
    readable: socket.readable,
    writable: socket.writable,
    close() {
      if (closed) return;
      closed = true;
      socket.close().catch(() => {
        // Closed already by the peer or the streams.
      });
    },
  };
}
/**
 * The OIDC human sign-in on Workers: the device flow (`createHumanCallback({ flow: "device" })`). Workers
 * cannot listen for a browser's redirect, so the code flow fails with `RUNTIME_UNSUPPORTED`.
 */
export { createHumanCallback } from "../oidc/human/human-callback.ts";
