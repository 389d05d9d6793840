/**
 * `createHumanCallback()`: a complete `OIDC_HUMAN_CALLBACK` that signs a person in at the identity
 * provider the server names — refresh when it can, otherwise the authorization code flow with PKCE in
 * a browser, or the device flow — built on oauth4webapi. Runtime-free: the loopback listener comes in
 * as `listen` (the `/deno` and `/node` entry points pass theirs; Workers cannot listen, and says so in
 * its transport's capabilities).
 *
 * @module
 */
import type { AuthorizationServer, Client } from "oauth4webapi";
import { Deadline, sleep } from "../../../core/abort.ts";
import { MongoAuthError } from "../../../core/errors.ts";
import { checkMilliseconds, checkOptions, IS, optionChecks, typeName } from "../../../core/options.ts";
import type { FetchLike } from "../../../core/runtime-env.ts";
import {
  HUMAN_CALLBACK_TIMEOUT_MS,
  type IdpInfo,
  type OidcCallback,
  type OidcCallbackParams,
  type OidcCallbackResult,
} from "../../../credential/oidc-callback.ts";
import { signInWithBrowser } from "./authorization-code.ts";
import { type DeviceCodePrompt, signInOnAnotherDevice } from "./device-authorization.ts";
import { discover } from "./discovery.ts";
import { IDP_REQUEST_TIMEOUT_MS, idpRequestOptions } from "./idp-http.ts";
import { printDeviceCode, printToConsole, printUrl } from "./prompts.ts";
import { DEFAULT_REDIRECT_URI, type ListenLoopback, parseRedirectUri } from "./redirect-listener.ts";
import { refreshTokens } from "./refresh.ts";
import {
  memoryTokenStore,
  type StoredTokens,
  storedTokensOf,
  type TokenStore,
  tokenStoreKey,
} from "./token-store.ts";
import { callbackResultOf, isFresh, tokensOf } from "./tokens.ts";

/**
 * Options of `createHumanCallback` (from `@mongo-auth/core/node`, `/deno` or `/workers`). Every option
 * has a default: `createHumanCallback()` signs in with the browser, printing the URL to open.
 *
 * @example A CLI on a machine without a browser
 * ```ts
 * import assert from "node:assert/strict";
 * import type { HumanCallbackOptions } from "@mongo-auth/core";
 *
 * const controller = new AbortController(); // abort on Ctrl-C
 * const options: HumanCallbackOptions = {
 *   flow: "device",
 *   showDeviceCode: ({ verificationUri, userCode }) => console.error(`${verificationUri}: enter ${userCode}`),
 *   timeoutMs: 120_000,
 *   signal: controller.signal,
 * };
 * assert.equal(options.flow, "device");
 * ```
 */
export interface HumanCallbackOptions {
  /**
   * How the person signs in: `"code"` (default), in a browser on this machine that redirects to
   * {@link redirectUri}; or `"device"`, on any device, with a code shown here (RFC 8628), for
   * machines without a browser (SSH sessions, containers).
   */
  readonly flow?: "code" | "device";
  /**
   * The redirect URI of the code flow: `http://127.0.0.1:<port>/<path>` (or `localhost`, `[::1]`),
   * registered with the identity provider. Default {@link DEFAULT_REDIRECT_URI}. Port 0 takes a free
   * port (identity providers that follow RFC 8252 accept any port on a loopback IP).
   */
  readonly redirectUri?: string;
  /**
   * Shows the sign-in page: receives the authorization URL. Default: print it (through {@link print})
   * for the person to open. `openBrowser` from `@mongo-auth/core/deno` or `/node` opens the system
   * browser instead.
   */
  readonly openUrl?: (url: string) => void | Promise<void>;
  /** Shows the device flow's URL and code. Default: print them (through {@link print}). */
  readonly showDeviceCode?: (prompt: DeviceCodePrompt) => void | Promise<void>;
  /** Where the default `openUrl` and `showDeviceCode` write. Default: `console.error` (stderr). */
  readonly print?: (message: string) => void;
  /** The OAuth client ID. Default: the `clientId` the server sends. */
  readonly clientId?: string;
  /**
   * OpenID Connect `prompt` for the code flow, e.g. `"select_account"`, `"login"`, or `"consent"`
   * (identity providers that follow OpenID Connect Core §11 issue refresh tokens only with consent).
   */
  readonly prompt?: string;
  /**
   * Where tokens are kept between calls. Default: in memory, for the life of the callback. Pass
   * `fileTokenStore()` (from `/deno` or `/node`) so a CLI signs in once, not on every run.
   */
  readonly store?: TokenStore;
  /** `fetch` for every request to the identity provider. Default: the global `fetch`. */
  readonly fetch?: FetchLike;
  /**
   * The whole sign-in's time budget in milliseconds. Default 300 000 (five minutes, the auth
   * specification's); the driver's `timeoutContext` applies too.
   */
  readonly timeoutMs?: number;
  /** Time for each request to the identity provider, in milliseconds. Default 10 000. */
  readonly requestTimeoutMs?: number;
  /** Cancels a sign-in in progress (say, on Ctrl-C), besides the driver's `timeoutContext`. */
  readonly signal?: AbortSignal;
}

// The scopes every sign-in asks for: an ID token (to check who signed in, and the nonce) and a refresh
// token (to sign in again without the person).
const BASE_SCOPES = ["openid", "offline_access"];

/**
 * Creates an `OIDC_HUMAN_CALLBACK` that signs a person in, for mongo-auth's `connect()` and for the
 * official `mongodb` driver alike. On each call, with the `idpInfo` the server sent:
 *
 * 1. a refresh token (the one the driver passes back, else a stored one) is traded for new tokens;
 * 2. else a stored access token with more than a minute left is reused, once per process;
 * 3. else the person signs in: discovery at the issuer, then the code flow (PKCE, `state`, `nonce`,
 *    a loopback listener closed as soon as the browser comes back) or the device flow.
 *
 * The scopes are `openid offline_access` and the server's `requestScopes`. The access token goes to
 * the driver only; no message or error ever carries a token.
 *
 * This is the runtime-free core of the `createHumanCallback` of `@mongo-auth/core/deno`, `/node` and
 * `/workers`: each passes its runtime's loopback listener, or none where the runtime cannot listen
 * (its transport's capabilities say so, and its entry point refuses `flow: "code"` itself).
 *
 * @param options flow, redirect URI, how to show the URL or code, token store, timeouts
 * @param listen starts the code flow's loopback listener; `undefined`: the device flow runs whatever
 *   `options.flow` says (the entry point has refused `"code"` already)
 * @returns the callback
 * @throws {MongoAuthError} `INVALID_OPTION` for a bad option. The callback throws
 *   `OIDC_IDP_UNREACHABLE`, `OIDC_DISCOVERY_FAILED`, `OIDC_SIGN_IN_DECLINED`, `OIDC_REDIRECT_ERROR`,
 *   `OIDC_STATE_MISMATCH`, `OIDC_DEVICE_CODE_EXPIRED`, `CREDENTIAL_PROVIDER_ERROR`, `TIMEOUT` or
 *   `ABORTED`.
 *
 * @example A server that accepts machine tokens only
 * ```ts
 * import assert from "node:assert/strict";
 * import { createHumanCallback } from "./human-callback.ts";
 *
 * const callback = createHumanCallback({ flow: "device", print: () => {} }, undefined);
 * // A server that sends no clientId accepts machine tokens only:
 * await assert.rejects(
 *   callback({ version: 1, timeoutContext: new AbortController().signal, idpInfo: { issuer: "https://idp.example" } }),
 *   { code: "CREDENTIAL_PROVIDER_ERROR" },
 * );
 * ```
 */
export function createHumanCallback(
  given: HumanCallbackOptions | undefined,
  listen: ListenLoopback | undefined,
): OidcCallback {
  const options = checkOptions(given, "createHumanCallback()", HUMAN_CALLBACK_OPTION_CHECKS);
  const settings = checkedSettings(options);
  const store = options.store ?? memoryTokenStore();
  const discovered = new Map<string, Promise<AuthorizationServer>>();
  // Stored access tokens this callback handed out: when the driver calls again without a refresh token,
  // the one it had did not work (or is gone), so handing it out again could only fail again.
  const handedOut = new Set<string>();

  return async (params: OidcCallbackParams): Promise<OidcCallbackResult> => {
    const idpInfo = params.idpInfo;
    if (!idpInfo) {
      throw new MongoAuthError(
        "INVALID_OPTION",
        "the human sign-in was called without idpInfo: pass it as OIDC_HUMAN_CALLBACK, not OIDC_CALLBACK",
      );
    }
    const client: Client = { client_id: clientIdFor(idpInfo, options.clientId) };
    const scope = [...new Set([...BASE_SCOPES, ...(idpInfo.requestScopes ?? [])])].join(" ");
    const key = tokenStoreKey(idpInfo.issuer, client.client_id, params.username);
    const budget = new Deadline(
      callerSignal(params.timeoutContext, options.signal),
      settings.timeoutMs,
      () =>
        new MongoAuthError(
          "TIMEOUT",
          `the OIDC sign-in did not finish within ${settings.timeoutMs} ms: sign in again, and complete it in ` +
            "the browser or on the device page in time",
        ),
    );
    const http = idpRequestOptions({
      fetch: options.fetch ?? ((input, init) => fetch(input, init)),
      signal: budget.signal,
      timeoutMs: settings.requestTimeoutMs,
    });
    const identityProvider = () => {
      let found = discovered.get(idpInfo.issuer);
      if (!found) {
        found = discover(idpInfo.issuer, http);
        found.catch(() => discovered.delete(idpInfo.issuer));
        discovered.set(idpInfo.issuer, found);
      }
      return found;
    };
    const save = async (tokens: StoredTokens) => {
      await storeCall(() => store.set(key, tokens));
      return tokens;
    };

    try {
      const stored = await storeCall(() => store.get(key)).then(storedTokensOf);
      for (const refreshToken of new Set([params.refreshToken, stored?.refreshToken])) {
        if (refreshToken === undefined) continue;
        const as = await identityProvider();
        const response = await refreshTokens(as, client, refreshToken, http);
        if (response) return handOut(await save(tokensOf(response, Date.now(), refreshToken)));
      }
      if (stored && isFresh(stored, Date.now()) && !handedOut.has(stored.accessToken)) {
        return handOut(stored);
      }
      if (stored) await storeCall(() => store.set(key, undefined));
      const as = await identityProvider();
      const response = settings.flow === "device" || !listen
        ? await signInOnAnotherDevice({
          as,
          client,
          http,
          scope,
          signal: budget.signal,
          showDeviceCode: settings.showDeviceCode,
          sleep: (ms, signal) => sleep(ms, signal, "the OIDC sign-in"),
          now: () => Date.now(),
        })
        : await signInWithBrowser({
          as,
          client,
          http,
          scope,
          signal: budget.signal,
          redirect: settings.redirect,
          listen,
          openUrl: settings.openUrl,
          loginHint: params.username,
          prompt: options.prompt,
        });
      return handOut(await save(tokensOf(response, Date.now())));
    } finally {
      budget.dispose();
    }
  };

  function handOut(tokens: StoredTokens): OidcCallbackResult {
    handedOut.add(tokens.accessToken);
    return callbackResultOf(tokens, Date.now());
  }
}

// flow and the timeouts are checked by value in checkedSettings; these by type.
const HUMAN_CALLBACK_OPTION_CHECKS = optionChecks({
  redirectUri: IS.string,
  openUrl: IS.function,
  showDeviceCode: IS.function,
  print: IS.function,
  clientId: IS.string,
  prompt: IS.string,
  store: [
    (v) => typeof (v as TokenStore).get === "function" && typeof (v as TokenStore).set === "function",
    "a TokenStore (get and set)",
  ],
  fetch: IS.function,
  signal: IS.signal,
});

function checkedSettings(options: HumanCallbackOptions) {
  const flow = options.flow ?? "code";
  if (flow !== "code" && flow !== "device") {
    throw new MongoAuthError(
      "INVALID_OPTION",
      `flow must be "code" or "device", not ${
        typeof flow === "string" ? JSON.stringify(flow) : typeName(flow)
      }`,
    );
  }
  for (const name of ["timeoutMs", "requestTimeoutMs"] as const) {
    checkMilliseconds(options[name], name, "createHumanCallback()");
  }
  const print = options.print ?? printToConsole;
  return {
    flow,
    redirect: parseRedirectUri(options.redirectUri ?? DEFAULT_REDIRECT_URI),
    timeoutMs: options.timeoutMs ?? HUMAN_CALLBACK_TIMEOUT_MS,
    requestTimeoutMs: options.requestTimeoutMs ?? IDP_REQUEST_TIMEOUT_MS,
    openUrl: options.openUrl ?? printUrl(print),
    showDeviceCode: options.showDeviceCode ?? printDeviceCode(print),
  };
}

function clientIdFor(idpInfo: IdpInfo, override: string | undefined): string {
  const clientId = override ?? idpInfo.clientId;
  if (clientId) return clientId;
  throw new MongoAuthError(
    "CREDENTIAL_PROVIDER_ERROR",
    `the server's identity provider ${idpInfo.issuer} sends no clientId: it accepts machine tokens only ` +
      "(supportsHumanFlows: false); use OIDC_CALLBACK or ENVIRONMENT, or pass clientId to createHumanCallback",
  );
}

// The driver's timeoutContext and the caller's own signal, as one.
function callerSignal(timeoutContext: AbortSignal, signal: AbortSignal | undefined): AbortSignal {
  return signal ? AbortSignal.any([timeoutContext, signal]) : timeoutContext;
}

async function storeCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof MongoAuthError) throw error;
    throw new MongoAuthError("CREDENTIAL_PROVIDER_ERROR", "the OIDC token store failed (see cause)", {
      cause: error,
    });
  }
}
