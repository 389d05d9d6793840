// Listens an HTTP fake on 127.0.0.1 (a free port) and gives back its URL and a close() that also
// drops kept-alive connections, so tests never hang on a fake.
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";

export interface Listening {
  readonly url: string;
  close(): Promise<void>;
}

export async function listenOnLoopback(server: Server): Promise<Listening> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
