/**
 * Runs one OIDC callback with its time budget and cancellation, and checks its result.
 *
 * @module
 */
import { Deadline, raceAbort, throwIfAborted } from "../../core/abort.ts";
import { MongoAuthError } from "../../core/errors.ts";
import { definedFields } from "../../core/options.ts";
import {
  type IdpInfo,
  OIDC_CALLBACK_VERSION,
  type OidcCallback,
  type OidcCallbackResult,
} from "../../credential/oidc-callback.ts";
import { validateCallbackResult } from "./validate-result.ts";

/** The inputs of a callback besides the ones {@link invokeCallback} supplies itself. */
export interface CallbackInputs {
  /** The credential's username. */
  readonly username?: string;
  /** The server's identity provider (human flow). */
  readonly idpInfo?: IdpInfo;
  /** The cached refresh token (human flow). */
  readonly refreshToken?: string;
  /** `TOKEN_RESOURCE`. */
  readonly tokenAudience?: string;
}

/** How {@link invokeCallback} runs a callback. */
export interface InvokeOptions {
  /** Which property the callback came from, for messages: `"OIDC_CALLBACK"`, `"ENVIRONMENT:azure"`, … */
  readonly name: string;
  /** The time budget in milliseconds. */
  readonly timeoutMs: number;
  /** Cancels the call (the authentication's own signal). */
  readonly signal?: AbortSignal;
  /**
   * Milliseconds before `signal` fires for time (connectTimeoutMS, timeoutMS), when known. The callback
   * is told the smaller of this and `timeoutMs`; `signal` itself ends the call at that moment, with its
   * own words.
   */
  readonly timeLeft?: number;
}

/**
 * Calls `callback` with `version: 1`, a `timeoutContext` that aborts when `timeoutMs` passes or
 * `options.signal` fires, `timeoutMS` (the time until then, as far as known), and the given inputs;
 * stops waiting at that moment even when the callback ignores the signal; validates what it returns.
 *
 * @param callback the user's (or a built-in environment's) callback
 * @param inputs username, IdP information, refresh token, token audience
 * @param options name for messages, time budget, cancellation
 * @returns the validated result
 * @throws {MongoAuthError} `TIMEOUT` when the time is up; `ABORTED` when `options.signal` fired (or what
 *   it says, by the cancellation rule of `core/abort.ts`: `TIMEOUT` for the caller's own timeout);
 *   `CREDENTIAL_PROVIDER_ERROR` when the callback threw (the error is the `cause`) or returned something
 *   invalid; a `MongoAuthError` the callback itself threw is passed on unchanged
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { invokeCallback } from "./invoke-callback.ts";
 *
 * const result = await invokeCallback(
 *   async (params) => ({ accessToken: `token-v${params.version}` }),
 *   {},
 *   { name: "OIDC_CALLBACK", timeoutMs: 60_000 },
 * );
 * assert.equal(result.accessToken, "token-v1");
 * ```
 */
export async function invokeCallback(
  callback: OidcCallback,
  inputs: CallbackInputs,
  options: InvokeOptions,
): Promise<OidcCallbackResult> {
  const { name, timeoutMs, signal, timeLeft = Infinity } = options;
  throwIfAborted(signal, name);
  const budget = new Deadline(
    signal,
    timeoutMs,
    () => new MongoAuthError("TIMEOUT", `${name} did not return within ${timeoutMs} ms`),
  );
  const controller = new AbortController();
  try {
    const call = Promise.resolve().then(() =>
      callback({
        // Callbacks written for the Node driver test `"refreshToken" in params`: absent inputs stay out.
        ...definedFields(inputs),
        timeoutContext: controller.signal,
        timeoutMS: timeLeft < timeoutMs ? Math.max(1, Math.floor(timeLeft)) : timeoutMs,
        version: OIDC_CALLBACK_VERSION,
      })
    ).catch((error: unknown) => {
      if (error instanceof MongoAuthError) throw error;
      throw new MongoAuthError("CREDENTIAL_PROVIDER_ERROR", `${name} failed (see cause)`, { cause: error });
    });
    return validateCallbackResult(await raceAbort(call, budget.signal, name), name);
  } catch (error) {
    // Tell a callback still running (it lost the race) to stop.
    controller.abort(error);
    throw error;
  } finally {
    budget.dispose();
  }
}
