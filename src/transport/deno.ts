/**
 * `connect()` for Deno: `Deno.connect`/`Deno.startTls` (and Deno's `node:tls`, below), `Deno.resolveDns`.
 *
 * What Deno's TLS cannot do itself, the transport does: an encrypted private key
 * (`tlsCertificateKeyFilePassword`) is decrypted with WebCrypto before the handshake when its scheme is PBES2
 * with AES (OpenSSL's default) or OpenSSL's traditional AES encryption (any other scheme is
 * `RUNTIME_UNSUPPORTED`), and the certificate chain the handshake verified is checked against the revocation
 * lists of `tlsCRLFile` before anything is sent.
 *
 * Five kinds of TLS connection go through Deno's `node:tls` instead of `Deno.startTls`:
 *
 * - A pinned CA (`tlsCAFile` / `tlsCA`) must be the only CA trusted, as with Node and the official
 *   driver. Deno's own TLS takes CA certificates only "in addition to the default root certificates",
 *   which would accept any publicly trusted certificate for the host; Deno's `node:tls` (since Deno 2.8)
 *   trusts exactly the given CAs. Older Deno is refused.
 * - A client certificate (MONGODB-X509, `tlsCertificateKeyFile`, `tlsCertificateKey`): `Deno.startTls`
 *   cannot send one, and a `Deno.connectTls` connection has no `setNoDelay`, so its first command waits
 *   for the server's delayed ACK (about 40 ms per connection). `node:tls` sets TCP_NODELAY and trusts the
 *   same roots as Deno (its built-in ones, `DENO_CERT`, `DENO_TLS_CA_STORE`).
 * - TLS over a UNIX domain socket: `Deno.startTls` upgrades only a TCP connection.
 * - `tlsAllowInvalidCertificates` (or `tlsInsecure`): `Deno.startTls` cannot skip verification (only the
 *   process-wide `--unsafely-ignore-certificate-errors` flag can, for every connection and `fetch`), while
 *   `node:tls` skips it for this connection alone.
 * - `tlsCRLFile`: only `node:tls` shows the chain it verified (`getPeerCertificate(true)`), which is what
 *   the lists are checked against.
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
import { onAbort, throwIfAborted } from "../core/abort.ts";
import type { ConnectOptions } from "../client/options.ts";
import { connectWith } from "../client/connect.ts";
import { timerFairImmediate } from "./immediate-turn.ts";
import type { Connection } from "../client/connection.ts";
import { MongoAuthError } from "../core/errors.ts";
import { denoTlsLimits, openWithin, socketError } from "./socket.ts";
import { denoChannel, type DenoConn, denoSocketStreams } from "./deno-socket.ts";
import { socks5Handshake, unreachableProxy } from "./socks5.ts";
import type { HostAddress } from "../credential/connection-string.ts";
import { asRuntimeDefault, type RuntimeEnv, runtimeEnv } from "../core/runtime-env.ts";
import { runShellCommand } from "./run-command.ts";
import {
  type AwsCredentialProviderOptions,
  createAwsCredentialProvider,
} from "../mechanisms/aws/credentials/provider.ts";
import type { AwsCredentialProvider } from "../credential/aws.ts";
import {
  FULL_CAPABILITIES,
  type OpenSocketOptions,
  type ProxySettings,
  type Transport,
  type TransportCapabilities,
} from "../client/transport.ts";
import type { SrvRecord } from "../dns/resolver.ts";
import type { SocketStreams } from "../wire/wire-connection.ts";
import type { OidcCallback } from "../credential/oidc-callback.ts";
import {
  createHumanCallback as createSignIn,
  type HumanCallbackOptions,
} from "../mechanisms/oidc/human/human-callback.ts";
import { listenLoopbackDeno } from "./loopback-listener-deno.ts";
import { nodeZstd } from "./zstd.ts";
import { describeDenoHost, grantedVariables, osTypeOf } from "./host-description-deno.ts";
import type { HostDescription } from "../client/handshake.ts";
import { hostPort, isSocketPath } from "../topology/server-description.ts";

// The slice of the Deno namespace used here, typed locally so that tsc (the npm build) compiles
// this file without Deno's own type library.
interface DenoResolveOptions {
  signal?: AbortSignal;
  nameServer?: { ipAddr: string; port?: number };
}
interface DenoApi {
  readonly version: { readonly deno: string };
  readonly build: { readonly os: string };
  connect(options: { hostname: string; port: number; signal?: AbortSignal }): Promise<DenoConn>;
  connect(options: { transport: "unix"; path: string }): Promise<DenoConn>;
  startTls(conn: DenoConn, options: {
    hostname: string;
    unsafelyDisableHostnameVerification?: boolean;
  }): Promise<DenoConn>;
  resolveDns(name: string, type: "SRV", options?: DenoResolveOptions): Promise<
    { port: number; target: string }[]
  >;
  resolveDns(name: string, type: "TXT", options?: DenoResolveOptions): Promise<string[][]>;
  readTextFile(path: string): Promise<string>;
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
 * The runtime environment from `Deno.env` (each variable that `--allow-env` grants, by name or all),
 * `Deno.readTextFile`, `fetch`, and the shell of `node:child_process` for commands (with `--allow-run`).
 * A variable Deno refuses to show is invisible; the environment then names it in `envRestriction`, and
 * errors about missing variables quote it.
 *
 * @returns the environment
 * @throws {MongoAuthError} `RUNTIME_UNSUPPORTED` outside Deno
 * @example
 * ```ts ignore
 * import { denoEnv } from "@mongo-auth/core/deno";
 *
 * // deno run --allow-env=AWS_REGION main.ts
 * console.log(denoEnv().getEnv("AWS_REGION"));
 * ```
 */
export function denoEnv(): RuntimeEnv {
  requireDeno();
  // Each variable read when asked for, as it is then: SCRAM and X509 never look, so they need no --allow-env,
  // and --allow-env=AWS_REGION,… grants what it lists (reading all at once needs --allow-env whole).
  const variables = grantedVariables();
  return asRuntimeDefault({
    ...runtimeEnv({ readTextFile: (path) => Deno.readTextFile(path), runCommand: runShellCommand }),
    getEnv: variables.get,
    get homeDir() {
      return variables.homeDir();
    },
    get envRestriction() {
      return variables.restriction();
    },
  });
}

// One environment for every connect() through the transport: it reads each variable when asked.
let processEnv: RuntimeEnv | undefined;

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
  let host: HostDescription | undefined;
  return {
    platform: `Deno ${Deno?.version?.deno}`,
    osType: osTypeOf(Deno?.build?.os),
    describeHost: () => host ??= describeDenoHost(),
    capabilities: denoCapabilities(),
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
    defaultEnv: () => processEnv ??= denoEnv(),
    ...(timerFairImmediate && { nextTurn: timerFairImmediate }),
    zstd: nodeZstd(),
  };
}

// What Deno's TLS can do: pinning and revocation lists (through its node:tls) from Deno 2.8.
function denoCapabilities(): TransportCapabilities {
  return {
    ...FULL_CAPABILITIES,
    ...denoTlsLimits(),
    runtime: `Deno ${Deno?.version?.deno ?? "unknown"}`,
  };
}

// Made by a call marked pure, so that a bundle which takes only the human sign-in from this module leaves
// the sockets out (tests/bundle.test.ts).
/** The Deno transport with the system's DNS, for `connectWith` and tests. */
export const denoTransport: Transport = /* @__PURE__ */ createDenoTransport();

// TLS through Deno's node:tls (see the module comment): trusting the pinned CA and nothing else,
// presenting a client certificate without waiting on the server's delayed ACK, not verifying the server's
// certificate for this connection alone, or showing the verified chain for the revocation lists.
async function openWithNodeTls(socket: OpenSocketOptions): Promise<SocketStreams> {
  const { openNodeSocket } = await import("./node-socket.ts");
  return await openNodeSocket(socket);
}

async function openSocket(socket: OpenSocketOptions): Promise<SocketStreams> {
  requireDeno();
  const { host, port, tls, signal, trace } = socket;
  const what = `connecting to ${hostPort({ host, port })}`;
  throwIfAborted(signal, what);
  const pinned = tls?.caFile !== undefined || tls?.ca !== undefined;
  const certificate = tls?.certificateKeyFile !== undefined || tls?.certificateKey !== undefined;
  // Deno.startTls takes only a TCP connection.
  const overSocketPath = tls !== undefined && isSocketPath(host);
  const unverified = tls?.allowInvalidCertificates === true;
  const revocation = tls?.crlFile !== undefined;
  if (pinned || certificate || overSocketPath || unverified || revocation) {
    return await openWithNodeTls(socket);
  }
  const close = (conn: DenoConn) => conn.close();
  try {
    // Deno.startTls takes no signal: openWithin races it, and closes a socket that opens late.
    const conn = await openWithin(open(socket), signal, what, close);
    // TLS errors would otherwise surface at the first read, as a closed connection.
    if (conn.handshake) await openWithin(conn.handshake().then(() => conn), signal, what, close);
    if (tls) trace?.emit("tls.handshake", { unavailable: DENO_TLS_UNAVAILABLE });
    return denoSocketStreams(conn);
  } catch (err) {
    throw socketError(err, host, port, tls !== undefined, trace);
  }
}

// Deno's own TLS shows nothing of the session (a client certificate or a pinned CA goes through node:tls,
// which does).
const DENO_TLS_UNAVAILABLE = ["protocol", "cipher", "server certificate"].map((what) =>
  `${what} (Deno.startTls does not show it)`
);

// A UNIX domain socket (Deno.connect takes no signal for one; openWithin races it), or a TCP connection
// (to the host, or to a SOCKS5 proxy that opens a tunnel to it) with TCP_NODELAY (a TlsConn has no
// setNoDelay, and with Nagle on, the first command after the handshake would wait for the server's
// delayed ACK), upgraded by startTls for TLS.
async function open({ host, port, tls, proxy, signal }: OpenSocketOptions): Promise<DenoConn> {
  if (isSocketPath(host)) return await Deno.connect({ transport: "unix", path: host });
  const tcp = proxy
    ? await openTunnel(proxy, { host, port }, signal)
    : await Deno.connect({ hostname: host, port, signal });
  tcp.setNoDelay?.(true);
  // Deno sets no idle time: the probes start after the system's (Linux: 2 hours), not the drivers' 120 s.
  tcp.setKeepAlive?.(true);
  if (!tls) return tcp;
  try {
    return await Deno.startTls(tcp, {
      hostname: host,
      unsafelyDisableHostnameVerification: tls.allowInvalidHostnames || undefined,
    });
  } catch (err) {
    tcp.close();
    throw err;
  }
}

// A connection to the proxy that carries the target's bytes once the SOCKS5 handshake is done. Closed on
// abort: a proxy that never answers would otherwise hold it open after connect() gave up.
async function openTunnel(proxy: ProxySettings, target: HostAddress, signal: AbortSignal): Promise<DenoConn> {
  const conn = await Deno.connect({ hostname: proxy.host, port: proxy.port, signal }).catch((err) => {
    throw unreachableProxy(err, proxy);
  });
  const close = () => {
    try {
      conn.close();
    } catch {
      // Closed already.
    }
  };
  const stopListening = onAbort(signal, close);
  try {
    await socks5Handshake(denoChannel(conn), proxy, target);
    return conn;
  } catch (err) {
    close();
    throw err;
  } finally {
    stopListening();
  }
}

export type { AwsCredentialProviderOptions };

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
export function awsCredentialProvider(options?: AwsCredentialProviderOptions): AwsCredentialProvider {
  // options are checked by createAwsCredentialProvider: an env of the wrong type is INVALID_OPTION there.
  return createAwsCredentialProvider(options?.env ?? denoEnv(), options);
}
export { fileTokenStore } from "./token-files.ts";
export { openBrowser } from "./open-browser.ts";

/**
 * An `OIDC_HUMAN_CALLBACK` that signs a person in at the identity provider the server names: refresh
 * when it can, otherwise the authorization code flow with PKCE in a browser (`Deno.serve` on
 * 127.0.0.1 receives the redirect; `--allow-net`) or, with `flow: "device"`, the device flow. For
 * `connect()` and for the official `mongodb` driver alike.
 *
 * @param options flow, redirect URI, `openUrl`, token store, timeouts (see `HumanCallbackOptions`)
 * @returns the callback
 * @throws {MongoAuthError} `INVALID_OPTION` for a bad option. The callback throws what the sign-in
 *   can fail with: `OIDC_IDP_UNREACHABLE`, `OIDC_DISCOVERY_FAILED`, `OIDC_SIGN_IN_DECLINED`,
 *   `OIDC_REDIRECT_ERROR`, `OIDC_STATE_MISMATCH`, `OIDC_DEVICE_CODE_EXPIRED`, `CREDENTIAL_PROVIDER_ERROR`,
 *   `TIMEOUT`, `ABORTED`
 *
 * @example Sign in once, in the system browser, and keep the tokens for the next run
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCredential } from "@mongo-auth/core";
 * import { createHumanCallback, fileTokenStore, openBrowser } from "@mongo-auth/core/deno";
 *
 * const OIDC_HUMAN_CALLBACK = createHumanCallback({ openUrl: openBrowser, store: fileTokenStore() });
 * // connect(uri, { authMechanismProperties: { OIDC_HUMAN_CALLBACK } }) signs the person in when the
 * // server asks; the callback is what the credential holds:
 * const credential = parseCredential("mongodb+srv://cluster0.example.net/?authMechanism=MONGODB-OIDC", {
 *   authMechanismProperties: { OIDC_HUMAN_CALLBACK },
 * });
 * assert.equal(credential?.mechanismProperties.OIDC_HUMAN_CALLBACK, OIDC_HUMAN_CALLBACK);
 * ```
 */
export function createHumanCallback(options: HumanCallbackOptions = {}): OidcCallback {
  return createSignIn(options, listenLoopbackDeno);
}
