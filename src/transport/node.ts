/**
 * `connect()` for Node.js and Bun: sockets from `node:net`/`node:tls`, DNS from `node:dns`.
 *
 * @example
 * ```ts ignore
 * import { connect } from "@mongo-auth/core/node";
 *
 * const conn = await connect("mongodb://alice:s3cret@127.0.0.1:27017/?authSource=admin");
 * await conn.command("admin", { connectionStatus: 1 });
 * await conn.close();
 * ```
 *
 * @module
 */
import net from "node:net";
import tls from "node:tls";
import dns from "node:dns/promises";
import os from "node:os";
import process from "node:process";
import { readFile } from "node:fs/promises";
import { createPrivateKey, X509Certificate } from "node:crypto";
import type { ConnectOptions } from "../connect-options.ts";
import { connectWith } from "../connect.ts";
import type { Connection } from "../connection.ts";
import { MongoAuthError } from "../errors.ts";
import { type RuntimeEnv, runtimeEnv } from "../runtime-env.ts";
import {
  awsCredentialProvider as coreAwsCredentialProvider,
  type AwsCredentialProviderOptions,
} from "../aws/provider.ts";
import type { AwsCredentialProvider } from "../aws/credentials.ts";
import type { OpenSocketOptions, SrvRecord, TlsSettings, Transport } from "../wire/transport.ts";
import type { SocketStreams } from "../wire/wire-connection.ts";
import { abortError } from "../abort.ts";
import { splitPem } from "../pem.ts";

/**
 * Connects to MongoDB and authenticates, on Node.js or Bun.
 *
 * @param uri a `mongodb://` or `mongodb+srv://` connection string
 * @param options MongoClient-style options (they win over the connection string's)
 * @returns the authenticated connection
 * @throws {MongoAuthError} see `connectWith`
 */
export function connect(uri: string, options?: ConnectOptions): Promise<Connection> {
  return connectWith(nodeTransport, uri, options);
}

/**
 * The runtime environment from `process.env`, `node:fs` and the global `fetch`.
 *
 * @returns the environment
 */
export function nodeEnv(): RuntimeEnv {
  return runtimeEnv({
    env: process.env,
    readTextFile: (path) => readFile(path, "utf8"),
    homeDir: os.homedir(),
  });
}

const isBun = typeof (globalThis as { Bun?: { version: string } }).Bun !== "undefined";

/** The Node.js/Bun transport, for `connectWith` and tests. */
export const nodeTransport: Transport = {
  platform: isBun
    ? `Bun ${(globalThis as unknown as { Bun: { version: string } }).Bun.version}`
    : `Node.js ${process.version}`,
  osType: os.type(),
  openSocket,
  resolveSrv: async (name) =>
    (await dns.resolveSrv(name)).map((r): SrvRecord => ({ name: r.name, port: r.port })),
  resolveTxt: isBun ? resolveTxtOnBun : (name) => dns.resolveTxt(name),
  defaultEnv: nodeEnv,
};

// Bun's node:dns returns each character-string of a TXT record as a record of its own
// (oven-sh/bun#21370), so one record of several strings and several records look the same. Both are
// rare for mongodb+srv (Atlas publishes one short string); refuse the ambiguous answer and say what works.
async function resolveTxtOnBun(name: string): Promise<string[][]> {
  const records = await dns.resolveTxt(name);
  if (records.length < 2) return records;
  throw new MongoAuthError(
    "DNS_ERROR",
    `Bun's node:dns cannot tell several TXT records of ${name} from one record of several strings ` +
      "(oven-sh/bun#21370); resolve with DNS-over-HTTPS instead: connect(uri, { dnsOverHttps: true })",
  );
}

async function tlsOptions(settings: TlsSettings, host: string): Promise<tls.ConnectionOptions> {
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

function openSocket({ host, port, tls: settings, signal }: OpenSocketOptions): Promise<SocketStreams> {
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
      socket.once("error", (err) => fail(socketError(err, host, port)));
    };
    start().catch((err) => fail(err instanceof MongoAuthError ? err : socketError(err, host, port)));
  });
}

function tlsReason(err: unknown): string {
  return err instanceof Error ? err.message.replace(/[\r\n]+/g, " ") : "unknown";
}

function socketError(err: unknown, host: string, port: number): MongoAuthError {
  const code = String((err as { code?: unknown })?.code ?? "");
  const isTls = /^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED|ERR_OSSL)/.test(code) ||
    /certificate|ssl|tls/i.test(String((err as Error)?.message));
  return isTls
    ? new MongoAuthError("TLS_ERROR", `TLS handshake with ${host}:${port} failed: ${tlsReason(err)}`, {
      cause: err,
    })
    : new MongoAuthError(
      "CONNECTION_FAILED",
      `cannot connect to ${host}:${port}: ${code || tlsReason(err)}`,
      {
        cause: err,
      },
    );
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

/**
 * The MONGODB-AWS credential chain as a function for the official driver's `AWS_CREDENTIAL_PROVIDER`,
 * reading this runtime's environment variables and files unless `options.env` says otherwise.
 *
 * @param options env, signal, timeout
 * @returns the provider
 * @example
 * ```ts ignore
 * import { MongoClient } from "mongodb";
 * import { awsCredentialProvider } from "@mongo-auth/core/node";
 *
 * const client = new MongoClient("mongodb+srv://cluster.example.net/?authMechanism=MONGODB-AWS", {
 *   authMechanismProperties: { AWS_CREDENTIAL_PROVIDER: awsCredentialProvider() },
 * });
 * ```
 */
export function awsCredentialProvider(options: AwsCredentialProviderOptions = {}): AwsCredentialProvider {
  return coreAwsCredentialProvider({ ...options, env: options.env ?? nodeEnv() });
}
