/**
 * The mechanism contract: what the authentication conversation (`client/authenticate.ts`) asks of each
 * mechanism (`src/mechanisms/`).
 *
 * A mechanism is asked for an {@link Authenticator} per connection. The conversation first asks it for a
 * speculative command to put into `hello`, then hands it the hello reply's `speculativeAuthenticate`
 * (or `undefined`) to finish over the connection's {@link CommandRunner}. That runner throws a
 * `MongoServerError` for a reply with `ok: 0` (the reply contract of `wire/command.ts`): a mechanism
 * never checks `ok` itself.
 *
 * @module
 */
import type { MongoCredential } from "../credential/mongo-credential.ts";
import type { ScramKeyCache } from "../crypto/scram-key-cache.ts";
import type { RuntimeEnv } from "../core/runtime-env.ts";
import type { TraceEmitter } from "../core/trace.ts";
import type { CommandRunner, Document } from "../wire/command.ts";

/** Per-connection facts a mechanism may need. */
export interface AuthContext {
  /**
   * The credential being authenticated, validated: made by `parseCredential`, or run through the same
   * rules by `authenticate()`, so a mechanism reads it without checking it again.
   */
  readonly credential: MongoCredential;
  /**
   * The host the connection goes to, as resolved (after SRV), without port; `undefined` when the caller
   * did not say. OIDC's human flow checks it against ALLOWED_HOSTS, and refuses to run without it.
   */
  readonly host?: string;
  /** Host facilities for credential sources. */
  readonly env: RuntimeEnv;
  /** Caches shared by all connections of one client (SCRAM keys, AWS credentials, OIDC tokens). */
  readonly cache: AuthCache;
  /** Cancels the whole conversation, including any HTTP call or callback it makes. */
  readonly signal?: AbortSignal;
  /** The most SCRAM iterations a server may ask for (default 1 000 000). */
  readonly maxScramIterations?: number;
  /**
   * Runs `work` with `connect()`'s connect timeout stopped, for a wait on a person: a human OIDC
   * callback has its own five minutes, which the auth specification does not let the connect timeout cut
   * short. `work` gets the signal that still applies (the caller's). Absent (no connect timeout running,
   * say under `authenticate()`): run `work` under {@link signal}.
   */
  readonly outsideConnectTimeout?: <T>(work: (signal: AbortSignal | undefined) => Promise<T>) => Promise<T>;
  /**
   * Milliseconds before {@link signal} fires for time (`connect()`'s connectTimeoutMS or `timeoutMS`,
   * whichever ends first; inside {@link outsideConnectTimeout}, `timeoutMS` alone), read when a step
   * starts: an OIDC callback is told the smaller of this and its own budget. Absent, or `Infinity`:
   * nothing times the conversation but the signal.
   */
  readonly timeLeft?: () => number;
  /**
   * Where the mechanism records what it found (credential sources tried, a token's claims, the identity
   * the credentials are); never a secret. Absent: nothing is recorded.
   */
  readonly trace?: TraceEmitter;
  /**
   * The caller asked for evidence on failure (`explain`): the mechanism may spend one bounded request
   * after a refusal to find it (MONGODB-AWS: STS GetCallerIdentity).
   */
  readonly explain?: boolean;
}

/**
 * Client-wide state kept between connections. Each mechanism keeps its own entry, keyed by a
 * name of its own; the handshake never looks inside.
 *
 * @example The state one credential keeps between connections
 * ```ts
 * import assert from "node:assert/strict";
 * import { type AuthCache, AuthCacheStore, parseCredential } from "@mongo-auth/core";
 *
 * const scope: AuthCache = new AuthCacheStore().scopeFor(parseCredential("mongodb://alice:pw@h/")!);
 * const tokens = scope.get("example", () => new Map<string, string>());
 * assert.equal(scope.get("example", () => new Map<string, string>()), tokens);
 * ```
 */
export interface AuthCache {
  /** The entry for `key`, created by `create` the first time. */
  get<T>(key: string, create: () => T): T;
  /** The client's SCRAM key cache; the process-wide one when absent. */
  readonly scramKeys?: ScramKeyCache;
}

/** One authentication of one connection. */
export interface Authenticator {
  /**
   * The document for hello's `speculativeAuthenticate`, or `undefined` when the mechanism has no
   * speculative step (or cannot take one now, say OIDC without a cached token).
   */
  speculativeCommand(): Promise<Document | undefined>;
  /**
   * Completes authentication. `speculativeReply` is hello's `speculativeAuthenticate` reply, or
   * `undefined` when the server sent none: then the whole conversation runs over `runner`.
   */
  finish(runner: CommandRunner, speculativeReply: Document | undefined): Promise<void>;
  /**
   * What a command failing with 391 (ReauthenticationRequired) runs before the command is retried
   * once. Mechanisms without special needs leave it out: the handshake then creates a fresh
   * authenticator and runs its `finish(runner, undefined)`.
   */
  reauthenticate?(runner: CommandRunner): Promise<void>;
}

/** A mechanism: makes one {@link Authenticator} per connection. */
export interface Mechanism {
  /** The mechanism's name as the server knows it, e.g. `"SCRAM-SHA-256"`. */
  readonly name: string;
  /** The oldest server it works with: hello's `maxWireVersion` and the MongoDB release that has it. */
  readonly minServer?: { readonly wireVersion: number; readonly release: string };
  /** A new authenticator for one connection. */
  create(context: AuthContext): Authenticator;
}
