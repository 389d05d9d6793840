/**
 * Hi() of RFC 5802, which is PBKDF2 with HMAC and an output as long as the hash, over WebCrypto; and the
 * PBKDF2 of an encrypted private key (PKCS#5 PBES2), whose HMAC may be SHA-384 or SHA-512.
 *
 * @module
 */
import { HASH_LENGTH, type ScramHash } from "./digest.ts";

/** The hashes WebCrypto's PBKDF2 takes. */
export type Pbkdf2Hash = ScramHash | "SHA-384" | "SHA-512";

const LENGTH: Readonly<Record<Pbkdf2Hash, number>> = { ...HASH_LENGTH, "SHA-384": 48, "SHA-512": 64 };

/**
 * Derives `length` bytes with PBKDF2-HMAC-`hash`.
 *
 * @param hash the hash function of the HMAC
 * @param password the password bytes
 * @param salt the salt bytes
 * @param iterations the iteration count (at least 1)
 * @param length output length in bytes; defaults to the hash length, which is what SCRAM's Hi() needs
 * @returns the derived bytes
 * @throws the runtime's `DOMException` when WebCrypto rejects the parameters (e.g. zero iterations)
 *
 * @example RFC 6070, test case 1
 * ```ts
 * import assert from "node:assert/strict";
 * import { pbkdf2 } from "./pbkdf2.ts";
 *
 * const te = new TextEncoder();
 * const out = await pbkdf2("SHA-1", te.encode("password"), te.encode("salt"), 1);
 * assert.equal(out.length, 20);
 * assert.equal(out[0], 0x0c);
 * ```
 */
export async function pbkdf2(
  hash: Pbkdf2Hash,
  password: Uint8Array,
  salt: Uint8Array,
  iterations: number,
  length: number = LENGTH[hash],
): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey(
    "raw",
    password as Uint8Array<ArrayBuffer>,
    "PBKDF2",
    false,
    ["deriveBits"],
  );
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash, salt: salt as Uint8Array<ArrayBuffer>, iterations },
    key,
    length * 8,
  );
  return new Uint8Array(bits);
}
