/**
 * PLAIN (LDAP): a username and a password; `$external` unless `authSource` or the connection string's
 * database says otherwise; no properties.
 *
 * @module
 */
import type { MechanismRules } from "./rules.ts";

/** The rules of PLAIN. */
export const PLAIN_RULES: MechanismRules = {
  username: "required",
  password: "required",
  source: "$external-default",
  properties: {},
};
