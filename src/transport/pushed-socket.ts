/**
 * A socket whose runtime pushes what it receives (`node:net`'s `data` events, the `data` handler of
 * `Bun.connect`) as `WireConnection` takes it: the chunks straight to the wire's frame parser (`raw`),
 * or Web Streams for whoever asks for them. One shape for the Node.js and Bun sockets, which differ only
 * in how they write, pause and end.
 *
 * @module
 */
import { MongoAuthError } from "../core/errors.ts";
import type { RawSocket, SocketReceiver } from "../wire/raw-socket.ts";
import type { SocketStreams } from "../wire/wire-connection.ts";

/** What a runtime's pushing socket must do for {@link pushedSocket}. */
export interface PushingSocket {
  /** Sends `bytes` in order; `written` runs once they are handed to the system, or with the failure. */
  write(bytes: Uint8Array, written?: (err?: unknown) => void): void;
  /** Stops delivering chunks until {@link resume} (the readable stream's backpressure). */
  pause(): void;
  /** Delivers chunks again. */
  resume(): void;
  /** Ends our side once everything written has gone, then calls `ended`. */
  end(ended: () => void): void;
  /** Closes at once; idempotent. */
  destroy(): void;
}

/** A pushing socket's streams, and the two calls its runtime's events make. */
export interface PushedSocket {
  /** What `openSocket` hands back. */
  readonly streams: SocketStreams;
  /** A chunk arrived; its memory is the chunk's own. */
  received(chunk: Uint8Array): void;
  /** The socket is done: `err` when it failed. Later calls are ignored. */
  ended(err?: unknown): void;
}

/**
 * Wraps a runtime's pushing socket. Its events are to be attached at once (so that nothing the peer does
 * before a consumer arrives, a reset right after connecting, goes unseen): until a consumer listens,
 * chunks and the end are held.
 *
 * @param socket the runtime's socket
 * @returns the streams, and where the socket's `data`, `end`, `close` and `error` events go
 *
 * @example A socket that has received one chunk and closed
 * ```ts
 * import assert from "node:assert/strict";
 * import { pushedSocket } from "./pushed-socket.ts";
 *
 * const socket = pushedSocket({ write() {}, pause() {}, resume() {}, end: (ended) => ended(), destroy() {} });
 * socket.received(new Uint8Array([1, 2]));
 * socket.ended();
 * const got: number[] = [];
 * socket.streams.raw!.listen({ data: (chunk) => void got.push(...chunk), end() {} });
 * assert.deepEqual(got, [1, 2]);
 * ```
 */
export function pushedSocket(socket: PushingSocket): PushedSocket {
  let receiver: SocketReceiver | undefined;
  const early: Uint8Array[] = [];
  let end: { err?: unknown } | undefined;
  const raw: RawSocket = {
    listen(given) {
      receiver = given;
      for (const chunk of early.splice(0)) given.data(chunk);
      if (end) given.end(end.err);
    },
    write(bytes) {
      socket.write(bytes);
    },
  };
  let streams: Pick<SocketStreams, "readable" | "writable"> | undefined;
  return {
    streams: {
      raw,
      get readable() {
        return (streams ??= webStreams(socket, raw)).readable;
      },
      get writable() {
        return (streams ??= webStreams(socket, raw)).writable;
      },
      close: () => socket.destroy(),
    },
    received(chunk) {
      if (end) return;
      if (receiver) receiver.data(chunk);
      else early.push(chunk);
    },
    ended(err) {
      if (end) return;
      end = { err: err === undefined ? undefined : closedByError(err) };
      receiver?.end(end.err);
    },
  };
}

function closedByError(err: unknown): MongoAuthError {
  return new MongoAuthError("CONNECTION_CLOSED", "socket error", { cause: err });
}

// Web Streams over the socket, with backpressure: the socket pauses while the reader lags.
function webStreams(socket: PushingSocket, raw: RawSocket): Pick<SocketStreams, "readable" | "writable"> {
  const readable = new ReadableStream<Uint8Array>({
    start(controller) {
      raw.listen({
        data(chunk) {
          controller.enqueue(chunk);
          if ((controller.desiredSize ?? 1) <= 0) socket.pause();
        },
        end(err) {
          if (err === undefined) controller.close();
          else controller.error(err);
        },
      });
    },
    pull() {
      socket.resume();
    },
    cancel() {
      socket.destroy();
    },
  }, { highWaterMark: 8 });
  const writable = new WritableStream<Uint8Array>({
    write: (chunk) =>
      new Promise<void>((resolve, reject) => socket.write(chunk, (err) => (err ? reject(err) : resolve()))),
    close: () => new Promise<void>((resolve) => socket.end(resolve)),
    abort: () => socket.destroy(),
  });
  return { readable, writable };
}
