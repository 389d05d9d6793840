/**
 * H(): a one-shot hash over WebCrypto.
 *
 * @module
 */

/**
 * The hash functions SCRAM uses (RFC 5802 SCRAM-SHA-1, RFC 7677 SCRAM-SHA-256).
 *
 * @example The hash of a SCRAM mechanism
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ScramHash, scramPassword } from "@mongo-auth/core";
 *
 * const hash: ScramHash = "SHA-1"; // SCRAM-SHA-1; "SHA-256" for SCRAM-SHA-256
 * assert.equal(scramPassword(hash, "user", "pencil").length, 32);
 * ```
 */
export type ScramHash = "SHA-1" | "SHA-256";

/** Output length in bytes of each {@link ScramHash}. */
export const HASH_LENGTH: Readonly<Record<ScramHash, number>> = { "SHA-1": 20, "SHA-256": 32 };

/**
 * Hashes `data` with `hash` via `crypto.subtle.digest`.
 *
 * @param hash the hash function
 * @param data the bytes to hash
 * @returns the digest (20 bytes for SHA-1, 32 for SHA-256)
 *
 * @example SHA-256 of "abc"
 * ```ts
 * import assert from "node:assert/strict";
 * import { digest } from "./digest.ts";
 *
 * const h = await digest("SHA-256", new TextEncoder().encode("abc"));
 * assert.equal(h.length, 32);
 * ```
 */
export async function digest(hash: ScramHash, data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest(hash, data as Uint8Array<ArrayBuffer>));
}
