// DNS messages (RFC 1035 section 4): the query we send, and every check of the answer before use.
// Hostile and truncated answers must end in DNS_ERROR, never a TypeError, a RangeError or a hang.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MongoAuthError } from "../../src/core/errors.ts";
import { decodeSrv, decodeTxt, encodeDnsQuery, findDnsAnswers, readDnsName } from "../../src/dns/message.ts";
import { label, response, rr, srvData, TO_QUESTION } from "../support/dns-messages.ts";

const SRV_NAME = "_mongodb._tcp.cluster0.example.test";

// Passes when `run` returns or throws a MongoAuthError with code DNS_ERROR; fails on anything else.
function dnsErrorOrResult(run: () => unknown, what: string): void {
  try {
    run();
  } catch (err) {
    assert.ok(err instanceof MongoAuthError, `${what}: ${String(err)}`);
    assert.equal(err.code, "DNS_ERROR", what);
  }
}

// Every SRV answer in `message`, decoded: what the resolver does with an answer.
function decodeAllSrv(message: Uint8Array, name = SRV_NAME) {
  return findDnsAnswers(message, name, "SRV").map((at) => decodeSrv(message, at));
}

describe("DNS wire format", () => {
  it("encodes a query with ID 0, RD, one question, type and class IN", () => {
    const query = encodeDnsQuery("_mongodb._tcp.a.io.", "SRV");
    assert.deepEqual(
      [...query],
      [
        0,
        0,
        1,
        0,
        0,
        1,
        0,
        0,
        0,
        0,
        0,
        0,
        ...label("_mongodb"),
        ...label("_tcp"),
        ...label("a"),
        ...label("io"),
        0,
      ]
        .concat([0, 33, 0, 1]),
    );
  });

  it("refuses names that are not DNS names, without quoting them", () => {
    for (
      const name of [
        "",
        "a..b",
        "pa ss@word",
        "a".repeat(64) + ".io",
        ("a".repeat(63) + ".").repeat(4) + "io",
      ]
    ) {
      assert.throws(() => encodeDnsQuery(name, "TXT"), (err: unknown) => {
        assert.ok(err instanceof MongoAuthError);
        assert.equal(err.code, "DNS_ERROR");
        if (name.length > 0) assert.ok(!err.message.includes(name));
        return true;
      });
    }
  });

  it("reads compressed names, pointers only backwards", () => {
    const message = new Uint8Array([...label("b"), ...label("a"), 0, ...label("c"), 0xc0, 2]);
    assert.deepEqual(readDnsName(message, 5), { name: "c.a", end: 9 });
    assert.deepEqual(readDnsName(new Uint8Array([0]), 0), { name: "", end: 1 });
    const loop = new Uint8Array([...label("a"), 0xc0, 0]);
    assert.throws(() => readDnsName(loop, 0), /compression pointer/);
    const forward = new Uint8Array([0xc0, 2, 0]);
    assert.throws(() => readDnsName(forward, 0), /compression pointer/);
    assert.throws(() => readDnsName(new Uint8Array([5, 97]), 0), /past the end/);
    assert.throws(() => readDnsName(new Uint8Array([0x40, 0]), 0), /reserved label type/);
    assert.throws(() => readDnsName(new Uint8Array([3, 97, 46, 98, 0]), 0), /non-printable/);
    const long = new Uint8Array([...Array(5).fill(label("a".repeat(60))).flat(), 0]);
    assert.throws(() => readDnsName(long, 0), /longer than 255/);
  });

  it("finds the answers of the question, following a CNAME inside the answer", () => {
    const alias = [...label("real"), ...label("example"), ...label("test"), 0];
    const message = response(SRV_NAME, "SRV", [
      rr(TO_QUESTION, 5, alias),
      rr(
        [...label("real"), ...label("example"), ...label("test"), 0],
        33,
        srvData(27017, [...label("db"), 0]),
      ),
      rr([...label("other"), 0], 33, srvData(1, [...label("x"), 0])),
    ]);
    assert.equal(findDnsAnswers(message, SRV_NAME.toUpperCase(), "SRV").length, 1);
  });

  it("checks the header and the echoed question", () => {
    const ok = response("a.io", "TXT", []);
    const withFlags = (flags: number) => response("a.io", "TXT", [], flags);
    assert.deepEqual(findDnsAnswers(ok, "a.io", "TXT"), []);
    assert.throws(() => findDnsAnswers(ok.subarray(0, 11), "a.io", "TXT"), /shorter than a DNS header/);
    assert.throws(() => findDnsAnswers(withFlags(0x0100), "a.io", "TXT"), /not a response/);
    assert.throws(() => findDnsAnswers(withFlags(0x8380), "a.io", "TXT"), /truncated/);
    assert.throws(() => findDnsAnswers(withFlags(0x8182), "a.io", "TXT"), /SERVFAIL/);
    assert.throws(() => findDnsAnswers(withFlags(0x8185), "a.io", "TXT"), /REFUSED/);
    assert.deepEqual(findDnsAnswers(withFlags(0x8183), "a.io", "TXT"), []);
    const otherId = ok.slice();
    otherId[1] = 7;
    assert.throws(() => findDnsAnswers(otherId, "a.io", "TXT"), /not a response/);
    assert.throws(() => findDnsAnswers(ok, "b.io", "TXT"), /question is not the one asked/);
    assert.throws(() => findDnsAnswers(ok, "a.io", "SRV"), /question is not the one asked/);
  });

  it("refuses records that run past the message or their own length", () => {
    const message = response("a.io", "TXT", [rr(TO_QUESTION, 16, [3, 97, 98, 99])]);
    assert.throws(
      () => findDnsAnswers(message.subarray(0, message.length - 1), "a.io", "TXT"),
      /past the end/,
    );
    const counted = message.slice();
    counted[7] = 2; // ANCOUNT says two records, the message holds one
    assert.throws(() => findDnsAnswers(counted, "a.io", "TXT"), /past the end/);
  });
});

describe("decodeSrv / decodeTxt", () => {
  it("decode an SRV record's port and target, and a TXT record's strings", () => {
    const srv = response(SRV_NAME, "SRV", [rr(TO_QUESTION, 33, srvData(27017, [...label("db1"), 0xc0, 26]))]);
    assert.deepEqual(decodeAllSrv(srv), [{ name: "db1.cluster0.example.test", port: 27017 }]);
    const txt = response("a.io", "TXT", [rr(TO_QUESTION, 16, [...label("authSource=adm"), ...label("in")])]);
    const [at] = findDnsAnswers(txt, "a.io", "TXT");
    assert.deepEqual(decodeTxt(txt, at), ["authSource=adm", "in"]);
  });

  it("refuse an SRV record too short for its fixed fields, or longer than its target", () => {
    const short = response(SRV_NAME, "SRV", [rr(TO_QUESTION, 33, [0, 1, 0, 5, 0x69])]);
    assert.throws(() => decodeAllSrv(short), { code: "DNS_ERROR", message: /SRV record is too short/ });
    const trailing = response(SRV_NAME, "SRV", [rr(TO_QUESTION, 33, [...srvData(1, [0]), 9])]);
    assert.throws(() => decodeAllSrv(trailing), { code: "DNS_ERROR", message: /length does not match/ });
  });

  it("refuse an empty TXT record and a TXT string that runs past its record", () => {
    const empty = response("a.io", "TXT", [rr(TO_QUESTION, 16, [])]);
    assert.throws(() => decodeTxt(empty, findDnsAnswers(empty, "a.io", "TXT")[0]), /TXT record is empty/);
    // The string claims 5 bytes; the record holds 2, and the next record's bytes follow.
    const over = response("a.io", "TXT", [rr(TO_QUESTION, 16, [5, 97, 98]), rr(TO_QUESTION, 16, [1, 99])]);
    const [first] = findDnsAnswers(over, "a.io", "TXT");
    assert.throws(() => decodeTxt(over, first), {
      code: "DNS_ERROR",
      message: /TXT string runs past its record/,
    });
  });
});

describe("hostile DNS answers", () => {
  it("refuses an answer that does not echo exactly one question, or whose question is cut short", () => {
    const none = response("a.io", "TXT", []);
    none[5] = 0; // QDCOUNT 0
    assert.throws(() => findDnsAnswers(none, "a.io", "TXT"), /exactly one question/);
    const ok = response("a.io", "TXT", []);
    assert.throws(() => findDnsAnswers(ok.subarray(0, ok.length - 2), "a.io", "TXT"), /question runs past/);
  });

  it("names an unknown rcode by its number", () => {
    assert.throws(() => findDnsAnswers(response("a.io", "TXT", [], 0x8189), "a.io", "TXT"), {
      code: "DNS_ERROR",
      message: /answered rcode 9/,
    });
  });

  it("leaves out records of another name, type or class", () => {
    const message = response("a.io", "TXT", [
      rr(TO_QUESTION, 16, label("in")),
      rr(TO_QUESTION, 16, label("chaos"), 3),
      rr(TO_QUESTION, 33, srvData(1, [0])),
      rr([...label("b"), ...label("io"), 0], 16, label("other")),
    ]);
    const answers = findDnsAnswers(message, "a.io", "TXT");
    assert.deepEqual(answers.map((at) => decodeTxt(message, at)), [["in"]]);
  });

  it("follows a chain of at most 32 compression pointers, then refuses", () => {
    // Offset 0 is the root name; each 2-byte pointer after it points at the one before.
    const chain = (pointers: number) => {
      const bytes = [0];
      for (let i = 0; i < pointers; i++) bytes.push(0xc0, i === 0 ? 0 : 1 + 2 * (i - 1));
      return new Uint8Array(bytes);
    };
    const longest = chain(32);
    assert.deepEqual(readDnsName(longest, longest.length - 2), { name: "", end: longest.length });
    const tooLong = chain(33);
    assert.throws(() => readDnsName(tooLong, tooLong.length - 2), /compression pointer/);
  });

  it("refuses a pointer cut in half and a pointer to itself", () => {
    assert.throws(() => readDnsName(new Uint8Array([...label("a"), 0xc0]), 0), /past the end/);
    assert.throws(() => readDnsName(new Uint8Array([0xc0, 0]), 0), /compression pointer/);
  });

  it("stops at a CNAME loop, and refuses a CNAME with trailing bytes", () => {
    const other = [...label("b"), ...label("test"), 0];
    const loop = response(SRV_NAME, "SRV", [
      rr(TO_QUESTION, 5, other),
      rr(other, 5, TO_QUESTION),
      rr(other, 33, srvData(27017, [...label("db"), 0])),
    ]);
    assert.deepEqual(decodeAllSrv(loop), [{ name: "db", port: 27017 }]);
    const trailing = response(SRV_NAME, "SRV", [rr(TO_QUESTION, 5, [...other, 7])]);
    assert.throws(() => decodeAllSrv(trailing), /CNAME record has trailing bytes/);
  });

  it("follows at most 8 CNAME hops", () => {
    const name = (i: number) => [...label(`n${i}`), ...label("test"), 0];
    const hops = (count: number) =>
      response(SRV_NAME, "SRV", [
        rr(TO_QUESTION, 5, name(1)),
        ...Array.from({ length: count - 1 }, (_, i) => rr(name(i + 1), 5, name(i + 2))),
        rr(name(count), 33, srvData(27017, [...label("db"), 0])),
      ]);
    assert.equal(decodeAllSrv(hops(8)).length, 1);
    assert.equal(decodeAllSrv(hops(9)).length, 0);
  });

  it("ends every prefix of an answer in DNS_ERROR or a result", () => {
    const message = response(SRV_NAME, "SRV", [
      rr(TO_QUESTION, 5, [...label("real"), 0xc0, 26]),
      rr([...label("real"), 0xc0, 26], 33, srvData(27017, [...label("db1"), 0xc0, 26])),
      rr(TO_QUESTION, 33, srvData(27018, [...label("db2"), 0xc0, 26])),
    ]);
    assert.equal(decodeAllSrv(message).length, 2);
    for (let length = 0; length < message.length; length++) {
      dnsErrorOrResult(() => decodeAllSrv(message.subarray(0, length)), `prefix of ${length} bytes`);
    }
  });

  it("ends every single-byte corruption of an answer in DNS_ERROR or a result", () => {
    const srv = response(SRV_NAME, "SRV", [rr(TO_QUESTION, 33, srvData(27017, [...label("db1"), 0xc0, 26]))]);
    const txt = response("a.io", "TXT", [rr(TO_QUESTION, 16, [...label("authSource=admin")])]);
    for (const value of [0x00, 0x01, 0x3f, 0x40, 0x7f, 0xc0, 0xff]) {
      for (let at = 0; at < srv.length; at++) {
        const bad = srv.slice();
        bad[at] = value;
        dnsErrorOrResult(() => decodeAllSrv(bad), `SRV byte ${at} = ${value}`);
      }
      for (let at = 0; at < txt.length; at++) {
        const bad = txt.slice();
        bad[at] = value;
        dnsErrorOrResult(
          () => findDnsAnswers(bad, "a.io", "TXT").map((r) => decodeTxt(bad, r)),
          `TXT byte ${at} = ${value}`,
        );
      }
    }
  });

  it("reads a message that is a view into a larger buffer by the view's offsets", () => {
    const message = response("a.io", "TXT", [rr(TO_QUESTION, 16, label("in"))]);
    const padded = new Uint8Array(message.length + 10).fill(0xff);
    padded.set(message, 5);
    const view = padded.subarray(5, 5 + message.length);
    assert.deepEqual(findDnsAnswers(view, "a.io", "TXT").map((at) => decodeTxt(view, at)), [["in"]]);
  });
});
