//! SMS-COMMAND (TS 23.040 9.2.2.4).

use super::fields::Address;
use crate::error::{Error, Reason, Result};
use crate::reader::Reader;

/// SMS-COMMAND, MS to SC.
///
/// ```text
/// octet 1: spare (8) | TP-UDHI (7) | TP-SRR (6) | spare (5-3) | TP-MTI=10
/// TP-MR | TP-PID | TP-CT | TP-MN | TP-DA (2-12) | TP-CDL | TP-CD
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Command {
    /// TP-SRR.
    pub srr: bool,
    /// TP-UDHI (the command data may start with a header; it is kept in `cd`).
    pub udhi: bool,
    /// The spare bits of the first octet.
    pub spare: u8,
    /// TP-MR.
    pub mr: u8,
    /// TP-PID.
    pub pid: u8,
    /// TP-CT (9.2.3.19): 0 enquiry, 1 cancel status report request, 2 delete, 3 enable status
    /// report request.
    pub ct: u8,
    /// TP-MN: the message number the command is about.
    pub mn: u8,
    /// TP-DA.
    pub da: Address,
    /// TP-CD (TP-CDL is its length).
    pub cd: Vec<u8>,
}

impl Command {
    pub(super) fn decode(r: &mut Reader<'_>, first: u8) -> Result<Self> {
        let mr = r.u8("tp_mr")?;
        let pid = r.u8("tp_pid")?;
        let ct = r.u8("tp_ct")?;
        let mn = r.u8("tp_mn")?;
        let da = Address::decode(r, "tp_da")?;
        let at = r.offset();
        let cdl = usize::from(r.u8("tp_cdl")?);
        // 9.2.3.20: TP-CDL is the number of octets of TP-CD, at most 157.
        if cdl > 157 {
            return Err(Error::new("tp_cdl", at, Reason::TooLong));
        }
        if r.remaining() != cdl {
            let reason = if r.remaining() < cdl {
                Reason::BadLength
            } else {
                Reason::TrailingBytes
            };
            return Err(Error::new("tp_cdl", at, reason));
        }
        let cd = r.rest().to_vec();
        Ok(Command {
            srr: first & 0x20 != 0,
            udhi: first & 0x40 != 0,
            spare: first & 0x9c,
            mr,
            pid,
            ct,
            mn,
            da,
            cd,
        })
    }

    /// The first octet.
    pub fn first_octet(&self) -> u8 {
        0x02 | (u8::from(self.srr) << 5) | (u8::from(self.udhi) << 6) | (self.spare & 0x9c)
    }

    /// Octets of the TPDU.
    pub fn encoded_len(&self) -> usize {
        5 + self.da.encoded_len() + 1 + self.cd.len()
    }

    /// Appends the TPDU.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&[self.first_octet(), self.mr, self.pid, self.ct, self.mn]);
        self.da.encode_into(out);
        out.push(self.cd.len() as u8);
        out.extend_from_slice(&self.cd);
    }
}
