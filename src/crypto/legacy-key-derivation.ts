/**
 * The password-based key derivations of the schemes OpenSSL wrote before PBES2 became its default, for
 * decrypting old encrypted private keys: PKCS#12's (RFC 7292 appendix B.2, with SHA-1: `pkcs8 -topk8` in
 * OpenSSL 1.0 wrote triple DES with it) and PBKDF1 (RFC 8018 section 5.1, with MD5 or SHA-1, for PBES1's
 * DES). WebCrypto has neither; both are iterated hashes run here, synchronously (a few milliseconds at
 * OpenSSL's 2048 iterations), so the caller bounds the iteration count.
 *
 * @module
 */
import { concatBytes } from "./bytes.ts";
import { md5 } from "./md5.ts";
import { sha1 } from "./sha1.ts";

/** What PKCS#12's derivation makes: the key (1), the IV (2), or a MAC key (3). */
export type Pkcs12Purpose = 1 | 2 | 3;

// SHA-1's block (v) and output (u) sizes in bytes, as RFC 7292 names them.
const V = 64;
const U = 20;

/**
 * PKCS#12's key derivation with SHA-1 (RFC 7292 appendix B.2). The password is taken as a BMPString (UTF-16,
 * big-endian, two zero bytes after it), as OpenSSL takes a UTF-8 passphrase.
 *
 * @param password the passphrase
 * @param salt the salt of the scheme's parameters
 * @param iterations the iteration count of the scheme's parameters (at least 1)
 * @param purpose 1 for the key, 2 for the IV
 * @param length how many bytes to make
 * @returns the derived bytes
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pkcs12Kdf } from "./legacy-key-derivation.ts";
 * import { toHex } from "./hex.ts";
 *
 * // OpenSSL's `pkcs12 -v1 PBE-SHA1-3DES` key and IV for the passphrase "smeg", salt 0A58CF64530D823F, 1 iteration.
 * const salt = Uint8Array.of(0x0a, 0x58, 0xcf, 0x64, 0x53, 0x0d, 0x82, 0x3f);
 * assert.equal(toHex(pkcs12Kdf("smeg", salt, 1, 1, 24)), "8aaae6297b6cb04642ab5b077851284eb7128f1a2a7fbca3");
 * assert.equal(toHex(pkcs12Kdf("smeg", salt, 1, 2, 8)), "79993dfe048d3b76");
 * ```
 */
export function pkcs12Kdf(
  password: string,
  salt: Uint8Array,
  iterations: number,
  purpose: Pkcs12Purpose,
  length: number,
): Uint8Array {
  const bmp = new Uint8Array(password.length * 2 + 2);
  for (let i = 0; i < password.length; i++) {
    bmp[2 * i] = password.charCodeAt(i) >> 8;
    bmp[2 * i + 1] = password.charCodeAt(i) & 0xff;
  }
  const input = new Uint8Array(V + repeatedLength(salt) + repeatedLength(bmp)); // D || S || P
  input.fill(purpose, 0, V);
  repeatInto(input, V, salt);
  repeatInto(input, V + repeatedLength(salt), bmp);
  bmp.fill(0);
  const out = new Uint8Array(length);
  for (let filled = 0;;) {
    let block = sha1(input);
    for (let i = 1; i < iterations; i++) block = sha1(block);
    out.set(block.subarray(0, Math.min(U, length - filled)), filled);
    filled += U;
    if (filled >= length) break;
    // Each 64-byte block of S || P becomes (block + B + 1) mod 2^512, B being the hash repeated.
    for (let offset = V; offset < input.length; offset += V) addBlock(input, offset, block);
  }
  input.fill(0);
  return out;
}

/**
 * PBKDF1 (RFC 8018 section 5.1): the hash of password and salt, hashed again `iterations - 1` times.
 *
 * @param hash MD5 or SHA-1, as PBES1 pairs them with DES
 * @param password the passphrase's bytes (UTF-8, as OpenSSL takes it)
 * @param salt the 8-byte salt of PBES1's parameters
 * @param iterations the iteration count (at least 1)
 * @returns the derived key, the hash's length: PBES1 takes DES's key from its first 8 bytes, the IV from
 *   the next 8
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pbkdf1 } from "./legacy-key-derivation.ts";
 * import { md5 } from "./md5.ts";
 *
 * const salt = new Uint8Array(8);
 * assert.deepEqual(pbkdf1("MD5", new TextEncoder().encode("pw"), salt, 2), md5(md5(Uint8Array.of(0x70, 0x77, ...salt))));
 * ```
 */
export function pbkdf1(
  hash: "MD5" | "SHA-1",
  password: Uint8Array,
  salt: Uint8Array,
  iterations: number,
): Uint8Array {
  const digest = hash === "MD5" ? md5 : sha1;
  const first = concatBytes(password, salt);
  let derived = digest(first);
  first.fill(0);
  for (let i = 1; i < iterations; i++) derived = digest(derived);
  return derived;
}

// The length of `bytes` repeated to whole 64-byte blocks (none for none).
function repeatedLength(bytes: Uint8Array): number {
  return V * Math.ceil(bytes.length / V);
}

function repeatInto(target: Uint8Array, offset: number, bytes: Uint8Array): void {
  for (let i = 0; i < repeatedLength(bytes); i++) target[offset + i] = bytes[i % bytes.length];
}

// target[offset … offset + 64] += B + 1, big-endian, where B is `hash` repeated to 64 bytes.
function addBlock(target: Uint8Array, offset: number, hash: Uint8Array): void {
  let carry = 1;
  for (let i = V - 1; i >= 0; i--) {
    const sum = target[offset + i] + hash[i % U] + carry;
    target[offset + i] = sum & 0xff;
    carry = sum >> 8;
  }
}
