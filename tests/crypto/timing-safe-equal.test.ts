import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { timingSafeEqual } from "../../src/crypto/timing-safe-equal.ts";

describe("timingSafeEqual", () => {
  it("is true only for equal length and equal bytes", () => {
    assert.equal(timingSafeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 3])), true);
    assert.equal(timingSafeEqual(new Uint8Array(), new Uint8Array()), true);
    assert.equal(timingSafeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 4])), false);
    assert.equal(timingSafeEqual(new Uint8Array([0, 2, 3]), new Uint8Array([1, 2, 3])), false);
  });

  it("is false for a prefix or a longer array", () => {
    assert.equal(timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2, 3])), false);
    assert.equal(timingSafeEqual(new Uint8Array([1, 2, 3, 0]), new Uint8Array([1, 2, 3])), false);
  });
});
