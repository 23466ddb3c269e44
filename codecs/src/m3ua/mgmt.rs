//! Management (MGMT) messages: ERR and NTFY (RFC 4666 3.8).

use super::header::MessageType;
use super::message::Message;
use super::params::Parameter;

/// Error Code values (RFC 4666 3.8.1).
pub mod error_code {
    /// Invalid Version.
    pub const INVALID_VERSION: u32 = 0x01;
    /// Unsupported Message Class.
    pub const UNSUPPORTED_MESSAGE_CLASS: u32 = 0x03;
    /// Unsupported Message Type.
    pub const UNSUPPORTED_MESSAGE_TYPE: u32 = 0x04;
    /// Unsupported Traffic Mode Type.
    pub const UNSUPPORTED_TRAFFIC_MODE_TYPE: u32 = 0x05;
    /// Unexpected Message.
    pub const UNEXPECTED_MESSAGE: u32 = 0x06;
    /// Protocol Error.
    pub const PROTOCOL_ERROR: u32 = 0x07;
    /// Invalid Stream Identifier.
    pub const INVALID_STREAM_IDENTIFIER: u32 = 0x09;
    /// Refused - Management Blocking.
    pub const REFUSED_MANAGEMENT_BLOCKING: u32 = 0x0d;
    /// ASP Identifier Required.
    pub const ASP_IDENTIFIER_REQUIRED: u32 = 0x0e;
    /// Invalid ASP Identifier.
    pub const INVALID_ASP_IDENTIFIER: u32 = 0x0f;
    /// Invalid Parameter Value.
    pub const INVALID_PARAMETER_VALUE: u32 = 0x11;
    /// Parameter Field Error.
    pub const PARAMETER_FIELD_ERROR: u32 = 0x12;
    /// Unexpected Parameter.
    pub const UNEXPECTED_PARAMETER: u32 = 0x13;
    /// Destination Status Unknown.
    pub const DESTINATION_STATUS_UNKNOWN: u32 = 0x14;
    /// Invalid Network Appearance.
    pub const INVALID_NETWORK_APPEARANCE: u32 = 0x15;
    /// Missing Parameter.
    pub const MISSING_PARAMETER: u32 = 0x16;
    /// Invalid Routing Context.
    pub const INVALID_ROUTING_CONTEXT: u32 = 0x19;
    /// No Configured AS for ASP.
    pub const NO_CONFIGURED_AS_FOR_ASP: u32 = 0x1a;
}

/// Status Type and Status Information values of NTFY (RFC 4666 3.8.2).
pub mod status {
    /// Status Type: Application Server state change.
    pub const AS_STATE_CHANGE: u16 = 1;
    /// Status Type: other.
    pub const OTHER: u16 = 2;
    /// AS-State_Change information: AS-INACTIVE.
    pub const AS_INACTIVE: u16 = 2;
    /// AS-State_Change information: AS-ACTIVE.
    pub const AS_ACTIVE: u16 = 3;
    /// AS-State_Change information: AS-PENDING.
    pub const AS_PENDING: u16 = 4;
    /// Other information: insufficient ASP resources active in AS.
    pub const INSUFFICIENT_ASP_RESOURCES: u16 = 1;
    /// Other information: alternate ASP active.
    pub const ALTERNATE_ASP_ACTIVE: u16 = 2;
    /// Other information: ASP failure.
    pub const ASP_FAILURE: u16 = 3;
}

impl Message {
    /// ERR (3.8.1): Error Code, then Routing Context, Network Appearance, Affected Point Code and
    /// Diagnostic Information when the caller adds them to `extra` (in that order).
    pub fn err(code: u32, extra: Vec<Parameter>) -> Self {
        let mut params = vec![Parameter::ErrorCode(code)];
        params.extend(extra);
        Message::new(MessageType::Err, params)
    }

    /// NTFY (3.8.2): Status, optional ASP Identifier and Routing Context.
    pub fn ntfy(status_type: u16, status_info: u16, asp_id: Option<u32>, rc: &[u32]) -> Self {
        let mut params = vec![Parameter::Status {
            status_type,
            status_info,
        }];
        if let Some(id) = asp_id {
            params.push(Parameter::AspIdentifier(id));
        }
        if !rc.is_empty() {
            params.push(Parameter::RoutingContext(rc.to_vec()));
        }
        Message::new(MessageType::Ntfy, params)
    }
}
