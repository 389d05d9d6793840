/**
 * A MongoDB wire connection over one socket: sends OP_MSG commands, matches replies by `responseTo`,
 * bounds every wait by a timeout and the caller's signal. Runtime-free; each transport hands in its
 * socket: pushing its bytes (Node.js, Bun, Deno) or as Web Streams (Workers).
 *
 * Replies are parsed as the socket pushes them ({@link FrameParser}), and one timer per connection
 * watches every command's deadline: a command costs an encode, a write and a decode, not a stream read,
 * a timer and a signal listener of its own.
 *
 * @module
 */
import { abortError, onAbort, stoppedFor, throwIfAborted, withStop } from "../core/abort.ts";
import { MongoAuthError } from "../core/errors.ts";
import { checkOptions, IS, optionChecks, typeName } from "../core/options.ts";
import {
  type ApiParameters,
  checkCommand,
  checkOk,
  commandName,
  type CommandRunner,
  type Document,
} from "./command.ts";
import { decodeOpMsg, encodeOpMsg, messageTooLarge } from "./op-msg.ts";
import {
  compressMessage,
  type Compressor,
  decompressMessage,
  isCompressible,
  OP_COMPRESSED,
  type ZstdCodec,
} from "./compression.ts";
import { DEFAULT_MAX_MESSAGE_SIZE, FrameParser } from "./frame-parser.ts";
import { rawFromStreams, type RawSocket } from "./raw-socket.ts";

/**
 * A socket as every transport returns it: Web Streams and a close, and, where the runtime pushes what
 * it receives, the same socket as a {@link RawSocket}, which {@link WireConnection} prefers. A consumer
 * uses either the streams or `raw`, never both.
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
  /** The same socket without streams, when the runtime pushes what it receives. */
  readonly raw?: RawSocket;
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
  /**
   * A declared Stable API version's fields, added to every command after its own fields (the Stable API
   * specification: every command carries them, and a command's own are not looked at).
   */
  apiParameters?: ApiParameters;
  /**
   * The runtime's zstd (the transport's `Transport.zstd`), for a connection whose `compressor` is
   * `"zstd"`, and for replies compressed with it. Default: none.
   */
  zstd?: ZstdCodec;
}

interface Pending {
  resolve(reply: Document): void;
  reject(err: unknown): void;
  /** When the reply is overdue (`performance.now()` time), or Infinity. */
  deadline: number;
  /** How long the process had stopped while the command waited, once that time was given back; else 0. */
  stoppedMS: number;
  /** The command's timeout, for the message. */
  readonly timeoutMS: number;
}

let nextRequestId = 1;

const COMMAND_OPTION_CHECKS = optionChecks({ signal: IS.signal, timeoutMS: IS.number });

const WIRE_CONNECTION_OPTION_CHECKS = optionChecks({
  timeoutMS: IS.number,
  maxMessageSizeBytes: IS.number,
  peer: IS.string,
  apiParameters: IS.object,
  zstd: IS.object,
});

function isSocketStreams(value: unknown): value is SocketStreams {
  const socket = value as Partial<Record<keyof SocketStreams, unknown>> | null;
  if (typeof socket !== "object" || socket === null || typeof socket.close !== "function") return false;
  if (typeof (socket.raw as { listen?: unknown } | undefined)?.listen === "function") return true;
  return typeof (socket.readable as ReadableStream | undefined)?.getReader === "function" &&
    typeof (socket.writable as WritableStream | undefined)?.getWriter === "function";
}

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
  /**
   * The compressor commands go out with, as negotiated in hello (`negotiatedCompressor`); hello and the
   * authentication commands never are. `undefined` (the default): none. Compressed replies are read
   * whatever it says.
   */
  compressor: Compressor | undefined = undefined;
  readonly #socket: SocketStreams;
  readonly #peer: string;
  readonly #raw: RawSocket;
  readonly #pending = new Map<number, Pending>();
  readonly #timeoutMS: number;
  readonly #apiParameters: ApiParameters | undefined;
  readonly #zstd: ZstdCodec | undefined;
  readonly #parser: FrameParser;
  // Why the connection is closed, once it is. For a close by the client the error is made when a command
  // first needs it: capturing its stack cost more than all the rest of close() (a Node.js profile).
  #closedError: MongoAuthError | typeof CLOSED_BY_CLIENT | undefined;
  // The one timer of the connection: armed for the earliest deadline of the commands in flight. A
  // command that is answered leaves it be; when it fires with nothing overdue it re-arms for what is left.
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Infinity;
  // The compressed replies still being decompressed, in order; undefined when none is.
  #decompressing: Promise<void> | undefined;

  /**
   * Takes over a socket and starts reading replies from it.
   *
   * @param socket the socket; the connection owns it from now on
   * @param options timeouts and limits
   */
  constructor(socket: SocketStreams, given?: WireConnectionOptions) {
    const options = checkOptions(given, "new WireConnection()", WIRE_CONNECTION_OPTION_CHECKS);
    if (!isSocketStreams(socket)) {
      throw new MongoAuthError(
        "INVALID_OPTION",
        `new WireConnection() needs a socket: what Transport.openSocket resolves to (readable and writable ` +
          `streams and close(), or raw), got ${typeName(socket)}`,
      );
    }
    this.#socket = socket;
    this.#timeoutMS = options.timeoutMS ?? 60_000;
    this.#apiParameters = options.apiParameters;
    this.#zstd = options.zstd;
    this.maxMessageSizeBytes = options.maxMessageSizeBytes ?? DEFAULT_MAX_MESSAGE_SIZE;
    const peer = options.peer ?? "the server";
    this.#peer = peer;
    this.#parser = new FrameParser(() => this.maxMessageSizeBytes, peer, (frame) => this.#reply(frame));
    this.#raw = socket.raw ?? rawFromStreams(socket);
    this.#raw.listen({
      data: (chunk) => {
        if (this.#closedError) return;
        try {
          this.#parser.push(chunk);
        } catch (err) {
          this.#fail(asConnectionError(err, "connection failed while reading"));
        }
      },
      end: (err) => {
        if (this.#closedError) return;
        // Replies received whole before the close still answer their commands, compressed ones included.
        if (this.#decompressing) this.#decompressing.then(() => this.#ended(err));
        else this.#ended(err);
      },
    });
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
   * @throws {MongoAuthError} `TIMEOUT`, `ABORTED`, `CONNECTION_CLOSED`, `PROTOCOL_ERROR`; `MESSAGE_TOO_LARGE`
   *   for a command larger than `maxMessageSizeBytes` (nothing is sent); `INVALID_OPTION` for a command
   *   that is not a document, or that BSON cannot hold (one that contains itself)
   */
  async command(db: string, cmd: Document, given?: CommandOptions): Promise<Document> {
    checkCommand(db, cmd, "command()");
    const options = checkOptions(given, "command()", COMMAND_OPTION_CHECKS);
    if (this.#closedError) throw this.#whyClosed();
    const { signal } = options;
    throwIfAborted(signal);
    const requestId = nextRequestId++ & 0x7fffffff;
    // Object.assign, not `{ ...cmd, $db: db }`: on Node.js 20 a spread followed by a key builds a slow object
    // (with its serialization 5.6 µs against 2.4 for a hello, measured).
    let message = encodeOpMsg(
      requestId,
      Object.assign({}, cmd, this.#apiParameters, { $db: db }),
      this.maxMessageSizeBytes,
    );
    if (this.compressor !== undefined && isCompressible(commandName(cmd))) {
      message = await compressMessage(message, this.compressor, this.#zstd);
      if (this.#closedError) throw this.#whyClosed();
      // Data that does not compress comes out a little larger than it went in.
      if (message.length > this.maxMessageSizeBytes) {
        throw messageTooLarge(commandName(cmd), message.length, this.maxMessageSizeBytes);
      }
    }
    const timeoutMS = options.timeoutMS ?? this.#timeoutMS;
    const deadline = timeoutMS > 0 ? performance.now() + timeoutMS : Infinity;
    let stopListening = () => {};
    try {
      // In the try: whatever throws from here on, the request does not stay pending (a close would reject
      // its promise with nobody listening).
      const reply = new Promise<Document>((resolve, reject) =>
        this.#pending.set(requestId, { resolve, reject, deadline, timeoutMS, stoppedMS: 0 })
      );
      if (deadline !== Infinity) this.#arm(deadline);
      stopListening = onAbort(signal, () => this.#fail(abortError(signal!, "command")));
      this.#raw.write(message);
      const doc = await reply;
      this.roundTrips++;
      return checkOk(doc);
    } finally {
      stopListening();
      this.#pending.delete(requestId);
    }
  }

  /** Closes the socket; pending commands fail with `CONNECTION_CLOSED`. Idempotent. */
  close(): Promise<void> {
    this.#fail(CLOSED_BY_CLIENT);
    return Promise.resolve();
  }

  #reply(frame: Uint8Array): void {
    if (opCodeOf(frame) === OP_COMPRESSED) {
      // Decompressing takes turns of the event loop: compressed replies are delivered in the order they
      // came, and a close waits for them (a plain reply may overtake: replies are matched by responseTo).
      const decompressed = (this.#decompressing ?? Promise.resolve())
        .then(() => decompressMessage(frame, this.maxMessageSizeBytes, this.#peer, this.#zstd))
        .then((message) => {
          if (!this.#closedError) this.#reply(message);
        })
        .catch((err) => this.#fail(asConnectionError(err, "connection failed while reading")))
        .finally(() => {
          if (this.#decompressing === decompressed) this.#decompressing = undefined;
        });
      this.#decompressing = decompressed;
      return;
    }
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

  // The server closed the socket (or it failed): every command still waiting fails with why.
  #ended(err: unknown): void {
    if (this.#closedError) return;
    try {
      if (err !== undefined) throw err;
      this.#parser.end();
      this.#fail(connectionLost(this.#peer));
    } catch (failure) {
      const error = asConnectionError(failure, "connection failed");
      // A transport's own words (a reset, a failed write) do not know the peer: say it, and what to do.
      const unnamed = error.code === "CONNECTION_CLOSED" && !error.message.includes(this.#peer);
      this.#fail(unnamed ? connectionLost(this.#peer, error) : error);
    }
  }

  // Makes sure the timer fires no later than `deadline`.
  #arm(deadline: number): void {
    if (this.#timer !== undefined) {
      if (this.#timerAt <= deadline) return;
      clearTimeout(this.#timer);
    }
    this.#timerAt = deadline;
    this.#timer = setTimeout(() => this.#checkDeadlines(), Math.max(0, deadline - performance.now()));
  }

  // The first command past its deadline fails the connection (its state is unknown); otherwise the
  // timer waits for the next deadline, if any command is still in flight.
  // A timer that fires a second or more late means the process had stopped (Deadline in core/abort.ts):
  // the replies that came meanwhile are still unread, so each overdue command gets that time back, once.
  #checkDeadlines(): void {
    const now = performance.now();
    const stopped = stoppedFor(this.#timerAt, now);
    this.#timer = undefined;
    this.#timerAt = Infinity;
    let next = Infinity;
    for (const pending of this.#pending.values()) {
      if (pending.deadline <= now && stopped > 0 && pending.stoppedMS === 0) {
        pending.stoppedMS = stopped;
        pending.deadline = now + stopped;
      }
      if (pending.deadline <= now) {
        const timedOut = new MongoAuthError(
          "TIMEOUT",
          `no reply from ${this.#peer} within ${pending.timeoutMS} ms: the connection is closed, its state ` +
            "unknown; connect again, and give slow commands longer (socketTimeoutMS, or timeoutMS)",
        );
        this.#fail(pending.stoppedMS === 0 ? timedOut : withStop(timedOut, pending.stoppedMS));
        return;
      }
      next = Math.min(next, pending.deadline);
    }
    if (next !== Infinity) this.#arm(next);
  }

  // Closes everything once; every pending and later command fails with `reason`.
  #fail(reason: MongoAuthError | typeof CLOSED_BY_CLIENT): void {
    if (this.#closedError) return;
    this.#closedError = reason;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.size > 0) {
      const err = this.#whyClosed();
      for (const pending of this.#pending.values()) pending.reject(err);
      this.#pending.clear();
    }
    try {
      this.#socket.close();
    } catch {
      // Already closed by the peer: nothing left to release.
    }
  }

  #whyClosed(): MongoAuthError {
    if (this.#closedError === CLOSED_BY_CLIENT) {
      this.#closedError = new MongoAuthError(
        "CONNECTION_CLOSED",
        `the connection to ${this.#peer} was closed (close() was called): connect again to run more commands`,
      );
    }
    return this.#closedError!;
  }
}

const CLOSED_BY_CLIENT = Symbol("closed by the client");

function opCodeOf(frame: Uint8Array): number {
  return frame[12] | (frame[13] << 8) | (frame[14] << 16) | (frame[15] << 24);
}

// The connection ended under a command: the peer closed it, or the transport says how it failed (its code,
// say ECONNRESET, else its words). Either way the next command needs a new connection.
function connectionLost(peer: string, failure?: MongoAuthError): MongoAuthError {
  const cause = failure?.cause as { code?: unknown } | undefined;
  const how = failure === undefined
    ? "closed the connection"
    : `closed the connection or it failed (${
      typeof cause?.code === "string" ? cause.code : failure.message
    })`;
  return new MongoAuthError(
    "CONNECTION_CLOSED",
    `${peer} ${how}: connect again (a server closes its connections when it restarts or steps down, and a ` +
      "firewall or load balancer may drop one that sat idle)",
    { cause: failure },
  );
}

function asConnectionError(err: unknown, what: string): MongoAuthError {
  return err instanceof MongoAuthError ? err : new MongoAuthError("CONNECTION_CLOSED", what, { cause: err });
}
