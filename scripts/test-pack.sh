#!/usr/bin/env bash
# Tests the packed npm artifact the way a user meets it: `npm pack` on a copy of the repository with no
# dist/ (so `prepack` must build), its file list, an install into an empty project, every entry point
# imported by name, the CLI through `npx -p @mongo-auth/core mongo-auth`, the published types compiled
# by strict consumers without @types/node (Workers-style) and with only @types/node (Node-style),
# publint and are-the-types-wrong.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/expect-cli-usage.sh
repo=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A copy of the tracked (and new, unignored) files: no dist/, as on a fresh clone.
mkdir "$work/src"
git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$work/src"
ln -s "$repo/node_modules" "$work/src/node_modules"
tarball=$(cd "$work/src" && npm pack --silent --pack-destination "$work" | tail -1)
files=$(tar -tzf "$work/$tarball")
for required in package/package.json package/README.md package/LICENSE package/dist/mod.js package/dist/mod.d.ts \
  package/dist/cli.js package/dist/src/transport/node.js package/dist/src/transport/deno.js \
  package/dist/src/transport/workers.js package/dist/src/client/connection.d.ts; do
  grep -qx "$required" <<<"$files" || { echo "missing from the package: $required"; exit 1; }
done
if grep -E '^package/(dist/tests|dist/testing|dist/examples|tests|testing|examples|bench|node_modules|src/.*\.ts$)' <<<"$files" | grep -v '\.d\.ts$'; then
  echo "the package holds files it should not (above)"
  exit 1
fi
echo "package file list ok, built by prepack ($(wc -l <<<"$files") files)"

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

# CommonJS: require() of these ES modules, as Node.js does from 20.19 and Bun (no top-level await anywhere in them).
cat >"$work/app/check.cjs" <<'JS'
const assert = require("node:assert/strict");
const core = require("@mongo-auth/core");
const { connect } = require("@mongo-auth/core/node");
assert.equal(typeof connect, "function");
assert.equal(core.parseCredential("mongodb://a:b@h/db").source, "db");
console.log("require() from CommonJS ok");
JS
(cd "$work/app" && node check.cjs && "$repo/node_modules/.bin/bun" check.cjs)

# The CLI as the docs spell it: `npx -p @mongo-auth/core mongo-auth` (the bare name `mongo-auth` is
# another npm package); with no arguments it prints usage and exits 2.
(cd "$work/app" && expect_cli_usage "npx -p @mongo-auth/core mongo-auth" npx --no -p @mongo-auth/core mongo-auth)

# The published types under `strict`, every entry point, library files checked too (skipLibCheck off):
# a Worker's view (web APIs, no @types/node) and a Node project's (only @types/node, no DOM library).
cat >"$work/app/index.ts" <<'TS'
import { type Connection, MongoAuthError, type ScramKeys } from "@mongo-auth/core";
import { connect as connectNode } from "@mongo-auth/core/node";
import { connect as connectDeno } from "@mongo-auth/core/deno";
import { connect as connectWorkers } from "@mongo-auth/core/workers";

export async function use(uri: string): Promise<string> {
  const connect = typeof uri === "string" ? connectNode : uri ? connectDeno : connectWorkers;
  const conn: Connection = await connect(uri, {
    authMechanismProperties: { OIDC_CALLBACK: (params) => Promise.resolve({ accessToken: String(params.version) }) },
  });
  await conn[Symbol.asyncDispose]();
  return conn.handshake.mechanism ?? "";
}
export type Keys = ScramKeys;
export const isAuthError = (err: unknown): boolean => err instanceof MongoAuthError;
TS
# The same imports from a CommonJS module of TypeScript (.cts under NodeNext, where they compile to require()).
cp "$work/app/index.ts" "$work/app/index-commonjs.cts"
for consumer in 'workers:"lib": ["ES2022", "WebWorker"], "types": []' \
  "node:\"lib\": [\"ES2022\"], \"types\": [\"node\"], \"typeRoots\": [\"$repo/node_modules/@types\"]"; do
  name=${consumer%%:*}
  cat >"$work/app/tsconfig.$name.json" <<JSON
{ "compilerOptions": { "target": "ES2022", "module": "NodeNext", "moduleResolution": "NodeNext", "strict": true,
  "noEmit": true, "skipLibCheck": false, ${consumer#*:} }, "files": ["index.ts", "index-commonjs.cts"] }
JSON
  (cd "$work/app" && "$repo/node_modules/.bin/tsc" -p "tsconfig.$name.json") ||
    { echo "the published types do not compile for a strict $name consumer"; exit 1; }
  echo "types compile for a strict $name consumer: ok"
done

node_modules/.bin/publint "$work/$tarball" 2>/dev/null || node_modules/.bin/publint run "$work/app/node_modules/@mongo-auth/core"
node_modules/.bin/attw --profile esm-only --format table-flipped "$work/$tarball" >/dev/null && echo "are-the-types-wrong (esm-only): ok"
