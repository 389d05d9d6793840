// The first bytes of a reply in another protocol are named, before they are read as a message length.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { foreignProtocolError } from "../../src/wire/foreign-protocol.ts";
import { readFrames } from "../../src/wire/frame-reader.ts";

const text = (s: string) => new TextEncoder().encode(s);

function reader(chunks: Uint8Array[]): ReadableStreamDefaultReader<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(c) {
      for (const chunk of chunks) c.enqueue(chunk);
      c.close();
    },
  }).getReader();
}

async function firstFrame(chunks: Uint8Array[]): Promise<unknown> {
  for await (const frame of readFrames(reader(chunks), () => 48_000_000, "db.example.net:8080")) return frame;
  return undefined;
}

describe("foreignProtocolError", () => {
  it("names HTTP, SSH and TLS records, with the peer and what to do", () => {
    const http = foreignProtocolError(text("HTTP/1.1 400 Bad Request\r\n"), "h:80");
    assert.equal(http?.code, "PROTOCOL_ERROR");
    assert.match(http!.message, /^h:80 speaks HTTP, not the MongoDB wire protocol: check the host and port/);
    assert.equal(foreignProtocolError(text("SSH-2.0-OpenSSH_9.6"), "h:22")?.code, "PROTOCOL_ERROR");
    const alert = foreignProtocolError(new Uint8Array([21, 3, 3, 0, 2, 2, 40]), "h:1");
    assert.equal(alert?.code, "TLS_ERROR");
    assert.match(alert!.message, /TLS alert record.*add tls=true/);
    assert.match(foreignProtocolError(new Uint8Array([22, 3, 1, 0, 90]), "h:1")!.message, /handshake record/);
  });

  it("leaves anything that may be a MongoDB reply alone", () => {
    for (const head of [[0x2a, 0, 0, 0], [22, 3, 9, 0], [21, 2, 0, 0], [0x48, 0x54, 0x54, 0x51]]) {
      assert.equal(foreignProtocolError(new Uint8Array(head), "h:1"), undefined, String(head));
    }
  });
});

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
    for await (const f of readFrames(reader([frame, frame]), () => 1000)) frames.push(f);
    assert.equal(frames.length, 2);
  });
});
