// mongodb+srv:// through connect(): the SRV targets are the seeds (checked in random order, as SDAM
// says), and the TXT record's authSource reaches the credential. DNS is faked; the sockets are real, to a
// one-member replica set of the reference server on loopback, named as DNS names it.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  AuthCacheStore,
  connectWith,
  type Document,
  type TraceEvent,
  type Transport,
} from "@mongo-auth/core";
import { type RunningReplicaSet, startReplicaSet } from "../../testing/reference-server/replica-set.ts";
import { nodeTransport } from "../../src/transport/node.ts";

describe("mongodb+srv:// end to end", () => {
  let set: RunningReplicaSet;
  let server: RunningReplicaSet["members"][number];
  before(async () => {
    set = await startReplicaSet({
      setName: "cluster0",
      members: [{ name: (port) => `up.cluster0.mongo.test:${port}` }],
      users: [{ db: "accounts", user: "carol", password: "carol-pw", mechanisms: ["SCRAM-SHA-256"] }],
    });
    server = set.members[0];
  });
  after(() => set.close());

  // DNS says the cluster has two hosts; one refuses, the other is the replica set's member.
  function fakeDns(txt: string[][]): Transport & { dialled: string[] } {
    const dialled: string[] = [];
    return {
      ...nodeTransport,
      dialled,
      resolveSrv: () =>
        Promise.resolve([{ name: "down.cluster0.mongo.test.", port: 1 }, {
          name: "up.cluster0.mongo.test.",
          port: server.port,
        }]),
      resolveTxt: () => Promise.resolve(txt),
      openSocket: (o) => {
        dialled.push(`${o.host}:${o.port}`);
        return nodeTransport.openSocket({ ...o, host: "127.0.0.1" });
      },
    };
  }

  it("dials the SRV targets and takes authSource from TXT", async () => {
    const transport = fakeDns([["authSource=accounts"]]);
    const conn = await connectWith(transport, "mongodb+srv://carol:carol-pw@cluster0.mongo.test/?tls=false");
    try {
      assert.equal(conn.address, `up.cluster0.mongo.test:${server.port}`);
      assert.equal(conn.role, "primary");
      assert.ok(transport.dialled.includes(`up.cluster0.mongo.test:${server.port}`));
      assert.ok(transport.dialled.every((a) => /^(up|down)\.cluster0\.mongo\.test:\d+$/.test(a)));
      const status = await conn.command("admin", { connectionStatus: 1 });
      assert.deepEqual(((status.authInfo as Document).authenticatedUsers as Document[])[0], {
        user: "carol",
        db: "accounts",
      });
    } finally {
      await conn.close();
    }
  });

  it("lets an authSource in the connection string win over TXT", async () => {
    const transport = fakeDns([["authSource=elsewhere"]]);
    const conn = await connectWith(
      transport,
      "mongodb+srv://carol:carol-pw@cluster0.mongo.test/?tls=false&authSource=accounts",
    );
    await conn.close();
  });

  it("looks the name up once for the connections of one client (cacheStore) in a minute; another client looks again", async () => {
    const transport = fakeDns([["authSource=accounts"]]);
    let lookups = 0;
    const counting: Transport = {
      ...transport,
      resolveSrv: (...args) => (lookups++, transport.resolveSrv(...args)),
    };
    const uri = "mongodb+srv://carol:carol-pw@cluster0.mongo.test/?tls=false";
    const connectAs = (cacheStore: AuthCacheStore, events: TraceEvent[] = []) =>
      connectWith(counting, uri, { cacheStore, onEvent: (event) => events.push(event) });
    const client = new AuthCacheStore();
    const together = await Promise.all(Array.from({ length: 5 }, () => connectAs(client)));
    const events: TraceEvent[] = [];
    const later = await connectAs(client, events);
    const other = await connectAs(new AuthCacheStore());
    try {
      assert.equal(lookups, 2);
      const srv = events.find((event) => event.type === "dns.srv");
      assert.equal(srv?.type === "dns.srv" && srv.attributes.reused, true);
      // The TXT record's authSource still reaches each connection's credential.
      const status = await later.command("admin", { connectionStatus: 1 });
      assert.deepEqual(((status.authInfo as Document).authenticatedUsers as Document[])[0], {
        user: "carol",
        db: "accounts",
      });
    } finally {
      await Promise.all([...together, later, other].map((conn) => conn.close()));
    }
  });

  it("turns TLS on by default for mongodb+srv://", async () => {
    const transport = fakeDns([]);
    let tlsAsked = false;
    const spy: Transport = {
      ...transport,
      openSocket: (o) => {
        tlsAsked = o.tls !== undefined;
        return Promise.reject(new Error("stop here"));
      },
    };
    await assert.rejects(connectWith(spy, "mongodb+srv://carol:carol-pw@cluster0.mongo.test/"));
    assert.ok(tlsAsked);
  });
});
