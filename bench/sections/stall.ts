// Section 5 (first half): the event-loop stall of the authentication work alone — 100 SCRAM-SHA-256
// conversations (client side, no network) started together on one cold key cache: one PBKDF2, 99
// conversations waiting on it, then 100 proofs and server-signature checks. The pool section adds the
// stall of a whole pool warm-up (sockets, hello, BSON) for mongo-auth and the official driver.
import { ScramKeyCache } from "../../mod.ts";
import { type Plan, stats } from "../support/measure.ts";
import type { Row } from "../support/report.ts";
import { idleStall, startStallProbe } from "../support/stall.ts";
import { CASES } from "./pbkdf2.ts";
import { conversation, fixture } from "./scram-client.ts";

const CONCURRENT = 100;

/**
 * Measures the longest event-loop gap while 100 conversations run, and the idle floor before each run.
 *
 * @param plan warm-up and run counts
 * @returns the stall rows
 */
export async function stallSection(plan: Plan): Promise<Row[]> {
  const f = fixture(CASES[1]);
  const busy: number[] = [];
  const idle: number[] = [];
  const elapsed: number[] = [];
  for (let i = 0; i < plan.warmup + plan.runs; i++) {
    const quiet = await idleStall(50);
    const cache = new ScramKeyCache();
    const probe = startStallProbe();
    const started = performance.now();
    await Promise.all(Array.from({ length: CONCURRENT }, () => conversation(f, cache)));
    const took = performance.now() - started;
    // Let the probe tick once more after the work, so a stall at the very end is seen too.
    await new Promise((resolve) => setTimeout(resolve, 2));
    const longest = probe.stop();
    if (i < plan.warmup) continue;
    busy.push(longest), idle.push(quiet), elapsed.push(took);
  }
  const s = stats(busy);
  return [
    {
      section: "stall",
      name: "during 100 concurrent SCRAM-SHA-256 conversations (auth only, no network)",
      ...s,
      target: "< 2 ms",
      met: s.median < 2,
      note: `they take ${stats(elapsed).median.toFixed(1)} ms in all; per run: longest gap`,
    },
    { section: "stall", name: "idle, 50 ms before each run (the machine's floor)", ...stats(idle) },
  ];
}
