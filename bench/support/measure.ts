// Sampling: warm-up, then timed runs; medians and p99. Ratios come from interleaved runs (A B A B…)
// so that load from other processes on a shared machine falls on both sides alike.

/** Summary of a list of samples (milliseconds unless said otherwise). */
export interface Stats {
  readonly median: number;
  readonly p99: number;
  readonly n: number;
}

/** How many warm-up and timed runs; `--quick` uses small counts. */
export interface Plan {
  readonly warmup: number;
  readonly runs: number;
}

/**
 * Median and 99th percentile (nearest rank) of `samples`.
 *
 * @param samples the values
 * @returns the summary
 */
export function stats(samples: readonly number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return { median: median(sorted), p99: rank(0.99), n: sorted.length };
}

function median(sorted: readonly number[]): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * The order of the cases in round `round`: each round starts one case later than the one before (A B C,
 * B C A, C A B, …), so no case always runs right after the same other one. What one case leaves behind
 * (garbage to collect; on Deno, a WebCrypto case changed the next PBKDF2's time by several per cent) would
 * otherwise fall on one side of a ratio only.
 *
 * @param names the cases, in their first round's order
 * @param round the round, from 0
 * @returns the cases in this round's order
 */
export function roundOrder<K>(names: readonly K[], round: number): K[] {
  return names.map((_, i) => names[(round + i) % names.length]);
}

/**
 * Runs every function of `cases` `plan.runs` times, round-robin in {@link roundOrder}, after `plan.warmup`
 * warm-up rounds.
 *
 * @param cases named async functions
 * @param plan warm-up and run counts
 * @returns the samples of each case, in milliseconds
 */
export async function interleaved<K extends string>(
  cases: Record<K, () => Promise<unknown>>,
  plan: Plan,
): Promise<Record<K, number[]>> {
  const names = Object.keys(cases) as K[];
  const samples = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<K, number[]>;
  for (let round = 0; round < plan.warmup + plan.runs; round++) {
    for (const name of roundOrder(names, round)) {
      const started = performance.now();
      await cases[name]();
      if (round >= plan.warmup) samples[name].push(performance.now() - started);
    }
  }
  return samples;
}

/**
 * The median of per-round ratios `a[i] / b[i]` of two interleaved sample lists: each round's pair ran
 * back to back, under the same load.
 *
 * @param a numerator samples
 * @param b denominator samples, same length
 * @returns the median ratio
 */
export function pairedRatio(a: readonly number[], b: readonly number[]): number {
  return median(a.map((x, i) => x / b[i]).sort((x, y) => x - y));
}
