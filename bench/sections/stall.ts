// Section 5 (first half): the event-loop stall of the authentication work alone — 100 SCRAM-SHA-256
// conversations (client side, no network) started together on one cold key cache: one PBKDF2, 99
// conversations waiting on it, then 100 proofs and server-signature checks — and, taking turns with them,
// the same probe around one bare WebCrypto PBKDF2 with nothing else running: what the runtime's event
// loop does while a derivation is under way, which is the floor of the conversations' stall. The pool
// section adds the stall of a whole pool warm-up (sockets, hello, BSON) for mongo-auth and the official
// driver.
import { ScramKeyCache } from "../../mod.ts";
import { type Plan, roundOrder, stats } from "../support/measure.ts";
import type { Row } from "../support/report.ts";
import { idleStall, startStallProbe } from "../support/stall.ts";
import { CASES, webCryptoPbkdf2 } from "./pbkdf2.ts";
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
  const bare: number[] = [];
  const idle: number[] = [];
  const elapsed: number[] = [];
  // One cold key cache for the hundred: one PBKDF2, the others waiting on it.
  const conversations = () => {
    const cache = new ScramKeyCache();
    return Promise.all(Array.from({ length: CONCURRENT }, () => conversation(f, cache)));
  };
  const cases = { ours: conversations, floor: () => webCryptoPbkdf2(CASES[1]) };
  for (let i = 0; i < plan.warmup + plan.runs; i++) {
    const quiet = await idleStall(50);
    // Taking turns, so that neither always runs right after the idle wait.
    const round: Partial<Record<keyof typeof cases, Probed>> = {};
    for (const name of roundOrder(["ours", "floor"] as const, i)) round[name] = await probed(cases[name]);
    if (i < plan.warmup) continue;
    const { ours, floor } = round as Required<typeof round>;
    busy.push(ours.longest), bare.push(floor.longest), idle.push(quiet), elapsed.push(ours.took);
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
    {
      section: "stall",
      name: "during one bare WebCrypto PBKDF2, nothing else running (the floor of the row above)",
      ...stats(bare),
    },
    { section: "stall", name: "idle, 50 ms before each run (the machine's floor)", ...stats(idle) },
  ];
}

/** The probe's longest gap around some work, and how long the work took (ms). */
interface Probed {
  readonly longest: number;
  readonly took: number;
}

// The probe around `work`, with one more tick after it so that a stall at its very end is seen too.
async function probed(work: () => Promise<unknown>): Promise<Probed> {
  const probe = startStallProbe();
  const started = performance.now();
  await work();
  const took = performance.now() - started;
  await new Promise((resolve) => setTimeout(resolve, 2));
  return { longest: probe.stop(), took };
}
