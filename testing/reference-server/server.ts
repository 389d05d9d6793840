// The reference server: a mongod 7.0 with authentication enabled, as far as a driver's handshake,
// authentication and a few commands can tell. Tests start a standalone per suite with startServer(); a
// replica set (replica-set.ts) and a sharded cluster's mongoses (sharded.ts) are listeners of the same
// kind with another ServerRole, sharing their users and data.
import { readFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { createServer as createTlsServer, type TLSSocket } from "node:tls";
import { normalizeConfig, type ServerConfig, type TlsServerConfig } from "./config.ts";
import { newDataStore } from "./collections.ts";
import { ClientConnection } from "./connection.ts";
import type { DataStore, ServerState } from "./context.ts";
import { FailPoints } from "./failpoints.ts";
import { defaultMechanisms } from "./registry.ts";
import type { SaslMechanismServer } from "./sasl.ts";
import { newStats, type ServerStats } from "./stats.ts";
import { type ServerRole, STANDALONE } from "./topology.ts";
import { buildUserStore, type UserStore, withoutPasswords } from "./users.ts";

/** Options that are code, not configuration. */
export interface StartOptions {
  /** The mechanisms to speak instead of the registry's (e.g. with fixed nonces). */
  mechanisms?: readonly SaslMechanismServer[];
  /**
   * Users and data shared with other listeners (the members of one replica set, the mongoses of one
   * cluster): filled in by the first listener that starts with it, reused by the next.
   */
  shared?: SharedData;
}

/** What the processes of one deployment share: its users and its data. */
export interface SharedData {
  users?: UserStore;
  data?: DataStore;
}

/** What a listener is, besides its configuration (replica-set.ts and sharded.ts pass their own). */
export interface ListenerOptions extends StartOptions {
  /** Standalone by default. */
  role?: ServerRole;
  /**
   * Also listen on a second port (mongos's `--loadBalancerPort`) whose connections arrive through a load
   * balancer; both ports serve the same process.
   */
  loadBalancerPort?: boolean;
}

/** A listening server. */
export interface RunningServer {
  readonly host: string;
  readonly port: number;
  /** "host:port", ready for a connection string. */
  readonly address: string;
  /** Live counters of what clients did. */
  readonly stats: ServerStats;
  /** The process's failpoints, as configureFailPoint sets them (tests may set them directly). */
  readonly failPoints: FailPoints;
  /** "host:port" of the load balancer port, when the listener has one (a mongos behind a load balancer). */
  readonly loadBalancerAddress?: string;
  /** The UNIX domain socket it also listens on (`config.unixDomainSocket`). */
  readonly socketPath?: string;
  /** Stops listening and destroys every open connection. */
  close(): Promise<void>;
}

/**
 * Starts a server.
 * @param config users, SCRAM iteration counts, listen address
 * @param options mechanisms to use instead of the default registry
 * @returns the running server, once it listens
 * @throws TypeError for an invalid configuration
 */
export function startServer(config: ServerConfig, options: StartOptions = {}): Promise<RunningServer> {
  return startListener(config, options);
}

/**
 * Starts one listener of any role: a standalone (default), a replica set member or a mongos.
 * @param config users, SCRAM iteration counts, listen address, TLS
 * @param options role, shared users and data, mechanisms
 * @returns the running listener
 * @throws TypeError for an invalid configuration
 */
export async function startListener(
  config: ServerConfig,
  options: ListenerOptions = {},
): Promise<RunningServer> {
  const normalized = normalizeConfig(config);
  const mechanisms = options.mechanisms ?? defaultMechanisms();
  const shared = options.shared ?? {};
  const users = shared.users ??= buildUserStore(normalized, mechanisms);
  const state: ServerState = {
    config: withoutPasswords(normalized),
    stats: newStats(),
    failPoints: new FailPoints(),
    role: options.role ?? STANDALONE,
    data: shared.data ??= newDataStore(),
  };
  const sockets = new Set<Socket>();
  const accept = (socket: Socket) => {
    // mongod sets TCP_NODELAY on every connection; without it a small reply can wait for the
    // client's delayed ACK (~40 ms).
    socket.setNoDelay(true);
    sockets.add(socket);
    state.stats.connectionsOpened++;
    state.stats.connectionsOpen++;
    socket.on("close", () => {
      sockets.delete(socket);
      state.stats.connectionsOpen--;
    });
  };
  const makeServer = (fromLoadBalancer: boolean): Server => {
    const serve = (socket: Socket) =>
      new ClientConnection(socket, { server: state, users, mechanisms, fromLoadBalancer });
    if (normalized.tls === undefined) {
      return createServer((socket) => {
        accept(socket);
        serve(socket);
      });
    }
    const tls = normalized.tls;
    const server = createTlsServer(tlsOptions(tls), (socket) => {
      if (acceptsPeer(socket, tls)) serve(socket);
      else socket.destroy();
    });
    // The TCP socket, so that close() also ends handshakes in progress.
    server.on("connection", accept);
    server.on("tlsClientError", () => {/* node already destroyed the socket */});
    return server;
  };
  const servers = [makeServer(false)];
  const port = await listen(servers[0], normalized.host, normalized.port);
  let loadBalancerPort: number | undefined;
  if (options.loadBalancerPort) {
    servers.push(makeServer(true));
    loadBalancerPort = await listen(servers[1], normalized.host, 0).catch(async (error) => {
      await close(servers[0], sockets);
      throw error;
    });
  }
  const socketPath = normalized.unixDomainSocket;
  if (socketPath !== undefined) {
    servers.push(makeServer(false));
    await listenOnPath(servers.at(-1)!, socketPath).catch(async (error) => {
      await Promise.all(servers.slice(0, -1).map((server) => close(server, sockets)));
      throw error;
    });
  }
  const address = (p: number) =>
    `${normalized.host.includes(":") ? `[${normalized.host}]` : normalized.host}:${p}`;
  return {
    host: normalized.host,
    port,
    address: address(port),
    ...(loadBalancerPort !== undefined && { loadBalancerAddress: address(loadBalancerPort) }),
    ...(socketPath !== undefined && { socketPath }),
    stats: state.stats,
    failPoints: state.failPoints,
    close: () => Promise.all(servers.map((server) => close(server, sockets))).then(() => {}),
  };
}

// Client certificates are requested but not enforced by the TLS layer: like mongod (whose OpenSSL verify
// callback accepts everything), the server looks at the verification result after the handshake.
function tlsOptions(tls: TlsServerConfig) {
  const read = (key: "cert" | "key" | "ca") => {
    try {
      return readFileSync(tls[key]);
    } catch (error) {
      throw new TypeError(`config.tls.${key}: cannot read ${tls[key]} (${(error as Error).message})`);
    }
  };
  return {
    cert: read("cert"),
    key: read("key"),
    ca: read("ca"),
    requestCert: true,
    rejectUnauthorized: false,
  };
}

/**
 * mongod's parseAndValidatePeerCertificate: no certificate → "no SSL certificate provided by peer;
 * connection rejected", a certificate that fails verification → "SSL peer certificate validation
 * failed"; either way the connection ends unless the matching allow* option is set.
 */
function acceptsPeer(socket: TLSSocket, tls: TlsServerConfig): boolean {
  if (socket.authorized) return true;
  const sentCertificate = socket.getPeerCertificate()?.raw !== undefined;
  return sentCertificate
    ? tls.allowInvalidCertificates === true
    : tls.allowConnectionsWithoutCertificates === true;
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const address = server.address();
      resolve(typeof address === "object" && address !== null ? address.port : port);
    });
  });
}

function listenOnPath(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

function close(server: Server, sockets: Set<Socket>): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    for (const socket of sockets) socket.destroy();
  });
}
