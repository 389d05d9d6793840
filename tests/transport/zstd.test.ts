// The runtime's zstd as the transports hand it to the wire layer: a frame any zstd reads, and the wire
// layer's terms kept — never more than the limit held, `undefined` past it, a rejection for what is not zstd.
// Where node:zlib has no zstd (Node.js 20) there is no codec, and connect() leaves zstd out of hello.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as zlib from "node:zlib";
import { nodeZstd } from "../../src/transport/zstd.ts";

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

  it("rejects what is not zstd", async () => {
    await assert.rejects(zstd.decompress(new TextEncoder().encode("not zstd at all"), 100));
    await assert.rejects(zstd.decompress(zlib.deflateSync(new Uint8Array(100)), 1000));
  });
});
