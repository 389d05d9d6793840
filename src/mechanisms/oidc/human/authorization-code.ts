/**
 * The authorization code flow with PKCE and a loopback redirect (RFC 6749 §4.1, RFC 7636, RFC 8252):
 * the person signs in in a browser on this machine, which then redirects to a listener here.
 *
 * @module
 */
import {
  authorizationCodeGrantRequest,
  type AuthorizationServer,
  calculatePKCECodeChallenge,
  type Client,
  generateRandomCodeVerifier,
  generateRandomNonce,
  generateRandomState,
  None,
  processAuthorizationCodeResponse,
  type TokenEndpointResponse,
  validateAuthResponse,
} from "oauth4webapi";
import type { IdpRequestOptions } from "./idp-http.ts";
import { raceAbort } from "../../../core/abort.ts";
import { MongoAuthError } from "../../../core/errors.ts";
import {
  type ListenLoopback,
  type LoopbackServer,
  redirectPage,
  type RedirectTarget,
} from "./redirect-listener.ts";
import { idpError, redirectError } from "./sign-in-errors.ts";

/** What the code flow works with. */
export interface CodeFlowContext {
  /** The identity provider's metadata. */
  readonly as: AuthorizationServer;
  /** The public client. */
  readonly client: Client;
  /** Request options (fetch, timeouts). */
  readonly http: IdpRequestOptions;
  /** The scopes to request, space-separated. */
  readonly scope: string;
  /** Cancels the flow: the caller's signal and the sign-in's time budget. */
  readonly signal: AbortSignal;
  /** Where the browser comes back. */
  readonly redirect: RedirectTarget;
  /** Starts the loopback listener. */
  readonly listen: ListenLoopback;
  /** Shows the authorization URL to the person (opens a browser, or prints it). */
  readonly openUrl: (url: string) => void | Promise<void>;
  /** `login_hint`: the credential's username, when it has one. */
  readonly loginHint?: string;
  /** OpenID Connect `prompt`, when the caller set one. */
  readonly prompt?: string;
}

/**
 * Runs the code flow: listen on loopback, hand the authorization URL to `openUrl`, wait for the browser's
 * redirect (checking `state` and `iss`), close the listener at once, exchange the code with the PKCE
 * verifier, and validate the ID token (signature-free checks as oauth4webapi makes them: issuer,
 * audience, expiry, `nonce`).
 *
 * @param context the flow's inputs
 * @returns the token response
 * @throws {MongoAuthError} `OIDC_SIGN_IN_DECLINED`, `OIDC_REDIRECT_ERROR`, `OIDC_STATE_MISMATCH`,
 *   `OIDC_IDP_UNREACHABLE`, `CREDENTIAL_PROVIDER_ERROR`, or `ABORTED`/`TIMEOUT` from the signal
 */
export async function signInWithBrowser(context: CodeFlowContext): Promise<TokenEndpointResponse> {
  const { as, client, http, signal } = context;
  if (typeof as.authorization_endpoint !== "string") {
    throw new MongoAuthError(
      "OIDC_DISCOVERY_FAILED",
      `the identity provider ${as.issuer} has no authorization endpoint: sign in with flow: "device"`,
    );
  }
  const verifier = generateRandomCodeVerifier();
  const state = generateRandomState();
  const nonce = generateRandomNonce();
  const challenge = await calculatePKCECodeChallenge(verifier);
  const { server, redirected } = await listenForRedirect(context, state);
  let redirectUri: string;
  let parameters: URLSearchParams;
  try {
    redirectUri = context.redirect.uriFor(server.port);
    const url = authorizationUrl(context, as.authorization_endpoint, {
      redirectUri,
      state,
      nonce,
      challenge,
    });
    const opened = Promise.resolve().then(() => context.openUrl(url.href)).then(
      () => new Promise<never>(() => {}),
      (error: unknown) => {
        throw new MongoAuthError(
          "CREDENTIAL_PROVIDER_ERROR",
          "openUrl failed to show the sign-in page (see cause): pass an openUrl that works here, or sign in " +
            'with flow: "device"',
          { cause: error },
        );
      },
    );
    parameters = await raceAbort(Promise.race([redirected, opened]), signal, "the OIDC sign-in");
  } finally {
    await server.close();
  }
  try {
    const response = await authorizationCodeGrantRequest(
      as,
      client,
      None(),
      parameters,
      redirectUri,
      verifier,
      {
        ...http,
      },
    );
    return await processAuthorizationCodeResponse(as, client, response, {
      expectedNonce: nonce,
      requireIdToken: true,
    });
  } catch (error) {
    throw idpError(error, "exchanging the authorization code", as.issuer);
  }
}

// Starts the listener. The first request on the redirect path settles the flow, whatever it carries:
// a good redirect, an error, or a forged state (then the sign-in fails rather than waiting on).
async function listenForRedirect(
  context: CodeFlowContext,
  state: string,
): Promise<{ server: LoopbackServer; redirected: Promise<URLSearchParams> }> {
  const { as, client, redirect } = context;
  let settle!: { resolve: (params: URLSearchParams) => void; reject: (error: unknown) => void };
  const redirected = new Promise<URLSearchParams>((resolve, reject) => (settle = { resolve, reject }));
  redirected.catch(() => {}); // awaited through the race; a late failure must not go unhandled
  let settled = false;
  const server = await context.listen({
    hostname: redirect.listenAddress,
    port: redirect.port,
    handle(request) {
      if (request.url.pathname !== redirect.path || request.method !== "GET") {
        return redirectPage("not-found");
      }
      if (settled) return redirectPage("done");
      settled = true;
      try {
        settle.resolve(validateAuthResponse(as, client, request.url, state));
        return redirectPage("signed-in");
      } catch (error) {
        settle.reject(redirectError(error, as.issuer, client.client_id));
        return redirectPage("failed");
      }
    },
  });
  return { server, redirected };
}

function authorizationUrl(
  context: CodeFlowContext,
  endpoint: string,
  flow: { redirectUri: string; state: string; nonce: string; challenge: string },
): URL {
  const url = new URL(endpoint);
  const query = url.searchParams;
  query.set("client_id", context.client.client_id);
  query.set("response_type", "code");
  query.set("redirect_uri", flow.redirectUri);
  query.set("scope", context.scope);
  query.set("state", flow.state);
  query.set("nonce", flow.nonce);
  query.set("code_challenge", flow.challenge);
  query.set("code_challenge_method", "S256");
  if (context.loginHint) query.set("login_hint", context.loginHint);
  if (context.prompt) query.set("prompt", context.prompt);
  return url;
}
