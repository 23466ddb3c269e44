//! The load generator and the SMSC simulator against SMPP software we did not write: the
//! generator loads node `smpp` 0.5.1 (farhadi/node-smpp) as an SMSC, and python-smpplib 2.2.4
//! binds to our simulator as an ESME. Counts on both sides must agree, and the foreign decoder
//! must read back exactly the texts we encoded.

use serde_json::Value;
use smsedge_loadgen::esme::{self, EsmeOptions};
use smsedge_loadgen::parse::{Dist, Secs};
use smsedge_loadgen::smsc::{Smsc, SmscOptions};
use smsedge_loadgen::templates::class_text;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

fn shared() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared"))
}

fn oracles_home() -> PathBuf {
    std::env::var_os("ORACLES_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp/smsedge-oracles"))
}

fn node_path() -> PathBuf {
    let p = oracles_home().join("node/node_modules");
    assert!(
        p.join("smpp").is_dir(),
        "node smpp oracle missing at {}: run `eval \"$(bash ../shared/oracles/install.sh)\"`",
        p.display()
    );
    p
}

fn oracle_py() -> PathBuf {
    let p = std::env::var_os("ORACLE_PY")
        .map(PathBuf::from)
        .unwrap_or_else(|| oracles_home().join("venv/bin/python"));
    assert!(
        p.exists(),
        "python smpplib oracle missing at {}: run `eval \"$(bash ../shared/oracles/install.sh)\"`",
        p.display()
    );
    p
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts the node SMSC and returns it with a channel of its JSON output lines.
fn node_smsc() -> (std::process::Child, u16, mpsc::Receiver<Value>) {
    let port = free_port();
    let mut child = Command::new("node")
        .arg(shared().join("peers/smpp_node_server.js"))
        .arg(port.to_string())
        .arg("300")
        .env("NODE_PATH", node_path())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("cannot run node (is it installed?)");
    let out = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if let Ok(v) = serde_json::from_str::<Value>(&line) {
                let _ = tx.send(v);
            }
        }
    });
    let first = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("node smpp server did not start");
    assert_eq!(first["ev"], "listening", "{first}");
    (child, port, rx)
}

#[test]
fn esme_counts_match_what_node_smpp_saw() {
    let (mut node, port, rx) = node_smsc();
    let report = esme::run(EsmeOptions {
        target: format!("127.0.0.1:{port}"),
        binds: 2,
        window: 10,
        count: Some(300),
        dlr: true,
        mix: "gsm7:40,ucs2:20,latin1:10,long:10,long-sar:10,long-ucs2:10"
            .parse()
            .unwrap(),
        grace: Secs(Duration::from_secs(20)),
        dlr_grace: Secs(Duration::from_secs(20)),
        quiet: true,
        ..Default::default()
    })
    .unwrap();
    // Give node a moment to log the unbinds, then stop it.
    std::thread::sleep(Duration::from_millis(300));
    node.kill().unwrap();
    node.wait().unwrap();
    let events: Vec<Value> = rx.try_iter().collect();
    let submits: Vec<&Value> = events.iter().filter(|e| e["ev"] == "submit_sm").collect();
    let binds = events
        .iter()
        .filter(|e| e["ev"] == "bind_transceiver")
        .count();
    assert!(
        report.exit_ok(),
        "{:?}\n{}",
        report.failures(),
        report.to_json()
    );
    assert_eq!(binds, 2);
    assert_eq!(report.binds_ok, 2);
    assert_eq!(report.submitted, 300);
    assert_eq!(submits.len() as u64, report.submitted);
    assert_eq!(report.resp_ok, report.submitted);
    assert_eq!(report.unanswered, 0);
    // node sends one receipt per submit_sm asking for one; every one was matched by id.
    assert_eq!(report.dlr_requested, report.submitted);
    assert_eq!(report.dlr_received, report.submitted);
    assert_eq!(report.dlr_states.get("DELIVRD"), Some(&300));
    assert_eq!(report.latency_us.submit_resp.count, 300);
    assert_eq!(report.latency_us.dlr.count, 300);

    // node-smpp decodes our pre-encoded templates to exactly the texts we meant.
    let single = |dc: u64| {
        submits
            .iter()
            .filter(|e| e["data_coding"] == dc && e["udh"].is_null() && e["esm_class"] == 0)
            .map(|e| e["text"].as_str().unwrap().to_string())
            .collect::<BTreeSet<_>>()
    };
    let long_gsm = class_text("long").unwrap();
    let long_ucs2 = class_text("long-ucs2").unwrap();
    let gsm_singles = single(0);
    // Unpacked GSM texts without UDH: the short gsm7 text and the SAR parts of the long text.
    assert!(
        gsm_singles.contains(class_text("gsm7").unwrap()),
        "{gsm_singles:?}"
    );
    for t in &gsm_singles {
        assert!(
            t == class_text("gsm7").unwrap() || long_gsm.contains(t.as_str()),
            "unexpected text {t:?}"
        );
    }
    assert_eq!(
        single(8),
        BTreeSet::from([class_text("ucs2").unwrap().to_string()])
    );
    assert_eq!(
        single(3),
        BTreeSet::from([class_text("latin1").unwrap().to_string()])
    );
    // UDH parts put back together by (destination, reference) give the long texts.
    let mut groups: BTreeMap<(String, String), BTreeMap<u8, String>> = BTreeMap::new();
    for e in submits.iter().filter(|e| e["esm_class"] == 64) {
        let udh = e["udh"][0].as_str().unwrap();
        let b: Vec<u8> = (0..udh.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&udh[i..i + 2], 16).unwrap())
            .collect();
        assert_eq!(&b[..2], &[0x00, 0x03], "8-bit concatenation IE");
        groups
            .entry((
                e["dst"].as_str().unwrap().to_string(),
                format!("{}{}", b[2], e["data_coding"]),
            ))
            .or_default()
            .insert(b[4], e["text"].as_str().unwrap().to_string());
    }
    assert!(!groups.is_empty());
    for parts in groups.values() {
        let whole: String = parts.values().cloned().collect();
        if parts.len() == 3 {
            assert_eq!(whole, long_gsm);
        } else if parts.len() == 2 {
            assert_eq!(whole, long_ucs2);
        } else {
            // The run may end in the middle of a long message: a prefix of it.
            assert!(long_gsm.starts_with(&whole) || long_ucs2.starts_with(&whole));
        }
    }
}

#[test]
fn smsc_simulator_serves_python_smpplib() {
    let sim = Smsc::start(SmscOptions {
        listen: "127.0.0.1:0".into(),
        system_id: vec!["other".into(), "esme1".into()],
        password: vec!["pw".into(), "secret".into()],
        dlr_delay: "uniform:1ms-30ms".parse::<Dist>().unwrap(),
        quiet: true,
        ..Default::default()
    })
    .unwrap();
    let addr = sim.local_addr();
    let run = |password: &str| {
        Command::new(oracle_py())
            .arg(shared().join("peers/smpplib_client.py"))
            .arg(addr.ip().to_string())
            .arg(addr.port().to_string())
            .args(["--count", "5", "--long", "--dlr-timeout", "20"])
            .args(["--password", password])
            .output()
            .expect("cannot run the smpplib client")
    };
    let out = run("secret");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "smpplib client failed: {text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["ok"], true);
    // Five short messages and a two-part UCS-2 message.
    assert_eq!(v["sent"], 7);
    assert_eq!(v["resps"], 7);
    assert_eq!(v["dlrs"], 7);
    let events = v["events"].as_array().unwrap();
    let ids: BTreeSet<String> = events
        .iter()
        .filter(|e| e["ev"] == "submit_sm_resp")
        .map(|e| {
            assert_eq!(e["status"], 0);
            e["message_id"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(ids.len(), 7, "message ids must be unique");
    let receipted: BTreeSet<String> = events
        .iter()
        .filter(|e| e["ev"] == "deliver_sm")
        .map(|e| {
            assert_eq!(e["esm_class"], 4);
            let text = e["short_message"].as_str().unwrap();
            assert!(text.contains("stat:DELIVRD"), "{text}");
            let id = e["receipted_message_id"].as_str().unwrap().to_string();
            assert!(text.starts_with(&format!("id:{id} ")), "{text}");
            id
        })
        .collect();
    assert_eq!(receipted, ids);
    assert!(events.iter().any(|e| e["ev"] == "unbind_resp"));

    // A wrong password is refused.
    let bad = run("wrong");
    assert!(!bad.status.success());

    let st = sim.stop();
    assert_eq!(st.binds, 1);
    assert_eq!(st.binds_refused, 1);
    assert_eq!(st.submit_sm, 7);
    assert_eq!(st.responses_by_status.get("0x00000000"), Some(&7));
    assert_eq!(st.responses_by_status.len(), 1);
    assert_eq!(st.receipts_sent, 7);
    assert_eq!(st.deliver_sm_resp, 7);
    assert_eq!(st.unbinds, 1);
}

#[test]
fn smsc_simulator_serves_node_smpp_as_an_smpp_5_esme() {
    let sim = Smsc::start(SmscOptions {
        listen: "127.0.0.1:0".into(),
        system_id: vec!["esme1".into()],
        password: vec!["secret".into()],
        dlr_delay: "2ms".parse::<Dist>().unwrap(),
        quiet: true,
        ..Default::default()
    })
    .unwrap();
    let addr = sim.local_addr();
    let out = Command::new("node")
        .arg(shared().join("peers/smpp_node_client.js"))
        .arg(addr.ip().to_string())
        .arg(addr.port().to_string())
        .env("NODE_PATH", node_path())
        .output()
        .expect("cannot run node");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "node client failed: {text}");
    let v: Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    assert_eq!(v["ok"], true);
    assert_eq!(
        (v["resps"].as_u64(), v["dlrs"].as_u64()),
        (Some(2), Some(2))
    );
    std::thread::sleep(Duration::from_millis(200));
    let st = sim.stop();
    assert_eq!(st.binds, 1);
    assert_eq!(st.submit_sm, 2);
    assert_eq!(st.receipts_sent, 2);
    assert_eq!(st.deliver_sm_resp, 2);
    assert_eq!(st.responses_by_status.get("0x00000000"), Some(&2));
    assert_eq!(st.unbinds, 1);
}
