import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { sha256 } from "../../src/crypto/sha256.ts";
import { toHex } from "../../src/crypto/hex.ts";
import { nistDigestVectors } from "../support/crypto-vectors.ts";

describe("sha256 (synchronous)", () => {
  for (const file of ["nist/SHA256ShortMsg.rsp", "nist/SHA256LongMsg.rsp"]) {
    it(`gives every digest of NIST's ${file}`, () => {
      const vectors = nistDigestVectors(file);
      for (const { bits, message, digest } of vectors) {
        assert.equal(toHex(sha256(message)), digest, `Len = ${bits}`);
      }
      assert.ok(vectors.length >= 64);
    });
  }

  // FIPS 180-2 appendix B examples.
  it("hashes the FIPS 180-2 examples", () => {
    assert.equal(toHex(sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert.equal(
      toHex(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    );
    assert.equal(toHex(sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });

  it("agrees with WebCrypto across the padding boundaries", async () => {
    for (let length = 0; length <= 200; length++) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 13 + length) & 0xff);
      const webCrypto = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
      assert.deepEqual(sha256(bytes), webCrypto, `length ${length}`);
    }
  });

  it("writes the digest into the array given", () => {
    const out = new Uint8Array(32);
    assert.equal(sha256("abc", out), out);
    assert.equal(toHex(out), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it("hashes strings as UTF-8", () => {
    const text = "pâss wörd 😀";
    assert.equal(toHex(sha256(text)), createHash("sha256").update(text, "utf8").digest("hex"));
  });
});
