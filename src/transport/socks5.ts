/**
 * The client side of a SOCKS5 proxy's handshake (RFC 1928, with RFC 1929's username and password), as the
 * MongoDB SOCKS5 specification asks of a driver given `proxyHost`: offer "no authentication" (and
 * username/password when both are given), then ask the proxy to connect to the server by the host name
 * as given, never resolved here. It runs over any transport's bytes; what follows (TLS, then MongoDB's
 * wire protocol) goes through the tunnel it opens. Every failure is `CONNECTION_FAILED`, as a network
 * error is (the specification's rule), and names the proxy, never its password.
 *
 * @module
 */
import { MongoAuthError } from "../core/errors.ts";
import type { ProxySettings } from "../client/transport.ts";
import type { HostAddress } from "../credential/connection-string.ts";
import { hostPort } from "../topology/server-description.ts";
import { socketError } from "./socket.ts";

/** The proxy's side of the handshake, as a transport reads and writes its socket. */
export interface HandshakeChannel {
  /** Sends bytes to the proxy. */
  write(bytes: Uint8Array): void | Promise<void>;
  /** The next bytes the proxy sent, or `null` once it closed the connection. */
  read(): Promise<Uint8Array | null>;
}

const VERSION = 0x05;
const NO_AUTHENTICATION = 0x00;
const USERNAME_PASSWORD = 0x02;
const NO_ACCEPTABLE_METHOD = 0xff;

// RFC 1928 section 6, the REP field.
const REPLIES: Readonly<Record<number, string>> = {
  1: "general SOCKS server failure",
  2: "connection not allowed by its rules",
  3: "network unreachable",
  4: "host unreachable",
  5: "connection refused",
  6: "TTL expired",
  7: "command not supported",
  8: "address type not supported",
};

/**
 * Asks the proxy at the other end of `channel` for a connection to `target`; resolves once the proxy has
 * made it, when the channel carries the target's bytes.
 *
 * @param channel the socket to the proxy, already connecting
 * @param proxy the proxy, with its username and password when it wants them
 * @param target the MongoDB server: a host name is passed on as is, for the proxy to resolve
 * @throws {MongoAuthError} `CONNECTION_FAILED` when the proxy cannot be reached, speaks something else,
 *   refuses the credentials, or cannot reach the target; `INVALID_OPTION` for a user name, password or
 *   host longer than SOCKS5 carries (255 bytes)
 *
 * @example A proxy that connects as asked
 * ```ts
 * import assert from "node:assert/strict";
 * import { socks5Handshake } from "./socks5.ts";
 *
 * const replies = [new Uint8Array([5, 0]), new Uint8Array([5, 0, 0, 1, 127, 0, 0, 1, 0x69, 0x8d])];
 * const sent: number[][] = [];
 * await socks5Handshake(
 *   { write: (bytes) => void sent.push([...bytes]), read: () => Promise.resolve(replies.shift() ?? null) },
 *   { host: "127.0.0.1", port: 1080 },
 *   { host: "db", port: 27017 },
 * );
 * assert.deepEqual(sent, [[5, 1, 0], [5, 1, 0, 3, 2, 100, 98, 0x69, 0x89]]);
 * ```
 */
export async function socks5Handshake(
  channel: HandshakeChannel,
  proxy: ProxySettings,
  target: HostAddress,
): Promise<void> {
  const peer = `SOCKS5 proxy ${hostPort(proxy)}`;
  const reader = exactReader(channel, proxy, peer);
  const credentials = proxy.username && proxy.password
    ? { username: utf8(proxy.username, "proxyUsername"), password: utf8(proxy.password, "proxyPassword") }
    : undefined;
  const request = connectRequest(target);
  await channel.write(
    credentials
      ? new Uint8Array([VERSION, 2, NO_AUTHENTICATION, USERNAME_PASSWORD])
      : new Uint8Array([VERSION, 1, NO_AUTHENTICATION]),
  );
  const [version, method] = await reader.take(2);
  if (version !== VERSION) throw notSocks5(peer, version);
  if (method === USERNAME_PASSWORD && credentials) {
    await channel.write(
      Uint8Array.of(
        1,
        credentials.username.length,
        ...credentials.username,
        credentials.password.length,
        ...credentials.password,
      ),
    );
    const [, status] = await reader.take(2);
    if (status !== 0) {
      throw failed(
        `${peer} refused proxyUsername ${JSON.stringify(proxy.username)} and its password: check ` +
          "proxyUsername and proxyPassword",
      );
    }
  } else if (method === NO_ACCEPTABLE_METHOD) {
    throw failed(
      credentials
        ? `${peer} accepts neither no authentication nor username and password`
        : `${peer} wants authentication: give proxyUsername and proxyPassword`,
    );
  } else if (method !== NO_AUTHENTICATION) {
    throw failed(`${peer} chose authentication method ${method}, which was not offered`);
  }
  await channel.write(request);
  const [replyVersion, reply, , addressType] = await reader.take(4);
  if (replyVersion !== VERSION) throw notSocks5(peer, replyVersion);
  if (reply !== 0) {
    throw failed(
      `${peer} could not connect to ${hostPort(target)}: ${REPLIES[reply] ?? `reply ${reply}`} (SOCKS5 ` +
        `reply ${reply}); check the host and port, and that the proxy may reach them`,
    );
  }
  const addressLength = addressType === 1
    ? 4
    : addressType === 4
    ? 16
    : addressType === 3
    ? (await reader.take(1))[0]
    : undefined;
  if (addressLength === undefined) throw failed(`${peer} answered with address type ${addressType}`);
  await reader.take(addressLength + 2);
  reader.requireDrained();
}

/**
 * The error for a proxy that could not be reached at all: the runtime's reason, as for any host.
 *
 * @param err the runtime's error
 * @param proxy the proxy
 * @returns `CONNECTION_FAILED` naming the proxy and the options that set it
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unreachableProxy } from "./socks5.ts";
 *
 * const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
 * const err = unreachableProxy(refused, { host: "127.0.0.1", port: 1080 });
 * assert.match(err.message, /^SOCKS5 proxy \(proxyHost, proxyPort\): cannot connect to 127\.0\.0\.1:1080: connection refused/);
 * ```
 */
export function unreachableProxy(err: unknown, proxy: ProxySettings): MongoAuthError {
  if (err instanceof MongoAuthError) return err;
  const reason = socketError(err, proxy.host, proxy.port, false).message;
  return new MongoAuthError("CONNECTION_FAILED", `SOCKS5 proxy (proxyHost, proxyPort): ${reason}`, {
    cause: err,
  });
}

// Reads exactly as many bytes as asked for; the proxy may split or join its replies as TCP delivers them.
function exactReader(channel: HandshakeChannel, proxy: ProxySettings, peer: string) {
  let buffered = new Uint8Array(0);
  return {
    async take(count: number): Promise<Uint8Array> {
      while (buffered.length < count) {
        const chunk = await channel.read().catch((err) => {
          throw unreachableProxy(err, proxy);
        });
        if (chunk === null) {
          throw failed(
            `${peer} closed the connection during the SOCKS5 handshake: check proxyHost and proxyPort`,
          );
        }
        const joined = new Uint8Array(buffered.length + chunk.length);
        joined.set(buffered);
        joined.set(chunk, buffered.length);
        buffered = joined;
      }
      const taken = buffered.subarray(0, count);
      buffered = buffered.subarray(count);
      return taken;
    },
    // Nothing may follow the proxy's reply before the client speaks: MongoDB servers, and TLS, wait for it.
    requireDrained(): void {
      if (buffered.length > 0) throw failed(`${peer} sent bytes after its reply`);
    },
  };
}

function connectRequest({ host, port }: HostAddress): Uint8Array {
  const address = ipv4(host) ?? ipv6(host);
  const [type, bytes] = address === undefined ? [3, utf8(host, "the host")] : address;
  const header = type === 3 ? [VERSION, 1, 0, type, bytes.length] : [VERSION, 1, 0, type];
  return Uint8Array.of(...header, ...bytes, port >> 8, port & 0xff);
}

function ipv4(host: string): [1, Uint8Array] | undefined {
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return undefined;
  const parts = host.split(".").map(Number);
  return parts.every((part) => part <= 255) ? [1, Uint8Array.from(parts)] : undefined;
}

// An IPv6 literal (as the connection string holds it, without brackets) as its 16 bytes.
function ipv6(host: string): [4, Uint8Array] | undefined {
  if (!host.includes(":")) return undefined;
  const address = host.replace(/%.*$/, "");
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  const tail = dotted ? ipv4(dotted[1])?.[1] : undefined;
  const text = dotted && tail ? address.slice(0, -dotted[1].length) + "0:0" : address;
  const halves = text.split("::");
  const groups = (part: string) => (part === "" ? [] : part.split(":").map((g) => parseInt(g, 16)));
  const head = groups(halves[0]);
  const rest = halves.length === 2 ? groups(halves[1]) : [];
  const words = halves.length === 2
    ? [...head, ...Array(8 - head.length - rest.length).fill(0), ...rest]
    : head;
  if (words.length !== 8 || words.some((w) => !(w >= 0 && w <= 0xffff))) return undefined;
  const bytes = Uint8Array.from(words.flatMap((w) => [w >> 8, w & 0xff]));
  if (tail) bytes.set(tail, 12);
  return [4, bytes];
}

function utf8(text: string, what: string): Uint8Array {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length > 255) {
    throw new MongoAuthError("INVALID_OPTION", `${what} is longer than the 255 bytes a SOCKS5 proxy takes`);
  }
  return bytes;
}

function notSocks5(peer: string, version: number): MongoAuthError {
  return failed(
    `${peer} does not speak SOCKS5 (its reply starts with byte ${version}): check that proxyHost and ` +
      "proxyPort name a SOCKS5 proxy, not an HTTP proxy",
  );
}

function failed(message: string): MongoAuthError {
  return new MongoAuthError("CONNECTION_FAILED", message);
}
