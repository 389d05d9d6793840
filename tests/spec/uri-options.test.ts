// The URI Options spec's tests (tests/spec/data/uri-options, upstream 92b3c0b): every case of all twelve
// files through parseConnectionString; the auth options also through the credential they make. No
// deliberate deviation. Options outside auth and connecting are parsed and validated, not acted on.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { credentialFromConnectionString } from "@mongo-auth/core";
import { checkUriSpecCase, type UriSpecCase } from "../support/uri-spec.ts";
import { readSpec, specPath } from "../support/paths.ts";
import { specTally } from "../support/spec-tally.ts";
import { runtime } from "../support/transports.ts";

const files = readdirSync(specPath("uri-options")).filter((f) => f.endsWith(".json")).sort();

describe(`uri-options spec (${runtime})`, () => {
  const tally = specTally(`uri-options spec, ${files.length} files (${runtime})`);
  for (const file of files) {
    for (const test of readSpec<{ tests: UriSpecCase[] }>(`uri-options/${file}`).tests) {
      tally.case(`${file}: ${test.description}`, () => {
        const cs = checkUriSpecCase(test);
        if (file !== "auth-options.json" || cs === undefined) return;
        const credential = credentialFromConnectionString(cs)!;
        const { authMechanism, authSource, authMechanismProperties } = test.options as Record<
          string,
          unknown
        >;
        if (authMechanism !== undefined) assert.equal(credential.mechanism, authMechanism);
        if (authSource !== undefined) assert.equal(credential.source, authSource);
        if (authMechanismProperties !== undefined) {
          assert.deepEqual(credential.mechanismProperties, authMechanismProperties);
        }
      });
    }
  }

  it("runs all twelve files, tls-options.json included", () => {
    assert.equal(files.length, 12);
    assert.ok(files.includes("tls-options.json"));
  });
});
