/**
 * The loopback listener of the OIDC browser sign-in on Node.js and Bun (`node:http`; Bun's is the same
 * API, and Bun.serve would add nothing here).
 *
 * @module
 */
import { createServer, type Server } from "node:http";
import { MongoAuthError } from "../errors.ts";
import type {
  ListenLoopback,
  LoopbackListenOptions,
  LoopbackServer,
} from "../oidc/human/redirect-listener.ts";

/**
 * Listens on `hostname:port` with `node:http` and answers each request with `handle`.
 *
 * @param options address, port (0: any free one) and the handler
 * @returns the server; `close()` stops it and ends kept-alive browser connections
 * @throws {MongoAuthError} `CREDENTIAL_PROVIDER_ERROR` when the port is taken or cannot be used
 */
export const listenLoopbackNode: ListenLoopback = (
  options: LoopbackListenOptions,
): Promise<LoopbackServer> => {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "127.0.0.1"}`);
    const page = options.handle({ method: req.method ?? "GET", url });
    res.writeHead(page.status, {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      connection: "close",
    });
    res.end(page.html);
  });
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => reject(listenError(options, error)));
    server.listen({ host: options.hostname, port: options.port, exclusive: true }, () => {
      const address = server.address();
      resolve({
        port: typeof address === "object" && address ? address.port : options.port,
        close: () => closeServer(server),
      });
    });
  });
};

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}

/**
 * The error for a listener that could not start.
 *
 * @param options what was asked
 * @param error the runtime's error
 * @returns the coded error
 */
export function listenError(
  options: LoopbackListenOptions,
  error: { code?: unknown; name?: unknown },
): MongoAuthError {
  const where = `${options.hostname}:${options.port}`;
  const inUse = error.code === "EADDRINUSE" || error.name === "AddrInUse";
  return new MongoAuthError(
    "CREDENTIAL_PROVIDER_ERROR",
    inUse
      ? `cannot listen on ${where} for the sign-in's redirect: the port is in use (another sign-in still ` +
        "running?); finish or stop it, or set redirectUri to another port registered with the identity provider"
      : `cannot listen on ${where} for the sign-in's redirect (${String(error.code ?? error.name)}); ` +
        'sign in with flow: "device" instead',
    { cause: error },
  );
}
