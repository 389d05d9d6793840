// Wire compression end to end: our client through each transport of this runtime against the reference
// server, which negotiates snappy, zlib or zstd in hello and answers a compressed request compressed with the
// same compressor, as mongod does. Its counters of compressed messages (by compressor) say what really went
// over the wire. zstd comes from the runtime: Deno and Bun have it (both sides), Node.js 20 has not (neither
// side), where the client must leave it out of hello with a warning.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { connectWith, type TraceEvent } from "@mongo-auth/core";
import { type RunningServer, startServer } from "../../testing/reference-server/server.ts";
import { runtime, transports } from "../support/transports.ts";
import { whoami } from "../support/who-am-i.ts";

const users = [
  { db: "admin", user: "alice", password: "alice-pw", mechanisms: ["SCRAM-SHA-256"] },
  { db: "admin", user: "bob", password: "bob-pw", mechanisms: ["SCRAM-SHA-1"] },
];

// Compressed messages the server received and sent so far, in all and with one compressor.
function compressed(server: RunningServer, compressor?: string): { in: number; out: number } {
  const { stats } = server;
  if (compressor === undefined) return { in: stats.compressedIn, out: stats.compressedOut };
  return { in: stats.compressedInBy[compressor] ?? 0, out: stats.compressedOutBy[compressor] ?? 0 };
}

function helloCompression(events: readonly TraceEvent[]): string | undefined {
  const hello = events.find((event) => event.type === "hello");
  return (hello?.attributes as { compression?: string } | undefined)?.compression;
}

for (const { name, transport } of await transports()) {
  describe(`wire compression (${name} transport)`, () => {
    let server: RunningServer;
    let plain: RunningServer;
    before(async () => {
      server = await startServer({ users });
      plain = await startServer({ users, compressors: [] });
    });
    after(() => Promise.all([server.close(), plain.close()]));

    it(`the transport has zstd exactly where the runtime's node:zlib has it (${runtime})`, async () => {
      const zlib: Record<string, unknown> = await import("node:zlib");
      assert.equal(transport.zstd !== undefined, typeof zlib.zstdCompress === "function");
      // Deno and Bun have had it for a while; Node.js since 22.15.
      if (runtime !== "node") assert.ok(transport.zstd);
    });

    for (const compressor of ["snappy", "zlib", ...(transport.zstd ? ["zstd"] : [])]) {
      it(`compressors=${compressor}: the login goes uncompressed, every command after it compressed both ways`, async () => {
        for (const [user, mechanism] of [["alice", "SCRAM-SHA-256"], ["bob", "SCRAM-SHA-1"]]) {
          const before = compressed(server);
          const beforeWith = compressed(server, compressor);
          const uri = `mongodb://${user}:${user}-pw@${server.address}/?authMechanism=${mechanism}` +
            `&compressors=${compressor}`;
          const conn = await connectWith(transport, uri);
          try {
            assert.equal(helloCompression(conn.trace), compressor);
            // hello, saslStart and saslContinue: none compressed.
            assert.deepEqual(compressed(server), before);
            assert.deepEqual(await whoami(conn), { user, db: "admin" });
            const big = "x".repeat(100_000);
            assert.equal((await conn.command("admin", { ping: 1, comment: big })).ok, 1);
            assert.deepEqual(compressed(server), { in: before.in + 2, out: before.out + 2 });
            assert.deepEqual(compressed(server, compressor), {
              in: beforeWith.in + 2,
              out: beforeWith.out + 2,
            });
          } finally {
            await conn.close();
          }
        }
      });
    }

    it("the first of the client's list that the server has is used", async () => {
      for (
        const [list, used] of [
          ["zlib,snappy", "zlib"],
          ["snappy,zlib", "snappy"],
          ["zstd,zlib", transport.zstd ? "zstd" : "zlib"],
        ]
      ) {
        const before = compressed(server, used);
        const conn = await connectWith(
          transport,
          `mongodb://alice:alice-pw@${server.address}/?compressors=${list}`,
        );
        try {
          assert.equal(helloCompression(conn.trace), used, list);
          assert.equal((await conn.command("admin", { ping: 1 })).ok, 1);
          assert.deepEqual(compressed(server, used), { in: before.in + 1, out: before.out + 1 }, list);
        } finally {
          await conn.close();
        }
      }
    });

    it("the option works as the connection string does, and unsupported compressors are left out with a warning", async () => {
      const before = compressed(server);
      const conn = await connectWith(transport, `mongodb://alice:alice-pw@${server.address}/`, {
        compressors: ["lz4", "snappy", "zlib"],
      });
      try {
        assert.equal(helloCompression(conn.trace), "snappy");
        assert.equal(conn.warnings.length, 1);
        assert.match(conn.warnings[0], /"lz4" is not a compressor mongo-auth implements/);
        assert.equal((await conn.command("admin", { ping: 1 })).ok, 1);
        assert.deepEqual(compressed(server), { in: before.in + 1, out: before.out + 1 });
      } finally {
        await conn.close();
      }
    });

    it(
      transport.zstd
        ? "compressors=zstd: offered in hello and used, without a warning"
        : "compressors=zstd on a runtime without zstd: left out of hello with a warning naming the runtime",
      async () => {
        const before = compressed(server, "zstd");
        const events: TraceEvent[] = [];
        const conn = await connectWith(
          transport,
          `mongodb://alice:alice-pw@${server.address}/?compressors=zstd`,
          {
            onEvent: (event) => events.push(event),
          },
        );
        try {
          const hello = events.find((event) => event.type === "hello")!;
          if (transport.zstd) {
            assert.equal(helloCompression(events), "zstd");
            assert.deepEqual(conn.warnings, []);
            assert.equal((await conn.command("admin", { ping: 1 })).ok, 1);
            assert.deepEqual(compressed(server, "zstd"), { in: before.in + 1, out: before.out + 1 });
          } else {
            // Nothing left to offer: hello carries no compression field, as with no compressors at all.
            assert.equal(helloCompression(events), undefined, JSON.stringify(hello));
            assert.equal(conn.warnings.length, 1);
            assert.match(
              conn.warnings[0],
              /^compressors: "zstd" was left out: Node\.js v20[\d.]+ has no zstd/,
            );
            assert.equal((await conn.command("admin", { ping: 1 })).ok, 1);
            assert.deepEqual(compressed(server, "zstd"), before);
          }
        } finally {
          await conn.close();
        }
      },
    );

    it("a server that shares none: uncompressed, and the hello event says none", async () => {
      const conn = await connectWith(
        transport,
        `mongodb://alice:alice-pw@${plain.address}/?compressors=snappy,zlib`,
      );
      try {
        assert.equal(helloCompression(conn.trace), "none");
        assert.equal((await conn.command("admin", { ping: 1 })).ok, 1);
        assert.deepEqual(compressed(plain), { in: 0, out: 0 });
      } finally {
        await conn.close();
      }
    });

    it("without compressors nothing is offered or compressed", async () => {
      const before = compressed(server);
      const conn = await connectWith(transport, `mongodb://alice:alice-pw@${server.address}/`);
      try {
        assert.equal(helloCompression(conn.trace), undefined);
        assert.equal((await conn.command("admin", { ping: 1 })).ok, 1);
        assert.deepEqual(compressed(server), before);
      } finally {
        await conn.close();
      }
    });
  });
}
