//! `termination`: SMPP termination, our SMSC simulator (`smsedge-loadgen smsc`) against a sink
//! on the smpp34 crate's server (`smpp34-sink`), same machine, same load.
//!
//! `cargo run --release -p smsedge-bench --bin termination`
//!
//! Each server alone on the first CPU, the load generator on the second; `--runs` runs of
//! `--seconds` each per server, alternating, first as fast as the windows allow (`--rate 0`),
//! then at one fixed rate for both (half of the slower one's median), so CPU per message is
//! also compared at equal load. No receipts (the sink sends none). CPU per message is the
//! server process's utime + stime over the run (/proc/PID/stat) divided by the messages it
//! answered. Prints the JSON and writes `bench/results/termination.json`.

use clap::Parser;
use serde_json::{json, Value};
use smsedge_bench::load::{median, Generator, Run};
use smsedge_bench::machine;
use smsedge_bench::proc::{self, Proc};
use std::io;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// SMSC simulator vs smpp34 sink: messages/s and CPU per message.
#[derive(Debug, Parser)]
#[command(name = "termination")]
struct Opts {
    /// Runs per server and load.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Length of one run.
    #[arg(long, default_value_t = 5.0)]
    seconds: f64,
    /// Generator binds.
    #[arg(long, default_value_t = 4)]
    binds: usize,
    /// Generator window per bind.
    #[arg(long, default_value_t = 1000)]
    window: usize,
    /// CPU for the server (default: the first this process may use).
    #[arg(long)]
    server_cpu: Option<usize>,
    /// CPU for the generator (default: the second).
    #[arg(long)]
    load_cpu: Option<usize>,
    /// Where the JSON goes.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/results/termination.json"))]
    out: PathBuf,
}

const SERVERS: [&str; 2] = ["smsedge-loadgen smsc", "smpp34-sink"];

fn main() {
    let o = Opts::parse();
    match run(&o) {
        Ok(v) => {
            let text = serde_json::to_string_pretty(&v).expect("json");
            println!("{text}");
            if let Some(dir) = o.out.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            if let Err(e) = std::fs::write(&o.out, text + "\n") {
                eprintln!("termination: {}: {e}", o.out.display());
                std::process::exit(1);
            }
            eprintln!("termination: wrote {}", o.out.display());
        }
        Err(e) => {
            eprintln!("termination: {e}");
            std::process::exit(1);
        }
    }
}

fn start(which: &str, cpu: usize) -> io::Result<(Proc, String)> {
    let mut p = if which == SERVERS[0] {
        Proc::spawn(
            which,
            Some(&cpu.to_string()),
            &proc::sibling("smsedge-loadgen")?,
            &[
                "smsc".into(),
                "--listen".into(),
                "127.0.0.1:0".into(),
                "--cpus".into(),
                cpu.to_string(),
                "--quiet".into(),
            ],
        )?
    } else {
        let port = proc::free_port()?;
        Proc::spawn(
            which,
            Some(&cpu.to_string()),
            &proc::sibling("smpp34-sink")?,
            &["--listen".into(), format!("127.0.0.1:{port}")],
        )?
    };
    let addr = p.wait_listening(Duration::from_secs(10))?;
    Ok((p, addr.to_string()))
}

/// `runs` runs at `rate` against each server, alternating; each server is started fresh per
/// run so no run inherits another's state.
fn series(o: &Opts, gen: &Generator, cpu: usize, rate: f64) -> io::Result<[Vec<Run>; 2]> {
    let mut out: [Vec<Run>; 2] = [Vec::new(), Vec::new()];
    for i in 0..o.runs.max(1) {
        for (k, which) in SERVERS.iter().enumerate() {
            let (mut p, addr) = start(which, cpu)?;
            let r = gen.run(&addr, rate, o.seconds, Some(p.pid()))?;
            eprintln!(
                "termination: {which} run {} at {}: {:.0}/s, {} µs CPU/msg, CPU {:.0}% ({})",
                i + 1,
                if rate > 0.0 {
                    format!("{rate:.0}/s")
                } else {
                    "rate 0".into()
                },
                r.tps(),
                r.server_cpu_us_per_msg()
                    .map_or("?".into(), |c| format!("{c:.2}")),
                r.server_busy().unwrap_or(0.0) * 100.0,
                r.verdict()
            );
            p.stop(Duration::from_secs(3));
            out[k].push(r);
        }
    }
    Ok(out)
}

fn summary(runs: &[Run]) -> Value {
    let tps: Vec<f64> = runs.iter().map(Run::tps).collect();
    let cpu: Vec<f64> = runs.iter().filter_map(Run::server_cpu_us_per_msg).collect();
    let busy: Vec<f64> = runs.iter().filter_map(Run::server_busy).collect();
    json!({
        "tps_median": median(&tps),
        "tps_runs": tps,
        "cpu_us_per_msg_median": (median(&cpu) * 1000.0).round() / 1000.0,
        "cpu_us_per_msg_runs": cpu.iter().map(|c| (c * 1000.0).round() / 1000.0).collect::<Vec<_>>(),
        "cpu_busy_median": (median(&busy) * 1000.0).round() / 1000.0,
        "all_held": runs.iter().all(Run::holds),
        "latency_us": runs.iter().map(|r| r.latency("submit_resp")).collect::<Vec<_>>(),
    })
}

fn run(o: &Opts) -> io::Result<Value> {
    let started = Instant::now();
    let allowed = proc::allowed_cpus();
    let server_cpu = o.server_cpu.or(allowed.first().copied()).unwrap_or(0);
    let load_cpu = o
        .load_cpu
        .or(allowed.iter().copied().find(|&c| c != server_cpu))
        .ok_or_else(|| {
            io::Error::other(format!("two CPUs needed, this process may use {allowed:?}"))
        })?;
    let gen = Generator {
        program: proc::sibling("smsedge-loadgen")?,
        cpus: load_cpu.to_string(),
        binds: o.binds,
        window: o.window,
        dlr: false,
        dlr_window: 0,
        system_id: "bench".into(),
        password: "bench".into(),
    };
    let mut out = machine::report_head();
    out.insert(
        "setup".into(),
        json!({"server_cpu": server_cpu, "load_cpu": load_cpu, "binds": o.binds, "window": o.window,
               "seconds": o.seconds, "runs": o.runs, "dlr": false,
               "smpp34": "smpp34 1.5 SmppServer on a current-thread tokio runtime, 64 KiB read buffer"}),
    );
    let max = series(o, &gen, server_cpu, 0.0)?;
    let (a, b) = (summary(&max[0]), summary(&max[1]));
    let ta = a["tps_median"].as_f64().unwrap_or(0.0);
    let tb = b["tps_median"].as_f64().unwrap_or(0.0);
    let ca = a["cpu_us_per_msg_median"].as_f64().unwrap_or(0.0);
    let cb = b["cpu_us_per_msg_median"].as_f64().unwrap_or(0.0);
    let ratio = |x: f64, y: f64| {
        if y > 0.0 {
            json!((x / y * 100.0).round() / 100.0)
        } else {
            Value::Null
        }
    };
    out.insert(
        "max_rate".into(),
        json!({"smsc": a, "smpp34": b, "tps_ratio_smsc_over_smpp34": ratio(ta, tb),
               "cpu_per_msg_ratio_smpp34_over_smsc": ratio(cb, ca)}),
    );
    let common = ((ta.min(tb) / 2.0) / 1000.0).round() * 1000.0;
    if common > 0.0 {
        let eq = series(o, &gen, server_cpu, common)?;
        let (a, b) = (summary(&eq[0]), summary(&eq[1]));
        let ca = a["cpu_us_per_msg_median"].as_f64().unwrap_or(0.0);
        let cb = b["cpu_us_per_msg_median"].as_f64().unwrap_or(0.0);
        out.insert(
            "equal_rate".into(),
            json!({"rate": common, "smsc": a, "smpp34": b,
                   "cpu_per_msg_ratio_smpp34_over_smsc": ratio(cb, ca)}),
        );
    }
    out.insert("loadavg_after".into(), json!(machine::loadavg()));
    out.insert(
        "elapsed_s".into(),
        json!((started.elapsed().as_secs_f64() * 10.0).round() / 10.0),
    );
    Ok(Value::Object(out))
}
