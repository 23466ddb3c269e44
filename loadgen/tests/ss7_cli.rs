//! `smsedge-loadgen ss7` as operators use it: the flags in --help, the `listening` line, the
//! `--stats` file written at SIGTERM, and refusals of bad flags naming the flag.

mod ss7_common;

use serde_json::Value;
use ss7_common::*;
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_smsedge-loadgen");

#[test]
fn help_documents_every_flag() {
    let out = Command::new(BIN).args(["ss7", "--help"]).output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for flag in [
        "--listen",
        "--local-pc",
        "--remote-pc",
        "--routing-context",
        "--network-appearance",
        "--network-indicator",
        "--hlr-gt",
        "--msc-gt",
        "--imsi-prefix",
        "--latency",
        "--sri-errors",
        "--mt-errors",
        "--error-for",
        "--v2-only",
        "--drop-rate",
        "--mo-rate",
        "--mo-to",
        "--mo-from",
        "--mo-text",
        "--smsc-gt",
        "--mo-timeout",
        "--dialogue-timeout",
        "--cpus",
        "--stats",
        "--quiet",
    ] {
        assert!(help.contains(flag), "{flag} missing from --help:\n{help}");
    }
    let top = Command::new(BIN).arg("--help").output().unwrap();
    assert!(String::from_utf8(top.stdout).unwrap().contains("ss7"));
}

#[test]
fn runs_until_sigterm_and_writes_the_stats_file() {
    let stats = std::env::temp_dir().join(format!("smsedge-ss7-cli-{}.json", std::process::id()));
    let _ = std::fs::remove_file(&stats);
    let mut child = Command::new(BIN)
        .args([
            "ss7",
            "--listen",
            "127.0.0.1:0",
            "--quiet",
            "--routing-context",
            "7",
        ])
        .args(["--error-for", "0001=sri:unknownSubscriber", "--stats"])
        .arg(&stats)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let v: Value = serde_json::from_str(&line).expect("first line names the address");
    let addr = v["listening"].as_str().unwrap().parse().unwrap();
    let mut c = Client::connect(addr);
    c.rc = Some(7);
    c.up();
    for (otid, msisdn) in [(1, "447700900001"), (2, "447700900002")] {
        c.send_tcap(&gt(6, msisdn), &smsc_addr(), &sri_begin(otid, msisdn, 3));
        c.recv_tcap();
    }
    // SAFETY: SIGTERM to the child this test started and has not reaped.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "did not exit on SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success());
    let mut rest = String::new();
    out.read_to_string(&mut rest).unwrap();
    let file = std::fs::read_to_string(&stats).unwrap();
    assert_eq!(rest.trim(), file.trim(), "stdout prints the same JSON");
    let s: Value = serde_json::from_str(&file).unwrap();
    for k in [
        "associations",
        "aspac",
        "sri",
        "sri_errors",
        "mt_forward_sm",
        "mt_errors",
        "parts",
        "mo_sent",
        "mo_answered_ok",
        "mo_answered_error",
        "mo_timeouts",
        "dropped",
        "check_failures",
    ] {
        assert!(s.get(k).is_some(), "{k} missing from {file}");
    }
    assert_eq!(s["associations"], 1);
    assert_eq!(s["aspac"], 1);
    assert_eq!(s["sri"], 2);
    assert_eq!(s["sri_ok"], 1);
    assert_eq!(s["sri_errors"]["unknownSubscriber"], 1);
    let _ = std::fs::remove_file(&stats);
}

#[test]
fn bad_flags_are_refused_naming_them() {
    let run = |args: &[&str]| {
        let out = Command::new(BIN)
            .args(["ss7", "--listen", "127.0.0.1:0", "--quiet"])
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (code, err) = run(&["--sri-errors", "sm-DeliveryFailure:5"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("does not return sm-DeliveryFailure"), "{err}");
    let (code, err) = run(&["--error-for", "0001=mt:unknownSubscriber"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("--error-for"), "{err}");
    let (code, err) = run(&["--mo-rate", "5"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("--smsc-gt"), "{err}");
}
