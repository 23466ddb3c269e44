#!/usr/bin/env bash
# Where a message's time goes on the engine shard: smsedge (one shard) under callgrind, the
# SMSC simulator and the load generator outside it; counters are zeroed after the binds are
# up and dumped after the load, so the profile holds only the steady forwarding of N messages
# (with receipts). Instruction counts are deterministic: the machine being busy does not move
# them (kernel time is not in them).
#   bench/profile-engine.sh [MESSAGES] [RATE]      (default 60000 at 3000/s: under callgrind
#   one shard forwards ~3 000 messages/s with receipts; above that it is overloaded)
# Prints the top functions (exclusive and inclusive Ir) and Ir per message; leaves the raw
# profile in bench/results/callgrind.engine.out.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-60000}
RATE=${2:-3000}
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
    --resp-timeout 60s --dlr-grace 60s | tee "$tmp/report.json" || true
callgrind_control -d "$vg" >/dev/null
sleep 1
kill -TERM "$vg"; wait "$vg" 2>/dev/null || true
dump=$(ls -t "$out".* 2>/dev/null | head -1)
[ -n "$dump" ] || { echo "no callgrind dump" >&2; cat "$tmp/vg.err" >&2; exit 1; }
mv "$dump" "$out"
rm -f "$out".*
# Self cost per function (callgrind_annotate 3.19 attributes this threaded profile to clone()).
python3 - "$out" "$N" <<'PY'
import sys, re, collections
names, cost = {}, collections.Counter()
def name(tok):
    m = re.match(r'\((\d+)\)(?: (.*))?', tok)
    if not m:
        return tok
    if m.group(2):
        names[m.group(1)] = m.group(2)
    return names.get(m.group(1), tok)
fn, skip = None, False
for line in open(sys.argv[1]):
    if line.startswith('fn='):
        fn = name(line[3:].strip())
    elif line.startswith('cfn='):
        name(line[4:].strip())
    elif line.startswith('calls='):
        skip = True
    elif line[:1].isdigit() or line[:1] in '+-*':
        p = line.split()
        if len(p) >= 2:
            if skip:
                skip = False
            else:
                cost[fn] += int(p[1])
total, n = sum(cost.values()), int(sys.argv[2])
print(f"{total} Ir for {n} messages with receipts: {total / n:.0f} Ir per message")
for f, c in cost.most_common(40):
    print(f"{c / total * 100:6.2f}%  {c / n:8.1f} Ir/msg  {f[:140]}")
PY
