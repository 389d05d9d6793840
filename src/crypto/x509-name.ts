/**
 * X.509 names compared as OpenSSL compares them (`X509_NAME_cmp`): by a canonical form in which a directory
 * string's type, its case (ASCII) and its runs of white space do not count. A CA may write its name as a
 * PrintableString in its certificate and as a UTF8String in its revocation list, or change the case between
 * the two; OpenSSL, BoringSSL and with this module Deno's revocation check take them for one name.
 *
 * @module
 */
import { concatBytes } from "./bytes.ts";
import { derElements } from "./der.ts";

const SEQUENCE = 0x30;
const SET = 0x31;
const OBJECT_IDENTIFIER = 0x06;
const UTF8_STRING = 0x0c;

// The string types OpenSSL canonicalizes (ASN1_MASK_CANON, less VisibleString, which it cannot read in a name),
// and how many bytes each holds per character. NumericString and the rest keep their type and bytes.
const CANONICAL_TYPES = new Map<number, 0 | 1 | 2 | 4>([
  [UTF8_STRING, 0], // UTF-8
  [0x13, 1], // PrintableString
  [0x14, 1], // T61String, read as Latin-1 as OpenSSL reads it
  [0x16, 1], // IA5String
  [0x1e, 2], // BMPString, UCS-2 big-endian
  [0x1c, 4], // UniversalString, UCS-4 big-endian
]);

// The universal tag numbers OpenSSL reads as an attribute's value (B_ASN1_PRINTABLE: the strings above,
// NumericString, BIT STRING, SEQUENCE, and the types it files as unknown). Any other value (an INTEGER, a
// VisibleString, a tag of another class) makes the whole certificate or list unreadable to it.
const READABLE_TAG_NUMBERS = new Set([3, 7, 8, 9, 11, 12, 13, 14, 15, 16, 18, 19, 20, 22, 28, 29, 30]);

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const ENCODER = new TextEncoder();

/**
 * A Name's canonical form, as OpenSSL builds it to compare names: each directory string as a UTF8String, with
 * white space at either end dropped, each inner run of it (space, tab, CR, LF, VT, FF) one space, ASCII
 * letters in lower case; the relative distinguished names' encodings concatenated without the outer SEQUENCE,
 * the attributes of each in DER order. Two names are the same name when their forms are equal byte for byte.
 *
 * @param name a Name, DER (a certificate's issuer or subject, a revocation list's issuer)
 * @returns its canonical form (empty for the empty name; an empty relative distinguished name adds nothing)
 * @throws {RangeError} when the name is not DER of a Name, a value is of a type OpenSSL does not read in a name,
 *   or a string is not valid in its type (OpenSSL cannot read such a name either)
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { canonicalName } from "./x509-name.ts";
 *
 * // CN=CA as a PrintableString ("CA") and as a UTF8String (" ca ").
 * const printable = new Uint8Array([0x30, 0x0d, 0x31, 0x0b, 0x30, 0x09, 0x06, 0x03, 0x55, 0x04, 0x03, 0x13, 0x02, 0x43, 0x41]);
 * const utf8 = new Uint8Array([0x30, 0x0f, 0x31, 0x0d, 0x30, 0x0b, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x04, 0x20, 0x63, 0x61, 0x20]);
 * assert.deepEqual(canonicalName(printable), canonicalName(utf8));
 * ```
 */
export function canonicalName(name: Uint8Array): Uint8Array {
  const [outer, ...rest] = derElements(name);
  if (outer?.tag !== SEQUENCE || rest.length > 0) throw new RangeError("a Name must be one SEQUENCE");
  const parts: Uint8Array[] = [];
  for (const rdn of derElements(outer.value)) {
    if (rdn.tag !== SET) throw new RangeError("a relative distinguished name must be a SET");
    const attributes = derElements(rdn.value).map(canonicalAttribute).sort(compareBytes);
    if (attributes.length > 0) parts.push(encode(SET, concatBytes(...attributes)));
  }
  return concatBytes(...parts);
}

// AttributeTypeAndValue ::= SEQUENCE { type OBJECT IDENTIFIER, value ANY }
function canonicalAttribute(attribute: { tag: number; value: Uint8Array }): Uint8Array {
  if (attribute.tag !== SEQUENCE) throw new RangeError("an attribute must be a SEQUENCE");
  const [type, value, ...rest] = derElements(attribute.value);
  if (type?.tag !== OBJECT_IDENTIFIER || !value || rest.length > 0) {
    throw new RangeError("an attribute must be a type and a value");
  }
  const constructed = (value.tag & 0x20) !== 0 && value.tag !== 0x30; // DER has no constructed strings
  if ((value.tag & 0xc0) !== 0 || constructed || !READABLE_TAG_NUMBERS.has(value.tag & 0x1f)) {
    throw new RangeError(
      `a name holds a value of tag 0x${value.tag.toString(16)}, which OpenSSL does not read`,
    );
  }
  const width = CANONICAL_TYPES.get(value.tag);
  const canonicalValue = width === undefined
    ? value.encoded
    : encode(UTF8_STRING, canonicalText(value.value, width));
  return encode(SEQUENCE, concatBytes(type.encoded, canonicalValue));
}

// OpenSSL's asn1_string_canon: to UTF-8, trimmed, inner white space one space, ASCII lower-cased.
function canonicalText(bytes: Uint8Array, width: 0 | 1 | 2 | 4): Uint8Array {
  const utf8 = toUtf8(bytes, width);
  let start = 0, end = utf8.length;
  while (start < end && isSpace(utf8[start])) start++;
  while (end > start && isSpace(utf8[end - 1])) end--;
  const out: number[] = [];
  for (let i = start; i < end;) {
    const byte = utf8[i];
    if (isSpace(byte)) {
      out.push(0x20);
      while (isSpace(utf8[i])) i++;
      continue;
    }
    out.push(byte >= 0x41 && byte <= 0x5a ? byte + 0x20 : byte);
    i++;
  }
  return Uint8Array.from(out);
}

function isSpace(byte: number | undefined): boolean {
  return byte === 0x20 || (byte !== undefined && byte >= 0x09 && byte <= 0x0d);
}

function toUtf8(bytes: Uint8Array, width: 0 | 1 | 2 | 4): Uint8Array {
  if (width === 0) {
    try {
      UTF8.decode(bytes);
    } catch {
      throw new RangeError("a UTF8String of a name is not valid UTF-8");
    }
    return bytes;
  }
  if (bytes.length % width !== 0) {
    throw new RangeError("a BMPString or UniversalString of a name is cut short");
  }
  let text = "";
  for (let i = 0; i < bytes.length; i += width) {
    let codePoint = 0;
    for (let j = 0; j < width; j++) codePoint = codePoint * 256 + bytes[i + j];
    // Surrogates are refused: TextEncoder would write U+FFFD for one, where OpenSSL refuses the name.
    if (codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) {
      throw new RangeError("a BMPString or UniversalString of a name holds a value that is no character");
    }
    text += String.fromCodePoint(codePoint);
  }
  return ENCODER.encode(text);
}

// DER's order for a SET OF: the encodings compared as octet strings.
function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length && i < b.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

function encode(tag: number, contents: Uint8Array): Uint8Array {
  const length = contents.length;
  const header = [tag];
  if (length < 0x80) header.push(length);
  else {
    const octets: number[] = [];
    for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) octets.unshift(rest & 0xff);
    header.push(0x80 | octets.length, ...octets);
  }
  return concatBytes(Uint8Array.from(header), contents);
}
