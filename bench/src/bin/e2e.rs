//! `e2e`: the end-to-end forwarding benchmark, one command.
//!
//! `cargo run --release -p smsedge-bench --bin e2e` (or `bench/e2e.sh`)
//!
//! On a machine with two CPUs: the proxy under test alone on the first CPU, the SMSC simulator
//! and the load generator together on the second. For smsedge (one shard), then a byte relay
//! on the same I/O stack (`relay`, the physical limit of a proxy here), then HAProxy in TCP
//! mode (installed with apt-get when missing), it:
//!
//! 1. probes the ceiling: `--rate 0` (as fast as the windows allow) `--probes` times;
//! 2. finds the highest rate that holds for `--seconds` with zero error responses, zero
//!    unanswered requests and every receipt back (`--dlr`), starting at the ceiling and
//!    bisecting down to 4 % of it;
//! 3. measures latency percentiles at half of smsedge's held rate (the same rate for every
//!    system, and for the generator talking to the simulator directly, so the added latency
//!    of each proxy is the difference).
//!
//! It prints a summary on stderr and the JSON on stdout, and writes it to
//! `bench/results/e2e.json` (`--out`). `--target HOST:PORT` measures any other SMPP proxy
//! instead (steps 1-3 on that target only; `--smsc ADDR` also starts the simulator there for
//! it to forward to).

use clap::Parser;
use serde_json::{json, Map, Value};
use smsedge_bench::load::{median, Generator, Run};
use smsedge_bench::machine;
use smsedge_bench::proc::{self, Proc};
use std::io::{self, BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// End-to-end benchmark: smsedge vs a byte relay vs HAProxy, or any SMPP proxy.
#[derive(Debug, Parser)]
#[command(name = "e2e")]
struct Opts {
    /// Measure this SMPP proxy (already running) instead of smsedge, relay and HAProxy.
    #[arg(long)]
    target: Option<String>,
    /// Run the SMSC simulator on this address (default: a free port; with --target the
    /// simulator is started only when this is given).
    #[arg(long)]
    smsc: Option<SocketAddr>,
    /// Which systems to measure, in order (smsedge goes first: its rate sets the latency load).
    #[arg(long, value_delimiter = ',', default_value = "engine,relay,haproxy")]
    systems: Vec<String>,
    /// How long a rate must hold.
    #[arg(long, default_value_t = 10.0)]
    seconds: f64,
    /// Ceiling probes (`--rate 0`) per system; their median starts the search.
    #[arg(long, default_value_t = 3)]
    probes: usize,
    /// Length of one ceiling probe.
    #[arg(long, default_value_t = 5.0)]
    probe_seconds: f64,
    /// Rate steps tried per system at most.
    #[arg(long, default_value_t = 5)]
    max_steps: usize,
    /// Generator binds (connections).
    #[arg(long, default_value_t = 4)]
    binds: usize,
    /// Generator window per bind.
    #[arg(long, default_value_t = 1000)]
    window: usize,
    /// Credentials the generator binds with (smsedge's config is written with them).
    #[arg(long, default_value = "bench")]
    system_id: String,
    #[arg(long, default_value = "bench")]
    password: String,
    /// Without receipts (default: every message asks for one and waits for it).
    #[arg(long)]
    no_dlr: bool,
    /// Messages waiting for their receipt at most, over all binds (the generator's
    /// --dlr-window; default 10 x binds x window).
    #[arg(long)]
    dlr_window: Option<u64>,
    /// Unrecorded run at `--rate 0` before the probes of each system (first-touch memory,
    /// connection set-up).
    #[arg(long, default_value_t = 3.0)]
    warmup_seconds: f64,
    /// CPU for the proxy (default: the first this process may use).
    #[arg(long)]
    proxy_cpu: Option<usize>,
    /// CPU for the simulator and the generator (default: the second).
    #[arg(long)]
    load_cpu: Option<usize>,
    /// Where the JSON goes.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/results/e2e.json"))]
    out: PathBuf,
    /// Do not run `cargo build` for the binaries first (they must be beside this one).
    #[arg(long)]
    no_build: bool,
}

/// smsedge's upstream binds per shard and their window: together at least the generator's
/// open requests, so no message waits for upstream room.
const ENGINE_UPSTREAM_BINDS: usize = 4;

fn main() {
    let o = Opts::parse();
    match run(&o) {
        Ok(v) => {
            let text = serde_json::to_string_pretty(&v).expect("json");
            println!("{text}");
            if let Some(dir) = o.out.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            match std::fs::write(&o.out, text + "\n") {
                Ok(()) => eprintln!("e2e: wrote {}", o.out.display()),
                Err(e) => {
                    eprintln!("e2e: {}: {e}", o.out.display());
                    std::process::exit(1);
                }
            }
        }
        Err(e) => {
            eprintln!("e2e: {e}");
            std::process::exit(1);
        }
    }
}

fn log(msg: impl AsRef<str>) {
    eprintln!("e2e: {}", msg.as_ref());
}

fn run(o: &Opts) -> io::Result<Value> {
    let started = Instant::now();
    if !o.no_build {
        build()?;
    }
    let loadgen = proc::sibling("smsedge-loadgen")?;
    let allowed = proc::allowed_cpus();
    let proxy_cpu = o.proxy_cpu.or(allowed.first().copied()).unwrap_or(0);
    let load_cpu = o
        .load_cpu
        .or(allowed.iter().copied().find(|&c| c != proxy_cpu))
        .ok_or_else(|| {
            io::Error::other(format!("two CPUs needed, this process may use {allowed:?}"))
        })?;
    let gen = Generator {
        program: loadgen.clone(),
        cpus: load_cpu.to_string(),
        binds: o.binds,
        window: o.window,
        dlr: !o.no_dlr,
        dlr_window: o.dlr_window.unwrap_or(10 * (o.binds * o.window) as u64),
        system_id: o.system_id.clone(),
        password: o.password.clone(),
    };
    let mut out = machine::report_head();
    out.insert(
        "setup".into(),
        json!({
            "proxy_cpu": proxy_cpu, "load_cpu": load_cpu, "binds": o.binds, "window": o.window,
            "dlr": !o.no_dlr, "dlr_window": gen.dlr_window, "warmup_seconds": o.warmup_seconds,
            "hold_seconds": o.seconds, "probes": o.probes,
            "probe_seconds": o.probe_seconds,
            "holds_when": "generator exit ok, 0 error responses, 0 unanswered, 0 receipts missing, >= 98% of rate x seconds sent",
        }),
    );

    let mut sim = None;
    if o.target.is_none() || o.smsc.is_some() {
        let listen = o.smsc.map_or("127.0.0.1:0".to_string(), |a| a.to_string());
        let mut p = Proc::spawn(
            "smsc simulator",
            Some(&load_cpu.to_string()),
            &loadgen,
            &[
                "smsc".into(),
                "--listen".into(),
                listen,
                "--cpus".into(),
                load_cpu.to_string(),
                "--quiet".into(),
            ],
        )?;
        let addr = p.wait_listening(Duration::from_secs(10))?;
        log(format!("SMSC simulator on {addr} (CPU {load_cpu})"));
        sim = Some((p, addr));
    }

    if let Some(target) = &o.target {
        let r = measure(o, &gen, target, None)?;
        let half = (r.held / 2.0).round();
        let lat = if half > 0.0 {
            let l = gen.run(target, half, o.seconds, None)?;
            log(format!("target at {half}/s: {}", summary_latency(&l)));
            json!({"rate": half, "target": latency_json(&l)})
        } else {
            Value::Null
        };
        out.insert("target".into(), json!(target));
        out.insert("target_tps".into(), json!(r.held));
        out.insert("latency_us_at_half_load".into(), lat);
        out.insert("systems".into(), json!({ "target": r.json }));
        finish(&mut out, started);
        return Ok(Value::Object(out));
    }

    let (_, sim_addr) = sim.as_ref().expect("simulator started");
    let sim_addr = *sim_addr;
    let tmp = TempDir::new()?;
    let mut held: Map<String, Value> = Map::new();
    let mut systems = Map::new();
    let mut latency = Map::new();
    let mut half: Option<f64> = None;
    for name in &o.systems {
        let started_proxy = match name.as_str() {
            "engine" => start_engine(o, proxy_cpu, sim_addr, &tmp),
            "relay" => start_relay(proxy_cpu, sim_addr),
            "haproxy" => start_haproxy(proxy_cpu, sim_addr, &tmp),
            other => Err(io::Error::other(format!(
                "unknown system {other:?} (engine, relay, haproxy)"
            ))),
        };
        let (mut p, addr) = match started_proxy {
            Ok(v) => v,
            Err(e) => {
                log(format!("{name}: not measured: {e}"));
                held.insert(name.clone(), Value::Null);
                systems.insert(name.clone(), json!({ "error": e.to_string() }));
                continue;
            }
        };
        log(format!(
            "{name} on {addr} (CPU {proxy_cpu}), pid {}",
            p.pid()
        ));
        let target = addr.to_string();
        let r = measure(o, &gen, &target, Some(p.pid()))?;
        let mut sys = r.json;
        let h = *half.get_or_insert((r.held / 2.0).round());
        if h > 0.0 {
            let l = gen.run(&target, h, o.seconds, Some(p.pid()))?;
            log(format!("{name} at {h}/s: {}", summary_latency(&l)));
            sys["half_load"] = run_json(&l);
            latency.insert(name.clone(), latency_json(&l));
        }
        if !p.is_running() {
            log(format!("{name} died during the measurement"));
            sys["error"] = json!("the process exited during the measurement");
        }
        p.stop(Duration::from_secs(8));
        held.insert(name.clone(), json!(r.held));
        systems.insert(name.clone(), sys);
    }
    let h = half.unwrap_or(0.0);
    if h > 0.0 {
        let l = gen.run(&sim_addr.to_string(), h, o.seconds, None)?;
        log(format!(
            "direct (no proxy) at {h}/s: {}",
            summary_latency(&l)
        ));
        latency.insert("direct".into(), latency_json(&l));
    }
    let tps = |k: &str| held.get(k).and_then(Value::as_f64);
    let ratio = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => json!((a / b * 1000.0).round() / 1000.0),
        _ => Value::Null,
    };
    out.insert("engine_tps".into(), json!(tps("engine")));
    out.insert("relay_tps".into(), json!(tps("relay")));
    out.insert("haproxy_tps".into(), json!(tps("haproxy")));
    out.insert("ratio_vs_relay".into(), ratio(tps("engine"), tps("relay")));
    out.insert(
        "ratio_vs_haproxy".into(),
        ratio(tps("engine"), tps("haproxy")),
    );
    let mut lat = Map::new();
    lat.insert("rate".into(), json!(h));
    for k in ["direct", "engine", "relay", "haproxy"] {
        if let Some(v) = latency.get(k) {
            lat.insert(k.into(), v.clone());
        }
    }
    for sys in ["engine", "relay", "haproxy"] {
        for p in ["p50", "p99"] {
            let get = |k: &str| latency.get(k).and_then(|v| v["submit_resp"][p].as_f64());
            if let (Some(a), Some(d)) = (get(sys), get("direct")) {
                lat.insert(format!("{sys}_added_{p}"), json!(a - d));
            }
        }
    }
    out.insert("latency_us_at_half_load".into(), Value::Object(lat));
    out.insert("systems".into(), Value::Object(systems));
    if let Some((mut p, _)) = sim {
        p.stop(Duration::from_secs(5));
    }
    finish(&mut out, started);
    print_summary(&out);
    Ok(Value::Object(out))
}

fn finish(out: &mut Map<String, Value>, started: Instant) {
    out.insert("loadavg_after".into(), json!(machine::loadavg()));
    out.insert(
        "elapsed_s".into(),
        json!((started.elapsed().as_secs_f64() * 10.0).round() / 10.0),
    );
}

/// What `measure` found for one system.
struct Found {
    /// The highest rate that held (0 when none did).
    held: f64,
    json: Value,
}

/// Ceiling probes, then the search for the highest rate that holds.
fn measure(o: &Opts, gen: &Generator, target: &str, pid: Option<u32>) -> io::Result<Found> {
    if o.warmup_seconds > 0.0 {
        let w = gen.run(target, 0.0, o.warmup_seconds, pid)?;
        log(format!("  warm-up: {:.0}/s, {}", w.tps(), w.verdict()));
    }
    let mut probes = Vec::new();
    for i in 0..o.probes.max(1) {
        let r = gen.run(target, 0.0, o.probe_seconds, pid)?;
        log(format!(
            "  ceiling probe {}: {:.0}/s ({}){}{}",
            i + 1,
            r.tps(),
            r.verdict(),
            r.server_busy()
                .map_or(String::new(), |b| format!(", proxy CPU {:.0}%", b * 100.0)),
            r.server_cpu_us_per_msg()
                .map_or(String::new(), |c| format!(", {c:.2} µs CPU/msg")),
        ));
        probes.push(r);
    }
    let tps: Vec<f64> = probes.iter().map(Run::tps).collect();
    let ceiling = median(&tps);
    let mut steps = Vec::new();
    let (mut lo, mut hi): (Option<f64>, Option<f64>) = (None, None);
    let descend = [1.0, 0.9, 0.75, 0.5, 0.25, 0.1];
    let mut next = round_rate(ceiling);
    for _ in 0..o.max_steps.max(1) {
        if next <= 0.0 {
            break;
        }
        let r = gen.run(target, next, o.seconds, pid)?;
        log(format!(
            "  {next:.0}/s for {}s: {} (tps {:.0})",
            o.seconds,
            r.verdict(),
            r.tps()
        ));
        let ok = r.holds();
        steps.push(
            json!({"rate": next, "holds": ok, "tps": r.tps(), "verdict": r.verdict(),
                          "p99_us": r.latency("submit_resp")["p99"]}),
        );
        if ok {
            lo = Some(next);
        } else {
            hi = Some(next);
        }
        next = match (lo, hi) {
            // Held at the ceiling itself: nothing above it to look for.
            (Some(_), None) => break,
            (None, Some(h)) => {
                let f = h / ceiling.max(1.0);
                let d = descend
                    .iter()
                    .copied()
                    .find(|&d| d < f - 0.01)
                    .unwrap_or(f / 2.0);
                round_rate(ceiling * d)
            }
            (Some(l), Some(h)) => {
                if (h - l) <= 0.04 * ceiling {
                    break;
                }
                round_rate((l + h) / 2.0)
            }
            (None, None) => break,
        };
    }
    let held = lo.unwrap_or(0.0);
    log(format!(
        "  highest rate that held: {held:.0}/s (ceiling {ceiling:.0}/s)"
    ));
    let cpu: Vec<f64> = probes
        .iter()
        .filter_map(Run::server_cpu_us_per_msg)
        .collect();
    let busy: Vec<f64> = probes.iter().filter_map(Run::server_busy).collect();
    let json = json!({
        "held_tps": held,
        "ceiling_tps": ceiling,
        "ceiling_probes": tps,
        "cpu_us_per_msg_at_ceiling": (!cpu.is_empty()).then(|| round3(median(&cpu))),
        "cpu_busy_at_ceiling": (!busy.is_empty()).then(|| round3(median(&busy))),
        "probe_latency_us": probes.iter().map(|r| r.latency("submit_resp")).collect::<Vec<_>>(),
        "steps": steps,
    });
    Ok(Found { held, json })
}

fn round_rate(r: f64) -> f64 {
    (r / 1000.0).round() * 1000.0
}

fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

fn latency_json(r: &Run) -> Value {
    json!({"submit_resp": r.latency("submit_resp"), "dlr": r.latency("dlr"), "tps": r.tps(), "holds": r.holds()})
}

fn run_json(r: &Run) -> Value {
    json!({"rate": r.rate, "tps": r.tps(), "holds": r.holds(), "verdict": r.verdict(),
           "cpu_us_per_msg": r.server_cpu_us_per_msg().map(round3),
           "cpu_busy": r.server_busy().map(round3)})
}

fn summary_latency(r: &Run) -> String {
    let l = r.latency("submit_resp");
    format!(
        "submit→resp p50 {} µs, p99 {} µs, p999 {} µs ({})",
        l["p50"],
        l["p99"],
        l["p999"],
        r.verdict()
    )
}

fn print_summary(out: &Map<String, Value>) {
    let g = |k: &str| out.get(k).cloned().unwrap_or(Value::Null);
    eprintln!();
    eprintln!("e2e summary ({}):", g("date").as_str().unwrap_or(""));
    eprintln!(
        "  held rate with receipts: smsedge {}  relay {}  haproxy {}",
        g("engine_tps"),
        g("relay_tps"),
        g("haproxy_tps")
    );
    eprintln!(
        "  smsedge / relay = {}   smsedge / haproxy = {}",
        g("ratio_vs_relay"),
        g("ratio_vs_haproxy")
    );
    let l = g("latency_us_at_half_load");
    eprintln!("  at {}/s, submit→resp p50/p99 µs:", l["rate"]);
    for k in ["direct", "engine", "relay", "haproxy"] {
        let s = &l[k]["submit_resp"];
        if !s.is_null() {
            eprintln!("    {k:8} {:>7} {:>7}", s["p50"], s["p99"]);
        }
    }
    eprintln!(
        "  smsedge added latency: p50 {} µs, p99 {} µs",
        l["engine_added_p50"], l["engine_added_p99"]
    );
}

/// Builds the binaries this harness runs (a no-op when they are fresh).
fn build() -> io::Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    log("building smsedge, smsedge-loadgen and the bench binaries (release)");
    let st = Command::new(cargo)
        .current_dir(&root)
        .args([
            "build",
            "--release",
            "-p",
            "smsedge-engine",
            "-p",
            "smsedge-loadgen",
            "-p",
            "smsedge-bench",
            "--bins",
        ])
        .status()?;
    if st.success() {
        Ok(())
    } else {
        Err(io::Error::other(format!("cargo build failed ({st})")))
    }
}

/// A folder removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> io::Result<TempDir> {
        let p = std::env::temp_dir().join(format!("smsedge-e2e-{}", std::process::id()));
        std::fs::create_dir_all(&p)?;
        Ok(TempDir(p))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// smsedge with one shard on `cpu`, in front of the simulator; returns once its upstream binds
/// are all up.
fn start_engine(
    o: &Opts,
    cpu: usize,
    sim: SocketAddr,
    tmp: &TempDir,
) -> io::Result<(Proc, SocketAddr)> {
    let bin = proc::sibling("smsedge")?;
    let port = proc::free_port()?;
    let admin = tmp.0.join("admin.sock");
    let config = format!(
        r#"# written by bench e2e
[server]
listen = ["127.0.0.1:{port}"]
shards = 1
admin_socket = "{admin}"
metrics_listen = ""
log_level = "warn"

[[account]]
system_id = "{sid}"
password = "{pw}"
max_binds = 64
window = {window}

[[connector]]
name = "smsc"
kind = "smpp"
address = "{sim}"
binds = {binds}
window = {window}

[[route]]
prefix = ""
connectors = ["smsc"]
"#,
        admin = admin.display(),
        sid = o.system_id,
        pw = o.password,
        window = o.window.max(1),
        binds = ENGINE_UPSTREAM_BINDS,
    );
    let path = tmp.0.join("smsedge.toml");
    std::fs::write(&path, config)?;
    let mut p = Proc::spawn(
        "smsedge",
        Some(&cpu.to_string()),
        &bin,
        &["run".into(), "--config".into(), path.display().to_string()],
    )?;
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    proc::wait_accepting(addr, Duration::from_secs(20))?;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let up = admin_request(&admin, r#"{"cmd": "stats"}"#)
            .ok()
            .and_then(|v| v["connectors"]["smsc"]["binds_up"].as_u64())
            .unwrap_or(0);
        if up >= ENGINE_UPSTREAM_BINDS as u64 {
            break;
        }
        if !p.is_running() || Instant::now() >= deadline {
            return Err(io::Error::other(format!(
                "smsedge: {up} of {ENGINE_UPSTREAM_BINDS} upstream binds up after 20 s"
            )));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok((p, addr))
}

/// One request on smsedge's admin socket (newline-delimited JSON).
fn admin_request(path: &Path, req: &str) -> io::Result<Value> {
    let mut s = UnixStream::connect(path)?;
    s.set_read_timeout(Some(Duration::from_secs(2)))?;
    s.write_all(req.as_bytes())?;
    s.write_all(b"\n")?;
    let mut line = String::new();
    BufReader::new(s).read_line(&mut line)?;
    serde_json::from_str(&line).map_err(io::Error::other)
}

fn start_relay(cpu: usize, sim: SocketAddr) -> io::Result<(Proc, SocketAddr)> {
    let bin = proc::sibling("relay")?;
    let mut p = Proc::spawn(
        "relay",
        Some(&cpu.to_string()),
        &bin,
        &[
            "--listen".into(),
            "127.0.0.1:0".into(),
            "--upstream".into(),
            sim.to_string(),
            "--cpus".into(),
            cpu.to_string(),
        ],
    )?;
    let addr = p.wait_listening(Duration::from_secs(10))?;
    Ok((p, addr))
}

/// HAProxy in TCP mode with one thread, as an operator would run it for L4 relaying.
fn start_haproxy(cpu: usize, sim: SocketAddr, tmp: &TempDir) -> io::Result<(Proc, SocketAddr)> {
    let bin = ensure_haproxy()?;
    let port = proc::free_port()?;
    let cfg = format!(
        "# written by bench e2e\n\
         global\n    nbthread 1\n    maxconn 1000\n\
         defaults\n    mode tcp\n    timeout connect 5s\n    timeout client 60s\n    timeout server 60s\n\
         listen smpp\n    bind 127.0.0.1:{port}\n    server smsc {sim}\n"
    );
    let path = tmp.0.join("haproxy.cfg");
    std::fs::write(&path, cfg)?;
    let p = Proc::spawn(
        "haproxy",
        Some(&cpu.to_string()),
        &bin,
        &["-db".into(), "-f".into(), path.display().to_string()],
    )?;
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    proc::wait_accepting(addr, Duration::from_secs(10))?;
    Ok((p, addr))
}

/// The haproxy binary, installed with apt-get (Debian package `haproxy`) when missing.
fn ensure_haproxy() -> io::Result<PathBuf> {
    if let Some(p) = proc::which("haproxy")
        .or_else(|| Some(PathBuf::from("/usr/sbin/haproxy")).filter(|p| p.is_file()))
    {
        return Ok(p);
    }
    log("haproxy not found: installing the Debian package with apt-get");
    let install = || {
        Command::new("apt-get")
            .args(["install", "-y", "-q", "haproxy"])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
    };
    let mut ok = install().map(|s| s.success()).unwrap_or(false);
    if !ok {
        let _ = Command::new("apt-get").args(["update", "-q"]).status();
        ok = install().map(|s| s.success()).unwrap_or(false);
    }
    if !ok {
        return Err(io::Error::other(
            "apt-get install haproxy failed (root and a Debian package source needed)",
        ));
    }
    proc::which("haproxy")
        .or_else(|| Some(PathBuf::from("/usr/sbin/haproxy")).filter(|p| p.is_file()))
        .ok_or_else(|| io::Error::other("haproxy installed but not found on PATH"))
}
