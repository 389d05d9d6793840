// Fuzz: hostile bytes into the wire layer — decodeOpMsg, decompressMessage, snappyUncompress, FrameParser and a WireConnection
// on an in-memory socket. Lengths, opcodes, flag bits, section kinds, checksums, truncated BSON, compressed
// frames that lie about their size or compressor, wrong responseTo, frames split at every byte boundary. See fuzz.ts for the rules and the long-mode command.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { BSON } from "bson";
import { MongoAuthError, WireConnection } from "@mongo-auth/core";
import { decodeOpMsg, OP_MSG } from "../../src/wire/op-msg.ts";
import { FrameParser } from "../../src/wire/frame-parser.ts";
import { crc32c } from "../../src/wire/crc32c.ts";
import { compressMessage, type Compressor, decompressMessage } from "../../src/wire/compression.ts";
import { nodeZstd } from "../../src/transport/zstd.ts";
import { snappyCompress, snappyUncompress } from "../../src/wire/snappy.ts";
import { memorySocket } from "../support/memory-socket.ts";
import { failureMessage, fuzzCases, mutateBytes, type Prng, randomDoc, runFuzz } from "./fuzz.ts";
import { concatBytes } from "../../src/crypto/bytes.ts";

// A frame can never make the process hold more than this beyond what it started with.
const MEMORY_BOUND = 256 * 1024 * 1024;

interface FrameSpec {
  requestId: number;
  responseTo: number;
  opCode: number;
  flags: number;
  body?: Record<string, unknown>;
  sequences?: { id: string; docs: Record<string, unknown>[] }[];
  checksum: boolean;
}

/** Encodes an OP_MSG the way a server would (or, with odd specs, the way a broken one would). */
function encodeFrame(spec: FrameSpec): Uint8Array {
  const sections: Uint8Array[] = [];
  if (spec.body) sections.push(concatBytes(Uint8Array.of(0), BSON.serialize(spec.body)));
  for (const seq of spec.sequences ?? []) {
    const id = new TextEncoder().encode(seq.id + "\0");
    const docs = concatBytes(...seq.docs.map((d) => BSON.serialize(d)));
    const size = new Uint8Array(4);
    new DataView(size.buffer).setInt32(0, 4 + id.length + docs.length, true);
    sections.push(concatBytes(Uint8Array.of(1), size, id, docs));
  }
  const length = 16 + 4 + sections.reduce((n, s) => n + s.length, 0) + (spec.checksum ? 4 : 0);
  const out = new Uint8Array(length);
  const view = new DataView(out.buffer);
  view.setInt32(0, length, true);
  view.setInt32(4, spec.requestId, true);
  view.setInt32(8, spec.responseTo, true);
  view.setInt32(12, spec.opCode, true);
  view.setUint32(16, (spec.flags | (spec.checksum ? 1 : 0)) >>> 0, true);
  let at = 20;
  for (const s of sections) {
    out.set(s, at);
    at += s.length;
  }
  if (spec.checksum) view.setUint32(at, crc32c(out.subarray(0, at)), true);
  return out;
}

/** A frame: valid, structurally odd, or byte-mutated. */
function randomFrame(rng: Prng, responseTo: number): Uint8Array {
  const spec: FrameSpec = {
    requestId: rng.edgeInt() | 0,
    responseTo: rng.chance(0.8) ? responseTo : rng.edgeInt() | 0,
    opCode: rng.chance(0.85) ? OP_MSG : rng.pick([1, 2004, 2012, 2013 + 1, 0, -1, rng.edgeInt() | 0]),
    flags: rng.chance(0.7) ? 0 : rng.pick([2, 1 << 16, 1 << 2, 1 << 15, rng.next()]),
    body: rng.chance(0.9) ? { ok: 1, ...randomDoc(rng) } : undefined,
    sequences: rng.chance(0.2)
      ? Array.from({ length: 1 + rng.int(2) }, () => ({
        id: rng.pick(["documents", "", "x".repeat(rng.int(40))]),
        docs: Array.from({ length: rng.int(3) }, () => randomDoc(rng)),
      }))
      : undefined,
    checksum: rng.chance(0.3),
  };
  let frame = encodeFrame(spec);
  if (rng.chance(0.6)) frame = mutateBytes(rng, frame);
  if (frame.length >= 4 && rng.chance(0.15)) {
    // A length field that disagrees with the bytes: larger (claims data never sent), smaller, huge.
    new DataView(frame.buffer, frame.byteOffset).setInt32(0, rng.edgeInt() | 0, true);
  }
  return frame;
}

// The runtime's zstd (Deno, Bun, Node.js 22.15+), as the transports hand it over; none on Node.js 20.
const zstd = nodeZstd();
const COMPRESSORS: Compressor[] = zstd ? ["zlib", "snappy", "zstd"] : ["zlib", "snappy"];

/**
 * A frame as a server may send it compressed: zlib, snappy, zstd (where the runtime has it) or noop around
 * a random frame, then the compression header's fields (compressor id, declared size) or any byte mutated.
 */
async function randomCompressedFrame(rng: Prng, responseTo: number): Promise<Uint8Array> {
  const inner = randomFrame(rng, responseTo);
  // A frame mutated below its header has nothing to wrap: it goes as it is.
  if (inner.length < 16) return inner;
  const frame = rng.chance(0.8)
    ? await compressMessage(inner, rng.pick(COMPRESSORS), zstd)
    : noopFrame(inner);
  const view = new DataView(frame.buffer, frame.byteOffset);
  if (frame.length >= 25 && rng.chance(0.2)) frame[24] = rng.pick([0, 1, 2, 3, 4, 255]);
  if (frame.length >= 25 && rng.chance(0.3)) {
    const declared = view.getInt32(20, true);
    view.setInt32(20, rng.pick([declared + 1, declared - 1, 0, -1, rng.edgeInt() | 0]), true);
  }
  return rng.chance(0.3) ? mutateBytes(rng, frame) : frame;
}

function noopFrame(inner: Uint8Array): Uint8Array {
  const out = new Uint8Array(inner.length + 9);
  out.set(inner.subarray(0, 16));
  out.set(inner.subarray(16), 25);
  const view = new DataView(out.buffer);
  view.setInt32(0, out.length, true);
  view.setInt32(12, 2012, true);
  view.setInt32(16, new DataView(inner.buffer, inner.byteOffset).getInt32(12, true), true);
  view.setInt32(20, inner.length - 16, true);
  out[24] = 0;
  return out;
}

/** Splits bytes into 1..n chunks at random boundaries (a peer dribbling or batching). */
function chunked(rng: Prng, bytes: Uint8Array): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    const size = rng.chance(0.3) ? 1 + rng.int(3) : 1 + rng.int(bytes.length);
    chunks.push(bytes.slice(at, at + size));
    at += size;
  }
  if (rng.chance(0.1)) chunks.splice(rng.int(chunks.length + 1), 0, new Uint8Array(0));
  return chunks;
}

describe("fuzz: wire layer", () => {
  it("decodeOpMsg: any frame decodes or fails with PROTOCOL_ERROR", async () => {
    const report = await runFuzz("decodeOpMsg", fuzzCases(10000), (rng) => {
      const frame = randomFrame(rng, 1);
      try {
        decodeOpMsg(frame);
      } catch (err) {
        if (err instanceof MongoAuthError && err.code !== "PROTOCOL_ERROR") {
          throw new Error(`decodeOpMsg used code ${err.code}`);
        }
        throw err;
      }
    });
    assert.equal(report.failures.length, 0, failureMessage(report));
    assert.ok(report.peakMemoryGrowth < MEMORY_BOUND, `memory grew by ${report.peakMemoryGrowth}`);
  });

  it("decompressMessage: any OP_COMPRESSED frame gives exactly the size it declares, or a coded error", async () => {
    const report = await runFuzz("decompressMessage", fuzzCases(2000), async (rng) => {
      const frame = await randomCompressedFrame(rng, 1);
      const max = rng.pick([64, 1000, 48_000_000]);
      const declared = frame.length >= 24
        ? new DataView(frame.buffer, frame.byteOffset).getInt32(20, true)
        : -1;
      try {
        const message = await decompressMessage(frame, max, "fuzz:1", zstd);
        if (message.length !== 16 + declared) {
          throw new Error(`${message.length} bytes for a declared ${declared}`);
        }
        if (message.length > max) {
          throw new Error(`a message of ${message.length} bytes passed the limit ${max}`);
        }
        decodeOpMsg(message);
      } catch (err) {
        if (err instanceof MongoAuthError && !["PROTOCOL_ERROR", "MESSAGE_TOO_LARGE"].includes(err.code)) {
          throw new Error(`decompressMessage used code ${err.code}`);
        }
        throw err;
      }
    });
    assert.equal(report.failures.length, 0, failureMessage(report));
    assert.ok(report.peakMemoryGrowth < MEMORY_BOUND, `memory grew by ${report.peakMemoryGrowth}`);
  });

  it("snappyUncompress: any data gives exactly the length asked for, or a RangeError", async () => {
    const report = await runFuzz("snappyUncompress", fuzzCases(2000), (rng) => {
      const original = rng.chance(0.5)
        ? new Uint8Array(BSON.serialize(randomDoc(rng)))
        : rng.bytes(rng.int(300));
      const compressed = snappyCompress(original);
      const data = rng.chance(0.9) ? mutateBytes(rng, compressed) : compressed;
      const length = rng.chance(0.8) ? original.length : rng.edgeInt() & 0xffff;
      try {
        const out = snappyUncompress(data, length);
        if (out.length !== length) throw new Error(`${out.length} bytes for ${length} asked`);
        if (data === compressed) assert.deepEqual(out, original);
      } catch (err) {
        if (!(err instanceof RangeError)) throw err;
      }
    });
    assert.equal(report.failures.length, 0, failureMessage(report));
  });

  it("FrameParser + decodeOpMsg: any byte stream, any chunking, any size limit", async () => {
    const report = await runFuzz("FrameParser", fuzzCases(5000), (rng) => {
      const frames = Array.from({ length: 1 + rng.int(3) }, () => randomFrame(rng, 1));
      const bytes = rng.chance(0.1) ? rng.bytes(rng.int(64)) : concatBytes(...frames);
      const max = rng.pick([21, 64, 1000, 48_000_000, 0x7fffffff]);
      let received = 0;
      const parser = new FrameParser(() => max, "fuzz:1", (frame) => {
        received += frame.length;
        if (frame.length > max) throw new Error(`a frame of ${frame.length} bytes passed the limit ${max}`);
        decodeOpMsg(frame);
      });
      for (const chunk of chunked(rng, bytes)) parser.push(chunk);
      parser.end();
      if (received > bytes.length) throw new Error("frames hold more bytes than were sent");
    });
    assert.equal(report.failures.length, 0, failureMessage(report));
    assert.ok(report.peakMemoryGrowth < MEMORY_BOUND, `memory grew by ${report.peakMemoryGrowth}`);
  });

  for (const kind of ["raw", "streams"] as const) {
    it(`WireConnection (${kind} socket): hostile replies end in a reply or a coded error, and a failed socket is closed`, async () => {
      const report = await runFuzz(
        `WireConnection (${kind})`,
        fuzzCases(1000),
        async (rng) => {
          const { socket, peer } = memorySocket(kind);
          const conn = new WireConnection(socket, {
            timeoutMS: 30,
            maxMessageSizeBytes: rng.pick([1000, 48_000_000]),
            zstd,
          });
          const outcome = await (async () => {
            // Its outcome is taken at once: the command may fail (its 30 ms) while the replies are built.
            const reply = conn.command("admin", { ping: 1 }).then(
              () => undefined,
              (err: unknown) => ({ err }),
            );
            const request = await peer.nextWrite();
            const requestId = new DataView(request.buffer, request.byteOffset).getInt32(4, true);
            // Some replies come compressed: their decompression takes a turn, racing the peer's end.
            const frames = await Promise.all(
              Array.from(
                { length: 1 + rng.int(2) },
                () => rng.chance(0.2) ? randomCompressedFrame(rng, requestId) : randomFrame(rng, requestId),
              ),
            );
            for (const chunk of chunked(rng, concatBytes(...frames))) peer.send(chunk);
            if (rng.chance(0.7)) peer.end();
            return await reply;
          })();
          if (outcome) {
            const { err } = outcome;
            const fatal = err instanceof MongoAuthError &&
              ["PROTOCOL_ERROR", "MESSAGE_TOO_LARGE", "CONNECTION_CLOSED", "TIMEOUT"].includes(err.code);
            if (fatal && !peer.closed) throw new Error(`socket left open after ${err.code}`);
          }
          await conn.close();
          if (!peer.closed) throw new Error("close() did not close the socket");
          if (outcome) throw outcome.err;
        },
      );
      assert.equal(report.failures.length, 0, failureMessage(report));
    });
  }
});
