/**
 * The loopback listener of the OIDC browser sign-in on Deno (`Deno.serve`).
 *
 * @module
 */
import type {
  ListenLoopback,
  LoopbackListenOptions,
  LoopbackServer,
} from "../mechanisms/oidc/human/redirect-listener.ts";
import { listenError, PAGE_HEADERS } from "./loopback-listener.ts";

// The slice of Deno.serve used here, typed locally so tsc (the npm build) compiles this file.
interface DenoHttpServer {
  readonly addr: { readonly port: number };
  readonly finished: Promise<void>;
  shutdown(): Promise<void>;
}
interface DenoServeApi {
  serve(
    options: { hostname: string; port: number; onListen: () => void },
    handler: (request: Request) => Response,
  ): DenoHttpServer;
}

/**
 * Listens on `hostname:port` with `Deno.serve` and answers each request with `handle`.
 *
 * @param options address, port (0: any free one) and the handler
 * @returns the server; `close()` shuts it down
 * @throws {MongoAuthError} `CREDENTIAL_PROVIDER_ERROR` when the port is taken or cannot be used
 */
export const listenLoopbackDeno: ListenLoopback = (
  options: LoopbackListenOptions,
): Promise<LoopbackServer> => {
  const Deno = (globalThis as unknown as { Deno: DenoServeApi }).Deno;
  let server: DenoHttpServer;
  try {
    server = Deno.serve(
      // onListen: Deno would print "Listening on …" otherwise; the library prints nothing of its own.
      { hostname: options.hostname, port: options.port, onListen: () => {} },
      (request) => {
        const page = options.handle({ method: request.method, url: new URL(request.url) });
        return new Response(page.html, { status: page.status, headers: PAGE_HEADERS });
      },
    );
  } catch (error) {
    return Promise.reject(listenError(options, error as { code?: unknown; name?: unknown }));
  }
  let closing: Promise<void> | undefined;
  return Promise.resolve({
    port: server.addr.port,
    close: () => (closing ??= server.shutdown().then(() => server.finished)),
  });
};
