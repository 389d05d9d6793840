/**
 * The authentication conversation over any command channel: what goes into hello, then the rest.
 * Driver authors who own their sockets use this; mongo-auth's own `connect()` does too.
 *
 * @module
 */
import { raceAbort, throwIfAborted } from "../core/abort.ts";
import { AuthCacheStore } from "../auth/cache-store.ts";
import { checkMaxIterations, DEFAULT_MAX_SCRAM_ITERATIONS } from "../mechanisms/scram/client.ts";
import { checkedCredential } from "../credential/credential.ts";
import type { MongoCredential } from "../credential/mongo-credential.ts";
import { MongoAuthError, MongoServerError } from "../core/errors.ts";
import { checkOk } from "../wire/command.ts";
import { mechanismNamed } from "../mechanisms/registry.ts";
import type { AuthContext, Authenticator, Mechanism } from "../auth/mechanism.ts";
import type { CommandRunner, Document } from "../wire/command.ts";
import { type RuntimeEnv, runtimeEnv } from "../core/runtime-env.ts";

/**
 * Options of {@link authenticate} and {@link beginAuthentication}.
 *
 * @example The host, a cache store of one client, and a deadline
 * ```ts
 * import assert from "node:assert/strict";
 * import { AuthCacheStore, type AuthenticateOptions, beginAuthentication, parseCredential } from "@mongo-auth/core";
 *
 * const options: AuthenticateOptions = {
 *   host: "db1.example.net",
 *   cacheStore: new AuthCacheStore(),
 *   signal: AbortSignal.timeout(10_000),
 * };
 * const auth = await beginAuthentication(parseCredential("mongodb://alice:pw@db1.example.net/")!, options);
 * assert.equal(auth.helloFields.saslSupportedMechs, "admin.alice");
 * ```
 */
export interface AuthenticateOptions {
  /**
   * The server's host as connected to (after SRV resolution), without port. MONGODB-OIDC's human flow
   * checks it against `ALLOWED_HOSTS` and refuses to run without it: a person's token only ever goes to a
   * host someone named. No default.
   */
  host?: string;
  /**
   * Host facilities for AWS and OIDC credential sources. Default: {@link runtimeEnv}`()` (no env, no
   * files). Temporary AWS credentials and `ENVIRONMENT` OIDC tokens are cached per env object: pass the
   * same object to share them, and different ones to keep tenants apart.
   */
  env?: RuntimeEnv;
  /** Shared state of one client (pool). Default: a process-wide store. */
  cacheStore?: AuthCacheStore;
  /**
   * Cancels the conversation: it settles with `ABORTED` (or `TIMEOUT` for `AbortSignal.timeout`) as soon
   * as the signal fires, whatever it is waiting for, a SCRAM key derivation included. This includes a
   * human OIDC callback: give it a signal without your connect timeout (the callback has five minutes).
   */
  signal?: AbortSignal;
  /** The hello reply, when the caller already sent hello with {@link Authentication.helloFields}. */
  helloReply?: Document;
  /**
   * The most SCRAM iterations a server may ask for. A larger count is refused with
   * `SCRAM_ITERATIONS_TOO_HIGH` before any key is derived. Default 1 000 000 (servers use 10 000 to
   * 15 000); at most 2 147 483 647.
   */
  maxScramIterations?: number;
}

/**
 * What {@link authenticate} did.
 *
 * @example The mechanism negotiation chose
 * ```ts
 * import assert from "node:assert/strict";
 * import { type AuthResult, beginAuthentication, parseCredential } from "@mongo-auth/core";
 *
 * const auth = await beginAuthentication(parseCredential("mongodb://localhost/?authMechanism=MONGODB-X509")!);
 * const result: AuthResult = await auth.complete(
 *   { command: () => Promise.resolve({ ok: 1 }) },
 *   { ok: 1, speculativeAuthenticate: { user: "CN=client" } },
 * );
 * assert.equal(result.speculative, true);
 * ```
 */
export interface AuthResult {
  /** The mechanism used, after negotiation. */
  readonly mechanism: string;
  /** Whether the server took the speculative step inside hello. */
  readonly speculative: boolean;
}

/**
 * An authentication in progress: put {@link helloFields} into hello, then call {@link complete}.
 *
 * @example Speculative authentication inside your own hello
 * ```ts
 * import assert from "node:assert/strict";
 * import { type Authentication, beginAuthentication, parseCredential } from "@mongo-auth/core";
 *
 * const credential = parseCredential("mongodb://localhost/?authMechanism=MONGODB-X509")!;
 * const auth: Authentication = await beginAuthentication(credential);
 * // Send hello with auth.helloFields; here the server took the speculative step.
 * const runner = { command: () => Promise.reject(new Error("nothing more to send")) };
 * const result = await auth.complete(runner, { ok: 1, speculativeAuthenticate: { dbname: "$external", user: "CN=client" } });
 * assert.deepEqual(result, { mechanism: "MONGODB-X509", speculative: true });
 * ```
 */
export interface Authentication {
  /** Fields to add to the hello command: `saslSupportedMechs` and/or `speculativeAuthenticate`. */
  readonly helloFields: Document;
  /** Finishes the conversation using hello's reply. */
  complete(runner: CommandRunner, helloReply: Document): Promise<AuthResult>;
  /**
   * Re-authenticates the same connection, for a command that failed with 391. `signal` bounds this
   * re-authentication (the one given to {@link beginAuthentication} was for connecting).
   */
  reauthenticate(runner: CommandRunner, signal?: AbortSignal): Promise<void>;
}

const defaultStore = new AuthCacheStore();
// One object, so that credentials fetched without an env share one cache scope.
const defaultEnv = runtimeEnv();

/** What `connect()` hands the conversation besides the options: its connect deadline. @internal */
export interface ConnectDeadline {
  /** Fires at the connect timeout or the caller's abort. */
  readonly signal: AbortSignal;
  /** Runs `work` with the connect timeout stopped; `work` gets the caller's signal. */
  paused<T>(work: (signal: AbortSignal | undefined) => Promise<T>): Promise<T>;
}

/**
 * Starts authenticating `credential`: computes what goes into hello.
 *
 * @param credential from {@link parseCredential}
 * @param options host, env, cache store, signal, SCRAM iteration limit
 * @returns the authentication in progress
 * @throws {MongoAuthError} `UNSUPPORTED_MECHANISM`, `INVALID_CREDENTIAL`; `INVALID_OPTION` for a
 *   `maxScramIterations` out of range, or a human OIDC flow without `host` or to a host not in ALLOWED_HOSTS
 * @example What goes into your own hello
 * ```ts
 * import assert from "node:assert/strict";
 * import { beginAuthentication, parseCredential } from "@mongo-auth/core";
 *
 * const auth = await beginAuthentication(parseCredential("mongodb://alice:s3cret@localhost/")!);
 * assert.equal(auth.helloFields.saslSupportedMechs, "admin.alice");
 * assert.ok(auth.helloFields.speculativeAuthenticate);
 * ```
 */
export function beginAuthentication(
  credential: MongoCredential,
  options: AuthenticateOptions = {},
): Promise<Authentication> {
  return startAuthentication(credential, options);
}

/**
 * {@link beginAuthentication} under `connect()`'s deadline, which stops while a person signs in.
 *
 * @param credential from {@link parseCredential}
 * @param options host, env, cache store, SCRAM iteration limit (`signal` is the deadline's)
 * @param deadline the connect deadline
 * @returns the authentication in progress
 * @internal
 */
export async function startAuthentication(
  given: MongoCredential,
  options: AuthenticateOptions,
  deadline?: ConnectDeadline,
): Promise<Authentication> {
  const credential = checkedCredential(given);
  const maxScramIterations = checkMaxIterations(options.maxScramIterations ?? DEFAULT_MAX_SCRAM_ITERATIONS);
  // The signal and deadline of the step under way: connecting has them, each later re-authentication
  // its own signal and no deadline.
  let signal = deadline?.signal ?? options.signal;
  let untimed = deadline &&
    (<T>(work: (signal: AbortSignal | undefined) => Promise<T>) => deadline.paused(work));
  const env = options.env ?? defaultEnv;
  const context: AuthContext = {
    credential,
    host: options.host,
    env,
    cache: (options.cacheStore ?? defaultStore).scopeFor(credential),
    maxScramIterations,
    get signal() {
      return signal;
    },
    get outsideConnectTimeout() {
      return untimed;
    },
  };
  // Without a mechanism, negotiate: ask for the user's mechanisms and speculate with SCRAM-SHA-256.
  const negotiating = credential.mechanism === undefined;
  const guess = mechanismNamed(credential.mechanism ?? "SCRAM-SHA-256");
  let mechanism = guess;
  let authenticator = guess.create(context);
  const helloFields: Document = {};
  if (negotiating) helloFields.saslSupportedMechs = `${credential.source}.${credential.username}`;
  const speculative = await authenticator.speculativeCommand();
  if (speculative) helloFields.speculativeAuthenticate = speculative;

  return {
    helloFields,
    async complete(runner, helloReply) {
      const checked = checkedRunner(runner, context.signal);
      let speculativeReply = speculative ? asDocument(helloReply.speculativeAuthenticate) : undefined;
      if (negotiating) {
        mechanism = negotiatedMechanism(helloReply);
        if (mechanism !== guess) {
          authenticator = mechanism.create(context);
          speculativeReply = undefined;
        }
      }
      checkServerVersion(mechanism, helloReply);
      // Asked for the user's mechanisms, the server lists none when it has no such user there.
      const unknownUser = negotiating && !Array.isArray(helloReply.saslSupportedMechs);
      const attempt = { credential, mechanism: mechanism.name, unknownUser };
      await finish(authenticator, checked, speculativeReply, attempt, context.signal);
      return { mechanism: mechanism.name, speculative: speculativeReply !== undefined };
    },
    async reauthenticate(runner, reauthSignal) {
      signal = reauthSignal;
      untimed = undefined;
      const checked = checkedRunner(runner, context.signal);
      if (authenticator.reauthenticate) {
        return await raceAbort(authenticator.reauthenticate(checked), context.signal, "authentication");
      }
      authenticator = mechanism.create(context);
      const attempt = { credential, mechanism: mechanism.name };
      await finish(authenticator, checked, undefined, attempt, context.signal);
    },
  };
}

/**
 * Authenticates over `runner`. Sends its own `hello` unless `options.helloReply` is given.
 *
 * @param runner the command channel (a driver's connection)
 * @param credential from {@link parseCredential}
 * @param options host, env, cache store, signal, helloReply
 * @returns the mechanism used and whether it was speculative
 * @throws {MongoAuthError} `AUTHENTICATION_FAILED` when the server rejects the credential, and the codes of each mechanism
 * @example The error a refusing server gives
 * ```ts
 * import assert from "node:assert/strict";
 * import { authenticate, parseCredential } from "@mongo-auth/core";
 *
 * // A runner that refuses everything, to show the error shape.
 * const runner = { command: () => Promise.resolve({ ok: 0, code: 18, codeName: "AuthenticationFailed", errmsg: "Authentication failed." }) };
 * await assert.rejects(authenticate(runner, parseCredential("mongodb://alice:x@localhost/?authMechanism=PLAIN")!), { code: "AUTHENTICATION_FAILED" });
 * ```
 */
export async function authenticate(
  runner: CommandRunner,
  credential: MongoCredential,
  options: AuthenticateOptions = {},
): Promise<AuthResult> {
  const auth = await beginAuthentication(credential, options);
  const helloReply = options.helloReply ??
    await checkedRunner(runner, options.signal).command("admin", {
      hello: 1,
      helloOk: true,
      ...auth.helloFields,
    });
  return await auth.complete(runner, helloReply);
}

function checkServerVersion(mechanism: Mechanism, helloReply: Document): void {
  const wire = helloReply.maxWireVersion;
  const min = mechanism.minServer;
  if (min === undefined || typeof wire !== "number" || wire >= min.wireVersion) return;
  throw new MongoAuthError(
    "UNSUPPORTED_MECHANISM",
    `${mechanism.name} needs MongoDB ${min.release} or later (wire version ${min.wireVersion}); this server has ${wire}`,
  );
}

// The spec's rule: SCRAM-SHA-256 when the user has it, otherwise SCRAM-SHA-1.
function negotiatedMechanism(helloReply: Document): Mechanism {
  const mechs = helloReply.saslSupportedMechs;
  const sha256 = Array.isArray(mechs) && mechs.includes("SCRAM-SHA-256");
  return mechanismNamed(sha256 ? "SCRAM-SHA-256" : "SCRAM-SHA-1");
}

/** Who tried to log in, how, and what the server's hello said about the user. */
interface Attempt {
  readonly credential: MongoCredential;
  readonly mechanism: string;
  /** Negotiating, hello listed no mechanisms for the user: the server has no such user there. */
  readonly unknownUser?: boolean;
}

// Settles when the signal fires even if the mechanism is busy with something that takes no signal (a
// PBKDF2 in WebCrypto cannot be cancelled: it runs on, bounded by maxScramIterations, and its result is
// dropped).
async function finish(
  authenticator: Authenticator,
  runner: CommandRunner,
  reply: Document | undefined,
  attempt: Attempt,
  signal: AbortSignal | undefined,
) {
  try {
    await raceAbort(authenticator.finish(runner, reply), signal, "authentication");
  } catch (err) {
    if (err instanceof MongoServerError && err.serverCode === 18) throw refused(attempt, err);
    // mongod refuses a mechanism it does not offer on the authentication database before the
    // conversation starts (SCRAM on $external, PLAIN or MONGODB-AWS elsewhere, a disabled mechanism).
    if (err instanceof MongoServerError && err.serverCode === 334) {
      const { credential, mechanism } = attempt;
      const user = credential.username === undefined ? "" : ` (user "${credential.username}")`;
      throw new MongoAuthError(
        "UNSUPPORTED_MECHANISM",
        `the server does not offer ${mechanism} on authentication database "${credential.source}"${user}: ` +
          `${err.errmsg} (server error 334). Check authMechanism and authSource: PLAIN, MONGODB-AWS, ` +
          "MONGODB-OIDC and MONGODB-X509 users live in $external, SCRAM users in any other database",
        { cause: err },
      );
    }
    throw err;
  }
}

// The server says only "Authentication failed." (on purpose: it does not tell an attacker which part
// was wrong). Say who tried, where and how, and what is worth checking for that mechanism.
function refused({ credential, mechanism, unknownUser }: Attempt, cause: MongoServerError): MongoAuthError {
  const who = credential.username !== undefined && mechanism !== "MONGODB-AWS"
    ? `user ${JSON.stringify(credential.username)}`
    : "the client";
  const where = JSON.stringify(credential.source);
  const check = unknownUser
    ? `the server has no user ${
      JSON.stringify(credential.username)
    } in ${where} (hello listed no mechanisms ` +
      "for it): check authSource, which names the database that holds the user (default: the connection " +
      "string's database, else admin)"
    : WHAT_TO_CHECK[mechanism] ?? CHECK_PASSWORD;
  return new MongoAuthError(
    "AUTHENTICATION_FAILED",
    `the server refused ${who} on database ${where} with ${mechanism} ` +
      `(server error 18 ${cause.codeName || "AuthenticationFailed"}): ${check}`,
    { cause },
  );
}

const CHECK_PASSWORD = "check the password, and that the user was created in that database " +
  "(authSource names the database that holds the user; it defaults to the connection string's database, else admin)";

const WHAT_TO_CHECK: Readonly<Record<string, string>> = {
  "SCRAM-SHA-1": CHECK_PASSWORD,
  "SCRAM-SHA-256": CHECK_PASSWORD + ", and that the user has SCRAM-SHA-256 credentials",
  PLAIN: "check the password, and that the directory (LDAP) knows the user",
  "MONGODB-X509": "check that a $external user is named exactly as the certificate's subject",
  "MONGODB-AWS": "check that a $external user exists for the IAM ARN of these AWS credentials " +
    "(for a role: arn:aws:iam::<account>:role/<name>) and that the credentials are current",
  "MONGODB-OIDC": "check that the token is current, that its issuer and audience are the ones the server " +
    "is configured with, and that a $external user exists for its principal",
};

function asDocument(value: unknown): Document | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? value as Document : undefined;
}

// The one ok-check of the reply contract (wire/command.ts): runners from driver authors may return
// `ok: 0` instead of throwing, and no mechanism looks at `ok`, so every reply of the conversation,
// hello's and re-authentication's included, passes here. The runner's commands do not take our signal,
// so a command still pending when it fires is abandoned: the conversation rejects at once, and the
// caller (who owns the channel) closes it.
function checkedRunner(runner: CommandRunner, signal: AbortSignal | undefined): CommandRunner {
  return {
    async command(db, cmd) {
      throwIfAborted(signal, "authentication");
      return checkOk(await raceAbort(runner.command(db, cmd), signal, "authentication"));
    },
  };
}
