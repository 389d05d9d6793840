#!/usr/bin/env bash
# The commands a new contributor runs first, after `npm ci`: `deno task …` runs the tasks with Deno
# (npm's deno package puts its native binary in node_modules/.bin, which `deno task` would run as
# JavaScript), and `npm run server` stops with its server on SIGTERM and SIGINT instead of leaving it
# running. (`npm pack` on an unbuilt tree is scripts/test-pack.sh.)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/expect-cli-usage.sh
bin=node_modules/.bin
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# deno task: the CLI's usage proves the task's own `deno run` started.
expect_cli_usage "deno task whoami after npm ci" "$bin/deno" task whoami

# npm run server, then a signal to npm: the server must be gone, its port closed. npm runs in a process
# group of its own, so that whatever it leaves behind on failure is still ours to stop.
echo '{ "port": 0, "users": [] }' >"$work/server.json"
npm_pid=""
trap 'rm -rf "$work"; [ -n "$npm_pid" ] && kill -KILL -- "-$npm_pid" 2>/dev/null || true' EXIT
for signal in TERM INT; do
  setsid npm run --silent server -- --config "$work/server.json" >"$work/out.txt" 2>&1 &
  npm_pid=$!
  address=""
  for _ in $(seq 1 600); do
    address=$(grep -oE 'listening [0-9.:]+' "$work/out.txt" | cut -d' ' -f2 || true)
    [ -n "$address" ] && break
    sleep 0.1
  done
  [ -n "$address" ] || { echo "npm run server did not listen:"; cat "$work/out.txt"; exit 1; }
  kill -"$signal" "$npm_pid"
  wait "$npm_pid" || true
  for _ in $(seq 1 50); do
    node -e 'const [h, p] = process.argv[1].split(":"); require("node:net").connect(+p, h).on("connect", () => process.exit(0)).on("error", () => process.exit(1))' "$address" || break
    sleep 0.1
  done
  if node -e 'const [h, p] = process.argv[1].split(":"); require("node:net").connect(+p, h).on("connect", () => process.exit(0)).on("error", () => process.exit(1))' "$address"; then
    echo "SIG$signal to npm run server left the server listening on $address"
    exit 1
  fi
  echo "SIG$signal to npm run server stops the server: ok"
done
