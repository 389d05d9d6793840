/**
 * MONGODB-X509: the certificate is the credential. The username is optional (the server takes the
 * certificate's subject), a password is refused, the source is `$external`, no properties.
 *
 * @module
 */
import type { MechanismRules } from "./rules.ts";

/** The rules of MONGODB-X509. */
export const X509_RULES: MechanismRules = {
  username: "optional",
  password: "forbidden",
  source: "$external",
  properties: {},
};
