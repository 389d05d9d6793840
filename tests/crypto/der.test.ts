import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  DER,
  derChildrenOf,
  type DerElement,
  derElements,
  derInteger,
  derObjectIdentifier,
} from "../../src/crypto/der.ts";

const bytes = (...values: number[]) => new Uint8Array(values);
const element = (tag: number, value: Uint8Array) =>
  derElements(new Uint8Array([tag, value.length, ...value]))[0];
const oid = (...values: number[]) => element(DER.OBJECT_IDENTIFIER, bytes(...values));
const integer = (...values: number[]) => element(DER.INTEGER, bytes(...values));
/** Tag and contents of each element (the whole encoding is checked on its own). */
const contents = (elements: DerElement[]) => elements.map(({ tag, value }) => ({ tag, value }));

describe("derElements", () => {
  it("reads consecutive elements, each with its tag and contents", () => {
    assert.deepEqual(contents(derElements(bytes(0x02, 0x01, 0x05, 0x04, 0x02, 0xaa, 0xbb, 0x05, 0x00))), [
      { tag: DER.INTEGER, value: bytes(5) },
      { tag: DER.OCTET_STRING, value: bytes(0xaa, 0xbb) },
      { tag: 0x05, value: bytes() },
    ]);
    assert.deepEqual(derElements(bytes()), []);
  });

  it("gives each element's whole encoding, tag and length included, as a signature covers it", () => {
    const [first, second] = derElements(bytes(0x02, 0x01, 0x05, 0x30, 0x81, 0x02, 0x05, 0x00));
    assert.deepEqual(first.encoded, bytes(0x02, 0x01, 0x05));
    assert.deepEqual(second.encoded, bytes(0x30, 0x81, 0x02, 0x05, 0x00));
    assert.deepEqual(second.value, bytes(0x05, 0x00));
  });

  it("reads the long length forms (0x81 to 0x84 and that many bytes)", () => {
    const long = new Uint8Array(4 + 300);
    long.set([0x04, 0x82, 0x01, 0x2c]);
    const [element] = derElements(long);
    assert.equal(element.value.length, 300);
    assert.equal(derElements(bytes(0x04, 0x81, 0x01, 0x07))[0].value[0], 7);
  });

  it("refuses what runs past the end, the indefinite form, lengths over four bytes and high tag numbers", () => {
    for (
      const malformed of [
        bytes(0x04, 0x03, 0x01), // contents cut short
        bytes(0x04), // no length
        bytes(0x04, 0x82, 0x01), // length cut short
        bytes(0x30, 0x80, 0x00, 0x00), // BER's indefinite length
        bytes(0x04, 0x85, 0, 0, 0, 0, 1, 0), // five length bytes
        bytes(0x1f, 0x81, 0x00, 0x00), // a high tag number
      ]
    ) {
      assert.throws(() => derElements(malformed), RangeError, String(malformed));
    }
  });
});

describe("derChildrenOf", () => {
  it("reads the children of exactly one element of the tag asked for", () => {
    assert.deepEqual(contents(derChildrenOf(bytes(0x30, 0x03, 0x02, 0x01, 0x07), DER.SEQUENCE)), [
      { tag: DER.INTEGER, value: bytes(7) },
    ]);
  });

  it("refuses another tag, or anything before or after the element", () => {
    assert.throws(() => derChildrenOf(bytes(0x04, 0x00), DER.SEQUENCE), RangeError);
    assert.throws(() => derChildrenOf(bytes(0x30, 0x00, 0x30, 0x00), DER.SEQUENCE), RangeError);
    assert.throws(() => derChildrenOf(bytes(), DER.SEQUENCE), RangeError);
  });
});

describe("derObjectIdentifier", () => {
  it("writes the dotted form, the first byte holding two arcs and later arcs in base 128", () => {
    assert.equal(
      derObjectIdentifier(oid(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x07)),
      "1.2.840.113549.2.7",
    );
    assert.equal(
      derObjectIdentifier(oid(0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2a)),
      "2.16.840.1.101.3.4.1.42",
    );
    assert.equal(
      derObjectIdentifier(oid(0x2b, 0x06, 0x01, 0x04, 0x01, 0xda, 0x47, 0x04, 0x0b)),
      "1.3.6.1.4.1.11591.4.11",
    );
    // Under the joint arc 2, the second arc may pass 39 (X.690 8.19.4).
    assert.equal(derObjectIdentifier(oid(0x81, 0x34, 0x03)), "2.100.3");
  });

  it("refuses another tag, an empty value, a last arc cut short and an arc beyond a safe integer", () => {
    assert.throws(() => derObjectIdentifier(integer(1)), RangeError);
    assert.throws(() => derObjectIdentifier(oid()), RangeError);
    assert.throws(() => derObjectIdentifier(undefined), RangeError);
    assert.throws(() => derObjectIdentifier(oid(0x2a, 0x86)), RangeError);
    assert.throws(() => derObjectIdentifier(oid(0x2a, ...new Array(9).fill(0xff), 0x7f)), RangeError);
  });
});

describe("derInteger", () => {
  it("reads a non-negative big-endian integer", () => {
    assert.equal(derInteger(integer(0)), 0);
    assert.equal(derInteger(integer(0x08, 0x00)), 2048);
    assert.equal(derInteger(integer(0x00, 0x98, 0x96, 0x80)), 10_000_000);
  });

  it("refuses another tag, an empty value, a negative number and one beyond a safe integer", () => {
    assert.throws(() => derInteger(oid(1)), RangeError);
    assert.throws(() => derInteger(integer()), RangeError);
    assert.throws(() => derInteger(integer(0xff)), RangeError);
    assert.throws(() => derInteger(integer(0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)), RangeError);
    assert.throws(() => derInteger(undefined), RangeError);
  });
});
