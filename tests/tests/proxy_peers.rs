//! smsedge between software we did not write: python smpplib, node `smpp` and Kannel as ESMEs,
//! the node `smpp` server as the upstream SMSC. Every submit_sm_resp and every receipt must come
//! back with the proxy's own ids, and a 2-part UCS-2 message must reach the SMSC intact.

use serde_json::Value;
use smsedge_tests::*;
use std::process::Command;
use std::time::Duration;

fn node_server(dir: &std::path::Path, port: u16) -> Proc {
    let mut cmd = Command::new("node");
    cmd.arg(shared_dir().join("peers/smpp_node_server.js"))
        .arg(port.to_string())
        .arg("120")
        .env("NODE_PATH", node_path());
    let p = Proc::spawn("node smpp server", cmd, dir.join("node_server.log"));
    assert!(
        wait_port(
            format!("127.0.0.1:{port}").parse().unwrap(),
            Duration::from_secs(10)
        ),
        "node server did not listen"
    );
    p
}

fn config(upstream: u16, extra_route: &str) -> String {
    format!(
        r#"
[[account]]
system_id = "esme1"
password = "secret"

[[connector]]
name = "node"
kind = "smpp"
address = "127.0.0.1:{upstream}"
system_id = "proxy"
password = "pw"
binds = 1

[[route]]
prefix = ""
connectors = ["node"]
{extra_route}
"#
    )
}

fn node_events(log: &str) -> Vec<Value> {
    log.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .collect()
}

/// Waits until `n` upstream binds are bound (one per shard per configured bind).
fn wait_bound(s: &Smsedge, n: usize) {
    for _ in 0..150 {
        let v = s.ctl(&["binds"]);
        let up = v["binds"].as_array().map_or(0, |b| {
            b.iter()
                .filter(|x| x["side"] == "upstream" && x["state"] == "Bound")
                .count()
        });
        if up >= n {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("upstream binds never all bound: {}", s.ctl(&["binds"]));
}

#[test]
fn smpplib_through_smsedge_to_node_server() {
    let up_port = free_port();
    let dir = tempfile::tempdir().unwrap();
    let node = node_server(dir.path(), up_port);
    let s = Smsedge::start("shards = 2", &config(up_port, ""));
    wait_bound(&s, 2);
    let out = Command::new(oracle_python())
        .arg(shared_dir().join("peers/smpplib_client.py"))
        .arg("127.0.0.1")
        .arg(s.addr.port().to_string())
        .args(["--count", "5", "--long", "--dlr-timeout", "10"])
        .output()
        .expect("run smpplib client");
    let text = String::from_utf8_lossy(&out.stdout);
    let report: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{e}: {text} {}", String::from_utf8_lossy(&out.stderr)));
    assert!(out.status.success(), "smpplib client failed: {report:#}");
    // 5 single messages + 2 UCS-2 parts.
    assert_eq!(report["sent"], 7);
    assert_eq!(report["resps"], 7);
    assert_eq!(report["dlrs"], 7);
    let events = report["events"].as_array().unwrap();
    let ids: Vec<String> = events
        .iter()
        .filter(|e| e["ev"] == "submit_sm_resp")
        .map(|e| e["message_id"].as_str().unwrap().to_string())
        .collect();
    // The proxy's own ids: decimal, not the node server's "nN".
    assert!(
        ids.iter().all(|i| i.chars().all(|c| c.is_ascii_digit())),
        "{ids:?}"
    );
    let unique: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len());
    // Every receipt carries one of those ids, in the text and in receipted_message_id.
    for e in events.iter().filter(|e| e["ev"] == "deliver_sm") {
        let sm = e["short_message"].as_str().unwrap();
        let rid = e["receipted_message_id"].as_str().unwrap_or("");
        let text_id = sm
            .split_whitespace()
            .next()
            .unwrap()
            .trim_start_matches("id:");
        assert!(
            ids.contains(&text_id.to_string()),
            "receipt text id {text_id} not issued: {sm}"
        );
        assert_eq!(rid, text_id);
        assert!(sm.contains("stat:DELIVRD"));
    }
    // The SMSC saw the 2-part UCS-2 message intact: both parts, same UDH reference, text whole.
    let seen = node_events(&node.output());
    let parts: Vec<&Value> = seen
        .iter()
        .filter(|e| e["ev"] == "submit_sm" && e["data_coding"] == 8)
        .collect();
    assert_eq!(parts.len(), 2, "{seen:?}");
    let udh: Vec<&str> = parts
        .iter()
        .map(|p| p["udh"][0].as_str().unwrap())
        .collect();
    assert_eq!(&udh[0][..8], &udh[1][..8], "same concatenation reference");
    assert!(
        udh[0].ends_with("0201") && udh[1].ends_with("0202"),
        "{udh:?}"
    );
    let text: String = parts.iter().map(|p| p["text"].as_str().unwrap()).collect();
    assert_eq!(text, "Привет! ".repeat(12));
}

#[test]
fn node_smpp_client_binds_v50_through_smsedge() {
    let up_port = free_port();
    let dir = tempfile::tempdir().unwrap();
    let _node = node_server(dir.path(), up_port);
    let s = Smsedge::start("shards = 1", &config(up_port, ""));
    wait_bound(&s, 1);
    let out = Command::new("node")
        .arg(shared_dir().join("peers/smpp_node_client.js"))
        .arg("127.0.0.1")
        .arg(s.addr.port().to_string())
        .env("NODE_PATH", node_path())
        .output()
        .expect("run node client");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "node client failed: {text} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let last: Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    assert_eq!(last["ok"], true);
    assert_eq!(last["resps"], 2);
    assert_eq!(last["dlrs"], 2);
}

#[test]
fn kannel_through_smsedge_to_node_server() {
    let up_port = free_port();
    let dir = tempfile::tempdir().unwrap();
    let node = node_server(dir.path(), up_port);
    let s = Smsedge::start("shards = 1", &config(up_port, ""));
    wait_bound(&s, 1);
    // Kannel's config names 127.0.0.1:2776 as its SMSC: point it at this proxy instead.
    let conf = std::fs::read_to_string(shared_dir().join("peers/kannel.conf")).unwrap();
    let logdir = s.dir.path().join("kannel");
    std::fs::create_dir_all(&logdir).unwrap();
    let conf = conf
        .replace("port = 2776", &format!("port = {}", s.addr.port()))
        .replace("/tmp/smsedge-kannel", logdir.to_str().unwrap());
    let conf_path = s.dir.path().join("kannel.conf");
    std::fs::write(&conf_path, conf).unwrap();
    let mut bb = Command::new("bearerbox");
    bb.arg(&conf_path);
    let _bearerbox = Proc::spawn("bearerbox", bb, s.dir.path().join("bearerbox.out"));
    assert!(
        wait_port("127.0.0.1:13001".parse().unwrap(), Duration::from_secs(20)),
        "bearerbox did not start"
    );
    let mut sb = Command::new("smsbox");
    sb.arg(&conf_path);
    let _smsbox = Proc::spawn("smsbox", sb, s.dir.path().join("smsbox.out"));
    assert!(
        wait_port("127.0.0.1:13013".parse().unwrap(), Duration::from_secs(20)),
        "smsbox did not start"
    );
    // Wait for Kannel's bind through the proxy.
    let mut bound = false;
    for _ in 0..100 {
        let v = s.ctl(&["binds"]);
        if v["binds"].as_array().is_some_and(|b| {
            b.iter()
                .any(|x| x["side"] == "esme" && x["system_id"] == "esme1")
        }) {
            bound = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(bound, "Kannel never bound to smsedge");
    let url = "http://127.0.0.1:13013/cgi-bin/sendsms?username=tester&password=testpw&from=ACME&to=447700900123&text=hi%20from%20kannel&dlr-mask=31";
    let out = Command::new("curl")
        .args(["-s", "-m", "10", url])
        .output()
        .expect("curl");
    let body = String::from_utf8_lossy(&out.stdout);
    assert!(
        body.contains("Accepted") || body.contains("Sent"),
        "sendsms: {body}"
    );
    // The SMSC got it, and the receipt went back to Kannel with the proxy's id.
    let mut delivered = false;
    for _ in 0..100 {
        let stats = s.ctl(&["stats"]);
        if stats["accounts"]["esme1"]["delivered"].as_u64() == Some(1) {
            delivered = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let seen = node_events(&node.output());
    assert!(
        seen.iter()
            .any(|e| e["ev"] == "submit_sm" && e["text"] == "hi from kannel"),
        "{seen:?}"
    );
    assert!(
        delivered,
        "receipt not acknowledged by Kannel: {}",
        s.ctl(&["stats"])
    );
    let smsc_log = std::fs::read_to_string(logdir.join("smsc-uut.log")).unwrap_or_default();
    assert!(
        !smsc_log.contains("ERROR"),
        "Kannel logged errors: {smsc_log}"
    );
}
