/**
 * The OIDC callback contract, what the `OIDC_CALLBACK` and `OIDC_HUMAN_CALLBACK` properties hold: shaped
 * like the official Node driver's, so one function works with both mongo-auth and the `mongodb` package.
 *
 * @module
 */

/** The current callback API version, passed to every callback as `version`. */
export const OIDC_CALLBACK_VERSION = 1;

/** How long a machine callback (`OIDC_CALLBACK`, `ENVIRONMENT`) may take: one minute. */
export const MACHINE_CALLBACK_TIMEOUT_MS = 60_000;

/** How long a human callback (`OIDC_HUMAN_CALLBACK`) may take: five minutes, for a person at a browser. */
export const HUMAN_CALLBACK_TIMEOUT_MS = 300_000;

/**
 * What the server tells a human callback about its identity provider (the two-step conversation).
 *
 * @example Sign a person in with the identity provider the server names
 * ```ts
 * import assert from "node:assert/strict";
 * import type { IdpInfo, OidcCallback } from "@mongo-auth/core";
 *
 * const issuers: string[] = [];
 * const human: OidcCallback = (params) => {
 *   const idp: IdpInfo | undefined = params.idpInfo;
 *   issuers.push(idp?.issuer ?? "none");
 *   return Promise.resolve({ accessToken: "eyJ.a.b" });
 * };
 * await human({ version: 1, timeoutContext: new AbortController().signal, idpInfo: { issuer: "https://idp.example" } });
 * assert.deepEqual(issuers, ["https://idp.example"]);
 * ```
 */
export interface IdpInfo {
  /** The issuer URL; the `iss` of the tokens the server accepts. */
  readonly issuer: string;
  /**
   * The OIDC client ID to use with the issuer. A server leaves it out for an identity provider it
   * accepts machine tokens from only (mongod's `supportsHumanFlows: false`).
   */
  readonly clientId?: string;
  /** Extra scopes to request from the issuer. */
  readonly requestScopes?: readonly string[];
}

/**
 * What an OIDC callback is given.
 *
 * @example Honour the time budget and the cancellation
 * ```ts
 * import assert from "node:assert/strict";
 * import type { OidcCallbackParams, OidcCallbackResult } from "@mongo-auth/core";
 *
 * async function callback(params: OidcCallbackParams): Promise<OidcCallbackResult> {
 *   // A real callback passes params.timeoutContext to fetch, so it stops when told to.
 *   if (params.timeoutContext.aborted) throw new Error("cancelled");
 *   return { accessToken: `token-for-${params.username ?? "workload"}` };
 * }
 * const result = await callback({ version: 1, timeoutContext: new AbortController().signal, username: "app" });
 * assert.equal(result.accessToken, "token-for-app");
 * ```
 */
export interface OidcCallbackParams {
  /** Aborted when the callback's time is up or the authentication is cancelled; pass it to `fetch`. */
  readonly timeoutContext: AbortSignal;
  /**
   * The callback's time budget in milliseconds: 60 000 (machine) or 300 000 (human), or what the
   * connection attempt has left when that is less (`connectTimeoutMS`, `timeoutMS`; a human callback
   * runs outside `connectTimeoutMS`). `timeoutContext` aborts when it is spent.
   */
  readonly timeoutMS?: number;
  /** The callback API version: 1. */
  readonly version: 1;
  /** The credential's username, when it has one (Azure: the managed identity's client ID). */
  readonly username?: string;
  /** Human callbacks only: the server's identity provider. */
  readonly idpInfo?: IdpInfo;
  /** Human callbacks only: the refresh token the previous call returned. */
  readonly refreshToken?: string;
  /** `TOKEN_RESOURCE`, the audience the Azure and GCP environments request a token for. */
  readonly tokenAudience?: string;
}

/**
 * What an OIDC callback returns.
 *
 * @example A token and how long it lives
 * ```ts
 * import assert from "node:assert/strict";
 * import type { OidcCallbackResult } from "@mongo-auth/core";
 *
 * // Cached until shortly before it expires; without expiresInSeconds until the server refuses it.
 * const result: OidcCallbackResult = { accessToken: "eyJ.a.b", expiresInSeconds: 3600 };
 * assert.equal(result.refreshToken, undefined);
 * ```
 */
export interface OidcCallbackResult {
  /** The access token (a JWT); sent to the server as is. */
  accessToken: string;
  /** Seconds until the token expires; 0 or absent means unknown. */
  expiresInSeconds?: number;
  /** Human callbacks: a refresh token, handed back to the next call. */
  refreshToken?: string;
}

/**
 * An OIDC callback: `OIDC_CALLBACK` (machine) or `OIDC_HUMAN_CALLBACK` (human). The same signature as
 * the official Node driver's `OIDCCallbackFunction`.
 *
 * @example A machine callback for OIDC_CALLBACK
 * ```ts
 * import assert from "node:assert/strict";
 * import { type OidcCallback, parseCredential } from "@mongo-auth/core";
 *
 * const OIDC_CALLBACK: OidcCallback = () => Promise.resolve({ accessToken: "eyJ.a.b", expiresInSeconds: 300 });
 * const credential = parseCredential("mongodb://db.example.net/?authMechanism=MONGODB-OIDC", {
 *   authMechanismProperties: { OIDC_CALLBACK },
 * })!;
 * assert.equal(credential.mechanismProperties.OIDC_CALLBACK, OIDC_CALLBACK);
 * ```
 */
export type OidcCallback = (params: OidcCallbackParams) => Promise<OidcCallbackResult>;
