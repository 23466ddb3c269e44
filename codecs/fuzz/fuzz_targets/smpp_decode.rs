//! Framing + decode of arbitrary octets; the invariants of codecs/tests/smpp_fuzz.rs.
#![no_main]

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use smsedge_codecs::json::{self, Proto};
use smsedge_codecs::smpp::receipt::rewrite_receipt;
use smsedge_codecs::smpp::*;

fn check_frame(frame: &bytes::Bytes) {
    let decoded = Pdu::decode(frame);
    assert_eq!(decoded, Pdu::decode_checked(frame), "fast path differs");
    if let Ok(p) = &decoded {
        assert_eq!(p.to_vec(), &frame[..], "re-encode differs");
        assert_eq!(
            Pdu::from_json(&p.to_json()).as_ref(),
            Ok(p),
            "JSON round trip"
        );
    }
    let id = Header::new_checked(&frame[..]).map(|h| h.command_id());
    if !matches!(
        id,
        Ok(CommandId::SubmitSm | CommandId::DeliverSm | CommandId::DataSm)
    ) {
        return;
    }
    let checked = SmView::parse_checked(frame);
    let view = SmView::parse(frame);
    assert_eq!(view.as_ref().err(), checked.as_ref().err());
    if let (Ok(v), Ok(c)) = (&view, &checked) {
        assert_eq!(format!("{v:?}"), format!("{c:?}"));
    }
    match (view, &decoded) {
        (Err(v), Err(d)) => assert_eq!(error_status(&v), error_status(d)),
        (Ok(_), Err(d)) => panic!("view accepts, typed refuses: {d:?}"),
        (Err(v), Ok(_)) => panic!("typed accepts, view refuses: {v:?}"),
        (Ok(v), Ok(p)) => {
            assert_eq!(v.sequence_number(), p.sequence_number);
            let tlvs: Vec<(u16, &[u8])> = v.tlvs().collect();
            assert_eq!(tlvs.len(), p.tlvs.len());
            for ((t, val), want) in tlvs.iter().zip(&p.tlvs) {
                assert_eq!((*t, *val), (want.tag, &want.value[..]));
            }
            match &p.body {
                Body::SubmitSm(b) | Body::DeliverSm(b) => {
                    assert_eq!(v.service_type(), &b.service_type[..]);
                    assert_eq!(
                        (v.source_addr_ton(), v.source_addr_npi()),
                        (b.source_addr_ton, b.source_addr_npi)
                    );
                    assert_eq!(v.source_addr(), &b.source_addr[..]);
                    assert_eq!(
                        (v.dest_addr_ton(), v.dest_addr_npi()),
                        (b.dest_addr_ton, b.dest_addr_npi)
                    );
                    assert_eq!(v.destination_addr(), &b.destination_addr[..]);
                    assert_eq!(v.esm_class(), b.esm_class);
                    assert_eq!(v.protocol_id(), Some(b.protocol_id));
                    assert_eq!(v.priority_flag(), Some(b.priority_flag));
                    assert_eq!(v.registered_delivery(), b.registered_delivery);
                    assert_eq!(v.data_coding(), b.data_coding);
                    assert_eq!(v.short_message(), &b.short_message[..]);
                }
                Body::DataSm(b) => {
                    assert_eq!(v.source_addr(), &b.source_addr[..]);
                    assert_eq!(v.destination_addr(), &b.destination_addr[..]);
                    assert_eq!(v.esm_class(), b.esm_class);
                    assert_eq!(v.registered_delivery(), b.registered_delivery);
                    assert_eq!(v.data_coding(), b.data_coding);
                    assert!(v.short_message().is_empty());
                }
                other => panic!("view accepted {:?}", other.command_id()),
            }
            let mut out = Vec::new();
            if rewrite_receipt(&v, b"proxy-id-0123456789", 1, &mut out).is_ok() {
                assert!(Pdu::decode_slice(&out).is_ok() && SmView::parse(&out).is_ok());
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let framer = Framer::default();
    let mut buf = BytesMut::from(data);
    while let Ok(Some(frame)) = framer.split(&mut buf) {
        check_frame(&frame);
    }
    if let Ok(values) = json::decode(Proto::Smpp, data) {
        let mut again = Vec::new();
        for v in &values {
            again.extend_from_slice(&json::encode(Proto::Smpp, v).expect("our own JSON"));
        }
        assert_eq!(again, data);
    }
});
