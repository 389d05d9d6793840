// The runtime's zstd as the transports hand it to the wire layer: a frame any zstd reads — python's
// zstandard, the library pymongo decodes with, is the outside check (Debian's python3-zstandard, which
// .ci/run installs) — and the wire layer's terms kept: never more than the limit held, `undefined` past it,
// a rejection for what is not zstd. Where node:zlib has no zstd (Node.js 20) there is no codec, and
// connect() leaves zstd out of hello.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as zlib from "node:zlib";
import { spawnSync } from "node:child_process";
import process from "node:process";
import { nodeZstd } from "../../src/transport/zstd.ts";
import { settledWithin } from "../support/settled-within.ts";

const PYTHON = "/usr/bin/python3";
// Reads a frame on stdin, writes what it holds: ZstdDecompressor().decompress, as pymongo 3.11 does.
const PYTHON_DECODE = "import sys, zstandard; " +
  "sys.stdout.buffer.write(zstandard.ZstdDecompressor().decompress(sys.stdin.buffer.read()))";
const pythonZstdMissing = (() => {
  const probe = spawnSync(PYTHON, ["-c", "import zstandard"], { encoding: "utf8", timeout: 30_000 });
  return probe.status === 0
    ? undefined
    : `${PYTHON} cannot import zstandard: install Debian's python3-zstandard`;
})();

type ZstdSync = (data: Uint8Array, options?: { maxOutputLength?: number }) => Uint8Array;
const runtimeZstd = (zlib as unknown as { zstdDecompressSync?: ZstdSync }).zstdDecompressSync;

describe("nodeZstd", () => {
  const zstd = nodeZstd();

  it("is there exactly where the runtime's node:zlib has zstd", () => {
    assert.equal(zstd !== undefined, runtimeZstd !== undefined);
    if ("Deno" in globalThis || "Bun" in globalThis) assert.ok(zstd, "Deno and Bun have zstd");
  });

  if (!zstd) return;

  it("compresses into one frame (magic 28 b5 2f fd) that decompresses to the same bytes, as Uint8Array", async () => {
    const text = new TextEncoder().encode(
      JSON.stringify({ users: Array.from({ length: 500 }, (_, i) => i) }),
    );
    const frame = await zstd.compress(text);
    assert.deepEqual([...frame.subarray(0, 4)], [0x28, 0xb5, 0x2f, 0xfd]);
    assert.ok(frame.length < text.length / 2);
    assert.deepEqual(new Uint8Array(runtimeZstd!(frame)), text);
    const back = await zstd.decompress(frame, text.length);
    assert.equal(Object.getPrototypeOf(back), Uint8Array.prototype);
    assert.deepEqual(back, text);
  });

  it("writes the content size into the frame header, as ZSTD_compress (mongod, the official driver) does", async () => {
    for (const length of [0, 1, 300, 70_000]) {
      const frame = await zstd.compress(new Uint8Array(length).fill(3));
      const descriptor = frame[4];
      // Frame_Header_Descriptor: a Frame_Content_Size field is there when its flag (bits 7-6) or the
      // single-segment flag (bit 5) is set.
      assert.ok(descriptor >> 6 !== 0 || (descriptor & 0x20) !== 0, `${length}: no content size`);
    }
  });

  // In CI the module must be there: without it the outside check would drop out unnoticed.
  const skip = pythonZstdMissing !== undefined && process.env.CI === undefined && pythonZstdMissing;
  it(
    "writes frames python's zstandard reads (pymongo's decoder, which needs the content size)",
    { skip },
    async () => {
      if (pythonZstdMissing) assert.fail(pythonZstdMissing);
      const text = new TextEncoder().encode("a command worth compressing ".repeat(400));
      const frame = await zstd.compress(text);
      const decoded = spawnSync(PYTHON, ["-c", PYTHON_DECODE], { input: frame, timeout: 30_000 });
      assert.equal(decoded.status, 0, String(decoded.stderr));
      assert.deepEqual(new Uint8Array(decoded.stdout), text);
    },
  );

  it("an empty message, and a limit of 0", async () => {
    const frame = await zstd.compress(new Uint8Array(0));
    assert.deepEqual(await zstd.decompress(frame, 0), new Uint8Array(0));
    assert.equal(await zstd.decompress(await zstd.compress(Uint8Array.of(1)), 0), undefined);
  });

  it("gives undefined, not the data, for a frame that makes more than the limit: a bomb is cut off", async () => {
    const text = new Uint8Array(1000).fill(7);
    assert.equal(await zstd.decompress(await zstd.compress(text), 999), undefined);
    // 20 MB of zeros in a few hundred bytes, for a message that says it holds 100.
    const bomb = await zstd.compress(new Uint8Array(20_000_000));
    assert.ok(bomb.length < 2000);
    assert.equal(await zstd.decompress(bomb, 100), undefined);
  });

  it("a frame followed by other bytes: an answer, never an exception outside the promise (Deno's asynchronous zstd threw one, which ends the process)", async () => {
    const text = new Uint8Array(100_000).fill(7);
    const frame = await zstd.compress(text);
    const trailed = Uint8Array.of(...frame, 0, 0, 1, 2, 3, 4, 5, 6);
    const uncaught: unknown[] = [];
    const record = (err: unknown) => uncaught.push(err);
    process.on("uncaughtException", record);
    try {
      // Bun's zstd reads the bytes as a second frame and fails; Deno's and Node.js's stop after the first.
      const outcome = await settledWithin(2000, "decompress", zstd.decompress(trailed, text.length)).then(
        (out) => assert.deepEqual(out, text),
        (err: Error) => assert.match(err.message, /Unknown frame descriptor/),
      );
      void outcome;
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.deepEqual(uncaught, []);
    } finally {
      process.off("uncaughtException", record);
    }
  });

  it("rejects what is not zstd", async () => {
    await assert.rejects(zstd.decompress(new TextEncoder().encode("not zstd at all"), 100));
    await assert.rejects(zstd.decompress(zlib.deflateSync(new Uint8Array(100)), 1000));
  });
});
