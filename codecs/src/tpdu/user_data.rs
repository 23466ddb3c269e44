//! TP-UDL and TP-UD (TS 23.040 9.2.3.16, 9.2.3.24): the user data, with its optional user data
//! header, and the text it carries in the alphabet TP-DCS selects.
//!
//! For 7-bit text TP-UDL counts septets, the header included (its octets and the fill bits that
//! align the first character, 9.2.3.24); otherwise it counts octets. The decoder checks that
//! TP-UDL agrees with the octets present, whatever the alphabet (tshark only checks 7-bit text,
//! pycrate not at all: oracles/README.md).

use super::fields::{Alphabet, Dcs};
use crate::error::{Error, Reason, Result};
use crate::reader::Reader;
use crate::text::udh::{self, Udh};
use crate::text::{gsm7, ucs2};

/// The most octets TP-UD can hold (9.2.3.16).
pub const MAX_UD_OCTETS: usize = 140;

/// TP-UDL and TP-UD.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct UserData {
    /// The user data header (TP-UDHI set).
    pub udh: Option<Udh>,
    /// TP-UDL as on the wire.
    pub udl: u8,
    /// The octets after the header (packed septets for 7-bit text, fill bits included).
    pub data: Vec<u8>,
}

impl UserData {
    /// 7-bit text after an optional header, packed with the fill bits the header needs.
    pub fn gsm7(text: &str, udh: Option<Udh>) -> Result<Self> {
        let septets = gsm7::encode(text)?;
        Self::gsm7_septets(&septets, udh)
    }

    /// Unpacked septets (e.g. a [`crate::text::Part`] payload) after an optional header.
    pub fn gsm7_septets(septets: &[u8], udh: Option<Udh>) -> Result<Self> {
        let hlen = udh.as_ref().map_or(0, Udh::encoded_len);
        let udl = udh::udh_septets(hlen) + septets.len();
        let fill = udh::fill_bits(hlen);
        let data = gsm7::pack(septets, fill, gsm7::Padding::Zero);
        if hlen + data.len() > MAX_UD_OCTETS {
            return Err(Error::new("tp_ud", 0, Reason::TooLong));
        }
        Ok(UserData {
            udh,
            udl: udl as u8,
            data,
        })
    }

    /// 8-bit data or UCS-2 octets after an optional header.
    pub fn octets(data: Vec<u8>, udh: Option<Udh>) -> Result<Self> {
        let hlen = udh.as_ref().map_or(0, Udh::encoded_len);
        if hlen + data.len() > MAX_UD_OCTETS {
            return Err(Error::new("tp_ud", 0, Reason::TooLong));
        }
        Ok(UserData {
            udh,
            udl: (hlen + data.len()) as u8,
            data,
        })
    }

    /// UCS-2 text after an optional header.
    pub fn ucs2(text: &str, udh: Option<Udh>) -> Result<Self> {
        Self::octets(ucs2::encode(text), udh)
    }

    /// Octets of TP-UDL and TP-UD.
    pub fn encoded_len(&self) -> usize {
        1 + self.udh.as_ref().map_or(0, Udh::encoded_len) + self.data.len()
    }

    /// Appends TP-UDL and TP-UD.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        out.push(self.udl);
        if let Some(h) = &self.udh {
            // A header of more than 255 octets cannot come from decoding; a hand-built one is
            // truncated by UDHL's width.
            let _ = h.encode_into(out);
        }
        out.extend_from_slice(&self.data);
    }

    /// Reads TP-UDL and TP-UD to the end of `r`. `udhi` is TP-UDHI; `dcs` decides whether
    /// TP-UDL counts septets.
    pub fn decode(r: &mut Reader<'_>, udhi: bool, dcs: Dcs) -> Result<Self> {
        let udl_at = r.offset();
        let udl = r.u8("tp_udl")?;
        let septets = dcs.alphabet() == Alphabet::Gsm7;
        let octets = if septets {
            (usize::from(udl) * 7).div_ceil(8)
        } else {
            usize::from(udl)
        };
        // 9.2.3.16: TP-UD is at most 140 octets, and TP-UDL must agree with it.
        if octets > MAX_UD_OCTETS {
            return Err(Error::new("tp_udl", udl_at, Reason::TooLong));
        }
        if r.remaining() != octets {
            let reason = if r.remaining() < octets {
                Reason::BadLength
            } else {
                Reason::TrailingBytes
            };
            return Err(Error::new("tp_udl", udl_at, reason));
        }
        let ud_at = r.offset();
        let ud = r.rest();
        let (udh, hlen) = if udhi {
            let (h, n) = Udh::decode(ud).map_err(|e| e.shifted(ud_at))?;
            // 9.2.3.24: the header lies within TP-UD as TP-UDL counts it.
            let within = if septets {
                n * 8 <= usize::from(udl) * 7
            } else {
                n <= usize::from(udl)
            };
            if !within {
                return Err(Error::new("udhl", ud_at, Reason::BadLength));
            }
            (Some(h), n)
        } else {
            (None, 0)
        };
        Ok(UserData {
            udh,
            udl,
            data: ud[hlen..].to_vec(),
        })
    }

    /// The text: `None` for 8-bit data, compressed text, a national language table other than
    /// the default (not implemented), or octets that do not decode.
    pub fn text(&self, dcs: Dcs) -> Option<String> {
        if dcs.compressed() {
            return None;
        }
        let hlen = self.udh.as_ref().map_or(0, Udh::encoded_len);
        match dcs.alphabet() {
            Alphabet::Gsm7 => {
                if let Some(h) = &self.udh {
                    if h.national_language() != (None, None)
                        && h.national_language() != (Some(0), Some(0))
                    {
                        return None;
                    }
                }
                let count = usize::from(self.udl).checked_sub(udh::udh_septets(hlen))?;
                let s = gsm7::unpack(&self.data, udh::fill_bits(hlen), count).ok()?;
                gsm7::decode(&s).ok()
            }
            Alphabet::Ucs2 => ucs2::decode(&self.data).ok(),
            Alphabet::Eight => None,
        }
    }
}

/// TP-PI and the parameters it announces (TS 23.040 9.2.3.27), as the reports and the
/// SMS-STATUS-REPORT carry them.
///
/// ```text
/// TP-PI: bit 8 extension (another TP-PI octet follows), bits 7-4 reserved,
///        bit 3 TP-UDL present, bit 2 TP-DCS present, bit 1 TP-PID present
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PiFields {
    /// TP-PI octets as received (usually one).
    pub pi: Vec<u8>,
    /// TP-PID, when TP-PI announces it.
    pub pid: Option<u8>,
    /// TP-DCS, when TP-PI announces it.
    pub dcs: Option<Dcs>,
    /// TP-UDL and TP-UD, when TP-PI announces them.
    pub ud: Option<UserData>,
}

impl Default for PiFields {
    /// TP-PI 0: no optional parameter.
    fn default() -> Self {
        PiFields {
            pi: vec![0],
            pid: None,
            dcs: None,
            ud: None,
        }
    }
}

impl PiFields {
    /// The fields with a TP-PI built from what is present.
    pub fn new(pid: Option<u8>, dcs: Option<Dcs>, ud: Option<UserData>) -> Self {
        let pi = u8::from(pid.is_some())
            | (u8::from(dcs.is_some()) << 1)
            | (u8::from(ud.is_some()) << 2);
        PiFields {
            pi: vec![pi],
            pid,
            dcs,
            ud,
        }
    }

    /// TP-UDHI as these fields imply it.
    pub fn udhi(&self) -> bool {
        self.ud.as_ref().is_some_and(|u| u.udh.is_some())
    }

    /// Octets on the wire.
    pub fn encoded_len(&self) -> usize {
        self.pi.len()
            + usize::from(self.pid.is_some())
            + usize::from(self.dcs.is_some())
            + self.ud.as_ref().map_or(0, UserData::encoded_len)
    }

    /// Appends TP-PI and the parameters.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.pi);
        self.encode_params(out);
    }

    /// Appends the parameters TP-PI announces (without TP-PI).
    pub fn encode_params(&self, out: &mut Vec<u8>) {
        out.extend(self.pid);
        out.extend(self.dcs.map(|d| d.0));
        if let Some(ud) = &self.ud {
            ud.encode_into(out);
        }
    }

    /// Reads TP-PI and what it announces, to the end of `r`.
    pub fn decode(r: &mut Reader<'_>, udhi: bool) -> Result<Self> {
        let pi = Self::decode_pi(r)?;
        Self::decode_params(r, pi, udhi)
    }

    /// Reads the TP-PI octets (more follow while bit 8 is set).
    pub fn decode_pi(r: &mut Reader<'_>) -> Result<Vec<u8>> {
        let mut pi = vec![r.u8("tp_pi")?];
        while pi.last().is_some_and(|o| o & 0x80 != 0) {
            pi.push(r.u8("tp_pi")?);
        }
        Ok(pi)
    }

    /// Reads what TP-PI announces, to the end of `r`.
    pub fn decode_params(r: &mut Reader<'_>, pi: Vec<u8>, udhi: bool) -> Result<Self> {
        let first = pi[0];
        let pid = if first & 1 != 0 {
            Some(r.u8("tp_pid")?)
        } else {
            None
        };
        let dcs = if first & 2 != 0 {
            Some(Dcs(r.u8("tp_dcs")?))
        } else {
            None
        };
        let ud = if first & 4 != 0 {
            Some(UserData::decode(r, udhi, dcs.unwrap_or_default())?)
        } else {
            // 9.2.3.27 and 9.2.3.23: without TP-UDL there is no TP-UD, hence no header.
            if udhi {
                return Err(r.error("tp_udhi", Reason::BadValue));
            }
            None
        };
        r.expect_end("tp_pi")?;
        Ok(PiFields { pi, pid, dcs, ud })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hex;
    use crate::text::Ie;

    #[test]
    fn parses_7bit_text() {
        let b = hex::decode("0ae8329bfd4697d9ec37").unwrap();
        let ud = UserData::decode(&mut Reader::new(&b), false, Dcs(0)).unwrap();
        assert_eq!(ud.text(Dcs(0)).unwrap(), "hellohello");
        assert_eq!(ud, UserData::gsm7("hellohello", None).unwrap());
    }

    #[test]
    fn emits_7bit_text_after_udh_with_fill_bit() {
        let h = Udh::new(vec![Ie::Concat8 {
            reference: 0x2a,
            total: 2,
            seq: 1,
        }]);
        let ud = UserData::gsm7("hello", Some(h)).unwrap();
        // 6-octet header = 7 septets (48 bits + 1 fill bit); 5 characters.
        assert_eq!(ud.udl, 12);
        let mut out = Vec::new();
        ud.encode_into(&mut out);
        assert_eq!(hex::encode(&out), "0c0500032a0201d06536fb0d");
        let back = UserData::decode(&mut Reader::new(&out[..]), true, Dcs(0)).unwrap();
        assert_eq!(back.text(Dcs(0)).unwrap(), "hello");
        assert_eq!(back, ud);
    }

    #[test]
    fn parses_ucs2_and_8bit() {
        let ud = UserData::ucs2("Привет", None).unwrap();
        assert_eq!(ud.text(Dcs(0x08)).unwrap(), "Привет");
        assert_eq!(
            UserData::octets(vec![1, 2], None).unwrap().text(Dcs(0x04)),
            None
        );
    }

    #[test]
    fn rejects_udl_disagreeing_with_octets() {
        // 7-bit: UDL 10 needs 9 octets.
        let e = UserData::decode(
            &mut Reader::new(&hex::decode("0ae8329bfd4697d9ec").unwrap()),
            false,
            Dcs(0),
        )
        .unwrap_err();
        assert_eq!(
            (e.field, e.offset, e.reason),
            ("tp_udl", 0, Reason::BadLength)
        );
        // UCS2 overrun (tshark does not flag this one).
        let e = UserData::decode(
            &mut Reader::new(&hex::decode("04 0041").unwrap()),
            false,
            Dcs(8),
        )
        .unwrap_err();
        assert_eq!(e.reason, Reason::BadLength);
        let e = UserData::decode(
            &mut Reader::new(&hex::decode("01 4142").unwrap()),
            false,
            Dcs(4),
        )
        .unwrap_err();
        assert_eq!(e.reason, Reason::TrailingBytes);
        // A header longer than TP-UDL says.
        let e = UserData::decode(
            &mut Reader::new(&hex::decode("03 0500032a02").unwrap()),
            true,
            Dcs(4),
        )
        .unwrap_err();
        assert!(e.reason == Reason::TrailingBytes || e.field == "udhl");
        let e = UserData::decode(&mut Reader::new(&hex::decode("ff").unwrap()), false, Dcs(4))
            .unwrap_err();
        assert_eq!(e.reason, Reason::TooLong);
    }
}
