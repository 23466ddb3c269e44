//! SMS transfer protocol data units (3GPP TS 23.040 9.2): SMS-DELIVER, SMS-DELIVER-REPORT,
//! SMS-SUBMIT, SMS-SUBMIT-REPORT, SMS-STATUS-REPORT and SMS-COMMAND, with TP-DCS in all its
//! groups, TP-VP in relative, absolute and enhanced forms, time stamps with time zone, and user
//! data headers (concatenation, application ports, national language shifts) with the fill bits
//! 7-bit text needs after them. The text code is shared with SMPP ([`crate::text`]).
//!
//! TP-MTI means different TPDUs in the two directions (9.2.3.1), so decoding needs the
//! direction: [`Tpdu::decode`] with [`Direction::ScToMs`] (what mt-forwardSM carries) or
//! [`Direction::MsToSc`] (what mo-forwardSM carries).

pub mod command;
pub mod deliver;
pub mod fields;
pub mod status;
pub mod submit;
pub mod user_data;

pub use command::Command;
pub use deliver::{Deliver, DeliverReport};
pub use fields::{Address, Alphabet, Dcs, Timestamp, ValidityPeriod};
pub use status::StatusReport;
pub use submit::{Submit, SubmitReport};
pub use user_data::{PiFields, UserData};

use crate::error::{Error, Reason, Result};
use crate::reader::Reader;

/// Which way a TPDU travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Service centre to mobile station: SMS-DELIVER, SMS-SUBMIT-REPORT, SMS-STATUS-REPORT.
    ScToMs,
    /// Mobile station to service centre: SMS-SUBMIT, SMS-DELIVER-REPORT, SMS-COMMAND.
    MsToSc,
}

/// An SMS TPDU.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Tpdu {
    /// SMS-DELIVER.
    Deliver(Deliver),
    /// SMS-DELIVER-REPORT.
    DeliverReport(DeliverReport),
    /// SMS-SUBMIT.
    Submit(Submit),
    /// SMS-SUBMIT-REPORT.
    SubmitReport(SubmitReport),
    /// SMS-STATUS-REPORT.
    StatusReport(StatusReport),
    /// SMS-COMMAND.
    Command(Command),
}

impl Tpdu {
    /// Decodes the TPDU that is all of `buf`, travelling in `dir`.
    pub fn decode(buf: &[u8], dir: Direction) -> Result<Tpdu> {
        let mut r = Reader::new(buf);
        let first = r.u8("tp_mti")?;
        let t = match (dir, first & 3) {
            (Direction::ScToMs, 0) => Tpdu::Deliver(Deliver::decode(&mut r, first)?),
            (Direction::ScToMs, 1) => Tpdu::SubmitReport(SubmitReport::decode(&mut r, first)?),
            (Direction::ScToMs, 2) => Tpdu::StatusReport(StatusReport::decode(&mut r, first)?),
            (Direction::MsToSc, 0) => Tpdu::DeliverReport(DeliverReport::decode(&mut r, first)?),
            (Direction::MsToSc, 1) => Tpdu::Submit(Submit::decode(&mut r, first)?),
            (Direction::MsToSc, 2) => Tpdu::Command(Command::decode(&mut r, first)?),
            // 9.2.3.1: TP-MTI 11 is reserved.
            _ => return Err(Error::new("tp_mti", 0, Reason::Unsupported)),
        };
        r.expect_end("tpdu")?;
        Ok(t)
    }

    /// The direction the TPDU travels in.
    pub fn direction(&self) -> Direction {
        match self {
            Tpdu::Deliver(_) | Tpdu::SubmitReport(_) | Tpdu::StatusReport(_) => Direction::ScToMs,
            _ => Direction::MsToSc,
        }
    }

    /// The TS 23.040 name (`SMS-DELIVER`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            Tpdu::Deliver(_) => "SMS-DELIVER",
            Tpdu::DeliverReport(_) => "SMS-DELIVER-REPORT",
            Tpdu::Submit(_) => "SMS-SUBMIT",
            Tpdu::SubmitReport(_) => "SMS-SUBMIT-REPORT",
            Tpdu::StatusReport(_) => "SMS-STATUS-REPORT",
            Tpdu::Command(_) => "SMS-COMMAND",
        }
    }

    /// Octets of the TPDU.
    pub fn encoded_len(&self) -> usize {
        match self {
            Tpdu::Deliver(t) => t.encoded_len(),
            Tpdu::DeliverReport(t) => t.encoded_len(),
            Tpdu::Submit(t) => t.encoded_len(),
            Tpdu::SubmitReport(t) => t.encoded_len(),
            Tpdu::StatusReport(t) => t.encoded_len(),
            Tpdu::Command(t) => t.encoded_len(),
        }
    }

    /// Appends the TPDU.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        match self {
            Tpdu::Deliver(t) => t.encode_into(out),
            Tpdu::DeliverReport(t) => t.encode_into(out),
            Tpdu::Submit(t) => t.encode_into(out),
            Tpdu::SubmitReport(t) => t.encode_into(out),
            Tpdu::StatusReport(t) => t.encode_into(out),
            Tpdu::Command(t) => t.encode_into(out),
        }
    }

    /// The TPDU's octets.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.encoded_len());
        self.encode_into(&mut out);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hex;
    use crate::text::{Ie, Udh};
    use proptest::prelude::*;

    // shared/oracles/gen_samples.py sms_deliver() and sms_submit(), built there by hand.
    const DELIVER: &str = "040c914477000990990000421010214365000ae8329bfd4697d9ec37";
    const SUBMIT: &str = "11050c914477000910320000a70ae8329bfd4697d9ec37";

    fn rt(h: &str, dir: Direction) -> Tpdu {
        let b = hex::decode(h).unwrap();
        let t = Tpdu::decode(&b, dir).unwrap();
        assert_eq!(hex::encode(&t.encode()), hex::encode(&b), "{}", t.name());
        assert_eq!(t.encoded_len(), b.len());
        t
    }

    #[test]
    fn parses_deliver_of_gen_samples() {
        let Tpdu::Deliver(d) = rt(DELIVER, Direction::ScToMs) else {
            panic!()
        };
        assert_eq!(d.oa.number().unwrap(), "447700900999");
        assert_eq!(d.scts.iso().unwrap(), "2024-01-01T12:34:56+00:00");
        assert_eq!(d.ud.text(d.dcs).unwrap(), "hellohello");
        assert!(d.mms);
        let built = Deliver::new(
            Address::international("447700900999").unwrap(),
            Dcs(0),
            Timestamp::new(24, 1, 1, 12, 34, 56, 0),
            UserData::gsm7("hellohello", None).unwrap(),
        );
        assert_eq!(hex::encode(&Tpdu::Deliver(built).encode()), DELIVER);
    }

    #[test]
    fn parses_submit_of_gen_samples() {
        let Tpdu::Submit(s) = rt(SUBMIT, Direction::MsToSc) else {
            panic!()
        };
        assert_eq!((s.mr, s.vp), (5, ValidityPeriod::Relative(0xa7)));
        assert_eq!(s.da.number().unwrap(), "447700900123");
        assert_eq!(s.ud.text(s.dcs).unwrap(), "hellohello");
    }

    #[test]
    fn parses_every_other_tpdu() {
        // SMS-SUBMIT with absolute VP, UCS2, concatenation header.
        let ud = UserData::ucs2(
            "Привет",
            Some(Udh::new(vec![Ie::Concat16 {
                reference: 0x1234,
                total: 2,
                seq: 1,
            }])),
        )
        .unwrap();
        let s = Submit::new(
            7,
            Address::alphanumeric("ACME").unwrap(),
            Dcs(0x08),
            ValidityPeriod::Absolute(Timestamp::new(24, 6, 30, 23, 0, 0, -20)),
            ud,
        );
        rt(&hex::encode(&Tpdu::Submit(s).encode()), Direction::MsToSc);
        // Enhanced VP.
        let s = Submit::new(
            1,
            Address::international("123").unwrap(),
            Dcs(0),
            ValidityPeriod::Enhanced([0x02, 0x3c, 0, 0, 0, 0, 0]),
            UserData::gsm7("x", None).unwrap(),
        );
        rt(&hex::encode(&Tpdu::Submit(s).encode()), Direction::MsToSc);
        // SMS-STATUS-REPORT without and with the optional part.
        let sr = "0605 0c91447700909999 42101021436500 42101021436500 00";
        let Tpdu::StatusReport(r) = rt(&sr.replace(' ', ""), Direction::ScToMs) else {
            panic!()
        };
        assert_eq!((r.mr, r.st, r.params.is_none()), (5, 0, true));
        rt(&format!("{}0400", sr.replace(' ', "")), Direction::ScToMs);
        // SMS-DELIVER-REPORT: RP-ACK (TP-PI 0) and RP-ERROR (TP-FCS 0xd2 memory exceeded).
        let Tpdu::DeliverReport(d) = rt("0000", Direction::MsToSc) else {
            panic!()
        };
        assert_eq!(d.fcs, None);
        let Tpdu::DeliverReport(d) = rt("00d20103", Direction::MsToSc) else {
            panic!()
        };
        assert_eq!((d.fcs, d.params.pid), (Some(0xd2), Some(3)));
        // SMS-SUBMIT-REPORT: TP-PI before TP-SCTS, then TP-PID.
        let Tpdu::SubmitReport(s) = rt(
            "01 01 42101021436500 7f".replace(' ', "").as_str(),
            Direction::ScToMs,
        ) else {
            panic!()
        };
        assert_eq!((s.fcs, s.params.pid), (None, Some(0x7f)));
        rt(
            "01 c5 00 42101021436500".replace(' ', "").as_str(),
            Direction::ScToMs,
        );
        // SMS-COMMAND: delete message 3.
        let Tpdu::Command(c) = rt(
            "0209 00 02 03 0c91447700909999 00"
                .replace(' ', "")
                .as_str(),
            Direction::MsToSc,
        ) else {
            panic!()
        };
        assert_eq!((c.mr, c.ct, c.mn), (9, 2, 3));
    }

    #[test]
    fn rejects_reserved_mti_overruns_and_trailing_octets() {
        assert_eq!(
            Tpdu::decode(&[0x03], Direction::ScToMs).unwrap_err().field,
            "tp_mti"
        );
        let mut b = hex::decode(DELIVER).unwrap();
        b.pop();
        let e = Tpdu::decode(&b, Direction::ScToMs).unwrap_err();
        assert_eq!(
            (e.field, e.offset, e.reason),
            ("tp_udl", 18, Reason::BadLength)
        );
        let mut b = hex::decode(DELIVER).unwrap();
        b.push(0);
        assert_eq!(
            Tpdu::decode(&b, Direction::ScToMs).unwrap_err().reason,
            Reason::TrailingBytes
        );
        // TP-UDHI set with TP-UDL 0: no header can be there.
        let mut b =
            hex::decode(&"040c91447700099099000042101021436500 00".replace(' ', "")).unwrap();
        b[0] |= 0x40;
        assert!(Tpdu::decode(&b, Direction::ScToMs).is_err());
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic_and_round_trip(v in proptest::collection::vec(any::<u8>(), 0..80), sc in any::<bool>()) {
            let dir = if sc { Direction::ScToMs } else { Direction::MsToSc };
            if let Ok(t) = Tpdu::decode(&v, dir) {
                prop_assert_eq!(t.encode(), v);
            }
        }

        #[test]
        fn mutated_deliver_never_panics_and_round_trips(i in 0usize..40, x in any::<u8>()) {
            let mut b = hex::decode(DELIVER).unwrap();
            let i = i % b.len();
            b[i] = x;
            if let Ok(t) = Tpdu::decode(&b, Direction::ScToMs) {
                prop_assert_eq!(t.encode(), b);
            }
        }
    }
}
