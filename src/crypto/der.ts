/**
 * Just enough of DER (ITU-T X.690) to read an encrypted private key's parameters, a certificate's names and
 * key, and a certificate revocation list: elements, their children, object identifiers and small integers. Anything malformed is a `RangeError` here; the caller
 * knows what the bytes were and says so.
 *
 * @module
 */

/** The universal tags this reader is asked about. */
export const DER = {
  INTEGER: 0x02,
  OCTET_STRING: 0x04,
  OBJECT_IDENTIFIER: 0x06,
  SEQUENCE: 0x30,
} as const;

/** One DER element: its tag byte, its contents, and its whole encoding. */
export interface DerElement {
  /** The identifier octet (class, constructed bit and tag number; only low tag numbers are read). */
  readonly tag: number;
  /** The contents octets (a view into the input). */
  readonly value: Uint8Array;
  /** The whole element, tag and length included (a view into the input): what a signature covers. */
  readonly encoded: Uint8Array;
}

/**
 * The elements that fill `bytes` end to end, in order.
 *
 * @param bytes concatenated DER elements (a constructed element's contents, or a whole document)
 * @returns each element
 * @throws {RangeError} when an element's length runs past the end, or uses a form DER forbids
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DER, derElements } from "./der.ts";
 *
 * const [sequence] = derElements(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x07]));
 * assert.equal(sequence.tag, DER.SEQUENCE);
 * assert.deepEqual(derElements(sequence.value)[0].value, new Uint8Array([7]));
 * assert.deepEqual(sequence.encoded, new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x07]));
 * ```
 */
export function derElements(bytes: Uint8Array): DerElement[] {
  const elements: DerElement[] = [];
  for (let offset = 0; offset < bytes.length;) {
    const { tag, start, end } = derHeader(bytes, offset);
    elements.push({ tag, value: bytes.subarray(start, end), encoded: bytes.subarray(offset, end) });
    offset = end;
  }
  return elements;
}

/** Where an element's contents lie, by offsets into the bytes read. */
export interface DerHeader {
  /** The identifier octet. */
  readonly tag: number;
  /** The offset of the first contents octet. */
  readonly start: number;
  /** The offset just past the element. */
  readonly end: number;
}

/**
 * The tag and the bounds of the element at `offset`, read in place: for long runs of elements (a revocation
 * list's entries) where building each one would cost more than the check.
 *
 * @param bytes the bytes holding the element
 * @param offset where it starts
 * @returns its tag, and the offsets of its contents and of its end
 * @throws {RangeError} when it runs past the end of `bytes`, or uses a form DER forbids
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { derHeader } from "./der.ts";
 *
 * assert.deepEqual(derHeader(new Uint8Array([0x05, 0x00, 0x02, 0x01, 0x07]), 2), { tag: 0x02, start: 4, end: 5 });
 * ```
 */
export function derHeader(bytes: Uint8Array, offset: number): DerHeader {
  if (offset >= bytes.length) throw new RangeError("DER: an element is missing");
  const tag = bytes[offset];
  if ((tag & 0x1f) === 0x1f) throw new RangeError("DER: high tag numbers are not read");
  const { length, start } = lengthAt(bytes, offset + 1);
  if (start + length > bytes.length) throw new RangeError("DER: an element runs past the end");
  return { tag, start, end: start + length };
}

/**
 * The children of one element that must have `tag` and fill `bytes` alone.
 *
 * @param bytes one DER element, nothing before or after it
 * @param tag the tag it must have (`DER.SEQUENCE`, say)
 * @returns the elements of its contents
 * @throws {RangeError} when `bytes` is not exactly one well-formed element with that tag
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DER, derChildrenOf } from "./der.ts";
 *
 * assert.equal(derChildrenOf(new Uint8Array([0x30, 0x00]), DER.SEQUENCE).length, 0);
 * assert.throws(() => derChildrenOf(new Uint8Array([0x30, 0x00, 0x00]), DER.SEQUENCE), RangeError);
 * ```
 */
export function derChildrenOf(bytes: Uint8Array, tag: number): DerElement[] {
  const elements = derElements(bytes);
  if (elements.length !== 1 || elements[0].tag !== tag) {
    throw new RangeError(`DER: expected one element of tag 0x${tag.toString(16)}`);
  }
  return derElements(elements[0].value);
}

/**
 * The children of an element of a constructed type (a SEQUENCE, unless told), which sits among others.
 *
 * @param element the element (undefined when a structure ended early)
 * @param tag the tag it must have
 * @returns the elements of its contents
 * @throws {RangeError} when the element is missing, of another tag, or its contents malformed
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { derChildren, derElements } from "./der.ts";
 *
 * const [outer] = derElements(new Uint8Array([0x30, 0x02, 0x05, 0x00]));
 * assert.equal(derChildren(outer).length, 1);
 * assert.throws(() => derChildren(undefined), RangeError);
 * ```
 */
export function derChildren(element: DerElement | undefined, tag: number = DER.SEQUENCE): DerElement[] {
  if (element?.tag !== tag) throw new RangeError(`DER: expected an element of tag 0x${tag.toString(16)}`);
  return derElements(element.value);
}

/**
 * An OBJECT IDENTIFIER's dotted form.
 *
 * @param element an element of tag `DER.OBJECT_IDENTIFIER`
 * @returns the arcs joined by dots, `1.2.840.113549.1.5.13` say
 * @throws {RangeError} when the element is not an object identifier, or its last arc is cut short
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DER, derElements, derObjectIdentifier } from "./der.ts";
 *
 * const pbes2 = new Uint8Array([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0d]);
 * const [oid] = derElements(new Uint8Array([DER.OBJECT_IDENTIFIER, pbes2.length, ...pbes2]));
 * assert.equal(derObjectIdentifier(oid), "1.2.840.113549.1.5.13");
 * ```
 */
export function derObjectIdentifier(element: DerElement | undefined): string {
  if (element?.tag !== DER.OBJECT_IDENTIFIER || element.value.length === 0) {
    throw new RangeError("DER: expected an object identifier");
  }
  const arcs: number[] = [];
  let arc = 0;
  for (const byte of element.value) {
    if (arc > (Number.MAX_SAFE_INTEGER - 127) / 128) {
      throw new RangeError("DER: an object identifier arc is too large");
    }
    arc = arc * 128 + (byte & 0x7f);
    if (byte & 0x80) continue;
    if (arcs.length === 0) arcs.push(arc < 80 ? Math.floor(arc / 40) : 2, arc < 80 ? arc % 40 : arc - 80);
    else arcs.push(arc);
    arc = 0;
  }
  if (element.value[element.value.length - 1] & 0x80) {
    throw new RangeError("DER: an object identifier is cut short");
  }
  return arcs.join(".");
}

/**
 * An INTEGER's contents without the leading zero bytes DER may put before them, so that one number has one
 * spelling (serial numbers compared by value, ECDSA's r and s laid side by side).
 *
 * @param value an INTEGER's contents octets
 * @returns a view of them from the first non-zero byte (the last byte when all are zero)
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { derMagnitude } from "./der.ts";
 *
 * assert.deepEqual(derMagnitude(new Uint8Array([0x00, 0x80, 0x01])), new Uint8Array([0x80, 0x01]));
 * assert.deepEqual(derMagnitude(new Uint8Array([0x00])), new Uint8Array([0x00]));
 * ```
 */
export function derMagnitude(value: Uint8Array): Uint8Array {
  let start = 0;
  while (start < value.length - 1 && value[start] === 0) start++;
  return value.subarray(start);
}

/**
 * A non-negative INTEGER small enough to be a safe JavaScript number.
 *
 * @param element an element of tag `DER.INTEGER`
 * @returns its value
 * @throws {RangeError} when it is not an integer, is negative, or is above `Number.MAX_SAFE_INTEGER`
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DER, derElements, derInteger } from "./der.ts";
 *
 * const [count] = derElements(new Uint8Array([DER.INTEGER, 2, 0x08, 0x00]));
 * assert.equal(derInteger(count), 2048);
 * ```
 */
export function derInteger(element: DerElement | undefined): number {
  if (element?.tag !== DER.INTEGER || element.value.length === 0) {
    throw new RangeError("DER: expected an integer");
  }
  if (element.value[0] & 0x80) throw new RangeError("DER: a negative integer");
  let value = 0;
  for (const byte of element.value) {
    value = value * 256 + byte;
    if (value > Number.MAX_SAFE_INTEGER) throw new RangeError("DER: an integer is too large");
  }
  return value;
}

// The length octets at `offset`: the short form (one byte below 0x80), or the long form (0x81 to 0x84, then
// that many bytes). The indefinite form (0x80) is BER's, not DER's.
function lengthAt(bytes: Uint8Array, offset: number): { length: number; start: number } {
  if (offset >= bytes.length) throw new RangeError("DER: an element has no length");
  const first = bytes[offset];
  if (first < 0x80) return { length: first, start: offset + 1 };
  const count = first & 0x7f;
  if (count === 0 || count > 4) throw new RangeError("DER: an indefinite or oversized length");
  if (offset + 1 + count > bytes.length) throw new RangeError("DER: a length runs past the end");
  let length = 0;
  for (let i = 1; i <= count; i++) length = length * 256 + bytes[offset + i];
  return { length, start: offset + 1 + count };
}
