//! Building what the simulator sends: the subscriber data it derives from an MSISDN, SCCP
//! addresses, and M3UA DATA messages carrying SCCP UDT (or XUDT segments when the TCAP message
//! does not fit a UDT), written straight into a connection's output buffer.

use smsedge_codecs::m3ua::params::tag;
use smsedge_codecs::m3ua::SI_SCCP;
use smsedge_codecs::sccp::segment::xudt_segments;
use smsedge_codecs::sccp::{self, GlobalTitle, PartyAddress};

/// The SCCP protocol class octet of everything the simulator sends (SS7-PROFILE.md: class 1,
/// in-sequence, with "return message on error", Q.713 3.6).
pub const PROTOCOL_CLASS: u8 = 0x81;

/// Hop counter of the XUDTs the simulator sends (Q.714 2.3.1: 15 is the usual maximum).
pub const HOP_COUNTER: u8 = 15;

/// The largest SCCP message one MTP3 message can carry: a 272-octet SIF less the 4-octet
/// routing label (Q.704 2.3.8). A UDT that would be longer goes as XUDT segments.
pub const MAX_SCCP: usize = 268;

/// The last `n` digits of `digits`, left-padded with zeros when it has fewer.
pub fn last_digits(digits: &str, n: usize) -> String {
    if digits.len() >= n {
        digits[digits.len() - n..].to_string()
    } else {
        let mut s = "0".repeat(n - digits.len());
        s.push_str(digits);
        s
    }
}

/// The IMSI the HLR gives an MSISDN: `prefix` (MCC+MNC, default "00101") followed by the last
/// digits of the MSISDN, 15 digits in all (3GPP TS 23.003 2.2: at most 15 digits).
pub fn imsi_for(prefix: &str, msisdn: &str) -> String {
    let mut s = prefix.to_string();
    s.push_str(&last_digits(msisdn, 15usize.saturating_sub(prefix.len())));
    s
}

/// The serving MSC's GT the HLR gives a subscriber: `base` followed by the last 4 digits of the
/// MSISDN (or of the IMSI, which ends with the same digits).
pub fn msc_for(base: &str, digits: &str) -> String {
    let mut s = base.to_string();
    s.push_str(&last_digits(digits, 4));
    s
}

/// A GT-routed address (SS7-PROFILE.md: GTI 4, TT 0, NP E.164, NAI international, SSN, no PC).
pub fn gt_address(ssn: u8, digits: &str) -> PartyAddress {
    PartyAddress::gt(
        ssn,
        GlobalTitle::e164(digits).expect("digits are checked at start-up"),
    )
}

/// The digits of an address's global title, if BCD.
pub fn gt_digits(a: &PartyAddress) -> Option<String> {
    a.gt.as_ref().and_then(GlobalTitle::digits)
}

/// The routing label and M3UA parameters of what the simulator sends on an association.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Label {
    /// Network Appearance, when configured.
    pub network_appearance: Option<u32>,
    /// Routing Context, when configured.
    pub routing_context: Option<u32>,
    /// OPC: the simulator's point code.
    pub opc: u32,
    /// DPC: the proxy's point code.
    pub dpc: u32,
    /// Network Indicator.
    pub ni: u8,
}

/// Appends one M3UA DATA message (RFC 4666 3.3.1: Network Appearance, Routing Context, Protocol
/// Data, in that order) whose user data is what `user` appends.
pub fn put_data(out: &mut Vec<u8>, l: &Label, sls: u8, user: impl FnOnce(&mut Vec<u8>)) {
    let start = out.len();
    out.extend_from_slice(&[1, 0, 1, 1, 0, 0, 0, 0]);
    if let Some(na) = l.network_appearance {
        put_u32_param(out, tag::NETWORK_APPEARANCE, na);
    }
    if let Some(rc) = l.routing_context {
        put_u32_param(out, tag::ROUTING_CONTEXT, rc);
    }
    let pd = out.len();
    out.extend_from_slice(&tag::PROTOCOL_DATA.to_be_bytes());
    out.extend_from_slice(&[0, 0]);
    out.extend_from_slice(&l.opc.to_be_bytes());
    out.extend_from_slice(&l.dpc.to_be_bytes());
    out.extend_from_slice(&[SI_SCCP, l.ni, 0, sls]);
    user(out);
    let pd_len = (out.len() - pd) as u16;
    out[pd + 2..pd + 4].copy_from_slice(&pd_len.to_be_bytes());
    // RFC 4666 3.2: parameters are padded to a multiple of 4 octets; the padding is counted in
    // the Message Length but not in the Parameter Length.
    while (out.len() - start) % 4 != 0 {
        out.push(0);
    }
    let len = (out.len() - start) as u32;
    out[start + 4..start + 8].copy_from_slice(&len.to_be_bytes());
}

fn put_u32_param(out: &mut Vec<u8>, t: u16, v: u32) {
    out.extend_from_slice(&t.to_be_bytes());
    out.extend_from_slice(&8u16.to_be_bytes());
    out.extend_from_slice(&v.to_be_bytes());
}

/// Appends the DATA message(s) carrying `tcap` from `calling` to `called`: one UDT when it fits
/// ([`MAX_SCCP`]), else XUDT segments (Q.714 4.1.1.2) with segmentation local reference
/// `local_ref`. Returns how many DATA messages were appended (0 when `tcap` is too long even for
/// 16 segments).
pub fn put_sccp(
    out: &mut Vec<u8>,
    l: &Label,
    sls: u8,
    called: &PartyAddress,
    calling: &PartyAddress,
    tcap: Vec<u8>,
    local_ref: u32,
) -> usize {
    let udt_len = 5 + 1 + called.encoded_len() + 1 + calling.encoded_len() + 1 + tcap.len();
    if tcap.len() <= 255 && udt_len <= MAX_SCCP {
        let mut m = sccp::Message::udt(called.clone(), calling.clone(), tcap);
        m.protocol_class = PROTOCOL_CLASS;
        put_data(out, l, sls, |o| {
            m.encode_into(o).expect("a UDT within the SIF encodes");
        });
        return 1;
    }
    // XUDT: type, class, hop counter, four pointers; the two addresses and the data with their
    // length octets; the segmentation parameter (name, length, 4 octets) and end of optional
    // parameters.
    let overhead = 7 + 1 + called.encoded_len() + 1 + calling.encoded_len() + 1 + 6 + 1;
    let max_segment = MAX_SCCP.saturating_sub(overhead).min(255);
    let r = local_ref.to_be_bytes();
    let Ok(segs) = xudt_segments(
        called,
        calling,
        PROTOCOL_CLASS,
        HOP_COUNTER,
        &tcap,
        [r[1], r[2], r[3]],
        max_segment,
    ) else {
        return 0;
    };
    for s in &segs {
        put_data(out, l, sls, |o| {
            s.encode_into(o).expect("an XUDT segment encodes");
        });
    }
    segs.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use smsedge_codecs::m3ua::{DataView, Message};
    use smsedge_codecs::sccp::segment::Reassembler;

    #[test]
    fn derives_subscribers_from_the_msisdn() {
        assert_eq!(imsi_for("00101", "447700900123"), "001017700900123");
        assert_eq!(imsi_for("00101", "123"), "001010000000123");
        assert_eq!(imsi_for("310260", "15551234567"), "310260551234567");
        assert_eq!(msc_for("4477009", "447700900123"), "44770090123");
        assert_eq!(msc_for("4477009", "001017700900123"), "44770090123");
        assert_eq!(msc_for("99", "7"), "990007");
    }

    #[test]
    fn data_messages_decode_with_the_codec() {
        let l = Label {
            network_appearance: Some(8),
            routing_context: Some(100),
            opc: 2,
            dpc: 1,
            ni: 2,
        };
        let called = gt_address(8, "447700900999");
        let calling = gt_address(6, "447700900100");
        let mut out = Vec::new();
        assert_eq!(
            put_sccp(&mut out, &l, 5, &called, &calling, vec![1, 2, 3], 1),
            1
        );
        let m = Message::decode(&out).unwrap();
        assert_eq!(m.routing_context(), Some(&[100][..]));
        let v = DataView::parse(&out).unwrap();
        assert_eq!(
            (v.network_appearance, v.opc, v.dpc, v.si, v.ni, v.mp, v.sls),
            (Some(8), 2, 1, 3, 2, 0, 5)
        );
        let s = sccp::Message::decode(v.user_data).unwrap();
        assert_eq!(
            (s.message_type, s.protocol_class, &s.data[..]),
            (sccp::MessageType::Udt, 0x81, &[1u8, 2, 3][..])
        );
        assert_eq!((s.called, s.calling), (called.clone(), calling.clone()));

        // Too long for a UDT: XUDT segments that reassemble.
        let big: Vec<u8> = (0..600u32).map(|i| i as u8).collect();
        let mut out = Vec::new();
        let n = put_sccp(&mut out, &l, 5, &called, &calling, big.clone(), 0x0a0b0c);
        assert_eq!(n, 3);
        let (msgs, err) = Message::decode_all(&out);
        assert_eq!((msgs.len(), err), (3, None));
        let mut r = Reassembler::new(4, 4096);
        let mut got = None;
        for m in &msgs {
            let pd = m.protocol_data().unwrap();
            assert!(pd.user_data.len() <= MAX_SCCP);
            let s = sccp::Message::decode(&pd.user_data).unwrap();
            assert_eq!(
                s.segmentation().unwrap().local_reference,
                [0x0a, 0x0b, 0x0c]
            );
            got = r.push(0, &s, 0).unwrap();
        }
        assert_eq!(got, Some(big));
    }
}
