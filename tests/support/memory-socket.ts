// An in-memory socket: the client side is the SocketStreams a transport would return; the peer side
// lets a test play the server byte by byte (answer, stall, send garbage, close).
import { BSON } from "bson";
import type { SocketStreams } from "../../src/wire/wire-connection.ts";

export interface Peer {
  /** Bytes the client wrote, as whole writes. */
  readonly written: Uint8Array[];
  /** Resolves with the next write of the client. */
  nextWrite(): Promise<Uint8Array>;
  /** Sends raw bytes to the client. */
  send(bytes: Uint8Array): void;
  /** Ends the client's readable side. */
  end(): void;
  /** Whether the client closed the socket. */
  readonly closed: boolean;
}

export function memorySocket(): { socket: SocketStreams; peer: Peer } {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const written: Uint8Array[] = [];
  const waiters: ((b: Uint8Array) => void)[] = [];
  let closed = false;
  let ended = false;
  const readable = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  const writable = new WritableStream<Uint8Array>({
    write(chunk) {
      const copy = chunk.slice();
      written.push(copy);
      waiters.shift()?.(copy);
    },
  });
  const end = () => {
    if (ended) return;
    ended = true;
    controller.close();
  };
  const socket: SocketStreams = {
    readable,
    writable,
    close() {
      closed = true;
      end();
    },
  };
  const peer: Peer = {
    written,
    nextWrite: () => new Promise((resolve) => waiters.push(resolve)),
    send: (bytes) => {
      if (!ended) controller.enqueue(bytes);
    },
    end,
    get closed() {
      return closed;
    },
  };
  return { socket, peer };
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
