/**
 * Source 1: what the user put in the MongoCredential (URI or options). The spec allows exactly two
 * combinations: access key ID + secret key, optionally with `AWS_SESSION_TOKEN`. Anything else is the
 * user's mistake and an `INVALID_CREDENTIAL` error, not a reason to look elsewhere.
 * The `AWS_CREDENTIAL_PROVIDER` property (options only) is a function used instead of sources 2–7.
 *
 * @module
 */
import { MongoAuthError } from "../../../core/errors.ts";
import type { AwsCredentialProvider } from "./credentials.ts";
import type { FoundAwsCredentials } from "./source.ts";

/** The parts of a MongoCredential that MONGODB-AWS reads. */
export interface AwsCredentialInput {
  /** The access key ID. */
  readonly username?: string;
  /** The secret access key. */
  readonly password?: string;
  /** `AWS_SESSION_TOKEN`, `AWS_CREDENTIAL_PROVIDER`. */
  readonly mechanismProperties: Readonly<Record<string, unknown>>;
}

/**
 * The credential's own keys, or `undefined` when it carries none.
 *
 * @param credential the MongoCredential
 * @returns the keys as source 1
 * @throws {MongoAuthError} `INVALID_CREDENTIAL` for a username without password (or the reverse), or a
 *   session token without both
 */
export function fromMongoCredential(credential: AwsCredentialInput): FoundAwsCredentials | undefined {
  const { username, password } = credential;
  const token = credential.mechanismProperties.AWS_SESSION_TOKEN;
  if (token !== undefined && typeof token !== "string") {
    throw new MongoAuthError("INVALID_CREDENTIAL", "MONGODB-AWS: AWS_SESSION_TOKEN must be a string");
  }
  if (!username && !password) {
    if (token) {
      throw new MongoAuthError(
        "INVALID_CREDENTIAL",
        "MONGODB-AWS: AWS_SESSION_TOKEN was given without an access key ID (username) and secret key (password)",
      );
    }
    return undefined;
  }
  if (!username || !password) {
    throw new MongoAuthError(
      "INVALID_CREDENTIAL",
      `MONGODB-AWS: ${
        username ? "a username (access key ID) without a password" : "a password without a username"
      }` +
        " (secret key): give both, or neither to use the environment",
    );
  }
  return {
    credentials: {
      accessKeyId: username,
      secretAccessKey: password,
      ...(token ? { sessionToken: token } : {}),
    },
    source: "the MongoCredential",
    temporary: false,
  };
}

/**
 * The user's `AWS_CREDENTIAL_PROVIDER` function, if the credential has one.
 *
 * @param credential the MongoCredential
 * @returns the function
 * @throws {MongoAuthError} `INVALID_CREDENTIAL` when the property is set but not a function
 */
export function credentialProvider(credential: AwsCredentialInput): AwsCredentialProvider | undefined {
  const provider = credential.mechanismProperties.AWS_CREDENTIAL_PROVIDER;
  if (provider === undefined) return undefined;
  if (typeof provider !== "function") {
    throw new MongoAuthError(
      "INVALID_CREDENTIAL",
      "MONGODB-AWS: AWS_CREDENTIAL_PROVIDER must be a function returning { accessKeyId, secretAccessKey, sessionToken? }",
    );
  }
  return provider as AwsCredentialProvider;
}
