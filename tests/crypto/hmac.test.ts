import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { hmac, importHmacKey } from "../../src/crypto/hmac.ts";
import { toHex } from "../../src/crypto/hex.ts";

const te = new TextEncoder();

describe("hmac", () => {
  // RFC 2202 (HMAC-SHA-1) and RFC 4231 (HMAC-SHA-256), test cases 1 and 2.
  const cases = [
    {
      hash: "SHA-1",
      key: new Uint8Array(20).fill(0x0b),
      data: "Hi There",
      mac: "b617318655057264e28bc0b6fb378c8ef146be00",
    },
    {
      hash: "SHA-256",
      key: new Uint8Array(20).fill(0x0b),
      data: "Hi There",
      mac: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
    },
    {
      hash: "SHA-1",
      key: te.encode("Jefe"),
      data: "what do ya want for nothing?",
      mac: "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
    },
    {
      hash: "SHA-256",
      key: te.encode("Jefe"),
      data: "what do ya want for nothing?",
      mac: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    },
  ] as const;

  for (const { hash, key, data, mac } of cases) {
    it(`matches the RFC vector for ${hash} with a ${key.length}-byte key`, async () => {
      assert.equal(toHex(await hmac(await importHmacKey(hash, key), te.encode(data))), mac);
    });
  }

  it("reuses one imported key for many messages", async () => {
    const key = await importHmacKey("SHA-1", te.encode("Jefe"));
    const first = await hmac(key, te.encode("what do ya want for nothing?"));
    const second = await hmac(key, te.encode("what do ya want for nothing?"));
    assert.deepEqual(first, second);
    assert.equal(key.extractable, false);
  });
});
