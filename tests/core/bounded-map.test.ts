// setNewest: a bounded cache's insert, the oldest entry dropped first.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { setNewest } from "../../src/core/bounded-map.ts";

describe("setNewest", () => {
  it("keeps at most `max` entries, dropping the oldest", () => {
    const map = new Map<string, number>();
    for (const [i, key] of ["a", "b", "c", "d"].entries()) setNewest(map, key, i, 3);
    assert.deepEqual([...map], [["b", 1], ["c", 2], ["d", 3]]);
  });

  it("makes a key set again the newest, without dropping another", () => {
    const map = new Map([["a", 1], ["b", 2], ["c", 3]]);
    setNewest(map, "a", 10, 3);
    assert.deepEqual([...map], [["b", 2], ["c", 3], ["a", 10]]);
    setNewest(map, "d", 4, 3);
    assert.deepEqual([...map.keys()], ["c", "a", "d"]);
  });
});
