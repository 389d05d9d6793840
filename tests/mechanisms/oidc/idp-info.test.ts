// The identity provider information a server sends in the human flow's first step.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseIdpInfo } from "../../../src/mechanisms/oidc/idp-info.ts";

describe("parseIdpInfo", () => {
  it("accepts issuer, clientId and optional requestScopes", () => {
    assert.deepEqual(parseIdpInfo({ issuer: "https://i", clientId: "c" }), {
      issuer: "https://i",
      clientId: "c",
    });
    assert.deepEqual(parseIdpInfo({ issuer: "https://i", clientId: "c", requestScopes: ["a", "b"], x: 1 }), {
      issuer: "https://i",
      clientId: "c",
      requestScopes: ["a", "b"],
    });
  });

  it("accepts IdP information without clientId (an IdP for machines only: prose test 1.8)", () => {
    assert.deepEqual(parseIdpInfo({ issuer: "https://i" }), { issuer: "https://i" });
    assert.deepEqual(parseIdpInfo({ issuer: "https://i", requestScopes: ["a"] }), {
      issuer: "https://i",
      requestScopes: ["a"],
    });
  });

  it("refuses missing or mistyped fields as a protocol error", () => {
    for (
      const doc of [{}, { clientId: "c" }, { issuer: 1, clientId: "c" }, { issuer: "i", clientId: 1 }, {
        issuer: "i",
        clientId: "",
      }, {
        issuer: "i",
        clientId: "c",
        requestScopes: "a",
      }, { issuer: "i", clientId: "c", requestScopes: [1] }]
    ) {
      assert.throws(() => parseIdpInfo(doc), { code: "PROTOCOL_ERROR" });
    }
  });
});
