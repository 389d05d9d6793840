import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { digest, HASH_LENGTH } from "../../src/crypto/digest.ts";
import { toHex } from "../../src/crypto/hex.ts";

const te = new TextEncoder();

describe("digest", () => {
  // FIPS 180-2 appendix examples.
  it("hashes 'abc' with SHA-1 and SHA-256", async () => {
    assert.equal(toHex(await digest("SHA-1", te.encode("abc"))), "a9993e364706816aba3e25717850c26c9cd0d89d");
    assert.equal(
      toHex(await digest("SHA-256", te.encode("abc"))),
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });

  it("returns HASH_LENGTH bytes for the empty message", async () => {
    for (const hash of ["SHA-1", "SHA-256"] as const) {
      assert.equal((await digest(hash, new Uint8Array())).length, HASH_LENGTH[hash]);
    }
  });

  it("hashes a subarray view, not its whole buffer", async () => {
    const buffer = te.encode("xxabcxx");
    assert.deepEqual(await digest("SHA-1", buffer.subarray(2, 5)), await digest("SHA-1", te.encode("abc")));
  });
});
