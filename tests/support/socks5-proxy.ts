// A SOCKS5 proxy for tests (RFC 1928, CONNECT only, with RFC 1929's username and password), as
// drivers-evergreen-tools' socks5srv.py serves the SOCKS5 specification's prose tests: it maps the host
// names it is asked for to loopback addresses (`map`), so that a test can ask for a name no DNS knows
// and see that the client passed it on unresolved. It records what each client asked for. It connects to
// loopback addresses only. tests/support/socks5-proxy.test.ts checks it against the `socks` package, the
// SOCKS5 client the official driver uses.
import net from "node:net";

export interface Socks5ProxyOptions {
  /** Require this user name and password (method 2); otherwise no authentication (method 0). */
  auth?: { username: string; password: string };
  /** "host:port" asked for → "127.0.0.1:port" connected to. Loopback targets not in the map are reached as asked. */
  map?: Record<string, string>;
  /** Answer every CONNECT with this reply code instead of connecting (RFC 1928 section 6). */
  reply?: number;
}

export interface Socks5Request {
  /** 1 IPv4, 3 domain name, 4 IPv6 */
  addressType: number;
  host: string;
  port: number;
  /** The authentication methods the client offered. */
  methods: number[];
  /** The user name it authenticated with, if any. */
  username?: string;
}

export interface RunningProxy {
  readonly port: number;
  readonly requests: Socks5Request[];
  close(): Promise<void>;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

export async function startSocks5Proxy(options: Socks5ProxyOptions = {}): Promise<RunningProxy> {
  const requests: Socks5Request[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.on("error", () => {});
    serve(client, options, requests, sockets).catch(() => client.destroy());
  });
  return { port: await listenOnLoopback(server), requests, close: () => stop(server, sockets) };
}

async function serve(
  client: net.Socket,
  options: Socks5ProxyOptions,
  requests: Socks5Request[],
  sockets: Set<net.Socket>,
): Promise<void> {
  const read = reader(client);
  const [version, count] = await read(2);
  if (version !== 5) return void client.destroy();
  const methods = [...await read(count)];
  const method = options.auth ? 2 : 0;
  if (!methods.includes(method)) return void client.end(Uint8Array.of(5, 0xff));
  client.write(Uint8Array.of(5, method));
  let username: string | undefined;
  if (options.auth) {
    const [, userLength] = await read(2);
    username = new TextDecoder().decode(await read(userLength));
    const [passwordLength] = await read(1);
    const password = new TextDecoder().decode(await read(passwordLength));
    const ok = username === options.auth.username && password === options.auth.password;
    if (!ok) return void client.end(Uint8Array.of(1, 1));
    client.write(Uint8Array.of(1, 0));
  }
  const [, command, , addressType] = await read(4);
  const host = addressType === 1
    ? [...await read(4)].join(".")
    : addressType === 4
    ? ipv6Text(await read(16))
    : new TextDecoder().decode(await read((await read(1))[0]));
  const portBytes = await read(2);
  const port = (portBytes[0] << 8) | portBytes[1];
  requests.push({ addressType, host, port, methods, ...(username !== undefined && { username }) });
  const reply = (code: number) => Uint8Array.of(5, code, 0, 1, 127, 0, 0, 1, 0, 0);
  if (command !== 1) return void client.end(reply(7));
  if (options.reply !== undefined) return void client.end(reply(options.reply));
  const asked = addressType === 4 ? `[${host}]:${port}` : `${host}:${port}`;
  const mapped = options.map?.[asked];
  const [targetHost, targetPort] = mapped
    ? [mapped.slice(0, mapped.lastIndexOf(":")), Number(mapped.slice(mapped.lastIndexOf(":") + 1))]
    : [host, port];
  if (!LOOPBACK.test(targetHost)) return void client.end(reply(2));
  const upstream = net.connect(targetPort, targetHost);
  sockets.add(upstream);
  upstream.on("close", () => sockets.delete(upstream));
  upstream.once("error", () => client.end(reply(5)));
  const early = read.detach();
  upstream.once("connect", () => {
    upstream.removeAllListeners("error");
    upstream.on("error", () => client.destroy());
    client.write(reply(0));
    if (early.length > 0) upstream.write(early);
    client.pipe(upstream).pipe(client);
  });
}

// Reads exact byte counts from a socket; `detach` stops reading (the socket paused, for a pipe) and gives
// back what arrived beyond the last count.
function reader(socket: net.Socket) {
  let buffered = new Uint8Array(0);
  let wake = () => {};
  let ended = false;
  const onData = (chunk: Uint8Array) => {
    const joined = new Uint8Array(buffered.length + chunk.length);
    joined.set(buffered);
    joined.set(chunk, buffered.length);
    buffered = joined;
    wake();
  };
  const onEnd = () => {
    ended = true;
    wake();
  };
  socket.on("data", onData).on("end", onEnd);
  const read = async (count: number): Promise<Uint8Array> => {
    while (buffered.length < count) {
      if (ended) throw new Error("client went away");
      await new Promise<void>((resolve) => (wake = resolve));
    }
    const taken = buffered.slice(0, count);
    buffered = buffered.slice(count);
    return taken;
  };
  const detach = (): Uint8Array => {
    socket.pause();
    socket.off("data", onData).off("end", onEnd);
    return buffered;
  };
  return Object.assign(read, { detach });
}

function ipv6Text(bytes: Uint8Array): string {
  const words = [];
  for (let i = 0; i < 16; i += 2) words.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  return words.join(":").replace(/(^|:)0(:0)+(:|$)/, "::");
}

export interface SilentListener {
  readonly port: number;
  /** One promise per connection accepted, settled when the client closes it. */
  readonly closed: Promise<unknown>[];
  /** Destroys what is still open and stops listening. */
  close(): Promise<void>;
}

/** A "proxy" on 127.0.0.1 that accepts and never answers: a client must give up, and close its socket. */
export async function startSilentListener(): Promise<SilentListener> {
  const sockets: net.Socket[] = [];
  const closed: Promise<unknown>[] = [];
  const server = net.createServer((socket) => {
    sockets.push(socket);
    closed.push(new Promise((resolve) => socket.resume().once("close", resolve)));
  });
  return { port: await listenOnLoopback(server), closed, close: () => stop(server, sockets) };
}

async function listenOnLoopback(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as net.AddressInfo).port;
}

// Ends every connection still open, then stops listening.
function stop(server: net.Server, sockets: Iterable<net.Socket>): Promise<void> {
  return new Promise<void>((resolve) => {
    for (const socket of sockets) socket.destroy();
    server.close(() => resolve());
  });
}
