import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { BSON } from "bson";
import { decodeOpMsg, encodeOpMsg } from "../../src/wire/op-msg.ts";
import { crc32c } from "../../src/wire/crc32c.ts";

function frame(flags: number, sections: Uint8Array, opCode = 2013, checksum = false): Uint8Array {
  const length = 20 + sections.length + (checksum ? 4 : 0);
  const out = new Uint8Array(length);
  const view = new DataView(out.buffer);
  view.setInt32(0, length, true);
  view.setInt32(4, 7, true);
  view.setInt32(8, 3, true);
  view.setInt32(12, opCode, true);
  view.setUint32(16, flags, true);
  out.set(sections, 20);
  if (checksum) view.setUint32(length - 4, crc32c(out.subarray(0, length - 4)), true);
  return out;
}

const body = (doc: Record<string, unknown>) => {
  const bytes = BSON.serialize(doc);
  return new Uint8Array([0, ...bytes]);
};

describe("OP_MSG", () => {
  it("round-trips a command through encode and decode", () => {
    const msg = decodeOpMsg(encodeOpMsg(42, { ping: 1, $db: "admin" }));
    assert.equal(msg.requestId, 42);
    assert.deepEqual(msg.body, { ping: 1, $db: "admin" });
  });

  it("encodes messages one after another, each whole wherever its bytes lie", () => {
    const messages = Array.from(
      { length: 50 },
      (_, i) => encodeOpMsg(i, { ping: 1, n: "x".repeat(i * 7), $db: "admin" }),
    );
    assert.ok(messages.some((m) => m.byteOffset > 0), "small messages share memory");
    for (const [i, message] of messages.entries()) {
      const decoded = decodeOpMsg(message);
      assert.equal(decoded.requestId, i);
      assert.deepEqual(decoded.body, { ping: 1, n: "x".repeat(i * 7), $db: "admin" });
    }
  });

  it("decodes document sequences by identifier", () => {
    const docs = [BSON.serialize({ a: 1 }), BSON.serialize({ a: 2 })];
    const id = new TextEncoder().encode("documents\0");
    const size = 4 + id.length + docs[0].length + docs[1].length;
    const seq = new Uint8Array(1 + size);
    seq[0] = 1;
    new DataView(seq.buffer).setInt32(1, size, true);
    seq.set(id, 5);
    seq.set(docs[0], 5 + id.length);
    seq.set(docs[1], 5 + id.length + docs[0].length);
    const msg = decodeOpMsg(frame(0, new Uint8Array([...body({ ok: 1 }), ...seq])));
    assert.deepEqual(msg.sequences.get("documents"), [{ a: 1 }, { a: 2 }]);
  });

  it("verifies a CRC-32C checksum when the flag says there is one", () => {
    const good = frame(1, body({ ok: 1 }), 2013, true);
    assert.deepEqual(decodeOpMsg(good).body, { ok: 1 });
    good[good.length - 1] ^= 0xff;
    assert.throws(() => decodeOpMsg(good), { code: "PROTOCOL_ERROR", message: /checksum/ });
  });

  const rejects: [string, Uint8Array][] = [
    ["another opCode", frame(0, body({ ok: 1 }), 1)],
    ["an unknown required flag bit", frame(1 << 5, body({ ok: 1 }))],
    ["an unknown section kind", frame(0, new Uint8Array([2, ...body({ ok: 1 }).subarray(1)]))],
    ["no body section", frame(0, new Uint8Array(0))],
    ["two body sections", frame(0, new Uint8Array([...body({ ok: 1 }), ...body({ ok: 1 })]))],
    ["a BSON length past the frame", frame(0, new Uint8Array([0, 0xff, 0xff, 0, 0, 0]))],
    ["a truncated BSON document", frame(0, body({ ok: 1 }).subarray(0, 6))],
  ];
  for (const [what, bytes] of rejects) {
    it(`rejects ${what} with PROTOCOL_ERROR`, () => {
      assert.throws(() => decodeOpMsg(bytes), { name: "MongoAuthError", code: "PROTOCOL_ERROR" });
    });
  }

  it("ignores optional flag bits such as exhaustAllowed", () => {
    assert.deepEqual(decodeOpMsg(frame(1 << 16, body({ ok: 1 }))).body, { ok: 1 });
  });

  it("rejects a header whose length differs from the frame", () => {
    const bytes = frame(0, body({ ok: 1 }));
    new DataView(bytes.buffer).setInt32(0, bytes.length + 1, true);
    assert.throws(() => decodeOpMsg(bytes), { code: "PROTOCOL_ERROR" });
  });
});

// bson serializes into a shared buffer of 17 MiB: past it, a binary threw a RangeError and a string was cut
// short in silence. Commands up to maxMessageSizeBytes (48 MB by default) are the server's to refuse.
describe("encodeOpMsg: commands larger than bson's buffer, and commands BSON cannot hold", () => {
  const MAX = 48_000_000;

  it("encodes an 18 MB binary whole (bson threw a RangeError past 17 MiB)", () => {
    const data = new Uint8Array(18_000_000).fill(7);
    const message = encodeOpMsg(3, { insert: "c", documents: [{ data }], $db: "app" }, MAX);
    assert.equal(new DataView(message.buffer, message.byteOffset).getInt32(0, true), message.length);
    const { body: decoded } = decodeOpMsg(message);
    const [doc] = decoded.documents as { data: { buffer: Uint8Array } }[];
    assert.equal(doc.data.buffer.length, data.length);
    assert.equal(doc.data.buffer[data.length - 1], 7);
  });

  it("encodes a 20 MB string whole, where bson's buffer cut it short without a word", () => {
    const text = "x".repeat(20_000_000);
    const message = encodeOpMsg(4, { insert: "c", documents: [{ text }], $db: "app" }, MAX);
    const { requestId, body: decoded } = decodeOpMsg(message);
    assert.equal(requestId, 4);
    assert.equal((decoded.documents as { text: string }[])[0].text.length, text.length);
    assert.equal(decoded.$db, "app");
  });

  it("refuses a command over the limit with MESSAGE_TOO_LARGE naming it, its size and the limit", () => {
    const command = { insert: "c", documents: [{ text: "y".repeat(20_000_000) }], $db: "app" };
    const length = 16 + 4 + 1 + BSON.calculateObjectSize(command); // header, flags, section kind, body
    assert.throws(() => encodeOpMsg(5, command, 19_000_000), {
      code: "MESSAGE_TOO_LARGE",
      message:
        `the insert command is ${length} bytes, more than maxMessageSizeBytes (19000000), the largest ` +
        "message the server accepts: send it in smaller parts (fewer documents per insert, say)",
    });
    assert.throws(() => encodeOpMsg(6, { ping: 1, pad: "z".repeat(100), $db: "admin" }, 100), {
      code: "MESSAGE_TOO_LARGE",
      message: /^the ping command is 161 bytes, more than maxMessageSizeBytes \(100\)/,
    });
  });

  it("refuses a command that contains itself with INVALID_OPTION naming it, not bson's BSONError", () => {
    const filter: Record<string, unknown> = { a: 1 };
    filter.self = filter;
    assert.throws(() => encodeOpMsg(7, { find: "c", filter, $db: "app" }), {
      name: "MongoAuthError",
      code: "INVALID_OPTION",
      message:
        "the find command cannot be encoded as BSON (Cannot convert circular structure to BSON): fix " +
        "the command document (a document that contains itself cannot be sent)",
    });
  });
});
