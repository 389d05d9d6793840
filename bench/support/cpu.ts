// The client's main-thread CPU: what a pool warm-up costs the thread that also runs the application.
// Work a runtime does on other threads (WebCrypto's PBKDF2, the TLS and socket threads) is not counted;
// the official driver's pbkdf2Sync runs on the main thread and is.
import process from "node:process";
import { performance as perfHooks } from "node:perf_hooks";

/** A running meter; `stop()` returns milliseconds of main-thread CPU since it started. */
export interface CpuMeter {
  stop(): number;
}

type Usage = { user: number; system: number };
const threadCpuUsage = (process as { threadCpuUsage?: (since?: Usage) => Usage }).threadCpuUsage;

/**
 * What {@link startCpuMeter} measures on this runtime.
 *
 * `process.threadCpuUsage()` (Deno, Bun, Node.js 23.9+) is the main thread's CPU time, counted by the
 * kernel in 10 ms ticks on Linux (medians over many runs smooth that out). Older Node.js has no per-thread
 * CPU clock: there, the event loop's active time (`performance.eventLoopUtilization()`), which is wall time
 * while the thread runs JavaScript or callbacks, so it also counts time the thread waited for a core.
 */
export const CPU_METER: string = threadCpuUsage
  ? "process.threadCpuUsage()"
  : "eventLoopUtilization().active (no per-thread CPU clock before Node.js 23.9)";

/**
 * Starts measuring the main thread.
 *
 * @returns the meter
 */
export function startCpuMeter(): CpuMeter {
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
