#!/usr/bin/env bash
# SMS into SS7 under load: smsedge-loadgen esme -> smsedge (one shard, CPU 0) -> m3ua connector
# -> smsedge-loadgen ss7 (HLR + MSC over M3UA/TCP, CPU 1). Each message is one
# sendRoutingInfoForSM dialogue and one mt-forwardSM dialogue (four MAP messages), receipts on.
#   bench/ss7.sh [RATE] [SECONDS] [WINDOW]     RATE 0 = as fast as the windows allow
# Prints the generator's report (JSON) and the simulator's counters.
set -euo pipefail
cd "$(dirname "$0")/.."
rate=${1:-0}; secs=${2:-10}; window=${3:-256}
build=(cargo build --release -p smsedge-engine -p smsedge-loadgen)
if command -v flock >/dev/null; then flock /tmp/smsedge-cargo.lock "${build[@]}"; else "${build[@]}"; fi
dir=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$dir"' EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ss7=$(port); smpp=$(port)
taskset -c 1 target/release/smsedge-loadgen ss7 --listen 127.0.0.1:$ss7 --quiet \
    --smsc-gt 447700900999 --stats "$dir/ss7.json" &
pids+=($!)
cat > "$dir/smsedge.toml" <<CONF
[server]
listen = ["127.0.0.1:$smpp"]
admin_socket = "$dir/admin.sock"
shards = 1
session_window = 4096
[[account]]
system_id = "bench"
password = "bench"
[[connector]]
name = "ss7"
kind = "m3ua"
address = "127.0.0.1:$ss7"
local_pc = 1
remote_pc = 2
smsc_gt = "447700900999"
binds = 4
window = 1024
[[route]]
prefix = ""
connectors = ["ss7"]
CONF
taskset -c 0 target/release/smsedge run --config "$dir/smsedge.toml" >"$dir/smsedge.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
    n=$(target/release/smsedge ctl --socket "$dir/admin.sock" --json binds 2>/dev/null \
        | grep -o '"state":"Active"' | wc -l) || true
    [ "${n:-0}" -ge 4 ] && break
    sleep 0.1
done
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
t0=$(cpu "${pids[1]}")
taskset -c 1 target/release/smsedge-loadgen esme --target 127.0.0.1:$smpp \
    --system-id bench --password bench --binds 4 --window "$window" --rate "$rate" \
    --duration "$secs" --dlr --dest-prefix 4477009 --quiet --report "$dir/report.json" || true

t1=$(cpu "${pids[1]}")
echo "{\"smsedge_cpu_s\": $(awk -v a="$t0" -v b="$t1" -v hz="$(getconf CLK_TCK)" 'BEGIN{print (b-a)/hz}')}"
kill -TERM "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true
echo "ss7 simulator: see its counters above"
