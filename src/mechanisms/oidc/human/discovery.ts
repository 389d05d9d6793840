/**
 * OpenID Connect discovery of the identity provider the server names (`IdpInfo.issuer`).
 *
 * @module
 */
import { type AuthorizationServer, discoveryRequest, processDiscoveryResponse } from "oauth4webapi";
import { MongoAuthError } from "../../../core/errors.ts";
import { type IdpRequestOptions, isAllowedIdpUrl } from "./idp-http.ts";
import { strippedCause } from "./sign-in-errors.ts";

/**
 * Fetches and checks `<issuer>/.well-known/openid-configuration`. The issuer must be `https`, or
 * `http` on this machine (a development identity provider).
 *
 * @param issuer the issuer the server sent
 * @param http the sign-in's request options
 * @returns the identity provider's metadata
 * @throws {MongoAuthError} `OIDC_DISCOVERY_FAILED` when the issuer is unusable or its document is missing,
 *   invalid or names another issuer; `OIDC_IDP_UNREACHABLE` when it cannot be fetched
 */
export async function discover(
  issuer: string,
  http: IdpRequestOptions,
): Promise<AuthorizationServer> {
  const fail = (why: string, cause?: unknown) =>
    new MongoAuthError(
      "OIDC_DISCOVERY_FAILED",
      `OpenID Connect discovery of ${issuer} failed: ${why}; check the issuer in the cluster's OIDC identity ` +
        "provider configuration, and that the identity provider publishes /.well-known/openid-configuration",
      cause === undefined ? undefined : { cause: strippedCause(cause) },
    );
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw fail("the issuer is not a URL");
  }
  if (!isAllowedIdpUrl(url)) {
    throw fail("the issuer is not https");
  }
  const response = await discoveryRequest(url, http);
  try {
    return await processDiscoveryResponse(url, response);
  } catch (error) {
    if (error instanceof MongoAuthError) throw error;
    const status = response.status === 200 ? "" : `HTTP ${response.status}, `;
    throw fail(`${status}${(error as Error)?.message ?? String(error)}`, error);
  }
}
