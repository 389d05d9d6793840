/**
 * A bound on handshakes in flight per client (the official driver's `maxConnecting`): at most that many
 * connections of one client open their socket, say hello and authenticate at the same time; the others
 * wait their turn, first come first served.
 *
 * Why: a client that opens a thousand sockets at once gains nothing from it and burdens the server; the
 * default, 100, lets a full pool (the official driver's default maxPoolSize) warm up at once. The bursts of
 * work that so many handshakes bring are spread over turns of the event loop by the turn budget
 * (./turn-budget.ts), so the bound need not be small for the event loop to stay responsive (see
 * bench/README.md for the measurements that chose it).
 *
 * The client is the `cacheStore` of `connect()` (one per client, as a pool has); connections made without
 * one share the process's bound, as they share the process-wide cache store.
 *
 * @module
 */
import { abortError, onAbort } from "../core/abort.ts";
import { perClient } from "../core/client-scope.ts";

/** The default `maxConnecting`: handshakes in flight per client. */
export const DEFAULT_MAX_CONNECTING = 100;

interface Waiter {
  readonly limit: number;
  readonly admit: () => void;
}

/**
 * Counts the handshakes in flight of one client and queues those over the bound.
 *
 * @example Two at a time: the third waits for a release
 * ```ts
 * import assert from "node:assert/strict";
 * import { HandshakeGate } from "./handshake-gate.ts";
 *
 * const gate = new HandshakeGate();
 * const signal = new AbortController().signal;
 * const first = await gate.enter(2, signal, "connecting to h:1");
 * await gate.enter(2, signal, "connecting to h:1");
 * let third = false;
 * const waiting = gate.enter(2, signal, "connecting to h:1").then(() => (third = true));
 * await Promise.resolve();
 * assert.equal(third, false);
 * first();
 * await waiting;
 * assert.equal(third, true);
 * ```
 */
export class HandshakeGate {
  #inFlight = 0;
  readonly #queue: Waiter[] = [];

  /** Handshakes in flight now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * Counts this handshake in if it need not wait: nobody is queued and fewer than `limit` are in flight.
   * A connection admitted this way needs no timer for its turn.
   *
   * @param limit this connection's `maxConnecting`
   * @returns the release (as from {@link enter}), or `undefined` when the handshake has to wait
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { HandshakeGate } from "./handshake-gate.ts";
   *
   * const gate = new HandshakeGate();
   * const release = gate.tryEnter(1);
   * assert.equal(typeof release, "function");
   * assert.equal(gate.tryEnter(1), undefined);
   * release!();
   * assert.equal(gate.inFlight, 0);
   * ```
   */
  tryEnter(limit: number): (() => void) | undefined {
    if (this.#queue.length > 0 || this.#inFlight >= limit) return undefined;
    this.#inFlight++;
    return this.#release();
  }

  /**
   * Waits until fewer than `limit` handshakes are in flight, then counts this one in.
   *
   * @param limit this connection's `maxConnecting`
   * @param signal ends the wait (the connection's deadline: waiting counts against `connectTimeoutMS`)
   * @param what what is waiting, for the error
   * @returns the release, to call once when the handshake is over (idempotent)
   * @throws {MongoAuthError} `TIMEOUT` or `ABORTED` (the signal's) when the signal fires first
   */
  enter(limit: number, signal: AbortSignal, what: string): Promise<() => void> {
    if (signal.aborted) return Promise.reject(abortError(signal, what));
    const admitted = this.tryEnter(limit);
    if (admitted) return Promise.resolve(admitted);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        limit,
        admit: () => {
          stopListening();
          resolve(this.#release());
        },
      };
      const stopListening = onAbort(signal, () => {
        const at = this.#queue.indexOf(waiter);
        if (at >= 0) this.#queue.splice(at, 1);
        reject(abortError(signal, what));
        // The head may have been held back by this waiter's place in line.
        this.#admit();
      });
      this.#queue.push(waiter);
    });
  }

  #release(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#inFlight--;
      this.#admit();
    };
  }

  // Admits waiters in order while the first one's bound allows.
  #admit(): void {
    while (this.#queue.length > 0 && this.#inFlight < this.#queue[0].limit) {
      this.#inFlight++;
      this.#queue.shift()!.admit();
    }
  }
}

/**
 * The gate of a client: of its cache store, or the process's when there is none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { handshakeGateOf } from "./handshake-gate.ts";
 *
 * const store = {};
 * assert.equal(handshakeGateOf(store), handshakeGateOf(store));
 * assert.notEqual(handshakeGateOf(store), handshakeGateOf(undefined));
 * ```
 */
export const handshakeGateOf: (scope: object | undefined) => HandshakeGate = perClient(() =>
  new HandshakeGate()
);
