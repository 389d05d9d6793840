/**
 * What every transport's socket glue shares: opening within the caller's signal (and closing a socket
 * that opens after we gave up), and one reading of the runtime's socket errors (Node's `ENOTFOUND`,
 * Deno's `ConnectionRefused`, a Worker's messages) into the words a user meets first, so every runtime
 * says the same thing and what to do about it.
 *
 * @module
 */
import { raceAbort } from "../core/abort.ts";
import { MongoAuthError } from "../core/errors.ts";
import { HOST_NAME_ADVICE, type TransportCapabilities } from "../client/transport.ts";
import type { SocketStreams } from "../wire/wire-connection.ts";
import type { TlsFailureReason, TraceEmitter } from "../core/trace.ts";
import { hostPort, isAtlasHost, isSocketPath } from "../topology/server-description.ts";

/**
 * How long a connection is idle before TCP keepalive probes it: 120 s, as the official drivers set it and
 * MongoDB's production notes advise. A NAT or load balancer forgets an idle flow (Azure's after 4 minutes, an
 * AWS NAT gateway's after 350 s) without a word to either end; the probes keep it remembered, and find a peer
 * that is gone, where a command would otherwise wait on a dead connection until the system gave up on it.
 */
export const KEEP_ALIVE_INITIAL_DELAY_MS = 120_000;

/**
 * Waits for a socket to open, but no longer than `signal` allows; a socket that opens after we gave
 * up (on the abort, or on an error while it was still opening) is closed when it does.
 *
 * @param opening the runtime's connect
 * @param signal the connect signal (the caller's abort, the connect timeout)
 * @param what what is opening, for the message, e.g. `connecting to db:27017`
 * @param close closes the socket
 * @returns the open socket
 * @throws {MongoAuthError} `ABORTED` or `TIMEOUT` when `signal` fires first; whatever `opening` throws
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openWithin } from "./socket.ts";
 *
 * const socket = { closed: false };
 * let open = (_opened: typeof socket) => {};
 * const opening = new Promise<typeof socket>((resolve) => (open = resolve));
 * const gaveUp = openWithin(opening, AbortSignal.abort(), "connecting", (s) => (s.closed = true));
 * await assert.rejects(gaveUp, { code: "ABORTED" });
 * open(socket); // the socket opens after we gave up
 * await opening;
 * assert.equal(socket.closed, true);
 * ```
 */
export async function openWithin<T>(
  opening: Promise<T>,
  signal: AbortSignal,
  what: string,
  close: (socket: T) => void,
): Promise<T> {
  try {
    return await raceAbort(opening, signal, what);
  } catch (err) {
    opening.then((socket) => {
      try {
        close(socket);
      } catch {
        // Already closed.
      }
    }, () => {});
    throw err;
  }
}

/**
 * A socket whose streams the runtime hands out as they are (Deno, Workers), with a `close` that runs
 * once and never fails: a socket the peer or the streams closed already is simply closed.
 *
 * @param socket the runtime's socket: its streams and how to close it (at once, or by a promise)
 * @returns the streams `WireConnection` takes
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { socketStreams } from "./socket.ts";
 *
 * let closes = 0;
 * const streams = socketStreams({
 *   readable: new ReadableStream<Uint8Array>(),
 *   writable: new WritableStream<Uint8Array>(),
 *   close: () => (closes++, Promise.reject(new Error("already closed"))),
 * });
 * streams.close();
 * streams.close();
 * assert.equal(closes, 1);
 * ```
 */
export function socketStreams(socket: {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  close(): void | Promise<void>;
}): SocketStreams {
  let closed = false;
  return {
    // Read when asked for: a runtime may make a stream on first access (Deno's conn does).
    get readable() {
      return socket.readable;
    },
    get writable() {
      return socket.writable;
    },
    close() {
      if (closed) return;
      closed = true;
      try {
        Promise.resolve(socket.close()).catch(() => {});
      } catch {
        // Closed already by the peer or the streams.
      }
    },
  };
}

/**
 * What a runtime's connect error means, in words that say what to do: the host does not resolve,
 * nothing listens on the port, the peer hung up during our TLS handshake, TLS failed, or the connection
 * failed otherwise. The runtime's own reason (its code or message, one line) stays in the message.
 *
 * @param err the runtime's error (a `MongoAuthError` is passed on as it is)
 * @param host the host
 * @param port the port
 * @param tls whether the socket was to speak TLS
 * @param trace where a failed TLS handshake is recorded (`tls.failed`, with the reason the error shows)
 * @returns `CONNECTION_FAILED` or `TLS_ERROR`
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { socketError } from "./socket.ts";
 *
 * const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" });
 * assert.match(socketError(refused, "127.0.0.1", 1, false).message, /connection refused/);
 * ```
 */
export function socketError(
  err: unknown,
  host: string,
  port: number,
  tls: boolean,
  trace?: TraceEmitter,
): MongoAuthError {
  const error = classifiedSocketError(err, host, port, tls);
  if (trace && tls && error.code === "TLS_ERROR") {
    trace.emit("tls.failed", { host, port, ...tlsFailure(err) });
  }
  return error;
}

function classifiedSocketError(err: unknown, host: string, port: number, tls: boolean): MongoAuthError {
  if (err instanceof MongoAuthError) return err;
  const { code, name, message } = errorFacts(err);
  const peer = hostPort({ host, port });
  const atPath = isSocketPath(host) ? socketPathFailure(host, code || name, err) : undefined;
  if (atPath) return atPath;
  if (
    /^(ENOTFOUND|EAI_AGAIN|EAI_NONAME|EAI_FAIL)$/.test(code) ||
    /lookup address|name or service not known|nodename nor servname|no such host/i.test(message)
  ) {
    return unresolvableHost(host, code || message, err);
  }
  if (code === "ECONNREFUSED" || name === "ConnectionRefused") return connectionRefused(peer, err);
  if (/^proxy request failed/i.test(message)) return workersConnectFailed(peer, message, tls, err);
  if (tls && hungUp(code, name, message)) return closedDuringTlsHandshake(peer, err);
  if (tls && answeredPlaintext(code, message)) return answeredWithoutTls(peer, code || message, err);
  const advice = REVOCATION_ADVICE.get(code) ??
    (isWeakCertificate(code, message) ? WEAK_CERTIFICATE_ADVICE : undefined) ??
    (isUntrusted(code, message) ? untrustedAdvice(host) : undefined);
  // A refusal with advice is the handshake's; UNSPECIFIED is a verification error of OpenSSL's that Node.js and
  // Bun have no name for.
  const isTls = advice !== undefined ||
    /^(ERR_TLS|ERR_SSL|CERT_|CRL_|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED|UNHANDLED_CRITICAL|ERR_OSSL)/.test(code) ||
    (tls && code === "UNSPECIFIED") || name === "InvalidData" ||
    /certificate|private key|tls|ssl|handshake/i.test(message);
  return isTls
    ? new MongoAuthError(
      "TLS_ERROR",
      `TLS handshake with ${peer} failed: ${message}${advice ? ` (${advice})` : ""}`,
      { cause: err },
    )
    : new MongoAuthError("CONNECTION_FAILED", `cannot connect to ${peer}: ${code || message || name}`, {
      cause: err,
    });
}

// OpenSSL's refusals when it checks the revocation lists of tlsCRLFile (and checkRevocation's, on Deno, with
// the same codes), and what to do about each.
const NOT_SIGNED =
  "a revocation list of tlsCRLFile does not carry its CA's signature: fetch it again from the CA";
const REVOCATION_ADVICE: ReadonlyMap<string, string> = new Map([
  [
    "CERT_REVOKED",
    "the server's certificate, or a CA's of its chain, is on a revocation list of tlsCRLFile: the server " +
    "needs a certificate that is not revoked",
  ],
  [
    "UNABLE_TO_GET_CRL",
    "tlsCRLFile has no revocation list from a CA of the server's certificate chain, and each one needs its " +
    "list: add that CA's list to the file",
  ],
  ["CRL_HAS_EXPIRED", "a revocation list of tlsCRLFile is past its next update: fetch the CA's current list"],
  ["CRL_NOT_YET_VALID", "a revocation list of tlsCRLFile is not valid yet: check this machine's clock"],
  ["CRL_SIGNATURE_FAILURE", NOT_SIGNED],
  ["UNABLE_TO_DECRYPT_CRL_SIGNATURE", NOT_SIGNED],
  [
    "UNABLE_TO_GET_CRL_ISSUER",
    "the chain the TLS handshake verified does not reach its CA, so its revocation lists cannot be checked: " +
    "put the server's CA in tlsCAFile",
  ],
  [
    "UNHANDLED_CRITICAL_CRL_EXTENSION",
    "a revocation list of tlsCRLFile has a critical extension that is not processed (a partial, delta or " +
    "indirect list): give the CA's complete list",
  ],
  [
    "DIFFERENT_CRL_SCOPE",
    "a revocation list of tlsCRLFile covers only part of its CA's certificates (an issuing distribution " +
    "point): give the CA's complete list",
  ],
  [
    "KEYUSAGE_NO_CRL_SIGN",
    "the certificate of a CA whose revocation list is in tlsCRLFile does not allow it to sign lists (its " +
    "keyUsage lacks cRLSign): the CA needs a certificate with cRLSign, or the lists another signer",
  ],
]);

// A certificate chain that leads to no CA the client trusts. Atlas's lead to public CAs, which every runtime
// trusts: there, the certificate comes from something on the network that inspects TLS.
function untrustedAdvice(host: string): string {
  return isAtlasHost(host)
    ? "MongoDB Atlas's certificates lead to public CAs this runtime trusts, so something on this network " +
      "presents its own: a company proxy or an antivirus that inspects TLS; give its CA with tlsCAFile (its " +
      "administrators have it), or connect from another network"
    : "the server's certificate leads to no CA this runtime trusts: give the CA that signed it (a private CA, " +
      "or the certificate itself if self-signed) with tlsCAFile";
}

function isUntrusted(code: string, message: string): boolean {
  return /^(DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?)$/
    .test(code) || /UnknownIssuer|self[- ]signed|unable to (get|verify)/i.test(message);
}

// A chain signed with SHA-1 or MD5, or with a key too small: OpenSSL 3 (Node.js) refuses it at its default
// security level, rustls (Deno) takes no SHA-1 or MD5 signature at all.
const WEAK_CERTIFICATE_CODES = new Set(["CA_MD_TOO_WEAK", "EE_KEY_TOO_SMALL", "CA_KEY_TOO_SMALL"]);
const WEAK_CERTIFICATE_ADVICE =
  "the server's certificate, or a CA's of its chain, is signed with an algorithm " +
  "or has a key this runtime's TLS refuses as too weak (SHA-1, MD5, RSA under 2048 bits): the server needs a " +
  "certificate signed with SHA-256 or better";

function isWeakCertificate(code: string, message: string): boolean {
  return WEAK_CERTIFICATE_CODES.has(code) ||
    /^invalid peer certificate: signed with .*, which this runtime/.test(message);
}

// OpenSSL's words for the codes above: Node.js and Bun name some of them UNSPECIFIED (an unhandled critical
// extension, a CA without cRLSign, Bun's "Different CRL scope", a digest too weak), so the words say which.
const OPENSSL_WORDS: ReadonlyMap<string, string> = new Map([
  ["certificate revoked", "CERT_REVOKED"],
  ["unable to get certificate CRL", "UNABLE_TO_GET_CRL"],
  ["CRL has expired", "CRL_HAS_EXPIRED"],
  ["CRL is not yet valid", "CRL_NOT_YET_VALID"],
  ["CRL signature failure", "CRL_SIGNATURE_FAILURE"],
  ["unable to decrypt CRL's signature", "UNABLE_TO_DECRYPT_CRL_SIGNATURE"],
  ["unable to get CRL issuer certificate", "UNABLE_TO_GET_CRL_ISSUER"],
  ["unhandled critical CRL extension", "UNHANDLED_CRITICAL_CRL_EXTENSION"],
  ["Different CRL scope", "DIFFERENT_CRL_SCOPE"],
  ["key usage does not include CRL signing", "KEYUSAGE_NO_CRL_SIGN"],
  ["CA signature digest algorithm too weak", "CA_MD_TOO_WEAK"],
  ["EE certificate key too weak", "EE_KEY_TOO_SMALL"],
  ["CA certificate key too weak", "CA_KEY_TOO_SMALL"],
]);

// rustls refuses a chain signed with an algorithm it does not take (SHA-1, MD5) in a message that lists the
// algorithm and every one it supports as DER bytes, a thousand characters: name the algorithm instead. It writes
// the refused AlgorithmIdentifier's contents in decimal, the object identifier first (here by its bytes).
const REFUSED_ALGORITHMS: ReadonlyMap<string, string> = new Map([
  ["6,9,42,134,72,134,247,13,1,1,4", "md5WithRSAEncryption"],
  ["6,9,42,134,72,134,247,13,1,1,5", "sha1WithRSAEncryption"],
  ["6,9,42,134,72,134,247,13,1,1,14", "sha224WithRSAEncryption"],
  ["6,7,42,134,72,206,61,4,1", "ecdsa-with-SHA1"],
  ["6,7,42,134,72,206,56,4,3", "dsa-with-SHA1"],
]);

function readableTlsMessage(message: string): string {
  const refused =
    /invalid peer certificate: UnsupportedSignatureAlgorithm(?:Context)?(?:\s*\{\s*signature_algorithm_id:\s*\[([\d,\s]*)\])?/
      .exec(message);
  if (!refused) return message;
  const bytes = (refused[1] ?? "").split(",").map((byte) => byte.trim());
  const oid = bytes.slice(0, 2 + Number(bytes[1])).join(",");
  const algorithm = REFUSED_ALGORITHMS.get(oid) ?? "an algorithm";
  return `invalid peer certificate: signed with ${algorithm}, which this runtime's TLS does not accept`;
}

// A runtime's socket or TLS error as the classifiers read it: its code (Node.js's and Bun's UNSPECIFIED named
// by OpenSSL's words), its name (Deno's), and its message on one line (rustls's refused algorithm condensed).
function errorFacts(err: unknown): { code: string; name: string; message: string } {
  const message = readableTlsMessage(String((err as Error)?.message ?? err).replace(/[\r\n]+/g, " "));
  const code = String((err as { code?: unknown })?.code ?? "");
  return {
    code: code === "UNSPECIFIED" ? OPENSSL_WORDS.get(message) ?? code : code,
    name: String((err as { name?: unknown })?.name ?? ""),
    message,
  };
}

// Why a UNIX domain socket did not open, for the three reasons a user can act on.
function socketPathFailure(path: string, code: string, cause: unknown): MongoAuthError | undefined {
  const why = /^(ENOENT|NotFound)$/.test(code)
    ? "no such file: check the path, and that mongod is running (it creates /tmp/mongodb-<port>.sock " +
      "unless net.unixDomainSocket.enabled is false)"
    : /^(EACCES|EPERM|PermissionDenied)$/.test(code)
    ? "permission denied: the socket file's permissions do not let this user in (mongod's " +
      "net.unixDomainSocket.filePermissions, 0700 by default)"
    : /^(ECONNREFUSED|ConnectionRefused)$/.test(code)
    ? "connection refused: nothing listens there (a file left by a server that stopped, or not a socket); " +
      "check that mongod is running"
    : undefined;
  return why === undefined ? undefined : new MongoAuthError(
    "CONNECTION_FAILED",
    `cannot connect to UNIX domain socket ${path} (${code}): ${why}`,
    { cause },
  );
}

/**
 * What a failed TLS handshake's error says it was, for the trace: the reason, the runtime's words (one
 * line), and the server certificate's names where the runtime puts them on the error (Node.js and Bun,
 * for a host name mismatch).
 *
 * @param err the runtime's error
 * @returns the reason, the detail, and the certificate's subject and alternative names when shown
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tlsFailure } from "./socket.ts";
 *
 * const mismatch = Object.assign(new Error("Hostname/IP does not match certificate's altnames"), {
 *   code: "ERR_TLS_CERT_ALTNAME_INVALID",
 *   cert: { subject: { CN: "db.example.net" }, subjectaltname: "DNS:db.example.net" },
 * });
 * assert.deepEqual(tlsFailure(mismatch), {
 *   reason: "hostname-mismatch",
 *   detail: "Hostname/IP does not match certificate's altnames",
 *   serverSubject: "CN=db.example.net",
 *   serverAltNames: ["DNS:db.example.net"],
 * });
 * ```
 */
export function tlsFailure(err: unknown): {
  reason: TlsFailureReason;
  detail: string;
  serverSubject?: string;
  serverAltNames?: string[];
} {
  const inner = err instanceof MongoAuthError && err.cause !== undefined ? err.cause : err;
  const { code, name, message } = errorFacts(inner);
  const detail = message.slice(0, 300);
  const cert = (inner as { cert?: { subject?: unknown; subjectaltname?: unknown } })?.cert;
  return {
    reason: tlsFailureReason(code, name, detail),
    detail,
    serverSubject: cert?.subject ? subjectOfObject(cert.subject) : undefined,
    serverAltNames: typeof cert?.subjectaltname === "string"
      ? altNames(cert.subjectaltname)
      : rustlsValidNames(detail),
  };
}

function tlsFailureReason(code: string, name: string, message: string): TlsFailureReason {
  if (code === "CERT_REVOKED") return "revoked";
  if (REVOCATION_ADVICE.has(code)) return "revocation-list";
  if (isWeakCertificate(code, message)) return "weak-certificate";
  if (
    code === "ERR_TLS_CERT_ALTNAME_INVALID" ||
    /NotValidForName|not valid for name|altname|hostname mismatch/i.test(message)
  ) {
    return "hostname-mismatch";
  }
  if (
    /^(CERT_HAS_EXPIRED|CERT_NOT_YET_VALID)$/.test(code) ||
    /\b(Expired|NotValidYet)\b|certificate has expired|not yet valid/i.test(message)
  ) {
    return "expired";
  }
  if (isUntrusted(code, message)) return "untrusted";
  if (
    hungUp(code, name, message) || answeredPlaintext(code, message) ||
    /corrupt message|unexpected end of file/i.test(message)
  ) {
    return "not-tls";
  }
  if (/private key|passphrase|bad decrypt|PEM|certificate or key/i.test(message)) return "client-certificate";
  return "other";
}

// rustls (Deno's TLS) names what the certificate is valid for: `… only valid for DnsName("db.example.net")`.
function rustlsValidNames(message: string): string[] | undefined {
  const names = [...message.matchAll(/(DnsName|IpAddress)\("([^"]+)"\)/g)].map(([, kind, name]) =>
    `${kind === "DnsName" ? "DNS" : "IP"}:${name}`
  );
  return names.length > 0 ? names : undefined;
}

/**
 * A distinguished name as a runtime's `X509Certificate.subject` gives it (one attribute per line, most
 * general first) in the order mongod names X509 users: most specific first, comma-separated.
 *
 * @param lines the runtime's subject text
 * @returns e.g. `CN=client,OU=apps,O=Example`
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { subjectOfLines } from "./socket.ts";
 *
 * assert.equal(subjectOfLines("C=US\nO=Example\nCN=client"), "CN=client,O=Example,C=US");
 * ```
 */
export function subjectOfLines(lines: string): string {
  return lines.split("\n").filter(Boolean).reverse().map((rdn) => rdn.replace(/ \+ /g, "+")).join(",");
}

// Node's legacy certificate object: { C, O, CN } in certificate order (most general first).
function subjectOfObject(subject: unknown): string | undefined {
  if (typeof subject !== "object" || subject === null) return undefined;
  return Object.entries(subject).reverse().map(([key, value]) => `${key}=${value}`).join(",");
}

/**
 * Subject alternative names as the runtime lists them (`DNS:a, IP Address:127.0.0.1`), one per entry,
 * IP addresses as `IP:`.
 *
 * @param text the runtime's list
 * @returns the names
 */
export function altNames(text: string): string[] {
  return text.split(/,\s*/).filter(Boolean).map((name) => name.replace(/^IP Address:/, "IP:"));
}

/**
 * The host name does not resolve.
 *
 * @param host the host name
 * @param reason the resolver's reason (`ENOTFOUND`, "Name or service not known", …)
 * @param cause the runtime's error
 * @returns `CONNECTION_FAILED`
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unresolvableHost } from "./socket.ts";
 *
 * assert.match(unresolvableHost("db.exmaple.net", "ENOTFOUND", undefined).message, /check the host name/);
 * ```
 */
export function unresolvableHost(host: string, reason: string, cause: unknown): MongoAuthError {
  const advice = isAtlasHost(host) ? ATLAS_CLUSTER_NAME_ADVICE : HOST_NAME_ADVICE;
  return new MongoAuthError("CONNECTION_FAILED", `cannot resolve host ${host} (${reason})${advice}`, {
    cause,
  });
}

// An Atlas connection string copied with mongodb:// in place of mongodb+srv:// names the cluster, which has no
// address of its own.
const ATLAS_CLUSTER_NAME_ADVICE =
  ": MongoDB Atlas names a cluster (cluster0.abcde.mongodb.net) only in DNS SRV " +
  "and TXT records, which mongodb+srv:// looks up: if this is the cluster's name, write mongodb+srv:// before it; " +
  "else check the host name in the connection string";

// workerd says "proxy request failed, cannot connect to the specified address" for a port where nothing
// listens and for a TLS handshake that fails (a port that does not speak TLS) alike: name both.
function workersConnectFailed(peer: string, message: string, tls: boolean, cause: unknown): MongoAuthError {
  const why = tls
    ? "the Workers runtime says so when nothing accepts connections there and when the TLS handshake fails: " +
      "check the host and the port, and that the server speaks TLS on it (or remove tls=true)"
    : "the Workers runtime says so when nothing accepts connections there: check the host and the port, and " +
      "that the server runs";
  return new MongoAuthError("CONNECTION_FAILED", `cannot connect to ${peer}: ${message} (${why})`, { cause });
}

/**
 * Nothing accepts connections on the port.
 *
 * @param peer `host:port`
 * @param cause the runtime's error
 * @returns `CONNECTION_FAILED`
 */
export function connectionRefused(peer: string, cause: unknown): MongoAuthError {
  return new MongoAuthError(
    "CONNECTION_FAILED",
    `cannot connect to ${peer}: connection refused (nothing listens there: check the host, the port ` +
      "and that the server is running)",
    { cause },
  );
}

/**
 * The peer hung up during our TLS handshake: mongod does that to a ClientHello when its TLS is off.
 *
 * @param peer `host:port`
 * @param cause the runtime's error
 * @returns `TLS_ERROR`
 */
export function closedDuringTlsHandshake(peer: string, cause: unknown): MongoAuthError {
  return new MongoAuthError(
    "TLS_ERROR",
    `${peer} closed the connection during the TLS handshake: it may not speak TLS, so remove tls=true ` +
      "or check the port; or it refused the client certificate",
    { cause },
  );
}

// The peer hung up in the middle of our ClientHello: mongod does that when its TLS is off. One test for the
// error and the trace's not-tls reason, so that they agree.
function hungUp(code: string, name: string, message: string): boolean {
  return code === "ECONNRESET" || name === "UnexpectedEof" || name === "ConnectionReset" ||
    /before secure TLS connection|eof|close_notify|reset/i.test(message);
}

// The peer answered our ClientHello with bytes that are no TLS record: an HTTP server, say. OpenSSL and
// BoringSSL read them as a record of a version or length no TLS has; rustls as an unknown content type.
function answeredPlaintext(code: string, message: string): boolean {
  return code === "ERR_SSL_WRONG_VERSION_NUMBER" ||
    /wrong[ _]version[ _]number|packet[ _]length[ _]too[ _]long|InvalidContentType/i.test(message);
}

// What the runtime said stays, in brackets: OpenSSL's full line is long, so its code stands for it when it has one.
function answeredWithoutTls(peer: string, said: string, cause: unknown): MongoAuthError {
  return new MongoAuthError(
    "TLS_ERROR",
    `${peer} answered the TLS handshake with something other than TLS (${said}): it does not speak TLS on ` +
      "that port: remove tls=true, or check the port",
    { cause },
  );
}

/** The first Deno whose `node:tls` trusts only `ca` (2.7 and earlier add it to the built-in roots). */
const PINNING_DENO = [2, 8] as const;

/**
 * What Deno's TLS cannot do before 2.8, whichever API opens the socket: pin a CA, hand over the chain it
 * verified, and skip verification for one connection. (From 2.8, its `node:tls` does both; it still checks no revocation list and decrypts no key,
 * which the transport does itself: `checkRevocation`, `decryptPrivateKey`.)
 *
 * @returns the capabilities that differ from `FULL_CAPABILITIES`
 */
export function denoTlsLimits(): Pick<
  TransportCapabilities,
  "customCA" | "certificateRevocationLists" | "skipCertificateVerification"
> {
  const deno = (globalThis as { Deno?: { version?: { deno?: string } } }).Deno;
  const version = deno?.version?.deno ?? "0.0";
  const [major, minor] = version.split(".").map(Number);
  const pins = major > PINNING_DENO[0] || (major === PINNING_DENO[0] && minor >= PINNING_DENO[1]);
  return {
    customCA: pins || {
      instead:
        "its TLS adds that CA to the built-in roots, so any publicly trusted certificate would pass: " +
        `upgrade to Deno ${PINNING_DENO.join(".")} or later, or leave tlsCAFile/tlsCA out if the server's ` +
        "certificate is publicly trusted",
    },
    // Deno's node:tls accepts `crl` and ignores it; the chain it verified is checked against the lists after
    // the handshake (node-socket.ts), through the Deno 2.8 node:tls that pins the CA.
    // Deno.startTls cannot skip verification; its node:tls skips it for one connection (tested on 2.8 and
    // later, where the transport's other node:tls routes start).
    skipCertificateVerification: pins || {
      instead: `upgrade to Deno ${PINNING_DENO.join(".")} or later, or pass tlsCAFile, or run deno with ` +
        "--unsafely-ignore-certificate-errors",
    },
    certificateRevocationLists: pins || {
      instead:
        `its TLS takes no revocation list: upgrade to Deno ${PINNING_DENO.join(".")} or later, or run ` +
        "this program on Node.js or Bun to check tlsCRLFile",
    },
  };
}
