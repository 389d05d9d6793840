/**
 * A MongoDB wire connection over a pair of Web Streams: sends OP_MSG commands, matches replies by
 * `responseTo`, bounds every wait by a timeout and the caller's signal. Runtime-free; each transport
 * hands in its socket as streams.
 *
 * @module
 */
import { abortError, onAbort, throwIfAborted } from "../core/abort.ts";
import { MongoAuthError } from "../core/errors.ts";
import { checkOk, type CommandRunner, type Document } from "./command.ts";
import { decodeOpMsg, encodeOpMsg } from "./op-msg.ts";
import { DEFAULT_MAX_MESSAGE_SIZE, readFrames } from "./frame-reader.ts";

/**
 * A socket as Web Streams, as every transport returns it.
 *
 * @example A socket as two streams and a close
 * ```ts
 * import assert from "node:assert/strict";
 * import type { SocketStreams } from "@mongo-auth/core";
 *
 * let closed = false;
 * const socket: SocketStreams = {
 *   readable: new ReadableStream<Uint8Array>(),
 *   writable: new WritableStream<Uint8Array>(),
 *   close: () => void (closed = true),
 * };
 * socket.close();
 * assert.equal(closed, true);
 * ```
 */
export interface SocketStreams {
  /** Bytes from the peer. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Bytes to the peer. */
  readonly writable: WritableStream<Uint8Array>;
  /** Closes the socket at once (idempotent); pending reads end. */
  close(): void;
}

/**
 * Per-command options.
 *
 * @example A deadline for one command
 * ```ts
 * import type { CommandOptions } from "@mongo-auth/core";
 *
 * const options: CommandOptions = { signal: AbortSignal.timeout(5_000), timeoutMS: 2_000 };
 * void options;
 * ```
 */
export interface CommandOptions {
  /** Cancels the command; the connection is closed, since its state is then unknown. */
  signal?: AbortSignal;
  /** Milliseconds to wait for the reply; 0 waits forever. Default: the connection's `timeoutMS`. */
  timeoutMS?: number;
}

/**
 * Options of a {@link WireConnection}.
 *
 * @example Timeouts and the peer's name for messages
 * ```ts
 * import type { WireConnectionOptions } from "@mongo-auth/core";
 *
 * const options: WireConnectionOptions = { timeoutMS: 30_000, peer: "db1.example.net:27017" };
 * void options;
 * ```
 */
export interface WireConnectionOptions {
  /** Default milliseconds to wait for each reply (0: forever). Default 60 000. */
  timeoutMS?: number;
  /** Largest message accepted until hello says otherwise. Default 48 000 000. */
  maxMessageSizeBytes?: number;
  /** The peer as `host:port`, for messages. Default `"the server"`. */
  peer?: string;
}

interface Pending {
  resolve(reply: Document): void;
  reject(err: unknown): void;
}

let nextRequestId = 1;

/**
 * A command channel over one socket. Replies with `ok: 0` are thrown as a `MongoServerError`.
 *
 * @example A command that gets no reply ends with TIMEOUT, and closes the socket
 * ```ts
 * import assert from "node:assert/strict";
 * import { WireConnection } from "@mongo-auth/core";
 *
 * let closed = false;
 * const silent = {
 *   readable: new ReadableStream<Uint8Array>(),
 *   writable: new WritableStream<Uint8Array>(),
 *   close: () => void (closed = true),
 * };
 * const connection = new WireConnection(silent, { peer: "db.example:27017" });
 * await assert.rejects(connection.command("admin", { ping: 1 }, { timeoutMS: 10 }), { code: "TIMEOUT" });
 * assert.equal(closed, true);
 * assert.equal(connection.closed, true);
 * ```
 */
export class WireConnection implements CommandRunner {
  /** Commands sent and answered so far: each is one round trip. */
  roundTrips = 0;
  /** The largest message the server accepts and sends (from hello's `maxMessageSizeBytes`). */
  maxMessageSizeBytes: number;
  readonly #socket: SocketStreams;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #pending = new Map<number, Pending>();
  readonly #timeoutMS: number;
  readonly #peer: string;
  #closedError: MongoAuthError | undefined;

  /**
   * Takes over a socket and starts reading replies from it.
   *
   * @param socket the socket's streams; the connection owns them from now on
   * @param options timeouts and limits
   */
  constructor(socket: SocketStreams, options: WireConnectionOptions = {}) {
    this.#socket = socket;
    this.#writer = socket.writable.getWriter();
    this.#timeoutMS = options.timeoutMS ?? 60_000;
    this.#peer = options.peer ?? "the server";
    this.maxMessageSizeBytes = options.maxMessageSizeBytes ?? DEFAULT_MAX_MESSAGE_SIZE;
    this.#writer.closed.catch(() => {});
    this.#readLoop(socket.readable.getReader());
  }

  /** Whether the connection is closed (by either side or by an error). */
  get closed(): boolean {
    return this.#closedError !== undefined;
  }

  /**
   * Runs `cmd` on database `db`.
   *
   * @param db the database, sent as `$db`
   * @param cmd the command document
   * @param options signal and timeout
   * @returns the reply document (`ok: 1`)
   * @throws {MongoAuthError} a `MongoServerError` for a reply with `ok: 0`
   * @throws {MongoAuthError} `TIMEOUT`, `ABORTED`, `CONNECTION_CLOSED`, `PROTOCOL_ERROR`, `MESSAGE_TOO_LARGE`
   */
  async command(db: string, cmd: Document, options: CommandOptions = {}): Promise<Document> {
    if (this.#closedError) throw this.#closedError;
    const { signal } = options;
    throwIfAborted(signal);
    const requestId = nextRequestId++ & 0x7fffffff;
    const message = encodeOpMsg(requestId, { ...cmd, $db: db });
    if (message.length > this.maxMessageSizeBytes) {
      throw new MongoAuthError(
        "MESSAGE_TOO_LARGE",
        `command of ${message.length} bytes exceeds maxMessageSizeBytes`,
      );
    }
    const reply = new Promise<Document>((resolve, reject) =>
      this.#pending.set(requestId, { resolve, reject })
    );
    // The reply may be rejected (closed, timed out) before it is awaited, e.g. while the write fails.
    reply.catch(() => {});
    const stop = this.#bound(requestId, options.timeoutMS ?? this.#timeoutMS, signal);
    try {
      await this.#writer.write(message).catch((err) => {
        throw this.#fail(
          new MongoAuthError("CONNECTION_CLOSED", "connection closed while sending", { cause: err }),
        );
      });
      const doc = await reply;
      this.roundTrips++;
      return checkOk(doc);
    } finally {
      stop();
      this.#pending.delete(requestId);
    }
  }

  /** Closes the socket; pending commands fail with `CONNECTION_CLOSED`. Idempotent. */
  close(): Promise<void> {
    this.#fail(new MongoAuthError("CONNECTION_CLOSED", "connection closed"));
    return Promise.resolve();
  }

  // Arms the timeout and the abort listener of one command; returns their disarm.
  #bound(requestId: number, timeoutMS: number, signal: AbortSignal | undefined): () => void {
    const fail = (err: MongoAuthError) => {
      this.#pending.get(requestId)?.reject(err);
      this.#fail(err);
    };
    const timer = timeoutMS > 0
      ? setTimeout(
        () => fail(new MongoAuthError("TIMEOUT", `no reply from server within ${timeoutMS} ms`)),
        timeoutMS,
      )
      : undefined;
    const stopListening = onAbort(signal, () => fail(abortError(signal!, "command")));
    return () => {
      if (timer !== undefined) clearTimeout(timer);
      stopListening();
    };
  }

  async #readLoop(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    try {
      for await (const frame of readFrames(reader, () => this.maxMessageSizeBytes, this.#peer)) {
        const message = decodeOpMsg(frame);
        const pending = this.#pending.get(message.responseTo);
        if (!pending) {
          throw new MongoAuthError(
            "PROTOCOL_ERROR",
            `server replied to request ${message.responseTo}, which is not pending`,
          );
        }
        this.#pending.delete(message.responseTo);
        pending.resolve(message.body);
      }
      this.#fail(new MongoAuthError("CONNECTION_CLOSED", "server closed the connection"));
    } catch (err) {
      this.#fail(
        err instanceof MongoAuthError
          ? err
          : new MongoAuthError("CONNECTION_CLOSED", "connection failed while reading", { cause: err }),
      );
    } finally {
      reader.releaseLock?.();
    }
  }

  // Closes everything once; every pending and later command fails with `err`.
  #fail(err: MongoAuthError): MongoAuthError {
    if (this.#closedError) return this.#closedError;
    this.#closedError = err;
    for (const pending of this.#pending.values()) pending.reject(err);
    this.#pending.clear();
    this.#writer.abort(err).catch(() => {});
    try {
      this.#socket.close();
    } catch {
      // Already closed by the peer: nothing left to release.
    }
    return err;
  }
}
