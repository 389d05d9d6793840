// DER encoding for tests that need structures no tool wrote: malformed or unusual encrypted keys, and
// certificates and revocation lists signed by keys made in the test (tests/crypto/).

/** One element: tag, then the length (the short form, or the long form's fewest bytes), then the parts' bytes. */
export function tlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const length = parts.reduce((sum, part) => sum + part.length, 0);
  const lengthBytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) lengthBytes.unshift(rest & 0xff);
  const header = length < 0x80 ? [tag, length] : [tag, 0x80 | lengthBytes.length, ...lengthBytes];
  const out = new Uint8Array(header.length + length);
  out.set(header);
  let offset = header.length;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** A SEQUENCE of the parts. */
export const seq = (...parts: Uint8Array[]): Uint8Array => tlv(0x30, ...parts);

/** An OCTET STRING of `length` bytes of 7, or of the bytes given. */
export const octets = (content: number | Uint8Array): Uint8Array =>
  tlv(0x04, typeof content === "number" ? new Uint8Array(content).fill(7) : content);

/** An INTEGER of these content bytes, as given (no sign handling). */
export const int = (...bytes: number[]): Uint8Array => tlv(0x02, new Uint8Array(bytes));

/** A BOOLEAN. */
export const bool = (value: boolean): Uint8Array => tlv(0x01, new Uint8Array([value ? 0xff : 0]));

/** A BIT STRING with no unused bits. */
export const bits = (content: Uint8Array): Uint8Array => tlv(0x03, new Uint8Array([0, ...content]));

/** A context-specific, constructed [n] around the parts (EXPLICIT tagging). */
export const explicit = (n: number, ...parts: Uint8Array[]): Uint8Array => tlv(0xa0 | n, ...parts);

/** UTCTime (YYMMDDHHMMSSZ) of a date between 1950 and 2049. */
export const utcTime = (date: Date): Uint8Array =>
  tlv(0x17, new TextEncoder().encode(date.toISOString().replace(/[-:T]|\.\d+/g, "").slice(2)));

/** GeneralizedTime (YYYYMMDDHHMMSSZ). */
export const generalizedTime = (date: Date): Uint8Array =>
  tlv(0x18, new TextEncoder().encode(date.toISOString().replace(/[-:T]|\.\d+/g, "")));

/** An OBJECT IDENTIFIER from its dotted form. */
export function oid(dotted: string): Uint8Array {
  const [a, b, ...rest] = dotted.split(".").map(Number);
  const body = [40 * a + b];
  for (const arc of rest) {
    const digits = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) digits.unshift((v & 0x7f) | 0x80);
    body.push(...digits);
  }
  return tlv(0x06, new Uint8Array(body));
}

/** A Name of one RDN, CN=`commonName` (UTF8String). */
export const name = (commonName: string): Uint8Array =>
  seq(tlv(0x31, seq(oid("2.5.4.3"), tlv(0x0c, new TextEncoder().encode(commonName)))));

/** An ECDSA signature as WebCrypto makes it (r and s side by side) in X.509's SEQUENCE { r INTEGER, s INTEGER }. */
export function ecdsaDer(raw: Uint8Array): Uint8Array {
  const integer = (half: Uint8Array) => {
    let start = 0;
    while (start < half.length - 1 && half[start] === 0) start++;
    const bytes = [...half.subarray(start)];
    return int(...(bytes[0] & 0x80 ? [0, ...bytes] : bytes));
  };
  return seq(integer(raw.subarray(0, raw.length / 2)), integer(raw.subarray(raw.length / 2)));
}

/**
 * An X.509 Extension: its object identifier, critical when asked, and its value in an OCTET STRING (an INTEGER 1
 * unless given, for an extension whose content a test does not read).
 */
export const extension = (id: string, critical: boolean, value: Uint8Array = int(1)): Uint8Array =>
  seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));

/** ecdsa-with-SHA256's AlgorithmIdentifier. */
export const ECDSA_SHA256: Uint8Array = seq(oid("1.2.840.10045.4.3.2"));

/** `tbs` signed with an ECDSA key and SHA-256, as a certificate or revocation list: SEQUENCE { tbs, alg, sig }. */
export async function signedWithEcdsa(tbs: Uint8Array, key: CryptoKey): Promise<Uint8Array> {
  const raw = new Uint8Array(
    await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key, tbs as Uint8Array<ArrayBuffer>),
  );
  return seq(tbs, ECDSA_SHA256, bits(ecdsaDer(raw)));
}
