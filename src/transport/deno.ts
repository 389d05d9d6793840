/**
 * `connect()` for Deno: `Deno.connect`/`Deno.connectTls`, `Deno.resolveDns`.
 *
 * Deno differences, reported as `RUNTIME_UNSUPPORTED` rather than ignored:
 * `tlsAllowInvalidCertificates` (Deno has only the `--unsafely-ignore-certificate-errors` flag) and
 * encrypted private keys (`tlsCertificateKeyFilePassword`: Deno cannot decrypt them; decrypt the key first).
 *
 * A pinned CA (`tlsCAFile` / `tlsCA`) must be the only CA trusted, as with Node and the official driver.
 * `Deno.connectTls` takes CA certificates only "in addition to the default root certificates", which
 * would accept any publicly trusted certificate for the host: so with a pinned CA the socket is opened
 * with Deno's `node:tls`, which (since Deno 2.8) trusts exactly the given CAs. Older Deno is refused.
 *
 * @example
 * ```ts ignore
 * import { connect } from "@mongo-auth/core/deno";
 *
 * const conn = await connect("mongodb://alice:s3cret@127.0.0.1:27017/?authSource=admin");
 * await conn.command("admin", { connectionStatus: 1 });
 * await conn.close();
 * ```
 *
 * @module
 */
import { abortError } from "../abort.ts";
import type { ConnectOptions } from "../connect-options.ts";
import { connectWith } from "../connect.ts";
import type { Connection } from "../connection.ts";
import { MongoAuthError } from "../errors.ts";
import { splitPem } from "../pem.ts";
import { closedDuringTlsHandshake, connectionRefused, unresolvableHost } from "../wire/socket-errors.ts";
import { asRuntimeDefault, DENO_ENV_RESTRICTION, type RuntimeEnv, runtimeEnv } from "../runtime-env.ts";
import {
  awsCredentialProvider as coreAwsCredentialProvider,
  type AwsCredentialProviderOptions,
} from "../aws/provider.ts";
import type { AwsCredentialProvider } from "../aws/credentials.ts";
import type { OpenSocketOptions, SrvRecord, TlsSettings, Transport } from "../wire/transport.ts";
import type { SocketStreams } from "../wire/wire-connection.ts";
import type { OidcCallback } from "../oidc/callback.ts";
import {
  createHumanCallback as createHumanCallbackWith,
  type HumanCallbackOptions,
} from "../oidc/human/human-callback.ts";
import { listenLoopbackDeno } from "./loopback-listener-deno.ts";

// The slice of the Deno namespace used here, typed locally so that tsc (the npm build) compiles
// this file without Deno's own type library.
interface DenoConn {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  close(): void;
  setNoDelay?(noDelay?: boolean): void;
  handshake?(): Promise<unknown>;
}
interface DenoResolveOptions {
  signal?: AbortSignal;
  nameServer?: { ipAddr: string; port?: number };
}
interface DenoApi {
  readonly version: { readonly deno: string };
  readonly build: { readonly os: string };
  connect(options: { hostname: string; port: number; signal?: AbortSignal }): Promise<DenoConn>;
  connectTls(options: {
    hostname: string;
    port: number;
    cert?: string;
    key?: string;
    unsafelyDisableHostnameVerification?: boolean;
  }): Promise<DenoConn>;
  startTls(conn: DenoConn, options: {
    hostname: string;
    unsafelyDisableHostnameVerification?: boolean;
  }): Promise<DenoConn>;
  resolveDns(name: string, type: "SRV", options?: DenoResolveOptions): Promise<
    { port: number; target: string }[]
  >;
  resolveDns(name: string, type: "TXT", options?: DenoResolveOptions): Promise<string[][]>;
  readTextFile(path: string): Promise<string>;
  readonly env: { get(name: string): string | undefined; toObject(): Record<string, string> };
}
const Deno = (globalThis as unknown as { Deno: DenoApi }).Deno;

// Copied into Node or Bun, this entry point would fail deep inside with a TypeError on `Deno.connect`.
function requireDeno(): void {
  if (typeof Deno?.connect === "function") return;
  throw new MongoAuthError(
    "RUNTIME_UNSUPPORTED",
    "@mongo-auth/core/deno runs on Deno only: on Node.js and Bun import @mongo-auth/core/node, " +
      "in Cloudflare Workers @mongo-auth/core/workers",
  );
}

/**
 * Connects to MongoDB and authenticates, on Deno.
 *
 * @param uri a `mongodb://` or `mongodb+srv://` connection string
 * @param options MongoClient-style options (they win over the connection string's)
 * @returns the authenticated connection
 * @throws {MongoAuthError} see `connectWith`; `RUNTIME_UNSUPPORTED` for the options Deno cannot honour
 */
export async function connect(uri: string, options?: ConnectOptions): Promise<Connection> {
  requireDeno();
  return await connectWith(denoTransport, uri, options);
}

/**
 * The runtime environment from `Deno.env` (when `--allow-env` grants it), `Deno.readTextFile` and `fetch`.
 * Without `--allow-env` the variables are invisible; the environment then says so in `envRestriction`,
 * and errors about missing variables quote it.
 *
 * @returns the environment
 * @throws {MongoAuthError} `RUNTIME_UNSUPPORTED` outside Deno
 */
export function denoEnv(): RuntimeEnv {
  requireDeno();
  // Read on first use: SCRAM and X509 never look at the environment, so they need no --allow-env
  // (and Deno never prompts for it).
  let vars: Record<string, string> | undefined;
  let restriction: string | undefined;
  const load = (): Record<string, string> => {
    if (vars) return vars;
    try {
      vars = Deno.env.toObject();
    } catch {
      vars = {};
      restriction = DENO_ENV_RESTRICTION;
    }
    return vars;
  };
  const base = runtimeEnv({ readTextFile: (path) => Deno.readTextFile(path) });
  return asRuntimeDefault({
    ...base,
    getEnv: (name) => load()[name],
    get homeDir() {
      return load().HOME ?? load().USERPROFILE;
    },
    get envRestriction() {
      load();
      return restriction;
    },
  });
}

/** Options of {@link createDenoTransport}. */
export interface DenoTransportOptions {
  /** The DNS server for `mongodb+srv://` lookups. Default: the system's. */
  nameServer?: { ipAddr: string; port?: number };
}

/**
 * A Deno transport with its own settings, for `connectWith`.
 *
 * @param options the DNS server to ask
 * @returns the transport
 * @example
 * ```ts ignore
 * import { connectWith } from "@mongo-auth/core";
 * import { createDenoTransport } from "@mongo-auth/core/deno";
 *
 * const transport = createDenoTransport({ nameServer: { ipAddr: "10.0.0.2", port: 53 } });
 * const conn = await connectWith(transport, "mongodb+srv://alice:s3cret@cluster0.internal.example/");
 * ```
 */
export function createDenoTransport(options: DenoTransportOptions = {}): Transport {
  const { nameServer } = options;
  return {
    platform: `Deno ${Deno?.version?.deno}`,
    osType: Deno?.build?.os ?? "unknown",
    openSocket,
    resolveSrv: async (name, signal) => {
      requireDeno();
      return (await Deno.resolveDns(name, "SRV", { signal, nameServer })).map((r): SrvRecord => ({
        name: r.target,
        port: r.port,
      }));
    },
    resolveTxt: (name, signal) => {
      requireDeno();
      return Deno.resolveDns(name, "TXT", { signal, nameServer });
    },
    defaultEnv: denoEnv,
  };
}

/** The Deno transport with the system's DNS, for `connectWith` and tests. */
export const denoTransport: Transport = createDenoTransport();

// TLS without a pinned CA: Deno's own, trusting its built-in roots (and DENO_CERT / DENO_TLS_CA_STORE).
async function tlsOptions(settings: TlsSettings, host: string) {
  refuseInvalidCertificates(settings);
  const read = (path: string, what: string) =>
    Deno.readTextFile(path).catch((err) => {
      throw new MongoAuthError("TLS_ERROR", `cannot read ${what} ${path}`, { cause: err });
    });
  let pair: { cert: string; key: string } | undefined;
  if (settings.certificateKeyFile !== undefined) {
    const pem = await read(settings.certificateKeyFile, "tlsCertificateKeyFile");
    pair = clientPair(splitPem(pem, settings.certificateKeyFile), settings);
  } else if (settings.certificateKey) {
    const { cert, key } = settings.certificateKey;
    pair = clientPair(splitPem(cert + "\n" + key, "tlsCertificateKey"), settings);
  }
  return {
    hostname: host,
    ...pair,
    unsafelyDisableHostnameVerification: settings.allowInvalidHostnames || undefined,
  };
}

// TLS that trusts the pinned CA and nothing else, through node:tls (see the module comment), which
// refuses a Deno older than 2.8.
async function openPinned(socket: OpenSocketOptions, tls: TlsSettings): Promise<SocketStreams> {
  refuseInvalidCertificates(tls);
  const { openNodeSocket } = await import("./node-socket.ts");
  return await openNodeSocket(socket);
}

function refuseInvalidCertificates(settings: TlsSettings): void {
  if (!settings.allowInvalidCertificates) return;
  throw new MongoAuthError(
    "RUNTIME_UNSUPPORTED",
    "Deno cannot skip certificate verification per connection: pass tlsCAFile, or run deno with --unsafely-ignore-certificate-errors",
  );
}

function clientPair(pem: { cert: string; key: string; encrypted: boolean }, settings: TlsSettings) {
  if (pem.encrypted || settings.certificateKeyPassword !== undefined) {
    throw new MongoAuthError(
      "RUNTIME_UNSUPPORTED",
      "Deno cannot decrypt an encrypted private key: decrypt it first (openssl pkey -in key.pem -out plain.pem)",
    );
  }
  return { cert: pem.cert, key: pem.key };
}

async function openSocket(socket: OpenSocketOptions): Promise<SocketStreams> {
  requireDeno();
  const { host, port, tls, signal } = socket;
  if (signal.aborted) throw abortError(signal, `connecting to ${host}:${port}`);
  if (tls && (tls.caFile !== undefined || tls.ca !== undefined)) return await openPinned(socket, tls);
  const options = tls ? await tlsOptions(tls, host) : undefined;
  // Deno.connectTls takes no signal: race it, and close a socket that opens after we gave up.
  const opening = open(host, port, signal, options);
  let onAbort: () => void = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(abortError(signal, `connecting to ${host}:${port}`));
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    const conn = await Promise.race([opening, aborted]);
    // TLS errors would otherwise surface at the first read, as a closed connection.
    if (conn.handshake) await Promise.race([conn.handshake(), aborted]);
    return toStreams(conn);
  } catch (err) {
    opening.then((conn) => {
      try {
        conn.close();
      } catch {
        // Already closed.
      }
    }, () => {});
    if (err instanceof MongoAuthError) throw err;
    throw connectError(err, host, port, tls !== undefined);
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

// What went wrong, in words that say what to do; Deno's own reason is kept in the message.
function connectError(err: unknown, host: string, port: number, tls: boolean): MongoAuthError {
  const name = (err as Error)?.name ?? "";
  const message = String((err as Error)?.message ?? err).replace(/[\r\n]+/g, " ");
  const peer = `${host}:${port}`;
  if (/lookup address|name or service not known|nodename nor servname|no such host/i.test(message)) {
    return unresolvableHost(host, message, err);
  }
  if (name === "ConnectionRefused") return connectionRefused(peer, err);
  if (
    tls && (name === "UnexpectedEof" || name === "ConnectionReset" || /eof|close_notify|reset/i.test(message))
  ) {
    return closedDuringTlsHandshake(peer, err);
  }
  if (/certificate|private key|tls|ssl|handshake/i.test(message) || name === "InvalidData") {
    return new MongoAuthError("TLS_ERROR", `TLS handshake with ${peer} failed: ${message}`, { cause: err });
  }
  return new MongoAuthError("CONNECTION_FAILED", `cannot connect to ${peer}: ${message || name}`, {
    cause: err,
  });
}

// TlsConn has no setNoDelay, and with Nagle on, the first command after the handshake waits for the
// server's delayed ACK (~40 ms). So TLS without a client certificate is a TCP connection with
// TCP_NODELAY upgraded by startTls; only client certificates (which startTls cannot send) need connectTls.
async function open(
  host: string,
  port: number,
  signal: AbortSignal,
  tls: Awaited<ReturnType<typeof tlsOptions>> | undefined,
): Promise<DenoConn> {
  if (tls?.cert !== undefined) return await Deno.connectTls({ ...tls, port });
  const tcp = await Deno.connect({ hostname: host, port, signal });
  tcp.setNoDelay?.(true);
  if (!tls) return tcp;
  try {
    return await Deno.startTls(tcp, {
      hostname: tls.hostname,
      unsafelyDisableHostnameVerification: tls.unsafelyDisableHostnameVerification,
    });
  } catch (err) {
    tcp.close();
    throw err;
  }
}

function toStreams(conn: DenoConn): SocketStreams {
  let closed = false;
  return {
    readable: conn.readable,
    writable: conn.writable,
    close() {
      if (closed) return;
      closed = true;
      try {
        conn.close();
      } catch {
        // Closed already by the streams.
      }
    },
  };
}

/**
 * The MONGODB-AWS credential chain as a function for the official driver's `AWS_CREDENTIAL_PROVIDER`,
 * reading this runtime's environment variables and files unless `options.env` says otherwise.
 *
 * @param options env, signal, timeout
 * @returns the provider
 * @example
 * ```ts ignore
 * import { MongoClient } from "mongodb";
 * import { awsCredentialProvider } from "@mongo-auth/core/deno";
 *
 * const client = new MongoClient("mongodb+srv://cluster.example.net/?authMechanism=MONGODB-AWS", {
 *   authMechanismProperties: { AWS_CREDENTIAL_PROVIDER: awsCredentialProvider() },
 * });
 * ```
 */
export function awsCredentialProvider(options: AwsCredentialProviderOptions = {}): AwsCredentialProvider {
  return coreAwsCredentialProvider({ ...options, env: options.env ?? denoEnv() });
}
export { fileTokenStore } from "./token-files.ts";
export { openBrowser } from "./open-browser.ts";

/**
 * An `OIDC_HUMAN_CALLBACK` that signs a person in at the identity provider the server names: refresh
 * when it can, otherwise the authorization code flow with PKCE in a browser (this runtime's loopback
 * listener receives the redirect) or, with `flow: "device"`, the device flow. Works with `connect()`
 * and with the official `mongodb` driver. See the core `createHumanCallback` for every option.
 *
 * @param options flow, redirect URI, `openUrl`, token store, timeouts
 * @returns the callback
 * @throws {MongoAuthError} `INVALID_OPTION` for a bad option
 * @example
 * ```ts ignore
 * import { connect, createHumanCallback, fileTokenStore } from "@mongo-auth/core/deno";
 *
 * const conn = await connect("mongodb+srv://cluster0.example.mongodb.net/?authMechanism=MONGODB-OIDC", {
 *   authMechanismProperties: { OIDC_HUMAN_CALLBACK: createHumanCallback({ store: fileTokenStore() }) },
 * });
 * ```
 */
export function createHumanCallback(options: HumanCallbackOptions = {}): OidcCallback {
  return createHumanCallbackWith({ ...options, listen: options.listen ?? listenLoopbackDeno });
}
