//! Zero-copy views of the PDUs the router reads on every message: submit_sm, deliver_sm and
//! data_sm (the fields that routing, policy and receipts need), and message-id responses.
//!
//! [`SmView::parse`] walks the whole PDU once, checking every length the typed decoder checks
//! (C-octet string limits, sm_length, the TLV stream and the lengths of standard TLVs), and keeps
//! only offsets: it never allocates, and a PDU it accepts is one the typed decoder accepts.

use super::body::FIELD_SHORT_MESSAGE;
use super::command::CommandId;
use super::header::{Header, HEADER_LEN};
use super::tlv::{self, TlvIter};
use crate::error::{Error, Reason, Result};
use crate::reader::{find_nul, Reader};
use std::ops::Range;

/// esm_class message type bits (v3.4 5.2.12, bits 5..2).
pub const ESM_CLASS_TYPE_MASK: u8 = 0x3C;
/// esm_class message type "SMSC Delivery Receipt".
pub const ESM_CLASS_DELIVERY_RECEIPT: u8 = 0x04;
/// esm_class message type "Intermediate Delivery Notification".
pub const ESM_CLASS_INTERMEDIATE_NOTIFICATION: u8 = 0x20;
/// esm_class GSM feature bit: UDH indicator (v3.4 5.2.12, bit 6).
pub const ESM_CLASS_UDHI: u8 = 0x40;

/// Routing view of submit_sm, deliver_sm or data_sm.
///
/// It keeps only the frame and the few offsets the variable-length fields leave behind; every
/// other field sits at a fixed distance from one of them (v3.4 4.4.1, 4.6.1, 4.7.1). Offsets are
/// u32: `parse` checked command_length, a u32, against the frame length.
#[derive(Debug, Clone)]
pub struct SmView<'a> {
    frame: &'a [u8],
    is_data_sm: bool,
    /// End of service_type (its NUL); source_addr_ton follows the NUL.
    service_type_end: u32,
    /// End of source_addr (its NUL); dest_addr_ton follows.
    source_addr_end: u32,
    /// End of destination_addr (its NUL); esm_class follows.
    destination_addr_end: u32,
    /// End of schedule_delivery_time (its NUL); validity_period follows. Unused in data_sm.
    schedule_end: u32,
    /// registered_delivery; data_coding is 2 further on in submit_sm/deliver_sm (after
    /// replace_if_present_flag), 1 in data_sm.
    registered_delivery: u32,
    /// short_message (empty, at the TLVs, for data_sm); the TLVs follow it.
    short_message: (u32, u32),
}

/// The offset of the NUL ending a C-octet string of at most `max` octets (NUL included) that
/// starts at `at`.
#[inline(always)]
fn cstr_end(frame: &[u8], at: usize, max: usize) -> Option<usize> {
    let rest = frame.get(at..)?;
    find_nul(rest.get(..max).unwrap_or(rest)).map(|n| at + n)
}

/// Offset of the NUL that ended the C-octet string the reader just consumed.
fn nul_at(r: &Reader<'_>) -> u32 {
    // The frame length is a u32 (command_length), so every offset in it fits.
    (r.offset() - 1) as u32
}

impl<'a> SmView<'a> {
    /// Parses and checks a whole submit_sm, deliver_sm or data_sm frame.
    #[inline]
    pub fn parse(frame: &'a [u8]) -> Result<Self> {
        // The router calls this on every message: a lean pass that only says yes or no, and
        // the careful pass, which names the field and offset, only for what it refuses.
        match Self::parse_fast(frame) {
            Some(v) => Ok(v),
            None => Self::parse_checked(frame),
        }
    }

    /// The same checks as [`SmView::parse_checked`] without building errors. Returning `None`
    /// for a frame `parse_checked` accepts would only cost time; the reverse would be a bug,
    /// which the fuzz tests look for (codecs/tests/smpp_fuzz.rs compares the two, and
    /// `Pdu::decode` with `Pdu::decode_checked`).
    #[inline]
    pub(crate) fn parse_fast(frame: &'a [u8]) -> Option<Self> {
        let be32 = |i: usize| -> Option<u32> {
            let b = frame.get(i..i + 4)?;
            Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
        };
        if be32(0)? as usize != frame.len() {
            return None;
        }
        let is_data_sm = match be32(4)? {
            0x0000_0004 | 0x0000_0005 => false,
            0x0000_0103 => true,
            _ => return None,
        };
        let addr_max = if is_data_sm { 65 } else { 21 };
        let cstr = |at, max| cstr_end(frame, at, max);
        let service_type_end = cstr(HEADER_LEN, 6)?;
        let source_addr_end = cstr(service_type_end + 3, addr_max)?;
        let destination_addr_end = cstr(source_addr_end + 3, addr_max)?;
        let esm_class = destination_addr_end + 1;
        let (schedule_end, registered_delivery, sm_start, sm_end);
        if is_data_sm {
            schedule_end = 0;
            registered_delivery = esm_class + 1;
            sm_start = registered_delivery + 2;
            sm_end = sm_start;
        } else {
            schedule_end = cstr(esm_class + 3, 17)?;
            let validity_end = cstr(schedule_end + 1, 17)?;
            registered_delivery = validity_end + 1;
            let n = usize::from(*frame.get(registered_delivery + 4)?);
            sm_start = registered_delivery + 5;
            sm_end = sm_start + n;
        }
        if sm_end > frame.len() {
            return None;
        }
        let mut at = sm_end;
        while at < frame.len() {
            let h = frame.get(at..at + 4)?;
            let tag = u16::from_be_bytes([h[0], h[1]]);
            let len = usize::from(u16::from_be_bytes([h[2], h[3]]));
            at += 4 + len;
            if at > frame.len() || !tlv::check_len(tag, len) {
                return None;
            }
        }
        // Every offset is below frame.len(), which equals command_length, a u32.
        Some(SmView {
            frame,
            is_data_sm,
            service_type_end: service_type_end as u32,
            source_addr_end: source_addr_end as u32,
            destination_addr_end: destination_addr_end as u32,
            schedule_end: schedule_end as u32,
            registered_delivery: registered_delivery as u32,
            short_message: (sm_start as u32, sm_end as u32),
        })
    }

    /// The careful parse that [`SmView::parse`] falls back to for whatever its lean pass
    /// refuses: it names the first field that breaks a rule, with its offset. It accepts
    /// exactly what `parse` accepts; tests hold the lean pass to that through this function.
    #[cold]
    #[inline(never)]
    pub fn parse_checked(frame: &'a [u8]) -> Result<Self> {
        let header = Header::new_checked(frame)?;
        let is_data_sm = match header.command_id() {
            CommandId::SubmitSm | CommandId::DeliverSm => false,
            CommandId::DataSm => true,
            _ => return Err(Error::new("command_id", 4, Reason::Unsupported)),
        };
        let addr_max = if is_data_sm { 65 } else { 21 };
        let mut r = Reader::with_base(&frame[HEADER_LEN..], HEADER_LEN);
        r.c_octet_string(6, "service_type")?;
        let service_type_end = nul_at(&r);
        r.take(2, "source_addr_ton")?;
        r.c_octet_string(addr_max, "source_addr")?;
        let source_addr_end = nul_at(&r);
        r.take(2, "dest_addr_ton")?;
        r.c_octet_string(addr_max, "destination_addr")?;
        let destination_addr_end = nul_at(&r);
        r.u8("esm_class")?;
        let (schedule_end, registered_delivery, short_message);
        if is_data_sm {
            schedule_end = 0;
            registered_delivery = r.offset() as u32;
            r.u8("registered_delivery")?;
            r.u8("data_coding")?;
            let at = r.offset() as u32;
            short_message = (at, at);
        } else {
            r.take(2, "protocol_id")?;
            r.c_octet_string(17, "schedule_delivery_time")?;
            schedule_end = nul_at(&r);
            r.c_octet_string(17, "validity_period")?;
            registered_delivery = r.offset() as u32;
            r.take(2, "registered_delivery")?;
            r.take(2, "data_coding")?;
            let at = r.offset();
            let n = usize::from(r.u8("sm_length")?);
            // v3.4 4.4.1: sm_length is the length of short_message; more than is left is
            // ESME_RINVMSGLEN, not a truncated PDU.
            if r.remaining() < n {
                return Err(Error::new(FIELD_SHORT_MESSAGE, at, Reason::BadLength));
            }
            let start = r.offset() as u32;
            r.take(n, FIELD_SHORT_MESSAGE)?;
            short_message = (start, r.offset() as u32);
        }
        check_tlvs(&mut r)?;
        Ok(SmView {
            frame,
            is_data_sm,
            service_type_end,
            source_addr_end,
            destination_addr_end,
            schedule_end,
            registered_delivery,
            short_message,
        })
    }

    /// Offsets of the variable fields, for the typed decoder's fast path:
    /// (service_type, source_addr, destination_addr, schedule_delivery_time,
    /// validity_period, short_message), each as start..end within the frame.
    #[inline]
    pub(crate) fn ranges(&self) -> [Range<usize>; 6] {
        let u = |x: u32| x as usize;
        [
            HEADER_LEN..u(self.service_type_end),
            u(self.service_type_end) + 3..u(self.source_addr_end),
            u(self.source_addr_end) + 3..u(self.destination_addr_end),
            u(self.destination_addr_end) + 4..u(self.schedule_end),
            u(self.schedule_end) + 1..u(self.registered_delivery) - 1,
            u(self.short_message.0)..u(self.short_message.1),
        ]
    }

    #[inline]
    fn at(&self, i: u32) -> u8 {
        self.frame[i as usize]
    }

    #[inline]
    fn span(&self, start: u32, end: u32) -> &'a [u8] {
        &self.frame[start as usize..end as usize]
    }

    /// The whole frame.
    pub fn frame(&self) -> &'a [u8] {
        self.frame
    }
    /// command_id (submit_sm, deliver_sm or data_sm).
    pub fn command_id(&self) -> CommandId {
        Header::new_unchecked(self.frame).command_id()
    }
    /// sequence_number.
    pub fn sequence_number(&self) -> u32 {
        Header::new_unchecked(self.frame).sequence_number()
    }
    /// service_type.
    pub fn service_type(&self) -> &'a [u8] {
        self.span(HEADER_LEN as u32, self.service_type_end)
    }
    /// source_addr_ton.
    pub fn source_addr_ton(&self) -> u8 {
        self.at(self.service_type_end + 1)
    }
    /// source_addr_npi.
    pub fn source_addr_npi(&self) -> u8 {
        self.at(self.service_type_end + 2)
    }
    /// source_addr.
    pub fn source_addr(&self) -> &'a [u8] {
        self.span(self.service_type_end + 3, self.source_addr_end)
    }
    /// dest_addr_ton.
    pub fn dest_addr_ton(&self) -> u8 {
        self.at(self.source_addr_end + 1)
    }
    /// dest_addr_npi.
    pub fn dest_addr_npi(&self) -> u8 {
        self.at(self.source_addr_end + 2)
    }
    /// destination_addr.
    pub fn destination_addr(&self) -> &'a [u8] {
        self.span(self.source_addr_end + 3, self.destination_addr_end)
    }
    /// esm_class.
    pub fn esm_class(&self) -> u8 {
        self.at(self.destination_addr_end + 1)
    }
    /// protocol_id (None for data_sm).
    pub fn protocol_id(&self) -> Option<u8> {
        (!self.is_data_sm).then(|| self.at(self.destination_addr_end + 2))
    }
    /// priority_flag (None for data_sm).
    pub fn priority_flag(&self) -> Option<u8> {
        (!self.is_data_sm).then(|| self.at(self.destination_addr_end + 3))
    }
    /// registered_delivery.
    pub fn registered_delivery(&self) -> u8 {
        self.at(self.registered_delivery)
    }
    /// data_coding.
    pub fn data_coding(&self) -> u8 {
        // submit_sm/deliver_sm: replace_if_present_flag sits in between.
        self.at(self.registered_delivery + if self.is_data_sm { 1 } else { 2 })
    }
    /// short_message (empty for data_sm).
    pub fn short_message(&self) -> &'a [u8] {
        self.span(self.short_message.0, self.short_message.1)
    }
    /// Offset range of short_message within the frame.
    pub fn short_message_range(&self) -> Range<usize> {
        self.short_message.0 as usize..self.short_message.1 as usize
    }
    /// Offset of the first TLV (the end of the mandatory parameters).
    pub fn tlvs_offset(&self) -> usize {
        self.short_message.1 as usize
    }
    /// The TLVs, without allocating.
    pub fn tlvs(&self) -> TlvIter<'a> {
        TlvIter::new(&self.frame[self.tlvs_offset()..])
    }
    /// The value of the first TLV with `tag`.
    pub fn tlv(&self, tag: u16) -> Option<&'a [u8]> {
        self.tlvs().find(|(t, _)| *t == tag).map(|(_, v)| v)
    }
    /// True when esm_class marks a delivery receipt or intermediate notification.
    pub fn is_receipt(&self) -> bool {
        matches!(
            self.esm_class() & ESM_CLASS_TYPE_MASK,
            ESM_CLASS_DELIVERY_RECEIPT | ESM_CLASS_INTERMEDIATE_NOTIFICATION
        )
    }
    /// The user data: short_message, or the message_payload TLV when short_message is empty
    /// (v3.4 5.3.2.32: the two are exclusive).
    pub fn payload(&self) -> &'a [u8] {
        let sm = self.short_message();
        if sm.is_empty() {
            self.tlv(tlv::tag::MESSAGE_PAYLOAD).unwrap_or(sm)
        } else {
            sm
        }
    }
}

/// Walks the TLV stream in `r` checking lengths (v3.4 5.3), without allocating.
pub(crate) fn check_tlvs(r: &mut Reader<'_>) -> Result<()> {
    while !r.is_empty() {
        let at = r.offset();
        if r.remaining() < 4 {
            return Err(Error::new(tlv::FIELD_TLV, at, Reason::Truncated));
        }
        let tag = r.u16(tlv::FIELD_TLV)?;
        let len = usize::from(r.u16(tlv::FIELD_TLV)?);
        if r.remaining() < len {
            return Err(Error::new(tlv::FIELD_TLV, at, Reason::BadLength));
        }
        if !tlv::check_len(tag, len) {
            return Err(Error::new(tlv::FIELD_TLV_LEN, at, Reason::BadLength));
        }
        r.take(len, tlv::FIELD_TLV)?;
    }
    Ok(())
}

/// Reads message_id of a submit_sm_resp / data_sm_resp / deliver_sm_resp / submit_multi_resp
/// frame: `Ok(None)` for an empty body (v3.4 4.4.2: no body when command_status is not 0).
pub fn resp_message_id(frame: &[u8]) -> Result<Option<&[u8]>> {
    let body = &frame[HEADER_LEN.min(frame.len())..];
    if body.is_empty() {
        return Ok(None);
    }
    Reader::with_base(body, HEADER_LEN)
        .c_octet_string(65, "message_id")
        .map(Some)
}

/// Appends a response carrying a message_id (submit_sm_resp, data_sm_resp, deliver_sm_resp):
/// `None` leaves the body out, as v3.4 4.4.2 allows for an error status.
pub fn put_message_id_resp(
    out: &mut Vec<u8>,
    command_id: u32,
    command_status: u32,
    sequence_number: u32,
    message_id: Option<&[u8]>,
) {
    let body = message_id.map_or(0, |m| m.len() + 1);
    out.extend_from_slice(&((HEADER_LEN + body) as u32).to_be_bytes());
    out.extend_from_slice(&command_id.to_be_bytes());
    out.extend_from_slice(&command_status.to_be_bytes());
    out.extend_from_slice(&sequence_number.to_be_bytes());
    if let Some(m) = message_id {
        out.extend_from_slice(m);
        out.push(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::smpp::Pdu;

    const SUBMIT: &str = "00000039000000040000000000004fe80001013430343034000101343439353133363139323000000000000001000000084024232125262f3a";

    #[test]
    fn parses_routing_fields_of_submit_sm() {
        let b = crate::hex::decode(SUBMIT).unwrap();
        let v = SmView::parse(&b).unwrap();
        assert_eq!(v.command_id(), CommandId::SubmitSm);
        assert_eq!(v.sequence_number(), 0x4fe8);
        assert_eq!(v.source_addr(), b"40404");
        assert_eq!(v.destination_addr(), b"44951361920");
        assert_eq!(
            (
                v.source_addr_ton(),
                v.source_addr_npi(),
                v.dest_addr_ton(),
                v.dest_addr_npi()
            ),
            (1, 1, 1, 1)
        );
        assert_eq!(v.esm_class(), 0);
        assert_eq!(v.registered_delivery(), 1);
        assert_eq!(v.data_coding(), 0);
        assert_eq!(
            v.short_message(),
            &crate::hex::decode("4024232125262f3a").unwrap()[..]
        );
        assert!(!v.is_receipt());
        assert_eq!(v.tlvs().count(), 0);
    }

    #[test]
    fn parses_data_sm_with_payload() {
        // cloudhopper decodeDataSM: message_payload "Test".
        let b = crate::hex::decode("000000300000010300000000000000000001013535353237313030303000000139363935000001000424000454657374").unwrap();
        let v = SmView::parse(&b).unwrap();
        assert_eq!(v.destination_addr(), b"9695");
        assert_eq!(v.registered_delivery(), 1);
        assert_eq!(v.payload(), b"Test");
    }

    #[test]
    fn agrees_with_typed_decoder_on_what_it_rejects() {
        // sm_length 0x10 but 8 octets left (cloudhopper ...InvalidShortMessageLength).
        let b = crate::hex::decode("00000039000000050000000000000001000101393939393139393134353933000000363436340000000000000000080010c1e1e9edf3faf1fc").unwrap();
        let e = SmView::parse(&b).unwrap_err();
        assert_eq!(e, Pdu::decode_slice(&b).unwrap_err());
        assert_eq!(e.field, FIELD_SHORT_MESSAGE);
    }

    #[test]
    fn reads_and_emits_message_id_resp() {
        let b =
            crate::hex::decode("0000001c80000004000000000a342ee1393432353834333135393400").unwrap();
        assert_eq!(resp_message_id(&b).unwrap(), Some(&b"94258431594"[..]));
        let mut out = Vec::new();
        put_message_id_resp(&mut out, 0x8000_0004, 0, 0x0a34_2ee1, Some(b"94258431594"));
        assert_eq!(out, b);
        assert_eq!(resp_message_id(&b[..16]).unwrap(), None);
    }
}
