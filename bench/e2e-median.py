#!/usr/bin/env python3
"""Medians of several e2e reports (bench/src/bin/e2e.rs JSON), for bench/RESULTS.md.

    bench/e2e-median.py RUN1.json RUN2.json RUN3.json > bench/results/e2e.json

Every figure is the median of the runs' figures (the ratios are medians of the per-run ratios,
measured within one run each); "per_run" keeps each run's key figures, "runs" the full reports.
"""
import json
import statistics
import sys

SYSTEMS = ["engine", "relay", "haproxy"]


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def main(paths):
    runs = [json.load(open(p)) for p in paths]
    out = {k: med([r.get(k) for r in runs])
           for k in ["engine_tps", "relay_tps", "haproxy_tps", "ratio_vs_relay", "ratio_vs_haproxy"]}
    lat = {"rate": med([r["latency_us_at_half_load"].get("rate") for r in runs])}
    for s in ["direct"] + SYSTEMS:
        lat[s] = {"submit_resp": {
            p: med([r["latency_us_at_half_load"].get(s, {}).get("submit_resp", {}).get(p) for r in runs])
            for p in ["p50", "p90", "p99", "p999", "max"]}}
    for s in SYSTEMS:
        for p in ["p50", "p99"]:
            lat[f"{s}_added_{p}"] = med([r["latency_us_at_half_load"].get(f"{s}_added_{p}") for r in runs])
    out["latency_us_at_half_load"] = lat

    def sysval(r, s, k):
        return (r["systems"].get(s) or {}).get(k)

    for k in ["cpu_us_per_msg_at_ceiling", "cpu_busy_at_ceiling", "ceiling_tps"]:
        out[k] = {s: med([sysval(r, s, k) for r in runs]) for s in SYSTEMS}
    out["median_of"] = f"{len(runs)} runs of bench/e2e.sh (bench/e2e-median.py)"
    out["machine"] = runs[0]["machine"]
    out["per_run"] = [
        {k: r.get(k) for k in ["date", "commit", "command", "engine_tps", "relay_tps", "haproxy_tps",
                               "ratio_vs_relay", "ratio_vs_haproxy", "loadavg_after", "elapsed_s"]}
        | {"loadavg_before": r["machine"]["loadavg"],
           "half_load_rate": r["latency_us_at_half_load"].get("rate"),
           "engine_added_p50": r["latency_us_at_half_load"].get("engine_added_p50"),
           "engine_added_p99": r["latency_us_at_half_load"].get("engine_added_p99"),
           "cpu_us_per_msg_at_ceiling": {s: sysval(r, s, "cpu_us_per_msg_at_ceiling") for s in SYSTEMS},
           "cpu_busy_at_ceiling": {s: sysval(r, s, "cpu_busy_at_ceiling") for s in SYSTEMS}}
        for r in runs]
    out["runs"] = runs
    json.dump(out, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
