// The first bytes of a reply in another protocol are named (FrameParser applies it: frame-parser.test.ts).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { awaitsHeader, foreignProtocolError } from "../../src/wire/foreign-protocol.ts";

const text = (s: string) => new TextEncoder().encode(s);

// The alerts TLS servers answer a plain MongoDB hello with: Node.js's (protocol_version) and Bun's (decode_error).
const NODE_ALERT = Uint8Array.of(0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46);
const BUN_ALERT = Uint8Array.of(0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x32);
// The start of a ServerHello: a handshake record of 74 bytes, then its random.
const SERVER_HELLO = Uint8Array.of(
  0x16,
  0x03,
  0x03,
  0x00,
  0x4a,
  0x02,
  0x00,
  0x00,
  0x46,
  0x03,
  0x03,
  ...text("random bytes"),
);

// A MongoDB message header: length, requestID, responseTo, opCode.
function mongoHeader(length: number, opCode: number, requestId = 0x0201_0202): Uint8Array {
  const header = new Uint8Array(16);
  const view = new DataView(header.buffer);
  view.setInt32(0, length, true);
  view.setInt32(4, requestId, true);
  view.setInt32(8, 7, true);
  view.setInt32(12, opCode, true);
  return header;
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

  it("recognises the alerts TLS servers send a plain client, and a handshake record of 16 bytes or more", () => {
    for (const record of [NODE_ALERT, BUN_ALERT]) {
      assert.match(
        foreignProtocolError(record, "h:1")!.message,
        /^h:1 answered with TLS \(a TLS alert record\)/,
      );
    }
    assert.match(foreignProtocolError(SERVER_HELLO, "h:1")!.message, /TLS handshake record/);
  });

  it("never takes a MongoDB reply for TLS, though replies of 789, 790, 66 325, 66 326 … bytes start as TLS records do", () => {
    for (const length of [789, 790, 66_325, 66_326, 131_861, 131_862, 16_777_216 + 789]) {
      for (const opCode of [2013, 2012, 1]) {
        const header = mongoHeader(length, opCode);
        assert.equal(header[0] === 21 || header[0] === 22, true);
        assert.equal(foreignProtocolError(header, "h:1"), undefined, `${length} bytes, opCode ${opCode}`);
      }
    }
  });

  it("leaves anything that may be a MongoDB reply alone", () => {
    for (const head of [[0x2a, 0, 0, 0], [22, 3, 9, 0], [21, 2, 0, 0], [0x48, 0x54, 0x54, 0x51]]) {
      assert.equal(foreignProtocolError(new Uint8Array(head), "h:1"), undefined, String(head));
    }
  });
});

describe("awaitsHeader", () => {
  it("asks for a whole header when the first bytes start as a TLS record does, and only then", () => {
    const reply = mongoHeader(789, 2013);
    for (const n of [4, 7, 15]) assert.equal(awaitsHeader(reply.subarray(0, n)), true, `${n} bytes`);
    assert.equal(awaitsHeader(reply), false);
    assert.equal(awaitsHeader(NODE_ALERT), true);
    assert.equal(awaitsHeader(mongoHeader(300, 2013).subarray(0, 4)), false);
    assert.equal(awaitsHeader(text("HTTP")), false);
  });
});
