// Snappy's raw format, as MongoDB's wire compression uses it (compressor 1): our compressor and our
// uncompressor against Google's format as the `snappy` package (the official driver's) implements it,
// the format's elements byte by byte, and every way compressed data can lie.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { compressSync, uncompressSync } from "snappy";
import { maxCompressedLength, snappyCompress, snappyUncompress } from "../../src/wire/snappy.ts";
import { Prng } from "../hardening/fuzz.ts";

const text = (s: string) => new TextEncoder().encode(s);

/** Google's uncompress. Bun hands back an empty result from a native module as a detached buffer. */
function theirUncompress(data: Uint8Array): Uint8Array {
  const out = uncompressSync(data) as Uint8Array;
  return out.byteLength === 0 ? new Uint8Array() : new Uint8Array(out);
}

/** Inputs that reach each of the compressor's paths: margins, blocks, long and far matches, literal sizes. */
function corpus(): { name: string; bytes: Uint8Array }[] {
  const rng = new Prng(0x5_1a99);
  const random = (n: number) => rng.bytes(n);
  const documents = text(JSON.stringify(
    Array.from(
      { length: 3000 },
      (_, i) => ({ _id: i, user: `user${i % 17}`, roles: ["read"], ok: i % 3 === 0 }),
    ),
  ));
  const farRepeat = new Uint8Array(10_000);
  farRepeat.set(random(100), 0);
  farRepeat.set(farRepeat.subarray(0, 100), 5000); // a match 5000 bytes back: a two-byte offset
  return [
    { name: "empty", bytes: new Uint8Array() },
    { name: "one byte", bytes: text("x") },
    { name: "14 bytes (below the input margin)", bytes: text("abcdabcdabcdab") },
    { name: "15 bytes", bytes: text("abcdabcdabcdabc") },
    { name: "16 equal bytes", bytes: new Uint8Array(16).fill(97) },
    {
      name: "a run of one byte, 200 000 long (overlapping copies, split at 64)",
      bytes: new Uint8Array(200_000),
    },
    { name: "random, 70 000 bytes (literals with 2- and 3-byte lengths)", bytes: random(70_000) },
    { name: "random, 61 bytes (a 1-byte literal length)", bytes: random(61) },
    { name: "JSON documents, past one 64 KiB block", bytes: documents },
    { name: "a match 5000 bytes back", bytes: farRepeat },
    {
      name: "short matches 3000 bytes back (beyond a one-byte-offset copy)",
      bytes: shortMatchesFarBack(rng),
    },
    { name: "a 65 536-byte block boundary inside a run", bytes: new Uint8Array(65_536 + 67).fill(1) },
    { name: "matches of 65, 66, 67 and 68 bytes", bytes: matchesOfLength([65, 66, 67, 68, 4, 11, 12]) },
  ];
}

function shortMatchesFarBack(rng: Prng): Uint8Array {
  const head = rng.bytes(3000);
  const parts: number[] = [...head];
  for (let k = 0; k < 50; k++) parts.push(...head.subarray(k * 50, k * 50 + 8), ...rng.bytes(3));
  return Uint8Array.from(parts);
}

function matchesOfLength(lengths: number[]): Uint8Array {
  const parts: number[] = [];
  const rng = new Prng(7);
  for (const length of lengths) {
    const chunk = [...rng.bytes(length)];
    parts.push(...chunk, ...rng.bytes(8), ...chunk, ...rng.bytes(8));
  }
  return Uint8Array.from(parts);
}

describe("snappyCompress", () => {
  it("produces what Google's snappy uncompresses to the input, for every kind of input", () => {
    for (const { name, bytes } of corpus()) {
      const compressed = snappyCompress(bytes);
      assert.deepEqual(theirUncompress(compressed), bytes, name);
    }
  });

  it("compresses as well as Google's snappy does (within 2 %), and never beyond maxCompressedLength", () => {
    for (const { name, bytes } of corpus()) {
      const ours = snappyCompress(bytes).length;
      const theirs = compressSync(bytes).length;
      assert.ok(ours <= theirs * 1.02 + 4, `${name}: ${ours} bytes against ${theirs}`);
      assert.ok(ours <= maxCompressedLength(bytes.length), name);
    }
    const documents = corpus().find((c) => c.name.startsWith("JSON"))!.bytes;
    assert.ok(snappyCompress(documents).length < documents.length / 4);
  });

  it("starts with the length as a varint preamble", () => {
    assert.deepEqual([...snappyCompress(new Uint8Array(300)).subarray(0, 2)], [0xac, 0x02]);
    assert.deepEqual([...snappyCompress(text("hi"))], [2, 0x04, 0x68, 0x69]);
  });
});

describe("snappyUncompress", () => {
  it("reads what Google's snappy compresses, for every kind of input", () => {
    for (const { name, bytes } of corpus()) {
      const compressed = new Uint8Array(compressSync(bytes));
      assert.deepEqual(snappyUncompress(compressed, bytes.length), bytes, name);
    }
  });

  it("reads each element of the format: literal lengths in 0 to 4 extra bytes, copies with 1, 2 and 4-byte offsets", () => {
    // Literals: length-1 in the tag (< 60), or in 1, 2, 3 or 4 bytes after tags 60, 61, 62, 63.
    assert.deepEqual(snappyUncompress(Uint8Array.of(1, 0x00, 0x61), 1), text("a"));
    for (
      const [tag, lengthBytes] of [[60, [2]], [61, [2, 0]], [62, [2, 0, 0]], [63, [2, 0, 0, 0]]] as const
    ) {
      const data = Uint8Array.of(3, tag << 2, ...lengthBytes, 0x61, 0x62, 0x63);
      assert.deepEqual(snappyUncompress(data, 3), text("abc"), `literal tag ${tag}`);
    }
    // "abcd", then 8 bytes from 4 back: a one-byte offset (kind 1), a two-byte (2), a four-byte (3).
    const abcd = [0x0c, 0x61, 0x62, 0x63, 0x64];
    const copies = [[0x01 | (4 << 2), 4], [0x02 | (7 << 2), 4, 0], [0x03 | (7 << 2), 4, 0, 0, 0]];
    for (const copy of copies) {
      assert.deepEqual(snappyUncompress(Uint8Array.of(12, ...abcd, ...copy), 12), text("abcdabcdabcd"));
    }
    // A copy that overlaps what it writes repeats it: one byte, then 9 more from 1 back.
    assert.deepEqual(
      snappyUncompress(Uint8Array.of(10, 0x00, 0x7a, 0x01 | (5 << 2), 1), 10),
      text("z".repeat(10)),
    );
  });

  it("refuses data whose preamble is missing, longer than 32 bits, or not the length the message declares", () => {
    assert.throws(() => snappyUncompress(new Uint8Array(), 0), /preamble is cut short/);
    assert.throws(() => snappyUncompress(Uint8Array.of(0x80), 0), /preamble is cut short/);
    assert.throws(
      () => snappyUncompress(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0x01), 0),
      /not a 32-bit/,
    );
    assert.throws(() => snappyUncompress(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x1f), 0), /not a 32-bit/);
    assert.throws(() => snappyUncompress(Uint8Array.of(3, 0x08, 0x61, 0x62, 0x63), 4), {
      name: "RangeError",
      message: "its preamble declares 3 bytes, the message 4",
    });
  });

  it("refuses every literal and copy that reaches outside the data or the declared length", () => {
    const refusals: [string, number[], number, RegExp][] = [
      ["a literal's length cut short", [3, 61 << 2, 2], 3, /literal's length is cut short/],
      ["a literal past the data", [3, 0x08, 0x61, 0x62], 3, /past the end of the data/],
      ["a literal past the declared length", [2, 0x08, 0x61, 0x62, 0x63], 2, /past the declared length/],
      [
        "a copy's offset cut short",
        [8, 0x0c, 0x61, 0x62, 0x63, 0x64, 0x02 | (3 << 2), 4],
        8,
        /offset is cut short/,
      ],
      ["a copy at offset 0", [8, 0x0c, 0x61, 0x62, 0x63, 0x64, 0x01, 0], 8, /before the start/],
      ["a copy before the start", [8, 0x0c, 0x61, 0x62, 0x63, 0x64, 0x01, 5], 8, /before the start/],
      [
        "a copy past the declared length",
        [6, 0x0c, 0x61, 0x62, 0x63, 0x64, 0x01, 4],
        6,
        /past the declared length/,
      ],
      [
        "a copy one byte past the declared length",
        [7, 0x0c, 0x61, 0x62, 0x63, 0x64, 0x01, 4],
        7,
        /past the declared length/,
      ],
      ["fewer bytes than declared", [5, 0x0c, 0x61, 0x62, 0x63, 0x64], 5, /holds 4 bytes of the 5 declared/],
    ];
    for (const [name, data, length, message] of refusals) {
      assert.throws(
        () => snappyUncompress(Uint8Array.from(data), length),
        { name: "RangeError", message },
        name,
      );
    }
  });

  it("agrees with Google's snappy on what is valid: damaged data is refused by both, or read alike", () => {
    const rng = new Prng(0xbad);
    const original = corpus().find((c) => c.name.startsWith("JSON"))!.bytes.subarray(0, 4000);
    const compressed = new Uint8Array(compressSync(original));
    let refused = 0;
    for (let i = 0; i < 500; i++) {
      const damaged = compressed.slice();
      damaged[1 + rng.int(damaged.length - 1)] = rng.int(256);
      let theirs: Uint8Array | undefined;
      try {
        theirs = theirUncompress(damaged);
      } catch { /* refused */ }
      let ours: Uint8Array | undefined;
      try {
        ours = snappyUncompress(damaged, original.length);
      } catch (err) {
        assert.ok(err instanceof RangeError, String(err));
        refused++;
      }
      assert.deepEqual(ours, theirs?.length === original.length ? theirs : undefined, `damaged case ${i}`);
    }
    assert.ok(refused > 0);
  });
});
