/**
 * `connect()` without a runtime: resolves hosts, opens a socket through a {@link Transport}, runs
 * hello and authentication in as few round trips as the mechanism allows.
 *
 * @module
 */
import { abortError, Deadline, withTimeout } from "../core/abort.ts";
import { startAuthentication } from "./authenticate.ts";
import type { ConnectOptions, ConnectSettings } from "./options.ts";
import { type ConnectionPlan, planConnection } from "./connect-plan.ts";
import { Connection } from "./connection.ts";
import { MongoAuthError, MongoServerError } from "../core/errors.ts";
import type { Document } from "../wire/command.ts";
import { clientMetadata } from "./handshake.ts";
import type { HostAddress } from "../credential/connection-string.ts";
import { explainPbkdf2Cap, type Transport } from "./transport.ts";
import { WireConnection } from "../wire/wire-connection.ts";
import { attachTrace, stopwatch, TraceRecorder } from "../core/trace.ts";
import { helloAttributes } from "./hello-event.ts";

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
  const env = options.env;
  const trace = new TraceRecorder({ onEvent: options.onEvent, now: env && (() => env.now()) });
  const elapsed = stopwatch();
  try {
    const connection = await connectToFirstHost(transport, uri, options, trace);
    const { host, port, roundTrips } = connection;
    trace.emit("connect.succeeded", { host, port, roundTrips }, elapsed());
    return connection;
  } catch (err) {
    const explained = explainPbkdf2Cap(err, transport.capabilities);
    trace.emit("connect.failed", failureAttributes(explained), elapsed());
    throw attachTrace(explained, trace);
  }
}

async function connectToFirstHost(
  transport: Transport,
  uri: string,
  options: ConnectOptions,
  trace: TraceRecorder,
): Promise<Connection> {
  const plan = await planConnection(transport, uri, options, trace);
  const failures: unknown[] = [];
  for (const [index, address] of plan.hosts.entries()) {
    const { host, port } = address;
    trace.emit("host.connecting", { host, port, attempt: index + 1, of: plan.hosts.length });
    try {
      return await connectHost(transport, address, plan, options, trace);
    } catch (err) {
      if (options.explain && plan.settings.tls && hungUpDuringTls(trace)) {
        await probeWithoutTls(transport, address, options.signal, trace);
      }
      trace.emit("host.failed", { host, port, ...failureAttributes(err) });
      // A server that answered and refused us will refuse on every host, and what the runtime cannot
      // do it cannot do for any host: stop here.
      if (err instanceof MongoAuthError && STOP_CODES.has(err.code)) throw err;
      failures.push(err);
    }
  }
  if (failures.length === 1 && failures[0] instanceof MongoAuthError) throw failures[0];
  const reasons = failures.map((err) => failureAttributes(err).message);
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

/** How long the plain hello of {@link probeWithoutTls} may take. */
const PLAIN_PROBE_TIMEOUT_MS = 2_000;

// The last event says the peer hung up on (or answered something else to) our TLS handshake.
function hungUpDuringTls(trace: TraceRecorder): boolean {
  const last = trace.events.at(-1);
  return last?.type === "tls.failed" && last.attributes.reason === "not-tls";
}

// With explain: does the port answer a plain hello? That tells a server without TLS from one that hung up
// on us for another reason. One bounded attempt; its outcome is evidence, never an error.
async function probeWithoutTls(
  transport: Transport,
  { host, port }: HostAddress,
  callerSignal: AbortSignal | undefined,
  trace: TraceRecorder,
): Promise<void> {
  const signal = withTimeout(callerSignal, PLAIN_PROBE_TIMEOUT_MS);
  let wire: WireConnection | undefined;
  try {
    const socket = await transport.openSocket({ host, port, signal });
    wire = new WireConnection(socket, { timeoutMS: PLAIN_PROBE_TIMEOUT_MS, peer: `${host}:${port}` });
    const reply = await wire.command("admin", { hello: 1, helloOk: true }, { signal });
    const { serverRelease } = helloAttributes(reply, { command: "hello", speculative: false });
    trace.emit("tls.plain_probe", { host, port, answered: true, serverRelease });
  } catch (err) {
    trace.emit("tls.plain_probe", { host, port, answered: false, detail: failureAttributes(err).message });
  } finally {
    await wire?.close();
  }
}

function failureAttributes(err: unknown): { code: string; message: string } {
  return err instanceof MongoAuthError
    ? { code: err.code, message: err.message }
    : { code: "UNEXPECTED", message: `unexpected ${(err as Error)?.name ?? "error"}` };
}

async function connectHost(
  transport: Transport,
  address: HostAddress,
  plan: ConnectionPlan,
  options: ConnectOptions,
  trace: TraceRecorder,
): Promise<Connection> {
  const { credential, settings, warnings } = plan;
  const started = performance.now();
  const peer = `${address.host}:${address.port}`;
  const where = `connecting to ${peer}`;
  // One budget for socket, hello and authentication; it stops while a person signs in (human OIDC).
  const deadline = new Deadline(options.signal, settings.connectTimeoutMS, where);
  const signal = deadline.signal;
  try {
    const opening = stopwatch();
    const socket = await transport.openSocket({
      host: address.host,
      port: address.port,
      tls: settings.tls,
      signal,
      trace,
    });
    trace.emit("socket.opened", { host: address.host, port: address.port, tls: !!settings.tls }, opening());
    const wire = new WireConnection(socket, { timeoutMS: settings.socketTimeoutMS, peer });
    try {
      const commandOptions = { signal, timeoutMS: 0 };
      const auth = credential
        ? await startAuthentication(
          credential,
          {
            host: address.host,
            env: options.env ?? transport.defaultEnv(),
            cacheStore: options.cacheStore,
            maxScramIterations: options.maxScramIterations,
            explain: options.explain,
          },
          deadline,
          { trace, authSource: plan.authSource },
        )
        : undefined;
      const hello = await sendHello(
        wire,
        transport,
        settings,
        auth?.helloFields ?? {},
        commandOptions,
        trace,
      );
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
        trace.events,
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
  trace: TraceRecorder,
): Promise<Document> {
  const client = clientMetadata(transport, settings.appName);
  const fields = { helloOk: true, client, ...authFields };
  const elapsed = stopwatch();
  const sent = (command: string) => ({
    command,
    mechsAskedFor: typeof authFields.saslSupportedMechs === "string"
      ? authFields.saslSupportedMechs
      : undefined,
    speculative: authFields.speculativeAuthenticate !== undefined,
  });
  let command = "hello";
  let reply: Document;
  try {
    reply = await wire.command("admin", { hello: 1, ...fields }, commandOptions);
  } catch (err) {
    // Servers before 4.4.2 know only the legacy name.
    if (!(err instanceof MongoServerError) || err.serverCode !== 59) throw err;
    command = "isMaster";
    reply = await wire.command("admin", { isMaster: 1, ...fields }, commandOptions);
  }
  trace.emit("hello", helloAttributes(reply, sent(command)), elapsed());
  return reply;
}
