/**
 * Lower-case hexadecimal text of bytes.
 *
 * @module
 */

// "00" to "ff", looked up per byte: SCRAM-SHA-1 hex-encodes its password digest, the key cache a password
// hash on every lookup.
const BYTE_HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

/**
 * Lower-case hexadecimal of bytes, as MongoDB's `hex(MD5(…))` password digest needs.
 *
 * @param bytes the bytes
 * @returns two lower-case hex digits per byte
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toHex } from "./hex.ts";
 *
 * assert.equal(toHex(new Uint8Array([0, 171, 255])), "00abff");
 * ```
 */
export function toHex(bytes: Uint8Array): string {
  let hex = "";
  for (let i = 0; i < bytes.length; i++) hex += BYTE_HEX[bytes[i]];
  return hex;
}
