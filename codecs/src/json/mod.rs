//! The JSON forms printed by `smsedge pdu decode` and read by `smsedge pdu encode`
//! (INTERFACES.md). One object per PDU; `encode(decode(x)) == x` for every well-formed `x`.
//!
//! JSON is for operators and tests, never for the data path, so this module may allocate freely.

use serde_json::Value;
use std::fmt;
use std::str::FromStr;

/// The protocols `smsedge pdu` understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proto {
    /// SMPP v3.4 / v5.0 PDUs.
    Smpp,
    /// M3UA and everything it carries (SCCP, TCAP, MAP, TPDU).
    M3ua,
    /// SCCP and what it carries.
    Sccp,
    /// TCAP and what it carries.
    Tcap,
    /// An SC→MS TPDU (SMS-DELIVER, SMS-SUBMIT-REPORT, SMS-STATUS-REPORT).
    SmsDeliver,
    /// An MS→SC TPDU (SMS-SUBMIT, SMS-DELIVER-REPORT, SMS-COMMAND).
    SmsSubmit,
}

impl FromStr for Proto {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "smpp" => Proto::Smpp,
            "m3ua" => Proto::M3ua,
            "sccp" => Proto::Sccp,
            "tcap" => Proto::Tcap,
            "sms-deliver" => Proto::SmsDeliver,
            "sms-submit" => Proto::SmsSubmit,
            _ => {
                return Err(format!(
                    "unknown protocol {s:?} (smpp, m3ua, sccp, tcap, sms-deliver, sms-submit)"
                ))
            }
        })
    }
}

/// A failure to turn bytes into JSON or JSON into bytes, naming where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError(pub String);

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for JsonError {}

impl From<crate::Error> for JsonError {
    fn from(e: crate::Error) -> Self {
        JsonError(e.to_string())
    }
}

/// Decodes every back-to-back PDU in `bytes`. On failure returns the objects decoded before the
/// bad PDU together with the error, so the caller can print both.
pub fn decode(proto: Proto, bytes: &[u8]) -> Result<Vec<Value>, (Vec<Value>, JsonError)> {
    match proto {
        Proto::Smpp => smpp::decode_all(bytes),
        _ => sigtran::decode_all(proto, bytes),
    }
}

/// Encodes one JSON object (as `decode` prints it) to wire bytes.
pub fn encode(proto: Proto, value: &Value) -> Result<Vec<u8>, JsonError> {
    match proto {
        Proto::Smpp => smpp::encode(value),
        _ => sigtran::encode(proto, value),
    }
}

mod sigtran;
mod smpp;
mod tpdu;
