import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CALLBACK_INTERVAL_MS, OidcTokenCache } from "../../../src/mechanisms/oidc/token-cache.ts";
import type { OidcCallbackResult } from "@mongo-auth/core";

// A clock that only moves when told to; sleep moves it and records the wait.
function fakeClock(start = 1_000_000) {
  const clock = {
    t: start,
    sleeps: [] as number[],
    now: () => clock.t,
    sleep: (ms: number) => {
      clock.sleeps.push(ms);
      clock.t += ms;
      return Promise.resolve();
    },
  };
  return clock;
}

const ticks = async (n: number) => {
  for (let i = 0; i < n; i++) await Promise.resolve();
};

describe("OidcTokenCache", () => {
  it("runs the callback once for many callers that miss the cache together", async () => {
    const cache = new OidcTokenCache(fakeClock());
    let calls = 0;
    const plan = () => ({
      call: async () => {
        calls++;
        await ticks(5);
        return { accessToken: "t1" };
      },
    });
    const tokens = await Promise.all(Array.from({ length: 100 }, () => cache.obtain(plan)));
    assert.equal(calls, 1);
    assert.ok(tokens.every((token) => token?.accessToken === "t1" && token.generation === 1));
  });

  it("never runs two calls at once, even when every caller must call", async () => {
    // Every look at the clock moves it 40 s on, so each 60 s token (stale after 30 s) is stale by the
    // time the next caller looks.
    let t = 0;
    const cache = new OidcTokenCache({ now: () => (t += 40_000), sleep: () => Promise.resolve() });
    let active = 0;
    let maxActive = 0;
    let calls = 0;
    const plan = () => ({
      call: async (): Promise<OidcCallbackResult> => {
        active++;
        maxActive = Math.max(maxActive, active);
        calls++;
        await ticks(3);
        active--;
        return { accessToken: `t${calls}`, expiresInSeconds: 60 };
      },
    });
    await Promise.all(Array.from({ length: 5 }, () => cache.obtain(plan)));
    assert.equal(calls, 5);
    assert.equal(maxActive, 1);
  });

  it(`waits until ${CALLBACK_INTERVAL_MS} ms have passed since the previous call`, async () => {
    const clock = fakeClock();
    const cache = new OidcTokenCache(clock);
    let n = 0;
    const plan = () => ({ call: () => Promise.resolve({ accessToken: `t${++n}` }) });
    const first = await cache.obtain(plan);
    cache.invalidate(first!.generation);
    clock.t += 30;
    const second = await cache.obtain(plan);
    assert.deepEqual(clock.sleeps, [70]);
    assert.equal(second?.accessToken, "t2");
    cache.invalidate(second!.generation);
    clock.t += 500;
    await cache.obtain(plan);
    assert.deepEqual(clock.sleeps, [70], "no wait once the interval has passed");
  });

  it("invalidates only the generation it is given", async () => {
    const cache = new OidcTokenCache(fakeClock());
    let n = 0;
    const plan = () => ({ call: () => Promise.resolve({ accessToken: `t${++n}` }) });
    const first = await cache.obtain(plan);
    cache.invalidate(first!.generation);
    const second = await cache.obtain(plan);
    assert.equal(second?.generation, 2);
    cache.invalidate(first!.generation); // a connection that still holds the old token
    assert.equal(cache.current()?.accessToken, "t2");
    cache.invalidate(second!.generation);
    assert.equal(cache.current(), undefined);
  });

  it("treats a token as stale 5 minutes before it expires (half its life when shorter); 0 means no expiry", async () => {
    const clock = fakeClock(0);
    const cache = new OidcTokenCache(clock);
    const results: OidcCallbackResult[] = [
      { accessToken: "hour", expiresInSeconds: 3600 },
      { accessToken: "minute", expiresInSeconds: 60 },
      { accessToken: "forever", expiresInSeconds: 0 },
    ];
    const plan = () => ({ call: () => Promise.resolve(results.shift()!) });
    await cache.obtain(plan);
    clock.t = 3_299_999;
    assert.equal(cache.current()?.accessToken, "hour");
    clock.t = 3_300_000;
    assert.equal(cache.current(), undefined);
    await cache.obtain(plan);
    const start = clock.t;
    clock.t = start + 29_999;
    assert.equal(cache.current()?.accessToken, "minute");
    clock.t = start + 30_000;
    assert.equal(cache.current(), undefined);
    await cache.obtain(plan);
    clock.t += 10 * 365 * 86_400_000;
    assert.equal(cache.current()?.accessToken, "forever");
  });

  it("caches refresh token and IdP information; a refresh without a new refresh token keeps the old one", async () => {
    const cache = new OidcTokenCache(fakeClock());
    const idpInfo = { issuer: "https://i", clientId: "c" };
    const first = await cache.obtain(() => ({
      call: () => Promise.resolve({ accessToken: "a1", refreshToken: "r1" }),
      idpInfo,
    }));
    assert.equal(cache.refreshToken, "r1");
    assert.deepEqual(cache.idpInfo, idpInfo);
    cache.invalidate(first!.generation);
    const second = await cache.obtain(() => ({
      call: () => Promise.resolve({ accessToken: "a2" }),
      refreshing: true,
    }));
    assert.equal(cache.refreshToken, "r1");
    cache.invalidate(second!.generation);
    await cache.obtain(() => ({ call: () => Promise.resolve({ accessToken: "a3" }), idpInfo }));
    assert.equal(cache.refreshToken, undefined, "a new two-step login replaces the refresh token");
    cache.dropRefreshToken();
    assert.equal(cache.refreshToken, undefined);
  });

  it("returns undefined when the plan has nothing to call, without waiting", async () => {
    const clock = fakeClock();
    const cache = new OidcTokenCache(clock);
    assert.equal(await cache.obtain(() => undefined), undefined);
    assert.deepEqual(clock.sleeps, []);
  });

  it("a failed call releases the lock and caches nothing", async () => {
    const cache = new OidcTokenCache(fakeClock());
    await assert.rejects(cache.obtain(() => ({ call: () => Promise.reject(new Error("down")) })), /down/);
    assert.equal(cache.current(), undefined);
    const token = await cache.obtain(() => ({ call: () => Promise.resolve({ accessToken: "ok" }) }));
    assert.equal(token?.accessToken, "ok");
  });

  it("a caller that aborts while waiting for the lock leaves, and the lock still orders the others", async () => {
    const cache = new OidcTokenCache(fakeClock());
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let active = 0;
    let maxActive = 0;
    const slowPlan = () => ({
      call: async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        await gate;
        active--;
        return { accessToken: "slow" };
      },
    });
    const holder = cache.obtain(slowPlan);
    const controller = new AbortController();
    const quitter = cache.obtain(slowPlan, controller.signal);
    const third = cache.obtain(slowPlan);
    controller.abort();
    await assert.rejects(quitter, { code: "ABORTED" });
    release();
    assert.equal((await holder)?.accessToken, "slow");
    assert.equal((await third)?.accessToken, "slow");
    assert.equal(maxActive, 1);
  });
});
