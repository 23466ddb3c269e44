//! Called and calling party addresses (ITU-T Q.713 section 3.4): the address indicator, a 14-bit
//! signalling point code, the subsystem number and a global title of indicator 1 to 4.
//!
//! ```text
//!   8       7       6   5   4   3       2       1
//! +-------+-------+---------------+-------+-------+
//! |  Res. |  RI   |      GTI      |  SSNI |  PCI  |   address indicator (3.4.1)
//! +-------+-------+---------------+-------+-------+
//! |              signalling point code (2)        |   if PCI (14 bits, LSB first, 3.4.2.1)
//! |              subsystem number (1)             |   if SSNI (3.4.2.2)
//! |              global title (n)                 |   if GTI != 0 (3.4.2.3)
//! ```

use crate::error::{Error, Reason, Result};
use crate::reader::Reader;

/// Global title indicator values (Q.713 3.4.1).
pub mod gti {
    /// No global title.
    pub const NONE: u8 = 0;
    /// Nature of address indicator only.
    pub const NAI: u8 = 1;
    /// Translation type only.
    pub const TT: u8 = 2;
    /// Translation type, numbering plan and encoding scheme.
    pub const TT_NP_ES: u8 = 3;
    /// Translation type, numbering plan, encoding scheme and nature of address indicator.
    pub const TT_NP_ES_NAI: u8 = 4;
}

/// Encoding scheme values (Q.713 3.4.2.3.3).
pub mod es {
    /// Unknown.
    pub const UNKNOWN: u8 = 0;
    /// BCD, odd number of digits.
    pub const BCD_ODD: u8 = 1;
    /// BCD, even number of digits.
    pub const BCD_EVEN: u8 = 2;
    /// National specific.
    pub const NATIONAL: u8 = 3;
}

/// A global title (Q.713 3.4.2.3). The fields a given indicator does not carry are zero.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GlobalTitle {
    /// Global title indicator, 1 to 4 (5 to 15 are spare or national: the octets are kept in
    /// `address` unparsed).
    pub gti: u8,
    /// Translation type (GTI 2, 3, 4).
    pub tt: u8,
    /// Numbering plan (GTI 3, 4): 1 = ISDN/telephony (E.164), 6 = land mobile (E.214), ...
    pub np: u8,
    /// Encoding scheme (GTI 3, 4): 1 BCD odd, 2 BCD even.
    pub es: u8,
    /// Nature of address indicator (GTI 1, 4): 4 = international number.
    pub nai: u8,
    /// Bit 8 of the GTI 4 nature-of-address octet: spare in Q.713 3.4.2.3.4, but some senders set
    /// it (as GTI 1's odd indicator); kept so the address passes through unchanged.
    pub spare: bool,
    /// Odd number of address signals: GTI 1 carries it as bit 8 of the NAI octet; for GTI 3 and
    /// 4 it mirrors the encoding scheme (decoding sets it from `es`, encoding writes `es`).
    pub odd: bool,
    /// The address signals as on the wire (BCD, two per octet, first in the low nibble).
    pub address: Vec<u8>,
}

impl GlobalTitle {
    /// A GTI 4 title for an international E.164 number: TT 0, NP 1 (ISDN/telephony), BCD,
    /// NAI 4 (international). Digits are `0`-`9` (and `a`-`f` for the codes 10-15).
    pub fn e164(digits: &str) -> Result<Self> {
        Self::gti4(0, 1, 4, digits)
    }

    /// A GTI 4 title with the given translation type, numbering plan and nature of address, BCD
    /// encoded (the encoding scheme follows the parity of `digits`).
    pub fn gti4(tt: u8, np: u8, nai: u8, digits: &str) -> Result<Self> {
        let (address, odd) = bcd_encode(digits)?;
        let es = if odd { es::BCD_ODD } else { es::BCD_EVEN };
        Ok(GlobalTitle {
            gti: gti::TT_NP_ES_NAI,
            tt,
            np,
            es,
            nai,
            spare: false,
            odd,
            address,
        })
    }

    /// True when the address signals are BCD (GTI 1 and 2 always; GTI 3 and 4 with encoding
    /// scheme 1 or 2).
    pub fn is_bcd(&self) -> bool {
        match self.gti {
            gti::NAI | gti::TT => true,
            gti::TT_NP_ES | gti::TT_NP_ES_NAI => matches!(self.es, es::BCD_ODD | es::BCD_EVEN),
            _ => false,
        }
    }

    /// The address signals as text (`0`-`9`, `a`-`f` for the codes 10-15), when BCD. An odd
    /// count drops the filler of the last octet. GTI 2 does not say the parity: all nibbles are
    /// shown, so a filler appears as a trailing `0`.
    pub fn digits(&self) -> Option<String> {
        if !self.is_bcd() {
            return None;
        }
        let odd = match self.gti {
            gti::NAI => self.odd,
            gti::TT => false,
            _ => self.es == es::BCD_ODD,
        };
        Some(bcd_decode(&self.address, odd))
    }

    /// Octets the title takes after the address indicator.
    pub fn encoded_len(&self) -> usize {
        let head = match self.gti {
            gti::NAI | gti::TT => 1,
            gti::TT_NP_ES => 2,
            gti::TT_NP_ES_NAI => 3,
            _ => 0,
        };
        head + self.address.len()
    }

    fn encode_into(&self, out: &mut Vec<u8>) {
        match self.gti {
            gti::NAI => out.push((u8::from(self.odd) << 7) | (self.nai & 0x7f)),
            gti::TT => out.push(self.tt),
            gti::TT_NP_ES => out.extend_from_slice(&[self.tt, (self.np << 4) | (self.es & 0x0f)]),
            gti::TT_NP_ES_NAI => out.extend_from_slice(&[
                self.tt,
                (self.np << 4) | (self.es & 0x0f),
                (u8::from(self.spare) << 7) | (self.nai & 0x7f),
            ]),
            _ => {}
        }
        out.extend_from_slice(&self.address);
    }

    fn decode(gti_value: u8, r: &mut Reader<'_>, field: &'static str) -> Result<Self> {
        let mut gt = GlobalTitle {
            gti: gti_value,
            tt: 0,
            np: 0,
            es: 0,
            nai: 0,
            spare: false,
            odd: false,
            address: Vec::new(),
        };
        match gti_value {
            gti::NAI => {
                let o = r.u8(field)?;
                gt.odd = o & 0x80 != 0;
                gt.nai = o & 0x7f;
            }
            gti::TT => gt.tt = r.u8(field)?,
            gti::TT_NP_ES => {
                gt.tt = r.u8(field)?;
                let o = r.u8(field)?;
                (gt.np, gt.es) = (o >> 4, o & 0x0f);
            }
            gti::TT_NP_ES_NAI => {
                gt.tt = r.u8(field)?;
                let o = r.u8(field)?;
                (gt.np, gt.es) = (o >> 4, o & 0x0f);
                let n = r.u8(field)?;
                gt.spare = n & 0x80 != 0;
                gt.nai = n & 0x7f;
            }
            _ => {}
        }
        gt.address = r.rest().to_vec();
        if matches!(gti_value, gti::TT_NP_ES | gti::TT_NP_ES_NAI) {
            gt.odd = gt.es == es::BCD_ODD;
        }
        Ok(gt)
    }
}

/// A called or calling party address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PartyAddress {
    /// Bit 8 of the address indicator, reserved for national use (0 in ITU networks).
    pub national: bool,
    /// Routing indicator (bit 7): true = route on SSN (and PC), false = route on global title.
    pub route_on_ssn: bool,
    /// Signalling point code (14 bits), when the point code indicator is set.
    pub pc: Option<u16>,
    /// Subsystem number, when the SSN indicator is set (6 HLR, 7 VLR, 8 MSC, 1 SCCP management).
    pub ssn: Option<u8>,
    /// Global title, when the GTI is not 0.
    pub gt: Option<GlobalTitle>,
}

impl PartyAddress {
    /// An address that routes on global title, with an SSN and no point code (what MAP peers
    /// use across networks).
    pub fn gt(ssn: u8, gt: GlobalTitle) -> Self {
        PartyAddress {
            national: false,
            route_on_ssn: false,
            pc: None,
            ssn: Some(ssn),
            gt: Some(gt),
        }
    }

    /// An address that routes on point code and SSN.
    pub fn pc_ssn(pc: u16, ssn: u8) -> Self {
        PartyAddress {
            national: false,
            route_on_ssn: true,
            pc: Some(pc & 0x3fff),
            ssn: Some(ssn),
            gt: None,
        }
    }

    /// The address indicator octet.
    pub fn indicator(&self) -> u8 {
        (u8::from(self.national) << 7)
            | (u8::from(self.route_on_ssn) << 6)
            | (self.gt.as_ref().map_or(0, |g| g.gti & 0x0f) << 2)
            | (u8::from(self.ssn.is_some()) << 1)
            | u8::from(self.pc.is_some())
    }

    /// Octets of the address (without its length octet).
    pub fn encoded_len(&self) -> usize {
        1 + if self.pc.is_some() { 2 } else { 0 }
            + usize::from(self.ssn.is_some())
            + self.gt.as_ref().map_or(0, GlobalTitle::encoded_len)
    }

    /// Appends the address (without its length octet).
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        out.push(self.indicator());
        if let Some(pc) = self.pc {
            out.extend_from_slice(&(pc & 0x3fff).to_le_bytes());
        }
        if let Some(ssn) = self.ssn {
            out.push(ssn);
        }
        if let Some(gt) = &self.gt {
            gt.encode_into(out);
        }
    }

    /// Decodes the address that is all of `r` (the length octet already consumed).
    pub fn decode(r: &mut Reader<'_>, field: &'static str) -> Result<Self> {
        let ai = r.u8(field)?;
        let gti_value = (ai >> 2) & 0x0f;
        let pc = if ai & 0x01 != 0 {
            let at = r.offset();
            let v = u16::from_le_bytes([r.u8(field)?, r.u8(field)?]);
            // Q.713 3.4.2.1: the point code is 14 bits; bits 7 and 8 of the second octet are
            // spare.
            if v & 0xc000 != 0 {
                return Err(Error::new(field, at + 1, Reason::BadValue));
            }
            Some(v)
        } else {
            None
        };
        let ssn = if ai & 0x02 != 0 {
            Some(r.u8(field)?)
        } else {
            None
        };
        let gt = if gti_value != gti::NONE {
            Some(GlobalTitle::decode(gti_value, r, field)?)
        } else {
            // Q.713 3.4.1: GTI 0 means no global title; nothing may follow.
            r.expect_end(field)?;
            None
        };
        Ok(PartyAddress {
            national: ai & 0x80 != 0,
            route_on_ssn: ai & 0x40 != 0,
            pc,
            ssn,
            gt,
        })
    }
}

/// BCD digits from text: `0`-`9`, `a`-`f` (either case) for codes 10-15; first digit in the low
/// nibble, a filler 0 after an odd count (Q.713 3.4.2.3.1). Returns the octets and whether the
/// count was odd.
pub fn bcd_encode(digits: &str) -> Result<(Vec<u8>, bool)> {
    let mut out = Vec::with_capacity(digits.len().div_ceil(2));
    let mut nibbles = digits.char_indices().map(|(i, c)| {
        c.to_digit(16)
            .map(|d| d as u8)
            .ok_or(Error::new("digits", i, Reason::BadValue))
    });
    let mut odd = false;
    while let Some(lo) = nibbles.next() {
        let lo = lo?;
        match nibbles.next() {
            Some(hi) => out.push((hi? << 4) | lo),
            None => {
                out.push(lo);
                odd = true;
            }
        }
    }
    Ok((out, odd))
}

/// Text of BCD digits (low nibble first); `odd` drops the last high nibble.
pub fn bcd_decode(octets: &[u8], odd: bool) -> String {
    const D: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(octets.len() * 2);
    for (i, &o) in octets.iter().enumerate() {
        s.push(D[usize::from(o & 0x0f)] as char);
        if !(odd && i + 1 == octets.len()) {
            s.push(D[usize::from(o >> 4)] as char);
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hex;

    fn dec(h: &str) -> Result<PartyAddress> {
        let b = hex::decode(h).unwrap();
        PartyAddress::decode(&mut Reader::new(&b), "sccp.called_party_address")
    }

    #[test]
    fn parses_gti4_e164() {
        // gen_samples.py: AI 0x12 (route on GT, GTI 4, SSN), SSN 6, TT 0, NP 1/ES 2, NAI 4.
        let a = dec("12 06 00 12 04 4477000955 05").unwrap();
        assert_eq!((a.route_on_ssn, a.pc, a.ssn), (false, None, Some(6)));
        let gt = a.gt.as_ref().unwrap();
        assert_eq!((gt.gti, gt.tt, gt.np, gt.es, gt.nai), (4, 0, 1, 2, 4));
        assert_eq!(gt.digits().unwrap(), "447700905550");
        assert_eq!(
            a,
            PartyAddress::gt(6, GlobalTitle::e164("447700905550").unwrap())
        );
    }

    #[test]
    fn parses_pc_ssn_and_gti1_gti2_gti3() {
        let a = dec("43 0120 08").unwrap();
        assert_eq!(
            (a.route_on_ssn, a.pc, a.ssn, a.gt.is_none()),
            (true, Some(0x2001), Some(8), true)
        );
        assert_eq!(a, PartyAddress::pc_ssn(0x2001, 8));
        // GTI 1 with odd indicator and NAI 4: "12345".
        let a = dec("06 08 84 214305").unwrap();
        assert_eq!(a.gt.as_ref().unwrap().digits().unwrap(), "12345");
        // GTI 2, TT 0x0a.
        let a = dec("0a 08 0a 2143").unwrap();
        assert_eq!(a.gt.as_ref().unwrap().digits().unwrap(), "1234");
        // GTI 3, TT 0, NP 7 / ES 1.
        let a = dec("0e 08 00 71 214305").unwrap();
        let gt = a.gt.unwrap();
        assert_eq!(
            (gt.np, gt.es, gt.digits().unwrap()),
            (7, 1, "12345".to_string())
        );
    }

    #[test]
    fn emits_what_it_parses() {
        for h in [
            "12 06 001204 4477000955 05",
            "43 0120 08",
            "06 08 84 214305",
            "0a 08 0a 2143",
            "0e 08 0071 214305",
            "c2 08",
        ] {
            let b = hex::decode(h).unwrap();
            let a = PartyAddress::decode(&mut Reader::new(&b), "a").unwrap();
            let mut out = Vec::new();
            a.encode_into(&mut out);
            assert_eq!(out, b, "{h}");
            assert_eq!(a.encoded_len(), b.len());
        }
    }

    #[test]
    fn rejects_spare_bits_and_trailing_octets() {
        let e = dec("41 01c0").unwrap_err();
        assert_eq!((e.offset, e.reason), (2, Reason::BadValue));
        let e = dec("42 08 99").unwrap_err();
        assert_eq!(e.reason, Reason::TrailingBytes);
        let e = dec("12 06 00 12").unwrap_err();
        assert_eq!(e.reason, Reason::Truncated);
        assert_eq!(bcd_encode("12x").unwrap_err().offset, 2);
    }
}
