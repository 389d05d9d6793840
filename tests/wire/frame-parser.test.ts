import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { FrameParser } from "../../src/wire/frame-parser.ts";

function message(length: number, fill = 1): Uint8Array {
  const m = new Uint8Array(length).fill(fill);
  new DataView(m.buffer).setInt32(0, length, true);
  return m;
}

// Pushes the chunks, then ends the input; returns the frames, or throws what the parser threw.
function collect(chunks: Uint8Array[], max = 1000, peer = "db.example.net:27017"): Uint8Array[] {
  const frames: Uint8Array[] = [];
  const parser = new FrameParser(() => max, peer, (frame) => frames.push(frame));
  for (const chunk of chunks) parser.push(chunk);
  parser.end();
  return frames;
}

describe("FrameParser", () => {
  it("reassembles frames split across chunks, even inside the length prefix", () => {
    const a = message(20, 1);
    const b = message(30, 2);
    const all = new Uint8Array([...a, ...b]);
    const frames = collect([all.subarray(0, 2), all.subarray(2, 25), all.subarray(25)]);
    assert.deepEqual(frames.map((f) => f.length), [20, 30]);
    assert.deepEqual(frames[1], b);
  });

  it("splits several frames that arrive in one chunk, delivering each as it completes", () => {
    const frames = collect([new Uint8Array([...message(16), ...message(17), ...message(18)])]);
    assert.deepEqual(frames.map((f) => f.length), [16, 17, 18]);
  });

  it("delivers frames one byte at a time, and ignores empty chunks", () => {
    const bytes = new Uint8Array([...message(16), ...message(21)]);
    const chunks = [new Uint8Array(0), ...Array.from(bytes, (byte) => Uint8Array.of(byte))];
    assert.deepEqual(collect(chunks).map((f) => f.length), [16, 21]);
  });

  it("rejects a claimed length above maxMessageSizeBytes before the body arrives", () => {
    const header = new Uint8Array(4);
    new DataView(header.buffer).setInt32(0, 2_000_000_000, true);
    const parser = new FrameParser(() => 1000, "h:1", () => assert.fail("no frame"));
    assert.throws(() => parser.push(header), { code: "MESSAGE_TOO_LARGE" });
  });

  it("reads the limit when a header arrives, so a limit raised after hello applies to the next frame", () => {
    let max = 100;
    const frames: Uint8Array[] = [];
    const parser = new FrameParser(() => max, "h:1", (frame) => frames.push(frame));
    parser.push(message(50));
    max = 1000;
    parser.push(message(500));
    assert.deepEqual(frames.map((f) => f.length), [50, 500]);
  });

  it("rejects a negative length (lengths are int32) as invalid, not as a message of 4 294 967 295 bytes", () => {
    for (const [bytes, length] of [[[0xff, 0xff, 0xff, 0xff], -1], [[0, 0, 0, 0x80], -2147483648]] as const) {
      assert.throws(() => collect([Uint8Array.from(bytes)], 48_000_000), {
        code: "PROTOCOL_ERROR",
        message: `db.example.net:27017 sent an invalid message length, ${length} (a message holds at least ` +
          "its 16-byte header): it does not speak MongoDB's wire protocol, or the stream is corrupt; check " +
          "that the port is a MongoDB server's, and connect again",
      });
    }
  });

  it("rejects a length smaller than the header", () => {
    assert.throws(() => collect([message(8)]), {
      code: "PROTOCOL_ERROR",
      message: /invalid message length, 8 /,
    });
  });

  it("reports an end inside a frame, naming the peer", () => {
    assert.throws(() => collect([message(40).subarray(0, 30)]), {
      code: "CONNECTION_CLOSED",
      message: "db.example.net:27017 closed the connection in the middle of a message",
    });
  });

  it("ends quietly between frames", () => {
    assert.equal(collect([message(16)]).length, 1);
  });

  it("passes on what its frame handler throws", () => {
    const parser = new FrameParser(() => 1000, "h:1", () => {
      throw new Error("handler refused");
    });
    assert.throws(() => parser.push(message(16)), /handler refused/);
  });
});

const text = (s: string) => new TextEncoder().encode(s);

describe("FrameParser: the first reply", () => {
  it("reports HTTP instead of a message of 1 347 703 880 bytes, even when it arrives in pieces", () => {
    assert.throws(
      () => collect([text("HT"), text("TP/1.0 200 OK\r\n\r\n")], 48_000_000, "db.example.net:8080"),
      {
        code: "PROTOCOL_ERROR",
        message: /^db\.example\.net:8080 speaks HTTP/,
      },
    );
  });

  it("lets MongoDB replies through, split or not", () => {
    const frame = message(20);
    assert.equal(collect([frame, frame.subarray(0, 3), frame.subarray(3)]).length, 2);
  });

  it("reads replies of 789, 790, 66 325 and 66 326 bytes as MongoDB, though they start as a TLS record does", () => {
    for (const length of [789, 790, 66_325, 66_326]) {
      const reply = opMsgOf(length);
      assert.equal(reply[0] === 21 || reply[0] === 22, true);
      for (const cut of [length, 4, 7, 15, 16]) {
        const frames = collect([reply.subarray(0, cut), reply.subarray(cut)], 48_000_000);
        assert.deepEqual(frames, [reply], `${length} bytes, the first chunk ${cut}`);
      }
    }
  });

  it("reports a TLS alert, all a TLS server sends before it hangs up, even in pieces", () => {
    const alert = Uint8Array.of(0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46);
    for (const chunks of [[alert], [alert.subarray(0, 3), alert.subarray(3)]]) {
      assert.throws(() => collect(chunks, 48_000_000, "db.example.net:27017"), {
        code: "TLS_ERROR",
        message:
          /^db\.example\.net:27017 answered with TLS \(a TLS alert record\) to a plain connection: .*add tls=true/,
      });
    }
  });

  it("reports a TLS handshake record as soon as a header's worth of it came", () => {
    const record = new Uint8Array(79);
    record.set([0x16, 0x03, 0x03, 0x00, 0x4a, 0x02, 0x00, 0x00, 0x46, 0x03, 0x03]);
    record.fill(0x5a, 11);
    const parser = new FrameParser(() => 48_000_000, "h:1", () => assert.fail("no frame"));
    parser.push(record.subarray(0, 10));
    assert.throws(() => parser.push(record.subarray(10, 16)), {
      code: "TLS_ERROR",
      message: /handshake record/,
    });
  });

  it("after the first reply, leaves bytes alone: a reply of 789 bytes later is a reply", () => {
    assert.deepEqual(collect([message(20), opMsgOf(789)], 48_000_000).map((f) => f.length), [20, 789]);
  });
});

// An OP_MSG header and body of exactly `length` bytes (the parser reads only the header).
function opMsgOf(length: number): Uint8Array {
  const bytes = message(length, 0x78);
  const view = new DataView(bytes.buffer);
  view.setInt32(4, 0x0201_0202, true);
  view.setInt32(8, 1, true);
  view.setInt32(12, 2013, true);
  return bytes;
}
