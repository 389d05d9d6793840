// readBounded: a stream read whole, or given up (and cancelled) the moment it passes its bound.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readBounded } from "../../src/core/read-bounded.ts";

// A stream of `chunks`, recording whether it was cancelled and how many chunks were pulled.
function chunkStream(chunks: number[][]) {
  const state = { cancelled: false, pulled: 0 };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (state.pulled === chunks.length) return controller.close();
      controller.enqueue(Uint8Array.from(chunks[state.pulled++]));
    },
    cancel() {
      state.cancelled = true;
    },
  }, { highWaterMark: 0 });
  return { reader: stream.getReader(), state };
}

describe("readBounded", () => {
  it("joins the chunks of a stream within its bound, exactly at the bound included", async () => {
    for (const limit of [5, 6, Infinity]) {
      const { reader } = chunkStream([[1, 2], [3], [], [4, 5]]);
      assert.deepEqual(await readBounded(reader, limit), Uint8Array.of(1, 2, 3, 4, 5));
    }
    assert.deepEqual(await readBounded(chunkStream([]).reader, 0), new Uint8Array(0));
    assert.deepEqual(await readBounded(chunkStream([[7, 8]]).reader, 2), Uint8Array.of(7, 8));
  });

  it("stops at the first chunk past the bound: undefined, the stream cancelled, the rest never pulled", async () => {
    const { reader, state } = chunkStream([[1, 2], [3, 4], [5, 6], [7, 8]]);
    assert.equal(await readBounded(reader, 3), undefined);
    assert.equal(state.cancelled, true);
    assert.equal(state.pulled, 2);
  });

  it("passes on what reading throws", async () => {
    const failing = new ReadableStream<Uint8Array>({
      pull: () => Promise.reject(new TypeError("corrupt")),
    });
    await assert.rejects(readBounded(failing.getReader(), 10), { name: "TypeError", message: "corrupt" });
  });
});
