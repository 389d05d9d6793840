// The sign-in's requests to the identity provider: the one HTTP helper with the sign-in's rules on top
// (plain http only to this machine, OIDC_IDP_UNREACHABLE for an identity provider it cannot reach, a
// bounded answer, nothing sent shown in a message), handed to oauth4webapi as its fetch.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { customFetch } from "oauth4webapi";
import { MongoAuthError } from "@mongo-auth/core";
import type { FetchLike } from "../../../../src/core/runtime-env.ts";
import {
  idpFetch,
  idpRequestOptions,
  isAllowedIdpUrl,
  MAX_IDP_RESPONSE_BYTES,
} from "../../../../src/mechanisms/oidc/human/idp-http.ts";

const FORM = { "content-type": "application/x-www-form-urlencoded;charset=UTF-8" };

function send(fetch: FetchLike, url: string, body?: URLSearchParams, signal = new AbortController().signal) {
  return idpFetch({ fetch, signal, timeoutMs: 1000 })(url, {
    method: body ? "POST" : "GET",
    headers: body ? FORM : {},
    body,
    redirect: "manual",
  });
}

describe("idpFetch", () => {
  it("refuses plain http to another machine before any request: OIDC_DISCOVERY_FAILED", async () => {
    let requests = 0;
    const fetch: FetchLike = () => (requests++, Promise.resolve(new Response("{}")));
    await assert.rejects(send(fetch, "http://idp.example.com/token"), {
      code: "OIDC_DISCOVERY_FAILED",
      message: /http:\/\/idp\.example\.com, which is not https/,
    });
    assert.equal(requests, 0);
    assert.equal((await send(fetch, "http://127.0.0.1:9/token")).status, 200);
    assert.equal((await send(fetch, "https://idp.example.com/token")).status, 200);
    assert.equal(isAllowedIdpUrl(new URL("ftp://127.0.0.1/")), false);
  });

  it("sends the form as oauth4webapi built it, never follows a redirect, and hands back status and body", async () => {
    let seen: { method?: string; body?: string; redirect?: string; type?: string | null } = {};
    const fetch: FetchLike = (_input, init) => {
      seen = {
        method: init?.method,
        body: String(init?.body),
        redirect: init?.redirect,
        type: new Headers(init?.headers).get("content-type"),
      };
      return Promise.resolve(new Response('{"error":"slow_down"}', { status: 400, headers: { "x-a": "b" } }));
    };
    const response = await send(fetch, "https://idp.example/token", new URLSearchParams({ a: "1", b: "2" }));
    assert.deepEqual(seen, {
      method: "POST",
      body: "a=1&b=2",
      redirect: "manual",
      type: FORM["content-type"],
    });
    assert.equal(response.status, 400);
    assert.equal(response.headers.get("x-a"), "b");
    assert.deepEqual(await response.json(), { error: "slow_down" });
  });

  it("an identity provider it cannot reach: OIDC_IDP_UNREACHABLE naming it and what to check, nothing sent shown", async () => {
    const refresh = "rt-9f3k"; // short: only what the request carried can redact it
    const refused: FetchLike = () =>
      Promise.reject(new TypeError("fetch failed", { cause: { message: `reset while sending ${refresh}` } }));
    await assert.rejects(
      send(refused, "https://idp.example/token", new URLSearchParams({ refresh_token: refresh })),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, "OIDC_IDP_UNREACHABLE");
        assert.match(error.message, /^the identity provider at https:\/\/idp\.example is unreachable: /);
        assert.match(error.message, /; check that the issuer the cluster names is right/);
        assert.ok(!error.message.includes(refresh));
        return true;
      },
    );
  });

  it(`an answer larger than ${MAX_IDP_RESPONSE_BYTES} bytes: CREDENTIAL_PROVIDER_ERROR`, async () => {
    const huge: FetchLike = () => Promise.resolve(new Response("x".repeat(MAX_IDP_RESPONSE_BYTES + 1)));
    await assert.rejects(send(huge, "https://idp.example/.well-known/openid-configuration"), {
      code: "CREDENTIAL_PROVIDER_ERROR",
      message: /larger than 1048576 bytes/,
    });
  });

  it("the sign-in's signal: its own error when it carries one, ABORTED otherwise", async () => {
    const hanging: FetchLike = (_input, init) =>
      new Promise((_, reject) => init?.signal?.addEventListener("abort", () => reject(init.signal!.reason)));
    const controller = new AbortController();
    const pending = send(hanging, "https://idp.example/x", undefined, controller.signal);
    controller.abort();
    await assert.rejects(pending, { code: "ABORTED" });
    const budget = new AbortController();
    const timedOut = send(hanging, "https://idp.example/x", undefined, budget.signal);
    const reason = new MongoAuthError("TIMEOUT", "the OIDC sign-in did not finish within 300 ms");
    budget.abort(reason);
    assert.equal(await timedOut.catch((error) => error), reason);
  });

  it("is the fetch of every oauth4webapi call of a sign-in", () => {
    const options = idpRequestOptions({
      fetch: () => Promise.reject(new Error("unused")),
      signal: new AbortController().signal,
      timeoutMs: 1,
    });
    assert.equal(typeof options[customFetch], "function");
  });
});
