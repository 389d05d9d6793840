// The reference server: a standalone mongod 7.0 with authentication enabled, as far as a driver's
// handshake and authentication can tell. Tests start one per suite with startServer().
import { readFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { createServer as createTlsServer, type TLSSocket } from "node:tls";
import { normalizeConfig, type ServerConfig, type TlsServerConfig } from "./config.ts";
import { ClientConnection } from "./connection.ts";
import type { ServerState } from "./context.ts";
import { FailPoints } from "./failpoints.ts";
import { defaultMechanisms } from "./registry.ts";
import type { SaslMechanismServer } from "./sasl.ts";
import { newStats, type ServerStats } from "./stats.ts";
import { buildUserStore, withoutPasswords } from "./users.ts";

/** Options that are code, not configuration. */
export interface StartOptions {
  /** The mechanisms to speak instead of the registry's (e.g. with fixed nonces). */
  mechanisms?: readonly SaslMechanismServer[];
}

/** A listening server. */
export interface RunningServer {
  readonly host: string;
  readonly port: number;
  /** "host:port", ready for a connection string. */
  readonly address: string;
  /** Live counters of what clients did. */
  readonly stats: ServerStats;
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
export async function startServer(config: ServerConfig, options: StartOptions = {}): Promise<RunningServer> {
  const normalized = normalizeConfig(config);
  const mechanisms = options.mechanisms ?? defaultMechanisms();
  const users = buildUserStore(normalized, mechanisms);
  const state: ServerState = {
    config: withoutPasswords(normalized),
    stats: newStats(),
    failPoints: new FailPoints(),
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
  const serve = (socket: Socket) => new ClientConnection(socket, { server: state, users, mechanisms });
  let server: Server;
  if (normalized.tls === undefined) {
    server = createServer((socket) => {
      accept(socket);
      serve(socket);
    });
  } else {
    const tls = normalized.tls;
    server = createTlsServer(tlsOptions(tls), (socket) => {
      if (acceptsPeer(socket, tls)) serve(socket);
      else socket.destroy();
    });
    // The TCP socket, so that close() also ends handshakes in progress.
    server.on("connection", accept);
    server.on("tlsClientError", () => {/* node already destroyed the socket */});
  }
  const port = await listen(server, normalized.host, normalized.port);
  return {
    host: normalized.host,
    port,
    address: `${normalized.host.includes(":") ? `[${normalized.host}]` : normalized.host}:${port}`,
    stats: state.stats,
    close: () => close(server, sockets),
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

function close(server: Server, sockets: Set<Socket>): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    for (const socket of sockets) socket.destroy();
  });
}
