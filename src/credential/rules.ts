/**
 * The shape of a credential family's rules (one file per family: `scram.ts`, `plain.ts`, `gssapi.ts`,
 * `x509.ts`, `aws.ts`, `oidc.ts`), and the property checks several families share. Every rule fails
 * with `INVALID_CREDENTIAL`, and its message names the property, never its value (`AWS_SESSION_TOKEN`
 * is a secret).
 *
 * @module
 */
import { MongoAuthError } from "../core/errors.ts";

/** Validates a property value and returns it in canonical form. */
export type PropertyCheck = (value: unknown, name: string, mechanism: string) => unknown;

/** What a mechanism requires, allows and defaults. */
export interface MechanismRules {
  readonly username: "required" | "optional";
  readonly password: "required" | "optional" | "forbidden";
  /** `$external`: the source must be `$external`; otherwise the fallback after the URI database. */
  readonly source: "admin" | "$external-default" | "$external";
  /** The properties the mechanism takes, each with its check. */
  readonly properties: Readonly<Record<string, PropertyCheck>>;
  /** Properties every credential of the mechanism gets unless given. */
  readonly defaults?: Readonly<Record<string, unknown>>;
  /**
   * For a name people write as a property that the mechanism reads from the environment instead, the words
   * that say so (appended to the refusal); else undefined.
   */
  readonly fromEnvironment?: (name: string) => string | undefined;
  /** Rules across fields; may add defaults to `properties`. */
  readonly check?: (
    fields: { readonly username?: string; readonly password?: string },
    properties: Map<string, unknown>,
  ) => void;
}

/**
 * The error of a broken rule.
 *
 * @param message what is wrong and what to do; never a secret
 * @returns `INVALID_CREDENTIAL`
 */
export function invalidCredential(message: string): MongoAuthError {
  return new MongoAuthError("INVALID_CREDENTIAL", message);
}

/** A property that must be a non-empty string. */
export const nonEmptyString: PropertyCheck = (value, name, mechanism) => {
  if (typeof value !== "string" || value === "") {
    throw invalidCredential(`${mechanism} property ${name} must be a non-empty string`);
  }
  return value;
};

/** Callbacks and providers are functions, so they can only come from the options object. */
export const optionFunction: PropertyCheck = (value, name, mechanism) => {
  if (typeof value !== "function") {
    throw invalidCredential(
      `${mechanism} property ${name} must be a function, given in options.authMechanismProperties ` +
        "(it cannot be given in the connection string)",
    );
  }
  return value;
};

/**
 * Refuses a NUL character (U+0000) in the fields named: a mechanism whose messages use NUL as a separator
 * (PLAIN) or forbid it (SCRAM's username) cannot send one. The password is never quoted; the username is, escaped.
 *
 * @param fields the credential's username and password
 * @param names the fields that must not hold a NUL
 * @param why what the NUL would break, completing "which …"
 * @throws {MongoAuthError} `INVALID_CREDENTIAL`
 */
export function refuseNul(
  fields: { readonly username?: string; readonly password?: string },
  names: readonly ("username" | "password")[],
  why: string,
): void {
  for (const name of names) {
    if (!fields[name]?.includes("\0")) continue;
    const what = name === "username"
      ? `the username ${JSON.stringify(fields.username)}`
      : `the password${fields.username === undefined ? "" : ` of user "${fields.username}"`}`;
    throw invalidCredential(
      `${what} contains a NUL character (U+0000), which ${why}; remove it (%00 in a connection string)`,
    );
  }
}
