//! SCCP connectionless transfer as the engine uses it (ITU-T Q.713, Q.714): GT-routed addresses
//! of the SS7 profile, UDT when the TCAP message fits the 272-octet MTP signalling information
//! field, XUDT segments when it does not, and a zero-copy look at what arrives.
//!
//! Everything here writes into the caller's buffers; the typed forms of
//! `smsedge_codecs::sccp` are the reference the tests hold these bytes against, and they do the
//! rare work (segment reassembly).

use smsedge_codecs::sccp::segment::{xudt_segments, Reassembler, SegmentError};
use smsedge_codecs::sccp::{Message, MessageType, OptionalParam, PartyAddress};
use smsedge_codecs::Reader;

/// The MTP3 signalling information field: at most 272 octets (Q.704 2.3.8), so the longest SCCP
/// message a narrowband SS7 network carries.
pub const MAX_SIF: usize = 272;
/// Protocol class 1 (in-sequence delivery for a dialogue) with "return message on error"
/// (Q.713 3.6), what the profile uses for every UDT and XUDT.
pub const PROTOCOL_CLASS: u8 = 0x81;
/// Hop counter of the XUDTs the proxy originates (Q.714 2.3: an initial value of 15 at most).
pub const HOP_COUNTER: u8 = 15;

/// An encoded SCCP party address (Q.713 3.4) without its length octet, kept inline.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Addr {
    len: u8,
    bytes: [u8; 32],
}

impl std::fmt::Debug for Addr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Addr({})", smsedge_codecs::hex::encode(self.as_bytes()))
    }
}

impl Addr {
    /// A global-title address of the profile: routing on GT, GTI 4 with TT 0, NP 1 (E.164),
    /// BCD, NAI 4 (international), the SSN present and no point code. `digits` are ASCII digits,
    /// at most 30 of them; `None` otherwise.
    pub fn gt(ssn: u8, digits: &[u8]) -> Option<Addr> {
        if digits.is_empty() || digits.len() > 30 || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let odd = digits.len() % 2 == 1;
        let mut a = Addr::default();
        // Address indicator: route on GT (bit 7 = 0), GTI 4 (bits 6-3), SSN present (bit 2).
        a.bytes[0] = (4 << 2) | 0x02;
        a.bytes[1] = ssn;
        a.bytes[2] = 0; // translation type
        a.bytes[3] = (1 << 4) | if odd { 1 } else { 2 }; // numbering plan E.164, BCD odd/even
        a.bytes[4] = 4; // nature of address: international
        let mut n = 5;
        for pair in digits.chunks(2) {
            let lo = pair[0] - b'0';
            let hi = pair.get(1).map_or(0, |d| d - b'0');
            a.bytes[n] = (hi << 4) | lo;
            n += 1;
        }
        a.len = n as u8;
        Some(a)
    }

    /// The address as received (at most 32 octets).
    pub fn from_bytes(b: &[u8]) -> Option<Addr> {
        if b.is_empty() || b.len() > 32 {
            return None;
        }
        let mut a = Addr::default();
        a.bytes[..b.len()].copy_from_slice(b);
        a.len = b.len() as u8;
        Some(a)
    }

    /// The encoded address.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    /// True when no address was set.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The subsystem number, when the address carries one.
    pub fn ssn(&self) -> Option<u8> {
        let ai = *self.as_bytes().first()?;
        if ai & 0x02 == 0 {
            return None;
        }
        let at = 1 + if ai & 0x01 != 0 { 2 } else { 0 };
        self.as_bytes().get(at).copied()
    }

    /// The global title digits, for the digit-only titles of the profile (GTI 4, BCD).
    pub fn gt_digits(&self, out: &mut Vec<u8>) -> bool {
        let Ok(p) = PartyAddress::decode(&mut Reader::new(self.as_bytes()), "sccp.address") else {
            return false;
        };
        match p.gt.as_ref().and_then(|g| g.digits()) {
            Some(d) => {
                out.extend_from_slice(d.as_bytes());
                true
            }
            None => false,
        }
    }
}

/// Octets of a UDT with these addresses and `data` octets (Q.713 4.10).
pub fn udt_len(called: &Addr, calling: &Addr, data: usize) -> usize {
    5 + 1 + called.as_bytes().len() + 1 + calling.as_bytes().len() + 1 + data
}

/// Appends a UDT (Q.713 4.10) of protocol class [`PROTOCOL_CLASS`]. The caller checked that it
/// fits: `data` at most 255 octets.
pub fn put_udt(out: &mut Vec<u8>, called: &Addr, calling: &Addr, data: &[u8]) {
    let (cd, cg) = (called.as_bytes(), calling.as_bytes());
    out.push(MessageType::Udt.code());
    out.push(PROTOCOL_CLASS);
    // Q.713 2.3: each pointer counts from itself to its parameter's length octet.
    out.push(3);
    out.push((3 + cd.len()) as u8);
    out.push((3 + cd.len() + cg.len()) as u8);
    out.push(cd.len() as u8);
    out.extend_from_slice(cd);
    out.push(cg.len() as u8);
    out.extend_from_slice(cg);
    out.push(data.len() as u8);
    out.extend_from_slice(data);
}

/// Sends `data` from `calling` to `called`: one UDT when it fits [`MAX_SIF`], else XUDT segments
/// (Q.714 4.1.1.2) with `local_reference`. `emit` gets each SCCP message in turn (to wrap in its
/// own M3UA DATA). Fails only when the data needs more than 16 segments.
pub fn send(
    called: &Addr,
    calling: &Addr,
    data: &[u8],
    local_reference: [u8; 3],
    scratch: &mut Vec<u8>,
    mut emit: impl FnMut(&[u8]),
) -> Result<(), smsedge_codecs::Error> {
    if data.len() <= 255 && udt_len(called, calling, data.len()) <= MAX_SIF {
        scratch.clear();
        put_udt(scratch, called, calling, data);
        emit(scratch);
        return Ok(());
    }
    let decode = |a: &Addr| PartyAddress::decode(&mut Reader::new(a.as_bytes()), "sccp.address");
    let (Ok(cd), Ok(cg)) = (decode(called), decode(calling)) else {
        return Err(smsedge_codecs::Error::new(
            "sccp.address",
            0,
            smsedge_codecs::Reason::BadValue,
        ));
    };
    // XUDT: type, class, hop counter, 4 pointers, the two addresses, data length, and the
    // optional part: segmentation (2 + 4) and its end (1).
    let overhead = 7 + 1 + cd.encoded_len() + 1 + cg.encoded_len() + 1 + 7;
    // Q.713 2.3: the one-octet pointer to the optional part counts from itself over the
    // pointer, both addresses and the data, so it caps the segment as well as the SIF does.
    let by_pointer = 255usize.saturating_sub(1 + 1 + cd.encoded_len() + 1 + cg.encoded_len() + 1);
    let max_segment = MAX_SIF
        .saturating_sub(overhead)
        .min(by_pointer)
        .clamp(1, 255);
    let segments = xudt_segments(
        &cd,
        &cg,
        PROTOCOL_CLASS,
        HOP_COUNTER,
        data,
        local_reference,
        max_segment,
    )?;
    for m in segments {
        scratch.clear();
        m.encode_into(scratch)?;
        emit(scratch);
    }
    Ok(())
}

/// What an SCCP message from the network carries.
#[derive(Debug)]
pub enum Inbound<'a> {
    /// A whole TCAP message (UDT, or XUDT/LUDT without segmentation).
    Data {
        /// Called party address.
        called: &'a [u8],
        /// Calling party address.
        calling: &'a [u8],
        /// The TCAP message.
        data: &'a [u8],
    },
    /// One segment of a longer message: for the [`Reassembly`].
    Segment(Box<Message>),
    /// A UDTS/XUDTS/LUDTS returning one of the proxy's own messages with a cause.
    Service {
        /// Return cause (Q.713 3.12).
        cause: u8,
        /// The returned data: the proxy's TCAP message.
        data: &'a [u8],
    },
}

fn addr_at<'a>(
    buf: &'a [u8],
    at: usize,
    field: &'static str,
) -> Result<&'a [u8], smsedge_codecs::Error> {
    let mut r = Reader::new(buf);
    r.take(at, field)?;
    let len = usize::from(r.u8(field)?);
    r.take(len, field)
}

/// Looks at an SCCP message without copying it. Segmented messages are decoded whole (they are
/// rare) for [`Reassembly::push`].
pub fn parse(buf: &[u8]) -> Result<Inbound<'_>, smsedge_codecs::Error> {
    use smsedge_codecs::{Error, Reason};
    let mut r = Reader::new(buf);
    let code = r.u8("sccp.message_type")?;
    let t = MessageType::from_code(code).ok_or(Error::new(
        "sccp.message_type",
        0,
        Reason::Unsupported,
    ))?;
    if t.is_long() {
        // LUDT/LUDTS do not travel over M3UA links of the profile; the typed decoder takes them.
        let m = Message::decode(buf)?;
        return Ok(if m.segmentation().is_some() {
            Inbound::Segment(Box::new(m))
        } else {
            // Rare enough to decode twice rather than carry owned data through the fast path.
            let data = Message::data_of(buf)?;
            if t.is_service() {
                Inbound::Service {
                    cause: m.return_cause,
                    data,
                }
            } else {
                return Err(Error::new("sccp.message_type", 0, Reason::Unsupported));
            }
        });
    }
    let class_or_cause = r.u8("sccp.protocol_class")?;
    let extended = t.is_extended();
    if extended {
        r.u8("sccp.hop_counter")?;
    }
    let n = if extended { 4 } else { 3 };
    let mut targets = [0usize; 4];
    for (i, target) in targets.iter_mut().enumerate().take(n) {
        let at = r.offset();
        let v = usize::from(r.u8("sccp.pointer")?);
        *target = if v == 0 { 0 } else { at + v };
        if i < 3 && v == 0 {
            return Err(Error::new("sccp.pointer", at, Reason::BadValue));
        }
    }
    let called = addr_at(buf, targets[0], "sccp.called_party_address")?;
    let calling = addr_at(buf, targets[1], "sccp.calling_party_address")?;
    let data = addr_at(buf, targets[2], "sccp.data")?;
    if extended && targets[3] != 0 {
        // Walk the optional part for a segmentation parameter (Q.713 3.17).
        let mut o = Reader::new(buf);
        o.take(targets[3], "sccp.optional_part")?;
        loop {
            let name = o.u8("sccp.optional_part")?;
            if name == 0 {
                break;
            }
            let l = usize::from(o.u8("sccp.optional_part")?);
            o.take(l, "sccp.optional_part")?;
            if name == smsedge_codecs::sccp::message::param::SEGMENTATION && !t.is_service() {
                return Ok(Inbound::Segment(Box::new(Message::decode(buf)?)));
            }
        }
    }
    Ok(if t.is_service() {
        Inbound::Service {
            cause: class_or_cause,
            data,
        }
    } else {
        Inbound::Data {
            called,
            calling,
            data,
        }
    })
}

/// Bounded reassembly of XUDT segments from the network, keyed by the calling party and the
/// sender's point code (Q.714 4.1.2.2), with the tick the caller gives (seconds).
#[derive(Debug)]
pub struct Reassembly {
    inner: Reassembler<(u32, Vec<u8>)>,
}

/// A reassembled message: its calling party and data.
#[derive(Debug)]
pub struct Reassembled {
    /// Calling party address.
    pub calling: Addr,
    /// Called party address.
    pub called: Addr,
    /// The whole TCAP message.
    pub data: Vec<u8>,
}

impl Reassembly {
    /// At most `max_pending` incomplete messages.
    pub fn new(max_pending: usize) -> Self {
        Reassembly {
            inner: Reassembler::new(max_pending, 16 * 255),
        }
    }

    /// Adds a segment from point code `opc`; the whole message once complete.
    pub fn push(
        &mut self,
        opc: u32,
        m: &Message,
        tick: u64,
    ) -> Result<Option<Reassembled>, SegmentError> {
        let mut calling = Vec::new();
        m.calling.encode_into(&mut calling);
        let Some(data) = self.inner.push((opc, calling.clone()), m, tick)? else {
            return Ok(None);
        };
        let mut called = Vec::new();
        m.called.encode_into(&mut called);
        Ok(Some(Reassembled {
            calling: Addr::from_bytes(&calling).unwrap_or_default(),
            called: Addr::from_bytes(&called).unwrap_or_default(),
            data,
        }))
    }

    /// Drops incomplete messages whose first segment came before `tick`.
    pub fn expire(&mut self, tick: u64) -> usize {
        self.inner.expire(tick)
    }
}

/// True when `m` is the first XUDT segment: what remains can be told from it.
pub fn is_segmented(m: &Message) -> bool {
    m.optional.as_ref().is_some_and(|l| {
        l.iter()
            .any(|p| matches!(p, OptionalParam::Segmentation(_)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use smsedge_codecs::sccp::{GlobalTitle, PartyAddress};

    fn codec_gt(ssn: u8, digits: &str) -> Vec<u8> {
        let mut v = Vec::new();
        PartyAddress::gt(ssn, GlobalTitle::e164(digits).unwrap()).encode_into(&mut v);
        v
    }

    #[test]
    fn gt_addresses_are_what_the_codec_encodes() {
        for d in [
            "1",
            "12",
            "447700900123",
            "4477009001234",
            "123456789012345",
        ] {
            let a = Addr::gt(8, d.as_bytes()).unwrap();
            assert_eq!(a.as_bytes(), codec_gt(8, d), "{d}");
            assert_eq!(a.ssn(), Some(8));
            let mut back = Vec::new();
            assert!(a.gt_digits(&mut back));
            assert_eq!(back, d.as_bytes());
        }
        assert!(Addr::gt(6, b"").is_none());
        assert!(Addr::gt(6, b"12a").is_none());
    }

    #[test]
    fn emits_udt_as_the_codec() {
        let cd = Addr::gt(6, b"447700900123").unwrap();
        let cg = Addr::gt(8, b"447700900999").unwrap();
        let data: Vec<u8> = (0..100).collect();
        let mut out = Vec::new();
        put_udt(&mut out, &cd, &cg, &data);
        let mut m = Message::udt(
            PartyAddress::gt(6, GlobalTitle::e164("447700900123").unwrap()),
            PartyAddress::gt(8, GlobalTitle::e164("447700900999").unwrap()),
            data.clone(),
        );
        m.protocol_class = PROTOCOL_CLASS;
        assert_eq!(out, m.encode().unwrap());
        assert_eq!(udt_len(&cd, &cg, data.len()), out.len());
        match parse(&out).unwrap() {
            Inbound::Data {
                called,
                calling,
                data: d,
            } => {
                assert_eq!(
                    (called, calling, d),
                    (cd.as_bytes(), cg.as_bytes(), &data[..])
                );
            }
            x => panic!("{x:?}"),
        }
    }

    #[test]
    fn long_data_goes_as_xudt_segments_that_reassemble() {
        let cd = Addr::gt(8, b"447700900555").unwrap();
        let cg = Addr::gt(8, b"447700900999").unwrap();
        let data: Vec<u8> = (0..=255u8).cycle().take(600).collect();
        let mut scratch = Vec::new();
        let mut msgs = Vec::new();
        send(&cd, &cg, &data, [1, 2, 3], &mut scratch, |m| {
            msgs.push(m.to_vec())
        })
        .unwrap();
        assert!(msgs.len() >= 3);
        let mut r = Reassembly::new(8);
        let mut whole = None;
        for m in msgs.iter().rev() {
            assert!(m.len() <= MAX_SIF, "{}", m.len());
            let Inbound::Segment(seg) = parse(m).unwrap() else {
                panic!("not a segment")
            };
            assert_eq!(seg.message_type, MessageType::Xudt);
            assert_eq!(seg.protocol_class, PROTOCOL_CLASS);
            if let Some(done) = r.push(7, &seg, 0).unwrap() {
                whole = Some(done);
            }
        }
        let whole = whole.unwrap();
        assert_eq!(whole.data, data);
        assert_eq!(whole.calling, cg);
        assert_eq!(whole.called, cd);
    }

    #[test]
    fn short_data_is_one_udt() {
        let cd = Addr::gt(6, b"1").unwrap();
        let cg = Addr::gt(8, b"2").unwrap();
        let mut scratch = Vec::new();
        let mut n = 0;
        send(&cd, &cg, &[1, 2, 3], [0; 3], &mut scratch, |m| {
            n += 1;
            assert_eq!(m[0], 0x09);
        })
        .unwrap();
        assert_eq!(n, 1);
    }

    #[test]
    fn parses_a_service_message() {
        let cd = PartyAddress::gt(6, GlobalTitle::e164("447700900123").unwrap());
        let cg = PartyAddress::gt(8, GlobalTitle::e164("447700900999").unwrap());
        let m = Message::udt(cd, cg, vec![0x62, 0x00]);
        let s = m.service_for(0x01).encode().unwrap();
        match parse(&s).unwrap() {
            Inbound::Service { cause, data } => assert_eq!((cause, data), (1, &[0x62, 0x00][..])),
            x => panic!("{x:?}"),
        }
    }

    #[test]
    fn rejects_garbage_without_panicking() {
        for b in [
            &[][..],
            &[0x09],
            &[0x09, 0x81, 3, 0, 0],
            &[0x09, 0x81, 200, 1, 1],
            &[0x77, 0],
        ] {
            assert!(parse(b).is_err(), "{b:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn random_bytes_never_panic(v in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
            let _ = parse(&v);
        }
    }
}
