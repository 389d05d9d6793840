/**
 * `connect()` without a runtime: resolves hosts, finds the member the read preference asks for (the
 * primary by default) with as few sockets and round trips as the deployment allows, and authenticates
 * there, through a {@link Transport}.
 *
 * @module
 */
import { abortError, Deadline } from "../core/abort.ts";
import type { ConnectOptions } from "./options.ts";
import { type ConnectionPlan, notWithin, planConnection } from "./connect-plan.ts";
import { Connection } from "./connection.ts";
import { MongoAuthError } from "../core/errors.ts";
import type { Document } from "../wire/command.ts";
import { checkTransport, explainPbkdf2Cap, type Transport } from "./transport.ts";
import { discover, type Discovered } from "./discovery.ts";
import { attachTrace, stopwatch, TraceRecorder } from "../core/trace.ts";
import { type CheckContext, failureAttributes, stalled, startOn } from "./check.ts";
import { handshakeGateOf } from "./handshake-gate.ts";
import { topologyMemoryOf } from "./topology-memory.ts";
import { handshakeStepsFor, type TurnBudget } from "./turn-budget.ts";
import { hostPort } from "../topology/server-description.ts";
import { checkHostOptions } from "./host-options.ts";

/**
 * Connects to the member of `uri`'s deployment that the read preference asks for and authenticates
 * there: a standalone or a direct connection's one server; a replica set's primary by default (from any
 * member, which names it), or a member that matches `readPreference`; a mongos; a load balancer.
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
  given?: ConnectOptions,
): Promise<Connection> {
  checkTransport(transport, "connectWith()");
  const options = checkHostOptions(given, "connect()");
  const env = options.env;
  const trace = new TraceRecorder({ onEvent: options.onEvent, now: env && (() => env.now()) });
  const elapsed = stopwatch();
  // Spread over turns of the event loop (where requests cannot wait on each other's timers, the budget never
  // holds a step). The first step comes before the connection string is read, so that a burst of connect()
  // calls plans in turns too.
  const steps = handshakeStepsFor(transport);
  let plan: ConnectionPlan | undefined;
  try {
    const turn = steps.step();
    if (turn) await turn;
    plan = await planConnection(transport, uri, options, trace);
    // timeoutMS: everything from here on runs under its clock, which carries the caller's signal.
    const bounded = plan.operation ? Object.assign({}, options, { signal: plan.operation.signal }) : options;
    const release = turnNow(plan, bounded) ?? await waitForTurn(plan, bounded);
    let connection: Connection;
    try {
      connection = await connectToMember(transport, plan, bounded, trace, steps);
    } finally {
      release();
    }
    plan.operation?.dispose();
    const { host, port, roundTrips } = connection;
    trace.emit("connect.succeeded", { host, port, roundTrips }, elapsed());
    return connection;
  } catch (err) {
    plan?.operation?.dispose();
    const explained = explainPbkdf2Cap(operationTimedOut(err, plan), transport.capabilities);
    trace.emit("connect.failed", failureAttributes(explained), elapsed());
    throw attachTrace(explained, trace);
  }
}

// The Client Side Operations Timeout: when timeoutMS ran out, connect() fails with TIMEOUT, whatever
// the step it cut short made of it (a host's failure, a selection error), whose words follow.
function operationTimedOut(err: unknown, plan: ConnectionPlan | undefined): unknown {
  const operation = plan?.operation;
  const reason = operation?.signal.aborted ? operation.signal.reason : undefined;
  if (!(reason instanceof MongoAuthError) || reason.code !== "TIMEOUT" || err === reason) return err;
  const words = err instanceof MongoAuthError ? err.message : String((err as Error)?.message ?? err);
  // A check cut short says the timeout and where it stood (stalled() in check.ts): its words serve as they are.
  // With several hosts, each says where it stood, after the timeout said once.
  const message = words.startsWith(reason.message)
    ? words
    : `${reason.message}: ${words.replaceAll(notWithin(plan!.settings.timeoutMS!), "")}`;
  return new MongoAuthError("TIMEOUT", message, { cause: err });
}

// maxConnecting: a turn among the client's handshakes in flight (discovery, hello, authentication). Most
// connections get theirs at once, and then need neither a clock nor a promise for it.
function turnNow(plan: ConnectionPlan, options: ConnectOptions): (() => void) | undefined {
  if (options.signal?.aborted) return undefined;
  return handshakeGateOf(options.cacheStore).tryEnter(plan.settings.maxConnecting);
}

// The others wait for theirs within connectTimeoutMS and the caller's signal.
async function waitForTurn(plan: ConnectionPlan, options: ConnectOptions): Promise<() => void> {
  const { maxConnecting, connectTimeoutMS } = plan.settings;
  const gate = handshakeGateOf(options.cacheStore);
  const what = `waiting for a turn to connect (maxConnecting ${maxConnecting})`;
  const deadline = new Deadline(options.signal, connectTimeoutMS, what);
  try {
    return await gate.enter(maxConnecting, deadline.signal, what);
  } finally {
    deadline.dispose();
  }
}

async function connectToMember(
  transport: Transport,
  plan: ConnectionPlan,
  options: ConnectOptions,
  trace: TraceRecorder,
  steps: TurnBudget,
): Promise<Connection> {
  const started = performance.now();
  const context = {
    transport,
    settings: plan.settings,
    options,
    credential: plan.credential,
    topologySettings: plan.topology,
    selection: plan.settings.selection,
    memory: topologyMemoryOf(options.cacheStore),
    now: () => performance.now(),
    trace,
    client: plan.client,
    authSource: plan.authSource,
    operation: plan.operation,
    steps,
  };
  const discovered = await discover(context);
  const authTurn = steps.step();
  if (authTurn) await authTurn;
  const connection = await authenticateOn(discovered, plan, context, started);
  const lastTurn = steps.step();
  if (lastTurn) await lastTurn;
  return connection;
}

async function authenticateOn(
  discovered: Discovered,
  plan: ConnectionPlan,
  context: CheckContext,
  started: number,
): Promise<Connection> {
  const { chosen } = discovered;
  const { credential } = plan;
  chosen.resume();
  const signal = chosen.deadline.signal;
  const where = `connecting to ${hostPort(chosen.address)}`;
  try {
    const auth = chosen.auth ??
      (credential ? await startOn(context, chosen.address, chosen.deadline) : undefined);
    const runner = {
      command: (db: string, cmd: Document) => chosen.wire.command(db, cmd, { signal, timeoutMS: 0 }),
    };
    const result = auth ? await auth.complete(runner, chosen.hello) : undefined;
    chosen.deadline.dispose();
    return new Connection(
      chosen.wire,
      chosen.address,
      {
        mechanism: result?.mechanism,
        speculative: result?.speculative ?? false,
        roundTrips: chosen.wire.roundTrips,
        durationMs: performance.now() - started,
        maxWireVersion: typeof chosen.hello.maxWireVersion === "number" ? chosen.hello.maxWireVersion : 0,
        serversChecked: discovered.checks,
      },
      auth,
      plan.warnings,
      {
        server: chosen.description,
        topology: discovered.topology,
        readPreference: plan.settings.selection.readPreference,
      },
      context.trace,
      plan.settings.timeoutMS || undefined,
    );
  } catch (err) {
    await chosen.close();
    if (signal.aborted && !(err instanceof MongoAuthError && err.code === "AUTHENTICATION_FAILED")) {
      const timedOut = abortError(signal, where);
      if (!chosen.deadline.expired && !plan.operation?.expired) throw timedOut;
      throw stalled(timedOut, chosen.address, "authentication", context.settings, credential);
    }
    throw err;
  }
}
