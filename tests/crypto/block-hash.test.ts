// The Merkle–Damgård driver SHA-1 and SHA-256 share: it compresses the whole blocks, then the padded
// tail, from any saved state (HMAC's state after its key block), reads the digest big-endian off the
// state, and wipes its scratch buffers, which held key bytes. The hashes' own vectors are in
// sha1.test.ts and sha256.test.ts; here the driver is watched through a block hash that records its calls.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type BlockHash, hashFrom, wordAt } from "../../src/crypto/block-hash.ts";
import { toHex } from "../../src/crypto/hex.ts";
import { SHA1, sha1 } from "../../src/crypto/sha1.ts";
import { SHA256, sha256 } from "../../src/crypto/sha256.ts";

const bytes = (length: number) => Uint8Array.from({ length }, (_, i) => (i * 13 + 5) & 0xff);

/** A block hash whose compression adds the block's first word to state[0], recording every call. */
function recording(outputLength = 8) {
  const calls: { state: Int32Array; bytes: Uint8Array; offset: number; block: number[] }[] = [];
  const hash: BlockHash = {
    initial: Int32Array.of(0x01020304, -1, 0, 0, 0, 0, 0, 0),
    outputLength,
    compress(state, data, offset) {
      calls.push({ state, bytes: data, offset, block: [...data.subarray(offset, offset + 64)] });
      state[0] = (state[0] + wordAt(data, offset)) | 0;
    },
  };
  return { hash, calls };
}

describe("hashFrom", () => {
  for (const [name, hash, digest] of [["SHA-1", SHA1, sha1], ["SHA-256", SHA256, sha256]] as const) {
    it(`${name}: continues from a saved state, the state after one block, then the rest`, () => {
      const message = Uint8Array.from({ length: 150 }, (_, i) => i);
      const state = hash.initial.slice();
      hash.compress(state, message, 0);
      assert.deepEqual(hashFrom(hash, state, message.subarray(64), 64), digest(message));
    });

    it(`${name}: leaves the saved state and the message as they were`, () => {
      const message = bytes(100);
      const state = hash.initial.slice();
      hash.compress(state, bytes(64), 0);
      const [stateBefore, messageBefore] = [state.slice(), message.slice()];
      hashFrom(hash, state, message, 64);
      assert.deepEqual(state, stateBefore);
      assert.deepEqual(message, messageBefore);
      assert.deepEqual(hash.initial, hash.initial.slice()); // and the initial state is never the working one
      assert.deepEqual(hashFrom(hash, hash.initial, message), digest(message));
      assert.deepEqual(hashFrom(hash, hash.initial, message), digest(message));
    });
  }

  it("compresses each whole block of the message in place, then the padded tail blocks", () => {
    for (
      const [length, tailBlocks] of [[0, 1], [55, 1], [56, 2], [64, 1], [130, 1], [183, 1], [184, 2]] as const
    ) {
      const { hash, calls } = recording();
      const message = bytes(length);
      hashFrom(hash, hash.initial, message);
      const whole = Math.floor(length / 64);
      assert.equal(calls.length, whole + tailBlocks, `${length} bytes`);
      for (let i = 0; i < whole; i++) {
        assert.equal(calls[i].bytes, message, "a whole block is read where it is, not copied");
        assert.equal(calls[i].offset, i * 64);
      }
      const tail = calls.slice(whole);
      assert.deepEqual(tail.map((c) => c.offset), tail.map((_, i) => i * 64));
      assert.deepEqual(tail[0].block.slice(0, length % 64), [...message.subarray(whole * 64)]);
      assert.equal(tail[0].block[length % 64], 0x80);
    }
  });

  it("counts the saved state's bytes in the length the padding ends with", () => {
    const { hash, calls } = recording();
    hashFrom(hash, hash.initial, bytes(3), 64);
    const last = calls.at(-1)!.block;
    assert.deepEqual(last.slice(56), [0, 0, 0, 0, 0, 0, 0x02, 0x18]); // (64 + 3) * 8 = 536 bits
  });

  it("reads the digest big-endian off the first outputLength / 4 words of the state", () => {
    const { hash } = recording(8);
    // An empty message: one tail block, starting 0x80 00 00 00, added to state[0].
    // 0x01020304 + 0x80000000, then -1.
    assert.equal(toHex(hashFrom(hash, hash.initial, new Uint8Array(0))), "81020304ffffffff");
    assert.equal(hashFrom(recording(4).hash, hash.initial, new Uint8Array(0)).length, 4);
  });

  it("writes the digest into the array given, and into a new one otherwise", () => {
    const { hash } = recording(8);
    const out = new Uint8Array(8);
    assert.equal(hashFrom(hash, hash.initial, new Uint8Array(0), 0, out), out);
    assert.equal(toHex(out), "81020304ffffffff");
    const fresh = hashFrom(hash, hash.initial, new Uint8Array(0));
    assert.notEqual(fresh, out);
    assert.deepEqual(fresh, out);
  });

  it("wipes its working state and the padded tail (which held message bytes) before returning", () => {
    const { hash, calls } = recording();
    const key = bytes(50).fill(0xaa);
    hashFrom(hash, hash.initial, key);
    assert.equal(calls.length, 1);
    assert.ok(calls[0].block.includes(0xaa), "the tail held the key");
    assert.ok(calls[0].bytes.every((b) => b === 0), "the tail buffer is zeros");
    assert.ok(calls[0].state.every((w) => w === 0), "the working state is zeros");
  });
});

describe("wordAt", () => {
  it("reads the big-endian 32-bit word at an offset, as a signed integer", () => {
    const data = Uint8Array.of(9, 0x12, 0x34, 0x56, 0x78, 0x80, 0, 0, 1);
    assert.equal(wordAt(data, 1), 0x12345678);
    assert.equal(wordAt(data, 5), -0x7fffffff);
    assert.equal(wordAt(Uint8Array.of(0xff, 0xff, 0xff, 0xff), 0), -1);
  });
});
