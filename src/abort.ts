/**
 * Cancellation helpers: every wait in mongo-auth ends by its timeout or the caller's signal, and
 * ends with a {@link MongoAuthError}, never with whatever the signal's reason happened to be.
 *
 * @module
 */
import { MongoAuthError } from "./errors.ts";

/**
 * Throws `ABORTED` when `signal` has fired.
 *
 * @param signal the caller's signal, if any
 * @throws {MongoAuthError} `ABORTED`
 */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError(signal);
}

/**
 * The error for a fired signal: `TIMEOUT` for `AbortSignal.timeout`, otherwise `ABORTED`.
 *
 * @param signal a fired signal
 * @param what what was cancelled, for the message
 * @returns the error, with the signal's reason as `cause`
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
 * A time budget that stops while a person is at work: `connect()`'s `connectTimeoutMS`, which does not
 * run while a human OIDC callback waits for someone to sign in (that callback has its own five minutes,
 * and the auth specification does not let the connect timeout cut it short).
 *
 * {@link Deadline.signal} fires when the caller's signal fires or the budget is spent. Call
 * {@link Deadline.dispose} once the budget is no longer needed: it clears the timer and lets go of the
 * caller's signal.
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
 * ```
 */
export class Deadline {
  /** Fires on the caller's abort, or when the budget is spent (reason: a `TIMEOUT` MongoAuthError). */
  readonly signal: AbortSignal;
  readonly #controller = new AbortController();
  readonly #caller: AbortSignal | undefined;
  readonly #onCallerAbort = () => this.#abort(this.#caller?.reason);
  readonly #timeoutMS: number;
  readonly #what: string;
  #remainingMS: number;
  #endsAt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #pauses = 0;
  #disposed = false;

  /**
   * Starts the clock.
   *
   * @param signal the caller's signal, if any
   * @param timeoutMS the budget in milliseconds; 0 (or less): none
   * @param what what the budget is for, for the `TIMEOUT` message (e.g. "connecting to db:27017")
   */
  constructor(signal: AbortSignal | undefined, timeoutMS: number, what: string) {
    this.signal = this.#controller.signal;
    this.#caller = signal;
    this.#timeoutMS = timeoutMS;
    this.#what = what;
    this.#remainingMS = timeoutMS > 0 ? timeoutMS : Infinity;
    if (signal?.aborted) {
      this.#abort(signal.reason);
      return;
    }
    signal?.addEventListener("abort", this.#onCallerAbort, { once: true });
    this.#run();
  }

  /**
   * Runs `work` with the clock stopped. `work` is handed the caller's signal (which still applies) and
   * not {@link signal}, which does not fire for time while `work` runs.
   *
   * @param work what to run, e.g. a human OIDC callback
   * @returns what `work` returns
   * @throws {MongoAuthError} `TIMEOUT` or `ABORTED` when the deadline had already fired; whatever `work` throws
   */
  async paused<T>(work: (signal: AbortSignal | undefined) => Promise<T>): Promise<T> {
    throwIfAborted(this.signal);
    if (this.#pauses++ === 0) this.#stop();
    try {
      return await work(this.#caller);
    } finally {
      if (--this.#pauses === 0) this.#run();
    }
  }

  /** Clears the timer and lets go of the caller's signal. Idempotent. */
  dispose(): void {
    this.#disposed = true;
    this.#stop();
    this.#caller?.removeEventListener("abort", this.#onCallerAbort);
  }

  #run(): void {
    if (this.#disposed || this.signal.aborted || this.#remainingMS === Infinity) return;
    this.#endsAt = Date.now() + this.#remainingMS;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#abort(
        new MongoAuthError(
          "TIMEOUT",
          `${this.#what} timed out after ${this.#timeoutMS} ms (connectTimeoutMS)`,
        ),
      );
    }, Math.max(0, this.#remainingMS));
  }

  #stop(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#remainingMS = Math.max(0, this.#endsAt - Date.now());
  }

  #abort(reason: unknown): void {
    this.#stop();
    this.#caller?.removeEventListener("abort", this.#onCallerAbort);
    this.#controller.abort(reason);
  }
}

/**
 * Waits `ms` milliseconds, or until `signal` fires; the timer and the listener are released either way.
 *
 * @param ms how long to wait
 * @param signal cancels the wait
 * @param what what was waiting, for the error message
 * @throws {MongoAuthError} as {@link abortError} when `signal` fires
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sleep } from "./abort.ts";
 *
 * const controller = new AbortController();
 * const waiting = sleep(60_000, controller.signal, "polling");
 * controller.abort();
 * await assert.rejects(waiting, { code: "ABORTED" });
 * ```
 */
export function sleep(ms: number, signal: AbortSignal | undefined, what = "operation"): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const elapsed = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return untilAborted(elapsed, signal, what).finally(() => clearTimeout(timer));
}

/**
 * `promise`, or a rejection as soon as `signal` fires (the work itself is not stopped: pass the signal
 * to it too). The listener is removed either way.
 *
 * @param promise the work
 * @param signal cancels the wait
 * @param what what was waiting, for the error message
 * @returns what `promise` resolves to
 * @throws {MongoAuthError} as {@link abortError} when `signal` fires first; whatever `promise` rejects with
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { untilAborted } from "./abort.ts";
 *
 * assert.equal(await untilAborted(Promise.resolve(1), new AbortController().signal), 1);
 * await assert.rejects(untilAborted(new Promise(() => {}), AbortSignal.abort()), { code: "ABORTED" });
 * ```
 */
export function untilAborted<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
  what = "operation",
): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(abortError(signal, what));
  let onAbort!: () => void;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(abortError(signal, what));
    signal.addEventListener("abort", onAbort, { once: true });
  });
  return Promise.race([promise, aborted]).finally(() => signal.removeEventListener("abort", onAbort));
}
