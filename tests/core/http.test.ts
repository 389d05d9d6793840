// The one HTTP helper: every request bounded by its own timeout and the caller's signal (told apart by
// one rule), no redirects, a bounded body, and bodies shown in messages only as redacted excerpts.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type HttpRequest,
  httpRequest,
  isLoopbackHost,
  redactedExcerpt,
  statusError,
} from "../../src/core/http.ts";
import type { FetchLike } from "../../src/core/runtime-env.ts";
import { createServer } from "node:http";
import { listenOnLoopback } from "../support/loopback-http.ts";

const JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLWJ5dGVzLWhlcmU";

// A fetch that never answers, but gives up when its signal fires (as fetch does). Like a real socket, it
// keeps the event loop alive meanwhile: Node's AbortSignal.timeout does not.
const hanging: FetchLike = (_input, init) =>
  new Promise((_, reject) => {
    const socket = setInterval(() => {}, 1000);
    init?.signal?.addEventListener("abort", () => {
      clearInterval(socket);
      reject(init.signal!.reason);
    });
  });

function request(fetch: FetchLike, extra: Partial<HttpRequest> = {}): HttpRequest {
  return {
    what: "the stand-in (http://127.0.0.1:9/x)",
    url: "http://127.0.0.1:9/x",
    fetch,
    timeoutMs: 1000,
    failure: "CREDENTIAL_PROVIDER_ERROR",
    ...extra,
  };
}

describe("httpRequest", () => {
  it("reads the whole body and returns any status", async () => {
    const response = await httpRequest(request(() => Promise.resolve(new Response("nope", { status: 404 }))));
    assert.equal(response.status, 404);
    assert.equal(response.text, "nope");
    assert.deepEqual([...response.bytes], [...new TextEncoder().encode("nope")]);
  });

  it("does not follow redirects (a redirect is its status), and hands fetch a signal", async () => {
    let init: RequestInit | undefined;
    await httpRequest(request((_input, i) => ((init = i), Promise.resolve(new Response("ok")))));
    assert.equal(init?.redirect, "manual");
    assert.ok(init?.signal instanceof AbortSignal);
  });

  it("a real redirect is not followed: the caller sees the 3xx", async () => {
    const server = createServer((req, res) => {
      if (req.url === "/moved") res.writeHead(302, { location: "/elsewhere" }).end();
      else res.writeHead(200).end("followed");
    });
    const { url, close } = await listenOnLoopback(server);
    try {
      const response = await httpRequest(
        request((input, init) => fetch(input, init), { url: `${url}/moved` }),
      );
      assert.equal(response.status, 302);
    } finally {
      await close();
    }
  });

  it("its own timeout is the request's failure; the caller's abort is ABORTED; the caller's timeout TIMEOUT", async () => {
    await assert.rejects(httpRequest(request(hanging, { timeoutMs: 20 })), {
      code: "CREDENTIAL_PROVIDER_ERROR",
      message: "the stand-in (http://127.0.0.1:9/x) did not answer within 20 ms",
    });
    await assert.rejects(httpRequest(request(hanging, { timeoutMs: 20, timeoutFailure: "TIMEOUT" })), {
      code: "TIMEOUT",
    });
    const controller = new AbortController();
    const pending = httpRequest(request(hanging, { signal: controller.signal }));
    controller.abort();
    await assert.rejects(pending, {
      code: "ABORTED",
      message: "the stand-in (http://127.0.0.1:9/x) aborted",
    });
    await assert.rejects(
      httpRequest(request(hanging, { signal: AbortSignal.timeout(10), timeoutMs: 60_000 })),
      {
        code: "TIMEOUT",
      },
    );
  });

  it("timeoutMs 0 is no timeout of its own", async () => {
    let seen: AbortSignal | undefined;
    await httpRequest(
      request((_input, i) => ((seen = i?.signal ?? undefined), Promise.resolve(new Response(""))), {
        timeoutMs: 0,
      }),
    );
    assert.equal(seen?.aborted, false);
  });

  it("an unreachable endpoint is the request's failure, with the network's reason", async () => {
    const refused = () => Promise.reject(new TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } }));
    await assert.rejects(httpRequest(request(refused)), {
      code: "CREDENTIAL_PROVIDER_ERROR",
      message: "the stand-in (http://127.0.0.1:9/x) is unreachable: ECONNREFUSED",
    });
  });

  it("reads at most maxBodyBytes, whatever content-length says", async () => {
    const big = () => Promise.resolve(new Response("x".repeat(100)));
    await assert.rejects(httpRequest(request(big, { maxBodyBytes: 10, failure: "DNS_ERROR" })), {
      code: "DNS_ERROR",
      message: /the answer is larger than 10 bytes/,
    });
  });

  it("unreachableFailure codes a network failure and its own timeout, not an answer too large", async () => {
    const refused = () => Promise.reject(new TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } }));
    const big = () => Promise.resolve(new Response("x".repeat(100)));
    const idp = { unreachableFailure: "OIDC_IDP_UNREACHABLE", remedy: "check the network" } as const;
    await assert.rejects(httpRequest(request(refused, idp)), {
      code: "OIDC_IDP_UNREACHABLE",
      message: "the stand-in (http://127.0.0.1:9/x) is unreachable: ECONNREFUSED; check the network",
    });
    await assert.rejects(httpRequest(request(hanging, { ...idp, timeoutMs: 20 })), {
      code: "OIDC_IDP_UNREACHABLE",
      message: "the stand-in (http://127.0.0.1:9/x) did not answer within 20 ms; check the network",
    });
    await assert.rejects(httpRequest(request(big, { ...idp, maxBodyBytes: 10 })), {
      code: "CREDENTIAL_PROVIDER_ERROR",
      message: "the stand-in (http://127.0.0.1:9/x): the answer is larger than 10 bytes; check the network",
    });
  });
});

describe("isLoopbackHost", () => {
  it("is true for this machine only: localhost, 127.0.0.0/8 and [::1]", () => {
    for (
      const url of ["http://localhost:1/", "http://127.0.0.1/", "http://127.1.2.3:8/", "http://[::1]:9/"]
    ) {
      assert.equal(isLoopbackHost(new URL(url).hostname), true, url);
    }
    for (
      const url of [
        "http://10.0.0.1/",
        "http://127.0.0.1.example.com/",
        "http://[::2]/",
        "http://idp.example/",
      ]
    ) {
      assert.equal(isLoopbackHost(new URL(url).hostname), false, url);
    }
  });
});

describe("statusError", () => {
  it("names the status, a detail, and a redacted excerpt that never shows what the request carried", async () => {
    const echo: FetchLike = (_input, init) =>
      Promise.resolve(
        new Response(
          `denied for ${new Headers(init?.headers).get("authorization")} and ${String(init?.body)}`,
          {
            status: 403,
          },
        ),
      );
    const sent = request(echo, {
      method: "POST",
      headers: { Authorization: "tok-1" },
      body: new URLSearchParams({ Token: "a/b+c" }).toString(),
      secrets: ["tok-1", "a/b+c"],
    });
    const err = statusError(await httpRequest(sent), sent, "AccessDenied");
    assert.equal(err.code, "CREDENTIAL_PROVIDER_ERROR");
    assert.equal(
      err.message,
      "the stand-in (http://127.0.0.1:9/x) answered HTTP 403 (AccessDenied): denied for [redacted] and Token=[redacted]",
    );
  });

  it("says so when the body is empty", async () => {
    const sent = request(() => Promise.resolve(new Response(null, { status: 500 })));
    assert.match(statusError(await httpRequest(sent), sent).message, /answered HTTP 500: \(empty body\)$/);
  });
});

describe("redactedExcerpt", () => {
  it("redacts JWTs, token fields and long opaque strings", () => {
    assert.equal(redactedExcerpt(`bad token ${JWT} here`), "bad token [redacted] here");
    assert.equal(redactedExcerpt('{"refresh_token":"abc","x":1}'), '{"refresh_token":[redacted],"x":1}');
    assert.equal(redactedExcerpt("accessToken=abc123 done"), "accessToken=[redacted] done");
    assert.equal(redactedExcerpt("key AKIAABCDEFGHIJKLMNOPQRSTUVWX end"), "key [redacted] end");
    assert.equal(redactedExcerpt("Resource not found"), "Resource not found");
  });

  it("shortens long bodies", () => {
    const excerpt = redactedExcerpt("error ".repeat(100));
    assert.ok(excerpt.length <= 201);
    assert.ok(excerpt.endsWith("…"));
  });
});
