//! SMS-STATUS-REPORT (TS 23.040 9.2.2.3).

use super::fields::{Address, Timestamp};
use super::user_data::PiFields;
use crate::error::Result;
use crate::reader::Reader;

/// SMS-STATUS-REPORT, SC to MS.
///
/// ```text
/// octet 1: spare (8) | TP-UDHI (7) | TP-SRQ (6) | spare (5) | TP-LP (4) | TP-MMS (3) | TP-MTI=10
/// TP-MR | TP-RA (2-12) | TP-SCTS (7) | TP-DT (7) | TP-ST | [TP-PI [TP-PID] [TP-DCS] [TP-UDL TP-UD]]
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct StatusReport {
    /// TP-MMS: true = no more messages waiting.
    pub mms: bool,
    /// TP-LP.
    pub lp: bool,
    /// TP-SRQ: the report is the result of an SMS-COMMAND (true) or an SMS-SUBMIT (false).
    pub srq: bool,
    /// The spare bits of the first octet (8 and 5).
    pub spare: u8,
    /// TP-MR of the message reported on.
    pub mr: u8,
    /// TP-RA: the recipient.
    pub ra: Address,
    /// TP-SCTS of the message reported on.
    pub scts: Timestamp,
    /// TP-DT: when the status was reached.
    pub dt: Timestamp,
    /// TP-ST (9.2.3.15): 0x00 delivered, 0x20-0x3F temporary, 0x40-0x6F permanent errors, ...
    pub st: u8,
    /// TP-PI and its parameters, when present (the TPDU may end after TP-ST).
    pub params: Option<PiFields>,
}

impl StatusReport {
    /// A status report on message `mr` to recipient `ra`, submitted at `scts`, that reached
    /// status `st` at `dt`; no optional parameters, no more messages waiting.
    pub fn new(mr: u8, ra: Address, scts: Timestamp, dt: Timestamp, st: u8) -> Self {
        StatusReport {
            mms: true,
            mr,
            ra,
            scts,
            dt,
            st,
            ..Default::default()
        }
    }

    pub(super) fn decode(r: &mut Reader<'_>, first: u8) -> Result<Self> {
        let mr = r.u8("tp_mr")?;
        let ra = Address::decode(r, "tp_ra")?;
        let scts = Timestamp::decode(r, "tp_scts")?;
        let dt = Timestamp::decode(r, "tp_dt")?;
        let st = r.u8("tp_st")?;
        let params = if r.is_empty() {
            if first & 0x40 != 0 {
                return Err(r.error("tp_udhi", crate::error::Reason::BadValue));
            }
            None
        } else {
            Some(PiFields::decode(r, first & 0x40 != 0)?)
        };
        Ok(StatusReport {
            mms: first & 0x04 != 0,
            lp: first & 0x08 != 0,
            srq: first & 0x20 != 0,
            spare: first & 0x90,
            mr,
            ra,
            scts,
            dt,
            st,
            params,
        })
    }

    /// The first octet.
    pub fn first_octet(&self) -> u8 {
        0x02 | (u8::from(self.mms) << 2)
            | (u8::from(self.lp) << 3)
            | (u8::from(self.srq) << 5)
            | (u8::from(self.params.as_ref().is_some_and(PiFields::udhi)) << 6)
            | (self.spare & 0x90)
    }

    /// Octets of the TPDU.
    pub fn encoded_len(&self) -> usize {
        2 + self.ra.encoded_len() + 15 + self.params.as_ref().map_or(0, PiFields::encoded_len)
    }

    /// Appends the TPDU.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        out.push(self.first_octet());
        out.push(self.mr);
        self.ra.encode_into(out);
        out.extend_from_slice(&self.scts.0);
        out.extend_from_slice(&self.dt.0);
        out.push(self.st);
        if let Some(p) = &self.params {
            p.encode_into(out);
        }
    }
}
