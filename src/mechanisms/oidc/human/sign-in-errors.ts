/**
 * The errors of the human sign-in, each saying what happened and what the person can do. oauth4webapi's
 * own errors are never passed on as a `cause`: some carry the token endpoint's whole response body,
 * tokens included. Only their code and message travel.
 *
 * @module
 */
import {
  AuthorizationResponseError,
  OperationProcessingError,
  ResponseBodyError,
  UnsupportedOperationError,
} from "oauth4webapi";
import { MongoAuthError } from "../../../core/errors.ts";
import { redactedExcerpt } from "../../../core/http.ts";

/**
 * The person declined (OAuth `access_denied`), in the browser or on the device page.
 *
 * @param issuer the identity provider
 * @param clientId the client the sign-in was for
 * @param description the identity provider's `error_description`, if any
 * @returns the error
 */
export function declined(issuer: string, clientId: string, description?: string): MongoAuthError {
  return new MongoAuthError(
    "OIDC_SIGN_IN_DECLINED",
    `the sign-in at ${issuer} was declined (access_denied${
      detail(description)
    }): sign in again and approve ` +
      `the access; if you did approve, ask the identity provider's administrator whether your account may use ` +
      `the client ${clientId}`,
  );
}

/**
 * Maps what went wrong with the browser's redirect (oauth4webapi's `validateAuthResponse`).
 *
 * @param error what it threw
 * @param issuer the identity provider
 * @param clientId the client
 * @returns the coded error
 */
export function redirectError(error: unknown, issuer: string, clientId: string): MongoAuthError {
  if (error instanceof AuthorizationResponseError) {
    if (error.error === "access_denied") return declined(issuer, clientId, error.error_description);
    return new MongoAuthError(
      "OIDC_REDIRECT_ERROR",
      `the identity provider ${issuer} redirected back with the error ${error.error}` +
        `${detail(error.error_description)}: check the client ${clientId} at the identity provider (its ` +
        "redirect URIs, allowed scopes and grant types), then sign in again",
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  if (/"state"/.test(message)) {
    return new MongoAuthError(
      "OIDC_STATE_MISMATCH",
      "the browser came back with a state this sign-in did not send (a stale browser tab, or a forged " +
        "redirect): nothing was exchanged; close old sign-in tabs and sign in again",
    );
  }
  return new MongoAuthError(
    "OIDC_REDIRECT_ERROR",
    `the redirect from ${issuer} is not a valid authorization response (${message}): sign in again; if it ` +
      "keeps happening, the identity provider is misconfigured",
  );
}

/**
 * Maps a failure of a request to the identity provider (discovery aside) into a coded error.
 *
 * @param error what oauth4webapi (or the request) threw
 * @param step what was being done, e.g. "exchanging the authorization code"
 * @param issuer the identity provider
 * @returns the coded error
 */
export function idpError(error: unknown, step: string, issuer: string): MongoAuthError {
  if (error instanceof MongoAuthError) return error;
  if (error instanceof ResponseBodyError) {
    return new MongoAuthError(
      "CREDENTIAL_PROVIDER_ERROR",
      `the identity provider ${issuer} refused ${step}: ${error.error}${detail(error.error_description)}; ` +
        "check the client's configuration at the identity provider, then sign in again",
    );
  }
  return new MongoAuthError(
    "CREDENTIAL_PROVIDER_ERROR",
    `${step} at ${issuer} failed: the answer is not valid OpenID Connect (${summary(error)}); the identity ` +
      "provider is misconfigured or not an OpenID Connect provider",
    { cause: strippedCause(error) },
  );
}

/**
 * A plain error with the code and message of an oauth4webapi error, and nothing else (no body, no
 * response, no cause chain), for use as a `cause`.
 *
 * @param error the original error
 * @returns the stripped copy
 */
export function strippedCause(error: unknown): Error {
  return new Error(summary(error));
}

function summary(error: unknown): string {
  if (
    error instanceof OperationProcessingError || error instanceof UnsupportedOperationError ||
    error instanceof TypeError
  ) {
    const code = (error as { code?: unknown }).code;
    return (typeof code === "string" ? `${code}: ${error.message}` : error.message) + statusOf(error);
  }
  return error instanceof Error ? error.message : String(error);
}

// oauth4webapi gives the response it refused as the cause: its status says what the provider answered.
function statusOf(error: Error): string {
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Response ? ` (HTTP ${cause.status})` : "";
}

function detail(description: string | undefined): string {
  return description ? `: ${redactedExcerpt(description)}` : "";
}
