//! SMPP codec microbenchmarks: one group per PDU type, Throughput::Elements (PDUs/s).
//!
//! `cargo bench -p smsedge-bench --bench smpp` (see bench/RESULTS.md for the figures and the
//! exact command). Aims: the header + routing-field view of submit_sm under 20 ns, a full
//! submit_sm decode under 100 ns.

use bytes::Bytes;
use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use smsedge_codecs::hex;
use smsedge_codecs::smpp::receipt::rewrite_receipt;
use smsedge_codecs::smpp::view::resp_message_id;
use smsedge_codecs::smpp::{Header, Pdu, SmView};

/// cloudhopper decodeSubmitSm: the INTERFACES.md example, 57 octets.
const SUBMIT_SM: &str = "00000039000000040000000000004fe80001013430343034000101343439353133363139323000000000000001000000084024232125262f3a";
/// cloudhopper decodeDeliverSmAsDeliveryReceipt: receipt text, receipted_message_id,
/// message_state (186 octets).
const RECEIPT: &str = "000000ba00000005000000000000000200010134343935313336313932300001013430343034000400000000000000006e69643a30303539313133393738207375623a30303120646c7672643a303031207375626d697420646174653a3130303231303137333020646f6e6520646174653a3130303231303137333120737461743a44454c49565244206572723a30303020746578743a4024232125262f3a000e0001010006000101001e000833383630316661000427000102";
/// cloudhopper decodeSubmitSmResp.
const SUBMIT_SM_RESP: &str = "0000001c80000004000000000a342ee1393432353834333135393400";

fn frame(h: &str) -> Bytes {
    Bytes::from(hex::decode(h).unwrap())
}

/// decode, encode, and the router's view of one PDU type.
fn typed(c: &mut Criterion, group: &str, f: &Bytes) {
    let mut g = c.benchmark_group(group);
    g.throughput(Throughput::Elements(1));
    g.bench_function("decode", |b| b.iter(|| Pdu::decode(black_box(f)).unwrap()));
    let pdu = Pdu::decode(f).unwrap();
    let mut out = Vec::with_capacity(512);
    g.bench_function("encode", |b| {
        b.iter(|| {
            out.clear();
            black_box(&pdu).encode(&mut out);
            black_box(out.len())
        })
    });
    g.bench_function("header", |b| {
        b.iter(|| {
            let h = Header::new_checked(black_box(&f[..])).unwrap();
            (h.command_id(), h.sequence_number())
        })
    });
    g.finish();
}

fn submit_sm(c: &mut Criterion) {
    let f = frame(SUBMIT_SM);
    typed(c, "submit_sm", &f);
    let mut g = c.benchmark_group("submit_sm");
    g.throughput(Throughput::Elements(1));
    // The router's read: header, addresses, esm_class, data_coding, TLV walk.
    g.bench_function("view", |b| {
        b.iter(|| {
            let v = SmView::parse(black_box(&f[..])).unwrap();
            (
                v.destination_addr().len(),
                v.esm_class(),
                v.registered_delivery(),
            )
        })
    });
    // The proxy's per-message rewrite: sequence_number in place.
    let mut buf = f.to_vec();
    g.bench_function("set_sequence_number", |b| {
        let mut n = 0u32;
        b.iter(|| {
            n = n.wrapping_add(1);
            Header::new_unchecked(black_box(&mut buf[..])).set_sequence_number(n);
        })
    });
    g.finish();
}

fn deliver_sm_receipt(c: &mut Criterion) {
    let f = frame(RECEIPT);
    typed(c, "deliver_sm_receipt", &f);
    let mut g = c.benchmark_group("deliver_sm_receipt");
    g.throughput(Throughput::Elements(1));
    g.bench_function("view", |b| {
        b.iter(|| {
            let v = SmView::parse(black_box(&f[..])).unwrap();
            v.is_receipt()
        })
    });
    let mut out = Vec::with_capacity(512);
    for id in [&b"p-1"[..], b"0123456789abcdef0123456789abcdef"] {
        g.bench_with_input(
            BenchmarkId::new("rewrite_receipt", id.len()),
            id,
            |b, id| {
                b.iter(|| {
                    let v = SmView::parse(black_box(&f[..])).unwrap();
                    out.clear();
                    rewrite_receipt(&v, id, 7, &mut out).unwrap();
                    out.len()
                })
            },
        );
    }
    g.finish();
}

fn submit_sm_resp(c: &mut Criterion) {
    let f = frame(SUBMIT_SM_RESP);
    typed(c, "submit_sm_resp", &f);
    let mut g = c.benchmark_group("submit_sm_resp");
    g.throughput(Throughput::Elements(1));
    g.bench_function("view", |b| {
        b.iter(|| resp_message_id(black_box(&f[..])).unwrap().map(<[u8]>::len))
    });
    g.finish();
}

criterion_group!(benches, submit_sm, deliver_sm_receipt, submit_sm_resp);
criterion_main!(benches);
