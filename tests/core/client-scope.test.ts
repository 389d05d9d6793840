// perClient: one state per client (its cacheStore), the process's for connections given none.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { perClient } from "../../src/core/client-scope.ts";

describe("perClient", () => {
  it("makes a client's state once, on first use; other clients and the process have their own", () => {
    let made = 0;
    const stateOf = perClient(() => ({ id: ++made }));
    const [a, b] = [{}, {}];
    assert.equal(made, 0);
    assert.equal(stateOf(a), stateOf(a));
    assert.equal(made, 1);
    assert.notEqual(stateOf(b), stateOf(a));
    assert.equal(stateOf(undefined), stateOf(undefined));
    assert.deepEqual([stateOf(a).id, stateOf(b).id, stateOf(undefined).id], [1, 2, 3]);
  });

  it("keeps each lookup's states apart", () => {
    const first = perClient(() => ({}));
    const second = perClient(() => ({}));
    const store = {};
    assert.notEqual(first(store), second(store));
    assert.notEqual(first(undefined), second(undefined));
  });
});
