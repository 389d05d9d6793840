/**
 * HMAC (RFC 2104), synchronous, with the key held as its two precomputed hash states (RFC 2104 section
 * 4): the state after the block `K XOR ipad` and the state after `K XOR opad`. Signing a message then
 * costs its own blocks plus one, and no round trip into a crypto backend: a SCRAM conversation signs
 * twice with cached keys, and a WebCrypto `sign` would cost more than the hashing itself.
 *
 * @module
 */
import { DENO_INSPECT, NODE_INSPECT } from "../core/inspect.ts";
import { MongoAuthError } from "../core/errors.ts";
import { hashFrom } from "./block-hash.ts";
import { blockHash, digest, isScramHash, type ScramHash } from "./digest.ts";

const BLOCK_BYTES = 64;
const IPAD = 0x36;
const OPAD = 0x5c;
// The inner digest of sign(), wiped after each use (sign() is synchronous: no two calls overlap). A typed
// array costs Deno about a microsecond to allocate, whatever its size, and a login signs twice.
const INNER: Readonly<Record<ScramHash, Uint8Array>> = {
  "SHA-1": new Uint8Array(20),
  "SHA-256": new Uint8Array(32),
};

/**
 * An HMAC key, ready to sign synchronously. It keeps no copy of the key bytes, only the two hash states
 * derived from them; those are as good as the key for signing, so they are private, never printed, and
 * wiped by {@link HmacState.destroy}.
 *
 * @example RFC 4231 test case 2 (HMAC-SHA-256)
 * ```ts
 * import assert from "node:assert/strict";
 * import { HmacState } from "@mongo-auth/core";
 *
 * const te = new TextEncoder();
 * const key = new HmacState("SHA-256", te.encode("Jefe"));
 * const mac = key.sign(te.encode("what do ya want for nothing?"));
 * assert.equal(mac[0], 0x5b);
 * assert.equal(mac.length, 32);
 * ```
 */
export class HmacState {
  /** The hash function of the HMAC. */
  readonly hash: ScramHash;
  readonly #inner: Int32Array;
  readonly #outer: Int32Array;

  /**
   * Prepares `key` for signing. A key longer than a block is hashed first (RFC 2104 section 2). The
   * caller's `key` is left as it is: wipe it when it is a secret.
   *
   * @param hash the hash function: `"SHA-1"` or `"SHA-256"`
   * @param key the key bytes
   * @throws {MongoAuthError} `INVALID_OPTION` for another hash, or a key that is not a `Uint8Array`
   */
  constructor(hash: ScramHash, key: Uint8Array) {
    checkArguments(hash, key);
    this.hash = hash;
    const block = blockHash(hash);
    const padded = new Uint8Array(BLOCK_BYTES);
    if (key.length > BLOCK_BYTES) {
      const hashed = digest(hash, key);
      padded.set(hashed);
      hashed.fill(0);
    } else {
      padded.set(key);
    }
    for (let i = 0; i < BLOCK_BYTES; i++) padded[i] ^= IPAD;
    this.#inner = block.initial.slice();
    block.compress(this.#inner, padded, 0);
    for (let i = 0; i < BLOCK_BYTES; i++) padded[i] ^= IPAD ^ OPAD;
    this.#outer = block.initial.slice();
    block.compress(this.#outer, padded, 0);
    padded.fill(0);
  }

  /**
   * HMAC(key, data).
   *
   * @param data the message
   * @param out where to write the MAC: a `Uint8Array` as long as the hash's output (20 or 32 bytes); a new
   *   array by default
   * @returns the MAC: `out` when given
   * @throws {MongoAuthError} `INVALID_OPTION` when `out` is not a `Uint8Array` of the hash's output length
   */
  sign(data: Uint8Array, out?: Uint8Array): Uint8Array {
    const block = blockHash(this.hash);
    if (out !== undefined && !(out instanceof Uint8Array && out.length === block.outputLength)) {
      throw new MongoAuthError(
        "INVALID_OPTION",
        `HmacState(${this.hash}).sign() writes its MAC into a Uint8Array of ${block.outputLength} bytes`,
      );
    }
    const inner = hashFrom(block, this.#inner, data, BLOCK_BYTES, INNER[this.hash]);
    const mac = hashFrom(block, this.#outer, inner, BLOCK_BYTES, out);
    inner.fill(0);
    return mac;
  }

  /** Wipes the states: the key is gone from memory, and every later signature is wrong. Idempotent. */
  destroy(): void {
    this.#inner.fill(0);
    this.#outer.fill(0);
  }

  /** `HmacState(SHA-256)`: the states are never shown. */
  toString(): string {
    return `HmacState(${this.hash})`;
  }

  /** As {@link toString}, for JSON. */
  toJSON(): string {
    return this.toString();
  }

  /** As {@link toString}, for Node's and Bun's `util.inspect`. */
  [NODE_INSPECT](): string {
    return this.toString();
  }

  /** As {@link toString}, for Deno's inspect (the symbol it looks up). */
  [DENO_INSPECT](): string {
    return this.toString();
  }
}

// A public class, so checked: another hash name would sign with SHA-256 under its own name, and a string key
// would be read as no bytes at all (a zero key). Two type checks: cheap enough for SCRAM's per-login states.
function checkArguments(hash: unknown, key: unknown): void {
  if (!isScramHash(hash)) {
    throw refused('the hash "SHA-1" or "SHA-256"', typeof hash === "string" ? "another name" : kindOf(hash));
  }
  if (!(key instanceof Uint8Array)) throw refused("the key as a Uint8Array", kindOf(key));
}

function refused(takes: string, given: string): MongoAuthError {
  return new MongoAuthError("INVALID_OPTION", `new HmacState() takes ${takes}, got ${given}`);
}

// The kind of a value, never the value: it may be a key. Objects by their class (an ArrayBuffer, an Array).
function kindOf(value: unknown): string {
  return value === null
    ? "null"
    : typeof value === "object"
    ? value.constructor?.name || "an object"
    : typeof value;
}
