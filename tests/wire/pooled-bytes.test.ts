import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { pooledBytes, pooledCopy } from "../../src/wire/pooled-bytes.ts";

describe("pooledBytes", () => {
  it("cuts small arrays from one slab, zeroed, each on its own bytes", () => {
    const arrays = Array.from({ length: 20 }, (_, i) => pooledBytes(10 + i));
    const slabs = new Set(arrays.map((a) => a.buffer));
    assert.ok(slabs.size < arrays.length, "arrays share a slab");
    for (const [i, a] of arrays.entries()) {
      assert.equal(a.length, 10 + i);
      assert.ok(a.every((b) => b === 0), "handed out zeroed");
      assert.equal(a.byteOffset % 8, 0, "aligned to 8 bytes");
    }
    arrays.forEach((a, i) => a.fill(i + 1));
    arrays.forEach((a, i) => assert.ok(a.every((b) => b === i + 1), `array ${i} kept its bytes`));
  });

  it("starts a new slab when one is full, and never hands out a byte twice", () => {
    const arrays = Array.from({ length: 40 }, () => pooledBytes(1000));
    arrays.forEach((a, i) => a.fill(i + 1));
    arrays.forEach((a, i) => assert.ok(a.every((b) => b === i + 1)));
    assert.ok(new Set(arrays.map((a) => a.buffer)).size >= 5, "8 KiB slabs hold at most eight of these");
  });

  it("gives an array over 1 KiB memory of its own", () => {
    const a = pooledBytes(1025);
    assert.equal(a.byteOffset, 0);
    assert.equal(a.buffer.byteLength, 1025);
    assert.equal(pooledBytes(0).length, 0);
  });
});

describe("pooledCopy", () => {
  it("copies, so that the source can be read into again", () => {
    const read = Uint8Array.of(1, 2, 3, 4);
    const copy = pooledCopy(read.subarray(1, 3));
    read.fill(0);
    assert.deepEqual(copy, Uint8Array.of(2, 3));
    const large = pooledCopy(new Uint8Array(2000).fill(9));
    assert.equal(large.byteOffset, 0, "over 1 KiB: memory of its own");
    assert.ok(large.every((b) => b === 9));
  });
});
