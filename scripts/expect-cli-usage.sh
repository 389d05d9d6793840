# Sourced by the test scripts. `expect_cli_usage LABEL COMMAND...` runs COMMAND (the mongo-auth CLI with
# no arguments, however it is started) and fails unless it printed its usage and exited with code 2:
# proof that the command reached the CLI at all.
expect_cli_usage() {
  local label=$1 out code
  shift
  out=$(mktemp)
  set +e
  "$@" >"$out" 2>&1
  code=$?
  set -e
  if [ "$code" != 2 ] || ! grep -aq "usage: mongo-auth whoami" "$out"; then
    echo "$label: expected usage and exit code 2, got $code: $(tr -d '\0' <"$out")"
    rm -f "$out"
    exit 1
  fi
  rm -f "$out"
  echo "$label: ok"
}
