/**
 * Plain TCP sockets from `Bun.connect` for the Bun transport: in a pool warm-up of 100 connections they
 * cost 10–14 % less main-thread CPU than Bun's `node:net` (bench/README.md, section 4). TLS stays with
 * `node:tls` (./node-socket.ts), whose options, certificate checks and handshake details this library's
 * TLS settings are written for.
 *
 * @module
 */
import { abortError, onAbort } from "../core/abort.ts";
import type { OpenSocketOptions } from "../client/transport.ts";
import type { SocketStreams } from "../wire/wire-connection.ts";
import { pushedSocket } from "./pushed-socket.ts";
import { socketError } from "./socket.ts";

/** The slice of a `Bun.connect` socket used here, typed locally (tsc has no Bun types). */
export interface BunSocket {
  /** Bytes taken by the system, fewer than given when its buffer is full, -1 once closed. */
  write(bytes: Uint8Array): number;
  setNoDelay?(noDelay?: boolean): boolean;
  pause(): void;
  resume(): void;
  end(): void;
  terminate(): void;
}

/** `Bun.connect`'s handlers, each called with the socket first. */
export interface BunSocketHandlers {
  data(socket: BunSocket, chunk: Uint8Array): void;
  drain(socket: BunSocket): void;
  end(socket: BunSocket): void;
  close(socket: BunSocket, err?: unknown): void;
  error(socket: BunSocket, err: unknown): void;
}

/** `Bun.connect` as called here. */
export type BunConnect = (options: {
  hostname: string;
  port: number;
  socket: BunSocketHandlers;
}) => Promise<BunSocket>;

/**
 * Opens a TCP socket with `Bun.connect` and hands it back as pushed chunks (`raw`, what
 * `WireConnection` reads) and Web Streams (made when asked for).
 *
 * @param options host, port and the signal that bounds opening (`tls` must be absent)
 * @param connect `Bun.connect`, or a stand-in in tests
 * @returns the socket's streams
 * @throws {MongoAuthError} `CONNECTION_FAILED`, `TIMEOUT`, `ABORTED`
 *
 * @example
 * ```ts ignore
 * import { openBunSocket } from "./bun-socket.ts";
 *
 * const socket = await openBunSocket({ host: "127.0.0.1", port: 27017, signal: AbortSignal.timeout(5_000) });
 * socket.close();
 * ```
 */
export function openBunSocket(
  { host, port, signal }: Omit<OpenSocketOptions, "tls">,
  connect: BunConnect = (globalThis as unknown as { Bun: { connect: BunConnect } }).Bun.connect,
): Promise<SocketStreams> {
  const where = `connecting to ${host}:${port}`;
  if (signal.aborted) return Promise.reject(abortError(signal, where));
  // Made before the socket opens, so that no event of the new socket finds it missing.
  let opened: BunSocket | undefined;
  const writes = new PendingWrites();
  const pushed = pushedSocket({
    write: (bytes, written) => writes.write(opened!, bytes, written),
    pause: () => opened!.pause(),
    resume: () => opened!.resume(),
    end: (ended) => writes.end(opened!, ended),
    destroy: () => opened!.terminate(),
  });
  const closed = (err?: unknown) => {
    writes.fail(err ?? new Error("socket closed"));
    pushed.ended(err);
  };
  const handlers: BunSocketHandlers = {
    data: (_socket, chunk) => pushed.received(chunk),
    drain: (socket) => writes.flush(socket),
    end: () => pushed.ended(),
    close: (_socket, err) => closed(err),
    error: (_socket, err) => closed(err),
  };
  return new Promise<SocketStreams>((resolve, reject) => {
    let abandoned = false;
    const stopListening = onAbort(signal, () => {
      abandoned = true;
      reject(abortError(signal, where));
    });
    connect({ hostname: host, port, socket: handlers }).then((socket) => {
      stopListening();
      if (abandoned) return socket.terminate();
      socket.setNoDelay?.(true);
      opened = socket;
      resolve(pushed.streams);
    }, (err) => {
      stopListening();
      if (!abandoned) reject(socketError(err, host, port, false));
    });
  });
}

type Written = ((err?: unknown) => void) | undefined;

// What Bun's socket did not take yet: `write` takes what fits in the system's buffer and `drain` says
// when there is room again. Bytes are queued in order and sent on each drain.
class PendingWrites {
  #queue: { bytes: Uint8Array; written: Written }[] = [];
  #ending: (() => void) | undefined;
  #failed: unknown;

  write(socket: BunSocket, bytes: Uint8Array, written: Written): void {
    if (this.#failed !== undefined) return written?.(this.#failed);
    if (this.#queue.length > 0) return void this.#queue.push({ bytes, written });
    const sent = socket.write(bytes);
    if (sent < 0) {
      this.fail(new Error("socket closed"));
      return written?.(this.#failed);
    }
    if (sent === bytes.length) return written?.();
    this.#queue.push({ bytes: bytes.subarray(sent), written });
  }

  flush(socket: BunSocket): void {
    while (this.#queue.length > 0) {
      const next = this.#queue[0]!;
      const sent = socket.write(next.bytes);
      if (sent < 0) return this.fail(new Error("socket closed"));
      if (sent < next.bytes.length) return void (next.bytes = next.bytes.subarray(sent));
      this.#queue.shift();
      next.written?.();
    }
    if (this.#ending) this.end(socket, this.#ending);
  }

  end(socket: BunSocket, ended: () => void): void {
    if (this.#queue.length > 0) return void (this.#ending = ended);
    this.#ending = undefined;
    socket.end();
    ended();
  }

  fail(err: unknown): void {
    this.#failed ??= err;
    for (const { written } of this.#queue.splice(0)) written?.(this.#failed);
    const ending = this.#ending;
    this.#ending = undefined;
    ending?.();
  }
}
