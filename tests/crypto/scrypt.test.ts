// scrypt (src/crypto/scrypt.ts) against RFC 7914's test vectors (section 12), which Python's hashlib.scrypt
// (OpenSSL's) gives too; that it decrypts `openssl pkcs8 -scrypt` keys is tests/crypto/encrypted-private-key.test.ts.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { scrypt } from "../../src/crypto/scrypt.ts";
import { toHex } from "../../src/crypto/hex.ts";

const encode = (text: string) => new TextEncoder().encode(text);

describe("scrypt", () => {
  it("gives RFC 7914's vectors", async () => {
    const vectors: [string, string, number, number, number, string][] = [
      [
        "",
        "",
        16,
        1,
        1,
        "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906",
      ],
      [
        "password",
        "NaCl",
        1024,
        8,
        16,
        "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640",
      ],
      [
        "pleaseletmein",
        "SodiumChloride",
        16384,
        8,
        1,
        "7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887",
      ],
    ];
    for (const [password, salt, cost, blockSize, parallelization, expected] of vectors) {
      const key = await scrypt(encode(password), encode(salt), { cost, blockSize, parallelization }, 64);
      assert.equal(toHex(key), expected, `${password} / ${salt}`);
    }
  });

  it("refuses an N that is not a power of 2 above 1, and r or p below 1, with a RangeError", async () => {
    for (const [cost, blockSize, parallelization] of [[1, 8, 1], [1000, 8, 1], [16, 0, 1], [16, 8, 0]]) {
      await assert.rejects(
        scrypt(encode("pw"), encode("salt"), { cost, blockSize, parallelization }, 32),
        RangeError,
      );
    }
  });
});
