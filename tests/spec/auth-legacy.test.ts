// The auth spec's legacy connection-string tests (tests/spec/data/auth/legacy/connection-string.json,
// upstream 92b3c0b): every case through parseCredential, comparing each credential field (null: absent).
//
// One deliberate deviation. Upstream now rejects MONGODB-AWS credentials in the URI; the pymongo guide
// this project implements documents an access key ID and secret key as userinfo (and AWS_SESSION_TOKEN
// in authMechanismProperties) as a supported way to pass temporary credentials, and the project keeps
// supporting it. Of the three new invalid AWS cases only "username and password provided" is affected:
// "username provided" (a key ID without its secret) and "AWS_SESSION_TOKEN provided" (a token without
// the keys it belongs to) are rejected here too, by the rule that the three go together.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MongoAuthError, type MongoCredential, parseCredential } from "@mongo-auth/core";
import { readSpec } from "../support/paths.ts";
import { specTally } from "../support/spec-tally.ts";
import { runtime } from "../support/transports.ts";

interface SpecCredential {
  username: string | null;
  password: string | null;
  source: string;
  mechanism: string | null;
  mechanism_properties: Record<string, unknown> | null;
}

interface LegacySpecCase {
  description: string;
  uri: string;
  valid: boolean;
  credential?: SpecCredential | null;
}

const AWS_KEYS_IN_URI = "MONGODB-AWS keys in the URI stay supported (the pymongo guide documents them for " +
  "temporary credentials); upstream now rejects them";

/** Cases the project deliberately does not follow: description → reason and what it does instead. */
const DEVIATIONS: Record<string, { reason: string; ours: (uri: string) => void }> = {
  "should throw an exception if username and password provided (MONGODB-AWS)": {
    reason: AWS_KEYS_IN_URI,
    ours: (uri) =>
      assertMatches(parseCredential(uri), {
        username: "user",
        password: "pass",
        source: "$external",
        mechanism: "MONGODB-AWS",
        mechanism_properties: null,
      }),
  },
};

// Every field of the expected credential, null meaning absent; `mechanism_properties: null` means none
// were given (our object is then empty, or holds only the mechanism's defaults the file lists).
function assertMatches(actual: MongoCredential | undefined, expected: SpecCredential | null): void {
  if (expected === null) {
    assert.equal(actual, undefined);
    return;
  }
  assert.ok(actual !== undefined, "expected a credential");
  assert.equal(actual.username, expected.username ?? undefined);
  assert.equal(actual.password, expected.password ?? undefined);
  assert.equal(actual.source, expected.source);
  assert.equal(actual.mechanism, expected.mechanism ?? undefined);
  assert.deepEqual(actual.mechanismProperties, expected.mechanism_properties ?? {});
}

function assertRejected(uri: string): void {
  assert.throws(() => parseCredential(uri), (err: unknown) => {
    assert.ok(err instanceof MongoAuthError);
    assert.equal(err.code, "INVALID_CREDENTIAL", err.message);
    return true;
  });
}

describe(`auth spec: legacy/connection-string.json (${runtime})`, () => {
  const { tests } = readSpec<{ tests: LegacySpecCase[] }>("auth/legacy/connection-string.json");
  const tally = specTally(`auth spec legacy/connection-string.json (${runtime})`);
  for (const test of tests) {
    const deviation = DEVIATIONS[test.description];
    if (deviation) {
      tally.deviation(test.description, deviation.reason, () => {
        assert.equal(test.valid, false, "the file no longer says otherwise: remove the deviation");
        deviation.ours(test.uri);
      });
      continue;
    }
    tally.case(test.description, () => {
      if (test.valid) assertMatches(parseCredential(test.uri), test.credential ?? null);
      else assertRejected(test.uri);
    });
  }

  it("lists no deviation the file does not have", () => {
    const descriptions = new Set(tests.map((test) => test.description));
    for (const name of Object.keys(DEVIATIONS)) assert.ok(descriptions.has(name), name);
  });
});
