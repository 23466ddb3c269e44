//! SIGTRAN codecs: decode and encode of an M3UA DATA carrying an mt-forwardSM (M3UA, SCCP UDT,
//! TCAP Begin with AARQ, MAP MT-ForwardSM-Arg, SMS-DELIVER), and of the SMS-DELIVER alone; plus
//! the zero-copy routing views (M3UA DATA fields, TCAP transaction ids).
//!
//! `cargo bench -p smsedge-bench --bench sigtran -- --warm-up-time 1 --measurement-time 3`
//! One element is one message.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use smsedge_codecs::m3ua::{self, DataView, ProtocolData};
use smsedge_codecs::map::{AddressString, AppContext, Argument, MtForwardSmArg, Tbcd};
use smsedge_codecs::sccp::{self, GlobalTitle, PartyAddress};
use smsedge_codecs::tcap::{self, Component, DialoguePortion, TransactionId, TransactionView};
use smsedge_codecs::tpdu::{self, Address, Dcs, Direction, Timestamp, Tpdu, UserData};

/// The SMS-DELIVER of shared/oracles/gen_samples.py: "hellohello" from 447700900999.
fn deliver() -> Tpdu {
    Tpdu::Deliver(tpdu::Deliver::new(
        Address::international("447700900999").unwrap(),
        Dcs(0),
        Timestamp::new(24, 1, 1, 12, 34, 56, 0),
        UserData::gsm7("hellohello", None).unwrap(),
    ))
}

/// Builds the whole message from typed values, as the engine does for each MT message.
fn build_mt_forward_sm(t: &Tpdu) -> Vec<u8> {
    let arg = Argument::MtForwardSm(MtForwardSmArg::new(
        Tbcd::from_digits("001010123456789").unwrap(),
        AddressString::international("447700900000").unwrap(),
        t.encode(),
    ));
    let tc = tcap::Message::begin(TransactionId::from_u32(1))
        .with_dialogue(DialoguePortion::request(AppContext::ShortMsgMtRelay.oid(3)))
        .with_component(Component::invoke(1, 44, Some(arg.encode())));
    let udt = sccp::Message::udt(
        PartyAddress::gt(8, GlobalTitle::e164("447700900555").unwrap()),
        PartyAddress::gt(8, GlobalTitle::e164("447700900000").unwrap()),
        tc.encode(),
    );
    let pd = ProtocolData {
        opc: 1,
        dpc: 2,
        si: 3,
        ni: 2,
        mp: 0,
        sls: 5,
        user_data: udt.encode().unwrap(),
    };
    m3ua::Message::data(Some(1), pd).encode()
}

/// Decodes every layer down to the text.
fn decode_mt_forward_sm(b: &[u8]) -> usize {
    let m = m3ua::Message::decode(b).unwrap();
    let pd = m.protocol_data().unwrap();
    let s = sccp::Message::decode(&pd.user_data).unwrap();
    let t = tcap::Message::decode(&s.data).unwrap();
    let Component::Invoke(i) = &t.components[0] else {
        unreachable!()
    };
    let a = Argument::decode(44, Some(3), i.parameter.as_deref().unwrap()).unwrap();
    let Tpdu::Deliver(d) = Tpdu::decode(a.sm_rp_ui().unwrap(), Direction::ScToMs).unwrap() else {
        unreachable!()
    };
    d.ud.text(d.dcs).unwrap().len()
}

fn bench(c: &mut Criterion) {
    let t = deliver();
    let msg = build_mt_forward_sm(&t);
    assert_eq!(decode_mt_forward_sm(&msg), 10);

    let mut g = c.benchmark_group("m3ua_data_mt_forward_sm");
    g.throughput(Throughput::Elements(1));
    g.bench_function("decode_all_layers", |b| {
        b.iter(|| decode_mt_forward_sm(black_box(&msg)))
    });
    g.bench_function("encode_all_layers", |b| {
        b.iter(|| build_mt_forward_sm(black_box(&t)))
    });
    g.bench_function("route_views", |b| {
        b.iter(|| {
            let v = DataView::parse(black_box(&msg)).unwrap();
            let data = sccp::Message::data_of(v.user_data).unwrap();
            let ids = TransactionView::parse(data).unwrap();
            (v.dpc, ids.otid)
        })
    });
    g.finish();

    let tpdu_bytes = t.encode();
    let mut g = c.benchmark_group("sms_deliver");
    g.throughput(Throughput::Elements(1));
    g.bench_function("decode", |b| {
        b.iter(|| {
            let Tpdu::Deliver(d) = Tpdu::decode(black_box(&tpdu_bytes), Direction::ScToMs).unwrap()
            else {
                unreachable!()
            };
            d.ud.text(d.dcs).unwrap()
        })
    });
    g.bench_function("encode", |b| b.iter(|| black_box(&t).encode()));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
