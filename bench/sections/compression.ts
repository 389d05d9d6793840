// Section 6: wire compression of one command, both ways. mongo-auth's compressMessage / decompressMessage
// (src/wire/compression.ts: snappy in TypeScript, zlib through CompressionStream, the OP_COMPRESSED header
// included) against the official driver's own compress / decompress (snappy through the native `snappy`
// package, zlib through node:zlib; the codec alone), interleaved, each pair's ratio taken in its round.
// zstd (the runtime's, where it has one) has no driver counterpart here, so it is timed against mongo-auth's
// own zlib, in the same rounds: what choosing one over the other costs.
import { BSON } from "bson";
// The driver's functions themselves, not a copy of what they do.
import { compress, decompress } from "mongodb/lib/cmap/wire_protocol/compression.js";
import { compressMessage, type Compressor, decompressMessage } from "../../src/wire/compression.ts";
import { encodeOpMsg } from "../../src/wire/op-msg.ts";
import { nodeZstd } from "../../src/transport/zstd.ts";
import { interleaved, pairedRatio, type Plan, stats } from "../support/measure.ts";
import type { Row } from "../support/report.ts";

// The compressors the driver has here: its zstd needs the native @mongodb-js/zstd, which installs only with
// a download from GitHub.
type Shared = Exclude<Compressor, "zstd">;
const DRIVER_IDS: Record<Shared, number> = { snappy: 1, zlib: 2 };
const HEADER = 16;
const MAX = 48_000_000;

/** An insert of `count` user-like documents, as OP_MSG: the kind of command worth compressing. */
function insertMessage(count: number): Uint8Array {
  const documents = Array.from({ length: count }, (_, i) => ({
    _id: new BSON.ObjectId(),
    user: `user${i % 997}`,
    email: `user${i % 997}@example.net`,
    roles: i % 3 === 0 ? ["read", "write"] : ["read"],
    score: (i * 7919) % 1000,
    createdAt: new Date(1_700_000_000_000 + i * 1000),
  }));
  return encodeOpMsg(1, { insert: "users", documents, ordered: true, $db: "app" });
}

async function checkAgreement(message: Uint8Array, compressor: Shared): Promise<void> {
  const ours = await compressMessage(message, compressor);
  const theirs = await compress({ agreedCompressor: compressor }, message.subarray(HEADER));
  const back = await decompress(DRIVER_IDS[compressor], ours.subarray(HEADER + 9));
  const mine = await decompressMessage(withBody(ours, theirs), MAX, "bench");
  if (Buffer.compare(Buffer.from(back), Buffer.from(message.subarray(HEADER))) !== 0) {
    throw new Error(`the driver does not read mongo-auth's ${compressor}`);
  }
  if (Buffer.compare(Buffer.from(mine), Buffer.from(message)) !== 0) {
    throw new Error(`mongo-auth does not read the driver's ${compressor}`);
  }
}

// An OP_COMPRESSED frame like `frame` carrying `body` instead.
function withBody(frame: Uint8Array, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER + 9 + body.length);
  out.set(frame.subarray(0, HEADER + 9));
  new DataView(out.buffer).setInt32(0, out.length, true);
  out.set(body, HEADER + 9);
  return out;
}

/**
 * Measures compressing and uncompressing one insert of 5 000 documents (about 0.6 MB), mongo-auth against
 * the official driver, for snappy and zlib.
 *
 * @param plan warm-up and run counts
 * @returns a row per compressor, direction and side; ratios are mongo-auth ÷ the driver, paired per round
 */
export async function compressionSection(plan: Plan): Promise<Row[]> {
  const message = insertMessage(5_000);
  const body = message.subarray(HEADER);
  const rows: Row[] = [];
  for (const compressor of ["snappy", "zlib"] as const) {
    await checkAgreement(message, compressor);
    const ours = await compressMessage(message, compressor);
    const theirs = await compress({ agreedCompressor: compressor }, body);
    const samples = await interleaved({
      oursCompress: () => compressMessage(message, compressor),
      driverCompress: () => compress({ agreedCompressor: compressor }, body),
      oursUncompress: () => decompressMessage(ours, MAX, "bench"),
      driverUncompress: () => decompress(DRIVER_IDS[compressor], theirs),
    }, plan);
    const label = `${compressor}, ${(body.length / 1e6).toFixed(2)} MB`;
    const sizes = `${ours.length - HEADER - 9} bytes against the driver's ${theirs.length}`;
    rows.push(
      { section: "compression", name: `${label} compress: the driver`, ...stats(samples.driverCompress) },
      {
        section: "compression",
        name: `${label} compress: mongo-auth`,
        ...stats(samples.oursCompress),
        ratio: pairedRatio(samples.oursCompress, samples.driverCompress),
        ratioOf: "driver",
        note: sizes,
      },
      { section: "compression", name: `${label} uncompress: the driver`, ...stats(samples.driverUncompress) },
      {
        section: "compression",
        name: `${label} uncompress: mongo-auth`,
        ...stats(samples.oursUncompress),
        ratio: pairedRatio(samples.oursUncompress, samples.driverUncompress),
        ratioOf: "driver",
      },
    );
  }
  return [...rows, ...await zstdRows(message, plan)];
}

// zstd against our zlib, where the runtime has zstd (Deno, Bun, Node.js 22.15+).
async function zstdRows(message: Uint8Array, plan: Plan): Promise<Row[]> {
  const zstd = nodeZstd();
  if (!zstd) return [];
  const zstdFrame = await compressMessage(message, "zstd", zstd);
  const zlibFrame = await compressMessage(message, "zlib");
  const back = await decompressMessage(zstdFrame, MAX, "bench", zstd);
  if (Buffer.compare(Buffer.from(back), Buffer.from(message)) !== 0) {
    throw new Error("zstd does not round-trip");
  }
  const samples = await interleaved({
    zstdCompress: () => compressMessage(message, "zstd", zstd),
    zlibCompress: () => compressMessage(message, "zlib"),
    zstdUncompress: () => decompressMessage(zstdFrame, MAX, "bench", zstd),
    zlibUncompress: () => decompressMessage(zlibFrame, MAX, "bench"),
  }, plan);
  const label = `zstd, ${((message.length - HEADER) / 1e6).toFixed(2)} MB`;
  const of = "mongo-auth's zlib, same rounds";
  return [
    {
      section: "compression",
      name: `${label} compress: mongo-auth (the runtime's zstd)`,
      ...stats(samples.zstdCompress),
      ratio: pairedRatio(samples.zstdCompress, samples.zlibCompress),
      ratioOf: of,
      note: `${zstdFrame.length - HEADER - 9} bytes against zlib's ${zlibFrame.length - HEADER - 9}`,
    },
    {
      section: "compression",
      name: `${label} uncompress: mongo-auth (the runtime's zstd)`,
      ...stats(samples.zstdUncompress),
      ratio: pairedRatio(samples.zstdUncompress, samples.zlibUncompress),
      ratioOf: of,
    },
  ];
}
