#!/usr/bin/env bash
# Throughput of smsedge-loadgen esme straight into smsedge-loadgen smsc on loopback.
# usage: loadgen/scripts/throughput.sh SMSC_CPUS ESME_CPUS RUNS [extra esme flags...]
# Prints one line per run: tps, submitted, p50/p99 submit_resp (µs); then the median tps.
set -euo pipefail
B=${LOADGEN_BIN:-target/release/smsedge-loadgen}
SC=$1 EC=$2 RUNS=$3; shift 3
tps=()
for i in $(seq "$RUNS"); do
  out=$(mktemp)
  "$B" smsc --listen 127.0.0.1:0 --quiet --cpus "$SC" >"$out" 2>/dev/null &
  sp=$!
  while ! grep -q listening "$out"; do sleep 0.05; done
  addr=$(head -1 "$out" | sed 's/.*"listening":"\([^"]*\)".*/\1/')
  r=$("$B" esme --target "$addr" --duration 5 --window 1000 --binds 4 --cpus "$EC" --quiet "$@")
  kill -INT "$sp"; wait "$sp" || true; rm -f "$out"
  t=$(echo "$r" | sed 's/.*"tps":\([0-9.]*\).*/\1/')
  echo "run $i: tps $t $(echo "$r" | grep -o '"submitted":[0-9]*') $(echo "$r" | grep -o '"submit_resp":{"p50":[0-9]*,"p90":[0-9]*,"p99":[0-9]*')"
  tps+=("$t")
done
printf '%s\n' "${tps[@]}" | sort -n | awk '{a[NR]=$1} END {print "median tps", a[int((NR+1)/2)]}'
