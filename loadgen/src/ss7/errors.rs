//! What the SS7 simulator answers instead of success: MAP error mixes (`--sri-errors`,
//! `--mt-errors`) and deterministic rules by MSISDN suffix (`--error-for`).
//!
//! Error names are the ASN.1 names of 3GPP TS 29.002 17.6.6 (MAP-Errors), as the codec prints
//! them (`absentSubscriberSM`, `sm-DeliveryFailure`, ...). Each operation only returns the
//! errors its ERRORS clause lists (29.002 17.6.5); anything else is refused at start-up:
//!
//! ```asn1
//! sendRoutingInfoForSM ERRORS { systemFailure | dataMissing | unexpectedDataValue |
//!   facilityNotSupported | unknownSubscriber | teleserviceNotProvisioned | callBarred |
//!   absentSubscriberSM }
//! mt-ForwardSM ERRORS { systemFailure | dataMissing | unexpectedDataValue | facilityNotSupported |
//!   unidentifiedSubscriber | illegalSubscriber | illegalEquipment | subscriberBusyForMT-SMS |
//!   sm-DeliveryFailure | absentSubscriberSM }
//! ```
//!
//! sm-DeliveryFailure carries an SM-EnumeratedDeliveryFailureCause (17.7.7), given after a
//! slash: `sm-DeliveryFailure/memoryCapacityExceeded` (default: memoryCapacityExceeded). The
//! pseudo-error `drop` answers nothing at all.

use crate::parse::ParseError;
use smsedge_codecs::ber::LenForm;
use smsedge_codecs::map::errors::{code, error_code, error_name};
use smsedge_codecs::map::{ErrorParam, MapError};
use std::fmt;
use std::str::FromStr;

/// The stage of a dialogue an error applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    /// sendRoutingInfoForSM at the HLR.
    Sri,
    /// mt-forwardSM (forwardSM in v1/v2) at the MSC.
    Mt,
}

impl Stage {
    fn allowed(self) -> &'static [i64] {
        match self {
            Stage::Sri => &[
                code::SYSTEM_FAILURE,
                code::DATA_MISSING,
                code::UNEXPECTED_DATA_VALUE,
                code::FACILITY_NOT_SUPPORTED,
                code::UNKNOWN_SUBSCRIBER,
                code::TELESERVICE_NOT_PROVISIONED,
                code::CALL_BARRED,
                code::ABSENT_SUBSCRIBER_SM,
            ],
            Stage::Mt => &[
                code::SYSTEM_FAILURE,
                code::DATA_MISSING,
                code::UNEXPECTED_DATA_VALUE,
                code::FACILITY_NOT_SUPPORTED,
                code::UNIDENTIFIED_SUBSCRIBER,
                code::ILLEGAL_SUBSCRIBER,
                code::ILLEGAL_EQUIPMENT,
                code::SUBSCRIBER_BUSY_FOR_MT_SMS,
                code::SM_DELIVERY_FAILURE,
                code::ABSENT_SUBSCRIBER_SM,
            ],
        }
    }

    fn name(self) -> &'static str {
        match self {
            Stage::Sri => "sri",
            Stage::Mt => "mt",
        }
    }
}

/// SM-EnumeratedDeliveryFailureCause (29.002 17.7.7).
pub const DELIVERY_FAILURE_CAUSES: [&str; 7] = [
    "memoryCapacityExceeded",
    "equipmentProtocolError",
    "equipmentNotSM-Equipped",
    "unknownServiceCentre",
    "sc-Congestion",
    "invalidSME-Address",
    "subscriberNotSC-Subscriber",
];

/// The name of an SM-EnumeratedDeliveryFailureCause value.
pub fn cause_name(cause: i64) -> Option<&'static str> {
    usize::try_from(cause)
        .ok()
        .and_then(|i| DELIVERY_FAILURE_CAUSES.get(i).copied())
}

/// A non-success answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// ReturnError with this local error code; `cause` for sm-DeliveryFailure.
    Error {
        /// Local error code (MAP-Errors).
        code: i64,
        /// SM-EnumeratedDeliveryFailureCause, for sm-DeliveryFailure only.
        cause: Option<i64>,
    },
    /// No answer at all: the dialogue is forgotten.
    Drop,
}

impl Outcome {
    /// A plain error without parameter.
    pub const fn error(code: i64) -> Self {
        Outcome::Error { code, cause: None }
    }

    /// The key counted in the stats: the error name, `sm-DeliveryFailure/<cause>`, or `drop`.
    pub fn key(&self) -> &'static str {
        match *self {
            Outcome::Drop => "drop",
            Outcome::Error {
                code: code::SM_DELIVERY_FAILURE,
                cause,
            } => match cause.unwrap_or(0) {
                0 => "sm-DeliveryFailure/memoryCapacityExceeded",
                1 => "sm-DeliveryFailure/equipmentProtocolError",
                2 => "sm-DeliveryFailure/equipmentNotSM-Equipped",
                3 => "sm-DeliveryFailure/unknownServiceCentre",
                4 => "sm-DeliveryFailure/sc-Congestion",
                5 => "sm-DeliveryFailure/invalidSME-Address",
                6 => "sm-DeliveryFailure/subscriberNotSC-Subscriber",
                _ => "sm-DeliveryFailure",
            },
            Outcome::Error { code, .. } => error_name(code).unwrap_or("unknownError"),
        }
    }

    /// The MAP error to send in a dialogue of MAP `version`, or `None` for [`Outcome::Drop`].
    ///
    /// Only sm-DeliveryFailure gets a parameter: 29.002 17.6.6 makes SM-DeliveryFailureCause
    /// mandatory and every other parameter of these errors OPTIONAL. Version 1 sends the bare
    /// ENUMERATED cause (ETS 300 599), later versions the SEQUENCE.
    pub fn map_error(&self, version: u8) -> Option<MapError> {
        match *self {
            Outcome::Drop => None,
            Outcome::Error {
                code: code::SM_DELIVERY_FAILURE,
                cause,
            } => {
                let cause = cause.unwrap_or(0);
                Some(if version <= 1 {
                    MapError {
                        code: code::SM_DELIVERY_FAILURE,
                        param: Some(ErrorParam::Enumerated {
                            value: cause,
                            form: LenForm::Minimal,
                        }),
                    }
                } else {
                    MapError::sm_delivery_failure(cause, None)
                })
            }
            Outcome::Error { code, .. } => Some(MapError::new(code)),
        }
    }

    /// Parses `NAME`, `sm-DeliveryFailure/CAUSE` or `drop`, checking that `stage`'s operation
    /// may return it.
    pub fn parse(s: &str, stage: Stage) -> Result<Self, ParseError> {
        let s = s.trim();
        if s == "drop" {
            return Ok(Outcome::Drop);
        }
        let (name, cause) = match s.split_once('/') {
            Some((n, c)) => (n, Some(c)),
            None => (s, None),
        };
        let Some(code) = error_code(name) else {
            return Err(ParseError(format!(
                "{s:?}: unknown MAP error (names as in 3GPP TS 29.002, e.g. {})",
                names(stage)
            )));
        };
        if !stage.allowed().contains(&code) {
            return Err(ParseError(format!(
                "{s:?}: {} does not return {name} (29.002 17.6.5); it returns {}",
                match stage {
                    Stage::Sri => "sendRoutingInfoForSM",
                    Stage::Mt => "mt-forwardSM",
                },
                names(stage)
            )));
        }
        let cause = match cause {
            None if code == code::SM_DELIVERY_FAILURE => Some(0),
            None => None,
            Some(_) if code != code::SM_DELIVERY_FAILURE => {
                return Err(ParseError(format!(
                    "{s:?}: only sm-DeliveryFailure takes a cause"
                )))
            }
            Some(c) => Some(match DELIVERY_FAILURE_CAUSES.iter().position(|n| *n == c) {
                Some(i) => i as i64,
                None => match c.parse::<i64>() {
                    Ok(v) if (0..=127).contains(&v) => v,
                    _ => {
                        return Err(ParseError(format!(
                            "{s:?}: unknown delivery failure cause (one of {} or a number)",
                            DELIVERY_FAILURE_CAUSES.join(", ")
                        )))
                    }
                },
            }),
        };
        Ok(Outcome::Error { code, cause })
    }
}

fn names(stage: Stage) -> String {
    stage
        .allowed()
        .iter()
        .filter_map(|&c| error_name(c))
        .collect::<Vec<_>>()
        .join(", ")
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// Slots of the error schedule: percentages have a resolution of 0.01 %.
const SLOTS: usize = 10_000;

/// A share of dialogues answered with each error, e.g. `absentSubscriberSM:5,systemFailure:0.5`
/// (percentages). The errors are spread evenly (smooth weighted round robin over 10 000 slots),
/// so the counts are exact over every 10 000 dialogues of an executor and close at any point.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorMix {
    /// The outcomes and their percentages, as given.
    pub entries: Vec<(Outcome, f64)>,
}

impl ErrorMix {
    fn parse(s: &str, stage: Stage) -> Result<Self, ParseError> {
        let mut entries = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((name, pct)) = part.rsplit_once(':') else {
                return Err(ParseError(format!(
                    "{part:?}: expected NAME:PERCENT, e.g. absentSubscriberSM:5"
                )));
            };
            let pct: f64 = match pct.trim().trim_end_matches('%').parse() {
                Ok(v) if (0.0..=100.0).contains(&v) => v,
                _ => {
                    return Err(ParseError(format!(
                        "{part:?}: the percentage must be a number from 0 to 100"
                    )))
                }
            };
            entries.push((Outcome::parse(name, stage)?, pct));
        }
        let total: f64 = entries.iter().map(|e| e.1).sum();
        if total > 100.0 + 1e-9 {
            return Err(ParseError(format!(
                "{s:?}: the percentages add up to {total}, more than 100"
            )));
        }
        Ok(ErrorMix { entries })
    }

    /// The schedule: one entry per slot, `Some(outcome)` or `None` for success.
    pub fn schedule(&self) -> Vec<Option<Outcome>> {
        let mut weights: Vec<(Option<Outcome>, i64)> = self
            .entries
            .iter()
            .map(|&(o, p)| (Some(o), (p * 100.0).round() as i64))
            .collect();
        let used: i64 = weights.iter().map(|w| w.1).sum();
        weights.push((None, (SLOTS as i64 - used).max(0)));
        let total: i64 = weights.iter().map(|w| w.1).sum();
        let mut cur = vec![0i64; weights.len()];
        (0..SLOTS)
            .map(|_| {
                for (c, (_, w)) in cur.iter_mut().zip(&weights) {
                    *c += *w;
                }
                let best = (0..cur.len())
                    .max_by_key(|&i| (cur[i], std::cmp::Reverse(i)))
                    .expect("at least the success entry");
                cur[best] -= total;
                weights[best].0
            })
            .collect()
    }

    /// True when no error has a share.
    pub fn is_empty(&self) -> bool {
        self.entries.iter().all(|e| e.1 <= 0.0)
    }
}

/// `--sri-errors`: an [`ErrorMix`] of sendRoutingInfoForSM errors.
#[derive(Debug, Clone, PartialEq)]
pub struct SriErrors(pub ErrorMix);

impl FromStr for SriErrors {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, ParseError> {
        ErrorMix::parse(s, Stage::Sri).map(SriErrors)
    }
}

/// `--mt-errors`: an [`ErrorMix`] of mt-forwardSM errors.
#[derive(Debug, Clone, PartialEq)]
pub struct MtErrors(pub ErrorMix);

impl FromStr for MtErrors {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, ParseError> {
        ErrorMix::parse(s, Stage::Mt).map(MtErrors)
    }
}

/// `--error-for SUFFIX=STAGE:ERROR`: every dialogue for an MSISDN ending in SUFFIX gets ERROR at
/// STAGE (`sri` or `mt`). At the MT stage the MSISDN is known only through the IMSI, which ends
/// with the MSISDN's last digits (see the simulator's IMSI derivation), so the suffix is matched
/// against the IMSI there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorRule {
    /// The digits the MSISDN ends with.
    pub suffix: String,
    /// Where the error is given.
    pub stage: Stage,
    /// What is answered.
    pub outcome: Outcome,
}

impl FromStr for ErrorRule {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, ParseError> {
        let bad = || {
            ParseError(format!(
                "{s:?}: expected SUFFIX=STAGE:ERROR, e.g. 0001=sri:unknownSubscriber or \
                 0002=mt:sm-DeliveryFailure/memoryCapacityExceeded"
            ))
        };
        let (suffix, rest) = s.trim().split_once('=').ok_or_else(bad)?;
        let (stage, err) = rest.split_once(':').ok_or_else(bad)?;
        let suffix = suffix.trim();
        if suffix.is_empty() || !suffix.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ParseError(format!(
                "{s:?}: the suffix must be digits of the MSISDN"
            )));
        }
        let stage = match stage.trim() {
            "sri" => Stage::Sri,
            "mt" => Stage::Mt,
            _ => return Err(bad()),
        };
        Ok(ErrorRule {
            suffix: suffix.to_string(),
            stage,
            outcome: Outcome::parse(err, stage)?,
        })
    }
}

impl fmt::Display for ErrorRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}:{}", self.suffix, self.stage.name(), self.outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_error_names_as_29002_spells_them() {
        assert_eq!(
            Outcome::parse("absentSubscriberSM", Stage::Mt).unwrap(),
            Outcome::error(6)
        );
        assert_eq!(
            Outcome::parse("sm-DeliveryFailure/sc-Congestion", Stage::Mt).unwrap(),
            Outcome::Error {
                code: 32,
                cause: Some(4)
            }
        );
        assert_eq!(
            Outcome::parse("sm-DeliveryFailure", Stage::Mt).unwrap(),
            Outcome::Error {
                code: 32,
                cause: Some(0)
            }
        );
        assert_eq!(Outcome::parse("drop", Stage::Sri).unwrap(), Outcome::Drop);
        // 29.002 17.6.5: SRI-SM does not return sm-DeliveryFailure; MT does not return
        // unknownSubscriber.
        assert!(Outcome::parse("sm-DeliveryFailure", Stage::Sri).is_err());
        assert!(Outcome::parse("unknownSubscriber", Stage::Mt).is_err());
        assert!(Outcome::parse("absentSubscriberSm", Stage::Mt).is_err());
        assert!(Outcome::parse("systemFailure/sc-Congestion", Stage::Mt).is_err());
        assert!(Outcome::parse("sm-DeliveryFailure/nope", Stage::Mt).is_err());
    }

    #[test]
    fn keys_name_the_cause() {
        assert_eq!(Outcome::error(1).key(), "unknownSubscriber");
        assert_eq!(
            Outcome::parse("sm-DeliveryFailure/memoryCapacityExceeded", Stage::Mt)
                .unwrap()
                .key(),
            "sm-DeliveryFailure/memoryCapacityExceeded"
        );
        let e = Outcome::parse("sm-DeliveryFailure/equipmentNotSM-Equipped", Stage::Mt)
            .unwrap()
            .map_error(3)
            .unwrap();
        assert_eq!(e, MapError::sm_delivery_failure(2, None));
        assert!(matches!(
            Outcome::error(32).map_error(1).unwrap().param,
            Some(ErrorParam::Enumerated { value: 0, .. })
        ));
        assert_eq!(Outcome::error(6).map_error(3).unwrap().param, None);
    }

    #[test]
    fn mixes_are_exact_over_the_schedule_and_spread_out() {
        let m: MtErrors = "absentSubscriberSM:5,unidentifiedSubscriber:2,sm-DeliveryFailure/memoryCapacityExceeded:1"
            .parse()
            .unwrap();
        let s = m.0.schedule();
        assert_eq!(s.len(), SLOTS);
        let count = |o: Outcome| s.iter().filter(|x| **x == Some(o)).count();
        assert_eq!(count(Outcome::error(6)), 500);
        assert_eq!(count(Outcome::error(5)), 200);
        assert_eq!(
            count(Outcome::Error {
                code: 32,
                cause: Some(0)
            }),
            100
        );
        // Spread: every 100 consecutive slots hold 5 absentSubscriberSM.
        assert_eq!(
            s[..100]
                .iter()
                .filter(|x| **x == Some(Outcome::error(6)))
                .count(),
            5
        );
        let half: SriErrors = "systemFailure:0.5".parse().unwrap();
        assert_eq!(half.0.schedule().iter().flatten().count(), 50);
        assert!("absentSubscriberSM:60,systemFailure:50"
            .parse::<SriErrors>()
            .is_err());
        assert!("absentSubscriberSM".parse::<SriErrors>().is_err());
        assert!("absentSubscriberSM:x".parse::<SriErrors>().is_err());
    }

    #[test]
    fn parses_rules() {
        let r: ErrorRule = "0001=sri:unknownSubscriber".parse().unwrap();
        assert_eq!(
            (r.suffix.as_str(), r.stage, r.outcome),
            ("0001", Stage::Sri, Outcome::error(1))
        );
        let r: ErrorRule = "42=mt:sm-DeliveryFailure/memoryCapacityExceeded"
            .parse()
            .unwrap();
        assert_eq!(
            r.to_string(),
            "42=mt:sm-DeliveryFailure/memoryCapacityExceeded"
        );
        assert!("x1=sri:unknownSubscriber".parse::<ErrorRule>().is_err());
        assert!("1=hlr:unknownSubscriber".parse::<ErrorRule>().is_err());
        assert!("1=mt:unknownSubscriber".parse::<ErrorRule>().is_err());
        assert!("1:sri:unknownSubscriber".parse::<ErrorRule>().is_err());
    }
}
