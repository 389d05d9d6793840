import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { sha1 } from "../../src/crypto/sha1.ts";
import { toHex } from "../../src/crypto/hex.ts";
import { nistDigestVectors } from "../support/crypto-vectors.ts";

describe("sha1 (synchronous)", () => {
  for (const file of ["nist/SHA1ShortMsg.rsp", "nist/SHA1LongMsg.rsp"]) {
    it(`gives every digest of NIST's ${file}`, () => {
      const vectors = nistDigestVectors(file);
      for (const { bits, message, digest } of vectors) {
        assert.equal(toHex(sha1(message)), digest, `Len = ${bits}`);
      }
      assert.ok(vectors.length >= 64);
    });
  }

  it("hashes the FIPS 180-2 examples", () => {
    assert.equal(toHex(sha1("abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
    assert.equal(
      toHex(sha1("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
      "84983e441c3bd26ebaae4aa1f95129e5e54670f1",
    );
  });

  it("agrees with node:crypto across the padding boundaries", () => {
    for (let length = 0; length <= 200; length++) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 13 + length) & 0xff);
      assert.equal(toHex(sha1(bytes)), createHash("sha1").update(bytes).digest("hex"), `length ${length}`);
    }
  });

  it("hashes strings as UTF-8", () => {
    const text = "pâss wörd 😀";
    assert.equal(toHex(sha1(text)), createHash("sha1").update(text, "utf8").digest("hex"));
  });

  it("hashes a subarray view, not its whole buffer", () => {
    const buffer = new TextEncoder().encode("xxabcxx");
    assert.deepEqual(sha1(buffer.subarray(2, 5)), sha1("abc"));
  });
});
