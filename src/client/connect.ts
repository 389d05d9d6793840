/**
 * `connect()` without a runtime: resolves hosts, opens a socket through a {@link Transport}, runs
 * hello and authentication in as few round trips as the mechanism allows.
 *
 * @module
 */
import { abortError, Deadline } from "../core/abort.ts";
import { startAuthentication } from "./authenticate.ts";
import type { ConnectOptions, ConnectSettings } from "./options.ts";
import { planConnection } from "./connect-plan.ts";
import { Connection } from "./connection.ts";
import type { MongoCredential } from "../credential/mongo-credential.ts";
import { MongoAuthError, MongoServerError } from "../core/errors.ts";
import type { Document } from "../wire/command.ts";
import { clientMetadata } from "./handshake.ts";
import type { HostAddress } from "../credential/connection-string.ts";
import { explainPbkdf2Cap, type Transport } from "./transport.ts";
import { WireConnection } from "../wire/wire-connection.ts";
import { handshakeGateOf } from "./handshake-gate.ts";

/**
 * Connects to the first reachable host of `uri` and authenticates.
 *
 * Warnings (an unknown or misspelt option, a value an option does not accept, a repeated option; see
 * `ConnectionString.warnings`) go to `options.onWarning` as they are found and end up on
 * `Connection.warnings`; nothing is logged.
 *
 * @param transport the runtime's sockets and DNS
 * @param uri a `mongodb://` or `mongodb+srv://` connection string
 * @param options MongoClient-style options; they win over the connection string's
 * @returns the authenticated connection
 * @throws {MongoAuthError} `INVALID_URI`, `INVALID_CREDENTIAL`, `INVALID_OPTION`, `CONNECTION_FAILED`,
 *   `AUTHENTICATION_FAILED`, `TIMEOUT`, `ABORTED`, `TLS_ERROR`, `DNS_ERROR`; `RUNTIME_UNSUPPORTED` for
 *   what the transport's capabilities say its runtime cannot do, before any socket is opened
 *
 * @example What a runtime cannot do is refused before any socket
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectWith, type Transport } from "@mongo-auth/core";
 *
 * const transport: Transport = {
 *   platform: "Example 1.0",
 *   osType: "unknown",
 *   capabilities: {
 *     runtime: "Example",
 *     clientCertificates: { instead: "authenticate with SCRAM-SHA-256" },
 *     customCA: true,
 *     skipCertificateVerification: true,
 *     skipHostnameVerification: true,
 *     encryptedPrivateKeys: true,
 *     loopbackListener: true,
 *   },
 *   openSocket: () => Promise.reject(new Error("never reached")),
 *   resolveSrv: () => Promise.resolve([]),
 *   resolveTxt: () => Promise.resolve([]),
 *   defaultEnv: () => { throw new Error("never reached"); },
 * };
 * await assert.rejects(
 *   connectWith(transport, "mongodb://db.example.net/?authMechanism=MONGODB-X509&tls=true"),
 *   { code: "RUNTIME_UNSUPPORTED", message: /^Example cannot present a TLS client certificate/ },
 * );
 * ```
 */
export async function connectWith(
  transport: Transport,
  uri: string,
  options: ConnectOptions = {},
): Promise<Connection> {
  try {
    return await connectToFirstHost(transport, uri, options);
  } catch (err) {
    throw explainPbkdf2Cap(err, transport.capabilities);
  }
}

async function connectToFirstHost(
  transport: Transport,
  uri: string,
  options: ConnectOptions,
): Promise<Connection> {
  const { hosts, credential, settings, warnings } = await planConnection(transport, uri, options);
  const failures: unknown[] = [];
  for (const address of hosts) {
    try {
      return await connectHost(transport, address, credential, settings, options, warnings);
    } catch (err) {
      // A server that answered and refused us will refuse on every host, and what the runtime cannot
      // do it cannot do for any host: stop here.
      if (err instanceof MongoAuthError && STOP_CODES.has(err.code)) throw err;
      failures.push(err);
    }
  }
  if (failures.length === 1 && failures[0] instanceof MongoAuthError) throw failures[0];
  const reasons = failures.map((err) =>
    err instanceof MongoAuthError ? err.message : `unexpected ${(err as Error)?.name ?? "error"}`
  );
  throw new MongoAuthError("CONNECTION_FAILED", `could not connect to any host: ${reasons.join("; ")}`, {
    cause: new AggregateError(failures, "every host failed"),
  });
}

const STOP_CODES: ReadonlySet<string> = new Set([
  "AUTHENTICATION_FAILED",
  "UNSUPPORTED_MECHANISM",
  "ABORTED",
  "RUNTIME_UNSUPPORTED",
]);

async function connectHost(
  transport: Transport,
  address: HostAddress,
  credential: MongoCredential | undefined,
  settings: ConnectSettings,
  options: ConnectOptions,
  warnings: readonly string[],
): Promise<Connection> {
  const started = performance.now();
  const peer = `${address.host}:${address.port}`;
  const where = `connecting to ${peer}`;
  // One budget for socket, hello and authentication; it stops while a person signs in (human OIDC).
  const deadline = new Deadline(options.signal, settings.connectTimeoutMS, where);
  const signal = deadline.signal;
  let release = () => {};
  try {
    release = await handshakeGateOf(options.cacheStore).enter(settings.maxConnecting, signal, where);
    const socket = await transport.openSocket({
      host: address.host,
      port: address.port,
      tls: settings.tls,
      signal,
    });
    const wire = new WireConnection(socket, { timeoutMS: settings.socketTimeoutMS, peer });
    try {
      const commandOptions = { signal, timeoutMS: 0 };
      const auth = credential
        ? await startAuthentication(credential, {
          host: address.host,
          env: options.env ?? transport.defaultEnv(),
          cacheStore: options.cacheStore,
          maxScramIterations: options.maxScramIterations,
        }, deadline)
        : undefined;
      const hello = await sendHello(wire, transport, settings, auth?.helloFields ?? {}, commandOptions);
      if (typeof hello.maxMessageSizeBytes === "number" && hello.maxMessageSizeBytes > 0) {
        wire.maxMessageSizeBytes = hello.maxMessageSizeBytes;
      }
      const runner = { command: (db: string, cmd: Document) => wire.command(db, cmd, commandOptions) };
      const result = auth ? await auth.complete(runner, hello) : undefined;
      return new Connection(
        wire,
        address,
        {
          mechanism: result?.mechanism,
          speculative: result?.speculative ?? false,
          roundTrips: wire.roundTrips,
          durationMs: performance.now() - started,
          maxWireVersion: typeof hello.maxWireVersion === "number" ? hello.maxWireVersion : 0,
        },
        auth,
        warnings,
      );
    } catch (err) {
      await wire.close();
      if (
        !signal.aborted && err instanceof MongoAuthError && err.code === "CONNECTION_CLOSED" &&
        wire.roundTrips === 0
      ) {
        throw closedBeforeHello(peer, settings, err);
      }
      throw err;
    }
  } catch (err) {
    if (signal.aborted && !(err instanceof MongoAuthError && err.code === "AUTHENTICATION_FAILED")) {
      throw abortError(signal, where);
    }
    throw err;
  } finally {
    release();
    deadline.dispose();
  }
}

// mongod closes a connection without a word when TLS does not match: a plain connection to a server
// that requires TLS, or a client certificate it does not trust. Say which, since nothing else will.
function closedBeforeHello(peer: string, settings: ConnectSettings, cause: MongoAuthError): MongoAuthError {
  const hint = settings.tls
    ? settings.tls.certificateKeyFile !== undefined || settings.tls.certificateKey !== undefined
      ? "the server may not trust your client certificate's CA, or requires another certificate"
      : "the server may require a client certificate (tlsCertificateKeyFile)"
    : "if the server requires TLS, add tls=true to the connection string";
  return new MongoAuthError(
    "CONNECTION_CLOSED",
    `${peer} closed the connection before answering hello: ${hint}`,
    { cause },
  );
}

async function sendHello(
  wire: WireConnection,
  transport: Transport,
  settings: ConnectSettings,
  authFields: Document,
  commandOptions: { signal: AbortSignal; timeoutMS: number },
): Promise<Document> {
  const client = clientMetadata(transport, settings.appName);
  const fields = { helloOk: true, client, ...authFields };
  try {
    return await wire.command("admin", { hello: 1, ...fields }, commandOptions);
  } catch (err) {
    // Servers before 4.4.2 know only the legacy name.
    if (!(err instanceof MongoServerError) || err.serverCode !== 59) throw err;
    return await wire.command("admin", { isMaster: 1, ...fields }, commandOptions);
  }
}
