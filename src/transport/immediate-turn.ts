/**
 * The next turn for runtimes that may run an immediate ahead of the due timers (Deno, Bun): `setImmediate`
 * made {@link timerFair}, so that it waits for a timer tick whenever the timers are overdue. It has no timer
 * tick's floor between turns (about 2 ms on Deno, 1.15 ms on Bun), which held a pool warm-up of 100
 * connections to ten handshake steps per tick (bench/README.md). One for the process: the Deno transport and
 * the Node.js transport on Deno or Bun reach the next turn through it, so that they share one budget of
 * handshake steps (`handshakeStepsFor` keeps one per way of reaching the next turn).
 *
 * @module
 */
import { type NextTurn, timerFair } from "../client/turn-budget.ts";

const immediate = (globalThis as { setImmediate?: (run: () => void) => unknown }).setImmediate;

/**
 * `setImmediate` made timer-fair; undefined on a runtime without `setImmediate` (a timer tick is then the
 * next turn).
 *
 * @example Deno's and the Node.js transport's next turn on Deno and Bun
 * ```ts
 * import assert from "node:assert/strict";
 * import { timerFairImmediate } from "./immediate-turn.ts";
 *
 * const log: string[] = [];
 * await new Promise<void>((resolve) => timerFairImmediate!(() => resolve(void log.push("turn"))));
 * assert.deepEqual(log, ["turn"]);
 * ```
 */
export const timerFairImmediate: NextTurn | undefined = immediate &&
  /* @__PURE__ */ timerFair((run) => void immediate(run));
