/**
 * The loopback listener of the OIDC browser sign-in on Node.js and Bun (`node:http`; Bun's is the same
 * API, and Bun.serve would add nothing here).
 *
 * @module
 */
import { createServer, type Server } from "node:http";
import type {
  ListenLoopback,
  LoopbackListenOptions,
  LoopbackServer,
} from "../mechanisms/oidc/human/redirect-listener.ts";
import { listenError, PAGE_HEADERS } from "./loopback-listener.ts";

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
    // The path and query only: a Host header is whatever the sender says. A target that is not a URL
    // is answered here: a throw in this handler would end the process.
    const base = `http://${options.hostname === "::1" ? "[::1]" : options.hostname}`;
    const url = URL.canParse(req.url ?? "/", base) ? new URL(req.url ?? "/", base) : undefined;
    const page = url
      ? options.handle({ method: req.method ?? "GET", url })
      : { status: 400, html: "<!DOCTYPE html><title>Bad request</title>" };
    res.writeHead(page.status, PAGE_HEADERS);
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
