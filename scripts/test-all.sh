#!/usr/bin/env bash
# The README's test command: static checks, then the one test suite on Deno, Node (against the tsc
# build in dist/, the code npm users get) and Bun, then the Worker in workerd. Every step runs even if
# an earlier one failed; the exit code is non-zero if any step failed. The last line sums the counts.
set -u
cd "$(dirname "$0")/.."
export NO_COLOR=1
# Belt and braces: tests inject their AWS environment, and none may ever reach the real metadata
# service even if one forgot.
export AWS_EC2_METADATA_DISABLED=true
bin=node_modules/.bin
log=$(mktemp -d)
failed_steps=()
step() { # name, command...
  local name=$1
  shift
  echo "::: $name"
  # A step that hangs fails after 10 minutes instead of holding CI to its own limit.
  timeout --kill-after=10 600 "$@" 2>&1 | tee "$log/$name.txt"
  local code=${PIPESTATUS[0]}
  [ "$code" = 124 ] && echo "::: $name timed out after 600 s"
  if [ "$code" = 0 ]; then echo "::: $name ok"; else echo "::: $name FAILED"; failed_steps+=("$name"); fi
}
last_number() { # file, regex: the first number of the last line matching regex
  grep -aoE "$2" "$1" 2>/dev/null | tail -1 | grep -oE '[0-9]+' | head -1
}

step static bash scripts/static-checks.sh
step build "$bin/tsc" -p tsconfig.json
step pack bash scripts/test-pack.sh
step setup bash scripts/test-setup.sh
step deno-doc "$bin/deno" test -A --doc --quiet mod.ts src/
# Not --quiet: it would hide what the spec runners print (cases passed, each deliberate deviation).
step deno "$bin/deno" test -A tests/ testing/
# The test files by name: Node.js 22 and later take no directory after --test (20 searched it). TAP on
# every version, for the counts below (22 and later print their own format by default).
mapfile -t node_tests < <(find dist/tests dist/testing -name '*.test.js' | sort)
step node node --test --test-reporter=tap --test-concurrency=1 "${node_tests[@]}"
# The same on the current LTS and on the Current release (what depends on the version: the script says).
step node-lts bash scripts/test-node-release.sh 24.22.3
step node-current bash scripts/test-node-release.sh 26.12.1
step workerd node dist/tests/e2e/workerd/run.js
step bench-smoke bash -c "node dist/bench/main.js --quick && $bin/deno run -A bench/main.ts --quick && $bin/bun bench/main.ts --quick && node dist/bench/compare.js HEAD --quick"
step bun "$bin/bun" test --timeout 60000 --path-ignore-patterns='dist/**' --path-ignore-patterns='node_modules/**' tests/ testing/

echo
echo "::: summary"
total_pass=0
total_fail=0
report() { # runtime, passed, failed
  echo "$1: ${2:-0} passed, ${3:-0} failed"
  total_pass=$((total_pass + ${2:-0}))
  total_fail=$((total_fail + ${3:-0}))
}
# Deno counts top-level tests and their steps; a describe's its are steps.
for f in deno-doc deno; do
  tests=$(last_number "$log/$f.txt" '[0-9]+ passed')
  # "ok | 12 passed (80 steps) | 1 failed (2 steps)": the passed steps are the ones after "passed".
  steps=$(last_number "$log/$f.txt" 'passed \(([0-9]+) steps\)')
  report "$f" "$(( ${tests:-0} + ${steps:-0} ))" "$(last_number "$log/$f.txt" '[0-9]+ failed')"
done
for f in node node-lts node-current; do
  report "$f" "$(last_number "$log/$f.txt" '^# pass [0-9]+')" "$(last_number "$log/$f.txt" '^# fail [0-9]+')"
done
report bun "$(last_number "$log/bun.txt" '^ *[0-9]+ pass')" "$(last_number "$log/bun.txt" '^ *[0-9]+ fail')"
report workerd "$(last_number "$log/workerd.txt" 'workerd: [0-9]+ passed')" "$(last_number "$log/workerd.txt" '[0-9]+ failed')"
if [ ${#failed_steps[@]} -gt 0 ]; then
  echo "failed steps: ${failed_steps[*]}"
  [ "$total_fail" -gt 0 ] || total_fail=${#failed_steps[@]}
fi
echo "all: $total_pass passed, $total_fail failed"
[ ${#failed_steps[@]} -eq 0 ]
