/**
 * Splits a byte stream into MongoDB wire messages. Memory grows only with bytes actually received:
 * a header claiming a huge length is rejected against `maxMessageSizeBytes` before any buffer is
 * sized by it.
 *
 * @module
 */
import { MongoAuthError } from "../core/errors.ts";
import { foreignProtocolError } from "./foreign-protocol.ts";
import { HEADER_SIZE } from "./op-msg.ts";

/** The default `maxMessageSizeBytes` of mongod (48 MB), used until the server says otherwise. */
export const DEFAULT_MAX_MESSAGE_SIZE = 48_000_000;

/**
 * Reads whole frames (header included) from `reader`.
 *
 * @param reader the socket's readable side
 * @param maxMessageSize returns the current limit (it may change after hello)
 * @param peer `host:port`, for messages
 * @returns frames until the stream ends
 * @throws {MongoAuthError} `MESSAGE_TOO_LARGE`, `PROTOCOL_ERROR` (length below the header size, or
 *   a first reply in another protocol such as HTTP), `TLS_ERROR` (a first reply in TLS),
 *   `CONNECTION_CLOSED` when the stream ends inside a frame
 */
export async function* readFrames(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  maxMessageSize: () => number,
  peer = "the server",
): AsyncGenerator<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let buffered = 0;
  let first = true;
  for (;;) {
    if (first && buffered >= 4) {
      const foreign = foreignProtocolError(take(chunks, Math.min(buffered, 8), false), peer);
      if (foreign) throw foreign;
      first = false;
    }
    const expected = buffered >= 4 ? frameLength(chunks, maxMessageSize()) : undefined;
    if (expected !== undefined && buffered >= expected) {
      const frame = take(chunks, expected);
      buffered -= expected;
      yield frame;
      continue;
    }
    const { value, done } = await reader.read();
    if (done) {
      if (buffered > 0) {
        throw new MongoAuthError("CONNECTION_CLOSED", "connection closed in the middle of a message");
      }
      return;
    }
    if (value.length > 0) {
      chunks.push(value);
      buffered += value.length;
    }
  }
}

function frameLength(chunks: Uint8Array[], max: number): number {
  const head = chunks[0].length >= 4 ? chunks[0] : take(chunks, 4, false);
  const length = (head[0] | (head[1] << 8) | (head[2] << 16) | (head[3] << 24)) >>> 0;
  if (length > max) {
    throw new MongoAuthError(
      "MESSAGE_TOO_LARGE",
      `server sent a message of ${length} bytes, more than maxMessageSizeBytes (${max})`,
    );
  }
  if (length < HEADER_SIZE) throw new MongoAuthError("PROTOCOL_ERROR", `invalid message length ${length}`);
  return length;
}

// Removes (or with consume=false, copies) the first `n` bytes from the chunk list.
function take(chunks: Uint8Array[], n: number, consume = true): Uint8Array {
  const first = chunks[0];
  if (first.length >= n && consume) {
    if (first.length === n) chunks.shift();
    else chunks[0] = first.subarray(n);
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
