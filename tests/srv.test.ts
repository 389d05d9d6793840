import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { SrvRecord, Transport } from "@mongo-auth/core";
import { resolveSrvHosts } from "../src/srv.ts";

function dns(srv: SrvRecord[] | Error, txt: string[][] | Error = []): Transport & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    platform: "test",
    osType: "test",
    openSocket: () => Promise.reject(new Error("not used")),
    resolveSrv: (
      name,
    ) => (asked.push(name), srv instanceof Error ? Promise.reject(srv) : Promise.resolve(srv)),
    resolveTxt: (
      name,
    ) => (asked.push(name), txt instanceof Error ? Promise.reject(txt) : Promise.resolve(txt)),
    defaultEnv: () => assert.fail("not used"),
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
});
