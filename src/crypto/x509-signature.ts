/**
 * An X.509 signature (RFC 5280: a certificate's, or a revocation list's) checked with WebCrypto against the
 * signer's SubjectPublicKeyInfo: ECDSA (P-256, P-384, P-521) and RSA PKCS#1 v1.5 with SHA-1, -256, -384 or
 * -512, RSA-PSS (RFC 4055) with SHA-1, -256, -384 or -512, and Ed25519 — what CAs sign with, and what OpenSSL
 * accepts on a revocation list. Anything else (an RSA-PSS whose mask hash is not its message hash, which
 * WebCrypto cannot check; SHA-224; DSA) is reported as unsupported rather than guessed at.
 *
 * @module
 */
import {
  DER,
  derChildren,
  derChildrenOf,
  type DerElement,
  derElements,
  derInteger,
  derMagnitude,
  derObjectIdentifier,
} from "./der.ts";

/** The outcome of {@link verifyX509Signature}. */
export type SignatureCheck = "valid" | "invalid" | "unsupported";

// Signature algorithms (RFC 3279, RFC 5758, RFC 4055, RFC 8410), by object identifier; RSA-PSS's hash is
// in its parameters.
const SIGNATURES: ReadonlyMap<string, { family: "ECDSA" | "RSA" | "Ed25519"; hash?: string }> = new Map([
  ["1.2.840.10045.4.1", { family: "ECDSA", hash: "SHA-1" }],
  ["1.2.840.10045.4.3.2", { family: "ECDSA", hash: "SHA-256" }],
  ["1.2.840.10045.4.3.3", { family: "ECDSA", hash: "SHA-384" }],
  ["1.2.840.10045.4.3.4", { family: "ECDSA", hash: "SHA-512" }],
  ["1.2.840.113549.1.1.5", { family: "RSA", hash: "SHA-1" }],
  ["1.2.840.113549.1.1.11", { family: "RSA", hash: "SHA-256" }],
  ["1.2.840.113549.1.1.12", { family: "RSA", hash: "SHA-384" }],
  ["1.2.840.113549.1.1.13", { family: "RSA", hash: "SHA-512" }],
  ["1.3.101.112", { family: "Ed25519" }],
]);

// Named curves of id-ecPublicKey (RFC 5480), with the byte length of a coordinate.
const CURVES: ReadonlyMap<string, { name: string; size: number }> = new Map([
  ["1.2.840.10045.3.1.7", { name: "P-256", size: 32 }],
  ["1.3.132.0.34", { name: "P-384", size: 48 }],
  ["1.3.132.0.35", { name: "P-521", size: 66 }],
]);

const RSASSA_PSS = "1.2.840.113549.1.1.10";
const MGF1 = "1.2.840.113549.1.1.8";
// Hash algorithms (RFC 4055's HashAlgorithm), by object identifier.
const HASHES: ReadonlyMap<string, string> = new Map([
  ["1.3.14.3.2.26", "SHA-1"],
  ["2.16.840.1.101.3.4.2.1", "SHA-256"],
  ["2.16.840.1.101.3.4.2.2", "SHA-384"],
  ["2.16.840.1.101.3.4.2.3", "SHA-512"],
]);

const EC_PUBLIC_KEY = "1.2.840.10045.2.1";
const RSA_ENCRYPTION = "1.2.840.113549.1.1.1";
const ED25519 = "1.3.101.112";

/**
 * Checks a signature over `signed` made by the holder of `publicKey`.
 *
 * @param publicKey the signer's SubjectPublicKeyInfo, DER (its certificate's)
 * @param algorithm the signature's AlgorithmIdentifier, DER (its object identifier, and RSA-PSS's parameters)
 * @param signed the bytes signed (a TBSCertificate or TBSCertList, whole)
 * @param signature the signature: the BIT STRING's bytes after its unused-bits octet
 * @returns `valid`, `invalid` (a wrong signature, or one that does not parse), or `unsupported` (an
 *   algorithm or key this module does not check, or a key that does not fit the algorithm)
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { verifyX509Signature } from "./x509-signature.ts";
 *
 * const keys = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign"]);
 * const spki = new Uint8Array(await crypto.subtle.exportKey("spki", keys.publicKey));
 * // SEQUENCE { ecdsa-with-SHA256 }, and SEQUENCE { 1.2.3.4 }
 * const ecdsaSha256 = new Uint8Array([0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02]);
 * const unknown = new Uint8Array([0x30, 0x05, 0x06, 0x03, 0x2a, 0x03, 0x04]);
 * assert.equal(await verifyX509Signature(spki, ecdsaSha256, new Uint8Array(1), new Uint8Array(8)), "invalid");
 * assert.equal(await verifyX509Signature(spki, unknown, new Uint8Array(1), new Uint8Array(8)), "unsupported");
 * ```
 */
export async function verifyX509Signature(
  publicKey: Uint8Array,
  algorithm: Uint8Array,
  signed: Uint8Array,
  signature: Uint8Array,
): Promise<SignatureCheck> {
  const scheme = signatureScheme(algorithm);
  const key = scheme && keyAlgorithm(publicKey, scheme);
  if (!scheme || !key || key.family !== scheme.family) return "unsupported";
  const raw = key.family === "ECDSA" ? ecdsaRaw(signature, key.size!) : signature;
  if (!raw) return "invalid";
  const imported = await crypto.subtle.importKey(
    "spki",
    publicKey as Uint8Array<ArrayBuffer>,
    key.import,
    false,
    ["verify"],
  ).catch(() => undefined);
  if (!imported) return "unsupported";
  const params = key.family === "ECDSA"
    ? { name: "ECDSA", hash: scheme.hash! }
    : key.family === "RSA"
    ? { name: rsaName(scheme), saltLength: scheme.saltLength }
    : { name: "Ed25519" };
  const ok = await crypto.subtle.verify(
    params,
    imported,
    raw as Uint8Array<ArrayBuffer>,
    signed as Uint8Array<ArrayBuffer>,
  ).catch(() => false);
  return ok ? "valid" : "invalid";
}

interface SignatureScheme {
  readonly family: "ECDSA" | "RSA" | "Ed25519";
  readonly hash?: string;
  /** RSA-PSS's salt length; undefined for the other schemes. */
  readonly saltLength?: number;
}

// WebCrypto's name for an RSA scheme, the key's import and the check alike: PSS has a salt length.
function rsaName(scheme: SignatureScheme): "RSASSA-PKCS1-v1_5" | "RSA-PSS" {
  return scheme.saltLength === undefined ? "RSASSA-PKCS1-v1_5" : "RSA-PSS";
}

function signatureScheme(algorithm: Uint8Array): SignatureScheme | undefined {
  try {
    const [id, parameters] = derChildrenOf(algorithm, DER.SEQUENCE);
    const oid = derObjectIdentifier(id);
    return oid === RSASSA_PSS ? pssScheme(parameters) : SIGNATURES.get(oid);
  } catch {
    return undefined;
  }
}

// RSASSA-PSS-params ::= SEQUENCE { hashAlgorithm [0] DEFAULT sha1, maskGenAlgorithm [1] DEFAULT mgf1SHA1,
//   saltLength [2] INTEGER DEFAULT 20, trailerField [3] INTEGER DEFAULT 1 } (RFC 4055 section 3.1).
// WebCrypto's RSA-PSS masks with the message's hash, so another mask hash is unsupported.
function pssScheme(parameters: DerElement | undefined): SignatureScheme | undefined {
  const children = derChildren(parameters);
  // Each field at most once, in order, as DER writes them.
  if (
    children.some((field, i) =>
      field.tag < 0xa0 || field.tag > 0xa3 || field.tag <= (children[i - 1]?.tag ?? 0)
    )
  ) {
    return undefined;
  }
  const fields = new Map(children.map((field) => [field.tag, derElements(field.value)[0]]));
  const hash = fields.has(0xa0) ? hashName(fields.get(0xa0)) : "SHA-1";
  let maskHash = "SHA-1";
  if (fields.has(0xa1)) {
    const [maskId, maskParameters] = derChildren(fields.get(0xa1));
    if (derObjectIdentifier(maskId) !== MGF1) return undefined;
    maskHash = hashName(maskParameters) ?? "";
  }
  const saltLength = fields.has(0xa2) ? derInteger(fields.get(0xa2)) : 20;
  const trailer = fields.has(0xa3) ? derInteger(fields.get(0xa3)) : 1;
  if (!hash || hash !== maskHash || trailer !== 1) return undefined;
  return { family: "RSA", hash, saltLength };
}

// HashAlgorithm ::= AlgorithmIdentifier (its parameters NULL or absent).
function hashName(identifier: DerElement | undefined): string | undefined {
  const [id] = derChildren(identifier);
  return HASHES.get(derObjectIdentifier(id));
}

interface KeyAlgorithm {
  readonly family: "ECDSA" | "RSA" | "Ed25519";
  readonly import: AlgorithmIdentifier | EcKeyImportParams | RsaHashedImportParams;
  /** An ECDSA coordinate's byte length. */
  readonly size?: number;
}

// What the SubjectPublicKeyInfo holds, as WebCrypto imports it. An RSA key is imported for the signature's
// scheme and hash (WebCrypto binds an RSA key to one of each).
function keyAlgorithm(spki: Uint8Array, scheme: SignatureScheme): KeyAlgorithm | undefined {
  try {
    const [algorithm] = derChildrenOf(spki, DER.SEQUENCE);
    if (algorithm?.tag !== DER.SEQUENCE) return undefined;
    const [id, parameters] = derElements(algorithm.value);
    const oid = derObjectIdentifier(id);
    if (oid === ED25519) return { family: "Ed25519", import: { name: "Ed25519" } };
    if (oid === RSA_ENCRYPTION) {
      return { family: "RSA", import: { name: rsaName(scheme), hash: scheme.hash ?? "SHA-256" } };
    }
    const curve = oid === EC_PUBLIC_KEY ? CURVES.get(derObjectIdentifier(parameters)) : undefined;
    return curve && { family: "ECDSA", import: { name: "ECDSA", namedCurve: curve.name }, size: curve.size };
  } catch {
    return undefined;
  }
}

// X.509 writes ECDSA signatures as SEQUENCE { r INTEGER, s INTEGER }; WebCrypto takes r and s side by side,
// each as long as a coordinate.
function ecdsaRaw(signature: Uint8Array, size: number): Uint8Array | undefined {
  try {
    const parts = derChildrenOf(signature, DER.SEQUENCE);
    if (parts.length !== 2) return undefined;
    const raw = new Uint8Array(2 * size);
    for (const [i, part] of parts.entries()) {
      const value = unsigned(part);
      if (!value || value.length > size) return undefined;
      raw.set(value, (i + 1) * size - value.length);
    }
    return raw;
  } catch {
    return undefined;
  }
}

// A non-negative INTEGER's magnitude, without DER's leading zero.
function unsigned(element: DerElement): Uint8Array | undefined {
  if (element.tag !== DER.INTEGER || element.value.length === 0 || element.value[0] & 0x80) return undefined;
  return derMagnitude(element.value);
}
