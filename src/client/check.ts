/**
 * One check of one server, as connect() makes it: a socket (TLS if asked), then hello with the client
 * metadata, `loadBalanced: true` in load-balanced mode, and — where this server may be the one connect()
 * ends on — the authentication's speculative step. The socket stays open: if the server is chosen, the
 * authentication finishes on it, so choosing costs no second connection.
 *
 * @module
 */
import { abortError, Deadline, withTimeout } from "../core/abort.ts";
import { TimerQueue } from "../core/timer-queue.ts";
import { MongoAuthError, MongoServerError } from "../core/errors.ts";
import type { HostAddress } from "../credential/connection-string.ts";
import type { MongoCredential } from "../credential/mongo-credential.ts";
import {
  addressKey,
  describeServer,
  hostPort,
  isAtlasHost,
  isSocketPath,
  type ServerDescription,
} from "../topology/server-description.ts";
import type { Document } from "../wire/command.ts";
import { WireConnection } from "../wire/wire-connection.ts";
import { DEFAULT_MAX_MESSAGE_SIZE } from "../wire/frame-parser.ts";
import { negotiatedCompressor } from "../wire/compression.ts";
import { type Authentication, startAuthentication } from "./authenticate.ts";
import type { ClientMetadata } from "./handshake.ts";
import type { ConnectOptions, ConnectSettings } from "./options.ts";
import type { Transport } from "./transport.ts";
import type { TurnBudget } from "./turn-budget.ts";
import { describeApiParameters } from "./server-api.ts";
import { timeoutMSRanOut } from "./connect-plan.ts";
import { stopwatch, type TraceEventAttributes, type TraceRecorder } from "../core/trace.ts";
import type { AuthSourceOrigin } from "../credential/credential.ts";
import { helloAttributes } from "./hello-event.ts";

/** A checked server with its socket still open. */
export interface CheckedServer {
  readonly address: HostAddress;
  readonly description: ServerDescription;
  readonly wire: WireConnection;
  /** The hello reply. */
  readonly hello: Document;
  /** The authentication whose speculative step was in the hello, if any. */
  readonly auth?: Authentication;
  /**
   * The member's budget (connectTimeoutMS for socket, hello and authentication). It is stopped when the
   * check returns, while connect() waits for other servers' checks; {@link resume} starts it again.
   */
  readonly deadline: Deadline;
  /** When the socket was asked for (performance.now()). */
  readonly started: number;
  /** Starts the budget again, for the authentication on the chosen member. */
  resume(): void;
  /** Closes the socket and lets go of the budget. */
  close(): Promise<void>;
}

/** What a check needs besides the address. */
export interface CheckContext {
  readonly transport: Transport;
  readonly settings: ConnectSettings;
  readonly options: ConnectOptions;
  readonly credential?: MongoCredential;
  /** The clock SDAM's lastUpdateTime reads (milliseconds). */
  readonly now: () => number;
  /** The connect's trace: each check records its socket, TLS, hello and speculative start there. */
  readonly trace: TraceRecorder;
  /** hello's `client` metadata document (the same for every server checked). */
  readonly client: ClientMetadata;
  /** Why the credential's authentication database is the one it is (for the trace). */
  readonly authSource?: AuthSourceOrigin & { readonly uriDatabase?: string };
  /**
   * `timeoutMS`'s clock, when set: each member's budget runs inside it (its signal is then
   * `options.signal`), so what the budget has left counts both.
   */
  readonly operation?: Deadline;
  /**
   * The process's budget of handshake steps, when connect() spreads its work over turns of the event loop: a
   * check takes a step once its socket is open, before hello, so that sockets that open together (Deno hands
   * a burst of them over at once) do not all say hello in one turn.
   */
  readonly steps?: TurnBudget;
}

// Every check's budget waits on one timer (a pool's warm-up starts a hundred budgets and almost never lets one
// run out; on Deno, a timer each cost the warm-up 2 % of its main-thread CPU: bench/README.md, section 4).
// Not where each request's I/O is its own (Cloudflare Workers): a timer set while serving one request would
// end another request's check from the wrong context, or not at all once its own request is done.
const CHECK_TIMERS = new TimerQueue();

/**
 * A server check's budget for {@link checkServer}: `connectTimeoutMS` for socket, hello and authentication,
 * inside `timeoutMS`'s when it is set. It stops while a person signs in (human OIDC) and while connect()
 * waits for the other servers it checks. {@link abandonCheck} ends the check through it.
 *
 * @param context the check's context
 * @param address the server
 * @returns the budget, its clock running
 */
export function checkDeadline(context: CheckContext, address: HostAddress): Deadline {
  const where = `connecting to ${hostPort(address)}`;
  return new Deadline(
    context.operation ?? context.options.signal,
    context.settings.connectTimeoutMS,
    where,
    timersFor(context.transport),
  );
}

/**
 * The timer queue the budgets of a connect() wait on: the process's, or where each request's I/O is its own,
 * a queue (a timer) of the budget's own.
 *
 * @param transport the connection's transport
 * @returns the queue
 */
export function timersFor(transport: Transport): TimerQueue {
  return transport.ioPerRequest ? new TimerQueue() : CHECK_TIMERS;
}

/**
 * Ends a check under way that is no longer wanted (another server was chosen): its socket closes at once,
 * and what it fails with is never reported.
 *
 * @param deadline the check's budget, from {@link checkDeadline}
 */
export function abandonCheck(deadline: Deadline): void {
  deadline.abort(ABANDONED);
}

// What an abandoned check's budget fires with. The scan aborts the budget itself rather than a signal of
// its own that the budget listens to: on Node.js 20 each AbortSignal made costs a connect() microseconds.
const ABANDONED = new MongoAuthError("ABORTED", "another server was chosen, so this check was abandoned");

/**
 * Ends a check when serverSelectionTimeoutMS has run out (discovery.ts): under way, it fails with a
 * `TIMEOUT` that says where it stood; not yet started, it fails at once, as not tried.
 *
 * @param deadline the check's budget, from {@link checkDeadline}
 */
export function outOfSelectionTime(deadline: Deadline): void {
  deadline.abort(SELECTION_RAN_OUT);
}

// What such a check's budget fires with; never thrown as it is (checkServer says which server, and where).
const SELECTION_RAN_OUT = new MongoAuthError("TIMEOUT", "serverSelectionTimeoutMS ran out");

/**
 * Opens a socket to `address` and sends hello.
 *
 * @param context transport, settings, the caller's options, the credential
 * @param address the server
 * @param speculate put the authentication's speculative step into hello
 * @param deadline the check's budget, from {@link checkDeadline}: the check owns it from here
 * @returns the checked server, its socket open and its budget stopped until {@link CheckedServer.resume}
 * @throws {MongoAuthError} what opening the socket or hello failed with (`CONNECTION_FAILED`, `TLS_ERROR`,
 *   `CONNECTION_CLOSED`, `TIMEOUT`, `ABORTED`, …), and what starting the authentication failed with
 */
export async function checkServer(
  context: CheckContext,
  address: HostAddress,
  speculate: boolean,
  deadline: Deadline,
): Promise<CheckedServer> {
  const { transport, settings, options, credential, trace } = context;
  const started = performance.now();
  const peer = hostPort(address);
  const where = `connecting to ${peer}`;
  const signal = deadline.signal;
  // With several hosts, one whose turn comes after timeoutMS or serverSelectionTimeoutMS ran out is never
  // tried: say so, not where it stood.
  const late = context.operation?.expired === true || signal.reason === SELECTION_RAN_OUT;
  let wire: WireConnection | undefined;
  // Where a connectTimeoutMS that runs out found the check, for its message.
  let stage: ConnectStage = "socket";
  try {
    const opening = stopwatch();
    const socket = await transport.openSocket({
      host: address.host,
      port: address.port,
      tls: settings.tls,
      proxy: settings.proxy,
      signal,
      trace,
    });
    const socketOpened: TraceEventAttributes["socket.opened"] = {
      host: address.host,
      port: address.port,
      tls: !!settings.tls,
    };
    if (settings.proxy) socketOpened.proxy = hostPort(settings.proxy);
    trace.emit("socket.opened", socketOpened, opening());
    const turn = context.steps?.step();
    if (turn) await turn;
    wire = new WireConnection(socket, {
      // The connection's commands after connect(): timeoutMS, when given, in place of socketTimeoutMS.
      timeoutMS: settings.timeoutMS ?? settings.socketTimeoutMS,
      peer,
      apiParameters: settings.apiParameters,
      zstd: transport.zstd,
    });
    stage = "authentication";
    const auth = speculate && credential ? await startOn(context, address, deadline) : undefined;
    stage = "hello";
    const helloStarted = performance.now();
    const hello = await sendHello(wire, context, address, auth?.helloFields ?? {}, { signal, timeoutMS: 0 });
    const roundTripTime = performance.now() - helloStarted;
    wire.maxMessageSizeBytes = messageSizeLimit(hello.maxMessageSizeBytes);
    const description = describeServer(addressKey(address), hello, {
      roundTripTime,
      lastUpdateTime: context.now(),
      loadBalanced: settings.selection.loadBalanced === true,
    });
    const opened = wire;
    const resume = deadline.pause();
    return {
      address,
      description,
      wire: opened,
      hello,
      ...(auth && { auth }),
      deadline,
      started,
      resume,
      close: async () => {
        resume();
        deadline.dispose();
        await opened.close();
      },
    };
  } catch (err) {
    await wire?.close();
    deadline.dispose();
    const abandoned = signal.reason === ABANDONED;
    if (options.explain && settings.tls && !abandoned && hungUpDuringTls(trace, address)) {
      await probeWithoutTls(transport, address, settings, options.signal, trace);
    }
    const error = checkError(err, signal, where, wire, peer, settings);
    // The check's own connectTimeoutMS, timeoutMS for the whole connect() or serverSelectionTimeoutMS for
    // finding the server, and nothing that outranks it (a refused login): say where it stood.
    if (late && error === signal.reason) throw notTried(peer, settings, error === SELECTION_RAN_OUT);
    if (error === SELECTION_RAN_OUT) {
      const ranOut = selectionTimeRanOut(peer, settings.selection.serverSelectionTimeoutMS);
      throw stalled(ranOut, address, stage, settings, credential);
    }
    if ((deadline.expired || context.operation?.expired) && error === signal.reason) {
      // timeoutMS's own error names every host: this one's names this host, as connectTimeoutMS's does.
      const timedOut = deadline.expired
        ? error as MongoAuthError
        : timeoutMSRanOut(peer, settings.timeoutMS!);
      throw stalled(timedOut, address, stage, settings, credential);
    }
    throw error;
  }
}

/**
 * The largest message the connection takes and sends: hello's `maxMessageSizeBytes`, at most mongod's own
 * (48 000 000 bytes, a constant of the server). A server never announces more; a peer that does would make
 * the connection accept a reply of that size, buffered whole before it is read (2**40 announced: a terabyte
 * waited for). A smaller limit is kept, and anything but a positive number leaves the default.
 *
 * @param announced hello's `maxMessageSizeBytes`
 * @returns the limit for the connection
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { messageSizeLimit } from "./check.ts";
 *
 * assert.equal(messageSizeLimit(16_000_000), 16_000_000);
 * assert.equal(messageSizeLimit(2 ** 40), 48_000_000);
 * assert.equal(messageSizeLimit("48000000"), 48_000_000);
 * ```
 */
export function messageSizeLimit(announced: unknown): number {
  return typeof announced === "number" && announced > 0
    ? Math.min(announced, DEFAULT_MAX_MESSAGE_SIZE)
    : DEFAULT_MAX_MESSAGE_SIZE;
}

/**
 * Starts the authentication on `address`, for its speculative step in that server's hello (and on the
 * chosen server when its check had none).
 *
 * @param context the check's context
 * @param address the server
 * @param deadline the server's budget
 * @returns the authentication in progress
 */
export function startOn(
  context: CheckContext,
  address: HostAddress,
  deadline: Deadline,
): Promise<Authentication> {
  const { transport, options, credential, trace, authSource } = context;
  return startAuthentication(
    credential!,
    {
      host: address.host,
      env: options.env ?? transport.defaultEnv(),
      cacheStore: options.cacheStore,
      maxScramIterations: options.maxScramIterations,
      explain: options.explain,
    },
    deadline,
    { trace, authSource, server: address },
  );
}

/**
 * A failure as trace attributes: a `MongoAuthError`'s code and message (which hold no secret), else only
 * the name of what was thrown.
 *
 * @param err what was thrown
 * @returns `code` and `message`
 */
export function failureAttributes(err: unknown): { code: string; message: string } {
  return err instanceof MongoAuthError
    ? { code: err.code, message: err.message }
    : { code: "UNEXPECTED", message: `unexpected ${(err as Error)?.name ?? "error"}` };
}

/** How long the plain hello of {@link probeWithoutTls} may take. */
const PLAIN_PROBE_TIMEOUT_MS = 2_000;

// This check's TLS handshake failed because the peer hung up on it (or answered something else): its
// last event, among the events of this server since its check began.
function hungUpDuringTls(trace: TraceRecorder, { host, port }: HostAddress): boolean {
  for (let i = trace.events.length - 1; i >= 0; i--) {
    const event = trace.events[i];
    const at = event.attributes as { host?: unknown; port?: unknown };
    if (at.host !== host || at.port !== port) continue;
    if (event.type === "host.connecting") return false;
    if (event.type === "tls.failed") return event.attributes.reason === "not-tls";
  }
  return false;
}

// With explain: does the port answer a plain hello? That tells a server without TLS from one that hung up
// on us for another reason. One bounded attempt; its outcome is evidence, never an error.
async function probeWithoutTls(
  transport: Transport,
  { host, port }: HostAddress,
  { proxy, apiParameters }: ConnectSettings,
  callerSignal: AbortSignal | undefined,
  trace: TraceRecorder,
): Promise<void> {
  const signal = withTimeout(callerSignal, PLAIN_PROBE_TIMEOUT_MS);
  let wire: WireConnection | undefined;
  try {
    const socket = await transport.openSocket({ host, port, proxy, signal });
    const peer = hostPort({ host, port });
    wire = new WireConnection(socket, { timeoutMS: PLAIN_PROBE_TIMEOUT_MS, peer, apiParameters });
    const reply = await wire.command("admin", { hello: 1, helloOk: true }, { signal });
    const { serverRelease } = helloAttributes(reply, { command: "hello", speculative: false });
    trace.emit("tls.plain_probe", { host, port, answered: true, serverRelease });
  } catch (err) {
    trace.emit("tls.plain_probe", { host, port, answered: false, detail: failureAttributes(err).message });
  } finally {
    await wire?.close();
  }
}

function checkError(
  err: unknown,
  signal: AbortSignal,
  where: string,
  wire: WireConnection | undefined,
  peer: string,
  settings: ConnectSettings,
): unknown {
  if (signal.aborted && !(err instanceof MongoAuthError && err.code === "AUTHENTICATION_FAILED")) {
    return abortError(signal, where);
  }
  if (
    wire !== undefined && err instanceof MongoAuthError && err.code === "CONNECTION_CLOSED" &&
    wire.roundTrips === 0
  ) {
    return closedBeforeHello(peer, settings, err);
  }
  return err;
}

/**
 * Where a connection stands: opening the socket, in hello, or authenticating (which includes getting the
 * credential: AWS keys, an OIDC token, before hello for the speculative step or after it).
 */
export type ConnectStage = "socket" | "hello" | "authentication";

/**
 * The TIMEOUT of a `connectTimeoutMS` that ran out, saying where the connection stood and what stops one there
 * most often.
 *
 * @param timedOut the deadline's TIMEOUT
 * @param address the server
 * @param stage where the connection stood
 * @param settings the connection's settings (TLS, proxy)
 * @param credential the credential, if any
 * @returns the TIMEOUT to throw
 */
export function stalled(
  timedOut: MongoAuthError,
  { host }: HostAddress,
  stage: ConnectStage,
  settings: ConnectSettings,
  credential: MongoCredential | undefined,
): MongoAuthError {
  const why = stage === "socket"
    ? unopened(host, settings)
    : stage === "hello"
    ? "the connection opened, but hello got no answer: check that the port is a MongoDB server's, and whether " +
      "the server is overloaded"
    : `the authentication (${credential?.mechanism ?? "SCRAM"}) did not finish: a credential source or ` +
      "callback was slow to answer, or the server its steps";
  return new MongoAuthError("TIMEOUT", `${timedOut.message}: ${why}`, { cause: timedOut.cause });
}

function notTried(peer: string, settings: ConnectSettings, selecting: boolean): MongoAuthError {
  const clock = selecting
    ? `serverSelectionTimeoutMS (${settings.selection.serverSelectionTimeoutMS} ms)`
    : `timeoutMS (${settings.timeoutMS} ms)`;
  return new MongoAuthError(
    "TIMEOUT",
    `${peer} was not tried: ${clock} ran out before its turn (the hosts before it took the time)`,
  );
}

// serverSelectionTimeoutMS counts from the start of the search, not of this host's check: "within", as
// timeoutMS's words say it, rather than connectTimeoutMS's "after".
function selectionTimeRanOut(peer: string, serverSelectionTimeoutMS: number): MongoAuthError {
  return new MongoAuthError(
    "TIMEOUT",
    `connecting to ${peer} did not finish within serverSelectionTimeoutMS (${serverSelectionTimeoutMS} ms)`,
  );
}

// A firewall that drops packets is silent, and MongoDB Atlas drops every address that is not on its project's
// IP Access List, which is what most first connections to Atlas that time out meet.
function unopened(host: string, settings: ConnectSettings): string {
  // Through a proxy, the silence may be the proxy's own (a port that takes the connection and never speaks
  // SOCKS5: a MongoDB server's, say) as well as a firewall's on either side.
  if (settings.proxy) {
    return `the connection through the SOCKS5 proxy ${
      hostPort(settings.proxy)
    } did not open: the proxy did ` +
      "not answer (check proxyHost and proxyPort: a SOCKS5 proxy's port, often 1080), or could not reach the " +
      "host, as when a firewall drops it";
  }
  const what = isSocketPath(host)
    ? "the connection to the socket did not open"
    : settings.tls
    ? "the TCP connection or the TLS handshake did not complete"
    : "the TCP connection did not open";
  return isAtlasHost(host)
    ? `${what}: MongoDB Atlas answers only the addresses on its project's IP Access List; add this machine's ` +
      "public IP address there (Network Access in the Atlas UI); a paused cluster does not answer either"
    : `${what}, as when a firewall drops it: check the host, the port, and that this machine may reach it`;
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
  context: CheckContext,
  { host, port }: HostAddress,
  authFields: Document,
  commandOptions: { signal: AbortSignal; timeoutMS: number },
): Promise<Document> {
  const { apiParameters } = context.settings;
  const { client } = context;
  // Load Balancer spec: every connection's hello says loadBalanced, so that the service answers with its
  // serviceId (and a mongos behind the balancer accepts the connection at all).
  const loadBalanced = context.settings.selection.loadBalanced === true ? { loadBalanced: true } : {};
  const fields: Document = { helloOk: true, client, ...loadBalanced, ...authFields };
  // The compression specification: the compressors this client offers, in its order. Its SHOULD of an empty
  // list when none are configured is not followed: with it, connect() ×100 measured 0.02 more of the driver's
  // main-thread time on Node.js, on average over five A/B batches of bench section 4 (two builds without it
  // differed by 0.002), and a server treats a missing list and an empty one alike.
  const offered = context.settings.compressors;
  if (offered) fields.compression = offered;
  const elapsed = stopwatch();
  let command = "hello";
  let reply: Document;
  try {
    reply = await wire.command("admin", { hello: 1, ...fields }, commandOptions);
  } catch (err) {
    // Servers before 4.4.2 know only the legacy name; with a declared API version, the Stable API
    // specification forbids it (such a server cannot take apiVersion anyway).
    if (!(err instanceof MongoServerError) || err.serverCode !== 59 || apiParameters) throw err;
    command = "isMaster";
    reply = await wire.command("admin", { isMaster: 1, ...fields }, commandOptions);
  }
  if (offered) wire.compressor = negotiatedCompressor(offered, reply.compression);
  const sent = {
    command,
    mechsAskedFor: typeof authFields.saslSupportedMechs === "string"
      ? authFields.saslSupportedMechs
      : undefined,
    speculative: authFields.speculativeAuthenticate !== undefined,
    serverApi: apiParameters && describeApiParameters(apiParameters),
    compression: offered && (wire.compressor ?? "none"),
  };
  context.trace.emit("hello", { host, port, ...helloAttributes(reply, sent) }, elapsed());
  return reply;
}
