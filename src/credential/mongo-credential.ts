/**
 * What a credential is: the mechanism names and the validated, frozen {@link MongoCredential} that
 * `parseCredential` builds and every mechanism reads.
 *
 * @module
 */

/**
 * An authentication mechanism, spelled as the server and the connection string spell it.
 *
 * @example The mechanism a connection string asks for
 * ```ts
 * import assert from "node:assert/strict";
 * import { type AuthMechanism, parseCredential } from "@mongo-auth/core";
 *
 * const mechanism: AuthMechanism | undefined = parseCredential(
 *   "mongodb://localhost/?authMechanism=MONGODB-X509",
 * )?.mechanism;
 * assert.equal(mechanism, "MONGODB-X509");
 * ```
 */
export type AuthMechanism =
  | "SCRAM-SHA-256"
  | "SCRAM-SHA-1"
  | "MONGODB-X509"
  | "MONGODB-AWS"
  | "MONGODB-OIDC"
  | "PLAIN"
  | "GSSAPI";

/** Every mechanism, in the order messages list them. */
export const AUTH_MECHANISMS: readonly AuthMechanism[] = Object.freeze([
  "SCRAM-SHA-256",
  "SCRAM-SHA-1",
  "MONGODB-X509",
  "MONGODB-AWS",
  "MONGODB-OIDC",
  "PLAIN",
  "GSSAPI",
]);

/**
 * A validated, frozen credential: made by `parseCredential` (or checked by `authenticate`, which runs a
 * credential it did not make through the same rules), so a mechanism reads it without checking it again.
 * Printing it (`String`, `JSON.stringify`, Node's and Deno's `inspect`) shows `<redacted>` in place of
 * the password and of `AWS_SESSION_TOKEN`.
 *
 * @example A credential never prints its password
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCredential } from "@mongo-auth/core";
 *
 * const credential = parseCredential("mongodb://alice:s3cret@localhost/app")!;
 * assert.equal(credential.password, "s3cret");
 * assert.ok(!JSON.stringify(credential).includes("s3cret"));
 * assert.ok(Object.isFrozen(credential));
 * ```
 */
export interface MongoCredential {
  /** The user; absent for mechanisms where it is optional (X509, AWS, OIDC). */
  readonly username?: string;
  /** The password (or AWS secret access key); absent when not given. */
  readonly password?: string;
  /** The database the authentication commands are sent to. */
  readonly source: string;
  /** The mechanism; undefined: negotiate SCRAM-SHA-256 or SCRAM-SHA-1 with the server. */
  readonly mechanism?: AuthMechanism;
  /** Mechanism properties with canonical (upper-case) names and their defaults; `{}` when none. */
  readonly mechanismProperties: Readonly<Record<string, unknown>>;
}
