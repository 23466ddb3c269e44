//! SMS-DELIVER (TS 23.040 9.2.2.1) and SMS-DELIVER-REPORT (9.2.2.1a).

use super::fields::{Address, Dcs, Timestamp};
use super::user_data::{PiFields, UserData};
use crate::error::Result;
use crate::reader::Reader;

/// SMS-DELIVER, SC to MS.
///
/// ```text
/// octet 1: TP-RP (8) | TP-UDHI (7) | TP-SRI (6) | spare (5) | TP-LP (4) | TP-MMS (3) | TP-MTI=00
/// TP-OA (2-12) | TP-PID | TP-DCS | TP-SCTS (7) | TP-UDL | TP-UD
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Deliver {
    /// TP-MMS (bit 3): true = no more messages are waiting (9.2.3.2).
    pub mms: bool,
    /// TP-LP: loop prevention (9.2.3.28).
    pub lp: bool,
    /// TP-SRI: a status report shall be returned to the SME (9.2.3.4).
    pub sri: bool,
    /// TP-RP: reply path (9.2.3.17).
    pub rp: bool,
    /// The spare bit 5 of the first octet, kept so the TPDU passes through unchanged.
    pub spare: bool,
    /// TP-OA.
    pub oa: Address,
    /// TP-PID.
    pub pid: u8,
    /// TP-DCS.
    pub dcs: Dcs,
    /// TP-SCTS.
    pub scts: Timestamp,
    /// TP-UDL, TP-UD (TP-UDHI follows from its header).
    pub ud: UserData,
}

impl Deliver {
    /// An SMS-DELIVER with no more messages waiting.
    pub fn new(oa: Address, dcs: Dcs, scts: Timestamp, ud: UserData) -> Self {
        Deliver {
            mms: true,
            oa,
            dcs,
            scts,
            ud,
            ..Default::default()
        }
    }

    pub(super) fn decode(r: &mut Reader<'_>, first: u8) -> Result<Self> {
        let oa = Address::decode(r, "tp_oa")?;
        let pid = r.u8("tp_pid")?;
        let dcs = Dcs(r.u8("tp_dcs")?);
        let scts = Timestamp::decode(r, "tp_scts")?;
        let ud = UserData::decode(r, first & 0x40 != 0, dcs)?;
        Ok(Deliver {
            mms: first & 0x04 != 0,
            lp: first & 0x08 != 0,
            sri: first & 0x20 != 0,
            rp: first & 0x80 != 0,
            spare: first & 0x10 != 0,
            oa,
            pid,
            dcs,
            scts,
            ud,
        })
    }

    /// The first octet.
    pub fn first_octet(&self) -> u8 {
        (u8::from(self.mms) << 2)
            | (u8::from(self.lp) << 3)
            | (u8::from(self.spare) << 4)
            | (u8::from(self.sri) << 5)
            | (u8::from(self.ud.udh.is_some()) << 6)
            | (u8::from(self.rp) << 7)
    }

    /// Octets of the TPDU.
    pub fn encoded_len(&self) -> usize {
        1 + self.oa.encoded_len() + 2 + 7 + self.ud.encoded_len()
    }

    /// Appends the TPDU.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        out.push(self.first_octet());
        self.oa.encode_into(out);
        out.push(self.pid);
        out.push(self.dcs.0);
        out.extend_from_slice(&self.scts.0);
        self.ud.encode_into(out);
    }
}

/// SMS-DELIVER-REPORT, MS to SC, for RP-ACK (no TP-FCS) or RP-ERROR (with TP-FCS).
///
/// ```text
/// octet 1: spare (8) | TP-UDHI (7) | spare (6-3) | TP-MTI=00
/// [TP-FCS] | TP-PI | [TP-PID] [TP-DCS] [TP-UDL TP-UD]
/// ```
///
/// The TPDU alone does not say which: the RP layer does. The decoder reads an octet 2 of 0x80 or
/// above as TP-FCS (9.2.3.22: values 0x00-0x7F are reserved) and anything lower as TP-PI.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct DeliverReport {
    /// The spare bits of the first octet (all but MTI and UDHI).
    pub spare: u8,
    /// TP-FCS, for a report of an error.
    pub fcs: Option<u8>,
    /// TP-PI and its parameters.
    pub params: PiFields,
}

impl DeliverReport {
    pub(super) fn decode(r: &mut Reader<'_>, first: u8) -> Result<Self> {
        let fcs = match r.peek_u8() {
            Some(o) if o >= 0x80 => Some(r.u8("tp_fcs")?),
            _ => None,
        };
        let params = PiFields::decode(r, first & 0x40 != 0)?;
        Ok(DeliverReport {
            spare: first & 0xbc,
            fcs,
            params,
        })
    }

    /// The first octet.
    pub fn first_octet(&self) -> u8 {
        (self.spare & 0xbc) | (u8::from(self.params.udhi()) << 6)
    }

    /// Octets of the TPDU.
    pub fn encoded_len(&self) -> usize {
        1 + usize::from(self.fcs.is_some()) + self.params.encoded_len()
    }

    /// Appends the TPDU.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        out.push(self.first_octet());
        out.extend(self.fcs);
        self.params.encode_into(out);
    }
}
