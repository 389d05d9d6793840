// SeedlistCache: a client's mongodb+srv:// answers, one lookup a minute per name, shared by the connections
// that start together; a failure is not kept, and a lookup stops only when no connection waits for it.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { SEEDLIST_MAX_AGE_MS, SeedlistCache, seedlistCacheOf } from "../../src/dns/seedlist-cache.ts";
import type { DnsResolver } from "../../src/dns/resolver.ts";

const NAME = "cluster0.example.net";
const never = new AbortController().signal;

// A resolver that counts its SRV lookups and answers them when `answer()` is called (at once if `instant`).
function countingResolver(instant = true) {
  const signals: AbortSignal[] = [];
  const pending: (() => void)[] = [];
  const resolver: DnsResolver & { lookups: () => number; signals: AbortSignal[]; answer: () => void } = {
    lookups: () => signals.length,
    signals,
    answer: () => pending.splice(0).forEach((release) => release()),
    resolveSrv: (name, signal) => {
      signals.push(signal);
      const records = [{ name: `a.${name.split(".").slice(-3).join(".")}`, port: 27017 }];
      if (instant) return Promise.resolve(records);
      return new Promise((resolve, reject) => {
        pending.push(() => resolve(records));
        signal.addEventListener("abort", () => reject(signal.reason), { once: true });
      });
    },
    resolveTxt: () => Promise.resolve([["authSource=admin"]]),
  };
  return resolver;
}

describe("SeedlistCache", () => {
  it("looks a name up once a minute for a client: later connections get that answer, then it is asked again", async () => {
    const resolver = countingResolver();
    const cache = new SeedlistCache();
    const first = await cache.resolve(resolver, NAME, "mongodb", never, 1_000);
    assert.deepEqual(first.result.hosts, [{ host: "a.cluster0.example.net", port: 27017 }]);
    assert.deepEqual(first.result.options, { authSource: "admin" });
    assert.equal(first.reused, false);
    const later = await cache.resolve(resolver, NAME, "mongodb", never, 1_000 + SEEDLIST_MAX_AGE_MS - 1);
    assert.equal(later.reused, true);
    assert.equal(later.result, first.result);
    assert.equal(resolver.lookups(), 1);
    const stale = await cache.resolve(resolver, NAME, "mongodb", never, 1_000 + SEEDLIST_MAX_AGE_MS);
    assert.equal(stale.reused, false);
    assert.equal(resolver.lookups(), 2);
  });

  it("shares one lookup among the connections that start together", async () => {
    const resolver = countingResolver(false);
    const cache = new SeedlistCache();
    const answers = Array.from({ length: 5 }, () => cache.resolve(resolver, NAME, "mongodb", never, 0));
    resolver.answer();
    const results = await Promise.all(answers);
    assert.equal(resolver.lookups(), 1);
    assert.deepEqual(results.map((answer) => answer.reused), [false, true, true, true, true]);
  });

  it("keeps no failure: the connection after a failed lookup asks again", async () => {
    let fail = true;
    const resolver: DnsResolver = {
      resolveSrv: () =>
        fail
          ? Promise.reject(Object.assign(new Error("server failure"), { code: "ESERVFAIL" }))
          : Promise.resolve([{ name: "a.cluster0.example.net", port: 27017 }]),
      resolveTxt: () => Promise.resolve([]),
    };
    const cache = new SeedlistCache();
    await assert.rejects(cache.resolve(resolver, NAME, "mongodb", never, 0), { code: "DNS_ERROR" });
    fail = false;
    const next = await cache.resolve(resolver, NAME, "mongodb", never, 1);
    assert.equal(next.reused, false);
  });

  it("a connection that gives up ends its own wait; the lookup stops when the last one waiting gives up", async () => {
    const resolver = countingResolver(false);
    const cache = new SeedlistCache();
    const [a, b] = [new AbortController(), new AbortController()];
    const first = cache.resolve(resolver, NAME, "mongodb", a.signal, 0);
    const second = cache.resolve(resolver, NAME, "mongodb", b.signal, 0);
    a.abort();
    await assert.rejects(first, { code: "ABORTED", message: `resolving SRV records of ${NAME} aborted` });
    assert.equal(resolver.signals[0].aborted, false, "the other connection still waits");
    resolver.answer();
    assert.equal((await second).reused, true);

    const c = new AbortController();
    const alone = cache.resolve(resolver, "other.example.net", "mongodb", c.signal, 0);
    c.abort();
    await assert.rejects(alone, { code: "ABORTED" });
    assert.equal(resolver.signals[1].aborted, true, "no one waits: the lookup stops");
    // ... and is not kept.
    const again = cache.resolve(resolver, "other.example.net", "mongodb", never, 1);
    resolver.answer();
    assert.equal((await again).reused, false);
    assert.equal(resolver.lookups(), 3);
    // A connection that has given up before it asks leaves a kept answer kept.
    await assert.rejects(cache.resolve(resolver, NAME, "mongodb", AbortSignal.abort(), 2), {
      code: "ABORTED",
    });
    assert.equal((await cache.resolve(resolver, NAME, "mongodb", never, 3)).reused, true);
    assert.equal(resolver.lookups(), 3);
  });

  it("keeps names, services, resolvers and clients apart", async () => {
    const resolver = countingResolver();
    const cache = new SeedlistCache();
    await cache.resolve(resolver, NAME, "mongodb", never, 0);
    assert.equal((await cache.resolve(resolver, NAME.toUpperCase(), "mongodb", never, 0)).reused, true);
    assert.equal((await cache.resolve(resolver, "cluster1.example.net", "mongodb", never, 0)).reused, false);
    assert.equal((await cache.resolve(resolver, NAME, "custom", never, 0)).reused, false);
    assert.equal((await cache.resolve(countingResolver(), NAME, "mongodb", never, 0)).reused, false);
    const [storeA, storeB] = [{}, {}];
    assert.equal(seedlistCacheOf(storeA), seedlistCacheOf(storeA));
    assert.notEqual(seedlistCacheOf(storeA), seedlistCacheOf(storeB));
    assert.notEqual(seedlistCacheOf(storeA), seedlistCacheOf(undefined));
    assert.equal(seedlistCacheOf(undefined), seedlistCacheOf(undefined));
  });
});
