/**
 * A budget of handshake steps per turn of the event loop, shared by every connect() of the process (the
 * event loop is the process's). When many connections start together their steps come back together:
 * a server answers a hundred hellos in one burst, and a hundred SCRAM continuations would then run
 * between two timer ticks. Past the budget, a step waits for the next timer tick (`setTimeout(0)`), so the
 * application's timers and I/O run between the bursts; the work is only spread, never added to.
 *
 * @module
 */

/** Handshake steps (opening a socket, going on after hello, after authentication) per turn, at most. */
export const STEPS_PER_TURN = 10;

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
  readonly #waiting: (() => void)[] = [];
  #steps = 0;
  #ticking = false;

  /**
   * @param perTurn steps per turn, at most
   */
  constructor(perTurn: number = STEPS_PER_TURN) {
    this.#perTurn = perTurn;
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

  // One timer per turn in which steps were taken: it starts the next turn's budget and lets the waiting
  // steps go, as many as it allows.
  #tick(): void {
    if (this.#ticking) return;
    this.#ticking = true;
    nextTurn(() => {
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

// The next turn is a timer tick (setTimeout(0)), which comes after the timers already due, on every
// runtime. setImmediate would not cap the steps at ten per millisecond on Node.js, but on Deno and Bun it
// ran ahead of due timers and let the stall grow back (bench/README.md).
function nextTurn(run: () => void): void {
  setTimeout(run, 0);
}

/** The process's budget, which every connect() takes its steps from. */
export const handshakeSteps: TurnBudget = new TurnBudget();
