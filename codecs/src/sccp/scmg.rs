//! SCCP management messages (ITU-T Q.713 section 5.3), carried in the data of a UDT/XUDT
//! between the SCCP management subsystems (SSN 1).
//!
//! ```text
//! format identifier | affected SSN | affected PC (2, LSB first) | SMI | [congestion level]
//! ```

use crate::error::{Error, Reason, Result};
use crate::reader::Reader;

/// SCMG format identifiers (Q.713 5.3.1).
pub mod format {
    /// Subsystem allowed.
    pub const SSA: u8 = 0x01;
    /// Subsystem prohibited.
    pub const SSP: u8 = 0x02;
    /// Subsystem status test.
    pub const SST: u8 = 0x03;
    /// Subsystem out-of-service request.
    pub const SOR: u8 = 0x04;
    /// Subsystem out-of-service grant.
    pub const SOG: u8 = 0x05;
    /// SCCP/subsystem congested (only this one carries a congestion level).
    pub const SSC: u8 = 0x06;
}

/// The Q.713 abbreviation of a format identifier.
pub fn format_name(f: u8) -> Option<&'static str> {
    Some(match f {
        format::SSA => "SSA",
        format::SSP => "SSP",
        format::SST => "SST",
        format::SOR => "SOR",
        format::SOG => "SOG",
        format::SSC => "SSC",
        _ => return None,
    })
}

/// One SCMG message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Scmg {
    /// SCMG format identifier.
    pub format: u8,
    /// Affected subsystem number.
    pub affected_ssn: u8,
    /// Affected signalling point code (the two octets as on the wire, LSB first).
    pub affected_pc: u16,
    /// Subsystem multiplicity indicator octet.
    pub smi: u8,
    /// SCCP congestion level (SSC only).
    pub congestion_level: Option<u8>,
}

impl Scmg {
    /// Decodes the SCMG message that is all of `buf`.
    pub fn decode(buf: &[u8]) -> Result<Self> {
        let mut r = Reader::new(buf);
        let format = r.u8("scmg.format_identifier")?;
        if format_name(format).is_none() {
            return Err(Error::new("scmg.format_identifier", 0, Reason::Unsupported));
        }
        let affected_ssn = r.u8("scmg.affected_ssn")?;
        let affected_pc =
            u16::from_le_bytes([r.u8("scmg.affected_pc")?, r.u8("scmg.affected_pc")?]);
        let smi = r.u8("scmg.smi")?;
        let congestion_level = if format == format::SSC {
            Some(r.u8("scmg.congestion_level")?)
        } else {
            None
        };
        r.expect_end("scmg")?;
        Ok(Scmg {
            format,
            affected_ssn,
            affected_pc,
            smi,
            congestion_level,
        })
    }

    /// The encoded message.
    pub fn encode(&self) -> Vec<u8> {
        let pc = self.affected_pc.to_le_bytes();
        let mut v = vec![self.format, self.affected_ssn, pc[0], pc[1], self.smi];
        v.extend(self.congestion_level);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_emits_sst_and_ssc() {
        let b = [0x03, 0x08, 0x01, 0x20, 0x00];
        let m = Scmg::decode(&b).unwrap();
        assert_eq!(
            (m.format, m.affected_ssn, m.affected_pc, m.smi),
            (3, 8, 0x2001, 0)
        );
        assert_eq!(m.encode(), b);
        let b = [0x06, 0x08, 0x01, 0x20, 0x00, 0x05];
        assert_eq!(Scmg::decode(&b).unwrap().congestion_level, Some(5));
    }

    #[test]
    fn rejects_unknown_format_and_trailing() {
        assert_eq!(
            Scmg::decode(&[0x09, 8, 1, 0, 0]).unwrap_err().reason,
            Reason::Unsupported
        );
        assert_eq!(
            Scmg::decode(&[0x01, 8, 1, 0, 0, 0]).unwrap_err().reason,
            Reason::TrailingBytes
        );
    }
}
