// An in-memory socket: the client side is what a transport would return, either Web Streams only (as
// Workers' sockets) or with the pushed `raw` side too (as Node's, Bun's and Deno's); the peer side lets a
// test play the server byte by byte (answer, stall, send garbage, close).
import { BSON } from "bson";
import type { RawSocket, SocketReceiver } from "../../src/wire/raw-socket.ts";
import type { SocketStreams } from "../../src/wire/wire-connection.ts";

/** How the client side reads: through the streams (`rawFromStreams`), or pushed (`raw`). */
export type SocketKind = "streams" | "raw";

export interface Peer {
  /** Bytes the client wrote, as whole writes. */
  readonly written: Uint8Array[];
  /** Resolves with the next write of the client. */
  nextWrite(): Promise<Uint8Array>;
  /** Sends raw bytes to the client. */
  send(bytes: Uint8Array): void;
  /** Ends the client's readable side. */
  end(): void;
  /** Fails the client's readable side with `err`, as a connection reset does. */
  fail(err: unknown): void;
  /** Whether the client closed the socket. */
  readonly closed: boolean;
}

export function memorySocket(kind: SocketKind = "streams"): { socket: SocketStreams; peer: Peer } {
  const written: Uint8Array[] = [];
  // Writes not yet claimed by nextWrite: a pushing socket writes before the test asks for the write.
  const unclaimed: Uint8Array[] = [];
  const waiters: ((b: Uint8Array) => void)[] = [];
  const received = (chunk: Uint8Array) => {
    const copy = chunk.slice();
    written.push(copy);
    const waiter = waiters.shift();
    if (waiter) waiter(copy);
    else unclaimed.push(copy);
  };
  let closed = false;
  let ended = false;
  const client = kind === "raw" ? rawClient(received) : streamsClient(received);
  const end = (err?: unknown) => {
    if (ended) return;
    ended = true;
    client.end(err);
  };
  const socket = client.socket(() => {
    closed = true;
    end();
  });
  const peer: Peer = {
    written,
    nextWrite: () => {
      const write = unclaimed.shift();
      return write ? Promise.resolve(write) : new Promise((resolve) => waiters.push(resolve));
    },
    send: (bytes) => {
      if (!ended) client.send(bytes);
    },
    end: () => end(),
    fail: (err) => end(err ?? new Error("failed")),
    get closed() {
      return closed;
    },
  };
  return { socket, peer };
}

interface ClientSide {
  socket(close: () => void): SocketStreams;
  send(bytes: Uint8Array): void;
  end(err?: unknown): void;
}

function streamsClient(received: (chunk: Uint8Array) => void): ClientSide {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const readable = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  const writable = new WritableStream<Uint8Array>({ write: received });
  return {
    socket: (close) => ({ readable, writable, close }),
    send: (bytes) => controller.enqueue(bytes),
    end: (err) => (err === undefined ? controller.close() : controller.error(err)),
  };
}

// Chunks sent before the client listens are held, as a runtime's socket buffers them.
function rawClient(received: (chunk: Uint8Array) => void): ClientSide {
  let receiver: SocketReceiver | undefined;
  const early: Uint8Array[] = [];
  let endedEarly: { err?: unknown } | undefined;
  const raw: RawSocket = {
    listen(given) {
      receiver = given;
      for (const chunk of early.splice(0)) given.data(chunk);
      if (endedEarly) given.end(endedEarly.err);
    },
    write: received,
  };
  return {
    socket: (close) => ({
      raw,
      get readable(): ReadableStream<Uint8Array> {
        throw new Error("a raw memory socket has no streams");
      },
      get writable(): WritableStream<Uint8Array> {
        throw new Error("a raw memory socket has no streams");
      },
      close,
    }),
    send: (bytes) => (receiver ? receiver.data(bytes) : early.push(bytes)),
    end: (err) => (receiver ? receiver.end(err) : (endedEarly = { err })),
  };
}

/** An OP_MSG reply to `requestBytes` carrying `body`. */
export function replyTo(
  requestBytes: Uint8Array,
  body: Record<string, unknown>,
  opts: { responseTo?: number } = {},
) {
  const requestId = new DataView(requestBytes.buffer, requestBytes.byteOffset).getInt32(4, true);
  const doc = BSON.serialize(body);
  const out = new Uint8Array(21 + doc.length);
  const view = new DataView(out.buffer);
  view.setInt32(0, out.length, true);
  view.setInt32(4, 9000 + requestId, true);
  view.setInt32(8, opts.responseTo ?? requestId, true);
  view.setInt32(12, 2013, true);
  out.set(doc, 21);
  return out;
}

/** The body of an OP_MSG the client wrote. */
export function requestBody(bytes: Uint8Array): Record<string, unknown> {
  return BSON.deserialize(bytes.subarray(21));
}
