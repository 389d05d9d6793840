// denoSocketStreams takes any object shaped like a Deno.Conn, so every runtime runs these.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type DenoConn, denoSocketStreams } from "../../src/transport/deno-socket.ts";

// A conn that answers reads from `incoming` (a value, null for the end, an Error to throw) and takes at
// most `writeLimit` bytes per write.
function fakeConn(incoming: (Uint8Array | null | Error)[], writeLimit = Infinity) {
  const written: number[] = [];
  // The length of the buffer each read was given.
  const readSizes: number[] = [];
  let closed = 0;
  const conn: DenoConn = {
    readable: new ReadableStream(),
    writable: new WritableStream(),
    read(buffer) {
      readSizes.push(buffer.length);
      const next = incoming.shift();
      if (next === undefined) return new Promise(() => {});
      if (next instanceof Error) return Promise.reject(next);
      if (next === null) return Promise.resolve(null);
      buffer.set(next);
      return Promise.resolve(next.length);
    },
    write(bytes) {
      if (bytes[0] === 0xee) return Promise.reject(new Error("broken pipe"));
      const n = Math.min(bytes.length, writeLimit);
      written.push(...bytes.subarray(0, n));
      return Promise.resolve(n);
    },
    close: () => void closed++,
  };
  return { conn, written, readSizes, closed: () => closed };
}

function listen(socket: ReturnType<typeof denoSocketStreams>) {
  const chunks: number[][] = [];
  const ended = new Promise<unknown>((resolve) =>
    socket.raw!.listen({ data: (c) => void chunks.push([...c]), end: resolve })
  );
  return { chunks, ended };
}

describe("denoSocketStreams", () => {
  it("pushes what each read returns, as a copy the next read does not overwrite, then ends", async () => {
    const { conn } = fakeConn([Uint8Array.of(1, 2), Uint8Array.of(3), null]);
    const { chunks, ended } = listen(denoSocketStreams(conn));
    assert.equal(await ended, undefined);
    assert.deepEqual(chunks, [[1, 2], [3]]);
  });

  it("reads into 1 KiB first, and four times more after each read that fills it, up to 16 KiB", async () => {
    const sent = Uint8Array.from({ length: 1024 + 4096 + 3 * 16_384 + 5 }, (_, i) => i % 251);
    const reads = [1024, 4096, 16_384, 16_384, 16_384, 5];
    const incoming: (Uint8Array | null)[] = [];
    let at = 0;
    for (const n of reads) incoming.push(sent.subarray(at, at += n));
    incoming.push(null);
    const { conn, readSizes } = fakeConn(incoming);
    const { chunks, ended } = listen(denoSocketStreams(conn));
    assert.equal(await ended, undefined);
    assert.deepEqual(readSizes, [1024, 4096, 16_384, 16_384, 16_384, 16_384, 16_384]);
    assert.deepEqual(chunks.flat(), [...sent]);
  });

  it("keeps its 1 KiB buffer while no read fills it", async () => {
    const { conn, readSizes } = fakeConn([new Uint8Array(300), new Uint8Array(1023), null]);
    await listen(denoSocketStreams(conn)).ended;
    assert.deepEqual(readSizes, [1024, 1024, 1024]);
  });

  it("ends with the error a read throws", async () => {
    const failure = new Error("connection reset");
    const { conn } = fakeConn([Uint8Array.of(1), failure]);
    const { chunks, ended } = listen(denoSocketStreams(conn));
    assert.equal(await ended, failure);
    assert.deepEqual(chunks, [[1]]);
  });

  it("writes every byte, in order, when the conn takes only part of a write", async () => {
    const { conn, written } = fakeConn([], 3);
    const socket = denoSocketStreams(conn);
    listen(socket);
    socket.raw!.write(Uint8Array.of(1, 2, 3, 4, 5, 6, 7));
    socket.raw!.write(Uint8Array.of(8, 9));
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(written, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("a failed write ends the socket with that error and closes the conn once", async () => {
    const { conn, closed } = fakeConn([]);
    const socket = denoSocketStreams(conn);
    const { ended } = listen(socket);
    socket.raw!.write(Uint8Array.of(0xee));
    assert.match(String(await ended), /broken pipe/);
    socket.close();
    assert.equal(closed(), 1);
  });
});
