/**
 * Sockets from `node:net` / `node:tls` as Web Streams: the Node.js and Bun transport's, and the Deno
 * transport's for TLS with a pinned CA.
 *
 * @module
 */
import net from "node:net";
import tls from "node:tls";
import { readFile } from "node:fs/promises";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { abortError } from "../abort.ts";
import { MongoAuthError } from "../errors.ts";
import { splitPem } from "../pem.ts";
import { closedDuringTlsHandshake, connectionRefused, unresolvableHost } from "../wire/socket-errors.ts";
import type { OpenSocketOptions, TlsSettings } from "../wire/transport.ts";
import type { SocketStreams } from "../wire/wire-connection.ts";

async function tlsOptions(settings: TlsSettings, host: string): Promise<tls.ConnectionOptions> {
  if (settings.caFile !== undefined || settings.ca !== undefined) checkPinnableOnDeno(host);
  const read = (path: string, what: string) =>
    readFile(path, "utf8").catch((err) => {
      throw new MongoAuthError("TLS_ERROR", `cannot read ${what} ${path}`, { cause: err });
    });
  const options: tls.ConnectionOptions = {
    rejectUnauthorized: !settings.allowInvalidCertificates,
    servername: net.isIP(host) ? undefined : host,
  };
  if (settings.caFile !== undefined) options.ca = await read(settings.caFile, "tlsCAFile");
  else if (settings.ca !== undefined) options.ca = settings.ca;
  const pair = settings.certificateKeyFile !== undefined
    ? await read(settings.certificateKeyFile, "tlsCertificateKeyFile").then((pem) => ({
      cert: pem,
      key: pem,
    }))
    : settings.certificateKey;
  if (pair) {
    if ("Deno" in globalThis) checkPairOnDeno(pair, settings.certificateKeyFile ?? "tlsCertificateKey");
    options.cert = pair.cert;
    options.key = pair.key;
    options.passphrase = settings.certificateKeyPassword;
  }
  if (settings.allowInvalidHostnames) options.checkServerIdentity = () => undefined;
  return options;
}

/** The first Deno whose `node:tls` trusts only `ca` (2.7 and earlier add it to the built-in roots). */
const PINNING_DENO = [2, 8] as const;

// A pinned CA must be the only CA trusted (as in Node): before Deno 2.8, Deno's node:tls handed `ca` to
// Deno.startTls, which adds it to the built-in roots, so any publicly trusted certificate would pass.
function checkPinnableOnDeno(host: string): void {
  const deno = (globalThis as { Deno?: { version?: { deno?: string } } }).Deno;
  if (deno === undefined) return;
  const version = deno.version?.deno ?? "unknown";
  const [major, minor] = version.split(".").map(Number);
  if (major > PINNING_DENO[0] || (major === PINNING_DENO[0] && minor >= PINNING_DENO[1])) return;
  throw new MongoAuthError(
    "RUNTIME_UNSUPPORTED",
    `Deno ${version} cannot trust only the CA of tlsCAFile/tlsCA: its TLS adds that CA to the built-in ` +
      `roots, so any publicly trusted certificate for ${host} would pass. Upgrade to Deno ` +
      `${PINNING_DENO.join(".")} or later, or leave tlsCAFile/tlsCA out if the server's certificate is ` +
      `publicly trusted`,
  );
}

// Deno's node:tls neither decrypts a key (it ignores `passphrase`) nor rejects a malformed certificate or
// key: it silently sends no certificate, and the server's refusal says nothing useful. Check here instead.
function checkPairOnDeno(pair: { cert: string; key: string }, source: string): void {
  const pem = splitPem(pair.cert === pair.key ? pair.cert : pair.cert + "\n" + pair.key, source);
  if (pem.encrypted) {
    throw new MongoAuthError(
      "RUNTIME_UNSUPPORTED",
      "Deno cannot decrypt an encrypted private key: decrypt it first (openssl pkey -in key.pem -out plain.pem)",
    );
  }
  try {
    new X509Certificate(pem.cert);
    createPrivateKey(pem.key);
  } catch (err) {
    throw new MongoAuthError("TLS_ERROR", `invalid TLS certificate or private key in ${source}`, {
      cause: err,
    });
  }
}

/**
 * Opens a TCP or TLS socket with `node:net` / `node:tls` and hands it back as Web Streams. Node and Bun
 * use it for every socket; Deno (2.8 and later) for TLS with a pinned CA, because its `node:tls` replaces
 * the trusted roots with `ca` where `Deno.connectTls` only adds to them.
 *
 * @param options host, port, TLS settings and the signal that bounds opening
 * @returns the socket's streams
 * @throws {MongoAuthError} `CONNECTION_FAILED`, `TLS_ERROR`, `TIMEOUT`, `ABORTED`, `RUNTIME_UNSUPPORTED`
 */
export function openNodeSocket(
  { host, port, tls: settings, signal }: OpenSocketOptions,
): Promise<SocketStreams> {
  return new Promise<SocketStreams>((resolve, reject) => {
    let socket: net.Socket | undefined;
    const fail = (err: MongoAuthError) => {
      signal.removeEventListener("abort", onAbort);
      socket?.destroy();
      reject(err);
    };
    const onAbort = () => fail(abortError(signal, `connecting to ${host}:${port}`));
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    const ready = () => {
      signal.removeEventListener("abort", onAbort);
      socket!.removeAllListeners("error");
      resolve(toStreams(socket!));
    };
    const start = async () => {
      if (!settings) {
        socket = net.connect({ host, port }, ready);
      } else {
        const options = await tlsOptions(settings, host);
        if (signal.aborted) return;
        try {
          socket = tls.connect({ ...options, host, port }, ready);
        } catch (err) {
          // Bad PEM or passphrase: the TLS context is built synchronously.
          return fail(
            new MongoAuthError("TLS_ERROR", `invalid TLS certificate or key: ${tlsReason(err)}`, {
              cause: err,
            }),
          );
        }
      }
      socket.setNoDelay(true);
      socket.once("error", (err) => fail(socketError(err, host, port, settings !== undefined)));
    };
    start().catch((err) =>
      fail(err instanceof MongoAuthError ? err : socketError(err, host, port, settings !== undefined))
    );
  });
}

function tlsReason(err: unknown): string {
  return err instanceof Error ? err.message.replace(/[\r\n]+/g, " ") : "unknown";
}

// What went wrong, in words that say what to do; Node's code (ENOTFOUND, …) is kept in the message.
function socketError(err: unknown, host: string, port: number, tls: boolean): MongoAuthError {
  const code = String((err as { code?: unknown })?.code ?? "");
  const peer = `${host}:${port}`;
  if (code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EAI_NONAME" || code === "EAI_FAIL") {
    return unresolvableHost(host, code, err);
  }
  if (code === "ECONNREFUSED") return connectionRefused(peer, err);
  // The peer hung up in the middle of our ClientHello: mongod does that when TLS is off.
  if (tls && (code === "ECONNRESET" || /before secure TLS connection/i.test(tlsReason(err)))) {
    return closedDuringTlsHandshake(peer, err);
  }
  const isTls = /^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED|ERR_OSSL)/.test(code) ||
    /certificate|ssl|tls/i.test(String((err as Error)?.message));
  return isTls
    ? new MongoAuthError("TLS_ERROR", `TLS handshake with ${peer} failed: ${tlsReason(err)}`, { cause: err })
    : new MongoAuthError("CONNECTION_FAILED", `cannot connect to ${peer}: ${code || tlsReason(err)}`, {
      cause: err,
    });
}

// Web Streams over a net.Socket, with backpressure: the socket pauses while the reader lags.
function toStreams(socket: net.Socket): SocketStreams {
  let readClosed = false;
  const readable = new ReadableStream<Uint8Array>({
    start(controller) {
      const end = (err?: unknown) => {
        if (readClosed) return;
        readClosed = true;
        if (err) controller.error(err);
        else controller.close();
      };
      socket.on("data", (chunk: Uint8Array) => {
        if (readClosed) return;
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 1) <= 0) socket.pause();
      });
      socket.on("end", () => end());
      socket.on("close", () => end());
      socket.on(
        "error",
        (err) => end(new MongoAuthError("CONNECTION_CLOSED", "socket error", { cause: err })),
      );
    },
    pull() {
      socket.resume();
    },
    cancel() {
      socket.destroy();
    },
  }, { highWaterMark: 8 });
  const writable = new WritableStream<Uint8Array>({
    write: (chunk) =>
      new Promise<void>((resolve, reject) => socket.write(chunk, (err) => (err ? reject(err) : resolve()))),
    close: () => new Promise<void>((resolve) => socket.end(resolve)),
    abort: () => void socket.destroy(),
  });
  return { readable, writable, close: () => void socket.destroy() };
}
