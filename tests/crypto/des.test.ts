// DES and triple DES decryption in CBC mode (src/crypto/des.ts): FIPS 46-3's worked example, and vectors
// OpenSSL made (`openssl enc -des-ede3-cbc|-des-ede-cbc|-des-cbc -nopad -K … -iv …`, the last with its
// legacy provider), one of them long enough for two batches of 32 blocks.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { desCbcDecrypt } from "../../src/crypto/des.ts";

const hex = (text: string) => Uint8Array.from(text.match(/../g)!, (byte) => parseInt(byte, 16));
const ascii = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const FOX = "The quick brown fox jumps over t";
const IV = hex("f69f2445df4f9b17");
const THREE_KEYS = hex("0123456789abcdef23456789abcdef01456789abcdef0123");

describe("desCbcDecrypt", () => {
  it("single DES: FIPS 46-3's example (133457799BBCDFF1: 85E813540F0AB405 is 0123456789ABCDEF), and CBC", () => {
    const block = desCbcDecrypt(hex("133457799bbcdff1"), new Uint8Array(8), hex("85e813540f0ab405"));
    assert.deepEqual(block, hex("0123456789abcdef"));
    const cbc = hex("da18e1803fa28505e7d8ae63dc4d8adb837862550ab506d0de15ff1ed6508948");
    assert.equal(ascii(desCbcDecrypt(hex("0e329232ea6d0d73"), hex("0011223344556677"), cbc)), FOX);
  });

  it("triple DES with three keys (24 bytes) and with two (16: the first again as the third)", () => {
    const three = hex("63693c3d378a862f8051ae7c2934a296aa6c3102b6e5b79eff6819426963a4c2");
    assert.equal(ascii(desCbcDecrypt(THREE_KEYS, IV, three)), FOX);
    const two = hex("9aa8a4d461dd682ac944fb2e0e94f278795b15e0799413271ff8cd5622d341aa");
    assert.equal(ascii(desCbcDecrypt(THREE_KEYS.subarray(0, 16), IV, two)), FOX);
  });

  it("40 blocks: two batches, each block chained to the one before across them", () => {
    const data = hex(
      "65990b6fb5ca03bd73554048138cd4babfb2ead94a60ae1632102e667ab3502cae862053f10a201c9fd7932da171c4db" +
        "2daa26fb5cbd272621ea64992c5855872a9c64ef8fd0ee1c00d33858b4246805531eb02c4972cf3b8c01baa462b18a2b" +
        "659b6fcc83460210a2a2f8fe9470012a4c39bb975cb65890b466a916d9f885834305e53d194f1ea8046fbbf797311790" +
        "9240ee668577106ddfdf605c853a8215a32b1f415aed3bc838b68906021ec1cd7e2da770eb5dca7997073aa15d0436ac" +
        "93ac4b5dfbccbff6e3db9bfd8e1dea06309e4378bcb58f0cfeed2a5fb4b38a8cf1577e0f7999f072fd709d71099bd4a6" +
        "ae3ca5d5a989ad805dbe0f2a81fc9c504961137781a29751bba29049262bf387c311f9c035438f043fc2b513fd45a028" +
        "f870df3fef9b5da6ed7a8aa662c72b1ff387ef304d1b9204247cd807ae0d74ca",
    );
    const expected = Uint8Array.from({ length: 320 }, (_, i) => (i * 7 + 3) & 0xff);
    assert.deepEqual(desCbcDecrypt(THREE_KEYS, IV, data), expected);
  });

  it("ignores the parity bits of the key, as DES does", () => {
    const cbc = hex("da18e1803fa28505e7d8ae63dc4d8adb837862550ab506d0de15ff1ed6508948");
    const flipped = hex("0e329232ea6d0d73").map((byte) => byte ^ 1);
    assert.equal(ascii(desCbcDecrypt(flipped, hex("0011223344556677"), cbc)), FOX);
  });

  it("no data is no data; a key, IV or data of the wrong length is a RangeError", () => {
    assert.deepEqual(desCbcDecrypt(THREE_KEYS, IV, new Uint8Array(0)), new Uint8Array(0));
    assert.throws(() => desCbcDecrypt(new Uint8Array(12), IV, new Uint8Array(8)), RangeError);
    assert.throws(() => desCbcDecrypt(THREE_KEYS, new Uint8Array(16), new Uint8Array(8)), RangeError);
    assert.throws(() => desCbcDecrypt(THREE_KEYS, IV, new Uint8Array(12)), RangeError);
  });
});
