// DNS-over-HTTPS: the wire format both ways, the validation of every answer, the HTTP exchange, and
// mongodb+srv:// through the `dnsOverHttps` option against a loopback resolver and the reference server.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { connectWith, MongoAuthError, runtimeEnv, type Transport } from "@mongo-auth/core";
import {
  DEFAULT_DNS_OVER_HTTPS_ENDPOINT,
  resolveSrvOverHttps,
  resolveTxtOverHttps,
} from "../../src/dns/dns-over-https.ts";
import { dnsOverHttpsResolver } from "../../src/dns/dns-over-https.ts";
import { encodeDnsQuery, findDnsAnswers, readDnsName } from "../../src/dns/message.ts";
import { nodeTransport } from "../../src/transport/node.ts";
import { type RunningServer, startServer } from "../../testing/reference-server/server.ts";
import { type DohServer, startDohServer } from "../e2e/workerd/doh-server.ts";

const DNS_MESSAGE = { "content-type": "application/dns-message" };

// A response to `encodeDnsQuery(name, type)`: its question, the flags given, then `answers` as raw bytes.
function response(name: string, type: "SRV" | "TXT", answers: number[][], flags = 0x8180): Uint8Array {
  const query = encodeDnsQuery(name, type);
  const body = answers.flat();
  const out = new Uint8Array(query.length + body.length);
  out.set(query);
  out.set(body, query.length);
  new DataView(out.buffer).setUint16(2, flags);
  new DataView(out.buffer).setUint16(6, answers.length);
  return out;
}

// One resource record: owner (raw name bytes), type, class IN, TTL 60, then RDATA.
function rr(owner: number[], type: number, rdata: number[]): number[] {
  return [...owner, 0, type, 0, 1, 0, 0, 0, 60, rdata.length >> 8, rdata.length & 0xff, ...rdata];
}

const QNAME = 0xc0; // a pointer to offset 12: the question's name
const TO_QUESTION = [QNAME, 12];
const label = (text: string) => [text.length, ...new TextEncoder().encode(text)];
const srvData = (port: number, target: number[]) => [0, 1, 0, 5, port >> 8, port & 0xff, ...target];

function fetchAnswering(message: Uint8Array | (() => Response)) {
  const requests: { url: string; accept: string | null }[] = [];
  const fetch = (input: string | URL | Request, init?: RequestInit) => {
    requests.push({ url: String(input), accept: new Headers(init?.headers).get("accept") });
    return Promise.resolve(
      typeof message === "function" ? message() : new Response(message.slice(), { headers: DNS_MESSAGE }),
    );
  };
  return { fetch, requests };
}

const SRV_NAME = "_mongodb._tcp.cluster0.example.test";

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

describe("resolveSrvOverHttps / resolveTxtOverHttps", () => {
  it("sends GET ?dns=<base64url, unpadded> with Accept: application/dns-message", async () => {
    const { fetch, requests } = fetchAnswering(response("a.io", "TXT", []));
    await resolveTxtOverHttps("a.io", { fetch, endpoint: "https://dns.example/dns-query?ct=1" });
    const url = new URL(requests[0].url);
    assert.equal(url.origin + url.pathname, "https://dns.example/dns-query");
    assert.equal(url.searchParams.get("ct"), "1");
    const dns = url.searchParams.get("dns")!;
    assert.match(dns, /^[A-Za-z0-9_-]+$/);
    assert.deepEqual(
      [...Uint8Array.from(atob(dns.replaceAll("-", "+").replaceAll("_", "/")), (c) => c.charCodeAt(0))],
      [...encodeDnsQuery("a.io", "TXT")],
    );
    assert.equal(requests[0].accept, "application/dns-message");
  });

  it("uses Cloudflare's resolver by default", async () => {
    const { fetch, requests } = fetchAnswering(response("a.io", "TXT", []));
    await resolveTxtOverHttps("a.io", { fetch });
    assert.ok(requests[0].url.startsWith(DEFAULT_DNS_OVER_HTTPS_ENDPOINT + "?dns="));
  });

  it("decodes SRV records with compressed targets, in answer order, leaving out '.'", async () => {
    // "_mongodb._tcp." is 14 bytes, so the question's "cluster0.example.test" starts at offset 26.
    const { fetch } = fetchAnswering(response(SRV_NAME, "SRV", [
      rr(TO_QUESTION, 33, srvData(27018, [...label("db2"), 0xc0, 26])),
      rr(TO_QUESTION, 33, srvData(27017, [...label("db1"), 0xc0, 26])),
      rr(TO_QUESTION, 33, srvData(0, [0])),
    ]));
    assert.deepEqual(await resolveSrvOverHttps(SRV_NAME, { fetch }), [
      { name: "db2.cluster0.example.test", port: 27018 },
      { name: "db1.cluster0.example.test", port: 27017 },
    ]);
  });

  it("refuses an SRV record whose length does not match its target", async () => {
    const { fetch } = fetchAnswering(response(SRV_NAME, "SRV", [
      rr(TO_QUESTION, 33, [...srvData(27017, [...label("db1"), 0]), 0]),
    ]));
    await assert.rejects(resolveSrvOverHttps(SRV_NAME, { fetch }), { code: "DNS_ERROR", message: /length/ });
  });

  it("decodes TXT records as lists of strings", async () => {
    const { fetch } = fetchAnswering(response("a.io", "TXT", [
      rr(TO_QUESTION, 16, [...label("authSource=adm"), ...label("in")]),
      rr(TO_QUESTION, 16, [...label("x")]),
    ]));
    assert.deepEqual(await resolveTxtOverHttps("a.io", { fetch }), [["authSource=adm", "in"], ["x"]]);
    const { fetch: broken } = fetchAnswering(response("a.io", "TXT", [rr(TO_QUESTION, 16, [9, 97])]));
    await assert.rejects(resolveTxtOverHttps("a.io", { fetch: broken }), /TXT string runs past/);
  });

  it("reports HTTP failures and wrong content types with the origin only", async () => {
    const endpoint = "https://dns.example/secret-account-token/dns-query";
    const cases: [() => Response, RegExp][] = [
      [() => new Response("no", { status: 503 }), /HTTP 503/],
      [
        () => new Response("<html>", { headers: { "content-type": "text/html" } }),
        /not application\/dns-message/,
      ],
    ];
    for (const [reply, message] of cases) {
      const { fetch } = fetchAnswering(reply);
      await assert.rejects(resolveTxtOverHttps("a.io", { fetch, endpoint }), (err: unknown) => {
        assert.ok(err instanceof MongoAuthError);
        assert.equal(err.code, "DNS_ERROR");
        assert.match(err.message, message);
        assert.match(err.message, /https:\/\/dns\.example/);
        assert.doesNotMatch(err.message, /secret-account-token/);
        return true;
      });
    }
    const failing = () => Promise.reject(new TypeError("connection refused"));
    await assert.rejects(resolveTxtOverHttps("a.io", { fetch: failing }), {
      code: "DNS_ERROR",
      message: /refused/,
    });
  });

  it("stops reading an answer larger than a DNS message can be", async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(16_384));
      },
    });
    const { fetch } = fetchAnswering(() => new Response(endless, { headers: DNS_MESSAGE }));
    await assert.rejects(resolveTxtOverHttps("a.io", { fetch }), { code: "DNS_ERROR", message: /larger/ });
    assert.ok(pulled <= 6);
    const { fetch: declared } = fetchAnswering(() =>
      new Response("x", { headers: { ...DNS_MESSAGE, "content-length": "70000" } })
    );
    await assert.rejects(resolveTxtOverHttps("a.io", { fetch: declared }), { message: /larger/ });
  });

  it("times out with TIMEOUT and honours the caller's abort with ABORTED", async () => {
    const hanging = (_input: string | URL | Request, init?: RequestInit) =>
      new Promise<Response>((_, reject) => {
        init?.signal?.addEventListener("abort", () => reject(init.signal!.reason));
      });
    // Node's AbortSignal.timeout does not keep the event loop alive on its own; a real fetch would.
    const keepAlive = setTimeout(() => {}, 5000);
    await assert.rejects(resolveTxtOverHttps("a.io", { fetch: hanging, timeoutMS: 20 }), { code: "TIMEOUT" });
    clearTimeout(keepAlive);
    const controller = new AbortController();
    const lookup = resolveSrvOverHttps(SRV_NAME, { fetch: hanging, signal: controller.signal });
    controller.abort();
    await assert.rejects(lookup, { code: "ABORTED" });
  });

  it("timeoutMS: 0 means no timeout (and the caller's abort still applies)", async () => {
    const signals: (AbortSignal | null | undefined)[] = [];
    const { fetch } = fetchAnswering(response(SRV_NAME, "SRV", [
      rr(TO_QUESTION, 33, srvData(27017, [...label("db1"), 0xc0, 26])),
    ]));
    const watching = (
      input: string | URL | Request,
      init?: RequestInit,
    ) => (signals.push(init?.signal), fetch(input, init));
    assert.deepEqual(await resolveSrvOverHttps(SRV_NAME, { fetch: watching, timeoutMS: 0 }), [
      { name: "db1.cluster0.example.test", port: 27017 },
    ]);
    assert.equal(signals[0]?.aborted, false);
    const unreachable = () => Promise.reject(new TypeError("fetch failed"));
    await assert.rejects(resolveTxtOverHttps("a.io", { fetch: unreachable, timeoutMS: 0 }), {
      code: "DNS_ERROR",
    });
  });

  it("accepts https:// endpoints, and http:// only on loopback", async () => {
    const { fetch } = fetchAnswering(response("a.io", "TXT", []));
    for (const endpoint of ["http://127.0.0.1:8053/dns-query", "http://localhost/q", "http://[::1]:80/q"]) {
      await resolveTxtOverHttps("a.io", { fetch, endpoint });
    }
    for (const endpoint of ["http://dns.example/q", "http://10.0.0.1/q", "ftp://dns.example/", "not a url"]) {
      await assert.rejects(resolveTxtOverHttps("a.io", { fetch, endpoint }), { code: "INVALID_OPTION" });
      assert.throws(() => dnsOverHttpsResolver({ endpoint }), { code: "INVALID_OPTION" });
    }
  });
});

describe("mongodb+srv:// with the dnsOverHttps option (node transport, loopback resolver)", () => {
  let server: RunningServer;
  let doh: DohServer;
  // The SRV targets are names under example.test, a reserved domain no resolver knows: the sockets
  // go to the reference server on loopback instead.
  let transport: Transport;
  before(async () => {
    server = await startServer({
      users: [{ db: "app", user: "alice", password: "alice-pw", mechanisms: ["SCRAM-SHA-256"] }],
    });
    doh = await startDohServer({
      srv: {
        [SRV_NAME]: [{ target: "db1.cluster0.example.test", port: server.port }],
        "_mongodb._tcp.outside.example.test": [{ target: "db.elsewhere.test", port: server.port }],
      },
      txt: { "cluster0.example.test": [["authSource=app"]] },
    });
    transport = {
      ...nodeTransport,
      openSocket: (options) =>
        nodeTransport.openSocket({
          ...options,
          host: options.host.endsWith(".example.test") ? "127.0.0.1" : options.host,
        }),
      resolveSrv: () => Promise.reject(new Error("the runtime's DNS must not be asked")),
      resolveTxt: () => Promise.reject(new Error("the runtime's DNS must not be asked")),
    };
  });
  after(async () => {
    await server.close();
    await doh.close();
  });

  it("resolves SRV and TXT over HTTPS, takes authSource from TXT, and authenticates", async () => {
    const before = doh.queries.length;
    const conn = await connectWith(
      transport,
      "mongodb+srv://alice:alice-pw@cluster0.example.test/?tls=false",
      {
        dnsOverHttps: doh.endpoint,
      },
    );
    try {
      assert.equal(conn.host, "db1.cluster0.example.test");
      const status = await conn.command("admin", { connectionStatus: 1 });
      assert.deepEqual((status.authInfo as { authenticatedUsers: unknown[] }).authenticatedUsers, [
        { user: "alice", db: "app" },
      ]);
      assert.deepEqual(doh.queries.slice(before).sort(), [`SRV ${SRV_NAME}`, "TXT cluster0.example.test"]);
    } finally {
      await conn.close();
    }
  });

  it("sends the queries through env.fetch when one is given", async () => {
    let calls = 0;
    const env = runtimeEnv({ fetch: (input, init) => (calls++, fetch(input, init)) });
    const conn = await connectWith(
      transport,
      "mongodb+srv://alice:alice-pw@cluster0.example.test/?tls=false",
      {
        dnsOverHttps: doh.endpoint,
        env,
      },
    );
    await conn.close();
    assert.equal(calls, 2);
  });

  it("still refuses SRV targets outside the name's domain", async () => {
    await assert.rejects(
      connectWith(transport, "mongodb+srv://alice:alice-pw@outside.example.test/?tls=false", {
        dnsOverHttps: doh.endpoint,
      }),
      { code: "DNS_ERROR", message: /not in the domain/ },
    );
  });

  it("reports a name the resolver does not know as having no SRV records", async () => {
    await assert.rejects(
      connectWith(transport, "mongodb+srv://alice:alice-pw@missing.example.test/?tls=false", {
        dnsOverHttps: doh.endpoint,
      }),
      { code: "DNS_ERROR", message: /no SRV records/ },
    );
  });

  it("rejects an invalid dnsOverHttps before connecting, for any connection string", async () => {
    await assert.rejects(
      connectWith(transport, `mongodb://${server.address}/`, { dnsOverHttps: "http://dns.example/q" }),
      { code: "INVALID_OPTION" },
    );
  });
});
