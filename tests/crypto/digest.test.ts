import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { blockHash, digest, HASH_LENGTH, isScramHash } from "../../src/crypto/digest.ts";
import { toHex } from "../../src/crypto/hex.ts";

const te = new TextEncoder();

describe("isScramHash", () => {
  it("is true for the two names SCRAM signs with, spelt exactly, and nothing else", () => {
    assert.equal(isScramHash("SHA-1"), true);
    assert.equal(isScramHash("SHA-256"), true);
    for (const other of ["sha-256", "SHA256", "MD5", "SHA-512", "", undefined, null, 256]) {
      assert.equal(isScramHash(other), false, String(other));
    }
  });
});

describe("digest", () => {
  // FIPS 180-2 appendix examples.
  it("hashes 'abc' with SHA-1 and SHA-256, synchronously", () => {
    assert.equal(toHex(digest("SHA-1", te.encode("abc"))), "a9993e364706816aba3e25717850c26c9cd0d89d");
    assert.equal(
      toHex(digest("SHA-256", te.encode("abc"))),
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });

  it("returns HASH_LENGTH bytes, the block hash's output length", () => {
    for (const hash of ["SHA-1", "SHA-256"] as const) {
      assert.equal(digest(hash, new Uint8Array()).length, HASH_LENGTH[hash]);
      assert.equal(blockHash(hash).outputLength, HASH_LENGTH[hash]);
    }
  });

  it("agrees with WebCrypto's digest", async () => {
    for (const hash of ["SHA-1", "SHA-256"] as const) {
      for (const length of [0, 1, 55, 56, 63, 64, 65, 200]) {
        const bytes = Uint8Array.from({ length }, (_, i) => (i * 7 + 3) & 0xff);
        const webCrypto = new Uint8Array(await crypto.subtle.digest(hash, bytes));
        assert.deepEqual(digest(hash, bytes), webCrypto, `${hash}, ${length} bytes`);
      }
    }
  });

  it("hashes a subarray view, not its whole buffer", () => {
    const buffer = te.encode("xxabcxx");
    assert.deepEqual(digest("SHA-1", buffer.subarray(2, 5)), digest("SHA-1", te.encode("abc")));
  });
});
