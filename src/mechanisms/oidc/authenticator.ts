/**
 * One connection's MONGODB-OIDC authentication: the auth specification's machine and human
 * algorithms over the client's {@link OidcTokenCache}.
 *
 * @module
 */
import type { MongoCredential } from "../../credential/mongo-credential.ts";
import { MongoAuthError } from "../../core/errors.ts";
import type { Authenticator } from "../../auth/mechanism.ts";
import type { CommandRunner, Document } from "../../wire/command.ts";
import { allowedHostsOf } from "../../credential/oidc.ts";
import { assertHostAllowed } from "./allowed-hosts.ts";
import type { IdpInfo, OidcCallbackResult } from "../../credential/oidc-callback.ts";
import { parseIdpInfo } from "./idp-info.ts";
import { type CallbackInputs, invokeCallback } from "./invoke-callback.ts";
import {
  checkDone,
  isAuthenticationFailure,
  jwtContinueCommand,
  jwtStepCommand,
  principalStepCommand,
  readPayload,
} from "./sasl.ts";
import type { CachedToken, OidcTokenCache, TokenCall } from "./token-cache.ts";
import type { TokenSource } from "./token-source.ts";
import type { TraceEmitter } from "../../core/trace.ts";
import { tokenClaims } from "./token-claims.ts";

/** What an {@link OidcAuthenticator} works with. */
export interface OidcAuthenticatorInit {
  /** The MONGODB-OIDC credential. */
  readonly credential: MongoCredential;
  /**
   * The host of the connection: the human flow checks it against ALLOWED_HOSTS, and refuses to run
   * when it is unknown.
   */
  readonly host?: string;
  /** The client's token cache. */
  readonly cache: OidcTokenCache;
  /** Resolves the token source; called lazily so a bad credential fails the authentication, not `create`. */
  readonly source: () => TokenSource;
  /** Cancels the authentication. */
  readonly signal?: AbortSignal;
  /**
   * Runs a wait on a person (the human flow's token) outside `connect()`'s connect timeout; `work` gets
   * the signal that still applies. Absent: `work` runs under {@link signal}.
   */
  readonly outsideConnectTimeout?: <T>(work: (signal: AbortSignal | undefined) => Promise<T>) => Promise<T>;
  /**
   * Milliseconds before {@link signal} fires for time, read as a callback starts (inside
   * {@link outsideConnectTimeout}: of what still applies there). A callback's budget is the smaller of
   * this and its own (60 s machine, 5 min human), as the auth specification asks. Absent: its own.
   */
  readonly timeLeft?: () => number;
  /** Where the token source, the identity provider and each token's claims (never a token) are recorded. */
  readonly trace?: TraceEmitter;
  /** The clock, for how long a token has left. Default `Date.now`. */
  readonly now?: () => number;
}

/**
 * The MONGODB-OIDC {@link Authenticator} of one connection.
 *
 * - Speculative: a fresh cached token goes into `hello`; the server's `done: true` ends it in one trip.
 * - Machine flow: one-step `saslStart { jwt }` with the cached token; on error 18 that token is
 *   dropped, a new one fetched (once per client however many connections fail together) and sent once.
 * - Human flow: the same with the cached token, then the refresh token if there is one, then the
 *   two-step conversation (`{ n }` → IdP information → callback → `saslContinue { jwt }`). Hosts not in
 *   `ALLOWED_HOSTS` are refused before any callback runs or cached token is sent.
 * - Reauthentication (391): drops the token only if it is the one this connection used.
 *
 * @example Machine flow over a stand-in server
 * ```ts
 * import assert from "node:assert/strict";
 * import { OidcAuthenticator } from "./authenticator.ts";
 * import { OidcTokenCache } from "./token-cache.ts";
 *
 * const cache = new OidcTokenCache({ now: () => 0, sleep: async () => {} });
 * const callback = async () => ({ accessToken: "eyJ.a.b" });
 * const credential = { source: "$external", mechanism: "MONGODB-OIDC" as const, mechanismProperties: { OIDC_CALLBACK: callback } };
 * const source = () => ({ flow: "machine" as const, callback, name: "OIDC_CALLBACK", timeoutMs: 60_000 });
 * const auth = new OidcAuthenticator({ credential, host: "localhost", cache, source });
 * assert.equal(await auth.speculativeCommand(), undefined); // nothing cached yet
 * const sent: Record<string, unknown>[] = [];
 * await auth.finish({ command: async (_db, cmd) => (sent.push(cmd), { ok: 1, done: true }) }, undefined);
 * assert.equal(sent.length, 1);
 * assert.equal(cache.current()?.accessToken, "eyJ.a.b");
 * ```
 */
export class OidcAuthenticator implements Authenticator {
  readonly #init: OidcAuthenticatorInit;
  #source: TokenSource | undefined;
  /** The generation of the token this connection authenticated with (the "Connection Cache"). */
  #generation: number | undefined;

  /** @param init credential, host, client cache, token source, cancellation */
  constructor(init: OidcAuthenticatorInit) {
    this.#init = init;
  }

  /**
   * The speculative `saslStart { jwt }` with the cached token, or `undefined` when none is cached.
   *
   * @returns the command for hello's `speculativeAuthenticate`
   * @throws {MongoAuthError} `INVALID_CREDENTIAL` for a bad credential; `INVALID_OPTION` when the human
   *   flow's host is not allowed
   */
  // deno-lint-ignore require-await -- async so a bad credential rejects instead of throwing
  async speculativeCommand(): Promise<Document | undefined> {
    this.#sourceChecked();
    const token = this.#init.cache.current();
    if (!token) return undefined;
    this.#generation = token.generation;
    this.#traceToken(token, false);
    return { ...jwtStepCommand(token.accessToken), db: this.#init.credential.source };
  }

  /**
   * Ends the speculative conversation, or runs the whole one.
   *
   * @param runner the connection
   * @param speculativeReply hello's `speculativeAuthenticate`, if any
   * @throws {MongoAuthError} the server's error (`AUTHENTICATION_FAILED` for 18), or the callback's
   */
  async finish(runner: CommandRunner, speculativeReply: Document | undefined): Promise<void> {
    this.#sourceChecked();
    if (this.#generation !== undefined && speculativeReply?.done === true) return;
    // The speculative attempt did not succeed: keep the token in the client cache (spec), but
    // this connection has not authenticated with it.
    this.#generation = undefined;
    await this.#authenticate(runner);
  }

  /**
   * Authenticates again after error 391: drops this connection's token from the client cache if no
   * other connection replaced it yet, then runs the conversation without `hello`.
   *
   * @param runner the connection
   * @throws {MongoAuthError} as {@link finish}
   */
  async reauthenticate(runner: CommandRunner): Promise<void> {
    this.#sourceChecked();
    if (this.#generation !== undefined) this.#init.cache.invalidate(this.#generation);
    this.#generation = undefined;
    await this.#authenticate(runner);
  }

  // Resolves the source once, and for the human flow checks ALLOWED_HOSTS before anything is sent.
  #sourceChecked(): TokenSource {
    if (!this.#source) {
      const source = this.#init.source();
      if (source.flow === "human") {
        const { credential, host } = this.#init;
        if (host === undefined) {
          throw new MongoAuthError(
            "INVALID_OPTION",
            "MONGODB-OIDC: the human flow needs the server's host to check it against ALLOWED_HOSTS " +
              "before a person's token is sent: pass host to authenticate() / beginAuthentication()",
          );
        }
        assertHostAllowed(host, allowedHostsOf(credential));
      }
      this.#source = source;
      const resource = this.#init.credential.mechanismProperties.TOKEN_RESOURCE;
      this.#init.trace?.emit("oidc.source", {
        source: source.name,
        flow: source.flow,
        tokenResource: typeof resource === "string" ? resource : undefined,
      });
    }
    return this.#source;
  }

  async #authenticate(runner: CommandRunner): Promise<void> {
    if (await this.#tryCachedToken(runner)) return;
    const source = this.#sourceChecked();
    if (source.flow === "machine") {
      const signal = this.#init.signal;
      const token = await this.#obtain(() => ({ call: () => this.#call({}, signal) }), signal, "callback");
      await this.#forgetIfRefused(token, () => this.#oneStep(runner, token));
      return;
    }
    if (await this.#tryRefreshToken(runner)) return;
    await this.#twoStep(runner);
  }

  // One-step with a fresh cached token. Error 18 means it expired or was revoked: drop it and let
  // the caller fetch a new one. Any other error is the caller's.
  async #tryCachedToken(runner: CommandRunner): Promise<boolean> {
    const cached = this.#init.cache.current();
    if (!cached) return false;
    this.#traceToken(cached, false);
    try {
      await this.#oneStep(runner, cached);
      return true;
    } catch (error) {
      if (!isAuthenticationFailure(error)) throw error;
      this.#init.cache.invalidate(cached.generation);
      this.#generation = undefined;
      return false;
    }
  }

  // Human flow: call the callback with the cached refresh token and IdP information, then one-step.
  // When the callback fails or the server refuses the token (18), forget the refresh token and fall back to
  // two-step. Any other server error is the caller's, and the refresh token stays (spec): a server stepping
  // down must not send the person back to the browser.
  async #tryRefreshToken(runner: CommandRunner): Promise<boolean> {
    const cache = this.#init.cache;
    let token: CachedToken | undefined;
    let called = false;
    try {
      token = await this.#waitingForPerson((signal) =>
        cache.obtain(() => {
          const { refreshToken, idpInfo } = cache;
          if (refreshToken === undefined || idpInfo === undefined) return undefined;
          return {
            call: () => (called = true, this.#call({ idpInfo, refreshToken }, signal)),
            refreshing: true,
          };
        }, signal)
      );
      if (!token) return false;
      this.#traceToken(token, called && "refresh");
      await this.#oneStep(runner, token);
      return true;
    } catch (error) {
      if (!isAuthenticationFailure(error) && !isCallbackFailure(error)) throw error;
      cache.dropRefreshToken();
      if (token) cache.invalidate(token.generation);
      this.#generation = undefined;
      return false;
    }
  }

  // Human flow: ask the server for its identity provider, get a token for it, finish the conversation.
  // The cached refresh token is never passed here (spec).
  async #twoStep(runner: CommandRunner): Promise<void> {
    const { credential } = this.#init;
    const start = await runner.command(credential.source, principalStepCommand(credential.username));
    const idpInfo: IdpInfo = parseIdpInfo(readPayload(start));
    const { issuer, clientId, requestScopes } = idpInfo;
    // The callback gets idpInfo and may change it; the trace keeps what the server sent (the recorder copies
    // an event's attributes only when the trace is read).
    this.#init.trace?.emit("oidc.idp", {
      issuer,
      clientId,
      requestScopes: requestScopes && [...requestScopes],
    });
    const token = await this.#waitingForPerson((signal) =>
      this.#obtain(() => ({ call: () => this.#call({ idpInfo }, signal), idpInfo }), signal, "callback")
    );
    this.#generation = token.generation;
    await this.#forgetIfRefused(token, async () => {
      const command = jwtContinueCommand(start.conversationId, token.accessToken);
      checkDone(await runner.command(credential.source, command));
    });
  }

  // A token just fetched that the server refuses (18) is of no use to any connection: drop it, so
  // the next connection calls the callback instead of trying it again. The error is the caller's.
  async #forgetIfRefused(token: CachedToken, send: () => Promise<void>): Promise<void> {
    try {
      await send();
    } catch (error) {
      if (isAuthenticationFailure(error)) {
        this.#init.cache.invalidate(token.generation);
        this.#generation = undefined;
      }
      throw error;
    }
  }

  async #oneStep(runner: CommandRunner, token: CachedToken): Promise<void> {
    this.#generation = token.generation;
    checkDone(await runner.command(this.#init.credential.source, jwtStepCommand(token.accessToken)));
  }

  // A token from the cache or from a call that is always planned.
  async #obtain(
    plan: () => TokenCall,
    signal: AbortSignal | undefined,
    origin: "callback",
  ): Promise<CachedToken> {
    let called = false;
    const token = await this.#init.cache.obtain(() => {
      const planned = plan();
      return { ...planned, call: () => (called = true, planned.call()) };
    }, signal);
    if (!token) throw new MongoAuthError("PROTOCOL_ERROR", "MONGODB-OIDC: no token was obtained"); // unreachable
    this.#traceToken(token, called && origin);
    return token;
  }

  // The token's claims, decoded without verification; never the token. `false`: from the cache (a token
  // another connection fetched while this one waited counts as cached).
  #traceToken(token: CachedToken, origin: "callback" | "refresh" | false): void {
    const { trace, now } = this.#init;
    if (!trace) return;
    const claims = tokenClaims(token.accessToken, (now ?? Date.now)());
    trace.emit("oidc.token", { origin: origin || "cache", ...claims });
  }

  // A human callback waits for a person: the connect timeout does not run meanwhile (the callback has
  // its own five minutes), and neither does it while this connection queues behind another's callback.
  #waitingForPerson<T>(work: (signal: AbortSignal | undefined) => Promise<T>): Promise<T> {
    const { outsideConnectTimeout, signal } = this.#init;
    return outsideConnectTimeout ? outsideConnectTimeout(work) : work(signal);
  }

  #call(inputs: CallbackInputs, signal: AbortSignal | undefined): Promise<OidcCallbackResult> {
    const source = this.#sourceChecked();
    const { username, mechanismProperties } = this.#init.credential;
    const tokenAudience = mechanismProperties.TOKEN_RESOURCE;
    return invokeCallback(source.callback, {
      ...inputs,
      username,
      tokenAudience: typeof tokenAudience === "string" ? tokenAudience : undefined,
    }, { name: source.name, timeoutMs: source.timeoutMs, signal, timeLeft: this.#init.timeLeft?.() });
  }
}

// A callback that threw or returned something invalid (not a cancellation, not our own timeout).
function isCallbackFailure(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "CREDENTIAL_PROVIDER_ERROR";
}
