/**
 * Lower-case hexadecimal text of bytes.
 *
 * @module
 */

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
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  return hex;
}
