import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBelow, randomBytes, shuffled } from "../../src/crypto/random.ts";

// Runs `body` with crypto.getRandomValues counted: `draws()` says how many calls so far, `reset()` restarts.
function countingDraws(body: (draws: () => number, reset: () => void) => void): void {
  const original = crypto.getRandomValues;
  let draws = 0;
  crypto.getRandomValues = (<T extends ArrayBufferView | null>(array: T): T => {
    draws++;
    return original.call(crypto, array as Uint8Array<ArrayBuffer>) as T;
  }) as typeof crypto.getRandomValues;
  try {
    body(() => draws, () => void (draws = 0));
  } finally {
    crypto.getRandomValues = original;
  }
}

describe("randomBytes", () => {
  it("returns the requested number of bytes, different on each call", () => {
    const a = randomBytes(24);
    const b = randomBytes(24);
    assert.equal(a.length, 24);
    assert.notDeepEqual(a, b); // 2^-192 chance of a false failure
    assert.equal(randomBytes(0).length, 0);
  });

  it("hands out small draws from one getRandomValues call per pool, never the same bytes twice", () => {
    countingDraws((draws, reset) => {
      const nonces = Array.from({ length: 400 }, () => randomBytes(24)); // 9600 bytes: two or three pools
      assert.ok(draws() >= 2 && draws() <= 3, `draws: ${draws()}`);
      const distinct = new Set(nonces.map((n) => n.join(",")));
      assert.equal(distinct.size, nonces.length);
      nonces[0].fill(7); // each draw is a copy of its own: writing to one changes no other
      assert.notDeepEqual(nonces[1], nonces[0]);
      reset();
      assert.equal(randomBytes(1000).length, 1000); // large draws go straight to getRandomValues
      assert.equal(draws(), 1);
    });
  });
});

describe("randomBelow", () => {
  it("stays in [0, n) and reaches every value", () => {
    const seen = new Set<number>();
    for (let i = 0; i < 600; i++) {
      const value = randomBelow(3);
      assert.ok(Number.isInteger(value) && value >= 0 && value < 3, String(value));
      seen.add(value);
    }
    assert.deepEqual([...seen].sort(), [0, 1, 2]); // each missing has a 3 × (2/3)^600 chance
    assert.equal(randomBelow(1), 0);
  });

  it("draws nothing from crypto.getRandomValues when there is only one choice", () => {
    countingDraws((draws) => {
      assert.equal(randomBelow(1), 0);
      assert.equal(draws(), 0);
      randomBelow(2);
      assert.equal(draws() >= 1, true); // the spy sees real draws
    });
  });
});

describe("shuffled", () => {
  it("returns a permutation, leaves its input alone, and puts any item first", () => {
    const items = ["a", "b", "c"];
    const firsts = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const order = shuffled(items);
      assert.deepEqual([...order].sort(), items);
      firsts.add(order[0]);
    }
    assert.deepEqual(items, ["a", "b", "c"]);
    assert.deepEqual([...firsts].sort(), items);
    assert.deepEqual(shuffled([]), []);
  });
});
