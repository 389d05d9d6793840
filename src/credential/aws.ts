/**
 * MONGODB-AWS: the credential's own keys or a provider, and the rules they follow. The source is
 * `$external`; the access key ID (username) and the secret key (password) go together or not at all;
 * `AWS_SESSION_TOKEN` needs both; `AWS_CREDENTIAL_PROVIDER` (a function, options only) replaces them.
 * Without either, the mechanism looks for keys in the environment (`mechanisms/aws/credentials/`).
 *
 * @module
 */
import type { MongoCredential } from "./mongo-credential.ts";
import { invalidCredential, type MechanismRules, nonEmptyString, optionFunction } from "./rules.ts";

/**
 * AWS credentials: the shape the official Node driver (v7) takes from
 * `authMechanismProperties.AWS_CREDENTIAL_PROVIDER`, and what {@link AwsCredentialProvider}s return.
 *
 * @example Temporary credentials
 * ```ts
 * import assert from "node:assert/strict";
 * import type { AwsCredentials } from "@mongo-auth/core";
 *
 * const credentials: AwsCredentials = { accessKeyId: "ASIAEXAMPLE", secretAccessKey: "s", sessionToken: "t" };
 * assert.equal(credentials.expiration, undefined);
 * ```
 */
export interface AwsCredentials {
  /** The access key ID (`AKIA…` for long-term keys, `ASIA…` for temporary ones). */
  readonly accessKeyId: string;
  /** The secret access key. */
  readonly secretAccessKey: string;
  /** The session token of temporary credentials. */
  readonly sessionToken?: string;
  /** When temporary credentials stop working. */
  readonly expiration?: Date;
}

/**
 * An async function that returns AWS credentials, as the official drivers accept it
 * (`AWS_CREDENTIAL_PROVIDER`).
 *
 * @example Your own provider in place of the built-in chain
 * ```ts
 * import assert from "node:assert/strict";
 * import { type AwsCredentialProvider, parseCredential } from "@mongo-auth/core";
 *
 * const provider: AwsCredentialProvider = () => Promise.resolve({ accessKeyId: "AKID", secretAccessKey: "s" });
 * const credential = parseCredential("mongodb://db.example.net/?authMechanism=MONGODB-AWS", {
 *   authMechanismProperties: { AWS_CREDENTIAL_PROVIDER: provider },
 * })!;
 * assert.equal(credential.mechanismProperties.AWS_CREDENTIAL_PROVIDER, provider);
 * ```
 */
export type AwsCredentialProvider = () => Promise<AwsCredentials>;

/**
 * Whether a value can go into an HTTP header as it is: SigV4 sends the access key ID in `Authorization`
 * and the session token in `X-Amz-Security-Token`, and AWS issues both in visible ASCII.
 *
 * @param value an access key ID or session token
 * @returns true when every character is visible ASCII (no space, line break or accent)
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { headerSafe } from "./aws.ts";
 *
 * assert.equal(headerSafe("ASIAEXAMPLE/tok+en=="), true);
 * assert.equal(headerSafe("token\n"), false);
 * ```
 */
export function headerSafe(value: string): boolean {
  return /^[\x21-\x7e]*$/.test(value);
}

// Environment variables of the AWS credential chain that people write as properties.
const CHAIN_VARIABLES: ReadonlySet<string> = new Set([
  "AWS_PROFILE",
  "AWS_REGION",
  "AWS_ROLE_ARN",
  "AWS_WEB_IDENTITY_TOKEN_FILE",
]);

/** The rules of MONGODB-AWS. */
export const AWS_RULES: MechanismRules = {
  username: "optional",
  password: "optional",
  source: "$external",
  properties: { AWS_SESSION_TOKEN: nonEmptyString, AWS_CREDENTIAL_PROVIDER: optionFunction },
  fromEnvironment: (name) =>
    CHAIN_VARIABLES.has(name) ? ` (${name} is read from the environment, as the AWS SDKs do)` : undefined,
  check(fields, properties) {
    if ((fields.username === undefined) !== (fields.password === undefined)) {
      throw invalidCredential(
        "MONGODB-AWS needs both a username (access key ID) and a password (secret access key), or neither",
      );
    }
    if (fields.password === "") {
      throw invalidCredential("the MONGODB-AWS password (secret access key) must not be empty");
    }
    // The server names the $external user by ARN, so an ARN is what people put where the access key ID goes.
    if (fields.username !== undefined && /^arn:/i.test(fields.username)) {
      throw invalidCredential(
        "the MONGODB-AWS username is an access key ID (AKIA… or ASIA…), not an ARN: the ARN names the " +
          "$external user on the server; give the keys, or none to use this environment's (a role's)",
      );
    }
    const token = properties.get("AWS_SESSION_TOKEN");
    if (
      (fields.username !== undefined && !headerSafe(fields.username)) ||
      (typeof token === "string" && !headerSafe(token))
    ) {
      throw invalidCredential(
        "the MONGODB-AWS username (access key ID) and AWS_SESSION_TOKEN go into HTTP headers and must be " +
          "visible ASCII, as AWS issues them: look for a space, line break or accent",
      );
    }
    if (properties.has("AWS_SESSION_TOKEN") && fields.username === undefined) {
      throw invalidCredential(
        "MONGODB-AWS AWS_SESSION_TOKEN needs a username and password (access key ID and secret key)",
      );
    }
    if (properties.has("AWS_CREDENTIAL_PROVIDER") && fields.username !== undefined) {
      throw invalidCredential(
        "MONGODB-AWS takes either a username and password or AWS_CREDENTIAL_PROVIDER, not both",
      );
    }
  },
};

/**
 * The keys a MONGODB-AWS credential carries itself: username, password and `AWS_SESSION_TOKEN`.
 *
 * @param credential a validated MONGODB-AWS credential
 * @returns the keys, or `undefined` when the credential has none (the environment is asked then)
 */
export function awsKeysOf(credential: MongoCredential): AwsCredentials | undefined {
  const { username, password } = credential;
  if (username === undefined || password === undefined) return undefined;
  const sessionToken = credential.mechanismProperties.AWS_SESSION_TOKEN as string | undefined;
  return { accessKeyId: username, secretAccessKey: password, ...(sessionToken ? { sessionToken } : {}) };
}

/**
 * The credential's `AWS_CREDENTIAL_PROVIDER`.
 *
 * @param credential a validated MONGODB-AWS credential
 * @returns the provider, or `undefined`
 */
export function awsProviderOf(credential: MongoCredential): AwsCredentialProvider | undefined {
  return credential.mechanismProperties.AWS_CREDENTIAL_PROVIDER as AwsCredentialProvider | undefined;
}
