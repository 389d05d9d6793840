// DNS answers built byte by byte, for the tests of the DNS message parser and the DNS-over-HTTPS resolver.
import { encodeDnsQuery } from "../../src/dns/message.ts";

/** A response to `encodeDnsQuery(name, type)`: its question, the flags given, then `answers` as raw bytes. */
export function response(name: string, type: "SRV" | "TXT", answers: number[][], flags = 0x8180): Uint8Array {
  const query = encodeDnsQuery(name, type);
  const body = answers.flat();
  const out = new Uint8Array(query.length + body.length);
  out.set(query);
  out.set(body, query.length);
  new DataView(out.buffer).setUint16(2, flags);
  new DataView(out.buffer).setUint16(6, answers.length);
  return out;
}

/** One resource record: owner (raw name bytes), type, class (IN unless given), TTL 60, then RDATA. */
export function rr(owner: number[], type: number, rdata: number[], klass = 1): number[] {
  return [...owner, 0, type, 0, klass, 0, 0, 0, 60, rdata.length >> 8, rdata.length & 0xff, ...rdata];
}

/** A pointer to offset 12: the question's name. */
export const TO_QUESTION = [0xc0, 12];

/** One label: its length, then its bytes. */
export const label = (text: string): number[] => [text.length, ...new TextEncoder().encode(text)];

/** SRV RDATA: priority 1, weight 5, the port, then the target's raw name bytes. */
export const srvData = (port: number, target: number[]): number[] => [
  0,
  1,
  0,
  5,
  port >> 8,
  port & 0xff,
  ...target,
];
