// The client's main-thread CPU: what a pool warm-up costs the thread that also runs the application.
// Work a runtime does on other threads (WebCrypto's PBKDF2, the TLS and socket threads, the garbage
// collector's helpers) is not counted; the official driver's pbkdf2Sync runs on the main thread and is.
import process from "node:process";
import { readFileSync } from "node:fs";
import { performance as perfHooks } from "node:perf_hooks";
import { type Plan, roundOrder } from "./measure.ts";

/** A running meter; `stop()` returns milliseconds of main-thread CPU since it started. */
export interface CpuMeter {
  stop(): number;
}

type Usage = { user: number; system: number };
const threadCpuUsage = (process as { threadCpuUsage?: (since?: Usage) => Usage }).threadCpuUsage;

// Linux's per-thread scheduler clock: the first field of /proc/thread-self/schedstat is the nanoseconds the
// calling thread has spent on a CPU, exact (not sampled in ticks), user and kernel time together. Read from
// the main thread, it is the main thread's. Undefined where there is no such file (macOS, Windows).
function schedstatNs(): number | undefined {
  try {
    const ns = Number(readFileSync("/proc/thread-self/schedstat", "utf8").split(" ")[0]);
    return Number.isFinite(ns) ? ns : undefined;
  } catch {
    return undefined;
  }
}

const SCHEDSTAT = schedstatNs() !== undefined;

/**
 * What {@link startCpuMeter} measures on this runtime.
 *
 * On Linux, the main thread's time on a CPU from the scheduler (`/proc/thread-self/schedstat`), in
 * nanoseconds, the same clock on Deno, Node.js and Bun. Elsewhere `process.threadCpuUsage()` (Deno, Bun,
 * Node.js 23.9+); without either, the event loop's active time (`performance.eventLoopUtilization()`),
 * which is wall time while the thread runs JavaScript or callbacks, so it also counts time the thread
 * waited for a core — on a 2-core machine, time the server process took that core.
 */
export const CPU_METER: string = SCHEDSTAT
  ? "/proc/thread-self/schedstat (the scheduler's clock of the main thread)"
  : threadCpuUsage
  ? "process.threadCpuUsage()"
  : "eventLoopUtilization().active (no per-thread CPU clock before Node.js 23.9)";

/**
 * Starts measuring the main thread.
 *
 * @returns the meter
 */
export function startCpuMeter(): CpuMeter {
  if (SCHEDSTAT) {
    const start = schedstatNs()!;
    return { stop: () => (schedstatNs()! - start) / 1e6 };
  }
  if (threadCpuUsage) {
    const start = threadCpuUsage.call(process);
    return {
      stop() {
        const used = threadCpuUsage.call(process, start);
        return (used.user + used.system) / 1000;
      },
    };
  }
  const start = perfHooks.eventLoopUtilization();
  return { stop: () => perfHooks.eventLoopUtilization(start).active };
}

/**
 * Runs every case `plan.runs` times, round-robin in {@link roundOrder}, after `plan.warmup` warm-up rounds,
 * as {@link interleaved} does, for cases that time themselves (a warm-up timed from its start to its last
 * reply): what each case returns, and the main thread's CPU while it ran.
 *
 * @param cases named async functions of the round, each returning its own time in milliseconds
 * @param plan warm-up and run counts
 * @returns the samples of each case: milliseconds as it returned them, and of main-thread CPU
 */
export async function interleavedWithCpu<K extends string>(
  cases: Record<K, (round: number) => Promise<number>>,
  plan: Plan,
): Promise<{ ms: Record<K, number[]>; cpu: Record<K, number[]> }> {
  const names = Object.keys(cases) as K[];
  const empty = () => Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<K, number[]>;
  const ms = empty();
  const cpu = empty();
  for (let round = 0; round < plan.warmup + plan.runs; round++) {
    for (const name of roundOrder(names, round)) {
      const meter = startCpuMeter();
      const took = await cases[name](round);
      const used = meter.stop();
      if (round < plan.warmup) continue;
      ms[name].push(took);
      cpu[name].push(used);
    }
  }
  return { ms, cpu };
}
