// What the credential tests share: a credential that must parse, an error that must be thrown (and
// must not quote a secret), and properties of the wrong types (which the types refuse) to test what
// parseCredential does at run time.
import assert from "node:assert/strict";
import {
  type AuthMechanismProperties,
  type AuthOptions,
  MongoAuthError,
  type MongoCredential,
  parseCredential,
} from "@mongo-auth/core";

/** Properties of the wrong types, which the types refuse, to test what parseCredential does at run time. */
export const wrongTypes = (properties: Record<string, unknown>) => properties as AuthMechanismProperties;

/** Asserts a MongoAuthError with `code` whose message does not contain any of `secrets`. */
export function assertRejects(fn: () => unknown, code: string, ...secrets: string[]): MongoAuthError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof MongoAuthError, "expected a MongoAuthError");
  assert.equal(caught.code, code, caught.message);
  for (const secret of secrets) assert.ok(!caught.message.includes(secret), caught.message);
  return caught;
}

/** The credential of `uri` and `options`, which must exist. */
export function credential(uri: string, options?: AuthOptions): MongoCredential {
  const result = parseCredential(uri, options);
  assert.ok(result !== undefined, `expected a credential for ${uri}`);
  return result;
}
