/**
 * SCRAM-SHA-256 and SCRAM-SHA-1, named or negotiated: a username and a password (an empty one is a
 * password), the user's database (default: the connection string's, else `admin`), no properties.
 *
 * @module
 */
import type { MechanismRules } from "./rules.ts";

/** The rules of SCRAM, and of the negotiated (default) mechanism. */
export const SCRAM_RULES: MechanismRules = {
  username: "required",
  password: "required",
  source: "admin",
  properties: {},
};
