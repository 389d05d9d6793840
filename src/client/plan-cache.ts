/**
 * A client's last connection plan: the next `connect()` of the client to the same connection string, with
 * the same options, through the same transport, takes it instead of reading and checking them again. A
 * pool's connections all start alike, and an official driver's MongoClient reads its connection string
 * once; reading them again cost `connect()` about 8 % of its CPU in a pool warm-up (bench/README.md).
 *
 * @module
 */
import type { ConnectOptions } from "./options.ts";
import type { Transport } from "./transport.ts";

// Options that belong to one call and make no part of a plan: its cancellation and its listeners.
const PER_CALL = new Set<string>(["signal", "onWarning", "onEvent"]);

// An option given (not undefined) that is not the call's own.
function partOfPlan(name: string, value: unknown): boolean {
  return value !== undefined && !PER_CALL.has(name);
}

/**
 * The last plan of one client, and what it was made for: the connection string, the transport, and the
 * options but the call's own (`signal`, `onWarning`, `onEvent`), each value as it is (an object given again is
 * the same only if it is the same object).
 *
 * @example The same string and equal options find the plan; anything else does not
 * ```ts
 * import assert from "node:assert/strict";
 * import { PlanCache } from "./plan-cache.ts";
 * import type { Transport } from "./transport.ts";
 *
 * const transport = {} as Transport;
 * const plans = new PlanCache<string>();
 * plans.keep(transport, "mongodb://db", { appName: "pool", signal: AbortSignal.timeout(1000) }, "the plan");
 * assert.equal(plans.find(transport, "mongodb://db", { appName: "pool" }), "the plan");
 * assert.equal(plans.find(transport, "mongodb://db", { appName: "other" }), undefined);
 * assert.equal(plans.find(transport, "mongodb://db", {}), undefined);
 * ```
 */
export class PlanCache<T> {
  #last?: {
    readonly uri: string;
    readonly transport: Transport;
    readonly options: Readonly<Record<string, unknown>>;
    readonly optionCount: number;
    readonly plan: T;
  };

  /**
   * The plan kept for these arguments, if it is the last one.
   *
   * @param transport the transport of the connect()
   * @param uri its connection string
   * @param options its options
   * @returns the plan, or `undefined`
   */
  find(transport: Transport, uri: string, options: ConnectOptions): T | undefined {
    const last = this.#last;
    if (last?.uri !== uri || last.transport !== transport) return undefined;
    // A loop over the keys, no array of entries: this runs for every connect() of a client.
    const keys = Object.keys(options);
    let count = 0;
    for (let i = 0; i < keys.length; i++) {
      const value = (options as Record<string, unknown>)[keys[i]];
      if (!partOfPlan(keys[i], value)) continue;
      if (last.options[keys[i]] !== value) return undefined;
      count++;
    }
    return count === last.optionCount ? last.plan : undefined;
  }

  /**
   * Keeps `plan` as the client's last, for these arguments (in place of the one kept before).
   *
   * @param transport the transport of the connect()
   * @param uri its connection string
   * @param options its options
   * @param plan what to keep
   */
  keep(transport: Transport, uri: string, options: ConnectOptions, plan: T): void {
    const values: Record<string, unknown> = Object.create(null);
    for (const name of Object.keys(options)) {
      const value = (options as Record<string, unknown>)[name];
      if (partOfPlan(name, value)) values[name] = value;
    }
    this.#last = { uri, transport, options: values, optionCount: Object.keys(values).length, plan };
  }
}
