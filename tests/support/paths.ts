// The vendored MongoDB specification tests (tests/spec/data/, see its README for the upstream commit and
// licence). Nothing outside the repository is ever read, so a fresh clone runs every test.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../../testing/paths.ts";

/** Absolute path of a file under `tests/spec/data/`, e.g. `specPath("auth/legacy/connection-string.json")`. */
export function specPath(relative: string): string {
  return join(repoRoot(), "tests", "spec", "data", relative);
}

/** Parsed JSON of a file under `tests/spec/data/`. */
export function readSpec<T = unknown>(relative: string): T {
  return JSON.parse(readFileSync(specPath(relative), "utf8")) as T;
}
