//! Route lookup and compile at 10, 10 000 and 1 000 000 random prefixes.
//!
//! `cargo bench -p smsedge-bench --bench routes -- --warm-up-time 1 --measurement-time 3`
//! Each lookup iteration resolves a batch of 1024 destinations (half of them under a
//! configured prefix, half random), so Throughput::Elements counts lookups.

use std::collections::HashSet;
use std::hint::black_box;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use smsedge_control::config::{Config, Route, DEFAULT_CONFIG_TOML};
use smsedge_control::{AccountId, RouteQuery, RouteTable, Runtime};

const SIZES: &[usize] = &[10, 10_000, 1_000_000];
const BATCH: usize = 1024;

/// splitmix64: deterministic, dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + (self.next() % 10) as u8))
            .collect()
    }
}

/// `n` distinct prefixes of 3..=10 digits (number-range shaped), plus a catch-all.
fn routes(n: usize, rng: &mut Rng) -> Vec<Route> {
    let mut seen = HashSet::with_capacity(n);
    let mut out = Vec::with_capacity(n + 1);
    while out.len() < n {
        let len = 3 + (rng.next() % 8) as usize;
        let p = rng.digits(len);
        if seen.insert(p.clone()) {
            out.push(Route::new(&p, &["smsc"]));
        }
    }
    out.push(Route::new("", &["smsc"]));
    out
}

fn destinations(routes: &[Route], rng: &mut Rng) -> Vec<String> {
    (0..BATCH)
        .map(|i| {
            if i % 2 == 0 {
                let r = &routes[(rng.next() % (routes.len() as u64 - 1)) as usize];
                let rest = 12usize.saturating_sub(r.prefix.len());
                format!("{}{}", r.prefix, rng.digits(rest))
            } else {
                rng.digits(12)
            }
        })
        .collect()
}

fn bench_lookup(c: &mut Criterion) {
    let cfg = Config::embedded_default();
    let mut group = c.benchmark_group("route_lookup");
    group.throughput(Throughput::Elements(BATCH as u64));
    for &n in SIZES {
        let mut rng = Rng(n as u64);
        let routes = routes(n, &mut rng);
        let t0 = Instant::now();
        let table = RouteTable::compile(&routes, &cfg.accounts, &cfg.connectors).unwrap();
        eprintln!(
            "routes={n}: one compile {:?}, {} trie nodes, ~{:.1} MiB",
            t0.elapsed(),
            table.node_count(),
            table.memory_bytes() as f64 / (1 << 20) as f64
        );
        let dests = destinations(&routes, &mut rng);
        group.bench_with_input(BenchmarkId::from_parameter(n), &dests, |b, dests| {
            b.iter(|| {
                let mut hits = 0usize;
                for d in dests {
                    let q = RouteQuery {
                        destination: d.as_bytes(),
                        account: AccountId(0),
                        source_addr: b"40404",
                        service_type: b"",
                        data_coding: 0,
                    };
                    hits += black_box(table.lookup(&q)).map_or(0, |r| r.index);
                }
                hits
            })
        });
    }
    group.finish();
}

fn bench_compile(c: &mut Criterion) {
    let cfg = Config::embedded_default();
    let mut group = c.benchmark_group("route_compile");
    group.sample_size(10);
    for &n in SIZES {
        let routes = routes(n, &mut Rng(n as u64));
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &routes, |b, routes| {
            b.iter(|| RouteTable::compile(routes, &cfg.accounts, &cfg.connectors).unwrap())
        });
    }
    group.finish();
}

/// What a route change costs on the control thread: `Runtime::build` (whole-config validation
/// plus compile) from a parsed config, and `Config::from_toml_str` of a file with that many
/// routes (the `config.reload` path, the only one for tables over the socket's 1 MiB line).
fn bench_reload(c: &mut Criterion) {
    let mut group = c.benchmark_group("runtime_build");
    group.sample_size(10);
    for &n in &[10_000usize, 1_000_000] {
        let mut cfg = Config::embedded_default();
        cfg.routes = routes(n, &mut Rng(n as u64));
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &cfg, |b, cfg| {
            b.iter(|| Runtime::build(cfg, 2).unwrap())
        });
    }
    group.finish();
    let mut group = c.benchmark_group("config_parse");
    group.sample_size(10);
    for &n in &[10_000usize, 100_000] {
        let mut text =
            DEFAULT_CONFIG_TOML.replace("[[route]]\nprefix = \"\"\nconnectors = [\"smsc\"]\n", "");
        for r in routes(n, &mut Rng(n as u64)) {
            text.push_str(&format!(
                "[[route]]\nprefix = \"{}\"\nconnectors = [\"smsc\"]\n",
                r.prefix
            ));
        }
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &text, |b, text| {
            b.iter(|| Config::from_toml_str(text).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, bench_lookup, bench_compile, bench_reload);
criterion_main!(benches);
