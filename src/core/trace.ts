/**
 * The trace of a login: an ordered list of structured events that say what `connect()` and
 * `authenticate()` did and found — host resolution, the socket and TLS, hello, the mechanism and
 * authSource and why, each credential source tried, each SASL step — with only non-secret fields.
 *
 * Every event is a `type` (a stable dotted name), a `time` from the injectable clock, a `durationMs` for
 * steps that take time, and flat `attributes` of strings, numbers, booleans and arrays of them: one event
 * is one log line, or one OpenTelemetry span event (`span.addEvent(event.type, event.attributes,
 * event.time)`).
 *
 * @module
 */

/** A value an event attribute may take: the OpenTelemetry attribute types. */
export type TraceAttributeValue =
  | string
  | number
  | boolean
  | readonly string[]
  | readonly number[]
  | readonly boolean[];

/** Why a TLS handshake failed, as far as the runtime's error tells. */
export type TlsFailureReason =
  /** The server's certificate is valid but not for the host connected to. */
  | "hostname-mismatch"
  /** The certificate chain does not lead to a trusted CA (self-signed, unknown CA). */
  | "untrusted"
  /** The server's certificate is expired or not yet valid. */
  | "expired"
  /** The server's certificate, or a CA's of its chain, is on a revocation list of `tlsCRLFile`. */
  | "revoked"
  /** A revocation list of `tlsCRLFile` is missing for a CA of the chain, expired, or not the CA's. */
  | "revocation-list"
  /** The chain is signed with an algorithm (SHA-1, MD5) or has a key the runtime's TLS refuses as too weak. */
  | "weak-certificate"
  /** The peer hung up or sent something that is not TLS during the handshake (a server without TLS). */
  | "not-tls"
  /** Our own certificate or key could not be used (bad PEM, wrong passphrase). */
  | "client-certificate"
  /** Anything else. */
  | "other";

/**
 * The attributes of each event type: the catalogue of what a trace can hold. Names are stable; new
 * types and attributes may be added, none is renamed.
 *
 * @example Read a hello event's attributes with their types
 * ```ts
 * import assert from "node:assert/strict";
 * import type { TraceEventAttributes } from "@mongo-auth/core";
 *
 * const hello: TraceEventAttributes["hello"] = {
 *   command: "hello",
 *   maxWireVersion: 21,
 *   serverRelease: "7.0",
 *   role: "standalone",
 *   saslSupportedMechs: ["SCRAM-SHA-1", "SCRAM-SHA-256"],
 *   speculative: "answered",
 * };
 * assert.equal(hello.role, "standalone");
 * ```
 */
export type TraceEventAttributes = {
  /** `connect()` starts: the connection string's scheme and hosts. */
  "connect.started": {
    /** `mongodb` or `mongodb+srv`. */
    scheme: string;
    /** The hosts of the connection string, `host:port`. */
    hosts: readonly string[];
  };
  /** A warning about the options (an unknown or misspelt name, a value an option does not take). */
  "option.warning": { message: string };
  /** The SRV lookup of a `mongodb+srv://` name. */
  "dns.srv": {
    /** The name looked up, `_mongodb._tcp.<host>`. */
    name: string;
    /** The targets, `host:port`, in answer order. */
    hosts: readonly string[];
    /** The hosts kept by `srvMaxHosts` (when it dropped some). */
    selected?: readonly string[];
    /** True when the answer is the one another connection of the client looked up in the last minute. */
    reused?: boolean;
  };
  /** The TXT lookup of a `mongodb+srv://` name, and what became of its options. */
  "dns.txt": {
    /** The name looked up. */
    name: string;
    /** Whether there was a TXT record. */
    found: boolean;
    /** Options of the record that took effect, `name=value`. */
    applied: readonly string[];
    /** Options of the record that did not, each `name=value: why`. */
    ignored: readonly string[];
  };
  /** The authentication database, and why it is that one. */
  "auth.source": {
    /** The database that holds the user. */
    db: string;
    /** Where it came from. */
    origin:
      | "authSource option"
      | "connection string authSource"
      | "TXT record"
      | "connection string database"
      | "mechanism default"
      | "credential";
    /** Why, in words. */
    reason: string;
    /** The connection string's database (its path), when it has one. */
    uriDatabase?: string;
  };
  /** A host is tried. */
  "host.connecting": {
    host: string;
    port: number;
    /** Which host of the list this is, from 1. */
    attempt: number;
    /** How many hosts there are to try. */
    of: number;
    /** The checks under way that had not answered in time, which this one starts beside. */
    beside?: string[];
    /**
     * With `beside`: how long they had had (500 ms, or for the server an earlier scan chose and found far
     * away, eight times the round trip it measured).
     */
    slowAfterMs?: number;
  };
  /** The socket opened (TCP, and the TLS handshake when TLS is on); `durationMs` is how long it took. */
  "socket.opened": {
    host: string;
    port: number;
    tls: boolean;
    /** The SOCKS5 proxy the socket goes through (`host:port`), when `proxyHost` is given. */
    proxy?: string;
  };
  /** What the TLS handshake showed: protocol, the server's certificate, the client certificate we sent. */
  "tls.handshake": {
    /** e.g. `TLSv1.3`. */
    protocol?: string;
    /** The cipher suite. */
    cipher?: string;
    /** The server certificate's subject (RFC 2253 order, most specific first). */
    serverSubject?: string;
    /** Its issuer. */
    serverIssuer?: string;
    /** Valid from (ISO 8601). */
    serverValidFrom?: string;
    /** Valid to (ISO 8601). */
    serverValidTo?: string;
    /** Its subject alternative names, e.g. `DNS:db.example.net`, `IP:10.0.0.1`. */
    serverAltNames?: readonly string[];
    /** SHA-256 fingerprint. */
    serverFingerprint256?: string;
    /** The subject of the client certificate we presented. */
    clientSubject?: string;
    /** What this runtime does not expose (said instead of guessed), e.g. `server certificate (Deno)`. */
    unavailable?: readonly string[];
  };
  /** The TLS handshake failed. */
  "tls.failed": {
    host: string;
    port: number;
    /** What the runtime's error says it was. */
    reason: TlsFailureReason;
    /** The runtime's words (one line; never a secret). */
    detail: string;
    /** The server certificate's subject alternative names, when the runtime shows them on failure. */
    serverAltNames?: readonly string[];
    /** The server certificate's subject, when the runtime shows it on failure. */
    serverSubject?: string;
  };
  /**
   * With `explain`, after a TLS handshake the peer hung up on: whether the same port answers a plain
   * hello (one bounded attempt), which tells a server without TLS from one that refused us.
   */
  "tls.plain_probe": {
    host: string;
    port: number;
    /** Whether hello was answered without TLS. */
    answered: boolean;
    /** The MongoDB release of the answer's wire version, when it names one. */
    serverRelease?: string;
    /** Why there was no answer. */
    detail?: string;
  };
  /** A host failed; the next is tried unless the error stops the search. */
  "host.failed": { host: string; port: number; code: string; message: string };
  /**
   * The deployment as the checks so far show it (SDAM), after each check of a replica set, sharded
   * cluster or several seeds; not for a lone standalone.
   */
  "topology.updated": {
    /** SDAM's topology type: `ReplicaSetWithPrimary`, `ReplicaSetNoPrimary`, `Sharded`, `Unknown`, … */
    type: string;
    /** The replica set's name. */
    setName?: string;
    /** Each known server and its SDAM type, `host:port ServerType` (`PossiblePrimary`: named as primary). */
    servers: readonly string[];
  };
  /** The member connect() ends on, when it had more than one to choose from or to look for. */
  "server.selected": {
    host: string;
    port: number;
    /** SDAM's server type, e.g. `RSPrimary`, `RSSecondary`, `Mongos`. */
    serverType: string;
    /** SDAM's topology type. */
    topology: string;
    /** The read preference's mode. */
    readPreference: string;
    /** Its tag sets, each `name:value,…` (`{}`: any). */
    readPreferenceTags?: readonly string[];
    /** How many suitable servers were in the latency window it was picked from (at random). */
    candidates: number;
    /** Servers checked, this one included. */
    checks: number;
    /**
     * When an earlier connection's scan of the replica set (or the mongoses) pointed to this server: how
     * old that scan was (ms). Only this server was checked; the others are as that scan found them.
     */
    rememberedMs?: number;
    /** How long this connection waited for another connection's scan of the deployment (ms), when it did. */
    waitedMs?: number;
    /**
     * The servers (`host:port`, at most 50) whose check was still under way when this one was chosen, and
     * was abandoned: mongoses or members whose check had taken 4 × `localThresholdMS` longer than the
     * fastest (so outside the latency window), or seeds still being checked when the primary answered.
     */
    abandoned?: readonly string[];
  };
  /** The hello reply; `durationMs` is its round trip. */
  hello: {
    /** The server that answered (absent from `authenticate()`, which does not know it). */
    host?: string;
    port?: number;
    /** `hello`, or `isMaster` for servers before 4.4.2. */
    command: string;
    maxWireVersion: number;
    minWireVersion?: number;
    /** The MongoDB release of that wire version, where it names one. */
    serverRelease?: string;
    /** `standalone`, `primary`, `secondary`, `arbiter`, `mongos`, `load balancer`, `other`. */
    role: string;
    /** The replica set's name. */
    setName?: string;
    /**
     * The member's name in its set's configuration (hello's `me`), by which a client reaches it: a seed named
     * otherwise is dropped for it.
     */
    me?: string;
    /** What we asked the user's mechanisms for: `<db>.<user>`. */
    mechsAskedFor?: string;
    /** The user's mechanisms, as hello listed them (absent: none listed). */
    saslSupportedMechs?: readonly string[];
    /** The speculative authentication: `answered` (its first step is done), `not answered` (the server ignored it), `not sent`. */
    speculative: "answered" | "not answered" | "not sent";
    /** The Stable API version declared (`serverApi`), in words: `1`, `1 (strict)`; absent when none. */
    serverApi?: string;
    /**
     * The compressor the connection's commands go out with (`snappy`, `zlib`), or `none` when the server
     * shares none of those offered (`compressors`); absent when none were offered.
     */
    compression?: string;
  };
  /** Authentication starts: the user, the database, the mechanism given (or `negotiate`). */
  "auth.started": {
    /** The mechanism given, or `negotiate`. */
    mechanism: string;
    user?: string;
    db: string;
    /** The server it is for, when `connect()` starts it there (it checks several in a replica set). */
    host?: string;
    port?: number;
    /** A re-authentication, after a command failed with 391 (ReauthenticationRequired). */
    reauthentication?: boolean;
  };
  /** The mechanism used, and why. */
  "auth.mechanism": {
    mechanism: string;
    /** `given` (authMechanism), `negotiated` (from hello's list), `defaulted` (no list to go by). */
    how: "given" | "negotiated" | "defaulted";
    reason: string;
  };
  /** One step of the conversation; `durationMs` is its round trip. */
  "sasl.step": {
    mechanism: string;
    db: string;
    /** `saslStart`, `saslContinue`, `authenticate`, or `speculativeAuthenticate` (inside hello). */
    command: string;
    /** From 1. */
    step: number;
    ok: boolean;
    done?: boolean;
    serverCode?: number;
    codeName?: string;
    /** The error's code when the step failed without a server reply (`TIMEOUT`, `CONNECTION_CLOSED`, …). */
    error?: string;
  };
  /** One MONGODB-AWS credential source, in the order tried. */
  "aws.source": {
    /** The source, e.g. `environment variables`, `the ECS container endpoint`. */
    source: string;
    /** `found` (used), `skipped` (does not apply here), `failed` (applies, and failed), `cached`. */
    outcome: "found" | "skipped" | "failed" | "cached";
    /** Why it was skipped or failed. */
    reason?: string;
    /** Temporary credentials (with a session token). */
    temporary?: boolean;
    /** The access key ID, masked to its kind and last four characters (`ASIA…MPLE`). */
    accessKeyId?: string;
    /** When temporary credentials expire (ISO 8601). */
    expiresAt?: string;
  };
  /** Who the AWS credentials are, and the `$external` user mongod looks up for them. */
  "aws.identity": {
    /** The identity's ARN (for a role, the assumed-role ARN; its session part may be `*`). */
    arn: string;
    /** Where it is known from. */
    from: string;
    /** The `$external` user name mongod looks up (its simplified ARN). */
    user: string;
    /** The AWS account, when it is not known (`<account>` in the ARN). */
    accountUnknown?: boolean;
  };
  /** Why the AWS identity could not be found out. */
  "aws.identity.unknown": { reason: string };
  /** Where MONGODB-OIDC tokens come from. */
  "oidc.source": {
    /** `ENVIRONMENT:azure`, `OIDC_CALLBACK`, `OIDC_HUMAN_CALLBACK`, … */
    source: string;
    flow: "machine" | "human";
    /** The audience asked for (`TOKEN_RESOURCE`). */
    tokenResource?: string;
  };
  /** The identity provider the server named (human flow). */
  "oidc.idp": { issuer: string; clientId?: string; requestScopes?: readonly string[] };
  /** A token was used: where it came from and its claims, decoded without verification. Never the token. */
  "oidc.token": {
    /** `cache`, `callback` (fresh), `refresh` (the human callback with a refresh token). */
    origin: "cache" | "callback" | "refresh";
    /** Whether it is a JWT whose claims could be read. */
    jwt: boolean;
    issuer?: string;
    audience?: readonly string[];
    subject?: string;
    /** `exp` (ISO 8601). */
    expiresAt?: string;
    /** Seconds from this event to `exp` (negative: expired). */
    expiresInSeconds?: number;
  };
  /** Authentication succeeded. */
  "auth.succeeded": { mechanism: string; speculative: boolean; user?: string; db: string };
  /** Authentication failed. */
  "auth.failed": {
    mechanism?: string;
    user?: string;
    db?: string;
    code: string;
    serverCode?: number;
    codeName?: string;
    message: string;
  };
  /** `connect()` succeeded; `durationMs` from the start. */
  "connect.succeeded": { host: string; port: number; roundTrips: number };
  /** `connect()` failed; `durationMs` from the start. */
  "connect.failed": { code: string; message: string };
  /** The `onEvent` listener threw on an event; the login went on (the event is in the trace). */
  "trace.listener_failed": { failedType: string; error: string };
};

/** The stable name of an event: a key of {@link TraceEventAttributes}. */
export type TraceEventType = keyof TraceEventAttributes;

// A compile error here means an event's attributes are not flat OpenTelemetry attributes.
const _flat: { [K in TraceEventType]: TraceEventAttributes[K] } extends
  Record<TraceEventType, Record<string, TraceAttributeValue | undefined>> ? true : never = true;

/**
 * One event of a trace. Narrow on `type` to read its attributes with their types.
 *
 * @example Map an event to a log line and to an OpenTelemetry span event
 * ```ts
 * import assert from "node:assert/strict";
 * import type { TraceEvent } from "@mongo-auth/core";
 *
 * const event: TraceEvent = {
 *   type: "socket.opened",
 *   time: 1_700_000_000_000,
 *   durationMs: 1.2,
 *   attributes: { host: "db.example.net", port: 27017, tls: true },
 * };
 * const line = `${event.type} ` + Object.entries(event.attributes).map(([k, v]) => `${k}=${v}`).join(" ");
 * assert.equal(line, "socket.opened host=db.example.net port=27017 tls=true");
 * // span.addEvent(event.type, event.attributes, event.time)
 * if (event.type === "socket.opened") assert.equal(event.attributes.port, 27017);
 * ```
 */
export type TraceEvent = {
  [K in TraceEventType]: {
    /** The stable dotted name. */
    readonly type: K;
    /** When it happened: milliseconds since the epoch, from the clock (`env.now`). */
    readonly time: number;
    /** How long the step took, in milliseconds, for steps that take time. */
    readonly durationMs?: number;
    /** Flat, non-secret attributes. */
    readonly attributes: Readonly<TraceEventAttributes[K]>;
  };
}[TraceEventType];

/**
 * Receives each event as it happens (`onEvent` of `connect()` and `authenticate()`). A listener that
 * throws does not stop the login: the error is swallowed and recorded in the trace as a
 * `trace.listener_failed` event (which is not passed to the listener).
 *
 * @example Log each event as one line
 * ```ts
 * import type { TraceListener } from "@mongo-auth/core";
 *
 * const lines: string[] = [];
 * const onEvent: TraceListener = (event) => lines.push(`${event.type} ${JSON.stringify(event.attributes)}`);
 * void onEvent;
 * ```
 */
export type TraceListener = (event: TraceEvent) => void;

/** Where a layer emits events; what the recorder offers to the code that does the work. */
export interface TraceEmitter {
  /**
   * Records an event now.
   *
   * @param type the event's stable name
   * @param attributes its attributes, handed over: not changed afterwards (they may be copied only when the
   *   trace is read); `undefined` values are left out
   * @param durationMs how long the step took, if it is a step
   */
  emit<K extends TraceEventType>(type: K, attributes: TraceEventAttributes[K], durationMs?: number): void;
}

/**
 * Records the events of one `connect()` or `authenticate()` and hands each to the listener. With no
 * listener, an event is kept as emitted and made (its attributes copied, `undefined` values left out,
 * everything frozen) when the trace is first read, and at once after that: most connections' traces are
 * never read, and making every event cost a pool warm-up 1–3 % of its main-thread CPU (bench/README.md,
 * section 4). So an emitter hands over its attributes: it does not change them, or an array in them,
 * afterwards.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TraceRecorder } from "./trace.ts";
 *
 * const seen: string[] = [];
 * const trace = new TraceRecorder({ onEvent: (e) => seen.push(e.type), now: () => 42 });
 * trace.emit("option.warning", { message: "the option \"authSorce\" is not one connect() takes" });
 * assert.deepEqual(seen, ["option.warning"]);
 * assert.equal(trace.events[0].time, 42);
 * ```
 */
export class TraceRecorder implements TraceEmitter {
  readonly #events: TraceEvent[] = [];
  readonly #unread: Emitted[] = [];
  // Once read, the events array is someone's (an error's trace, a connection's): later events go into it
  // at once, so that it stays whole.
  #handedOut = false;
  readonly #listener: TraceListener | undefined;
  readonly #now: () => number;

  /**
   * Starts an empty trace.
   *
   * @param options `onEvent`: the listener; `now`: the clock (default `Date.now`)
   */
  constructor(options: { onEvent?: TraceListener; now?: () => number } = {}) {
    this.#listener = options.onEvent;
    this.#now = options.now ?? Date.now;
  }

  /** The events so far, in order: one array, which later events add to. */
  get events(): readonly TraceEvent[] {
    for (const emitted of this.#unread) this.#record(emitted);
    this.#unread.length = 0;
    this.#handedOut = true;
    return this.#events;
  }

  /**
   * Records an event and passes it to the listener.
   *
   * @param type the event's stable name
   * @param attributes its attributes; `undefined` values are left out
   * @param durationMs how long the step took, if it is a step
   */
  emit<K extends TraceEventType>(type: K, attributes: TraceEventAttributes[K], durationMs?: number): void {
    const emitted = { type, time: this.#now(), durationMs, attributes };
    if (!this.#listener && !this.#handedOut) {
      this.#unread.push(emitted);
      return;
    }
    const event = this.#record(emitted);
    if (this.#listener) this.#deliver(event);
  }

  #record({ type, time, durationMs, attributes }: Emitted): TraceEvent {
    const flat: Record<string, unknown> = {};
    for (const key in attributes) {
      const value = attributes[key];
      if (value !== undefined) flat[key] = Array.isArray(value) ? Object.freeze([...value]) : value;
    }
    const event = Object.freeze(
      durationMs === undefined
        ? { type, time, attributes: Object.freeze(flat) }
        : { type, time, durationMs: Math.round(durationMs * 1000) / 1000, attributes: Object.freeze(flat) },
    ) as TraceEvent;
    this.#events.push(event);
    return event;
  }

  // A listener is the caller's code: whatever it does, the login goes on. Its failure is recorded,
  // and not delivered (a listener that throws on every event would otherwise never stop).
  #deliver(event: TraceEvent): void {
    const failed = (error: unknown) =>
      this.#record({
        type: "trace.listener_failed",
        time: this.#now(),
        attributes: { failedType: event.type, error: (error as Error)?.name ?? typeof error },
      });
    try {
      const result: unknown = this.#listener!(event);
      if (result instanceof Promise) result.catch(failed);
    } catch (error) {
      failed(error);
    }
  }
}

/** An event as emitted, before it is made. */
interface Emitted {
  readonly type: TraceEventType;
  readonly time: number;
  readonly durationMs?: number;
  readonly attributes: Record<string, unknown>;
}

/**
 * A clock for a step's duration: monotonic (`performance.now`), unlike event times.
 *
 * @returns a function that gives the milliseconds since it was made
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stopwatch } from "./trace.ts";
 *
 * const elapsed = stopwatch();
 * assert.ok(elapsed() >= 0);
 * ```
 */
export function stopwatch(): () => number {
  const started = performance.now();
  return () => performance.now() - started;
}

/**
 * Gives `error` the trace that led to it, as a non-enumerable `trace` (so logging the error stays
 * short), unless it already has one. Errors that are not objects are left alone.
 *
 * @param error what was thrown
 * @param trace the recorder
 * @returns `error`
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { attachTrace, TraceRecorder } from "./trace.ts";
 *
 * const trace = new TraceRecorder();
 * const err = attachTrace(new Error("x"), trace) as Error & { trace?: unknown };
 * assert.equal(err.trace, trace.events);
 * assert.equal(Object.keys(err).includes("trace"), false);
 * ```
 */
export function attachTrace(error: unknown, trace: TraceRecorder): unknown {
  if (typeof error !== "object" || error === null || (error as { trace?: unknown }).trace !== undefined) {
    return error;
  }
  try {
    Object.defineProperty(error, "trace", { value: trace.events, enumerable: false, configurable: true });
  } catch {
    // A frozen error: it goes on without its trace.
  }
  return error;
}
