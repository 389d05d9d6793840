import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MongoAuthError, ScramKeyCache, type ScramKeyParams, type ScramKeys } from "@mongo-auth/core";
import { deriveScramKeys } from "../../src/crypto/scram-key-cache.ts";
import { toHex } from "../../src/crypto/hex.ts";
import { decodeBase64 } from "../../src/crypto/base64.ts";

const te = new TextEncoder();

function params(overrides: Partial<ScramKeyParams> = {}): ScramKeyParams {
  return { hash: "SHA-256", password: "pencil", salt: te.encode("salt-1"), iterations: 4096, ...overrides };
}

describe("deriveScramKeys", () => {
  it("derives RFC 5802's ClientKey for user/pencil (SHA-1)", async () => {
    // ClientKey = HMAC(Hi("pencil", salt, 4096), "Client Key"); the proof of RFC 5802's example is
    // ClientKey XOR ClientSignature, checked end to end in tests/scram.test.ts.
    const keys = await deriveScramKeys({
      hash: "SHA-1",
      password: "pencil",
      salt: decodeBase64("QSXCR+Q6sek8bf92"),
      iterations: 4096,
    });
    assert.equal(keys.clientKey.length, 20);
    assert.equal(toHex(keys.clientKey), "e234c47bf6c36696dd6d852b99aaa2ba26555728");
    assert.equal(keys.storedKey.extractable, false);
    assert.equal(keys.serverKey.extractable, false);
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
