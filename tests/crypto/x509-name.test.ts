import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { canonicalName } from "../../src/crypto/x509-name.ts";
import { sha1 } from "../../src/crypto/sha1.ts";
import { toHex } from "../../src/crypto/hex.ts";
import { repoRoot } from "../../testing/paths.ts";

// Names with the hash OpenSSL 3 printed for each (`openssl x509 -subject_hash`, made by
// scripts/make-x509-name-vectors.ts; null where OpenSSL could not read the name): OpenSSL's X509_NAME_hash_ex is
// the SHA-1 of the canonical form, its first four bytes read little-endian, so an equal hash is an equal form.
const { vectors } = JSON.parse(
  readFileSync(join(repoRoot(), "tests", "crypto", "data", "x509-names.json"), "utf8"),
) as { vectors: Array<{ about: string; name: string; opensslSubjectHash: string | null }> };

const fromHex = (hex: string) => Uint8Array.from(hex.match(/../g) ?? [], (byte) => parseInt(byte, 16));
const opensslHash = (canonical: Uint8Array) => toHex(sha1(canonical).subarray(0, 4).reverse());
const named = (about: string) => fromHex(vectors.find((vector) => vector.about === about)!.name);
const same = (a: string, b: string) => assert.deepEqual(canonicalName(named(a)), canonicalName(named(b)));
const differ = (a: string, b: string) =>
  assert.notDeepEqual(canonicalName(named(a)), canonicalName(named(b)));

describe("canonicalName", () => {
  it("gives every name the canonical form OpenSSL hashes (its -subject_hash), and refuses what OpenSSL refuses", () => {
    assert.ok(vectors.length >= 30);
    for (const { about, name, opensslSubjectHash } of vectors) {
      if (opensslSubjectHash === null) {
        assert.throws(() => canonicalName(fromHex(name)), RangeError, about);
      } else {
        assert.equal(opensslHash(canonicalName(fromHex(name))), opensslSubjectHash, about);
      }
    }
  });

  it("makes a directory string's type, its ASCII case and its white space not count", () => {
    for (
      const other of [
        "the same CN as a PrintableString, other case, white space at the ends and inside",
        "the same CN as a BMPString",
        "the same CN as a UniversalString",
        "the same CN as an IA5String with a tab, CR and LF inside",
      ]
    ) same("CN as a UTF8String", other);
    same("a T61String, read as Latin-1 (0xE9 is é)", "the same text as a UTF8String");
    same("a long value (a length of two octets)", "the same, in lower case");
    same("a UTF8String with a character outside the BMP", "the same as a UniversalString");
  });

  it("keeps what OpenSSL keeps: non-ASCII case, a no-break space, a NumericString's type, the order of RDNs", () => {
    differ("the same text as a UTF8String", "non-ASCII letters keep their case");
    differ("CN as a UTF8String", "a no-break space is not white space");
    differ("a NumericString keeps its type", "the same digits as a PrintableString");
    differ("O then CN", "CN then O (another name)");
  });

  it("orders the attributes of one RDN as DER orders a SET; an empty RDN adds nothing", () => {
    same("one RDN of O and CN", "one RDN of CN and O, written out of DER order");
    differ("one RDN of O and CN", "O then CN");
    same("the empty name", "an empty relative distinguished name");
    assert.equal(canonicalName(named("the empty name")).length, 0);
  });

  it("refuses bytes that are not a Name", () => {
    for (
      const bytes of [
        [],
        [0x31, 0x00], // a SET, not a SEQUENCE
        [0x30, 0x00, 0x30, 0x00], // two names
        [0x30, 0x02, 0x30, 0x00], // an RDN that is no SET
        [0x30, 0x04, 0x31, 0x02, 0x31, 0x00], // an attribute that is no SEQUENCE
        [0x30, 0x06, 0x31, 0x04, 0x30, 0x02, 0x0c, 0x00], // no type
        [0x30, 0x05, 0x31, 0x03, 0x30, 0x01], // cut short
        [0x30, 0x0b, 0x31, 0x09, 0x30, 0x07, 0x06, 0x03, 0x55, 0x04, 0x03, 0x2c, 0x00], // a constructed UTF8String
        [0x30, 0x0b, 0x31, 0x09, 0x30, 0x07, 0x06, 0x03, 0x55, 0x04, 0x03, 0x80, 0x00], // a context-specific tag
      ]
    ) assert.throws(() => canonicalName(Uint8Array.from(bytes)), RangeError, JSON.stringify(bytes));
  });
});
