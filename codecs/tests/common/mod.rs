//! proptest strategies for SMPP PDUs, shared by the round-trip and fuzz tests.
#![allow(dead_code)]

use bytes::Bytes;
use proptest::collection::vec;
use proptest::prelude::*;
use smsedge_codecs::smpp::tlv::{tag_info, TAGS};
use smsedge_codecs::smpp::*;

/// A C-octet string of at most `max` octets including its NUL: any octets but NUL.
pub fn cstr(max: usize) -> impl Strategy<Value = Bytes> {
    vec(1u8..=255, 0..max).prop_map(Bytes::from)
}

/// short_message: any octets, 0..=255 (sm_length is one octet).
pub fn sm() -> impl Strategy<Value = Bytes> {
    prop_oneof![vec(any::<u8>(), 0..=32), vec(any::<u8>(), 0..=255)].prop_map(Bytes::from)
}

pub fn submit_sm() -> impl Strategy<Value = SubmitSm> {
    (
        (
            cstr(6),
            any::<[u8; 2]>(),
            cstr(21),
            any::<[u8; 2]>(),
            cstr(21),
        ),
        (any::<[u8; 3]>(), cstr(17), cstr(17), any::<[u8; 4]>(), sm()),
    )
        .prop_map(|((st, s, sa, d, da), (e, sdt, vp, f, msg))| SubmitSm {
            service_type: st,
            source_addr_ton: s[0],
            source_addr_npi: s[1],
            source_addr: sa,
            dest_addr_ton: d[0],
            dest_addr_npi: d[1],
            destination_addr: da,
            esm_class: e[0],
            protocol_id: e[1],
            priority_flag: e[2],
            schedule_delivery_time: sdt,
            validity_period: vp,
            registered_delivery: f[0],
            replace_if_present_flag: f[1],
            data_coding: f[2],
            sm_default_msg_id: f[3],
            short_message: msg,
        })
}

pub fn data_sm() -> impl Strategy<Value = DataSm> {
    (cstr(6), any::<[u8; 7]>(), cstr(65), cstr(65)).prop_map(|(st, n, sa, da)| DataSm {
        service_type: st,
        source_addr_ton: n[0],
        source_addr_npi: n[1],
        source_addr: sa,
        dest_addr_ton: n[2],
        dest_addr_npi: n[3],
        destination_addr: da,
        esm_class: n[4],
        registered_delivery: n[5],
        data_coding: n[6],
    })
}

pub fn bind() -> impl Strategy<Value = Bind> {
    (cstr(16), cstr(9), cstr(13), any::<[u8; 3]>(), cstr(41)).prop_map(|(id, pw, ty, n, ar)| Bind {
        system_id: id,
        password: pw,
        system_type: ty,
        interface_version: n[0],
        addr_ton: n[1],
        addr_npi: n[2],
        address_range: ar,
    })
}

pub fn id_resp() -> impl Strategy<Value = MessageIdResp> {
    cstr(65).prop_map(|message_id| MessageIdResp { message_id })
}

pub fn sm_tail() -> impl Strategy<Value = SmTail> {
    (any::<[u8; 3]>(), cstr(17), cstr(17), any::<[u8; 4]>(), sm()).prop_map(
        |(e, sdt, vp, f, msg)| SmTail {
            esm_class: e[0],
            protocol_id: e[1],
            priority_flag: e[2],
            schedule_delivery_time: sdt,
            validity_period: vp,
            registered_delivery: f[0],
            replace_if_present_flag: f[1],
            data_coding: f[2],
            sm_default_msg_id: f[3],
            short_message: msg,
        },
    )
}

pub fn dest_address() -> impl Strategy<Value = DestAddress> {
    prop_oneof![
        (any::<[u8; 2]>(), cstr(21)).prop_map(|(n, a)| DestAddress::Sme(SmeAddress {
            dest_addr_ton: n[0],
            dest_addr_npi: n[1],
            destination_addr: a,
        })),
        cstr(21).prop_map(DestAddress::DistributionList),
    ]
}

pub fn submit_multi() -> impl Strategy<Value = SubmitMulti> {
    (
        cstr(6),
        any::<[u8; 2]>(),
        cstr(21),
        vec(dest_address(), 1..6),
        sm_tail(),
    )
        .prop_map(|(st, n, sa, d, tail)| SubmitMulti {
            service_type: st,
            source_addr_ton: n[0],
            source_addr_npi: n[1],
            source_addr: sa,
            dest_address: d,
            tail,
        })
}

pub fn submit_multi_resp() -> impl Strategy<Value = SubmitMultiResp> {
    let sme = (any::<[u8; 2]>(), cstr(21), any::<u32>()).prop_map(|(n, a, s)| UnsuccessSme {
        dest_addr_ton: n[0],
        dest_addr_npi: n[1],
        destination_addr: a,
        error_status_code: s,
    });
    (cstr(65), vec(sme, 0..5)).prop_map(|(message_id, unsuccess_sme)| SubmitMultiResp {
        message_id,
        unsuccess_sme,
    })
}

/// One TLV: a standard tag with a value its length rule allows, or a vendor/reserved tag the
/// codec must keep as it came.
pub fn tlv() -> impl Strategy<Value = Tlv> {
    let known = (0..TAGS.len(), any::<u64>()).prop_flat_map(|(i, _)| {
        let info = TAGS[i];
        let max = usize::from(info.max).min(usize::from(info.min) + 64);
        (
            Just(info.tag),
            vec(any::<u8>(), usize::from(info.min)..=max),
        )
    });
    let unknown = (
        any::<u16>().prop_filter("not a standard tag", |t| tag_info(*t).is_none()),
        vec(any::<u8>(), 0..48),
    );
    let vendor = (0x1400u16..=0x3fff, vec(any::<u8>(), 0..48));
    prop_oneof![3 => known, 1 => unknown, 1 => vendor].prop_map(|(tag, value)| Tlv::new(tag, value))
}

fn opt<T: std::fmt::Debug + Clone>(
    s: impl Strategy<Value = T>,
) -> impl Strategy<Value = Option<T>> {
    proptest::option::weighted(0.85, s)
}

/// Any body, one branch per variant.
pub fn body() -> impl Strategy<Value = Body> {
    prop_oneof![
        Just(Body::GenericNack),
        bind().prop_map(Body::BindReceiver),
        opt(cstr(16))
            .prop_map(|s| Body::BindReceiverResp(s.map(|system_id| BindResp { system_id }))),
        bind().prop_map(Body::BindTransmitter),
        opt(cstr(16))
            .prop_map(|s| Body::BindTransmitterResp(s.map(|system_id| BindResp { system_id }))),
        (cstr(65), any::<[u8; 2]>(), cstr(21)).prop_map(|(m, n, a)| Body::QuerySm(QuerySm {
            message_id: m,
            source_addr_ton: n[0],
            source_addr_npi: n[1],
            source_addr: a,
        })),
        opt((cstr(65), cstr(17), any::<[u8; 2]>())).prop_map(|o| Body::QuerySmResp(o.map(
            |(m, d, n)| QuerySmResp {
                message_id: m,
                final_date: d,
                message_state: n[0],
                error_code: n[1]
            }
        ))),
        submit_sm().prop_map(Body::SubmitSm),
        opt(id_resp()).prop_map(Body::SubmitSmResp),
        submit_sm().prop_map(Body::DeliverSm),
        opt(id_resp()).prop_map(Body::DeliverSmResp),
        Just(Body::Unbind),
        Just(Body::UnbindResp),
        (
            cstr(65),
            any::<[u8; 2]>(),
            cstr(21),
            cstr(17),
            cstr(17),
            any::<[u8; 2]>(),
            sm()
        )
            .prop_map(|(m, n, a, sdt, vp, f, msg)| Body::ReplaceSm(ReplaceSm {
                message_id: m,
                source_addr_ton: n[0],
                source_addr_npi: n[1],
                source_addr: a,
                schedule_delivery_time: sdt,
                validity_period: vp,
                registered_delivery: f[0],
                sm_default_msg_id: f[1],
                short_message: msg,
            })),
        Just(Body::ReplaceSmResp),
        (cstr(6), cstr(65), any::<[u8; 4]>(), cstr(21), cstr(21)).prop_map(|(st, m, n, sa, da)| {
            Body::CancelSm(CancelSm {
                service_type: st,
                message_id: m,
                source_addr_ton: n[0],
                source_addr_npi: n[1],
                source_addr: sa,
                dest_addr_ton: n[2],
                dest_addr_npi: n[3],
                destination_addr: da,
            })
        }),
        Just(Body::CancelSmResp),
        bind().prop_map(Body::BindTransceiver),
        opt(cstr(16))
            .prop_map(|s| Body::BindTransceiverResp(s.map(|system_id| BindResp { system_id }))),
        (cstr(16), cstr(9)).prop_map(|(system_id, password)| Body::Outbind(Outbind {
            system_id,
            password
        })),
        Just(Body::EnquireLink),
        Just(Body::EnquireLinkResp),
        submit_multi().prop_map(Body::SubmitMulti),
        opt(submit_multi_resp()).prop_map(Body::SubmitMultiResp),
        (any::<[u8; 4]>(), cstr(65), cstr(65)).prop_map(|(n, sa, ea)| Body::AlertNotification(
            AlertNotification {
                source_addr_ton: n[0],
                source_addr_npi: n[1],
                source_addr: sa,
                esme_addr_ton: n[2],
                esme_addr_npi: n[3],
                esme_addr: ea,
            }
        )),
        data_sm().prop_map(Body::DataSm),
        opt(id_resp()).prop_map(Body::DataSmResp),
        (
            cstr(6),
            any::<[u8; 2]>(),
            cstr(21),
            cstr(65),
            (any::<u8>(), cstr(17), cstr(17)),
            any::<[u8; 3]>()
        )
            .prop_map(
                |(st, n, sa, m, (p, sdt, vp), f)| Body::BroadcastSm(BroadcastSm {
                    service_type: st,
                    source_addr_ton: n[0],
                    source_addr_npi: n[1],
                    source_addr: sa,
                    message_id: m,
                    priority_flag: p,
                    schedule_delivery_time: sdt,
                    validity_period: vp,
                    replace_if_present_flag: f[0],
                    data_coding: f[1],
                    sm_default_msg_id: f[2],
                })
            ),
        opt(id_resp()).prop_map(Body::BroadcastSmResp),
        (cstr(65), any::<[u8; 2]>(), cstr(21)).prop_map(|(m, n, a)| Body::QueryBroadcastSm(
            QueryBroadcastSm {
                message_id: m,
                source_addr_ton: n[0],
                source_addr_npi: n[1],
                source_addr: a
            }
        )),
        opt(id_resp()).prop_map(Body::QueryBroadcastSmResp),
        (cstr(6), cstr(65), any::<[u8; 2]>(), cstr(21)).prop_map(|(st, m, n, a)| {
            Body::CancelBroadcastSm(CancelBroadcastSm {
                service_type: st,
                message_id: m,
                source_addr_ton: n[0],
                source_addr_npi: n[1],
                source_addr: a,
            })
        }),
        Just(Body::CancelBroadcastSmResp),
        (
            any::<u32>().prop_filter("unknown command_id", |v| matches!(
                CommandId::from_u32(*v),
                CommandId::Unknown(_)
            )),
            vec(any::<u8>(), 0..64)
        )
            .prop_map(|(command_id, body)| Body::Unknown {
                command_id,
                body: Bytes::from(body)
            }),
    ]
}

/// Any PDU: a body, TLVs where the command takes them, any status and sequence_number.
pub fn pdu() -> impl Strategy<Value = Pdu> {
    (body(), any::<u32>(), any::<u32>(), vec(tlv(), 0..6)).prop_map(|(body, status, seq, tlvs)| {
        // A response left without body (None) has no room for TLVs (v3.4 5.3).
        let tlvs = if body.allows_tlvs() && !body_is_empty(&body) {
            tlvs
        } else {
            Vec::new()
        };
        Pdu {
            command_status: CommandStatus(status),
            sequence_number: seq,
            body,
            tlvs,
        }
    })
}

/// True for a response whose mandatory parameters were left out.
pub fn body_is_empty(b: &Body) -> bool {
    matches!(
        b,
        Body::BindReceiverResp(None)
            | Body::BindTransmitterResp(None)
            | Body::BindTransceiverResp(None)
            | Body::QuerySmResp(None)
            | Body::SubmitSmResp(None)
            | Body::DeliverSmResp(None)
            | Body::SubmitMultiResp(None)
            | Body::DataSmResp(None)
            | Body::BroadcastSmResp(None)
            | Body::QueryBroadcastSmResp(None)
    )
}

/// submit_sm, deliver_sm or data_sm with TLVs: what the router's view reads.
pub fn sm_pdu() -> impl Strategy<Value = Pdu> {
    let body = prop_oneof![
        submit_sm().prop_map(Body::SubmitSm),
        submit_sm().prop_map(Body::DeliverSm),
        data_sm().prop_map(Body::DataSm),
    ];
    (body, any::<u32>(), vec(tlv(), 0..5)).prop_map(|(body, seq, tlvs)| Pdu {
        command_status: CommandStatus::ESME_ROK,
        sequence_number: seq,
        body,
        tlvs,
    })
}
