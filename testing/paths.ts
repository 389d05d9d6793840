// Paths inside the repository, for the reference server's CLI, the demo, the benchmarks and the tests:
// the repository root and the shared fixtures (testing/fixtures/: the test PKI and the "try it locally"
// server configurations). They run from the sources (Deno, Bun) and from dist/ (Node), so the root is
// found by walking up to the package.json of @mongo-auth/core rather than by a fixed number of `..`.
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

/** Absolute path of a file under the repository's `testing/fixtures/` (sources, never dist). */
export function fixturePath(relative: string): string {
  return join(repoRoot(), "testing", "fixtures", relative);
}
