#!/usr/bin/env bash
# Tests the packed npm artifact: npm pack, check its file list, install it into an empty project,
# import every entry point by name, and run publint on it. Expects dist/ to be built.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tarball=$(npm pack --silent --pack-destination "$work" | tail -1)
files=$(tar -tzf "$work/$tarball")
for required in package/package.json package/README.md package/LICENSE package/dist/mod.js package/dist/mod.d.ts \
  package/dist/cli.js package/dist/src/transport/node.js package/dist/src/transport/deno.js; do
  grep -qx "$required" <<<"$files" || { echo "missing from the package: $required"; exit 1; }
done
if grep -E '^package/(dist/tests|tests|bench|node_modules|src/.*\.ts$)' <<<"$files" | grep -v '\.d\.ts$'; then
  echo "the package holds files it should not (above)"
  exit 1
fi
echo "package file list ok ($(wc -l <<<"$files") files)"
mkdir -p "$work/app"
(cd "$work/app" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund --prefer-offline "$work/$tarball")
cat >"$work/app/check.mjs" <<'JS'
import assert from "node:assert/strict";
const core = await import("@mongo-auth/core");
const node = await import("@mongo-auth/core/node");
assert.equal(typeof core.parseCredential, "function");
assert.equal(typeof core.ScramClient, "function");
assert.equal(typeof node.connect, "function");
assert.equal(core.parseCredential("mongodb://a:b@h/db").source, "db");
console.log("imports by name ok:", Object.keys(core).length, "exports");
JS
(cd "$work/app" && node check.mjs)
# The CLI as npm users run it: `npx mongo-auth` with no arguments prints usage and exits 2.
set +e
usage=$(cd "$work/app" && npx --no-install mongo-auth 2>&1)
code=$?
set -e
if [ "$code" != 2 ] || ! grep -q "usage: mongo-auth whoami" <<<"$usage"; then
  echo "npx mongo-auth: expected usage and exit code 2, got $code: $usage"
  exit 1
fi
echo "npx mongo-auth: ok"
node_modules/.bin/publint "$work/$tarball" 2>/dev/null || node_modules/.bin/publint run "$work/app/node_modules/@mongo-auth/core"
node_modules/.bin/attw --profile esm-only --format table-flipped "$work/$tarball" >/dev/null && echo "are-the-types-wrong (esm-only): ok"
