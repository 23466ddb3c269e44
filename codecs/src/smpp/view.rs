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
use crate::reader::Reader;
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
#[derive(Debug, Clone)]
pub struct SmView<'a> {
    frame: &'a [u8],
    command_id: CommandId,
    service_type: Range<usize>,
    source_addr_ton: usize,
    source_addr: Range<usize>,
    dest_addr_ton: usize,
    destination_addr: Range<usize>,
    esm_class: usize,
    registered_delivery: usize,
    data_coding: usize,
    /// submit_sm/deliver_sm only: offset of protocol_id.
    protocol_id: Option<usize>,
    short_message: Range<usize>,
    tlvs: Range<usize>,
}

fn span(r: &Reader<'_>, s: &[u8]) -> Range<usize> {
    // `s` ended just before the NUL the reader consumed.
    let end = r.offset() - 1;
    end - s.len()..end
}

impl<'a> SmView<'a> {
    /// Parses and checks a whole submit_sm, deliver_sm or data_sm frame.
    pub fn parse(frame: &'a [u8]) -> Result<Self> {
        let header = Header::new_checked(frame)?;
        let command_id = header.command_id();
        let is_data_sm = match command_id {
            CommandId::SubmitSm | CommandId::DeliverSm => false,
            CommandId::DataSm => true,
            _ => return Err(Error::new("command_id", 4, Reason::Unsupported)),
        };
        let addr_max = if is_data_sm { 65 } else { 21 };
        let mut r = Reader::with_base(&frame[HEADER_LEN..], HEADER_LEN);
        let st = r.c_octet_string(6, "service_type")?;
        let service_type = span(&r, st);
        let source_addr_ton = r.offset();
        r.take(2, "source_addr_ton")?;
        let sa = r.c_octet_string(addr_max, "source_addr")?;
        let source_addr = span(&r, sa);
        let dest_addr_ton = r.offset();
        r.take(2, "dest_addr_ton")?;
        let da = r.c_octet_string(addr_max, "destination_addr")?;
        let destination_addr = span(&r, da);
        let esm_class = r.offset();
        r.u8("esm_class")?;
        let (protocol_id, registered_delivery, data_coding, short_message);
        if is_data_sm {
            protocol_id = None;
            registered_delivery = r.offset();
            r.u8("registered_delivery")?;
            data_coding = r.offset();
            r.u8("data_coding")?;
            short_message = r.offset()..r.offset();
        } else {
            protocol_id = Some(r.offset());
            r.take(2, "protocol_id")?;
            r.c_octet_string(17, "schedule_delivery_time")?;
            r.c_octet_string(17, "validity_period")?;
            registered_delivery = r.offset();
            r.take(2, "registered_delivery")?;
            data_coding = r.offset();
            r.take(2, "data_coding")?;
            let at = r.offset();
            let n = usize::from(r.u8("sm_length")?);
            if r.remaining() < n {
                return Err(Error::new(FIELD_SHORT_MESSAGE, at, Reason::BadLength));
            }
            short_message = r.offset()..r.offset() + n;
            r.take(n, FIELD_SHORT_MESSAGE)?;
        }
        let tlvs = r.offset()..frame.len();
        check_tlvs(&mut r)?;
        Ok(SmView {
            frame,
            command_id,
            service_type,
            source_addr_ton,
            source_addr,
            dest_addr_ton,
            destination_addr,
            esm_class,
            registered_delivery,
            data_coding,
            protocol_id,
            short_message,
            tlvs,
        })
    }

    /// The whole frame.
    pub fn frame(&self) -> &'a [u8] {
        self.frame
    }
    /// command_id (submit_sm, deliver_sm or data_sm).
    pub fn command_id(&self) -> CommandId {
        self.command_id
    }
    /// sequence_number.
    pub fn sequence_number(&self) -> u32 {
        Header::new_unchecked(self.frame).sequence_number()
    }
    /// service_type.
    pub fn service_type(&self) -> &'a [u8] {
        &self.frame[self.service_type.clone()]
    }
    /// source_addr_ton.
    pub fn source_addr_ton(&self) -> u8 {
        self.frame[self.source_addr_ton]
    }
    /// source_addr_npi.
    pub fn source_addr_npi(&self) -> u8 {
        self.frame[self.source_addr_ton + 1]
    }
    /// source_addr.
    pub fn source_addr(&self) -> &'a [u8] {
        &self.frame[self.source_addr.clone()]
    }
    /// dest_addr_ton.
    pub fn dest_addr_ton(&self) -> u8 {
        self.frame[self.dest_addr_ton]
    }
    /// dest_addr_npi.
    pub fn dest_addr_npi(&self) -> u8 {
        self.frame[self.dest_addr_ton + 1]
    }
    /// destination_addr.
    pub fn destination_addr(&self) -> &'a [u8] {
        &self.frame[self.destination_addr.clone()]
    }
    /// esm_class.
    pub fn esm_class(&self) -> u8 {
        self.frame[self.esm_class]
    }
    /// protocol_id (None for data_sm).
    pub fn protocol_id(&self) -> Option<u8> {
        self.protocol_id.map(|i| self.frame[i])
    }
    /// priority_flag (None for data_sm).
    pub fn priority_flag(&self) -> Option<u8> {
        self.protocol_id.map(|i| self.frame[i + 1])
    }
    /// registered_delivery.
    pub fn registered_delivery(&self) -> u8 {
        self.frame[self.registered_delivery]
    }
    /// data_coding.
    pub fn data_coding(&self) -> u8 {
        self.frame[self.data_coding]
    }
    /// short_message (empty for data_sm).
    pub fn short_message(&self) -> &'a [u8] {
        &self.frame[self.short_message.clone()]
    }
    /// Offset range of short_message within the frame.
    pub fn short_message_range(&self) -> Range<usize> {
        self.short_message.clone()
    }
    /// Offset of the first TLV (the end of the mandatory parameters).
    pub fn tlvs_offset(&self) -> usize {
        self.tlvs.start
    }
    /// The TLVs, without allocating.
    pub fn tlvs(&self) -> TlvIter<'a> {
        TlvIter::new(&self.frame[self.tlvs.clone()])
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
