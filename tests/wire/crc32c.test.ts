// CRC-32C (Castagnoli): the checksum of an OP_MSG whose checksumPresent flag is set.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { crc32c } from "../../src/wire/crc32c.ts";

describe("crc32c", () => {
  it("computes CRC-32C as RFC 3720 specifies", () => {
    assert.equal(crc32c(new TextEncoder().encode("123456789")), 0xe3069283);
    assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
  });

  it("matches the other RFC 3720 B.4 vectors: 32 bytes of 0xff, ascending and descending bytes", () => {
    assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
    assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e);
    assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c);
  });

  it("is 0 for no bytes, and always an unsigned 32-bit integer", () => {
    assert.equal(crc32c(new Uint8Array(0)), 0);
    for (const length of [1, 7, 64, 1000]) {
      const value = crc32c(new Uint8Array(length).fill(0xa5));
      assert.ok(Number.isInteger(value) && value >= 0 && value <= 0xffffffff, `length ${length}: ${value}`);
    }
  });

  it("reads only the view it is given, not the rest of its buffer", () => {
    const buffer = new TextEncoder().encode("xx123456789yy");
    assert.equal(crc32c(buffer.subarray(2, 11)), 0xe3069283);
  });

  it("changes when any single bit of the input changes", () => {
    const data = new TextEncoder().encode("123456789");
    const original = crc32c(data);
    for (let bit = 0; bit < data.length * 8; bit++) {
      const flipped = data.slice();
      flipped[bit >> 3] ^= 1 << (bit & 7);
      assert.notEqual(crc32c(flipped), original, `bit ${bit}`);
    }
  });
});
