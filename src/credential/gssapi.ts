/**
 * GSSAPI (Kerberos), parsed and validated as the auth spec says although mongo-auth cannot authenticate
 * with it: a username, an optional password, `$external`, and the Kerberos properties, with
 * `SERVICE_NAME` defaulting to `mongodb` and `CANONICALIZE_HOST_NAME`'s legacy booleans normalised.
 *
 * @module
 */
import { invalidCredential, type MechanismRules, nonEmptyString, type PropertyCheck } from "./rules.ts";

/** The spec's values, plus the legacy booleans: `true` is forwardAndReverse, `false` is none. */
const canonicalizeHostName: PropertyCheck = (value, name, mechanism) => {
  if (value === true || value === "true") return "forwardAndReverse";
  if (value === false || value === "false") return "none";
  if (value === "none" || value === "forward" || value === "forwardAndReverse") return value;
  throw invalidCredential(
    `${mechanism} property ${name} must be "none", "forward", "forwardAndReverse", true or false`,
  );
};

/** The rules of GSSAPI. */
export const GSSAPI_RULES: MechanismRules = {
  username: "required",
  password: "optional",
  source: "$external",
  properties: {
    SERVICE_NAME: nonEmptyString,
    CANONICALIZE_HOST_NAME: canonicalizeHostName,
    SERVICE_REALM: nonEmptyString,
    SERVICE_HOST: nonEmptyString,
  },
  defaults: { SERVICE_NAME: "mongodb" },
};
