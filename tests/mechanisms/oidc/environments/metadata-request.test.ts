import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  getMetadata,
  redactedExcerpt,
} from "../../../../src/mechanisms/oidc/environments/metadata-request.ts";

const JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLWJ5dGVzLWhlcmU";

describe("metadata requests", () => {
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

  it("does not follow redirects (a metadata endpoint never redirects)", async () => {
    let init: RequestInit | undefined;
    await getMetadata({
      source: "X",
      url: new URL("http://127.0.0.1:9/"),
      headers: {},
      fetch: (_input, i) => ((init = i), Promise.resolve(new Response("ok"))),
      timeoutMs: 1000,
    });
    assert.equal(init?.redirect, "error");
    assert.ok(init?.signal instanceof AbortSignal);
  });
});
