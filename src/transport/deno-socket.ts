/**
 * A `Deno.Conn` as `WireConnection` takes it: a read loop on the conn pushes each chunk to the wire's
 * frame parser (no stream reader in between), and writes go out in order with `conn.write`. The conn's
 * own Web Streams are handed out to whoever asks for them instead.
 *
 * @module
 */
import { pooledCopy } from "../wire/pooled-bytes.ts";
import type { RawSocket, SocketReceiver } from "../wire/raw-socket.ts";
import type { SocketStreams } from "../wire/wire-connection.ts";
import { socketStreams } from "./socket.ts";
import type { HandshakeChannel } from "./socks5.ts";

/** The slice of a `Deno.Conn` (TCP or TLS) used here, typed locally (tsc has no Deno types). */
export interface DenoConn {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  read(buffer: Uint8Array): Promise<number | null>;
  write(bytes: Uint8Array): Promise<number>;
  close(): void;
  setNoDelay?(noDelay?: boolean): void;
  setKeepAlive?(keepAlive?: boolean): void;
  handshake?(): Promise<unknown>;
}

// Replies of an authentication handshake are a few hundred bytes: a connection reads into 1 KiB first, and
// into four times more (up to 16 KiB) after each read that fills its buffer. A typed array costs Deno a
// microsecond to allocate, and three for 16 KiB.
const FIRST_READ_BYTES = 1024;
const MAX_READ_BYTES = 16 * 1024;

/**
 * The conn as pushed chunks (`raw`) and, when asked for, its Web Streams; `close` runs once and never
 * fails.
 *
 * @param conn the connection
 * @returns what `WireConnection` takes
 *
 * @example A conn that has sent everything it will send
 * ```ts
 * import assert from "node:assert/strict";
 * import { denoSocketStreams } from "./deno-socket.ts";
 *
 * const chunks = [new Uint8Array([1, 2])];
 * const conn = {
 *   readable: new ReadableStream<Uint8Array>(),
 *   writable: new WritableStream<Uint8Array>(),
 *   read: (buffer: Uint8Array) => {
 *     const chunk = chunks.shift();
 *     if (!chunk) return Promise.resolve(null);
 *     buffer.set(chunk);
 *     return Promise.resolve(chunk.length);
 *   },
 *   write: (bytes: Uint8Array) => Promise.resolve(bytes.length),
 *   close: () => {},
 * };
 * const received: number[] = [];
 * await new Promise((ended) =>
 *   denoSocketStreams(conn).raw!.listen({ data: (c) => void received.push(...c), end: ended })
 * );
 * assert.deepEqual(received, [1, 2]);
 * ```
 */
export function denoSocketStreams(conn: DenoConn): SocketStreams {
  const streams = socketStreams({
    get readable() {
      return conn.readable;
    },
    get writable() {
      return conn.writable;
    },
    close: () => conn.close(),
  });
  let receiver: SocketReceiver | undefined;
  let ended = false;
  const end = (err?: unknown) => {
    if (ended) return;
    ended = true;
    receiver?.end(err);
  };
  let writing = Promise.resolve();
  const raw: RawSocket = {
    listen(given) {
      receiver = given;
      void readLoop(conn, given, end, () => ended);
    },
    write(bytes) {
      writing = writing.then(() => writeAll(conn, bytes)).catch((err) => {
        end(err);
        streams.close();
      });
    },
  };
  return {
    raw,
    get readable() {
      return streams.readable;
    },
    get writable() {
      return streams.writable;
    },
    close: streams.close,
  };
}

async function readLoop(
  conn: DenoConn,
  receiver: SocketReceiver,
  end: (err?: unknown) => void,
  isEnded: () => boolean,
): Promise<void> {
  let buffer = new Uint8Array(FIRST_READ_BYTES);
  try {
    for (;;) {
      const n = await conn.read(buffer);
      if (n === null || isEnded()) return end();
      // A copy: the buffer is read into again, and the parser may hold a chunk that ends mid-frame.
      if (n > 0) receiver.data(pooledCopy(buffer.subarray(0, n)));
      if (n === buffer.length && n < MAX_READ_BYTES) buffer = new Uint8Array(4 * n);
    }
  } catch (err) {
    end(err);
  }
}

/**
 * The conn as the SOCKS5 handshake reads and writes it, before the wire takes it over.
 *
 * @param conn the connection to the proxy
 * @returns reads of what arrived (`null` once the proxy closed), and whole writes
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { denoChannel } from "./deno-socket.ts";
 *
 * const written: number[] = [];
 * const conn = {
 *   readable: new ReadableStream<Uint8Array>(),
 *   writable: new WritableStream<Uint8Array>(),
 *   read: (buffer: Uint8Array) => (buffer.set([5, 0]), Promise.resolve(2)),
 *   write: (bytes: Uint8Array) => (written.push(...bytes), Promise.resolve(bytes.length)),
 *   close: () => {},
 * };
 * const channel = denoChannel(conn);
 * await channel.write(new Uint8Array([5, 1, 0]));
 * assert.deepEqual([...(await channel.read())!], [5, 0]);
 * assert.deepEqual(written, [5, 1, 0]);
 * ```
 */
export function denoChannel(conn: DenoConn): HandshakeChannel {
  const buffer = new Uint8Array(512);
  return {
    read: async () => {
      const n = await conn.read(buffer);
      return n === null ? null : buffer.slice(0, n);
    },
    write: (bytes) => writeAll(conn, bytes),
  };
}

// conn.write may take only part of the bytes.
async function writeAll(conn: DenoConn, bytes: Uint8Array): Promise<void> {
  for (let written = 0; written < bytes.length;) written += await conn.write(bytes.subarray(written));
}
