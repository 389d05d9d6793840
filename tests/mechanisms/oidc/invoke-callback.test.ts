import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MongoAuthError, type OidcCallbackParams } from "@mongo-auth/core";
import { invokeCallback } from "../../../src/mechanisms/oidc/invoke-callback.ts";

describe("invokeCallback", () => {
  it("passes version 1, the signal, the timeout and only the inputs that are set", async () => {
    let seen: OidcCallbackParams | undefined;
    const result = await invokeCallback(
      (params) => {
        seen = params;
        return Promise.resolve({ accessToken: "t" });
      },
      { username: "u", refreshToken: undefined, idpInfo: { issuer: "https://i", clientId: "c" } },
      {
        name: "OIDC_HUMAN_CALLBACK",
        timeoutMs: 300_000,
      },
    );
    assert.deepEqual(result, { accessToken: "t" });
    assert.equal(seen?.version, 1);
    assert.equal(seen?.timeoutMS, 300_000);
    assert.ok(seen?.timeoutContext instanceof AbortSignal);
    assert.equal(seen?.timeoutContext.aborted, false);
    assert.equal(seen?.username, "u");
    assert.deepEqual(seen?.idpInfo, { issuer: "https://i", clientId: "c" });
    assert.equal("refreshToken" in (seen ?? {}), false);
  });

  it("wraps a thrown error as CREDENTIAL_PROVIDER_ERROR with the cause", async () => {
    const boom = new Error("idp down");
    await assert.rejects(
      invokeCallback(() => Promise.reject(boom), {}, { name: "OIDC_CALLBACK", timeoutMs: 60_000 }),
      (error: MongoAuthError) => {
        assert.equal(error.code, "CREDENTIAL_PROVIDER_ERROR");
        assert.match(error.message, /OIDC_CALLBACK failed/);
        assert.equal(error.cause, boom);
        return true;
      },
    );
  });

  it("wraps a synchronous throw too", async () => {
    await assert.rejects(
      invokeCallback(
        () => {
          throw new Error("sync");
        },
        {},
        { name: "OIDC_CALLBACK", timeoutMs: 60_000 },
      ),
      { code: "CREDENTIAL_PROVIDER_ERROR" },
    );
  });

  it("passes a MongoAuthError from a built-in environment through", async () => {
    const own = new MongoAuthError("INVALID_CREDENTIAL", "needs TOKEN_RESOURCE");
    await assert.rejects(
      invokeCallback(() => Promise.reject(own), {}, { name: "ENVIRONMENT:azure", timeoutMs: 60_000 }),
      (e) => e === own,
    );
  });

  it("validates the result", async () => {
    // deno-lint-ignore no-explicit-any
    const callback = (() => Promise.resolve(null)) as any;
    await assert.rejects(invokeCallback(callback, {}, { name: "OIDC_CALLBACK", timeoutMs: 60_000 }), {
      code: "CREDENTIAL_PROVIDER_ERROR",
      message: /OIDC_CALLBACK returned null/,
    });
  });

  it("stops waiting when the caller aborts, and aborts the callback's signal", async () => {
    const controller = new AbortController();
    let callbackSignal: AbortSignal | undefined;
    const pending = invokeCallback(
      (params) => {
        callbackSignal = params.timeoutContext;
        controller.abort();
        return new Promise(() => {}); // a callback that ignores its signal
      },
      {},
      { name: "OIDC_CALLBACK", timeoutMs: 60_000, signal: controller.signal },
    );
    await assert.rejects(pending, { code: "ABORTED" });
    assert.equal(callbackSignal?.aborted, true);
  });

  it("refuses at once when already aborted, without calling", async () => {
    let called = false;
    await assert.rejects(
      invokeCallback(
        () => {
          called = true;
          return Promise.resolve({ accessToken: "t" });
        },
        {},
        { name: "OIDC_CALLBACK", timeoutMs: 60_000, signal: AbortSignal.abort() },
      ),
      { code: "ABORTED" },
    );
    assert.equal(called, false);
  });

  it("the caller's own timeout is TIMEOUT, not ABORTED (the one cancellation rule)", async () => {
    const keepAlive = setTimeout(() => {}, 5000); // Node's AbortSignal.timeout alone lets the process end
    try {
      await assert.rejects(
        invokeCallback(() => new Promise(() => {}), {}, {
          name: "OIDC_CALLBACK",
          timeoutMs: 60_000,
          signal: AbortSignal.timeout(10),
        }),
        { code: "TIMEOUT", message: "OIDC_CALLBACK timed out" },
      );
    } finally {
      clearTimeout(keepAlive);
    }
  });

  it("gives up with TIMEOUT when the callback never returns", async () => {
    let callbackSignal: AbortSignal | undefined;
    await assert.rejects(
      invokeCallback(
        (params) => {
          callbackSignal = params.timeoutContext;
          return new Promise(() => {});
        },
        {},
        { name: "OIDC_CALLBACK", timeoutMs: 1 },
      ),
      { code: "TIMEOUT", message: /OIDC_CALLBACK did not return within 1 ms/ },
    );
    assert.equal(callbackSignal?.aborted, true);
  });

  it("with less time left than its own budget: told that time, and ended by the clock that has it", async () => {
    const step = new AbortController();
    const told: number[] = [];
    const call = invokeCallback(
      (params) => {
        told.push(params.timeoutMS ?? NaN);
        return new Promise(() => {});
      },
      {},
      { name: "OIDC_CALLBACK", timeoutMs: 60_000, signal: step.signal, timeLeft: 1234.9 },
    );
    step.abort(new MongoAuthError("TIMEOUT", "connecting did not finish within timeoutMS (1235 ms)"));
    await assert.rejects(call, { code: "TIMEOUT", message: /within timeoutMS \(1235 ms\)/ });
    assert.deepEqual(told, [1234]);
    for (const [timeLeft, expected] of [[0.3, 1], [Infinity, 60_000], [90_000, 60_000]]) {
      const result = await invokeCallback(
        (params) => Promise.resolve({ accessToken: `t${params.timeoutMS}` }),
        {},
        { name: "OIDC_CALLBACK", timeoutMs: 60_000, timeLeft },
      );
      assert.equal(result.accessToken, `t${expected}`);
    }
  });
});
