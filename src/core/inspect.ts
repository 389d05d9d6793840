/**
 * The symbols Node's (and Bun's) `util.inspect` and `Deno.inspect` look for, by their registered names:
 * what holds a secret (a credential, an HMAC key) prints itself through them without this package
 * importing any runtime.
 *
 * @module
 */

/**
 * Node's and Bun's `util.inspect.custom`, without an import of node:util.
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
 * The symbol `Deno.inspect` looks for (`Symbol.for("Deno.customInspect")`), without touching the `Deno`
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
