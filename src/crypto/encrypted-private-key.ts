/**
 * An encrypted private key in PEM, decrypted for a TLS that takes no passphrase (Deno's). Two forms are
 * read, the ones OpenSSL writes: PKCS#8 `ENCRYPTED PRIVATE KEY` with PBES2 (RFC 8018: PBKDF2 with
 * HMAC-SHA-1, -256, -384 or -512, or scrypt, then AES-128, -192 or -256, triple DES or DES, in CBC mode; AES is
 * OpenSSL's default since 1.1, triple DES what `req` and `genrsa -des3` wrote before), and OpenSSL's
 * traditional form (`Proc-Type: 4,ENCRYPTED` and a `DEK-Info` naming one of those ciphers, over a PKCS#1 or
 * SEC1 key); and the schemes before PBES2 that OpenSSL 1.0 wrote, PKCS#12's triple DES (its `pkcs8 -topk8`
 * default) and PBES1's DES. PBKDF2 and AES run in WebCrypto; DES, which no WebCrypto has, in des.ts, and the
 * older derivations in legacy-key-derivation.ts, scrypt (PBES2's other derivation) in scrypt.ts. The RC2 and
 * RC4 schemes are refused, naming the scheme.
 *
 * @module
 */
import { MongoAuthError } from "../core/errors.ts";
import { decodePemBody, encodePem } from "./base64.ts";
import { concatBytes } from "./bytes.ts";
import { DER, derChildren, derChildrenOf, type DerElement, derInteger, derObjectIdentifier } from "./der.ts";
import { pbkdf1, pkcs12Kdf } from "./legacy-key-derivation.ts";
import { checkScryptParameters, scrypt, type ScryptParameters } from "./scrypt.ts";
import { desCbcDecrypt } from "./des.ts";
import { md5 } from "./md5.ts";
import { pbkdf2, type Pbkdf2Hash } from "./pbkdf2.ts";

const PBES2 = "1.2.840.113549.1.5.13";
const PBKDF2 = "1.2.840.113549.1.5.12";
const SCRYPT = "1.3.6.1.4.1.11591.4.11";
const HMAC_SHA1 = "1.2.840.113549.2.7"; // PBKDF2's PRF when the parameters leave it out

const PBKDF2_HASHES: ReadonlyMap<string, Pbkdf2Hash> = new Map([
  [HMAC_SHA1, "SHA-1"],
  ["1.2.840.113549.2.9", "SHA-256"],
  ["1.2.840.113549.2.10", "SHA-384"],
  ["1.2.840.113549.2.11", "SHA-512"],
]);

/** A CBC cipher a key may be encrypted with: its key and block sizes, and how to undo it. */
interface CbcCipher {
  readonly keyLength: number;
  /** The block size, which is also the IV's. */
  readonly blockSize: number;
  /** The plaintext without its padding; undefined when the padding is wrong. */
  decrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Promise<Uint8Array | undefined>;
}

const aesCbc = (keyLength: number): CbcCipher => ({ keyLength, blockSize: 16, decrypt: aesCbcDecrypt });
const desCbc = (keyLength: number): CbcCipher => ({ keyLength, blockSize: 8, decrypt: desCbcUnpadded });

// The ciphers, by object identifier (PKCS#8) and by OpenSSL's name (DEK-Info).
const CIPHERS_BY_OID: ReadonlyMap<string, CbcCipher> = new Map([
  ["2.16.840.1.101.3.4.1.2", aesCbc(16)],
  ["2.16.840.1.101.3.4.1.22", aesCbc(24)],
  ["2.16.840.1.101.3.4.1.42", aesCbc(32)],
  ["1.2.840.113549.3.7", desCbc(24)],
  ["1.3.14.3.2.7", desCbc(8)],
]);
const CIPHERS_BY_NAME: ReadonlyMap<string, CbcCipher> = new Map([
  ["AES-128-CBC", aesCbc(16)],
  ["AES-192-CBC", aesCbc(24)],
  ["AES-256-CBC", aesCbc(32)],
  ["DES-EDE3-CBC", desCbc(24)],
  ["DES-EDE-CBC", desCbc(16)],
  ["DES-CBC", desCbc(8)],
]);

// The refused schemes OpenSSL writes, by name, so that the message says what the file holds (any other
// is named by its object identifier).
const REFUSED_SCHEMES: ReadonlyMap<string, string> = new Map([
  ["1.2.840.113549.1.12.1.1", "PKCS#12 PBE (SHA-1, RC4-128)"],
  ["1.2.840.113549.1.12.1.2", "PKCS#12 PBE (SHA-1, RC4-40)"],
  ["1.2.840.113549.1.12.1.5", "PKCS#12 PBE (SHA-1, RC2-128)"],
  ["1.2.840.113549.1.12.1.6", "PKCS#12 PBE (SHA-1, RC2-40)"],
  ["1.2.840.113549.3.2", "RC2-CBC"],
]);

// OpenSSL writes 2048 iterations; a file asking for more than this would hold the connection for seconds
// in a derivation that cannot be cancelled.
const MAX_ITERATIONS = 10_000_000;
// The legacy derivations run on the event loop (about 3 ms per 1000 iterations for a triple DES key and IV).
const MAX_SYNCHRONOUS_ITERATIONS = 100_000;
// scrypt's memory-hard part runs on the event loop too: about 85 ms at OpenSSL's N 16384, r 8, p 1.
const MAX_SCRYPT_MEMORY = 32 * 1024 * 1024;
const MAX_SCRYPT_WORK = 8 * 16384 * 8;

/** A scheme before PBES2: its cipher, and how key and IV come from passphrase, salt and iterations. */
interface LegacyScheme {
  readonly cipher: CbcCipher;
  derive(password: string, salt: Uint8Array, iterations: number): { key: Uint8Array; iv: Uint8Array };
}

// PKCS#12's (RFC 7292 appendix C): key and IV from its SHA-1 derivation, each with its purpose.
const pkcs12TripleDes = (keyLength: number): LegacyScheme => ({
  cipher: desCbc(keyLength),
  derive: (password, salt, iterations) => ({
    key: pkcs12Kdf(password, salt, iterations, 1, keyLength),
    iv: pkcs12Kdf(password, salt, iterations, 2, 8),
  }),
});

// PBES1 (RFC 8018 section 6.1): DES's key and IV are PBKDF1's 16 bytes.
const pbes1Des = (hash: "MD5" | "SHA-1"): LegacyScheme => ({
  cipher: desCbc(8),
  derive(password, salt, iterations) {
    const secret = new TextEncoder().encode(password);
    const derived = pbkdf1(hash, secret, salt, iterations);
    secret.fill(0);
    return { key: derived.slice(0, 8), iv: derived.slice(8, 16) };
  },
});

const LEGACY_SCHEMES: ReadonlyMap<string, LegacyScheme> = new Map([
  ["1.2.840.113549.1.12.1.3", pkcs12TripleDes(24)],
  ["1.2.840.113549.1.12.1.4", pkcs12TripleDes(16)],
  ["1.2.840.113549.1.5.3", pbes1Des("MD5")],
  ["1.2.840.113549.1.5.10", pbes1Des("SHA-1")],
]);

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
    return encodePem("PRIVATE KEY", await decryptPkcs8(base64Of(body, source), password, source));
  }
  const encryption = traditionalEncryption(body, source);
  if (!encryption) return pem;
  return encodePem(label, await decryptTraditional(encryption, password, source));
}

/**
 * PKCS#8 EncryptedPrivateKeyInfo (RFC 5208) with PBES2 (RFC 8018, appendix A.2 and A.4), PBES1 with DES, or
 * PKCS#12's triple DES (RFC 7292 appendix C).
 */
async function decryptPkcs8(der: Uint8Array, password: string, source: string): Promise<Uint8Array> {
  const scheme = readingDer(source, () => pkcs8Scheme(der));
  if ("refused" in scheme) throw refused(source, scheme.refused);
  const { key, iv } = await scheme.derive(password);
  const plain = await decryptCbc(scheme.cipher, key, iv, scheme.data, source);
  if (!plain || !isPrivateKeyInfo(plain)) throw wrongPassphrase(source);
  return plain;
}

/**
 * How a PKCS#8 file is encrypted, read from it: the cipher, the data, and how key and IV come from the
 * passphrase; or the name of a scheme that is refused.
 */
type Pkcs8Scheme = { readonly refused: string } | {
  readonly cipher: CbcCipher;
  readonly data: Uint8Array;
  derive(password: string): Promise<{ key: Uint8Array; iv: Uint8Array }>;
};

function pkcs8Scheme(der: Uint8Array): Pkcs8Scheme {
  const [algorithm, data] = derChildrenOf(der, DER.SEQUENCE);
  const [algorithmId, params] = derChildren(algorithm);
  const oid = derObjectIdentifier(algorithmId);
  if (data?.tag !== DER.OCTET_STRING) throw new RangeError("the encrypted data is not an octet string");
  if (oid === PBES2) return pbes2Scheme(params, data.value);
  const legacy = LEGACY_SCHEMES.get(oid);
  if (legacy === undefined) return { refused: schemeName(oid) };
  // PBES1's and PKCS#12's parameters alike: salt, iterationCount.
  const [salt, count] = derChildren(params);
  if (salt?.tag !== DER.OCTET_STRING) throw new RangeError("the salt is not an octet string");
  const iterations = boundedIterations(derInteger(count), MAX_SYNCHRONOUS_ITERATIONS);
  return {
    cipher: legacy.cipher,
    data: data.value,
    derive: (password) => Promise.resolve(legacy.derive(password, salt.value, iterations)),
  };
}

function pbes2Scheme(params: DerElement | undefined, data: Uint8Array): Pkcs8Scheme {
  const [kdf, encryption] = derChildren(params);
  const [cipherId, iv] = derChildren(encryption);
  const cipherOid = derObjectIdentifier(cipherId);
  const keyDerivation = pbes2KeyDerivation(kdf);
  if ("refused" in keyDerivation) return keyDerivation;
  const cipher = CIPHERS_BY_OID.get(cipherOid);
  if (cipher === undefined) return { refused: schemeName(cipherOid) };
  if (iv?.tag !== DER.OCTET_STRING) throw new RangeError("the IV is not an octet string");
  const { declaredLength, deriveKey } = keyDerivation;
  if (declaredLength !== undefined && declaredLength !== cipher.keyLength) {
    throw new RangeError(`the key derivation's key length ${declaredLength} does not fit the cipher`);
  }
  return {
    cipher,
    data,
    async derive(password) {
      const secret = new TextEncoder().encode(password);
      const key = await deriveKey(secret, cipher.keyLength);
      secret.fill(0);
      return { key, iv: iv.value };
    },
  };
}

/** PBES2's key derivation, read from the file: PBKDF2 or scrypt, and the key length it may declare. */
type KeyDerivation = { readonly refused: string } | {
  readonly declaredLength: number | undefined;
  deriveKey(secret: Uint8Array, length: number): Promise<Uint8Array>;
};

function pbes2KeyDerivation(kdf: DerElement | undefined): KeyDerivation {
  const [kdfId, kdfParams] = derChildren(kdf);
  const kdfOid = derObjectIdentifier(kdfId);
  if (kdfOid === SCRYPT) {
    // salt, costParameter (N), blockSize (r), parallelizationParameter (p), then keyLength, optional (RFC 7914).
    const [salt, cost, blockSize, parallelization, keyLength] = derChildren(kdfParams);
    if (salt?.tag !== DER.OCTET_STRING) throw new RangeError("scrypt's salt is not an octet string");
    const parameters = boundedScrypt(derInteger(cost), derInteger(blockSize), derInteger(parallelization));
    return {
      declaredLength: keyLength ? derInteger(keyLength) : undefined,
      deriveKey: (secret, length) => scrypt(secret, salt.value, parameters, length),
    };
  }
  if (kdfOid !== PBKDF2) return { refused: schemeName(kdfOid) };
  // salt, iterationCount, then keyLength and prf, each optional (prf defaults to HMAC-SHA-1).
  const [salt, count, ...optional] = derChildren(kdfParams);
  const declaredLength = optional[0]?.tag === DER.INTEGER ? derInteger(optional.shift()) : undefined;
  const prf = optional[0] ? derObjectIdentifier(derChildren(optional[0])[0]) : HMAC_SHA1;
  const hash = PBKDF2_HASHES.get(prf);
  if (hash === undefined) return { refused: schemeName(prf) };
  if (salt?.tag !== DER.OCTET_STRING) throw new RangeError("PBKDF2's salt is not an octet string");
  const iterations = boundedIterations(derInteger(count), MAX_ITERATIONS);
  return {
    declaredLength,
    deriveKey: (secret, length) => pbkdf2(hash, secret, salt.value, iterations, length),
  };
}

function boundedIterations(iterations: number, max: number): number {
  if (iterations < 1 || iterations > max) {
    throw new RangeError(`${iterations} iterations of its key derivation, not 1 to ${max}`);
  }
  return iterations;
}

// OpenSSL's own limit on scrypt's memory (32 MiB), and at most eight times the work of its parameters.
function boundedScrypt(cost: number, blockSize: number, parallelization: number): ScryptParameters {
  const parameters = { cost, blockSize, parallelization };
  checkScryptParameters(parameters);
  if (128 * blockSize * cost > MAX_SCRYPT_MEMORY || cost * blockSize * parallelization > MAX_SCRYPT_WORK) {
    throw new RangeError(
      `scrypt's N ${cost}, r ${blockSize}, p ${parallelization} ask for more than 32 MiB, or 8 times the work ` +
        "of OpenSSL's N 16384, r 8, p 1",
    );
  }
  return parameters;
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
  const found = CIPHERS_BY_NAME.get(cipher);
  if (found === undefined) throw refused(source, cipher);
  if (iv.length !== found.blockSize) {
    throw malformed(source, `DEK-Info's IV is ${iv.length} bytes, not ${found.blockSize}`);
  }
  const secret = new TextEncoder().encode(password);
  const key = new Uint8Array(found.keyLength + 16);
  let previous: Uint8Array = new Uint8Array(0);
  for (let filled = 0; filled < found.keyLength; filled += 16) {
    previous = md5(concatBytes(previous, secret, iv.subarray(0, 8)));
    key.set(previous, filled);
  }
  secret.fill(0);
  const plain = await decryptCbc(found, key.subarray(0, found.keyLength), iv, data, source);
  key.fill(0);
  if (!plain || !isTraditionalKey(plain)) throw wrongPassphrase(source);
  return plain;
}

// The key's ciphertext with PKCS#7 padding; undefined when the padding is wrong, which is what a wrong
// password nearly always gives (the caller checks the structure for the rest). The key is zeroed.
async function decryptCbc(
  cipher: CbcCipher,
  key: Uint8Array,
  iv: Uint8Array,
  data: Uint8Array,
  source: string,
): Promise<Uint8Array | undefined> {
  const { blockSize } = cipher;
  if (iv.length !== blockSize) throw malformed(source, `the IV is ${iv.length} bytes, not ${blockSize}`);
  if (data.length === 0 || data.length % blockSize !== 0) {
    throw malformed(source, `the encrypted key is not whole ${blockSize}-byte blocks`);
  }
  try {
    return await cipher.decrypt(key, iv, data);
  } finally {
    key.fill(0);
  }
}

async function aesCbcDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array) {
  const cryptoKey = await crypto.subtle.importKey("raw", key as Uint8Array<ArrayBuffer>, "AES-CBC", false, [
    "decrypt",
  ]);
  try {
    const algorithm = { name: "AES-CBC", iv: iv as Uint8Array<ArrayBuffer> };
    return new Uint8Array(await crypto.subtle.decrypt(algorithm, cryptoKey, data as Uint8Array<ArrayBuffer>));
  } catch {
    return undefined;
  }
}

// des.ts leaves the padding (RFC 8018's, PKCS#7's for 8-byte blocks) to check here.
function desCbcUnpadded(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Promise<Uint8Array | undefined> {
  const padded = desCbcDecrypt(key, iv, data);
  const pad = padded[padded.length - 1];
  const valid = pad >= 1 && pad <= 8 && padded.subarray(padded.length - pad).every((byte) => byte === pad);
  if (valid) return Promise.resolve(padded.subarray(0, padded.length - pad));
  padded.fill(0);
  return Promise.resolve(undefined);
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
      "no passphrase, and mongo-auth decrypts PBES2 with PBKDF2 or scrypt and AES or (triple) DES, PBES1 with " +
      `DES, PKCS#12's triple DES, and OpenSSL's traditional AES and DES keys): ${REENCRYPT_ADVICE}`,
  );
}

/** What to do with a key whose encryption a runtime cannot undo. */
export const REENCRYPT_ADVICE =
  "encrypt it again with AES (openssl pkcs8 -topk8 -v2 aes-256-cbc -in key.pem -out key-aes.pem), or run " +
  "this program on Node.js";
