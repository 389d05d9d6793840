// The Connection String spec's tests (tests/spec/data/connection-string, upstream 92b3c0b): every case of
// every file through parseConnectionString (tests/support/uri-spec.ts compares; the same cases run inside
// workerd from tests/e2e/workerd/run.ts). No deliberate deviation: UNIX domain socket paths parse as the
// files say (connect() refuses to dial them, RUNTIME_UNSUPPORTED: tests/connect.test.ts).
import { describe } from "node:test";
import { readdirSync } from "node:fs";
import { checkUriSpecCase, type UriSpecCase } from "../support/uri-spec.ts";
import { uriSpecView } from "../support/uri-spec-view.ts";
import { readSpec, specPath } from "../support/paths.ts";
import { specTally } from "../support/spec-tally.ts";
import { runtime } from "../support/transports.ts";

const files = readdirSync(specPath("connection-string")).filter((f) => f.endsWith(".json")).sort();

describe(`connection-string spec (${runtime})`, () => {
  const tally = specTally(`connection-string spec, ${files.length} files (${runtime})`);
  for (const file of files) {
    for (const test of readSpec<{ tests: UriSpecCase[] }>(`connection-string/${file}`).tests) {
      tally.case(`${file}: ${test.description}`, () => {
        checkUriSpecCase(`connection-string/${file}`, test, uriSpecView(test.uri));
      });
    }
  }
});
