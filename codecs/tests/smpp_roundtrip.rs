//! Generated round trips: arbitrary valid PDUs of every Body variant (random strings within
//! their limits, random TLVs including vendor and unknown tags) must survive
//! decode(encode(p)) == p, encode(decode(bytes)) == bytes, and the JSON form of `smsedge pdu`.

mod common;

use proptest::prelude::*;
use smsedge_codecs::smpp::{Body, CommandId, Pdu, SmView};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]

    #[test]
    fn every_pdu_round_trips(p in common::pdu()) {
        let bytes = p.to_vec();
        prop_assert_eq!(bytes.len(), p.encoded_len());
        let back = Pdu::decode_slice(&bytes).map_err(|e| TestCaseError::fail(format!("{e}")))?;
        prop_assert_eq!(&back, &p);
        let frame = bytes::Bytes::from(bytes.clone());
        prop_assert_eq!(Pdu::decode_checked(&frame).ok(), Some(p.clone()));
        prop_assert_eq!(back.to_vec(), bytes.clone());
        let json = p.to_json();
        let from_json = Pdu::from_json(&json).map_err(|e| TestCaseError::fail(format!("{e}")))?;
        prop_assert_eq!(&from_json, &p);
        // The view agrees with the typed form on the routing fields.
        if let Body::SubmitSm(b) | Body::DeliverSm(b) = &p.body {
            let v = SmView::parse(&bytes).map_err(|e| TestCaseError::fail(format!("{e}")))?;
            prop_assert_eq!(v.source_addr(), &b.source_addr[..]);
            prop_assert_eq!(v.destination_addr(), &b.destination_addr[..]);
            prop_assert_eq!(v.short_message(), &b.short_message[..]);
            prop_assert_eq!(v.esm_class(), b.esm_class);
            prop_assert_eq!(v.data_coding(), b.data_coding);
            prop_assert_eq!(v.tlvs().count(), p.tlvs.len());
        }
        if let Body::DataSm(b) = &p.body {
            let v = SmView::parse(&bytes).map_err(|e| TestCaseError::fail(format!("{e}")))?;
            prop_assert_eq!(v.command_id(), CommandId::DataSm);
            prop_assert_eq!(v.destination_addr(), &b.destination_addr[..]);
        }
    }
}
