/**
 * The device authorization grant (RFC 8628): for a machine without a browser, the person opens a URL
 * on another device and enters a code, while this machine polls the token endpoint.
 *
 * @module
 */
import {
  type AuthorizationServer,
  type Client,
  deviceAuthorizationRequest,
  deviceCodeGrantRequest,
  None,
  processDeviceAuthorizationResponse,
  processDeviceCodeResponse,
  ResponseBodyError,
  type TokenEndpointResponse,
} from "oauth4webapi";
import type { IdpRequestOptions } from "./idp-http.ts";
import { MongoAuthError } from "../../../core/errors.ts";
import { declined, idpError } from "./sign-in-errors.ts";

/**
 * What the person is shown in the device flow: where to go and which code to enter
 * (`createHumanCallback({ flow: "device", showDeviceCode })`).
 *
 * @example Show the prompt in your own words
 * ```ts
 * import assert from "node:assert/strict";
 * import type { DeviceCodePrompt } from "@mongo-auth/core";
 *
 * const lines: string[] = [];
 * const showDeviceCode = (prompt: DeviceCodePrompt) =>
 *   void lines.push(`Go to ${prompt.verificationUri} and type ${prompt.userCode}`);
 * showDeviceCode({ verificationUri: "https://idp.example/device", userCode: "WDJB-MJHT", expiresInSeconds: 600 });
 * assert.deepEqual(lines, ["Go to https://idp.example/device and type WDJB-MJHT"]);
 * ```
 */
export interface DeviceCodePrompt {
  /** The page to open on another device. */
  readonly verificationUri: string;
  /** The same page with the code filled in, when the identity provider offers one (for a QR code). */
  readonly verificationUriComplete?: string;
  /** The code to enter there. */
  readonly userCode: string;
  /** How long the code is valid, in seconds. */
  readonly expiresInSeconds: number;
}

/** RFC 8628 §3.2: the polling interval when the identity provider names none. */
export const DEFAULT_POLL_INTERVAL_SECONDS = 5;
/** RFC 8628 §3.5: what `slow_down` adds to the interval. */
export const SLOW_DOWN_SECONDS = 5;

/** What the device flow works with. */
export interface DeviceFlowContext {
  /** The identity provider's metadata. */
  readonly as: AuthorizationServer;
  /** The public client. */
  readonly client: Client;
  /** Request options (fetch, timeouts). */
  readonly http: IdpRequestOptions;
  /** The scopes to request, space-separated. */
  readonly scope: string;
  /** Cancels the flow. */
  readonly signal: AbortSignal;
  /** Shows the URL and code to the person. */
  readonly showDeviceCode: (prompt: DeviceCodePrompt) => void | Promise<void>;
  /** Waits between polls; rejects when `signal` fires. */
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
}

/**
 * Runs the device flow: ask for a device code, show the URL and user code, poll at the interval the
 * identity provider sets (adding 5 s on each `slow_down`) until the person approves, declines, or the
 * code expires.
 *
 * @param context the flow's inputs
 * @returns the token response
 * @throws {MongoAuthError} `OIDC_DEVICE_CODE_EXPIRED`, `OIDC_SIGN_IN_DECLINED`, `OIDC_IDP_UNREACHABLE`,
 *   `OIDC_DISCOVERY_FAILED` (no device endpoint), `CREDENTIAL_PROVIDER_ERROR`, or `ABORTED`/`TIMEOUT`
 */
export async function signInOnAnotherDevice(context: DeviceFlowContext): Promise<TokenEndpointResponse> {
  const { as, client, http, signal } = context;
  if (typeof as.device_authorization_endpoint !== "string") {
    throw new MongoAuthError(
      "OIDC_DISCOVERY_FAILED",
      `the identity provider ${as.issuer} offers no device authorization endpoint: sign in with the browser ` +
        '(flow: "code"), or enable the device flow for the client at the identity provider',
    );
  }
  let authorization;
  try {
    const response = await deviceAuthorizationRequest(as, client, None(), { scope: context.scope }, http);
    authorization = await processDeviceAuthorizationResponse(as, client, response);
  } catch (error) {
    throw idpError(error, "the device authorization request", as.issuer);
  }
  const expiresAt = context.now() + authorization.expires_in * 1000;
  await context.showDeviceCode({
    verificationUri: authorization.verification_uri,
    ...(authorization.verification_uri_complete !== undefined
      ? { verificationUriComplete: authorization.verification_uri_complete }
      : {}),
    userCode: authorization.user_code,
    expiresInSeconds: authorization.expires_in,
  });
  let intervalMs = (authorization.interval ?? DEFAULT_POLL_INTERVAL_SECONDS) * 1000;
  for (;;) {
    const left = expiresAt - context.now();
    if (left <= 0) throw expired(as.issuer);
    await context.sleep(Math.min(intervalMs, left), signal);
    try {
      const response = await deviceCodeGrantRequest(as, client, None(), authorization.device_code, http);
      return await processDeviceCodeResponse(as, client, response);
    } catch (error) {
      if (!(error instanceof ResponseBodyError)) {
        throw idpError(error, "polling for the device code", as.issuer);
      }
      switch (error.error) {
        case "authorization_pending":
          continue;
        case "slow_down":
          intervalMs += SLOW_DOWN_SECONDS * 1000;
          continue;
        case "expired_token":
          throw expired(as.issuer);
        case "access_denied":
          throw declined(as.issuer, client.client_id, error.error_description);
        default:
          throw idpError(error, "polling for the device code", as.issuer);
      }
    }
  }
}

function expired(issuer: string): MongoAuthError {
  return new MongoAuthError(
    "OIDC_DEVICE_CODE_EXPIRED",
    `the device code from ${issuer} expired before anyone approved it: sign in again, and enter the new code ` +
      "at the page shown before it expires",
  );
}
