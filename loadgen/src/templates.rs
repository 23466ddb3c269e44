//! Pre-encoded submit_sm templates and the destinations they are sent to.
//!
//! Every message class of `--mix` is encoded once at start-up with the typed codec (text through
//! `smsedge_codecs::text`); sending a message then costs two copies and four patches: the header
//! and fields before `destination_addr`, the destination digits, the fields after it, and
//! command_length, sequence_number, the concatenation reference (UDH or `sar_msg_ref_num`).

use crate::parse::Weighted;
use smsedge_codecs::smpp::{tag, Body, Pdu, SubmitSm, Tlv, HEADER_LEN};
use smsedge_codecs::text::concat::{self, Coding, Method};
use std::io;

/// The message classes `--mix` accepts, with what they send.
pub const CLASSES: &[(&str, &str)] = &[
    ("gsm7", "one GSM 7-bit part (data_coding 0)"),
    ("ucs2", "one UCS-2 part (data_coding 8)"),
    ("latin1", "one Latin-1 part (data_coding 3)"),
    (
        "long",
        "GSM 7-bit text of 3 parts with an 8-bit concatenation UDH",
    ),
    (
        "long-udh16",
        "GSM 7-bit text of 3 parts with a 16-bit concatenation UDH",
    ),
    ("long-sar", "GSM 7-bit text of 3 parts tied by sar_* TLVs"),
    (
        "long-ucs2",
        "UCS-2 text of 2 parts with an 8-bit concatenation UDH",
    ),
];

const GSM7_TEXT: &str = "smsedge load test: GSM 7-bit text with @ and {braces} and 100 EUR";
const UCS2_TEXT: &str = "smsedge тест нагрузки 负载测试 ✓";
const LATIN1_TEXT: &str = "smsedge Lasttest: grüße à bientôt, ¿qué?";
const LONG_GSM7: &str = "smsedge long message test. This text is longer than one short message \
    so it is split into parts that a handset puts back together; every part is a submit_sm of \
    its own with its own sequence number, response and receipt. The quick brown fox jumps over \
    the lazy dog, 0123456789, again and again until the text needs three parts: the quick brown \
    fox jumps over the lazy dog.";
const LONG_UCS2: &str =
    "smsedge длинное сообщение: этот текст длиннее одного SMS в UCS-2, поэтому \
    он делится на две части с заголовком UDH.";

/// Where the concatenation reference sits in a part's tail, and how wide it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RefAt {
    None,
    U8(usize),
    U16(usize),
}

/// One pre-encoded submit_sm: `head` (header and fields up to destination_addr), then the
/// destination and its NUL, then `tail`.
#[derive(Debug, Clone)]
pub struct PartTemplate {
    head: Vec<u8>,
    tail: Vec<u8>,
    reference: RefAt,
}

/// A message class: one or more parts sent back to back.
#[derive(Debug, Clone)]
pub struct MessageTemplate {
    /// The class name from `--mix`.
    pub name: String,
    /// Its parts.
    pub parts: Vec<PartTemplate>,
}

/// What every template shares.
#[derive(Debug, Clone)]
pub struct TemplateParams {
    /// source_addr.
    pub source_addr: String,
    /// registered_delivery (1 = receipt requested).
    pub registered_delivery: u8,
}

/// The text a message class sends (what a peer must decode), or `None` for an unknown class.
pub fn class_text(name: &str) -> Option<&'static str> {
    class_encoding(name).map(|(t, _, _)| t)
}

fn class_encoding(name: &str) -> Option<(&'static str, Coding, Method)> {
    Some(match name {
        "gsm7" => (GSM7_TEXT, Coding::Gsm7, Method::Udh8),
        "ucs2" => (UCS2_TEXT, Coding::Ucs2, Method::Udh8),
        "latin1" => (LATIN1_TEXT, Coding::Latin1, Method::Udh8),
        "long" | "long-udh" => (LONG_GSM7, Coding::Gsm7, Method::Udh8),
        "long-udh16" => (LONG_GSM7, Coding::Gsm7, Method::Udh16),
        "long-sar" => (LONG_GSM7, Coding::Gsm7, Method::Sar),
        "long-ucs2" => (LONG_UCS2, Coding::Ucs2, Method::Udh8),
        _ => return None,
    })
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}

impl MessageTemplate {
    /// Encodes the class `name`.
    pub fn build(name: &str, p: &TemplateParams) -> io::Result<Self> {
        let (text, coding, method) = class_encoding(name).ok_or_else(|| {
            let known: Vec<_> = CLASSES.iter().map(|(n, _)| *n).collect();
            invalid(format!(
                "unknown message class {name:?} in --mix (known: {})",
                known.join(", ")
            ))
        })?;
        let parts = concat::split(text, coding, method, 0)
            .map_err(|e| invalid(format!("cannot encode the {name} text: {e}")))?;
        if p.source_addr.len() > 20 {
            return Err(invalid(format!(
                "source address {:?} is longer than 20 characters",
                p.source_addr
            )));
        }
        let alnum = !p.source_addr.bytes().all(|b| b.is_ascii_digit());
        let parts = parts
            .iter()
            .map(|part| {
                let sm = part.short_message();
                let mut body = SubmitSm {
                    source_addr_ton: if alnum { 5 } else { 1 },
                    source_addr_npi: if alnum { 0 } else { 1 },
                    source_addr: p.source_addr.clone().into_bytes().into(),
                    dest_addr_ton: 1,
                    dest_addr_npi: 1,
                    registered_delivery: p.registered_delivery,
                    data_coding: coding.smpp_data_coding(),
                    short_message: sm.clone().into(),
                    ..Default::default()
                };
                if part.udh.is_some() {
                    // v3.4 5.2.12: UDHI, the short_message starts with a user data header.
                    body.esm_class = 0x40;
                }
                let mut pdu = Pdu::new(0, Body::SubmitSm(body));
                if let Some(sar) = part.sar {
                    pdu.tlvs.push(Tlv::u16(tag::SAR_MSG_REF_NUM, sar.reference));
                    pdu.tlvs.push(Tlv::u8(tag::SAR_TOTAL_SEGMENTS, sar.total));
                    pdu.tlvs.push(Tlv::u8(tag::SAR_SEGMENT_SEQNUM, sar.seq));
                }
                let bytes = pdu.to_vec();
                // Header, service_type "" (1), ton/npi (2), source_addr and NUL, ton/npi (2):
                // destination_addr starts here, and the encoding put an empty one (one NUL).
                let dest_at = HEADER_LEN + 1 + 2 + p.source_addr.len() + 1 + 2;
                debug_assert_eq!(bytes[dest_at], 0);
                // In the tail: esm_class .. sm_default_msg_id (9 octets), sm_length, sm.
                let sm_at = 10;
                let reference = match (method, &part.udh, part.sar) {
                    // UDH: UDHL, IEI, IEDL, then the reference (TS 23.040 9.2.3.24.1 / .8).
                    (Method::Udh8, Some(_), _) => RefAt::U8(sm_at + 3),
                    (Method::Udh16, Some(_), _) => RefAt::U16(sm_at + 3),
                    // sar_msg_ref_num is the first TLV: tag and length, then the value.
                    (Method::Sar, _, Some(_)) => RefAt::U16(sm_at + sm.len() + 4),
                    _ => RefAt::None,
                };
                PartTemplate {
                    head: bytes[..dest_at].to_vec(),
                    tail: bytes[dest_at + 1..].to_vec(),
                    reference,
                }
            })
            .collect();
        Ok(MessageTemplate {
            name: name.to_string(),
            parts,
        })
    }
}

impl PartTemplate {
    /// Appends this part as a submit_sm to `out`.
    #[inline]
    pub fn emit(&self, out: &mut Vec<u8>, seq: u32, dest: &[u8], reference: u16) {
        let start = out.len();
        out.extend_from_slice(&self.head);
        out.extend_from_slice(dest);
        out.push(0);
        let tail_at = out.len();
        out.extend_from_slice(&self.tail);
        let len = (out.len() - start) as u32;
        out[start..start + 4].copy_from_slice(&len.to_be_bytes());
        out[start + 12..start + 16].copy_from_slice(&seq.to_be_bytes());
        match self.reference {
            RefAt::None => {}
            RefAt::U8(at) => out[tail_at + at] = reference as u8,
            RefAt::U16(at) => {
                out[tail_at + at..tail_at + at + 2].copy_from_slice(&reference.to_be_bytes())
            }
        }
    }
}

/// The mix: templates and the order they are sent in.
#[derive(Debug, Clone)]
pub struct Mix {
    /// One template per class of the mix.
    pub templates: Vec<MessageTemplate>,
    /// Indexes into `templates`, cycled.
    pub schedule: Vec<usize>,
}

impl Mix {
    /// Builds the templates of `mix`.
    pub fn build(mix: &Weighted, p: &TemplateParams) -> io::Result<Self> {
        let templates = mix
            .0
            .iter()
            .map(|(n, _)| MessageTemplate::build(n, p))
            .collect::<io::Result<Vec<_>>>()?;
        Ok(Mix {
            templates,
            schedule: mix.schedule(1000),
        })
    }

    /// Mean number of submit_sm per message.
    pub fn parts_per_message(&self) -> f64 {
        let n: usize = self
            .schedule
            .iter()
            .map(|&i| self.templates[i].parts.len())
            .sum();
        n as f64 / self.schedule.len() as f64
    }
}

/// Destination numbers: prefixes filled up to 12 digits with a counter, or a list from a file.
#[derive(Debug, Clone)]
pub enum Destinations {
    /// Each prefix is followed by counter digits up to 12 digits (at least 3).
    Prefixes(Vec<Vec<u8>>),
    /// Numbers read from a file, cycled.
    List(Vec<Vec<u8>>),
}

impl Destinations {
    /// From `--dest-prefix` values (default `4477009`) or `--dest-file`.
    pub fn new(prefixes: &[String], file: Option<&std::path::Path>) -> io::Result<Self> {
        if let Some(f) = file {
            let text = std::fs::read_to_string(f)
                .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", f.display())))?;
            let list: Vec<Vec<u8>> = text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(|l| l.as_bytes().to_vec())
                .collect();
            if list.is_empty() {
                return Err(invalid(format!("{}: no destination numbers", f.display())));
            }
            if let Some(bad) = list.iter().find(|d| d.len() > 20 || d.contains(&0)) {
                return Err(invalid(format!(
                    "{}: destination {:?} is longer than 20 characters",
                    f.display(),
                    String::from_utf8_lossy(bad)
                )));
            }
            return Ok(Destinations::List(list));
        }
        let prefixes: Vec<Vec<u8>> = if prefixes.is_empty() {
            vec![b"4477009".to_vec()]
        } else {
            prefixes.iter().map(|p| p.as_bytes().to_vec()).collect()
        };
        if let Some(bad) = prefixes
            .iter()
            .find(|p| p.len() > 17 || !p.iter().all(u8::is_ascii_digit))
        {
            return Err(invalid(format!(
                "--dest-prefix {:?}: expected up to 17 digits",
                String::from_utf8_lossy(bad)
            )));
        }
        Ok(Destinations::Prefixes(prefixes))
    }

    /// Writes destination number `n` into `buf` and returns its length.
    #[inline]
    pub fn write(&self, n: u64, buf: &mut [u8; 24]) -> usize {
        match self {
            Destinations::List(l) => {
                let d = &l[(n % l.len() as u64) as usize];
                buf[..d.len()].copy_from_slice(d);
                d.len()
            }
            Destinations::Prefixes(ps) => {
                let p = &ps[(n % ps.len() as u64) as usize];
                let mut k = n / ps.len() as u64;
                let digits = 12usize.saturating_sub(p.len()).max(3);
                buf[..p.len()].copy_from_slice(p);
                let end = p.len() + digits;
                for i in (p.len()..end).rev() {
                    buf[i] = b'0' + (k % 10) as u8;
                    k /= 10;
                }
                end
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use smsedge_codecs::smpp::SmView;
    use smsedge_codecs::text::udh::Udh;

    fn params() -> TemplateParams {
        TemplateParams {
            source_addr: "SMSEDGE".into(),
            registered_delivery: 1,
        }
    }

    #[test]
    fn emits_submit_sm_that_the_typed_decoder_reads_back() {
        let t = MessageTemplate::build("gsm7", &params()).unwrap();
        assert_eq!(t.parts.len(), 1);
        let mut out = Vec::new();
        t.parts[0].emit(&mut out, 0x1234, b"447700900123", 0);
        let pdu = Pdu::decode_slice(&out).unwrap();
        assert_eq!(pdu.sequence_number, 0x1234);
        let Body::SubmitSm(b) = pdu.body else {
            panic!("not a submit_sm")
        };
        assert_eq!(&b.destination_addr[..], b"447700900123");
        assert_eq!(&b.source_addr[..], b"SMSEDGE");
        assert_eq!((b.source_addr_ton, b.registered_delivery), (5, 1));
        let text = smsedge_codecs::text::gsm7::decode(&b.short_message).unwrap();
        assert_eq!(text, GSM7_TEXT);
    }

    #[test]
    fn patches_udh_and_sar_references() {
        for (name, n) in [
            ("long", 3),
            ("long-udh16", 3),
            ("long-sar", 3),
            ("long-ucs2", 2),
        ] {
            let t = MessageTemplate::build(name, &params()).unwrap();
            assert_eq!(t.parts.len(), n, "{name}");
            for (i, p) in t.parts.iter().enumerate() {
                let mut out = Vec::new();
                p.emit(&mut out, 7, b"4477", 0xBEEF);
                let v = SmView::parse(&out).unwrap();
                if name == "long-sar" {
                    assert_eq!(v.esm_class(), 0);
                    assert_eq!(v.tlv(tag::SAR_MSG_REF_NUM), Some(&[0xBE, 0xEF][..]));
                    assert_eq!(v.tlv(tag::SAR_SEGMENT_SEQNUM), Some(&[i as u8 + 1][..]));
                } else {
                    assert_eq!(v.esm_class(), 0x40, "{name}");
                    let (udh, _) = Udh::decode(v.short_message()).unwrap();
                    let c = udh.concat().unwrap();
                    let want = if name == "long-udh16" { 0xBEEF } else { 0xEF };
                    assert_eq!(
                        (u32::from(c.reference), c.total, c.seq),
                        (want, n as u8, i as u8 + 1),
                        "{name}"
                    );
                }
            }
        }
    }

    #[test]
    fn fills_destinations_from_prefixes() {
        let d = Destinations::new(&["4477".into(), "33".into()], None).unwrap();
        let mut b = [0u8; 24];
        let n = d.write(0, &mut b);
        assert_eq!(&b[..n], b"447700000000");
        let n = d.write(3, &mut b);
        assert_eq!(&b[..n], b"330000000001");
        assert!(Destinations::new(&["44x".into()], None).is_err());
        let f = std::env::temp_dir().join(format!("lg-dests-{}", std::process::id()));
        std::fs::write(&f, "# numbers\n447700900111\n\n 33612345678 \n").unwrap();
        let d = Destinations::new(&[], Some(&f)).unwrap();
        let got: Vec<Vec<u8>> = (0..3)
            .map(|i| {
                let n = d.write(i, &mut b);
                b[..n].to_vec()
            })
            .collect();
        assert_eq!(got, [&b"447700900111"[..], b"33612345678", b"447700900111"]);
        std::fs::write(&f, "\n").unwrap();
        assert!(Destinations::new(&[], Some(&f)).is_err());
        std::fs::remove_file(&f).unwrap();
        assert!(MessageTemplate::build("klingon", &params()).is_err());
    }
}
