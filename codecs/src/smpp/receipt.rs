//! Delivery receipts: the de-facto receipt text of SMPP v3.4 Appendix B and the receipt TLVs
//! (receipted_message_id, message_state, network_error_code).
//!
//! Appendix B gives `id:IIIIIIIIII sub:SSS dlvrd:DDD submit date:YYMMDDhhmm done
//! date:YYMMDDhhmm stat:DDDDDDD err:E text:...`; it is "an example only" and real SMSCs vary it:
//! keys in upper or lower case, `submit_date`, fields missing, 10- or 12-digit dates (with
//! seconds), ids of any length. The parser is tolerant of all of that and borrows from the input;
//! the rewriter swaps the id without touching anything else.

use super::body::FIELD_SHORT_MESSAGE;
use super::header::{Header, HEADER_LEN};
use super::tlv::{tag, FIELD_TLV};
use super::view::SmView;
use crate::error::{Error, Reason, Result};
use std::ops::Range;

/// message_state values (v3.4 5.2.28, v5.0 4.7.15) with their receipt `stat:` words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageState {
    /// 0, SCHEDULED (v5.0 4.7.15: delivery not yet initiated; intermediate).
    Scheduled,
    /// 1, ENROUTE.
    Enroute,
    /// 2, DELIVRD.
    Delivered,
    /// 3, EXPIRED.
    Expired,
    /// 4, DELETED.
    Deleted,
    /// 5, UNDELIV.
    Undeliverable,
    /// 6, ACCEPTD.
    Accepted,
    /// 7, UNKNOWN.
    Unknown,
    /// 8, REJECTD.
    Rejected,
    /// 9, SKIPPED (v5.0).
    Skipped,
}

impl MessageState {
    /// The message_state value.
    pub const fn to_u8(self) -> u8 {
        match self {
            MessageState::Scheduled => 0,
            MessageState::Enroute => 1,
            MessageState::Delivered => 2,
            MessageState::Expired => 3,
            MessageState::Deleted => 4,
            MessageState::Undeliverable => 5,
            MessageState::Accepted => 6,
            MessageState::Unknown => 7,
            MessageState::Rejected => 8,
            MessageState::Skipped => 9,
        }
    }

    /// The state for a message_state value.
    pub const fn from_u8(v: u8) -> Option<Self> {
        Some(match v {
            0 => MessageState::Scheduled,
            1 => MessageState::Enroute,
            2 => MessageState::Delivered,
            3 => MessageState::Expired,
            4 => MessageState::Deleted,
            5 => MessageState::Undeliverable,
            6 => MessageState::Accepted,
            7 => MessageState::Unknown,
            8 => MessageState::Rejected,
            9 => MessageState::Skipped,
            _ => return None,
        })
    }

    /// The 7-letter `stat:` word of Appendix B (SCHEDULED, which v3.4 does not have, is
    /// spelled in full).
    pub const fn stat(self) -> &'static str {
        match self {
            MessageState::Scheduled => "SCHEDULED",
            MessageState::Enroute => "ENROUTE",
            MessageState::Delivered => "DELIVRD",
            MessageState::Expired => "EXPIRED",
            MessageState::Deleted => "DELETED",
            MessageState::Undeliverable => "UNDELIV",
            MessageState::Accepted => "ACCEPTD",
            MessageState::Unknown => "UNKNOWN",
            MessageState::Rejected => "REJECTD",
            MessageState::Skipped => "SKIPPED",
        }
    }

    /// The state a `stat:` word names, in any case, also accepting the long spellings some
    /// SMSCs use (`DELIVERED`, `UNDELIVERABLE`, `ACCEPTED`, `REJECTED`).
    pub fn from_stat(word: &[u8]) -> Option<Self> {
        let mut buf = [0u8; 16];
        let w = buf.get_mut(..word.len())?;
        w.copy_from_slice(word);
        w.make_ascii_uppercase();
        Some(match &*w {
            b"SCHEDULED" | b"SCHEDUL" => MessageState::Scheduled,
            b"ENROUTE" => MessageState::Enroute,
            b"DELIVRD" | b"DELIVERED" => MessageState::Delivered,
            b"EXPIRED" => MessageState::Expired,
            b"DELETED" => MessageState::Deleted,
            b"UNDELIV" | b"UNDELIVERABLE" => MessageState::Undeliverable,
            b"ACCEPTD" | b"ACCEPTED" => MessageState::Accepted,
            b"UNKNOWN" => MessageState::Unknown,
            b"REJECTD" | b"REJECTED" => MessageState::Rejected,
            b"SKIPPED" => MessageState::Skipped,
            _ => return None,
        })
    }

    /// True for the final states: all but ENROUTE (v3.4 5.2.28) and SCHEDULED (v5.0 4.7.15),
    /// which announce that a final receipt is still to come. ACCEPTD is final.
    pub const fn is_final(self) -> bool {
        !matches!(self, MessageState::Enroute | MessageState::Scheduled)
    }
}

/// The fields of a receipt text, each borrowed from the text; a missing field is `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReceiptText<'a> {
    /// `id:` the message id.
    pub id: Option<&'a [u8]>,
    /// `sub:` number of short messages originally submitted.
    pub sub: Option<&'a [u8]>,
    /// `dlvrd:` number delivered.
    pub dlvrd: Option<&'a [u8]>,
    /// `submit date:`.
    pub submit_date: Option<&'a [u8]>,
    /// `done date:`.
    pub done_date: Option<&'a [u8]>,
    /// `stat:` the final state word.
    pub stat: Option<&'a [u8]>,
    /// `err:` the network-specific error code.
    pub err: Option<&'a [u8]>,
    /// `text:` the first characters of the message (everything to the end).
    pub text: Option<&'a [u8]>,
    id_span: Option<Range<usize>>,
}

#[derive(Clone, Copy)]
enum Key {
    Id,
    Sub,
    Dlvrd,
    SubmitDate,
    DoneDate,
    Stat,
    Err,
    Text,
}

// Spellings seen from real SMSCs; matched case-insensitively at a word start. Grouped by
// first letter so that a word is compared with at most five keys.
type Keys = &'static [(&'static [u8], Key)];
const KEYS_D: Keys = &[
    (b"dlvrd:", Key::Dlvrd),
    (b"done date:", Key::DoneDate),
    (b"done_date:", Key::DoneDate),
    (b"donedate:", Key::DoneDate),
];
const KEYS_S: Keys = &[
    (b"sub:", Key::Sub),
    (b"submit date:", Key::SubmitDate),
    (b"submit_date:", Key::SubmitDate),
    (b"submitdate:", Key::SubmitDate),
    (b"stat:", Key::Stat),
];

fn key_at(s: &[u8], i: usize) -> Option<(Key, usize)> {
    if i > 0 && s[i - 1] != b' ' {
        return None;
    }
    let rest = &s[i..];
    let keys: Keys = match rest.first()?.to_ascii_lowercase() {
        b'i' => &[(b"id:", Key::Id)],
        b'd' => KEYS_D,
        b's' => KEYS_S,
        b'e' => &[(b"err:", Key::Err)],
        b't' => &[(b"text:", Key::Text)],
        _ => return None,
    };
    keys.iter().find_map(|(k, key)| {
        let word = rest.get(..k.len())?;
        // Most SMSCs write the keys in lower case: try the plain comparison first.
        (word == *k || word.eq_ignore_ascii_case(k)).then_some((*key, i + k.len()))
    })
}

impl<'a> ReceiptText<'a> {
    /// Parses a receipt text; `None` when it has no `id:` field (then it is not a receipt the
    /// proxy can correlate).
    pub fn parse(s: &'a [u8]) -> Option<Self> {
        let mut r = ReceiptText::default();
        let mut i = 0;
        while i < s.len() {
            let Some((key, start)) = key_at(s, i) else {
                // Keys start words: go to the octet after the next space.
                i = s[i..]
                    .iter()
                    .position(|&b| b == b' ')
                    .map_or(s.len(), |n| i + n + 1);
                continue;
            };
            if let Key::Text = key {
                r.text = Some(&s[start..]);
                break;
            }
            // A value runs to the next space; dates never contain one.
            let end = s[start..]
                .iter()
                .position(|&b| b == b' ')
                .map_or(s.len(), |n| start + n);
            let v = &s[start..end];
            let slot = match key {
                Key::Id => {
                    if r.id.is_none() {
                        r.id_span = Some(start..end);
                    }
                    &mut r.id
                }
                Key::Sub => &mut r.sub,
                Key::Dlvrd => &mut r.dlvrd,
                Key::SubmitDate => &mut r.submit_date,
                Key::DoneDate => &mut r.done_date,
                Key::Stat => &mut r.stat,
                Key::Err => &mut r.err,
                Key::Text => unreachable!("handled above"),
            };
            slot.get_or_insert(v);
            i = end;
        }
        r.id.is_some().then_some(r)
    }

    /// The state `stat:` names.
    pub fn state(&self) -> Option<MessageState> {
        self.stat.and_then(MessageState::from_stat)
    }

    /// Offsets of the id value in the parsed text.
    pub fn id_span(&self) -> Option<Range<usize>> {
        self.id_span.clone()
    }

    /// Appends the receipt text in the Appendix B layout (fields that are `None` are left out).
    pub fn write(&self, out: &mut Vec<u8>) {
        let mut sep = false;
        let mut put = |out: &mut Vec<u8>, k: &[u8], v: Option<&[u8]>| {
            if let Some(v) = v {
                if sep {
                    out.push(b' ');
                }
                out.extend_from_slice(k);
                out.extend_from_slice(v);
                sep = true;
            }
        };
        put(out, b"id:", self.id);
        put(out, b"sub:", self.sub);
        put(out, b"dlvrd:", self.dlvrd);
        put(out, b"submit date:", self.submit_date);
        put(out, b"done date:", self.done_date);
        put(out, b"stat:", self.stat);
        put(out, b"err:", self.err);
        put(out, b"text:", self.text);
    }
}

/// Where the `id:` value of a receipt text is: what [`ReceiptText::parse`] would give as
/// `id_span()`, found without parsing the other fields (the id comes first in practice).
pub fn id_span(s: &[u8]) -> Option<Range<usize>> {
    let mut i = 0;
    while i < s.len() {
        match key_at(s, i) {
            Some((Key::Id, start)) => {
                let end = s[start..]
                    .iter()
                    .position(|&b| b == b' ')
                    .map_or(s.len(), |n| start + n);
                return Some(start..end);
            }
            // Everything after text: is the message's own text.
            Some((Key::Text, _)) => return None,
            // Other keys' values never hold a space: the next word is the next candidate.
            _ => {
                i = s[i..]
                    .iter()
                    .position(|&b| b == b' ')
                    .map_or(s.len(), |n| i + n + 1)
            }
        }
    }
    None
}

/// Writes `text` with its `id:` value replaced by `new_id`; false (and nothing written) when
/// the text has no id.
pub fn rewrite_text_id(text: &[u8], new_id: &[u8], out: &mut Vec<u8>) -> bool {
    match id_span(text) {
        Some(span) => {
            out.extend_from_slice(&text[..span.start]);
            out.extend_from_slice(new_id);
            out.extend_from_slice(&text[span.end..]);
            true
        }
        None => false,
    }
}

/// A receipt date `YYMMDDhhmm` or `YYMMDDhhmmss` (Appendix B; the seconds are a common variant).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReceiptDate {
    /// Two-digit year.
    pub year: u8,
    /// Month 1..=12.
    pub month: u8,
    /// Day 1..=31.
    pub day: u8,
    /// Hour 0..=23.
    pub hour: u8,
    /// Minute 0..=59.
    pub minute: u8,
    /// Second 0..=59, when the date has 12 digits.
    pub second: Option<u8>,
}

impl ReceiptDate {
    /// Parses a 10- or 12-digit date.
    pub fn parse(s: &[u8]) -> Option<Self> {
        if !(s.len() == 10 || s.len() == 12) || !s.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let two = |i: usize| (s[i] - b'0') * 10 + (s[i + 1] - b'0');
        let d = ReceiptDate {
            year: two(0),
            month: two(2),
            day: two(4),
            hour: two(6),
            minute: two(8),
            second: (s.len() == 12).then(|| two(10)),
        };
        let ok = (1..=12).contains(&d.month)
            && (1..=31).contains(&d.day)
            && d.hour < 24
            && d.minute < 60
            && d.second.is_none_or(|s| s < 60);
        ok.then_some(d)
    }

    /// The UTC civil date of a Unix time (seconds since 1970), with its seconds when
    /// `with_seconds`: what an SMSC writes as `submit date:` / `done date:`.
    pub fn from_unix(unix: u64, with_seconds: bool) -> Self {
        let rem = unix % 86_400;
        let (y, m, d) = civil_from_days((unix / 86_400) as i64);
        ReceiptDate {
            year: y.rem_euclid(100) as u8,
            month: m as u8,
            day: d as u8,
            hour: (rem / 3600) as u8,
            minute: (rem / 60 % 60) as u8,
            second: with_seconds.then_some((rem % 60) as u8),
        }
    }

    /// Appends the date in the 10-digit form, or 12 when it has seconds.
    pub fn write(&self, out: &mut Vec<u8>) {
        for v in [
            Some(self.year),
            Some(self.month),
            Some(self.day),
            Some(self.hour),
            Some(self.minute),
            self.second,
        ]
        .into_iter()
        .flatten()
        {
            out.push(b'0' + v / 10);
            out.push(b'0' + v % 10);
        }
    }
}

/// The upstream message id a receipt refers to: the receipted_message_id TLV when present
/// (v3.4 5.3.2.12), else the `id:` of the text in short_message or message_payload.
pub fn receipt_message_id<'a>(v: &SmView<'a>) -> Option<&'a [u8]> {
    if let Some(t) = v.tlv(tag::RECEIPTED_MESSAGE_ID) {
        let id = t.split(|&b| b == 0).next().unwrap_or(t);
        if !id.is_empty() {
            return Some(id);
        }
    }
    id_span(v.payload()).map(|r| &v.payload()[r])
}

/// Rebuilds a receipt deliver_sm (or data_sm) with `new_id` in place of the upstream id: in the
/// text (short_message, or message_payload) and in receipted_message_id, with a new
/// sequence_number; every other octet is copied as it came. Appends to `out`.
pub fn rewrite_receipt(
    v: &SmView<'_>,
    new_id: &[u8],
    sequence_number: u32,
    out: &mut Vec<u8>,
) -> Result<()> {
    let frame = v.frame();
    let start = out.len();
    out.extend_from_slice(&frame[..HEADER_LEN]);
    let sm = v.short_message_range();
    if v.protocol_id().is_some() {
        // Everything up to sm_length, then the rewritten short_message.
        out.extend_from_slice(&frame[HEADER_LEN..sm.start - 1]);
        let len_at = out.len();
        out.push(0);
        let text_at = out.len();
        if !rewrite_text_id(&frame[sm.clone()], new_id, out) {
            out.extend_from_slice(&frame[sm.clone()]);
        }
        let n = out.len() - text_at;
        // sm_length is one octet (v3.4 4.6.1); a longer id must not break the PDU.
        if n > 255 {
            out.truncate(start);
            return Err(Error::new(FIELD_SHORT_MESSAGE, sm.start, Reason::TooLong));
        }
        out[len_at] = n as u8;
    } else {
        out.extend_from_slice(&frame[HEADER_LEN..v.tlvs_offset()]);
    }
    let mut at = v.tlvs_offset();
    for (t, value) in v.tlvs() {
        out.extend_from_slice(&t.to_be_bytes());
        let len_at = out.len();
        out.extend_from_slice(&[0, 0]);
        let value_at = out.len();
        match t {
            tag::RECEIPTED_MESSAGE_ID => {
                out.extend_from_slice(new_id);
                // Keep the sender's convention: NUL-terminated per spec, or not.
                if value.last() == Some(&0) {
                    out.push(0);
                }
            }
            tag::MESSAGE_PAYLOAD => {
                if !rewrite_text_id(value, new_id, out) {
                    out.extend_from_slice(value);
                }
            }
            _ => out.extend_from_slice(value),
        }
        let n = out.len() - value_at;
        // A TLV length is two octets (v3.4 5.3): a longer id must not wrap it.
        let Ok(n) = u16::try_from(n) else {
            out.truncate(start);
            return Err(Error::new(FIELD_TLV, at, Reason::TooLong));
        };
        out[len_at..len_at + 2].copy_from_slice(&n.to_be_bytes());
        at += 4 + value.len();
    }
    let total = (out.len() - start) as u32;
    let mut h = Header::new_unchecked(&mut out[start..]);
    h.set_command_length(total);
    h.set_sequence_number(sequence_number);
    Ok(())
}

/// (year, month, day) of a day count since 1970-01-01 in the proleptic Gregorian calendar
/// (Howard Hinnant's civil_from_days).
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_from_unix_time() {
        // 2026-11-28 11:49:39 UTC; 2000-02-29 (a leap day of a century year); the epoch.
        let mut out = Vec::new();
        ReceiptDate::from_unix(1_795_866_579, true).write(&mut out);
        assert_eq!(out, b"261128114939");
        out.clear();
        ReceiptDate::from_unix(951_782_400, false).write(&mut out);
        assert_eq!(out, b"0002290000");
        assert_eq!(ReceiptDate::from_unix(0, false).year, 70);
    }
    use crate::smpp::Pdu;

    #[test]
    fn rejects_rewrite_that_would_overflow_a_tlv_length() {
        // A receipt in a message_payload of 65533 octets whose id grows by 3: the TLV length
        // cannot hold it (a framer configured above 64 KiB lets such a PDU in).
        let mut pdu = Pdu::decode_slice(&crate::hex::decode(
            "000000300000010300000000000000000001013535353237313030303000000139363935000001000424000454657374",
        ).unwrap()).unwrap();
        let mut text = b"id:1 stat:DELIVRD text:".to_vec();
        text.resize(65533, b'x');
        pdu.tlvs[0] = crate::smpp::Tlv::new(tag::MESSAGE_PAYLOAD, text);
        let frame = pdu.to_vec();
        let v = SmView::parse(&frame).unwrap();
        let mut out = b"keep".to_vec();
        let e = rewrite_receipt(&v, b"abcd", 1, &mut out).unwrap_err();
        assert_eq!(
            (e.field, e.offset, e.reason),
            (FIELD_TLV, v.tlvs_offset(), Reason::TooLong)
        );
        assert_eq!(out, b"keep");
        // The same id length fits.
        rewrite_receipt(&v, b"2", 1, &mut out).unwrap();
        assert_eq!(
            Pdu::decode_slice(&out[4..]).unwrap().tlvs[0].value.len(),
            65533
        );
    }

    #[test]
    fn finds_the_id_as_the_full_parse_does() {
        for t in [
            &b"id:abc sub:001 text:id:zzz"[..],
            b"sub:001 ID:x1 stat:DELIVRD",
            b"submit date:2401011200 done date:2401011201 id:late",
            b"text:id:inside the text",
            b"paid:5 id:ok",
            b"  id:after-spaces",
            b"id:",
            b"no id here",
            b"",
        ] {
            let full = ReceiptText::parse(t).and_then(|r| r.id_span());
            assert_eq!(id_span(t), full, "{}", String::from_utf8_lossy(t));
        }
    }

    #[test]
    fn message_states_of_v50_round_trip() {
        // v5.0 4.7.15: 0 SCHEDULED .. 9 SKIPPED; SCHEDULED and ENROUTE are intermediate, so a
        // receipt carrying them must not end the message's life in the proxy.
        for v in 0..=9u8 {
            let s = MessageState::from_u8(v).unwrap();
            assert_eq!(s.to_u8(), v);
            assert_eq!(MessageState::from_stat(s.stat().as_bytes()), Some(s));
        }
        assert_eq!(MessageState::from_u8(10), None);
        assert!(!MessageState::Scheduled.is_final() && !MessageState::Enroute.is_final());
        assert!(MessageState::Accepted.is_final() && MessageState::Skipped.is_final());
    }

    #[test]
    fn parses_appendix_b_receipt() {
        let t = b"id:0059113978 sub:001 dlvrd:001 submit date:1002101730 done date:1002101731 stat:DELIVRD err:000 text:Hello world";
        let r = ReceiptText::parse(t).unwrap();
        assert_eq!(r.id, Some(&b"0059113978"[..]));
        assert_eq!(r.sub, Some(&b"001"[..]));
        assert_eq!(r.dlvrd, Some(&b"001"[..]));
        assert_eq!(r.submit_date, Some(&b"1002101730"[..]));
        assert_eq!(r.done_date, Some(&b"1002101731"[..]));
        assert_eq!(r.state(), Some(MessageState::Delivered));
        assert_eq!(r.err, Some(&b"000"[..]));
        assert_eq!(r.text, Some(&b"Hello world"[..]));
        let mut out = Vec::new();
        r.write(&mut out);
        assert_eq!(&out[..], &t[..]);
    }

    #[test]
    fn tolerates_real_smsc_variants() {
        // Upper-case keys, 12-digit dates, missing sub/dlvrd/text, submit_date spelling.
        let t = b"ID:ABC123 SUBMIT_DATE:240101120000 DONE DATE:240101120105 STAT:undeliv ERR:001";
        let r = ReceiptText::parse(t).unwrap();
        assert_eq!(r.id, Some(&b"ABC123"[..]));
        assert_eq!(r.sub, None);
        assert_eq!(r.text, None);
        assert_eq!(r.state(), Some(MessageState::Undeliverable));
        let d = ReceiptDate::parse(r.done_date.unwrap()).unwrap();
        assert_eq!(
            (d.year, d.month, d.day, d.hour, d.minute, d.second),
            (24, 1, 1, 12, 1, Some(5))
        );
        let mut out = Vec::new();
        d.write(&mut out);
        assert_eq!(out, b"240101120105");
        assert!(ReceiptDate::parse(b"2401011261").is_none());
        assert!(ReceiptText::parse(b"hello, no receipt here").is_none());
        // "id:" inside a word is not a key.
        assert!(ReceiptText::parse(b"paid:5").is_none());
    }

    #[test]
    fn rewrites_id_in_text_and_tlv() {
        // cloudhopper decodeDeliverSmAsDeliveryReceipt-like receipt with receipted_message_id.
        let mut pdu = Pdu::decode_slice(&crate::hex::decode(
            "000000400000000500000000000000030002013837363534333231000409343034303400000000000000000000084024232125262f3a000e0001010006000101",
        ).unwrap()).unwrap();
        let text = b"id:n17 sub:001 dlvrd:001 submit date:2401011200 done date:2401011201 stat:DELIVRD err:000 text:";
        if let crate::smpp::Body::DeliverSm(d) = &mut pdu.body {
            d.esm_class = 0x04;
            d.short_message = bytes::Bytes::from_static(text);
        }
        pdu.tlvs.push(crate::smpp::Tlv::c_string(
            tag::RECEIPTED_MESSAGE_ID,
            b"n17",
        ));
        pdu.tlvs.push(crate::smpp::Tlv::u8(tag::MESSAGE_STATE, 2));
        let frame = pdu.to_vec();
        let v = SmView::parse(&frame).unwrap();
        assert!(v.is_receipt());
        assert_eq!(receipt_message_id(&v), Some(&b"n17"[..]));
        let mut out = Vec::new();
        rewrite_receipt(&v, b"0123456789abcdef", 99, &mut out).unwrap();
        let back = Pdu::decode_slice(&out).unwrap();
        assert_eq!(back.sequence_number, 99);
        assert_eq!(
            back.tlv(tag::RECEIPTED_MESSAGE_ID).unwrap().as_c_string(),
            b"0123456789abcdef"
        );
        assert_eq!(back.tlv(tag::MESSAGE_STATE).unwrap().as_u8(), Some(2));
        let v2 = SmView::parse(&out).unwrap();
        let r = ReceiptText::parse(v2.short_message()).unwrap();
        assert_eq!(r.id, Some(&b"0123456789abcdef"[..]));
        assert_eq!(r.state(), Some(MessageState::Delivered));
        assert_eq!(v2.short_message().len(), text.len() - 3 + 16);
    }
}
