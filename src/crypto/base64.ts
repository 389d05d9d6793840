/**
 * Standard base64 (RFC 4648 section 4, with padding) for byte arrays, with a strict decoder: SCRAM
 * salts, proofs and signatures come from the network and anything but canonical base64 is refused.
 *
 * @module
 */
import { MongoAuthError, type MongoAuthErrorCode } from "../core/errors.ts";

// Groups of four, then an optional padded tail. Canonical form is checked separately (see below).
// The alphabet, then at most two '=', in a length that is a multiple of 4. Not a repeated group of four: on a
// megabytes-long text (a hostile server's salt) such a pattern overflowed the regex engine's stack.
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

// The last character of a padded group carries 2 ("=") or 4 ("==") unused bits, which must be zero.
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/**
 * Encodes bytes as standard, padded base64.
 *
 * @param bytes the bytes
 * @returns the base64 text
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeBase64 } from "./base64.ts";
 *
 * assert.equal(encodeBase64(new TextEncoder().encode("biws")), "Yml3cw==");
 * ```
 */
export function encodeBase64(bytes: Uint8Array): string {
  // btoa works on a "binary string". fromCharCode.apply makes it in one piece (char by char made a string
  // per byte: 2-3 KB of garbage per SCRAM login, and slower on every runtime); in slices, since a call
  // takes a bounded number of arguments.
  let binary = "";
  for (let i = 0; i < bytes.length; i += APPLY_SLICE) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + APPLY_SLICE) as unknown as number[]);
  }
  return btoa(binary);
}

const APPLY_SLICE = 8192;

/** Options of {@link decodeBase64}: how a failure is reported. */
export interface DecodeBase64Options {
  /** The error code to raise; `PROTOCOL_ERROR` unless given. */
  readonly code?: MongoAuthErrorCode;
  /** What the text is, for the message (e.g. "SCRAM salt"); never the text itself. */
  readonly what?: string;
}

/**
 * Decodes standard, padded, canonical base64. Whitespace, the URL-safe alphabet, missing padding and
 * non-zero padding bits are all refused.
 *
 * @param text the base64 text
 * @param options the error code and a name for the text, used in the error
 * @returns the bytes
 * @throws {MongoAuthError} `options.code` (default `PROTOCOL_ERROR`) when `text` is not canonical base64;
 *   the message names `options.what` and never repeats the text
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeBase64 } from "./base64.ts";
 *
 * assert.deepEqual(decodeBase64("AAE="), new Uint8Array([0, 1]));
 * assert.throws(() => decodeBase64("AAE"), { code: "PROTOCOL_ERROR" });
 * ```
 */
export function decodeBase64(text: string, options: DecodeBase64Options = {}): Uint8Array {
  const invalid = () =>
    new MongoAuthError(options.code ?? "PROTOCOL_ERROR", `${options.what ?? "value"} is not valid base64`);
  if (text.length % 4 !== 0 || !BASE64.test(text)) throw invalid();
  // "QR==" decodes like "QQ==": only the canonical spelling (unused bits zero) is accepted, so one value
  // has one text.
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  if (
    padding > 0 && (ALPHABET.indexOf(text[text.length - padding - 1]) & (padding === 2 ? 0x0f : 0x03)) !== 0
  ) {
    throw invalid();
  }
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * The bytes of a PEM block's base64 body: its `-----BEGIN …-----` and `-----END …-----` lines and its line
 * breaks are not base64, and are dropped before the strict decoding above.
 *
 * @param pem a PEM block, or its body alone
 * @param what what it is, for the message (`a PEM block of tlsCRLFile /path`); never the text itself
 * @returns the block's bytes (DER)
 * @throws {MongoAuthError} `TLS_ERROR` when the body is not base64, naming `what`
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodePemBody } from "./base64.ts";
 *
 * const block = "-----BEGIN X509 CRL-----\nMAA=\n-----END X509 CRL-----\n";
 * assert.deepEqual(decodePemBody(block, "a PEM block of tlsCRLFile crl.pem"), new Uint8Array([0x30, 0x00]));
 * assert.throws(() => decodePemBody("MA!=", "the key"), { code: "TLS_ERROR", message: "the key is not valid base64" });
 * ```
 */
export function decodePemBody(pem: string, what: string): Uint8Array {
  const body = pem.replace(/-----(BEGIN|END) [A-Z0-9 ]+-----/g, "").replace(/\s+/g, "");
  return decodeBase64(body, { code: "TLS_ERROR", what });
}

/**
 * A PEM block: `der` in base64, 64 characters a line, between `label`'s BEGIN and END lines.
 *
 * @param label the block's label (`PRIVATE KEY`, `X509 CRL`, …)
 * @param der its bytes
 * @returns the block, ending with a newline
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodePemBody, encodePem } from "./base64.ts";
 *
 * const pem = encodePem("X509 CRL", new Uint8Array([0x30, 0x00]));
 * assert.equal(pem, "-----BEGIN X509 CRL-----\nMAA=\n-----END X509 CRL-----\n");
 * assert.deepEqual(decodePemBody(pem, "the list"), new Uint8Array([0x30, 0x00]));
 * ```
 */
export function encodePem(label: string, der: Uint8Array): string {
  const lines = encodeBase64(der).match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}
