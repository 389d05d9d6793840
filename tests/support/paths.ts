// Paths inside the repository: the vendored MongoDB specification tests (tests/spec/data/, see its
// README for the upstream commit and licence) and the test fixtures. Nothing outside the repository is
// ever read, so a fresh clone runs every test. Tests run from the sources (Deno, Bun) and from
// dist/tests (Node), so the repository root is found by walking up to the package.json of
// @mongo-auth/core rather than by a fixed number of `..`.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (the folder with this package's package.json). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, "utf8")).name === "@mongo-auth/core") return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error("repository root not found above " + import.meta.url);
    dir = parent;
  }
}

/** Absolute path of a file under `tests/spec/data/`, e.g. `specPath("auth/legacy/connection-string.json")`. */
export function specPath(relative: string): string {
  return join(repoRoot(), "tests", "spec", "data", relative);
}

/** Parsed JSON of a file under `tests/spec/data/`. */
export function readSpec<T = unknown>(relative: string): T {
  return JSON.parse(readFileSync(specPath(relative), "utf8")) as T;
}

/** Absolute path of a file under the repository's `testing/fixtures/` (sources, never dist). */
export function fixturePath(relative: string): string {
  return join(repoRoot(), "testing", "fixtures", relative);
}
