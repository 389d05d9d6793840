/**
 * H(): a one-shot hash of the SCRAM hash functions, synchronous (`sha1.ts`, `sha256.ts`).
 *
 * @module
 */
import type { BlockHash } from "./block-hash.ts";
import { hashFrom } from "./block-hash.ts";
import { SHA1 } from "./sha1.ts";
import { SHA256 } from "./sha256.ts";

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

/**
 * Whether `value` is a {@link ScramHash}: the one test of a hash name a caller gave (`ScramClient`,
 * `HmacState`), each of which words its own refusal.
 *
 * @param value what the caller gave
 * @returns true for "SHA-1" or "SHA-256"
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isScramHash } from "./digest.ts";
 *
 * assert.equal(isScramHash("SHA-256"), true);
 * assert.equal(isScramHash("sha256"), false);
 * ```
 */
export function isScramHash(value: unknown): value is ScramHash {
  return value === "SHA-1" || value === "SHA-256";
}

/** Output length in bytes of each {@link ScramHash}. */
export const HASH_LENGTH: Readonly<Record<ScramHash, number>> = { "SHA-1": 20, "SHA-256": 32 };

/**
 * The block hash of a {@link ScramHash}.
 *
 * @param hash the hash function
 * @returns its initial state and compression function
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { blockHash } from "./digest.ts";
 *
 * assert.equal(blockHash("SHA-1").outputLength, 20);
 * ```
 */
export function blockHash(hash: ScramHash): BlockHash {
  return hash === "SHA-1" ? SHA1 : SHA256;
}

/**
 * Hashes `data` with `hash`, synchronously.
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
 * const h = digest("SHA-256", new TextEncoder().encode("abc"));
 * assert.equal(h.length, 32);
 * ```
 */
export function digest(hash: ScramHash, data: Uint8Array): Uint8Array {
  const block = blockHash(hash);
  return hashFrom(block, block.initial, data);
}
