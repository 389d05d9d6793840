/**
 * The options that hand `connect()` and the authentication conversation what the host provides — a
 * signal, an env, a cache store, listeners — checked for their type before anything uses them. A value
 * of the wrong type would otherwise surface later as a `TypeError` from deep inside (`env.now is not a
 * function`), or, from a timer or an event listener, as an uncaught exception.
 *
 * @module
 */
import { checkOptions, IS, optionChecks } from "../core/options.ts";
import { RUNTIME_ENV_CHECK } from "../core/runtime-env.ts";

/**
 * The options object itself, and the host facilities in it: `signal` (an `AbortSignal`), `env` (a
 * `RuntimeEnv`), `cacheStore` (an `AuthCacheStore`), `onEvent` and `onWarning` (functions), `explain` (a
 * boolean), `host` (a string) and `helloReply` (a document). `undefined` or `null` options are no options,
 * and a `null` option is no option. Only types are checked here; values (timeouts, names) are checked where
 * they are read.
 *
 * @param options what the caller passed
 * @param api the function it was passed to, for the message (`connect()`, `authenticate()`)
 * @returns the options, `{}` for none
 * @throws {MongoAuthError} `INVALID_OPTION`, naming the option, what it must be and the type it was
 * @example A signal that is not one
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkHostOptions } from "./host-options.ts";
 *
 * assert.deepEqual(checkHostOptions(undefined, "connect()"), {});
 * assert.throws(() => checkHostOptions({ signal: 5000 }, "connect()"), {
 *   code: "INVALID_OPTION",
 *   message: "option signal of connect() must be an AbortSignal (AbortSignal.timeout(ms), or a controller's), " +
 *     "got a number",
 * });
 * ```
 */
export function checkHostOptions<T extends object>(options: T | null | undefined, api: string): T {
  return checkOptions(options, api, HOST_OPTION_CHECKS);
}

const HOST_OPTION_CHECKS = optionChecks({
  signal: IS.signal,
  env: RUNTIME_ENV_CHECK,
  cacheStore: [(v) => typeof (v as { scopeFor?: unknown }).scopeFor === "function", "an AuthCacheStore"],
  onEvent: IS.function,
  onWarning: IS.function,
  explain: IS.boolean,
  host: [IS.string[0], "a string (the host name, without port)"],
  helloReply: [IS.object[0], "the hello reply document"],
});
