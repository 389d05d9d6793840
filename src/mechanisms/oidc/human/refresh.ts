/**
 * The refresh token grant (RFC 6749 §6): a new access token without asking the person again.
 *
 * @module
 */
import {
  type AuthorizationServer,
  type Client,
  None,
  processRefreshTokenResponse,
  refreshTokenGrantRequest,
  ResponseBodyError,
  type TokenEndpointResponse,
} from "oauth4webapi";
import type { IdpRequestOptions } from "./idp-http.ts";
import { idpError } from "./sign-in-errors.ts";

/**
 * Trades `refreshToken` for new tokens.
 *
 * @param as the identity provider's metadata
 * @param client the public client
 * @param refreshToken the refresh token
 * @param http request options
 * @returns the token response, or `undefined` when the identity provider refused the refresh token
 *   (expired, revoked, `invalid_grant`): then the person signs in again
 * @throws {MongoAuthError} `OIDC_IDP_UNREACHABLE`, `CREDENTIAL_PROVIDER_ERROR` for an invalid answer,
 *   `ABORTED`/`TIMEOUT`
 */
export async function refreshTokens(
  as: AuthorizationServer,
  client: Client,
  refreshToken: string,
  http: IdpRequestOptions,
): Promise<TokenEndpointResponse | undefined> {
  try {
    const response = await refreshTokenGrantRequest(as, client, None(), refreshToken, http);
    return await processRefreshTokenResponse(as, client, response);
  } catch (error) {
    if (error instanceof ResponseBodyError) return undefined;
    throw idpError(error, "refreshing the access token", as.issuer);
  }
}
