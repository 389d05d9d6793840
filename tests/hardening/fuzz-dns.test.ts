// Fuzz: DNS-over-HTTPS answers a hostile or broken resolver might send for mongodb+srv:// — SRV and TXT
// responses mutated byte by byte (header flags and counts, name compression pointers that loop or point
// past the end, record lengths that lie) into findDnsAnswers, decodeSrv and decodeTxt. See fuzz.ts for the
// rules and the long-mode command.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { decodeSrv, decodeTxt, type DnsRecordType, findDnsAnswers } from "../../src/dns/message.ts";
import { label, response, rr, srvData, TO_QUESTION } from "../support/dns-messages.ts";
import { failureMessage, fuzzCases, mutateBytes, runFuzz } from "./fuzz.ts";

const SRV_NAME = "_mongodb._tcp.c.example.com";
const TXT_NAME = "c.example.com";
const SEEDS: [string, DnsRecordType, Uint8Array][] = [
  [
    SRV_NAME,
    "SRV",
    response(SRV_NAME, "SRV", [
      rr(TO_QUESTION, 33, srvData(27017, [...label("h1"), ...label("example"), ...label("com"), 0])),
      rr(TO_QUESTION, 33, srvData(27018, [...label("h2"), 0xc0, 12])), // the target compressed
    ]),
  ],
  [
    TXT_NAME,
    "TXT",
    response(TXT_NAME, "TXT", [
      rr(TO_QUESTION, 16, [...label("authSource=admin"), ...label("replicaSet=rs")]),
      rr(TO_QUESTION, 5, [...label("cname"), 0]), // a CNAME among the answers
    ]),
  ],
];

describe("fuzz: DNS answers", () => {
  it("SRV and TXT responses mutated byte by byte: records, or a coded error", async () => {
    const report = await runFuzz("DNS answers", fuzzCases(5000), (rng) => {
      const [name, type, message] = rng.pick(SEEDS);
      const mutated = mutateBytes(rng, message);
      for (const answer of findDnsAnswers(mutated, name, type)) {
        if (type === "SRV") decodeSrv(mutated, answer);
        else decodeTxt(mutated, answer);
      }
    });
    assert.equal(report.failures.length, 0, failureMessage(report));
  });
});
