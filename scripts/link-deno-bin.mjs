// npm's `deno` package points node_modules/.bin/deno straight at its native binary. `deno task` runs
// every node_modules/.bin entry as JavaScript, so each task's own `deno …` would fail with a
// SyntaxError after `npm ci`. Point the entry back at the package's launcher (bin.cjs), which runs the
// same binary: then `deno task …` works after `npm ci` as after `deno install` (which links bin.cjs too).
// Runs as the `prepare` script, i.e. only in this repository, never for users of the package.
import { existsSync, lstatSync, symlinkSync, unlinkSync } from "node:fs";
import process from "node:process";

const entry = "node_modules/.bin/deno";
if (
  process.platform !== "win32" && existsSync("node_modules/deno/bin.cjs") &&
  lstatSync(entry, { throwIfNoEntry: false })?.isSymbolicLink()
) {
  unlinkSync(entry);
  symlinkSync("../deno/bin.cjs", entry);
}
