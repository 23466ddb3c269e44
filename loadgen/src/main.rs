//! `smsedge-loadgen`: the load generator (`esme`) and the SMSC simulator (`smsc`).

use clap::Parser;
use smsedge_loadgen::{esme, rt, smsc};
use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Load generator and SMSC simulator for SMPP.
#[derive(Parser)]
#[command(name = "smsedge-loadgen", version, about)]
enum Cmd {
    /// Bind N ESMEs to an SMPP server and send submit_sm; print the report.
    Esme(esme::EsmeOptions),
    /// Run an SMSC simulator until SIGINT/SIGTERM.
    Smsc(smsc::SmscOptions),
}

fn main() -> ExitCode {
    rt::install_signal_handlers();
    match Cmd::parse() {
        Cmd::Esme(o) => run_esme(o),
        Cmd::Smsc(o) => run_smsc(o),
    }
}

fn run_esme(o: esme::EsmeOptions) -> ExitCode {
    match esme::run(o) {
        Ok(r) => {
            println!("{}", r.to_json());
            for f in r.failures() {
                eprintln!("smsedge-loadgen esme: FAIL: {f}");
            }
            let kicks = rt::watchdog_kicks();
            if kicks > 0 {
                eprintln!(
                    "smsedge-loadgen esme: note: the executor watchdog woke a stalled executor {kicks} times (see rt.rs)"
                );
            }
            if r.exit_ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => {
            eprintln!("smsedge-loadgen esme: {e}");
            ExitCode::from(2)
        }
    }
}

fn run_smsc(o: smsc::SmscOptions) -> ExitCode {
    let quiet = o.quiet;
    let stats_file = o.stats.clone();
    let h = match smsc::Smsc::start(o) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("smsedge-loadgen smsc: {e}");
            return ExitCode::from(2);
        }
    };
    // One line scripts and tests can wait for.
    println!(
        "{}",
        serde_json::json!({ "listening": h.local_addr().to_string() })
    );
    let _ = std::io::stdout().flush();
    let t0 = std::time::Instant::now();
    let mut prev = h.stats();
    let mut next = Duration::from_secs(1);
    while !rt::stop_requested() {
        std::thread::sleep(Duration::from_millis(50));
        if t0.elapsed() >= next {
            next += Duration::from_secs(1);
            let s = h.stats();
            if !quiet {
                let resp: u64 = s.responses_by_status.values().sum();
                let prev_resp: u64 = prev.responses_by_status.values().sum();
                let ok = s
                    .responses_by_status
                    .get("0x00000000")
                    .copied()
                    .unwrap_or(0);
                eprintln!(
                    "[{:>5.0}s] binds {}  submit {:>8}/s  resp {:>8}/s  errors {}  receipts {:>8}/s  mo {}/s  dropped {}",
                    t0.elapsed().as_secs_f64(),
                    s.binds,
                    s.submit_sm + s.submit_multi + s.data_sm
                        - prev.submit_sm
                        - prev.submit_multi
                        - prev.data_sm,
                    resp - prev_resp,
                    resp - ok,
                    s.receipts_sent - prev.receipts_sent,
                    s.mo_sent - prev.mo_sent,
                    s.dropped,
                );
            }
            prev = s;
        }
    }
    let s = h.stop();
    let json = serde_json::to_string(&s).expect("stats serialize");
    println!("{json}");
    if let Some(p) = stats_file {
        if let Err(e) = std::fs::write(&p, json + "\n") {
            eprintln!("smsedge-loadgen smsc: {}: {e}", p.display());
            return ExitCode::from(2);
        }
    }
    ExitCode::SUCCESS
}
