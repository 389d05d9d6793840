// The reference server's configuration: what tests pass to startServer() and what the CLI reads
// from a JSON file. Validation is strict so a typo in a fixture fails loudly instead of silently
// starting a server that does something else.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { checkCompressors } from "./compression.ts";

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

/**
 * `tls`: the server speaks only TLS (mongod's `net.tls.mode: requireTLS`) and asks every client for a
 * certificate. Paths are PEM files, relative to the config file (CLI) or to the working directory.
 */
export interface TlsServerConfig {
  /** The server's certificate chain (mongod's `certificateKeyFile`, certificate part). */
  cert: string;
  /** The server's private key (unencrypted). */
  key: string;
  /** The CA that client certificates must chain to (mongod's `CAFile`). */
  ca: string;
  /**
   * mongod's `allowConnectionsWithoutCertificates` (default false): a client that sends no certificate is
   * then served (SCRAM works, MONGODB-X509 fails with 18) instead of disconnected after the handshake.
   */
  allowConnectionsWithoutCertificates?: boolean;
  /**
   * mongod's `allowInvalidCertificates` (default false): a client certificate that does not chain to `ca`
   * is then served as if it sent none (MONGODB-X509 fails with 18) instead of disconnected.
   */
  allowInvalidCertificates?: boolean;
}

/** The whole server configuration. Later mechanisms add their own keys (aws, oidc). */
export interface ServerConfig {
  /** Listen address; loopback only (default "127.0.0.1"). */
  host?: string;
  /** Listen port; 0 picks a free one (default 0). */
  port?: number;
  /**
   * Also listen on this UNIX domain socket, as mongod does on `/tmp/mongodb-<port>.sock`
   * (`net.unixDomainSocket`), serving the same users and data, with TLS when `tls` is set (as mongod 7.0
   * does in requireTLS mode). The file must not exist; closing the server removes it.
   */
  unixDomainSocket?: string;
  /** Users the server knows. */
  users?: UserConfig[];
  /** SCRAM iteration counts. */
  scram?: ScramConfig;
  /** Serve TLS only, with client certificates (MONGODB-X509). */
  tls?: TlsServerConfig;
  /**
   * mongod's `requireApiVersion` parameter: every command without `apiVersion` is refused (498870),
   * hello and authentication included, as a deployment that enforces the Stable API does. Default false.
   */
  requireApiVersion?: boolean;
  /**
   * mongod's `net.compression.compressors` (`--networkMessageCompressors`): the compressors hello may
   * negotiate and OP_COMPRESSED messages may use. `"snappy"`, `"zlib"` and, where the runtime's node:zlib has
   * it, `"zstd"` are implemented (default mongod's, `["snappy", "zstd", "zlib"]`, without zstd where the
   * runtime has none); `[]` disables compression, as mongod's `disabled` does.
   */
  compressors?: readonly string[];
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

/**
 * Checks a configuration and fills in defaults.
 * @param config the configuration as given
 * @returns a copy with host, port, users and scram filled in
 * @throws TypeError when a field has the wrong type, the host is not loopback or a compressor is neither
 *   snappy nor zlib
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
  if (config.tls !== undefined) checkTls(config.tls);
  if (config.requireApiVersion !== undefined && typeof config.requireApiVersion !== "boolean") {
    throw new TypeError("config.requireApiVersion must be a boolean");
  }
  checkCompressors(config.compressors);
  if (config.unixDomainSocket !== undefined && !/\/.*\.sock$/.test(String(config.unixDomainSocket))) {
    throw new TypeError(
      "config.unixDomainSocket must be a path that ends in .sock, like /tmp/mongodb-27117.sock",
    );
  }
  return { ...config, host, port, users };
}

function checkTls(tls: TlsServerConfig): void {
  if (typeof tls !== "object" || tls === null) throw new TypeError("config.tls must be an object");
  for (const key of ["cert", "key", "ca"] as const) {
    if (typeof tls[key] !== "string" || tls[key] === "") {
      throw new TypeError(`config.tls.${key} must be the path of a PEM file`);
    }
  }
  for (const key of ["allowConnectionsWithoutCertificates", "allowInvalidCertificates"] as const) {
    if (tls[key] !== undefined && typeof tls[key] !== "boolean") {
      throw new TypeError(`config.tls.${key} must be a boolean`);
    }
  }
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
 * @returns the parsed configuration (not yet normalized), `tls` paths resolved against the file's folder
 * @throws Error when the file can't be read or isn't JSON
 */
export function readConfigFile(path: string): ServerConfig {
  const config = JSON.parse(readFileSync(path, "utf8")) as ServerConfig;
  const tls = config.tls;
  if (typeof tls !== "object" || tls === null) return config;
  // TLS file paths are relative to the config file, so a fixture works from any working directory.
  const relative = (file: unknown) => typeof file === "string" ? resolve(dirname(path), file) : file;
  return {
    ...config,
    tls: {
      ...tls,
      cert: relative(tls.cert),
      key: relative(tls.key),
      ca: relative(tls.ca),
    } as TlsServerConfig,
  };
}
