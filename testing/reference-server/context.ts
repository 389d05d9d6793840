// The state a command handler sees: the server's, the connection's, and the command's database.
import type { ServerConfig } from "./config.ts";
import type { FailPoints } from "./failpoints.ts";
import type { RawDocument } from "./idl.ts";
import type { ServerConnectionInfo } from "./sasl.ts";
import type { AuthSession } from "./session.ts";
import type { ServerStats } from "./stats.ts";
import type { ServerRole } from "./topology.ts";
import type { Document } from "./wire.ts";

/** The collections of a deployment, by "db.collection" (shared by a replica set's members). */
export type DataStore = Map<string, Document[]>;

/** Per-connection state besides authentication. */
export interface ConnectionState {
  readonly info: ServerConnectionInfo;
  /** `client.application.name` from the handshake, for failCommand's `appName`. */
  appName?: string;
  /**
   * mongod's ClientMetadata::tryFinalize: set by the first hello that runs, with or without a `client`
   * document; after it a `client` document is refused (186).
   */
  metadataFinalized: boolean;
  /** The client sent `helloOk` (Client::supportsHello): errors say "primary", not "master". */
  supportsHello: boolean;
  /** The connection came in through a load balancer (mongos's loadBalancerPort). */
  readonly fromLoadBalancer: boolean;
  /** load_balancer_support's didHello: the first hello on a load-balanced connection has run. */
  loadBalancedHelloDone: boolean;
  /** Aborts when the connection closes, so that an awaitable hello stops waiting. */
  readonly closed: AbortSignal;
  /**
   * The compressors hello negotiated on this connection, in the client's order (MessageCompressorManager's
   * `_negotiated`); undefined or empty when none was.
   */
  compressors?: readonly string[];
}

/** Server-wide state shared by all connections. */
export interface ServerState {
  /** The configuration without passwords. */
  readonly config: ServerConfig;
  readonly stats: ServerStats;
  readonly failPoints: FailPoints;
  /** Standalone, replica set member or mongos. */
  readonly role: ServerRole;
  /** The deployment's data. */
  readonly data: DataStore;
}

/** A command as received. */
export interface CommandRequest extends RawDocument {
  /** OP_MSG flag exhaustAllowed (mongod's opCtx->isExhaust()). */
  readonly exhaustAllowed: boolean;
}

/** What a command handler runs with. */
export interface CommandContext {
  /** The command's database (`$db`, or the OP_QUERY namespace's database). */
  readonly db: string;
  readonly session: AuthSession;
  readonly connection: ConnectionState;
  readonly server: ServerState;
  readonly request: CommandRequest;
}
