//! TCAP messages (ITU-T Q.773 section 4.2, TCAPMessages): Unidirectional, Begin, End, Continue
//! and Abort, with their transaction ids, dialogue portion and component portion.
//!
//! ```asn1
//! TCMessage ::= CHOICE {
//!   unidirectional [APPLICATION 1] IMPLICIT Unidirectional,
//!   begin          [APPLICATION 2] IMPLICIT Begin,
//!   end            [APPLICATION 4] IMPLICIT End,
//!   continue       [APPLICATION 5] IMPLICIT Continue,
//!   abort          [APPLICATION 7] IMPLICIT Abort }
//! Unidirectional ::= SEQUENCE { dialoguePortion DialoguePortion OPTIONAL,
//!   components ComponentPortion }
//! Begin ::= SEQUENCE { otid OrigTransactionID, dialoguePortion DialoguePortion OPTIONAL,
//!   components ComponentPortion OPTIONAL }
//! End ::= SEQUENCE { dtid DestTransactionID, dialoguePortion DialoguePortion OPTIONAL,
//!   components ComponentPortion OPTIONAL }
//! Continue ::= SEQUENCE { otid OrigTransactionID, dtid DestTransactionID,
//!   dialoguePortion DialoguePortion OPTIONAL, components ComponentPortion OPTIONAL }
//! Abort ::= SEQUENCE { dtid DestTransactionID,
//!   reason CHOICE { p-abortCause P-AbortCause, u-abortCause DialoguePortion } OPTIONAL }
//! OrigTransactionID ::= [APPLICATION 8] IMPLICIT OCTET STRING (SIZE (1..4))
//! DestTransactionID ::= [APPLICATION 9] IMPLICIT OCTET STRING (SIZE (1..4))
//! P-AbortCause ::= [APPLICATION 10] IMPLICIT INTEGER { unrecognizedMessageType(0),
//!   unrecognizedTransactionID(1), badlyFormattedTransactionPortion(2),
//!   incorrectTransactionPortion(3), resourceLimitation(4) }
//! ComponentPortion ::= [APPLICATION 12] IMPLICIT SEQUENCE SIZE (1..MAX) OF Component
//! ```

use super::component::Component;
use super::dialogue::{self, DialoguePortion};
use crate::ber::{self, Forms, Seq, Tag, Tlv, Writer};
use crate::error::{Error, Reason, Result};

/// Message tags.
pub mod tag {
    use crate::ber::Tag;
    /// unidirectional.
    pub const UNIDIRECTIONAL: Tag = Tag::application(1).constructed();
    /// begin.
    pub const BEGIN: Tag = Tag::application(2).constructed();
    /// end.
    pub const END: Tag = Tag::application(4).constructed();
    /// continue.
    pub const CONTINUE: Tag = Tag::application(5).constructed();
    /// abort.
    pub const ABORT: Tag = Tag::application(7).constructed();
    /// OrigTransactionID.
    pub const OTID: Tag = Tag::application(8);
    /// DestTransactionID.
    pub const DTID: Tag = Tag::application(9);
    /// P-AbortCause.
    pub const P_ABORT_CAUSE: Tag = Tag::application(10);
    /// ComponentPortion.
    pub const COMPONENTS: Tag = Tag::application(12).constructed();
}

/// A transaction id: 1 to 4 octets (Q.773: SIZE (1..4)). `Copy`, no allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TransactionId {
    len: u8,
    bytes: [u8; 4],
}

impl TransactionId {
    /// The id of `bytes`, or `None` unless 1 to 4 octets.
    pub fn new(bytes: &[u8]) -> Option<Self> {
        if bytes.is_empty() || bytes.len() > 4 {
            return None;
        }
        let mut b = [0; 4];
        b[..bytes.len()].copy_from_slice(bytes);
        Some(TransactionId {
            len: bytes.len() as u8,
            bytes: b,
        })
    }

    /// A 4-octet id from a number (big-endian).
    pub fn from_u32(v: u32) -> Self {
        TransactionId {
            len: 4,
            bytes: v.to_be_bytes(),
        }
    }

    /// The octets.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    /// The value as a big-endian number.
    pub fn to_u32(&self) -> u32 {
        self.as_bytes()
            .iter()
            .fold(0, |a, &b| (a << 8) | u32::from(b))
    }

    fn decode(t: &Tlv<'_>, field: &'static str) -> Result<Self> {
        // Q.773: OrigTransactionID / DestTransactionID are OCTET STRING (SIZE (1..4)).
        TransactionId::new(t.value).ok_or(t.error(field, Reason::BadLength))
    }
}

/// The name of a P-AbortCause value.
pub fn p_abort_cause_name(v: i64) -> Option<&'static str> {
    Some(match v {
        0 => "unrecognizedMessageType",
        1 => "unrecognizedTransactionID",
        2 => "badlyFormattedTransactionPortion",
        3 => "incorrectTransactionPortion",
        4 => "resourceLimitation",
        _ => return None,
    })
}

/// The reason of an Abort.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AbortReason {
    /// p-abortCause (the TC provider aborted).
    Provider(i64),
    /// u-abortCause (the TC user aborted, with a dialogue portion, typically an ABRT or an AARE
    /// refusing the application context).
    User(DialoguePortion),
}

/// The message kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageKind {
    /// Unidirectional.
    Unidirectional,
    /// Begin.
    Begin,
    /// End.
    End,
    /// Continue.
    Continue,
    /// Abort.
    Abort,
}

impl MessageKind {
    /// The ASN.1 name (`begin`, ...).
    pub fn name(self) -> &'static str {
        match self {
            MessageKind::Unidirectional => "unidirectional",
            MessageKind::Begin => "begin",
            MessageKind::End => "end",
            MessageKind::Continue => "continue",
            MessageKind::Abort => "abort",
        }
    }

    /// The kind for an ASN.1 name.
    pub fn from_name(s: &str) -> Option<Self> {
        [
            Self::Unidirectional,
            Self::Begin,
            Self::End,
            Self::Continue,
            Self::Abort,
        ]
        .into_iter()
        .find(|k| k.name() == s)
    }

    /// The kind of a message tag.
    pub fn from_tag(t: Tag) -> Option<Self> {
        Some(match t {
            tag::UNIDIRECTIONAL => MessageKind::Unidirectional,
            tag::BEGIN => MessageKind::Begin,
            tag::END => MessageKind::End,
            tag::CONTINUE => MessageKind::Continue,
            tag::ABORT => MessageKind::Abort,
            _ => return None,
        })
    }

    fn tag(self) -> Tag {
        match self {
            MessageKind::Unidirectional => tag::UNIDIRECTIONAL,
            MessageKind::Begin => tag::BEGIN,
            MessageKind::End => tag::END,
            MessageKind::Continue => tag::CONTINUE,
            MessageKind::Abort => tag::ABORT,
        }
    }
}

/// A TCAP message. One type for the five kinds: the fields a kind does not have are `None` /
/// empty, and [`Message::decode`] and the constructors keep them so.
///
/// Forms: slot 0 the message, 1 otid, 2 dtid, 3 the component portion, 4 the P-AbortCause.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Message {
    /// Which message.
    pub kind: MessageKind,
    /// Originating transaction id (Begin, Continue).
    pub otid: Option<TransactionId>,
    /// Destination transaction id (End, Continue, Abort).
    pub dtid: Option<TransactionId>,
    /// Dialogue portion (not in Abort, whose user reason is in `abort_reason`).
    pub dialogue: Option<DialoguePortion>,
    /// Components in order; empty when the component portion is absent.
    pub components: Vec<Component>,
    /// Abort reason (Abort only).
    pub abort_reason: Option<AbortReason>,
    /// Length forms as received.
    pub forms: Forms,
}

impl Message {
    fn new(kind: MessageKind, otid: Option<TransactionId>, dtid: Option<TransactionId>) -> Self {
        Message {
            kind,
            otid,
            dtid,
            dialogue: None,
            components: Vec::new(),
            abort_reason: None,
            forms: Forms::default(),
        }
    }

    /// A Begin with our transaction id.
    pub fn begin(otid: TransactionId) -> Self {
        Message::new(MessageKind::Begin, Some(otid), None)
    }

    /// A Continue: our id, the peer's id.
    pub fn continue_(otid: TransactionId, dtid: TransactionId) -> Self {
        Message::new(MessageKind::Continue, Some(otid), Some(dtid))
    }

    /// An End to the peer's transaction.
    pub fn end(dtid: TransactionId) -> Self {
        Message::new(MessageKind::End, None, Some(dtid))
    }

    /// A Unidirectional.
    pub fn unidirectional() -> Self {
        Message::new(MessageKind::Unidirectional, None, None)
    }

    /// An Abort with an optional reason.
    pub fn abort(dtid: TransactionId, reason: Option<AbortReason>) -> Self {
        let mut m = Message::new(MessageKind::Abort, None, Some(dtid));
        m.abort_reason = reason;
        m
    }

    /// Adds a dialogue portion.
    pub fn with_dialogue(mut self, d: DialoguePortion) -> Self {
        self.dialogue = Some(d);
        self
    }

    /// Adds a component.
    pub fn with_component(mut self, c: Component) -> Self {
        self.components.push(c);
        self
    }

    /// The application context name of the dialogue portion (or of a u-abort's), if any.
    pub fn application_context(&self) -> Option<&ber::Oid> {
        match (&self.dialogue, &self.abort_reason) {
            (Some(d), _) => d.application_context(),
            (None, Some(AbortReason::User(d))) => d.application_context(),
            _ => None,
        }
    }

    /// Decodes the message that is all of `buf`.
    pub fn decode(buf: &[u8]) -> Result<Self> {
        let t = Tlv::decode_exact(buf, 0, "tcap")?;
        let kind = MessageKind::from_tag(t.tag).ok_or(Error::new(
            "tcap.message_type",
            0,
            Reason::Unsupported,
        ))?;
        let mut m = Message::new(kind, None, None);
        m.forms.set(0, t.form);
        let mut s = t.children("tcap")?;
        if matches!(kind, MessageKind::Begin | MessageKind::Continue) {
            let o = s.required(tag::OTID, "tcap.otid")?;
            m.forms.set(1, o.form);
            m.otid = Some(TransactionId::decode(&o, "tcap.otid")?);
        }
        if matches!(
            kind,
            MessageKind::End | MessageKind::Continue | MessageKind::Abort
        ) {
            let d = s.required(tag::DTID, "tcap.dtid")?;
            m.forms.set(2, d.form);
            m.dtid = Some(TransactionId::decode(&d, "tcap.dtid")?);
        }
        if kind == MessageKind::Abort {
            if let Some(r) = s.element()? {
                m.abort_reason = Some(if r.tag == tag::P_ABORT_CAUSE {
                    m.forms.set(4, r.form);
                    AbortReason::Provider(ber::int_value(&r, "tcap.p_abort_cause")?)
                } else if r.tag == dialogue::TAG {
                    AbortReason::User(DialoguePortion::decode(&r)?)
                } else {
                    return Err(r.error("tcap.abort_reason", Reason::BadValue));
                });
            }
        } else {
            if let Some(d) = s.optional(dialogue::TAG)? {
                m.dialogue = Some(DialoguePortion::decode(&d)?);
            }
            if let Some(c) = s.optional(tag::COMPONENTS)? {
                m.forms.set(3, c.form);
                m.components = decode_components(&c)?;
            } else if kind == MessageKind::Unidirectional {
                return Err(Error::new("tcap.components", buf.len(), Reason::Truncated));
            }
        }
        s.end()?;
        Ok(m)
    }

    /// Appends the encoded message to the writer.
    pub fn encode_to(&self, w: &mut Writer) {
        let f = &self.forms;
        w.tlv(self.kind.tag(), f.get(0), |w| {
            if let Some(o) = &self.otid {
                w.primitive(tag::OTID, f.get(1), o.as_bytes());
            }
            if let Some(d) = &self.dtid {
                w.primitive(tag::DTID, f.get(2), d.as_bytes());
            }
            if let Some(d) = &self.dialogue {
                d.encode(w);
            }
            match &self.abort_reason {
                Some(AbortReason::Provider(c)) => {
                    w.primitive(tag::P_ABORT_CAUSE, f.get(4), &ber::int_contents(*c))
                }
                Some(AbortReason::User(d)) => d.encode(w),
                None => {}
            }
            if !self.components.is_empty() {
                w.tlv(tag::COMPONENTS, f.get(3), |w| {
                    self.components.iter().for_each(|c| c.encode(w))
                });
            }
        });
    }

    /// The encoded message.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new();
        self.encode_to(&mut w);
        w.into_vec()
    }

    /// Octets of the encoded message.
    pub fn encoded_len(&self) -> usize {
        let mut w = Writer::measure();
        self.encode_to(&mut w);
        w.len()
    }
}

fn decode_components(t: &Tlv<'_>) -> Result<Vec<Component>> {
    let mut s: Seq<'_> = t.children("tcap.components")?;
    let mut v = Vec::new();
    while let Some(c) = s.element()? {
        v.push(Component::decode(&c)?);
    }
    // Q.773: ComponentPortion is SEQUENCE SIZE (1..MAX) OF Component.
    if v.is_empty() {
        return Err(t.error("tcap.components", Reason::BadLength));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::super::component::{Component, ProblemType};
    use super::super::dialogue::{DialoguePdu, SourceDiagnostic};
    use super::*;
    use crate::ber::Oid;
    use crate::hex;
    use proptest::prelude::*;

    // The TCAP Begin of shared/oracles/gen_samples.py (sendRoutingInfoForSM, v3).
    const BEGIN: &str = "62474804000000036b1e281c060700118605010101a011600f80020780a1090607040000010014036c1fa11d02010102012d30158007914477000910328101ff820791447700090000";

    fn begin() -> Vec<u8> {
        hex::decode(BEGIN).unwrap()
    }

    #[test]
    fn parses_begin_of_gen_samples() {
        let b = begin();
        let m = Message::decode(&b).unwrap();
        assert_eq!(
            (m.kind, m.otid.unwrap().to_u32(), m.dtid),
            (MessageKind::Begin, 3, None)
        );
        assert_eq!(
            m.application_context().unwrap().to_string(),
            "0.4.0.0.1.0.20.3"
        );
        assert_eq!(m.components.len(), 1);
        assert_eq!(m.components[0].invoke_id(), Some(1));
        assert_eq!(m.encode(), b);
        assert_eq!(m.encoded_len(), b.len());
    }

    #[test]
    fn emits_what_the_engine_builds() {
        let acn = Oid::parse("0.4.0.0.1.0.20.3").unwrap();
        let param = hex::decode("30158007914477000910328101ff820791447700090000").unwrap();
        let m = Message::begin(TransactionId::from_u32(3))
            .with_dialogue(DialoguePortion::request(acn.clone()))
            .with_component(Component::invoke(1, 45, Some(param)));
        assert_eq!(m.encode(), begin());
        let end = Message::end(TransactionId::from_u32(3))
            .with_dialogue(DialoguePortion::response(acn, 0, SourceDiagnostic::User(0)))
            .with_component(Component::return_result_last(1, None));
        assert_eq!(Message::decode(&end.encode()).unwrap(), end);
        let cont = Message::continue_(
            TransactionId::new(&[1]).unwrap(),
            TransactionId::new(&[2, 3]).unwrap(),
        )
        .with_component(Component::reject(Some(1), ProblemType::General, 2));
        assert_eq!(Message::decode(&cont.encode()).unwrap(), cont);
        let abort = Message::abort(TransactionId::from_u32(9), Some(AbortReason::Provider(1)));
        assert_eq!(hex::encode(&abort.encode()), "67094904000000094a0101");
        let uabort = Message::abort(
            TransactionId::from_u32(9),
            Some(AbortReason::User(DialoguePortion::abort(None))),
        );
        let d = Message::decode(&uabort.encode()).unwrap();
        assert!(
            matches!(&d.abort_reason, Some(AbortReason::User(p)) if matches!(p.pdu, DialoguePdu::Abort(_)))
        );
        let uni = Message::unidirectional().with_component(Component::invoke(0, 63, None));
        assert_eq!(Message::decode(&uni.encode()).unwrap(), uni);
    }

    #[test]
    fn rejects_bad_transaction_ids_and_structure() {
        // otid of 5 octets (Q.773 SIZE (1..4)); tshark accepts it (oracles/README.md).
        let e = Message::decode(&hex::decode("6207 4805 0102030405").unwrap()).unwrap_err();
        assert_eq!(
            (e.field, e.offset, e.reason),
            ("tcap.otid", 2, Reason::BadLength)
        );
        let e = Message::decode(&hex::decode("6202 4800").unwrap()).unwrap_err();
        assert_eq!(e.field, "tcap.otid");
        let e = Message::decode(&hex::decode("6505 480101 6c00").unwrap()).unwrap_err();
        assert_eq!(e.field, "tcap.dtid");
        let e = Message::decode(&hex::decode("6205 480101 6c00").unwrap()).unwrap_err();
        assert_eq!((e.field, e.reason), ("tcap.components", Reason::BadLength));
        let e = Message::decode(&hex::decode("6300").unwrap()).unwrap_err();
        assert_eq!(e.reason, Reason::Unsupported);
        let e = Message::decode(&hex::decode("6103 480101").unwrap()).unwrap_err();
        assert_eq!(e.field, "tcap.components");
        let mut b = begin();
        b.push(0);
        assert_eq!(
            Message::decode(&b).unwrap_err().reason,
            Reason::TrailingBytes
        );
    }

    #[test]
    fn keeps_indefinite_and_long_forms() {
        // Begin in indefinite form with a long-form otid length and a long-form component.
        let b = hex::decode("6280 48810400000001 6c80 a18106 020101 020138 0000 0000").unwrap();
        let m = Message::decode(&b).unwrap();
        assert_eq!(m.encode(), b);
        assert_eq!(m.encoded_len(), b.len());
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic_and_round_trip(v in proptest::collection::vec(any::<u8>(), 0..120)) {
            if let Ok(m) = Message::decode(&v) {
                prop_assert_eq!(m.encode(), v);
            }
        }

        #[test]
        fn mutated_begin_never_panics_and_round_trips(i in 0usize..200, x in any::<u8>()) {
            let mut b = begin();
            let i = i % b.len();
            b[i] = x;
            if let Ok(m) = Message::decode(&b) {
                prop_assert_eq!(m.encode(), b);
            }
        }
    }
}
