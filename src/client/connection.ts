/// <reference lib="esnext.disposable" preserve="true" />
/**
 * The connection `connect()` returns: authenticated, and re-authenticating once when a command
 * fails with 391 (ReauthenticationRequired).
 *
 * @module
 */
import type { Authentication } from "./authenticate.ts";
import { MongoAuthError, MongoServerError } from "../core/errors.ts";
import { checkCommand, commandName, type CommandRunner, type Document } from "../wire/command.ts";
import type { CommandOptions, WireConnection } from "../wire/wire-connection.ts";
import type { TraceEvent } from "../core/trace.ts";
import { type ReadPreference, readPreferenceForCommand } from "../topology/read-preference.ts";
import { addressKey, type ServerDescription, type ServerType } from "../topology/server-description.ts";
import type { TopologyDescription, TopologyType } from "../topology/topology-description.ts";

/**
 * What the handshake did, for logs and `whoami`. Holds no secret.
 *
 * @example What a speculative SCRAM-SHA-256 login did
 * ```ts
 * import type { HandshakeInfo } from "@mongo-auth/core";
 *
 * // As connect() reports it on Connection.handshake: hello and one saslContinue.
 * const handshake: HandshakeInfo = {
 *   mechanism: "SCRAM-SHA-256",
 *   speculative: true,
 *   roundTrips: 2,
 *   durationMs: 12.5,
 *   maxWireVersion: 21,
 * };
 * void handshake;
 * ```
 */
export interface HandshakeInfo {
  /** The mechanism used, after negotiation; absent when no credential was given. */
  readonly mechanism?: string;
  /** Whether authentication was speculative (finished inside or right after hello). */
  readonly speculative: boolean;
  /** Round trips from hello to authenticated, hello included. */
  readonly roundTrips: number;
  /** Milliseconds from opening the socket to authenticated. */
  readonly durationMs: number;
  /** The server's `maxWireVersion`. */
  readonly maxWireVersion: number;
  /**
   * Servers connect() checked to choose this one (each a socket and a hello), this one included: 1 when
   * the first server was the one; 2 from a secondary to the primary it names; every member for a read
   * preference other than primary.
   */
  readonly serversChecked?: number;
}

/**
 * What the server a connection is on is: a standalone, a replica set's primary or secondary, an arbiter
 * or another member (hidden, recovering: only on a direct connection), a mongos, or a load balancer.
 *
 * @example Where reads and writes go
 * ```ts
 * import type { ServerRole } from "@mongo-auth/core";
 *
 * const writable = (role: ServerRole) => role === "primary" || role === "standalone" || role === "mongos" || role === "loadBalancer";
 * console.log(writable("secondary")); // false
 * ```
 */
export type ServerRole =
  | "standalone"
  | "primary"
  | "secondary"
  | "arbiter"
  | "other"
  | "mongos"
  | "loadBalancer";

/**
 * The deployment as connect() found it.
 *
 * @example A replica set seen from its primary
 * ```ts
 * import type { ConnectionTopology } from "@mongo-auth/core";
 *
 * const topology: ConnectionTopology = {
 *   type: "ReplicaSetWithPrimary",
 *   setName: "rs0",
 *   hosts: ["db1.example.net:27017", "db2.example.net:27017", "db3.example.net:27017"],
 * };
 * void topology;
 * ```
 */
export interface ConnectionTopology {
  /** Single (a direct connection or one standalone), a replica set, Sharded or LoadBalanced. */
  readonly type: TopologyType;
  /** The replica set's name. */
  readonly setName?: string;
  /**
   * The deployment's servers (`host:port`): a replica set's members as its primary (else its other
   * members) list them, the mongoses given, or the one server.
   */
  readonly hosts: readonly string[];
}

/** Where connect() put the connection: made by connect(), for the constructor. */
export interface ConnectionPlacement {
  /** The server the connection is on. */
  readonly server: ServerDescription;
  /** The deployment around it. */
  readonly topology: TopologyDescription;
  /** The connection's read preference. */
  readonly readPreference: ReadPreference;
}

const ROLES: Readonly<Partial<Record<ServerType, ServerRole>>> = {
  Standalone: "standalone",
  RSPrimary: "primary",
  RSSecondary: "secondary",
  RSArbiter: "arbiter",
  RSOther: "other",
  RSGhost: "other",
  Mongos: "mongos",
  LoadBalancer: "loadBalancer",
};

/**
 * An open, authenticated connection to one server.
 *
 * @example Run a command, and close at the end of the scope
 * ```ts ignore
 * import { connect } from "@mongo-auth/core/node";
 *
 * await using conn = await connect("mongodb://alice:s3cret@127.0.0.1:27017/?authSource=admin");
 * const status = await conn.command("admin", { connectionStatus: 1 });
 * ```
 */
export class Connection implements CommandRunner {
  /** The server's host, as connected to. */
  readonly host: string;
  /** The server's port. */
  readonly port: number;
  /**
   * `host:port` of the member the connection is on, as SDAM writes it: the host lower-cased, an IPv6
   * literal in brackets (`[::1]:27017`).
   */
  readonly address: string;
  /** What that member is: `primary`, `secondary`, `standalone`, `mongos`, `loadBalancer`, … */
  readonly role: ServerRole;
  /** The member's replica set, if it is in one. */
  readonly setName?: string;
  /** Through a load balancer: the serviceId of the mongos behind it (24 hex digits). */
  readonly serviceId?: string;
  /** The deployment as connect() found it. */
  readonly topology: ConnectionTopology;
  /**
   * The read preference the member was chosen for. Commands carry it as `$readPreference` where the
   * Server Selection specification says so (to a mongos or load balancer unless primary; to a secondary
   * chosen for it; primaryPreferred on a direct connection to a replica set member, so that it reads), unless
   * the command has its own `$readPreference`.
   */
  readonly readPreference: ReadPreference;
  /** What the handshake did. */
  readonly handshake: HandshakeInfo;
  /**
   * What `connect()` found to warn about, in order: unknown or misspelt options (in the connection
   * string, the options object or a TXT record), values an option does not accept, repeated or deprecated
   * options. What they name was ignored. mongo-auth logs nothing; `[]` when all was well.
   */
  readonly warnings: readonly string[];
  readonly #trace: { readonly events: readonly TraceEvent[] };
  readonly #wire: WireConnection;
  readonly #auth: Authentication | undefined;
  readonly #readPreferenceDocument: Document | undefined;
  readonly #timeoutMS: number | undefined;

  /**
   * Made by `connect()`; not meant to be constructed directly.
   *
   * @param wire the wire connection, already through hello and authentication
   * @param address host and port
   * @param handshake what the handshake did
   * @param auth the authentication, for re-authentication on 391
   * @param warnings what connecting found to warn about
   * @param placement the member, the deployment and the read preference (default: a standalone)
   * @param trace the recorder of connecting, whose `events` are the trace (later events, re-authentication's,
   *   add to it)
   * @param timeoutMS the Client Side Operations Timeout, when set: commands then carry `maxTimeMS`
   */
  constructor(
    wire: WireConnection,
    address: { host: string; port: number },
    handshake: HandshakeInfo,
    auth: Authentication | undefined,
    warnings: readonly string[] = [],
    placement?: ConnectionPlacement,
    trace: { readonly events: readonly TraceEvent[] } = { events: [] },
    timeoutMS?: number,
  ) {
    this.#wire = wire;
    this.#timeoutMS = timeoutMS;
    this.host = address.host;
    this.port = address.port;
    this.address = placement?.server.address ?? addressKey(address);
    const server = placement?.server;
    this.role = ROLES[server?.type ?? "Standalone"] ?? "other";
    if (server?.setName !== undefined) this.setName = server.setName;
    if (server?.serviceId !== undefined) this.serviceId = server.serviceId;
    const topology = placement?.topology;
    this.topology = Object.freeze({
      type: topology?.type ?? "Single",
      ...(topology?.setName !== undefined && { setName: topology.setName }),
      hosts: Object.freeze(topology ? [...topology.servers.keys()] : [this.address]),
    });
    this.readPreference = placement?.readPreference ?? { mode: "primary" };
    this.#readPreferenceDocument = readPreferenceForCommand(
      this.topology.type,
      server?.type ?? "Standalone",
      this.readPreference,
    );
    this.handshake = handshake;
    this.warnings = Object.freeze([...warnings]);
    this.#trace = trace;
    this.#auth = auth;
  }

  /**
   * What connecting did, event by event (see `TraceEvent`): host resolution, socket and TLS, hello, the
   * mechanism and authSource and why, credential sources, each SASL step, the result; then any
   * re-authentication. No event holds a secret.
   */
  get trace(): readonly TraceEvent[] {
    return this.#trace.events;
  }

  /** Commands answered on this connection so far, the handshake's included. */
  get roundTrips(): number {
    return this.#wire.roundTrips;
  }

  /** Whether the connection is closed. */
  get closed(): boolean {
    return this.#wire.closed;
  }

  /**
   * Runs a command, with the connection's `$readPreference` when the topology calls for one (see
   * {@link readPreference}). On 391 (ReauthenticationRequired) it re-authenticates and retries once.
   *
   * With `timeoutMS` (the Client Side Operations Timeout) the command carries `maxTimeMS`, the time it has
   * (`options.timeoutMS`, or the connection's `timeoutMS`), so that the server stops working on it when the
   * client stops waiting; a `maxTimeMS` of the command's own is replaced (give `options.timeoutMS` instead).
   * `getMore` carries none, as the specification says (the server refuses one on most cursors).
   *
   * @param db the database
   * @param cmd the command (not modified)
   * @param options signal and timeout
   * @returns the reply
   * @throws {MongoServerError} when the server answers `ok: 0`; its `code` is `NOT_PRIMARY` when the member
   *   stepped down, is recovering or shutting down (connect again), with the server's own `serverCode`
   * @throws {MongoAuthError} `TIMEOUT` (the server's MaxTimeMSExpired, 50, too, when the command carried
   *   `maxTimeMS`: its error is the `cause`), `ABORTED`, `CONNECTION_CLOSED`, `PROTOCOL_ERROR`
   */
  async command(db: string, cmd: Document, options?: CommandOptions): Promise<Document> {
    checkCommand(db, cmd, "command()");
    const maxTimeMS = this.#maxTimeMS(cmd, options);
    const readPreference = this.#readPreferenceDocument === undefined || "$readPreference" in cmd
      ? undefined
      : this.#readPreferenceDocument;
    // Not `{ ...cmd, $readPreference }`: on Node.js 20 a spread followed by a key builds a slow object.
    const sent = readPreference === undefined && maxTimeMS === undefined ? cmd : Object.assign(
      {},
      cmd,
      readPreference && { $readPreference: readPreference },
      maxTimeMS && { maxTimeMS },
    );
    try {
      return await this.#run(db, sent, options);
    } catch (err) {
      if (maxTimeMS === undefined || !(err instanceof MongoServerError) || err.serverCode !== 50) throw err;
      // The Client Side Operations Timeout specification: the server's MaxTimeMSExpired is a timeout.
      throw new MongoAuthError(
        "TIMEOUT",
        `${this.address} stopped the command at its maxTimeMS (${maxTimeMS} ms, from timeoutMS): ${err.errmsg}; ` +
          "give it longer with timeoutMS, or with { timeoutMS } for this command",
        { cause: err },
      );
    }
  }

  async #run(db: string, cmd: Document, options: CommandOptions | undefined): Promise<Document> {
    try {
      return await this.#wire.command(db, cmd, options);
    } catch (err) {
      if (!(err instanceof MongoServerError) || err.serverCode !== 391 || !this.#auth) throw err;
      await this.#auth.reauthenticate(
        { command: (rdb, rcmd) => this.#wire.command(rdb, rcmd, options) },
        options?.signal,
      );
      return await this.#wire.command(db, cmd, options);
    }
  }

  // The specification's remaining timeoutMS less the server's minimum round-trip time; that minimum needs
  // two samples (the SDAM specification), and one connection has one, so it counts as 0. At least 1: a
  // maxTimeMS of 0 would mean no limit at all.
  #maxTimeMS(cmd: Document, options: CommandOptions | undefined): number | undefined {
    if (this.#timeoutMS === undefined) return undefined;
    const limit = options?.timeoutMS ?? this.#timeoutMS;
    if (!(limit > 0) || limit === Infinity || commandName(cmd) === "getMore") return undefined;
    return Math.max(1, Math.floor(limit));
  }

  /** Closes the socket. Idempotent. */
  close(): Promise<void> {
    return this.#wire.close();
  }

  /** `await using conn = await connect(...)` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
