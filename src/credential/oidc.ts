/**
 * MONGODB-OIDC: where its tokens come from, and the rules for it. The source is `$external` and there
 * is no password. Exactly one source of tokens: a built-in `ENVIRONMENT` (`test`, `azure`, `gcp`,
 * `k8s`), `OIDC_CALLBACK` (machine) or `OIDC_HUMAN_CALLBACK` (human; functions, options only).
 * `TOKEN_RESOURCE` goes with `azure` and `gcp` only, and they need it; `test` takes no username. A human
 * callback gets `ALLOWED_HOSTS` (an array, options only), {@link DEFAULT_ALLOWED_HOSTS} unless given.
 *
 * @module
 */
import type { MongoAuthError } from "../core/errors.ts";
import type { MongoCredential } from "./mongo-credential.ts";
import type { OidcCallback } from "./oidc-callback.ts";
import {
  invalidCredential,
  type MechanismRules,
  nonEmptyString,
  optionFunction,
  type PropertyCheck,
} from "./rules.ts";

/**
 * The hosts MONGODB-OIDC's human flow may talk to when `ALLOWED_HOSTS` is not given (auth spec).
 * A credential with `OIDC_HUMAN_CALLBACK` and no `ALLOWED_HOSTS` gets this list as `ALLOWED_HOSTS`.
 *
 * @example The hosts a human OIDC flow may reach by default
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_ALLOWED_HOSTS } from "@mongo-auth/core";
 *
 * assert.ok(DEFAULT_ALLOWED_HOSTS.includes("*.mongodb.net"));
 * assert.ok(Object.isFrozen(DEFAULT_ALLOWED_HOSTS));
 * ```
 */
export const DEFAULT_ALLOWED_HOSTS: readonly string[] = Object.freeze([
  "*.mongodb.net",
  "*.mongodb-qa.net",
  "*.mongodb-dev.net",
  "*.mongodbgov.net",
  "localhost",
  "127.0.0.1",
  "::1",
  "*.mongo.com",
]);

/**
 * A built-in source of tokens: the value of `ENVIRONMENT`.
 *
 * @example A built-in source of tokens
 * ```ts
 * import assert from "node:assert/strict";
 * import { type OidcEnvironment, parseCredential } from "@mongo-auth/core";
 *
 * const ENVIRONMENT: OidcEnvironment = "k8s";
 * const credential = parseCredential("mongodb://db.example.net/?authMechanism=MONGODB-OIDC", {
 *   authMechanismProperties: { ENVIRONMENT },
 * })!;
 * assert.equal(credential.mechanismProperties.ENVIRONMENT, "k8s");
 * ```
 */
export type OidcEnvironment = "test" | "azure" | "gcp" | "k8s";

/** Every value `ENVIRONMENT` takes. */
export const OIDC_ENVIRONMENTS: readonly OidcEnvironment[] = Object.freeze(["test", "azure", "gcp", "k8s"]);

const environment: PropertyCheck = (value, name, mechanism) => {
  if (typeof value !== "string" || !(OIDC_ENVIRONMENTS as readonly string[]).includes(value)) {
    throw invalidCredential(
      `${mechanism} property ${name} must be one of ${OIDC_ENVIRONMENTS.join(", ")}` +
        (typeof value === "string" && /^(aws|eks)$/i.test(value) ? ON_AWS : ""),
    );
  }
  return value;
};

// The auth specification names no AWS environment: on EKS the pod's service account token is k8s's, and a login
// with IAM is another mechanism.
const ON_AWS = " (on EKS, ENVIRONMENT:k8s reads the pod's service account token; to log in with IAM " +
  "credentials, use authMechanism=MONGODB-AWS)";

/** ALLOWED_HOSTS must not come from the connection string (auth spec); arrays only exist in options. */
const hostList: PropertyCheck = (value, name, mechanism) => {
  if (!Array.isArray(value) || !value.every((host) => typeof host === "string" && host !== "")) {
    throw invalidCredential(
      `${mechanism} property ${name} must be an array of host names, given in ` +
        "options.authMechanismProperties (it cannot be given in the connection string)",
    );
  }
  return Object.freeze([...value]);
};

/**
 * The error of an `azure` or `gcp` environment without `TOKEN_RESOURCE`: the credential's rule, and
 * what the built-in callbacks say when they are used on their own without an audience.
 *
 * @param name `azure` or `gcp`
 * @returns `INVALID_CREDENTIAL`
 */
export function tokenResourceMissing(name: "azure" | "gcp"): MongoAuthError {
  return invalidCredential(`MONGODB-OIDC ENVIRONMENT ${name} needs TOKEN_RESOURCE (the token audience)`);
}

/** The rules of MONGODB-OIDC. */
export const OIDC_RULES: MechanismRules = {
  username: "optional",
  password: "forbidden",
  source: "$external",
  properties: {
    ENVIRONMENT: environment,
    TOKEN_RESOURCE: nonEmptyString,
    OIDC_CALLBACK: optionFunction,
    OIDC_HUMAN_CALLBACK: optionFunction,
    ALLOWED_HOSTS: hostList,
  },
  check(fields, properties) {
    const environment = properties.get("ENVIRONMENT");
    const callbacks = ["OIDC_CALLBACK", "OIDC_HUMAN_CALLBACK"].filter((name) => properties.has(name));
    if (callbacks.length === 2) {
      throw invalidCredential("MONGODB-OIDC takes OIDC_CALLBACK or OIDC_HUMAN_CALLBACK, not both");
    }
    if (environment !== undefined && callbacks.length > 0) {
      throw invalidCredential(`MONGODB-OIDC takes ENVIRONMENT or ${callbacks[0]}, not both`);
    }
    if (environment === undefined && callbacks.length === 0) {
      throw invalidCredential(
        `MONGODB-OIDC needs ENVIRONMENT (${OIDC_ENVIRONMENTS.join(", ")}), OIDC_CALLBACK or ` +
          "OIDC_HUMAN_CALLBACK (for a person signing in with a browser, as mongosh does: createHumanCallback() " +
          "from @mongo-auth/core/node or /deno)",
      );
    }
    if (environment === "test" && fields.username !== undefined) {
      throw invalidCredential("MONGODB-OIDC ENVIRONMENT test does not take a username");
    }
    const needsResource = environment === "azure" || environment === "gcp";
    if (needsResource && !properties.has("TOKEN_RESOURCE")) throw tokenResourceMissing(environment);
    if (!needsResource && properties.has("TOKEN_RESOURCE")) {
      throw invalidCredential("MONGODB-OIDC TOKEN_RESOURCE applies only to ENVIRONMENT azure or gcp");
    }
    if (properties.has("OIDC_HUMAN_CALLBACK") && !properties.has("ALLOWED_HOSTS")) {
      properties.set("ALLOWED_HOSTS", DEFAULT_ALLOWED_HOSTS);
    }
  },
};

/** Where a MONGODB-OIDC credential's tokens come from. */
export type OidcTokenOrigin =
  | { readonly environment: OidcEnvironment; readonly tokenResource?: string }
  | { readonly callback: OidcCallback; readonly flow: "machine" | "human" };

/**
 * The one source of tokens of a MONGODB-OIDC credential.
 *
 * @param credential a validated MONGODB-OIDC credential
 * @returns the environment (with its `TOKEN_RESOURCE`), or the callback and its flow
 */
export function oidcTokenOrigin(credential: MongoCredential): OidcTokenOrigin {
  const { ENVIRONMENT, TOKEN_RESOURCE, OIDC_CALLBACK, OIDC_HUMAN_CALLBACK } = credential.mechanismProperties;
  if (OIDC_HUMAN_CALLBACK !== undefined) {
    return { callback: OIDC_HUMAN_CALLBACK as OidcCallback, flow: "human" };
  }
  if (OIDC_CALLBACK !== undefined) return { callback: OIDC_CALLBACK as OidcCallback, flow: "machine" };
  return { environment: ENVIRONMENT as OidcEnvironment, tokenResource: TOKEN_RESOURCE as string | undefined };
}

/**
 * The hosts a human flow may send a token to.
 *
 * @param credential a validated MONGODB-OIDC credential
 * @returns its `ALLOWED_HOSTS` ({@link DEFAULT_ALLOWED_HOSTS} when it has none)
 */
export function allowedHostsOf(credential: MongoCredential): readonly string[] {
  return (credential.mechanismProperties.ALLOWED_HOSTS as readonly string[] | undefined) ??
    DEFAULT_ALLOWED_HOSTS;
}
