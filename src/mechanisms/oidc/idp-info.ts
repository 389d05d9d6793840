/**
 * Reads the identity provider information a server sends in reply to the two-step conversation's
 * first message.
 *
 * @module
 */
import { MongoAuthError } from "../../core/errors.ts";
import type { IdpInfo } from "../../credential/oidc-callback.ts";

/**
 * Validates the server's IdP information: `issuer` a non-empty string, `clientId` a non-empty string when
 * present (a server leaves it out for an identity provider configured for machines only: the auth
 * specification's prose test 1.8), `requestScopes` an array of strings when present.
 *
 * @param doc the decoded saslStart reply payload
 * @returns the IdP information, holding only the known fields
 * @throws {MongoAuthError} `PROTOCOL_ERROR` when a field is missing or has the wrong type
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseIdpInfo } from "./idp-info.ts";
 *
 * const info = parseIdpInfo({ issuer: "https://idp.example", clientId: "mongo", requestScopes: ["offline_access"] });
 * assert.equal(info.issuer, "https://idp.example");
 * assert.deepEqual(parseIdpInfo({ issuer: "https://idp.example" }), { issuer: "https://idp.example" });
 * assert.throws(() => parseIdpInfo({ clientId: "mongo" }), { code: "PROTOCOL_ERROR" });
 * ```
 */
export function parseIdpInfo(doc: Record<string, unknown>): IdpInfo {
  const fail = (what: string) =>
    new MongoAuthError("PROTOCOL_ERROR", `MONGODB-OIDC: the server's identity provider information ${what}`);
  const { issuer, clientId, requestScopes } = doc;
  if (typeof issuer !== "string" || issuer.length === 0) throw fail("has no issuer string");
  const info: { issuer: string; clientId?: string; requestScopes?: string[] } = { issuer };
  if (clientId !== undefined && clientId !== null) {
    if (typeof clientId !== "string" || clientId.length === 0) {
      throw fail("has a clientId that is not a string");
    }
    info.clientId = clientId;
  }
  if (requestScopes === undefined || requestScopes === null) return info;
  if (!Array.isArray(requestScopes) || !requestScopes.every((scope) => typeof scope === "string")) {
    throw fail("has a requestScopes that is not an array of strings");
  }
  info.requestScopes = [...requestScopes];
  return info;
}
