/**
 * The one eviction rule of mongo-auth's process-wide caches (TLS contexts and files, decrypted keys, seedlist
 * answers, credential scopes): a bound on entries, the oldest dropped first.
 *
 * @module
 */

/**
 * Sets `key` to `value` as the newest entry of `map`, first dropping the oldest entry when `map` holds `max`.
 *
 * @param map the cache, oldest entry first (a Map's insertion order)
 * @param key the key
 * @param value the value
 * @param max how many entries the map may hold
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { setNewest } from "./bounded-map.ts";
 *
 * const map = new Map([["a", 1], ["b", 2]]);
 * setNewest(map, "c", 3, 2);
 * assert.deepEqual([...map.keys()], ["b", "c"]);
 * setNewest(map, "b", 4, 2);
 * assert.deepEqual([...map], [["c", 3], ["b", 4]]);
 * ```
 */
export function setNewest<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  if (map.size >= max) map.delete(map.keys().next().value!);
  map.set(key, value);
}
