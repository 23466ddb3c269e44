//! Start-up and shutdown: a clean exit 0 on SIGTERM with nothing left unanswered, and one clear
//! line and a non-zero exit for a bad config or a port in use.

use smsedge_codecs::smpp::CommandId;
use smsedge_tests::*;
use std::process::Command;
use std::time::Duration;

#[test]
fn bad_config_and_port_in_use_exit_non_zero_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[server]\nlisten = [\"127.0.0.1:1\"]\n[[route]]\nprefix = \"4x\"\nconnectors = [\"nope\"]\n").unwrap();
    let out = Command::new(bin("smsedge"))
        .args(["run", "--config"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("route") && err.contains("nope"), "{err}");

    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port();
    let cfg = dir.path().join("busy.toml");
    std::fs::write(
        &cfg,
        format!("[server]\nlisten = [\"127.0.0.1:{port}\"]\nadmin_socket = \"{}\"\nmetrics_listen = \"\"\n", dir.path().join("a.sock").display()),
    )
    .unwrap();
    let out = Command::new(bin("smsedge"))
        .args(["run", "--config"])
        .arg(&cfg)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("listen 127.0.0.1:{port}")), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "one clear line: {err}");
}

#[test]
fn sigterm_drains_answers_in_flight_and_exits_zero() {
    let up = free_port();
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new("node");
    cmd.arg(shared_dir().join("peers/smpp_node_server.js"))
        .arg(up.to_string())
        .arg("120")
        .env("NODE_PATH", node_path());
    let _node = Proc::spawn("node smpp server", cmd, dir.path().join("node.log"));
    assert!(wait_port(
        format!("127.0.0.1:{up}").parse().unwrap(),
        Duration::from_secs(10)
    ));
    let cfg = format!(
        "[[account]]\nsystem_id = \"acme\"\npassword = \"pw\"\n\n[[connector]]\nname = \"node\"\nkind = \"smpp\"\naddress = \"127.0.0.1:{up}\"\nsystem_id = \"proxy\"\npassword = \"pw\"\n\n[[route]]\nprefix = \"\"\nconnectors = [\"node\"]\n"
    );
    let mut s = Smsedge::start("shards = 1\ndrain_timeout = \"3s\"", &cfg);
    for _ in 0..100 {
        if s.ctl(&["binds"])["binds"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["state"] == "Bound")
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut c = RawSmpp::connect(s.addr);
    c.send(&bind_trx(1, "acme", "pw"));
    assert!(c.recv().unwrap().command_status.is_ok());
    let mut burst = Vec::new();
    for i in 0..50 {
        burst.extend_from_slice(&submit(100 + i, "447700900001", "draining", false).to_vec());
    }
    c.send_raw(&burst);
    s.proc.signal(libc::SIGTERM);
    // Every request gets exactly one answer, then the proxy asks us to unbind.
    let mut answered = std::collections::HashSet::new();
    let mut unbind = false;
    while let Some(p) = c.recv() {
        match p.command_id() {
            CommandId::SubmitSmResp | CommandId::GenericNack => {
                assert!(answered.insert(p.sequence_number), "answered twice")
            }
            CommandId::Unbind => {
                unbind = true;
                c.send(&smsedge_codecs::smpp::Pdu::new(
                    p.sequence_number,
                    smsedge_codecs::smpp::Body::UnbindResp,
                ));
            }
            _ => c.auto_answer(&p),
        }
    }
    assert_eq!(
        answered.len(),
        50,
        "every request answered before the session closed: {}",
        s.proc.output()
    );
    assert!(unbind, "the proxy unbinds its ESMEs on shutdown");
    assert_eq!(
        s.proc.wait(Duration::from_secs(10)),
        Some(0),
        "exit 0 after SIGTERM:\n{}",
        s.proc.output()
    );
    // A restart right away on the same port works: the TIME_WAIT connections the old process
    // left do not block it.
    let cfg_path = s.dir.path().join("smsedge.toml");
    let mut again = std::process::Command::new(bin("smsedge"));
    again.arg("run").arg("--config").arg(&cfg_path);
    let mut p = Proc::spawn("smsedge restarted", again, s.dir.path().join("restart.log"));
    assert!(
        wait_port(s.addr, Duration::from_secs(10)),
        "restart failed:\n{}",
        p.output()
    );
    p.signal(libc::SIGTERM);
    assert_eq!(p.wait(Duration::from_secs(10)), Some(0));
}
