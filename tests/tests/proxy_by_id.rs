//! query_sm, cancel_sm and replace_sm through the proxy, over real sockets, against the SMSC
//! simulator (which answers them from its ledger of accepted messages). The client only ever
//! knows the proxy's own ids (INTERFACES.md "Message ids"); the proxy must turn them into the
//! upstream's ids on the way up and back into its own on the way down (query_sm_resp, receipts).
//!
//! What the simulator answers is only right if the proxy sent it the upstream id it issued: an
//! id it does not know is answered ESME_RQUERYFAIL / ESME_RCANCELFAIL / ESME_RREPLACEFAIL. So an
//! ESME_ROK from upstream, with the simulator's counters, proves the id was translated.

use smsedge_codecs::smpp::{
    tag, Body, CancelSm, CommandId, CommandStatus, MessageState, Pdu, QuerySm, QuerySmResp,
    ReceiptText, ReplaceSm,
};
use smsedge_loadgen::smsc::{self, IdFormat, ReceiptIdFormat, SmscHandle, SmscOptions, SmscStats};
use smsedge_tests::*;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// The source address `submit` uses (TON 5 alphanumeric).
const SRC: &str = "TEST";

struct Rig {
    sim: SmscHandle,
    s: Smsedge,
}

/// A simulator with `opts` (listen and quiet filled in), and a proxy with `shards` shards, the
/// accounts `acme`/`pw` and `beta`/`pw`, and one connector to the simulator with `connector`
/// extra keys; returns once every upstream bind is up.
fn rig(shards: usize, opts: SmscOptions, connector: &str) -> Rig {
    let sim = smsc::Smsc::start(SmscOptions {
        listen: "127.0.0.1:0".into(),
        quiet: true,
        ..opts
    })
    .expect("simulator");
    let cfg = format!(
        "[[account]]\nsystem_id = \"acme\"\npassword = \"pw\"\n\n\
         [[account]]\nsystem_id = \"beta\"\npassword = \"pw\"\n\n\
         [[connector]]\nname = \"sim\"\nkind = \"smpp\"\naddress = \"{}\"\nsystem_id = \"p\"\npassword = \"p\"\n{connector}\n\n\
         [[route]]\nprefix = \"\"\nconnectors = [\"sim\"]\n",
        sim.local_addr()
    );
    let s = Smsedge::start(&format!("shards = {shards}"), &cfg);
    let bound = || {
        s.ctl(&["binds"])["binds"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|b| b["side"] == "upstream" && b["state"] == "Bound")
            .count()
    };
    let deadline = Instant::now() + Duration::from_secs(15);
    while bound() < shards {
        assert!(
            Instant::now() < deadline,
            "upstream binds: {}",
            s.ctl(&["binds"])
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Rig { sim, s }
}

fn opts() -> SmscOptions {
    SmscOptions::default()
}

/// A bound transceiver of `system_id`.
fn esme(addr: SocketAddr, system_id: &str) -> RawSmpp {
    let mut c = RawSmpp::connect(addr);
    c.send(&bind_trx(1, system_id, "pw"));
    let r = c.recv().expect("bind_transceiver_resp");
    assert_eq!(r.command_status, CommandStatus::ESME_ROK);
    c
}

/// Submits through the proxy; returns the proxy's id.
fn submit_id(c: &mut RawSmpp, seq: u32, dlr: bool) -> String {
    c.send(&submit(seq, "447700900123", "by id", dlr));
    let r = c.recv_id(CommandId::SubmitSmResp).expect("submit_sm_resp");
    assert_eq!(r.command_status, CommandStatus::ESME_ROK);
    assert_eq!(r.sequence_number, seq);
    let Body::SubmitSmResp(Some(m)) = r.body else {
        panic!("submit_sm_resp without a body: {r:?}")
    };
    String::from_utf8(m.message_id.to_vec()).unwrap()
}

/// Sends `body` with `seq`, returns the response (checked to be `resp` with that sequence).
fn request(c: &mut RawSmpp, seq: u32, body: Body, resp: CommandId) -> Pdu {
    c.send(&Pdu::new(seq, body));
    let r = c.recv_id(resp).unwrap_or_else(|| panic!("no {resp:?}"));
    assert_eq!(r.sequence_number, seq, "{r:?}");
    r
}

fn query(c: &mut RawSmpp, seq: u32, id: &str, src: &str) -> Pdu {
    let body = Body::QuerySm(QuerySm {
        message_id: id.as_bytes().to_vec().into(),
        source_addr_ton: 5,
        source_addr_npi: 0,
        source_addr: src.as_bytes().to_vec().into(),
    });
    request(c, seq, body, CommandId::QuerySmResp)
}

fn cancel(c: &mut RawSmpp, seq: u32, id: &str) -> CommandStatus {
    let body = Body::CancelSm(CancelSm {
        message_id: id.as_bytes().to_vec().into(),
        source_addr_ton: 5,
        source_addr: SRC.as_bytes().to_vec().into(),
        dest_addr_ton: 1,
        dest_addr_npi: 1,
        destination_addr: bytes::Bytes::from_static(b"447700900123"),
        ..Default::default()
    });
    request(c, seq, body, CommandId::CancelSmResp).command_status
}

fn replace(c: &mut RawSmpp, seq: u32, id: &str, text: &str) -> CommandStatus {
    let body = Body::ReplaceSm(ReplaceSm {
        message_id: id.as_bytes().to_vec().into(),
        source_addr_ton: 5,
        source_addr: SRC.as_bytes().to_vec().into(),
        registered_delivery: 1,
        short_message: text.as_bytes().to_vec().into(),
        ..Default::default()
    });
    request(c, seq, body, CommandId::ReplaceSmResp).command_status
}

/// The body of a successful query_sm_resp.
fn query_ok(r: Pdu) -> QuerySmResp {
    assert_eq!(r.command_status, CommandStatus::ESME_ROK, "{r:?}");
    match r.body {
        Body::QuerySmResp(Some(q)) => q,
        _ => panic!("query_sm_resp without a body: {r:?}"),
    }
}

/// The simulator's counters once `done` holds of them (they are published every 100 ms).
fn sim_stats(sim: &SmscHandle, done: impl Fn(&SmscStats) -> bool) -> SmscStats {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let s = sim.stats();
        if done(&s) || Instant::now() > deadline {
            return s;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The id in a receipt, checked to be the same in the text and in receipted_message_id.
fn receipt_id(p: &Pdu) -> String {
    let Body::DeliverSm(d) = &p.body else {
        panic!("not a deliver_sm: {p:?}")
    };
    let text = ReceiptText::parse(&d.short_message).expect("receipt text");
    let id = text.id.expect("id: in the receipt text").to_vec();
    let tlv = p
        .tlv(tag::RECEIPTED_MESSAGE_ID)
        .expect("receipted_message_id")
        .as_c_string()
        .to_vec();
    assert_eq!(id, tlv, "text and TLV disagree");
    String::from_utf8(id).unwrap()
}

/// The shard serving client connection `c`.
fn shard_of(s: &Smsedge, c: &RawSmpp) -> u64 {
    let port = c.stream.local_addr().unwrap().port();
    for _ in 0..100 {
        let v = s.ctl(&["binds"]);
        if let Some(b) = v["binds"].as_array().unwrap().iter().find(|b| {
            b["side"] != "upstream"
                && b["peer"]
                    .as_str()
                    .is_some_and(|p| p.ends_with(&format!(":{port}")))
        }) {
            return b["shard"].as_u64().unwrap();
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("connection {port} not listed");
}

#[test]
fn query_by_proxy_id_answers_the_upstream_state_with_the_proxy_id() {
    let r = rig(
        1,
        SmscOptions {
            dlr_delay: "3s".parse().unwrap(),
            ..opts()
        },
        "",
    );
    let mut c = esme(r.s.addr, "acme");
    let own = submit_id(&mut c, 2, true);
    // The simulator's first id is 1 << 6, "40" in hex: the client must never see it.
    assert_ne!(own, "40");

    // Pending: ENROUTE, no final_date (v3.4 4.8.2), and the client's own id back.
    let q = query_ok(query(&mut c, 3, &own, SRC));
    assert_eq!(
        q.message_id,
        own.as_bytes(),
        "query_sm_resp must carry the proxy's id"
    );
    assert_eq!(q.message_state, MessageState::Enroute.to_u8());
    assert!(q.final_date.is_empty(), "{q:?}");
    assert_eq!(q.error_code, 0);
    assert_eq!(sim_stats(&r.sim, |s| s.query_sm == 1).query_sm, 1);

    // The source address goes up unchanged: the simulator checks it against the submission
    // (v3.4 4.8.1 "must match") and its refusal comes back as it is.
    let bad = query(&mut c, 4, &own, "SOMEONE");
    assert_eq!(bad.command_status, CommandStatus::ESME_RQUERYFAIL);
    assert!(matches!(bad.body, Body::QuerySmResp(None)), "{bad:?}");
    assert_eq!(sim_stats(&r.sim, |s| s.query_sm == 2).query_sm, 2);

    // Final: the receipt arrives with the proxy's id, then the query says DELIVERED with the
    // date it became final.
    let p = c.recv_id(CommandId::DeliverSm).expect("receipt");
    c.auto_answer(&p);
    assert_eq!(receipt_id(&p), own);
    let q = query_ok(query(&mut c, 5, &own, SRC));
    assert_eq!(q.message_id, own.as_bytes());
    assert_eq!(q.message_state, MessageState::Delivered.to_u8());
    // v3.4 7.1.1 absolute time format: YYMMDDhhmmsstnnp.
    assert_eq!(q.final_date.len(), 16, "{q:?}");
    assert!(q.final_date.ends_with(b"+"), "{q:?}");
    // An empty source_addr means "not known" (v3.4 4.8.1): no verification.
    let q = query_ok(query(&mut c, 6, &own, ""));
    assert_eq!(q.message_id, own.as_bytes());
}

#[test]
fn cancel_by_proxy_id_cancels_upstream_and_a_second_cancel_gets_the_upstream_refusal() {
    let r = rig(
        1,
        SmscOptions {
            dlr_delay: "3s".parse().unwrap(),
            ..opts()
        },
        "",
    );
    let mut c = esme(r.s.addr, "acme");
    let first = submit_id(&mut c, 2, true);
    let second = submit_id(&mut c, 3, true);
    assert_eq!(cancel(&mut c, 4, &first), CommandStatus::ESME_ROK);
    let st = sim_stats(&r.sim, |s| s.cancelled == 1);
    assert_eq!((st.cancel_sm, st.cancelled), (1, 1), "{st:?}");
    // The simulator's refusal (the message is final now) is passed through as it is.
    assert_eq!(cancel(&mut c, 5, &first), CommandStatus::ESME_RCANCELFAIL);
    let st = sim_stats(&r.sim, |s| s.cancel_sm == 2);
    assert_eq!((st.cancel_sm, st.cancelled), (2, 1), "{st:?}");
    // v3.4 5.2.28: a cancelled message is DELETED.
    let q = query_ok(query(&mut c, 6, &first, SRC));
    assert_eq!(q.message_id, first.as_bytes());
    assert_eq!(q.message_state, MessageState::Deleted.to_u8());
    assert_eq!(q.final_date.len(), 16, "{q:?}");
    // The cancelled message gets no receipt: the first to come is the second message's.
    let p = c.recv_id(CommandId::DeliverSm).expect("receipt");
    c.auto_answer(&p);
    assert_eq!(receipt_id(&p), second);
    let st = sim_stats(&r.sim, |s| s.receipts_cancelled == 1);
    assert_eq!((st.receipts_sent, st.receipts_cancelled), (1, 1), "{st:?}");
    // Delivered: too late to cancel.
    assert_eq!(cancel(&mut c, 7, &second), CommandStatus::ESME_RCANCELFAIL);
}

#[test]
fn replace_by_proxy_id_reaches_the_upstream_message() {
    let r = rig(
        1,
        SmscOptions {
            dlr_delay: "3s".parse().unwrap(),
            ..opts()
        },
        "",
    );
    let mut c = esme(r.s.addr, "acme");
    let own = submit_id(&mut c, 2, true);
    assert_eq!(
        replace(&mut c, 3, &own, "replaced"),
        CommandStatus::ESME_ROK
    );
    let st = sim_stats(&r.sim, |s| s.replaced == 1);
    assert_eq!((st.replace_sm, st.replaced), (1, 1), "{st:?}");
    // Still the same pending message upstream.
    let q = query_ok(query(&mut c, 4, &own, SRC));
    assert_eq!(q.message_state, MessageState::Enroute.to_u8());
    // Once it is final the simulator refuses, and the refusal comes through.
    assert_eq!(cancel(&mut c, 5, &own), CommandStatus::ESME_ROK);
    assert_eq!(
        replace(&mut c, 6, &own, "too late"),
        CommandStatus::ESME_RREPLACEFAIL
    );
    let st = sim_stats(&r.sim, |s| s.replace_sm == 2);
    assert_eq!((st.replace_sm, st.replaced), (2, 1), "{st:?}");
}

#[test]
fn ids_the_proxy_did_not_issue_to_this_account_never_reach_upstream() {
    let r = rig(1, opts(), "");
    let mut c = esme(r.s.addr, "acme");
    let mine = submit_id(&mut c, 2, false);
    let mut other = esme(r.s.addr, "beta");
    let theirs = submit_id(&mut other, 2, false);
    let mut seq = 10;
    let mut next = || {
        seq += 1;
        seq
    };
    // Not an id of ours at all (an upstream's hex id, text, empty, too long for an own id:
    // own ids are decimal below 2^63, idmap.rs): ESME_RINVMSGID, v3.4 5.1.3 "Message ID is
    // invalid".
    for bad in ["4a", "garbage", "", "99999999999999999999", "-1"] {
        let q = query(&mut c, next(), bad, SRC);
        assert_eq!(q.command_status, CommandStatus::ESME_RINVMSGID, "{bad:?}");
        assert!(matches!(q.body, Body::QuerySmResp(None)), "{q:?}");
        assert_eq!(cancel(&mut c, next(), bad), CommandStatus::ESME_RINVMSGID);
        assert_eq!(
            replace(&mut c, next(), bad, "x"),
            CommandStatus::ESME_RINVMSGID
        );
    }
    // Well-formed own ids that this proxy never issued, or issued to another account (a client
    // reaches only its own messages): query_sm gets ESME_RQUERYFAIL, cancel_sm and replace_sm
    // ESME_RINVMSGID (engine/src/shard.rs by_id_found).
    let never = (mine.parse::<u64>().unwrap() + 1_000_000).to_string();
    for unknown in [never.as_str(), "1", theirs.as_str()] {
        let q = query(&mut c, next(), unknown, SRC);
        assert_eq!(
            q.command_status,
            CommandStatus::ESME_RQUERYFAIL,
            "{unknown}"
        );
        assert!(matches!(q.body, Body::QuerySmResp(None)), "{q:?}");
        assert_eq!(
            cancel(&mut c, next(), unknown),
            CommandStatus::ESME_RINVMSGID
        );
        assert_eq!(
            replace(&mut c, next(), unknown, "x"),
            CommandStatus::ESME_RINVMSGID
        );
    }
    // None of that went upstream; the owner's own query does (and after the refusals above, so
    // the counters below would include them had they gone up).
    let q = query_ok(query(&mut other, 3, &theirs, SRC));
    assert_eq!(q.message_id, theirs.as_bytes());
    let st = sim_stats(&r.sim, |s| s.query_sm >= 1);
    assert_eq!(
        (st.query_sm, st.cancel_sm, st.replace_sm),
        (1, 0, 0),
        "{st:?}"
    );
}

#[test]
fn ids_issued_on_another_shard_resolve_over_the_mesh() {
    let r = rig(
        2,
        SmscOptions {
            dlr_delay: "3s".parse().unwrap(),
            ..opts()
        },
        "",
    );
    let mut a = esme(r.s.addr, "acme");
    let a_shard = shard_of(&r.s, &a);
    let mut b = None;
    for _ in 0..64 {
        let c = RawSmpp::connect(r.s.addr);
        if shard_of(&r.s, &c) != a_shard {
            b = Some(c);
            break;
        }
    }
    let mut b = b.expect("no connection landed on the other shard in 64 tries");
    b.send(&bind_trx(1, "acme", "pw"));
    assert_eq!(b.recv().unwrap().command_status, CommandStatus::ESME_ROK);
    let mesh_out = |s: &Smsedge| -> u64 {
        s.ctl(&["stats"])["shards"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["mesh_out"].as_u64().unwrap())
            .sum()
    };

    // No receipts asked for: nothing else crosses the mesh while lookups are counted.
    let m1 = submit_id(&mut a, 2, false);
    let m2 = submit_id(&mut a, 3, false);
    std::thread::sleep(Duration::from_millis(500));
    let before = mesh_out(&r.s);
    let q = query_ok(query(&mut b, 2, &m1, SRC));
    assert_eq!(q.message_id, m1.as_bytes());
    assert_eq!(q.message_state, MessageState::Enroute.to_u8());
    assert_eq!(cancel(&mut b, 3, &m1), CommandStatus::ESME_ROK);
    assert_eq!(
        replace(&mut b, 4, &m2, "other shard"),
        CommandStatus::ESME_ROK
    );
    // And back: the issuing shard's connection sees the simulator's state.
    assert_eq!(cancel(&mut a, 4, &m1), CommandStatus::ESME_RCANCELFAIL);
    let q = query_ok(query(&mut a, 5, &m1, SRC));
    assert_eq!(q.message_state, MessageState::Deleted.to_u8());
    let st = sim_stats(&r.sim, |s| s.cancel_sm == 2 && s.replace_sm == 1);
    assert_eq!(
        (st.query_sm, st.cancel_sm, st.cancelled, st.replaced),
        (2, 2, 1, 1),
        "{st:?}"
    );
    // Each lookup from b went to the issuing shard and back (stats are published a few times
    // a second).
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut crossed = mesh_out(&r.s) - before;
    while crossed < 6 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
        crossed = mesh_out(&r.s) - before;
    }
    assert!(
        crossed >= 6,
        "3 lookups from the other shard, 2 mesh messages each: {crossed}"
    );
}

/// Hex ids in submit_sm_resp, decimal in receipts: the simulator as some real SMSCs behave.
fn hex_then_decimal() -> SmscOptions {
    SmscOptions {
        id_format: IdFormat::Hex,
        receipt_id_format: ReceiptIdFormat::Decimal,
        ..opts()
    }
}

#[test]
fn simulator_writes_hex_ids_in_responses_and_decimal_in_receipts() {
    // Straight to the simulator: what the proxy is up against in the next test.
    let sim = smsc::Smsc::start(SmscOptions {
        listen: "127.0.0.1:0".into(),
        quiet: true,
        ..hex_then_decimal()
    })
    .unwrap();
    let mut c = RawSmpp::connect(sim.local_addr());
    c.send(&bind_trx(1, "x", "y"));
    assert_eq!(c.recv().unwrap().command_status, CommandStatus::ESME_ROK);
    for seq in 2..6 {
        c.send(&submit(seq, "447700900123", "direct", true));
        let r = c.recv_id(CommandId::SubmitSmResp).unwrap();
        let Body::SubmitSmResp(Some(m)) = r.body else {
            panic!("{r:?}")
        };
        let hex = String::from_utf8(m.message_id.to_vec()).unwrap();
        let p = c.recv_id(CommandId::DeliverSm).unwrap();
        c.auto_answer(&p);
        let dec = receipt_id(&p);
        let v = u64::from_str_radix(&hex, 16).unwrap();
        assert_eq!(dec, v.to_string(), "the same number, in decimal");
        assert_ne!(
            dec, hex,
            "the forms must differ for the test to mean anything"
        );
        // query_sm takes the id in the submit_sm_resp form.
        let q = query_ok(query(&mut c, 100 + seq, &hex, SRC));
        assert_eq!(q.message_id, hex.as_bytes());
        assert_eq!(q.message_state, MessageState::Delivered.to_u8());
    }
}

#[test]
fn receipts_in_decimal_for_hex_ids_reach_the_esme_with_the_proxy_id() {
    let r = rig(
        1,
        hex_then_decimal(),
        "resp_id = \"hex\"\nreceipt_id = \"decimal\"",
    );
    let mut c = esme(r.s.addr, "acme");
    // Receipts may overtake later responses (the simulator sends each right after its
    // response): collect both as they come.
    for seq in 2..8 {
        c.send(&submit(seq, "447700900123", "hex then decimal", true));
    }
    let (mut ids, mut got) = (Vec::new(), Vec::new());
    while ids.len() < 6 || got.len() < 6 {
        let Some(p) = c.recv() else {
            panic!(
                "{} responses, {} receipts of 6: {}",
                ids.len(),
                got.len(),
                r.s.ctl(&["stats"])
            )
        };
        match p.body {
            Body::SubmitSmResp(Some(ref m)) => {
                assert_eq!(p.command_status, CommandStatus::ESME_ROK);
                ids.push(String::from_utf8(m.message_id.to_vec()).unwrap());
            }
            Body::DeliverSm(_) => {
                got.push(receipt_id(&p));
                c.auto_answer(&p);
            }
            _ => panic!("unexpected {p:?}"),
        }
    }
    got.sort();
    ids.sort();
    assert_eq!(got, ids, "every receipt, with the ids the client was given");
    // And query_sm goes up with the hex id the simulator expects.
    let q = query_ok(query(&mut c, 20, &ids[0], SRC));
    assert_eq!(q.message_id, ids[0].as_bytes());
    assert_eq!(q.message_state, MessageState::Delivered.to_u8());
    let st = r.s.ctl(&["stats"]);
    assert!(
        st["shards"][0]["receipts_unmatched"] == 0,
        "no receipt may go unmatched: {st}"
    );
}

#[test]
fn receipts_in_decimal_for_hex_ids_do_not_match_when_the_connector_says_hex() {
    // The control for the test above: told the receipts are in hex too, the proxy cannot tie
    // them to the messages, and the ESME gets none (they are counted as unmatched).
    let r = rig(
        1,
        hex_then_decimal(),
        "resp_id = \"hex\"\nreceipt_id = \"hex\"",
    );
    let mut c = esme(r.s.addr, "acme");
    for seq in 2..5 {
        c.send(&submit(seq, "447700900123", "hex then decimal", true));
    }
    for _ in 2..5 {
        // recv, not recv_id: a receipt arriving here must fail the test, not be skipped.
        let p = c.recv().expect("submit_sm_resp");
        assert_eq!(p.command_id(), CommandId::SubmitSmResp, "{p:?}");
        assert_eq!(p.command_status, CommandStatus::ESME_ROK);
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    let unmatched = || r.s.ctl(&["stats"])["shards"][0]["receipts_unmatched"].as_u64();
    while unmatched() != Some(3) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(unmatched(), Some(3), "{}", r.s.ctl(&["stats"]));
    assert_eq!(sim_stats(&r.sim, |s| s.receipts_sent == 3).receipts_sent, 3);
    c.stream
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    assert!(
        c.recv().is_none(),
        "an unmatched receipt must not reach the ESME"
    );
}
