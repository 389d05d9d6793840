/**
 * A socket as `WireConnection` drives it: bytes pushed to a receiver as they arrive, bytes written
 * without waiting. Node.js and Bun sockets push (`data` events) and Deno's read loop does too, so their
 * transports hand one over beside the Web Streams; a socket that only has streams (Cloudflare Workers, a
 * transport of your own) is read by {@link rawFromStreams}, a read loop over its reader.
 *
 * @module
 */
import { MongoAuthError } from "../core/errors.ts";

/**
 * Where a {@link RawSocket} delivers what happens to it.
 *
 * @example A receiver that collects bytes
 * ```ts
 * import type { SocketReceiver } from "@mongo-auth/core";
 *
 * const received: Uint8Array[] = [];
 * const receiver: SocketReceiver = {
 *   data: (chunk) => void received.push(chunk),
 *   end: (err) => console.log(err === undefined ? "closed" : "failed"),
 * };
 * void receiver;
 * ```
 */
export interface SocketReceiver {
  /** A chunk received, in order. The socket never reuses its memory. */
  data(chunk: Uint8Array): void;
  /** The socket is done, once and last: `err` when it failed (reading or writing), none when it closed. */
  end(err?: unknown): void;
}

/**
 * A socket without Web Streams: what it receives is pushed to one {@link SocketReceiver}, and what is
 * written goes out without a promise per write (a failure ends the socket instead).
 *
 * @example A socket that echoes what is written
 * ```ts
 * import assert from "node:assert/strict";
 * import type { RawSocket, SocketReceiver } from "@mongo-auth/core";
 *
 * let receiver: SocketReceiver | undefined;
 * const echo: RawSocket = {
 *   listen: (r) => void (receiver = r),
 *   write: (bytes) => receiver?.data(bytes.slice()),
 * };
 * const got: number[] = [];
 * echo.listen({ data: (chunk) => void got.push(...chunk), end: () => {} });
 * echo.write(new Uint8Array([1, 2]));
 * assert.deepEqual(got, [1, 2]);
 * ```
 */
export interface RawSocket {
  /**
   * Starts delivering to `receiver`; call it once. Chunks that arrived before are delivered first, and
   * an end that came before is delivered then.
   */
  listen(receiver: SocketReceiver): void;
  /** Sends `bytes` (one write, so a message is never split by this side). Failures end the socket. */
  write(bytes: Uint8Array): void;
}

/**
 * A {@link RawSocket} over a pair of Web Streams: a read loop on the reader that pushes each chunk, and
 * writes in order through the writer. For runtimes whose sockets only offer streams.
 *
 * @param streams the socket's streams
 * @returns the raw socket; its end follows the readable side's, or the first failed write
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rawFromStreams } from "./raw-socket.ts";
 *
 * const readable = new ReadableStream<Uint8Array>({
 *   start(controller) {
 *     controller.enqueue(new Uint8Array([1]));
 *     controller.close();
 *   },
 * });
 * const raw = rawFromStreams({ readable, writable: new WritableStream<Uint8Array>() });
 * const ended = new Promise<unknown>((resolve) => raw.listen({ data: () => {}, end: resolve }));
 * assert.equal(await ended, undefined);
 * ```
 */
export function rawFromStreams(
  streams: { readonly readable: ReadableStream<Uint8Array>; readonly writable: WritableStream<Uint8Array> },
): RawSocket {
  const writer = streams.writable.getWriter();
  writer.closed.catch(() => {});
  let receiver: SocketReceiver | undefined;
  let ended: { err?: unknown } | undefined;
  const end = (err?: unknown) => {
    if (ended) return;
    ended = { err };
    receiver?.end(err);
  };
  const readLoop = async (reader: ReadableStreamDefaultReader<Uint8Array>) => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done || ended) return end();
        receiver!.data(value);
      }
    } catch (err) {
      end(err);
    } finally {
      reader.releaseLock?.();
    }
  };
  return {
    listen(given) {
      receiver = given;
      if (ended) given.end(ended.err);
      else void readLoop(streams.readable.getReader());
    },
    write(bytes) {
      writer.write(bytes).catch((err) =>
        end(new MongoAuthError("CONNECTION_CLOSED", "connection closed while sending", { cause: err }))
      );
    },
  };
}
