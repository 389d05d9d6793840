/**
 * The client side of a SCRAM conversation (RFC 5802, RFC 7677), free of any transport: it produces
 * and checks the three SCRAM messages; the mechanism layer carries them in `saslStart`/`saslContinue`.
 *
 * Stricter than the official drivers: every `=` and `,` of the username is escaped, the server nonce
 * must extend ours, and the server signature is always verified, in constant time.
 *
 * @module
 */
import { MongoAuthError } from "../../core/errors.ts";
import { decodeBase64, encodeBase64 } from "../../crypto/base64.ts";
import { isScramHash, type ScramHash } from "../../crypto/digest.ts";
import { toHex } from "../../crypto/hex.ts";
import type { HmacState } from "../../crypto/hmac.ts";
import { md5 } from "../../crypto/md5.ts";
import { randomBytes } from "../../crypto/random.ts";
import { saslprep } from "../../crypto/saslprep.ts";
import { defaultScramKeyCache, isScramKeyCache, type ScramKeyCache } from "../../crypto/scram-key-cache.ts";
import { timingSafeEqual } from "../../crypto/timing-safe-equal.ts";

/** The smallest iteration count the MongoDB auth specification lets a driver accept. */
export const MIN_ITERATIONS = 4096;

/**
 * The most SCRAM iterations a client accepts unless told otherwise. Servers use 10 000 (SCRAM-SHA-1)
 * and 15 000 (SCRAM-SHA-256) by default, Atlas too; mongod lets an administrator set more, and no real
 * deployment sets a hundred times that. A server asking for more is misconfigured or hostile: at 2³¹−1
 * iterations one key derivation takes minutes of a CPU core.
 */
export const DEFAULT_MAX_SCRAM_ITERATIONS = 1_000_000;

/** The largest count any limit may be raised to: 2³¹−1, beyond which runtimes' PBKDF2 refuse (or overflow). */
export const MAX_SCRAM_ITERATIONS_LIMIT = 0x7fffffff;

// 24 random bytes: 192 bits of client nonce, 32 base64 characters (no padding, no comma).
const NONCE_BYTES = 24;
// RFC 5802 `printable`: %x21-2B / %x2D-7E, i.e. visible ASCII except ",".
const PRINTABLE = /^[\x21-\x2b\x2d-\x7e]+$/;
// RFC 5802 `attr-val` of an optional extension: ALPHA "=" 1*value-char (no NUL; "," splits).
const EXTENSION = /^[A-Za-z]=[^\0]+$/;
// "0" or a decimal without leading zeros: a count the grammar could mean, so a low one is reported as such.
const DECIMAL = /^(?:0|[1-9][0-9]*)$/;
// "n,,": no channel binding, no authzid. MongoDB does not support channel binding (auth spec).
const GS2_HEADER = "n,,";
const CHANNEL_BINDING = "c=" + btoa(GS2_HEADER); // "c=biws"

const encoder = new TextEncoder();

/**
 * Options of {@link ScramClient}.
 *
 * @example A client for SCRAM-SHA-256
 * ```ts
 * import assert from "node:assert/strict";
 * import { ScramClient, type ScramClientOptions, scramPassword } from "@mongo-auth/core";
 *
 * const options: ScramClientOptions = {
 *   hash: "SHA-256",
 *   username: "user",
 *   password: () => scramPassword("SHA-256", "user", "pencil"),
 * };
 * assert.match(new ScramClient(options).clientFirstMessage(), /^n,,n=user,r=/);
 * ```
 */
export interface ScramClientOptions {
  /** `"SHA-1"` for SCRAM-SHA-1, `"SHA-256"` for SCRAM-SHA-256. */
  readonly hash: ScramHash;
  /** The username, sent as is (MongoDB forbids SASLprep on usernames) with `=` and `,` escaped. */
  readonly username: string;
  /**
   * Exactly what is fed to Hi(): use {@link scramPassword} to get it from the plaintext password. A
   * function is called once, when the key is first needed, so a password that cannot be prepared fails
   * only a conversation that gets that far (a speculative guess that negotiation drops never does).
   */
  readonly password: string | (() => string);
  /** A fixed client nonce, for test vectors only; a fresh 24-byte random nonce otherwise. */
  readonly nonce?: string;
  /** Where derived keys are cached; a process-wide cache (64 entries) unless given. */
  readonly cache?: ScramKeyCache;
  /**
   * The most iterations the server may ask for: more is refused with `SCRAM_ITERATIONS_TOO_HIGH` before
   * any key is derived. Default {@link DEFAULT_MAX_SCRAM_ITERATIONS}; at most 2³¹−1.
   */
  readonly maxIterations?: number;
}

type State = "initial" | "first-sent" | "computing" | "final-sent" | "done" | "failed";

/**
 * The password string SCRAM's Hi() takes, as MongoDB defines it: for SCRAM-SHA-1
 * `hex(MD5(username ":mongo:" password))` over the raw username; for SCRAM-SHA-256 `saslprep(password)`.
 *
 * @param hash the SCRAM hash function
 * @param username the username, not prepared
 * @param password the plaintext password
 * @returns the string to pass as `password` to {@link ScramClient}
 * @throws {MongoAuthError} `INVALID_CREDENTIAL` when a SCRAM-SHA-256 password fails SASLprep;
 *   `INVALID_OPTION` for an unknown hash
 *
 * @example MongoDB's password for each SCRAM hash
 * ```ts
 * import assert from "node:assert/strict";
 * import { scramPassword } from "@mongo-auth/core";
 *
 * assert.equal(scramPassword("SHA-1", "user", "pencil"), "1c33006ec1ffd90f9cadcbcc0e118200");
 * assert.equal(scramPassword("SHA-256", "user", "I\u00ADX"), "IX");
 * ```
 */
export function scramPassword(hash: ScramHash, username: string, password: string): string {
  checkHash(hash);
  if (hash === "SHA-1") return toHex(md5(`${username}:mongo:${password}`));
  return saslprep(password);
}

/**
 * A SCRAM client conversation. Call {@link ScramClient.clientFirstMessage},
 * {@link ScramClient.clientFinalMessage} and {@link ScramClient.verifyServerFinalMessage} once each, in
 * that order; any other order, and any call after a failure, throws `SCRAM_PROTOCOL_ERROR`.
 *
 * @example RFC 7677's SCRAM-SHA-256 exchange
 * ```ts
 * import assert from "node:assert/strict";
 * import { ScramClient } from "@mongo-auth/core";
 *
 * const client = new ScramClient({ hash: "SHA-256", username: "user", password: "pencil", nonce: "rOprNGfwEbeRWgbNEkqO" });
 * assert.equal(client.clientFirstMessage(), "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
 * const final = await client.clientFinalMessage(
 *   "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
 * );
 * assert.equal(
 *   final,
 *   "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
 * );
 * await client.verifyServerFinalMessage("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
 * ```
 */
export class ScramClient {
  readonly #hash: ScramHash;
  readonly #username: string;
  readonly #password: string | (() => string);
  readonly #nonce: string;
  readonly #cache: ScramKeyCache;
  readonly #maxIterations: number;
  #state: State = "initial";
  #clientFirstBare = "";
  // What the server must sign once it answers: ServerSignature := HMAC(ServerKey, AuthMessage).
  #serverSigns: { readonly serverKey: HmacState; readonly authMessage: Uint8Array } | undefined;

  /**
   * Starts a conversation: picks the client nonce.
   *
   * @param opts hash, username, Hi() password, and optionally a fixed nonce and a key cache
   * @throws {MongoAuthError} `INVALID_OPTION` for an unknown hash, a nonce that is not printable
   *   ASCII without ",", or a `maxIterations` out of range; `INVALID_CREDENTIAL` for an empty username or
   *   a password that is neither a string nor a function
   */
  constructor(given: ScramClientOptions) {
    // Checked by hand, not with core/options.ts: a bundle of ScramClient alone stays small (tests/bundle.test.ts).
    const opts = (given ?? {}) as Partial<ScramClientOptions>;
    if (typeof opts !== "object") {
      throw new MongoAuthError("INVALID_OPTION", "the options of new ScramClient() must be an object");
    }
    if (opts.cache !== undefined && !isScramKeyCache(opts.cache)) {
      throw new MongoAuthError("INVALID_OPTION", "option cache of new ScramClient() must be a ScramKeyCache");
    }
    checkHash(opts.hash);
    if (typeof opts.username !== "string" || opts.username === "" || opts.username.includes("\0")) {
      throw new MongoAuthError(
        "INVALID_CREDENTIAL",
        "SCRAM needs a non-empty username without NUL characters",
      );
    }
    if (typeof opts.password !== "string" && typeof opts.password !== "function") {
      throw new MongoAuthError("INVALID_CREDENTIAL", "SCRAM needs a password string");
    }
    if (opts.nonce !== undefined && (typeof opts.nonce !== "string" || !PRINTABLE.test(opts.nonce))) {
      throw new MongoAuthError("INVALID_OPTION", "a SCRAM nonce must be printable ASCII without ','");
    }
    this.#hash = opts.hash;
    this.#username = opts.username;
    this.#password = opts.password;
    this.#nonce = opts.nonce ?? encodeBase64(randomBytes(NONCE_BYTES));
    this.#cache = opts.cache ?? defaultScramKeyCache;
    this.#maxIterations = checkMaxIterations(opts.maxIterations ?? DEFAULT_MAX_SCRAM_ITERATIONS);
  }

  /**
   * The client-first-message: `n,,n=<escaped username>,r=<client nonce>`.
   *
   * @returns the message to send in `saslStart`
   * @throws {MongoAuthError} `SCRAM_PROTOCOL_ERROR` when called twice
   */
  clientFirstMessage(): string {
    this.#advance("initial", "first-sent", "clientFirstMessage() can only be called once, first");
    this.#clientFirstBare = `n=${escapeUsername(this.#username)},r=${this.#nonce}`;
    return GS2_HEADER + this.#clientFirstBare;
  }

  /**
   * Checks the server-first-message and answers with the client-final-message
   * `c=biws,r=<nonce>,p=<ClientProof>`.
   *
   * @param serverFirst the server-first-message, as received
   * @returns the message to send in `saslContinue`
   * @throws {MongoAuthError} `SCRAM_PROTOCOL_ERROR` (malformed message, bad salt or iteration count, call
   *   out of order), `SCRAM_NONCE_MISMATCH`, `SCRAM_ITERATIONS_TOO_LOW`, `SCRAM_ITERATIONS_TOO_HIGH`,
   *   `SCRAM_UNSUPPORTED_EXTENSION`; `INVALID_CREDENTIAL` when a password function throws it
   */
  async clientFinalMessage(serverFirst: string): Promise<string> {
    this.#advance("first-sent", "computing", "clientFinalMessage() must follow clientFirstMessage(), once");
    try {
      const { nonce, salt, iterations } = parseServerFirst(serverFirst, this.#nonce);
      this.#checkIterationCeiling(iterations);
      const password = typeof this.#password === "function" ? this.#password() : this.#password;
      const pending = this.#cache.keys({ hash: this.#hash, password, salt, iterations });
      // Built while PBKDF2 runs off the event loop, not after it.
      const withoutProof = `${CHANNEL_BINDING},r=${nonce}`;
      const authMessage = encoder.encode(`${this.#clientFirstBare},${serverFirst},${withoutProof}`);
      const keys = await pending;
      // A call out of order while PBKDF2 ran has failed the conversation; it stays failed.
      if (this.#state !== "computing") {
        throw protocolError("SCRAM calls out of order: the conversation failed while keys were derived");
      }
      // Synchronous from here on: the keys are HMAC states. The server's signature is only needed once
      // it answers, so it is computed then, off the path of the proof.
      // ClientProof := ClientKey XOR ClientSignature, made in place of the signature.
      const proof = keys.storedKey.sign(authMessage, SIGNATURE[this.#hash]);
      for (let i = 0; i < proof.length; i++) proof[i] ^= keys.clientKey[i];
      this.#serverSigns = { serverKey: keys.serverKey, authMessage };
      this.#state = "final-sent";
      const encoded = encodeBase64(proof);
      proof.fill(0);
      return `${withoutProof},p=${encoded}`;
    } catch (err) {
      this.#state = "failed";
      throw err;
    }
  }

  /**
   * Checks the server-final-message: the server's signature proves it knows the password.
   *
   * @param serverFinal the server-final-message, as received
   * @returns nothing; resolves once the server is authenticated
   * @throws {MongoAuthError} `SCRAM_SERVER_ERROR` when the server sent `e=`,
   *   `SCRAM_SERVER_SIGNATURE_MISMATCH` when the signature is wrong, `SCRAM_PROTOCOL_ERROR` when the
   *   message is malformed or the call is out of order
   */
  verifyServerFinalMessage(serverFinal: string): Promise<void> {
    try {
      this.#advance(
        "final-sent",
        "done",
        "verifyServerFinalMessage() must follow clientFinalMessage(), once",
      );
      const signature = parseServerFinal(serverFinal);
      const { serverKey, authMessage } = this.#serverSigns!;
      this.#serverSigns = undefined;
      const expected = serverKey.sign(authMessage, SIGNATURE[this.#hash]);
      const matches = timingSafeEqual(signature, expected);
      expected.fill(0);
      if (!matches) {
        throw new MongoAuthError(
          "SCRAM_SERVER_SIGNATURE_MISMATCH",
          "the server's SCRAM signature is wrong: the server does not know this user's keys, or the " +
            "conversation was tampered with; check that you are connecting to the right server",
        );
      }
      return Promise.resolve();
    } catch (err) {
      this.#state = "failed";
      return Promise.reject(err);
    }
  }

  // Refused before deriving: a key derivation cannot be cancelled once started, so a hostile count
  // would otherwise hold a CPU core (on Node, a thread of the shared libuv pool) for minutes.
  #checkIterationCeiling(iterations: number): void {
    if (iterations <= this.#maxIterations) return;
    const mechanism = this.#hash === "SHA-1" ? "SCRAM-SHA-1" : "SCRAM-SHA-256";
    throw new MongoAuthError(
      "SCRAM_ITERATIONS_TOO_HIGH",
      `${mechanism} for user ${JSON.stringify(this.#username)}: the server asked for ` +
        `${Number.isFinite(iterations) ? iterations : "more than 10^16"} iterations, ` +
        `more than this client's limit of ${this.#maxIterations} (servers use 10000 to 15000; more is a ` +
        `misconfigured or hostile server). If you trust the server, raise the maxScramIterations option ` +
        `(ScramClient: maxIterations)`,
    );
  }

  // Moves from `from` to `to`, or fails the conversation for good.
  #advance(from: State, to: State, message: string): void {
    if (this.#state !== from) {
      this.#state = "failed";
      throw new MongoAuthError("SCRAM_PROTOCOL_ERROR", `SCRAM calls out of order: ${message}`);
    }
    this.#state = to;
  }
}

/**
 * Escapes a username for the `n=` attribute (RFC 5802 `saslname`): every `=` becomes `=3D` and every
 * `,` becomes `=2C` (`=` first, so the escapes themselves are not escaped again).
 *
 * @param username the raw username
 * @returns the escaped username
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { escapeUsername } from "./client.ts";
 *
 * assert.equal(escapeUsername("a=b,c=d,"), "a=3Db=2Cc=3Dd=2C");
 * ```
 */
export function escapeUsername(username: string): string {
  return username.replaceAll("=", "=3D").replaceAll(",", "=2C");
}

interface ServerFirst {
  readonly nonce: string;
  readonly salt: Uint8Array;
  readonly iterations: number;
}

// server-first-message = [reserved-mext ","] nonce "," salt "," iteration-count ["," extensions]
function parseServerFirst(message: string, clientNonce: string): ServerFirst {
  if (typeof message !== "string") throw protocolError("the server-first-message is not a string");
  const attributes = message.split(",");
  if (attributes.some((attribute) => attribute.startsWith("m="))) {
    throw new MongoAuthError(
      "SCRAM_UNSUPPORTED_EXTENSION",
      "the server requires a SCRAM extension (m=) this client does not support",
    );
  }
  const [r, s, i, ...extensions] = attributes;
  if (!r?.startsWith("r=") || !s?.startsWith("s=") || !i?.startsWith("i=")) {
    throw protocolError("the server-first-message must be r=<nonce>,s=<salt>,i=<iterations>");
  }
  checkExtensions(extensions, "server-first-message");
  return {
    nonce: checkNonce(r.slice(2), clientNonce),
    salt: checkSalt(s.slice(2)),
    iterations: checkIterations(i.slice(2)),
  };
}

function checkNonce(nonce: string, clientNonce: string): string {
  if (!PRINTABLE.test(nonce)) throw protocolError("the server nonce is not printable ASCII");
  if (nonce.length <= clientNonce.length || !nonce.startsWith(clientNonce)) {
    throw new MongoAuthError(
      "SCRAM_NONCE_MISMATCH",
      "the server nonce does not extend the client nonce: the server reply belongs to another conversation",
    );
  }
  return nonce;
}

function checkSalt(text: string): Uint8Array {
  const salt = decodeBase64(text, { code: "SCRAM_PROTOCOL_ERROR", what: "the SCRAM salt (s=)" });
  if (salt.length === 0) throw protocolError("the SCRAM salt (s=) is empty");
  return salt;
}

// A count past any limit (say 10^30) reads as Infinity, so no comparison ever lets it through.
function checkIterations(text: string): number {
  if (!DECIMAL.test(text)) throw protocolError("the SCRAM iteration count (i=) is not a decimal integer");
  const iterations = text.length > 16 ? Infinity : Number(text);
  if (iterations < MIN_ITERATIONS) {
    throw new MongoAuthError(
      "SCRAM_ITERATIONS_TOO_LOW",
      `the server asked for ${iterations} SCRAM iterations; at least ${MIN_ITERATIONS} are required`,
    );
  }
  return iterations;
}

/**
 * Checks a limit on SCRAM iterations (`maxScramIterations`).
 *
 * @param value the limit
 * @returns the limit
 * @throws {MongoAuthError} `INVALID_OPTION` unless a whole number from 4096 to 2³¹−1
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkMaxIterations } from "./client.ts";
 *
 * assert.equal(checkMaxIterations(20_000), 20_000);
 * assert.throws(() => checkMaxIterations(2 ** 32), { code: "INVALID_OPTION" });
 * ```
 */
export function checkMaxIterations(value: unknown): number {
  if (
    typeof value !== "number" || !Number.isInteger(value) || value < MIN_ITERATIONS ||
    value > MAX_SCRAM_ITERATIONS_LIMIT
  ) {
    throw new MongoAuthError(
      "INVALID_OPTION",
      `maxScramIterations must be a whole number from ${MIN_ITERATIONS} to ${MAX_SCRAM_ITERATIONS_LIMIT}`,
    );
  }
  return value;
}

// server-final-message = (server-error / verifier) ["," extensions]
function parseServerFinal(message: string): Uint8Array {
  if (typeof message !== "string") throw protocolError("the server-final-message is not a string");
  const [first, ...extensions] = message.split(",");
  if (first.startsWith("e=")) {
    throw new MongoAuthError(
      "SCRAM_SERVER_ERROR",
      `the server ended the SCRAM conversation with an error: ${printable(first.slice(2))}`,
    );
  }
  if (!first.startsWith("v=")) throw protocolError("the server-final-message must start with v= or e=");
  checkExtensions(extensions, "server-final-message");
  return decodeBase64(first.slice(2), { code: "SCRAM_PROTOCOL_ERROR", what: "the server signature (v=)" });
}

function checkExtensions(extensions: string[], where: string): void {
  if (!extensions.every((extension) => EXTENSION.test(extension))) {
    throw protocolError(`the ${where} has a malformed attribute after the mandatory ones`);
  }
}

function checkHash(hash: unknown): asserts hash is ScramHash {
  if (!isScramHash(hash)) {
    throw new MongoAuthError("INVALID_OPTION", 'the SCRAM hash must be "SHA-1" or "SHA-256"');
  }
}

// The server's error value is not a secret, but it is untrusted: keep it short and printable.
function printable(value: string): string {
  const clean = value.replace(/[^\x20-\x7e]/g, "?").slice(0, 200);
  return clean === "" ? "(no reason given)" : clean;
}

// ClientSignature (then ClientProof, in place), then the ServerSignature expected, each wiped once used
// (all synchronous: no two conversations overlap here). A typed array costs Deno about a microsecond to
// allocate.
const SIGNATURE: Readonly<Record<ScramHash, Uint8Array>> = {
  "SHA-1": new Uint8Array(20),
  "SHA-256": new Uint8Array(32),
};

function protocolError(message: string): MongoAuthError {
  return new MongoAuthError("SCRAM_PROTOCOL_ERROR", message);
}
