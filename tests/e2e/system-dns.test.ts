// mongodb+srv:// through the runtime's own resolver (node:dns, which Bun and Deno's Node compatibility
// provide too), pointed at a loopback DNS server for the test zone: real SRV and TXT messages, real
// resolver code, and the reference server at the end of it.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import dgram from "node:dgram";
import dns from "node:dns";
import { connectWith, type Document, type Transport } from "@mongo-auth/core";
import { nodeTransport } from "../../src/transport/node.ts";
import { type RunningServer, startServer } from "../../testing/reference-server/server.ts";
import { startUdpDnsServer, type UdpDnsServer } from "./workerd/doh-server.ts";

describe("mongodb+srv:// through node:dns", () => {
  let server: RunningServer;
  let dnsServer: UdpDnsServer;
  let previousServers: string[];
  before(async () => {
    server = await startServer({
      users: [{ db: "accounts", user: "carol", password: "carol-pw", mechanisms: ["SCRAM-SHA-256"] }],
    });
    dnsServer = await startUdpDnsServer({
      srv: {
        "_mongodb._tcp.cluster0.mongo.test": [
          { target: "shard-00.cluster0.mongo.test", port: server.port, priority: 0, weight: 1 },
        ],
      },
      txt: { "cluster0.mongo.test": [["authSource=accounts"]] },
    });
    previousServers = dns.getServers();
    dns.setServers([dnsServer.address]);
  });
  after(async () => {
    dns.setServers(previousServers);
    await dnsServer.close();
    await server.close();
  });

  it("resolves SRV and TXT records with the node transport's resolver", async () => {
    const signal = AbortSignal.timeout(5000);
    assert.deepEqual(await nodeTransport.resolveSrv("_mongodb._tcp.cluster0.mongo.test", signal), [
      { name: "shard-00.cluster0.mongo.test", port: server.port },
    ]);
    assert.deepEqual(await nodeTransport.resolveTxt("cluster0.mongo.test", signal), [[
      "authSource=accounts",
    ]]);
  });

  it("connects through it: SRV target dialled, TXT authSource applied", async () => {
    // The SRV target is a name under the test zone; only the dial is mapped to loopback.
    const transport: Transport = {
      ...nodeTransport,
      openSocket: (o) => nodeTransport.openSocket({ ...o, host: "127.0.0.1" }),
    };
    const conn = await connectWith(transport, "mongodb+srv://carol:carol-pw@cluster0.mongo.test/?tls=false");
    try {
      assert.equal(conn.host, "shard-00.cluster0.mongo.test");
      const status = await conn.command("admin", { connectionStatus: 1 });
      assert.deepEqual(((status.authInfo as Document).authenticatedUsers as Document[])[0], {
        user: "carol",
        db: "accounts",
      });
      assert.deepEqual(dnsServer.queries.slice(-2).sort(), [
        "SRV _mongodb._tcp.cluster0.mongo.test",
        "TXT cluster0.mongo.test",
      ]);
    } finally {
      await conn.close();
    }
  });

  it("a DNS server that takes the queries and answers none: TIMEOUT at connectTimeoutMS, saying where to look", async () => {
    // node:dns alone would retry for 24–26 s; connectTimeoutMS ends the lookup, and says it was DNS.
    const silent = dgram.createSocket("udp4");
    await new Promise<void>((resolve) => silent.bind(0, "127.0.0.1", () => resolve()));
    dns.setServers([`127.0.0.1:${silent.address().port}`]);
    try {
      await assert.rejects(
        connectWith(nodeTransport, "mongodb+srv://carol:carol-pw@cluster0.mongo.test/", {
          connectTimeoutMS: 300,
        }),
        {
          code: "TIMEOUT",
          message:
            "looking up cluster0.mongo.test in DNS (SRV _mongodb._tcp.cluster0.mongo.test, and TXT) timed " +
            "out after 300 ms (connectTimeoutMS): no DNS answer came: check this machine's DNS server, or resolve " +
            "over HTTPS with the dnsOverHttps option",
        },
      );
    } finally {
      dns.setServers([dnsServer.address]);
      silent.close();
    }
  });
});

describe("mongodb+srv:// through Deno.resolveDns", { skip: !("Deno" in globalThis) && "Deno only" }, () => {
  let server: RunningServer;
  let dnsServer: UdpDnsServer;
  before(async () => {
    server = await startServer({
      users: [{ db: "accounts", user: "carol", password: "carol-pw", mechanisms: ["SCRAM-SHA-256"] }],
    });
    dnsServer = await startUdpDnsServer({
      srv: {
        "_mongodb._tcp.cluster0.mongo.test": [{ target: "shard-00.cluster0.mongo.test", port: server.port }],
      },
      txt: { "cluster0.mongo.test": [["authSource=accounts"]] },
    });
  });
  after(async () => {
    await dnsServer?.close();
    await server?.close();
  });

  it("resolves SRV and TXT with the Deno transport, and connects", async () => {
    const { createDenoTransport } = await import("../../src/transport/deno.ts");
    const [ipAddr, port] = dnsServer.address.split(":");
    const deno = createDenoTransport({ nameServer: { ipAddr, port: Number(port) } });
    const signal = AbortSignal.timeout(5000);
    assert.deepEqual(await deno.resolveSrv("_mongodb._tcp.cluster0.mongo.test", signal), [
      { name: "shard-00.cluster0.mongo.test.", port: server.port },
    ]);
    assert.deepEqual(await deno.resolveTxt("cluster0.mongo.test", signal), [["authSource=accounts"]]);
    const transport: Transport = { ...deno, openSocket: (o) => deno.openSocket({ ...o, host: "127.0.0.1" }) };
    const conn = await connectWith(transport, "mongodb+srv://carol:carol-pw@cluster0.mongo.test/?tls=false");
    try {
      assert.equal(conn.host, "shard-00.cluster0.mongo.test");
      const status = await conn.command("admin", { connectionStatus: 1 });
      assert.equal(((status.authInfo as Document).authenticatedUsers as Document[])[0].db, "accounts");
    } finally {
      await conn.close();
    }
  });
});
