// Event-loop stall probe: a 1 ms interval timer whose longest gap between two ticks is recorded.
// A gap well above 1 ms means something held the event loop (or the machine was busy elsewhere).

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
