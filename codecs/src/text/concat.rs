//! Splitting a long text into concatenated short messages, and putting them back together.
//!
//! # Splitting
//!
//! [`split`]`(text, coding, method, reference)` returns one [`Part`] per short message:
//!
//! - `coding` is the character set of the payload: [`Coding::Gsm7`] (unpacked septets, one per
//!   octet, as SMPP `data_coding` 0 carries them), [`Coding::Latin1`] (`data_coding` 3) or
//!   [`Coding::Ucs2`] (UTF-16BE, `data_coding` 8).
//! - `method` says how the parts are tied together: a user data header with an 8-bit reference
//!   ([`Method::Udh8`], IEI 0x00, TS 23.040 9.2.3.24.1), with a 16-bit reference
//!   ([`Method::Udh16`], IEI 0x08, 9.2.3.24.8), or SMPP's `sar_*` TLVs ([`Method::Sar`], SMPP
//!   v3.4 5.3.2.22-24), where the part has no header and [`Part::sar`] gives the three TLV values.
//! - A text that fits one short message gives one part without header or SAR values.
//!
//! Each part fits the 140 octets of TP-UD: 160 septets / 140 octets / 70 UCS-2 units alone;
//! with a header its octets count, so the 6-octet header of `Udh8` leaves 153 septets (its 48
//! bits plus 1 fill bit take 7 septets), 134 octets or 67 UCS-2 units, and the 7-octet header of
//! `Udh16` leaves 152 / 133 / 66. SAR parts carry no header, but the SMSC that delivers them adds
//! one, so they are sized as `Udh16` (the SMPP reference is 16 bits wide). A GSM escape pair
//! (ESC + extension septet) and a UTF-16 surrogate pair are never split across parts.
//!
//! For SMPP the `short_message` is [`Part::short_message`] (header then payload; set UDHI in
//! `esm_class` when [`Part::udh`] is present). For an SMS TPDU with 7-bit text, pack the payload
//! with [`gsm7::pack`](super::gsm7::pack) after [`Part::fill_bits`] fill bits.
//!
//! # Reassembly
//!
//! [`Reassembler`] collects parts keyed by `(caller key, reference)` in any order and hands back
//! the concatenated payload when the last one arrives. It holds at most `max_pending`
//! incomplete messages; a part for a new message beyond that is refused with
//! [`ReassemblyError::Full`], and [`Reassembler::expire`] drops messages whose first part is
//! older than a caller-given tick (the reassembler has no clock of its own).

use super::{gsm7, latin1, ucs2, udh};
use crate::error::{Error, Reason, Result};
use std::collections::HashMap;
use std::hash::Hash;

/// Octets of TP-UD in one short message (TS 23.040 9.2.3.16: TP-UDL up to 140 octets).
pub const MAX_UD_OCTETS: usize = 140;
/// Septets of 7-bit text in one short message without a header (TS 23.038 6.1.2.1).
pub const MAX_SEPTETS: usize = 160;

/// Character set of the payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Coding {
    /// GSM 7-bit default alphabet, unpacked (SMPP `data_coding` 0).
    Gsm7,
    /// ISO-8859-1 (SMPP `data_coding` 3).
    Latin1,
    /// UCS-2 / UTF-16BE (SMPP `data_coding` 8).
    Ucs2,
}

impl Coding {
    /// The SMPP `data_coding` value for this coding.
    pub const fn smpp_data_coding(self) -> u8 {
        match self {
            Coding::Gsm7 => 0,
            Coding::Latin1 => 3,
            Coding::Ucs2 => 8,
        }
    }
}

/// How the parts of a long message are tied together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// UDH with IEI 0x00 (8-bit reference; only the low 8 bits of the reference are used, and a
    /// reference above 255 is an error).
    Udh8,
    /// UDH with IEI 0x08 (16-bit reference).
    Udh16,
    /// SMPP `sar_msg_ref_num` / `sar_total_segments` / `sar_segment_seqnum` TLVs, no UDH.
    Sar,
}

/// The values of SMPP's three SAR TLVs for one part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sar {
    /// `sar_msg_ref_num`.
    pub reference: u16,
    /// `sar_total_segments`.
    pub total: u8,
    /// `sar_segment_seqnum` (1-based).
    pub seq: u8,
}

/// One short message of a split text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Part {
    /// The user data header, UDHL included, when the method uses one and there are several parts.
    pub udh: Option<Vec<u8>>,
    /// The text of this part: unpacked septets, Latin-1 octets or UTF-16BE octets.
    pub payload: Vec<u8>,
    /// SAR TLV values, for [`Method::Sar`] when there are several parts.
    pub sar: Option<Sar>,
}

impl Part {
    /// Header then payload, as SMPP `short_message` carries them.
    pub fn short_message(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(self.udh.as_ref().map_or(0, Vec::len) + self.payload.len());
        if let Some(h) = &self.udh {
            v.extend_from_slice(h);
        }
        v.extend_from_slice(&self.payload);
        v
    }

    /// Fill bits that 7-bit text needs after this part's header when packed into a TPDU.
    pub fn fill_bits(&self) -> u8 {
        udh::fill_bits(self.udh.as_ref().map_or(0, Vec::len))
    }
}

/// Units a part can hold for `coding` after a header of `udh_len` octets: septets for GSM 7-bit,
/// octets for Latin-1, 16-bit units for UCS-2.
pub const fn capacity(coding: Coding, udh_len: usize) -> usize {
    match coding {
        Coding::Gsm7 => MAX_SEPTETS - udh::udh_septets(udh_len),
        Coding::Latin1 => MAX_UD_OCTETS - udh_len,
        Coding::Ucs2 => (MAX_UD_OCTETS - udh_len) / 2,
    }
}

/// Splits `text` into parts (see the module documentation). Errors: a character the coding
/// cannot represent (`BadValue` at its byte offset), more than 255 parts (`TooLong`), or a
/// reference above 255 with [`Method::Udh8`] (`BadValue`).
pub fn split(text: &str, coding: Coding, method: Method, reference: u16) -> Result<Vec<Part>> {
    // Encode per character, remembering where each character starts in the payload and how
    // many units it takes, so parts are cut between characters only.
    let mut payload = Vec::with_capacity(text.len() * 2);
    let mut cuts: Vec<(usize, usize)> = Vec::with_capacity(text.len()); // (payload offset, units)
    let mut total_units = 0;
    let mut buf = [0u8; 4];
    for (i, c) in text.char_indices() {
        let start = payload.len();
        let units = match coding {
            Coding::Gsm7 => {
                gsm7::encode_into(c.encode_utf8(&mut buf), &mut payload)
                    .map_err(|e| Error::new(e.field, i, e.reason))?;
                payload.len() - start
            }
            Coding::Latin1 => {
                latin1::encode_into(c.encode_utf8(&mut buf), &mut payload)
                    .map_err(|e| Error::new(e.field, i, e.reason))?;
                1
            }
            Coding::Ucs2 => {
                ucs2::encode_into(c.encode_utf8(&mut buf), &mut payload);
                c.len_utf16()
            }
        };
        cuts.push((start, units));
        total_units += units;
    }

    if total_units <= capacity(coding, 0) {
        return Ok(vec![Part {
            udh: None,
            payload,
            sar: None,
        }]);
    }
    if method == Method::Udh8 && reference > 0xff {
        return Err(Error::new("reference", 0, Reason::BadValue));
    }
    let udh_len = match method {
        Method::Udh8 => 6,
        Method::Udh16 | Method::Sar => 7,
    };
    let cap = capacity(coding, udh_len);

    // Greedy: start a new part when the next character does not fit.
    let mut bounds = Vec::new(); // payload ranges
    let (mut part_start, mut used) = (0, 0);
    for &(off, units) in &cuts {
        if used + units > cap {
            bounds.push(part_start..off);
            part_start = off;
            used = 0;
        }
        used += units;
    }
    bounds.push(part_start..payload.len());

    let total = u8::try_from(bounds.len()).map_err(|_| Error::new("text", 0, Reason::TooLong))?;
    let parts = bounds
        .into_iter()
        .enumerate()
        .map(|(i, range)| {
            let seq = (i + 1) as u8;
            let payload = payload[range].to_vec();
            let r = reference.to_be_bytes();
            match method {
                Method::Udh8 => Part {
                    udh: Some(vec![5, udh::IEI_CONCAT_8, 3, r[1], total, seq]),
                    payload,
                    sar: None,
                },
                Method::Udh16 => Part {
                    udh: Some(vec![6, udh::IEI_CONCAT_16, 4, r[0], r[1], total, seq]),
                    payload,
                    sar: None,
                },
                Method::Sar => Part {
                    udh: None,
                    payload,
                    sar: Some(Sar {
                        reference,
                        total,
                        seq,
                    }),
                },
            }
        })
        .collect();
    Ok(parts)
}

/// Why a part was not accepted by the [`Reassembler`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReassemblyError {
    /// `max_pending` messages are already incomplete; this part would start another.
    Full,
    /// The sequence number is 0 or above the total, or the total is 0 (TS 23.040 9.2.3.24.1:
    /// such an element is to be ignored).
    BadSeq,
    /// The total differs from the one given by earlier parts of the same reference.
    TotalMismatch,
    /// This sequence number has already been received; the earlier copy is kept.
    Duplicate,
}

#[derive(Debug)]
struct Pending {
    parts: Vec<Option<Vec<u8>>>,
    received: usize,
    first_tick: u64,
}

/// A bounded reassembler of concatenated messages (see the module documentation).
#[derive(Debug)]
pub struct Reassembler<K> {
    max_pending: usize,
    pending: HashMap<(K, u16), Pending>,
}

impl<K: Eq + Hash + Clone> Reassembler<K> {
    /// A reassembler that holds at most `max_pending` incomplete messages.
    pub fn new(max_pending: usize) -> Self {
        Reassembler {
            max_pending,
            pending: HashMap::new(),
        }
    }

    /// Number of incomplete messages held.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Adds part `seq` of `total` of message `(key, reference)`. Returns `Ok(Some(payload))`
    /// (the parts' payloads in sequence order) when this part completes the message,
    /// `Ok(None)` while parts are missing. `tick` is the caller's notion of now, used only by
    /// [`Reassembler::expire`].
    pub fn push(
        &mut self,
        key: K,
        reference: u16,
        total: u8,
        seq: u8,
        payload: &[u8],
        tick: u64,
    ) -> std::result::Result<Option<Vec<u8>>, ReassemblyError> {
        if total == 0 || seq == 0 || seq > total {
            return Err(ReassemblyError::BadSeq);
        }
        if total == 1 {
            return Ok(Some(payload.to_vec()));
        }
        let id = (key, reference);
        if !self.pending.contains_key(&id) && self.pending.len() >= self.max_pending {
            return Err(ReassemblyError::Full);
        }
        let p = self.pending.entry(id.clone()).or_insert_with(|| Pending {
            parts: vec![None; usize::from(total)],
            received: 0,
            first_tick: tick,
        });
        if p.parts.len() != usize::from(total) {
            return Err(ReassemblyError::TotalMismatch);
        }
        let slot = &mut p.parts[usize::from(seq - 1)];
        if slot.is_some() {
            return Err(ReassemblyError::Duplicate);
        }
        *slot = Some(payload.to_vec());
        p.received += 1;
        if p.received < p.parts.len() {
            return Ok(None);
        }
        let done = self
            .pending
            .remove(&id)
            .map(|p| p.parts)
            .unwrap_or_default();
        Ok(Some(done.into_iter().flatten().flatten().collect()))
    }

    /// Drops every incomplete message whose first part arrived before `tick`; returns how many.
    pub fn expire(&mut self, tick: u64) -> usize {
        let before = self.pending.len();
        self.pending.retain(|_, p| p.first_tick >= tick);
        before - self.pending.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn text_of(parts: &[Part], coding: Coding) -> String {
        let all: Vec<u8> = parts.iter().flat_map(|p| p.payload.clone()).collect();
        match coding {
            Coding::Gsm7 => gsm7::decode(&all).unwrap(),
            Coding::Latin1 => latin1::decode(&all),
            Coding::Ucs2 => ucs2::decode(&all).unwrap(),
        }
    }

    #[test]
    fn single_part_limits() {
        let t = "a".repeat(160);
        let p = split(&t, Coding::Gsm7, Method::Udh8, 1).unwrap();
        assert_eq!(p.len(), 1);
        assert_eq!((p[0].udh.as_ref(), p[0].sar), (None, None));
        assert_eq!(
            split(&"a".repeat(161), Coding::Gsm7, Method::Udh8, 1)
                .unwrap()
                .len(),
            2
        );
        assert_eq!(
            split(&"é".repeat(140), Coding::Latin1, Method::Udh8, 1)
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            split(&"Я".repeat(70), Coding::Ucs2, Method::Udh8, 1)
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            split(&"Я".repeat(71), Coding::Ucs2, Method::Udh8, 1)
                .unwrap()
                .len(),
            2
        );
        // 80 escapes = 160 septets fit; 81 do not.
        assert_eq!(
            split(&"€".repeat(80), Coding::Gsm7, Method::Udh8, 1)
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            split(&"€".repeat(81), Coding::Gsm7, Method::Udh8, 1)
                .unwrap()
                .len(),
            2
        );
    }

    #[test]
    fn emits_udh8_parts_of_153_septets() {
        let t = "x".repeat(306);
        let p = split(&t, Coding::Gsm7, Method::Udh8, 0x2a).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].udh.as_deref(), Some(&[5, 0, 3, 0x2a, 2, 1][..]));
        assert_eq!(p[1].udh.as_deref(), Some(&[5, 0, 3, 0x2a, 2, 2][..]));
        assert_eq!((p[0].payload.len(), p[1].payload.len()), (153, 153));
        assert_eq!(p[0].fill_bits(), 1);
        assert_eq!(
            split(&"x".repeat(307), Coding::Gsm7, Method::Udh8, 1)
                .unwrap()
                .len(),
            3
        );
        // The whole part fits in 140 octets of TP-UD once packed after the header.
        let packed = gsm7::pack(&p[0].payload, p[0].fill_bits(), gsm7::Padding::Zero);
        assert_eq!(6 + packed.len(), 140);
    }

    #[test]
    fn emits_udh16_and_other_codings_limits() {
        let p = split(&"x".repeat(305), Coding::Gsm7, Method::Udh16, 0x1234).unwrap();
        assert_eq!(p[0].payload.len(), 152);
        assert_eq!(p[0].udh.as_deref(), Some(&[6, 8, 4, 0x12, 0x34, 3, 1][..]));
        let p = split(&"é".repeat(141), Coding::Latin1, Method::Udh8, 1).unwrap();
        assert_eq!((p[0].payload.len(), p[1].payload.len()), (134, 7));
        let p = split(&"Я".repeat(71), Coding::Ucs2, Method::Udh8, 1).unwrap();
        assert_eq!((p[0].payload.len(), p[1].payload.len()), (134, 8));
        let p = split(&"Я".repeat(71), Coding::Ucs2, Method::Udh16, 1).unwrap();
        assert_eq!(p[0].payload.len(), 132);
    }

    #[test]
    fn emits_sar_without_udh() {
        let p = split(&"x".repeat(200), Coding::Gsm7, Method::Sar, 0x1234).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].udh, None);
        assert_eq!(
            p[1].sar,
            Some(Sar {
                reference: 0x1234,
                total: 2,
                seq: 2
            })
        );
        assert_eq!(p[0].payload.len(), 152);
        assert_eq!(p[0].short_message(), p[0].payload);
    }

    #[test]
    fn never_splits_escape_or_surrogate_pairs() {
        // 152 'a' then '€': 154 septets > 153, so '€' moves to the next part whole.
        let t = format!("{}€{}", "a".repeat(152), "b".repeat(20));
        let p = split(&t, Coding::Gsm7, Method::Udh8, 1).unwrap();
        assert_eq!(p[0].payload.len(), 152);
        assert_eq!(&p[1].payload[..2], &[0x1b, 0x65]);
        assert_eq!(text_of(&p, Coding::Gsm7), t);
        // 66 'Я' then an emoji (2 units): 68 > 67, so the emoji moves whole.
        let t = format!("{}😀{}", "Я".repeat(66), "Я".repeat(10));
        let p = split(&t, Coding::Ucs2, Method::Udh8, 1).unwrap();
        assert_eq!(p[0].payload.len(), 132);
        assert_eq!(text_of(&p, Coding::Ucs2), t);
    }

    #[test]
    fn rejects_unrepresentable_and_too_many_parts() {
        let e = split("ab日", Coding::Gsm7, Method::Udh8, 1).unwrap_err();
        assert_eq!((e.offset, e.reason), (2, Reason::BadValue));
        let e = split("ab日", Coding::Latin1, Method::Udh8, 1).unwrap_err();
        assert_eq!((e.offset, e.reason), (2, Reason::BadValue));
        let e = split(&"x".repeat(153 * 256), Coding::Gsm7, Method::Udh8, 1).unwrap_err();
        assert_eq!(e.reason, Reason::TooLong);
        let e = split(&"x".repeat(400), Coding::Gsm7, Method::Udh8, 256).unwrap_err();
        assert_eq!(e.reason, Reason::BadValue);
    }

    #[test]
    fn reassembles_out_of_order_and_bounds_pending() {
        let mut r = Reassembler::new(1);
        assert_eq!(r.push("esme", 7, 3, 3, b"c", 0), Ok(None));
        assert_eq!(r.push("esme", 7, 3, 1, b"a", 0), Ok(None));
        assert_eq!(
            r.push("esme", 7, 3, 1, b"x", 0),
            Err(ReassemblyError::Duplicate)
        );
        assert_eq!(
            r.push("esme", 7, 4, 2, b"b", 0),
            Err(ReassemblyError::TotalMismatch)
        );
        assert_eq!(
            r.push("other", 7, 2, 1, b"z", 0),
            Err(ReassemblyError::Full)
        );
        assert_eq!(r.push("esme", 7, 3, 2, b"b", 0), Ok(Some(b"abc".to_vec())));
        assert_eq!(r.pending(), 0);
        assert_eq!(
            r.push("esme", 7, 3, 0, b"b", 0),
            Err(ReassemblyError::BadSeq)
        );
        assert_eq!(
            r.push("esme", 7, 3, 4, b"b", 0),
            Err(ReassemblyError::BadSeq)
        );
        assert_eq!(r.push("esme", 7, 1, 1, b"b", 0), Ok(Some(b"b".to_vec())));
        assert_eq!(r.push("esme", 8, 2, 1, b"b", 5), Ok(None));
        assert_eq!(r.expire(5), 0);
        assert_eq!(r.expire(6), 1);
        assert_eq!(r.pending(), 0);
    }

    proptest! {
        #[test]
        fn split_then_reassemble_gives_the_text(
            s in "[a-z€\\[\\]{} ]{0,600}",
            m in prop_oneof![Just(Method::Udh8), Just(Method::Udh16), Just(Method::Sar)],
        ) {
            let parts = split(&s, Coding::Gsm7, m, 42).unwrap();
            let mut r = Reassembler::new(4);
            let n = parts.len();
            let mut out = None;
            // Feed in reverse order.
            for p in parts.iter().rev() {
                let cap = if n == 1 { 160 } else { 153 };
                prop_assert!(p.payload.len() <= cap);
                prop_assert_ne!(p.payload.last(), Some(&gsm7::ESCAPE));
                let (total, seq) = match (&p.udh, p.sar) {
                    (Some(h), _) => {
                        let c = udh::Udh::decode(h).unwrap().0.concat().unwrap();
                        (c.total, c.seq)
                    }
                    (None, Some(sar)) => (sar.total, sar.seq),
                    (None, None) => (1, 1),
                };
                out = r.push(0u8, 42, total, seq, &p.payload, 0).unwrap();
            }
            prop_assert_eq!(gsm7::decode(&out.unwrap()).unwrap(), s);
        }

        #[test]
        fn ucs2_parts_fit_and_round_trip(s in "\\PC{0,300}") {
            let parts = split(&s, Coding::Ucs2, Method::Udh8, 1).unwrap();
            for p in &parts {
                prop_assert!(p.short_message().len() <= 140);
                prop_assert!(ucs2::decode(&p.payload).is_ok());
            }
            prop_assert_eq!(text_of(&parts, Coding::Ucs2), s);
        }
    }
}
