//! Bad credentials, wrong bind state, unknown commands, oversized and random bytes, malformed
//! PDUs and a client that vanishes with a full window each get the spec's answer, while another
//! client's traffic through the same proxy continues unharmed; a client that sends without ever
//! reading is held back with bounded memory, then closed.

use smsedge_codecs::smpp::{Body, CommandId, CommandStatus, Pdu};
use smsedge_tests::*;
use std::io::Write;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

const CONFIG: &str = r#"
[[account]]
system_id = "good"
password = "goodpw"

[[account]]
system_id = "esme1"
password = "secret"
window = 4

[[account]]
system_id = "single"
password = "pw"
max_binds = 1

[[account]]
system_id = "faraway"
password = "pw"
allowed_ips = ["10.0.0.0/8"]

[[connector]]
name = "node"
kind = "smpp"
address = "127.0.0.1:UPSTREAM"
system_id = "proxy"
password = "pw"

[[route]]
prefix = "44"
connectors = ["node"]
"#;

fn start() -> (Smsedge, Proc, tempfile::TempDir) {
    let up = free_port();
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new("node");
    cmd.arg(shared_dir().join("peers/smpp_node_server.js"))
        .arg(up.to_string())
        .arg("120")
        .env("NODE_PATH", node_path());
    let node = Proc::spawn("node smpp server", cmd, dir.path().join("node.log"));
    assert!(wait_port(
        format!("127.0.0.1:{up}").parse().unwrap(),
        Duration::from_secs(10)
    ));
    let s = Smsedge::start("shards = 1", &CONFIG.replace("UPSTREAM", &up.to_string()));
    for _ in 0..100 {
        let v = s.ctl(&["binds"]);
        if v["binds"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["side"] == "upstream" && b["state"] == "Bound")
        {
            return (s, node, dir);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("upstream never bound");
}

fn bind(s: &Smsedge, system_id: &str, password: &str) -> (RawSmpp, Pdu) {
    let mut c = RawSmpp::connect(s.addr);
    c.send(&bind_trx(1, system_id, password));
    let r = c.recv().expect("bind response");
    (c, r)
}

/// A well-behaved client submitting all along; returns (sent, answered ok).
fn good_client(s: &Smsedge, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<(u32, u32)> {
    let (mut c, r) = bind(s, "good", "goodpw");
    assert_eq!(r.command_status, CommandStatus::ESME_ROK);
    std::thread::spawn(move || {
        let (mut sent, mut ok) = (0, 0);
        while !stop.load(Ordering::Relaxed) {
            sent += 1;
            c.send(&submit(sent + 1, "447700900001", "steady", false));
            let r = c
                .recv_id(CommandId::SubmitSmResp)
                .expect("good client lost its session");
            assert_eq!(r.sequence_number, sent + 1);
            if r.command_status.is_ok() {
                ok += 1;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        (sent, ok)
    })
}

#[test]
fn hostile_clients_get_the_spec_answer_while_a_good_one_continues() {
    let (s, _node, _dir) = start();
    let stop = Arc::new(AtomicBool::new(false));
    let good = good_client(&s, stop.clone());

    // v3.4 4.1: unknown system_id, wrong password.
    assert_eq!(
        bind(&s, "nobody", "x").1.command_status,
        CommandStatus::ESME_RINVSYSID
    );
    let (mut c, r) = bind(&s, "esme1", "wrong");
    assert_eq!(r.command_status, CommandStatus::ESME_RINVPASWD);
    assert_eq!(
        r.body,
        Body::BindTransceiverResp(None),
        "no system_id on a failed bind"
    );
    assert!(
        c.closed_within(Duration::from_secs(5)),
        "a failed bind closes the session"
    );
    // Source address not in allowed_ips.
    assert_eq!(
        bind(&s, "faraway", "pw").1.command_status,
        CommandStatus::ESME_RBINDFAIL
    );
    // max_binds = 1: the second bind fails; a second bind on a bound session is ESME_RALYBND.
    let (mut first, r) = bind(&s, "single", "pw");
    assert_eq!(r.command_status, CommandStatus::ESME_ROK);
    assert_eq!(
        bind(&s, "single", "pw").1.command_status,
        CommandStatus::ESME_RBINDFAIL
    );
    first.send(&bind_trx(2, "single", "pw"));
    assert_eq!(
        first.recv().unwrap().command_status,
        CommandStatus::ESME_RALYBND
    );

    // A request before bind: generic_nack ESME_RINVBNDSTS.
    let mut c = RawSmpp::connect(s.addr);
    c.send(&submit(7, "447700900001", "early", false));
    let r = c.recv().unwrap();
    assert_eq!(
        (r.command_id(), r.command_status, r.sequence_number),
        (CommandId::GenericNack, CommandStatus::ESME_RINVBNDSTS, 7)
    );

    // An unknown command: generic_nack ESME_RINVCMDID, and the session goes on.
    let (mut c, _) = bind(&s, "esme1", "secret");
    c.send_raw(&smsedge_codecs::hex::decode("0000001000000110000000000a342ee7").unwrap());
    let r = c.recv().unwrap();
    assert_eq!(
        (r.command_id(), r.command_status, r.sequence_number),
        (
            CommandId::GenericNack,
            CommandStatus::ESME_RINVCMDID,
            0x0a342ee7
        )
    );
    c.send(&Pdu::new(9, Body::EnquireLink));
    assert_eq!(
        c.recv_id(CommandId::EnquireLinkResp)
            .unwrap()
            .sequence_number,
        9
    );
    // A malformed submit_sm (sm_length runs past the PDU): ESME_RINVMSGLEN, session goes on.
    c.send_raw(&smsedge_codecs::hex::decode("00000039000000040000000000000011000101393939393139393134353933000000363436340000000000000000080010c1e1e9edf3faf1fc").unwrap());
    let r = c.recv_id(CommandId::SubmitSmResp).unwrap();
    assert_eq!(
        (r.command_status, r.sequence_number),
        (CommandStatus::ESME_RINVMSGLEN, 0x11)
    );
    // No route for this destination: ESME_RINVDSTADR (server.no_route_status).
    c.send(&submit(12, "33600000000", "nowhere", false));
    assert_eq!(
        c.recv_id(CommandId::SubmitSmResp).unwrap().command_status,
        CommandStatus::ESME_RINVDSTADR
    );

    // Oversized command_length: framing is broken, the connection is closed.
    let mut c = RawSmpp::connect(s.addr);
    c.send_raw(&[0x00, 0x10, 0x00, 0x01, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 1]);
    assert!(
        c.closed_within(Duration::from_secs(5)),
        "oversized command_length must close"
    );
    // Random bytes: closed too (whatever they parse as, they cannot frame for long).
    let mut c = RawSmpp::connect(s.addr);
    let mut x: u64 = 0x2545F4914F6CDD1D;
    let junk: Vec<u8> = (0..4096)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    c.send_raw(&junk);
    assert!(
        c.closed_within(Duration::from_secs(5)),
        "random bytes must close"
    );

    // A client that fills its window and vanishes without reading.
    let (mut c, _) = bind(&s, "esme1", "secret");
    for i in 0..20 {
        c.send(&submit(100 + i, "447700900002", "bye", true));
    }
    drop(c);

    std::thread::sleep(Duration::from_millis(500));
    stop.store(true, Ordering::Relaxed);
    let (sent, ok) = good.join().expect("good client");
    assert!(sent > 10, "good client barely ran: {sent}");
    assert_eq!(sent, ok, "the good client's traffic must be unharmed");
    let stats = s.ctl(&["stats"]);
    let shards = stats["shards"].as_array().unwrap();
    assert!(
        shards
            .iter()
            .map(|x| x["framing_errors"].as_u64().unwrap())
            .sum::<u64>()
            >= 2,
        "{stats}"
    );
    // The proxy is still healthy for new clients.
    let (mut c, r) = bind(&s, "esme1", "secret");
    assert_eq!(r.command_status, CommandStatus::ESME_ROK);
    c.send(&submit(1, "447700900003", "after", false));
    assert!(c
        .recv_id(CommandId::SubmitSmResp)
        .unwrap()
        .command_status
        .is_ok());
}

#[test]
fn receiver_bind_may_not_submit_and_window_overflow_is_msgqful() {
    let (s, _node, _dir) = start();
    // A receiver bind submitting: wrong bind state.
    let mut c = RawSmpp::connect(s.addr);
    let mut b = bind_trx(1, "esme1", "secret");
    if let Body::BindTransceiver(x) = b.body {
        b.body = Body::BindReceiver(x);
    }
    c.send(&b);
    let r = c.recv().unwrap();
    assert_eq!(
        (r.command_id(), r.command_status),
        (CommandId::BindReceiverResp, CommandStatus::ESME_ROK)
    );
    c.send(&submit(5, "447700900001", "rx", false));
    let r = c.recv().unwrap();
    assert_eq!(
        (r.command_id(), r.command_status),
        (CommandId::GenericNack, CommandStatus::ESME_RINVBNDSTS)
    );

    // esme1 has window = 4: a burst of 40 without reading gets ESME_RMSGQFUL beyond the window,
    // and every request is answered exactly once.
    let (mut c, _) = bind(&s, "esme1", "secret");
    let mut burst = Vec::new();
    for i in 0..40 {
        burst.extend_from_slice(&submit(1000 + i, "447700900001", "burst", false).to_vec());
    }
    c.send_raw(&burst);
    let mut seen = std::collections::HashMap::new();
    while seen.len() < 40 {
        let r = c
            .recv_id(CommandId::SubmitSmResp)
            .expect("every request answered");
        assert!(
            seen.insert(r.sequence_number, r.command_status).is_none(),
            "answered twice"
        );
    }
    let full = seen
        .values()
        .filter(|s| **s == CommandStatus::ESME_RMSGQFUL)
        .count();
    let ok = seen.values().filter(|s| s.is_ok()).count();
    assert_eq!(full + ok, 40, "{seen:?}");
    assert!(full > 0 && ok >= 4, "window of 4: {ok} ok, {full} refused");
}

#[test]
fn a_client_that_never_reads_is_held_back_then_closed() {
    // 1 s probes: the proxy finds out quickly that the client no longer answers.
    let s = Smsedge::start(
        "shards = 1\nenquire_link_interval = \"1s\"\nresponse_timeout = \"1s\"",
        "[[account]]\nsystem_id = \"esme1\"\npassword = \"secret\"\n",
    );
    let (c, r) = bind(&s, "esme1", "secret");
    assert_eq!(r.command_status, CommandStatus::ESME_ROK);
    let rss0 = s.proc.rss_kib();
    // enquire_link, which the proxy answers itself, 1 MiB at a time; the answers are never
    // read. The proxy must stop reading once its answers back up, not buffer them all.
    let mut chunk = Vec::with_capacity(1 << 20);
    for seq in 2..2 + (1u32 << 16) {
        chunk.extend_from_slice(&[0, 0, 0, 16, 0, 0, 0, 0x15, 0, 0, 0, 0]);
        chunk.extend_from_slice(&seq.to_be_bytes());
    }
    let mut w = c.stream.try_clone().unwrap();
    w.set_write_timeout(Some(Duration::from_secs(2))).unwrap();
    let mut written = 0usize;
    for _ in 0..128 {
        if w.write_all(&chunk).is_err() {
            break;
        }
        written += chunk.len();
    }
    let grown = s.proc.rss_kib().saturating_sub(rss0);
    eprintln!("a client that never reads: {written} bytes taken, memory grew {grown} KiB");
    assert!(
        written < 64 << 20,
        "the proxy kept reading a client that never reads: {written} bytes taken"
    );
    // Measured: ~10 MiB taken and ~12 MiB grown (1 MiB queue, buffers, allocator segments);
    // without the bound, 128 MiB taken and 260 MiB grown.
    assert!(
        grown < 40 << 10,
        "memory grew {grown} KiB for one client that never reads"
    );
    // Its probe goes unanswered, the session closes, the close cannot flush, so the socket is
    // shut after the linger: the session is gone.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let binds = s.ctl(&["binds"]);
        let esmes = binds["binds"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|b| b["side"] == "esme")
            .count();
        if esmes == 0 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "a client that never reads still holds its session: {binds}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    // One that stops sending too (half-close) and still does not read: its session ends at
    // once, and the socket, whose last answers it never takes, is shut after the linger
    // instead of being held open by a stuck write.
    let fds = s.proc.fd_count();
    let (c, r) = bind(&s, "esme1", "secret");
    assert_eq!(r.command_status, CommandStatus::ESME_ROK);
    let mut w = c.stream.try_clone().unwrap();
    w.set_write_timeout(Some(Duration::from_secs(2))).unwrap();
    for _ in 0..16 {
        if w.write_all(&chunk).is_err() {
            break;
        }
    }
    w.shutdown(std::net::Shutdown::Write).unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while s.proc.fd_count() > fds {
        assert!(
            std::time::Instant::now() < deadline,
            "the socket of a client that never reads stays open ({} fds, {fds} before)",
            s.proc.fd_count()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    drop(c);
    // The proxy serves the next client as before.
    let (mut c, r) = bind(&s, "esme1", "secret");
    assert_eq!(r.command_status, CommandStatus::ESME_ROK);
    c.send_raw(&[0, 0, 0, 16, 0, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 9]);
    let r = c
        .recv_id(CommandId::EnquireLinkResp)
        .expect("enquire_link_resp");
    assert_eq!(r.sequence_number, 9);
    drop(c);
}

#[test]
fn connections_beyond_max_connections_are_closed_at_once() {
    let s = Smsedge::start(
        "shards = 1\nmax_connections = 2",
        "[[account]]\nsystem_id = \"esme1\"\npassword = \"secret\"\n",
    );
    let (a, r) = bind(&s, "esme1", "secret");
    assert_eq!(r.command_status, CommandStatus::ESME_ROK);
    let (_b, r) = bind(&s, "esme1", "secret");
    assert_eq!(r.command_status, CommandStatus::ESME_ROK);
    // The third is closed before it can send anything: end of stream (or a reset), not a
    // read that times out on a connection kept open.
    let mut c = RawSmpp::connect(s.addr);
    c.stream
        .set_read_timeout(Some(Duration::from_secs(3)))
        .unwrap();
    let mut byte = [0u8; 1];
    let n = std::io::Read::read(&mut c.stream, &mut byte);
    assert!(
        matches!(n, Ok(0))
            || n.as_ref()
                .is_err_and(|e| e.kind() == std::io::ErrorKind::ConnectionReset),
        "a third connection was kept: {n:?}"
    );
    // Counted (the shards publish their counters every few hundred ms).
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let stats = s.ctl(&["stats"]);
        if stats["shards"][0]["refused_connections"] == 1 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{stats}");
        std::thread::sleep(Duration::from_millis(100));
    }
    let metrics = s.metrics_text();
    assert!(
        metrics.contains("smsedge_connections_refused_total{shard=\"0\"} 1"),
        "{metrics}"
    );
    // One leaves: the next one is taken.
    drop(a);
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let mut c = RawSmpp::connect(s.addr);
        c.send(&bind_trx(1, "esme1", "secret"));
        match c.recv() {
            Some(r) if r.command_status.is_ok() => break,
            other => assert!(
                std::time::Instant::now() < deadline,
                "no room after a client left: {other:?}"
            ),
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
