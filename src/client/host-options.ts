/**
 * The options that hand `connect()` and the authentication conversation what the host provides — a
 * signal, an env, a cache store, listeners — checked for their type before anything uses them. A value
 * of the wrong type would otherwise surface later as a `TypeError` from deep inside (`env.now is not a
 * function`), or, from a timer or an event listener, as an uncaught exception.
 *
 * @module
 */
import { MongoAuthError } from "../core/errors.ts";

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
  // Every field of these options is optional: none is an empty object.
  if (options === undefined || options === null) return {} as T;
  if (typeof options !== "object" || Array.isArray(options)) {
    throw new MongoAuthError(
      "INVALID_OPTION",
      `the options of ${api} must be an object, got ${typeName(options)}`,
    );
  }
  const given = options as Record<string, unknown>;
  let withoutNulls: Record<string, unknown> | undefined;
  for (const [name, [ok, what]] of CHECKS) {
    const value = given[name];
    if (value === undefined) continue;
    // null is no value, as for the other options (`connectTimeoutMS: null` leaves the connection string's).
    if (value === null) (withoutNulls ??= Object.assign({}, given))[name] = undefined;
    else if (!ok(value)) {
      throw new MongoAuthError(
        "INVALID_OPTION",
        `option ${name} of ${api} must be ${what}, got ${typeName(value)}`,
      );
    }
  }
  return (withoutNulls ?? options) as T;
}

const CHECKS: readonly [name: string, check: [ok: (value: unknown) => boolean, what: string]][] = Object
  .entries(
    {
      signal: [
        (v) => v instanceof AbortSignal,
        "an AbortSignal (AbortSignal.timeout(ms), or a controller's)",
      ],
      env: [isRuntimeEnv, "a RuntimeEnv with getEnv, fetch and now (runtimeEnv({ env, fetch }) builds one)"],
      cacheStore: [(v) => typeof (v as { scopeFor?: unknown }).scopeFor === "function", "an AuthCacheStore"],
      onEvent: [(v) => typeof v === "function", "a function"],
      onWarning: [(v) => typeof v === "function", "a function"],
      explain: [(v) => typeof v === "boolean", "true or false"],
      host: [(v) => typeof v === "string", "a string (the host name, without port)"],
      helloReply: [(v) => typeof v === "object" && !Array.isArray(v), "the hello reply document"],
    } satisfies Record<string, [(value: unknown) => boolean, string]>,
  );

function isRuntimeEnv(value: unknown): boolean {
  const env = value as Record<string, unknown> | null;
  return typeof env === "object" && env !== null &&
    typeof env.getEnv === "function" && typeof env.fetch === "function" && typeof env.now === "function" &&
    (env.readTextFile === undefined || typeof env.readTextFile === "function");
}

// The type of a value, never the value: an option may hold a secret.
function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  const type = typeof value;
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
