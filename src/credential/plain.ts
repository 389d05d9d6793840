/**
 * PLAIN (LDAP): a username and a password; `$external` unless `authSource` or the connection string's
 * database says otherwise; no properties.
 *
 * @module
 */
import { type MechanismRules, refuseNul } from "./rules.ts";

/** The rules of PLAIN. */
export const PLAIN_RULES: MechanismRules = {
  username: "required",
  password: "required",
  source: "$external-default",
  properties: {},
  // The NUL between the fields is all that separates them: the server would read another name, or a shorter
  // password (mongod reads the password up to its first NUL).
  check: (fields) =>
    refuseNul(
      fields,
      ["username", "password"],
      "PLAIN uses to separate the username from the password (RFC 4616)",
    ),
};
