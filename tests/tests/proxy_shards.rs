//! Two shards, one account: a receipt for a message submitted on one shard reaches the
//! account's receiver bind on the other shard (over the channel mesh), with the proxy's id.

use smsedge_codecs::smpp::{tag, Body, CommandId, CommandStatus, ReceiptText};
use smsedge_tests::*;
use std::process::Command;
use std::time::Duration;

#[test]
fn receipt_reaches_a_receiver_bound_on_the_other_shard() {
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
    let s = Smsedge::start("shards = 2", &cfg);
    for _ in 0..150 {
        let v = s.ctl(&["binds"]);
        if v["binds"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|b| b["side"] == "upstream" && b["state"] == "Bound")
            .count()
            == 2
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let shard_of = |c: &RawSmpp| -> u64 {
        let port = c.stream.local_addr().unwrap().port();
        for _ in 0..50 {
            let v = s.ctl(&["binds"]);
            if let Some(b) = v["binds"].as_array().unwrap().iter().find(|b| {
                b["peer"]
                    .as_str()
                    .is_some_and(|p| p.ends_with(&format!(":{port}")))
            }) {
                return b["shard"].as_u64().unwrap();
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("connection {port} not listed");
    };
    // The transmitter, then connections until one lands on the other shard (the kernel spreads
    // connections over SO_REUSEPORT listeners by hash).
    let mut tx = RawSmpp::connect(s.addr);
    let mut b = bind_trx(1, "acme", "pw");
    if let Body::BindTransceiver(x) = b.body {
        b.body = Body::BindTransmitter(x);
    }
    tx.send(&b);
    assert_eq!(tx.recv().unwrap().command_status, CommandStatus::ESME_ROK);
    let tx_shard = shard_of(&tx);
    let mut rx = None;
    for _ in 0..64 {
        let c = RawSmpp::connect(s.addr);
        if shard_of(&c) != tx_shard {
            rx = Some(c);
            break;
        }
    }
    let mut rx = rx.expect("no connection landed on the other shard in 64 tries");
    let mut b = bind_trx(1, "acme", "pw");
    if let Body::BindTransceiver(x) = b.body {
        b.body = Body::BindReceiver(x);
    }
    rx.send(&b);
    assert_eq!(rx.recv().unwrap().command_status, CommandStatus::ESME_ROK);

    let mut ids = Vec::new();
    for i in 0..20 {
        tx.send(&submit(
            10 + i,
            &format!("4477009{i:05}"),
            "cross shard",
            true,
        ));
        let r = tx.recv_id(CommandId::SubmitSmResp).unwrap();
        assert!(r.command_status.is_ok());
        let Body::SubmitSmResp(Some(m)) = r.body else {
            panic!("no message_id")
        };
        ids.push(String::from_utf8(m.message_id.to_vec()).unwrap());
    }
    let mut got = Vec::new();
    while got.len() < 20 {
        let Some(p) = rx.recv_id(CommandId::DeliverSm) else {
            panic!(
                "receipt {} on the other shard never came: {:#}",
                got.len(),
                s.ctl(&["stats"])
            );
        };
        rx.auto_answer(&p);
        let Body::DeliverSm(d) = &p.body else {
            unreachable!()
        };
        let text = ReceiptText::parse(&d.short_message).expect("receipt text");
        let id = String::from_utf8(text.id.unwrap().to_vec()).unwrap();
        let tlv = p
            .tlv(tag::RECEIPTED_MESSAGE_ID)
            .unwrap()
            .as_c_string()
            .to_vec();
        assert_eq!(id.as_bytes(), &tlv[..]);
        got.push(id);
    }
    got.sort();
    ids.sort();
    assert_eq!(got, ids, "every receipt, with the ids the client was given");
    // Stats are published a few times a second.
    let mut stats = s.ctl(&["stats"]);
    for _ in 0..50 {
        if stats["accounts"]["acme"]["delivered"] == 20 {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
        stats = s.ctl(&["stats"]);
    }
    let mesh: u64 = stats["shards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["mesh_out"].as_u64().unwrap())
        .sum();
    assert!(mesh >= 20, "receipts must have crossed shards: {stats}");
    assert_eq!(stats["accounts"]["acme"]["delivered"], 20, "{stats}");
}
