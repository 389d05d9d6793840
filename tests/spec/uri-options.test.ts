// The URI Options spec's tests (tests/spec/data/uri-options, upstream 92b3c0b): every case of all twelve
// files through parseConnectionString, the auth options also through the credential they make
// (tests/support/uri-spec.ts compares; the same cases run inside workerd from tests/e2e/workerd/run.ts). No
// deliberate deviation. Options outside auth and connecting are parsed and validated, not acted on.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { checkUriSpecCase, type UriSpecCase } from "../support/uri-spec.ts";
import { uriSpecView } from "../support/uri-spec-view.ts";
import { readSpec, specPath } from "../support/paths.ts";
import { specTally } from "../support/spec-tally.ts";
import { runtime } from "../support/transports.ts";

const files = readdirSync(specPath("uri-options")).filter((f) => f.endsWith(".json")).sort();

describe(`uri-options spec (${runtime})`, () => {
  const tally = specTally(`uri-options spec, ${files.length} files (${runtime})`);
  for (const file of files) {
    for (const test of readSpec<{ tests: UriSpecCase[] }>(`uri-options/${file}`).tests) {
      tally.case(`${file}: ${test.description}`, () => {
        checkUriSpecCase(`uri-options/${file}`, test, uriSpecView(test.uri));
      });
    }
  }

  it("runs all twelve files, tls-options.json included", () => {
    assert.equal(files.length, 12);
    assert.ok(files.includes("tls-options.json"));
  });
});
