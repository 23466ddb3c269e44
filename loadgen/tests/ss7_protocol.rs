//! The SS7 simulator over real sockets, driven by a client built from the codecs that plays
//! the proxy: M3UA ASP states, SRI-for-SM and mt-forwardSM field by field (one part and three
//! parts in one dialogue), the checks, deterministic and mixed errors, the v3 refusal of
//! --v2-only, MO origination and its answers, XUDT reassembly, and dialogues handed between
//! executors.

mod ss7_common;

use smsedge_codecs::m3ua::{self, MaskedPointCode, MessageType as M, Parameter};
use smsedge_codecs::map::{
    AddressString, AppContext, Argument, ErrorParam, MapError, ResultValue, RoutingInfoForSmArg,
    SmRpDa, SmRpOa,
};
use smsedge_codecs::sccp::{self, segment::xudt_segments};
use smsedge_codecs::tcap::{
    self, AbortReason, Code, Component, DialoguePdu, DialoguePortion, MessageKind, ProblemType,
    SourceDiagnostic,
};
use smsedge_codecs::tpdu::{self, Direction, Tpdu};
use smsedge_loadgen::parse::{CpuList, Dist, Secs};
use smsedge_loadgen::ss7::{Ss7, Ss7Handle, Ss7Options};
use ss7_common::*;
use std::time::{Duration, Instant};

fn sim(f: impl FnOnce(&mut Ss7Options)) -> Ss7Handle {
    let mut o = Ss7Options {
        listen: "127.0.0.1:0".into(),
        quiet: true,
        ..Default::default()
    };
    f(&mut o);
    Ss7::start(o).unwrap()
}

/// The AARE of a message's dialogue portion (or of its u-abort).
fn aare(t: &tcap::Message) -> &tcap::dialogue::Aare {
    let d = match (&t.dialogue, &t.abort_reason) {
        (Some(d), _) => d,
        (None, Some(AbortReason::User(d))) => d,
        _ => panic!("no dialogue portion: {t:?}"),
    };
    match &d.pdu {
        DialoguePdu::Response(a) => a,
        other => panic!("not an AARE: {other:?}"),
    }
}

fn assert_accepted(t: &tcap::Message, ac: AppContext, v: u8) {
    let a = aare(t);
    assert_eq!(a.application_context, ac.oid(v));
    assert_eq!((a.result, a.diagnostic), (0, SourceDiagnostic::User(0)));
}

fn result_of(t: &tcap::Message) -> &tcap::ReturnResult {
    match t.components.as_slice() {
        [Component::ReturnResult(r)] => r,
        other => panic!("expected one ReturnResult: {other:?}"),
    }
}

fn map_error_of(t: &tcap::Message) -> (i64, MapError) {
    match t.components.as_slice() {
        [Component::ReturnError(e)] => {
            let code = e.error_code.local().unwrap();
            (
                e.invoke_id,
                MapError::decode(code, e.parameter.as_deref()).unwrap(),
            )
        }
        other => panic!("expected one ReturnError: {other:?}"),
    }
}

#[test]
fn m3ua_asp_states_beat_and_errors() {
    let h = sim(|o| o.routing_context = Some(100));
    let mut c = Client::connect(h.local_addr());
    c.rc = Some(100);
    // BEAT is answered in any state, with the same heartbeat data (RFC 4666 3.5.6).
    c.send(&m3ua::Message::beat(Some(b"hb-1".to_vec())));
    let a = c.expect(M::BeatAck);
    assert_eq!(a.params, vec![Parameter::HeartbeatData(b"hb-1".to_vec())]);
    // DATA before ASPUP / ASPAC: ERR Unexpected Message, with the routing context and the
    // offending message.
    c.send_tcap(
        &gt(6, "447700900001"),
        &smsc_addr(),
        &sri_begin(1, "447700900001", 3),
    );
    let sent = c.wire.last().unwrap().clone();
    let (code, e) = c.expect_err();
    assert_eq!(code, 0x06);
    assert!(e.params.contains(&Parameter::RoutingContext(vec![100])));
    assert!(e.params.contains(&Parameter::DiagnosticInformation(sent)));
    c.send(&m3ua::Message::aspac(Some(2), &[100]));
    assert_eq!(c.expect_err().0, 0x06);
    // ASPUP with an ASP Identifier: echoed.
    c.send(&m3ua::Message::aspup(Some(7)));
    let a = c.expect(M::AspUpAck);
    assert_eq!(a.params, vec![Parameter::AspIdentifier(7)]);
    // Still INACTIVE: DATA refused.
    c.send_tcap(
        &gt(6, "447700900001"),
        &smsc_addr(),
        &sri_begin(2, "447700900001", 3),
    );
    assert_eq!(c.expect_err().0, 0x06);
    // A routing context that is not configured, an unsupported traffic mode.
    c.send(&m3ua::Message::aspac(Some(2), &[7]));
    let (code, e) = c.expect_err();
    assert_eq!(code, 0x19);
    assert!(e.params.contains(&Parameter::RoutingContext(vec![7])));
    c.send(&m3ua::Message::aspac(Some(9), &[100]));
    assert_eq!(c.expect_err().0, 0x05);
    // ASPAC: ACK echoing traffic mode and routing context, then NTFY AS-ACTIVE.
    c.send(&m3ua::Message::aspac(Some(2), &[100]));
    let a = c.expect(M::AspAcAck);
    assert_eq!(
        a.params,
        vec![
            Parameter::TrafficModeType(2),
            Parameter::RoutingContext(vec![100])
        ]
    );
    let n = c.expect(M::Ntfy);
    assert_eq!(
        n.params,
        vec![
            Parameter::Status {
                status_type: 1,
                status_info: 3
            },
            Parameter::RoutingContext(vec![100])
        ]
    );
    c.send(&m3ua::Message::beat(None));
    assert!(c.expect(M::BeatAck).params.is_empty());
    // DATA with another routing context.
    c.rc = Some(101);
    c.send_tcap(
        &gt(6, "447700900001"),
        &smsc_addr(),
        &sri_begin(3, "447700900001", 3),
    );
    let (code, e) = c.expect_err();
    assert_eq!(code, 0x19);
    assert!(e.params.contains(&Parameter::RoutingContext(vec![101])));
    c.rc = Some(100);
    // Now a dialogue works, and its DATA carries the routing context.
    c.send_tcap(
        &gt(6, "447700900001"),
        &smsc_addr(),
        &sri_begin(4, "447700900001", 3),
    );
    let g = c.recv_tcap();
    assert_eq!(g.routing_context, Some(100));
    assert_eq!(g.tcap.kind, MessageKind::End);
    // DAUD for the simulator's point code and another: DAVA and DUNA.
    let apc = |pc| MaskedPointCode { mask: 0, pc };
    c.send(&m3ua::Message::daud(&[100], &[apc(2), apc(99)]));
    let dava = c.expect(M::Dava);
    assert!(dava
        .params
        .contains(&Parameter::AffectedPointCode(vec![apc(2)])));
    let duna = c.expect(M::Duna);
    assert!(duna
        .params
        .contains(&Parameter::AffectedPointCode(vec![apc(99)])));
    // Messages the SG sends, unknown classes and types, RKM.
    c.send(&m3ua::Message::aspup_ack(None));
    assert_eq!(c.expect_err().0, 0x06);
    c.send_raw(&[1, 0, 7, 1, 0, 0, 0, 8]);
    assert_eq!(c.expect_err().0, 0x03);
    c.send_raw(&[1, 0, 3, 9, 0, 0, 0, 8]);
    assert_eq!(c.expect_err().0, 0x04);
    c.send_raw(&[2, 0, 3, 3, 0, 0, 0, 8]);
    assert_eq!(c.expect_err().0, 0x01);
    // An ERR from the ASP is not answered.
    c.send(&m3ua::Message::err(0x06, vec![]));
    // ASPIA, then DATA is refused again; ASPDN.
    c.send(&m3ua::Message::aspia(&[100]));
    let a = c.expect(M::AspIaAck);
    assert_eq!(a.params, vec![Parameter::RoutingContext(vec![100])]);
    c.send_tcap(
        &gt(6, "447700900001"),
        &smsc_addr(),
        &sri_begin(5, "447700900001", 3),
    );
    assert_eq!(c.expect_err().0, 0x06);
    c.send(&m3ua::Message::aspdn());
    c.expect(M::AspDnAck);
    assert!(c.recv_within(Duration::from_millis(200)).is_none());
    let s = h.stop();
    assert_eq!(
        (s.associations, s.aspup, s.aspac, s.aspia, s.aspdn, s.beat),
        (1, 1, 1, 1, 1, 2)
    );
    assert_eq!((s.data_not_active, s.data_in, s.sri), (3, 1, 1));
    assert_eq!(s.m3ua_errors_received, 1);
    assert_eq!(s.m3ua_errors_sent["unexpected_message"], 5);
    assert_eq!(s.m3ua_errors_sent["invalid_routing_context"], 2);
}

#[test]
fn a_framing_error_closes_the_association() {
    let h = sim(|_| {});
    let mut c = Client::connect(h.local_addr());
    // Message Length 4: below the common header; the stream cannot be framed any more.
    c.send_raw(&[1, 0, 3, 1, 0, 0, 0, 4]);
    assert_eq!(c.expect_err().0, 0x07);
    assert!(c.recv_within(Duration::from_secs(5)).is_none(), "closed");
}

#[test]
fn sri_then_mt_of_one_and_three_parts() {
    let h = sim(|o| o.smsc_gt = Some(SMSC.into()));
    let mut c = Client::connect(h.local_addr());
    c.up();
    let msisdn = "447700900123";
    c.send_tcap(
        &gt(6, msisdn),
        &smsc_addr(),
        &sri_begin(0x0100_0001, msisdn, 3),
    );
    let g = c.recv_tcap();
    // M3UA: the simulator's PC is the OPC, the proxy's the DPC; SI SCCP, NI national; the SLS
    // of the request.
    assert_eq!(
        (
            g.opc,
            g.dpc,
            g.si,
            g.ni,
            g.sls,
            g.routing_context,
            g.network_appearance
        ),
        (2, 1, 3, 2, 5, None, None)
    );
    // SCCP: UDT class 1 with return on error, from the HLR's GT (SSN 6) to the SMSC.
    assert_eq!(g.sccp.message_type, sccp::MessageType::Udt);
    assert_eq!(g.sccp.protocol_class, 0x81);
    assert_eq!(g.sccp.called, smsc_addr());
    assert_eq!(g.sccp.calling, gt(6, HLR));
    // TCAP: END to our transaction, AARE accepting shortMsgGatewayContext-v3.
    assert_eq!(g.tcap.kind, MessageKind::End);
    assert_eq!(g.tcap.dtid, Some(tid(0x0100_0001)));
    assert_accepted(&g.tcap, AppContext::ShortMsgGateway, 3);
    let r = result_of(&g.tcap);
    assert_eq!(
        (r.invoke_id, r.last, r.opcode.clone()),
        (1, true, Some(Code::Local(45)))
    );
    let ResultValue::SendRoutingInfoForSm(res) =
        ResultValue::decode(45, r.parameter.as_deref().unwrap()).unwrap()
    else {
        panic!()
    };
    // IMSI and MSC derived from the MSISDN.
    let imsi = res.imsi.digits().unwrap();
    assert_eq!(imsi, imsi_of(msisdn));
    assert_eq!(imsi, "001017700900123");
    let node = res.network_node_number();
    assert_eq!(node.digits().unwrap(), msc_of(msisdn));
    assert_eq!((node.nature(), node.npi()), (1, 1));

    // One part: TC-END with an empty ReturnResultLast for invoke id 1, from the MSC's GT.
    let msc = msc_of(msisdn);
    let tpdu1 = deliver("447700900777", "hello", None);
    c.send_tcap(
        &gt(8, &msc),
        &smsc_addr(),
        &mt_begin(0x0100_0002, mt_invoke(1, &imsi, tpdu1, false, 3), 3),
    );
    let g = c.recv_tcap();
    assert_eq!(
        (g.sccp.called.clone(), g.sccp.calling.clone()),
        (smsc_addr(), gt(8, &msc))
    );
    assert_eq!(
        (g.tcap.kind, g.tcap.dtid),
        (MessageKind::End, Some(tid(0x0100_0002)))
    );
    assert_accepted(&g.tcap, AppContext::ShortMsgMtRelay, 3);
    let r = result_of(&g.tcap);
    assert_eq!(
        (r.invoke_id, r.last, r.opcode.clone(), r.parameter.clone()),
        (1, true, None, None)
    );

    // Three parts in one dialogue: BEGIN -> CONTINUE, CONTINUE -> CONTINUE, CONTINUE -> END.
    let part = |i: u8| {
        deliver(
            "447700900777",
            &format!("part {i} of three"),
            Some((9, 3, i)),
        )
    };
    c.send_tcap(
        &gt(8, &msc),
        &smsc_addr(),
        &mt_begin(0x0100_0003, mt_invoke(1, &imsi, part(1), true, 3), 3),
    );
    let g = c.recv_tcap();
    assert_eq!(g.tcap.kind, MessageKind::Continue);
    assert_eq!(g.tcap.dtid, Some(tid(0x0100_0003)));
    let theirs = g.tcap.otid.unwrap();
    assert_accepted(&g.tcap, AppContext::ShortMsgMtRelay, 3);
    assert_eq!(result_of(&g.tcap).invoke_id, 1);
    for (i, more) in [(2u8, true), (3, false)] {
        let t = tcap::Message::continue_(tid(0x0100_0003), theirs).with_component(mt_invoke(
            i64::from(i),
            &imsi,
            part(i),
            more,
            3,
        ));
        c.send_tcap(&gt(8, &msc), &smsc_addr(), &t);
        let g = c.recv_tcap();
        if more {
            assert_eq!(g.tcap.kind, MessageKind::Continue);
            assert_eq!(
                (g.tcap.otid, g.tcap.dtid),
                (Some(theirs), Some(tid(0x0100_0003)))
            );
        } else {
            assert_eq!(
                (g.tcap.kind, g.tcap.dtid),
                (MessageKind::End, Some(tid(0x0100_0003)))
            );
        }
        // The AARE goes only in the first backward message (Q.773 3.2.2).
        assert!(g.tcap.dialogue.is_none());
        assert_eq!(result_of(&g.tcap).invoke_id, i64::from(i));
    }
    // The dialogue is over: another part is an unknown transaction (P-Abort).
    let t = tcap::Message::continue_(tid(0x0100_0003), theirs).with_component(mt_invoke(
        4,
        &imsi,
        part(3),
        false,
        3,
    ));
    c.send_tcap(&gt(8, &msc), &smsc_addr(), &t);
    let g = c.recv_tcap();
    assert_eq!(
        (g.tcap.kind, g.tcap.dtid, g.tcap.abort_reason.clone()),
        (
            MessageKind::Abort,
            Some(tid(0x0100_0003)),
            Some(AbortReason::Provider(1))
        )
    );
    let s = h.stop();
    assert_eq!((s.sri, s.sri_ok), (1, 1));
    assert_eq!((s.mt_forward_sm, s.parts, s.mt_ok), (2, 4, 2));
    assert_eq!((s.unknown_transactions, s.aborts_sent), (1, 1));
    assert!(s.sri_errors.is_empty() && s.mt_errors.is_empty() && s.check_failures.is_empty());
    assert_eq!((s.data_in, s.data_out), (6, 6));
}

#[test]
fn checks_answer_unexpected_data_value_and_rejects() {
    let h = sim(|o| o.smsc_gt = Some(SMSC.into()));
    let mut c = Client::connect(h.local_addr());
    c.up();
    let msisdn = "447700900555";
    let imsi = imsi_of(msisdn);
    let msc = msc_of(msisdn);
    let otid = std::cell::Cell::new(0x10u32);
    let ask = |c: &mut Client, called: &str, ssn: u8, t: tcap::Message| {
        c.send_tcap(&gt(ssn, called), &smsc_addr(), &t);
        c.recv_tcap()
    };
    let next = || {
        otid.set(otid.get() + 1);
        otid.get()
    };
    let uedv = |g: &Got| {
        assert_eq!(g.tcap.kind, MessageKind::End);
        let (id, e) = map_error_of(&g.tcap);
        assert_eq!((id, e.code, e.param), (1, 36, None));
    };
    // An IMSI the HLR does not hand out.
    let g = ask(
        &mut c,
        &msc,
        8,
        mt_begin(
            next(),
            mt_invoke(1, "001020000000555", deliver("1", "x", None), false, 3),
            3,
        ),
    );
    uedv(&g);
    // Delivered to another MSC than SRI named.
    let g = ask(
        &mut c,
        &msc_of("447700900556"),
        8,
        mt_begin(
            next(),
            mt_invoke(1, &imsi, deliver("1", "x", None), false, 3),
            3,
        ),
    );
    uedv(&g);
    // sm-RP-UI is an SMS-SUBMIT, not an SMS-DELIVER.
    let submit = "11050c914477000910320000a70ae8329bfd4697d9ec37";
    let g = ask(
        &mut c,
        &msc,
        8,
        mt_begin(next(), mt_invoke(1, &imsi, hex(submit), false, 3), 3),
    );
    uedv(&g);
    // sm-RP-OA is not the service centre.
    let mut a = smsedge_codecs::map::MtForwardSmArg::new(
        smsedge_codecs::map::Tbcd::from_digits(&imsi).unwrap(),
        AddressString::international("447700900000").unwrap(),
        deliver("1", "x", None),
    );
    let inv = Component::invoke(1, 44, Some(Argument::MtForwardSm(a.clone()).encode()));
    let g = ask(&mut c, &msc, 8, mt_begin(next(), inv, 3));
    uedv(&g);
    a.sm_rp_oa = SmRpOa::Msisdn(AddressString::international(SMSC).unwrap());
    let inv = Component::invoke(1, 44, Some(Argument::MtForwardSm(a).encode()));
    let g = ask(&mut c, &msc, 8, mt_begin(next(), inv, 3));
    uedv(&g);
    // A later part for another subscriber.
    let g = ask(
        &mut c,
        &msc,
        8,
        mt_begin(
            next(),
            mt_invoke(1, &imsi, deliver("1", "a", None), true, 3),
            3,
        ),
    );
    let (mine, theirs) = (tid(otid.get()), g.tcap.otid.unwrap());
    let t = tcap::Message::continue_(mine, theirs).with_component(mt_invoke(
        2,
        &imsi_of("447700900999"),
        deliver("1", "b", None),
        false,
        3,
    ));
    let g = ask(&mut c, &msc, 8, t);
    let (id, e) = map_error_of(&g.tcap);
    assert_eq!((g.tcap.dtid, id, e.code), (Some(mine), 2, 36));
    // SRI for a national number, and from another service centre.
    let arg = |msisdn: AddressString, sc: &str| {
        let a = RoutingInfoForSmArg::new(msisdn, true, AddressString::international(sc).unwrap());
        Component::invoke(1, 45, Some(Argument::SendRoutingInfoForSm(a).encode()))
    };
    let sri = |otid: u32, inv: Component| {
        tcap::Message::begin(tid(otid))
            .with_dialogue(DialoguePortion::request(AppContext::ShortMsgGateway.oid(3)))
            .with_component(inv)
    };
    let national = AddressString::new(2, 1, "7700900555").unwrap();
    let g = ask(&mut c, msisdn, 6, sri(next(), arg(national, SMSC)));
    uedv(&g);
    let g = ask(
        &mut c,
        msisdn,
        6,
        sri(
            next(),
            arg(
                AddressString::international(msisdn).unwrap(),
                "447700900000",
            ),
        ),
    );
    uedv(&g);
    // A parameter that does not decode: TC-U-REJECT mistypedParameter; an operation the
    // context does not have: unrecognizedOperation.
    let g = ask(
        &mut c,
        msisdn,
        6,
        sri(next(), Component::invoke(1, 45, Some(vec![0x30, 0x00]))),
    );
    assert_eq!(
        g.tcap.components,
        vec![Component::reject(Some(1), ProblemType::Invoke, 2)]
    );
    let g = ask(
        &mut c,
        msisdn,
        6,
        sri(next(), Component::invoke(1, 44, Some(vec![0x30, 0x00]))),
    );
    assert_eq!(
        g.tcap.components,
        vec![Component::reject(Some(1), ProblemType::Invoke, 1)]
    );
    assert_accepted(&g.tcap, AppContext::ShortMsgGateway, 3);
    // A context the subsystem does not serve: refused, naming the one it serves.
    let t = tcap::Message::begin(tid(next()))
        .with_dialogue(DialoguePortion::request(AppContext::ShortMsgMtRelay.oid(3)))
        .with_component(mt_invoke(1, &imsi, deliver("1", "x", None), false, 3));
    let g = ask(&mut c, msisdn, 6, t);
    assert_eq!(g.tcap.kind, MessageKind::Abort);
    let a = aare(&g.tcap);
    assert_eq!(
        (a.application_context.clone(), a.result, a.diagnostic),
        (
            AppContext::ShortMsgGateway.oid(3),
            1,
            SourceDiagnostic::User(2)
        )
    );
    // A BEGIN that does not decode: P-Abort badlyFormattedTransactionPortion.
    let mut u = sccp::Message::udt(gt(6, msisdn), smsc_addr(), hex("620a4804000000ee6b02ffff"));
    u.protocol_class = 0x81;
    c.send_sccp(&u, 1);
    let g = c.recv_tcap();
    assert_eq!(
        (g.tcap.dtid, g.tcap.abort_reason),
        (Some(tid(0xee)), Some(AbortReason::Provider(2)))
    );
    // A subsystem that is neither HLR nor MSC: the UDT comes back as UDTS unequipped user.
    c.send_tcap(&gt(7, msisdn), &smsc_addr(), &sri_begin(next(), msisdn, 3));
    let m = c.recv();
    let raw = m.encode();
    let v = m3ua::DataView::parse(&raw).unwrap();
    let s = sccp::Message::decode(v.user_data).unwrap();
    assert_eq!(
        (
            s.message_type,
            s.return_cause,
            s.called.clone(),
            s.calling.ssn
        ),
        (sccp::MessageType::Udts, 4, smsc_addr(), Some(7))
    );
    let st = h.stop();
    let f = &st.check_failures;
    assert_eq!(
        (
            f["sm_rp_da"],
            f["msc_gt"],
            f["sm_rp_ui"],
            f["sm_rp_oa"],
            f["imsi_changed"]
        ),
        (1, 1, 1, 2, 1)
    );
    assert_eq!((f["msisdn"], f["service_centre_address"]), (1, 1));
    assert_eq!(st.mt_errors["unexpectedDataValue"], 6);
    assert_eq!(st.sri_errors["unexpectedDataValue"], 2);
    assert_eq!(
        (
            st.rejects_sent,
            st.refused_other,
            st.tcap_errors,
            st.sccp_unequipped
        ),
        (2, 1, 1, 1)
    );
}

fn hex(s: &str) -> Vec<u8> {
    smsedge_codecs::hex::decode(s).unwrap()
}

#[test]
fn deterministic_errors_by_msisdn_suffix() {
    let h = sim(|o| {
        o.error_for = [
            "0001=sri:unknownSubscriber",
            "0002=mt:absentSubscriberSM",
            "0003=mt:sm-DeliveryFailure/memoryCapacityExceeded",
            "0004=sri:drop",
            "0006=mt:drop",
        ]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
    });
    let mut c = Client::connect(h.local_addr());
    c.up();
    let mut otid = 100;
    let mut sri = |c: &mut Client, msisdn: &str| {
        otid += 1;
        c.send_tcap(&gt(6, msisdn), &smsc_addr(), &sri_begin(otid, msisdn, 3));
        c.recv_tcap_within(Duration::from_millis(400))
    };
    let g = sri(&mut c, "447700900001").unwrap();
    let (id, e) = map_error_of(&g.tcap);
    assert_eq!((id, e.code, e.param), (1, 1, None));
    assert_accepted(&g.tcap, AppContext::ShortMsgGateway, 3);
    assert!(sri(&mut c, "447700900004").is_none(), "dropped");
    let mut mt = |c: &mut Client, msisdn: &str, otid: u32, more: bool| {
        assert!(result_of(&sri(c, msisdn).unwrap().tcap).parameter.is_some());
        c.send_tcap(
            &gt(8, &msc_of(msisdn)),
            &smsc_addr(),
            &mt_begin(
                otid,
                mt_invoke(1, &imsi_of(msisdn), deliver("1", "x", None), more, 3),
                3,
            ),
        );
        c.recv_tcap_within(Duration::from_millis(400))
    };
    // Errors at the first part end the dialogue, however many parts were announced.
    for more in [false, true] {
        let g = mt(&mut c, "447700900002", 200 + u32::from(more), more).unwrap();
        assert_eq!(g.tcap.kind, MessageKind::End);
        let (_, e) = map_error_of(&g.tcap);
        assert_eq!((e.code, e.param), (6, None));
    }
    let g = mt(&mut c, "447700900003", 210, false).unwrap();
    let (_, e) = map_error_of(&g.tcap);
    assert_eq!(e, MapError::sm_delivery_failure(0, None));
    assert!(
        matches!(e.param, Some(ErrorParam::SmDeliveryFailure(ref p)) if p.sm_enumerated_delivery_failure_cause == 0)
    );
    assert!(mt(&mut c, "447700900006", 220, false).is_none(), "dropped");
    let g = mt(&mut c, "447700900005", 230, false).unwrap();
    assert!(matches!(g.tcap.components[0], Component::ReturnResult(_)));
    let s = h.stop();
    assert_eq!(s.sri_errors.len(), 1);
    assert_eq!(s.sri_errors["unknownSubscriber"], 1);
    assert_eq!(s.mt_errors["absentSubscriberSM"], 2);
    assert_eq!(s.mt_errors["sm-DeliveryFailure/memoryCapacityExceeded"], 1);
    assert_eq!((s.dropped, s.sri, s.sri_ok, s.mt_ok), (2, 7, 5, 1));
}

#[test]
fn error_mixes_are_exact_and_latency_is_applied() {
    let h = sim(|o| {
        o.sri_errors = Some("systemFailure:20".parse().unwrap());
        o.mt_errors = Some(
            "absentSubscriberSM:10,subscriberBusyForMT-SMS:5"
                .parse()
                .unwrap(),
        );
        o.latency = "20ms".parse::<Dist>().unwrap();
    });
    let mut c = Client::connect(h.local_addr());
    c.up();
    let t0 = Instant::now();
    for i in 0..40u32 {
        let msisdn = format!("4477009{:05}", i);
        c.send_tcap(
            &gt(6, &msisdn),
            &smsc_addr(),
            &sri_begin(1000 + i, &msisdn, 3),
        );
    }
    let mut errors = 0;
    for _ in 0..40 {
        let g = c.recv_tcap();
        if matches!(g.tcap.components[0], Component::ReturnError(_)) {
            assert_eq!(map_error_of(&g.tcap).1.code, 34);
            errors += 1;
        }
    }
    assert!(
        t0.elapsed() >= Duration::from_millis(20),
        "{:?}",
        t0.elapsed()
    );
    assert_eq!(errors, 8);
    for i in 0..100u32 {
        let msisdn = format!("4477009{:05}", i);
        c.send_tcap(
            &gt(8, &msc_of(&msisdn)),
            &smsc_addr(),
            &mt_begin(
                2000 + i,
                mt_invoke(1, &imsi_of(&msisdn), deliver("1", "x", None), false, 3),
                3,
            ),
        );
    }
    let (mut absent, mut busy) = (0, 0);
    for _ in 0..100 {
        let g = c.recv_tcap();
        if let [Component::ReturnError(_)] = g.tcap.components.as_slice() {
            match map_error_of(&g.tcap).1.code {
                6 => absent += 1,
                31 => busy += 1,
                x => panic!("{x}"),
            }
        }
    }
    assert_eq!((absent, busy), (10, 5));
    let s = h.stop();
    assert_eq!(s.sri_errors["systemFailure"], 8);
    assert_eq!(
        (
            s.mt_errors["absentSubscriberSM"],
            s.mt_errors["subscriberBusyForMT-SMS"]
        ),
        (10, 5)
    );
    assert_eq!((s.mt_ok, s.sri_ok), (85, 32));
}

#[test]
fn v2_only_refuses_v3_then_serves_v2() {
    let h = sim(|o| o.v2_only = true);
    let mut c = Client::connect(h.local_addr());
    c.up();
    let msisdn = "447700900321";
    let refused = |g: &Got, ac: AppContext| {
        assert_eq!(g.tcap.kind, MessageKind::Abort);
        let a = aare(&g.tcap);
        // Q.773: reject-permanent, dialogue-service-user application-context-name-not-supported,
        // naming the version that is supported.
        assert_eq!(
            (a.application_context.clone(), a.result, a.diagnostic),
            (ac.oid(2), 1, SourceDiagnostic::User(2))
        );
    };
    c.send_tcap(&gt(6, msisdn), &smsc_addr(), &sri_begin(1, msisdn, 3));
    let g = c.recv_tcap();
    assert_eq!(g.tcap.dtid, Some(tid(1)));
    refused(&g, AppContext::ShortMsgGateway);
    // The same query in v2 succeeds.
    c.send_tcap(&gt(6, msisdn), &smsc_addr(), &sri_begin(2, msisdn, 2));
    let g = c.recv_tcap();
    assert_accepted(&g.tcap, AppContext::ShortMsgGateway, 2);
    let ResultValue::SendRoutingInfoForSm(res) =
        ResultValue::decode(45, result_of(&g.tcap).parameter.as_deref().unwrap()).unwrap()
    else {
        panic!()
    };
    let imsi = res.imsi.digits().unwrap();
    let msc = res.network_node_number().digits().unwrap();
    // mt-forwardSM v3 refused; forwardSM v2 in shortMsgMT-RelayContext-v2 (25.2) and in
    // shortMsgRelayContext-v2 (21.2) served, one part and two parts.
    c.send_tcap(
        &gt(8, &msc),
        &smsc_addr(),
        &mt_begin(3, mt_invoke(1, &imsi, deliver("1", "x", None), false, 3), 3),
    );
    refused(&c.recv_tcap(), AppContext::ShortMsgMtRelay);
    for (otid, ac) in [
        (4, AppContext::ShortMsgMtRelay),
        (5, AppContext::ShortMsgMoRelay),
    ] {
        let t = tcap::Message::begin(tid(otid))
            .with_dialogue(DialoguePortion::request(ac.oid(2)))
            .with_component(mt_invoke(1, &imsi, deliver("1", "x", None), false, 2));
        c.send_tcap(&gt(8, &msc), &smsc_addr(), &t);
        let g = c.recv_tcap();
        assert_eq!(g.tcap.kind, MessageKind::End);
        assert_accepted(&g.tcap, ac, 2);
        assert_eq!(result_of(&g.tcap).invoke_id, 1);
    }
    c.send_tcap(
        &gt(8, &msc),
        &smsc_addr(),
        &mt_begin(6, mt_invoke(1, &imsi, deliver("1", "a", None), true, 2), 2),
    );
    let g = c.recv_tcap();
    assert_eq!(g.tcap.kind, MessageKind::Continue);
    let t = tcap::Message::continue_(tid(6), g.tcap.otid.unwrap()).with_component(mt_invoke(
        2,
        &imsi,
        deliver("1", "b", None),
        false,
        2,
    ));
    c.send_tcap(&gt(8, &msc), &smsc_addr(), &t);
    assert_eq!(c.recv_tcap().tcap.kind, MessageKind::End);
    // In v2 the operation is forwardSM (46): mt-forwardSM (44) is not in the context.
    c.send_tcap(
        &gt(8, &msc),
        &smsc_addr(),
        &mt_begin(7, mt_invoke(1, &imsi, deliver("1", "x", None), false, 3), 2),
    );
    assert_eq!(
        c.recv_tcap().tcap.components,
        vec![Component::reject(Some(1), ProblemType::Invoke, 1)]
    );
    let s = h.stop();
    assert_eq!((s.refused_v3, s.sri_ok, s.mt_ok, s.parts), (2, 1, 3, 4));
}

#[test]
fn mo_is_originated_only_when_active_and_answers_are_counted() {
    let h = sim(|o| {
        o.mo_rate = 40.0;
        o.smsc_gt = Some(SMSC.into());
        o.mo_text = "hello from a mobile".into();
        o.mo_timeout = Secs(Duration::from_millis(800));
    });
    let mut c = Client::connect(h.local_addr());
    c.send(&m3ua::Message::aspup(None));
    c.expect(M::AspUpAck);
    assert!(
        c.recv_within(Duration::from_millis(300)).is_none(),
        "no MO before ASPAC"
    );
    c.send(&m3ua::Message::aspac(None, &[]));
    c.expect(M::AspAcAck);
    c.expect(M::Ntfy);
    let mut begins = 0;
    let mut read_mo = |c: &mut Client| {
        let g = c.recv_tcap();
        begins += 1;
        assert_eq!((g.opc, g.dpc, g.si), (2, 1, 3));
        assert_eq!(g.tcap.kind, MessageKind::Begin);
        let Some(DialoguePdu::Request(aarq)) = g.tcap.dialogue.as_ref().map(|d| &d.pdu) else {
            panic!("no AARQ")
        };
        assert_eq!(aarq.application_context, AppContext::ShortMsgMoRelay.oid(3));
        let [Component::Invoke(inv)] = g.tcap.components.as_slice() else {
            panic!()
        };
        assert_eq!((inv.invoke_id, inv.opcode.local()), (1, Some(46)));
        let Argument::MoForwardSm(a) =
            Argument::decode(46, Some(3), inv.parameter.as_deref().unwrap()).unwrap()
        else {
            panic!()
        };
        let SmRpDa::ServiceCentreAddress(sc) = &a.sm_rp_da else {
            panic!()
        };
        assert_eq!(sc.digits().unwrap(), SMSC);
        let SmRpOa::Msisdn(from) = &a.sm_rp_oa else {
            panic!()
        };
        let from = from.digits().unwrap();
        assert!(from.starts_with("4477009") && from.len() == 12, "{from}");
        let Tpdu::Submit(s) = Tpdu::decode(&a.sm_rp_ui, Direction::MsToSc).unwrap() else {
            panic!()
        };
        assert_eq!(s.da.number().unwrap(), "12345");
        assert_eq!(s.ud.text(s.dcs).unwrap(), "hello from a mobile");
        assert_eq!(
            tpdu_text(&a.sm_rp_ui, tpdu::Direction::MsToSc).unwrap(),
            "hello from a mobile"
        );
        // SCCP: to the proxy's SMSC GT, from the mobile's MSC.
        assert_eq!(g.sccp.called, smsc_addr());
        assert_eq!(g.sccp.calling, gt(8, &msc_of(&from)));
        g
    };
    let first = read_mo(&mut c);
    let otid = first.tcap.otid.unwrap();
    let end = tcap::Message::end(otid)
        .with_dialogue(DialoguePortion::response(
            AppContext::ShortMsgMoRelay.oid(3),
            0,
            SourceDiagnostic::User(0),
        ))
        .with_component(Component::return_result_last(1, None));
    c.send_tcap(&first.sccp.calling, &smsc_addr(), &end);
    let second = read_mo(&mut c);
    let e = MapError::sm_delivery_failure(4, None);
    let end = tcap::Message::end(second.tcap.otid.unwrap())
        .with_dialogue(DialoguePortion::response(
            AppContext::ShortMsgMoRelay.oid(3),
            0,
            SourceDiagnostic::User(0),
        ))
        .with_component(Component::return_error(1, 32, e.param.map(|p| p.encode())));
    c.send_tcap(&second.sccp.calling, &smsc_addr(), &end);
    // The third is refused in v3: the simulator retries in v2 (forwardSM, shortMsgRelayContext-v2).
    let third = read_mo(&mut c);
    let abort = tcap::Message::abort(
        third.tcap.otid.unwrap(),
        Some(AbortReason::User(DialoguePortion::refuse_context(
            AppContext::ShortMsgMoRelay.oid(2),
        ))),
    );
    c.send_tcap(&third.sccp.calling, &smsc_addr(), &abort);
    let retry = loop {
        let g = c.recv_tcap();
        let ac = g.tcap.application_context().cloned();
        if ac == Some(AppContext::ShortMsgMoRelay.oid(2)) {
            break g;
        }
        begins += 1; // another v3 MO: left unanswered, it times out
    };
    let [Component::Invoke(inv)] = retry.tcap.components.as_slice() else {
        panic!()
    };
    let Argument::MtForwardSm(a) =
        Argument::decode(46, Some(2), inv.parameter.as_deref().unwrap()).unwrap()
    else {
        panic!("v2 forwardSM has the ForwardSM-Arg shape")
    };
    assert!(matches!(a.sm_rp_da, SmRpDa::ServiceCentreAddress(_)));
    assert!(matches!(a.sm_rp_oa, SmRpOa::Msisdn(_)));
    let end = tcap::Message::end(retry.tcap.otid.unwrap())
        .with_dialogue(DialoguePortion::response(
            AppContext::ShortMsgMoRelay.oid(2),
            0,
            SourceDiagnostic::User(0),
        ))
        .with_component(Component::return_result_last(1, None));
    c.send_tcap(&retry.sccp.calling, &smsc_addr(), &end);
    // ASPIA stops MO; the rest time out.
    c.send(&m3ua::Message::aspia(&[]));
    loop {
        let m = c.recv();
        if m.kind == M::AspIaAck {
            break;
        }
        assert_eq!(m.kind, M::Data);
        begins += 1;
    }
    assert!(
        c.recv_within(Duration::from_millis(1500)).is_none(),
        "no MO while INACTIVE"
    );
    let s = h.stop();
    assert_eq!(s.mo_sent, begins + 1, "{s:?}");
    assert_eq!(
        (s.mo_answered_ok, s.mo_answered_error, s.mo_fallbacks),
        (2, 1, 1)
    );
    assert_eq!(s.mo_errors["sm-DeliveryFailure/sc-Congestion"], 1);
    assert_eq!(s.mo_timeouts, s.mo_sent - 4);
}

#[test]
fn xudt_segments_are_reassembled() {
    let h = sim(|_| {});
    let mut c = Client::connect(h.local_addr());
    c.up();
    let msisdn = "447700900444";
    let text = "This message is long enough that its TCAP does not fit in a UDT of this test. \
                It goes in XUDT segments, sent out of order, and comes back as one dialogue.";
    let t = mt_begin(
        77,
        mt_invoke(
            1,
            &imsi_of(msisdn),
            deliver("447700900001", text, None),
            false,
            3,
        ),
        3,
    );
    let data = t.encode();
    assert!(data.len() > 200);
    let segs = xudt_segments(
        &gt(8, &msc_of(msisdn)),
        &smsc_addr(),
        0x81,
        15,
        &data,
        [1, 2, 3],
        60,
    )
    .unwrap();
    assert_eq!(segs.len(), 4);
    for i in [0, 2, 1, 3] {
        c.send_sccp(&segs[i], 3);
    }
    let g = c.recv_tcap();
    assert_eq!(
        (g.tcap.kind, g.tcap.dtid),
        (MessageKind::End, Some(tid(77)))
    );
    assert_eq!(result_of(&g.tcap).invoke_id, 1);
    let s = h.stop();
    assert_eq!(
        (s.xudt_segments, s.reassembled, s.reassembly_errors, s.mt_ok),
        (4, 1, 0, 1)
    );
}

#[test]
fn dialogues_continue_across_executors() {
    let cpu = smsedge_loadgen::rt::allowed_cpus()[0];
    let h = sim(|o| o.cpus = Some(CpuList(vec![cpu, cpu])));
    let msisdn = "447700900888";
    let imsi = imsi_of(msisdn);
    let msc = msc_of(msisdn);
    // Open associations until two are served by different executors: the executor is the
    // first octet of the simulator's transaction id.
    let mut by_shard: [Option<(Client, u32, tcap::TransactionId)>; 2] = [None, None];
    for i in 0..24u32 {
        let mut c = Client::connect(h.local_addr());
        c.up();
        c.send_tcap(
            &gt(8, &msc),
            &smsc_addr(),
            &mt_begin(
                500 + i,
                mt_invoke(1, &imsi, deliver("1", "a", None), true, 3),
                3,
            ),
        );
        let g = c.recv_tcap();
        let theirs = g.tcap.otid.unwrap();
        let shard = (theirs.to_u32() >> 24) as usize;
        if by_shard[shard].is_none() {
            by_shard[shard] = Some((c, 500 + i, theirs));
        }
        if by_shard.iter().all(Option::is_some) {
            break;
        }
    }
    let [Some((mut a, a_otid, a_theirs)), Some((mut b, _, _))] = by_shard else {
        panic!("all associations landed on one executor")
    };
    // Part 2 of A's dialogue arrives on B (another executor): the owner answers on A.
    let t = tcap::Message::continue_(tid(a_otid), a_theirs).with_component(mt_invoke(
        2,
        &imsi,
        deliver("1", "b", None),
        true,
        3,
    ));
    b.send_tcap(&gt(8, &msc), &smsc_addr(), &t);
    let g = a.recv_tcap();
    assert_eq!(
        (g.tcap.kind, g.tcap.otid, g.tcap.dtid),
        (MessageKind::Continue, Some(a_theirs), Some(tid(a_otid)))
    );
    assert_eq!(result_of(&g.tcap).invoke_id, 2);
    let t = tcap::Message::continue_(tid(a_otid), a_theirs).with_component(mt_invoke(
        3,
        &imsi,
        deliver("1", "c", None),
        false,
        3,
    ));
    a.send_tcap(&gt(8, &msc), &smsc_addr(), &t);
    let g = a.recv_tcap();
    assert_eq!(
        (g.tcap.kind, result_of(&g.tcap).invoke_id),
        (MessageKind::End, 3)
    );
    assert!(b.recv_within(Duration::from_millis(200)).is_none());
    let s = h.stop();
    assert_eq!(s.mt_ok, 1);
    assert_eq!(s.unknown_transactions, 0);
}
