//! M3UA parameters: the common ones of RFC 4666 section 3.2 and the M3UA-specific ones of
//! section 3.3, each a Tag-Length-Value padded to a multiple of 4 octets.
//!
//! ```text
//!  0                   1                   2                   3
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |          Parameter Tag        |       Parameter Length        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! \                       Parameter Value                         \
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! A parameter whose tag the RFC does not define is kept as [`Parameter::Unknown`] and
//! re-emitted byte for byte.

use crate::error::{Error, Reason, Result};
use crate::reader::Reader;

/// Parameter tags (RFC 4666 3.2, 3.3).
pub mod tag {
    /// INFO String (3.8.2).
    pub const INFO_STRING: u16 = 0x0004;
    /// Routing Context.
    pub const ROUTING_CONTEXT: u16 = 0x0006;
    /// Diagnostic Information.
    pub const DIAGNOSTIC_INFORMATION: u16 = 0x0007;
    /// Heartbeat Data.
    pub const HEARTBEAT_DATA: u16 = 0x0009;
    /// Traffic Mode Type.
    pub const TRAFFIC_MODE_TYPE: u16 = 0x000b;
    /// Error Code.
    pub const ERROR_CODE: u16 = 0x000c;
    /// Status.
    pub const STATUS: u16 = 0x000d;
    /// ASP Identifier.
    pub const ASP_IDENTIFIER: u16 = 0x0011;
    /// Affected Point Code.
    pub const AFFECTED_POINT_CODE: u16 = 0x0012;
    /// Correlation ID.
    pub const CORRELATION_ID: u16 = 0x0013;
    /// Network Appearance.
    pub const NETWORK_APPEARANCE: u16 = 0x0200;
    /// User/Cause.
    pub const USER_CAUSE: u16 = 0x0204;
    /// Congestion Indications.
    pub const CONGESTION_INDICATIONS: u16 = 0x0205;
    /// Concerned Destination.
    pub const CONCERNED_DESTINATION: u16 = 0x0206;
    /// Routing Key.
    pub const ROUTING_KEY: u16 = 0x0207;
    /// Registration Result.
    pub const REGISTRATION_RESULT: u16 = 0x0208;
    /// Deregistration Result.
    pub const DEREGISTRATION_RESULT: u16 = 0x0209;
    /// Local Routing Key Identifier.
    pub const LOCAL_ROUTING_KEY_IDENTIFIER: u16 = 0x020a;
    /// Destination Point Code.
    pub const DESTINATION_POINT_CODE: u16 = 0x020b;
    /// Service Indicators.
    pub const SERVICE_INDICATORS: u16 = 0x020c;
    /// Originating Point Code List.
    pub const ORIGINATING_POINT_CODE_LIST: u16 = 0x020e;
    /// Protocol Data.
    pub const PROTOCOL_DATA: u16 = 0x0210;
    /// Registration Status.
    pub const REGISTRATION_STATUS: u16 = 0x0212;
    /// Deregistration Status.
    pub const DEREGISTRATION_STATUS: u16 = 0x0213;
}

/// The snake-case name of a parameter tag (the RFC's name), or `None` for an undefined tag.
pub fn name_of(t: u16) -> Option<&'static str> {
    Some(match t {
        tag::INFO_STRING => "info_string",
        tag::ROUTING_CONTEXT => "routing_context",
        tag::DIAGNOSTIC_INFORMATION => "diagnostic_information",
        tag::HEARTBEAT_DATA => "heartbeat_data",
        tag::TRAFFIC_MODE_TYPE => "traffic_mode_type",
        tag::ERROR_CODE => "error_code",
        tag::STATUS => "status",
        tag::ASP_IDENTIFIER => "asp_identifier",
        tag::AFFECTED_POINT_CODE => "affected_point_code",
        tag::CORRELATION_ID => "correlation_id",
        tag::NETWORK_APPEARANCE => "network_appearance",
        tag::USER_CAUSE => "user_cause",
        tag::CONGESTION_INDICATIONS => "congestion_indications",
        tag::CONCERNED_DESTINATION => "concerned_destination",
        tag::ROUTING_KEY => "routing_key",
        tag::REGISTRATION_RESULT => "registration_result",
        tag::DEREGISTRATION_RESULT => "deregistration_result",
        tag::LOCAL_ROUTING_KEY_IDENTIFIER => "local_routing_key_identifier",
        tag::DESTINATION_POINT_CODE => "destination_point_code",
        tag::SERVICE_INDICATORS => "service_indicators",
        tag::ORIGINATING_POINT_CODE_LIST => "originating_point_code_list",
        tag::PROTOCOL_DATA => "protocol_data",
        tag::REGISTRATION_STATUS => "registration_status",
        tag::DEREGISTRATION_STATUS => "deregistration_status",
        _ => return None,
    })
}

/// The tag for a snake-case parameter name.
pub fn tag_of(name: &str) -> Option<u16> {
    (0..=0x0213u16).find(|&t| name_of(t) == Some(name))
}

/// A point code with its mask, as Affected Point Code, Destination Point Code and Originating
/// Point Code List carry it (RFC 4666 3.4.1, 3.6.1): 8-bit mask, 24-bit point code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MaskedPointCode {
    /// Mask: number of low-order wildcard bits.
    pub mask: u8,
    /// Point code (24 bits; an ITU point code uses the low 14).
    pub pc: u32,
}

/// Protocol Data (RFC 4666 3.3.1): the routing label and the MTP3-User message.
///
/// ```text
/// |                     Originating Point Code                    |
/// |                     Destination Point Code                    |
/// |       SI      |       NI      |      MP       |      SLS      |
/// \                     User Protocol Data                        \
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ProtocolData {
    /// Originating Point Code.
    pub opc: u32,
    /// Destination Point Code.
    pub dpc: u32,
    /// Service Indicator (3 = SCCP).
    pub si: u8,
    /// Network Indicator (0 international, 2 national, ...).
    pub ni: u8,
    /// Message Priority (ANSI; spare in ITU networks).
    pub mp: u8,
    /// Signalling Link Selection.
    pub sls: u8,
    /// The MTP3-User message (SCCP when `si` is 3).
    pub user_data: Vec<u8>,
}

/// Service Indicator of SCCP (Q.704 14.2.1).
pub const SI_SCCP: u8 = 3;

/// One M3UA parameter.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Parameter {
    /// INFO String (0x0004): text, UTF-8 per RFC 4666 3.8.2, kept as octets.
    InfoString(Vec<u8>),
    /// Routing Context (0x0006): one or more 32-bit values.
    RoutingContext(Vec<u32>),
    /// Diagnostic Information (0x0007).
    DiagnosticInformation(Vec<u8>),
    /// Heartbeat Data (0x0009).
    HeartbeatData(Vec<u8>),
    /// Traffic Mode Type (0x000b): 1 Override, 2 Loadshare, 3 Broadcast.
    TrafficModeType(u32),
    /// Error Code (0x000c).
    ErrorCode(u32),
    /// Status (0x000d): Status Type and Status Information.
    Status {
        /// 1 AS-State_Change, 2 Other.
        status_type: u16,
        /// The information for that type.
        status_info: u16,
    },
    /// ASP Identifier (0x0011).
    AspIdentifier(u32),
    /// Affected Point Code (0x0012): one or more masked point codes.
    AffectedPointCode(Vec<MaskedPointCode>),
    /// Correlation ID (0x0013).
    CorrelationId(u32),
    /// Network Appearance (0x0200).
    NetworkAppearance(u32),
    /// User/Cause (0x0204).
    UserCause {
        /// Unavailability Cause: 0 unknown, 1 unequipped remote user, 2 inaccessible remote user.
        cause: u16,
        /// MTP3-User Identity (3 = SCCP, 5 = ISUP, ...).
        user: u16,
    },
    /// Congestion Indications (0x0205): 24 reserved bits and the congestion level.
    CongestionIndications(u32),
    /// Concerned Destination (0x0206): 8 reserved bits and a 24-bit point code.
    ConcernedDestination(u32),
    /// Routing Key (0x0207): nested parameters.
    RoutingKey(Vec<Parameter>),
    /// Registration Result (0x0208): nested parameters.
    RegistrationResult(Vec<Parameter>),
    /// Deregistration Result (0x0209): nested parameters.
    DeregistrationResult(Vec<Parameter>),
    /// Local Routing Key Identifier (0x020a).
    LocalRoutingKeyIdentifier(u32),
    /// Destination Point Code (0x020b).
    DestinationPointCode(MaskedPointCode),
    /// Service Indicators (0x020c): one octet per SI.
    ServiceIndicators(Vec<u8>),
    /// Originating Point Code List (0x020e).
    OriginatingPointCodeList(Vec<MaskedPointCode>),
    /// Protocol Data (0x0210).
    ProtocolData(ProtocolData),
    /// Registration Status (0x0212).
    RegistrationStatus(u32),
    /// Deregistration Status (0x0213).
    DeregistrationStatus(u32),
    /// A parameter RFC 4666 does not define, kept as it came.
    Unknown {
        /// Parameter Tag.
        tag: u16,
        /// Parameter Value (without padding).
        value: Vec<u8>,
    },
}

impl Parameter {
    /// The Parameter Tag.
    pub fn tag(&self) -> u16 {
        use Parameter as P;
        match self {
            P::InfoString(_) => tag::INFO_STRING,
            P::RoutingContext(_) => tag::ROUTING_CONTEXT,
            P::DiagnosticInformation(_) => tag::DIAGNOSTIC_INFORMATION,
            P::HeartbeatData(_) => tag::HEARTBEAT_DATA,
            P::TrafficModeType(_) => tag::TRAFFIC_MODE_TYPE,
            P::ErrorCode(_) => tag::ERROR_CODE,
            P::Status { .. } => tag::STATUS,
            P::AspIdentifier(_) => tag::ASP_IDENTIFIER,
            P::AffectedPointCode(_) => tag::AFFECTED_POINT_CODE,
            P::CorrelationId(_) => tag::CORRELATION_ID,
            P::NetworkAppearance(_) => tag::NETWORK_APPEARANCE,
            P::UserCause { .. } => tag::USER_CAUSE,
            P::CongestionIndications(_) => tag::CONGESTION_INDICATIONS,
            P::ConcernedDestination(_) => tag::CONCERNED_DESTINATION,
            P::RoutingKey(_) => tag::ROUTING_KEY,
            P::RegistrationResult(_) => tag::REGISTRATION_RESULT,
            P::DeregistrationResult(_) => tag::DEREGISTRATION_RESULT,
            P::LocalRoutingKeyIdentifier(_) => tag::LOCAL_ROUTING_KEY_IDENTIFIER,
            P::DestinationPointCode(_) => tag::DESTINATION_POINT_CODE,
            P::ServiceIndicators(_) => tag::SERVICE_INDICATORS,
            P::OriginatingPointCodeList(_) => tag::ORIGINATING_POINT_CODE_LIST,
            P::ProtocolData(_) => tag::PROTOCOL_DATA,
            P::RegistrationStatus(_) => tag::REGISTRATION_STATUS,
            P::DeregistrationStatus(_) => tag::DEREGISTRATION_STATUS,
            P::Unknown { tag, .. } => *tag,
        }
    }

    /// The snake-case name of the parameter, or `None` for an unknown tag.
    pub fn name(&self) -> Option<&'static str> {
        name_of(self.tag())
    }

    /// Octets of the Parameter Value (without header and padding).
    pub fn value_len(&self) -> usize {
        use Parameter as P;
        match self {
            P::InfoString(v) | P::DiagnosticInformation(v) | P::HeartbeatData(v) => v.len(),
            P::ServiceIndicators(v) => v.len(),
            P::Unknown { value, .. } => value.len(),
            P::RoutingContext(v) => 4 * v.len(),
            P::AffectedPointCode(v) | P::OriginatingPointCodeList(v) => 4 * v.len(),
            P::RoutingKey(v) | P::RegistrationResult(v) | P::DeregistrationResult(v) => {
                v.iter().map(Parameter::padded_len).sum()
            }
            P::ProtocolData(pd) => 12 + pd.user_data.len(),
            _ => 4,
        }
    }

    /// Octets of the whole parameter with its padding.
    pub fn padded_len(&self) -> usize {
        (4 + self.value_len()).next_multiple_of(4)
    }

    /// Appends Tag, Length, Value and (when `pad`) the zero padding to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>, pad: bool) {
        use Parameter as P;
        let len = 4 + self.value_len();
        out.extend_from_slice(&self.tag().to_be_bytes());
        // A value longer than 65531 octets cannot be expressed; the length wraps, which only a
        // caller building such a parameter by hand can cause (decoding never yields one).
        out.extend_from_slice(&(len as u16).to_be_bytes());
        match self {
            P::InfoString(v) | P::DiagnosticInformation(v) | P::HeartbeatData(v) => {
                out.extend_from_slice(v)
            }
            P::ServiceIndicators(v) => out.extend_from_slice(v),
            P::Unknown { value, .. } => out.extend_from_slice(value),
            P::RoutingContext(v) => v
                .iter()
                .for_each(|x| out.extend_from_slice(&x.to_be_bytes())),
            P::AffectedPointCode(v) | P::OriginatingPointCodeList(v) => {
                for p in v {
                    out.extend_from_slice(&masked(p).to_be_bytes());
                }
            }
            P::DestinationPointCode(p) => out.extend_from_slice(&masked(p).to_be_bytes()),
            P::Status {
                status_type,
                status_info,
            } => {
                out.extend_from_slice(&status_type.to_be_bytes());
                out.extend_from_slice(&status_info.to_be_bytes());
            }
            P::UserCause { cause, user } => {
                out.extend_from_slice(&cause.to_be_bytes());
                out.extend_from_slice(&user.to_be_bytes());
            }
            P::TrafficModeType(x)
            | P::ErrorCode(x)
            | P::AspIdentifier(x)
            | P::CorrelationId(x)
            | P::NetworkAppearance(x)
            | P::CongestionIndications(x)
            | P::ConcernedDestination(x)
            | P::LocalRoutingKeyIdentifier(x)
            | P::RegistrationStatus(x)
            | P::DeregistrationStatus(x) => out.extend_from_slice(&x.to_be_bytes()),
            P::RoutingKey(v) | P::RegistrationResult(v) | P::DeregistrationResult(v) => {
                v.iter().for_each(|p| p.encode_into(out, true))
            }
            P::ProtocolData(pd) => {
                out.extend_from_slice(&pd.opc.to_be_bytes());
                out.extend_from_slice(&pd.dpc.to_be_bytes());
                out.extend_from_slice(&[pd.si, pd.ni, pd.mp, pd.sls]);
                out.extend_from_slice(&pd.user_data);
            }
        }
        if pad {
            out.resize(out.len() + (4 - len % 4) % 4, 0);
        }
    }

    /// Decodes the value of a parameter with tag `t` from `v` (exactly the value octets).
    /// `nested` is false inside a Routing Key / Registration Result / Deregistration Result, so
    /// those do not nest further.
    fn decode_value(t: u16, mut v: Reader<'_>, nested_ok: bool) -> Result<Parameter> {
        use Parameter as P;
        let fixed = |v: &Reader<'_>, n: usize, field: &'static str| -> Result<()> {
            // RFC 4666 3.2/3.3: these parameters have a fixed-size value.
            if v.remaining() != n {
                return Err(v.error(field, Reason::BadLength));
            }
            Ok(())
        };
        let p = match t {
            tag::INFO_STRING => P::InfoString(v.rest().to_vec()),
            tag::DIAGNOSTIC_INFORMATION => P::DiagnosticInformation(v.rest().to_vec()),
            tag::HEARTBEAT_DATA => P::HeartbeatData(v.rest().to_vec()),
            tag::SERVICE_INDICATORS => P::ServiceIndicators(v.rest().to_vec()),
            tag::ROUTING_CONTEXT => {
                // 3.3.1: one or more 32-bit Routing Context values.
                if v.remaining() == 0 || v.remaining() % 4 != 0 {
                    return Err(v.error("m3ua.routing_context", Reason::BadLength));
                }
                let mut rc = Vec::with_capacity(v.remaining() / 4);
                while !v.is_empty() {
                    rc.push(v.u32("m3ua.routing_context")?);
                }
                P::RoutingContext(rc)
            }
            tag::AFFECTED_POINT_CODE | tag::ORIGINATING_POINT_CODE_LIST => {
                let field = if t == tag::AFFECTED_POINT_CODE {
                    "m3ua.affected_point_code"
                } else {
                    "m3ua.originating_point_code_list"
                };
                if v.remaining() == 0 || v.remaining() % 4 != 0 {
                    return Err(v.error(field, Reason::BadLength));
                }
                let mut pcs = Vec::with_capacity(v.remaining() / 4);
                while !v.is_empty() {
                    pcs.push(unmask(v.u32(field)?));
                }
                if t == tag::AFFECTED_POINT_CODE {
                    P::AffectedPointCode(pcs)
                } else {
                    P::OriginatingPointCodeList(pcs)
                }
            }
            tag::DESTINATION_POINT_CODE => {
                fixed(&v, 4, "m3ua.destination_point_code")?;
                P::DestinationPointCode(unmask(v.u32("m3ua.destination_point_code")?))
            }
            tag::STATUS => {
                fixed(&v, 4, "m3ua.status")?;
                P::Status {
                    status_type: v.u16("m3ua.status")?,
                    status_info: v.u16("m3ua.status")?,
                }
            }
            tag::USER_CAUSE => {
                fixed(&v, 4, "m3ua.user_cause")?;
                P::UserCause {
                    cause: v.u16("m3ua.user_cause")?,
                    user: v.u16("m3ua.user_cause")?,
                }
            }
            tag::TRAFFIC_MODE_TYPE
            | tag::ERROR_CODE
            | tag::ASP_IDENTIFIER
            | tag::CORRELATION_ID
            | tag::NETWORK_APPEARANCE
            | tag::CONGESTION_INDICATIONS
            | tag::CONCERNED_DESTINATION
            | tag::LOCAL_ROUTING_KEY_IDENTIFIER
            | tag::REGISTRATION_STATUS
            | tag::DEREGISTRATION_STATUS => {
                let field = u32_field(t);
                fixed(&v, 4, field)?;
                let x = v.u32(field)?;
                match t {
                    tag::TRAFFIC_MODE_TYPE => P::TrafficModeType(x),
                    tag::ERROR_CODE => P::ErrorCode(x),
                    tag::ASP_IDENTIFIER => P::AspIdentifier(x),
                    tag::CORRELATION_ID => P::CorrelationId(x),
                    tag::NETWORK_APPEARANCE => P::NetworkAppearance(x),
                    tag::CONGESTION_INDICATIONS => P::CongestionIndications(x),
                    tag::CONCERNED_DESTINATION => P::ConcernedDestination(x),
                    tag::LOCAL_ROUTING_KEY_IDENTIFIER => P::LocalRoutingKeyIdentifier(x),
                    tag::REGISTRATION_STATUS => P::RegistrationStatus(x),
                    _ => P::DeregistrationStatus(x),
                }
            }
            tag::ROUTING_KEY | tag::REGISTRATION_RESULT | tag::DEREGISTRATION_RESULT
                if nested_ok =>
            {
                let (list, unpadded) = decode_list(&mut v, false)?;
                if unpadded {
                    // Nested parameters are padded; only the message's last may omit it.
                    return Err(v.error("m3ua.padding", Reason::BadLength));
                }
                match t {
                    tag::ROUTING_KEY => P::RoutingKey(list),
                    tag::REGISTRATION_RESULT => P::RegistrationResult(list),
                    _ => P::DeregistrationResult(list),
                }
            }
            tag::PROTOCOL_DATA => {
                // 3.3.1: OPC, DPC, SI, NI, MP, SLS then the user data.
                let opc = v.u32("m3ua.protocol_data.opc")?;
                let dpc = v.u32("m3ua.protocol_data.dpc")?;
                let si = v.u8("m3ua.protocol_data.si")?;
                let ni = v.u8("m3ua.protocol_data.ni")?;
                let mp = v.u8("m3ua.protocol_data.mp")?;
                let sls = v.u8("m3ua.protocol_data.sls")?;
                P::ProtocolData(ProtocolData {
                    opc,
                    dpc,
                    si,
                    ni,
                    mp,
                    sls,
                    user_data: v.rest().to_vec(),
                })
            }
            _ => P::Unknown {
                tag: t,
                value: v.rest().to_vec(),
            },
        };
        Ok(p)
    }
}

fn u32_field(t: u16) -> &'static str {
    match t {
        tag::TRAFFIC_MODE_TYPE => "m3ua.traffic_mode_type",
        tag::ERROR_CODE => "m3ua.error_code",
        tag::ASP_IDENTIFIER => "m3ua.asp_identifier",
        tag::CORRELATION_ID => "m3ua.correlation_id",
        tag::NETWORK_APPEARANCE => "m3ua.network_appearance",
        tag::CONGESTION_INDICATIONS => "m3ua.congestion_indications",
        tag::CONCERNED_DESTINATION => "m3ua.concerned_destination",
        tag::LOCAL_ROUTING_KEY_IDENTIFIER => "m3ua.local_routing_key_identifier",
        tag::REGISTRATION_STATUS => "m3ua.registration_status",
        _ => "m3ua.deregistration_status",
    }
}

fn masked(p: &MaskedPointCode) -> u32 {
    (u32::from(p.mask) << 24) | (p.pc & 0x00ff_ffff)
}

fn unmask(x: u32) -> MaskedPointCode {
    MaskedPointCode {
        mask: (x >> 24) as u8,
        pc: x & 0x00ff_ffff,
    }
}

/// Decodes parameters until `r` is exhausted. Returns them and whether the last one came without
/// its padding (some implementations omit it; RFC 4666 3.2 asks for it).
pub(crate) fn decode_list(r: &mut Reader<'_>, nested_ok: bool) -> Result<(Vec<Parameter>, bool)> {
    let mut list = Vec::new();
    let mut unpadded = false;
    while !r.is_empty() {
        let start = r.offset();
        let t = r.u16("m3ua.parameter_tag")?;
        let len = usize::from(r.u16("m3ua.parameter_length")?);
        // RFC 4666 3.2: the Parameter Length includes the 4 octets of Tag and Length.
        if len < 4 {
            return Err(Error::new(
                "m3ua.parameter_length",
                start + 2,
                Reason::BadValue,
            ));
        }
        let value = r
            .sub(len - 4, "m3ua.parameter_length")
            .map_err(|e| Error::new(e.field, start + 2, Reason::BadLength))?;
        list.push(Parameter::decode_value(t, value, nested_ok)?);
        let pad = (4 - len % 4) % 4;
        if pad > 0 {
            if r.is_empty() {
                unpadded = true;
                break;
            }
            // RFC 4666 3.2: the sender pads with all zero bytes; the padding is part of the
            // message, so a parameter that ends short of it leaves the next one misaligned.
            let p = r.take(pad, "m3ua.padding").map_err(|e| Error {
                reason: Reason::BadLength,
                ..e
            })?;
            if p.iter().any(|&b| b != 0) {
                return Err(Error::new(
                    "m3ua.padding",
                    r.offset() - pad,
                    Reason::BadValue,
                ));
            }
        }
    }
    Ok((list, unpadded))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hex;

    fn one(b: &str) -> Result<Parameter> {
        let b = hex::decode(b).unwrap();
        let (l, _) = decode_list(&mut Reader::new(&b), true)?;
        Ok(l.into_iter().next().unwrap())
    }

    #[test]
    fn parses_every_fixed_parameter() {
        assert_eq!(
            one("0006 000c 00000064 00000065").unwrap(),
            Parameter::RoutingContext(vec![100, 101])
        );
        assert_eq!(
            one("000d 0008 0001 0003").unwrap(),
            Parameter::Status {
                status_type: 1,
                status_info: 3
            }
        );
        assert_eq!(
            one("0012 0008 00001234").unwrap(),
            Parameter::AffectedPointCode(vec![MaskedPointCode {
                mask: 0,
                pc: 0x1234
            }])
        );
        assert_eq!(
            one("0204 0008 0002 0003").unwrap(),
            Parameter::UserCause { cause: 2, user: 3 }
        );
        assert_eq!(
            one("020c 0006 0305 0000").unwrap(),
            Parameter::ServiceIndicators(vec![3, 5])
        );
        assert_eq!(
            one("0004 0007 414243 00").unwrap(),
            Parameter::InfoString(b"ABC".to_vec())
        );
        assert_eq!(
            one("beef 0005 aa 000000").unwrap(),
            Parameter::Unknown {
                tag: 0xbeef,
                value: vec![0xaa]
            }
        );
    }

    #[test]
    fn parses_nested_routing_key() {
        let p = one("0207 0014 020a 0008 00000001 020b 0008 00001234").unwrap();
        assert_eq!(
            p,
            Parameter::RoutingKey(vec![
                Parameter::LocalRoutingKeyIdentifier(1),
                Parameter::DestinationPointCode(MaskedPointCode {
                    mask: 0,
                    pc: 0x1234
                }),
            ])
        );
        let mut out = Vec::new();
        p.encode_into(&mut out, true);
        assert_eq!(
            hex::encode(&out),
            "02070014020a000800000001020b000800001234"
        );
    }

    #[test]
    fn rejects_wrong_lengths_and_padding() {
        let e = one("0006 000a 00000064 0000 0000").unwrap_err();
        assert_eq!(
            (e.field, e.reason),
            ("m3ua.routing_context", Reason::BadLength)
        );
        let e = one("000b 0006 0001 0000").unwrap_err();
        assert_eq!(
            (e.field, e.reason),
            ("m3ua.traffic_mode_type", Reason::BadLength)
        );
        let e = one("0006 0010 00000064").unwrap_err();
        assert_eq!(
            (e.field, e.offset, e.reason),
            ("m3ua.parameter_length", 2, Reason::BadLength)
        );
        let e = one("0006 0003").unwrap_err();
        assert_eq!(
            (e.field, e.reason),
            ("m3ua.parameter_length", Reason::BadValue)
        );
        let e = one("0004 0005 41 000100 0011 0008 00000001").unwrap_err();
        assert_eq!(
            (e.field, e.offset, e.reason),
            ("m3ua.padding", 5, Reason::BadValue)
        );
    }

    #[test]
    fn accepts_missing_padding_on_last_parameter() {
        let b = hex::decode("0004 0005 41").unwrap();
        let (l, unpadded) = decode_list(&mut Reader::new(&b), true).unwrap();
        assert_eq!(
            (l, unpadded),
            (vec![Parameter::InfoString(b"A".to_vec())], true)
        );
    }
}
