// A layer 4 load balancer: every accepted connection is piped, byte for byte, to the next backend in
// turn (round robin), as HAProxy in TCP mode does in front of mongos load balancer ports. TLS, if any,
// passes through untouched. Real deployments add the PROXY protocol header so that mongos knows the
// client's address; mongos here knows its load balancer port instead (server.ts), which is what changes
// its hello.
import { connect, createServer, type Server, type Socket } from "node:net";

/** Where the load balancer listens and what it fronts. */
export interface LoadBalancerConfig {
  /** Loopback address to listen on. Default "127.0.0.1". */
  host?: string;
  /** "host:port" of each backend (mongos load balancer ports). */
  backends: readonly string[];
}

/** A running load balancer. */
export interface LoadBalancer {
  readonly host: string;
  readonly port: number;
  /** "host:port", for a connection string with `loadBalanced=true`. */
  readonly address: string;
  /** Connections accepted so far, per backend in order. */
  readonly connectionsPerBackend: readonly number[];
  /** Stops listening and closes every piped connection. */
  close(): Promise<void>;
}

/**
 * Starts a round-robin TCP load balancer.
 * @param config listen host and backends
 * @returns the running load balancer
 * @throws TypeError without backends
 */
export async function startLoadBalancer(config: LoadBalancerConfig): Promise<LoadBalancer> {
  if (config.backends.length === 0) throw new TypeError("config.backends must list at least one backend");
  const host = config.host ?? "127.0.0.1";
  const counts = config.backends.map(() => 0);
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
  };
  let next = 0;
  const server: Server = createServer((client) => {
    const index = next++ % config.backends.length;
    counts[index]++;
    const [backendHost, backendPort] = splitAddress(config.backends[index]);
    const backend = connect({ host: backendHost, port: backendPort });
    track(client);
    track(backend);
    client.setNoDelay(true);
    backend.setNoDelay(true);
    client.pipe(backend);
    backend.pipe(client);
    client.on("close", () => backend.destroy());
    backend.on("close", () => client.destroy());
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => {
      const address = server.address();
      resolve(typeof address === "object" && address !== null ? address.port : 0);
    });
  });
  return {
    host,
    port,
    address: `${host}:${port}`,
    connectionsPerBackend: counts,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

function splitAddress(address: string): [string, number] {
  const colon = address.lastIndexOf(":");
  return [address.slice(0, colon).replace(/^\[|\]$/g, ""), Number(address.slice(colon + 1))];
}
