//! Receipts for an account with no receiver bound are held and delivered when one binds; an
//! ESME bound as SMPP v3.3 gets them without TLVs (v3.3 has none).

use smsedge_codecs::smpp::{tag, Body, CommandId, CommandStatus, ReceiptText};
use smsedge_loadgen::smsc;
use smsedge_tests::*;
use std::time::Duration;

fn bind_as(s: &Smsedge, kind: &str, version: u8) -> RawSmpp {
    let mut c = RawSmpp::connect(s.addr);
    let mut b = bind_trx(1, "acme", "pw");
    if let Body::BindTransceiver(mut x) = b.body {
        x.interface_version = version;
        b.body = match kind {
            "tx" => Body::BindTransmitter(x),
            "rx" => Body::BindReceiver(x),
            _ => Body::BindTransceiver(x),
        };
    }
    c.send(&b);
    let r = c.recv().expect("bind resp");
    assert_eq!(r.command_status, CommandStatus::ESME_ROK);
    // v3.4 4.1.2: sc_interface_version only for an ESME that speaks v3.4 or later.
    assert_eq!(r.tlv(tag::SC_INTERFACE_VERSION).is_some(), version >= 0x34);
    c
}

#[test]
fn held_receipts_reach_a_receiver_that_binds_later_and_v33_gets_no_tlvs() {
    let sim = smsc::Smsc::start(smsc::SmscOptions {
        listen: "127.0.0.1:0".into(),
        quiet: true,
        ..Default::default()
    })
    .unwrap();
    let cfg = format!(
        "[[account]]\nsystem_id = \"acme\"\npassword = \"pw\"\n\n[[connector]]\nname = \"sim\"\nkind = \"smpp\"\naddress = \"{}\"\nsystem_id = \"p\"\npassword = \"p\"\n\n[[route]]\nprefix = \"\"\nconnectors = [\"sim\"]\n",
        sim.local_addr()
    );
    let s = Smsedge::start("shards = 1", &cfg);
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
    let mut tx = bind_as(&s, "tx", 0x34);
    let mut ids = Vec::new();
    for i in 0..10 {
        tx.send(&submit(i + 1, "447700900123", "held", true));
        let r = tx.recv_id(CommandId::SubmitSmResp).unwrap();
        let Body::SubmitSmResp(Some(m)) = r.body else {
            panic!()
        };
        ids.push(String::from_utf8(m.message_id.to_vec()).unwrap());
    }
    // Nobody can receive yet: the receipts wait in the account's queue.
    let mut queued = 0;
    for _ in 0..50 {
        queued = s.ctl(&["stats"])["accounts"]["acme"]["queued"]
            .as_u64()
            .unwrap();
        if queued == 10 {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(queued, 10, "{}", s.ctl(&["stats"]));
    // A v3.3 receiver binds: it gets all ten, with the ids the transmitter was given, and no
    // TLVs.
    let mut rx = bind_as(&s, "rx", 0x33);
    let mut got = Vec::new();
    while got.len() < 10 {
        let p = rx.recv_id(CommandId::DeliverSm).expect("held receipt");
        assert!(p.tlvs.is_empty(), "TLVs sent to a v3.3 ESME: {:?}", p.tlvs);
        let Body::DeliverSm(d) = &p.body else {
            unreachable!()
        };
        got.push(
            String::from_utf8(
                ReceiptText::parse(&d.short_message)
                    .unwrap()
                    .id
                    .unwrap()
                    .to_vec(),
            )
            .unwrap(),
        );
        rx.auto_answer(&p);
    }
    got.sort();
    ids.sort();
    assert_eq!(got, ids);
    // A v3.4 transceiver gets the receipt TLVs.
    drop(rx);
    let mut trx = bind_as(&s, "trx", 0x34);
    trx.send(&submit(50, "447700900123", "tlvs", true));
    let r = trx.recv_id(CommandId::SubmitSmResp).unwrap();
    let Body::SubmitSmResp(Some(m)) = r.body else {
        panic!()
    };
    let p = trx.recv_id(CommandId::DeliverSm).unwrap();
    assert_eq!(
        p.tlv(tag::RECEIPTED_MESSAGE_ID).unwrap().as_c_string(),
        &m.message_id[..]
    );
    trx.auto_answer(&p);
}
