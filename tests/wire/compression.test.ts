// Wire compression (the OP_COMPRESSED specification): what may be compressed, which compressor a hello
// reply settles on, the OP_COMPRESSED frame both ways, and every way a server's compressed message can lie.
// zstd goes through the codec the caller (the transport) gives: a recording codec here shows what the wire
// layer asks of it; tests/transport/zstd.test.ts shows the runtime's codec keeps those terms.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { BSON } from "bson";
import {
  compressMessage,
  decompressMessage,
  isCompressible,
  negotiatedCompressor,
  OP_COMPRESSED,
  type ZstdCodec,
} from "../../src/wire/compression.ts";
import { decodeOpMsg, encodeOpMsg, OP_MSG } from "../../src/wire/op-msg.ts";
import { snappyCompress } from "../../src/wire/snappy.ts";

const MAX = 48_000_000;
const PEER = "db.example.net:27017";

// An OP_COMPRESSED frame by hand: header, originalOpcode, uncompressedSize, compressorId, data.
function frame(fields: { size: number; compressorId: number; data: Uint8Array; originalOpcode?: number }) {
  const out = new Uint8Array(25 + fields.data.length);
  const view = new DataView(out.buffer);
  view.setInt32(0, out.length, true);
  view.setInt32(4, 77, true);
  view.setInt32(8, 5, true);
  view.setInt32(12, OP_COMPRESSED, true);
  view.setInt32(16, fields.originalOpcode ?? OP_MSG, true);
  view.setInt32(20, fields.size, true);
  out[24] = fields.compressorId;
  out.set(fields.data, 25);
  return out;
}

async function zlib(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new CompressionStream("deflate"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const pingBody = () => encodeOpMsg(1, { ping: 1, $db: "admin" }).subarray(16);

/**
 * A stand-in zstd whose "frames" are the data behind a 4-byte tag, recording what it was asked: enough to
 * show what the wire layer hands a codec and what it does with the answer.
 */
function taggedCodec() {
  const TAG = [0x28, 0xb5, 0x2f, 0xfd];
  const calls: string[] = [];
  const codec: ZstdCodec = {
    compress(data) {
      calls.push(`compress ${data.length}`);
      return Promise.resolve(Uint8Array.of(...TAG, ...data));
    },
    decompress(data, limit) {
      calls.push(`decompress ${data.length} limit ${limit}`);
      if (!TAG.every((byte, i) => data[i] === byte)) {
        return Promise.reject(new Error("Unknown frame descriptor"));
      }
      const body = data.subarray(4);
      return Promise.resolve(body.length > limit ? undefined : body);
    },
  };
  return { codec, calls };
}

describe("isCompressible", () => {
  it("is false for the handshake and authentication commands the specification lists, true for the rest", () => {
    for (
      const name of [
        "hello",
        "isMaster",
        "ismaster",
        "saslStart",
        "saslContinue",
        "getnonce",
        "authenticate",
        "createUser",
        "updateUser",
        "copydbSaslStart",
        "copydbgetnonce",
        "copydb",
      ]
    ) assert.equal(isCompressible(name), false, name);
    for (const name of ["ping", "find", "insert", "connectionStatus", "getMore"]) {
      assert.equal(isCompressible(name), true, name);
    }
  });
});

describe("negotiatedCompressor", () => {
  it("is the first of the client's list that the server's reply lists", () => {
    assert.equal(negotiatedCompressor(["zlib"], ["snappy", "zlib"]), "zlib");
    assert.equal(negotiatedCompressor(["snappy", "zlib"], ["zlib", "snappy"]), "snappy");
    assert.equal(negotiatedCompressor(["snappy", "zlib"], ["zstd", "zlib"]), "zlib");
    assert.equal(negotiatedCompressor(["zlib"], ["snappy"]), undefined);
    assert.equal(negotiatedCompressor(["zlib"], []), undefined);
  });

  it("is undefined when nothing was offered, or the reply has no list (an older server, or none in common)", () => {
    assert.equal(negotiatedCompressor(undefined, ["zlib"]), undefined);
    assert.equal(negotiatedCompressor(["zlib"], undefined), undefined);
    assert.equal(negotiatedCompressor(["zlib"], "zlib"), undefined);
  });
});

describe("compressMessage and decompressMessage", () => {
  it("wrap an OP_MSG in OP_COMPRESSED (zlib, id 2) and back, ids and opcode kept", async () => {
    const body = {
      insert: "c",
      documents: Array.from({ length: 50 }, (_, i) => ({ i, text: "x".repeat(40) })),
    };
    const message = encodeOpMsg(1234, { ...body, $db: "app" });
    const compressed = await compressMessage(message, "zlib");
    const view = new DataView(compressed.buffer);
    assert.equal(view.getInt32(0, true), compressed.length);
    assert.equal(view.getInt32(4, true), 1234);
    assert.equal(view.getInt32(12, true), OP_COMPRESSED);
    assert.equal(view.getInt32(16, true), OP_MSG);
    assert.equal(view.getInt32(20, true), message.length - 16);
    assert.equal(compressed[24], 2);
    assert.ok(compressed.length < message.length / 4, `${compressed.length} of ${message.length}`);
    const restored = await decompressMessage(compressed, MAX, PEER);
    assert.deepEqual(restored, message);
    assert.deepEqual(decodeOpMsg(restored).body, { ...body, $db: "app" });
  });

  it("wrap an OP_MSG in OP_COMPRESSED with snappy (id 1) and back", async () => {
    const body = {
      insert: "c",
      documents: Array.from({ length: 50 }, (_, i) => ({ i, text: "y".repeat(40) })),
    };
    const message = encodeOpMsg(99, { ...body, $db: "app" });
    const compressed = await compressMessage(message, "snappy");
    const view = new DataView(compressed.buffer);
    assert.equal(view.getInt32(0, true), compressed.length);
    assert.equal(view.getInt32(4, true), 99);
    assert.equal(view.getInt32(16, true), OP_MSG);
    assert.equal(view.getInt32(20, true), message.length - 16);
    assert.equal(compressed[24], 1);
    assert.deepEqual(compressed.subarray(25), snappyCompress(message.subarray(16)));
    assert.ok(compressed.length < message.length / 4, `${compressed.length} of ${message.length}`);
    assert.deepEqual(await decompressMessage(compressed, MAX, PEER), message);
  });

  it("read a noop message (id 0) as it is", async () => {
    const data = pingBody();
    const restored = await decompressMessage(frame({ size: data.length, compressorId: 0, data }), MAX, PEER);
    assert.deepEqual(decodeOpMsg(restored).body, { ping: 1, $db: "admin" });
    assert.equal(decodeOpMsg(restored).responseTo, 5);
  });

  it("refuse a frame too short for its compression header", async () => {
    const short = frame({ size: 0, compressorId: 2, data: new Uint8Array() }).subarray(0, 24);
    new DataView(short.buffer).setInt32(0, 24, true);
    await assert.rejects(decompressMessage(short, MAX, PEER), {
      code: "PROTOCOL_ERROR",
      message: `${PEER} sent a compressed message too short for its compression header`,
    });
  });

  it("refuse a message that wraps another OP_COMPRESSED before unwrapping it: a message is compressed once", async () => {
    const inner = frame({ size: pingBody().length, compressorId: 0, data: pingBody() });
    const data = inner.subarray(16);
    const twice = frame({ size: data.length, compressorId: 0, data, originalOpcode: OP_COMPRESSED });
    await assert.rejects(decompressMessage(twice, MAX, PEER), {
      code: "PROTOCOL_ERROR",
      message: `${PEER} sent a compressed message that wraps another compressed message (originalOpcode ` +
        "2012): a message is compressed only once",
    });
  });

  it("refuse a message that wraps anything but an OP_MSG, the one message mongo-auth reads", async () => {
    const data = pingBody();
    for (const originalOpcode of [1, 2004, 0, -1]) {
      await assert.rejects(
        decompressMessage(frame({ size: data.length, compressorId: 0, data, originalOpcode }), MAX, PEER),
        {
          code: "PROTOCOL_ERROR",
          message:
            `${PEER} sent a compressed message that wraps opcode ${originalOpcode}, where OP_MSG (2013) ` +
            "was expected",
        },
      );
    }
  });

  it("refuse compressors mongo-auth does not implement (reserved ids), and zstd without the runtime's codec", async () => {
    for (const compressorId of [4, 255]) {
      const data = pingBody();
      await assert.rejects(decompressMessage(frame({ size: data.length, compressorId, data }), MAX, PEER), {
        code: "PROTOCOL_ERROR",
        message: new RegExp(
          `compressed with compressor ${compressorId}, which mongo-auth does not implement`,
        ),
      });
    }
    const data = pingBody();
    await assert.rejects(decompressMessage(frame({ size: data.length, compressorId: 3, data }), MAX, PEER), {
      code: "PROTOCOL_ERROR",
      message:
        `${PEER} sent a message compressed with zstd (compressor 3), which this runtime has no zstd to ` +
        "decompress",
    });
  });

  it("refuse a negative size, and a size above maxMessageSizeBytes before decompressing anything", async () => {
    const data = await zlib(pingBody());
    await assert.rejects(decompressMessage(frame({ size: -1, compressorId: 2, data }), MAX, PEER), {
      code: "PROTOCOL_ERROR",
      message: /declares -1 bytes/,
    });
    await assert.rejects(decompressMessage(frame({ size: 1000, compressorId: 2, data }), 1000, PEER), {
      code: "MESSAGE_TOO_LARGE",
      message: /compressed message of 1016 bytes, more than maxMessageSizeBytes \(1000\)/,
    });
  });

  it("refuse a size that is not what the data decompresses to, either way (never trust it: MongoBleed)", async () => {
    const body = pingBody();
    const data = await zlib(body);
    for (const size of [body.length + 100, body.length - 1, 0]) {
      await assert.rejects(
        decompressMessage(frame({ size, compressorId: 2, data }), MAX, PEER),
        (err: Error & { code?: string }) => {
          assert.equal(err.code, "PROTOCOL_ERROR");
          assert.match(err.message, new RegExp(`declares ${size} bytes and holds`));
          return true;
        },
      );
    }
    const noop = frame({ size: body.length + 1, compressorId: 0, data: body });
    await assert.rejects(decompressMessage(noop, MAX, PEER), { code: "PROTOCOL_ERROR" });
  });

  it("refuse snappy data whose preamble is not the size the header declares, either way", async () => {
    const body = pingBody();
    const data = snappyCompress(body);
    for (const size of [body.length + 100, body.length - 1, 0]) {
      await assert.rejects(decompressMessage(frame({ size, compressorId: 1, data }), MAX, PEER), {
        code: "PROTOCOL_ERROR",
        message: `${PEER} sent a message that does not decompress (snappy: its preamble declares ` +
          `${body.length} bytes, the message ${size})`,
      });
    }
  });

  it("refuse snappy data that reaches outside itself, saying where", async () => {
    // Preamble 8, the literal "abcd", then a copy from 5 back: before the start.
    const data = Uint8Array.of(8, 0x0c, 0x61, 0x62, 0x63, 0x64, 0x01, 5);
    await assert.rejects(decompressMessage(frame({ size: 8, compressorId: 1, data }), MAX, PEER), {
      code: "PROTOCOL_ERROR",
      message:
        `${PEER} sent a message that does not decompress (snappy: a copy refers to bytes before the start)`,
    });
  });

  it("refuse data that is not zlib, the runtime's error as the cause", async () => {
    const data = BSON.serialize({ not: "zlib" });
    await assert.rejects(
      decompressMessage(frame({ size: 100, compressorId: 2, data }), MAX, PEER),
      (err: Error) => {
        assert.equal((err as { code?: string }).code, "PROTOCOL_ERROR");
        assert.equal(err.message, `${PEER} sent a message that does not decompress (zlib)`);
        assert.ok(err.cause !== undefined);
        return true;
      },
    );
  });
});

describe("zstd through the transport's codec", () => {
  it("compresses with the codec, as compressor 3, and reads its frames back through it", async () => {
    const { codec, calls } = taggedCodec();
    const message = encodeOpMsg(9, { insert: "c", documents: [{ a: "x".repeat(300) }], $db: "app" });
    const compressed = await compressMessage(message, "zstd", codec);
    assert.equal(compressed[24], 3);
    assert.equal(new DataView(compressed.buffer).getInt32(20, true), message.length - 16);
    const back = await decompressMessage(compressed, MAX, PEER, codec);
    assert.deepEqual(back, message);
    // The limit it gets is the size the header declares: it never holds more.
    assert.deepEqual(calls, [
      `compress ${message.length - 16}`,
      `decompress ${message.length - 12} limit ${message.length - 16}`,
    ]);
  });

  it("refuse zstd data the codec rejects (PROTOCOL_ERROR, its error as the cause), or that makes another size", async () => {
    const { codec } = taggedCodec();
    const body = pingBody();
    await assert.rejects(
      decompressMessage(frame({ size: body.length, compressorId: 3, data: body }), MAX, PEER, codec),
      (err: Error & { code?: string }) => {
        assert.equal(err.code, "PROTOCOL_ERROR");
        assert.equal(err.message, `${PEER} sent a message that does not decompress (zstd)`);
        assert.equal((err.cause as Error).message, "Unknown frame descriptor");
        return true;
      },
    );
    const data = Uint8Array.of(0x28, 0xb5, 0x2f, 0xfd, ...body);
    for (const [size, holds] of [[body.length + 100, `${body.length}`], [body.length - 1, "more"]] as const) {
      await assert.rejects(decompressMessage(frame({ size, compressorId: 3, data }), MAX, PEER, codec), {
        code: "PROTOCOL_ERROR",
        message: `${PEER} sent a compressed message that declares ${size} bytes and holds ${holds}`,
      });
    }
  });

  it("compressing with zstd without a codec is RUNTIME_UNSUPPORTED, saying what to give", async () => {
    await assert.rejects(compressMessage(encodeOpMsg(1, { ping: 1, $db: "admin" }), "zstd"), {
      code: "RUNTIME_UNSUPPORTED",
      message: /zstd compression needs the runtime's zstd: give new WireConnection\(\) the transport's/,
    });
  });
});
