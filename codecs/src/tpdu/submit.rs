//! SMS-SUBMIT (TS 23.040 9.2.2.2) and SMS-SUBMIT-REPORT (9.2.2.2a).

use super::fields::{Address, Dcs, Timestamp, ValidityPeriod};
use super::user_data::{PiFields, UserData};
use crate::error::Result;
use crate::reader::Reader;

/// SMS-SUBMIT, MS to SC.
///
/// ```text
/// octet 1: TP-RP (8) | TP-UDHI (7) | TP-SRR (6) | TP-VPF (5-4) | TP-RD (3) | TP-MTI=01
/// TP-MR | TP-DA (2-12) | TP-PID | TP-DCS | TP-VP (0, 1 or 7) | TP-UDL | TP-UD
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Submit {
    /// TP-RD: reject duplicates (9.2.3.25).
    pub rd: bool,
    /// TP-SRR: status report requested (9.2.3.5).
    pub srr: bool,
    /// TP-RP: reply path.
    pub rp: bool,
    /// TP-MR: message reference (9.2.3.6).
    pub mr: u8,
    /// TP-DA.
    pub da: Address,
    /// TP-PID.
    pub pid: u8,
    /// TP-DCS.
    pub dcs: Dcs,
    /// TP-VP (its format is TP-VPF).
    pub vp: ValidityPeriod,
    /// TP-UDL, TP-UD.
    pub ud: UserData,
}

impl Submit {
    /// An SMS-SUBMIT.
    pub fn new(mr: u8, da: Address, dcs: Dcs, vp: ValidityPeriod, ud: UserData) -> Self {
        Submit {
            mr,
            da,
            dcs,
            vp,
            ud,
            ..Default::default()
        }
    }

    pub(super) fn decode(r: &mut Reader<'_>, first: u8) -> Result<Self> {
        let mr = r.u8("tp_mr")?;
        let da = Address::decode(r, "tp_da")?;
        let pid = r.u8("tp_pid")?;
        let dcs = Dcs(r.u8("tp_dcs")?);
        let vp = ValidityPeriod::decode(r, (first >> 3) & 3)?;
        let ud = UserData::decode(r, first & 0x40 != 0, dcs)?;
        Ok(Submit {
            rd: first & 0x04 != 0,
            srr: first & 0x20 != 0,
            rp: first & 0x80 != 0,
            mr,
            da,
            pid,
            dcs,
            vp,
            ud,
        })
    }

    /// The first octet.
    pub fn first_octet(&self) -> u8 {
        0x01 | (u8::from(self.rd) << 2)
            | (self.vp.vpf() << 3)
            | (u8::from(self.srr) << 5)
            | (u8::from(self.ud.udh.is_some()) << 6)
            | (u8::from(self.rp) << 7)
    }

    /// Octets of the TPDU.
    pub fn encoded_len(&self) -> usize {
        2 + self.da.encoded_len() + 2 + self.vp.encoded_len() + self.ud.encoded_len()
    }

    /// Appends the TPDU.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        out.push(self.first_octet());
        out.push(self.mr);
        self.da.encode_into(out);
        out.push(self.pid);
        out.push(self.dcs.0);
        self.vp.encode_into(out);
        self.ud.encode_into(out);
    }
}

/// SMS-SUBMIT-REPORT, SC to MS, for RP-ACK or (with TP-FCS) RP-ERROR.
///
/// ```text
/// octet 1: spare (8) | TP-UDHI (7) | spare (6-3) | TP-MTI=01
/// [TP-FCS] | TP-PI | TP-SCTS (7) | [TP-PID] [TP-DCS] [TP-UDL TP-UD]
/// ```
///
/// As for SMS-DELIVER-REPORT, an octet 2 of 0x80 or above is read as TP-FCS.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct SubmitReport {
    /// The spare bits of the first octet.
    pub spare: u8,
    /// TP-FCS, for a report of an error.
    pub fcs: Option<u8>,
    /// TP-SCTS.
    pub scts: Timestamp,
    /// TP-PI and its parameters (TP-SCTS sits between TP-PI and them on the wire).
    pub params: PiFields,
}

impl SubmitReport {
    pub(super) fn decode(r: &mut Reader<'_>, first: u8) -> Result<Self> {
        let fcs = match r.peek_u8() {
            Some(o) if o >= 0x80 => Some(r.u8("tp_fcs")?),
            _ => None,
        };
        // TP-PI comes before TP-SCTS: read it, the time stamp, then what it announces.
        let pi = PiFields::decode_pi(r)?;
        let scts = Timestamp::decode(r, "tp_scts")?;
        let params = PiFields::decode_params(r, pi, first & 0x40 != 0)?;
        Ok(SubmitReport {
            spare: first & 0xbc,
            fcs,
            scts,
            params,
        })
    }

    /// The first octet.
    pub fn first_octet(&self) -> u8 {
        0x01 | (self.spare & 0xbc) | (u8::from(self.params.udhi()) << 6)
    }

    /// Octets of the TPDU.
    pub fn encoded_len(&self) -> usize {
        1 + usize::from(self.fcs.is_some()) + 7 + self.params.encoded_len()
    }

    /// Appends the TPDU.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        out.push(self.first_octet());
        out.extend(self.fcs);
        out.extend_from_slice(&self.params.pi);
        out.extend_from_slice(&self.scts.0);
        self.params.encode_params(out);
    }
}
