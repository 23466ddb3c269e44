//! Fuzzing framing + decode with proptest (what CI runs; `codecs/fuzz` has the same invariants
//! for cargo-fuzz). Inputs are random octets, mutated valid PDUs (with and without a repaired
//! command_length, so the body parsers see the damage) and streams of several of them.
//!
//! Invariants, for every frame the Framer yields:
//! - nothing panics;
//! - the fast paths of `Pdu::decode` and `SmView::parse` give exactly what the field-by-field
//!   `decode_checked` / `parse_checked` give;
//! - whatever `Pdu::decode` accepts re-encodes to the same octets;
//! - for submit_sm / deliver_sm / data_sm, `SmView::parse` accepts exactly when `Pdu::decode`
//!   does, answers with the same command_status when both refuse, and agrees on every field;
//! - a receipt rewrite of anything the view accepts is itself a PDU both accept;
//! - the JSON path of `smsedge pdu decode` re-encodes to the input (`encode(decode(x)) == x`).

mod common;

use bytes::BytesMut;
use proptest::collection::vec;
use proptest::prelude::*;
use smsedge_codecs::json::{self, Proto};
use smsedge_codecs::smpp::receipt::{receipt_message_id, rewrite_receipt};
use smsedge_codecs::smpp::tlv::TAGS;
use smsedge_codecs::smpp::view::resp_message_id;
use smsedge_codecs::smpp::*;

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Set(usize, u8),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 0u8..8).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Set(i, b)),
        (any::<usize>(), vec(any::<u8>(), 1..8)).prop_map(|(i, b)| Mutation::Insert(i, b)),
        (any::<usize>(), 1usize..8).prop_map(|(i, n)| Mutation::Delete(i, n)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    let n = bytes.len().max(1);
    match m {
        Mutation::Flip(i, b) => {
            if let Some(x) = bytes.get_mut(i % n) {
                *x ^= 1 << b;
            }
        }
        Mutation::Set(i, v) => {
            if let Some(x) = bytes.get_mut(i % n) {
                *x = *v;
            }
        }
        Mutation::Insert(i, v) => {
            let at = i % (bytes.len() + 1);
            bytes.splice(at..at, v.iter().copied());
        }
        Mutation::Delete(i, k) => {
            let at = i % n;
            let end = (at + k).min(bytes.len());
            if at < end {
                bytes.drain(at..end);
            }
        }
        Mutation::Truncate(i) => bytes.truncate(i % n),
    }
}

/// A valid PDU (half of them submit_sm / deliver_sm / data_sm), damaged (or not), with
/// command_length optionally repaired to the new length.
fn mutated_pdu() -> impl Strategy<Value = Vec<u8>> {
    let pdu = prop_oneof![common::pdu(), common::sm_pdu()];
    (pdu, vec(mutation(), 0..4), any::<bool>()).prop_map(|(p, ms, fix)| {
        let mut b = p.to_vec();
        for m in &ms {
            apply(&mut b, m);
        }
        if fix && b.len() >= 4 {
            let n = b.len() as u32;
            b[..4].copy_from_slice(&n.to_be_bytes());
        }
        b
    })
}

/// A valid PDU with one more TLV of a standard tag whose value length may break its rule
/// (message_state of 2 octets, ...), command_length adjusted: exercises the length rules.
fn pdu_with_odd_tlv() -> impl Strategy<Value = Vec<u8>> {
    let odd = (0..TAGS.len(), vec(any::<u8>(), 0..80)).prop_map(|(i, v)| (TAGS[i].tag, v));
    (prop_oneof![common::sm_pdu(), common::pdu()], odd).prop_map(|(p, (tag, v))| {
        let mut b = p.to_vec();
        b.extend_from_slice(&tag.to_be_bytes());
        b.extend_from_slice(&(v.len() as u16).to_be_bytes());
        b.extend_from_slice(&v);
        let n = b.len() as u32;
        b[..4].copy_from_slice(&n.to_be_bytes());
        b
    })
}

fn input() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        pdu_with_odd_tlv(),
        vec(any::<u8>(), 0..600),
        // A header that frames, then random octets: reaches every body parser.
        (
            any::<u32>(),
            any::<u32>(),
            any::<u32>(),
            vec(any::<u8>(), 0..300)
        )
            .prop_map(|(id, st, seq, body)| {
                let id = if id % 2 == 0 { id % 0x114 } else { id };
                let mut b = Vec::with_capacity(16 + body.len());
                b.extend_from_slice(&(16 + body.len() as u32).to_be_bytes());
                b.extend_from_slice(&id.to_be_bytes());
                b.extend_from_slice(&st.to_be_bytes());
                b.extend_from_slice(&seq.to_be_bytes());
                b.extend_from_slice(&body);
                b
            }),
        mutated_pdu(),
        vec(mutated_pdu(), 1..4).prop_map(|v| v.concat()),
    ]
}

/// Every invariant on one frame (exactly command_length octets).
fn check_frame(frame: &bytes::Bytes) -> Result<(), TestCaseError> {
    let decoded = Pdu::decode(frame);
    // The fast paths (submit_sm, deliver_sm, data_sm) accept exactly what the field-by-field
    // decoders accept, with the same result; otherwise the same error.
    prop_assert_eq!(&decoded, &Pdu::decode_checked(frame));
    if let Ok(p) = &decoded {
        prop_assert_eq!(&p.to_vec()[..], &frame[..], "re-encode differs");
        prop_assert_eq!(p.encoded_len(), frame.len());
        let back = Pdu::from_json(&p.to_json());
        prop_assert_eq!(
            back.as_ref().ok(),
            Some(p),
            "JSON round trip: {:?}",
            back.as_ref().err()
        );
    }
    let _ = resp_message_id(frame);
    let id = Header::new_checked(&frame[..]).map(|h| h.command_id());
    if !matches!(
        id,
        Ok(CommandId::SubmitSm | CommandId::DeliverSm | CommandId::DataSm)
    ) {
        return Ok(());
    }
    let view = SmView::parse(frame);
    let checked = SmView::parse_checked(frame);
    prop_assert_eq!(view.as_ref().err(), checked.as_ref().err());
    if let (Ok(v), Ok(c)) = (&view, &checked) {
        prop_assert_eq!(format!("{v:?}"), format!("{c:?}"));
    }
    match (&view, &decoded) {
        (Err(v), Err(d)) => {
            prop_assert_eq!(
                error_status(v),
                error_status(d),
                "view {:?} vs typed {:?}",
                v,
                d
            )
        }
        (Ok(_), Err(d)) => prop_assert!(false, "view accepts, typed refuses: {:?}", d),
        (Err(v), Ok(_)) => prop_assert!(false, "typed accepts, view refuses: {:?}", v),
        (Ok(v), Ok(p)) => check_view_fields(v, p)?,
    }
    if let Ok(v) = &view {
        let _ = receipt_message_id(v);
        let mut out = Vec::new();
        if rewrite_receipt(v, b"proxy-id-0123456789", 0x7fff_ffff, &mut out).is_ok() {
            let again = Pdu::decode_slice(&out);
            prop_assert!(
                again.is_ok(),
                "rewritten receipt refused: {:?}",
                again.err()
            );
            prop_assert!(SmView::parse(&out).is_ok());
        }
    }
    Ok(())
}

fn check_view_fields(v: &SmView<'_>, p: &Pdu) -> Result<(), TestCaseError> {
    prop_assert_eq!(v.sequence_number(), p.sequence_number);
    prop_assert_eq!(v.command_id(), p.command_id());
    let tlvs: Vec<(u16, Vec<u8>)> = v.tlvs().map(|(t, val)| (t, val.to_vec())).collect();
    let want: Vec<(u16, Vec<u8>)> = p.tlvs.iter().map(|t| (t.tag, t.value.to_vec())).collect();
    prop_assert_eq!(tlvs, want);
    match &p.body {
        Body::SubmitSm(b) | Body::DeliverSm(b) => {
            prop_assert_eq!(v.service_type(), &b.service_type[..]);
            prop_assert_eq!(v.source_addr_ton(), b.source_addr_ton);
            prop_assert_eq!(v.source_addr_npi(), b.source_addr_npi);
            prop_assert_eq!(v.source_addr(), &b.source_addr[..]);
            prop_assert_eq!(v.dest_addr_ton(), b.dest_addr_ton);
            prop_assert_eq!(v.dest_addr_npi(), b.dest_addr_npi);
            prop_assert_eq!(v.destination_addr(), &b.destination_addr[..]);
            prop_assert_eq!(v.esm_class(), b.esm_class);
            prop_assert_eq!(v.protocol_id(), Some(b.protocol_id));
            prop_assert_eq!(v.priority_flag(), Some(b.priority_flag));
            prop_assert_eq!(v.registered_delivery(), b.registered_delivery);
            prop_assert_eq!(v.data_coding(), b.data_coding);
            prop_assert_eq!(v.short_message(), &b.short_message[..]);
        }
        Body::DataSm(b) => {
            prop_assert_eq!(v.service_type(), &b.service_type[..]);
            prop_assert_eq!(v.source_addr_ton(), b.source_addr_ton);
            prop_assert_eq!(v.source_addr_npi(), b.source_addr_npi);
            prop_assert_eq!(v.source_addr(), &b.source_addr[..]);
            prop_assert_eq!(v.dest_addr_ton(), b.dest_addr_ton);
            prop_assert_eq!(v.dest_addr_npi(), b.dest_addr_npi);
            prop_assert_eq!(v.destination_addr(), &b.destination_addr[..]);
            prop_assert_eq!(v.esm_class(), b.esm_class);
            prop_assert_eq!(v.protocol_id(), None);
            prop_assert_eq!(v.registered_delivery(), b.registered_delivery);
            prop_assert_eq!(v.data_coding(), b.data_coding);
            prop_assert!(v.short_message().is_empty());
        }
        other => prop_assert!(false, "view accepted {:?}", other.command_id()),
    }
    let payload = p.tlv(tag::MESSAGE_PAYLOAD).map(|t| &t.value[..]);
    if v.short_message().is_empty() {
        prop_assert_eq!(v.payload(), payload.unwrap_or_default());
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8192))]

    #[test]
    fn framing_and_decoding_hold_their_invariants(bytes in input(), max in prop_oneof![Just(DEFAULT_MAX_PDU_LEN), 16u32..400]) {
        let framer = Framer::new(max);
        let mut buf = BytesMut::from(&bytes[..]);
        loop {
            match framer.split(&mut buf) {
                Ok(Some(frame)) => {
                    prop_assert!(frame.len() >= HEADER_LEN && frame.len() <= max as usize);
                    check_frame(&frame)?;
                }
                // Need more bytes: nothing was consumed.
                Ok(None) => break,
                // A hostile command_length: the connection closes.
                Err(FrameError::TooShort(n)) => { prop_assert!(n < 16); break; }
                Err(FrameError::TooLong { len, max: m }) => { prop_assert!(len > m); break; }
            }
        }
        // The `smsedge pdu decode smpp` path: whatever decodes re-encodes to the same octets.
        match json::decode(Proto::Smpp, &bytes) {
            Ok(values) => {
                let mut again = Vec::new();
                for v in &values {
                    let b = json::encode(Proto::Smpp, v)
                        .map_err(|e| TestCaseError::fail(format!("encode of our JSON: {e}")))?;
                    again.extend_from_slice(&b);
                }
                prop_assert_eq!(again, bytes);
            }
            Err((values, e)) => prop_assert!(!e.0.is_empty(), "{} PDUs before", values.len()),
        }
    }
}

proptest! {
    /// The receipt rewrite finds the id with a short scan; it must find what the full parser
    /// finds, whatever the text.
    #[test]
    fn receipt_id_scan_agrees_with_the_full_parse(parts in vec(proptest::sample::select(vec![
        &b"id:"[..], b"ID:", b"text:", b"sub:", b"submit date:", b"done_date:", b"stat:", b" ",
        b"  ", b"x", b"7", b":", b"paid:", b"\0",
    ]), 0..16)) {
        use smsedge_codecs::smpp::receipt::{id_span, ReceiptText};
        let text = parts.concat();
        prop_assert_eq!(id_span(&text), ReceiptText::parse(&text).and_then(|r| r.id_span()));
    }
}
