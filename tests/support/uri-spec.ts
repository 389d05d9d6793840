// The comparisons of the connection-string, uri-options and auth legacy spec runners (their README
// "Format"), over what tests/support/uri-spec-view.ts made of the URI, so that Deno, Node, Bun and
// workerd are checked by the same code. A null field in a case means no assertion.
import assert from "node:assert/strict";
import type { UriOptions } from "@mongo-auth/core";
import type { UriSpecView } from "./uri-spec-view.ts";

/** One case of connection-string/*.json or uri-options/*.json. */
export interface UriSpecCase {
  description: string;
  uri: string;
  valid: boolean;
  warning?: boolean;
  hosts: { type: string; host: string; port: number | null }[] | null;
  auth: { username: string | null; password: string | null; db: string | null } | null;
  options: Record<string, unknown> | null;
}

/** The host types of the spec, told apart the way our parser does. */
function hostType(host: string): string {
  if (host.includes("/")) return "unix";
  if (host.includes(":")) return "ip_literal";
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) && host.split(".").every((n) => Number(n) <= 255)
    ? "ipv4"
    : "hostname";
}

/**
 * The value of an option named as a spec file names it (any case: `authmechanismProperties`).
 * @param options our parsed options
 * @param specName the file's name for it
 * @returns our value
 */
export function optionNamed(options: UriOptions | Record<string, unknown>, specName: string): unknown {
  const entry = Object.entries(options).find(([name]) => name.toLowerCase() === specName.toLowerCase());
  return entry?.[1];
}

/**
 * Checks one case: parsing fails (INVALID_URI or INVALID_OPTION) exactly when the case is invalid, warns
 * exactly when it says so, and yields its hosts, userinfo, database and options. For uri-options'
 * auth-options.json, the credential too.
 * @param file the case's file
 * @param test the case
 * @param view what the URI parsed to
 */
export function checkUriSpecCase(file: string, test: UriSpecCase, view: UriSpecView): void {
  if (!test.valid) {
    assert.ok(view.error !== undefined, `expected an error, got ${JSON.stringify(view)}`);
    assert.ok(
      view.error.code === "INVALID_URI" || view.error.code === "INVALID_OPTION",
      JSON.stringify(view.error),
    );
    return;
  }
  assert.equal(view.error, undefined, JSON.stringify(view.error));
  if (test.warning !== undefined) {
    assert.equal(view.warnings!.length > 0, test.warning, `warnings: ${JSON.stringify(view.warnings)}`);
  }
  if (test.hosts !== null) {
    assert.equal(view.hosts!.length, test.hosts.length);
    test.hosts.forEach((expected, i) => {
      assert.equal(view.hosts![i].host, expected.host);
      if (expected.port !== null) assert.equal(view.hosts![i].port, expected.port);
      assert.equal(hostType(view.hosts![i].host), expected.type);
    });
  }
  if (test.auth !== null) {
    if (test.auth.username !== null) assert.equal(view.username, test.auth.username);
    if (test.auth.password !== null) assert.equal(view.password, test.auth.password);
    if (test.auth.db !== null) assert.equal(view.database, test.auth.db);
  }
  for (const [name, expected] of Object.entries(test.options ?? {})) {
    assert.deepEqual(optionNamed(view.options!, name), expected, `option ${name}`);
  }
  if (file === "uri-options/auth-options.json") {
    assert.equal(view.credentialError, undefined, JSON.stringify(view.credentialError));
    const { authMechanism, authSource, authMechanismProperties } = test.options ?? {};
    if (authMechanism !== undefined) assert.equal(view.credential?.mechanism, authMechanism);
    if (authSource !== undefined) assert.equal(view.credential?.source, authSource);
    if (authMechanismProperties !== undefined) {
      assert.deepEqual(view.credential?.mechanismProperties, authMechanismProperties);
    }
  }
}

/** One case of auth/legacy/connection-string.json. */
export interface AuthLegacyCase {
  description: string;
  uri: string;
  valid: boolean;
  credential?: {
    username: string | null;
    password: string | null;
    source: string;
    mechanism: string | null;
    mechanism_properties: Record<string, unknown> | null;
  } | null;
}

/**
 * The auth legacy cases the project deliberately does not follow, by description: why, and the credential
 * it makes instead.
 *
 * Upstream now rejects MONGODB-AWS credentials in the URI; the pymongo guide this project implements
 * documents an access key ID and secret key as userinfo (and AWS_SESSION_TOKEN in authMechanismProperties)
 * as a supported way to pass temporary credentials, and the project keeps supporting it. Of the three new
 * invalid AWS cases only "username and password provided" is affected: "username provided" (a key ID
 * without its secret) and "AWS_SESSION_TOKEN provided" (a token without its keys) are rejected here too,
 * by the rule that the three go together.
 */
export const AUTH_LEGACY_DEVIATIONS: Readonly<
  Record<string, { reason: string; ours: AuthLegacyCase["credential"] }>
> = {
  "should throw an exception if username and password provided (MONGODB-AWS)": {
    reason: "MONGODB-AWS keys in the URI stay supported (the pymongo guide documents them for temporary " +
      "credentials); upstream now rejects them",
    ours: {
      username: "user",
      password: "pass",
      source: "$external",
      mechanism: "MONGODB-AWS",
      mechanism_properties: null,
    },
  },
};

/**
 * Checks one auth legacy case: the credential the case gives (each field, null meaning absent;
 * `mechanism_properties: null` means none), or INVALID_CREDENTIAL. A listed deviation is checked against
 * what the project does instead, and the file must still say otherwise.
 * @param test the case
 * @param view what the URI parsed to
 */
export function checkAuthLegacyCase(test: AuthLegacyCase, view: UriSpecView): void {
  const deviation = AUTH_LEGACY_DEVIATIONS[test.description];
  if (deviation) assert.equal(test.valid, false, "the file no longer says otherwise: remove the deviation");
  const valid = deviation ? true : test.valid;
  const expected = deviation ? deviation.ours : test.credential ?? null;
  assert.equal(view.error, undefined, JSON.stringify(view.error));
  if (!valid) {
    assert.equal(view.credentialError?.code, "INVALID_CREDENTIAL", JSON.stringify(view));
    return;
  }
  assert.equal(view.credentialError, undefined, JSON.stringify(view.credentialError));
  if (expected === null || expected === undefined) {
    assert.equal(view.credential, null);
    return;
  }
  const actual = view.credential;
  assert.ok(actual, "expected a credential");
  assert.equal(actual.username, expected.username ?? undefined);
  assert.equal(actual.password, expected.password ?? undefined);
  assert.equal(actual.source, expected.source);
  assert.equal(actual.mechanism, expected.mechanism ?? undefined);
  assert.deepEqual(actual.mechanismProperties, expected.mechanism_properties ?? {});
}
