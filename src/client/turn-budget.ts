/**
 * A budget of handshake steps per turn of the event loop, shared by every connect() of the process (the
 * event loop is the process's). When many connections start together their steps come back together:
 * a server answers a hundred hellos in one burst, and a hundred SCRAM continuations would then run
 * between two timer ticks. Past the budget, a step waits for the next turn (a timer tick, `setTimeout(0)`,
 * unless the transport knows a quicker one: {@link Transport.nextTurn}), so the application's timers and I/O
 * run between the bursts; the work is only spread, never added to.
 *
 * @module
 */

import type { Transport } from "./transport.ts";

/** Handshake steps (opening a socket, going on after hello, after authentication) per turn, at most. */
export const STEPS_PER_TURN = 10;

/** Runs `run` in a later turn of the event loop, after the timers that are due by then. */
export type NextTurn = (run: () => void) => void;

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
   * resolves in a later turn, in the order the steps came.
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
// later. setImmediate does too on Node.js (whose transport says so), but on Deno and Bun it ran ahead of due
// timers and let the stall grow back (bench/README.md).
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
