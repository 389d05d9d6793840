/**
 * Reads the identity provider information a server sends in reply to the two-step conversation's
 * first message.
 *
 * @module
 */
import { MongoAuthError } from "../errors.ts";
import type { IdpInfo } from "./callback.ts";

/**
 * Validates the server's IdP information: `issuer` and `clientId` non-empty strings, `requestScopes` an
 * array of strings when present.
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
 * assert.throws(() => parseIdpInfo({ issuer: "https://idp.example" }), { code: "PROTOCOL_ERROR" });
 * ```
 */
export function parseIdpInfo(doc: Record<string, unknown>): IdpInfo {
  const fail = (what: string) =>
    new MongoAuthError("PROTOCOL_ERROR", `MONGODB-OIDC: the server's identity provider information ${what}`);
  const { issuer, clientId, requestScopes } = doc;
  if (typeof issuer !== "string" || issuer.length === 0) throw fail("has no issuer string");
  if (typeof clientId !== "string" || clientId.length === 0) throw fail("has no clientId string");
  if (requestScopes === undefined || requestScopes === null) return { issuer, clientId };
  if (!Array.isArray(requestScopes) || !requestScopes.every((scope) => typeof scope === "string")) {
    throw fail("has a requestScopes that is not an array of strings");
  }
  return { issuer, clientId, requestScopes: [...requestScopes] };
}
