import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MongoAuthError, ScramKeyCache, type ScramKeyParams, type ScramKeys } from "@mongo-auth/core";
import { deriveScramKeys } from "../../src/crypto/scram-key-cache.ts";
import { createHash, createHmac, pbkdf2Sync } from "node:crypto";
import { toHex } from "../../src/crypto/hex.ts";
import { decodeBase64 } from "../../src/crypto/base64.ts";

const te = new TextEncoder();

function params(overrides: Partial<ScramKeyParams> = {}): ScramKeyParams {
  return { hash: "SHA-256", password: "pencil", salt: te.encode("salt-1"), iterations: 4096, ...overrides };
}

describe("deriveScramKeys", () => {
  it("derives RFC 5802's ClientKey for user/pencil (SHA-1)", async () => {
    // ClientKey = HMAC(Hi("pencil", salt, 4096), "Client Key"); the proof of RFC 5802's example is
    // ClientKey XOR ClientSignature, checked end to end in tests/mechanisms/scram/client.test.ts.
    const keys = await deriveScramKeys({
      hash: "SHA-1",
      password: "pencil",
      salt: decodeBase64("QSXCR+Q6sek8bf92"),
      iterations: 4096,
    });
    assert.equal(keys.clientKey.length, 20);
    assert.equal(toHex(keys.clientKey), "e234c47bf6c36696dd6d852b99aaa2ba26555728");
  });

  it("derives the keys RFC 5802 defines, as node:crypto computes them (SHA-1 and SHA-256)", async () => {
    for (const [hash, name] of [["SHA-1", "sha1"], ["SHA-256", "sha256"]] as const) {
      const salt = te.encode("salt-of-user");
      const keys = await deriveScramKeys({ hash, password: "pencil", salt, iterations: 4096 });
      const salted = pbkdf2Sync("pencil", salt, 4096, hash === "SHA-1" ? 20 : 32, name);
      const clientKey = createHmac(name, salted).update("Client Key").digest();
      const storedKey = createHash(name).update(clientKey).digest();
      const serverKey = createHmac(name, salted).update("Server Key").digest();
      const authMessage = te.encode("n=user,r=abc,r=abcdef,s=c2FsdA==,i=4096,c=biws,r=abcdef");
      assert.deepEqual(keys.clientKey, new Uint8Array(clientKey), hash);
      assert.deepEqual(
        keys.storedKey.sign(authMessage),
        new Uint8Array(createHmac(name, storedKey).update(authMessage).digest()),
        `${hash}: ClientSignature`,
      );
      assert.deepEqual(
        keys.serverKey.sign(authMessage),
        new Uint8Array(createHmac(name, serverKey).update(authMessage).digest()),
        `${hash}: ServerSignature`,
      );
    }
  });

  it("wipes SaltedPassword as soon as its HMAC states exist", async () => {
    const derived: Uint8Array[] = [];
    const subtle = crypto.subtle as unknown as Record<string, unknown>;
    const original = crypto.subtle.deriveBits;
    Object.defineProperty(subtle, "deriveBits", {
      configurable: true,
      value: async (...args: Parameters<SubtleCrypto["deriveBits"]>) => {
        const bits = await original.apply(crypto.subtle, args);
        derived.push(new Uint8Array(bits));
        return bits;
      },
    });
    try {
      await deriveScramKeys(params());
    } finally {
      delete subtle.deriveBits;
    }
    assert.equal(derived.length, 1, "one PBKDF2 derivation");
    assert.equal(derived[0].length, 32);
    assert.ok(derived[0].every((byte) => byte === 0), "SaltedPassword is all zeros after the derivation");
  });
});

describe("ScramKeyCache", () => {
  it("computes once for 20 concurrent requests of the same credential (single flight)", async () => {
    const cache = new ScramKeyCache();
    const all = await Promise.all(Array.from({ length: 20 }, () => cache.keys(params())));
    assert.equal(cache.computations, 1);
    assert.equal(cache.hits, 19);
    assert.ok(all.every((keys) => keys === all[0]));
    await cache.keys(params());
    assert.equal(cache.computations, 1);
  });

  it("computes again for a different salt, iteration count, hash or password", async () => {
    const cache = new ScramKeyCache();
    await cache.keys(params());
    await cache.keys(params({ salt: te.encode("salt-2") }));
    assert.equal(cache.computations, 2);
    await cache.keys(params({ iterations: 4097 }));
    await cache.keys(params({ hash: "SHA-1" }));
    await cache.keys(params({ password: "pencil2" }));
    assert.equal(cache.computations, 5);
    assert.equal(cache.size, 5);
  });

  it("shares a failing computation with concurrent requests, then drops it so the next request retries", async () => {
    let calls = 0;
    let fail: (err: Error) => void = () => {};
    const cache = new ScramKeyCache({
      derive: (p) => {
        calls++;
        if (calls > 1) return deriveScramKeys(p);
        return new Promise<ScramKeys>((_, reject) => fail = reject);
      },
    });
    const first = cache.keys(params());
    const second = cache.keys(params());
    assert.equal(cache.hits, 1); // the lookup is synchronous: the second request joined the first
    fail(new Error("backend failure"));
    const settled = await Promise.allSettled([first, second]);
    assert.deepEqual(settled.map((r) => r.status), ["rejected", "rejected"]);
    assert.equal(cache.computations, 1);
    assert.equal(cache.size, 0);
    const keys = await cache.keys(params());
    assert.equal(cache.computations, 2);
    assert.equal(await cache.keys(params()), keys);
    assert.equal(cache.computations, 2);
  });

  it("treats a derive that throws synchronously like a rejection", async () => {
    const cache = new ScramKeyCache({
      derive: () => {
        throw new Error("sync failure");
      },
    });
    await assert.rejects(cache.keys(params()), /sync failure/);
    assert.equal(cache.size, 0);
  });

  it("keeps at most maxEntries, dropping the least recently used", async () => {
    const derived: string[] = [];
    const cache = new ScramKeyCache({
      maxEntries: 2,
      derive: (p) => {
        derived.push(p.password);
        return Promise.resolve({} as ScramKeys);
      },
    });
    await cache.keys(params({ password: "a" }));
    await cache.keys(params({ password: "b" }));
    await cache.keys(params({ password: "a" })); // hit: "a" becomes the most recently used
    await cache.keys(params({ password: "c" })); // evicts "b"
    assert.equal(cache.size, 2);
    await cache.keys(params({ password: "a" }));
    await cache.keys(params({ password: "b" }));
    assert.deepEqual(derived, ["a", "b", "c", "b"]);
  });

  it("forgets everything on clear()", async () => {
    const cache = new ScramKeyCache();
    await cache.keys(params());
    cache.clear();
    assert.equal(cache.size, 0);
    await cache.keys(params());
    assert.equal(cache.computations, 2);
  });

  it("rejects a maxEntries that is not a positive integer", () => {
    for (const maxEntries of [0, -1, 1.5, Number.NaN]) {
      assert.throws(() => new ScramKeyCache({ maxEntries }), (err) => {
        assert.ok(err instanceof MongoAuthError);
        assert.equal(err.code, "INVALID_OPTION");
        return true;
      });
    }
  });
});

describe("ScramKeyCache: options of the wrong type", () => {
  it("are INVALID_OPTION; none (or null) are the defaults", () => {
    assert.equal(new ScramKeyCache(null as never).size, 0);
    assert.throws(() => new ScramKeyCache({ derive: "pbkdf2" } as never), {
      code: "INVALID_OPTION",
      message: "option derive of new ScramKeyCache() must be a function",
    });
  });
});
