// The auth spec's legacy connection-string tests (tests/spec/data/auth/legacy/connection-string.json,
// upstream 92b3c0b): every case through the credential rules, comparing each credential field
// (tests/support/uri-spec.ts compares; the same cases run inside workerd from tests/e2e/workerd/run.ts).
// One deliberate deviation, listed with its reason in AUTH_LEGACY_DEVIATIONS: MONGODB-AWS keys in the URI.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseCredential } from "@mongo-auth/core";
import { AUTH_LEGACY_DEVIATIONS, type AuthLegacyCase, checkAuthLegacyCase } from "../support/uri-spec.ts";
import { uriSpecView } from "../support/uri-spec-view.ts";
import { readSpec } from "../support/paths.ts";
import { specTally } from "../support/spec-tally.ts";
import { runtime } from "../support/transports.ts";

const { tests } = readSpec<{ tests: AuthLegacyCase[] }>("auth/legacy/connection-string.json");

describe(`auth spec: legacy/connection-string.json (${runtime})`, () => {
  const tally = specTally(`auth spec legacy/connection-string.json (${runtime})`);
  for (const test of tests) {
    const deviation = AUTH_LEGACY_DEVIATIONS[test.description];
    const check = () => checkAuthLegacyCase(test, uriSpecView(test.uri));
    if (deviation) tally.deviation(test.description, deviation.reason, check);
    else tally.case(test.description, check);
  }

  it("lists no deviation the file does not have", () => {
    const descriptions = new Set(tests.map((test) => test.description));
    for (const name of Object.keys(AUTH_LEGACY_DEVIATIONS)) assert.ok(descriptions.has(name), name);
  });

  it("parseCredential, the public entry point, agrees with the view on every case", () => {
    for (const test of tests) {
      const view = uriSpecView(test.uri);
      let credential;
      try {
        credential = parseCredential(test.uri) ?? null;
      } catch (err) {
        assert.equal((err as { code?: string }).code, view.error?.code ?? view.credentialError?.code);
        continue;
      }
      assert.equal(credential?.source, view.credential?.source, test.description);
      assert.equal(credential?.mechanism, view.credential?.mechanism, test.description);
    }
  });
});
