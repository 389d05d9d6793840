// Wire compression as mongod 7.0 does it (MessageCompressorManager, transport/message_compressor_manager.cpp):
// hello's negotiation, OP_COMPRESSED requests unwrapped and answered compressed, and every malformed
// OP_COMPRESSED closing the connection, the lying sizes of CVE-2025-14847 ("MongoBleed") among them. The
// frames are built by hand with node:zlib, so nothing a driver would tidy up gets in the way.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { deflateSync } from "node:zlib";
import { BSON, Long, ObjectId } from "bson";
import { decompressMessage } from "../compression.ts";
import type { ServerConfig } from "../config.ts";
import { startReplicaSet } from "../replica-set.ts";
import { type RunningServer, startServer } from "../server.ts";
import { compressFrame, type CompressOptions, RawClient, scramAuth, withRawClient } from "./raw-client.ts";
import type { Document } from "../wire.ts";

const CONFIG: ServerConfig = {
  users: [{ db: "admin", user: "alice", password: "alice-pw", mechanisms: ["SCRAM-SHA-256"] }],
};
const ALICE = { hash: "sha256", user: "alice", password: "alice-pw", db: "admin" } as const;
const ZLIB = 2;
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

/** The first `length` bytes of `frame`, its header saying so. */
function truncated(frame: Buffer, length: number): Buffer {
  const out = Buffer.from(frame.subarray(0, length));
  out.writeInt32LE(length, 0);
  return out;
}

const hello = (client: RawClient, fields: Document = {}) =>
  bounded(client.msg({ hello: 1, ...fields, $db: "admin" }), "hello");

describe("compression negotiation in hello (MessageCompressorManager::serverNegotiate)", () => {
  it("negotiates the names the server enables in the client's order, skipping unknown ones silently", async () => {
    await withClient(async (client) => {
      const reply = await hello(client, { compression: ["snappy", "zstd", "zlib", "noop", "lz4"] });
      assert.equal(reply?.ok, 1);
      assert.deepEqual(reply?.compression, ["zlib"]);
      // mongod pushes every name it knows as it comes: a repeat stays.
      assert.deepEqual((await hello(client, { compression: ["zlib", "snappy", "zlib"] }))?.compression, [
        "zlib",
        "zlib",
      ]);
    });
  });

  it("leaves the field out when nothing is in common, or the client offers nothing", async () => {
    await withClient(async (client) => {
      const none = await hello(client, { compression: ["snappy"] });
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
      assert.equal("compression" in (await hello(client, { compression: ["zstd"] }))!, false);
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

  it("negotiates nothing with `compressors: []` (compression disabled)", async () => {
    await withClient(async (client) => {
      assert.equal("compression" in (await hello(client, { compression: ["zlib", "snappy"] }))!, false);
    }, { ...CONFIG, compressors: [] });
  });

  it("refuses a config naming a compressor other than zlib, as the reference server implements only zlib", async () => {
    for (const compressors of [["snappy"], ["zlib", "zstd"], ["noop"], ["disabled"]]) {
      await assert.rejects(startServer({ compressors }), {
        name: "TypeError",
        message: /implements only zlib/,
      });
    }
    await assert.rejects(startServer({ compressors: "zlib" as unknown as string[] }), TypeError);
    await assert.rejects(startServer({ compressors: [2] as unknown as string[] }), TypeError);
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

  it("sends no reply to a compressed moreToCome request, and compresses nothing then", async () => {
    await withClient(async (client, server) => {
      client.writeRaw(compressFrame(client.msgFrame(PING, { flags: 1 << 1 })));
      assert.deepEqual(await send(client, compressedPing(client)), { ok: 1 });
      assert.deepEqual([server.stats.compressedIn, server.stats.compressedOut], [2, 1]);
    });
  });

  it("logs in with SCRAM over compressed saslStart/saslContinue, over OP_MSG and OP_QUERY", async () => {
    for (const opQuery of [false, true]) {
      await withClient(async (client, server) => {
        assert.deepEqual((await hello(client, { compression: ["zlib"] }))?.compression, ["zlib"]);
        client.compressRequests();
        const done = await bounded(scramAuth(client, { ...ALICE, opQuery }), "SCRAM");
        assert.equal(done?.ok, 1, JSON.stringify(done));
        assert.equal(done?.done, true);
        assert.equal(client.lastCompressorId, ZLIB);
        const status = await bounded(client.msg({ connectionStatus: 1, $db: "admin" }), "connectionStatus");
        assert.deepEqual((status?.authInfo as Document).authenticatedUsers, [{ user: "alice", db: "admin" }]);
        assert.equal(server.stats.authSuccessesByMechanism["SCRAM-SHA-256"], 1);
        // saslStart, saslContinue, connectionStatus: each in and out compressed.
        assert.deepEqual([server.stats.compressedIn, server.stats.compressedOut], [3, 3]);
        assert.equal(server.stats.opcodes[opQuery ? "OP_QUERY" : "OP_MSG"] ?? 0, opQuery ? 2 : 4);
      });
    }
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
    ["compressor id 1 (snappy, not implemented)", (client) => compressedPing(client, { compressorId: 1 })],
    ["compressor id 3 (zstd, not implemented)", (client) => compressedPing(client, { compressorId: 3 })],
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
    [
      "an original opcode that is not OP_MSG or OP_QUERY (OP_KILL_CURSORS, gone in 7.0)",
      (client) => compressedPing(client, { originalOpcode: 2007 }),
    ],
  ];
  for (const [name, frame] of cases) {
    it(`closes on ${name}, without a reply`, async () => {
      await withClient(async (client, server) => {
        assert.deepEqual((await hello(client, { compression: ["zlib"] }))?.compression, ["zlib"]);
        await closesOn(client, frame(client));
        assert.deepEqual([server.stats.compressedIn, server.stats.compressedOut], [0, 0]);
      });
    });
  }

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
      refusal(ping({ compressorId: 1 })),
      "Compression algorithm specified in message is not available",
    );
    assert.equal(
      refusal(ping(), { compressors: [] }),
      "Compression algorithm specified in message is not available",
    );
    // The compressor is checked before the size, as in mongod.
    assert.equal(
      refusal(ping({ compressorId: 3, uncompressedSize: -1 })),
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

  it("rebuilds the original message: its length, requestId, responseTo and opcode", () => {
    const original = opMsg(PING);
    const frame = compressFrame(original);
    const { message, compressorId } = decompressMessage(frame, {});
    assert.equal(compressorId, ZLIB);
    assert.deepEqual(Buffer.from(message), original);
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
