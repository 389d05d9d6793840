// The Merkle–Damgård padding MD5, SHA-1 and SHA-256 share: the message's last partial block, 0x80,
// zeros to 56 mod 64, then the length in bits (little-endian for MD5, big-endian for the SHA family).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { padTail } from "../../src/crypto/md-padding.ts";

// The padding as FIPS 180-4 section 5.1.1 writes it, on the whole message, for comparison.
function reference(message: Uint8Array, littleEndian: boolean, prefixBytes = 0): Uint8Array {
  const total = prefixBytes + message.length;
  const padded = new Uint8Array(Math.ceil((total + 9) / 64) * 64);
  padded.set(message, prefixBytes);
  padded[total] = 0x80;
  new DataView(padded.buffer).setBigUint64(padded.length - 8, BigInt(total) * 8n, littleEndian);
  // The tail: the blocks after the whole blocks of the message itself.
  return padded.subarray(prefixBytes + (message.length - (message.length & 63)));
}

const bytes = (length: number) => Uint8Array.from({ length }, (_, i) => (i * 7 + 1) & 0xff);

describe("padTail", () => {
  it("matches the specified padding for every length around the block boundaries, both byte orders", () => {
    for (const littleEndian of [false, true]) {
      for (const length of [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 1000]) {
        const into = new Uint8Array(128).fill(0xee);
        const filled = padTail(bytes(length), littleEndian, 0, into);
        assert.deepEqual(into.subarray(0, filled), reference(bytes(length), littleEndian), `${length} bytes`);
      }
    }
  });

  it("needs a second block exactly when fewer than 9 bytes are left in the last one", () => {
    const into = new Uint8Array(128);
    assert.equal(padTail(bytes(55), false, 0, into), 64);
    assert.equal(padTail(bytes(56), false, 0, into), 128);
    assert.equal(padTail(bytes(64), false, 0, into), 64);
  });

  it("counts the bytes a saved state already hashed (HMAC's key block) in the length", () => {
    const into = new Uint8Array(128);
    const filled = padTail(bytes(3), false, 64, into);
    assert.equal(filled, 64);
    assert.deepEqual([...into.subarray(56, 64)], [0, 0, 0, 0, 0, 0, 0x02, 0x18]); // 67 bytes: 536 bits
  });

  it("writes lengths past 2^32 bits in both halves", () => {
    const into = new Uint8Array(128);
    // 2^29 + 1 bytes already hashed, then 1 byte: (2^29 + 2) * 8 = 2^32 + 16 bits.
    padTail(bytes(1), false, 2 ** 29 + 1, into);
    assert.deepEqual([...into.subarray(56, 64)], [0, 0, 0, 1, 0, 0, 0, 16]);
    padTail(bytes(1), true, 2 ** 29 + 1, into);
    assert.deepEqual([...into.subarray(56, 64)], [16, 0, 0, 0, 1, 0, 0, 0]);
  });
});
