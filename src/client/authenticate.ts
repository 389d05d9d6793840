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
import { ATLAS_ERROR, MongoAuthError, MongoServerError } from "../core/errors.ts";
import { checkOk, commandName } from "../wire/command.ts";
import { mechanismNamed } from "../mechanisms/registry.ts";
import type { AuthContext, Authenticator, Mechanism } from "../auth/mechanism.ts";
import type { CommandRunner, Document } from "../wire/command.ts";
import { type RuntimeEnv, runtimeEnv } from "../core/runtime-env.ts";
import { attachTrace, stopwatch, type TraceListener, TraceRecorder } from "../core/trace.ts";
import type { AuthSourceOrigin } from "../credential/credential.ts";
import { helloAttributes, listedMechanisms } from "./hello-event.ts";
import { checkHostOptions } from "./host-options.ts";
import { IS, typeName } from "../core/options.ts";
import { isAtlasHost } from "../topology/server-description.ts";

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
  /**
   * Called with each event of the conversation's trace as it happens: the authentication database, the
   * mechanism and why, each credential source tried, each SASL step, the result; never a secret. On
   * failure the events are also on the `MongoAuthError`'s `trace`. A listener that throws does not stop
   * the conversation: its error is recorded as a `trace.listener_failed` event.
   */
  onEvent?: TraceListener;
  /**
   * When the server refuses the credential, spend one bounded request (5 s) to find evidence its
   * "Authentication failed." hides: MONGODB-AWS asks STS `GetCallerIdentity` which identity the
   * credentials belong to, when the credential source did not say. Default `false`.
   */
  explain?: boolean;
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
  /** Milliseconds before `signal` fires for time (while paused: of the clock still running). */
  timeLeft(): number;
}

/** What `connect()` hands the conversation for its trace. @internal */
export interface AuthTracing {
  /** The connect's trace. */
  readonly trace: TraceRecorder;
  /** Why the credential's database is the one it is, as the connection string and options say. */
  readonly authSource?: AuthSourceOrigin & { readonly uriDatabase?: string };
  /** The server this authentication is for, when connect() checks several. */
  readonly server?: { readonly host: string; readonly port: number };
}

/**
 * Starts authenticating `credential`: computes what goes into hello.
 *
 * @param credential from {@link parseCredential}
 * @param options host, env, cache store, signal, SCRAM iteration limit
 * @returns the authentication in progress
 * @throws {MongoAuthError} `UNSUPPORTED_MECHANISM`, `INVALID_CREDENTIAL`; `INVALID_OPTION` for an option of
 *   the wrong type, a `maxScramIterations` out of range, or a human OIDC flow without `host` or to a host not
 *   in ALLOWED_HOSTS
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
  options?: AuthenticateOptions,
): Promise<Authentication> {
  try {
    return startAuthentication(credential, checkHostOptions(options, "beginAuthentication()"));
  } catch (err) {
    return Promise.reject(err); // a promise-returning function rejects; it never throws
  }
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
  tracing?: AuthTracing,
): Promise<Authentication> {
  const env = options.env ?? defaultEnv;
  const trace = tracing?.trace ?? new TraceRecorder({ onEvent: options.onEvent, now: () => env.now() });
  let credential: MongoCredential | undefined;
  let mechanismName = given?.mechanism as string | undefined;
  // Every failure of the conversation ends the trace with what failed, and carries the trace.
  const failed = (err: unknown) => {
    trace.emit("auth.failed", failureAttributes(err, mechanismName, credential));
    return attachTrace(err, trace);
  };
  try {
    credential = checkedCredential(given);
  } catch (err) {
    throw failed(err);
  }
  const { username: user, source: db } = credential;
  const server = tracing?.server && { host: tracing.server.host, port: tracing.server.port };
  // For the words of a refusal (an Atlas host's users are database users in admin).
  const host = server?.host ?? options.host;
  trace.emit("auth.started", { mechanism: credential.mechanism ?? "negotiate", user, db, ...server });
  const origin = tracing?.authSource ?? { origin: "credential", reason: "the credential names it" } as const;
  trace.emit("auth.source", { db, ...origin });
  const maxScramIterations = checkMaxIterations(options.maxScramIterations ?? DEFAULT_MAX_SCRAM_ITERATIONS);
  // The signal and deadline of the step under way: connecting has them, each later re-authentication
  // its own signal and no deadline. Bound rather than closures over `deadline`, so that letting go of them
  // lets go of the deadline.
  let signal = deadline?.signal ?? options.signal;
  let untimed: AuthContext["outsideConnectTimeout"] = deadline && deadline.paused.bind(deadline);
  let timeLeft: AuthContext["timeLeft"] = deadline && deadline.timeLeft.bind(deadline);
  const context: AuthContext = {
    credential,
    host: options.host,
    env,
    cache: (options.cacheStore ?? defaultStore).scopeFor(credential),
    maxScramIterations,
    trace,
    explain: options.explain ?? false,
    get signal() {
      return signal;
    },
    get outsideConnectTimeout() {
      return untimed;
    },
    get timeLeft() {
      return timeLeft;
    },
  };
  // Without a mechanism, negotiate: ask for the user's mechanisms and speculate with SCRAM-SHA-256. With
  // a SCRAM mechanism given, ask for them too (same round trip): when the server refuses, the list is the
  // evidence of a user that lacks the mechanism, or of no such user in that database.
  const negotiating = credential.mechanism === undefined;
  const asksMechs = negotiating || credential.mechanism === "SCRAM-SHA-256" ||
    credential.mechanism === "SCRAM-SHA-1";
  let mechanism: Mechanism;
  let authenticator: Authenticator | undefined;
  const helloFields: Document = {};
  let speculative: Document | undefined;
  try {
    const guess = mechanismNamed(credential.mechanism ?? "SCRAM-SHA-256");
    mechanism = guess;
    authenticator = guess.create(context);
    if (asksMechs) helloFields.saslSupportedMechs = `${credential.source}.${credential.username}`;
    speculative = await authenticator.speculativeCommand();
    if (speculative) helloFields.speculativeAuthenticate = speculative;
  } catch (err) {
    throw failed(err);
  }
  const guess = mechanism;
  const steps = { trace, mechanism: guess.name, db, count: 0 };
  // Authenticated: an open connection keeps this conversation only for re-authentication (391), which has a
  // signal of its own and makes a new authenticator, unless the mechanism re-authenticates its own way. What
  // connecting needed (its deadline, the speculative step, a finished SCRAM conversation) is let go, so that
  // a pool of open connections does not hold it (on Node.js an open connection held 10.7 kB, now 8.9).
  const letGoOfConnecting = () => {
    signal = undefined;
    untimed = undefined;
    timeLeft = undefined;
    speculative = undefined;
    if (!authenticator?.reauthenticate) authenticator = undefined;
  };

  return {
    helloFields,
    async complete(runner, helloReply) {
      try {
        checkRunner(runner, "complete()");
        if (!IS.object[0](helloReply)) {
          throw new MongoAuthError(
            "INVALID_OPTION",
            "complete() needs the server's hello reply, the document it answered to hello with helloFields",
          );
        }
        steps.count = 0;
        let speculativeReply = speculative ? asDocument(helloReply.speculativeAuthenticate) : undefined;
        // Asked for the user's mechanisms, the server lists none when it has no such user there.
        const listed = asksMechs ? listedMechanisms(helloReply) : undefined;
        if (negotiating) {
          mechanism = negotiatedMechanism(listed);
          if (mechanism !== guess) {
            authenticator = mechanism.create(context);
            speculativeReply = undefined;
          }
        }
        mechanismName = steps.mechanism = mechanism.name;
        trace.emit("auth.mechanism", mechanismDecision(mechanism.name, negotiating, helloFields, listed));
        checkServerVersion(mechanism, helloReply);
        if (speculativeReply) {
          const done = typeof speculativeReply.done === "boolean" ? speculativeReply.done : undefined;
          const step = ++steps.count;
          // Object.assign rather than a spread followed by keys, here and below: on Node.js 20 such a spread
          // builds a slow object (1.3 µs against 0.1, and slower to read).
          trace.emit(
            "sasl.step",
            Object.assign(stepOf(steps), { command: "speculativeAuthenticate", step, ok: true, done }),
          );
        }
        const checked = checkedRunner(runner, context.signal, steps);
        const attempt = {
          credential: credential!,
          mechanism: mechanism.name,
          host,
          unknownUser: asksMechs && listed === undefined,
          listedMechs: listed,
        };
        // A second complete() after a first that succeeded runs a fresh conversation (its first let go).
        await finish(
          authenticator ??= mechanism.create(context),
          checked,
          speculativeReply,
          attempt,
          context.signal,
        );
        const result = { mechanism: mechanism.name, speculative: speculativeReply !== undefined };
        letGoOfConnecting();
        trace.emit("auth.succeeded", Object.assign({}, result, { user, db }));
        return result;
      } catch (err) {
        throw failed(err);
      }
    },
    async reauthenticate(runner, reauthSignal) {
      checkRunner(runner, "reauthenticate()");
      if (reauthSignal !== undefined && reauthSignal !== null && !IS.signal[0](reauthSignal)) {
        throw new MongoAuthError(
          "INVALID_OPTION",
          `reauthenticate() takes an AbortSignal as its second argument, got ${typeName(reauthSignal)}`,
        );
      }
      signal = reauthSignal ?? undefined;
      untimed = undefined;
      timeLeft = undefined;
      trace.emit("auth.started", { mechanism: mechanism.name, user, db, reauthentication: true });
      try {
        steps.count = 0;
        const checked = checkedRunner(runner, context.signal, steps);
        if (authenticator?.reauthenticate) {
          await raceAbort(authenticator.reauthenticate(checked), context.signal, "authentication");
        } else {
          authenticator = mechanism.create(context);
          const attempt = { credential: credential!, mechanism: mechanism.name, host };
          await finish(authenticator, checked, undefined, attempt, context.signal);
        }
        trace.emit("auth.succeeded", { mechanism: mechanism.name, speculative: false, user, db });
      } catch (err) {
        throw failed(err);
      }
    },
  };
}

// Why this mechanism: given, or what hello's list made of it (SCRAM-SHA-256 when listed, else SCRAM-SHA-1).
function mechanismDecision(
  name: string,
  negotiating: boolean,
  helloFields: Document,
  mechs: readonly string[] | undefined,
): { mechanism: string; how: "given" | "negotiated" | "defaulted"; reason: string } {
  if (!negotiating) return { mechanism: name, how: "given", reason: `authMechanism=${name}` };
  const asked = String(helloFields.saslSupportedMechs);
  if (mechs === undefined) {
    return {
      mechanism: name,
      how: "defaulted",
      reason: `hello listed no mechanisms for ${asked}: ${name} is the auth specification's fallback`,
    };
  }
  const listed = mechs.join(", ") || "nothing";
  return {
    mechanism: name,
    how: "negotiated",
    reason: name === "SCRAM-SHA-256"
      ? `hello lists ${listed} for ${asked}: SCRAM-SHA-256 is preferred`
      : `hello lists ${listed} for ${asked}, without SCRAM-SHA-256`,
  };
}

/** A conversation's step counter and what each step event names. */
interface StepTracing {
  readonly trace: TraceRecorder;
  mechanism: string;
  readonly db: string;
  count: number;
}

function stepOf(steps: StepTracing): { mechanism: string; db: string } {
  return { mechanism: steps.mechanism, db: steps.db };
}

function failureAttributes(
  err: unknown,
  mechanism: string | undefined,
  credential: MongoCredential | undefined,
) {
  const server = serverErrorIn(err);
  return {
    mechanism,
    user: credential?.username,
    db: credential?.source,
    code: err instanceof MongoAuthError ? err.code : "UNEXPECTED",
    serverCode: server?.serverCode,
    codeName: server?.codeName || undefined,
    message: err instanceof MongoAuthError ? err.message : `unexpected ${(err as Error)?.name ?? "error"}`,
  };
}

// The server's own error, where the conversation's error is one or was made from one.
function serverErrorIn(err: unknown): MongoServerError | undefined {
  if (err instanceof MongoServerError) return err;
  const cause = (err as { cause?: unknown } | null)?.cause;
  return cause instanceof MongoServerError ? cause : undefined;
}

/**
 * Authenticates over `runner`. Sends its own `hello` unless `options.helloReply` is given.
 *
 * @param runner the command channel (a driver's connection)
 * @param credential from {@link parseCredential}
 * @param options host, env, cache store, signal, helloReply
 * @returns the mechanism used and whether it was speculative
 * @throws {MongoAuthError} `AUTHENTICATION_FAILED` when the server rejects the credential, `INVALID_OPTION` for
 *   an option of the wrong type, and the codes of each mechanism
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
  given?: AuthenticateOptions,
): Promise<AuthResult> {
  const options = checkHostOptions(given, "authenticate()");
  checkRunner(runner, "authenticate()");
  const env = options.env ?? defaultEnv;
  const trace = new TraceRecorder({ onEvent: options.onEvent, now: () => env.now() });
  const auth = await startAuthentication(credential, options, undefined, { trace });
  let helloReply = options.helloReply;
  if (!helloReply) {
    const elapsed = stopwatch();
    try {
      helloReply = await checkedRunner(runner, options.signal).command("admin", {
        hello: 1,
        helloOk: true,
        ...auth.helloFields,
      });
    } catch (err) {
      throw attachTrace(err, trace);
    }
    const { saslSupportedMechs, speculativeAuthenticate } = auth.helloFields;
    trace.emit(
      "hello",
      helloAttributes(helloReply, {
        command: "hello",
        mechsAskedFor: typeof saslSupportedMechs === "string" ? saslSupportedMechs : undefined,
        speculative: speculativeAuthenticate !== undefined,
      }),
      elapsed(),
    );
  }
  return await auth.complete(runner, helloReply);
}

// A runner of the wrong kind would fail as a TypeError on the first command, deep inside a mechanism.
function checkRunner(runner: CommandRunner, api: string): void {
  if (typeof runner?.command !== "function") {
    throw new MongoAuthError(
      "INVALID_OPTION",
      `${api} needs a CommandRunner: an object whose command(db, command) sends a command on your connection ` +
        "and resolves to the server's reply",
    );
  }
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
function negotiatedMechanism(listed: readonly string[] | undefined): Mechanism {
  return mechanismNamed(listed?.includes("SCRAM-SHA-256") ? "SCRAM-SHA-256" : "SCRAM-SHA-1");
}

/** Who tried to log in, how, and what the server's hello said about the user. */
interface Attempt {
  readonly credential: MongoCredential;
  readonly mechanism: string;
  /** The server's host, where known. */
  readonly host?: string;
  /** Negotiating, hello listed no mechanisms for the user: the server has no such user there. */
  readonly unknownUser?: boolean;
  /** The user's mechanisms as hello listed them, when asked. */
  readonly listedMechs?: readonly string[];
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
    if (err instanceof MongoServerError && err.code === "AUTHENTICATION_FAILED") throw refused(attempt, err);
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
function refused(
  { credential, mechanism, host, unknownUser, listedMechs }: Attempt,
  cause: MongoServerError,
): MongoAuthError {
  const who = credential.username !== undefined && mechanism !== "MONGODB-AWS"
    ? `user ${JSON.stringify(credential.username)}`
    : "the client";
  const where = JSON.stringify(credential.source);
  // mongod lists no mechanisms for a user it does not have; Atlas's proxy may list none for anyone.
  const fromProxy = cause.serverCode === ATLAS_ERROR;
  const check = placeholderIn(credential) ??
    (unknownUser && !fromProxy
      ? `the server has no user ${
        JSON.stringify(credential.username)
      } in ${where} (hello listed no mechanisms ` +
        "for it): check authSource, which names the database that holds the user (default: the connection " +
        "string's database, else admin)"
      : listedMechs && listedMechs.length > 0 && !listedMechs.includes(mechanism)
      ? `the user has no ${mechanism} credentials (hello lists ${listedMechs.join(", ")} for it): use ` +
        `authMechanism=${listedMechs[0]}, or leave authMechanism out to negotiate`
      : mechanism === "MONGODB-X509" && credential.username !== undefined
      ? X509_USERNAME
      : WHAT_TO_CHECK[mechanism] ?? CHECK_PASSWORD);
  const onAtlas = fromProxy || (host !== undefined && isAtlasHost(host));
  const atlas = onAtlas && mechanism.startsWith("SCRAM-") ? `; on MongoDB Atlas, ${ATLAS_USERS}` : "";
  return new MongoAuthError(
    "AUTHENTICATION_FAILED",
    `the server refused ${who} on database ${where} with ${mechanism} (${
      serverWords(cause)
    }): ${check}${atlas}`,
    { cause },
  );
}

// Atlas's proxy refuses with a code and message of its own ("bad auth : Authentication failed."), which say
// where the refusal came from; mongod's 18 always says "Authentication failed.".
function serverWords({ serverCode, codeName, errmsg }: MongoServerError): string {
  return serverCode === ATLAS_ERROR
    ? `server error ${serverCode} ${codeName || "AtlasError"} from MongoDB Atlas's proxy: ${
      JSON.stringify(errmsg)
    }`
    : `server error ${serverCode} ${codeName || "AuthenticationFailed"}`;
}

// Atlas keeps its password users apart from the people who sign in to Atlas, and always in admin.
const ATLAS_USERS =
  "the user is a database user from Database Access in the Atlas UI (the login of an Atlas " +
  "account is not one), and every such user is in admin (authSource=admin)";

// MongoDB Atlas's Connect dialog writes the password as <db_password> (and other tools <username>,
// <password>): the most common first refusal. Said without repeating the password itself.
function placeholderIn({ username, password }: MongoCredential): string | undefined {
  const placeholder = /^<[^<>]+>$/;
  const which = password !== undefined && placeholder.test(password)
    ? "password"
    : username !== undefined && placeholder.test(username)
    ? "username"
    : undefined;
  return which && `the ${which} is written in angle brackets, as the placeholders of a copied connection ` +
      `string are (MongoDB Atlas's <db_password>): put the database user's ${which} in its place, brackets ` +
      "included (percent-encoded)";
}

const CHECK_PASSWORD = "check the password, and that the user was created in that database " +
  "(authSource names the database that holds the user; it defaults to the connection string's database, else admin)";

// mongod refuses MONGODB-X509 with 18 when the user named is not the certificate's subject (a subject that is no
// user is 11 UserNotFound): the username, which the mechanism does not need, is then what is wrong.
const X509_USERNAME = "the username must be the client certificate's subject, exactly as mongod writes it " +
  "(RFC 2253: CN=…,OU=…,O=…): leave it out of the connection string, and the server takes the subject";

const WHAT_TO_CHECK: Readonly<Record<string, string>> = {
  "SCRAM-SHA-1": CHECK_PASSWORD,
  "SCRAM-SHA-256": CHECK_PASSWORD + ", and that the user has SCRAM-SHA-256 credentials",
  PLAIN: "check the password, and that the directory (LDAP) knows the user",
  "MONGODB-X509": "check that a $external user is named exactly as the certificate's subject",
  "MONGODB-AWS": "check that a $external user exists for the IAM ARN of these AWS credentials " +
    "(mongod names a role's users arn:aws:sts::<account>:assumed-role/<role>/*) and that the credentials are current",
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
function checkedRunner(
  runner: CommandRunner,
  signal: AbortSignal | undefined,
  steps?: StepTracing,
): CommandRunner {
  return {
    async command(db, cmd) {
      throwIfAborted(signal, "authentication");
      if (!steps) return checkOk(await raceAbort(runner.command(db, cmd), signal, "authentication"));
      const step = ++steps.count;
      const command = commandName(cmd);
      const elapsed = stopwatch();
      try {
        const reply = checkOk(await raceAbort(runner.command(db, cmd), signal, "authentication"), command);
        const done = typeof reply.done === "boolean" ? reply.done : undefined;
        steps.trace.emit(
          "sasl.step",
          Object.assign(stepOf(steps), { db, command, step, ok: true, done }),
          elapsed(),
        );
        return reply;
      } catch (err) {
        const server = err instanceof MongoServerError ? err : undefined;
        steps.trace.emit(
          "sasl.step",
          Object.assign(stepOf(steps), {
            db,
            command,
            step,
            ok: false,
            serverCode: server?.serverCode,
            codeName: server ? server.codeName || undefined : undefined,
            error: err instanceof MongoAuthError ? err.code : undefined,
          }),
          elapsed(),
        );
        throw err;
      }
    },
  };
}
