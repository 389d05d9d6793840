/**
 * State kept per client. `connect()` has no client object: a client is the `cacheStore` its connections are
 * given (one per client, as a pool has), and connections given none are the process's. What a client shares
 * beyond authentication (its `maxConnecting` bound, its `mongodb+srv://` answers) is kept by that scope.
 *
 * @module
 */

/**
 * Makes a lookup of one state per client, made on first use and dropped with the client's `cacheStore`.
 *
 * @param make builds a client's state
 * @returns the state of a client: of its `cacheStore`, or the process's when there is none
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { perClient } from "./client-scope.ts";
 *
 * const countersOf = perClient(() => ({ connections: 0 }));
 * const store = {};
 * countersOf(store).connections++;
 * assert.equal(countersOf(store).connections, 1);
 * assert.equal(countersOf(undefined).connections, 0);
 * ```
 */
export function perClient<T>(make: () => T): (scope: object | undefined) => T {
  const states = new WeakMap<object, T>();
  const processScope = {};
  return (scope) => {
    const key = scope ?? processScope;
    let state = states.get(key);
    if (state === undefined) states.set(key, state = make());
    return state;
  };
}
