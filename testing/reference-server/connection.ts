// One client connection: frames messages off the socket, runs them one at a time in arrival
// order, writes the replies. A message that breaks the wire protocol closes the connection. An
// OP_COMPRESSED request is unwrapped first and its reply compressed the same way (compression.ts).
import type { Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import { BSON } from "bson";
import { allowedOverOpQuery, CloseConnection, runCommand } from "./commands.ts";
import { compressMessage, compressorName, decompressMessage } from "./compression.ts";
import type { CommandContext, CommandRequest, ConnectionState, ServerState } from "./context.ts";
import { CommandError } from "./errors.ts";
import { checkDatabaseName, elementsOf } from "./idl.ts";
import type { SaslMechanismServer, ServerConnectionInfo } from "./sasl.ts";
import { AuthSession } from "./session.ts";
import { bump } from "./stats.ts";
import type { UserStore } from "./users.ts";
import {
  type Document,
  encodeOpMsg,
  encodeOpReply,
  nextMessageLength,
  OP_COMPRESSED,
  OP_MSG,
  type OpMsgRequest,
  type OpQueryRequest,
  parseMessage,
  ProtocolViolation,
  type WireRequest,
} from "./wire.ts";

let nextConnectionId = 1;
let nextRequestId = 1;

/** What a connection needs from its server. */
export interface ConnectionDeps {
  readonly server: ServerState;
  readonly users: UserStore;
  readonly mechanisms: readonly SaslMechanismServer[];
  /** The listener is a mongos's loadBalancerPort. */
  readonly fromLoadBalancer?: boolean;
}

const LOAD_BALANCER_SUPPORT_MISMATCH = 354;

/** The commands an exhaust stream may repeat: an awaitable hello (mongod's Command::supportsExhaust). */
const EXHAUST_COMMANDS: ReadonlySet<string> = new Set(["hello", "isMaster", "ismaster"]);

/** Serves one accepted socket until either side closes it. */
export class ClientConnection {
  readonly #socket: Socket;
  readonly #server: ServerState;
  readonly #state: ConnectionState;
  readonly #session: AuthSession;
  /** Bytes of an incomplete message, kept between reads. */
  #pending: Uint8Array = EMPTY;
  #queue: Promise<void> = Promise.resolve();
  #headerChecked = false;

  /**
   * @param socket the accepted socket
   * @param deps the server's state, users and mechanisms
   */
  constructor(socket: Socket, deps: ConnectionDeps) {
    this.#socket = socket;
    this.#server = deps.server;
    const info = new ConnectionInfo(socket);
    const closed = closedSignal(socket);
    this.#state = {
      info,
      metadataFinalized: false,
      supportsHello: false,
      fromLoadBalancer: deps.fromLoadBalancer ?? false,
      loadBalancedHelloDone: false,
      get closed() {
        return closed();
      },
    };
    this.#session = new AuthSession({
      mechanisms: deps.mechanisms,
      users: deps.users,
      config: deps.server.config,
      connection: info,
      stats: deps.server.stats,
    });
    socket.on("data", (chunk: Uint8Array) => this.#receive(chunk));
    socket.on("error", () => socket.destroy());
  }

  #receive(chunk: Uint8Array): void {
    const data = this.#pending.length === 0 ? chunk : concat(this.#pending, chunk);
    if (!this.#headerChecked && data.length >= 16) {
      this.#headerChecked = true;
      // mongod (TLS disabled) reads a first message whose responseTo is neither 0 nor -1 as a TLS
      // ClientHello and closes: "SSL handshake received but server is started without SSL support".
      const responseTo = new DataView(data.buffer, data.byteOffset).getInt32(8, true);
      if (!this.#state.info.tls && responseTo !== 0 && responseTo !== -1) {
        this.#socket.destroy();
        return;
      }
    }
    let offset = 0;
    try {
      for (
        let length = nextMessageLength(data.subarray(offset));
        length > 0;
        length = nextMessageLength(data.subarray(offset))
      ) {
        // A copy: parsed values (bson Binary) point into it, and the runtime may reuse its read buffer.
        const { message, compressorId } = this.#unwrap(copy(data, offset, offset + length));
        const request = parseMessage(message);
        offset += length;
        this.#queue = this.#queue.then(() => this.#handle(request, compressorId));
      }
    } catch (error) {
      // A ProtocolViolation (or anything unexpected while framing): drop the connection.
      if (!(error instanceof ProtocolViolation)) console.error("reference server: framing error", error);
      this.#socket.destroy();
      return;
    }
    this.#pending = offset === data.length ? EMPTY : copy(data, offset, data.length);
  }

  /**
   * The message itself, or for an OP_COMPRESSED the original message and the compressor it came with
   * (mongod's session workflow decompresses before anything else looks at the message).
   */
  #unwrap(frame: Uint8Array): { message: Uint8Array; compressorId?: number } {
    if (new DataView(frame.buffer, frame.byteOffset).getInt32(12, true) !== OP_COMPRESSED) {
      return { message: frame };
    }
    return decompressMessage(frame, this.#server.config);
  }

  /**
   * Runs one request and writes its replies.
   * @param compressorId the request came compressed with it: so go the replies (mongod's compressorId)
   */
  async #handle(request: WireRequest, compressorId: number | undefined): Promise<void> {
    if (this.#socket.destroyed) return;
    bump(this.#server.stats.opcodes, request.opCode === OP_MSG ? "OP_MSG" : "OP_QUERY");
    if (compressorId !== undefined) {
      this.#server.stats.compressedIn++;
      bump(this.#server.stats.compressedInBy, compressorName(compressorId));
    }
    try {
      if (request.opCode === OP_MSG) await this.#serveMsg(request, compressorId);
      else this.#write(await this.#handleQuery(request), compressorId);
    } catch (error) {
      if (!(error instanceof CloseConnection)) console.error("reference server: internal error", error);
      this.#socket.destroy();
    }
  }

  #write(message: Uint8Array, compressorId: number | undefined): void {
    if (this.#socket.destroyed) return;
    const compressed = compressorId === undefined ? undefined : compressMessage(message, compressorId);
    if (compressed !== undefined) {
      this.#server.stats.compressedOut++;
      bump(this.#server.stats.compressedOutBy, compressorName(compressorId!));
    }
    this.#socket.write(compressed ?? message);
  }

  /**
   * One OP_MSG, and for an exhaust hello (flagBits exhaustAllowed, a successful reply) the stream after
   * it: each reply carries moreToCome and the next is the same hello run again with the topologyVersion
   * just sent, answered when the topology changes or maxAwaitTimeMS passes, until the connection ends.
   * Every reply of the stream is compressed when the request was.
   */
  async #serveMsg(request: OpMsgRequest, compressorId: number | undefined): Promise<void> {
    let body = request.body;
    let bytes = request.bodyBytes;
    let responseTo = request.requestId;
    for (;;) {
      const reply = await this.#handleMsg(request, body, bytes);
      // moreToCome: the client wants no reply (mongod still runs the command).
      if (request.moreToCome) return;
      const name = Object.keys(body)[0] ?? "";
      const exhaust = request.exhaustAllowed && EXHAUST_COMMANDS.has(name) && reply.ok === 1;
      const id = nextRequestId++;
      this.#write(encodeOpMsg(id, responseTo, reply, exhaust), compressorId);
      // LoadBalancerSupportMismatch is in mongod's CloseConnectionError category.
      if (reply.code === LOAD_BALANCER_SUPPORT_MISMATCH) this.#socket.destroy();
      if (!exhaust || this.#socket.destroyed) return;
      body = { ...body, topologyVersion: reply.topologyVersion };
      bytes = BSON.serialize(body);
      responseTo = id;
    }
  }

  async #handleMsg(request: OpMsgRequest, body: Document, bodyBytes: Uint8Array): Promise<Document> {
    const db = body.$db;
    const command = {
      doc: body,
      bytes: bodyBytes,
      elements: elementsOf(bodyBytes),
      sequenceNames: request.sequenceNames,
      exhaustAllowed: request.exhaustAllowed,
    };
    try {
      if (typeof db !== "string") throw new CommandError(40571, "OP_MSG requests require a $db argument");
      checkDatabaseName(db);
      return await runCommand(this.#context(db, command));
    } catch (error) {
      if (!(error instanceof CommandError)) throw error;
      return error.toReply();
    }
  }

  /**
   * OP_QUERY, after mongod 7.0's receivedQuery / opMsgRequestFromLegacyRequest / upconvertRequest /
   * checkAllowedOpQueryCommand: only `<db>.$cmd`, without the Exhaust flag (18527), numberToReturn 1 or
   * -1 (16979), no `$db` (40621), and only the handshake and authentication commands (352).
   */
  async #handleQuery(request: OpQueryRequest): Promise<Uint8Array> {
    const dot = request.collection.indexOf(".");
    const db = request.collection.slice(0, dot);
    const collection = request.collection.slice(dot + 1);
    if (dot < 0 || collection !== "$cmd") {
      const doc = {
        $err: "OP_QUERY is no longer supported. The client driver may require an upgrade. " +
          "For more details see https://dochub.mongodb.org/core/legacy-opcode-removal",
        code: 5739101,
        ok: 0,
      };
      return encodeOpReply(nextRequestId++, request.requestId, doc, true);
    }
    const name = Object.keys(request.query)[0] ?? "";
    let reply: Document;
    try {
      checkDatabaseName(db);
      checkOpQuery(request, name);
      const command = {
        doc: request.query,
        bytes: request.queryBytes,
        elements: elementsOf(request.queryBytes),
        exhaustAllowed: false,
      };
      reply = await runCommand(this.#context(db, command));
    } catch (error) {
      if (!(error instanceof CommandError)) throw error;
      reply = error.toReply();
    }
    return encodeOpReply(nextRequestId++, request.requestId, reply);
  }

  #context(db: string, request: CommandRequest): CommandContext {
    return { db, session: this.#session, connection: this.#state, server: this.#server, request };
  }
}

const QUERY_EXHAUST = 1 << 6;

function checkOpQuery(request: OpQueryRequest, name: string): void {
  if (request.flags & QUERY_EXHAUST) {
    throw new CommandError(
      18527,
      `The 'exhaust' OP_QUERY flag is invalid for commands: ${request.collection} ${
        JSON.stringify(request.query)
      }`,
    );
  }
  if (request.numberToReturn !== 1 && request.numberToReturn !== -1) {
    throw new CommandError(
      16979,
      `Bad numberToReturn (${request.numberToReturn}) for $cmd type ns - can only be 1 or -1`,
    );
  }
  if ("$db" in request.query) throw new CommandError(40621, "$db is not allowed in OP_QUERY requests");
  if (!allowedOverOpQuery(name)) {
    throw new CommandError(
      352,
      `Unsupported OP_QUERY command: ${name}. The client driver may require an upgrade. ` +
        "For more details see https://dochub.mongodb.org/core/legacy-opcode-removal",
    );
  }
}

const EMPTY = new Uint8Array(0);

/**
 * What mechanisms may know of the connection. The peer's address is read only if one asks (none of this
 * server's does): getpeername is a system call per connection.
 */
class ConnectionInfo implements ServerConnectionInfo {
  readonly id = nextConnectionId++;
  readonly tls: boolean;
  readonly peerCertificate: Uint8Array | undefined;
  readonly #socket: Socket;
  #peer: { address: string; port: number } | undefined;

  constructor(socket: Socket) {
    this.#socket = socket;
    const tls = tlsInfo(socket);
    this.tls = tls.tls;
    this.peerCertificate = tls.peerCertificate;
  }

  get remoteAddress(): string {
    return this.#peerOf().address;
  }

  get remotePort(): number {
    return this.#peerOf().port;
  }

  #peerOf(): { address: string; port: number } {
    return this.#peer ??= { address: this.#socket.remoteAddress ?? "", port: this.#socket.remotePort ?? 0 };
  }
}

/**
 * A signal that aborts when the socket closes, made only when something waits on it (an awaitable hello,
 * failCommand's blockConnection): most connections never need one.
 */
function closedSignal(socket: Socket): () => AbortSignal {
  let isClosed = false;
  let controller: AbortController | undefined;
  socket.once("close", () => {
    isClosed = true;
    controller?.abort();
  });
  return () => {
    if (controller === undefined) {
      controller = new AbortController();
      if (isClosed) controller.abort();
    }
    return controller.signal;
  };
}

/**
 * Whether the socket is TLS and, if the client's certificate chains to the server's CA, that certificate
 * (DER bytes) — what mongod's SSLPeerInfo holds. An unverified certificate counts as none, as in mongod.
 */
function tlsInfo(socket: Socket): { tls: boolean; peerCertificate?: Uint8Array } {
  const tls = socket as TLSSocket;
  if (tls.encrypted !== true) return { tls: false };
  const raw = tls.authorized ? tls.getPeerCertificate()?.raw : undefined;
  return raw === undefined ? { tls: true } : { tls: true, peerCertificate: new Uint8Array(raw) };
}

/** Bytes `start` to `end` of `bytes` in a new Uint8Array (a Buffer's `slice` would share memory). */
function copy(bytes: Uint8Array, start: number, end: number): Uint8Array {
  const out = new Uint8Array(end - start);
  out.set(bytes.subarray(start, end));
  return out;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
