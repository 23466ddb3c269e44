//! The mandatory parameters of every SMPP PDU (v3.4 section 4, v5.0 section 4).
//!
//! Each body is declared once, field by field in wire order with the spec's names and sizes, and
//! the `body!` macro derives decode, encode, length and the JSON form from that declaration, so
//! the order and the limits live in exactly one place. C-octet strings are [`Bytes`] without the
//! NUL, sliced out of the received frame without copying.

use crate::error::{Error, Reason, Result};
use crate::json::JsonError;
use crate::reader::Reader;
use bytes::Bytes;
use serde_json::{Map, Value};

/// `part` (a sub-slice of `frame`) as a shared `Bytes`, without copying.
pub(crate) fn share(frame: &Bytes, part: &[u8]) -> Bytes {
    if part.is_empty() {
        Bytes::new()
    } else {
        frame.slice_ref(part)
    }
}

/// Field name of sm_length/short_message in errors.
pub(crate) const FIELD_SHORT_MESSAGE: &str = "short_message";

macro_rules! field_ty {
    (u8) => {
        u8
    };
    (u32) => {
        u32
    };
    (cstr) => {
        Bytes
    };
    (sm) => {
        Bytes
    };
}

macro_rules! field_decode {
    ($r:ident, $frame:ident, $name:expr, u8) => {
        $r.u8($name)?
    };
    ($r:ident, $frame:ident, $name:expr, u32) => {
        $r.u32($name)?
    };
    ($r:ident, $frame:ident, $name:expr, cstr, $max:literal) => {
        share($frame, $r.c_octet_string($max, $name)?)
    };
    ($r:ident, $frame:ident, $name:expr, sm) => {
        decode_sm($r, $frame)?
    };
}

macro_rules! field_encode {
    ($out:ident, $v:expr, u8) => {
        $out.push(*$v)
    };
    ($out:ident, $v:expr, u32) => {
        $out.extend_from_slice(&$v.to_be_bytes())
    };
    ($out:ident, $v:expr, cstr) => {
        put_c_octet_string($out, $v)
    };
    ($out:ident, $v:expr, sm) => {
        put_sm($out, $v)
    };
}

macro_rules! field_len {
    ($v:expr, u8) => {
        1
    };
    ($v:expr, u32) => {
        4
    };
    ($v:expr, cstr) => {
        $v.len() + 1
    };
    ($v:expr, sm) => {
        $v.len() + 1
    };
}

macro_rules! field_to_json {
    ($m:ident, $name:expr, $v:expr, u8) => {
        $m.insert($name.into(), Value::from(*$v))
    };
    ($m:ident, $name:expr, $v:expr, u32) => {
        $m.insert($name.into(), Value::from(*$v))
    };
    ($m:ident, $name:expr, $v:expr, cstr) => {
        $m.insert($name.into(), Value::from(latin1($v)))
    };
    ($m:ident, $name:expr, $v:expr, sm) => {{
        $m.insert("sm_length".into(), Value::from($v.len()));
        $m.insert("short_message".into(), Value::from(crate::hex::encode($v)))
    }};
}

macro_rules! field_from_json {
    ($m:ident, $name:expr, u8) => {
        json_u8($m, $name)
    };
    ($m:ident, $name:expr, u32) => {
        json_u32($m, $name)
    };
    ($m:ident, $name:expr, cstr, $max:literal) => {
        json_c_octet_string($m, $name, $max)
    };
    ($m:ident, $name:expr, sm) => {
        json_sm($m)
    };
}

macro_rules! body {
    (
        $(#[$doc:meta])*
        pub struct $name:ident {
            $( $(#[$fdoc:meta])* $field:ident : $kind:ident $(($max:literal))? ),* $(,)?
        }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Default)]
        pub struct $name {
            $( $(#[$fdoc])* pub $field: field_ty!($kind), )*
        }

        impl $name {
            /// Decodes the mandatory parameters from `r`, which reads `frame`.
            pub(crate) fn decode_fields(r: &mut Reader<'_>, frame: &Bytes) -> Result<Self> {
                Ok($name { $( $field: field_decode!(r, frame, stringify!($field), $kind $(, $max)?), )* })
            }

            /// Appends the mandatory parameters to `out`.
            pub(crate) fn encode_fields(&self, out: &mut Vec<u8>) {
                $( field_encode!(out, &self.$field, $kind); )*
            }

            /// Octets the mandatory parameters take.
            pub(crate) fn fields_len(&self) -> usize {
                0 $( + field_len!(self.$field, $kind) )*
            }

            /// Adds the fields to a JSON object, in wire order.
            pub(crate) fn to_json(&self, m: &mut Map<String, Value>) {
                $( field_to_json!(m, stringify!($field), &self.$field, $kind); )*
            }

            /// Reads the fields from a JSON object.
            pub(crate) fn from_json(m: &Map<String, Value>) -> std::result::Result<Self, JsonError> {
                Ok($name { $( $field: field_from_json!(m, stringify!($field), $kind $(, $max)?)?, )* })
            }
        }
    };
}

/// sm_length then short_message (v3.4 4.4.1: sm_length 0..254 octets; the octets must fit).
fn decode_sm(r: &mut Reader<'_>, frame: &Bytes) -> Result<Bytes> {
    let at = r.offset();
    let n = r.u8("sm_length")?;
    match r.take(usize::from(n), FIELD_SHORT_MESSAGE) {
        Ok(s) => Ok(share(frame, s)),
        // A short_message that runs past the PDU is ESME_RINVMSGLEN, not a framing error.
        Err(_) => Err(Error::new(FIELD_SHORT_MESSAGE, at, Reason::BadLength)),
    }
}

pub(crate) fn put_c_octet_string(out: &mut Vec<u8>, s: &[u8]) {
    out.extend_from_slice(s);
    out.push(0);
}

fn put_sm(out: &mut Vec<u8>, s: &[u8]) {
    // The typed form cannot hold more than 255 octets: `json_sm` and `check_encodable` refuse.
    out.push(s.len() as u8);
    out.extend_from_slice(s);
}

/// A C-octet string as JSON text: each octet one Latin-1 character, so any octets survive.
pub(crate) fn latin1(s: &[u8]) -> String {
    s.iter().map(|&b| char::from(b)).collect()
}

fn field_err(name: &str, what: &str) -> JsonError {
    JsonError(format!("body.{name}: {what}"))
}

pub(crate) fn json_u8(m: &Map<String, Value>, name: &str) -> std::result::Result<u8, JsonError> {
    let v = m.get(name).ok_or_else(|| field_err(name, "missing"))?;
    v.as_u64()
        .and_then(|n| u8::try_from(n).ok())
        .ok_or_else(|| field_err(name, "must be an integer 0..=255"))
}

pub(crate) fn json_u32(m: &Map<String, Value>, name: &str) -> std::result::Result<u32, JsonError> {
    let v = m.get(name).ok_or_else(|| field_err(name, "missing"))?;
    v.as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| field_err(name, "must be an integer 0..=4294967295"))
}

pub(crate) fn json_c_octet_string(
    m: &Map<String, Value>,
    name: &str,
    max: usize,
) -> std::result::Result<Bytes, JsonError> {
    let v = m.get(name).ok_or_else(|| field_err(name, "missing"))?;
    c_octet_string_from_json(v, name, max)
}

pub(crate) fn c_octet_string_from_json(
    v: &Value,
    name: &str,
    max: usize,
) -> std::result::Result<Bytes, JsonError> {
    let s = v
        .as_str()
        .ok_or_else(|| field_err(name, "must be a string"))?;
    let mut out = Vec::with_capacity(s.len());
    for c in s.chars() {
        match u8::try_from(u32::from(c)) {
            Ok(0) => return Err(field_err(name, "must not contain NUL")),
            Ok(b) => out.push(b),
            Err(_) => return Err(field_err(name, "characters above U+00FF cannot be encoded")),
        }
    }
    if out.len() + 1 > max {
        return Err(field_err(name, &format!("longer than {} octets", max - 1)));
    }
    Ok(Bytes::from(out))
}

fn json_sm(m: &Map<String, Value>) -> std::result::Result<Bytes, JsonError> {
    let v = m
        .get("short_message")
        .ok_or_else(|| field_err("short_message", "missing"))?;
    let hex = v
        .as_str()
        .ok_or_else(|| field_err("short_message", "must be a hex string"))?;
    let bytes = crate::hex::decode(hex).map_err(|e| field_err("short_message", e))?;
    if bytes.len() > 255 {
        return Err(field_err(
            "short_message",
            "longer than 255 octets; use message_payload",
        ));
    }
    if let Some(n) = m.get("sm_length") {
        if n.as_u64() != Some(bytes.len() as u64) {
            return Err(field_err(
                "sm_length",
                "disagrees with the length of short_message",
            ));
        }
    }
    Ok(Bytes::from(bytes))
}

body! {
    /// bind_transmitter, bind_receiver and bind_transceiver (v3.4 4.1.1, 4.1.3, 4.1.5).
    pub struct Bind {
        /// Identifies the ESME requesting to bind (max 16 octets with NUL).
        system_id: cstr(16),
        /// Password for authentication (max 9).
        password: cstr(9),
        /// Type of ESME system (max 13).
        system_type: cstr(13),
        /// SMPP version supported by the ESME (0x34 for v3.4, 0x50 for v5.0).
        interface_version: u8,
        /// Type of number for address_range.
        addr_ton: u8,
        /// Numbering plan for address_range.
        addr_npi: u8,
        /// Addresses served by the ESME (receiver and transceiver; max 41).
        address_range: cstr(41),
    }
}

body! {
    /// bind_*_resp (v3.4 4.1.2): the SMSC's system_id.
    pub struct BindResp {
        /// Identifies the SMSC (max 16).
        system_id: cstr(16),
    }
}

body! {
    /// outbind (v3.4 4.1.7.1).
    pub struct Outbind {
        /// SMSC identifier (max 16).
        system_id: cstr(16),
        /// Password (max 9).
        password: cstr(9),
    }
}

body! {
    /// submit_sm (v3.4 4.4.1) and deliver_sm (v3.4 4.6.1), which share this layout.
    pub struct SubmitSm {
        /// SMS application service (max 6).
        service_type: cstr(6),
        /// Type of number of source_addr.
        source_addr_ton: u8,
        /// Numbering plan of source_addr.
        source_addr_npi: u8,
        /// Originator address (max 21).
        source_addr: cstr(21),
        /// Type of number of destination_addr.
        dest_addr_ton: u8,
        /// Numbering plan of destination_addr.
        dest_addr_npi: u8,
        /// Recipient address (max 21).
        destination_addr: cstr(21),
        /// Message mode and type (v3.4 5.2.12).
        esm_class: u8,
        /// Protocol identifier (GSM TP-PID).
        protocol_id: u8,
        /// Priority level.
        priority_flag: u8,
        /// Absolute or relative time format, or empty (max 17).
        schedule_delivery_time: cstr(17),
        /// Expiry time, or empty (max 17).
        validity_period: cstr(17),
        /// Receipt and acknowledgement request (v3.4 5.2.17).
        registered_delivery: u8,
        /// Replace-if-present flag.
        replace_if_present_flag: u8,
        /// Data coding scheme (v3.4 5.2.19).
        data_coding: u8,
        /// Predefined message id.
        sm_default_msg_id: u8,
        /// User data, up to 254 (255) octets; the length travels as sm_length.
        short_message: sm,
    }
}

/// deliver_sm has the layout of submit_sm (v3.4 4.6.1).
pub type DeliverSm = SubmitSm;

body! {
    /// submit_sm_resp, deliver_sm_resp, data_sm_resp, broadcast_sm_resp,
    /// query_broadcast_sm_resp (v3.4 4.4.2, 4.6.2, 4.7.2; v5.0 4.4.2, 4.6.3): a message_id.
    pub struct MessageIdResp {
        /// Message id allocated by the SMSC (max 65; empty in deliver_sm_resp).
        message_id: cstr(65),
    }
}

body! {
    /// data_sm (v3.4 4.7.1).
    pub struct DataSm {
        /// SMS application service (max 6).
        service_type: cstr(6),
        /// Type of number of source_addr.
        source_addr_ton: u8,
        /// Numbering plan of source_addr.
        source_addr_npi: u8,
        /// Originator address (max 65).
        source_addr: cstr(65),
        /// Type of number of destination_addr.
        dest_addr_ton: u8,
        /// Numbering plan of destination_addr.
        dest_addr_npi: u8,
        /// Recipient address (max 65).
        destination_addr: cstr(65),
        /// Message mode and type.
        esm_class: u8,
        /// Receipt request.
        registered_delivery: u8,
        /// Data coding scheme.
        data_coding: u8,
    }
}

body! {
    /// query_sm (v3.4 4.8.1).
    pub struct QuerySm {
        /// Message id of the message to query (max 65).
        message_id: cstr(65),
        /// Type of number of source_addr.
        source_addr_ton: u8,
        /// Numbering plan of source_addr.
        source_addr_npi: u8,
        /// Originator address of the message (max 21).
        source_addr: cstr(21),
    }
}

body! {
    /// query_sm_resp (v3.4 4.8.2).
    pub struct QuerySmResp {
        /// Message id of the queried message (max 65).
        message_id: cstr(65),
        /// Date and time the message reached its final state, or empty (max 17).
        final_date: cstr(17),
        /// Current state (v3.4 5.2.28).
        message_state: u8,
        /// Network error code.
        error_code: u8,
    }
}

body! {
    /// cancel_sm (v3.4 4.9.1).
    pub struct CancelSm {
        /// Service type (max 6).
        service_type: cstr(6),
        /// Message id to cancel, or empty (max 65).
        message_id: cstr(65),
        /// Type of number of source_addr.
        source_addr_ton: u8,
        /// Numbering plan of source_addr.
        source_addr_npi: u8,
        /// Originator address (max 21).
        source_addr: cstr(21),
        /// Type of number of destination_addr.
        dest_addr_ton: u8,
        /// Numbering plan of destination_addr.
        dest_addr_npi: u8,
        /// Recipient address (max 21).
        destination_addr: cstr(21),
    }
}

body! {
    /// replace_sm (v3.4 4.10.1).
    pub struct ReplaceSm {
        /// Message id to replace (max 65).
        message_id: cstr(65),
        /// Type of number of source_addr.
        source_addr_ton: u8,
        /// Numbering plan of source_addr.
        source_addr_npi: u8,
        /// Originator address (max 21).
        source_addr: cstr(21),
        /// New scheduled delivery time (max 17).
        schedule_delivery_time: cstr(17),
        /// New validity period (max 17).
        validity_period: cstr(17),
        /// New receipt request.
        registered_delivery: u8,
        /// New predefined message id.
        sm_default_msg_id: u8,
        /// New user data.
        short_message: sm,
    }
}

body! {
    /// alert_notification (v3.4 4.12.1).
    pub struct AlertNotification {
        /// Type of number of source_addr.
        source_addr_ton: u8,
        /// Numbering plan of source_addr.
        source_addr_npi: u8,
        /// The MS that became available (max 65).
        source_addr: cstr(65),
        /// Type of number of esme_addr.
        esme_addr_ton: u8,
        /// Numbering plan of esme_addr.
        esme_addr_npi: u8,
        /// The ESME address that asked for the alert (max 65).
        esme_addr: cstr(65),
    }
}

body! {
    /// broadcast_sm (v5.0 4.4.1.1).
    pub struct BroadcastSm {
        /// Service type (max 6).
        service_type: cstr(6),
        /// Type of number of source_addr.
        source_addr_ton: u8,
        /// Numbering plan of source_addr.
        source_addr_npi: u8,
        /// Originator address (max 21).
        source_addr: cstr(21),
        /// Message id for a replace, else empty (max 65).
        message_id: cstr(65),
        /// Priority level.
        priority_flag: u8,
        /// Scheduled time (max 17).
        schedule_delivery_time: cstr(17),
        /// Validity period (max 17).
        validity_period: cstr(17),
        /// Replace-if-present flag.
        replace_if_present_flag: u8,
        /// Data coding scheme.
        data_coding: u8,
        /// Predefined message id.
        sm_default_msg_id: u8,
    }
}

body! {
    /// query_broadcast_sm (v5.0 4.6.2.1).
    pub struct QueryBroadcastSm {
        /// Message id of the broadcast (max 65).
        message_id: cstr(65),
        /// Type of number of source_addr.
        source_addr_ton: u8,
        /// Numbering plan of source_addr.
        source_addr_npi: u8,
        /// Originator address (max 21).
        source_addr: cstr(21),
    }
}

body! {
    /// cancel_broadcast_sm (v5.0 4.6.1.1).
    pub struct CancelBroadcastSm {
        /// Service type (max 6).
        service_type: cstr(6),
        /// Message id of the broadcast (max 65).
        message_id: cstr(65),
        /// Type of number of source_addr.
        source_addr_ton: u8,
        /// Numbering plan of source_addr.
        source_addr_npi: u8,
        /// Originator address (max 21).
        source_addr: cstr(21),
    }
}

body! {
    /// One SME destination of submit_multi (dest_flag 1, v3.4 4.5.1.1).
    pub struct SmeAddress {
        /// Type of number.
        dest_addr_ton: u8,
        /// Numbering plan.
        dest_addr_npi: u8,
        /// Recipient address (max 21).
        destination_addr: cstr(21),
    }
}

body! {
    /// One entry of submit_multi_resp's unsuccess_sme list (v3.4 4.5.2.1).
    pub struct UnsuccessSme {
        /// Type of number.
        dest_addr_ton: u8,
        /// Numbering plan.
        dest_addr_npi: u8,
        /// The address that failed (max 21).
        destination_addr: cstr(21),
        /// Why it failed (a command_status value).
        error_status_code: u32,
    }
}

/// One entry of submit_multi's dest_address list (v3.4 4.5.1.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DestAddress {
    /// dest_flag 1: an SME address.
    Sme(SmeAddress),
    /// dest_flag 2: a distribution list name (max 21).
    DistributionList(Bytes),
}

/// dest_flag of an SME address.
pub const DEST_FLAG_SME: u8 = 1;
/// dest_flag of a distribution list.
pub const DEST_FLAG_DL: u8 = 2;

/// submit_multi (v3.4 4.5.1).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SubmitMulti {
    /// Service type (max 6).
    pub service_type: Bytes,
    /// Type of number of source_addr.
    pub source_addr_ton: u8,
    /// Numbering plan of source_addr.
    pub source_addr_npi: u8,
    /// Originator address (max 21).
    pub source_addr: Bytes,
    /// The destinations; number_of_dests is its length (at most 255 on the wire, v3.4 says 254).
    pub dest_address: Vec<DestAddress>,
    /// The fields after the destination list, which have the layout of submit_sm's tail.
    pub tail: SmTail,
}

body! {
    /// The part of submit_multi after dest_address (v3.4 4.5.1).
    pub struct SmTail {
        /// Message mode and type.
        esm_class: u8,
        /// Protocol identifier.
        protocol_id: u8,
        /// Priority level.
        priority_flag: u8,
        /// Scheduled delivery (max 17).
        schedule_delivery_time: cstr(17),
        /// Validity period (max 17).
        validity_period: cstr(17),
        /// Receipt request.
        registered_delivery: u8,
        /// Replace-if-present flag.
        replace_if_present_flag: u8,
        /// Data coding scheme.
        data_coding: u8,
        /// Predefined message id.
        sm_default_msg_id: u8,
        /// User data.
        short_message: sm,
    }
}

impl SubmitMulti {
    pub(crate) fn decode_fields(r: &mut Reader<'_>, frame: &Bytes) -> Result<Self> {
        let service_type = share(frame, r.c_octet_string(6, "service_type")?);
        let source_addr_ton = r.u8("source_addr_ton")?;
        let source_addr_npi = r.u8("source_addr_npi")?;
        let source_addr = share(frame, r.c_octet_string(21, "source_addr")?);
        let at = r.offset();
        let n = r.u8("number_of_dests")?;
        // v3.4 4.5.1: at least one destination.
        if n == 0 {
            return Err(Error::new("number_of_dests", at, Reason::BadValue));
        }
        let mut dest_address = Vec::with_capacity(usize::from(n));
        for _ in 0..n {
            let at = r.offset();
            match r.u8("dest_flag")? {
                DEST_FLAG_SME => {
                    dest_address.push(DestAddress::Sme(SmeAddress::decode_fields(r, frame)?))
                }
                DEST_FLAG_DL => dest_address.push(DestAddress::DistributionList(share(
                    frame,
                    r.c_octet_string(21, "dl_name")?,
                ))),
                _ => return Err(Error::new("dest_flag", at, Reason::BadValue)),
            }
        }
        let tail = SmTail::decode_fields(r, frame)?;
        Ok(SubmitMulti {
            service_type,
            source_addr_ton,
            source_addr_npi,
            source_addr,
            dest_address,
            tail,
        })
    }

    pub(crate) fn encode_fields(&self, out: &mut Vec<u8>) {
        put_c_octet_string(out, &self.service_type);
        out.push(self.source_addr_ton);
        out.push(self.source_addr_npi);
        put_c_octet_string(out, &self.source_addr);
        out.push(self.dest_address.len() as u8);
        for d in &self.dest_address {
            match d {
                DestAddress::Sme(a) => {
                    out.push(DEST_FLAG_SME);
                    a.encode_fields(out);
                }
                DestAddress::DistributionList(name) => {
                    out.push(DEST_FLAG_DL);
                    put_c_octet_string(out, name);
                }
            }
        }
        self.tail.encode_fields(out);
    }

    pub(crate) fn fields_len(&self) -> usize {
        let dests: usize = self
            .dest_address
            .iter()
            .map(|d| match d {
                DestAddress::Sme(a) => 1 + a.fields_len(),
                DestAddress::DistributionList(n) => 2 + n.len(),
            })
            .sum();
        self.service_type.len()
            + 1
            + 2
            + self.source_addr.len()
            + 1
            + 1
            + dests
            + self.tail.fields_len()
    }

    pub(crate) fn to_json(&self, m: &mut Map<String, Value>) {
        m.insert("service_type".into(), latin1(&self.service_type).into());
        m.insert("source_addr_ton".into(), self.source_addr_ton.into());
        m.insert("source_addr_npi".into(), self.source_addr_npi.into());
        m.insert("source_addr".into(), latin1(&self.source_addr).into());
        m.insert("number_of_dests".into(), self.dest_address.len().into());
        let list = self
            .dest_address
            .iter()
            .map(|d| {
                let mut e = Map::new();
                match d {
                    DestAddress::Sme(a) => {
                        e.insert("dest_flag".into(), DEST_FLAG_SME.into());
                        a.to_json(&mut e);
                    }
                    DestAddress::DistributionList(n) => {
                        e.insert("dest_flag".into(), DEST_FLAG_DL.into());
                        e.insert("dl_name".into(), latin1(n).into());
                    }
                }
                Value::Object(e)
            })
            .collect();
        m.insert("dest_address".into(), Value::Array(list));
        self.tail.to_json(m);
    }

    pub(crate) fn from_json(m: &Map<String, Value>) -> std::result::Result<Self, JsonError> {
        let list = m
            .get("dest_address")
            .and_then(Value::as_array)
            .ok_or_else(|| field_err("dest_address", "missing or not an array"))?;
        if list.is_empty() || list.len() > 255 {
            return Err(field_err("dest_address", "must hold 1..=255 destinations"));
        }
        if let Some(n) = m.get("number_of_dests") {
            if n.as_u64() != Some(list.len() as u64) {
                return Err(field_err("number_of_dests", "disagrees with dest_address"));
            }
        }
        let mut dest_address = Vec::with_capacity(list.len());
        for (i, e) in list.iter().enumerate() {
            let e = e
                .as_object()
                .ok_or_else(|| field_err("dest_address", "entries must be objects"))?;
            let d = match json_u8(e, "dest_flag") {
                Ok(DEST_FLAG_SME) => DestAddress::Sme(SmeAddress::from_json(e)?),
                Ok(DEST_FLAG_DL) => {
                    DestAddress::DistributionList(json_c_octet_string(e, "dl_name", 21)?)
                }
                _ => {
                    return Err(field_err(
                        "dest_address",
                        &format!("entry {i}: dest_flag must be 1 or 2"),
                    ))
                }
            };
            dest_address.push(d);
        }
        Ok(SubmitMulti {
            service_type: json_c_octet_string(m, "service_type", 6)?,
            source_addr_ton: json_u8(m, "source_addr_ton")?,
            source_addr_npi: json_u8(m, "source_addr_npi")?,
            source_addr: json_c_octet_string(m, "source_addr", 21)?,
            dest_address,
            tail: SmTail::from_json(m)?,
        })
    }
}

/// submit_multi_resp (v3.4 4.5.2).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SubmitMultiResp {
    /// Message id allocated by the SMSC (max 65).
    pub message_id: Bytes,
    /// The destinations that failed; no_unsuccess is its length.
    pub unsuccess_sme: Vec<UnsuccessSme>,
}

impl SubmitMultiResp {
    pub(crate) fn decode_fields(r: &mut Reader<'_>, frame: &Bytes) -> Result<Self> {
        let message_id = share(frame, r.c_octet_string(65, "message_id")?);
        let n = r.u8("no_unsuccess")?;
        let mut unsuccess_sme = Vec::with_capacity(usize::from(n));
        for _ in 0..n {
            unsuccess_sme.push(UnsuccessSme::decode_fields(r, frame)?);
        }
        Ok(SubmitMultiResp {
            message_id,
            unsuccess_sme,
        })
    }

    pub(crate) fn encode_fields(&self, out: &mut Vec<u8>) {
        put_c_octet_string(out, &self.message_id);
        out.push(self.unsuccess_sme.len() as u8);
        for u in &self.unsuccess_sme {
            u.encode_fields(out);
        }
    }

    pub(crate) fn fields_len(&self) -> usize {
        self.message_id.len()
            + 2
            + self
                .unsuccess_sme
                .iter()
                .map(UnsuccessSme::fields_len)
                .sum::<usize>()
    }

    pub(crate) fn to_json(&self, m: &mut Map<String, Value>) {
        m.insert("message_id".into(), latin1(&self.message_id).into());
        m.insert("no_unsuccess".into(), self.unsuccess_sme.len().into());
        let list = self
            .unsuccess_sme
            .iter()
            .map(|u| {
                let mut e = Map::new();
                u.to_json(&mut e);
                Value::Object(e)
            })
            .collect();
        m.insert("unsuccess_sme".into(), Value::Array(list));
    }

    pub(crate) fn from_json(m: &Map<String, Value>) -> std::result::Result<Self, JsonError> {
        let list = match m.get("unsuccess_sme") {
            None => Vec::new(),
            Some(v) => v
                .as_array()
                .ok_or_else(|| field_err("unsuccess_sme", "not an array"))?
                .clone(),
        };
        if list.len() > 255 {
            return Err(field_err("unsuccess_sme", "more than 255 entries"));
        }
        if let Some(n) = m.get("no_unsuccess") {
            if n.as_u64() != Some(list.len() as u64) {
                return Err(field_err("no_unsuccess", "disagrees with unsuccess_sme"));
            }
        }
        let unsuccess_sme = list
            .iter()
            .map(|e| {
                e.as_object()
                    .ok_or_else(|| field_err("unsuccess_sme", "entries must be objects"))
                    .and_then(UnsuccessSme::from_json)
            })
            .collect::<std::result::Result<_, _>>()?;
        Ok(SubmitMultiResp {
            message_id: json_c_octet_string(m, "message_id", 65)?,
            unsuccess_sme,
        })
    }
}
