//! The fields the SMS TPDUs share (3GPP TS 23.040 9.1.2 and 9.2.3): addresses (TP-OA, TP-DA,
//! TP-RA), TP-DCS, the semi-octet time stamps (TP-SCTS, TP-DT, absolute TP-VP) and the validity
//! period.

use crate::error::{Error, Reason, Result};
use crate::map::address::{tbcd_decode, tbcd_encode};
use crate::reader::Reader;
use crate::text::gsm7;

/// Type of number: alphanumeric (TS 23.040 9.1.2.5), whose value is GSM 7-bit text.
pub const TON_ALPHANUMERIC: u8 = 5;

/// An address field (TS 23.040 9.1.2.5).
///
/// ```text
/// octet 1: address-length (number of useful semi-octets of the address value)
/// octet 2: type-of-address: bit 8 = 1, bits 7-5 type of number, bits 4-1 numbering plan
/// octets 3..: address value, semi-octets (first digit in bits 4-1, filler 1111); for type of
///             number 5, GSM 7-bit default alphabet packed
/// ```
///
/// The octets are kept as they came; digits and text are derived.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Address {
    /// Address-length: useful semi-octets.
    pub length: u8,
    /// Type-of-address octet.
    pub toa: u8,
    /// Address value octets.
    pub value: Vec<u8>,
}

impl Address {
    /// An address of digits (`0`-`9`, `*`, `#`, `a`-`c`) with type of number and numbering plan.
    pub fn digits(ton: u8, npi: u8, digits: &str) -> Result<Self> {
        let value = tbcd_encode(digits)?;
        let length =
            u8::try_from(digits.len()).map_err(|_| Error::new("tp_address", 0, Reason::TooLong))?;
        Ok(Address {
            length,
            toa: 0x80 | ((ton & 7) << 4) | (npi & 0x0f),
            value,
        })
    }

    /// An international E.164 number (type-of-address 0x91).
    pub fn international(digits: &str) -> Result<Self> {
        Self::digits(1, 1, digits)
    }

    /// An alphanumeric address (type of number 5, numbering plan 0) of GSM 7-bit text.
    pub fn alphanumeric(text: &str) -> Result<Self> {
        let septets = gsm7::encode(text)?;
        let value = gsm7::pack(&septets, 0, gsm7::Padding::Zero);
        // 9.1.2.5: the address-length counts the semi-octets the packed text uses.
        let length = u8::try_from((septets.len() * 7).div_ceil(4))
            .map_err(|_| Error::new("tp_address", 0, Reason::TooLong))?;
        Ok(Address {
            length,
            toa: 0x80 | (TON_ALPHANUMERIC << 4),
            value,
        })
    }

    /// Type of number.
    pub fn ton(&self) -> u8 {
        (self.toa >> 4) & 7
    }

    /// Numbering plan identification.
    pub fn npi(&self) -> u8 {
        self.toa & 0x0f
    }

    /// The digits, when the address is numeric and its octets are what those digits encode to.
    pub fn number(&self) -> Option<String> {
        if self.ton() == TON_ALPHANUMERIC {
            return None;
        }
        let d = tbcd_decode(&self.value)?;
        (d.len() == usize::from(self.length)).then_some(d)
    }

    /// The text of an alphanumeric address.
    pub fn text(&self) -> Option<String> {
        if self.ton() != TON_ALPHANUMERIC {
            return None;
        }
        let septets = usize::from(self.length) * 4 / 7;
        gsm7::decode(&gsm7::unpack(&self.value, 0, septets).ok()?).ok()
    }

    /// Octets of the field.
    pub fn encoded_len(&self) -> usize {
        2 + self.value.len()
    }

    /// Appends the field.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        out.push(self.length);
        out.push(self.toa);
        out.extend_from_slice(&self.value);
    }

    /// Reads an address field; `field` names it in errors.
    pub fn decode(r: &mut Reader<'_>, field: &'static str) -> Result<Self> {
        let at = r.offset();
        let length = r.u8(field)?;
        // 9.1.2.5: at most 20 semi-octets (10 octets) of address value.
        if length > 20 {
            return Err(Error::new(field, at, Reason::TooLong));
        }
        let toa = r.u8(field)?;
        let value = r.take(usize::from(length).div_ceil(2), field)?.to_vec();
        Ok(Address { length, toa, value })
    }
}

/// TP-DCS (TS 23.038 section 4).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Dcs(pub u8);

/// The character set a TP-DCS selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Alphabet {
    /// GSM 7-bit default alphabet.
    Gsm7,
    /// 8-bit data.
    Eight,
    /// UCS2 (16-bit).
    Ucs2,
}

impl Dcs {
    /// The coding group name (bits 7-4).
    pub fn group(self) -> &'static str {
        match self.0 >> 4 {
            0..=3 => "general",
            4..=7 => "automatic_deletion",
            8..=0xb => "reserved",
            0xc => "mwi_discard",
            0xd => "mwi_store_gsm7",
            0xe => "mwi_store_ucs2",
            _ => "data_coding_message_class",
        }
    }

    /// The alphabet. TS 23.038 4: "Any reserved codings shall be assumed to be the GSM 7 bit
    /// default alphabet".
    pub fn alphabet(self) -> Alphabet {
        match self.0 >> 4 {
            0..=7 => match (self.0 >> 2) & 3 {
                1 => Alphabet::Eight,
                2 => Alphabet::Ucs2,
                _ => Alphabet::Gsm7,
            },
            0xe => Alphabet::Ucs2,
            0xf if self.0 & 0x04 != 0 => Alphabet::Eight,
            _ => Alphabet::Gsm7,
        }
    }

    /// True when the text is compressed (general and automatic deletion groups, bit 5).
    pub fn compressed(self) -> bool {
        self.0 >> 6 <= 1 && self.0 & 0x20 != 0
    }

    /// The message class (0-3), when the coding gives one.
    pub fn class(self) -> Option<u8> {
        match self.0 >> 4 {
            0..=7 if self.0 & 0x10 != 0 => Some(self.0 & 3),
            0xf => Some(self.0 & 3),
            _ => None,
        }
    }

    /// Message waiting indication groups: (store, indication active, indication type).
    pub fn message_waiting(self) -> Option<(bool, bool, u8)> {
        match self.0 >> 4 {
            0xc => Some((false, self.0 & 0x08 != 0, self.0 & 3)),
            0xd | 0xe => Some((true, self.0 & 0x08 != 0, self.0 & 3)),
            _ => None,
        }
    }
}

/// A semi-octet time stamp: TP-SCTS, TP-DT, absolute TP-VP (TS 23.040 9.2.3.11): year, month,
/// day, hour, minute, second, time zone, each two decimal digits with the first in bits 4-1;
/// the time zone counts quarters of an hour, its sign in bit 4 (bit 3 of the octet).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Timestamp(pub [u8; 7]);

fn bcd(o: u8) -> Option<u8> {
    let (lo, hi) = (o & 0x0f, o >> 4);
    (lo <= 9 && hi <= 9).then_some(lo * 10 + hi)
}

fn to_bcd(v: u8) -> u8 {
    ((v % 10) << 4) | (v / 10)
}

impl Timestamp {
    /// From the fields; `tz_quarters` is the offset from UTC in quarters of an hour (-79..=79).
    pub fn new(
        year: u8,
        month: u8,
        day: u8,
        hour: u8,
        minute: u8,
        second: u8,
        tz_quarters: i8,
    ) -> Self {
        let q = tz_quarters.unsigned_abs().min(79);
        let tz = to_bcd(q) | if tz_quarters < 0 { 0x08 } else { 0 };
        Timestamp([
            to_bcd(year),
            to_bcd(month),
            to_bcd(day),
            to_bcd(hour),
            to_bcd(minute),
            to_bcd(second),
            tz,
        ])
    }

    /// (year of the century, month, day, hour, minute, second, time zone in quarters), when every
    /// semi-octet is a decimal digit.
    pub fn fields(&self) -> Option<(u8, u8, u8, u8, u8, u8, i8)> {
        let b = self.0;
        let tz_abs = bcd(b[6] & 0xf7)?;
        let tz = if b[6] & 0x08 != 0 {
            -(tz_abs as i8)
        } else {
            tz_abs as i8
        };
        Some((
            bcd(b[0])?,
            bcd(b[1])?,
            bcd(b[2])?,
            bcd(b[3])?,
            bcd(b[4])?,
            bcd(b[5])?,
            tz,
        ))
    }

    /// ISO 8601 with the offset (`2024-01-01T12:34:56+01:00`), years read as 20YY; `None` when a
    /// semi-octet is not a digit or the text would not give back the octets.
    pub fn iso(&self) -> Option<String> {
        let (y, mo, d, h, mi, s, tz) = self.fields()?;
        let (sign, q) = if tz < 0 {
            ('-', -i32::from(tz))
        } else {
            ('+', i32::from(tz))
        };
        let iso = format!(
            "20{y:02}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{sign}{:02}:{:02}",
            q / 4,
            (q % 4) * 15
        );
        (Timestamp::parse_iso(&iso) == Some(*self)).then_some(iso)
    }

    /// Parses what [`Timestamp::iso`] prints.
    pub fn parse_iso(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        if b.len() != 25
            || &s[..2] != "20"
            || b[4] != b'-'
            || b[7] != b'-'
            || b[10] != b'T'
            || b[13] != b':'
            || b[16] != b':'
        {
            return None;
        }
        let n = |i: usize| -> Option<u8> { s.get(i..i + 2)?.parse().ok() };
        let (y, mo, d, h, mi, sec) = (n(2)?, n(5)?, n(8)?, n(11)?, n(14)?, n(17)?);
        let neg = match b[19] {
            b'+' => false,
            b'-' => true,
            _ => return None,
        };
        let (oh, om) = (n(20)?, n(23)?);
        if b[22] != b':' || om % 15 != 0 {
            return None;
        }
        let q = i32::from(oh) * 4 + i32::from(om) / 15;
        if q > 79 {
            return None;
        }
        let q = if neg { -q } else { q };
        Some(Timestamp::new(y, mo, d, h, mi, sec, q as i8))
    }

    /// Reads the 7 octets.
    pub fn decode(r: &mut Reader<'_>, field: &'static str) -> Result<Self> {
        let b = r.take(7, field)?;
        let mut t = [0; 7];
        t.copy_from_slice(b);
        Ok(Timestamp(t))
    }
}

/// TP-VP (TS 23.040 9.2.3.12), by the format TP-VPF selects.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum ValidityPeriod {
    /// TP-VPF 00: not present.
    #[default]
    None,
    /// TP-VPF 10: relative, one octet (9.2.3.12.1).
    Relative(u8),
    /// TP-VPF 01: enhanced, seven octets (9.2.3.12.3).
    Enhanced([u8; 7]),
    /// TP-VPF 11: absolute, a time stamp (9.2.3.12.2).
    Absolute(Timestamp),
}

impl ValidityPeriod {
    /// The TP-VPF bits (bits 4-3 of the first octet, as a 2-bit value).
    pub fn vpf(&self) -> u8 {
        match self {
            ValidityPeriod::None => 0,
            ValidityPeriod::Enhanced(_) => 1,
            ValidityPeriod::Relative(_) => 2,
            ValidityPeriod::Absolute(_) => 3,
        }
    }

    /// Seconds of a relative value (9.2.3.12.1): 0-143 five-minute steps from 5 minutes, 144-167
    /// half hours from 12.5 hours, 168-196 days, 197-255 weeks.
    pub fn relative_seconds(v: u8) -> u32 {
        let v = u32::from(v);
        match v {
            0..=143 => (v + 1) * 300,
            144..=167 => 12 * 3600 + (v - 143) * 1800,
            168..=196 => (v - 166) * 86400,
            _ => (v - 192) * 7 * 86400,
        }
    }

    /// The enhanced format's meaning (9.2.3.12.3): (extension bit, single shot, format, seconds
    /// when the format gives a duration).
    pub fn enhanced_fields(b: &[u8; 7]) -> (bool, bool, u8, Option<u32>) {
        let fi = b[0];
        let format = fi & 7;
        let secs = match format {
            1 => Some(Self::relative_seconds(b[1])),
            2 => Some(u32::from(b[1])),
            3 => {
                let (h, m, s) = (bcd(b[1]), bcd(b[2]), bcd(b[3]));
                match (h, m, s) {
                    (Some(h), Some(m), Some(s)) => {
                        Some(u32::from(h) * 3600 + u32::from(m) * 60 + u32::from(s))
                    }
                    _ => None,
                }
            }
            _ => None,
        };
        (fi & 0x80 != 0, fi & 0x40 != 0, format, secs)
    }

    /// Octets on the wire.
    pub fn encoded_len(&self) -> usize {
        match self {
            ValidityPeriod::None => 0,
            ValidityPeriod::Relative(_) => 1,
            _ => 7,
        }
    }

    /// Appends the octets.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        match self {
            ValidityPeriod::None => {}
            ValidityPeriod::Relative(v) => out.push(*v),
            ValidityPeriod::Enhanced(b) => out.extend_from_slice(b),
            ValidityPeriod::Absolute(t) => out.extend_from_slice(&t.0),
        }
    }

    /// Reads the TP-VP of format `vpf`.
    pub fn decode(r: &mut Reader<'_>, vpf: u8) -> Result<Self> {
        Ok(match vpf & 3 {
            0 => ValidityPeriod::None,
            2 => ValidityPeriod::Relative(r.u8("tp_vp")?),
            1 => {
                let mut b = [0; 7];
                b.copy_from_slice(r.take(7, "tp_vp")?);
                ValidityPeriod::Enhanced(b)
            }
            _ => ValidityPeriod::Absolute(Timestamp::decode(r, "tp_vp")?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hex;

    #[test]
    fn parses_and_emits_addresses() {
        // gen_samples.py: TP-OA 447700900999 = 0c 91 447700099099.
        let b = hex::decode("0c91447700099099").unwrap();
        let a = Address::decode(&mut Reader::new(&b), "tp_oa").unwrap();
        assert_eq!(
            (a.ton(), a.npi(), a.number().unwrap()),
            (1, 1, "447700900999".to_string())
        );
        assert_eq!(a, Address::international("447700900999").unwrap());
        let odd = Address::international("12345").unwrap();
        assert_eq!(
            (hex::encode(&odd.value), odd.length),
            ("2143f5".to_string(), 5)
        );
        let alpha = Address::alphanumeric("ACME").unwrap();
        assert_eq!((alpha.length, alpha.toa), (7, 0xd0));
        assert_eq!(alpha.text().unwrap(), "ACME");
        let e = Address::decode(&mut Reader::new(&[21, 0x91]), "tp_da").unwrap_err();
        assert_eq!((e.field, e.reason), ("tp_da", Reason::TooLong));
        let e = Address::decode(&mut Reader::new(&[4, 0x91, 0x21]), "tp_da").unwrap_err();
        assert_eq!(e.reason, Reason::Truncated);
    }

    #[test]
    fn dcs_groups() {
        assert_eq!(
            (Dcs(0x00).alphabet(), Dcs(0x00).class()),
            (Alphabet::Gsm7, None)
        );
        assert_eq!(
            (Dcs(0x08).alphabet(), Dcs(0x04).alphabet()),
            (Alphabet::Ucs2, Alphabet::Eight)
        );
        assert_eq!((Dcs(0x11).class(), Dcs(0x30).compressed()), (Some(1), true));
        assert_eq!(
            (Dcs(0xf5).alphabet(), Dcs(0xf5).class()),
            (Alphabet::Eight, Some(1))
        );
        assert_eq!(Dcs(0xc8).message_waiting(), Some((false, true, 0)));
        assert_eq!(
            (Dcs(0xe9).alphabet(), Dcs(0xe9).group()),
            (Alphabet::Ucs2, "mwi_store_ucs2")
        );
        assert_eq!(
            (Dcs(0x85).group(), Dcs(0x85).alphabet()),
            ("reserved", Alphabet::Gsm7)
        );
        assert_eq!(Dcs(0x0c).alphabet(), Alphabet::Gsm7);
    }

    #[test]
    fn timestamps_with_time_zone() {
        // gen_samples.py: 42 10 10 21 43 65 00 = 2024-01-01 12:34:56 +00.
        let t = Timestamp([0x42, 0x10, 0x10, 0x21, 0x43, 0x65, 0x00]);
        assert_eq!(t.iso().unwrap(), "2024-01-01T12:34:56+00:00");
        // -1 hour = -4 quarters: units digit 4 in bits 8-5, sign in bit 4: 0x48.
        let t = Timestamp::new(24, 1, 1, 12, 0, 0, -4);
        assert_eq!(t.0[6], 0x48);
        assert_eq!(t.iso().unwrap(), "2024-01-01T12:00:00-01:00");
        // +5:45 (Nepal) = 23 quarters: 0x32.
        let t = Timestamp::parse_iso("2023-12-31T23:59:59+05:45").unwrap();
        assert_eq!(t.0[6], 0x32);
        assert_eq!(t.iso().unwrap(), "2023-12-31T23:59:59+05:45");
        assert_eq!(Timestamp([0x4a, 0, 0, 0, 0, 0, 0]).iso(), None);
    }

    #[test]
    fn validity_periods() {
        assert_eq!(ValidityPeriod::relative_seconds(0xa7), 86400);
        assert_eq!(ValidityPeriod::relative_seconds(143), 12 * 3600);
        assert_eq!(ValidityPeriod::relative_seconds(144), 12 * 3600 + 1800);
        assert_eq!(ValidityPeriod::relative_seconds(255), 63 * 7 * 86400);
        let e = [0x43, 0x30, 0x00, 0x00, 0, 0, 0];
        assert_eq!(
            ValidityPeriod::enhanced_fields(&e),
            (false, true, 3, Some(3 * 3600))
        );
        for vpf in 0..4 {
            let b = [0x42, 0x10, 0x10, 0x21, 0x43, 0x65, 0x00];
            let vp = ValidityPeriod::decode(&mut Reader::new(&b), vpf).unwrap();
            assert_eq!(vp.vpf(), vpf);
            let mut out = Vec::new();
            vp.encode_into(&mut out);
            assert_eq!(out, b[..vp.encoded_len()]);
        }
    }
}
