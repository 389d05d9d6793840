// DNS-over-HTTPS (the DNS message itself is tests/dns/message.test.ts): the HTTP exchange, and
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
import { encodeDnsQuery } from "../../src/dns/message.ts";
import { label, response, rr, srvData, TO_QUESTION } from "../support/dns-messages.ts";
import { nodeTransport } from "../../src/transport/node.ts";
import { type RunningServer, startServer } from "../../testing/reference-server/server.ts";
import { type DohServer, startDohServer } from "../e2e/workerd/doh-server.ts";

const DNS_MESSAGE = { "content-type": "application/dns-message" };

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
      {
        code: "DNS_ERROR",
        message: /^no SRV record _mongodb\._tcp\.missing\.example\.test exists \(the answer lists none\)/,
      },
    );
  });

  it("rejects an invalid dnsOverHttps before connecting, for any connection string", async () => {
    await assert.rejects(
      connectWith(transport, `mongodb://${server.address}/`, { dnsOverHttps: "http://dns.example/q" }),
      { code: "INVALID_OPTION" },
    );
  });
});

describe("dnsOverHttpsResolver: options of the wrong type", () => {
  it("are INVALID_OPTION; none (or null) is Cloudflare's resolver", () => {
    assert.equal(typeof dnsOverHttpsResolver(null as never).resolveSrv, "function");
    assert.throws(() => dnsOverHttpsResolver({ fetch: "https://dns.example" } as never), {
      code: "INVALID_OPTION",
      message: "option fetch of dnsOverHttpsResolver() must be a function, got a string",
    });
  });

  it("an endpoint that is no https:// URL is named as this function's option endpoint, not connect()'s dnsOverHttps", () => {
    for (const endpoint of [42, false, "http://dns.example/q", "not a url"]) {
      assert.throws(() => dnsOverHttpsResolver({ endpoint } as never), {
        code: "INVALID_OPTION",
        message: "option endpoint of dnsOverHttpsResolver() must be true or an https:// URL of an RFC 8484 " +
          "resolver (plain http:// only for a loopback test server)",
      });
    }
  });

  it("timeoutMS is a whole number of milliseconds a timer takes (0: none but the signal's); else INVALID_OPTION at once", () => {
    // A fraction, NaN or Infinity would be a RangeError from Node.js's timers at the first lookup; a negative
    // timeout would silently mean none.
    for (const timeoutMS of [-1, Number.NaN, Number.POSITIVE_INFINITY, 1.5, 2 ** 31]) {
      assert.throws(() => dnsOverHttpsResolver({ timeoutMS }), {
        code: "INVALID_OPTION",
        message:
          "option timeoutMS of dnsOverHttpsResolver() must be a whole number of milliseconds from 0 to " +
          `2147483647 (0: none), got ${timeoutMS}`,
      });
    }
    for (const timeoutMS of [0, 1, 5000, 2 ** 31 - 1]) {
      assert.equal(typeof dnsOverHttpsResolver({ timeoutMS }).resolveSrv, "function", String(timeoutMS));
    }
  });
});
