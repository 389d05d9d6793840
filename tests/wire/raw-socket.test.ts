import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { rawFromStreams, type SocketReceiver } from "../../src/wire/raw-socket.ts";

// Listens and collects: the chunks in order, and how the socket ended.
function listenTo(raw: ReturnType<typeof rawFromStreams>): { chunks: number[][]; ended: Promise<unknown> } {
  const chunks: number[][] = [];
  const ended = new Promise<unknown>((resolve) => {
    const receiver: SocketReceiver = { data: (chunk) => void chunks.push([...chunk]), end: resolve };
    raw.listen(receiver);
  });
  return { chunks, ended };
}

describe("rawFromStreams", () => {
  it("pushes each chunk of the readable side in order, then ends without an error", async () => {
    const readable = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(Uint8Array.of(1, 2));
        c.enqueue(Uint8Array.of(3));
        c.close();
      },
    });
    const { chunks, ended } = listenTo(rawFromStreams({ readable, writable: new WritableStream() }));
    assert.equal(await ended, undefined);
    assert.deepEqual(chunks, [[1, 2], [3]]);
  });

  it("ends with the readable side's error", async () => {
    const failure = new Error("reset by peer");
    const readable = new ReadableStream<Uint8Array>({ start: (c) => c.error(failure) });
    const { ended } = listenTo(rawFromStreams({ readable, writable: new WritableStream() }));
    assert.equal(await ended, failure);
  });

  it("writes in order, and a failed write ends the socket with CONNECTION_CLOSED, once", async () => {
    const written: number[][] = [];
    const writable = new WritableStream<Uint8Array>({
      write(chunk) {
        if (chunk[0] === 9) throw new Error("broken pipe");
        written.push([...chunk]);
      },
    });
    const raw = rawFromStreams({ readable: new ReadableStream(), writable });
    let ends = 0;
    const ended = new Promise<unknown>((resolve) =>
      raw.listen({
        data: () => {},
        end: (err) => {
          ends++;
          resolve(err);
        },
      })
    );
    raw.write(Uint8Array.of(1));
    raw.write(Uint8Array.of(2));
    raw.write(Uint8Array.of(9));
    raw.write(Uint8Array.of(3));
    const err = await ended;
    assert.deepEqual(written, [[1], [2]]);
    assert.equal((err as { code?: string }).code, "CONNECTION_CLOSED");
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(ends, 1);
  });
});
