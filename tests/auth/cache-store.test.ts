// AuthCacheStore: one scope of cached state per credential (AWS temporary credentials, OIDC tokens),
// shared by every connection of that credential through the same store; at most maxScopes of them.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { AuthCacheStore, parseCredential, ScramKeyCache } from "@mongo-auth/core";

const alice = () => parseCredential("mongodb://alice:pw@db.example.net/")!;
const bob = () => parseCredential("mongodb://bob:pw@db.example.net/")!;
const carol = () => parseCredential("mongodb://carol:pw@db.example.net/")!;

// What scope `credential` reaches: the value `name` holds there, stored now if it holds none.
function held(store: AuthCacheStore, credential: ReturnType<typeof alice>, value: string): string {
  return store.scopeFor(credential).get("name", () => value);
}

describe("AuthCacheStore", () => {
  it("gives the same credential, parsed twice, one scope", () => {
    const store = new AuthCacheStore();
    assert.equal(held(store, alice(), "first"), "first");
    assert.equal(held(store, alice(), "second"), "first");
  });

  it("gives each user a scope of their own", () => {
    const store = new AuthCacheStore();
    held(store, alice(), "alice's");
    assert.equal(held(store, bob(), "bob's"), "bob's");
    assert.equal(held(store, alice(), "again"), "alice's");
  });

  it("tells callbacks apart: another OIDC_CALLBACK is another scope, the same one the same scope", () => {
    const store = new AuthCacheStore();
    const uri = "mongodb://db.example.net/?authMechanism=MONGODB-OIDC";
    const one = () => Promise.resolve({ accessToken: "a" });
    const two = () => Promise.resolve({ accessToken: "b" });
    const withCallback = (callback: typeof one) =>
      parseCredential(uri, { authMechanismProperties: { OIDC_CALLBACK: callback } })!;
    held(store, withCallback(one), "one's");
    assert.equal(held(store, withCallback(two), "two's"), "two's");
    assert.equal(held(store, withCallback(one), "again"), "one's");
  });

  it("drops the oldest scope past maxScopes", () => {
    const store = new AuthCacheStore({ maxScopes: 2 });
    held(store, alice(), "alice's");
    held(store, bob(), "bob's");
    held(store, carol(), "carol's");
    assert.equal(held(store, bob(), "again"), "bob's");
    assert.equal(held(store, alice(), "again"), "again");
  });

  it("gives a scope nothing is asked of no place among the maxScopes (a SCRAM login's)", () => {
    const store = new AuthCacheStore({ maxScopes: 1 });
    held(store, alice(), "alice's");
    const scram = store.scopeFor(bob());
    assert.equal(scram.scramKeys, store.scramKeyCache);
    assert.equal(held(store, alice(), "again"), "alice's");
  });

  it("hands every scope the store's SCRAM key cache", () => {
    const scramKeyCache = new ScramKeyCache();
    const store = new AuthCacheStore({ scramKeyCache });
    assert.equal(store.scopeFor(alice()).scramKeys, scramKeyCache);
    assert.equal(store.scopeFor(bob()).scramKeys, scramKeyCache);
  });
});

describe("AuthCacheStore: options of the wrong type", () => {
  it("are INVALID_OPTION; none (or null) are the defaults", () => {
    assert.ok(new AuthCacheStore(null as never).scramKeyCache instanceof ScramKeyCache);
    assert.throws(() => new AuthCacheStore({ scramKeyCache: new Map() } as never), {
      code: "INVALID_OPTION",
      message: "option scramKeyCache of new AuthCacheStore() must be a ScramKeyCache, got an object",
    });
    assert.throws(() => new AuthCacheStore({ maxScopes: "256" } as never), {
      code: "INVALID_OPTION",
      message: "option maxScopes of new AuthCacheStore() must be a number, got a string",
    });
  });
});
