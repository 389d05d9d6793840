// SASL payloads as BSON Binary: bytes and text out of a reply field, or PROTOCOL_ERROR for anything else.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Binary } from "bson";
import { binaryBytes, binaryText, bytesOf } from "../../src/wire/binary.ts";

describe("bytesOf", () => {
  it("returns a Uint8Array as it is", () => {
    const bytes = Uint8Array.of(1, 2, 3);
    assert.equal(bytesOf(bytes), bytes);
  });

  it("returns the bytes of a BSON Binary, only up to its position", () => {
    assert.deepEqual([...bytesOf(new Binary(Uint8Array.of(1, 2, 3)))!], [1, 2, 3]);
    const growing = new Binary(new Uint8Array(0));
    growing.write(Uint8Array.of(7, 8), 0);
    assert.deepEqual([...bytesOf(growing)!], [7, 8]);
  });

  it("recognises a Binary from another copy of bson by its _bsontype, not by instanceof", () => {
    const foreign = { _bsontype: "Binary", buffer: Uint8Array.of(1, 2, 3, 0, 0), position: 3, sub_type: 0 };
    assert.deepEqual([...bytesOf(foreign)!], [1, 2, 3]);
    const noPosition = { _bsontype: "Binary", buffer: Uint8Array.of(4, 5) };
    assert.deepEqual([...bytesOf(noPosition)!], [4, 5]);
  });

  it("returns undefined for anything else, without throwing", () => {
    const others: unknown[] = [
      undefined,
      null,
      "payload",
      42,
      [1, 2],
      new ArrayBuffer(2),
      { _bsontype: "Binary" },
      { _bsontype: "Binary", buffer: [1, 2] },
      { _bsontype: "ObjectId", buffer: Uint8Array.of(1) },
      { buffer: Uint8Array.of(1) },
    ];
    for (const value of others) assert.equal(bytesOf(value), undefined, String(value));
  });
});

describe("binaryBytes", () => {
  it("returns the bytes of a Binary", () => {
    assert.deepEqual([...binaryBytes(new Binary(Uint8Array.of(9)))], [9]);
  });

  it("refuses a value that is not binary with PROTOCOL_ERROR naming the field", () => {
    assert.throws(() => binaryBytes("text"), {
      name: "MongoAuthError",
      code: "PROTOCOL_ERROR",
      message: "server reply has no binary payload",
    });
    assert.throws(() => binaryBytes(undefined, "speculativeAuthenticate.payload"), {
      code: "PROTOCOL_ERROR",
      message: /no binary speculativeAuthenticate\.payload/,
    });
  });
});

describe("binaryText", () => {
  it("decodes UTF-8, multi-byte characters included", () => {
    const text = "r=fyko+d2lbbFgONRv9qkxdawL,s=QSXCR+Q6sek8bf92,i=4096,ü€";
    assert.equal(binaryText(new Binary(new TextEncoder().encode(text))), text);
  });

  it("refuses bytes that are not valid UTF-8 with PROTOCOL_ERROR, instead of replacing them", () => {
    for (const bytes of [[0xff], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80]]) {
      assert.throws(() => binaryText(Uint8Array.from(bytes), "saslStart payload"), (err: unknown) => {
        assert.equal((err as { code?: string }).code, "PROTOCOL_ERROR");
        assert.match((err as Error).message, /server saslStart payload is not valid UTF-8/);
        assert.ok((err as Error).cause !== undefined, "keeps the decoder's error as the cause");
        return true;
      });
    }
  });

  it("passes on the not-binary error unchanged", () => {
    assert.throws(() => binaryText(12), {
      code: "PROTOCOL_ERROR",
      message: "server reply has no binary payload",
    });
  });
});
