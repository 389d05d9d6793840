/**
 * The options object of a public function, checked for its type before anything reads it. A value of the
 * wrong type would otherwise surface later as a `TypeError` from deep inside (`env.now is not a function`,
 * `endpoint.replace is not a function`), or, from a timer or an event listener, as an uncaught exception.
 * Only types are checked here, and one range every factory shares (a timeout's: {@link checkMilliseconds});
 * other values (a URL's scheme) are checked where they are read.
 *
 * @module
 */
import { MongoAuthError } from "./errors.ts";

/** One option's check: whether a value will do, and what it must be, for the message. */
export type OptionCheck = readonly [ok: (value: unknown) => boolean, what: string];

/** The checks of one function's options, by option name (see {@link optionChecks}). */
export type OptionChecks = readonly (readonly [name: string, check: OptionCheck])[];

/**
 * The checks every function shares.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IS } from "./options.ts";
 *
 * const [ok, what] = IS.function;
 * assert.equal(ok(() => {}), true);
 * assert.equal(what, "a function");
 * ```
 */
export const IS = {
  string: [(v) => typeof v === "string", "a string"],
  function: [(v) => typeof v === "function", "a function"],
  boolean: [(v) => typeof v === "boolean", "true or false"],
  number: [(v) => typeof v === "number", "a number"],
  object: [(v) => typeof v === "object" && v !== null && !Array.isArray(v), "an object"],
  signal: [(v) => v instanceof AbortSignal, "an AbortSignal (AbortSignal.timeout(ms), or a controller's)"],
} as const satisfies Record<string, OptionCheck>;

/**
 * Turns a table of checks into the form {@link checkOptions} reads, once, where the function is defined.
 *
 * @param checks option name → check
 * @returns the checks
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IS, optionChecks } from "./options.ts";
 *
 * assert.deepEqual(optionChecks({ endpoint: IS.string }), [["endpoint", IS.string]]);
 * ```
 */
export function optionChecks(checks: Readonly<Record<string, OptionCheck>>): OptionChecks {
  return Object.freeze(Object.entries(checks));
}

/**
 * Checks `options` before a public function reads them: none (`undefined` or `null`) is an empty object; a
 * non-object, or an option that fails its check, is `INVALID_OPTION` naming the option, the function, what
 * it must be and the type it was (never the value: an option may hold a secret). A `null` option counts as
 * none, as in the connection string's options; the options come back without it.
 *
 * @param options what the caller passed
 * @param api the function they were passed to, for the message: `createAzureCallback()`
 * @param checks the function's checks, from {@link optionChecks}
 * @returns the options, `{}` for none
 * @throws {MongoAuthError} `INVALID_OPTION`
 * @example A timeout given as text
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkOptions, IS, optionChecks } from "./options.ts";
 *
 * const CHECKS = optionChecks({ timeoutMs: IS.number });
 * assert.deepEqual(checkOptions(undefined, "example()", CHECKS), {});
 * assert.throws(() => checkOptions({ timeoutMs: "5s" }, "example()", CHECKS), {
 *   code: "INVALID_OPTION",
 *   message: "option timeoutMs of example() must be a number, got a string",
 * });
 * ```
 */
export function checkOptions<T extends object>(
  options: T | null | undefined,
  api: string,
  checks: OptionChecks,
): T {
  // Every option a function takes this way is optional, or checked by the function itself when required.
  if (options === undefined || options === null) return NO_OPTIONS as T;
  if (typeof options !== "object" || Array.isArray(options)) {
    throw new MongoAuthError(
      "INVALID_OPTION",
      `the options of ${api} must be an object, got ${typeName(options)}`,
    );
  }
  const given = options as Record<string, unknown>;
  let withoutNulls: Record<string, unknown> | undefined;
  // Indexed, not for-of with destructuring: connect() checks some forty options on every call, and the
  // iterator's result and entry objects were most of what checking them allocated (a Node.js profile).
  for (let i = 0; i < checks.length; i++) {
    const name = checks[i][0];
    const value = given[name];
    if (value === undefined) continue;
    if (value === null) (withoutNulls ??= Object.assign({}, given))[name] = undefined;
    else if (!checks[i][1][0](value)) {
      throw new MongoAuthError(
        "INVALID_OPTION",
        `option ${name} of ${api} must be ${checks[i][1][1]}, got ${typeName(value)}`,
      );
    }
  }
  return (withoutNulls ?? options) as T;
}

/** The longest a timer waits: Node.js fires a longer one at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Checks a timeout option's value where a factory reads it, rather than at a timer: a timer throws a
 * `RangeError` for a fraction, `NaN` or `Infinity` (Node.js), fires at once past 2 147 483 647 ms, and a
 * negative timeout would silently mean none. The value is named: a duration is no secret.
 *
 * @param value the option's value (`undefined`: the default, fine)
 * @param option the option's name: `timeoutMs`
 * @param api the function it was passed to: `createAzureCallback()`
 * @param min the least it may be: 1, or 0 where 0 means no timeout
 * @throws {MongoAuthError} `INVALID_OPTION`
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkMilliseconds } from "./options.ts";
 *
 * checkMilliseconds(5_000, "timeoutMs", "example()");
 * assert.throws(() => checkMilliseconds(-1, "timeoutMs", "example()"), {
 *   code: "INVALID_OPTION",
 *   message: "option timeoutMs of example() must be a whole number of milliseconds from 1 to 2147483647, got -1",
 * });
 * ```
 */
export function checkMilliseconds(value: unknown, option: string, api: string, min: 0 | 1 = 1): void {
  if (
    value === undefined ||
    Number.isInteger(value) && value as number >= min && value as number <= MAX_TIMER_MS
  ) {
    return;
  }
  throw new MongoAuthError(
    "INVALID_OPTION",
    `option ${option} of ${api} must be a whole number of milliseconds from ${min} to ${MAX_TIMER_MS}` +
      `${min === 0 ? " (0: none)" : ""}, got ${typeof value === "number" ? value : typeName(value)}`,
  );
}

// Shared, so that a call without options (a command, say) allocates nothing for them.
const NO_OPTIONS = Object.freeze({});

/**
 * The type of a value for a message, never the value: `a string`, `an empty string`, `an object`,
 * `an array`, `null`, `undefined`.
 *
 * @param value any value
 * @returns its type, with an article
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { typeName } from "./options.ts";
 *
 * assert.equal(typeName("s3cret"), "a string");
 * assert.equal(typeName(""), "an empty string");
 * assert.equal(typeName([]), "an array");
 * ```
 */
export function typeName(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (value === "") return "an empty string";
  if (Array.isArray(value)) return "an array";
  const type = typeof value;
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/**
 * A copy of `fields` without the keys whose value is `undefined`, so that an absent option reads as absent
 * (`"key" in object`, `Object.keys`, a BSON document) rather than as a key holding `undefined`.
 *
 * @param fields an object
 * @returns its defined entries
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { definedFields } from "./options.ts";
 *
 * assert.deepEqual(definedFields({ region: "eu-west-1", memory_mb: undefined }), { region: "eu-west-1" });
 * ```
 */
export function definedFields<T extends object>(fields: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  // A loop over the keys, not entries filtered into fromEntries: connect() calls this for its options, and
  // the arrays of pairs were most of what planning a connection allocated.
  const defined: Record<string, unknown> = {};
  const keys = Object.keys(fields);
  for (let i = 0; i < keys.length; i++) {
    const value = (fields as Record<string, unknown>)[keys[i]];
    if (value !== undefined) defined[keys[i]] = value;
  }
  return defined as { [K in keyof T]?: Exclude<T[K], undefined> };
}
