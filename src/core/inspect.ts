/**
 * The symbols Node's (and Bun's) `util.inspect` and Deno's `inspect` look for, by their registered names:
 * what holds a secret (a credential, an HMAC key) prints itself through them without this package
 * importing any runtime.
 *
 * @module
 */

/**
 * Node's and Bun's `util.inspect.custom`, without importing Node's `util` module.
 *
 * @example A value that prints as a placeholder
 * ```ts
 * import assert from "node:assert/strict";
 * import { NODE_INSPECT } from "./inspect.ts";
 *
 * const key = { [NODE_INSPECT]: () => "Key(<hidden>)" };
 * assert.equal(NODE_INSPECT, Symbol.for("nodejs.util.inspect.custom"));
 * assert.equal(key[NODE_INSPECT](), "Key(<hidden>)");
 * ```
 */
export const NODE_INSPECT = Symbol.for("nodejs.util.inspect.custom");

/**
 * The symbol Deno's `inspect` looks for, by its registered name, without touching the runtime's global
 * namespace.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DENO_INSPECT } from "./inspect.ts";
 *
 * assert.equal(DENO_INSPECT, Symbol.for("Deno.customInspect"));
 * ```
 */
export const DENO_INSPECT = Symbol.for("Deno.customInspect");
