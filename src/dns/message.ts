/**
 * DNS messages (RFC 1035 section 4) for the SRV and TXT lookups of `mongodb+srv://`: the query we
 * send, and the answer checked before use — every length against the message, name compression
 * followed only backwards, the echoed question compared with ours, CNAME chains followed.
 *
 * @module
 */
import { MongoAuthError } from "../core/errors.ts";
import type { SrvRecord } from "./resolver.ts";

const HEADER_BYTES = 12;
const MAX_NAME_BYTES = 255;
const MAX_LABEL_BYTES = 63;
const MAX_POINTERS = 32;
const MAX_CNAME_HOPS = 8;
const CLASS_IN = 1;
const TYPE_CNAME = 5;
const TYPES: Readonly<Record<DnsRecordType, number>> = { SRV: 33, TXT: 16 };
const RCODE_NXDOMAIN = 3;
const RCODE_NAMES: Record<number, string> = {
  1: "FORMERR",
  2: "SERVFAIL",
  4: "NOTIMP",
  5: "REFUSED",
};
const LABEL = /^[A-Za-z0-9_-]{1,63}$/;

/** A record type this module looks up. */
export type DnsRecordType = "SRV" | "TXT";

/**
 * The DNS wire-format query (RFC 1035 section 4) for one question, with ID 0 and recursion desired,
 * as RFC 8484 recommends for GET.
 *
 * @param name a DNS name of letters, digits, `-` and `_` labels; one trailing dot is allowed
 * @param type `SRV` or `TXT`
 * @returns the query message
 * @throws {MongoAuthError} `DNS_ERROR` when `name` is not such a name (the name is not quoted)
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeDnsQuery } from "./message.ts";
 *
 * const query = encodeDnsQuery("a.io", "TXT");
 * assert.deepEqual([...query.subarray(12)], [1, 97, 2, 105, 111, 0, 0, 16, 0, 1]);
 * ```
 */
export function encodeDnsQuery(name: string, type: DnsRecordType): Uint8Array {
  const labels = name.replace(/\.$/, "").split(".");
  const nameBytes = labels.reduce((sum, label) => sum + label.length + 1, 1);
  if (!labels.every((label) => LABEL.test(label)) || nameBytes > MAX_NAME_BYTES) {
    throw new MongoAuthError(
      "DNS_ERROR",
      "cannot look up the host of a mongodb+srv:// string that is not a DNS name " +
        "(labels of letters, digits, - and _, at most 255 bytes in all)",
    );
  }
  const query = new Uint8Array(HEADER_BYTES + nameBytes + 4);
  const view = new DataView(query.buffer);
  view.setUint16(2, 0x0100); // RD: the resolver should recurse for us
  view.setUint16(4, 1); // QDCOUNT
  let at = HEADER_BYTES;
  for (const label of labels) {
    query[at++] = label.length;
    for (let i = 0; i < label.length; i++) query[at++] = label.charCodeAt(i);
  }
  query[at++] = 0;
  view.setUint16(at, TYPES[type]);
  view.setUint16(at + 2, CLASS_IN);
  return query;
}

/**
 * Where the answer records of the wanted type start in a DNS response, after checking the header
 * and the echoed question. CNAME chains inside the answer are followed.
 *
 * @param message the response message
 * @param name the name asked for
 * @param type the type asked for
 * @returns the offsets of the records' RDATA with their lengths; empty for NXDOMAIN
 * @throws {MongoAuthError} `DNS_ERROR` for a malformed, truncated or mismatched response, or an error rcode
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeDnsQuery, findDnsAnswers } from "./message.ts";
 *
 * const response = encodeDnsQuery("a.io", "TXT");
 * response[2] = 0x81; // QR: this is a response, with no answers
 * assert.deepEqual(findDnsAnswers(response, "a.io", "TXT"), []);
 * ```
 */
export function findDnsAnswers(
  message: Uint8Array,
  name: string,
  type: DnsRecordType,
): { start: number; end: number }[] {
  if (message.length < HEADER_BYTES) throw malformed("shorter than a DNS header");
  const view = new DataView(message.buffer, message.byteOffset, message.byteLength);
  const flags = view.getUint16(2);
  if (view.getUint16(0) !== 0 || !(flags & 0x8000) || ((flags >> 11) & 0xf) !== 0) {
    throw malformed("not a response to this query (ID, QR or opcode)");
  }
  if (flags & 0x0200) throw malformed("truncated (TC set)");
  const rcode = flags & 0xf;
  if (rcode === RCODE_NXDOMAIN) return [];
  if (rcode !== 0) {
    throw new MongoAuthError(
      "DNS_ERROR",
      `the DNS-over-HTTPS resolver answered ${RCODE_NAMES[rcode] ?? `rcode ${rcode}`}`,
    );
  }
  if (view.getUint16(4) !== 1) throw malformed("the response does not echo exactly one question");
  const question = readDnsName(message, HEADER_BYTES);
  if (question.end + 4 > message.length) throw malformed("the question runs past the end");
  const wanted = name.replace(/\.$/, "").toLowerCase();
  if (
    question.name.toLowerCase() !== wanted || view.getUint16(question.end) !== TYPES[type] ||
    view.getUint16(question.end + 2) !== CLASS_IN
  ) throw malformed("the echoed question is not the one asked");
  const records = readRecords(message, view, question.end + 4, view.getUint16(6));
  const owners = followCnames(message, records, wanted);
  return records
    .filter((r) => r.type === TYPES[type] && r.class === CLASS_IN && owners.has(r.owner))
    .map(({ start, end }) => ({ start, end }));
}

interface RawRecord {
  readonly owner: string;
  readonly type: number;
  readonly class: number;
  readonly start: number;
  readonly end: number;
}

function readRecords(message: Uint8Array, view: DataView, offset: number, count: number): RawRecord[] {
  const records: RawRecord[] = [];
  let at = offset;
  for (let i = 0; i < count; i++) {
    const owner = readDnsName(message, at);
    if (owner.end + 10 > message.length) throw malformed("a record header runs past the end");
    const length = view.getUint16(owner.end + 8);
    const start = owner.end + 10;
    if (start + length > message.length) throw malformed("a record's data runs past the end");
    records.push({
      owner: owner.name.toLowerCase(),
      type: view.getUint16(owner.end),
      class: view.getUint16(owner.end + 2),
      start,
      end: start + length,
    });
    at = start + length;
  }
  return records;
}

// The names that stand for `name` in this answer: itself and the targets of a CNAME chain from it.
function followCnames(message: Uint8Array, records: RawRecord[], name: string): Set<string> {
  const owners = new Set([name]);
  let current = name;
  for (let hop = 0; hop < MAX_CNAME_HOPS; hop++) {
    const alias = records.find((r) => r.type === TYPE_CNAME && r.class === CLASS_IN && r.owner === current);
    if (!alias) break;
    const target = readDnsName(message, alias.start);
    if (target.end !== alias.end) throw malformed("a CNAME record has trailing bytes");
    current = target.name.toLowerCase();
    if (owners.has(current)) break;
    owners.add(current);
  }
  return owners;
}

/**
 * Reads a possibly compressed domain name (RFC 1035 section 4.1.4).
 *
 * @param message the whole message (pointers are offsets into it)
 * @param offset where the name starts
 * @returns the name without a trailing dot (`""` for the root) and the offset right after it
 * @throws {MongoAuthError} `DNS_ERROR` for a name past the end, longer than 255 bytes, with a
 *   reserved label type, a label that is not a printable host label, or a pointer that does not point backwards
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readDnsName } from "./message.ts";
 *
 * // "b.a" at 0, then "c" + a pointer to offset 2 ("a") at 5.
 * const message = new Uint8Array([1, 98, 1, 97, 0, 1, 99, 0xc0, 2]);
 * assert.deepEqual(readDnsName(message, 5), { name: "c.a", end: 9 });
 * ```
 */
export function readDnsName(message: Uint8Array, offset: number): { name: string; end: number } {
  const labels: string[] = [];
  let at = offset;
  let end = -1;
  let bytes = 1;
  let pointers = 0;
  for (;;) {
    if (at >= message.length) throw malformed("a name runs past the end");
    const length = message[at];
    if (length === 0) break;
    if ((length & 0xc0) === 0xc0) {
      if (at + 1 >= message.length) throw malformed("a name runs past the end");
      const target = ((length & 0x3f) << 8) | message[at + 1];
      if (end < 0) end = at + 2;
      // Only backwards: with the pointer count bounded, no loop can keep the parser busy.
      if (target >= at || ++pointers > MAX_POINTERS) throw malformed("a name has a bad compression pointer");
      at = target;
      continue;
    }
    if (length > MAX_LABEL_BYTES) throw malformed("a name has a reserved label type");
    if (at + 1 + length > message.length) throw malformed("a name runs past the end");
    bytes += length + 1;
    if (bytes > MAX_NAME_BYTES) throw malformed("a name is longer than 255 bytes");
    labels.push(hostLabel(message.subarray(at + 1, at + 1 + length)));
    at += 1 + length;
  }
  return { name: labels.join("."), end: end < 0 ? at + 1 : end };
}

// A label must be printable ASCII without a dot, so that the joined name means what it says.
function hostLabel(bytes: Uint8Array): string {
  let label = "";
  for (const byte of bytes) {
    if (byte <= 0x20 || byte >= 0x7f || byte === 0x2e) throw malformed("a name has a non-printable label");
    label += String.fromCharCode(byte);
  }
  return label;
}

export function decodeSrv(message: Uint8Array, { start, end }: { start: number; end: number }): SrvRecord {
  if (end - start < 7) throw malformed("an SRV record is too short");
  const view = new DataView(message.buffer, message.byteOffset, message.byteLength);
  const target = readDnsName(message, start + 6);
  if (target.end !== end) throw malformed("an SRV record's length does not match its target");
  return { name: target.name, port: view.getUint16(start + 4) };
}

const utf8 = new TextDecoder();

export function decodeTxt(message: Uint8Array, { start, end }: { start: number; end: number }): string[] {
  const strings: string[] = [];
  let at = start;
  while (at < end) {
    const length = message[at];
    if (at + 1 + length > end) throw malformed("a TXT string runs past its record");
    strings.push(utf8.decode(message.subarray(at + 1, at + 1 + length)));
    at += 1 + length;
  }
  if (strings.length === 0) throw malformed("a TXT record is empty");
  return strings;
}

function malformed(why: string): MongoAuthError {
  return new MongoAuthError("DNS_ERROR", `malformed DNS-over-HTTPS answer: ${why}`);
}
