//! smsedge under load from the load generator, with SMSC simulators upstream: an upstream
//! killed mid-load (every request answered, later traffic on the backup), the account tps cap,
//! route pushes and connector disable/enable under continuous load, and metrics that agree
//! with the generator's report.

use smsedge_loadgen::{esme, smsc};
use smsedge_tests::*;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The load tests share two cores: run them one at a time so that each one's timing checks
/// measure smsedge, not the neighbouring tests' generators and simulators.
fn serial() -> MutexGuard<'static, ()> {
    static LOAD: Mutex<()> = Mutex::new(());
    LOAD.lock().unwrap_or_else(|e| e.into_inner())
}

/// Polls a counter until it passes `above`; a contended machine may start the load late, so
/// positive checks wait (up to 10 s) where negative ones ("nothing more") use fixed windows.
fn wait_above(what: &str, above: u64, count: impl Fn() -> u64) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let n = count();
        if n > above {
            return n;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: {n} after 10 s, want > {above}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn sim() -> smsc::SmscHandle {
    smsc::Smsc::start(smsc::SmscOptions {
        listen: "127.0.0.1:0".into(),
        quiet: true,
        ..Default::default()
    })
    .expect("start SMSC simulator")
}

fn config(a: &smsc::SmscHandle, b: &smsc::SmscHandle, account_extra: &str, routes: &str) -> String {
    format!(
        r#"
[[account]]
system_id = "load"
password = "pw"
{account_extra}

[[connector]]
name = "a"
kind = "smpp"
address = "{}"
system_id = "proxy"
password = "pw"
window = 64
reconnect_min = "200ms"
reconnect_max = "1s"

[[connector]]
name = "b"
kind = "smpp"
address = "{}"
system_id = "proxy"
password = "pw"
window = 64
reconnect_min = "200ms"
reconnect_max = "1s"

{routes}
"#,
        a.local_addr(),
        b.local_addr()
    )
}

fn wait_binds(s: &Smsedge, n: usize) {
    for _ in 0..150 {
        let v = s.ctl(&["binds"]);
        if v["binds"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|b| b["side"] == "upstream" && b["state"] == "Bound")
            .count()
            >= n
        {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("upstream binds not up: {}", s.ctl(&["binds"]));
}

fn load(s: &Smsedge, binds: usize, rate: f64, secs: u64, dlr: bool) -> esme::EsmeOptions {
    esme::EsmeOptions {
        target: s.addr.to_string(),
        system_id: "load".into(),
        password: "pw".into(),
        binds,
        rate,
        duration: Some(secs.to_string().parse().unwrap()),
        dest_prefix: vec!["44".into()],
        dlr,
        quiet: true,
        ..Default::default()
    }
}

fn run_load(opts: esme::EsmeOptions) -> std::thread::JoinHandle<smsedge_loadgen::Report> {
    std::thread::spawn(move || esme::run(opts).expect("load generator"))
}

#[test]
fn upstream_killed_mid_load_every_request_answered_and_backup_takes_over() {
    let _serial = serial();
    let a = sim();
    let b = sim();
    let s = Smsedge::start(
        "shards = 2",
        &config(
            &a,
            &b,
            "",
            "[[route]]\nprefix = \"\"\nconnectors = [\"a\", \"b\"]\nstrategy = \"failover\"\n",
        ),
    );
    wait_binds(&s, 4);
    let gen = run_load(load(&s, 4, 4000.0, 12, false));
    wait_above("primary carried the traffic first", 4000, || {
        a.stats().submit_sm
    });
    let before = a.stats().submit_sm;
    // Failover picks the first connector that is bound and below its caps: the backup only
    // gets what overflows a full primary window, a sliver on a busy machine.
    let spill = b.stats().submit_sm;
    assert!(
        spill * 20 < before,
        "backup nearly idle while the primary is up: {spill} vs {before}"
    );
    let a_final = a.stop();
    let report = gen.join().unwrap();
    let answered = report.resp_ok + report.resp_error.values().sum::<u64>();
    assert_eq!(report.unanswered, 0, "{}", report.to_json());
    assert_eq!(
        report.submitted,
        answered,
        "count sent == count answered: {}",
        report.to_json()
    );
    let b_now = b.stats().submit_sm;
    assert!(b_now > 5000, "later traffic went to the backup: {b_now}");
    // Whatever the killed primary had in flight was retried on the backup or failed: the
    // errors are bounded by what was in flight (2 shards x 64 window).
    let errors: u64 = report.resp_error.values().sum();
    assert!(
        errors <= 128,
        "{} ({} seen by the primary)",
        report.to_json(),
        a_final.submit_sm
    );
    let stats = s.ctl(&["stats"]);
    assert!(
        stats["connectors"]["a"]["binds_up"].as_u64().unwrap() == 0,
        "{stats}"
    );
}

#[test]
fn account_tps_holds_across_binds_and_shards() {
    let _serial = serial();
    let a = sim();
    let b = sim();
    let s = Smsedge::start(
        "shards = 2",
        &config(
            &a,
            &b,
            "tps = 1000",
            "[[route]]\nprefix = \"\"\nconnectors = [\"a\"]\n",
        ),
    );
    // Both connectors on both shards: with fewer, one shard may still be binding `a` when
    // the load starts (its first submits would rightly fail as unroutable).
    wait_binds(&s, 4);
    let report = run_load(load(&s, 4, 5000.0, 5, false)).join().unwrap();
    assert_eq!(report.unanswered, 0);
    let throttled = report.resp_error.get("0x00000058").copied().unwrap_or(0);
    assert_eq!(
        report.resp_ok + throttled,
        report.submitted,
        "only ESME_RTHROTTLED refusals: {}",
        report.to_json()
    );
    // 1000/s for the 5 s of sending, within 5%.
    let ok = report.resp_ok as f64;
    assert!(
        (4750.0..=5250.0).contains(&ok),
        "accepted {ok} in 5 s at tps 1000: {}",
        report.to_json()
    );
    assert_eq!(a.stats().submit_sm, report.resp_ok);
}

#[test]
fn route_push_moves_traffic_within_a_second_and_a_broken_push_changes_nothing() {
    let _serial = serial();
    let a = sim();
    let b = sim();
    let s = Smsedge::start(
        "shards = 2",
        &config(
            &a,
            &b,
            "",
            "[[route]]\nprefix = \"44\"\nconnectors = [\"a\"]\n",
        ),
    );
    wait_binds(&s, 4);
    let gen = run_load(load(&s, 2, 3000.0, 10, true));
    wait_above("A carries the traffic first", 1000, || a.stats().submit_sm);
    let dir = tempfile::tempdir().unwrap();
    let to_b = dir.path().join("to_b.toml");
    std::fs::write(&to_b, "[[route]]\nprefix = \"44\"\nconnectors = [\"b\"]\n").unwrap();
    let v0 = s.ctl(&["status"])["routes_version"].as_u64().unwrap();
    let diff = s.ctl(&["routes", "diff", to_b.to_str().unwrap()]);
    assert!(diff.to_string().contains("\"b\""), "{diff}");
    let pushed = s.ctl(&["routes", "push", to_b.to_str().unwrap()]);
    let t_push = Instant::now();
    assert_eq!(pushed["ok"], true, "{pushed}");
    assert_eq!(pushed["routes_version"].as_u64(), Some(v0 + 1));
    // Within one second A stops receiving and B takes the traffic.
    std::thread::sleep(Duration::from_millis(1000));
    let a1 = a.stats().submit_sm;
    let b1 = b.stats().submit_sm;
    std::thread::sleep(Duration::from_millis(1000));
    assert_eq!(
        a.stats().submit_sm,
        a1,
        "A still receives {}s after the push",
        t_push.elapsed().as_secs_f32()
    );
    wait_above("B carries the traffic", b1 + 1000, || b.stats().submit_sm);
    // A broken table: refused with a clear error, traffic unchanged.
    let broken = dir.path().join("broken.toml");
    std::fs::write(
        &broken,
        "[[route]]\nprefix = \"44\"\nconnectors = [\"nope\"]\n",
    )
    .unwrap();
    let out = std::process::Command::new(bin("smsedge"))
        .args(["ctl", "--socket"])
        .arg(&s.admin)
        .args(["routes", "push"])
        .arg(&broken)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("route 1") && err.contains("nope"), "{err}");
    assert_eq!(s.ctl(&["status"])["routes_version"].as_u64(), Some(v0 + 1));
    let b2 = b.stats().submit_sm;
    wait_above("traffic unchanged after the refused push", b2, || {
        b.stats().submit_sm
    });
    let report = gen.join().unwrap();
    assert!(
        report.ok,
        "zero errors, zero unanswered, every receipt: {}",
        report.to_json()
    );
    assert!(report.resp_error.is_empty());
}

#[test]
fn disabled_connector_drains_and_gets_nothing_then_comes_back() {
    let _serial = serial();
    let a = sim();
    let b = sim();
    let s = Smsedge::start(
        "shards = 2",
        &config(
            &a,
            &b,
            "",
            "[[route]]\nprefix = \"\"\nconnectors = [\"a\", \"b\"]\n",
        ),
    );
    wait_binds(&s, 4);
    let gen = run_load(load(&s, 2, 3000.0, 12, true));
    wait_above("both connectors take traffic", 1000, || a.stats().submit_sm);
    assert_eq!(s.ctl(&["connector", "disable", "a"])["ok"], true);
    std::thread::sleep(Duration::from_millis(500));
    let a1 = a.stats().submit_sm;
    let b1 = b.stats().submit_sm;
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(
        a.stats().submit_sm,
        a1,
        "a disabled connector receives no new traffic"
    );
    wait_above("the other connector takes it all", b1 + 1000, || {
        b.stats().submit_sm
    });
    let stats = s.ctl(&["stats"]);
    assert_eq!(
        stats["connectors"]["a"]["inflight"], 0,
        "its in-flight requests were answered: {stats}"
    );
    assert_eq!(s.ctl(&["connector", "enable", "a"])["ok"], true);
    wait_above("enabled again, it takes traffic again", a1 + 500, || {
        a.stats().submit_sm
    });
    let report = gen.join().unwrap();
    assert!(report.ok, "{}", report.to_json());
}

#[test]
fn metrics_agree_with_the_load_generator() {
    let _serial = serial();
    let a = sim();
    let b = sim();
    let s = Smsedge::start(
        "shards = 2",
        &config(
            &a,
            &b,
            "",
            "[[route]]\nprefix = \"\"\nconnectors = [\"a\"]\n",
        ),
    );
    wait_binds(&s, 2);
    let gen = run_load(load(&s, 2, 5000.0, 3, true));
    // Scraped during the load: well-formed and counting.
    std::thread::sleep(Duration::from_millis(1500));
    let mid = s.metrics_text();
    assert!(mid.starts_with("HTTP/1.1 200"), "{mid}");
    assert!(metric_sum(&mid, "smsedge_requests_total", &[("account", "load")]) > 0.0);
    let report = gen.join().unwrap();
    assert!(report.ok, "{}", report.to_json());
    std::thread::sleep(Duration::from_millis(600));
    let text = s.metrics_text();
    assert_eq!(
        metric_sum(
            &text,
            "smsedge_requests_total",
            &[("account", "load"), ("command", "submit_sm")]
        ) as u64,
        report.submitted
    );
    assert_eq!(
        metric_sum(
            &text,
            "smsedge_responses_total",
            &[("account", "load"), ("status", "0x00000000")]
        ) as u64,
        report.resp_ok
    );
    assert_eq!(
        metric_sum(&text, "smsedge_delivered_total", &[("account", "load")]) as u64,
        report.dlr_received
    );
    assert_eq!(
        metric_sum(
            &text,
            "smsedge_upstream_requests_total",
            &[("connector", "a")]
        ) as u64,
        a.stats().submit_sm
    );
    assert!(
        text.contains(
            "smsedge_upstream_latency_seconds{connector=\"a\",shard=\"0\",quantile=\"0.99\"}"
        ),
        "{text}"
    );
}
