// Wire compression as mongod 7.0 does it (MessageCompressorManager, transport/message_compressor_manager.cpp):
// hello's negotiation, OP_COMPRESSED requests unwrapped and answered compressed, and every malformed
// OP_COMPRESSED closing the connection, the lying sizes of CVE-2025-14847 ("MongoBleed") among them. The
// frames are built by hand with node:zlib and the `snappy` package (Google's raw format, as mongod's
// snappy::RawCompress), so nothing a driver would tidy up gets in the way. zstd is mongod's third compressor:
// where this runtime's node:zlib has it (Deno, Bun, Node.js 22.15+) the server implements it and the zstd
// cases run; on Node.js 20 they check instead that the server neither offers nor reads it.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { deflateSync, inflateSync } from "node:zlib";
import { compressSync, uncompressSync } from "snappy";
import { BSON, Long, ObjectId } from "bson";
import { compressMessage, decompressMessage } from "../compression.ts";
import type { ServerConfig } from "../config.ts";
import { startReplicaSet } from "../replica-set.ts";
import { type RunningServer, startServer } from "../server.ts";
import {
  compressFrame,
  type CompressOptions,
  type FrameCompressor,
  RawClient,
  scramAuth,
  withRawClient,
  zstdSync,
} from "./raw-client.ts";
import type { Document } from "../wire.ts";

const CONFIG: ServerConfig = {
  users: [{ db: "admin", user: "alice", password: "alice-pw", mechanisms: ["SCRAM-SHA-256"] }],
};
const ALICE = { hash: "sha256", user: "alice", password: "alice-pw", db: "admin" } as const;
const SNAPPY = 1;
const ZLIB = 2;
const ZSTD = 3;
/** `["zstd"]` where this runtime has zstd, else nothing: what a list offering zstd gets of it. */
const ZSTD_IF_HERE: "zstd"[] = zstdSync ? ["zstd"] : [];
const PING = { ping: 1, $db: "admin" };
const MAX_MESSAGE_SIZE = 48_000_000;

const withClient = (fn: (client: RawClient, server: RunningServer) => Promise<void>, config = CONFIG) =>
  withRawClient(config, fn);

/** `promise`, or a failure after 5 s: a server that neither answers nor closes must not hang the suite. */
async function bounded<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after 5 s`)), 5000);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const send = (client: RawClient, frame: Uint8Array) => bounded(client.sendFrame(frame), "reply");

/** Asserts the server closes the connection on `frame` without a reply. */
async function closesOn(client: RawClient, frame: Uint8Array): Promise<void> {
  assert.equal(await send(client, frame), undefined, "the server answered instead of closing");
  await bounded(client.closed(), "close");
}

/** A ping OP_MSG wrapped in an OP_COMPRESSED with the header fields of `options`. */
const compressedPing = (client: RawClient, options: CompressOptions = {}) =>
  compressFrame(client.msgFrame(PING), options);

/** A snappy ping whose header declares `delta` bytes more than its data's preamble says. */
function snappyPingOff(client: RawClient, delta: number): Buffer {
  const message = client.msgFrame(PING);
  return compressFrame(message, { compressor: "snappy", uncompressedSize: message.length - 16 + delta });
}

/** Snappy data that cannot say its length: 5 bytes with the continuation bit, a varint too long. */
const UNREADABLE_PREAMBLE = new Uint8Array(5).fill(0xff);
/** Snappy data saying 4 bytes, then a 4-byte copy at offset 1 when nothing was written: before the start. */
const COPY_BEFORE_START = Uint8Array.of(0x04, 0x01, 0x01);
/** Snappy data saying 4 bytes, then a literal tag whose 4-byte length (2^32) runs past the data. */
const GARBAGE_TAGS = Uint8Array.of(0x04, 0xfc, 0xff, 0xff, 0xff, 0xff);
/** Snappy data saying 10 bytes whose one literal gives 5: a preamble the body does not keep. */
const SHORT_BODY = Uint8Array.of(0x0a, 4 << 2, 1, 2, 3, 4, 5);

/** The first `length` bytes of `frame`, its header saying so. */
function truncated(frame: Buffer, length: number): Buffer {
  const out = Buffer.from(frame.subarray(0, length));
  out.writeInt32LE(length, 0);
  return out;
}

const hello = (client: RawClient, fields: Document = {}) =>
  bounded(client.msg({ hello: 1, ...fields, $db: "admin" }), "hello");

/** What hello negotiates when the client offers `offered`: the reply's `compression`. */
const negotiated = async (client: RawClient, offered: string[]) =>
  (await hello(client, { compression: offered }))?.compression;

describe("compression negotiation in hello (MessageCompressorManager::serverNegotiate)", () => {
  it("negotiates the names the server enables in the client's order, skipping unknown ones silently", async () => {
    await withClient(async (client) => {
      const reply = await hello(client, { compression: ["zstd", "snappy", "noop", "zlib", "lz4"] });
      assert.equal(reply?.ok, 1);
      assert.deepEqual(reply?.compression, [...ZSTD_IF_HERE, "snappy", "zlib"]);
      // mongod pushes every name it knows as it comes: a repeat stays.
      assert.deepEqual((await hello(client, { compression: ["zlib", "snappy", "zlib"] }))?.compression, [
        "zlib",
        "snappy",
        "zlib",
      ]);
    });
  });

  it("leaves the field out when nothing is in common, or the client offers nothing", async () => {
    await withClient(async (client) => {
      const none = await hello(client, { compression: ["lz4", "noop", "disabled"] });
      assert.equal(none?.ok, 1);
      assert.equal("compression" in none!, false);
      assert.equal("compression" in (await hello(client, { compression: [] }))!, false);
      assert.equal("compression" in (await hello(client))!, false);
    });
  });

  it("repeats the negotiated list in a later hello without `compression`; a new list renegotiates", async () => {
    await withClient(async (client) => {
      assert.deepEqual((await hello(client, { compression: ["zlib"] }))?.compression, ["zlib"]);
      assert.deepEqual((await hello(client))?.compression, ["zlib"]);
      assert.deepEqual((await bounded(client.msg({ isMaster: 1, $db: "admin" }), "isMaster"))?.compression, [
        "zlib",
      ]);
      // Renegotiation clears what was agreed: nothing in common now, and nothing to repeat after.
      assert.equal("compression" in (await hello(client, { compression: ["lz4"] }))!, false);
      assert.equal("compression" in (await hello(client))!, false);
    });
  });

  it("negotiates in the legacy OP_QUERY isMaster that drivers open with; per connection", async () => {
    await withClient(async (client, server) => {
      const reply = await bounded(
        client.query("admin.$cmd", { isMaster: 1, helloOk: true, compression: ["zlib"] }),
        "isMaster",
      );
      assert.deepEqual(reply?.compression, ["zlib"]);
      const other = await RawClient.open(server.port);
      try {
        assert.equal("compression" in (await hello(other))!, false);
      } finally {
        other.close();
      }
    });
  });

  it("enables mongod's default, snappy,zstd,zlib (zstd where the runtime has it), in the client's order", async () => {
    await withClient(async (client) => {
      assert.deepEqual(await negotiated(client, ["zlib", "zstd", "snappy"]), [
        "zlib",
        ...ZSTD_IF_HERE,
        "snappy",
      ]);
      assert.deepEqual(await negotiated(client, ["snappy", "zlib"]), ["snappy", "zlib"]);
      assert.deepEqual(await negotiated(client, ["zlib", "snappy"]), ["zlib", "snappy"]);
      assert.deepEqual(await negotiated(client, ["snappy"]), ["snappy"]);
      assert.deepEqual((await hello(client))?.compression, ["snappy"]);
    });
  });

  it('negotiates only what the config enables: no snappy with `compressors: ["zlib"]`', async () => {
    await withClient(async (client) => {
      assert.equal("compression" in (await hello(client, { compression: ["snappy"] }))!, false);
      assert.deepEqual(await negotiated(client, ["snappy", "zlib"]), ["zlib"]);
    }, { ...CONFIG, compressors: ["zlib"] });
    await withClient(async (client) => {
      assert.deepEqual(await negotiated(client, ["zlib", "snappy"]), ["snappy"]);
    }, { ...CONFIG, compressors: ["snappy"] });
  });

  it("negotiates nothing with `compressors: []` (compression disabled)", async () => {
    await withClient(async (client) => {
      assert.equal("compression" in (await hello(client, { compression: ["zlib", "snappy"] }))!, false);
    }, { ...CONFIG, compressors: [] });
  });

  it("refuses a config naming a compressor other than snappy, zlib and zstd, the three mongod has", async () => {
    for (const compressors of [["snappy", "lz4"], ["noop"], ["disabled"], ["zstd-1"]]) {
      await assert.rejects(startServer({ compressors }), {
        name: "TypeError",
        message: /implements only snappy, zlib and zstd/,
      });
    }
    await assert.rejects(startServer({ compressors: "zlib" as unknown as string[] }), TypeError);
    await assert.rejects(startServer({ compressors: [2] as unknown as string[] }), TypeError);
  });

  it("enables zstd alone when the config says so, or refuses the config where the runtime has no zstd", async () => {
    const configs = [[["zstd"], ["zstd"]], [["zlib", "zstd"], ["zstd", "zlib"]]];
    for (const [compressors, agreed] of configs) {
      if (!zstdSync) {
        await assert.rejects(startServer({ compressors }), {
          name: "TypeError",
          message: /zstd needs a runtime whose node:zlib has it/,
        });
        continue;
      }
      await withClient(async (client) => {
        assert.deepEqual(await negotiated(client, ["snappy", "zstd", "zlib"]), agreed);
      }, { ...CONFIG, compressors });
    }
  });
});

describe("OP_COMPRESSED requests and replies", () => {
  it("answers a compressed ping compressed with the same compressor, and counts both", async () => {
    await withClient(async (client, server) => {
      assert.deepEqual((await hello(client, { compression: ["zlib"] }))?.compression, ["zlib"]);
      const frame = compressedPing(client);
      const id = frame.readInt32LE(4);
      const reply = await send(client, frame);
      assert.deepEqual(reply, { ok: 1 });
      assert.equal(client.lastCompressorId, ZLIB);
      assert.equal(client.lastResponseTo, id);
      assert.equal(server.stats.compressedIn, 1);
      assert.equal(server.stats.compressedOut, 1);
      // Counted under its original opcode too: hello and the ping.
      assert.equal(server.stats.opcodes.OP_MSG, 2);
      assert.equal(server.stats.opcodes.OP_COMPRESSED, undefined);
      // An uncompressed request on the same connection gets an uncompressed reply.
      assert.deepEqual(await bounded(client.msg(PING), "ping"), { ok: 1 });
      assert.equal(client.lastCompressorId, undefined);
      assert.deepEqual([server.stats.compressedIn, server.stats.compressedOut], [1, 1]);
    });
  });

  it("decompresses zlib on a connection that negotiated nothing (mongod 7.0 checks only its registry)", async () => {
    await withClient(async (client, server) => {
      assert.deepEqual(await send(client, compressedPing(client)), { ok: 1 });
      assert.equal(client.lastCompressorId, ZLIB);
      assert.deepEqual([server.stats.compressedIn, server.stats.compressedOut], [1, 1]);
    });
  });

  it("answers a ping compressed with snappy (the `snappy` package's compressSync) with snappy, id 1", async () => {
    await withClient(async (client, server) => {
      assert.deepEqual(await negotiated(client, ["snappy", "zlib"]), ["snappy", "zlib"]);
      const message = client.msgFrame(PING);
      const frame = compressFrame(message, { compressor: "snappy" });
      assert.equal(frame[24], SNAPPY);
      assert.deepEqual(uncompressSync(frame.subarray(25)), message.subarray(16));
      const id = frame.readInt32LE(4);
      // The raw client decodes the reply with uncompressSync and checks it gives the declared size.
      assert.deepEqual(await send(client, frame), { ok: 1 });
      assert.equal(client.lastCompressorId, SNAPPY);
      assert.equal(client.lastResponseTo, id);
      assert.deepEqual([server.stats.compressedIn, server.stats.compressedOut], [1, 1]);
      assert.deepEqual(server.stats.compressedInBy, { snappy: 1 });
      assert.deepEqual(server.stats.compressedOutBy, { snappy: 1 });
    });
  });

  it("answers a ping compressed with zstd with zstd, id 3 (where this runtime has zstd)", async () => {
    await withClient(async (client, server) => {
      if (!zstdSync) {
        // Node.js 20: the server neither negotiates zstd nor reads it.
        assert.deepEqual(await negotiated(client, ["zstd", "zlib"]), ["zlib"]);
        await closesOn(client, compressedPing(client, { compressorId: ZSTD }));
        assert.equal(server.stats.compressedIn, 0);
        return;
      }
      assert.deepEqual(await negotiated(client, ["zstd", "zlib"]), ["zstd", "zlib"]);
      const message = client.msgFrame(PING);
      const frame = compressFrame(message, { compressor: "zstd" });
      assert.equal(frame[24], ZSTD);
      assert.deepEqual(zstdSync.decompress(frame.subarray(25)), message.subarray(16));
      const id = frame.readInt32LE(4);
      assert.deepEqual(await send(client, frame), { ok: 1 });
      assert.equal(client.lastCompressorId, ZSTD);
      assert.equal(client.lastResponseTo, id);
      assert.deepEqual(server.stats.compressedInBy, { zstd: 1 });
      assert.deepEqual(server.stats.compressedOutBy, { zstd: 1 });
    });
  });

  it("answers each request with its own compressor, whatever was negotiated first", async () => {
    await withClient(async (client, server) => {
      assert.deepEqual(await negotiated(client, ["snappy", "zlib"]), ["snappy", "zlib"]);
      assert.deepEqual(await send(client, compressedPing(client)), { ok: 1 });
      assert.equal(client.lastCompressorId, ZLIB);
      assert.deepEqual(await send(client, compressedPing(client, { compressor: "snappy" })), { ok: 1 });
      assert.equal(client.lastCompressorId, SNAPPY);
      // A connection that negotiated nothing: mongod 7.0 looks only at its registry.
      const other = await RawClient.open(server.port);
      try {
        assert.deepEqual(await send(other, compressedPing(other, { compressor: "snappy" })), { ok: 1 });
        assert.equal(other.lastCompressorId, SNAPPY);
      } finally {
        other.close();
      }
      assert.deepEqual(server.stats.compressedInBy, { zlib: 1, snappy: 2 });
      assert.deepEqual(server.stats.compressedOutBy, { zlib: 1, snappy: 2 });
    });
  });

  it("sends no reply to a compressed moreToCome request, and compresses nothing then", async () => {
    await withClient(async (client, server) => {
      client.writeRaw(compressFrame(client.msgFrame(PING, { flags: 1 << 1 })));
      assert.deepEqual(await send(client, compressedPing(client)), { ok: 1 });
      assert.deepEqual([server.stats.compressedIn, server.stats.compressedOut], [2, 1]);
    });
  });

  it("logs in with SCRAM over compressed saslStart/saslContinue, over OP_MSG and OP_QUERY, each compressor", async () => {
    for (const compressor of ["zlib", "snappy", ...ZSTD_IF_HERE] as const) {
      for (const opQuery of [false, true]) {
        await withClient(async (client, server) => {
          assert.deepEqual(await negotiated(client, [compressor]), [compressor]);
          client.compressRequests(compressor);
          const done = await bounded(scramAuth(client, { ...ALICE, opQuery }), "SCRAM");
          assert.equal(done?.ok, 1, JSON.stringify(done));
          assert.equal(done?.done, true);
          assert.equal(client.lastCompressorId, { zlib: ZLIB, snappy: SNAPPY, zstd: ZSTD }[compressor]);
          const status = await bounded(client.msg({ connectionStatus: 1, $db: "admin" }), "connectionStatus");
          const users = (status?.authInfo as Document).authenticatedUsers;
          assert.deepEqual(users, [{ user: "alice", db: "admin" }]);
          assert.equal(server.stats.authSuccessesByMechanism["SCRAM-SHA-256"], 1);
          // saslStart, saslContinue, connectionStatus: each in and out compressed.
          assert.deepEqual([server.stats.compressedIn, server.stats.compressedOut], [3, 3]);
          assert.deepEqual(server.stats.compressedInBy, { [compressor]: 3 });
          assert.deepEqual(server.stats.compressedOutBy, { [compressor]: 3 });
          assert.equal(server.stats.opcodes[opQuery ? "OP_QUERY" : "OP_MSG"] ?? 0, opQuery ? 2 : 4);
        });
      }
    }
  });

  it("logs in with SCRAM uncompressed, then runs a command sent compressed with snappy", async () => {
    await withClient(async (client, server) => {
      assert.deepEqual(await negotiated(client, ["snappy", "zlib"]), ["snappy", "zlib"]);
      const done = await bounded(scramAuth(client, ALICE), "SCRAM");
      assert.equal(done?.done, true, JSON.stringify(done));
      assert.equal(client.lastCompressorId, undefined);
      assert.deepEqual([server.stats.compressedIn, server.stats.compressedOut], [0, 0]);
      const command = client.msgFrame({ connectionStatus: 1, $db: "admin" });
      const status = await send(
        client,
        compressFrame(command, { data: compressSync(command.subarray(16)), compressorId: SNAPPY }),
      );
      assert.deepEqual((status?.authInfo as Document).authenticatedUsers, [{ user: "alice", db: "admin" }]);
      assert.equal(client.lastCompressorId, SNAPPY);
      assert.deepEqual(server.stats.compressedInBy, { snappy: 1 });
      assert.deepEqual(server.stats.compressedOutBy, { snappy: 1 });
    });
  });

  it("answers a compressed OP_QUERY isMaster with a compressed OP_REPLY", async () => {
    await withClient(async (client, server) => {
      const frame = compressFrame(client.queryFrame("admin.$cmd", { isMaster: 1, compression: ["zlib"] }));
      const reply = await send(client, frame);
      assert.equal(reply?.ok, 1);
      assert.equal(reply?.ismaster, true);
      assert.deepEqual(reply?.compression, ["zlib"]);
      assert.equal(client.lastCompressorId, ZLIB);
      assert.equal(server.stats.opcodes.OP_QUERY, 1);
      // OP_QUERY on a collection: its QueryFailure OP_REPLY is a reply too.
      const refused = await send(client, compressFrame(client.queryFrame("app.coll", { find: "coll" })));
      assert.equal(refused?.code, 5739101);
      assert.equal(client.lastCompressorId, ZLIB);
      assert.deepEqual([server.stats.compressedIn, server.stats.compressedOut], [2, 2]);
    });
  });

  it("compresses every reply of an exhaust hello stream", async () => {
    const rs = await startReplicaSet({ ...CONFIG, setName: "rs0", members: [{}] });
    const member = rs.members[0];
    const client = await RawClient.open(member.port);
    try {
      // Another process's topologyVersion is answered at once; the stream then waits maxAwaitTimeMS.
      const other = { processId: new ObjectId(), counter: Long.fromNumber(0) };
      const request = { hello: 1, topologyVersion: other, maxAwaitTimeMS: 100, $db: "admin" };
      const first = await send(client, compressFrame(client.msgFrame(request, { flags: 1 << 16 })));
      assert.equal(first?.ok, 1);
      assert.equal(client.lastReplyFlags & (1 << 1), 1 << 1, "moreToCome");
      assert.equal(client.lastCompressorId, ZLIB);
      const next = await bounded(client.nextReply(), "exhaust reply");
      assert.equal(next?.ok, 1);
      assert.equal(client.lastCompressorId, ZLIB);
      assert.equal(member.stats.compressedIn, 1);
      assert.ok(member.stats.compressedOut >= 2);
    } finally {
      client.close();
      await rs.close();
    }
  });
});

describe("OP_COMPRESSED refusals close the connection (decompressMessage)", () => {
  const cases: Array<[string, (client: RawClient) => Uint8Array]> = [
    ["a body shorter than its 9-byte header", (client) => truncated(compressedPing(client), 16 + 8)],
    [
      "zlib data under zstd's id 3 (not implemented on Node.js 20, corrupt elsewhere)",
      (client) => compressedPing(client, { compressorId: ZSTD }),
    ],
    ["compressor id 0 (noop, not enabled)", (client) => compressedPing(client, { compressorId: 0 })],
    ["an unknown compressor id", (client) => compressedPing(client, { compressorId: 200 })],
    ["a negative uncompressedSize", (client) => compressedPing(client, { uncompressedSize: -1 })],
    [
      "an uncompressedSize past the maximum message size",
      (client) => compressedPing(client, { uncompressedSize: MAX_MESSAGE_SIZE - 15 }),
    ],
    [
      "MongoBleed: an uncompressedSize larger than the data inflates to",
      (client) => compressedPing(client, { uncompressedSize: 4096 }),
    ],
    [
      "an uncompressedSize smaller than the data inflates to",
      (client) => compressedPing(client, { uncompressedSize: 10 }),
    ],
    ["corrupt zlib data", (client) => compressedPing(client, { data: Buffer.from("not zlib at all") })],
    ["an OP_COMPRESSED inside another", (client) => compressFrame(compressedPing(client))],
    ["snappy: a preamble larger than the declared size", (client) => snappyPingOff(client, -1)],
    ["snappy: a preamble smaller than the declared size", (client) => snappyPingOff(client, 1)],
    [
      "snappy: MongoBleed's declared 4096",
      (client) => compressedPing(client, { compressor: "snappy", uncompressedSize: 4096 }),
    ],
    [
      "snappy: an unreadable preamble (5 bytes of 0xff)",
      (client) => compressedPing(client, { compressor: "snappy", data: UNREADABLE_PREAMBLE }),
    ],
    [
      "snappy: a copy whose offset points before the start",
      (client) =>
        compressedPing(client, { compressor: "snappy", uncompressedSize: 4, data: COPY_BEFORE_START }),
    ],
    [
      "snappy: garbage tags after a good preamble",
      (client) => compressedPing(client, { compressor: "snappy", uncompressedSize: 4, data: GARBAGE_TAGS }),
    ],
    ["snappy: zlib data under snappy's id", (client) => compressedPing(client, { compressorId: SNAPPY })],
    [
      "an original opcode that is not OP_MSG or OP_QUERY (OP_KILL_CURSORS, gone in 7.0)",
      (client) => compressedPing(client, { originalOpcode: 2007 }),
    ],
  ];
  for (const [name, frame] of cases) {
    it(`closes on ${name}, without a reply`, async () => {
      await withClient(async (client, server) => {
        assert.deepEqual(await negotiated(client, ["snappy", "zlib"]), ["snappy", "zlib"]);
        await closesOn(client, frame(client));
        assert.deepEqual([server.stats.compressedIn, server.stats.compressedOut], [0, 0]);
      });
    });
  }

  it('closes on snappy when the server enables only zlib (compressors: ["zlib"])', async () => {
    await withClient(async (client, server) => {
      await closesOn(client, compressedPing(client, { compressor: "snappy" }));
      assert.equal(server.stats.compressedIn, 0);
    }, { ...CONFIG, compressors: ["zlib"] });
  });

  it("closes on zlib when the server has compression disabled (compressors: [])", async () => {
    await withClient(async (client, server) => {
      await closesOn(client, compressedPing(client));
      assert.equal(server.stats.compressedIn, 0);
    }, { ...CONFIG, compressors: [] });
  });
});

describe("decompressMessage, mongod's messages", () => {
  const ping = (options: CompressOptions = {}) => compressFrame(opMsg(PING), options);
  const refusal = (frame: Uint8Array, config: ServerConfig = {}) => {
    try {
      decompressMessage(frame, config);
    } catch (error) {
      assert.equal((error as Error).name, "ProtocolViolation");
      return (error as Error).message;
    }
    return assert.fail("decompressMessage accepted it");
  };

  it("gives each refusal mongod 7.0's words, in its order", () => {
    assert.equal(refusal(truncated(ping(), 24)), "Invalid compressed message header");
    assert.equal(refusal(truncated(ping(), 16)), "Invalid compressed message header");
    assert.equal(
      refusal(ping({ compressor: "snappy" }), { compressors: ["zlib"] }),
      "Compression algorithm specified in message is not available",
    );
    assert.equal(
      refusal(ping(), { compressors: [] }),
      "Compression algorithm specified in message is not available",
    );
    // The compressor is checked before the size, as in mongod.
    assert.equal(
      refusal(ping({ compressorId: 4, uncompressedSize: -1 })),
      "Compression algorithm specified in message is not available",
    );
    assert.equal(refusal(ping({ uncompressedSize: -1 })), "Decompressed message would be negative in size");
    assert.equal(
      refusal(ping({ uncompressedSize: MAX_MESSAGE_SIZE - 15 })),
      "Decompressed message would be larger than maximum message size",
    );
    assert.equal(
      refusal(ping({ uncompressedSize: MAX_MESSAGE_SIZE - 16 })),
      "Decompressing message returned less data than expected",
    );
    assert.equal(
      refusal(ping({ data: Buffer.from("not zlib at all") })),
      "Compressed message was invalid or corrupted",
    );
  });

  it("never trusts the declared size (CVE-2025-14847): larger fails the length check, smaller the inflate", () => {
    const real = ping().readInt32LE(20);
    assert.equal(
      refusal(ping({ uncompressedSize: real + 1 })),
      "Decompressing message returned less data than expected",
    );
    assert.equal(
      refusal(ping({ uncompressedSize: real - 1 })),
      "Compressed message was invalid or corrupted",
    );
    // A zlib bomb declared small is cut at the declared size instead of inflated whole.
    const bomb = deflateSync(new Uint8Array(20_000_000));
    assert.equal(
      refusal(ping({ uncompressedSize: 100, data: bomb })),
      "Compressed message was invalid or corrupted",
    );
  });

  it("snappy: reads the preamble first and refuses one it cannot read or that is not the declared size", () => {
    const real = ping({ compressor: "snappy" }).readInt32LE(20);
    const snappy = (options: CompressOptions) => ping({ compressor: "snappy", ...options });
    const CORRUPT = "Compressed message was invalid or corrupted";
    // SnappyMessageCompressor::decompressData: GetUncompressedLength fails, or expectedLength != output.
    assert.equal(refusal(snappy({ uncompressedSize: real - 1 })), CORRUPT);
    assert.equal(refusal(snappy({ uncompressedSize: real + 1 })), CORRUPT);
    assert.equal(refusal(snappy({ uncompressedSize: 4096 })), CORRUPT);
    assert.equal(refusal(snappy({ data: UNREADABLE_PREAMBLE })), CORRUPT);
    assert.equal(refusal(snappy({ uncompressedSize: 0, data: new Uint8Array(0) })), CORRUPT);
    // Then RawUncompress fails on the body.
    assert.equal(refusal(snappy({ uncompressedSize: 4, data: COPY_BEFORE_START })), CORRUPT);
    assert.equal(refusal(snappy({ uncompressedSize: 4, data: GARBAGE_TAGS })), CORRUPT);
    assert.equal(refusal(snappy({ uncompressedSize: 10, data: SHORT_BODY })), CORRUPT);
    const good = compressSync(opMsg(PING).subarray(16));
    assert.equal(refusal(snappy({ data: good.subarray(0, good.length - 1) })), CORRUPT);
    // The size checks of decompressMessage come first, as in mongod.
    assert.equal(refusal(snappy({ uncompressedSize: -1 })), "Decompressed message would be negative in size");
    assert.equal(
      refusal(snappy({ uncompressedSize: MAX_MESSAGE_SIZE - 15 })),
      "Decompressed message would be larger than maximum message size",
    );
  });

  it("snappy: the preamble is a varint of at most 5 bytes (32 bits), read by hand as snappy's Parse32WithLimit", () => {
    const original = opMsg(PING);
    const good = compressSync(original.subarray(16));
    const length = original.length - 16;
    assert.ok(length < 128 && good[0] === length, "a one-byte preamble");
    const preambled = (preamble: number[]) =>
      compressFrame(original, {
        compressor: "snappy",
        data: Uint8Array.of(...preamble, ...good.subarray(1)),
      });
    // The same length in 5 bytes, as Parse32WithLimit reads it: accepted.
    const five = decompressMessage(preambled([length | 0x80, 0x80, 0x80, 0x80, 0x00]), {});
    assert.deepEqual(Buffer.from(five.message), original);
    // 6 bytes, or a fifth byte of 16 or more (past 32 bits): unreadable.
    assert.equal(
      refusal(preambled([length | 0x80, 0x80, 0x80, 0x80, 0x80, 0x00])),
      "Compressed message was invalid or corrupted",
    );
    assert.equal(
      refusal(preambled([length | 0x80, 0x80, 0x80, 0x80, 0x10])),
      "Compressed message was invalid or corrupted",
    );
  });

  it("zstd: the declared size bounds the output, and the output must come to it (where the runtime has zstd)", () => {
    if (!zstdSync) {
      assert.equal(
        refusal(ping({ compressorId: ZSTD, data: new Uint8Array(8) })),
        "Compression algorithm specified in message is not available",
      );
      return;
    }
    const zstd = (options: CompressOptions) => ping({ compressor: "zstd", ...options });
    const real = zstd({}).readInt32LE(20);
    const CORRUPT = "Compressed message was invalid or corrupted";
    const LESS = "Decompressing message returned less data than expected";
    // ZSTD_decompress into a buffer of the declared size: more than that is an error, less is the check's.
    assert.equal(refusal(zstd({ uncompressedSize: real - 1 })), CORRUPT);
    assert.equal(refusal(zstd({ uncompressedSize: real + 1 })), LESS);
    assert.equal(refusal(zstd({ uncompressedSize: 4096 })), LESS);
    const bomb = zstdSync.compress(new Uint8Array(20_000_000));
    assert.equal(refusal(zstd({ uncompressedSize: 100, data: bomb })), CORRUPT);
    assert.equal(refusal(zstd({ data: Buffer.from("not zstd at all") })), CORRUPT);
    assert.equal(refusal(zstd({ data: deflateSync(opMsg(PING).subarray(16)) })), CORRUPT);
    // A truncated frame: Node.js's zlib fails as ZSTD_decompress does; Deno's and Bun's hand back what it
    // holds, so there the length check refuses it (the documented difference).
    const good = zstdSync.compress(opMsg(PING).subarray(16));
    const nodeZlib = !("Deno" in globalThis) && !("Bun" in globalThis);
    assert.equal(refusal(zstd({ data: good.subarray(0, good.length - 4) })), nodeZlib ? CORRUPT : LESS);
    assert.equal(refusal(zstd({ uncompressedSize: -1 })), "Decompressed message would be negative in size");
  });

  it("rebuilds the original message: its length, requestId, responseTo and opcode", () => {
    const original = opMsg(PING);
    const compressors: Array<[FrameCompressor, number]> = [["zlib", ZLIB], ["snappy", SNAPPY]];
    if (zstdSync) compressors.push(["zstd", ZSTD]);
    for (const [compressor, id] of compressors) {
      const frame = compressFrame(original, { compressor });
      const { message, compressorId } = decompressMessage(frame, {});
      assert.equal(compressorId, id);
      assert.deepEqual(Buffer.from(message), original);
    }
  });
});

describe("compressMessage", () => {
  /** A message of `bodyLength` zero bytes after its header (only its length is read). */
  const reply = (bodyLength: number) => {
    const message = new Uint8Array(16 + bodyLength);
    new DataView(message.buffer).setInt32(0, message.length, true);
    return message;
  };

  it("wraps a reply with the request's compressor: same ids, original opcode and size, data that decodes", () => {
    const message = opMsg({ ok: 1 });
    for (const id of [SNAPPY, ZLIB, ...(zstdSync ? [ZSTD] : [])]) {
      const out = Buffer.from(compressMessage(message, id)!);
      assert.equal(out.readInt32LE(0), out.length);
      assert.equal(out.readInt32LE(4), 7);
      assert.equal(out.readInt32LE(12), 2012);
      assert.equal(out.readInt32LE(16), 2013);
      assert.equal(out.readInt32LE(20), message.length - 16);
      assert.equal(out[24], id);
      const data = out.subarray(25);
      const body = id === SNAPPY
        ? uncompressSync(data)
        : id === ZLIB
        ? inflateSync(data)
        : zstdSync!.decompress(data);
      assert.deepEqual(body, message.subarray(16));
    }
  });

  it("sends uncompressed a reply whose snappy bound (32 + n + n/6) would pass the maximum message size", () => {
    // 32 + n + floor(n / 6) + 9 + 16 is 48000000 for n = 41142809, one more past it for n = 41142810.
    const fits = compressMessage(reply(41_142_809), SNAPPY);
    assert.equal(fits?.[24], SNAPPY);
    assert.equal(compressMessage(reply(41_142_810), SNAPPY), undefined);
    // zlib's compressBound is smaller: it still compresses that one.
    assert.equal(compressMessage(reply(41_142_810), ZLIB)?.[24], ZLIB);
  });

  it("sends uncompressed a reply whose zstd bound (ZSTD_compressBound, n + n/256) would pass it", {
    skip: !zstdSync &&
      "this runtime's node:zlib has no zstd (Node.js 20): the server never compresses with it",
  }, () => {
    // n + floor(n / 256) + 9 + 16 is 48000000 for n = 47813205, one more past it for n = 47813206.
    assert.equal(compressMessage(reply(47_813_205), ZSTD)?.[24], ZSTD);
    assert.equal(compressMessage(reply(47_813_206), ZSTD), undefined);
  });
});

/** An OP_MSG frame (requestId 7, responseTo 0), for the checks that need no connection. */
function opMsg(body: Document): Buffer {
  const doc = BSON.serialize(body);
  const frame = Buffer.alloc(16 + 4 + 1 + doc.length);
  frame.writeInt32LE(frame.length, 0);
  frame.writeInt32LE(7, 4);
  frame.writeInt32LE(2013, 12);
  Buffer.from(doc).copy(frame, 21);
  return frame;
}
