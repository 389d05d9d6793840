import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseConnectionString } from "@mongo-auth/core";
import type { DnsResolver, SrvRecord } from "../../src/dns/resolver.ts";
import { resolveSrvHosts, selectSrvHosts } from "../../src/dns/srv.ts";
import { settledWithin } from "../support/settled-within.ts";

function dns(srv: SrvRecord[] | Error, txt: string[][] | Error = []): DnsResolver & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    resolveSrv: (
      name,
    ) => (asked.push(name), srv instanceof Error ? Promise.reject(srv) : Promise.resolve(srv)),
    resolveTxt: (
      name,
    ) => (asked.push(name), txt instanceof Error ? Promise.reject(txt) : Promise.resolve(txt)),
  };
}

const signal = AbortSignal.timeout(5000);

describe("mongodb+srv resolution", () => {
  it("asks for _mongodb._tcp.<host> and returns the targets in the host's domain", async () => {
    const transport = dns([
      { name: "shard-00.cluster0.example.net.", port: 27017 },
      { name: "shard-01.cluster0.example.net", port: 27018 },
    ]);
    const result = await resolveSrvHosts(transport, "cluster0.example.net", "mongodb", signal);
    assert.deepEqual(transport.asked.sort(), ["_mongodb._tcp.cluster0.example.net", "cluster0.example.net"]);
    assert.deepEqual(result.hosts, [
      { host: "shard-00.cluster0.example.net", port: 27017 },
      { host: "shard-01.cluster0.example.net", port: 27018 },
    ]);
  });

  it("uses srvServiceName", async () => {
    const transport = dns([{ name: "a.cluster0.example.net", port: 1 }]);
    await resolveSrvHosts(transport, "cluster0.example.net", "custom", signal);
    assert.ok(transport.asked.includes("_custom._tcp.cluster0.example.net"));
  });

  it("rejects a target outside the SRV name's domain, so DNS cannot redirect credentials", async () => {
    const transport = dns([{ name: "evil.attacker.com", port: 27017 }]);
    await assert.rejects(resolveSrvHosts(transport, "cluster0.example.net", "mongodb", signal), {
      code: "DNS_ERROR",
      message: /not in the domain/,
    });
  });

  it("rejects a target that merely ends with the domain's text", async () => {
    const transport = dns([{ name: "evilexample.net", port: 27017 }]);
    await assert.rejects(resolveSrvHosts(transport, "cluster0.example.net", "mongodb", signal), {
      code: "DNS_ERROR",
    });
  });

  it("for a two-label name, requires targets below the name itself", async () => {
    await assert.rejects(
      resolveSrvHosts(dns([{ name: "other.net", port: 1 }]), "example.net", "mongodb", signal),
      { code: "DNS_ERROR" },
    );
    const ok = await resolveSrvHosts(
      dns([{ name: "a.example.net", port: 1 }]),
      "example.net",
      "mongodb",
      signal,
    );
    assert.equal(ok.hosts[0].host, "a.example.net");
  });

  it("applies authSource and replicaSet from the TXT record", async () => {
    const transport = dns([{ name: "a.cluster0.example.net", port: 1 }], [[
      "authSource=admin&",
      "replicaSet=rs0",
    ]]);
    const result = await resolveSrvHosts(transport, "cluster0.example.net", "mongodb", signal);
    assert.equal(result.options.authSource, "admin");
    assert.equal(result.options.replicaSet, "rs0");
  });

  it("rejects TXT options other than authSource, replicaSet and loadBalanced", async () => {
    const transport = dns([{ name: "a.cluster0.example.net", port: 1 }], [["tls=false"]]);
    await assert.rejects(resolveSrvHosts(transport, "cluster0.example.net", "mongodb", signal), {
      code: "INVALID_URI",
    });
  });

  it("rejects several TXT records", async () => {
    const transport = dns([{ name: "a.cluster0.example.net", port: 1 }], [["authSource=a"], [
      "authSource=b",
    ]]);
    await assert.rejects(resolveSrvHosts(transport, "cluster0.example.net", "mongodb", signal), {
      code: "INVALID_URI",
    });
  });

  it("treats a missing TXT record as none", async () => {
    const missing = Object.assign(new Error("queryTxt ENODATA"), { code: "ENODATA" });
    const result = await resolveSrvHosts(
      dns([{ name: "a.cluster0.example.net", port: 1 }], missing),
      "cluster0.example.net",
      "mongodb",
      signal,
    );
    assert.deepEqual(result.options, {});
  });

  it("reports no SRV records and failed lookups as DNS_ERROR", async () => {
    await assert.rejects(resolveSrvHosts(dns([]), "cluster0.example.net", "mongodb", signal), {
      code: "DNS_ERROR",
    });
    await assert.rejects(
      resolveSrvHosts(dns(new Error("querySrv ECONNREFUSED")), "cluster0.example.net", "mongodb", signal),
      { code: "DNS_ERROR" },
    );
  });

  it("says why a lookup failed and what to do: a name with no SRV record, a DNS server that fails, no permission", async () => {
    const name = "cluster0.example.net";
    const failing = (err: Error, txt: string[][] | Error = []) =>
      resolveSrvHosts(dns(err, txt), name, "mongodb", signal);
    const failure = (code: string | undefined, message: string, errorName = "Error") =>
      Object.assign(new Error(message), { name: errorName }, code === undefined ? {} : { code });
    const noSuchName =
      /^no SRV record _mongodb\._tcp\.cluster0\.example\.net exists \((ENOTFOUND|NotFound)\): check the host name after mongodb\+srv:\/\//;
    await assert.rejects(
      failing(failure("ENOTFOUND", "querySrv ENOTFOUND _mongodb._tcp.cluster0.example.net")),
      {
        code: "DNS_ERROR",
        message: noSuchName,
      },
    );
    await assert.rejects(failing(failure("ENODATA", "querySrv ENODATA _mongodb._tcp.cluster0.example.net")), {
      message:
        /\(for Atlas, copy the connection string from the cluster's Connect dialog\); a server that has no such record is reached with mongodb:\/\/host:port$/,
    });
    await assert.rejects(failing(failure(undefined, "proto error: no records found for Query", "NotFound")), {
      code: "DNS_ERROR",
      message: noSuchName,
    });
    await assert.rejects(resolveSrvHosts(dns([]), name, "mongodb", signal), {
      code: "DNS_ERROR",
      message:
        /^no SRV record _mongodb\._tcp\.cluster0\.example\.net exists \(the answer lists none\): check the host name/,
    });
    await assert.rejects(
      failing(failure("ECONNREFUSED", "querySrv ECONNREFUSED _mongodb._tcp.cluster0.example.net")),
      {
        code: "DNS_ERROR",
        message:
          /^could not resolve SRV records of cluster0\.example\.net \(querySrv ECONNREFUSED _mongodb\._tcp\.cluster0\.example\.net\): check this machine's DNS server, or resolve over HTTPS with the dnsOverHttps option$/,
      },
    );
    const denied = 'Requires net access to "10.0.0.53:53", run again with the --allow-net flag';
    await assert.rejects(failing(failure(undefined, denied, "NotCapable")), {
      code: "DNS_ERROR",
      message:
        /^could not resolve SRV records of cluster0\.example\.net: Requires net access to "10\.0\.0\.53:53", run again with the --allow-net flag$/,
    });
    const txtFailed = failure("ESERVFAIL", "queryTxt ESERVFAIL cluster0.example.net");
    await assert.rejects(
      resolveSrvHosts(dns([{ name: "a.cluster0.example.net", port: 1 }], txtFailed), name, "mongodb", signal),
      {
        code: "DNS_ERROR",
        message:
          /^could not resolve TXT records of cluster0\.example\.net \(queryTxt ESERVFAIL cluster0\.example\.net\): check this machine's DNS server/,
      },
    );
  });

  it("settles when its signal fires, even with a resolver that ignores the signal and never answers", async () => {
    const silent: DnsResolver = {
      resolveSrv: () => new Promise(() => {}),
      resolveTxt: () => new Promise(() => {}),
    };
    const controller = new AbortController();
    setTimeout(() => controller.abort(new DOMException("connectTimeoutMS", "TimeoutError")), 50);
    await assert.rejects(
      settledWithin(
        2_000,
        "resolveSrvHosts",
        resolveSrvHosts(silent, "cluster0.example.net", "mongodb", controller.signal),
      ),
      { code: "TIMEOUT", message: /resolving (SRV|TXT) records of cluster0\.example\.net timed out/ },
    );
  });
});

// The prose tests of the seedlist spec's README (tests/spec/data/initial-dns-seedlist-discovery).
describe("mongodb+srv resolution: the seedlist spec's prose tests", () => {
  const resolve = (name: string, target: string) =>
    resolveSrvHosts(dns([{ name: target, port: 27017 }]), name, "mongodb", signal);

  it("1. allows SRV names with fewer than three parts", async () => {
    assert.equal(parseConnectionString("mongodb+srv://localhost").hosts[0].host, "localhost");
    assert.equal(parseConnectionString("mongodb+srv://mongo.local").hosts[0].host, "mongo.local");
    assert.equal((await resolve("localhost", "test_1.localhost")).hosts[0].host, "test_1.localhost");
    assert.equal((await resolve("mongo.local", "test_1.mongo.local")).hosts[0].host, "test_1.mongo.local");
  });

  it("2. throws when a returned address does not end with the SRV's domain", async () => {
    for (
      const [name, target] of [
        ["localhost", "localhost.mongodb"],
        ["mongo.local", "test_1.evil.local"],
        ["blogs.mongodb.com", "blogs.evil.com"],
      ]
    ) await assert.rejects(resolve(name, target), { code: "DNS_ERROR" });
  });

  it("3. throws when a returned address is the SRV name itself (fewer than three parts)", async () => {
    await assert.rejects(resolve("localhost", "localhost"), { code: "DNS_ERROR" });
    await assert.rejects(resolve("mongo.local", "mongo.local"), { code: "DNS_ERROR" });
  });

  it("4. throws when a returned address lacks the '.' before the shared domain", async () => {
    for (
      const [name, target] of [
        ["localhost", "test_1.cluster_1localhost"],
        ["mongo.local", "test_1.my_hostmongo.local"],
        ["blogs.mongodb.com", "cluster.testmongodb.com"],
      ]
    ) await assert.rejects(resolve(name, target), { code: "DNS_ERROR" });
  });
});

describe("mongodb+srv resolution: the TXT record", () => {
  const withTxt = (txt: string[][]) =>
    resolveSrvHosts(
      dns([{ name: "a.cluster0.example.net", port: 1 }], txt),
      "cluster0.example.net",
      "mongodb",
      signal,
    );

  it("concatenates the strings of one record and percent-decodes, keys in any case", async () => {
    const result = await withTxt([["REPLICASET=rs%30&auth", "Source=admin&loadBalanced=false"]]);
    assert.deepEqual(result.options, { replicaSet: "rs0", authSource: "admin", loadBalanced: false });
  });

  it("rejects an option without '=', an empty value and a bad escape, with INVALID_URI", async () => {
    for (const txt of ["authSource", "authSource=", "authSource=%zz"]) {
      await assert.rejects(withTxt([[txt]]), { code: "INVALID_URI" }, txt);
    }
  });
});

describe("selectSrvHosts", () => {
  const hosts = [1, 2, 3].map((n) => ({ host: `h${n}.example.net`, port: n }));

  it("keeps every host, in order, when srvMaxHosts is 0 or covers them", () => {
    assert.deepEqual(selectSrvHosts(hosts, 0), hosts);
    assert.deepEqual(selectSrvHosts(hosts, 3), hosts);
    assert.deepEqual(selectSrvHosts(hosts, 7), hosts);
  });

  it("otherwise picks that many distinct hosts", () => {
    const picked = selectSrvHosts(hosts, 2);
    assert.equal(picked.length, 2);
    assert.notEqual(picked[0].host, picked[1].host);
    for (const host of picked) assert.ok(hosts.includes(host));
  });
});
