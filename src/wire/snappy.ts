/**
 * Snappy, Google's raw format (no framing), which MongoDB's wire compression uses as compressor 1: a
 * varint preamble with the uncompressed length, then literals and back-references. Written here because
 * the format is small and every runtime can run it; the official drivers load a native library.
 *
 * @module
 */

/** Matches never reach across a block, so an offset fits two bytes (snappy's kBlockSize). */
const BLOCK_SIZE = 1 << 16;
const HASH_BITS = 14;
/** Below this a block is sent as one literal: a match needs room to be found (snappy's kInputMarginBytes). */
const INPUT_MARGIN = 15;
/** A literal longer than this is copied with `set()`; a shorter one faster by a loop. */
const LONG = 16;

/**
 * The largest output {@link snappyCompress} can produce for `length` bytes (snappy's MaxCompressedLength).
 *
 * @param length the uncompressed length
 * @returns the bound in bytes
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { maxCompressedLength } from "./snappy.ts";
 *
 * assert.equal(maxCompressedLength(600), 732);
 * ```
 */
export function maxCompressedLength(length: number): number {
  return 32 + length + Math.floor(length / 6);
}

/**
 * Compresses bytes into snappy's raw format.
 *
 * @param input the bytes to compress
 * @returns the compressed bytes, readable by any snappy implementation's raw uncompress
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { snappyCompress, snappyUncompress } from "./snappy.ts";
 *
 * const text = new TextEncoder().encode("hello hello hello hello hello");
 * const compressed = snappyCompress(text);
 * assert.ok(compressed.length < text.length);
 * assert.deepEqual(snappyUncompress(compressed, text.length), text);
 * ```
 */
export function snappyCompress(input: Uint8Array): Uint8Array {
  const out = new Uint8Array(maxCompressedLength(input.length));
  let o = writeVarint(out, 0, input.length);
  const table = new Uint16Array(1 << HASH_BITS);
  for (let start = 0; start < input.length; start += BLOCK_SIZE) {
    table.fill(0);
    o = compressBlock(input, start, Math.min(start + BLOCK_SIZE, input.length), out, o, table);
  }
  return out.subarray(0, o);
}

/**
 * Uncompresses snappy's raw format into exactly `expectedLength` bytes. Nothing the data says is trusted:
 * the preamble must declare `expectedLength`, every literal and back-reference must stay inside the
 * input and the output, and the output must be filled exactly.
 *
 * @param data the compressed bytes
 * @param expectedLength the length the message's header declares
 * @returns the uncompressed bytes
 * @throws {RangeError} saying what is wrong with the data, when it is not valid snappy of that length
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { snappyUncompress } from "./snappy.ts";
 *
 * // Preamble 6, a literal "ab", then a copy of 4 bytes from 2 back.
 * const data = new Uint8Array([6, 0x04, 0x61, 0x62, 0x01, 0x02]);
 * assert.equal(new TextDecoder().decode(snappyUncompress(data, 6)), "ababab");
 * ```
 */
export function snappyUncompress(data: Uint8Array, expectedLength: number): Uint8Array {
  const [length, start] = readPreamble(data);
  if (length !== expectedLength) {
    throw new RangeError(`its preamble declares ${length} bytes, the message ${expectedLength}`);
  }
  const out = new Uint8Array(length);
  const end = data.length;
  let o = 0;
  let p = start;
  // One loop, byte loops for the short elements: helper calls and typed-array methods per element made it
  // 1.5 to 3 times slower (measured on Node.js and Bun).
  while (p < end) {
    const tag = data[p++];
    const kind = tag & 3;
    if (kind === 0) {
      let n = tag >>> 2;
      if (n >= 60) {
        const bytes = n - 59;
        if (p + bytes > end) throw new RangeError("a literal's length is cut short");
        n = readLittleEndian(data, p, bytes);
        p += bytes;
      }
      n += 1;
      if (p + n > end) throw new RangeError("a literal runs past the end of the data");
      if (o + n > length) throw new RangeError("a literal runs past the declared length");
      if (n > LONG) {
        out.set(data.subarray(p, p + n), o);
        p += n;
        o += n;
      } else {
        for (let i = 0; i < n; i++) out[o++] = data[p++];
      }
      continue;
    }
    let n: number;
    let offset: number;
    if (kind === 1) {
      if (p + 1 > end) throw new RangeError("a copy's offset is cut short");
      n = 4 + ((tag >>> 2) & 7);
      offset = ((tag >>> 5) << 8) | data[p++];
    } else {
      const bytes = kind === 2 ? 2 : 4;
      if (p + bytes > end) throw new RangeError("a copy's offset is cut short");
      n = 1 + (tag >>> 2);
      offset = kind === 2 ? data[p] | (data[p + 1] << 8) : readLittleEndian(data, p, 4);
      p += bytes;
    }
    if (offset === 0 || offset > o) throw new RangeError("a copy refers to bytes before the start");
    if (o + n > length) throw new RangeError("a copy runs past the declared length");
    // Byte by byte: a copy that overlaps what it writes repeats those bytes, as the format means.
    for (let from = o - offset, i = 0; i < n; i++) out[o++] = out[from++];
  }
  if (o !== length) throw new RangeError(`it holds ${o} bytes of the ${length} declared`);
  return out;
}

function compressBlock(
  input: Uint8Array,
  start: number,
  end: number,
  out: Uint8Array,
  o: number,
  table: Uint16Array,
): number {
  let nextEmit = start;
  if (end - start >= INPUT_MARGIN) {
    const ipLimit = end - INPUT_MARGIN;
    let ip = start + 1;
    search: while (true) {
      // Skip faster through data that does not match: one more byte every 32 misses (snappy's heuristic).
      let skip = 32;
      let next = ip;
      let candidate: number;
      do {
        ip = next;
        next = ip + (skip++ >>> 5);
        if (next > ipLimit) break search;
        const h = hash(load32(input, ip));
        candidate = start + table[h];
        table[h] = ip - start;
      } while (load32(input, ip) !== load32(input, candidate));
      o = emitLiteral(input, nextEmit, ip - nextEmit, out, o);
      do {
        const base = ip;
        ip = matchEnd(input, candidate + 4, ip + 4, end);
        o = emitCopy(out, o, base - candidate, ip - base);
        nextEmit = ip;
        if (ip >= ipLimit) break search;
        table[hash(load32(input, ip - 1))] = ip - 1 - start;
        const h = hash(load32(input, ip));
        candidate = start + table[h];
        table[h] = ip - start;
      } while (load32(input, ip) === load32(input, candidate));
      ip += 1;
    }
  }
  return nextEmit < end ? emitLiteral(input, nextEmit, end - nextEmit, out, o) : o;
}

function hash(bytes: number): number {
  return Math.imul(bytes, 0x1e35a7bd) >>> (32 - HASH_BITS);
}

function load32(b: Uint8Array, i: number): number {
  return b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
}

/** Where the match that begins at `a` and `b` ends, measured at `b` (`a` < `b`). */
function matchEnd(input: Uint8Array, a: number, b: number, end: number): number {
  // Four bytes at a time while they last, then byte by byte.
  while (b + 4 <= end && load32(input, a) === load32(input, b)) {
    a += 4;
    b += 4;
  }
  while (b < end && input[a] === input[b]) {
    a++;
    b++;
  }
  return b;
}

function emitLiteral(input: Uint8Array, from: number, length: number, out: Uint8Array, o: number): number {
  const n = length - 1;
  if (n < 60) {
    out[o++] = n << 2;
  } else {
    const bytes = n < 0x100 ? 1 : n < 0x10000 ? 2 : n < 0x1000000 ? 3 : 4;
    out[o++] = (59 + bytes) << 2;
    for (let i = 0; i < bytes; i++) out[o++] = (n >>> (8 * i)) & 0xff;
  }
  if (length > LONG) {
    out.set(input.subarray(from, from + length), o);
    return o + length;
  }
  for (let i = 0; i < length; i++) out[o++] = input[from++];
  return o;
}

function emitCopy(out: Uint8Array, o: number, offset: number, length: number): number {
  // A copy with a two-byte offset carries at most 64 bytes; the split leaves at least 4 for the last one.
  while (length >= 68) {
    o = emitCopy2(out, o, offset, 64);
    length -= 64;
  }
  if (length > 64) {
    o = emitCopy2(out, o, offset, 60);
    length -= 60;
  }
  if (length >= 12 || offset >= 2048) return emitCopy2(out, o, offset, length);
  out[o++] = 1 | ((length - 4) << 2) | ((offset >>> 8) << 5);
  out[o++] = offset & 0xff;
  return o;
}

function emitCopy2(out: Uint8Array, o: number, offset: number, length: number): number {
  out[o++] = 2 | ((length - 1) << 2);
  out[o++] = offset & 0xff;
  out[o++] = offset >>> 8;
  return o;
}

function writeVarint(out: Uint8Array, o: number, value: number): number {
  while (value >= 0x80) {
    out[o++] = (value & 0x7f) | 0x80;
    value = Math.floor(value / 128);
  }
  out[o++] = value;
  return o;
}

/** The preamble's length and where the data after it starts: a varint of at most 32 bits (5 bytes). */
function readPreamble(data: Uint8Array): [number, number] {
  let value = 0;
  for (let i = 0; i < 5; i++) {
    if (i >= data.length) throw new RangeError("its preamble is cut short");
    const byte = data[i];
    value += (byte & 0x7f) * 2 ** (7 * i);
    if (byte < 0x80) {
      if (value > 0xffffffff) break;
      return [value >>> 0, i + 1];
    }
  }
  throw new RangeError("its preamble is not a 32-bit length");
}

// Bit operations, not multiplications: the result stays a small integer for the engine, and the loop that
// adds it to its positions stays fast (with floating-point results it ran 1.5 to 4 times slower).
function readLittleEndian(data: Uint8Array, p: number, bytes: number): number {
  let value = 0;
  for (let i = 0; i < bytes; i++) value |= data[p + i] << (8 * i);
  return value >>> 0;
}
