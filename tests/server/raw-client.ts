// A bare-bones wire client for the reference server's own tests: raw OP_MSG / OP_QUERY frames
// and a minimal SCRAM client on node:crypto, so the tests can send what a driver never would.
// Independent of src/ on purpose (a bug shared with the library could otherwise hide).
import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";
import { Binary, BSON } from "bson";
import { saslprep } from "@mongodb-js/saslprep";
import { crc32c } from "./crc32c.ts";
import type { Document } from "./wire.ts";

/** Options for one raw OP_MSG. */
export interface MsgOptions {
  /** Extra flagBits. */
  flags?: number;
  /** Append a CRC-32C checksum (flag bit 0); `corrupt` appends a wrong one. */
  checksum?: "valid" | "corrupt";
}

/** One TCP connection speaking raw frames; replies are matched in order. */
export class RawClient {
  #socket: Socket;
  #buffer = Buffer.alloc(0);
  #waiters: Array<(reply: Document | undefined) => void> = [];
  #closed: Promise<void>;
  #requestId = 1;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on("data", (chunk: Buffer) => this.#receive(chunk));
    this.#closed = new Promise((resolve) => socket.on("close", () => resolve()));
    this.#closed.then(() => this.#waiters.splice(0).forEach((w) => w(undefined)));
    socket.on("error", () => {});
  }

  /** Opens a connection to 127.0.0.1:port. */
  static open(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, "127.0.0.1", () => resolve(new RawClient(socket)));
      socket.once("error", reject);
    });
  }

  /**
   * Sends an OP_MSG and waits for its reply.
   * @returns the reply body, or undefined when the server closed the connection instead
   */
  msg(body: Document, options: MsgOptions = {}): Promise<Document | undefined> {
    const doc = BSON.serialize(body);
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
    return this.#send(frame);
  }

  /** Sends an OP_QUERY on `namespace` (e.g. "admin.$cmd") and waits for the OP_REPLY document. */
  query(namespace: string, query: Document): Promise<Document | undefined> {
    const ns = Buffer.from(`${namespace}\0`, "utf8");
    const doc = Buffer.from(BSON.serialize(query));
    const frame = Buffer.alloc(16 + 4 + ns.length + 8 + doc.length);
    this.#header(frame, 2004);
    ns.copy(frame, 20);
    frame.writeInt32LE(-1, 20 + ns.length + 4);
    doc.copy(frame, 20 + ns.length + 8);
    return this.#send(frame);
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
      this.#socket.write(frame);
    });
  }

  #receive(chunk: Buffer): void {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    while (this.#buffer.length >= 4 && this.#buffer.length >= this.#buffer.readInt32LE(0)) {
      const length = this.#buffer.readInt32LE(0);
      const frame = this.#buffer.subarray(0, length);
      this.#buffer = this.#buffer.subarray(length);
      const opCode = frame.readInt32LE(12);
      const docStart = opCode === 1 ? 36 : 21;
      this.#waiters.shift()?.(BSON.deserialize(frame.subarray(docStart)));
    }
  }
}

/** What scramAuth sends. */
export interface ScramLogin {
  hash: "sha1" | "sha256";
  user: string;
  password: string;
  db: string;
}

/**
 * Runs a SCRAM conversation with saslStart/saslContinue (skipEmptyExchange) on a raw client.
 * @returns the last reply (ok: 1 with done: true on success, the error reply otherwise)
 */
export async function scramAuth(client: RawClient, login: ScramLogin): Promise<Document | undefined> {
  const { hash, user, db } = login;
  const nonce = randomBytes(24).toString("base64");
  const escaped = user.replaceAll("=", "=3D").replaceAll(",", "=2C");
  const bare = `n=${escaped},r=${nonce}`;
  const start = await client.msg({
    saslStart: 1,
    mechanism: hash === "sha1" ? "SCRAM-SHA-1" : "SCRAM-SHA-256",
    payload: new Binary(Buffer.from(`n,,${bare}`)),
    options: { skipEmptyExchange: true },
    $db: db,
  });
  if (start?.ok !== 1) return start;
  const serverFirst = Buffer.from((start.payload as Binary).value()).toString("utf8");
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
  return await client.msg({
    saslContinue: 1,
    conversationId: start.conversationId,
    payload: new Binary(Buffer.from(`${withoutProof},p=${Buffer.from(proof).toString("base64")}`)),
    $db: db,
  });
}
