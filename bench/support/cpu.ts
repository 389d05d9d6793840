// The client's main-thread CPU: what a pool warm-up costs the thread that also runs the application.
// Work a runtime does on other threads (WebCrypto's PBKDF2, the TLS and socket threads, the garbage
// collector's helpers) is not counted; the official driver's pbkdf2Sync runs on the main thread and is.
import process from "node:process";
import { readdirSync, readFileSync } from "node:fs";
import { performance as perfHooks } from "node:perf_hooks";
import { type Plan, roundOrder } from "./measure.ts";

/** A running meter; `stop()` returns milliseconds of main-thread CPU since it started. */
export interface CpuMeter {
  stop(): number;
}

type Usage = { user: number; system: number };
const threadCpuUsage = (process as { threadCpuUsage?: (since?: Usage) => Usage }).threadCpuUsage;

/** A thread's scheduler clocks, in milliseconds. */
export interface SchedulerTimes {
  /** Time on a CPU, user and kernel together. */
  readonly cpuMs: number;
  /** Time runnable but waiting on a run queue for a CPU. */
  readonly waitMs: number;
}

/**
 * Linux's per-thread scheduler clocks: the first two fields of a `schedstat` file are the nanoseconds the
 * thread has spent on a CPU and waiting on a run queue, counted exactly (not sampled in ticks). The kernel
 * adds a wait when the thread gets its core, but a running thread's latest CPU time only when it leaves its
 * core or at a scheduler tick, so the CPU time read can be up to a tick behind ({@link startCpuMeter} brings
 * the calling thread's up to date first). Undefined where there is no such file (macOS, Windows) or the
 * thread is gone.
 *
 * @param path the thread's schedstat file; the calling thread's by default
 * @returns its clocks
 */
export function schedulerTimes(path = "/proc/thread-self/schedstat"): SchedulerTimes | undefined {
  try {
    const [cpu, wait] = readFileSync(path, "utf8").split(" ").map(Number);
    return Number.isFinite(cpu) && Number.isFinite(wait)
      ? { cpuMs: cpu / 1e6, waitMs: wait / 1e6 }
      : undefined;
  } catch {
    return undefined;
  }
}

// The calling thread's CPU time up to now. Read as the kernel last counted it, a 5–7 ms busy loop measured up
// to 3.8 ms short on the benchmark's VM, with no wait on a run queue; process.cpuUsage() (getrusage for the
// process) first folds in the time the thread has run since, and the same loop then measures within 0.1 ms on
// Deno, Node.js and Bun.
function ownCpuMs(): number {
  process.cpuUsage();
  return schedulerTimes()!.cpuMs;
}

/**
 * The time on a CPU of every thread of a process so far (Linux), by thread id; empty elsewhere.
 *
 * @param pid the process
 * @returns milliseconds by thread id
 */
export function threadsCpuMs(pid: number): Map<string, number> {
  const threads = new Map<string, number>();
  let ids: string[];
  try {
    ids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return threads;
  }
  for (const id of ids) {
    const times = schedulerTimes(`/proc/${pid}/task/${id}/schedstat`);
    if (times) threads.set(id, times.cpuMs);
  }
  return threads;
}

const SCHEDSTAT = schedulerTimes() !== undefined;

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
    const start = ownCpuMs();
    return { stop: () => ownCpuMs() - start };
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
