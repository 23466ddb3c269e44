//! Between SMPP and the SMS TPDUs of TS 23.040: a submit_sm becomes one or more SMS-DELIVER
//! (MT), an SMS-SUBMIT from a mobile becomes a deliver_sm (MO), and the proxy writes its own
//! delivery receipts for the SS7 outcomes.
//!
//! SMPP `data_coding` to TP-DCS (SMPP v3.4 5.2.19, TS 23.038 4):
//!
//! | data_coding | short_message holds | TP-DCS |
//! | --- | --- | --- |
//! | 0 SMSC default | GSM 7-bit septets, one per octet (Latin-1 when an octet is above 0x7F) | 0x00, or 0x08 when the text needs UCS-2 |
//! | 1 IA5 / 3 Latin-1 | text | 0x00 when GSM 7-bit holds it, else 0x08 |
//! | 2, 4 octet unspecified | 8-bit data | 0x04 |
//! | 8 UCS-2 | UTF-16BE | 0x08 |
//! | 0xC0-0xFF (GSM groups) | per the group's alphabet | the same value |
//! | anything else | - | refused: ESME_RINVDCS |
//!
//! A short_message whose esm_class has UDHI is sent as one part, header and all. A message that
//! does not fit one SMS (message_payload, or a long short_message without a header) is split
//! with `text::concat` into parts with an 8-bit concatenation header; the parts travel in one
//! dialogue with moreMessagesToSend.

use smsedge_codecs::smpp::receipt::{MessageState, ReceiptDate};
use smsedge_codecs::smpp::{tag, CommandId, CommandStatus, SmView};
use smsedge_codecs::text::udh::{self, Ie, Udh};
use smsedge_codecs::text::{concat, gsm7, latin1, ucs2};
use smsedge_codecs::tpdu::{Address, Alphabet, Dcs, Deliver, Submit, Timestamp, UserData};
use std::time::{SystemTime, UNIX_EPOCH};

/// SMPP esm_class bits (v3.4 5.2.12).
pub mod esm {
    /// UDH indicator.
    pub const UDHI: u8 = 0x40;
    /// Reply path.
    pub const REPLY_PATH: u8 = 0x80;
    /// SMSC delivery receipt (message type bits 5-2 = 0001).
    pub const DELIVERY_RECEIPT: u8 = 0x04;
}

/// Most parts a message may be split into (the concatenation element counts to 255).
pub const MAX_PARTS: usize = 255;

/// The SMS-DELIVER TPDUs of one submit, back to back in one reusable buffer.
#[derive(Debug, Default, Clone)]
pub struct Parts {
    data: Vec<u8>,
    ends: Vec<u16>,
}

impl Parts {
    /// Forgets the parts, keeping the buffers.
    pub fn clear(&mut self) {
        self.data.clear();
        self.ends.clear();
    }

    /// Number of parts.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when there is none.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Part `i` (0-based).
    pub fn get(&self, i: usize) -> &[u8] {
        let start = if i == 0 {
            0
        } else {
            usize::from(self.ends[i - 1])
        };
        &self.data[start..usize::from(self.ends[i])]
    }

    fn push(&mut self, d: &Deliver) {
        d.encode_into(&mut self.data);
        self.ends.push(self.data.len() as u16);
    }
}

/// The current time as a TP-SCTS in UTC (time zone +00), and as a receipt date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    /// (year of century, month, day, hour, minute, second).
    pub fields: (u8, u8, u8, u8, u8, u8),
}

impl Clock {
    /// The civil UTC time of `t`.
    pub fn at(t: SystemTime) -> Clock {
        let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let d = ReceiptDate::from_unix(secs, true);
        Clock {
            fields: (
                d.year,
                d.month,
                d.day,
                d.hour,
                d.minute,
                d.second.unwrap_or(0),
            ),
        }
    }

    /// Now.
    pub fn now() -> Clock {
        Clock::at(SystemTime::now())
    }

    /// TP-SCTS (TS 23.040 9.2.3.11), time zone 0.
    pub fn scts(&self) -> Timestamp {
        let (y, mo, d, h, mi, s) = self.fields;
        Timestamp::new(y, mo, d, h, mi, s, 0)
    }

    /// `YYMMDDhhmm` (SMPP v3.4 Appendix B).
    pub fn put_receipt_date(&self, out: &mut Vec<u8>) {
        let (y, mo, d, h, mi, _) = self.fields;
        for v in [y, mo, d, h, mi] {
            out.push(b'0' + v / 10);
            out.push(b'0' + v % 10);
        }
    }
}

/// The TP-OA for an SMPP source address: alphanumeric for TON 5 (or anything not a number),
/// digits with the given TON/NPI otherwise; the proxy's own number when the source is empty.
fn originator(view: &SmView<'_>, smsc_digits: &str) -> Result<Address, CommandStatus> {
    let src = view.source_addr();
    let bad = |_| CommandStatus::ESME_RINVSRCADR;
    if src.is_empty() {
        return Address::international(smsc_digits).map_err(bad);
    }
    let digits = src.strip_prefix(b"+").unwrap_or(src);
    let numeric = !digits.is_empty() && digits.iter().all(u8::is_ascii_digit);
    if view.source_addr_ton() != 5 && numeric {
        let d = std::str::from_utf8(digits).map_err(|_| CommandStatus::ESME_RINVSRCADR)?;
        return Address::digits(view.source_addr_ton(), view.source_addr_npi(), d).map_err(bad);
    }
    // TS 23.040 9.1.2.5: an alphanumeric address holds at most 11 GSM characters.
    let text = latin1::decode(src);
    if text.chars().count() > 11 {
        return Err(CommandStatus::ESME_RINVSRCADR);
    }
    Address::alphanumeric(&text).map_err(bad)
}

/// What the user data of a submit is, once its data_coding is understood.
enum Payload {
    /// Unpacked GSM septets.
    Septets(Vec<u8>),
    /// UCS-2 octets.
    Ucs2(Vec<u8>),
    /// 8-bit data.
    Octets(Vec<u8>),
}

fn text_payload(text: &str) -> (Payload, Dcs) {
    match gsm7::encode(text) {
        Ok(s) => (Payload::Septets(s), Dcs(0x00)),
        Err(_) => (Payload::Ucs2(ucs2::encode(text)), Dcs(0x08)),
    }
}

fn payload(data_coding: u8, bytes: &[u8]) -> Result<(Payload, Dcs), CommandStatus> {
    Ok(match data_coding {
        0 if bytes.iter().all(|&b| b < 0x80) => (Payload::Septets(bytes.to_vec()), Dcs(0x00)),
        0 | 1 | 3 => text_payload(&latin1::decode(bytes)),
        2 | 4 => (Payload::Octets(bytes.to_vec()), Dcs(0x04)),
        8 => {
            if bytes.len() % 2 != 0 {
                return Err(CommandStatus::ESME_RINVMSGLEN);
            }
            (Payload::Ucs2(bytes.to_vec()), Dcs(0x08))
        }
        // SMPP v3.4 5.2.19: 0xC0-0xFF are the GSM message waiting and message class groups.
        0xc0..=0xff => {
            let dcs = Dcs(data_coding);
            let p = match dcs.alphabet() {
                Alphabet::Gsm7 if bytes.iter().all(|&b| b < 0x80) => {
                    Payload::Septets(bytes.to_vec())
                }
                Alphabet::Gsm7 => return Err(CommandStatus::ESME_RINVDCS),
                Alphabet::Ucs2 => Payload::Ucs2(bytes.to_vec()),
                Alphabet::Eight => Payload::Octets(bytes.to_vec()),
            };
            (p, dcs)
        }
        _ => return Err(CommandStatus::ESME_RINVDCS),
    })
}

fn user_data(p: &Payload, udh: Option<Udh>) -> Option<UserData> {
    match p {
        Payload::Septets(s) => UserData::gsm7_septets(s, udh).ok(),
        Payload::Ucs2(o) | Payload::Octets(o) => UserData::octets(o.clone(), udh).ok(),
    }
}

/// Builds the SMS-DELIVER TPDUs of the submit in `view` into `parts` (see the module
/// documentation). `reference` numbers the concatenation of a split message. Errors are the
/// SMPP status to answer.
pub fn build_deliver(
    view: &SmView<'_>,
    smsc_digits: &str,
    scts: Timestamp,
    reference: u8,
    parts: &mut Parts,
) -> Result<(), CommandStatus> {
    parts.clear();
    let oa = originator(view, smsc_digits)?;
    let esm_class = view.esm_class();
    let mut template = Deliver::new(oa, Dcs(0), scts, UserData::default());
    template.pid = view.protocol_id().unwrap_or(0);
    template.rp = esm_class & esm::REPLY_PATH != 0;
    let raw = view.payload();
    if esm_class & esm::UDHI != 0 {
        // One part, its header given by the ESME (SMPP v3.4 5.2.12).
        let (h, n) = Udh::decode(raw).map_err(|_| CommandStatus::ESME_RINVESMCLASS)?;
        let (p, dcs) = payload(view.data_coding(), &raw[n..])?;
        template.dcs = dcs;
        template.ud = user_data(&p, Some(h)).ok_or(CommandStatus::ESME_RINVMSGLEN)?;
        parts.push(&template);
        return Ok(());
    }
    let (p, dcs) = payload(view.data_coding(), raw)?;
    template.dcs = dcs;
    if let Some(ud) = user_data(&p, None) {
        template.ud = ud;
        parts.push(&template);
        return Ok(());
    }
    // Too long for one SMS: concatenated parts (TS 23.040 9.2.3.24.1).
    let text = |p: &Payload| match p {
        Payload::Septets(s) => gsm7::decode(s).map(|t| (t, concat::Coding::Gsm7)).ok(),
        Payload::Ucs2(o) => ucs2::decode(o).map(|t| (t, concat::Coding::Ucs2)).ok(),
        Payload::Octets(_) => None,
    };
    let split: Vec<(Option<Vec<u8>>, Vec<u8>)> = match &p {
        Payload::Septets(_) | Payload::Ucs2(_) => {
            let (text, coding) = text(&p).ok_or(CommandStatus::ESME_RINVMSGLEN)?;
            concat::split(&text, coding, concat::Method::Udh8, u16::from(reference))
                .map_err(|_| CommandStatus::ESME_RINVMSGLEN)?
                .into_iter()
                .map(|p| (p.udh, p.payload))
                .collect()
        }
        Payload::Octets(o) => {
            // 140 octets less the 6 of the header.
            let chunks: Vec<&[u8]> = o.chunks(134).collect();
            let total = chunks.len();
            if total > MAX_PARTS {
                return Err(CommandStatus::ESME_RINVMSGLEN);
            }
            chunks
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let h = Udh::new(vec![Ie::Concat8 {
                        reference,
                        total: total as u8,
                        seq: (i + 1) as u8,
                    }]);
                    (h.encode().ok(), c.to_vec())
                })
                .collect()
        }
    };
    if split.len() > MAX_PARTS {
        return Err(CommandStatus::ESME_RINVMSGLEN);
    }
    let n = split.len();
    for (i, (h, body)) in split.into_iter().enumerate() {
        let h = match h {
            Some(b) => Some(Udh::decode(&b).map_err(|_| CommandStatus::ESME_RSYSERR)?.0),
            None => None,
        };
        let piece = match &p {
            Payload::Septets(_) => Payload::Septets(body),
            Payload::Ucs2(_) => Payload::Ucs2(body),
            Payload::Octets(_) => Payload::Octets(body),
        };
        let mut d = template.clone();
        d.ud = user_data(&piece, h).ok_or(CommandStatus::ESME_RINVMSGLEN)?;
        // TP-MMS (9.2.3.2): false while more messages are waiting in the SC.
        d.mms = i + 1 == n;
        parts.push(&d);
    }
    Ok(())
}

/// Appends a C-Octet String.
fn cstr(out: &mut Vec<u8>, s: &[u8]) {
    out.extend_from_slice(s);
    out.push(0);
}

/// The fields of a deliver_sm the proxy originates.
#[derive(Debug, Clone, Copy)]
pub struct DeliverSm<'a> {
    /// source_addr TON, NPI and digits.
    pub source: (u8, u8, &'a [u8]),
    /// destination_addr TON, NPI and digits.
    pub destination: (u8, u8, &'a [u8]),
    /// esm_class.
    pub esm_class: u8,
    /// protocol_id.
    pub protocol_id: u8,
    /// data_coding.
    pub data_coding: u8,
    /// The user data: short_message when at most 254 octets, message_payload beyond.
    pub user_data: &'a [u8],
}

/// Appends a deliver_sm (SMPP v3.4 4.6.1) with sequence number 0 (set when it is written to an
/// ESME) and the TLVs in `tlvs`.
pub fn put_deliver_sm(out: &mut Vec<u8>, d: &DeliverSm<'_>, tlvs: &[(u16, &[u8])]) {
    let at = out.len();
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&CommandId::DeliverSm.to_u32().to_be_bytes());
    out.extend_from_slice(&[0; 8]);
    cstr(out, b""); // service_type
    out.push(d.source.0);
    out.push(d.source.1);
    cstr(out, &d.source.2[..d.source.2.len().min(20)]);
    out.push(d.destination.0);
    out.push(d.destination.1);
    cstr(out, &d.destination.2[..d.destination.2.len().min(20)]);
    out.push(d.esm_class);
    out.push(d.protocol_id);
    out.push(0); // priority_flag
    cstr(out, b""); // schedule_delivery_time
    cstr(out, b""); // validity_period
    out.push(0); // registered_delivery
    out.push(0); // replace_if_present_flag
    out.push(d.data_coding);
    out.push(0); // sm_default_msg_id
    let payload_tlv = d.user_data.len() > 254;
    if payload_tlv {
        // v3.4 5.3.2.32: message_payload instead of short_message, sm_length 0.
        out.push(0);
    } else {
        out.push(d.user_data.len() as u8);
        out.extend_from_slice(d.user_data);
    }
    for (t, v) in tlvs {
        out.extend_from_slice(&t.to_be_bytes());
        out.extend_from_slice(&(v.len() as u16).to_be_bytes());
        out.extend_from_slice(v);
    }
    if payload_tlv {
        out.extend_from_slice(&tag::MESSAGE_PAYLOAD.to_be_bytes());
        out.extend_from_slice(&(d.user_data.len() as u16).to_be_bytes());
        out.extend_from_slice(d.user_data);
    }
    let len = (out.len() - at) as u32;
    out[at..at + 4].copy_from_slice(&len.to_be_bytes());
}

/// A mobile's SMS-SUBMIT as an SMPP deliver_sm for the ESME that owns the destination.
/// `msisdn` is the mobile's number (international). `None` when the user data cannot be read.
pub fn mo_deliver_sm(msisdn: &str, s: &Submit, out: &mut Vec<u8>) -> Option<()> {
    let hlen = s.ud.udh.as_ref().map_or(0, Udh::encoded_len);
    let mut ud = Vec::with_capacity(hlen + 160);
    if let Some(h) = &s.ud.udh {
        h.encode_into(&mut ud).ok()?;
    }
    let (data_coding, esm_class) = match s.dcs.alphabet() {
        Alphabet::Gsm7 => {
            if s.dcs.compressed() {
                return None;
            }
            let count = usize::from(s.ud.udl).checked_sub(udh::udh_septets(hlen))?;
            let septets = gsm7::unpack(&s.ud.data, udh::fill_bits(hlen), count).ok()?;
            ud.extend_from_slice(&septets);
            (if s.dcs.0 == 0 { 0 } else { s.dcs.0 }, 0)
        }
        Alphabet::Ucs2 => {
            ud.extend_from_slice(&s.ud.data);
            (if s.dcs.0 == 0x08 { 8 } else { s.dcs.0 }, 0)
        }
        Alphabet::Eight => {
            ud.extend_from_slice(&s.ud.data);
            (if s.dcs.0 == 0x04 { 4 } else { s.dcs.0 }, 0)
        }
    };
    let esm_class = esm_class | if s.ud.udh.is_some() { esm::UDHI } else { 0 };
    let da_digits = s.da.number().or_else(|| s.da.text())?;
    let d = DeliverSm {
        source: (1, 1, msisdn.as_bytes()),
        destination: (s.da.ton(), s.da.npi(), da_digits.as_bytes()),
        esm_class,
        protocol_id: s.pid,
        data_coding,
        user_data: &ud,
    };
    put_deliver_sm(out, &d, &[]);
    Some(())
}

/// The delivery receipt the proxy writes for a message that went into SS7.
#[derive(Debug, Clone, Copy)]
pub struct Receipt<'a> {
    /// The proxy's message id.
    pub id: &'a [u8],
    /// The final state.
    pub state: MessageState,
    /// The MAP error code (0 for none).
    pub map_error: u16,
    /// When the submit arrived.
    pub submitted: Clock,
    /// When the outcome was known.
    pub done: Clock,
    /// The submit's destination (the receipt's source) and source (its destination):
    /// (TON, NPI, address).
    pub handset: (u8, u8, &'a [u8]),
    /// The ESME's address.
    pub esme: (u8, u8, &'a [u8]),
    /// The first characters of the message (at most 20 are used).
    pub text: &'a [u8],
}

/// SMPP v3.4 5.3.2.31 network_error_code: network type 3 = GSM, then the error code (here the
/// MAP error) in two octets.
pub const NETWORK_TYPE_GSM: u8 = 3;

/// Appends the receipt as a deliver_sm: esm_class 0x04, the Appendix B text `id:... sub:001
/// dlvrd:001|000 submit date:... done date:... stat:... err:NNN text:...`, and the TLVs
/// receipted_message_id, message_state and (on failure) network_error_code.
pub fn put_receipt(out: &mut Vec<u8>, r: &Receipt<'_>) {
    let mut text = Vec::with_capacity(160);
    text.extend_from_slice(b"id:");
    text.extend_from_slice(r.id);
    let delivered = r.state == MessageState::Delivered;
    text.extend_from_slice(if delivered {
        b" sub:001 dlvrd:001 submit date:"
    } else {
        b" sub:001 dlvrd:000 submit date:"
    });
    r.submitted.put_receipt_date(&mut text);
    text.extend_from_slice(b" done date:");
    r.done.put_receipt_date(&mut text);
    text.extend_from_slice(b" stat:");
    text.extend_from_slice(r.state.stat().as_bytes());
    text.extend_from_slice(b" err:");
    let e = r.map_error % 1000;
    text.extend_from_slice(&[
        b'0' + (e / 100) as u8,
        b'0' + (e / 10 % 10) as u8,
        b'0' + (e % 10) as u8,
    ]);
    text.extend_from_slice(b" text:");
    text.extend_from_slice(&r.text[..r.text.len().min(20)]);
    let mut rid = r.id.to_vec();
    rid.push(0);
    let state = [r.state.to_u8()];
    let nec = [
        NETWORK_TYPE_GSM,
        (r.map_error >> 8) as u8,
        (r.map_error & 0xff) as u8,
    ];
    let mut tlvs: Vec<(u16, &[u8])> = vec![
        (tag::RECEIPTED_MESSAGE_ID, &rid),
        (tag::MESSAGE_STATE, &state),
    ];
    if !delivered {
        tlvs.push((tag::NETWORK_ERROR_CODE, &nec));
    }
    let d = DeliverSm {
        source: r.handset,
        destination: r.esme,
        esm_class: esm::DELIVERY_RECEIPT,
        protocol_id: 0,
        data_coding: 0,
        user_data: &text,
    };
    put_deliver_sm(out, &d, &tlvs);
}

/// The first 20 characters of a submit's text for the receipt (printable ASCII of 7-bit or
/// Latin-1 text; empty for binary and UCS-2).
pub fn excerpt(view: &SmView<'_>) -> Vec<u8> {
    let mut raw = view.payload();
    if view.esm_class() & esm::UDHI != 0 {
        if let Ok((_, n)) = Udh::decode(raw) {
            raw = &raw[n.min(raw.len())..];
        }
    }
    match view.data_coding() {
        0 | 1 | 3 => raw
            .iter()
            .take(20)
            .map(|&b| if (0x20..0x7f).contains(&b) { b } else { b'.' })
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use smsedge_codecs::smpp::{Body, Pdu, SubmitSm, Tlv};
    use smsedge_codecs::tpdu::{Direction, Tpdu, ValidityPeriod};

    fn submit(
        dc: u8,
        esm_class: u8,
        ton: u8,
        src: &str,
        sm: &[u8],
        payload: Option<&[u8]>,
    ) -> Vec<u8> {
        let mut p = Pdu::new(
            1,
            Body::SubmitSm(SubmitSm {
                source_addr_ton: ton,
                source_addr_npi: if ton == 5 { 0 } else { 1 },
                source_addr: src.as_bytes().to_vec().into(),
                dest_addr_ton: 1,
                dest_addr_npi: 1,
                destination_addr: b"447700900123".to_vec().into(),
                esm_class,
                protocol_id: 0x00,
                data_coding: dc,
                short_message: sm.to_vec().into(),
                ..Default::default()
            }),
        );
        if let Some(m) = payload {
            p.tlvs.push(Tlv::new(tag::MESSAGE_PAYLOAD, m.to_vec()));
        }
        p.to_vec()
    }

    fn delivers(frame: &[u8]) -> Vec<Deliver> {
        let v = SmView::parse(frame).unwrap();
        let mut parts = Parts::default();
        build_deliver(&v, "447700900999", Clock::now().scts(), 7, &mut parts).unwrap();
        (0..parts.len())
            .map(
                |i| match Tpdu::decode(parts.get(i), Direction::ScToMs).unwrap() {
                    Tpdu::Deliver(d) => d,
                    t => panic!("{t:?}"),
                },
            )
            .collect()
    }

    #[test]
    fn gsm_text_is_one_deliver_with_the_originator() {
        let f = submit(0, 0, 5, "ACME", b"Hello", None);
        let d = delivers(&f);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].oa.text().as_deref(), Some("ACME"));
        assert_eq!(d[0].ud.text(d[0].dcs).as_deref(), Some("Hello"));
        assert!(d[0].mms);
        let f = submit(0, 0, 1, "+447700900111", b"x", None);
        assert_eq!(delivers(&f)[0].oa.number().as_deref(), Some("447700900111"));
        assert_eq!(delivers(&f)[0].oa.toa, 0x91);
    }

    #[test]
    fn latin1_without_gsm_form_goes_ucs2() {
        // '`' has no GSM 7-bit form.
        let f = submit(3, 0, 5, "A", b"a`b", None);
        let d = delivers(&f);
        assert_eq!(d[0].dcs, Dcs(0x08));
        assert_eq!(d[0].ud.text(d[0].dcs).as_deref(), Some("a`b"));
    }

    #[test]
    fn udh_short_message_is_one_part_with_its_header() {
        let mut sm = vec![5, 0, 3, 0x2a, 2, 1];
        sm.extend(ucs2::encode("Привет"));
        let f = submit(8, esm::UDHI, 5, "A", &sm, None);
        let d = delivers(&f);
        assert_eq!(d.len(), 1);
        assert_eq!(
            d[0].ud.udh.as_ref().unwrap().concat().unwrap().reference,
            0x2a
        );
        assert_eq!(d[0].ud.text(d[0].dcs).as_deref(), Some("Привет"));
    }

    #[test]
    fn long_payload_is_split_with_concatenation() {
        let text = "0123456789".repeat(40);
        let f = submit(0, 0, 5, "A", b"", Some(text.as_bytes()));
        let d = delivers(&f);
        assert_eq!(d.len(), 3);
        let mut whole = String::new();
        for (i, p) in d.iter().enumerate() {
            let c = p.ud.udh.as_ref().unwrap().concat().unwrap();
            assert_eq!((c.reference, c.total, c.seq), (7, 3, i as u8 + 1));
            assert_eq!(p.mms, i == 2);
            whole.push_str(&p.ud.text(p.dcs).unwrap());
        }
        assert_eq!(whole, text);
        let bin = vec![0xabu8; 300];
        let f = submit(4, 0, 5, "A", b"", Some(&bin));
        let d = delivers(&f);
        assert_eq!(d.len(), 3);
        assert!(d.iter().all(|p| p.dcs == Dcs(0x04)));
    }

    #[test]
    fn refuses_unknown_codings_and_bad_sources() {
        let v = |f: &[u8]| {
            let mut parts = Parts::default();
            build_deliver(
                &SmView::parse(f).unwrap(),
                "1",
                Clock::now().scts(),
                0,
                &mut parts,
            )
            .unwrap_err()
        };
        assert_eq!(
            v(&submit(5, 0, 5, "A", b"x", None)),
            CommandStatus::ESME_RINVDCS
        );
        assert_eq!(
            v(&submit(0, 0, 5, "ABCDEFGHIJKL", b"x", None)),
            CommandStatus::ESME_RINVSRCADR
        );
        assert_eq!(
            v(&submit(8, esm::UDHI, 5, "A", &[9, 0], None)),
            CommandStatus::ESME_RINVESMCLASS
        );
    }

    #[test]
    fn mo_submit_becomes_a_deliver_sm() {
        let ud = UserData::gsm7("Hi there", None).unwrap();
        let s = Submit::new(
            1,
            Address::digits(2, 1, "4040").unwrap(),
            Dcs(0),
            ValidityPeriod::None,
            ud,
        );
        let mut out = Vec::new();
        mo_deliver_sm("447700900123", &s, &mut out).unwrap();
        let p = Pdu::decode_slice(&out).unwrap();
        let Body::DeliverSm(d) = &p.body else {
            panic!()
        };
        assert_eq!(&d.source_addr[..], b"447700900123");
        assert_eq!((d.source_addr_ton, d.source_addr_npi), (1, 1));
        assert_eq!(&d.destination_addr[..], b"4040");
        assert_eq!(d.dest_addr_ton, 2);
        assert_eq!(d.data_coding, 0);
        assert_eq!(d.esm_class, 0);
        assert_eq!(gsm7::decode(&d.short_message).unwrap(), "Hi there");
    }

    #[test]
    fn receipt_has_text_and_tlvs() {
        let c = Clock::at(UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000));
        assert_eq!(c.fields, (23, 11, 14, 22, 13, 20));
        let mut out = Vec::new();
        put_receipt(
            &mut out,
            &Receipt {
                id: b"12345",
                state: MessageState::Undeliverable,
                map_error: 6,
                submitted: c,
                done: c,
                handset: (1, 1, b"447700900123"),
                esme: (5, 0, b"ACME"),
                text: b"Hello world, this is long",
            },
        );
        let p = Pdu::decode_slice(&out).unwrap();
        let Body::DeliverSm(d) = &p.body else {
            panic!()
        };
        assert_eq!(d.esm_class, 4);
        assert_eq!(
            std::str::from_utf8(&d.short_message).unwrap(),
            "id:12345 sub:001 dlvrd:000 submit date:2311142213 done date:2311142213 stat:UNDELIV err:006 text:Hello world, this is"
        );
        assert_eq!(
            &p.tlv(tag::RECEIPTED_MESSAGE_ID).unwrap().value[..],
            b"12345\0"
        );
        assert_eq!(&p.tlv(tag::MESSAGE_STATE).unwrap().value[..], &[5]);
        assert_eq!(
            &p.tlv(tag::NETWORK_ERROR_CODE).unwrap().value[..],
            &[3, 0, 6]
        );
        let v = SmView::parse(&out).unwrap();
        assert!(v.is_receipt());
    }

    #[test]
    fn clock_knows_leap_days() {
        let c = Clock::at(UNIX_EPOCH + std::time::Duration::from_secs(951_782_400)); // 2000-02-29
        assert_eq!(c.fields, (0, 2, 29, 0, 0, 0));
    }
}
