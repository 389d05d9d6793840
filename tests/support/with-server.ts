// A fresh reference server for one case: its counters start at zero, and it is closed whatever the case does.
import type { ServerConfig } from "../../testing/reference-server/config.ts";
import { type RunningServer, startServer } from "../../testing/reference-server/server.ts";

/**
 * Starts a reference server with `config`, runs `fn` with it, and closes it.
 * @param config the server's configuration
 * @param fn the case
 */
export async function withServer(
  config: ServerConfig,
  fn: (server: RunningServer) => Promise<void>,
): Promise<void> {
  const server = await startServer(config);
  try {
    await fn(server);
  } finally {
    await server.close();
  }
}
