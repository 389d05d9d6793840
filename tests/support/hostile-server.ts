// A hostile test peer on node:net, separate from the reference server (which it never changes): a proxy
// in front of an upstream server (normally the reference server) that follows a per-connection plan —
// forward faithfully, never answer, dribble replies byte by byte (slowloris), close at the n-th client
// message or in the middle of the n-th reply, claim a frame larger than maxMessageSizeBytes, or rewrite
// reply documents (downgrade the mechanism list, replay another connection's SCRAM server-first).
// It records every client message and notices when the client closes its side, so a test can assert
// the client gave up *and* let go of the socket. Loopback only.
import { connect as netConnect, createServer, type Server, type Socket } from "node:net";
// The peer's own timers come from node:timers, bound at import: a test that instruments the global
// timers to find the client's leaks does not see these.
import { clearTimeout, setTimeout } from "node:timers";
import { BSON } from "bson";

type Doc = Record<string, unknown>;

/** What the peer does on one connection. Steps count client messages from 1 (hello is 1). */
export interface HostilePlan {
  /** Never answer; read and drop whatever the client sends. */
  readonly silent?: boolean;
  /** Stop answering from client message `silentFromMessage` on (say, after a successful handshake). */
  readonly silentFromMessage?: number;
  /** Send replies one byte every `dribbleMs` milliseconds. */
  readonly dribbleMs?: number;
  /** On client message `closeAtMessage`, close the connection instead of forwarding it. */
  readonly closeAtMessage?: number;
  /** Forward, but send only the first half of reply `closeInReply`, then close. */
  readonly closeInReply?: number;
  /** Answer client message `oversizeAtMessage` with a header claiming `oversizeLength` bytes, then stall. */
  readonly oversizeAtMessage?: number;
  /** The length the oversize header claims. Default 48 000 001 (one more than mongod's maximum). */
  readonly oversizeLength?: number;
  /** Rewrite reply `index` (1-based, matches the client message it answers) before it is sent. */
  readonly rewriteReply?: (body: Doc, index: number, connection: HostileConnection) => Doc;
}

/** One accepted connection, as the peer saw it. */
export interface HostileConnection {
  /** 0-based, in order of acceptance. */
  readonly id: number;
  /** The body of every OP_MSG the client sent, in order. */
  readonly messages: Doc[];
  /** Resolves when the client's side is closed (by the client or by the peer). */
  readonly closed: Promise<void>;
  /** Whether the peer itself closed the connection (as planned). */
  closedByPeer: boolean;
  /** Whether the client closed it (the socket ended or closed while the peer still held it open). */
  closedByClient: boolean;
}

/** A running hostile peer. */
export interface HostileServer {
  /** `127.0.0.1:PORT`, for a connection string. */
  readonly address: string;
  readonly port: number;
  /** Every connection so far. */
  readonly connections: HostileConnection[];
  /** Stops listening and destroys every socket (both sides); pending dribbles stop. */
  close(): Promise<void>;
}

/** Options of {@link startHostileServer}. */
export interface HostileServerOptions {
  /** The server to forward to, `{ host, port }`; without one, only `silent` and `oversize*` plans work. */
  readonly upstream?: { readonly host: string; readonly port: number };
  /** The plan for connection `id` (0-based); a fixed plan for all when a value is given. */
  readonly plan: HostilePlan | ((id: number) => HostilePlan);
}

/**
 * Starts the hostile peer on 127.0.0.1 with a free port.
 * @param options upstream and plan
 * @returns the running peer
 */
export async function startHostileServer(options: HostileServerOptions): Promise<HostileServer> {
  const connections: HostileConnection[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
  };
  const server: Server = createServer((client) => {
    track(client);
    const id = connections.length;
    const plan = typeof options.plan === "function" ? options.plan(id) : options.plan;
    let markClosed!: () => void;
    const connection: HostileConnection = {
      id,
      messages: [],
      closed: new Promise<void>((resolve) => (markClosed = resolve)),
      closedByPeer: false,
      closedByClient: false,
    };
    connections.push(connection);
    const clientGone = () => {
      if (!connection.closedByPeer) connection.closedByClient = true;
      markClosed();
      upstream?.destroy();
    };
    client.on("end", clientGone);
    client.on("close", clientGone);
    const hangUp = () => {
      connection.closedByPeer = true;
      client.destroy();
      upstream?.destroy();
    };

    const upstream = options.upstream && !plan.silent
      ? netConnect({ host: options.upstream.host, port: options.upstream.port })
      : undefined;
    if (upstream) track(upstream);

    // Replies go out in order; a dribbled reply delays the ones after it.
    let sending: Promise<void> = Promise.resolve();
    const send = (bytes: Uint8Array) => {
      sending = sending.then(
        () => (plan.dribbleMs ? dribble(client, bytes, plan.dribbleMs, timers) : write(client, bytes)),
      );
      return sending;
    };

    let replies = 0;
    upstream?.on(
      "data",
      frameSplitter((frame) => {
        const index = ++replies;
        let out = frame;
        if (plan.rewriteReply) {
          const body = decodeBody(frame);
          if (body) out = encodeReply(frame, plan.rewriteReply(body, index, connection));
        }
        if (plan.closeInReply === index) {
          void send(out.subarray(0, Math.max(1, out.length >> 1))).then(hangUp);
          return;
        }
        void send(out);
      }),
    );
    upstream?.on("close", () => {
      if (!client.destroyed) void sending.then(() => client.destroy());
    });

    client.on(
      "data",
      frameSplitter((frame) => {
        const index = connection.messages.length + 1;
        connection.messages.push(decodeBody(frame) ?? {});
        if (plan.silent || (plan.silentFromMessage !== undefined && index >= plan.silentFromMessage)) return;
        if (plan.closeAtMessage === index) return hangUp();
        if (plan.oversizeAtMessage === index) {
          const header = new Uint8Array(16 + 5);
          const view = new DataView(header.buffer);
          view.setInt32(0, plan.oversizeLength ?? 48_000_001, true);
          view.setInt32(4, 1, true);
          view.setInt32(8, new DataView(frame.buffer, frame.byteOffset).getInt32(4, true), true); // responseTo
          view.setInt32(12, 2013, true);
          void send(header);
          return;
        }
        upstream?.write(frame);
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    address: `127.0.0.1:${port}`,
    port,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function write(socket: Socket, bytes: Uint8Array): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  return new Promise((resolve) => socket.write(bytes, () => resolve()));
}

async function dribble(
  socket: Socket,
  bytes: Uint8Array,
  everyMs: number,
  timers: Set<ReturnType<typeof setTimeout>>,
): Promise<void> {
  for (let i = 0; i < bytes.length && !socket.destroyed; i++) {
    await write(socket, bytes.subarray(i, i + 1));
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, everyMs);
      timers.add(timer);
    });
  }
}

// Calls `onFrame` with each whole wire message of a byte stream (lengths from trusted peers only:
// our own client and the reference server).
function frameSplitter(onFrame: (frame: Uint8Array) => void): (chunk: Uint8Array) => void {
  let buffered = new Uint8Array(0);
  return (chunk) => {
    const next = new Uint8Array(buffered.length + chunk.length);
    next.set(buffered);
    next.set(chunk, buffered.length);
    buffered = next;
    while (buffered.length >= 4) {
      const length = new DataView(buffered.buffer, buffered.byteOffset).getInt32(0, true);
      if (length < 16 || buffered.length < length) break;
      onFrame(buffered.slice(0, length));
      buffered = buffered.slice(length);
    }
  };
}

// The kind-0 body of an OP_MSG without checksum, or undefined for anything else.
function decodeBody(frame: Uint8Array): Doc | undefined {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  if (view.getInt32(12, true) !== 2013 || frame[20] !== 0 || view.getUint32(16, true) !== 0) return undefined;
  return BSON.deserialize(frame.subarray(21));
}

// The same header (ids, opcode) with a new body.
function encodeReply(original: Uint8Array, body: Doc): Uint8Array {
  const doc = BSON.serialize(body);
  const out = new Uint8Array(21 + doc.length);
  out.set(original.subarray(0, 21));
  new DataView(out.buffer).setInt32(0, out.length, true);
  out.set(doc, 21);
  return out;
}
