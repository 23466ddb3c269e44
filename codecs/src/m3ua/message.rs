//! A whole M3UA message: the common header and its parameters in wire order (RFC 4666 3.1-3.3).
//!
//! The typed form keeps every parameter, known or not, in the order it came, so re-encoding a
//! decoded message gives back its bytes. The constructors for each message class live in the
//! class's own file (`mgmt.rs`, `transfer.rs`, `ssnm.rs`, `aspsm.rs`, `asptm.rs`, `rkm.rs`).

use super::header::{Header, MessageType, HEADER_LEN, VERSION};
use super::params::{decode_list, tag, Parameter, ProtocolData};
use crate::error::{Error, Reason, Result};
use crate::reader::Reader;

/// One M3UA message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Message {
    /// Message class and type.
    pub kind: MessageType,
    /// The reserved header octet (RFC 4666 3.1.1: sent as 0, ignored on receipt; kept so a
    /// message passes through unchanged).
    pub reserved: u8,
    /// Parameters in wire order.
    pub params: Vec<Parameter>,
    /// True when the last parameter came without its padding (accepted on receipt, as other
    /// implementations do; re-emitted the same way).
    pub unpadded_last: bool,
}

/// The parameter a message type cannot do without (RFC 4666 section 3: the "Mandatory"
/// parameters of each message format), if any.
fn mandatory(kind: MessageType) -> &'static [(u16, &'static str)] {
    use MessageType as M;
    match kind {
        M::Data => &[(tag::PROTOCOL_DATA, "m3ua.protocol_data")],
        M::Err => &[(tag::ERROR_CODE, "m3ua.error_code")],
        M::Ntfy => &[(tag::STATUS, "m3ua.status")],
        M::Duna | M::Dava | M::Daud | M::Scon | M::Drst => {
            &[(tag::AFFECTED_POINT_CODE, "m3ua.affected_point_code")]
        }
        M::Dupu => &[
            (tag::AFFECTED_POINT_CODE, "m3ua.affected_point_code"),
            (tag::USER_CAUSE, "m3ua.user_cause"),
        ],
        M::RegReq => &[(tag::ROUTING_KEY, "m3ua.routing_key")],
        M::RegRsp => &[(tag::REGISTRATION_RESULT, "m3ua.registration_result")],
        M::DeregReq => &[(tag::ROUTING_CONTEXT, "m3ua.routing_context")],
        M::DeregRsp => &[(tag::DEREGISTRATION_RESULT, "m3ua.deregistration_result")],
        _ => &[],
    }
}

impl Message {
    /// A message of `kind` with `params` (padded, reserved octet 0).
    pub fn new(kind: MessageType, params: Vec<Parameter>) -> Self {
        Message {
            kind,
            reserved: 0,
            params,
            unpadded_last: false,
        }
    }

    /// Decodes exactly one message from `buf` (the whole of it: the Message Length must equal
    /// `buf.len()`).
    pub fn decode(buf: &[u8]) -> Result<Self> {
        let h = Header::new_checked(buf)?;
        let mut r = Reader::with_base(h.payload(), HEADER_LEN);
        let (params, unpadded_last) = decode_list(&mut r, true)?;
        let m = Message {
            kind: h.kind(),
            reserved: h.reserved(),
            params,
            unpadded_last,
        };
        for &(t, field) in mandatory(m.kind) {
            // RFC 4666 section 3: a message without a mandatory parameter is answered with
            // "Missing Parameter" (error code 0x16).
            if m.param(t).is_none() {
                return Err(Error::new(field, buf.len(), Reason::BadValue));
            }
        }
        Ok(m)
    }

    /// Decodes every back-to-back message of `buf` (M3UA over a stream). Returns the messages
    /// decoded before any error together with it.
    pub fn decode_all(buf: &[u8]) -> (Vec<Message>, Option<Error>) {
        let mut out = Vec::new();
        let mut at = 0;
        while at < buf.len() {
            let rest = &buf[at..];
            let len = match super::header::frame_len(rest, usize::MAX) {
                Ok(Some(len)) if len <= rest.len() => len,
                // The Message Length runs past the input.
                Ok(Some(_)) => {
                    return (
                        out,
                        Some(Error::new("m3ua.message_length", at + 4, Reason::Truncated)),
                    )
                }
                // Fewer octets than a common header.
                Ok(None) => {
                    return (
                        out,
                        Some(Error::new("m3ua.header", buf.len(), Reason::Truncated)),
                    )
                }
                Err(e) => return (out, Some(e.shifted(at))),
            };
            match Message::decode(&rest[..len]) {
                Ok(m) => out.push(m),
                Err(e) => return (out, Some(e.shifted(at))),
            }
            at += len;
        }
        (out, None)
    }

    /// Octets of the encoded message.
    pub fn encoded_len(&self) -> usize {
        let padded: usize = self.params.iter().map(Parameter::padded_len).sum();
        let short = match (self.unpadded_last, self.params.last()) {
            (true, Some(p)) => p.padded_len() - 4 - p.value_len(),
            _ => 0,
        };
        HEADER_LEN + padded - short
    }

    /// Appends the encoded message to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        let len = self.encoded_len() as u32;
        out.extend_from_slice(&[
            VERSION,
            self.reserved,
            self.kind.class(),
            self.kind.type_code(),
        ]);
        out.extend_from_slice(&len.to_be_bytes());
        let n = self.params.len();
        for (i, p) in self.params.iter().enumerate() {
            p.encode_into(out, !(self.unpadded_last && i + 1 == n));
        }
    }

    /// The encoded message.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.encoded_len());
        self.encode_into(&mut out);
        out
    }

    /// The first parameter with tag `t`.
    pub fn param(&self, t: u16) -> Option<&Parameter> {
        self.params.iter().find(|p| p.tag() == t)
    }

    /// The Routing Context values, if present.
    pub fn routing_context(&self) -> Option<&[u32]> {
        self.params.iter().find_map(|p| match p {
            Parameter::RoutingContext(v) => Some(&v[..]),
            _ => None,
        })
    }

    /// The Protocol Data of a DATA message.
    pub fn protocol_data(&self) -> Option<&ProtocolData> {
        self.params.iter().find_map(|p| match p {
            Parameter::ProtocolData(pd) => Some(pd),
            _ => None,
        })
    }

    /// The Protocol Data, mutably (to rewrite the routing label or the user data in place).
    pub fn protocol_data_mut(&mut self) -> Option<&mut ProtocolData> {
        self.params.iter_mut().find_map(|p| match p {
            Parameter::ProtocolData(pd) => Some(pd),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::params::MaskedPointCode;
    use super::super::rkm::RoutingKey;
    use super::*;
    use crate::hex;
    use proptest::prelude::*;

    fn rt(m: &Message) {
        let b = m.encode();
        assert_eq!(b.len(), m.encoded_len());
        assert_eq!(&Message::decode(&b).unwrap(), m, "{}", hex::encode(&b));
    }

    #[test]
    fn emits_aspsm_and_asptm_as_rfc_4666() {
        assert_eq!(
            hex::encode(&Message::aspup(None).encode()),
            "0100030100000008"
        );
        assert_eq!(
            hex::encode(&Message::aspup(Some(7)).encode()),
            "01000301000000100011000800000007"
        );
        // ASPAC with Traffic Mode Type 2 (loadshare) and RC 1: the sample of gen_samples.py.
        assert_eq!(
            hex::encode(&Message::aspac(Some(2), &[1]).encode()),
            "0100040100000018000b0008000000020006000800000001"
        );
        for m in [
            Message::aspup_ack(Some(1)),
            Message::aspdn(),
            Message::aspdn_ack(),
            Message::beat(Some(vec![1, 2, 3, 4, 5])),
            Message::aspac_ack(Some(1), &[1, 2]),
            Message::aspia(&[3]),
            Message::aspia_ack(&[]),
        ] {
            rt(&m);
        }
        let beat = Message::beat(Some(b"hb".to_vec()));
        assert_eq!(Message::beat_ack_for(&beat).params, beat.params);
    }

    #[test]
    fn emits_every_other_class() {
        let apc = [MaskedPointCode {
            mask: 0,
            pc: 0x1234,
        }];
        let key = RoutingKey {
            local_rk_id: 1,
            routing_context: Some(10),
            traffic_mode: Some(2),
            dpc: MaskedPointCode { mask: 0, pc: 2 },
            network_appearance: Some(8),
            service_indicators: vec![3],
            opc_list: vec![MaskedPointCode { mask: 0, pc: 1 }],
        };
        for m in [
            Message::err(
                0x16,
                vec![Parameter::DiagnosticInformation(vec![0xde, 0xad])],
            ),
            Message::ntfy(1, 3, Some(5), &[1]),
            Message::duna(&[1], &apc),
            Message::dava(&[], &apc),
            Message::daud(&[1], &apc),
            Message::scon(&[1], &apc, Some(0x99), Some(2)),
            Message::dupu(&[1], apc[0], 1, 3),
            Message::drst(&[1], &apc),
            Message::reg_req(&[key.clone(), key]),
            Message::reg_rsp(&[(1, 0, 10)]),
            Message::dereg_req(&[10]),
            Message::dereg_rsp(&[(10, 0)]),
        ] {
            rt(&m);
        }
    }

    #[test]
    fn keeps_unknown_parameters_and_missing_last_padding() {
        // NTFY with an unknown parameter 0x8001 between Status and INFO String, whose last
        // parameter (INFO String "abc", length 7) comes without its one octet of padding.
        let b =
            hex::decode("01000001 0000001f 000d0008 00010003 80010006 beef0000 00040007 616263")
                .unwrap();
        let m = Message::decode(&b).unwrap();
        assert!(m.unpadded_last);
        assert_eq!(
            m.params[1],
            Parameter::Unknown {
                tag: 0x8001,
                value: vec![0xbe, 0xef]
            }
        );
        assert_eq!(m.encode(), b);
    }

    #[test]
    fn rejects_length_disagreeing_with_content() {
        // Message Length 16 but the Routing Context parameter says 12 octets.
        let b = hex::decode("01000401 00000010 0006000c 00000001").unwrap();
        let e = Message::decode(&b).unwrap_err();
        assert_eq!(
            (e.field, e.offset, e.reason),
            ("m3ua.parameter_length", 10, Reason::BadLength)
        );
        // Message Length shorter than the buffer.
        let b = hex::decode("01000401 0000000c 00060008 00000001").unwrap();
        let e = Message::decode(&b).unwrap_err();
        assert_eq!(
            (e.field, e.reason),
            ("m3ua.message_length", Reason::BadLength)
        );
        // DUPU without User/Cause.
        let b = hex::decode("01000205 00000010 00120008 00001234").unwrap();
        assert_eq!(Message::decode(&b).unwrap_err().field, "m3ua.user_cause");
    }

    #[test]
    fn decodes_back_to_back_messages() {
        let mut b = Message::aspup(None).encode();
        b.extend(Message::aspac(Some(2), &[1]).encode());
        b.extend([1, 0, 3]);
        let (ms, e) = Message::decode_all(&b);
        assert_eq!(ms.len(), 2);
        assert_eq!(e.unwrap(), Error::new("m3ua.header", 35, Reason::Truncated));
        let (_, e) = Message::decode_all(&hex::decode("0100030100000010").unwrap());
        assert_eq!(
            e.unwrap(),
            Error::new("m3ua.message_length", 4, Reason::Truncated)
        );
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic_and_round_trip(v in proptest::collection::vec(any::<u8>(), 0..200)) {
            if let Ok(m) = Message::decode(&v) {
                prop_assert_eq!(m.encode(), v);
            }
        }

        #[test]
        fn random_parameters_round_trip(
            kind in (0u8..10, 0u8..8),
            params in proptest::collection::vec((any::<u16>(), proptest::collection::vec(any::<u8>(), 0..12)), 0..6),
        ) {
            // Build a message from arbitrary tag/value pairs; whatever decodes must re-encode.
            let mut body = Vec::new();
            for (t, v) in &params {
                Parameter::Unknown { tag: *t, value: v.clone() }.encode_into(&mut body, true);
            }
            let mut b = vec![1, 0, kind.0, kind.1];
            b.extend(((8 + body.len()) as u32).to_be_bytes());
            b.extend(body);
            if let Ok(m) = Message::decode(&b) {
                prop_assert_eq!(m.encode(), b);
            }
        }
    }
}
