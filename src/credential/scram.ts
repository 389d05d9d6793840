/**
 * SCRAM-SHA-256 and SCRAM-SHA-1, named or negotiated: a username and a password (an empty one is a
 * password), the user's database (default: the connection string's, else `admin`), no properties.
 *
 * @module
 */
import { type MechanismRules, refuseNul } from "./rules.ts";

/** The rules of SCRAM, and of the negotiated (default) mechanism. */
export const SCRAM_RULES: MechanismRules = {
  username: "required",
  password: "required",
  source: "admin",
  properties: {},
  // Refused here, before any connection, as well as by ScramClient, which can be used alone.
  check: (fields) => refuseNul(fields, ["username"], "SCRAM forbids in a username (RFC 5802)"),
};
