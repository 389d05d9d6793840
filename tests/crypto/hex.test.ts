import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { toHex } from "../../src/crypto/hex.ts";

describe("toHex", () => {
  it("writes two lower-case digits per byte, zero-padded", () => {
    assert.equal(toHex(new Uint8Array([0, 1, 15, 16, 171, 255])), "00010f10abff");
    assert.equal(toHex(new Uint8Array()), "");
  });
});
