// The Worker of the bench's Workers section (bench/sections/workers.ts), bundled from our sources and served by
// workerd. `/login?user=NAME` opens one connection with the Workers entry point's `connect()` (SCRAM-SHA-256),
// pings and closes it, as docs/workers.md's quick start does; `/hello` does the same without a credential
// (hello and ping); `/empty` answers at once (the HTTP round trip alone).
import { connect } from "../../src/transport/workers.ts";

/** The bindings the section configures. */
export interface Bindings {
  /** "127.0.0.1:PORT" of the reference server. */
  readonly MONGODB_ADDRESS: string;
  /** The password of every bench user. */
  readonly PASSWORD: string;
}

async function ping(uri: string): Promise<Response> {
  const conn = await connect(uri);
  try {
    await conn.command("admin", { ping: 1 });
    return Response.json({ roundTrips: conn.handshake.roundTrips });
  } finally {
    await conn.close();
  }
}

export default {
  fetch(request: Request, env: Bindings): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/hello") return ping(`mongodb://${env.MONGODB_ADDRESS}/`);
    if (url.pathname === "/login") {
      const user = encodeURIComponent(url.searchParams.get("user") ?? "");
      return ping(`mongodb://${user}:${env.PASSWORD}@${env.MONGODB_ADDRESS}/?authMechanism=SCRAM-SHA-256`);
    }
    return Promise.resolve(Response.json({}));
  },
};
