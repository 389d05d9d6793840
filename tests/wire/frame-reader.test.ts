import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFrames } from "../../src/wire/frame-reader.ts";

function streamOf(chunks: Uint8Array[]): ReadableStreamDefaultReader<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(c) {
      for (const chunk of chunks) c.enqueue(chunk);
      c.close();
    },
  }).getReader();
}

function message(length: number, fill = 1): Uint8Array {
  const m = new Uint8Array(length).fill(fill);
  new DataView(m.buffer).setInt32(0, length, true);
  return m;
}

async function collect(chunks: Uint8Array[], max = 1000): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const f of readFrames(streamOf(chunks), () => max)) out.push(f);
  return out;
}

describe("readFrames", () => {
  it("reassembles frames split across chunks, even inside the length prefix", async () => {
    const a = message(20, 1);
    const b = message(30, 2);
    const all = new Uint8Array([...a, ...b]);
    const chunks = [all.subarray(0, 2), all.subarray(2, 25), all.subarray(25)];
    const frames = await collect(chunks);
    assert.deepEqual(frames.map((f) => f.length), [20, 30]);
    assert.deepEqual(frames[1], b);
  });

  it("splits several frames that arrive in one chunk", async () => {
    const frames = await collect([new Uint8Array([...message(16), ...message(17), ...message(18)])]);
    assert.deepEqual(frames.map((f) => f.length), [16, 17, 18]);
  });

  it("rejects a claimed length above maxMessageSizeBytes before reading the body", async () => {
    const header = new Uint8Array(4);
    new DataView(header.buffer).setInt32(0, 2_000_000_000, true);
    await assert.rejects(collect([header]), { code: "MESSAGE_TOO_LARGE" });
  });

  it("reads a negative length as huge and rejects it", async () => {
    const header = new Uint8Array([0xff, 0xff, 0xff, 0xff]);
    await assert.rejects(collect([header]), { code: "MESSAGE_TOO_LARGE" });
  });

  it("rejects a length smaller than the header", async () => {
    await assert.rejects(collect([message(8)]), { code: "PROTOCOL_ERROR" });
  });

  it("reports a stream that ends inside a frame", async () => {
    await assert.rejects(collect([message(40).subarray(0, 30)]), { code: "CONNECTION_CLOSED" });
  });

  it("ends quietly when the stream ends between frames", async () => {
    assert.equal((await collect([message(16)])).length, 1);
  });
});

async function firstFrame(chunks: Uint8Array[]): Promise<unknown> {
  for await (const frame of readFrames(streamOf(chunks), () => 48_000_000, "db.example.net:8080")) {
    return frame;
  }
  return undefined;
}

const text = (s: string) => new TextEncoder().encode(s);

describe("readFrames: the first reply", () => {
  it("reports HTTP instead of a message of 1 347 703 880 bytes, even when it arrives in pieces", async () => {
    await assert.rejects(firstFrame([text("HT"), text("TP/1.0 200 OK\r\n\r\n")]), {
      code: "PROTOCOL_ERROR",
      message: /^db\.example\.net:8080 speaks HTTP/,
    });
  });

  it("lets MongoDB replies through, split or not", async () => {
    const frame = new Uint8Array(20);
    new DataView(frame.buffer).setInt32(0, 20, true);
    const frames: Uint8Array[] = [];
    for await (const f of readFrames(streamOf([frame, frame]), () => 1000)) frames.push(f);
    assert.equal(frames.length, 2);
  });
});
