/**
 * Errors raised by mongo-auth. One class, {@link MongoAuthError}, carries a stable `code`
 * from {@link MongoAuthErrorCode}, so `switch (err.code)` narrows. Subclasses exist only where a
 * caller branches on extra fields ({@link MongoServerError}).
 *
 * Messages never carry a secret: where detail could leak a password, key or token the message is fixed.
 *
 * @module
 */
import type { TraceEvent } from "./trace.ts";

/**
 * Every code a {@link MongoAuthError} can carry. The list only grows; a code is never renamed.
 *
 * - `INVALID_URI`: the connection string is malformed.
 * - `INVALID_CREDENTIAL`: the credential (from URI or options) breaks the auth specification's rules.
 * - `INVALID_OPTION`: an option has the wrong type or value.
 * - `SCRAM_PROTOCOL_ERROR`: a SCRAM server message is malformed.
 * - `SCRAM_NONCE_MISMATCH`: the server nonce does not extend the client nonce.
 * - `SCRAM_ITERATIONS_TOO_LOW`: the server asked for fewer than 4096 iterations.
 * - `SCRAM_ITERATIONS_TOO_HIGH`: the server asked for more iterations than `maxScramIterations` allows.
 * - `SCRAM_UNSUPPORTED_EXTENSION`: the server sent a mandatory extension (`m=`).
 * - `SCRAM_SERVER_ERROR`: the server-final message carried `e=`.
 * - `SCRAM_SERVER_SIGNATURE_MISMATCH`: the server could not prove it knows the password.
 * - `AUTHENTICATION_FAILED`: the server rejected the credential (server error 18; MongoDB Atlas's proxy's
 *   8000 AtlasError "bad auth").
 * - `UNSUPPORTED_MECHANISM`: the mechanism cannot be used (GSSAPI, or not offered by the server on the
 *   authentication database: server error 334).
 * - `SERVER_ERROR`: a command failed on the server ({@link MongoServerError}).
 * - `PROTOCOL_ERROR`: the peer sent a frame or reply that is not valid MongoDB wire protocol.
 * - `MESSAGE_TOO_LARGE`: a frame is larger than `maxMessageSizeBytes`.
 * - `CONNECTION_FAILED`: no host could be reached.
 * - `CONNECTION_CLOSED`: the peer closed the connection (or it was closed locally).
 * - `TIMEOUT`: an operation did not finish within its timeout.
 * - `ABORTED`: the caller's `AbortSignal` fired.
 * - `TLS_ERROR`: TLS configuration or handshake failed (certificates, keys, CA).
 * - `DNS_ERROR`: SRV/TXT resolution failed.
 * - `RUNTIME_UNSUPPORTED`: this runtime cannot do what was asked (say, client certificates on Workers).
 * - `CREDENTIAL_PROVIDER_ERROR`: a credential source (AWS, OIDC environment, callback) failed.
 * - `SERVER_SELECTION_FAILED`: the deployment answered, but no member suits: no primary, none matching the
 *   read preference, members of another replica set, a server that is not what the connection string
 *   says (`loadBalanced=true` without a load balancer).
 * - `NOT_PRIMARY`: a command failed because the member is no longer what the connection chose: it stepped
 *   down, is recovering or shutting down (a {@link MongoServerError} with the server's code:
 *   NotWritablePrimary 10107, NotPrimaryNoSecondaryOk 13435, LegacyNotPrimary 10058,
 *   NotPrimaryOrSecondary 13436, InterruptedDueToReplStateChange 11602, PrimarySteppedDown 189,
 *   InterruptedAtShutdown 11600, ShutdownInProgress 91). Connect again: `connect()` finds the member
 *   that suits now.
 * - `OIDC_IDP_UNREACHABLE`: the human OIDC sign-in could not reach the identity provider, or it did not answer
 *   in time.
 * - `OIDC_DISCOVERY_FAILED`: the identity provider's OpenID configuration is missing or unusable.
 * - `OIDC_SIGN_IN_DECLINED`: the person declined the sign-in (`access_denied`).
 * - `OIDC_REDIRECT_ERROR`: the identity provider redirected back with an error other than `access_denied`.
 * - `OIDC_STATE_MISMATCH`: the redirect carried a `state` other than the one sent (a forged or stale redirect).
 * - `OIDC_DEVICE_CODE_EXPIRED`: nobody approved the device code before it expired.
 *
 * @example Branch on what went wrong
 * ```ts
 * import assert from "node:assert/strict";
 * import { MongoAuthError, type MongoAuthErrorCode, parseCredential } from "@mongo-auth/core";
 *
 * let code: MongoAuthErrorCode | undefined;
 * try {
 *   parseCredential("mongodb://alice@localhost/?authMechanism=SCRAM-SHA-256");
 * } catch (err) {
 *   if (err instanceof MongoAuthError) code = err.code;
 * }
 * assert.equal(code, "INVALID_CREDENTIAL");
 * ```
 */
export type MongoAuthErrorCode =
  | "INVALID_URI"
  | "INVALID_CREDENTIAL"
  | "INVALID_OPTION"
  | "SCRAM_PROTOCOL_ERROR"
  | "SCRAM_NONCE_MISMATCH"
  | "SCRAM_ITERATIONS_TOO_LOW"
  | "SCRAM_ITERATIONS_TOO_HIGH"
  | "SCRAM_UNSUPPORTED_EXTENSION"
  | "SCRAM_SERVER_ERROR"
  | "SCRAM_SERVER_SIGNATURE_MISMATCH"
  | "AUTHENTICATION_FAILED"
  | "UNSUPPORTED_MECHANISM"
  | "SERVER_ERROR"
  | "PROTOCOL_ERROR"
  | "MESSAGE_TOO_LARGE"
  | "CONNECTION_FAILED"
  | "CONNECTION_CLOSED"
  | "TIMEOUT"
  | "ABORTED"
  | "TLS_ERROR"
  | "DNS_ERROR"
  | "RUNTIME_UNSUPPORTED"
  | "CREDENTIAL_PROVIDER_ERROR"
  | "SERVER_SELECTION_FAILED"
  | "NOT_PRIMARY"
  | "OIDC_IDP_UNREACHABLE"
  | "OIDC_DISCOVERY_FAILED"
  | "OIDC_SIGN_IN_DECLINED"
  | "OIDC_REDIRECT_ERROR"
  | "OIDC_STATE_MISMATCH"
  | "OIDC_DEVICE_CODE_EXPIRED";

/**
 * The one error class of mongo-auth.
 *
 * @example Branch on the code
 * ```ts
 * import assert from "node:assert/strict";
 * import { MongoAuthError } from "@mongo-auth/core";
 *
 * const err = new MongoAuthError("INVALID_URI", "connection string must start with mongodb://");
 * assert.equal(err.code, "INVALID_URI");
 * assert.ok(err instanceof Error);
 * ```
 */
export class MongoAuthError extends Error {
  /** A stable, documented code; see {@link MongoAuthErrorCode}. */
  readonly code: MongoAuthErrorCode;
  /**
   * What `connect()` or `authenticate()` did up to this error, when it came from one of them: the events
   * of the trace (see `TraceEvent`), with no secret. `hintsFor(err.trace)` turns it into advice. Not
   * enumerable, so logging the error stays short.
   */
  declare readonly trace?: readonly TraceEvent[];

  /**
   * Creates the error.
   *
   * @param code a stable code from {@link MongoAuthErrorCode}
   * @param message what went wrong and what to fix; never a secret
   * @param options `cause`: the underlying error, which must not carry a secret either
   */
  constructor(code: MongoAuthErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "MongoAuthError";
    this.code = code;
  }
}

/**
 * The Server Discovery and Monitoring spec's "node is recovering" codes: the member cannot serve now.
 * The subset 11600 and 91 are "node is shutting down".
 */
const NODE_IS_RECOVERING: ReadonlySet<number> = new Set([11600, 11602, 13436, 189, 91]);
/** SDAM's "not writable primary" codes. */
const NOT_WRITABLE_PRIMARY: ReadonlySet<number> = new Set([10107, 13435, 10058]);

/**
 * Whether a server error is one of SDAM's "not writable primary" or "node is recovering" errors (a State
 * Change Error): by its code, or, for a reply without one, by its message ("node is recovering", "not
 * master or secondary", "not master").
 *
 * @param serverCode the server's code (0 when the reply had none)
 * @param errmsg the server's message
 * @returns true when the member is no longer usable as the connection chose it
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isStateChangeError } from "./errors.ts";
 *
 * assert.equal(isStateChangeError(10107, "not primary"), true);
 * assert.equal(isStateChangeError(0, "not master"), true);
 * assert.equal(isStateChangeError(11000, "E11000 duplicate key error"), false);
 * ```
 */
export function isStateChangeError(serverCode: number, errmsg: string): boolean {
  if (serverCode !== 0) return NOT_WRITABLE_PRIMARY.has(serverCode) || NODE_IS_RECOVERING.has(serverCode);
  return /node is recovering|not master or secondary|not master/.test(errmsg);
}

/** MongoDB Atlas's proxy's one code (AtlasError) for the errors of its own; its message says which. */
export const ATLAS_ERROR = 8000;

/**
 * Whether a server error refuses a login: mongod's 18 AuthenticationFailed, or the 8000 AtlasError ("bad auth :
 * Authentication failed.") with which MongoDB Atlas's proxy, in front of its free and shared clusters
 * (M0, Flex; serverless), answers the same wrong password.
 *
 * @param serverCode the server's code
 * @param errmsg the server's message
 * @returns true when the server refused the credential
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isLoginRefusal } from "./errors.ts";
 *
 * assert.equal(isLoginRefusal(18, "Authentication failed."), true);
 * assert.equal(isLoginRefusal(8000, "bad auth : Authentication failed."), true);
 * assert.equal(isLoginRefusal(8000, "user is not allowed to do action [insert] on [test.items]"), false);
 * ```
 */
export function isLoginRefusal(serverCode: number, errmsg: string): boolean {
  return serverCode === 18 ||
    (serverCode === ATLAS_ERROR && /\bbad auth\b|authentication failed/i.test(errmsg));
}

/**
 * What a runtime's error says, on one line, for a message of ours that names why something failed (a
 * file that could not be read, say): the first line of its message, else its code (node's `ENOENT`, …), else
 * its name, else the value itself.
 *
 * @param err what was thrown
 * @returns its words
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { reasonOf } from "./errors.ts";
 *
 * const missing = Object.assign(new Error("ENOENT: no such file or directory, open '/ca.pem'"), { code: "ENOENT" });
 * assert.equal(reasonOf(missing), "ENOENT: no such file or directory, open '/ca.pem'");
 * assert.equal(reasonOf("gone\nstack"), "gone");
 * ```
 */
export function reasonOf(err: unknown): string {
  const { message, code, name } = (typeof err === "object" && err !== null ? err : {}) as {
    message?: unknown;
    code?: unknown;
    name?: unknown;
  };
  const words = message !== undefined && message !== null && message !== ""
    ? message
    : typeof code === "string"
    ? code
    : typeof name === "string"
    ? name
    : err;
  return String(words).split("\n")[0];
}

// A server started with requireApiVersion refuses commands without apiVersion. Its words say "configure
// your MongoClient's API version"; say which option that is here.
const API_VERSION_REQUIRED = 498870;
const DECLARE_API_VERSION = `; the deployment requires a declared Stable API version: give connect() ` +
  `serverApi: { version: "1" } (mongo-auth whoami: --apiVersion 1), or your driver's API version option`;

// mongod's 13 has several cases, and only its words tell them apart: no login at all, a user whose roles do
// not allow the command there, and others (an admin-only command elsewhere), which get no advice.
const UNAUTHORIZED = 13;
function unauthorizedAdvice(errmsg: string): string {
  if (/requires authentication/i.test(errmsg)) {
    return "; this connection did not log in: put the user and password in the connection string (or give " +
      "them as options)";
  }
  return /^not authorized on /i.test(errmsg)
    ? "; the user logged in, but no role of theirs allows this command on that database: grant one " +
      "(readWrite, say) with grantRolesToUser, or run it where the user has one"
    : "";
}

// Atlas's proxy says "user is not allowed to do action [insert] on [app.items]" where mongod says 13's
// "not authorized on …"; its users are changed in the Atlas UI, not with grantRolesToUser.
const ATLAS_ROLE_ADVICE =
  "; the user logged in, but no role of theirs allows this action there: on MongoDB " +
  "Atlas, give the database user a role that does (readWrite, say) in Database Access in the Atlas UI";

/**
 * A command that the server answered with `ok: 0`. `code` is `SERVER_ERROR`, `AUTHENTICATION_FAILED`
 * for a refused login (server error 18, or Atlas's proxy's 8000 "bad auth"), or `NOT_PRIMARY` when the
 * member stepped down or cannot serve ({@link MongoAuthErrorCode}); the server's own numeric code, its name and its message are kept as
 * `serverCode`, `codeName` and `errmsg`.
 *
 * @example Read the server's own code from a failed reply
 * ```ts
 * import assert from "node:assert/strict";
 * import { MongoServerError } from "@mongo-auth/core";
 *
 * const err = MongoServerError.fromReply({ ok: 0, code: 59, codeName: "CommandNotFound", errmsg: "no such command: 'x'" });
 * assert.equal(err.code, "SERVER_ERROR");
 * assert.equal(err.serverCode, 59);
 * assert.equal(err.codeName, "CommandNotFound");
 * ```
 */
export class MongoServerError extends MongoAuthError {
  /** The server's numeric error code (e.g. 18 AuthenticationFailed, 391 ReauthenticationRequired). */
  readonly serverCode: number;
  /** The server's name for the code, e.g. `"AuthenticationFailed"`. */
  readonly codeName: string;
  /** The server's own message. */
  readonly errmsg: string;

  /**
   * Creates the error from the reply's fields; {@link MongoServerError.fromReply} reads them for you.
   *
   * @param serverCode the server's numeric code
   * @param codeName the server's name for it
   * @param errmsg the server's message
   */
  constructor(serverCode: number, codeName: string, errmsg: string) {
    const stateChange = isStateChangeError(serverCode, errmsg);
    super(
      isLoginRefusal(serverCode, errmsg)
        ? "AUTHENTICATION_FAILED"
        : stateChange
        ? "NOT_PRIMARY"
        : "SERVER_ERROR",
      `server error ${serverCode} (${codeName || "unknown"}): ${errmsg}` +
        (stateChange ? "; the member is no longer primary, or cannot serve: connect again" : "") +
        (serverCode === API_VERSION_REQUIRED ? DECLARE_API_VERSION : "") +
        (serverCode === UNAUTHORIZED ? unauthorizedAdvice(errmsg) : "") +
        (serverCode === ATLAS_ERROR && /is not allowed to do action/i.test(errmsg) ? ATLAS_ROLE_ADVICE : ""),
    );
    this.name = "MongoServerError";
    this.serverCode = serverCode;
    this.codeName = codeName;
    this.errmsg = errmsg;
  }

  /**
   * Builds the error from a reply document with `ok: 0`.
   *
   * @param reply the server's reply
   * @returns the error, with whatever of `code`, `codeName`, `errmsg` the reply had
   */
  static fromReply(reply: Record<string, unknown>): MongoServerError {
    const code = typeof reply.code === "number" ? reply.code : 0;
    const codeName = typeof reply.codeName === "string" ? reply.codeName : "";
    const errmsg = typeof reply.errmsg === "string" ? reply.errmsg : "command failed";
    return new MongoServerError(code, codeName, errmsg);
  }
}
