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
 * A signal that fires when `signal` fires or after `timeoutMS` milliseconds (0: never).
 *
 * @param signal the caller's signal, if any
 * @param timeoutMS the timeout
 * @returns the combined signal
 */
export function withTimeout(signal: AbortSignal | undefined, timeoutMS: number): AbortSignal | undefined {
  if (timeoutMS <= 0) return signal;
  const timeout = AbortSignal.timeout(timeoutMS);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}
