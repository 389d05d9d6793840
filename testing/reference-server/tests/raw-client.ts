// A bare-bones wire client for the reference server's own tests: raw OP_MSG / OP_QUERY frames
// and a minimal SCRAM client on node:crypto, so the tests can send what a driver never would.
// Independent of src/ on purpose (a bug shared with the library could otherwise hide).
import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";
import { connect as connectTls, type ConnectionOptions } from "node:tls";
import * as zlib from "node:zlib";
import { compressSync, uncompressSync } from "snappy";
import { Binary, BSON } from "bson";
import { saslprep } from "@mongodb-js/saslprep";
import type { ServerConfig } from "../config.ts";
import { crc32c } from "../crc32c.ts";
import { type RunningServer, startServer } from "../server.ts";
import type { Document } from "../wire.ts";

/**
 * A BSON document from fields in order, repeats allowed (BSON.serialize cannot repeat a key), so tests
 * can send what no driver would.
 * @param fields name/value pairs; use bson's Int32, Double, Long for exact numeric types
 * @returns the document's bytes
 */
export function rawDocument(fields: ReadonlyArray<readonly [string, unknown]>): Uint8Array {
  const elements = fields.map(([name, value]) => {
    const single = BSON.serialize({ [name]: value });
    return single.subarray(4, single.length - 1);
  });
  const size = 4 + elements.reduce((sum, e) => sum + e.length, 0) + 1;
  const out = new Uint8Array(size);
  new DataView(out.buffer).setInt32(0, size, true);
  let offset = 4;
  for (const element of elements) {
    out.set(element, offset);
    offset += element.length;
  }
  return out;
}

/** Options for one raw OP_QUERY. */
export interface QueryOptions {
  /** OP_QUERY flags (bit 6: Exhaust). */
  flags?: number;
  /** Default -1. */
  numberToReturn?: number;
}

/** Options for one raw OP_MSG. */
export interface MsgOptions {
  /** Extra flagBits. */
  flags?: number;
  /** Append a CRC-32C checksum (flag bit 0); `corrupt` appends a wrong one. */
  checksum?: "valid" | "corrupt";
}

/**
 * A compressor {@link compressFrame} compresses with: snappy is Google's raw format, as mongod's; zstd only
 * where node:zlib has it ({@link zstdSync}).
 */
export type FrameCompressor = "zlib" | "snappy" | "zstd";

/** OP_COMPRESSED's compressor ids. */
const COMPRESSOR_IDS: Record<FrameCompressor, number> = { snappy: 1, zlib: 2, zstd: 3 };

type ZstdSync = (data: Uint8Array, options?: { maxOutputLength?: number; pledgedSrcSize?: number }) => Buffer;

/**
 * node:zlib's zstd, where this runtime has it (Deno, Bun, Node.js 22.15 and later; not Node.js 20): what
 * the zstd tests run on, and the reason they take the other branch where it is `undefined`.
 */
export const zstdSync: { compress: ZstdSync; decompress: ZstdSync } | undefined = (() => {
  const { zstdCompressSync, zstdDecompressSync } = zlib as unknown as Record<string, ZstdSync | undefined>;
  return zstdCompressSync && zstdDecompressSync
    ? { compress: zstdCompressSync, decompress: zstdDecompressSync }
    : undefined;
})();

function compressWith(compressor: FrameCompressor, body: Uint8Array): Uint8Array {
  if (compressor === "snappy") return compressSync(body as Buffer);
  if (compressor === "zlib") return zlib.deflateSync(body);
  if (!zstdSync) throw new Error("this runtime's node:zlib has no zstd");
  return zstdSync.compress(body, { pledgedSrcSize: body.length });
}

/** What {@link compressFrame} puts in the OP_COMPRESSED header instead of the truth, and what it wraps. */
export interface CompressOptions {
  /** How the data is compressed, and the compressorId unless `compressorId` says otherwise (default zlib). */
  compressor?: FrameCompressor;
  /** compressorId (default the compressor's: snappy 1, zlib 2, zstd 3). */
  compressorId?: number;
  /** uncompressedSize (default the real size of the message without its header). */
  uncompressedSize?: number;
  /** originalOpcode (default the message's). */
  originalOpcode?: number;
  /**
   * The compressed bytes (default the message without its header compressed with `compressor`: zlib's
   * deflate, snappy's compressSync from the `snappy` package, or node:zlib's zstd).
   */
  data?: Uint8Array;
}

/**
 * An OP_COMPRESSED around a complete message (same requestId and responseTo), built by hand with
 * node:zlib or the `snappy` package: the header fields are the truth unless `options` say otherwise.
 * @param message the message to wrap, header included
 * @param options lies to tell
 * @returns the OP_COMPRESSED frame
 */
export function compressFrame(message: Uint8Array, options: CompressOptions = {}): Buffer {
  const original = Buffer.from(message.buffer, message.byteOffset, message.byteLength);
  const body = original.subarray(16);
  const compressor = options.compressor ?? "zlib";
  const data = options.data ?? compressWith(compressor, body);
  const frame = Buffer.alloc(16 + 9 + data.length);
  original.copy(frame, 0, 0, 16);
  frame.writeInt32LE(frame.length, 0);
  frame.writeInt32LE(2012, 12);
  frame.writeInt32LE(options.originalOpcode ?? original.readInt32LE(12), 16);
  frame.writeInt32LE(options.uncompressedSize ?? body.length, 20);
  frame[24] = options.compressorId ?? COMPRESSOR_IDS[compressor];
  Buffer.from(data).copy(frame, 25);
  return frame;
}

/** One TCP connection speaking raw frames; replies are matched in order. */
export class RawClient {
  #socket: Socket;
  #buffer = Buffer.alloc(0);
  #waiters: Array<(reply: Document | undefined) => void> = [];
  #closed: Promise<void>;
  #isClosed = false;
  #requestId = 1;
  #lastReplyFlags = 0;
  #lastResponseTo = 0;
  #lastCompressorId: number | undefined;
  #unsolicited: Document[] = [];
  #compress: FrameCompressor | false = false;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on("data", (chunk: Buffer) => this.#receive(chunk));
    this.#closed = new Promise((resolve) => socket.on("close", () => resolve()));
    this.#closed.then(() => {
      this.#isClosed = true;
      this.#waiters.splice(0).forEach((w) => w(undefined));
    });
    socket.on("error", () => {});
  }

  /** Opens a connection to 127.0.0.1:port. */
  static open(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, "127.0.0.1", () => resolve(new RawClient(socket)));
      socket.once("error", reject);
    });
  }

  /** Opens a TLS connection to 127.0.0.1:port (e.g. with a client certificate). */
  static openTls(port: number, options: ConnectionOptions): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connectTls(
        { ...options, port, host: "127.0.0.1" },
        () => resolve(new RawClient(socket)),
      );
      socket.once("error", reject);
    });
  }

  /**
   * Sends an OP_MSG and waits for its reply.
   * @returns the reply body, or undefined when the server closed the connection instead
   */
  msg(body: Document | Uint8Array, options: MsgOptions = {}): Promise<Document | undefined> {
    return this.#send(this.msgFrame(body, options));
  }

  /**
   * An OP_MSG frame with this connection's next request id, not sent: {@link writeRaw} sends it in
   * whatever pieces a test wants, and {@link nextReply} collects the replies.
   */
  msgFrame(body: Document | Uint8Array, options: MsgOptions = {}): Buffer {
    const doc = body instanceof Uint8Array ? body : BSON.serialize(body);
    const checksum = options.checksum !== undefined;
    const flags = (options.flags ?? 0) | (checksum ? 1 : 0);
    const frame = Buffer.alloc(16 + 4 + 1 + doc.length + (checksum ? 4 : 0));
    this.#header(frame, 2013);
    frame.writeUInt32LE(flags >>> 0, 16);
    frame[20] = 0;
    Buffer.from(doc).copy(frame, 21);
    if (checksum) {
      const crc = crc32c(frame.subarray(0, frame.length - 4));
      frame.writeUInt32LE(options.checksum === "corrupt" ? (crc ^ 1) >>> 0 : crc, frame.length - 4);
    }
    return frame;
  }

  /**
   * From now on {@link msg}, {@link query} and {@link sendFrame} send every frame as an OP_COMPRESSED with
   * `compressor` ({@link compressFrame}), as a driver does after negotiating compression; `false` stops it.
   */
  compressRequests(compressor: FrameCompressor | false = "zlib"): void {
    this.#compress = compressor;
  }

  /** Writes bytes as they are (e.g. part of a frame); replies arrive through {@link nextReply}. */
  writeRaw(bytes: Uint8Array): void {
    this.#socket.write(bytes);
  }

  /**
   * Sends a frame built elsewhere (e.g. an OP_COMPRESSED around {@link msgFrame}) and waits for the reply.
   * @returns the reply document, or undefined when the server closed the connection instead
   */
  sendFrame(frame: Uint8Array): Promise<Document | undefined> {
    return this.#send(Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength));
  }

  /** Sends an OP_QUERY on `namespace` (e.g. "admin.$cmd") and waits for the OP_REPLY document. */
  query(namespace: string, query: Document, options: QueryOptions = {}): Promise<Document | undefined> {
    return this.#send(this.queryFrame(namespace, query, options));
  }

  /** An OP_QUERY frame with this connection's next request id, not sent. */
  queryFrame(namespace: string, query: Document, options: QueryOptions = {}): Buffer {
    const ns = Buffer.from(`${namespace}\0`, "utf8");
    const doc = Buffer.from(BSON.serialize(query));
    const frame = Buffer.alloc(16 + 4 + ns.length + 8 + doc.length);
    this.#header(frame, 2004);
    frame.writeInt32LE(options.flags ?? 0, 16);
    ns.copy(frame, 20);
    frame.writeInt32LE(options.numberToReturn ?? -1, 20 + ns.length + 4);
    doc.copy(frame, 20 + ns.length + 8);
    return frame;
  }

  /** The flags of the last reply: OP_REPLY responseFlags (bit 1: QueryFailure), OP_MSG flagBits (bit 1: moreToCome). */
  get lastReplyFlags(): number {
    return this.#lastReplyFlags;
  }

  /** The compressor id of the last reply when it came as OP_COMPRESSED (snappy 1, zlib 2, zstd 3), else undefined. */
  get lastCompressorId(): number | undefined {
    return this.#lastCompressorId;
  }

  /** The last reply's responseTo. */
  get lastResponseTo(): number {
    return this.#lastResponseTo;
  }

  /** The id the next request will carry. */
  get nextRequestId(): number {
    return this.#requestId;
  }

  /**
   * The next reply the server sends without a request (an exhaust stream's), waiting for it if need be.
   * @returns the reply, or undefined when the connection closes first
   */
  nextReply(): Promise<Document | undefined> {
    const queued = this.#unsolicited.shift();
    if (queued) return Promise.resolve(queued);
    if (this.#isClosed) return Promise.resolve(undefined);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Resolves when the server has closed the connection. */
  closed(): Promise<void> {
    return this.#closed;
  }

  /** Closes the connection. */
  close(): void {
    this.#socket.destroy();
  }

  #header(frame: Buffer, opCode: number): void {
    frame.writeInt32LE(frame.length, 0);
    frame.writeInt32LE(this.#requestId++, 4);
    frame.writeInt32LE(0, 8);
    frame.writeInt32LE(opCode, 12);
  }

  #send(frame: Buffer): Promise<Document | undefined> {
    return new Promise((resolve) => {
      this.#waiters.push(resolve);
      this.#socket.write(this.#compress ? compressFrame(frame, { compressor: this.#compress }) : frame);
    });
  }

  #receive(chunk: Buffer): void {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    while (this.#buffer.length >= 4 && this.#buffer.length >= this.#buffer.readInt32LE(0)) {
      const length = this.#buffer.readInt32LE(0);
      const frame = this.#uncompressed(this.#buffer.subarray(0, length));
      this.#buffer = this.#buffer.subarray(length);
      const opCode = frame.readInt32LE(12);
      this.#lastReplyFlags = frame.readInt32LE(16);
      this.#lastResponseTo = frame.readInt32LE(8);
      const docStart = opCode === 1 ? 36 : 21;
      const doc = BSON.deserialize(frame.subarray(docStart));
      const waiter = this.#waiters.shift();
      if (waiter) waiter(doc);
      else this.#unsolicited.push(doc);
    }
  }

  /** An OP_COMPRESSED (snappy, zlib or zstd) as the message it wraps; any other message as it is. */
  #uncompressed(frame: Buffer): Buffer {
    this.#lastCompressorId = undefined;
    if (frame.readInt32LE(12) !== 2012) return frame;
    this.#lastCompressorId = frame[24];
    const declared = frame.readInt32LE(20);
    const body = frame[24] === COMPRESSOR_IDS.snappy
      ? uncompressSync(frame.subarray(25), { asBuffer: true }) as Buffer
      : frame[24] === COMPRESSOR_IDS.zlib
      ? zlib.inflateSync(frame.subarray(25), { maxOutputLength: Math.max(1, declared) })
      : frame[24] === COMPRESSOR_IDS.zstd && zstdSync
      ? zstdSync.decompress(frame.subarray(25), { maxOutputLength: Math.max(1, declared) })
      : undefined;
    if (body === undefined) throw new Error(`compressed reply with compressor ${frame[24]}`);
    if (body.length !== declared) {
      throw new Error("compressed reply of another size than declared");
    }
    const out = Buffer.concat([frame.subarray(0, 16), body]);
    out.writeInt32LE(out.length, 0);
    out.writeInt32LE(frame.readInt32LE(16), 12);
    return out;
  }
}

/**
 * Starts a server with `config`, opens one raw connection to it, runs `fn`, and always closes both.
 * @param config the server's configuration
 * @param fn the test body
 */
export async function withRawClient(
  config: ServerConfig,
  fn: (client: RawClient, server: RunningServer) => Promise<void>,
): Promise<void> {
  const server = await startServer(config);
  const client = await RawClient.open(server.port);
  try {
    await fn(client, server);
  } finally {
    client.close();
    await server.close();
  }
}

/** What scramAuth sends. */
export interface ScramLogin {
  hash: "sha1" | "sha256";
  user: string;
  password: string;
  db: string;
  /** Send the commands over OP_QUERY on `<db>.$cmd` (as mongod 7.0 still allows) instead of OP_MSG. */
  opQuery?: boolean;
  /** Send payloads as base64 strings instead of BinData. */
  base64?: boolean;
  /** Generic arguments added to the saslStart (e.g. `{ apiVersion: "1", apiStrict: true }`). */
  startArguments?: Document;
  /** Generic arguments added to the saslContinue, the command that completes the authentication. */
  continueArguments?: Document;
}

/**
 * Runs a SCRAM conversation with saslStart/saslContinue (skipEmptyExchange) on a raw client.
 * @returns the last reply (ok: 1 with done: true on success, the error reply otherwise)
 */
export async function scramAuth(client: RawClient, login: ScramLogin): Promise<Document | undefined> {
  const { hash, user, db } = login;
  const send = (cmd: Document) =>
    login.opQuery ? client.query(`${db}.$cmd`, cmd) : client.msg({ ...cmd, $db: db });
  const encode = (text: string) =>
    login.base64 ? Buffer.from(text).toString("base64") : new Binary(Buffer.from(text));
  const decode = (payload: unknown) =>
    typeof payload === "string"
      ? Buffer.from(payload, "base64").toString("utf8")
      : Buffer.from((payload as Binary).value()).toString("utf8");
  const nonce = randomBytes(24).toString("base64");
  const escaped = user.replaceAll("=", "=3D").replaceAll(",", "=2C");
  const bare = `n=${escaped},r=${nonce}`;
  const start = await send({
    saslStart: 1,
    mechanism: hash === "sha1" ? "SCRAM-SHA-1" : "SCRAM-SHA-256",
    payload: encode(`n,,${bare}`),
    options: { skipEmptyExchange: true },
    ...login.startArguments,
  });
  if (start?.ok !== 1) return start;
  const serverFirst = decode(start.payload);
  const fields = Object.fromEntries(serverFirst.split(",").map((f) => [f[0], f.slice(2)]));
  const hiPassword = hash === "sha1"
    ? createHash("md5").update(`${user}:mongo:${login.password}`).digest("hex")
    : saslprep(login.password);
  const salted = pbkdf2Sync(
    hiPassword,
    Buffer.from(fields.s, "base64"),
    Number(fields.i),
    hash === "sha1" ? 20 : 32,
    hash,
  );
  const clientKey = createHmac(hash, salted).update("Client Key").digest();
  const storedKey = createHash(hash).update(clientKey).digest();
  const withoutProof = `c=biws,r=${fields.r}`;
  const authMessage = `${bare},${serverFirst},${withoutProof}`;
  const signature = createHmac(hash, storedKey).update(authMessage).digest();
  const proof = clientKey.map((b, i) => b ^ signature[i]);
  return await send({
    saslContinue: 1,
    conversationId: start.conversationId,
    payload: encode(`${withoutProof},p=${Buffer.from(proof).toString("base64")}`),
    ...login.continueArguments,
  });
}
