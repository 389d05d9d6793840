// The first bytes of a reply in another protocol are named (FrameParser applies it: frame-parser.test.ts).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { foreignProtocolError } from "../../src/wire/foreign-protocol.ts";

const text = (s: string) => new TextEncoder().encode(s);

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
