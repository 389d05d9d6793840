// The fuzz harness of tests/hardening: a seeded PRNG, mutators for bytes, strings and documents, and a
// runner that holds every case to the one acceptable outcome — it resolves, or it rejects with a
// MongoAuthError that has a string code. Anything else fails the run: another exception type, an
// unhandled rejection (a process-level and a global listener are installed while the run lasts), a case
// that does not settle within its time bound, or memory that grows with what the peer claimed.
//
// Short mode (the default) is part of the normal test suite. Long mode is the same code with more cases:
//   MONGO_AUTH_FUZZ_CASES=200000 (cases per target) and MONGO_AUTH_FUZZ_SEED=<uint32> to replay a run.
// Every run prints its seed and counts; a failing case prints the seed that replays it alone
// (MONGO_AUTH_FUZZ_SEED=<case seed> MONGO_AUTH_FUZZ_CASES=1).
import process from "node:process";
import { MongoAuthError } from "@mongo-auth/core";
import { concatBytes } from "../../src/crypto/bytes.ts";

/** The seed of this run: MONGO_AUTH_FUZZ_SEED, or a fixed default so the suite is reproducible. */
export const FUZZ_SEED: number = parseSeed(process.env.MONGO_AUTH_FUZZ_SEED) ?? 0x6d61_7574; // "maut"

/**
 * How many cases a target runs: MONGO_AUTH_FUZZ_CASES when set, else its short-mode count.
 * @param short the target's count in the normal suite
 * @returns the count
 */
export function fuzzCases(short: number): number {
  const raw = process.env.MONGO_AUTH_FUZZ_CASES;
  if (raw === undefined || raw === "") return short;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new TypeError(`MONGO_AUTH_FUZZ_CASES must be ≥ 1, got ${raw}`);
  return n;
}

function parseSeed(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === "") return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) {
    throw new TypeError(`MONGO_AUTH_FUZZ_SEED must be a uint32, got ${raw}`);
  }
  return n;
}

/** mulberry32: small, fast, good enough to explore inputs, and the same on every runtime. */
export class Prng {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A uint32. */
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return n <= 0 ? 0 : Math.floor((this.next() / 0x1_0000_0000) * n);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() / 0x1_0000_0000 < p;
  }

  /** One element of `items`. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** `n` random bytes. */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.next() & 0xff;
    return out;
  }

  /** A string of `n` characters drawn from a mix of ASCII, SCRAM delimiters, controls and non-ASCII. */
  text(n: number): string {
    let s = "";
    for (let i = 0; i < n; i++) {
      const kind = this.int(10);
      if (kind < 5) s += String.fromCharCode(0x20 + this.int(0x5f));
      else if (kind < 7) {
        s += this.pick([",", "=", "r", "s", "i", "v", "e", "m", "/", "+", ".", ":", "%", "@"]);
      } else if (kind < 8) s += String.fromCharCode(this.int(0x20));
      else if (kind < 9) s += String.fromCharCode(0x80 + this.int(0x780));
      else s += this.pick(["\u00ad", "\u2168", "\ufeff", "\ud800", "\u{1f600}", "\0", "\u0301"]);
    }
    return s;
  }

  /** An integer chosen to hit boundaries: 0, ±1, powers of two, int32/uint32 limits, or small values. */
  edgeInt(): number {
    return this.pick([
      0,
      1,
      -1,
      4,
      5,
      15,
      16,
      20,
      21,
      255,
      256,
      4095,
      4096,
      0x7fff_ffff,
      -0x8000_0000,
      0xffff_ffff,
      48_000_000,
      48_000_001,
      2 ** 31,
      2 ** 53,
      this.int(1 << 16),
      this.int(0x7fff_ffff),
    ]);
  }
}

/**
 * Applies 1–4 random mutations to a byte string: flip, set, insert, delete, truncate, duplicate a slice,
 * overwrite an int32 with a boundary value.
 * @param rng the PRNG
 * @param input the bytes to mutate (not modified)
 * @returns the mutated copy
 */
export function mutateBytes(rng: Prng, input: Uint8Array): Uint8Array {
  let bytes: Uint8Array = input.slice();
  const rounds = 1 + rng.int(4);
  for (let r = 0; r < rounds; r++) {
    const at = rng.int(bytes.length + 1);
    switch (rng.int(7)) {
      case 0:
        if (bytes.length) bytes[Math.min(at, bytes.length - 1)] ^= 1 << rng.int(8);
        break;
      case 1:
        if (bytes.length) {
          bytes[Math.min(at, bytes.length - 1)] = rng.pick([0, 0xff, 0x7f, 0x80, rng.int(256)]);
        }
        break;
      case 2:
        bytes = concatBytes(bytes.subarray(0, at), rng.bytes(1 + rng.int(8)), bytes.subarray(at));
        break;
      case 3:
        bytes = concatBytes(
          bytes.subarray(0, at),
          bytes.subarray(Math.min(bytes.length, at + 1 + rng.int(8))),
        );
        break;
      case 4:
        bytes = bytes.slice(0, at);
        break;
      case 5: {
        const from = rng.int(bytes.length + 1);
        const slice = bytes.subarray(from, from + 1 + rng.int(32));
        bytes = concatBytes(bytes.subarray(0, at), slice, bytes.subarray(at));
        break;
      }
      default:
        if (bytes.length >= 4) {
          const pos = rng.int(bytes.length - 3);
          new DataView(bytes.buffer, bytes.byteOffset).setInt32(pos, rng.edgeInt() | 0, true);
        }
    }
  }
  return bytes;
}

/**
 * Applies 1–3 random mutations to a string: replace, insert or delete characters, truncate, duplicate or
 * drop a comma-separated attribute, swap attributes.
 * @param rng the PRNG
 * @param input the string
 * @returns the mutated string
 */
export function mutateText(rng: Prng, input: string): string {
  let s = input;
  const rounds = 1 + rng.int(3);
  for (let r = 0; r < rounds; r++) {
    const at = rng.int(s.length + 1);
    const parts = s.split(",");
    switch (rng.int(8)) {
      case 0:
        s = s.slice(0, at) + rng.text(1 + rng.int(4)) + s.slice(at + 1);
        break;
      case 1:
        s = s.slice(0, at) + rng.text(1 + rng.int(16)) + s.slice(at);
        break;
      case 2:
        s = s.slice(0, at) + s.slice(at + 1 + rng.int(8));
        break;
      case 3:
        s = s.slice(0, at);
        break;
      case 4:
        parts.splice(rng.int(parts.length + 1), 0, rng.pick(parts));
        s = parts.join(",");
        break;
      case 5:
        parts.splice(rng.int(parts.length), 1);
        s = parts.join(",");
        break;
      case 6: {
        const i = rng.int(parts.length);
        const j = rng.int(parts.length);
        [parts[i], parts[j]] = [parts[j], parts[i]];
        s = parts.join(",");
        break;
      }
      default: {
        // Replace an attribute's value with a boundary or hostile one.
        const i = rng.int(parts.length);
        const name = parts[i]?.slice(0, 2) ?? "";
        parts[i] = name + rng.pick([
          "",
          "0",
          "-1",
          "4095",
          "4096",
          "99999999999999999999",
          "4294967296",
          "1e4",
          "0x1000",
          " 4096",
          "====",
          "a",
          "AAAA",
          "AAA=",
          rng.text(1 + rng.int(40)),
        ]);
        s = parts.join(",");
      }
    }
  }
  return s;
}

/** A random plain value for a document field: every BSON-ish type, nested a little. */
export function randomValue(rng: Prng, depth = 0): unknown {
  switch (rng.int(depth > 1 ? 9 : 11)) {
    case 0:
      return rng.edgeInt();
    case 1:
      return rng.pick([0, 1, true, false, null, undefined, -0, NaN, 1.5]);
    case 2:
      return rng.text(rng.int(24));
    case 3:
      return rng.bytes(rng.int(80));
    case 4:
      return rng.pick(["SCRAM-SHA-1", "SCRAM-SHA-256", "MONGODB-AWS", "MONGODB-OIDC", "PLAIN", ""]);
    case 5:
      return BigInt(rng.edgeInt());
    case 6:
      return new Date(rng.edgeInt());
    case 7:
      return rng.pick(["https://idp.example", "sts.amazonaws.com", "sts.us-west-2.amazonaws.com", "a..b"]);
    case 8:
      return rng.int(2) ? 1 : "1";
    case 9:
      return Array.from({ length: rng.int(5) }, () => randomValue(rng, depth + 1));
    default:
      return randomDoc(rng, depth + 1);
  }
}

/** A random document from a vocabulary of field names the state machines look at, and some others. */
export function randomDoc(rng: Prng, depth = 0): Record<string, unknown> {
  const names = [
    "ok",
    "done",
    "payload",
    "conversationId",
    "code",
    "codeName",
    "errmsg",
    "saslSupportedMechs",
    "speculativeAuthenticate",
    "maxMessageSizeBytes",
    "maxWireVersion",
    "issuer",
    "clientId",
    "requestScopes",
    "s",
    "h",
    "dbname",
    "user",
    "$err",
    rng.text(1 + rng.int(6)).replaceAll("\0", ""), // BSON keys cannot hold NUL
  ];
  const doc: Record<string, unknown> = {};
  const n = rng.int(6);
  for (let i = 0; i < n; i++) doc[rng.pick(names)] = randomValue(rng, depth);
  return doc;
}

/** What one fuzz target did. */
export interface FuzzReport {
  readonly name: string;
  readonly seed: number;
  readonly cases: number;
  /** Outcomes by kind: "resolved" or the MongoAuthError code. */
  readonly outcomes: Record<string, number>;
  /** Cases that broke the rule, with the seed that replays each. */
  readonly failures: { index: number; caseSeed: number; problem: string }[];
  /** Peak growth of heap + external memory during the run, in bytes; -1 when the runtime has none. */
  readonly peakMemoryGrowth: number;
}

/** Options of {@link runFuzz}. */
export interface FuzzOptions {
  /** Milliseconds one case may take before it counts as a hang. Default 2000. */
  readonly caseTimeoutMs?: number;
  /** How many failures to collect before stopping early. Default 20. */
  readonly maxFailures?: number;
}

// One case seed per index: a run is reproducible, and each case can be replayed alone.
export function caseSeed(seed: number, index: number): number {
  return new Prng((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0).next();
}

/**
 * Runs `cases` cases of `target`, each with its own PRNG, and checks every outcome.
 * @param name the target's name, printed with the counts
 * @param cases how many cases (see {@link fuzzCases})
 * @param target one case: may resolve, or must reject with a coded MongoAuthError
 * @param options per-case time bound
 * @returns the report; the caller asserts `failures` is empty
 */
export async function runFuzz(
  name: string,
  cases: number,
  target: (rng: Prng, index: number) => Promise<unknown> | unknown,
  options: FuzzOptions = {},
): Promise<FuzzReport> {
  const caseTimeoutMs = options.caseTimeoutMs ?? 2000;
  const maxFailures = options.maxFailures ?? 20;
  // One seed replays one case: with MONGO_AUTH_FUZZ_CASES=1 the given seed is used as the case seed.
  const single = cases === 1 && process.env.MONGO_AUTH_FUZZ_SEED !== undefined;
  const outcomes: Record<string, number> = {};
  const failures: FuzzReport["failures"] = [];
  const unhandled = trapUnhandledRejections();
  const memory = memoryProbe();
  try {
    for (let index = 0; index < cases && failures.length < maxFailures; index++) {
      const seed = single ? FUZZ_SEED : caseSeed(FUZZ_SEED, index);
      const problem = await runCase(() => target(new Prng(seed), index), caseTimeoutMs, outcomes);
      if (problem) failures.push({ index, caseSeed: seed, problem });
      if (index % 64 === 63) {
        // Let rejections that nobody handled surface, and sample memory.
        await macrotask();
        memory.sample();
      }
      for (const reason of unhandled.drain()) {
        failures.push({ index, caseSeed: seed, problem: `unhandled rejection: ${describe(reason)}` });
      }
    }
    await macrotask();
    await macrotask();
    for (const reason of unhandled.drain()) {
      failures.push({ index: cases - 1, caseSeed: -1, problem: `unhandled rejection: ${describe(reason)}` });
    }
  } finally {
    unhandled.remove();
  }
  memory.sample();
  const report = { name, seed: FUZZ_SEED, cases, outcomes, failures, peakMemoryGrowth: memory.peakGrowth() };
  console.info(
    `fuzz ${name}: seed=${FUZZ_SEED} cases=${cases} failures=${failures.length} ` +
      `peakMemoryGrowth=${(report.peakMemoryGrowth / 1e6).toFixed(1)}MB outcomes=${JSON.stringify(outcomes)}`,
  );
  return report;
}

async function runCase(
  body: () => Promise<unknown> | unknown,
  timeoutMs: number,
  outcomes: Record<string, number>,
): Promise<string | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<"hang">((resolve) => (timer = setTimeout(() => resolve("hang"), timeoutMs)));
  try {
    const settled = await Promise.race([
      (async () => await body())().then(() => "resolved" as const, (err: unknown) => ({ err })),
      hang,
    ]);
    if (settled === "hang") return `did not settle within ${timeoutMs} ms`;
    if (settled === "resolved") {
      outcomes.resolved = (outcomes.resolved ?? 0) + 1;
      return undefined;
    }
    const { err } = settled;
    if (err instanceof MongoAuthError && typeof err.code === "string" && (err.code as string) !== "") {
      outcomes[err.code] = (outcomes[err.code] ?? 0) + 1;
      return undefined;
    }
    return `rejected with something other than a coded MongoAuthError: ${describe(err)}`;
  } finally {
    clearTimeout(timer);
  }
}

/** One line about an error, with the first stack frames so a failure points at the code. */
export function describe(err: unknown): string {
  if (err instanceof Error) {
    const frames = (err.stack ?? "").split("\n").slice(1, 4).map((l) => l.trim()).join(" | ");
    return `${err.name}: ${err.message} @ ${frames}`;
  }
  return `${typeof err}: ${String(err)}`;
}

/** Resolves after pending microtasks and one macrotask. */
export function macrotask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Records unhandled rejections while installed: `process.on("unhandledRejection")` (Node, Bun, Deno) and
 * the global `unhandledrejection` event (Deno, browsers), whichever exist.
 * @returns drain (take what was recorded) and remove
 */
export function trapUnhandledRejections(): { drain(): unknown[]; remove(): void } {
  const seen: unknown[] = [];
  const onProcess = (reason: unknown) => seen.push(reason);
  const onGlobal = (event: Event) => {
    event.preventDefault();
    const reason = (event as Event & { reason?: unknown }).reason;
    if (!seen.includes(reason)) seen.push(reason);
  };
  process.on("unhandledRejection", onProcess);
  const target = globalThis as unknown as {
    addEventListener?: (type: string, fn: (e: Event) => void) => void;
    removeEventListener?: (type: string, fn: (e: Event) => void) => void;
  };
  const hasGlobal = "Deno" in globalThis && typeof target.addEventListener === "function";
  if (hasGlobal) target.addEventListener!("unhandledrejection", onGlobal);
  return {
    drain: () => seen.splice(0),
    remove() {
      process.off("unhandledRejection", onProcess);
      if (hasGlobal) target.removeEventListener!("unhandledrejection", onGlobal);
    },
  };
}

/**
 * Samples the JS heap plus memory outside it (ArrayBuffers: where a buffer sized by a claimed length
 * would land) and keeps the peak above the start. Not the RSS, which only grows and so would count what
 * the garbage collector already freed.
 */
export function memoryProbe(): { sample(): void; peakGrowth(): number } {
  const read = (): number => {
    try {
      const usage = process.memoryUsage();
      return usage.heapUsed + (usage.external ?? 0);
    } catch {
      return -1;
    }
  };
  const start = read();
  let peak = start;
  return {
    sample() {
      const now = read();
      if (now > peak) peak = now;
    },
    peakGrowth: () => (start < 0 ? -1 : peak - start),
  };
}

/** The failures of a report as one readable message for an assertion. */
export function failureMessage(report: FuzzReport): string {
  return `${report.failures.length} failing case(s) of ${report.name} (seed ${report.seed}):\n` +
    report.failures.slice(0, 10).map((f) =>
      `  case ${f.index} (replay: MONGO_AUTH_FUZZ_SEED=${f.caseSeed} MONGO_AUTH_FUZZ_CASES=1): ${f.problem}`
    ).join("\n");
}
