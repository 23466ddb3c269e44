//! The user data header (3GPP TS 23.040 section 9.2.3.24): a length octet (UDHL) followed by
//! information elements, each `IEI, IEDL, data`. It prefixes the user data of an SMS TPDU when
//! TP-UDHI is set, and the `short_message` of an SMPP PDU when `esm_class` has UDHI (0x40).
//!
//! Elements the codec knows are typed; any other element, and a known one whose length is not
//! the one the specification gives, is kept as [`Ie::Other`] and re-emitted byte for byte.

use crate::error::{Error, Reason, Result};
use crate::reader::Reader;

/// IEI of the concatenated short message element, 8-bit reference (TS 23.040 9.2.3.24.1).
pub const IEI_CONCAT_8: u8 = 0x00;
/// IEI of the application port addressing element, 8-bit ports (9.2.3.24.3).
pub const IEI_APP_PORT_8: u8 = 0x04;
/// IEI of the application port addressing element, 16-bit ports (9.2.3.24.4).
pub const IEI_APP_PORT_16: u8 = 0x05;
/// IEI of the concatenated short message element, 16-bit reference (9.2.3.24.8).
pub const IEI_CONCAT_16: u8 = 0x08;
/// IEI of the national language single shift element (9.2.3.24.15).
pub const IEI_NATIONAL_SINGLE_SHIFT: u8 = 0x24;
/// IEI of the national language locking shift element (9.2.3.24.16).
pub const IEI_NATIONAL_LOCKING_SHIFT: u8 = 0x25;

/// One information element.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Ie {
    /// IEI 0x00: concatenated short message, 8-bit reference number (9.2.3.24.1).
    Concat8 {
        /// Concatenated short message reference number.
        reference: u8,
        /// Maximum number of short messages in the concatenated message.
        total: u8,
        /// Sequence number of this short message (1-based).
        seq: u8,
    },
    /// IEI 0x08: concatenated short message, 16-bit reference number (9.2.3.24.8).
    Concat16 {
        /// Concatenated short message reference number.
        reference: u16,
        /// Maximum number of short messages in the concatenated message.
        total: u8,
        /// Sequence number of this short message (1-based).
        seq: u8,
    },
    /// IEI 0x04: application port addressing, 8-bit addresses (9.2.3.24.3).
    AppPort8 {
        /// Destination port.
        dest: u8,
        /// Originator port.
        orig: u8,
    },
    /// IEI 0x05: application port addressing, 16-bit addresses (9.2.3.24.4).
    AppPort16 {
        /// Destination port.
        dest: u16,
        /// Originator port.
        orig: u16,
    },
    /// IEI 0x24: national language single shift table (9.2.3.24.15; TS 23.038 A.2).
    NationalSingleShift(u8),
    /// IEI 0x25: national language locking shift table (9.2.3.24.16; TS 23.038 A.3).
    NationalLockingShift(u8),
    /// Any other element, or a known IEI with a length the specification does not give.
    Other {
        /// Information element identifier.
        iei: u8,
        /// The element data (IEDL octets).
        data: Vec<u8>,
    },
}

impl Ie {
    /// The information element identifier.
    pub fn iei(&self) -> u8 {
        match self {
            Ie::Concat8 { .. } => IEI_CONCAT_8,
            Ie::Concat16 { .. } => IEI_CONCAT_16,
            Ie::AppPort8 { .. } => IEI_APP_PORT_8,
            Ie::AppPort16 { .. } => IEI_APP_PORT_16,
            Ie::NationalSingleShift(_) => IEI_NATIONAL_SINGLE_SHIFT,
            Ie::NationalLockingShift(_) => IEI_NATIONAL_LOCKING_SHIFT,
            Ie::Other { iei, .. } => *iei,
        }
    }

    /// A short name for the element (used by the JSON form).
    pub fn name(&self) -> Option<&'static str> {
        Some(match self {
            Ie::Concat8 { .. } => "concatenated_sm_8bit",
            Ie::Concat16 { .. } => "concatenated_sm_16bit",
            Ie::AppPort8 { .. } => "application_port_8bit",
            Ie::AppPort16 { .. } => "application_port_16bit",
            Ie::NationalSingleShift(_) => "national_language_single_shift",
            Ie::NationalLockingShift(_) => "national_language_locking_shift",
            Ie::Other { .. } => return None,
        })
    }

    /// The element data as on the wire (without IEI and IEDL).
    pub fn data(&self) -> Vec<u8> {
        match self {
            Ie::Concat8 {
                reference,
                total,
                seq,
            } => vec![*reference, *total, *seq],
            Ie::Concat16 {
                reference,
                total,
                seq,
            } => {
                let r = reference.to_be_bytes();
                vec![r[0], r[1], *total, *seq]
            }
            Ie::AppPort8 { dest, orig } => vec![*dest, *orig],
            Ie::AppPort16 { dest, orig } => {
                let (d, o) = (dest.to_be_bytes(), orig.to_be_bytes());
                vec![d[0], d[1], o[0], o[1]]
            }
            Ie::NationalSingleShift(v) | Ie::NationalLockingShift(v) => vec![*v],
            Ie::Other { data, .. } => data.clone(),
        }
    }

    /// Octets this element takes: IEI, IEDL and data.
    pub fn encoded_len(&self) -> usize {
        2 + match self {
            Ie::Concat8 { .. } => 3,
            Ie::Concat16 { .. } | Ie::AppPort16 { .. } => 4,
            Ie::AppPort8 { .. } => 2,
            Ie::NationalSingleShift(_) | Ie::NationalLockingShift(_) => 1,
            Ie::Other { data, .. } => data.len(),
        }
    }

    /// Builds the typed element for `iei` and `data`, or `Other` when the length is not the
    /// specified one.
    pub fn from_parts(iei: u8, data: &[u8]) -> Ie {
        match (iei, data) {
            (IEI_CONCAT_8, &[reference, total, seq]) => Ie::Concat8 {
                reference,
                total,
                seq,
            },
            (IEI_CONCAT_16, &[r0, r1, total, seq]) => Ie::Concat16 {
                reference: u16::from_be_bytes([r0, r1]),
                total,
                seq,
            },
            (IEI_APP_PORT_8, &[dest, orig]) => Ie::AppPort8 { dest, orig },
            (IEI_APP_PORT_16, &[d0, d1, o0, o1]) => Ie::AppPort16 {
                dest: u16::from_be_bytes([d0, d1]),
                orig: u16::from_be_bytes([o0, o1]),
            },
            (IEI_NATIONAL_SINGLE_SHIFT, &[v]) => Ie::NationalSingleShift(v),
            (IEI_NATIONAL_LOCKING_SHIFT, &[v]) => Ie::NationalLockingShift(v),
            _ => Ie::Other {
                iei,
                data: data.to_vec(),
            },
        }
    }
}

/// Concatenation information from either concatenation element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Concat {
    /// Reference number (8-bit references are widened).
    pub reference: u16,
    /// Number of parts.
    pub total: u8,
    /// This part's 1-based sequence number.
    pub seq: u8,
}

/// A user data header: the list of its information elements in wire order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Udh {
    /// Information elements, in wire order.
    pub ies: Vec<Ie>,
}

impl Udh {
    /// A header with the given elements.
    pub fn new(ies: Vec<Ie>) -> Self {
        Udh { ies }
    }

    /// Decodes the header at the start of `ud` (which begins with UDHL). Returns the header and
    /// the number of octets it takes (1 + UDHL). Offsets in errors count from the start of `ud`.
    pub fn decode(ud: &[u8]) -> Result<(Udh, usize)> {
        let mut r = Reader::new(ud);
        let udhl = usize::from(r.u8("udhl")?);
        let mut h = r.sub(udhl, "udhl")?;
        let mut ies = Vec::new();
        while !h.is_empty() {
            let iei = h.u8("udh.iei")?;
            let iedl = usize::from(h.u8("udh.iedl")?);
            // TS 23.040 9.2.3.24: the element must lie within UDHL.
            let data = h.take(iedl, "udh.iedl")?;
            ies.push(Ie::from_parts(iei, data));
        }
        Ok((Udh { ies }, 1 + udhl))
    }

    /// Octets the header takes, UDHL included.
    pub fn encoded_len(&self) -> usize {
        1 + self.ies.iter().map(Ie::encoded_len).sum::<usize>()
    }

    /// Appends UDHL and the elements to `out`. Fails when the elements exceed the 255 octets a
    /// UDHL can count, or an element's data exceeds 255 octets.
    pub fn encode_into(&self, out: &mut Vec<u8>) -> Result<()> {
        let udhl = self.encoded_len() - 1;
        let udhl = u8::try_from(udhl).map_err(|_| Error::new("udhl", 0, Reason::TooLong))?;
        out.push(udhl);
        for ie in &self.ies {
            let data = ie.data();
            let iedl =
                u8::try_from(data.len()).map_err(|_| Error::new("udh.iedl", 0, Reason::TooLong))?;
            out.push(ie.iei());
            out.push(iedl);
            out.extend_from_slice(&data);
        }
        Ok(())
    }

    /// The encoded header.
    pub fn encode(&self) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(self.encoded_len());
        self.encode_into(&mut out)?;
        Ok(out)
    }

    /// The first concatenation element (8- or 16-bit reference), if any.
    pub fn concat(&self) -> Option<Concat> {
        self.ies.iter().find_map(|ie| match *ie {
            Ie::Concat8 {
                reference,
                total,
                seq,
            } => Some(Concat {
                reference: u16::from(reference),
                total,
                seq,
            }),
            Ie::Concat16 {
                reference,
                total,
                seq,
            } => Some(Concat {
                reference,
                total,
                seq,
            }),
            _ => None,
        })
    }

    /// The national language single and locking shift table identifiers, if present.
    pub fn national_language(&self) -> (Option<u8>, Option<u8>) {
        let single = self.ies.iter().find_map(|ie| match *ie {
            Ie::NationalSingleShift(v) => Some(v),
            _ => None,
        });
        let locking = self.ies.iter().find_map(|ie| match *ie {
            Ie::NationalLockingShift(v) => Some(v),
            _ => None,
        });
        (single, locking)
    }

    /// Fill bits that 7-bit text needs after this header (see [`fill_bits`]).
    pub fn fill_bits(&self) -> u8 {
        fill_bits(self.encoded_len())
    }
}

/// Fill bits between a user data header of `udh_len` octets (UDHL included) and the first septet
/// of 7-bit text, so that the text starts on a septet boundary (TS 23.040 9.2.3.24, figure
/// 9.2.3.24 (a)). A 6-octet header (8-bit concatenation) needs 1 fill bit.
pub const fn fill_bits(udh_len: usize) -> u8 {
    if udh_len == 0 {
        0
    } else {
        ((7 - (udh_len * 8) % 7) % 7) as u8
    }
}

/// Septets that a user data header of `udh_len` octets takes in TP-UDL for 7-bit text (header
/// bits plus fill bits, in septets).
pub const fn udh_septets(udh_len: usize) -> usize {
    (udh_len * 8).div_ceil(7)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hex;
    use proptest::prelude::*;

    #[test]
    fn parses_concat_and_ports() {
        let b = hex::decode("0b 0003 2a0201 0504 0b841234 2401 01").unwrap();
        // UDHL 0x0b = 11 octets: 00 03 2a 02 01 | 05 04 0b 84 12 34; then "24 01 01" is text.
        let (h, n) = Udh::decode(&b).unwrap();
        assert_eq!(n, 12);
        assert_eq!(
            h.ies,
            vec![
                Ie::Concat8 {
                    reference: 0x2a,
                    total: 2,
                    seq: 1
                },
                Ie::AppPort16 {
                    dest: 0x0b84,
                    orig: 0x1234
                },
            ]
        );
        assert_eq!(
            h.concat(),
            Some(Concat {
                reference: 0x2a,
                total: 2,
                seq: 1
            })
        );
        assert_eq!(h.encode().unwrap(), b[..12]);
    }

    #[test]
    fn parses_national_language_shifts() {
        let b = hex::decode("06 2401 01 2501 01").unwrap();
        let (h, _) = Udh::decode(&b).unwrap();
        assert_eq!(h.national_language(), (Some(1), Some(1)));
    }

    #[test]
    fn keeps_known_iei_with_wrong_length_raw() {
        let b = hex::decode("04 0002 2a02").unwrap();
        let (h, _) = Udh::decode(&b).unwrap();
        assert_eq!(
            h.ies,
            vec![Ie::Other {
                iei: 0,
                data: vec![0x2a, 2]
            }]
        );
        assert_eq!(h.encode().unwrap(), b);
    }

    #[test]
    fn emits_concat16() {
        let h = Udh::new(vec![Ie::Concat16 {
            reference: 0x1234,
            total: 3,
            seq: 2,
        }]);
        assert_eq!(
            hex::encode(&h.encode().unwrap()),
            "0608041234".to_string() + "0302"
        );
        assert_eq!(h.fill_bits(), 0);
    }

    #[test]
    fn rejects_element_past_udhl() {
        let e = Udh::decode(&hex::decode("05 0004 2a0201").unwrap()).unwrap_err();
        assert_eq!((e.field, e.reason), ("udh.iedl", Reason::Truncated));
        let e = Udh::decode(&hex::decode("06 000301").unwrap()).unwrap_err();
        assert_eq!((e.field, e.reason), ("udhl", Reason::Truncated));
    }

    #[test]
    fn fill_bits_follow_23040() {
        assert_eq!(fill_bits(6), 1); // 48 bits -> 49
        assert_eq!(fill_bits(7), 0); // 56 bits
        assert_eq!(fill_bits(5), 2); // 40 bits -> 42
        assert_eq!(udh_septets(6), 7);
        assert_eq!(udh_septets(7), 8);
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic_and_round_trip(v in proptest::collection::vec(any::<u8>(), 0..64)) {
            if let Ok((h, n)) = Udh::decode(&v) {
                prop_assert_eq!(h.encode().unwrap(), &v[..n]);
            }
        }
    }
}
