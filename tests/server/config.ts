// The reference server's configuration: what tests pass to startServer() and what the CLI reads
// from a JSON file. Validation is strict so a typo in a fixture fails loudly instead of silently
// starting a server that does something else.
import { readFileSync } from "node:fs";

/** A role granted to a user, as connectionStatus reports it. */
export interface RoleName {
  role: string;
  db: string;
}

/** A user as the config declares it (the password is dropped once the stored keys exist). */
export interface UserConfig {
  /** The database the user is defined in (the authSource). */
  db: string;
  /** The user name, exactly as createUser would get it (not SASLprepped, not escaped). */
  user: string;
  /** The plaintext password; only used at startup to compute what mongod stores. */
  password?: string;
  /** Mechanisms the user has credentials for, e.g. ["SCRAM-SHA-1", "SCRAM-SHA-256"]. */
  mechanisms: string[];
  /** Roles reported by connectionStatus (default none). */
  roles?: RoleName[];
}

/** SCRAM iteration counts (mongod's scramIterationCount / scramSHA256IterationCount). */
export interface ScramConfig {
  /** Iterations for SCRAM-SHA-1 credentials; mongod's default 10000, minimum 5000. */
  iterationsSha1?: number;
  /** Iterations for SCRAM-SHA-256 credentials; mongod's default 15000, minimum 5000. */
  iterationsSha256?: number;
}

/** The whole server configuration. Later mechanisms add their own keys (tls, aws, oidc). */
export interface ServerConfig {
  /** Listen address; loopback only (default "127.0.0.1"). */
  host?: string;
  /** Listen port; 0 picks a free one (default 0). */
  port?: number;
  /** Users the server knows. */
  users?: UserConfig[];
  /** SCRAM iteration counts. */
  scram?: ScramConfig;
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

/**
 * Checks a configuration and fills in defaults.
 * @param config the configuration as given
 * @returns a copy with host, port, users and scram filled in
 * @throws TypeError when a field has the wrong type or the host is not loopback
 */
export function normalizeConfig(
  config: ServerConfig,
): Required<Pick<ServerConfig, "host" | "port">> & ServerConfig {
  const host = config.host ?? "127.0.0.1";
  if (!LOOPBACK.has(host)) throw new TypeError(`config.host must be a loopback address, got ${host}`);
  const port = config.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new TypeError(`config.port must be an integer 0..65535, got ${port}`);
  }
  const users = config.users ?? [];
  if (!Array.isArray(users)) throw new TypeError("config.users must be an array");
  users.forEach(checkUser);
  return { ...config, host, port, users };
}

function checkUser(user: UserConfig, index: number): void {
  const where = `config.users[${index}]`;
  if (typeof user?.db !== "string" || user.db === "") {
    throw new TypeError(`${where}.db must be a non-empty string`);
  }
  if (typeof user.user !== "string" || user.user === "") {
    throw new TypeError(`${where}.user must be a non-empty string`);
  }
  if (user.password !== undefined && typeof user.password !== "string") {
    throw new TypeError(`${where}.password must be a string`);
  }
  if (!Array.isArray(user.mechanisms) || user.mechanisms.some((m) => typeof m !== "string")) {
    throw new TypeError(`${where}.mechanisms must be an array of mechanism names`);
  }
}

/**
 * Reads a JSON configuration file.
 * @param path the file path
 * @returns the parsed configuration (not yet normalized)
 * @throws Error when the file can't be read or isn't JSON
 */
export function readConfigFile(path: string): ServerConfig {
  return JSON.parse(readFileSync(path, "utf8")) as ServerConfig;
}
