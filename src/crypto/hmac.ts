/**
 * HMAC() over WebCrypto. A key is imported once and reused for every message it signs, because
 * `importKey` is a round trip into the runtime's crypto backend.
 *
 * @module
 */
import type { ScramHash } from "./digest.ts";

/**
 * A WebCrypto HMAC key: what `crypto.subtle` returns as a `CryptoKey`, typed by the fields this package
 * reads, so the published types compile without a DOM library (a Node project with only `@types/node`
 * has no global `CryptoKey`). Every `CryptoKey` is one.
 *
 * @example A WebCrypto HMAC key
 * ```ts
 * import assert from "node:assert/strict";
 * import type { HmacKey } from "@mongo-auth/core";
 *
 * const key: HmacKey = await crypto.subtle.importKey("raw", new Uint8Array(32), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
 * assert.equal(key.type, "secret");
 * ```
 */
export interface HmacKey {
  /** `"secret"` for HMAC keys. */
  readonly type: string;
  /** Whether the key's bytes can be exported (never, for keys made here). */
  readonly extractable: boolean;
  /** The algorithm, e.g. `{ name: "HMAC", hash: { name: "SHA-256" } }`. */
  readonly algorithm: { readonly name: string };
  /** What the key may be used for (`["sign"]`). */
  readonly usages: readonly string[];
}

/**
 * Imports raw key bytes as a non-extractable HMAC signing key.
 *
 * @param hash the hash function of the HMAC
 * @param key the raw key bytes
 * @returns a key usable with {@link hmac}
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
export function importHmacKey(hash: ScramHash, key: Uint8Array): Promise<HmacKey> {
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
export async function hmac(key: HmacKey, data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign("HMAC", key as CryptoKey, data as Uint8Array<ArrayBuffer>));
}
