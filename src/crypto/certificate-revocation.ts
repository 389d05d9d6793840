/**
 * A verified certificate chain checked against certificate revocation lists (RFC 5280 section 6.3), for a
 * TLS that takes no list (Deno's): every certificate but the trust anchor needs a list from its issuer,
 * signed by that issuer, current, and not naming its serial number — what OpenSSL checks with
 * `X509_V_FLAG_CRL_CHECK_ALL`, and reports with the same codes. A list with a critical extension this
 * module does not process (an issuing distribution point, a delta list, an indirect list's certificate
 * issuer) is refused rather than read partly. Names are compared in OpenSSL's canonical form
 * (`canonicalName`): a list whose issuer differs from the certificate's only in string types, ASCII case or
 * white space is that issuer's list.
 *
 * @module
 */
import {
  DER,
  derChildren,
  derChildrenOf,
  type DerElement,
  derElements,
  derHeader,
  derMagnitude,
  derObjectIdentifier,
} from "./der.ts";
import { timingSafeEqual } from "./timing-safe-equal.ts";
import { type SignatureCheck, verifyX509Signature } from "./x509-signature.ts";
import { toHex } from "./hex.ts";
import { canonicalName } from "./x509-name.ts";

/** Why a chain did not pass: OpenSSL's verification code and message for the same case. */
export interface RevocationFailure {
  /** `CERT_REVOKED`, `UNABLE_TO_GET_CRL`, `CRL_SIGNATURE_FAILURE`, `CRL_NOT_YET_VALID`, `CRL_HAS_EXPIRED`,
   * `UNHANDLED_CRITICAL_CRL_EXTENSION`, `KEYUSAGE_NO_CRL_SIGN` or `UNABLE_TO_GET_CRL_ISSUER`; or mongo-auth's
   * `CERT_UNREADABLE`, a certificate of the chain it cannot read (nor would OpenSSL). */
  readonly code: string;
  /** OpenSSL's words for it (`certificate revoked`, …), or what could not be read. */
  readonly message: string;
}

const FAILURES = {
  revoked: { code: "CERT_REVOKED", message: "certificate revoked" },
  noList: { code: "UNABLE_TO_GET_CRL", message: "unable to get certificate CRL" },
  signature: { code: "CRL_SIGNATURE_FAILURE", message: "CRL signature failure" },
  notYetValid: { code: "CRL_NOT_YET_VALID", message: "CRL is not yet valid" },
  expired: { code: "CRL_HAS_EXPIRED", message: "CRL has expired" },
  critical: { code: "UNHANDLED_CRITICAL_CRL_EXTENSION", message: "unhandled critical CRL extension" },
  keyUsage: { code: "KEYUSAGE_NO_CRL_SIGN", message: "key usage does not include CRL signing" },
  noAnchor: { code: "UNABLE_TO_GET_CRL_ISSUER", message: "unable to get CRL issuer certificate" },
} as const satisfies Record<string, RevocationFailure>;

// Extensions read (or safely ignored) when critical: a list's authority key identifier and number, an entry's
// reason and invalidity date. Anything else critical changes what the list means.
const HANDLED_EXTENSIONS = new Set(["2.5.29.35", "2.5.29.20", "2.5.29.21", "2.5.29.24"]);

const CONTEXT_0 = 0xa0; // [0] EXPLICIT: a certificate's version, a list's extensions
const CERTIFICATE_EXTENSIONS = 0xa3; // [3] EXPLICIT
const KEY_USAGE = "2.5.29.15";
const UTC_TIME = 0x17;
const GENERALIZED_TIME = 0x18;
const BIT_STRING = 0x03;
const BOOLEAN = 0x01;

/**
 * Checks a chain the TLS handshake verified against revocation lists.
 *
 * @param chain the chain's certificates in DER, the server's first and the trust anchor (self-issued) last
 * @param lists the revocation lists, each read by {@link readRevocationList}
 * @param now the time to check the lists' validity at, in milliseconds since the epoch
 * @returns undefined when no certificate is revoked and each has a usable list, else why not (a certificate
 *   that cannot be read is a failure, `CERT_UNREADABLE`, so that no list is blamed for it)
 * @example
 * ```ts ignore
 * import { checkRevocation, readRevocationList } from "./certificate-revocation.ts";
 *
 * const failure = await checkRevocation(chainDer, crlDer.map(readRevocationList), Date.now());
 * if (failure?.code === "CERT_REVOKED") throw new Error(failure.message);
 * ```
 */
export async function checkRevocation(
  chain: readonly Uint8Array[],
  lists: readonly RevocationList[],
  now: number,
): Promise<RevocationFailure | undefined> {
  const certificates: CertificateFields[] = [];
  for (const [index, der] of chain.entries()) {
    const certificate = readableCertificate(der, index);
    if ("code" in certificate) return certificate;
    certificates.push(certificate);
  }
  // Without the anchor at the end, the last certificate's issuer (whose key checks its list) is unknown:
  // refused, never passed unchecked.
  const anchor = certificates.at(-1);
  if (!anchor || !timingSafeEqual(anchor.issuer, anchor.subject)) return FAILURES.noAnchor;
  for (let i = 0; i + 1 < certificates.length; i++) {
    const failure = await checkCertificate(certificates[i], certificates[i + 1], lists, now);
    if (failure) return failure;
  }
  return undefined;
}

async function checkCertificate(
  certificate: CertificateFields,
  issuer: CertificateFields,
  lists: readonly RevocationList[],
  now: number,
): Promise<RevocationFailure | undefined> {
  const candidates = lists.filter((list) => timingSafeEqual(list.issuer, certificate.issuer));
  let firstProblem: RevocationFailure | undefined;
  let usable = 0;
  for (const list of candidates) {
    const problem = await listProblem(list, issuer, now);
    if (problem) {
      firstProblem ??= problem;
      continue;
    }
    usable++;
    if (list.revoked.has(toHex(certificate.serial))) return FAILURES.revoked;
  }
  return usable > 0 ? undefined : firstProblem ?? FAILURES.noList;
}

async function listProblem(
  list: RevocationList,
  issuer: CertificateFields,
  now: number,
): Promise<RevocationFailure | undefined> {
  // A CA whose key usage is stated and leaves out cRLSign may not sign lists (RFC 5280 4.2.1.3).
  if (!issuer.maySignLists) return FAILURES.keyUsage;
  if (list.unhandledCritical) return FAILURES.critical;
  if (await signatureCheck(list, issuer.publicKey) !== "valid") return FAILURES.signature;
  if (now < list.thisUpdate) return FAILURES.notYetValid;
  if (list.nextUpdate !== undefined && now > list.nextUpdate) return FAILURES.expired;
  return undefined;
}

/** What the check needs of a certificate (RFC 5280 section 4.1). */
interface CertificateFields {
  /** The serial number's magnitude: its bytes without leading zeros. */
  readonly serial: Uint8Array;
  /** The issuer's Name in canonical form, as OpenSSL compares names. */
  readonly issuer: Uint8Array;
  /** The subject's Name in canonical form. */
  readonly subject: Uint8Array;
  /** The SubjectPublicKeyInfo, DER. */
  readonly publicKey: Uint8Array;
  /** False when the certificate has a keyUsage without cRLSign. */
  readonly maySignLists: boolean;
}

// The chain passed the handshake, but a certificate may still hold what OpenSSL would not read (a name's value
// of another type, a malformed key usage): a failure of its own, naming the certificate.
function readableCertificate(der: Uint8Array, index: number): CertificateFields | RevocationFailure {
  try {
    return certificateFields(der);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    const which = index === 0 ? "the server's certificate" : `certificate ${index + 1} of the server's chain`;
    return {
      code: "CERT_UNREADABLE",
      message: `${which} cannot be read to check it against revocation lists (${err.message})`,
    };
  }
}

function certificateFields(der: Uint8Array): CertificateFields {
  const [tbs] = derChildrenOf(der, DER.SEQUENCE);
  const fields = derChildren(tbs);
  const [serial, , issuer, , subject, publicKey, ...rest] = fields[0]?.tag === CONTEXT_0
    ? fields.slice(1)
    : fields;
  if (issuer?.tag !== DER.SEQUENCE || subject?.tag !== DER.SEQUENCE || publicKey?.tag !== DER.SEQUENCE) {
    throw new RangeError("not an X.509 certificate");
  }
  const extensions = rest.find((field) => field.tag === CERTIFICATE_EXTENSIONS);
  return {
    serial: serialOf(serial),
    issuer: canonicalName(issuer.encoded),
    subject: canonicalName(subject.encoded),
    publicKey: publicKey.encoded,
    maySignLists: extensions === undefined || maySignLists(derChildren(derElements(extensions.value)[0])),
  };
}

// keyUsage ::= BIT STRING, cRLSign its bit 6 (0x02 of the first octet after the unused-bits octet).
function maySignLists(extensions: DerElement[]): boolean {
  for (const extension of extensions) {
    const [id, ...rest] = derChildren(extension);
    if (derObjectIdentifier(id) !== KEY_USAGE) continue;
    const [keyUsage] = derElements(rest.at(-1)?.value ?? new Uint8Array());
    if (keyUsage?.tag !== BIT_STRING) throw new RangeError("a malformed key usage");
    return ((keyUsage.value[1] ?? 0) & 0x02) !== 0;
  }
  return true;
}

/**
 * A certificate revocation list as the check reads it (RFC 5280 section 5.1): read once, it serves every
 * connection that checks a chain against it.
 */
export interface RevocationList {
  /** The issuer's Name in canonical form. */
  readonly issuer: Uint8Array;
  /** When the list was issued, in milliseconds since the epoch. */
  readonly thisUpdate: number;
  /** When the next list is due, if the list says. */
  readonly nextUpdate?: number;
  /** The revoked serial numbers: each one's magnitude (its bytes without leading zeros), in hex. */
  readonly revoked: ReadonlySet<string>;
  /** Whether the list or one of its entries has a critical extension outside `HANDLED_EXTENSIONS`. */
  readonly unhandledCritical: boolean;
  /** The TBSCertList, whole: what the signature covers. */
  readonly signed: Uint8Array;
  /** The signature's AlgorithmIdentifier, DER. */
  readonly algorithm: Uint8Array;
  /** The signature: the BIT STRING's bytes after its unused-bits octet. */
  readonly signature: Uint8Array;
  /** The signature checked against each issuer key tried (by its SubjectPublicKeyInfo in hex), checked once. */
  readonly signatureChecks: Map<string, Promise<SignatureCheck>>;
}

/**
 * Reads a certificate revocation list, once for all the chains checked against it: its entries are read
 * into a set of serial numbers, and its signature is checked at most once per CA key.
 *
 * @param der the list, DER
 * @returns the list as {@link checkRevocation} takes it
 * @throws {RangeError} when `der` is not DER of a revocation list
 * @example
 * ```ts ignore
 * import { readRevocationList } from "./certificate-revocation.ts";
 *
 * const list = readRevocationList(crlDer);
 * console.log(list.revoked.size, new Date(list.thisUpdate));
 * ```
 */
export function readRevocationList(der: Uint8Array): RevocationList {
  const [tbs, algorithm, signature] = derChildrenOf(der, DER.SEQUENCE);
  const fields = derChildren(tbs);
  let next = fields[0]?.tag === DER.INTEGER ? 1 : 0; // version, v2 when there are extensions
  const innerAlgorithm = fields[next++];
  const issuer = fields[next++];
  const thisUpdate = timeOf(fields[next++]);
  const nextUpdate = isTime(fields[next]) ? timeOf(fields[next++]) : undefined;
  let entries: RevokedEntries = { revoked: new Set(), unhandledCritical: false };
  if (fields[next]?.tag === DER.SEQUENCE) entries = revokedEntries(fields[next++].value);
  let unhandledCritical = entries.unhandledCritical;
  if (fields[next]?.tag === CONTEXT_0) {
    const [extensions] = derElements(fields[next++].value);
    unhandledCritical ||= hasUnhandledCritical(derChildren(extensions));
  }
  if (next !== fields.length || issuer?.tag !== DER.SEQUENCE) throw new RangeError("not a revocation list");
  // RFC 5280 5.1.1.2: the signed and the outer algorithm must be the same, parameters included (OpenSSL's
  // X509_ALGOR_cmp).
  if (innerAlgorithm?.tag !== DER.SEQUENCE || algorithm?.tag !== DER.SEQUENCE) {
    throw new RangeError("a revocation list without its signature algorithm");
  }
  derObjectIdentifier(derChildren(algorithm)[0]); // an AlgorithmIdentifier begins with its object identifier
  if (!timingSafeEqual(innerAlgorithm.encoded, algorithm.encoded)) {
    throw new RangeError("a revocation list names two signature algorithms");
  }
  if (signature?.tag !== BIT_STRING || signature.value[0] !== 0) {
    throw new RangeError("a malformed signature");
  }
  return {
    issuer: canonicalName(issuer.encoded),
    thisUpdate,
    nextUpdate,
    revoked: entries.revoked,
    unhandledCritical,
    signed: tbs.encoded,
    algorithm: algorithm.encoded,
    signature: signature.value.subarray(1),
    signatureChecks: new Map(),
  };
}

// A list's signature against one CA key, checked the first time that key asks (a signature check hashes the
// whole list: a few milliseconds for a list of a hundred thousand entries, on every connection otherwise).
function signatureCheck(list: RevocationList, publicKey: Uint8Array): Promise<SignatureCheck> {
  const key = toHex(publicKey);
  let check = list.signatureChecks.get(key);
  if (!check) {
    check = verifyX509Signature(publicKey, list.algorithm, list.signed, list.signature);
    list.signatureChecks.set(key, check);
  }
  return check;
}

// Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
function hasUnhandledCritical(extensions: DerElement[]): boolean {
  return extensions.some((extension) => {
    const [id, critical] = derChildren(extension);
    const isCritical = critical?.tag === BOOLEAN && critical.value[0] !== 0;
    return isCritical && !HANDLED_EXTENSIONS.has(derObjectIdentifier(id));
  });
}

interface RevokedEntries {
  readonly revoked: Set<string>;
  readonly unhandledCritical: boolean;
}

// The revoked serial numbers, and whether an entry has a critical extension that is not processed (an
// indirect list's certificate issuer changes what every later entry means). The entries are walked by offsets,
// without an element built for each: a CA's list may hold a hundred thousand of them.
// revokedCertificate ::= SEQUENCE { userCertificate INTEGER, revocationDate Time, crlEntryExtensions OPTIONAL }
function revokedEntries(entries: Uint8Array): RevokedEntries {
  const revoked = new Set<string>();
  let unhandled = false;
  for (let offset = 0; offset < entries.length;) {
    const entry = derHeader(entries, offset);
    const number = derHeader(entries, entry.start);
    const date = derHeader(entries, number.end);
    if (entry.tag !== DER.SEQUENCE || number.tag !== DER.INTEGER || number.start === number.end) {
      throw new RangeError("a malformed revoked certificate entry");
    }
    if (!isTime(date) || date.end > entry.end) {
      throw new RangeError("a malformed revocation date");
    }
    if (date.end < entry.end) {
      const extensions = derHeader(entries, date.end);
      if (extensions.tag !== DER.SEQUENCE || extensions.end !== entry.end) {
        throw new RangeError("malformed entry extensions");
      }
      unhandled ||= hasUnhandledCritical(derElements(entries.subarray(extensions.start, extensions.end)));
    }
    revoked.add(toHex(derMagnitude(entries.subarray(number.start, number.end))));
    offset = entry.end;
  }
  return { revoked, unhandledCritical: unhandled };
}

function serialOf(element: DerElement | undefined): Uint8Array {
  if (element?.tag !== DER.INTEGER || element.value.length === 0) {
    throw new RangeError("expected a serial number");
  }
  return derMagnitude(element.value);
}

function isTime(element: { readonly tag: number } | undefined): boolean {
  return element?.tag === UTC_TIME || element?.tag === GENERALIZED_TIME;
}

// UTCTime YYMMDDHHMMSSZ (years 1950 to 2049) or GeneralizedTime YYYYMMDDHHMMSSZ, as RFC 5280 4.1.2.5 has them.
function timeOf(element: DerElement | undefined): number {
  const text = isTime(element) ? String.fromCharCode(...element!.value) : "";
  const match = element?.tag === UTC_TIME
    ? /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(text)
    : /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(text);
  if (!match) throw new RangeError("expected a time");
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number);
  const fullYear = element!.tag === UTC_TIME ? (year < 50 ? 2000 + year : 1900 + year) : year;
  return Date.UTC(fullYear, month - 1, day, hour, minute, second);
}
