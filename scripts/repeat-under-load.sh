#!/usr/bin/env bash
# Proves the suite survives load (issue #9): clones the repository's current HEAD into a temp
# dir, runs `npm ci`, holds one core with a busy loop, then runs the README's test command
# (`npm test`) RUNS times in a row (default 10), one line per run, stopping at the first failure.
#
#   bash scripts/repeat-under-load.sh            # 10 runs
#   RUNS=2 bash scripts/repeat-under-load.sh     # 2 runs
#   REF=<commit> bash scripts/repeat-under-load.sh   # another commit (e.g. before a fix)
#
# TURBO_FORCE=true makes every run execute every task: without it the second run would replay
# turbo's cached results from the first and prove nothing. The clone (and each run's log) is
# left in the temp dir it prints, so a failure's log can be read afterwards.
set -euo pipefail

RUNS="${RUNS:-10}"
REF="${REF:-HEAD}"
if ! [[ "$RUNS" =~ ^[1-9][0-9]*$ ]]; then
  echo "RUNS must be a positive integer, got '$RUNS'" >&2
  exit 2
fi

repo="$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)"
commit="$(git -C "$repo" rev-parse --verify "$REF^{commit}")"
work="$(mktemp -d "${TMPDIR:-/tmp}/taskscope-repeat.XXXXXX")"
busy_pid=""

stop_busy_loop() {
  if [ -n "$busy_pid" ]; then
    kill "$busy_pid" 2>/dev/null || true
    wait "$busy_pid" 2>/dev/null || true
    busy_pid=""
  fi
}
trap stop_busy_loop EXIT
trap 'exit 130' INT TERM

echo "clone of $commit in $work/repo"
git clone --quiet --no-checkout "$repo" "$work/repo"
git -C "$work/repo" checkout --quiet --detach "$commit"
cd "$work/repo"

if ! npm ci --no-audit --no-fund >"$work/npm-ci.log" 2>&1; then
  echo "npm ci failed: $work/npm-ci.log" >&2
  exit 1
fi

# One core held for the whole series: the condition the suite must survive.
node -e 'for (;;) {}' &
busy_pid=$!

export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1 TURBO_FORCE=true
passed=0
failed=0
for run in $(seq 1 "$RUNS"); do
  log="$work/run-$run.log"
  started_ns="$(date +%s%N)"
  if npm test >"$log" 2>&1; then
    result=pass
    passed=$((passed + 1))
  else
    result=fail
    failed=$((failed + 1))
  fi
  duration_s="$(awk -v ns="$(($(date +%s%N) - started_ns))" 'BEGIN { printf "%.1f", ns / 1e9 }')"
  echo "run $run: $result ${duration_s}s"
  if [ "$result" = fail ]; then
    echo "log: $log"
    break
  fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
