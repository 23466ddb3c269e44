#!/usr/bin/env bash
# Where a message's time goes on the engine shard: smsedge (one shard) under callgrind, the
# SMSC simulator and the load generator outside it; counters are zeroed after the binds are
# up and dumped after the load, so the profile holds only the steady forwarding of N messages
# (with receipts). Instruction counts are deterministic: the machine being busy does not move
# them (kernel time is not in them).
#   bench/profile-engine.sh [MESSAGES] [RATE]      (default 200000 at 20000/s)
# Prints the top functions (exclusive and inclusive Ir) and Ir per message; leaves the raw
# profile in bench/results/callgrind.engine.out.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-200000}
RATE=${2:-20000}
R=target/release
command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)" >&2; exit 2; }
for b in smsedge smsedge-loadgen; do
    [ -x "$R/$b" ] || { echo "$R/$b missing: cargo build --release -p smsedge-engine -p smsedge-loadgen" >&2; exit 2; }
done
tmp=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
mkdir -p bench/results
out=bench/results/callgrind.engine.out
"$R/smsedge-loadgen" smsc --listen 127.0.0.1:0 --cpus 1 --quiet >"$tmp/sim.out" &
pids+=($!)
for _ in $(seq 100); do grep -q listening "$tmp/sim.out" && break; sleep 0.1; done
sim=$(sed -n 's/.*"listening": *"\([^"]*\)".*/\1/p' "$tmp/sim.out" | head -1)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$tmp/smsedge.toml" <<TOML
[server]
listen = ["127.0.0.1:$port"]
shards = 1
admin_socket = "$tmp/admin.sock"
metrics_listen = ""
log_level = "warn"
[[account]]
system_id = "bench"
password = "bench"
window = 1000
[[connector]]
name = "smsc"
kind = "smpp"
address = "$sim"
binds = 4
window = 1000
[[route]]
prefix = ""
connectors = ["smsc"]
TOML
taskset -c 0 valgrind --tool=callgrind --callgrind-out-file="$out" \
    "$R/smsedge" run --config "$tmp/smsedge.toml" 2>"$tmp/vg.err" &
vg=$!
pids+=($vg)
for _ in $(seq 600); do
    up=$("$R/smsedge" ctl --socket "$tmp/admin.sock" --json stats 2>/dev/null |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["connectors"]["smsc"]["binds_up"])' 2>/dev/null || echo 0)
    [ "$up" = 4 ] && break
    sleep 0.2
done
callgrind_control -z "$vg" >/dev/null
"$R/smsedge-loadgen" esme --target "127.0.0.1:$port" --system-id bench --password bench \
    --binds 4 --window 1000 --rate "$RATE" --count "$N" --dlr --cpus 1 --quiet \
    --resp-timeout 60s --dlr-grace 60s | tee "$tmp/report.json"
callgrind_control -d "$vg" >/dev/null
sleep 1
kill -TERM "$vg"; wait "$vg" 2>/dev/null || true
dump=$(ls -t "$out".* 2>/dev/null | head -1)
[ -n "$dump" ] || { echo "no callgrind dump" >&2; cat "$tmp/vg.err" >&2; exit 1; }
mv "$dump" "$out"
rm -f "$out".*
total=$(callgrind_annotate "$out" 2>/dev/null | sed -n 's/^ *\([0-9,]*\) .*PROGRAM TOTALS.*/\1/p' | tr -d ,)
echo "Ir for $N messages with receipts: $total  =>  $((total / N)) Ir per message"
callgrind_annotate --inclusive=no "$out" 2>/dev/null | sed -n '/^Ir/,$p' | head -45
echo "--- inclusive"
callgrind_annotate --inclusive=yes "$out" 2>/dev/null | sed -n '/^Ir/,$p' | head -45
