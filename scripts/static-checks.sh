#!/usr/bin/env bash
# Format, lint, type checks, the layers of src/ and the isomorphism rule (only src/transport/ may name a
# runtime), documentation, and that nothing reads outside the repository.
set -eu
cd "$(dirname "$0")/.."
bin=node_modules/.bin
"$bin/deno" fmt --check
"$bin/deno" lint
"$bin/deno" check mod.ts cli.ts src/ tests/ testing/ examples/
# Every TypeScript block of the user documentation, as written (tests/docs/ compiles them with tsc too).
"$bin/deno" check --doc-only README.md docs/*.md bench/README.md CONTRIBUTING.md
# What JSR scores: every export of every entry point documented, no public type naming a private one.
"$bin/deno" doc --lint mod.ts src/transport/deno.ts src/transport/node.ts src/transport/workers.ts cli.ts
# The layers of src/ (core ← crypto ← credential ← dns, wire ← auth, topology ← mechanisms ← client ←
# transport), no import cycle, and runtime-specific code (or a runtime global in a comment) only in src/transport/.
"$bin/deno" run --allow-read scripts/check-layers.ts
# Self-contained: a fresh clone has nothing beside it, so no file may reach outside the repository for
# test data (the MongoDB spec files are vendored in tests/spec/data/).
outside=$(grep -rnE "\.\./shared|[\"']\.\.[\"'], *[\"']shared[\"']|/work/shared" . \
  --exclude-dir=node_modules --exclude-dir=dist --exclude-dir=.git | grep -v '^\./scripts/static-checks\.sh:' || true)
if [ -n "$outside" ]; then
  echo "files reading outside the repository (copy the data in, with its provenance):"; echo "$outside"; exit 1
fi
"$bin/deno" publish --dry-run --allow-dirty --quiet >/dev/null
echo "static checks ok (fmt, lint, check, documentation blocks, doc lint, layers and isomorphism, self-contained, deno publish --dry-run)"
