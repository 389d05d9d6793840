/**
 * HMAC() over WebCrypto. A key is imported once and reused for every message it signs, because
 * `importKey` is a round trip into the runtime's crypto backend.
 *
 * @module
 */
import type { ScramHash } from "./digest.ts";

/**
 * Imports raw key bytes as a non-extractable HMAC signing key.
 *
 * @param hash the hash function of the HMAC
 * @param key the raw key bytes
 * @returns a `CryptoKey` usable with {@link hmac}
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { importHmacKey } from "./hmac.ts";
 *
 * const key = await importHmacKey("SHA-256", new Uint8Array(32));
 * assert.equal(key.type, "secret");
 * ```
 */
export function importHmacKey(hash: ScramHash, key: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey(
    "raw",
    key as Uint8Array<ArrayBuffer>,
    { name: "HMAC", hash },
    false,
    ["sign"],
  );
}

/**
 * Computes HMAC(key, data).
 *
 * @param key an HMAC key from {@link importHmacKey}
 * @param data the message
 * @returns the MAC (as long as the key's hash output)
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hmac, importHmacKey } from "./hmac.ts";
 *
 * const key = await importHmacKey("SHA-1", new TextEncoder().encode("Jefe"));
 * const mac = await hmac(key, new TextEncoder().encode("what do ya want for nothing?"));
 * assert.equal(mac.length, 20);
 * ```
 */
export async function hmac(key: CryptoKey, data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, data as Uint8Array<ArrayBuffer>));
}
