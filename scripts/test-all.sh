#!/usr/bin/env bash
# The README's test command: static checks, then the one test suite on Deno, Node (against the tsc
# build in dist/, the code npm users get) and Bun. Every runtime runs even if an earlier one failed;
# the exit code is non-zero if any step failed. The last line sums the counts of all runtimes.
set -u
cd "$(dirname "$0")/.."
bin=node_modules/.bin
log=$(mktemp -d)
status=0
passed=0
failed=0
step() { # name, command...
  local name=$1; shift
  echo "::: $name"
  if "$@" 2>&1 | tee "$log/$name.txt"; then echo "::: $name ok"; else echo "::: $name FAILED"; status=1; fi
}
count() { # file, pass-regex, fail-regex
  local p f
  p=$(grep -aoE "$2" "$1" | tail -1 | grep -oE '[0-9]+' | head -1)
  f=$(grep -aoE "$3" "$1" | tail -1 | grep -oE '[0-9]+' | head -1)
  echo "${p:-0} ${f:-0}"
}
step static bash scripts/static-checks.sh
step build "$bin/tsc" -p tsconfig.json
step deno "$bin/deno" test -A --quiet --doc mod.ts src/ tests/
step node node --test --test-concurrency=1 dist/tests/
step bun "$bin/bun" test --timeout 60000 --path-ignore-patterns="dist/**" --path-ignore-patterns="node_modules/**" tests/
echo
echo "::: summary"
for rt in deno node bun; do
  case $rt in
    deno) read -r p f < <(count "$log/deno.txt" '[0-9]+ passed' '[0-9]+ failed') ;;
    node) read -r p f < <(count "$log/node.txt" '# pass [0-9]+' '# fail [0-9]+') ;;
    bun) read -r p f < <(count "$log/bun.txt" '^ *[0-9]+ pass' '^ *[0-9]+ fail') ;;
  esac
  echo "$rt: $p passed, $f failed"
  passed=$((passed + p)); failed=$((failed + f))
done
[ "$status" = 0 ] || failed=$((failed > 0 ? failed : 1))
echo "all: $passed passed, $failed failed"
exit $status
