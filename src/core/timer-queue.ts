/**
 * One timer for many time budgets: the `Deadline`s (abort.ts) of server checks wait on the same `setTimeout`,
 * set for the earliest of their ends. A pool's warm-up starts a budget (connectTimeoutMS) per connection and
 * almost never lets one run out; on Deno, where each timer is a Node.js-style `Timeout` with an async id,
 * a timer per budget cost a warm-up 2 % of its main-thread CPU (bench/README.md, section 4).
 *
 * @module
 */

/**
 * Calls each callback at the time it was scheduled for (`Date.now()` milliseconds), or a little later, with
 * one `setTimeout` between them all. While nothing is scheduled no timer is set, so the queue never keeps a
 * process alive on its own.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TimerQueue } from "./timer-queue.ts";
 *
 * const queue = new TimerQueue();
 * const fired: string[] = [];
 * const later = () => fired.push("later");
 * queue.schedule(later, Date.now() + 20);
 * queue.schedule(() => fired.push("sooner"), Date.now() + 5);
 * queue.cancel(later);
 * await new Promise((resolve) => setTimeout(resolve, 40));
 * assert.deepEqual(fired, ["sooner"]);
 * assert.equal(queue.size, 0);
 * ```
 */
export class TimerQueue {
  readonly #due = new Map<() => void, number>();
  readonly #clock: TimerClock;
  #timer: unknown;
  #timerAt = Infinity;

  /**
   * An empty queue.
   *
   * @param clock the runtime's timers and time (default: `setTimeout`, `clearTimeout`, `Date.now`)
   */
  constructor(clock: TimerClock = RUNTIME_CLOCK) {
    this.#clock = clock;
  }

  /** How many callbacks wait. */
  get size(): number {
    return this.#due.size;
  }

  /**
   * Calls `callback` at `at`, once; scheduling the same callback again moves it.
   *
   * @param callback what to call
   * @param at when, in `Date.now()` milliseconds
   */
  schedule(callback: () => void, at: number): void {
    this.#due.set(callback, at);
    if (at < this.#timerAt) this.#set(at);
  }

  /**
   * Does not call `callback` after all. Nothing happens if it is not waiting.
   *
   * @param callback what {@link schedule} was given
   */
  cancel(callback: () => void): void {
    if (!this.#due.delete(callback) || this.#due.size > 0) return;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
  }

  #set(at: number): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = this.#clock.setTimeout(() => this.#fire(), Math.max(0, at - this.#clock.now()));
  }

  // The callbacks due, in the order of their times; the timer set again for the next one first, so that a
  // callback that schedules itself again is seen.
  #fire(): void {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const now = this.#clock.now();
    const fired: [() => void, number][] = [];
    let next = Infinity;
    for (const [callback, at] of this.#due) {
      if (at <= now) fired.push([callback, at]);
      else if (at < next) next = at;
    }
    for (const [callback] of fired) this.#due.delete(callback);
    if (next !== Infinity) this.#set(next);
    fired.sort((a, b) => a[1] - b[1]);
    for (const [callback] of fired) {
      try {
        callback();
      } catch (error) {
        // Thrown from a timer of its own, it would have been uncaught: so it is, and the others still run.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}

/** The timers and the time a {@link TimerQueue} runs on. */
export interface TimerClock {
  /** Calls `run` after `ms` milliseconds; returns a handle for {@link TimerClock.clearTimeout}. */
  setTimeout(run: () => void, ms: number): unknown;
  /** Clears a timer set by {@link TimerClock.setTimeout} (nothing when it has fired). */
  clearTimeout(timer: unknown): void;
  /** Milliseconds since the epoch, as `Date.now()`. */
  now(): number;
}

const RUNTIME_CLOCK: TimerClock = {
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
};
