/**
 * A budget of handshake steps per turn of the event loop, shared by every connect() of the process (the
 * event loop is the process's). When many connections start together their steps come back together:
 * a server answers a hundred hellos in one burst, and a hundred SCRAM continuations would then run
 * between two timer ticks. Past the budget, a step waits for the next turn (a timer tick, `setTimeout(0)`,
 * unless the transport knows a quicker one: {@link Transport.nextTurn}), so the application's timers and I/O
 * run between the bursts; the work is only spread, never added to.
 *
 * A timer tick comes at least a millisecond later (about 2 ms on Deno), which holds a warm-up of 100
 * connections to ten steps per tick. An immediate has no such floor, but on Deno and Bun it may run ahead of
 * the timers that are due: {@link timerFair} makes such a quick turn wait for a timer tick whenever the
 * timers have not run for {@link TIMER_SLICE_MS}.
 *
 * @module
 */

import type { Transport } from "./transport.ts";

/**
 * Handshake steps per turn, at most. A connect() takes four: as it starts (reading its connection string,
 * then opening the socket), once the socket is open (hello), after hello (authentication), and after
 * authentication.
 */
export const STEPS_PER_TURN = 10;

/** Runs `run` in a later turn of the event loop, after the timers that are due by then: {@link Transport.nextTurn}. */
export type NextTurn = NonNullable<Transport["nextTurn"]>;

/** The longest a {@link timerFair} turn lets the due timers wait. */
export const TIMER_SLICE_MS = 4;

/**
 * A next turn from a quick one (an immediate) that may run ahead of the due timers: it comes by `quick`
 * while the timers have run within the last `sliceMS`, and otherwise waits for a timer tick, which comes
 * after them. To know when they ran, it keeps one timer tick on its way while turns are asked for.
 *
 * @param quick the quick turn, e.g. `setImmediate`
 * @param sliceMS how long the due timers may wait, at most about
 * @returns the next turn
 * @example A quick turn that never lets a timer run (a microtask) waits for them once they are overdue
 * ```ts
 * import assert from "node:assert/strict";
 * import { timerFair } from "./turn-budget.ts";
 *
 * const nextTurn = timerFair((run) => queueMicrotask(run), 4);
 * const log: string[] = [];
 * setTimeout(() => log.push("timer"), 0);
 * const turn = new Promise<void>((resolve) => nextTurn(() => resolve(void log.push("turn"))));
 * const started = performance.now();
 * while (performance.now() - started < 5); // the loop held past the slice before the turn comes
 * await turn;
 * assert.deepEqual(log, ["timer", "turn"]);
 * ```
 */
export function timerFair(quick: NextTurn, sliceMS: number = TIMER_SLICE_MS): NextTurn {
  let timersRanAt = 0;
  let timerComing = false;
  const held: (() => void)[] = [];
  const askForTimerTick = () => {
    if (timerComing) return;
    timerComing = true;
    timerTick(() => {
      timerComing = false;
      timersRanAt = performance.now();
      for (const run of held.splice(0)) run();
    });
  };
  return (run) => {
    // No tick was on its way: nothing of ours waited for a turn, so what ran until now was not ours to spread.
    if (!timerComing) timersRanAt = performance.now();
    askForTimerTick();
    quick(() => {
      if (performance.now() - timersRanAt < sliceMS) return run();
      held.push(run);
      askForTimerTick();
    });
  };
}

/**
 * Counts the steps of the current turn and holds the ones past the budget until a later turn.
 *
 * @example The third step of a turn with a budget of 2 waits for the next tick
 * ```ts
 * import assert from "node:assert/strict";
 * import { TurnBudget } from "./turn-budget.ts";
 *
 * const budget = new TurnBudget(2);
 * assert.equal(budget.step(), undefined);
 * assert.equal(budget.step(), undefined);
 * const third = budget.step();
 * assert.ok(third instanceof Promise);
 * await third;
 * ```
 */
export class TurnBudget {
  readonly #perTurn: number;
  readonly #nextTurn: NextTurn;
  readonly #waiting: (() => void)[] = [];
  #steps = 0;
  #ticking = false;

  /**
   * @param perTurn steps per turn, at most
   * @param nextTurn how to reach the next turn; a timer tick by default
   */
  constructor(perTurn: number = STEPS_PER_TURN, nextTurn: NextTurn = timerTick) {
    this.#perTurn = perTurn;
    this.#nextTurn = nextTurn;
  }

  /**
   * Takes a step: `undefined` (go on at once) while this turn's budget lasts, otherwise a promise that
   * resolves in a later turn, in the order the steps came. Await only a promise: awaiting `undefined`
   * still costs a promise and a microtask turn, four per connect().
   *
   * @returns nothing to wait for, or the turn to wait for
   */
  step(): Promise<void> | undefined {
    this.#tick();
    if (this.#waiting.length === 0 && this.#steps < this.#perTurn) {
      this.#steps++;
      return undefined;
    }
    return new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  // One tick per turn in which steps were taken: it starts the next turn's budget and lets the waiting
  // steps go, as many as it allows.
  #tick(): void {
    if (this.#ticking) return;
    this.#ticking = true;
    this.#nextTurn(() => {
      this.#ticking = false;
      this.#steps = 0;
      while (this.#waiting.length > 0 && this.#steps < this.#perTurn) {
        this.#steps++;
        this.#waiting.shift()!();
      }
      if (this.#steps > 0) this.#tick();
    });
  }
}

// A timer tick (setTimeout(0)) comes after the timers already due on every runtime, at least a millisecond
// later. setImmediate does too on Node.js; on Deno and Bun it ran ahead of due timers and let the stall grow
// back (bench/README.md). Made timerFair, it shortens a warm-up on Deno and Bun and keeps most of what the
// budget does for the stall: their transports use it.
function timerTick(run: () => void): void {
  setTimeout(run, 0);
}

/** The process's budget with timer ticks, which connect() takes its steps from unless the transport has a quicker next turn. */
export const handshakeSteps: TurnBudget = new TurnBudget();

const budgets = new WeakMap<NextTurn, TurnBudget>();

/**
 * The process's budget for a transport: one per way of reaching the next turn, so that every connect()
 * through the same runtime shares it.
 *
 * @param transport the transport connect() uses
 * @returns its budget; {@link handshakeSteps} when the transport has no `nextTurn`
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { handshakeSteps, handshakeStepsFor } from "./turn-budget.ts";
 *
 * assert.equal(handshakeStepsFor({}), handshakeSteps);
 * const nextTurn = (run: () => void) => void setTimeout(run, 0);
 * assert.equal(handshakeStepsFor({ nextTurn }), handshakeStepsFor({ nextTurn }));
 * ```
 */
export function handshakeStepsFor(transport: Pick<Transport, "nextTurn">): TurnBudget {
  const { nextTurn } = transport;
  if (!nextTurn) return handshakeSteps;
  let budget = budgets.get(nextTurn);
  if (!budget) budgets.set(nextTurn, budget = new TurnBudget(STEPS_PER_TURN, nextTurn));
  return budget;
}
