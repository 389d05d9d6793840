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

import { MongoAuthError } from "../core/errors.ts";
import { typeName } from "../core/options.ts";
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
 * Counts the steps of the current turn and holds the ones past the budget until a later turn. connect()
 * takes its handshake steps from the process's budget ({@link handshakeStepsFor}); a driver that opens many
 * connections at once can take its own from the same one.
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
   * Creates a budget of its own; connect() and a driver's pool share the process's, from
   * {@link handshakeStepsFor}.
   *
   * @param perTurn steps per turn, at most; `Infinity` never holds a step (and never waits for a turn)
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
    if (this.#perTurn === Infinity) return undefined;
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

// Where each request's I/O is its own (Cloudflare Workers), a step held for another request's turn might
// never be woken: nothing is held there.
const UNBOUNDED = new TurnBudget(Infinity);

const budgets = new WeakMap<NextTurn, TurnBudget>();

/**
 * The process's budget of handshake steps for a transport: the one connect() takes its steps from, shared
 * by everything that opens connections through the same runtime (its event loop is the process's).
 *
 * A driver that opens many connections at once (a pool warming up) takes a step before each part of a
 * handshake that connect() spreads: before opening the socket, once it is open (before hello), after
 * hello (before the rest of the conversation), and after authentication. A step is `undefined` (go on now)
 * or a promise of a later turn: `await steps.step()` works either way, and awaiting only a promise saves a
 * microtask. The first steps of a turn go on at once, so a single connection never waits. There is one
 * budget per way of reaching the next turn (the same `nextTurn` function): pass the same transport, or keep
 * the budget.
 *
 * @param transport the transport whose next turn the budget waits for (`nodeTransport`, `denoTransport`,
 *   a transport of your own); none: the budget with timer ticks
 * @returns the budget; one that never holds a step for a transport with `ioPerRequest` (Cloudflare Workers)
 * @throws {MongoAuthError} `INVALID_OPTION` when `transport` is not an object, or its `nextTurn` is not a
 *   function
 * @example Four steps around one connection's handshake (a driver's pool takes them for each connection)
 * ```ts
 * import assert from "node:assert/strict";
 * import { handshakeStepsFor } from "@mongo-auth/core";
 *
 * const steps = handshakeStepsFor({ nextTurn: (run) => setTimeout(run, 0) });
 * const log: string[] = [];
 * for (const part of ["socket", "hello", "authentication", "ready"]) {
 *   const turn = steps.step();
 *   if (turn) await turn; // past the turn's budget: wait for a later turn of the event loop
 *   log.push(part);
 * }
 * assert.deepEqual(log, ["socket", "hello", "authentication", "ready"]);
 * assert.equal(handshakeStepsFor({ ioPerRequest: true }).step(), undefined);
 * ```
 */
export function handshakeStepsFor(transport?: Pick<Transport, "nextTurn" | "ioPerRequest">): TurnBudget {
  if (transport === undefined) return handshakeSteps;
  if (typeof transport !== "object" || transport === null) {
    const got = typeName(transport);
    throw new MongoAuthError(
      "INVALID_OPTION",
      `handshakeStepsFor() needs a Transport (nodeTransport, denoTransport or your own), got ${got}`,
    );
  }
  const { nextTurn, ioPerRequest } = transport;
  if (nextTurn !== undefined && typeof nextTurn !== "function") {
    throw new MongoAuthError(
      "INVALID_OPTION",
      `the transport's nextTurn must be a function (run) => void, got ${typeName(nextTurn)}`,
    );
  }
  if (ioPerRequest) return UNBOUNDED;
  if (!nextTurn) return handshakeSteps;
  let budget = budgets.get(nextTurn);
  if (!budget) budgets.set(nextTurn, budget = new TurnBudget(STEPS_PER_TURN, nextTurn));
  return budget;
}
