// The server side of MONGODB-X509 as mongod runs it (authentication_commands.cpp's _authenticateX509 in
// 7.0, sasl_x509_server_conversation.cpp later): the user is the subject of the client certificate the
// TLS layer verified, written the way mongod writes it (RFC 2253, most specific RDN first). Reached
// through the `authenticate` command, also inside hello's speculativeAuthenticate; one step.
//
// Failures, as mongod 7.0: no TLS ("No SSLPeerInfo available"), no verified certificate ("No verified
// subject name available from client"), a `user` that is not the subject ("There is no x.509 client
// certificate matching the user.") — all 18 AuthenticationFailed; then a database other than $external is
// 17 ProtocolError "X.509 authentication must always use the $external database." (8.0 answers 18). A
// subject that is no user reaches the client as mongod's 11 UserNotFound `Could not find user "<subject>"
// for db "$external"` (raised by the session once the mechanism names the principal). In 7.0 MONGODB-X509
// is no SASL mechanism: saslStart with it is 334, and saslSupportedMechs never lists it.
import { BSON } from "bson";
import type { UserConfig } from "../config.ts";
import { AuthFailure, CommandError } from "../errors.ts";
import type { SaslConversation, SaslMechanismServer, SaslStepResult, ServerAuthContext } from "../sasl.ts";

const NAME = "MONGODB-X509";
const EXTERNAL = "$external";

/** Options of {@link x509Mechanism}. */
export interface X509MechanismOptions {
  /**
   * Whether speculative X509 in hello is answered (default true). `false` behaves like a server
   * before 4.4: hello carries no `speculativeAuthenticate`, so clients must send `authenticate`.
   */
  speculative?: boolean;
}

/**
 * The server side of MONGODB-X509 for the registry (always enabled, as in mongod; it only succeeds on
 * a TLS connection whose client certificate chains to `config.tls.ca`).
 * @param options `speculative: false` to ignore speculative X509 (pass it in startServer's `mechanisms`)
 * @returns the mechanism
 */
export function x509Mechanism(options: X509MechanismOptions = {}): SaslMechanismServer {
  const speculative = options.speculative ?? true;
  return {
    name: NAME,
    viaAuthenticate: true,
    storeCredential(user: UserConfig): unknown {
      if (user.db !== EXTERNAL) throw new TypeError(`${NAME} user ${user.user} must be in ${EXTERNAL}`);
      if (user.password !== undefined) throw new TypeError(`${NAME} user ${user.user} takes no password`);
      return { external: true };
    },
    start(ctx: ServerAuthContext): SaslConversation {
      // Never reaches a client: hello leaves speculativeAuthenticate out on any error.
      if (ctx.speculative && !speculative) throw new CommandError(2, "speculative MONGODB-X509 is off");
      return { step: (payload) => Promise.resolve(authenticateX509(ctx, payload)) };
    },
  };
}

function authenticateX509(ctx: ServerAuthContext, payload: Uint8Array): SaslStepResult {
  const principalName = requestedUser(payload);
  if (!ctx.connection.tls) throw new AuthFailure("No SSLPeerInfo available");
  const certificate = ctx.connection.peerCertificate;
  const subject = certificate instanceof Uint8Array ? subjectName(certificate) : "";
  if (subject === "") throw new AuthFailure("No verified subject name available from client");
  if (principalName !== undefined && principalName !== subject) {
    throw new AuthFailure("There is no x.509 client certificate matching the user.");
  }
  if (ctx.db !== EXTERNAL) {
    // ProtocolError reaches the client as is (mongod 7.0's authenticate passes 11 and 17 through).
    throw new CommandError(17, "X.509 authentication must always use the $external database.");
  }
  const user = ctx.findUser(subject, EXTERNAL);
  // Stricter than mongod, which takes any $external user of that name.
  if (user !== undefined && !user.mechanisms.includes(NAME)) {
    throw new AuthFailure(`user ${subject} has no ${NAME} credentials`);
  }
  // An unknown subject is left to the session, which answers 11 UserNotFound as mongod does.
  ctx.authenticated(subject, EXTERNAL);
  return { payload: new Uint8Array(0), done: true };
}

/** The `principalName` of the synthesized payload (the authenticate command's `user`). */
function requestedUser(payload: Uint8Array): string | undefined {
  if (payload.length === 0) return undefined;
  let doc: Record<string, unknown>;
  try {
    doc = BSON.deserialize(payload);
  } catch {
    throw new AuthFailure("X509 payload is not BSON");
  }
  const name = doc.principalName;
  if (name !== undefined && name !== null && typeof name !== "string") {
    throw new AuthFailure("X509 principalName is not a string");
  }
  return name ?? undefined;
}

// --- The subject of a DER certificate, as mongod's SSLX509Name::toString() prints it. ---

interface Der {
  tag: number;
  /** Content bytes. */
  value: Uint8Array;
  /** Offset just after this element in the buffer it was read from. */
  end: number;
}

/** One DER element at `offset`; definite lengths only (DER forbids the indefinite form). */
function readDer(bytes: Uint8Array, offset: number): Der {
  if (offset + 2 > bytes.length) throw new AuthFailure("certificate: truncated DER");
  const tag = bytes[offset];
  let length = bytes[offset + 1];
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4 || start + count > bytes.length) {
      throw new AuthFailure("certificate: bad DER length");
    }
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[start + i];
    start += count;
  }
  const end = start + length;
  if (end > bytes.length) throw new AuthFailure("certificate: truncated DER");
  return { tag, value: bytes.subarray(start, end), end };
}

/** The children of a constructed element. */
function children(element: Der): Der[] {
  const out: Der[] = [];
  for (let offset = 0; offset < element.value.length;) {
    const child = readDer(element.value, offset);
    out.push(child);
    offset = child.end;
  }
  return out;
}

/**
 * The subject DN of a certificate in mongod's form: RDNs most specific first and, as mongod walks the
 * name's entries backwards, the values of a multi-valued RDN in reverse DER order, joined by `+`.
 * @param der the certificate (DER)
 * @returns e.g. "CN=client,OU=apps,O=Example,L=City,ST=State,C=US"
 */
export function subjectName(der: Uint8Array): string {
  const certificate = readDer(der, 0);
  const tbs = children(certificate)[0];
  const fields = children(tbs);
  // TBSCertificate: [0] version (optional), serialNumber, signature, issuer, validity, subject.
  const subject = fields[fields[0]?.tag === 0xa0 ? 5 : 4];
  if (certificate.tag !== 0x30 || tbs?.tag !== 0x30 || subject?.tag !== 0x30) {
    throw new AuthFailure("certificate: not an X.509 certificate");
  }
  return children(subject).reverse().map((rdn) =>
    children(rdn).reverse().map((attribute) => {
      const [type, value] = children(attribute);
      if (type?.tag !== 0x06 || value === undefined) throw new AuthFailure("certificate: bad name attribute");
      const oid = decodeOid(type.value);
      return `${SHORT_NAMES[oid] ?? oid}=${escapeRfc2253(utf8Value(value))}`;
    }).join("+")
  ).join(",");
}

function decodeOid(bytes: Uint8Array): string {
  const arcs: number[] = [];
  let arc = 0;
  for (const byte of bytes) {
    arc = arc * 128 + (byte & 0x7f);
    if (byte & 0x80) continue;
    if (arcs.length === 0) arcs.push(arc < 80 ? Math.floor(arc / 40) : 2, arc < 80 ? arc % 40 : arc - 80);
    else arcs.push(arc);
    arc = 0;
  }
  return arcs.join(".");
}

/**
 * The value's bytes as mongod compares them: directory strings as UTF-8 (BMPString and
 * UniversalString converted, then NFKC — mongod runs ICU's X.509 DN stringprep; the fixtures are ASCII),
 * any other type as its raw content bytes.
 */
function utf8Value(value: Der): Uint8Array {
  let text: string;
  switch (value.tag) {
    case 0x1e: // BMPString: UTF-16BE
      text = String.fromCharCode(
        ...Array.from(
          { length: value.value.length >> 1 },
          (_, i) => (value.value[2 * i] << 8) | value.value[2 * i + 1],
        ),
      );
      break;
    case 0x1c: // UniversalString: UTF-32BE
      text = String.fromCodePoint(
        ...Array.from(
          { length: value.value.length >> 2 },
          (_, i) => new DataView(value.value.buffer, value.value.byteOffset + 4 * i, 4).getUint32(0),
        ),
      );
      break;
    case 0x0c: // UTF8String
      text = new TextDecoder().decode(value.value);
      break;
    case 0x13: // PrintableString
    case 0x16: // IA5String
      text = String.fromCharCode(...value.value);
      break;
    default: // TeletexString and the rest: bytes as they are
      return value.value;
  }
  return new TextEncoder().encode(text.normalize("NFKC"));
}

const SPECIALS = new Set([..."," + '+"\\<>;'].map((c) => c.charCodeAt(0)));

/**
 * mongod's escapeRfc2253, byte for byte: `\` before `,+"\<>;`, before a leading `#` or space and a
 * trailing space (only when the escaped value is longer than two characters, as mongod checks), and
 * every byte ≥ 0x80 as `\XX` (upper-case hex).
 */
export function escapeRfc2253(bytes: Uint8Array): string {
  let out = "";
  bytes.forEach((byte, index) => {
    if (index === 0 && (byte === 0x20 || byte === 0x23)) out += "\\" + String.fromCharCode(byte);
    else if (byte >= 0x80) out += "\\" + byte.toString(16).toUpperCase().padStart(2, "0");
    else out += (SPECIALS.has(byte) ? "\\" : "") + String.fromCharCode(byte);
  });
  if (out.length > 2 && out.endsWith(" ")) out = out.slice(0, -1) + "\\ ";
  return out;
}

/** mongod's x509OidToShortName (the OpenSSL short names). */
const SHORT_NAMES: Readonly<Record<string, string>> = {
  "0.9.2342.19200300.100.1.1": "UID",
  "0.9.2342.19200300.100.1.25": "DC",
  "1.2.840.113549.1.9.1": "emailAddress",
  "2.5.4.3": "CN",
  "2.5.4.4": "SN",
  "2.5.4.5": "serialNumber",
  "2.5.4.6": "C",
  "2.5.4.7": "L",
  "2.5.4.8": "ST",
  "2.5.4.9": "street",
  "2.5.4.10": "O",
  "2.5.4.11": "OU",
  "2.5.4.12": "title",
  "2.5.4.13": "description",
  "2.5.4.15": "businessCategory",
  "2.5.4.16": "postalAddress",
  "2.5.4.17": "postalCode",
  "2.5.4.18": "postOfficeBox",
  "2.5.4.20": "telephoneNumber",
  "2.5.4.41": "name",
  "2.5.4.42": "GN",
  "2.5.4.43": "initials",
  "2.5.4.44": "generationQualifier",
  "2.5.4.45": "x500UniqueIdentifier",
  "2.5.4.46": "dnQualifier",
  "2.5.4.65": "pseudonym",
  "2.5.4.72": "role",
};
