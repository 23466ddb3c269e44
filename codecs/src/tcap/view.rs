//! A cheap look at a TCAP message for routing: its kind and transaction ids, read in place
//! without decoding the dialogue or the components and without allocating. The engine uses it to
//! send a message to the shard that owns the dialogue.

use super::message::{tag, MessageKind, TransactionId};
use crate::ber::Tag;
use crate::error::{Error, Reason, Result};
use crate::reader::Reader;

/// Kind and transaction ids of a TCAP message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TransactionView {
    /// The message kind.
    pub kind: MessageKind,
    /// Originating transaction id (Begin, Continue).
    pub otid: Option<TransactionId>,
    /// Destination transaction id (End, Continue, Abort).
    pub dtid: Option<TransactionId>,
}

/// Reads the identifier and length octets, returning the tag and the definite length (`None`
/// for indefinite).
fn header(r: &mut Reader<'_>) -> Result<(Tag, Option<usize>)> {
    let t = Tag::decode(r)?;
    let at = r.offset();
    let first = r.u8("ber.length")?;
    let len = match first {
        0..=0x7f => Some(usize::from(first)),
        0x80 => None,
        0x81..=0x84 => {
            let mut l = 0usize;
            for _ in 0..(first & 0x7f) {
                l = (l << 8) | usize::from(r.u8("ber.length")?);
            }
            Some(l)
        }
        _ => return Err(Error::new("ber.length", at, Reason::BadValue)),
    };
    if let Some(l) = len {
        if l > r.remaining() {
            return Err(Error::new("ber.length", at, Reason::BadLength));
        }
    }
    Ok((t, len))
}

impl TransactionView {
    /// Reads the kind and transaction ids at the start of `buf`. Only the message header and
    /// the id elements are checked; the rest is left to [`super::Message::decode`].
    pub fn parse(buf: &[u8]) -> Result<Self> {
        let mut r = Reader::new(buf);
        let (t, _) = header(&mut r)?;
        let kind = MessageKind::from_tag(t).ok_or(Error::new(
            "tcap.message_type",
            0,
            Reason::Unsupported,
        ))?;
        let mut id = |want: Tag, field: &'static str| -> Result<TransactionId> {
            let at = r.offset();
            let (t, len) = header(&mut r)?;
            if t != want {
                return Err(Error::new(field, at, Reason::BadValue));
            }
            let v = r.take(len.ok_or(Error::new(field, at, Reason::BadValue))?, field)?;
            TransactionId::new(v).ok_or(Error::new(field, at, Reason::BadLength))
        };
        let otid = if matches!(kind, MessageKind::Begin | MessageKind::Continue) {
            Some(id(tag::OTID, "tcap.otid")?)
        } else {
            None
        };
        let dtid = if matches!(
            kind,
            MessageKind::End | MessageKind::Continue | MessageKind::Abort
        ) {
            Some(id(tag::DTID, "tcap.dtid")?)
        } else {
            None
        };
        Ok(TransactionView { kind, otid, dtid })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hex;

    #[test]
    fn parses_ids_of_every_kind() {
        let v =
            TransactionView::parse(&hex::decode("6580 480401020304 490105 0000").unwrap()).unwrap();
        assert_eq!(v.kind, MessageKind::Continue);
        assert_eq!(v.otid.unwrap().to_u32(), 0x01020304);
        assert_eq!(v.dtid.unwrap().as_bytes(), [5]);
        let v = TransactionView::parse(&hex::decode("6481ff 490207d0").unwrap()).unwrap_err();
        assert_eq!(v.reason, Reason::BadLength);
        let v = TransactionView::parse(&hex::decode("6706 490207d0 4a0101").unwrap()).unwrap();
        assert_eq!(
            (v.kind, v.otid, v.dtid.unwrap().to_u32()),
            (MessageKind::Abort, None, 2000)
        );
        let e = TransactionView::parse(&hex::decode("6207 4905 0102030405").unwrap()).unwrap_err();
        assert_eq!(e.field, "tcap.otid");
    }

    proptest::proptest! {
        /// Random bytes never panic; when the full decoder accepts a message, the view agrees.
        #[test]
        fn random_bytes_never_panic_and_agree_with_decode(v in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64)) {
            let view = TransactionView::parse(&v);
            if let Ok(m) = crate::tcap::Message::decode(&v) {
                let view = view.unwrap();
                proptest::prop_assert_eq!((view.kind, view.otid, view.dtid), (m.kind, m.otid, m.dtid));
            }
        }
    }
}
