// Makes tests/crypto/data/x509-names.json: names (DER, hex) with the hash OpenSSL computes of each one's
// canonical form (`openssl x509 -subject_hash`: SHA-1 of the canonical encoding, its first four bytes as a
// little-endian number), the oracle for src/crypto/x509-name.ts. Each name is put in the subject of an
// otherwise fixed certificate (its signature is not checked: -subject_hash only reads the name).
// Run: deno run -A scripts/make-x509-name-vectors.ts (needs the openssl command).
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { tlv as derElement } from "../tests/support/der-builder.ts";

type Value = [tag: number, bytes: number[]];
type Attribute = [oid: number[], value: Value];

const CN = [0x55, 0x04, 0x03];
const O = [0x55, 0x04, 0x0a];
const UTF8 = 0x0c, PRINTABLE = 0x13, T61 = 0x14, IA5 = 0x16, VISIBLE = 0x1a, BMP = 0x1e, UNIVERSAL = 0x1c;
const NUMERIC = 0x12, OCTETS = 0x04;

const bytes = (text: string): number[] => [...new TextEncoder().encode(text)];
const latin1 = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));
const ucs = (text: string, width: 2 | 4): number[] =>
  [...text].flatMap((c) => {
    const code = c.codePointAt(0)!;
    return width === 2
      ? [code >> 8, code & 0xff]
      : [code >>> 24, (code >> 16) & 0xff, (code >> 8) & 0xff, code & 0xff];
  });

// tests/support/der-builder.ts's element, on the plain byte lists this script builds with.
const tlv = (tag: number, contents: number[]): number[] => [...derElement(tag, Uint8Array.from(contents))];
const name = (rdns: Attribute[][]): number[] =>
  tlv(
    0x30,
    rdns.flatMap((rdn) =>
      tlv(0x31, rdn.flatMap(([oid, [tag, value]]) => tlv(0x30, [...tlv(0x06, oid), ...tlv(tag, value)])))
    ),
  );

const vectors: Array<{ about: string; rdns: Attribute[][] }> = [
  { about: "CN as a UTF8String", rdns: [[[CN, [UTF8, bytes("CRL Names CA")]]]] },
  {
    about: "the same CN as a PrintableString, other case, white space at the ends and inside",
    rdns: [[[CN, [PRINTABLE, bytes("  CRL   NAMES ca ")]]]],
  },
  { about: "the same CN as a BMPString", rdns: [[[CN, [BMP, ucs("CRL Names CA", 2)]]]] },
  { about: "the same CN as a UniversalString", rdns: [[[CN, [UNIVERSAL, ucs("CRL Names CA", 4)]]]] },
  {
    about: "the same CN as an IA5String with a tab, CR and LF inside",
    rdns: [[[CN, [IA5, bytes("crl\tnames\r\nca")]]]],
  },
  { about: "the same CN as a VisibleString", rdns: [[[CN, [VISIBLE, bytes("Crl Names Ca")]]]] },
  { about: "a T61String, read as Latin-1 (0xE9 is é)", rdns: [[[CN, [T61, latin1("Caf\u00e9")]]]] },
  { about: "the same text as a UTF8String", rdns: [[[CN, [UTF8, bytes("caf\u00e9")]]]] },
  { about: "non-ASCII letters keep their case", rdns: [[[CN, [UTF8, bytes("CAF\u00c9")]]]] },
  { about: "a BMPString of the same", rdns: [[[CN, [BMP, ucs("CAF\u00c9", 2)]]]] },
  { about: "a no-break space is not white space", rdns: [[[CN, [UTF8, bytes("CRL\u00a0Names CA")]]]] },
  { about: "a NumericString keeps its type", rdns: [[[CN, [NUMERIC, bytes("12345")]]]] },
  { about: "the same digits as a PrintableString", rdns: [[[CN, [PRINTABLE, bytes("12345")]]]] },
  { about: "a value that is no string keeps its type and bytes", rdns: [[[CN, [OCTETS, [1, 2, 3]]]]] },
  {
    about: "O then CN",
    rdns: [[[O, [UTF8, bytes("mongo-auth tests")]]], [[CN, [UTF8, bytes("CRL Names CA")]]]],
  },
  {
    about: "CN then O (another name)",
    rdns: [[[CN, [UTF8, bytes("CRL Names CA")]]], [[O, [UTF8, bytes("mongo-auth tests")]]]],
  },
  {
    about: "one RDN of O and CN",
    rdns: [[[O, [PRINTABLE, bytes("Mongo-Auth Tests")]], [CN, [UTF8, bytes("crl names ca")]]]],
  },
  {
    about: "one RDN of CN and O, written out of DER order",
    rdns: [[[CN, [UTF8, bytes("CRL NAMES CA")]], [O, [UTF8, bytes("mongo-auth  tests")]]]],
  },
  { about: "a long value (a length of two octets)", rdns: [[[CN, [PRINTABLE, bytes("A".repeat(300))]]]] },
  { about: "the same, in lower case", rdns: [[[CN, [UTF8, bytes("a".repeat(300))]]]] },
  { about: "only white space", rdns: [[[CN, [UTF8, bytes(" \t ")]]]] },
  { about: "the empty name", rdns: [] },
  { about: "a BIT STRING value keeps its type and bytes", rdns: [[[CN, [0x03, [0, 0x41]]]]] },
  { about: "an INTEGER value", rdns: [[[CN, [0x02, [5]]]]] },
  { about: "a BMPString of odd length", rdns: [[[CN, [BMP, [0, 0x41, 0]]]]] },
  { about: "a UniversalString cut short", rdns: [[[CN, [UNIVERSAL, [0, 0, 0x41]]]]] },
  { about: "a UniversalString past U+10FFFF", rdns: [[[CN, [UNIVERSAL, [0, 0x11, 0, 0]]]]] },
  { about: "a BMPString holding a lone surrogate", rdns: [[[CN, [BMP, [0xd8, 0x00]]]]] },
  { about: "a UTF8String with a byte UTF-8 never has", rdns: [[[CN, [UTF8, [0x41, 0xff]]]]] },
  { about: "a UTF8String with an overlong form", rdns: [[[CN, [UTF8, [0xc1, 0x81]]]]] },
  { about: "a UTF8String encoding a surrogate", rdns: [[[CN, [UTF8, [0xed, 0xa0, 0x80]]]]] },
  { about: "a UTF8String with a character outside the BMP", rdns: [[[CN, [UTF8, bytes("\u{1f600} x")]]]] },
  { about: "the same as a UniversalString", rdns: [[[CN, [UNIVERSAL, ucs("\u{1f600}  X", 4)]]]] },
  { about: "an empty relative distinguished name", rdns: [[]] },
];

const template = (subject: number[]): Uint8Array => {
  const algorithm = tlv(0x30, tlv(0x06, [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02])); // ecdsa-with-SHA256
  const issuer = name([[[CN, [UTF8, bytes("issuer")]]]]);
  const validity = tlv(0x30, [...tlv(0x17, bytes("260101000000Z")), ...tlv(0x17, bytes("360101000000Z"))]);
  // A real P-256 public key (OpenSSL reads the key while it reads the certificate).
  const spki = [...Uint8Array.from(SPKI.match(/../g)!.map((h) => parseInt(h, 16)))];
  const tbs = tlv(0x30, [
    ...tlv(0xa0, tlv(0x02, [2])),
    ...tlv(0x02, [1]),
    ...algorithm,
    ...issuer,
    ...validity,
    ...subject,
    ...spki,
  ]);
  return Uint8Array.from(
    tlv(0x30, [
      ...tbs,
      ...algorithm,
      ...tlv(0x03, [0, ...tlv(0x30, [...tlv(0x02, [1]), ...tlv(0x02, [1])])]),
    ]),
  );
};

const SPKI =
  "3059301306072a8648ce3d020106082a8648ce3d03010703420004ad50bcb89d29ceae165e77c0db00d5b06bea97c2" +
  "5c958a8e87944fe7bcae7febd4859caf9737a0fe2fe823268adb22eee7e015c11580526b5051972b294ae542";
const hex = (b: number[]) => b.map((x) => x.toString(16).padStart(2, "0")).join("");
const version = execFileSync("openssl", ["version"]).toString().trim();
const out = vectors.map(({ about, rdns }) => {
  const der = name(rdns);
  // null: OpenSSL cannot read the certificate with this name (nor could it compare it).
  let hash: string | null = null;
  try {
    hash = execFileSync("openssl", ["x509", "-inform", "DER", "-noout", "-subject_hash"], {
      input: template(der),
      stdio: ["pipe", "pipe", "ignore"],
    }).toString().trim();
  } catch { /* refused */ }
  return { about, name: hex(der), opensslSubjectHash: hash };
});
writeFileSync(
  new URL("../tests/crypto/data/x509-names.json", import.meta.url),
  JSON.stringify({ madeWith: `${version}, by scripts/make-x509-name-vectors.ts`, vectors: out }, null, 2) +
    "\n",
);
console.log(out.map((v) => `${v.opensslSubjectHash}  ${v.about}`).join("\n"));
