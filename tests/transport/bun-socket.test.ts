// openBunSocket takes Bun.connect as a parameter, so every runtime runs these against a stand-in; the
// last test opens real sockets where Bun.connect exists.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { MongoAuthError } from "../../src/core/errors.ts";
import {
  type BunConnect,
  type BunSocket,
  type BunSocketHandlers,
  openBunSocket,
} from "../../src/transport/bun-socket.ts";

// A Bun socket whose system buffer has `room` bytes left (setRoom makes more): a write takes what fits
// (-1 once terminated), and the socket records what it took.
function fakeBunSocket(room = Infinity) {
  const written: number[] = [];
  const calls: string[] = [];
  let closed = false;
  const socket: BunSocket = {
    write(bytes) {
      if (closed) return -1;
      const n = Math.min(bytes.length, room);
      room -= n;
      written.push(...bytes.subarray(0, n));
      return n;
    },
    setNoDelay: () => (calls.push("nodelay"), true),
    pause: () => void calls.push("pause"),
    resume: () => void calls.push("resume"),
    end: () => void calls.push("end"),
    terminate: () => {
      closed = true;
      calls.push("terminate");
    },
  };
  return {
    socket,
    written,
    calls,
    setRoom: (n: number) => void (room = n),
  };
}

// Bun.connect's stand-in: resolves with `socket` (or rejects with `failure`) when `open()` is called,
// and keeps the handlers it was given.
function fakeConnect(socket: BunSocket, failure?: unknown) {
  let handlers: BunSocketHandlers | undefined;
  let open!: () => void;
  const connect: BunConnect = ({ socket: given }) => {
    handlers = given;
    return new Promise((resolve, reject) => {
      open = () => (failure === undefined ? resolve(socket) : reject(failure));
    });
  };
  return { connect, open: () => open(), handlers: () => handlers! };
}

const options = (signal = AbortSignal.timeout(5_000)) => ({ host: "db.example.net", port: 27017, signal });

describe("openBunSocket", () => {
  it("opens with no delay, and pushes what arrives, even before the open promise settles", async () => {
    const { socket, calls } = fakeBunSocket();
    const bun = fakeConnect(socket);
    const opening = openBunSocket(options(), bun.connect);
    bun.handlers().data(socket, Uint8Array.of(1, 2));
    bun.open();
    const streams = await opening;
    assert.deepEqual(calls, ["nodelay"]);
    const got: number[] = [];
    const ended = new Promise((end) => streams.raw!.listen({ data: (c) => void got.push(...c), end }));
    bun.handlers().data(socket, Uint8Array.of(3));
    bun.handlers().end(socket);
    assert.equal(await ended, undefined);
    assert.deepEqual(got, [1, 2, 3]);
  });

  it("keeps what the socket did not take, in order, and sends it on drain", async () => {
    const { socket, written, setRoom } = fakeBunSocket(2);
    const bun = fakeConnect(socket);
    const opening = openBunSocket(options(), bun.connect);
    bun.open();
    const raw = (await opening).raw!;
    raw.write(Uint8Array.of(1, 2, 3));
    raw.write(Uint8Array.of(4, 5));
    assert.deepEqual(written, [1, 2]);
    setRoom(2);
    bun.handlers().drain(socket);
    assert.deepEqual(written, [1, 2, 3, 4]);
    setRoom(Infinity);
    bun.handlers().drain(socket);
    assert.deepEqual(written, [1, 2, 3, 4, 5]);
  });

  it("a stream write settles when its bytes are taken, and close ends the socket after them", async () => {
    const { socket, written, calls, setRoom } = fakeBunSocket(0);
    const bun = fakeConnect(socket);
    const opening = openBunSocket(options(), bun.connect);
    bun.open();
    const writer = (await opening).writable.getWriter();
    let settled = false;
    const writing = writer.write(Uint8Array.of(6, 7)).then(() => (settled = true));
    const closing = writer.close();
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(settled, false);
    assert.ok(!calls.includes("end"), "not ended while bytes wait");
    setRoom(Infinity);
    bun.handlers().drain(socket);
    await writing;
    await closing;
    assert.deepEqual(written, [6, 7]);
    assert.equal(calls.at(-1), "end");
  });

  it("fails waiting writes and ends the reader with CONNECTION_CLOSED when the socket errors", async () => {
    const { socket } = fakeBunSocket(0);
    const bun = fakeConnect(socket);
    const opening = openBunSocket(options(), bun.connect);
    bun.open();
    const streams = await opening;
    const writer = streams.writable.getWriter();
    const writing = writer.write(Uint8Array.of(1));
    const ended = new Promise<unknown>((end) => streams.raw!.listen({ data() {}, end }));
    const reset = Object.assign(new Error("ECONNRESET"), { code: "ECONNRESET" });
    bun.handlers().error(socket, reset);
    bun.handlers().close(socket, reset);
    await assert.rejects(writing, reset);
    const err = await ended;
    assert.ok(err instanceof MongoAuthError);
    assert.equal(err.code, "CONNECTION_CLOSED");
    assert.equal(err.cause, reset);
  });

  it("says what a refused connection means, naming host and port", async () => {
    const { socket } = fakeBunSocket();
    const refused = Object.assign(new Error("Failed to connect"), { code: "ECONNREFUSED" });
    const bun = fakeConnect(socket, refused);
    const opening = openBunSocket(options(), bun.connect);
    bun.open();
    await assert.rejects(opening, (err: MongoAuthError) => {
      assert.equal(err.code, "CONNECTION_FAILED");
      assert.match(err.message, /db\.example\.net:27017/);
      assert.match(err.message, /refused/);
      return true;
    });
  });

  it("settles on its signal while the connect hangs, and terminates the socket if it opens later", async () => {
    const { socket, calls } = fakeBunSocket();
    const bun = fakeConnect(socket);
    const controller = new AbortController();
    const opening = openBunSocket(options(controller.signal), bun.connect);
    controller.abort();
    await assert.rejects(opening, (err: MongoAuthError) => err.code === "ABORTED");
    bun.open();
    await new Promise((resolve) => setTimeout(resolve, 0));
    assert.deepEqual(calls, ["terminate"]);
    await assert.rejects(
      openBunSocket(options(AbortSignal.abort()), bun.connect),
      (err: MongoAuthError) => err.code === "ABORTED",
    );
  });

  const bun = (globalThis as { Bun?: { connect: BunConnect } }).Bun;
  const onBun = { skip: bun ? false : "Bun.connect exists on Bun only" };
  it("on Bun: a real echo server gets 4 MiB back intact, more than one write takes", onBun, async () => {
    const server = net.createServer((peer) => peer.pipe(peer));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as net.AddressInfo;
      const streams = await openBunSocket({ host: "127.0.0.1", port, signal: AbortSignal.timeout(5_000) });
      const sent = new Uint8Array(4 * 1024 * 1024).map((_, i) => i % 251);
      let received = 0, mismatches = 0;
      const echoed = new Promise<void>((resolve, reject) =>
        streams.raw!.listen({
          data(chunk) {
            for (const byte of chunk) mismatches += byte === received++ % 251 ? 0 : 1;
            if (received === sent.length) resolve();
          },
          end: (err) => reject(err ?? new Error(`ended after ${received} bytes`)),
        })
      );
      streams.raw!.write(sent);
      await echoed;
      assert.equal(mismatches, 0);
      streams.close();
    } finally {
      server.close();
    }
  });
});
