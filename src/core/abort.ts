/**
 * Cancellation: every wait in mongo-auth ends by its timeout or the caller's signal, and ends with a
 * {@link MongoAuthError}, never with whatever the signal's reason happened to be. The one place that
 * listens to a signal: everything else races with {@link raceAbort}, waits with {@link sleep}, and
 * arms its own glue with {@link onAbort}.
 *
 * The rule for a fired signal ({@link abortError}): a `MongoAuthError` reason is the error (a
 * {@link Deadline} that ran out says `TIMEOUT` and why); `AbortSignal.timeout`'s `TimeoutError` is
 * `TIMEOUT`; anything else is `ABORTED`.
 *
 * @module
 */
import { MongoAuthError } from "./errors.ts";
import { TimerQueue } from "./timer-queue.ts";

/**
 * Throws `ABORTED` (or `TIMEOUT`, by {@link abortError}'s rule) when `signal` has fired.
 *
 * @param signal the caller's signal, if any
 * @param what what was cancelled, for the message
 * @throws {MongoAuthError} `ABORTED` or `TIMEOUT`
 */
export function throwIfAborted(signal: AbortSignal | undefined, what?: string): void {
  if (signal?.aborted) throw abortError(signal, what);
}

/**
 * The error for a fired signal: its reason when that is a `MongoAuthError`, `TIMEOUT` for
 * `AbortSignal.timeout`, otherwise `ABORTED`.
 *
 * @param signal a fired signal
 * @param what what was cancelled, for the message
 * @returns the error, with the signal's reason as `cause`
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { abortError } from "./abort.ts";
 *
 * assert.equal(abortError(AbortSignal.abort(), "the lookup").message, "the lookup aborted");
 * assert.equal(abortError(AbortSignal.abort(new DOMException("late", "TimeoutError"))).code, "TIMEOUT");
 * ```
 */
export function abortError(signal: AbortSignal, what = "operation"): MongoAuthError {
  const reason = signal.reason;
  if (reason instanceof MongoAuthError) return reason;
  const timedOut = reason instanceof Error && reason.name === "TimeoutError";
  return timedOut
    ? new MongoAuthError("TIMEOUT", `${what} timed out`, { cause: reason })
    : new MongoAuthError("ABORTED", `${what} aborted`, { cause: reason });
}

/**
 * Calls `listener` once when `signal` fires (at once when it has fired already, as a microtask after
 * the caller's own code ran). For glue that must react to an abort itself (close a socket, fail a
 * pending command); to wait for a promise, use {@link raceAbort}.
 *
 * @param signal the signal, if any
 * @param listener what to do when it fires
 * @returns a function that removes the listener; call it once the work is done
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { onAbort } from "./abort.ts";
 *
 * const controller = new AbortController();
 * let fired = 0;
 * const dispose = onAbort(controller.signal, () => fired++);
 * controller.abort();
 * dispose();
 * assert.equal(fired, 1);
 * ```
 */
export function onAbort(signal: AbortSignal | undefined, listener: () => void): () => void {
  if (!signal) return () => {};
  if (signal.aborted) {
    let cancelled = false;
    queueMicrotask(() => cancelled || listener());
    return () => (cancelled = true);
  }
  signal.addEventListener("abort", listener, { once: true });
  return () => signal.removeEventListener("abort", listener);
}

/**
 * Waits for `promise`, but no longer than until `signal` fires: then it rejects at once with
 * {@link abortError}, whatever `promise` is still doing (say, a callback or a WebCrypto derivation that
 * takes no signal). `promise` is abandoned then; its later failure is no one's.
 *
 * @param promise the work
 * @param signal the caller's signal, if any
 * @param what what is waited for, for the message
 * @returns what `promise` resolves to
 * @throws {MongoAuthError} `ABORTED` or `TIMEOUT` when `signal` fires first; whatever `promise` throws
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { raceAbort } from "./abort.ts";
 *
 * const never = new Promise<never>(() => {});
 * await assert.rejects(raceAbort(never, AbortSignal.abort(), "the callback"), {
 *   code: "ABORTED",
 *   message: "the callback aborted",
 * });
 * assert.equal(await raceAbort(Promise.resolve(1), undefined, "x"), 1);
 * ```
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(abortError(signal, what));
  }
  return new Promise<T>((resolve, reject) => {
    const dispose = onAbort(signal, () => {
      promise.catch(() => {});
      reject(abortError(signal, what));
    });
    promise.then(
      (value) => {
        dispose();
        resolve(value);
      },
      (err) => {
        dispose();
        reject(err);
      },
    );
  });
}

/**
 * Resolves after `ms` milliseconds, or rejects by {@link abortError}'s rule as soon as `signal` fires.
 *
 * @param ms how long to wait
 * @param signal the caller's signal, if any
 * @param what what waits, for the message
 * @returns nothing, once the time has passed
 * @throws {MongoAuthError} `ABORTED` or `TIMEOUT` when `signal` fires first
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sleep } from "./abort.ts";
 *
 * await sleep(1);
 * await assert.rejects(sleep(60_000, AbortSignal.abort(), "waiting"), { code: "ABORTED" });
 * ```
 */
export function sleep(ms: number, signal?: AbortSignal, what = "waiting"): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const elapsed = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return raceAbort(elapsed, signal, what).finally(() => clearTimeout(timer));
}

/**
 * A signal that fires when `signal` fires or after `timeoutMS` milliseconds. A `timeoutMS` of 0 (or
 * less) means no timeout, as `connectTimeoutMS=0` does in the URI options specification: the result then
 * fires only with `signal`, and never when there is no `signal`.
 *
 * @param signal the caller's signal, if any
 * @param timeoutMS the timeout; 0: none
 * @returns the combined signal, always a signal
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { withTimeout } from "./abort.ts";
 *
 * assert.equal(withTimeout(undefined, 0).aborted, false);
 * ```
 */
export function withTimeout(signal: AbortSignal | undefined, timeoutMS: number): AbortSignal {
  if (timeoutMS <= 0) return signal ?? new AbortController().signal;
  const timeout = AbortSignal.timeout(timeoutMS);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}

/**
 * How late a timer has to fire for the process to count as stopped in the meantime (a long garbage
 * collection, synchronous work): the runtime's timers are late by a few milliseconds under load, never by
 * this much unless nothing ran.
 */
export const STOPPED_PROCESS_MS = 1_000;

/**
 * How long the process had stopped, as far as a timer that fires at `now` for `dueAt` can tell: its lateness
 * when that is {@link STOPPED_PROCESS_MS} or more, else 0.
 *
 * @param dueAt when the timer was due (the same clock as `now`)
 * @param now when it fired
 * @returns the milliseconds the process had stopped for, or 0
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stoppedFor } from "./abort.ts";
 *
 * assert.equal(stoppedFor(100, 105), 0); // a timer a little late under load
 * assert.equal(stoppedFor(100, 1_900), 1_800); // nothing ran for at least 1.8 s
 * ```
 */
export function stoppedFor(dueAt: number, now: number): number {
  const late = now - dueAt;
  return late >= STOPPED_PROCESS_MS ? late : 0;
}

/**
 * A `TIMEOUT` that says part of its time went by while the process did not run.
 *
 * @param timedOut the timeout's error
 * @param stoppedMS how long the process had stopped (given back once before this timeout)
 * @returns the error with that said
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { withStop } from "./abort.ts";
 * import { MongoAuthError } from "./errors.ts";
 *
 * const err = withStop(new MongoAuthError("TIMEOUT", "connecting to db:27017 timed out after 500 ms"), 1_800);
 * assert.match(err.message, /this process had stopped for 1800 ms of that time/);
 * ```
 */
export function withStop(timedOut: MongoAuthError, stoppedMS: number): MongoAuthError {
  return new MongoAuthError(
    timedOut.code,
    `${timedOut.message} (this process had stopped for ${Math.round(stoppedMS)} ms of that time: a long ` +
      "garbage collection or synchronous work held its event loop; that time was given back once)",
    { cause: timedOut.cause },
  );
}

/**
 * A time budget on top of the caller's signal, that can stop while a person is at work: `connect()`'s
 * `connectTimeoutMS`, which does not run while a human OIDC callback waits for someone to sign in (that
 * callback has its own five minutes, and the auth specification does not let the connect timeout cut it
 * short), and an OIDC callback's own time budget.
 *
 * {@link Deadline.signal} fires when the caller's signal fires or the budget is spent. Call
 * {@link Deadline.dispose} once the budget is no longer needed: it takes the budget off its timer queue (a
 * timer of its own, or one shared, timer-queue.ts) and lets go of the caller's signal. Given an outer
 * Deadline instead of a signal (connectTimeoutMS inside `timeoutMS`), the budget also ends with the outer
 * one's, and {@link Deadline.timeLeft} says which comes first.
 *
 * Time in which the process itself did not run is not the peer's: when the timer fires
 * {@link STOPPED_PROCESS_MS} or more after the budget ended, the answers that came meanwhile are still
 * unread (the runtime runs its due timers before it reads its sockets), so the budget gets that lateness
 * back, once; if it runs out after all, the `TIMEOUT` says how long the process had stopped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Deadline } from "./abort.ts";
 *
 * const deadline = new Deadline(undefined, 10, "connecting");
 * // Paused: the budget does not run out while the work waits, however long it takes.
 * await deadline.paused(() => new Promise((resolve) => setTimeout(resolve, 30)));
 * assert.equal(deadline.signal.aborted, false);
 * deadline.dispose();
 *
 * // Inside an outer budget, the nearer end is the one that counts.
 * const operation = new Deadline(undefined, 50, "the operation");
 * const connecting = new Deadline(operation, 10_000, "connecting");
 * assert.ok(connecting.timeLeft() <= 50);
 * connecting.dispose();
 * operation.dispose();
 * ```
 */
export class Deadline {
  /** Fires on the caller's abort, or when the budget is spent (reason: a `TIMEOUT` MongoAuthError). */
  readonly signal: AbortSignal;
  readonly #controller = new AbortController();
  readonly #caller: AbortSignal | undefined;
  readonly #outer: Deadline | undefined;
  #stopListening: () => void = () => {};
  readonly #timedOut: () => MongoAuthError;
  #remainingMS: number;
  #endsAt = 0;
  // Whether the budget waits in its timer queue, and for when. A pause keeps it there: the budget only ends
  // later for it, and a budget called early waits again (a checked server's budget pauses and resumes once
  // per connect()).
  #waiting = false;
  #timerAt = 0;
  readonly #timers: TimerQueue;
  readonly #onDue = () => this.#due();
  #pauses = 0;
  #disposed = false;
  #expired = false;
  // How long the process had stopped when the timer fired late, once it has (the budget got it back).
  #stoppedMS = 0;

  /**
   * Starts the clock.
   *
   * @param caller the caller's signal, or an outer Deadline (whose signal is then the caller's), if any
   * @param timeoutMS the budget in milliseconds; 0 (or less): none
   * @param what what the budget is for, for the `TIMEOUT` message (e.g. "connecting to db:27017", which
   *   times out "after N ms (connectTimeoutMS)"), or the error to fire with when it is spent
   * @param timers the queue whose timer the budget waits on, shared with other budgets; default: a timer of
   *   its own
   */
  constructor(
    caller: AbortSignal | Deadline | undefined,
    timeoutMS: number,
    what: string | (() => MongoAuthError),
    timers: TimerQueue = new TimerQueue(),
  ) {
    this.signal = this.#controller.signal;
    this.#timers = timers;
    this.#outer = caller instanceof Deadline ? caller : undefined;
    const signal = caller instanceof Deadline ? caller.signal : caller;
    this.#caller = signal;
    this.#timedOut = typeof what === "function"
      ? what
      : () => new MongoAuthError("TIMEOUT", `${what} timed out after ${timeoutMS} ms (connectTimeoutMS)`);
    this.#remainingMS = timeoutMS > 0 ? timeoutMS : Infinity;
    if (signal?.aborted) {
      this.#abort(signal.reason);
      return;
    }
    this.#stopListening = onAbort(signal, () => this.#abort(signal?.reason));
    this.#run();
  }

  /**
   * Runs `work` with the clock stopped, and the clocks of the outer Deadlines it sits in (a person signing
   * in is subject to neither connectTimeoutMS nor timeoutMS: auth spec). `work` is handed the outermost
   * caller's signal (which still applies) and not {@link signal}, which does not fire for time while `work`
   * runs.
   *
   * @param work what to run, e.g. a human OIDC callback
   * @returns what `work` returns
   * @throws {MongoAuthError} `TIMEOUT` or `ABORTED` when the deadline had already fired; whatever `work` throws
   */
  async paused<T>(work: (signal: AbortSignal | undefined) => Promise<T>): Promise<T> {
    throwIfAborted(this.signal);
    const [resume, caller] = this.#pauseWithOuter();
    try {
      return await work(caller);
    } finally {
      resume();
    }
  }

  // Stops this clock and the outer ones: how to start them again, and the outermost caller's signal.
  #pauseWithOuter(): [resume: () => void, caller: AbortSignal | undefined] {
    const resume = this.pause();
    if (!this.#outer) return [resume, this.#caller];
    const [resumeOuter, caller] = this.#outer.#pauseWithOuter();
    return [() => (resume(), resumeOuter()), caller];
  }

  /**
   * Stops the clock until the function returned is called (once; later calls do nothing): what
   * {@link paused} does around its work, for a pause that spans no single piece of work (a checked
   * server's budget, while connect() waits for the other servers' checks).
   *
   * @returns the function that starts the clock again
   */
  pause(): () => void {
    if (this.#pauses++ === 0 && this.#waiting) {
      this.#remainingMS = Math.max(0, this.#endsAt - Date.now());
    }
    let resumed = false;
    return () => {
      if (resumed) return;
      resumed = true;
      if (--this.#pauses === 0) this.#run();
    };
  }

  /**
   * Milliseconds before {@link signal} fires for time: this budget's or an outer Deadline's, whichever
   * ends first; `Infinity` when neither has a clock; 0 once fired. A stopped clock does not count: after
   * {@link pause}, the outer one's alone; within {@link paused}, neither (`Infinity`).
   *
   * @returns the time left, in milliseconds
   */
  timeLeft(): number {
    if (this.signal.aborted) return 0;
    const outer = this.#outer?.timeLeft() ?? Infinity;
    if (this.#pauses > 0 || !this.#waiting) return outer;
    return Math.min(Math.max(0, this.#endsAt - Date.now()), outer);
  }

  /**
   * Fires {@link signal} now, for work no longer wanted (a server check abandoned once another server
   * was chosen). Does nothing once it has fired.
   *
   * @param reason what the signal fires with
   */
  abort(reason: unknown): void {
    if (!this.signal.aborted) this.#abort(reason);
  }

  /**
   * Whether {@link signal} fired because this budget was spent, not for the caller, an outer Deadline or
   * {@link abort}: what tells a `connectTimeoutMS` that ran out from the other ways a connection ends.
   */
  get expired(): boolean {
    return this.#expired;
  }

  /** Takes the budget off the timer queue and lets go of the caller's signal. Idempotent. */
  dispose(): void {
    this.#disposed = true;
    this.#stop();
    this.#stopListening();
  }

  #run(): void {
    if (this.#disposed || this.signal.aborted || this.#remainingMS === Infinity) return;
    this.#endsAt = Date.now() + this.#remainingMS;
    if (this.#waiting && this.#timerAt <= this.#endsAt) return;
    this.#arm();
  }

  #arm(): void {
    this.#waiting = true;
    this.#timerAt = this.#endsAt;
    this.#timers.schedule(this.#onDue, this.#endsAt);
  }

  #due(): void {
    this.#waiting = false;
    // Paused: the resume queues the budget again. Called before the end a pause moved: queued for that end.
    if (this.#pauses > 0) return;
    const now = Date.now();
    if (now < this.#endsAt) return this.#arm();
    const stopped = stoppedFor(this.#endsAt, now);
    if (stopped > 0 && this.#stoppedMS === 0) {
      this.#stoppedMS = stopped;
      this.#remainingMS = stopped;
      this.#run();
      return;
    }
    this.#expired = true;
    this.#abort(this.#stoppedMS === 0 ? this.#timedOut() : withStop(this.#timedOut(), this.#stoppedMS));
  }

  #stop(): void {
    if (!this.#waiting) return;
    this.#timers.cancel(this.#onDue);
    this.#waiting = false;
  }

  #abort(reason: unknown): void {
    this.#stop();
    this.#stopListening();
    this.#controller.abort(reason);
  }
}
