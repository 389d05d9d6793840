/**
 * Sockets from `node:net` / `node:tls`, their chunks pushed from the socket's `data` events straight to
 * the wire's frame parser (Web Streams only for whoever asks for them): the Node.js and Bun transport's,
 * and the Deno transport's for TLS with a pinned CA or a client certificate.
 *
 * @module
 */
import net from "node:net";
import tls from "node:tls";
import { createHash, createPrivateKey, X509Certificate } from "node:crypto";
import { abortError, onAbort } from "../core/abort.ts";
import { MongoAuthError } from "../core/errors.ts";
import { requireCertificates, revocationLists, splitPem } from "./pem.ts";
import { decodePemBody } from "../crypto/base64.ts";
import {
  checkRevocation,
  readRevocationList,
  type RevocationList,
} from "../crypto/certificate-revocation.ts";
import { decryptPrivateKey, wrongPassphrase } from "../crypto/encrypted-private-key.ts";
import {
  altNames,
  denoTlsLimits,
  KEEP_ALIVE_INITIAL_DELAY_MS,
  socketError,
  subjectOfLines,
} from "./socket.ts";
import type { TraceEventAttributes } from "../core/trace.ts";
import {
  FULL_CAPABILITIES,
  type OpenSocketOptions,
  type ProxySettings,
  type TlsSettings,
  type TransportCapabilities,
} from "../client/transport.ts";
import type { SocketStreams } from "../wire/wire-connection.ts";
import type { RawSocket, SocketReceiver } from "../wire/raw-socket.ts";
import { hostPort, isSocketPath } from "../topology/server-description.ts";
import type { HostAddress } from "../credential/connection-string.ts";
import { socks5Handshake } from "./socks5.ts";
import { readTlsFile, type TlsFile } from "./tls-files.ts";
import { setNewest } from "../core/bounded-map.ts";

const deno = (globalThis as { Deno?: { version?: { deno?: string } } }).Deno;
const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";

/**
 * What `node:net`/`node:tls` can do in this runtime: everything on Node.js and Bun. Before Deno 2.8, Deno's
 * `node:tls` handed `ca` to `Deno.startTls`, which adds it to the built-in roots, so any publicly trusted
 * certificate would pass a pinned CA. (It ignores a revocation list and decrypts no key, at any version:
 * both are done here, `checkRevocation` after the handshake and `decryptPrivateKey` before it.)
 *
 * @returns the capabilities
 */
export function nodeSocketCapabilities(): TransportCapabilities {
  if (deno === undefined) return { ...FULL_CAPABILITIES, runtime: isBun ? "Bun" : "Node.js" };
  return { ...FULL_CAPABILITIES, ...denoTlsLimits(), runtime: `Deno ${deno.version?.deno ?? "unknown"}` };
}

/**
 * A connection's TLS options; the digests of the files they came from, which stand for the files' text in
 * the secure context's key; the revocation lists they hold (`crl`); for an encrypted key on Node.js and Bun,
 * how to decrypt it here instead.
 */
interface TlsOptions {
  readonly options: tls.ConnectionOptions;
  readonly digests: FileDigests;
  readonly revocation?: RevocationFile;
  readonly decryptKey?: () => Promise<Pick<tls.ConnectionOptions, "cert" | "key" | "passphrase">>;
}

/** The SHA-256 of `tlsCAFile` and `tlsCRLFile`, when the options came from them. */
type FileDigests = Partial<Record<"ca" | "crl", string>>;

async function tlsOptions(settings: TlsSettings, host: string): Promise<TlsOptions> {
  const options: tls.ConnectionOptions = {
    rejectUnauthorized: !settings.allowInvalidCertificates,
    // No SNI for an IP address or a socket path; node:tls then checks the certificate against the host,
    // and for a socket against "localhost" (as the official driver does: a path cannot be in a certificate).
    servername: net.isIP(host) || isSocketPath(host) ? undefined : host,
  };
  const digests: FileDigests = {};
  if (settings.caFile !== undefined) {
    const file = await readTlsFile(settings.caFile, "tlsCAFile");
    options.ca = requireCertificates(file.text, `tlsCAFile ${settings.caFile}`);
    digests.ca = file.digest;
  } else if (settings.ca !== undefined) options.ca = requireCertificates(settings.ca, "tlsCA");
  const revocation = settings.crlFile === undefined ? undefined : await readRevocationFile(settings.crlFile);
  if (revocation) {
    options.crl = revocation.lists;
    digests.crl = revocation.digest;
  }
  let decryptKey: TlsOptions["decryptKey"];
  const pair = settings.certificateKeyFile !== undefined
    ? await readTlsFile(settings.certificateKeyFile, "tlsCertificateKeyFile").then(({ text }) => ({
      cert: text,
      key: text,
    }))
    : settings.certificateKey;
  if (pair) {
    // A certificate and one key, checked here so that every runtime names the option the same way.
    const source = keySource(settings);
    const pem = splitPem(pair.cert === pair.key ? pair.cert : pair.cert + "\n" + pair.key, source);
    if (pem.encrypted && settings.certificateKeyPassword === undefined) {
      throw new MongoAuthError(
        "TLS_ERROR",
        `the private key in ${source} is encrypted: give its passphrase as tlsCertificateKeyFilePassword`,
      );
    }
    const password = settings.certificateKeyPassword;
    if (deno !== undefined) Object.assign(options, await pairForDeno(pem, password, source));
    else {
      // Node.js and Bun hand the key and its passphrase to their TLS library, and decrypt it here only when
      // that refuses its scheme (connectionOptions).
      Object.assign(options, { cert: pair.cert, key: pair.key, passphrase: password });
      if (pem.encrypted) {
        decryptKey = async () => ({
          cert: pem.cert,
          key: await decryptedKey(pem.key, password!, source),
          passphrase: undefined,
        });
      }
    }
  }
  if (settings.allowInvalidHostnames) options.checkServerIdentity = () => undefined;
  return { options, digests, revocation, decryptKey };
}

/**
 * The revocation lists of a `tlsCRLFile`, split (and on Deno parsed) once per content of the file: a CA's
 * list may be megabytes, and reading its entries cost tens of milliseconds per connection for a list of
 * 100 000 entries.
 */
interface RevocationFile {
  /** The file's SHA-256. */
  readonly digest: string;
  /** Each list's PEM block, on its own: given the file whole, node:tls before Node.js 26.10 (and on Bun)
   * reads only its first list, and a chain through an intermediate CA (whose list comes second) would fail. */
  readonly lists: string[];
  /** The lists parsed for Deno's own check (checkRevocationOnDeno), once a connection has needed them. */
  parsed?: RevocationList[];
}

// By the content read (readTlsFile gives the same object while the file's bytes stay the same).
const revocationFiles = new WeakMap<TlsFile, RevocationFile>();

async function readRevocationFile(path: string): Promise<RevocationFile> {
  const file = await readTlsFile(path, "tlsCRLFile");
  let revocation = revocationFiles.get(file);
  if (!revocation) {
    revocation = { digest: file.digest, lists: revocationLists(file.text, `tlsCRLFile ${path}`) };
    revocationFiles.set(file, revocation);
  }
  return revocation;
}

// node:tls builds a secure context — the CA bundle, certificate and key parsed, the key decrypted — from
// these options for every connection given them (about 0.8 ms of main-thread CPU on Node.js). One context
// serves every connection with the same material, found by a digest of it: the material itself is never a
// key, and a file whose content changed gets a context of its own.
const CONTEXT_MATERIAL = ["ca", "cert", "key", "passphrase", "crl"] as const;
const contexts = new Map<string, tls.SecureContext>();
const MAX_CONTEXTS = 16;

function withSecureContext(options: tls.ConnectionOptions, digests: FileDigests): tls.ConnectionOptions {
  const material: tls.SecureContextOptions = {};
  const connection: tls.ConnectionOptions = { ...options };
  for (const name of CONTEXT_MATERIAL) {
    if (options[name] !== undefined) Object.assign(material, { [name]: options[name] });
    delete connection[name];
  }
  // What came from a file counts by the file's digest: its text (a CA bundle, a revocation list may be
  // megabytes) would be stringified and hashed again for every connection.
  const id = createHash("sha256").update(JSON.stringify({ ...material, ...digests })).digest("hex");
  let secureContext = contexts.get(id);
  if (!secureContext) {
    secureContext = tls.createSecureContext(material);
    setNewest(contexts, id, secureContext, MAX_CONTEXTS);
  }
  return { ...connection, secureContext };
}

// The options of a TLS connection. On Node.js and Bun with the secure context built from them (kept, and
// so the key decrypted once per process); Deno keeps its options (that its node:tls trusts only `ca` is
// checked with options, not a context). When the TLS library refuses the key's scheme — OpenSSL 3 keeps
// single DES in its legacy provider, which Node.js does not load; Bun's BoringSSL has no PBES2 with
// HMAC-SHA-384 or -512, no single DES, no scrypt — the key is decrypted here (once: decryptedKey), and the
// context built from it.
async function connectionOptions(
  settings: TlsSettings,
  host: string,
): Promise<Pick<TlsOptions, "options" | "revocation">> {
  const { options, digests, revocation, decryptKey } = await tlsOptions(settings, host);
  // Deno's node:tls ignores `crl`, after copying it: for a list of 100 000 entries, 300 ms per connection.
  if (deno !== undefined) return { options: { ...options, crl: undefined }, revocation };
  try {
    return { options: withSecureContext(options, digests) };
  } catch (err) {
    if (!refusedScheme(err) || !decryptKey) throw invalidPairError(err, settings);
  }
  try {
    return { options: withSecureContext({ ...options, ...await decryptKey() }, digests) };
  } catch (err) {
    throw err instanceof MongoAuthError ? err : invalidPairError(err, settings);
  }
}

// OpenSSL's (Node.js) and BoringSSL's (Bun) refusals of a key's encryption scheme.
function refusedScheme(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === "string" &&
    /^ERR_OSSL_(EVP_UNSUPPORTED|UNSUPPORTED_(PRF|KEY_DERIVATION_FUNCTION|CIPHER)|UNKNOWN_ALGORITHM)$/.test(
      code,
    );
}

// A revocation failure as OpenSSL reports it (its code and words), so that Deno's refusals read as Node's:
// socketError adds the advice, the trace reason and the hint by code.
async function checkRevocationOnDeno(
  socket: tls.TLSSocket,
  settings: TlsSettings,
  revocation: RevocationFile,
): Promise<void> {
  const chain: Uint8Array[] = [];
  const seen = new Set<tls.PeerCertificate>();
  // The chain the handshake verified, the server's certificate first; the trust anchor is its own issuer.
  for (
    let certificate: tls.DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
    certificate?.raw && !seen.has(certificate);
    certificate = certificate.issuerCertificate
  ) {
    seen.add(certificate);
    chain.push(new Uint8Array(certificate.raw));
  }
  const failure = await checkRevocation(
    chain,
    revocation.parsed ??= parsedLists(revocation, settings),
    Date.now(),
  );
  if (failure) throw Object.assign(new Error(failure.message), { code: failure.code });
}

function parsedLists(revocation: RevocationFile, settings: TlsSettings): RevocationList[] {
  const what = `tlsCRLFile ${settings.crlFile}`;
  try {
    return revocation.lists.map((list) => readRevocationList(decodePemBody(list, `a PEM block of ${what}`)));
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    throw new MongoAuthError(
      "TLS_ERROR",
      `${what} holds a revocation list that is not valid DER (${err.message})`,
    );
  }
}

function closedDuringRevocationCheck(host: string, port: number): MongoAuthError {
  const peer = hostPort({ host, port });
  return new MongoAuthError(
    "CONNECTION_CLOSED",
    `${peer} closed the connection while its certificate chain was checked against tlsCRLFile`,
  );
}

// Names the client certificate's option in messages.
function keySource(settings: TlsSettings): string {
  return settings.certificateKeyFile !== undefined
    ? `tlsCertificateKeyFile ${settings.certificateKeyFile}`
    : "tlsCertificateKey";
}

// The keys decrypted here, by a digest of the option, the encrypted key and its passphrase: a pool decrypts once, as
// Node.js's OpenSSL does into the context it keeps (a pool of 100 on Deno with a PKCS#12 triple DES key spent
// 750 ms of main-thread CPU decrypting it 100 times). The key stays in process memory, as the runtime's TLS
// would hold it; a file whose content changes is another key. At most MAX_CONTEXTS are kept.
const decryptedKeys = new Map<string, Promise<string>>();

function decryptedKey(key: string, password: string, source: string): Promise<string> {
  const id = createHash("sha256").update(`${source}\0${key}\0`).update(password).digest("hex");
  let decrypted = decryptedKeys.get(id);
  if (!decrypted) {
    decrypted = decryptPrivateKey(key, password, source);
    setNewest(decryptedKeys, id, decrypted, MAX_CONTEXTS);
    // A refusal is not kept: the next connection tries again (and names its own option).
    decrypted.catch(() => decryptedKeys.get(id) === decrypted && decryptedKeys.delete(id));
  }
  return decrypted;
}

// Deno's node:tls neither decrypts a key (it ignores `passphrase`) nor rejects a malformed certificate or
// key: it silently sends no certificate, and the server's refusal says nothing useful. Decrypt and check
// here instead.
async function pairForDeno(
  pem: ReturnType<typeof splitPem>,
  password: string | undefined,
  source: string,
): Promise<Pick<tls.ConnectionOptions, "cert" | "key">> {
  const key = pem.encrypted ? await decryptedKey(pem.key, password!, source) : pem.key;
  try {
    new X509Certificate(pem.cert);
    createPrivateKey(key);
  } catch (err) {
    throw new MongoAuthError("TLS_ERROR", `invalid TLS certificate or private key in ${source}`, {
      cause: err,
    });
  }
  return { cert: pem.cert, key };
}

/**
 * Opens a TCP, UNIX domain or TLS socket with `node:net` / `node:tls` and hands it back as pushed chunks
 * (`raw`, what `WireConnection` reads) and Web Streams (made when asked for). Node and Bun use it for
 * every socket; Deno (2.8 and later) for TLS with a pinned CA, because its `node:tls` replaces the trusted
 * roots with `ca` where `Deno.connectTls` only adds to them, for TLS with a client certificate, and for TLS
 * over a UNIX domain socket.
 *
 * @param options host, port, TLS settings and the signal that bounds opening
 * @returns the socket's streams
 * @throws {MongoAuthError} `CONNECTION_FAILED`, `TLS_ERROR`, `TIMEOUT`, `ABORTED`, `RUNTIME_UNSUPPORTED`
 */
export function openNodeSocket(
  { host, port, tls: settings, proxy, signal, trace }: OpenSocketOptions,
): Promise<SocketStreams> {
  return new Promise<SocketStreams>((resolve, reject) => {
    let socket: net.Socket | undefined;
    const fail = (err: MongoAuthError) => {
      stopListening();
      socket?.destroy();
      reject(err);
    };
    const aborted = () => abortError(signal, `connecting to ${hostPort({ host, port })}`);
    if (signal.aborted) return reject(aborted());
    const stopListening = onAbort(signal, () => fail(aborted()));
    const ready = () => {
      stopListening();
      socket!.removeAllListeners("error");
      if (trace && socket instanceof tls.TLSSocket) trace.emit("tls.handshake", handshakeDetails(socket));
      resolve(nodeSocketStreams(socket!));
    };
    const start = async () => {
      const secure = settings && await connectionOptions(settings, host);
      if (signal.aborted) return;
      // Through a proxy, the tunnel is the socket TLS and the wire run over.
      const tunnel = proxy && await openTunnel(proxy, { host, port }, (opening) => (socket = opening));
      if (signal.aborted) return;
      const where = isSocketPath(host) ? { path: host } : { host, port };
      if (!secure) {
        socket = tunnel ?? net.connect(where, ready);
      } else {
        try {
          // Deno's node:tls ignores `crl`: the chain it verified is checked here, before a byte is sent.
          const { options, revocation } = secure;
          const secured = deno !== undefined && revocation
            ? () =>
              checkRevocationOnDeno(socket as tls.TLSSocket, settings, revocation).then(
                () => socket!.destroyed ? fail(closedDuringRevocationCheck(host, port)) : ready(),
                (err) => fail(socketError(err, host, port, true, trace)),
              )
            : ready;
          socket = tls.connect({ ...options, ...(tunnel ? { socket: tunnel, host } : where) }, secured);
        } catch (err) {
          // Deno: a bad PEM or passphrase, its node:tls building the context here, synchronously.
          return fail(socketError(invalidPairError(err, settings), host, port, true, trace));
        }
      }
      socket.setNoDelay(true); // a no-op on a UNIX domain socket, as keepalive is
      // Set on the socket itself: tls.connect() leaves its keepAlive options unapplied.
      socket.setKeepAlive(true, KEEP_ALIVE_INITIAL_DELAY_MS);
      socket.once("error", (err) => fail(socketError(err, host, port, settings !== undefined, trace)));
      if (tunnel && !secure) {
        ready();
        tunnel.resume(); // paused after the proxy's handshake, until the wire listened
      }
    };
    start().catch((err) => fail(socketError(err, host, port, settings !== undefined, trace)));
  });
}

// A socket to the proxy that carries the target's bytes once the SOCKS5 handshake is done; paused, so
// that nothing the target sends is lost before the wire (or TLS) listens.
async function openTunnel(
  proxy: ProxySettings,
  target: HostAddress,
  track: (socket: net.Socket) => void,
): Promise<net.Socket> {
  const socket = net.connect({ host: proxy.host, port: proxy.port });
  track(socket);
  socket.setNoDelay(true);
  socket.setKeepAlive(true, KEEP_ALIVE_INITIAL_DELAY_MS);
  const received: (Uint8Array | null)[] = [];
  let failure: { err: unknown } | undefined;
  let wake = () => {};
  const push = (chunk: Uint8Array | null) => {
    received.push(chunk);
    wake();
  };
  const onData = (chunk: Uint8Array) => push(chunk);
  const onEnd = () => push(null);
  const onError = (err: unknown) => {
    failure = { err };
    wake();
  };
  socket.on("data", onData).on("end", onEnd).on("close", onEnd).on("error", onError);
  try {
    await socks5Handshake(
      {
        write: (bytes) => void socket.write(bytes),
        read: async () => {
          while (received.length === 0 && !failure) await new Promise<void>((resolve) => (wake = resolve));
          if (failure) throw failure.err;
          return received.shift()!;
        },
      },
      proxy,
      target,
    );
  } finally {
    socket.pause();
    socket.off("data", onData).off("end", onEnd).off("close", onEnd).off("error", onError);
  }
  return socket;
}

// What the handshake showed, from the X509Certificate objects of node:tls (Node.js, Bun, Deno's node:tls).
function handshakeDetails(socket: tls.TLSSocket): TraceEventAttributes["tls.handshake"] {
  const peer = socket.getPeerX509Certificate?.();
  const mine = socket.getX509Certificate?.();
  return {
    protocol: socket.getProtocol() ?? undefined,
    cipher: socket.getCipher()?.name,
    serverSubject: peer && subjectOfLines(peer.subject),
    serverIssuer: peer && subjectOfLines(peer.issuer),
    serverValidFrom: peer && isoDate(peer.validFrom),
    serverValidTo: peer && isoDate(peer.validTo),
    serverAltNames: peer?.subjectAltName ? altNames(peer.subjectAltName) : undefined,
    serverFingerprint256: peer?.fingerprint256,
    clientSubject: mine && subjectOfLines(mine.subject),
    unavailable: peer ? undefined : ["server certificate (this runtime's node:tls does not show it)"],
  };
}

// "Nov 23 08:36:26 2026 GMT" as ISO 8601, or as given when the runtime's Date cannot read it.
function isoDate(text: string): string {
  const time = Date.parse(text);
  return Number.isNaN(time) ? text : new Date(time).toISOString();
}

// OpenSSL's and BoringSSL's "bad decrypt", said in words naming the option; anything else as the library says it.
function invalidPairError(err: unknown, settings: TlsSettings): MongoAuthError {
  const code = (err as { code?: unknown } | undefined)?.code;
  const source = keySource(settings);
  if (code === "ERR_OSSL_BAD_DECRYPT") return wrongPassphrase(source, err);
  return new MongoAuthError("TLS_ERROR", `invalid TLS certificate or key: ${tlsReason(err)}`, { cause: err });
}

function tlsReason(err: unknown): string {
  return err instanceof Error ? err.message.replace(/[\r\n]+/g, " ") : "unknown";
}

// A net.Socket as WireConnection takes it: pushed chunks (`raw`), or Web Streams for whoever asks for
// them. Its listeners are attached at once, so nothing the peer does before a consumer arrives (a reset
// right after connecting) goes unseen; until then chunks and the end are held.
function nodeSocketStreams(socket: net.Socket): SocketStreams {
  let receiver: SocketReceiver | undefined;
  const early: Uint8Array[] = [];
  let ended: { err?: unknown } | undefined;
  const end = (err?: unknown) => {
    if (ended) return;
    ended = { err };
    receiver?.end(err);
  };
  socket.on("data", (chunk: Uint8Array) => {
    if (ended) return;
    const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (receiver) receiver.data(bytes);
    else early.push(bytes);
  });
  socket.on("end", () => end());
  socket.on("close", () => end());
  socket.on("error", (err) => end(new MongoAuthError("CONNECTION_CLOSED", "socket error", { cause: err })));
  const raw: RawSocket = {
    listen(given) {
      receiver = given;
      for (const chunk of early.splice(0)) given.data(chunk);
      if (ended) given.end(ended.err);
    },
    write(bytes) {
      socket.write(bytes);
    },
  };
  let streams: Pick<SocketStreams, "readable" | "writable"> | undefined;
  return {
    raw,
    get readable() {
      return (streams ??= webStreams(socket, raw)).readable;
    },
    get writable() {
      return (streams ??= webStreams(socket, raw)).writable;
    },
    close: () => void socket.destroy(),
  };
}

// Web Streams over the socket, with backpressure: the socket pauses while the reader lags.
function webStreams(socket: net.Socket, raw: RawSocket): Pick<SocketStreams, "readable" | "writable"> {
  const readable = new ReadableStream<Uint8Array>({
    start(controller) {
      raw.listen({
        data(chunk) {
          controller.enqueue(chunk);
          if ((controller.desiredSize ?? 1) <= 0) socket.pause();
        },
        end(err) {
          if (err === undefined) controller.close();
          else controller.error(err);
        },
      });
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
  return { readable, writable };
}
