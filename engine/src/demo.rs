//! `smsedge demo`: the product working, in one command. It starts an SMSC simulator where the
//! embedded default config expects its upstream (127.0.0.1:2776), the proxy on that embedded
//! default (127.0.0.1:2775, account demo/demo), and the load generator through the proxy with
//! receipts on; then it prints the load report and where to look next.

use crate::engine::Engine;
use smsedge_control::Config;
use smsedge_loadgen::{esme, smsc};
use std::time::{Duration, Instant};

/// Runs the demo for `seconds` of load; the exit status is the load generator's verdict.
pub fn run(seconds: u64) -> i32 {
    let config = Config::embedded_default();
    let upstream = config
        .connectors
        .first()
        .map(|c| c.address.clone())
        .unwrap_or_else(|| "127.0.0.1:2776".into());
    let listen = config.server.listen[0];
    eprintln!("demo: SMSC simulator on {upstream}, smsedge on {listen}, load for {seconds}s with receipts");
    let sim = match smsc::Smsc::start(smsc::SmscOptions {
        listen: upstream.clone(),
        quiet: true,
        ..Default::default()
    }) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("demo: cannot start the SMSC simulator on {upstream}: {e}");
            return 1;
        }
    };
    let engine = match Engine::start(config, None) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("demo: {e}");
            sim.stop();
            return 1;
        }
    };
    if let Err(e) = crate::engine::install_signals(engine.shared.clone()) {
        eprintln!("demo: {e}");
    }
    // Every shard opens its own upstream bind: wait for all of them before loading.
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        let up: u64 = engine
            .shared
            .stats
            .iter()
            .map(|s| s.load().connectors.iter().map(|c| c.binds_up).sum::<u64>())
            .sum();
        if up >= engine.shared.shards as u64 {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let opts = esme::EsmeOptions {
        target: listen.to_string(),
        system_id: "demo".into(),
        password: "demo".into(),
        binds: 2 * engine.shared.shards,
        duration: Some(seconds.to_string().parse().expect("seconds parse")),
        dlr: true,
        ..Default::default()
    };
    let report = esme::run_until(opts, &engine.shared.stopping);
    let interrupted = engine.shared.is_stopping();
    // Shards publish their counters a few times a second.
    std::thread::sleep(Duration::from_millis(400));
    let stats = engine.control.hooks().stats();
    engine.stop();
    let admin = engine.admin_path.clone();
    let metrics = engine.metrics_addr;
    engine.join();
    let sim_stats = sim.stop();
    let report = match report {
        Ok(r) => r,
        Err(e) => {
            eprintln!("demo: load generator failed: {e}");
            return 1;
        }
    };
    println!("{}", report.to_json());
    eprintln!();
    eprintln!(
        "demo: the SMSC simulator saw {} submit_sm and sent {} receipts",
        sim_stats.submit_sm, sim_stats.receipts_sent
    );
    eprintln!(
        "demo: smsedge counted {} forwarded",
        stats["connectors"]["smsc"]["forwarded"]
    );
    eprintln!();
    eprintln!("Where to look next:");
    eprintln!(
        "  smsedge run                         the proxy alone, on the same embedded default"
    );
    eprintln!(
        "  smsedge ctl --socket {} stats    live counters (also: binds, status, routes show)",
        admin.display()
    );
    if let Some(m) = metrics {
        eprintln!("  curl http://{m}/metrics   Prometheus metrics while it runs");
    }
    eprintln!("  control/smsedge.example.toml        every config key with its default");
    eprintln!(
        "  smsedge-loadgen esme --help         the load generator on its own (and `smsc --help`)"
    );
    if interrupted {
        return 130;
    }
    i32::from(!report.exit_ok())
}
