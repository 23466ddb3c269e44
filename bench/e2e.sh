#!/usr/bin/env bash
# The end-to-end benchmark in one command (bench/src/bin/e2e.rs has the method):
#   bench/e2e.sh [e2e options]        e.g. bench/e2e.sh --target 127.0.0.1:2775
# Builds the release binaries (under the team's cargo lock when there is one), then runs the
# harness outside the lock, so measurements never hold up or wait for someone's build.
# Writes bench/results/e2e.json; exit status 1 when the harness fails.
# Three runs and their medians (what bench/RESULTS.md quotes):
#   for i in 1 2 3; do bench/e2e.sh --out /tmp/e2e.$i.json; done
#   bench/e2e-median.py /tmp/e2e.{1,2,3}.json > bench/results/e2e.json
set -euo pipefail
cd "$(dirname "$0")/.."
build=(cargo build --release -p smsedge-engine -p smsedge-loadgen -p smsedge-bench --bins)
if command -v flock >/dev/null; then
    flock /tmp/smsedge-cargo.lock "${build[@]}"
else
    "${build[@]}"
fi
# The harness stops every process it starts on every exit path (kill on drop); this trap only
# forwards an interrupt to it.
target/release/e2e --no-build "$@" &
pid=$!
trap 'kill -INT "$pid" 2>/dev/null || true' INT TERM
wait "$pid"
