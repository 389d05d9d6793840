// pushedSocket takes any object that writes, pauses, resumes and ends, so every runtime runs these.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MongoAuthError } from "../../src/core/errors.ts";
import { pushedSocket, type PushingSocket } from "../../src/transport/pushed-socket.ts";

// A socket that records what is done to it; writes report done at once.
function fakeSocket() {
  const calls: string[] = [];
  const written: number[] = [];
  const socket: PushingSocket = {
    write(bytes, done) {
      written.push(...bytes);
      done?.();
    },
    pause: () => void calls.push("pause"),
    resume: () => void calls.push("resume"),
    end: (ended) => (calls.push("end"), ended()),
    destroy: () => void calls.push("destroy"),
  };
  return { socket, calls, written };
}

describe("pushedSocket", () => {
  it("holds chunks and the end that come before anyone listens, then delivers them in order", () => {
    const pushed = pushedSocket(fakeSocket().socket);
    pushed.received(Uint8Array.of(1));
    pushed.received(Uint8Array.of(2, 3));
    pushed.ended();
    const got: number[][] = [];
    let ends = 0;
    pushed.streams.raw!.listen({ data: (c) => void got.push([...c]), end: () => void ends++ });
    assert.deepEqual(got, [[1], [2, 3]]);
    assert.equal(ends, 1);
  });

  it("ends once, as CONNECTION_CLOSED with the runtime's error as cause, and drops what comes after", () => {
    const pushed = pushedSocket(fakeSocket().socket);
    const got: number[] = [];
    const ends: unknown[] = [];
    pushed.streams.raw!.listen({ data: (c) => void got.push(...c), end: (err) => void ends.push(err) });
    const reset = new Error("read ECONNRESET");
    pushed.ended(reset);
    pushed.ended();
    pushed.received(Uint8Array.of(9));
    assert.equal(ends.length, 1);
    assert.ok(ends[0] instanceof MongoAuthError);
    assert.equal((ends[0] as MongoAuthError).code, "CONNECTION_CLOSED");
    assert.equal((ends[0] as MongoAuthError).cause, reset);
    assert.deepEqual(got, []);
  });

  it("writes raw bytes through the socket, and close destroys it", () => {
    const { socket, calls, written } = fakeSocket();
    const pushed = pushedSocket(socket);
    pushed.streams.raw!.write(Uint8Array.of(4, 5));
    pushed.streams.close();
    assert.deepEqual(written, [4, 5]);
    assert.deepEqual(calls, ["destroy"]);
  });

  it("reads as a Web Stream, pausing the socket while the reader lags and resuming when it reads", async () => {
    const { socket, calls } = fakeSocket();
    const pushed = pushedSocket(socket);
    const reader = pushed.streams.readable.getReader();
    for (let i = 0; i < 8; i++) pushed.received(Uint8Array.of(i));
    assert.ok(calls.includes("pause"), "eight unread chunks fill the stream's queue");
    assert.deepEqual([...(await reader.read()).value!], [0]);
    assert.equal(calls.at(-1), "resume");
    pushed.ended();
    let count = 1;
    while (!(await reader.read()).done) count++;
    assert.equal(count, 8);
  });

  it("writes as a Web Stream, each write settling with the socket's report, and closes by ending", async () => {
    const { socket, calls, written } = fakeSocket();
    const writer = pushedSocket(socket).streams.writable.getWriter();
    await writer.write(Uint8Array.of(7));
    await writer.close();
    assert.deepEqual(written, [7]);
    assert.equal(calls.at(-1), "end");
  });

  it("a failed write rejects the stream's write", async () => {
    const { socket } = fakeSocket();
    const broken = new Error("EPIPE");
    socket.write = (_bytes, done) => done?.(broken);
    const writer = pushedSocket(socket).streams.writable.getWriter();
    await assert.rejects(writer.write(Uint8Array.of(1)), broken);
  });
});
