//! The `smsedge-loadgen` binary as operators use it: flags of INTERFACES.md, the report on
//! stdout and in `--report`, the SVG plot, exit statuses, and clean exits on SIGTERM/SIGINT.

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_smsedge-loadgen");

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("smsedge-loadgen-cli-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

/// Starts `smsc` on a free port; returns the child and the address it printed.
fn smsc(args: &[&str]) -> (Child, String) {
    let mut child = Command::new(BIN)
        .args(["smsc", "--listen", "127.0.0.1:0", "--quiet"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    let v: Value = serde_json::from_str(&line).expect("first line names the address");
    (child, v["listening"].as_str().unwrap().to_string())
}

fn signal(child: &Child, sig: i32) {
    // SAFETY: kill(2) on the pid of a child this test started and has not reaped.
    assert_eq!(unsafe { libc::kill(child.id() as i32, sig) }, 0);
}

fn wait_with_deadline(mut child: Child, secs: u64) -> Output {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while child.try_wait().unwrap().is_none() {
        assert!(
            Instant::now() < deadline,
            "process did not exit in {secs} s"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn esme(addr: &str, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(["esme", "--target", addr, "--quiet"])
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn report_on_stdout_and_in_file_plot_and_smsc_stats_at_sigterm() {
    let stats = tmp("stats.json");
    let (sim, addr) = smsc(&["--stats", stats.to_str().unwrap(), "--dlr-delay", "1ms"]);
    let report = tmp("report.json");
    let plot = tmp("plot.svg");
    let out = esme(
        &addr,
        &[
            "--binds",
            "2",
            "--window",
            "16",
            "--count",
            "2000",
            "--dlr",
            "--mix",
            "gsm7:70,ucs2:20,long:10",
            "--dest-prefix",
            "4477",
            "--dest-prefix",
            "33",
            "--report",
            report.to_str().unwrap(),
            "--plot",
            plot.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(printed, written);
    for k in [
        "duration_s",
        "submitted",
        "resp_ok",
        "resp_error",
        "unanswered",
        "dlr_requested",
        "dlr_received",
        "tps",
        "latency_us",
    ] {
        assert!(printed.get(k).is_some(), "missing {k}");
    }
    assert_eq!(printed["submitted"], 2000);
    assert_eq!(printed["resp_ok"], 2000);
    assert_eq!(printed["dlr_received"], 2000);
    assert!(printed["latency_us"]["dlr"]["p50"].as_u64().unwrap() >= 1000);
    let svg = std::fs::read_to_string(&plot).unwrap();
    assert!(svg.starts_with("<svg") && svg.matches("<polyline").count() == 2);

    signal(&sim, libc::SIGTERM);
    let done = wait_with_deadline(sim, 20);
    assert!(done.status.success());
    let st: Value = serde_json::from_str(&std::fs::read_to_string(&stats).unwrap()).unwrap();
    for k in [
        "binds",
        "submit_sm",
        "responses_by_status",
        "receipts_sent",
        "mo_sent",
    ] {
        assert!(st.get(k).is_some(), "stats miss {k}");
    }
    assert_eq!(st["binds"], 2);
    assert_eq!(st["submit_sm"], 2000);
    assert_eq!(st["responses_by_status"]["0x00000000"], 2000);
    assert_eq!(st["receipts_sent"], 2000);
}

#[test]
fn exit_status_fails_on_loss_and_errors() {
    let (sim, addr) = smsc(&[
        "--drop-rate",
        "0.05",
        "--error-rate",
        "2%",
        "--error-status",
        "0x58",
    ]);
    let out = esme(
        &addr,
        &["--count", "500", "--resp-timeout", "1s", "--grace", "2s"],
    );
    assert_eq!(out.status.code(), Some(1));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(r["unanswered"].as_u64().unwrap() > 0);
    assert!(r["resp_error"]["0x00000058"].as_u64().unwrap() > 0);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unanswered") && err.contains("--max-errors"),
        "{err}"
    );
    // Bad flags are refused before anything runs.
    let bad = esme(&addr, &["--duration", "8x"]);
    assert_eq!(bad.status.code(), Some(2));
    let bad = esme(&addr, &["--count", "1", "--mix", "klingon:100"]);
    assert_eq!(bad.status.code(), Some(2));
    signal(&sim, libc::SIGINT);
    assert!(wait_with_deadline(sim, 20).status.success());
}

#[test]
fn sigint_stops_sending_drains_and_reports() {
    let (sim, addr) = smsc(&["--latency", "uniform:1ms-3ms"]);
    let mut child = Command::new(BIN)
        .args([
            "esme",
            "--target",
            &addr,
            "--duration",
            "60s",
            "--rate",
            "2000",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait for a progress line that shows traffic, then interrupt.
    let mut progress = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            progress.read_line(&mut line).unwrap() > 0,
            "esme ended early"
        );
        assert!(line.contains("submit"), "unexpected stderr line: {line}");
        if !line.contains("submit        0/s") {
            break;
        }
    }
    signal(&child, libc::SIGINT);
    std::thread::spawn(move || std::io::copy(&mut progress, &mut std::io::sink()));
    let out = wait_with_deadline(child, 20);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let n = r["submitted"].as_u64().unwrap();
    assert!(n > 0 && n < 60 * 2000, "{n}");
    assert_eq!(
        r["resp_ok"], n,
        "every request sent before the signal was answered"
    );
    assert_eq!(r["unanswered"], 0);
    signal(&sim, libc::SIGTERM);
    assert!(wait_with_deadline(sim, 20).status.success());
}
