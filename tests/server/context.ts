// The state a command handler sees: the server's, the connection's, and the command's database.
import type { ServerConfig } from "./config.ts";
import type { FailPoints } from "./failpoints.ts";
import type { ServerConnectionInfo } from "./sasl.ts";
import type { AuthSession } from "./session.ts";
import type { ServerStats } from "./stats.ts";

/** Per-connection state besides authentication. */
export interface ConnectionState {
  readonly info: ServerConnectionInfo;
  /** `client.application.name` from the handshake, for failCommand's `appName`. */
  appName?: string;
  /** mongod accepts the `client` metadata document only in a connection's first hello. */
  clientMetadataSeen: boolean;
}

/** Server-wide state shared by all connections. */
export interface ServerState {
  /** The configuration without passwords. */
  readonly config: ServerConfig;
  readonly stats: ServerStats;
  readonly failPoints: FailPoints;
}

/** What a command handler runs with. */
export interface CommandContext {
  /** The command's database (`$db`, or the OP_QUERY namespace's database). */
  readonly db: string;
  readonly session: AuthSession;
  readonly connection: ConnectionState;
  readonly server: ServerState;
}
