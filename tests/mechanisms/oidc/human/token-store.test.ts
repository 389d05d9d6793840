// Tokens are stored per identity provider, client and user; what a store hands back is checked, so a
// damaged entry means "signed out", never an error deep inside the sign-in.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  memoryTokenStore,
  storedTokensOf,
  tokenStoreKey,
} from "../../../../src/mechanisms/oidc/human/token-store.ts";

describe("tokenStoreKey", () => {
  it("differs for another issuer, client or user, and holds no secret", () => {
    const keys = new Set([
      tokenStoreKey("https://idp.example", "cli", "ada"),
      tokenStoreKey("https://idp.example", "cli", "bob"),
      tokenStoreKey("https://idp.example", "cli"),
      tokenStoreKey("https://idp.example", "other", "ada"),
      tokenStoreKey("https://other.example", "cli", "ada"),
      // A separator inside a name cannot make two entries one.
      tokenStoreKey("https://idp.example/a", "b", "c"),
      tokenStoreKey("https://idp.example", "a/b", "c"),
    ]);
    assert.equal(keys.size, 7);
  });
});

describe("storedTokensOf", () => {
  it("keeps the known fields of a good entry and drops the rest", () => {
    assert.deepEqual(storedTokensOf({ accessToken: "a", expiresAt: 5, refreshToken: "r", extra: 1 }), {
      accessToken: "a",
      expiresAt: 5,
      refreshToken: "r",
    });
    assert.deepEqual(storedTokensOf({ accessToken: "a", expiresAt: "soon", refreshToken: "" }), {
      accessToken: "a",
    });
  });

  it("reads anything damaged as no entry", () => {
    for (const value of [undefined, null, "a", 1, [], {}, { accessToken: "" }, { accessToken: 7 }]) {
      assert.equal(storedTokensOf(value), undefined, JSON.stringify(value));
    }
  });
});

describe("memoryTokenStore", () => {
  it("stores, hands back, and forgets", async () => {
    const store = memoryTokenStore();
    await store.set("k", { accessToken: "a" });
    assert.deepEqual(await store.get("k"), { accessToken: "a" });
    await store.set("k", undefined);
    assert.equal(await store.get("k"), undefined);
  });
});
