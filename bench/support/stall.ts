// Event-loop stall probe: a 1 ms interval timer whose longest gap between two ticks is recorded.
// A gap well above 1 ms means something held the event loop (or the machine was busy elsewhere).
import { schedulerTimes } from "./cpu.ts";

/** A running probe; `stop()` returns the longest gap in milliseconds. */
export interface StallProbe {
  stop(): number;
}

/**
 * Starts the probe.
 *
 * @returns the probe
 */
export function startStallProbe(): StallProbe {
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 1);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(longest, performance.now() - last);
    },
  };
}

/**
 * The longest gap while nothing but the probe runs, for `ms` milliseconds: the machine's noise floor.
 *
 * @param ms how long to watch
 * @returns the longest gap in milliseconds
 */
export async function idleStall(ms: number): Promise<number> {
  const probe = startStallProbe();
  await new Promise((resolve) => setTimeout(resolve, ms));
  return probe.stop();
}

/** The longest gap of a 1 ms interval timer, and how long of it the main thread waited for a core. */
export interface GapAnatomy {
  /** The gap. */
  readonly gapMs: number;
  /** The main thread's time runnable but waiting on a run queue for a CPU during it. */
  readonly waitMs: number;
}

/**
 * The stall probe, reading the main thread's run-queue clock at every tick (Linux): the longest gap, and how
 * much of it the thread was ready to run but had no core. The kernel adds a wait to the clock when the thread
 * gets its core, so a tick reads every wait that ended before it. (Its time on a CPU is left out: the kernel
 * brings that clock up to date only now and then, up to a scheduler tick late.) The reads cost the thread a
 * file read a tick, so the sections that time CPU use {@link startStallProbe}.
 *
 * @returns the probe; `stop()` gives the longest gap and its wait, or undefined without the clock
 */
export function startGapAnatomyProbe(): { stop(): GapAnatomy | undefined } {
  let lastAt = performance.now();
  let lastWait = schedulerTimes()?.waitMs;
  let longest: GapAnatomy = { gapMs: 0, waitMs: 0 };
  const tick = () => {
    const now = performance.now();
    const wait = schedulerTimes()?.waitMs;
    if (wait !== undefined && lastWait !== undefined && now - lastAt > longest.gapMs) {
      longest = { gapMs: now - lastAt, waitMs: wait - lastWait };
    }
    lastAt = now;
    lastWait = wait;
  };
  const timer = setInterval(tick, 1);
  return {
    stop() {
      clearInterval(timer);
      tick();
      return lastWait === undefined ? undefined : longest;
    },
  };
}
