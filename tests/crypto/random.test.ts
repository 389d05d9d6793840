import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "../../src/crypto/random.ts";

describe("randomBytes", () => {
  it("returns the requested number of bytes, different on each call", () => {
    const a = randomBytes(24);
    const b = randomBytes(24);
    assert.equal(a.length, 24);
    assert.notDeepEqual(a, b); // 2^-192 chance of a false failure
    assert.equal(randomBytes(0).length, 0);
  });
});
