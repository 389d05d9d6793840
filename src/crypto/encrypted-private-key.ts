/**
 * An encrypted private key in PEM, decrypted with WebCrypto for a TLS that takes no passphrase (Deno's).
 * Two forms are read, the ones OpenSSL writes: PKCS#8 `ENCRYPTED PRIVATE KEY` with PBES2 (RFC 8018:
 * PBKDF2 with HMAC-SHA-1, -256, -384 or -512, then AES-128, -192 or -256 in CBC mode; OpenSSL's default
 * since 1.1), and OpenSSL's traditional form (`Proc-Type: 4,ENCRYPTED` and an AES-CBC `DEK-Info` over a
 * PKCS#1 or SEC1 key). DES, triple DES, scrypt and the PKCS#12 schemes are refused, naming the scheme: no
 * WebCrypto has them.
 *
 * @module
 */
import { MongoAuthError } from "../core/errors.ts";
import { decodePemBody, encodeBase64 } from "./base64.ts";
import { DER, derChildren, derChildrenOf, derInteger, derObjectIdentifier } from "./der.ts";
import { md5 } from "./md5.ts";
import { pbkdf2, type Pbkdf2Hash } from "./pbkdf2.ts";

const PBES2 = "1.2.840.113549.1.5.13";
const PBKDF2 = "1.2.840.113549.1.5.12";
const HMAC_SHA1 = "1.2.840.113549.2.7"; // PBKDF2's PRF when the parameters leave it out

const PBKDF2_HASHES: ReadonlyMap<string, Pbkdf2Hash> = new Map([
  [HMAC_SHA1, "SHA-1"],
  ["1.2.840.113549.2.9", "SHA-256"],
  ["1.2.840.113549.2.10", "SHA-384"],
  ["1.2.840.113549.2.11", "SHA-512"],
]);

// AES-CBC key lengths in bytes, by object identifier (PKCS#8) and by OpenSSL's name (DEK-Info).
const AES_CBC_BY_OID: ReadonlyMap<string, number> = new Map([
  ["2.16.840.1.101.3.4.1.2", 16],
  ["2.16.840.1.101.3.4.1.22", 24],
  ["2.16.840.1.101.3.4.1.42", 32],
]);
const AES_CBC_BY_NAME: ReadonlyMap<string, number> = new Map([
  ["AES-128-CBC", 16],
  ["AES-192-CBC", 24],
  ["AES-256-CBC", 32],
]);

// The refused schemes OpenSSL writes, by name, so that the message says what the file holds (any other
// is named by its object identifier).
const REFUSED_SCHEMES: ReadonlyMap<string, string> = new Map([
  ["1.3.6.1.4.1.11591.4.11", "scrypt"],
  ["1.2.840.113549.3.7", "DES-EDE3-CBC"],
  ["1.3.14.3.2.7", "DES-CBC"],
  ["1.2.840.113549.1.12.1.3", "PKCS#12 PBE (SHA-1, 3-key triple DES)"],
]);

// OpenSSL writes 2048 iterations; a file asking for more than this would hold the connection for seconds
// in a derivation that cannot be cancelled.
const MAX_ITERATIONS = 10_000_000;

const KEY_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/;

/**
 * Decrypts a PEM private key with its passphrase, or hands back one that is not encrypted unchanged.
 *
 * @param pem the key's PEM block (`ENCRYPTED PRIVATE KEY`, or a traditional `… PRIVATE KEY` with
 *   `Proc-Type: 4,ENCRYPTED`)
 * @param password the passphrase (`tlsCertificateKeyFilePassword`), as UTF-8 like OpenSSL takes it
 * @param source names the input in error messages (`tlsCertificateKeyFile /path`, or `tlsCertificateKey`)
 * @returns the key unencrypted: `PRIVATE KEY` (PKCS#8) from a PKCS#8 file, the traditional label (`RSA
 *   PRIVATE KEY`, `EC PRIVATE KEY`) from a traditional one
 * @throws {MongoAuthError} `TLS_ERROR` when the passphrase is wrong or the key is malformed;
 *   `RUNTIME_UNSUPPORTED` when it is encrypted by a scheme named above as refused. No message holds the
 *   passphrase or key material.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decryptPrivateKey } from "./encrypted-private-key.ts";
 *
 * const plain = "-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n";
 * assert.equal(await decryptPrivateKey(plain, "unused", "tlsCertificateKey"), plain);
 * await assert.rejects(
 *   decryptPrivateKey("-----BEGIN ENCRYPTED PRIVATE KEY-----\nMAA=\n-----END ENCRYPTED PRIVATE KEY-----", "pw", "tlsCertificateKey"),
 *   { code: "TLS_ERROR", message: /^the encrypted private key in tlsCertificateKey is malformed/ },
 * );
 * ```
 */
export async function decryptPrivateKey(pem: string, password: string, source: string): Promise<string> {
  const block = KEY_BLOCK.exec(pem);
  if (!block) throw malformed(source, "no PEM block");
  const [, label, body] = block;
  if (label === "ENCRYPTED PRIVATE KEY") {
    return pemOf("PRIVATE KEY", await decryptPkcs8(base64Of(body, source), password, source));
  }
  const encryption = traditionalEncryption(body, source);
  if (!encryption) return pem;
  return pemOf(label, await decryptTraditional(encryption, password, source));
}

/** PKCS#8 EncryptedPrivateKeyInfo with PBES2 (RFC 8018, appendix A.2 and A.4). */
async function decryptPkcs8(der: Uint8Array, password: string, source: string): Promise<Uint8Array> {
  const pbes2 = readingDer(source, () => pbes2Parameters(der));
  if ("refused" in pbes2) throw refused(source, pbes2.refused);
  const { salt, iterations, hash, keyLength, iv, data } = pbes2;
  if (iterations < 1 || iterations > MAX_ITERATIONS) {
    throw malformed(source, `${iterations} PBKDF2 iterations, not 1 to ${MAX_ITERATIONS}`);
  }
  const secret = new TextEncoder().encode(password);
  const key = await pbkdf2(hash, secret, salt, iterations, keyLength);
  secret.fill(0);
  const plain = await aesCbcDecrypt(key, iv, data, source);
  if (!plain || !isPrivateKeyInfo(plain)) throw wrongPassphrase(source);
  return plain;
}

/** What PBES2 needs, read from the file; or the name of the scheme it uses instead, which is refused. */
type Pbes2Parameters = { readonly refused: string } | {
  readonly salt: Uint8Array;
  readonly iterations: number;
  readonly hash: Pbkdf2Hash;
  readonly keyLength: number;
  readonly iv: Uint8Array;
  readonly data: Uint8Array;
};

function pbes2Parameters(der: Uint8Array): Pbes2Parameters {
  const [algorithm, data] = derChildrenOf(der, DER.SEQUENCE);
  const [algorithmId, params] = derChildren(algorithm);
  const oid = derObjectIdentifier(algorithmId);
  if (oid !== PBES2) return { refused: schemeName(oid) };
  const [kdf, encryption] = derChildren(params);
  const [kdfId, kdfParams] = derChildren(kdf);
  const kdfOid = derObjectIdentifier(kdfId);
  if (kdfOid !== PBKDF2) return { refused: schemeName(kdfOid) };
  // salt, iterationCount, then keyLength and prf, each optional (prf defaults to HMAC-SHA-1).
  const [salt, count, ...optional] = derChildren(kdfParams);
  const declaredLength = optional[0]?.tag === DER.INTEGER ? derInteger(optional.shift()) : undefined;
  const prf = optional[0] ? derObjectIdentifier(derChildren(optional[0])[0]) : HMAC_SHA1;
  const [cipherId, iv] = derChildren(encryption);
  const cipher = derObjectIdentifier(cipherId);
  const hash = PBKDF2_HASHES.get(prf);
  if (hash === undefined) return { refused: schemeName(prf) };
  const keyLength = AES_CBC_BY_OID.get(cipher);
  if (keyLength === undefined) return { refused: schemeName(cipher) };
  if (salt?.tag !== DER.OCTET_STRING) throw new RangeError("PBKDF2's salt is not an octet string");
  if (iv?.tag !== DER.OCTET_STRING || data?.tag !== DER.OCTET_STRING) {
    throw new RangeError("the IV or the encrypted data is not an octet string");
  }
  if (declaredLength !== undefined && declaredLength !== keyLength) {
    throw new RangeError(`PBKDF2's key length ${declaredLength} does not fit the cipher`);
  }
  return { salt: salt.value, iterations: derInteger(count), hash, keyLength, iv: iv.value, data: data.value };
}

// DER's RangeErrors, as what they are: a malformed key file.
function readingDer<T>(source: string, read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof RangeError) throw malformed(source, err.message);
    throw err;
  }
}

/** `Proc-Type: 4,ENCRYPTED` and `DEK-Info: <cipher>,<IV in hex>` before the base64 body. */
interface TraditionalEncryption {
  readonly cipher: string;
  readonly iv: Uint8Array;
  readonly data: Uint8Array;
}

function traditionalEncryption(body: string, source: string): TraditionalEncryption | undefined {
  const split = /^([\s\S]*?)\r?\n[ \t]*\r?\n([\s\S]*)$/.exec(body.trim());
  if (!split || !/^Proc-Type:\s*4,ENCRYPTED\s*$/m.test(split[1])) return undefined;
  const info = /^DEK-Info:\s*([A-Za-z0-9-]+),([0-9A-Fa-f]+)\s*$/m.exec(split[1]);
  if (!info) throw malformed(source, "Proc-Type says ENCRYPTED, but there is no DEK-Info");
  const [, cipher, ivHex] = info;
  if (ivHex.length % 2 !== 0) throw malformed(source, "DEK-Info's IV is not whole bytes of hex");
  const iv = Uint8Array.from(ivHex.match(/../g)!, (byte) => parseInt(byte, 16));
  return { cipher: cipher.toUpperCase(), iv, data: base64Of(split[2], source) };
}

// OpenSSL's PEM encryption: the key is EVP_BytesToKey with MD5, one iteration, and the IV's first eight
// bytes as the salt (D_i = MD5(D_i-1 || password || salt), concatenated).
async function decryptTraditional(
  { cipher, iv, data }: TraditionalEncryption,
  password: string,
  source: string,
): Promise<Uint8Array> {
  const keyLength = AES_CBC_BY_NAME.get(cipher);
  if (keyLength === undefined) throw refused(source, cipher);
  if (iv.length !== 16) throw malformed(source, `DEK-Info's IV is ${iv.length} bytes, not 16`);
  const secret = new TextEncoder().encode(password);
  const key = new Uint8Array(keyLength + 16);
  let previous: Uint8Array = new Uint8Array(0);
  for (let filled = 0; filled < keyLength; filled += 16) {
    previous = md5(concat(previous, secret, iv.subarray(0, 8)));
    key.set(previous, filled);
  }
  secret.fill(0);
  const plain = await aesCbcDecrypt(key.subarray(0, keyLength), iv, data, source);
  key.fill(0);
  if (!plain || !isTraditionalKey(plain)) throw wrongPassphrase(source);
  return plain;
}

// AES-CBC with PKCS#7 padding; undefined when the padding is wrong, which is what a wrong password nearly
// always gives (the caller checks the structure for the rest).
async function aesCbcDecrypt(
  key: Uint8Array,
  iv: Uint8Array,
  data: Uint8Array,
  source: string,
): Promise<Uint8Array | undefined> {
  if (iv.length !== 16) throw malformed(source, `the AES IV is ${iv.length} bytes, not 16`);
  if (data.length === 0 || data.length % 16 !== 0) {
    throw malformed(source, "the encrypted key is not whole AES blocks");
  }
  const cryptoKey = await crypto.subtle.importKey("raw", key as Uint8Array<ArrayBuffer>, "AES-CBC", false, [
    "decrypt",
  ]);
  key.fill(0);
  try {
    const algorithm = { name: "AES-CBC", iv: iv as Uint8Array<ArrayBuffer> };
    return new Uint8Array(await crypto.subtle.decrypt(algorithm, cryptoKey, data as Uint8Array<ArrayBuffer>));
  } catch {
    return undefined;
  }
}

// PrivateKeyInfo (RFC 5208): version, algorithm, then the key as an octet string.
function isPrivateKeyInfo(bytes: Uint8Array): boolean {
  return parses(() => {
    const [version, algorithm, key] = derChildrenOf(bytes, DER.SEQUENCE);
    return version?.tag === DER.INTEGER && algorithm?.tag === DER.SEQUENCE && key?.tag === DER.OCTET_STRING;
  });
}

// RSAPrivateKey (PKCS#1) and ECPrivateKey (SEC1) both start with an INTEGER version.
function isTraditionalKey(bytes: Uint8Array): boolean {
  return parses(() => derChildrenOf(bytes, DER.SEQUENCE)[0]?.tag === DER.INTEGER);
}

function parses(check: () => boolean): boolean {
  try {
    return check();
  } catch {
    return false;
  }
}

function base64Of(body: string, source: string): Uint8Array {
  return decodePemBody(body, `the encrypted private key in ${source}`);
}

function pemOf(label: string, der: Uint8Array): string {
  const lines = encodeBase64(der).match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const bytes = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.length;
  }
  return bytes;
}

function schemeName(oid: string): string {
  return REFUSED_SCHEMES.get(oid) ?? `the algorithm ${oid}`;
}

/**
 * The error of a wrong passphrase, the same whoever found it out (this module, or OpenSSL's "bad decrypt").
 *
 * @param source names the key's option (`tlsCertificateKeyFile /path`, or `tlsCertificateKey`)
 * @param cause the runtime's error, if it found out
 * @returns a `TLS_ERROR` naming the option and the passphrase's
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { wrongPassphrase } from "./encrypted-private-key.ts";
 *
 * assert.equal(wrongPassphrase("tlsCertificateKey").code, "TLS_ERROR");
 * ```
 */
export function wrongPassphrase(source: string, cause?: unknown): MongoAuthError {
  return new MongoAuthError(
    "TLS_ERROR",
    `cannot decrypt the private key in ${source}: the passphrase (tlsCertificateKeyFilePassword) is wrong`,
    cause === undefined ? undefined : { cause },
  );
}

function malformed(source: string, detail: string): MongoAuthError {
  return new MongoAuthError(
    "TLS_ERROR",
    `the encrypted private key in ${source} is malformed (${detail}): export it again, or give it decrypted ` +
      "(openssl pkey -in key.pem -out plain.pem)",
  );
}

function refused(source: string, scheme: string): MongoAuthError {
  return new MongoAuthError(
    "RUNTIME_UNSUPPORTED",
    `the private key in ${source} is encrypted with ${scheme}, which this runtime cannot decrypt (its TLS takes ` +
      "no passphrase, and mongo-auth decrypts PBES2 with PBKDF2 and AES-CBC, and OpenSSL's traditional " +
      `AES-CBC keys): ${REENCRYPT_ADVICE}`,
  );
}

/** What to do with a key whose encryption a runtime cannot undo. */
export const REENCRYPT_ADVICE =
  "encrypt it again with AES (openssl pkcs8 -topk8 -v2 aes-256-cbc -in key.pem -out key-aes.pem), or run " +
  "this program on Node.js";
