//! The metrics endpoint over real TCP, and the exposition writer.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;

use common::FakeHooks;
use smsedge_control::metrics::{escape_label, serve_metrics, PromWriter};

fn get(addr: std::net::SocketAddr, request: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

#[test]
fn serves_the_hooks_text_at_metrics() {
    let server = serve_metrics("127.0.0.1:0".parse().unwrap(), Arc::new(FakeHooks)).unwrap();
    let addr = server.local_addr();
    let r = get(addr, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
    let (head, body) = r.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert!(
        head.contains("Content-Type: text/plain; version=0.0.4"),
        "{head}"
    );
    assert!(head.contains("Connection: close"), "{head}");
    assert!(
        head.contains(&format!("Content-Length: {}", body.len())),
        "{head}"
    );
    assert_eq!(body, FakeHooks.prometheus_text());
    let r = get(addr, "GET /metrics?x=1 HTTP/1.0\r\n\r\n");
    assert!(r.starts_with("HTTP/1.1 200 OK"));
    let r = get(addr, "GET / HTTP/1.1\r\n\r\n");
    assert!(r.starts_with("HTTP/1.1 404 Not Found"), "{r}");
    let r = get(addr, "POST /metrics HTTP/1.1\r\n\r\n");
    assert!(r.starts_with("HTTP/1.1 405"), "{r}");
    let big = format!("GET /metrics HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(20_000));
    let mut s = TcpStream::connect(addr).unwrap();
    let _ = s.write_all(big.as_bytes());
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    assert!(out.starts_with("HTTP/1.1 431"), "{out}");
}

trait Text {
    fn prometheus_text(&self) -> String;
}

impl Text for FakeHooks {
    fn prometheus_text(&self) -> String {
        smsedge_control::EngineHooks::prometheus(self)
    }
}

#[test]
fn writes_the_exposition_format() {
    let mut w = PromWriter::new();
    w.counter(
        "smsedge_submit_total",
        "Submits received.",
        &[("account", "acme")],
        10.0,
    )
    .counter(
        "smsedge_submit_total",
        "Submits received.",
        &[("account", "a\"b\\c\nd")],
        2.0,
    )
    .gauge("smsedge_binds", "Open binds.", &[], 3.0)
    .gauge("smsedge_ratio", "A ratio.", &[], 0.25)
    .gauge("smsedge_inf", "Infinite.", &[], f64::INFINITY)
    .summary(
        "smsedge_latency_seconds",
        "Submit to response.",
        &[("connector", "smsc-a")],
        &[(0.5, 0.00018), (0.99, 0.00041)],
        1.5,
        5000,
    );
    let text = w.finish();
    let expected = "\
# HELP smsedge_submit_total Submits received.
# TYPE smsedge_submit_total counter
smsedge_submit_total{account=\"acme\"} 10
smsedge_submit_total{account=\"a\\\"b\\\\c\\nd\"} 2
# HELP smsedge_binds Open binds.
# TYPE smsedge_binds gauge
smsedge_binds 3
# HELP smsedge_ratio A ratio.
# TYPE smsedge_ratio gauge
smsedge_ratio 0.25
# HELP smsedge_inf Infinite.
# TYPE smsedge_inf gauge
smsedge_inf +Inf
# HELP smsedge_latency_seconds Submit to response.
# TYPE smsedge_latency_seconds summary
smsedge_latency_seconds{connector=\"smsc-a\",quantile=\"0.5\"} 0.00018
smsedge_latency_seconds{connector=\"smsc-a\",quantile=\"0.99\"} 0.00041
smsedge_latency_seconds_sum{connector=\"smsc-a\"} 1.5
smsedge_latency_seconds_count{connector=\"smsc-a\"} 5000
";
    assert_eq!(text, expected);
    assert_eq!(escape_label("plain"), "plain");
}
