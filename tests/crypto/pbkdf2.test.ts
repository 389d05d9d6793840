import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { pbkdf2 } from "../../src/crypto/pbkdf2.ts";
import { toHex } from "../../src/crypto/hex.ts";

const te = new TextEncoder();

describe("pbkdf2", () => {
  // RFC 6070 (PBKDF2-HMAC-SHA1) and RFC 7914 section 11 (PBKDF2-HMAC-SHA256). RFC 6070's 16777216
  // iteration case is left out for its running time; 4096 iterations cover the SCRAM minimum.
  const vectors = [
    {
      hash: "SHA-1",
      p: "password",
      s: "salt",
      c: 1,
      len: 20,
      dk: "0c60c80f961f0e71f3a9b524af6012062fe037a6",
    },
    {
      hash: "SHA-1",
      p: "password",
      s: "salt",
      c: 2,
      len: 20,
      dk: "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957",
    },
    {
      hash: "SHA-1",
      p: "password",
      s: "salt",
      c: 4096,
      len: 20,
      dk: "4b007901b765489abead49d926f721d065a429c1",
    },
    {
      hash: "SHA-1",
      p: "passwordPASSWORDpassword",
      s: "saltSALTsaltSALTsaltSALTsaltSALTsalt",
      c: 4096,
      len: 25,
      dk: "3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038",
    },
    { hash: "SHA-1", p: "pass\0word", s: "sa\0lt", c: 4096, len: 16, dk: "56fa6aa75548099dcc37d7f03425e0c3" },
    {
      hash: "SHA-256",
      p: "passwd",
      s: "salt",
      c: 1,
      len: 64,
      dk: "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc" +
        "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783",
    },
    // PBKDF2-HMAC-SHA512, the vector published beside RFC 6070's (an encrypted private key's PBES2 may use
    // it).
    {
      hash: "SHA-512",
      p: "password",
      s: "salt",
      c: 1,
      len: 64,
      dk: "867f70cf1ade02cff3752599a3a53dc4af34c7a669815ae5d513554e1c8cf252" +
        "c02d470a285a0501bad999bfe943c08f050235d7d68b1da55e63f73b60a57fce",
    },
  ] as const;

  for (const { hash, p, s, c, len, dk } of vectors) {
    it(`${hash}, ${JSON.stringify(p)}, ${c} iterations, ${len} bytes`, async () => {
      assert.equal(toHex(await pbkdf2(hash, te.encode(p), te.encode(s), c, len)), dk);
    });
  }

  it("defaults the output length to the hash length, as SCRAM's Hi() needs", async () => {
    assert.equal((await pbkdf2("SHA-1", te.encode("p"), te.encode("s"), 1)).length, 20);
    assert.equal((await pbkdf2("SHA-256", te.encode("p"), te.encode("s"), 1)).length, 32);
    assert.equal((await pbkdf2("SHA-384", te.encode("p"), te.encode("s"), 1)).length, 48);
    assert.equal((await pbkdf2("SHA-512", te.encode("p"), te.encode("s"), 1)).length, 64);
  });
});
