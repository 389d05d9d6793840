/**
 * Splits the bytes a socket pushes into MongoDB wire messages, as they arrive: no stream reader, no
 * promise per chunk. Memory grows only with bytes actually received: a header claiming a huge length is
 * rejected against `maxMessageSizeBytes` before any buffer is sized by it.
 *
 * @module
 */
import { MongoAuthError } from "../core/errors.ts";
import { awaitsHeader, foreignProtocolError } from "./foreign-protocol.ts";
import { HEADER_SIZE } from "./op-msg.ts";

/** The default `maxMessageSizeBytes` of mongod (48 MB), used until the server says otherwise. */
export const DEFAULT_MAX_MESSAGE_SIZE = 48_000_000;

/**
 * A push parser of wire frames: feed it every chunk the socket receives with {@link FrameParser.push},
 * and it calls `onFrame` with each whole frame (header included), synchronously, in order.
 *
 * @example Two frames in three chunks, one split inside its length prefix
 * ```ts
 * import assert from "node:assert/strict";
 * import { FrameParser } from "./frame-parser.ts";
 *
 * const frame = (length: number) => {
 *   const bytes = new Uint8Array(length);
 *   new DataView(bytes.buffer).setInt32(0, length, true);
 *   return bytes;
 * };
 * const bytes = new Uint8Array([...frame(20), ...frame(30)]);
 * const lengths: number[] = [];
 * const parser = new FrameParser(() => 1000, "db.example:27017", (f) => lengths.push(f.length));
 * for (const chunk of [bytes.subarray(0, 2), bytes.subarray(2, 25), bytes.subarray(25)]) parser.push(chunk);
 * parser.end();
 * assert.deepEqual(lengths, [20, 30]);
 * ```
 */
export class FrameParser {
  readonly #maxMessageSize: () => number;
  readonly #peer: string;
  readonly #onFrame: (frame: Uint8Array) => void;
  readonly #chunks: Uint8Array[] = [];
  #buffered = 0;
  #first = true;

  /**
   * @param maxMessageSize returns the current limit (it may change after hello)
   * @param peer `host:port`, for messages
   * @param onFrame receives each whole frame; what it throws, {@link FrameParser.push} throws
   */
  constructor(maxMessageSize: () => number, peer: string, onFrame: (frame: Uint8Array) => void) {
    this.#maxMessageSize = maxMessageSize;
    this.#peer = peer;
    this.#onFrame = onFrame;
  }

  /**
   * Takes the next chunk and delivers every frame it completes. The parser keeps a reference to a chunk
   * that ends inside a frame: the caller must not reuse its memory.
   *
   * @param chunk bytes as received
   * @throws {MongoAuthError} `MESSAGE_TOO_LARGE`, `PROTOCOL_ERROR` (a length below the header size, or a
   *   first reply in another protocol such as HTTP), `TLS_ERROR` (a first reply in TLS); whatever
   *   `onFrame` throws
   */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    while (this.#buffered >= 4) {
      if (this.#first) {
        const head = take(this.#chunks, Math.min(this.#buffered, HEADER_SIZE), false);
        if (awaitsHeader(head)) return;
        const foreign = foreignProtocolError(head, this.#peer);
        if (foreign) throw foreign;
        this.#first = false;
      }
      const expected = frameLength(this.#chunks, this.#maxMessageSize(), this.#peer);
      if (this.#buffered < expected) return;
      const frame = take(this.#chunks, expected);
      this.#buffered -= expected;
      this.#onFrame(frame);
    }
  }

  /**
   * The socket ended: fine between frames, an error inside one.
   *
   * @throws {MongoAuthError} `CONNECTION_CLOSED` when bytes of an unfinished frame are buffered;
   *   `TLS_ERROR` when they were all the peer sent, and are a TLS record
   */
  end(): void {
    if (this.#buffered === 0) return;
    // All a TLS server sends a plain client is an alert, shorter than a message header.
    if (this.#first) {
      const foreign = foreignProtocolError(take(this.#chunks, this.#buffered, false), this.#peer);
      if (foreign) throw foreign;
    }
    throw new MongoAuthError(
      "CONNECTION_CLOSED",
      `${this.#peer} closed the connection in the middle of a message`,
    );
  }
}

// A message length is an int32, and a message holds at least its header.
function frameLength(chunks: Uint8Array[], max: number, peer: string): number {
  const head = chunks[0].length >= 4 ? chunks[0] : take(chunks, 4, false);
  const length = head[0] | (head[1] << 8) | (head[2] << 16) | (head[3] << 24);
  if (length < HEADER_SIZE) {
    throw new MongoAuthError(
      "PROTOCOL_ERROR",
      `${peer} sent an invalid message length, ${length} (a message holds at least its ${HEADER_SIZE}-byte ` +
        "header): it does not speak MongoDB's wire protocol, or the stream is corrupt; check that the port " +
        "is a MongoDB server's, and connect again",
    );
  }
  if (length > max) {
    throw new MongoAuthError(
      "MESSAGE_TOO_LARGE",
      `${peer} sent a message of ${length} bytes, more than maxMessageSizeBytes (${max})`,
    );
  }
  return length;
}

// Removes (or with consume=false, reads without removing) the first `n` bytes from the chunk list.
function take(chunks: Uint8Array[], n: number, consume = true): Uint8Array {
  const first = chunks[0];
  if (first.length >= n) {
    if (consume) {
      if (first.length === n) chunks.shift();
      else chunks[0] = first.subarray(n);
    }
    return first.subarray(0, n);
  }
  const out = new Uint8Array(n);
  let filled = 0;
  let i = 0;
  while (filled < n) {
    const chunk = chunks[i];
    const part = Math.min(chunk.length, n - filled);
    out.set(chunk.subarray(0, part), filled);
    filled += part;
    if (!consume) i++;
    else if (part === chunk.length) chunks.shift();
    else chunks[0] = chunk.subarray(part);
  }
  return out;
}
