import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { getMetadata } from "../../../../src/mechanisms/oidc/environments/metadata-request.ts";

describe("metadata requests", () => {
  it("does not follow redirects (a metadata endpoint never redirects)", async () => {
    let init: RequestInit | undefined;
    await getMetadata({
      source: "X",
      endpoint: "http://127.0.0.1:9",
      path: "/",
      headers: {},
      fetch: (_input, i) => ((init = i), Promise.resolve(new Response("ok"))),
    });
    assert.equal(init?.redirect, "manual");
    assert.ok(init?.signal instanceof AbortSignal);
  });

  it("builds the URL from the base (trailing slashes dropped), the path and the given query parameters", async () => {
    let url = "";
    await getMetadata({
      source: "X",
      endpoint: "http://127.0.0.1:9/prefix//",
      path: "/token",
      query: { resource: "api://a b", client_id: undefined },
      headers: {},
      fetch: (input) => ((url = String(input)), Promise.resolve(new Response("ok"))),
    });
    assert.equal(url, "http://127.0.0.1:9/prefix/token?resource=api%3A%2F%2Fa+b");
  });
});
