#!/usr/bin/env bash
# Format, lint, type checks, and the isomorphism rule: only src/transport/ may name a runtime.
set -eu
cd "$(dirname "$0")/.."
bin=node_modules/.bin
"$bin/deno" fmt --check
"$bin/deno" lint
"$bin/deno" check mod.ts src/ tests/
# Every TypeScript block of the user documentation, as written (tests/docs/ compiles them with tsc too).
"$bin/deno" check --doc-only README.md docs/*.md bench/README.md CONTRIBUTING.md
# What JSR scores: every export of every entry point documented, no public type naming a private one.
"$bin/deno" doc --lint mod.ts src/transport/deno.ts src/transport/node.ts src/transport/workers.ts cli.ts
bad=$(grep -rnE "from ['\"](node:|cloudflare:|bun:)|\bDeno\.|\bBun\.|\bprocess\.|require\(" src/ mod.ts --include='*.ts' | grep -v '^src/transport/' | grep -vE '^[^:]+:[0-9]+:\s*(//|/\*|\*)' | grep -v 'Symbol.for("Deno.customInspect")' || true)
if [ -n "$bad" ]; then
  echo "runtime-specific code outside src/transport/:"; echo "$bad"; exit 1
fi
# Self-contained: a fresh clone has nothing beside it, so no file may reach outside the repository for
# test data (the MongoDB spec files are vendored in tests/spec/data/).
outside=$(grep -rnE "\.\./shared|[\"']\.\.[\"'], *[\"']shared[\"']|/work/shared" . \
  --exclude-dir=node_modules --exclude-dir=dist --exclude-dir=.git | grep -v '^\./scripts/static-checks\.sh:' || true)
if [ -n "$outside" ]; then
  echo "files reading outside the repository (copy the data in, with its provenance):"; echo "$outside"; exit 1
fi
"$bin/deno" publish --dry-run --allow-dirty --quiet >/dev/null
echo "static checks ok (fmt, lint, check, documentation blocks, doc lint, isomorphism, self-contained, deno publish --dry-run)"
