import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { getMetadata } from "../../../../src/mechanisms/oidc/environments/metadata-request.ts";

describe("metadata requests", () => {
  it("does not follow redirects (a metadata endpoint never redirects)", async () => {
    let init: RequestInit | undefined;
    await getMetadata({
      source: "X",
      url: new URL("http://127.0.0.1:9/"),
      headers: {},
      fetch: (_input, i) => ((init = i), Promise.resolve(new Response("ok"))),
      timeoutMs: 1000,
    });
    assert.equal(init?.redirect, "manual");
    assert.ok(init?.signal instanceof AbortSignal);
  });
});
