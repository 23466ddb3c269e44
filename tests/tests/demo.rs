//! `smsedge demo --seconds 5`, the README's main-job command, gives a clean report.

use serde_json::Value;
use smsedge_tests::bin;
use std::process::Command;

#[test]
fn demo_runs_clean() {
    let out = Command::new(bin("smsedge"))
        .args(["demo", "--seconds", "5"])
        .output()
        .expect("run smsedge demo");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "demo failed:\n{stdout}\n{stderr}");
    let report: Value = stdout
        .lines()
        .find_map(|l| serde_json::from_str(l).ok())
        .unwrap_or_else(|| panic!("no report: {stdout}"));
    assert_eq!(report["ok"], true, "{report}");
    assert_eq!(report["unanswered"], 0);
    assert_eq!(report["dlr_missing"], 0);
    assert_eq!(report["resp_error"], serde_json::json!({}));
    let submitted = report["submitted"].as_u64().unwrap();
    assert!(submitted > 0);
    assert_eq!(report["resp_ok"].as_u64(), Some(submitted));
    assert_eq!(report["dlr_received"].as_u64(), Some(submitted));
    assert!(stderr.contains("Where to look next"), "{stderr}");
    assert!(
        stderr.contains(&format!("smsedge counted {submitted} forwarded")),
        "{stderr}"
    );
}
