import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { md5 } from "../../src/crypto/md5.ts";
import { toHex } from "../../src/crypto/hex.ts";

describe("md5", () => {
  // RFC 1321 appendix A.5, the whole test suite.
  const suite: [string, string][] = [
    ["", "d41d8cd98f00b204e9800998ecf8427e"],
    ["a", "0cc175b9c0f1b6a831c399e269772661"],
    ["abc", "900150983cd24fb0d6963f7d28e17f72"],
    ["message digest", "f96b697d7cb7938d525a2f31aaf161d0"],
    ["abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"],
    ["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"],
    ["1234567890".repeat(8), "57edf4a22be3c955ac49da2e2107b67a"],
  ];
  for (const [input, expected] of suite) {
    it(`MD5(${JSON.stringify(input.length > 20 ? input.slice(0, 20) + "…" : input)}) per RFC 1321`, () => {
      assert.equal(toHex(md5(input)), expected);
    });
  }

  it("hashes strings as UTF-8, like bytes", () => {
    const text = "pâss wörd 😀";
    assert.deepEqual(md5(text), md5(new TextEncoder().encode(text)));
    assert.equal(toHex(md5(text)), createHash("md5").update(text, "utf8").digest("hex"));
  });

  it("pads correctly around the 56- and 64-byte block boundaries", () => {
    for (const length of [54, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000]) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 31 + 7) & 0xff);
      assert.equal(toHex(md5(bytes)), createHash("md5").update(bytes).digest("hex"), `length ${length}`);
    }
  });

  it("gives MongoDB's SCRAM-SHA-1 password digest for user/pencil", () => {
    assert.equal(toHex(md5("user:mongo:pencil")), "1c33006ec1ffd90f9cadcbcc0e118200");
  });
});
