// OpenID Connect discovery of the issuer the server names: only an https issuer (or one on this
// machine), and only a document that names that very issuer.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { MongoAuthError } from "@mongo-auth/core";
import { discover } from "../../../../src/mechanisms/oidc/human/discovery.ts";
import { idpRequestOptions } from "../../../../src/mechanisms/oidc/human/idp-http.ts";
import type { FetchLike } from "../../../../src/core/runtime-env.ts";

function http(fetch: FetchLike) {
  return idpRequestOptions({ fetch, signal: new AbortController().signal, timeoutMs: 1000 });
}

const json = (body: unknown, status = 200) =>
  Promise.resolve(
    new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } }),
  );

describe("discover", () => {
  it("fetches <issuer>/.well-known/openid-configuration and returns the metadata", async () => {
    const asked: string[] = [];
    const fetch: FetchLike = (input) => {
      asked.push(String(input));
      return json({ issuer: "https://idp.example/tenant", token_endpoint: "https://idp.example/token" });
    };
    const as = await discover("https://idp.example/tenant", http(fetch));
    assert.deepEqual(asked, ["https://idp.example/tenant/.well-known/openid-configuration"]);
    assert.equal(as.token_endpoint, "https://idp.example/token");
  });

  it("refuses an issuer that is not a URL, or not https off this machine, before any request", async () => {
    let requests = 0;
    const fetch: FetchLike = () => (requests++, json({}));
    for (
      const [issuer, why] of [["idp.example", /not a URL/], ["http://idp.example", /not https/]] as const
    ) {
      await assert.rejects(discover(issuer, http(fetch)), (error: MongoAuthError) => {
        assert.equal(error.code, "OIDC_DISCOVERY_FAILED");
        assert.match(error.message, why);
        assert.match(error.message, /check the issuer in the cluster's OIDC identity provider configuration/);
        return true;
      });
    }
    assert.equal(requests, 0);
  });

  it("a document for another issuer, or an error status: OIDC_DISCOVERY_FAILED saying which", async () => {
    await assert.rejects(
      discover("https://idp.example", http(() => json({ issuer: "https://evil.example" }))),
      {
        code: "OIDC_DISCOVERY_FAILED",
      },
    );
    await assert.rejects(discover("https://idp.example", http(() => json({ error: "nope" }, 500))), {
      code: "OIDC_DISCOVERY_FAILED",
      message: /HTTP 500/,
    });
  });
});
