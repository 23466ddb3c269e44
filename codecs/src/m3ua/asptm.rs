//! ASP Traffic Maintenance (ASPTM) messages: ASPAC, ASPIA and their acknowledgements
//! (RFC 4666 3.7).

use super::header::MessageType;
use super::message::Message;
use super::params::Parameter;

/// Traffic Mode Type values (RFC 4666 3.7.1).
pub mod traffic_mode {
    /// Override.
    pub const OVERRIDE: u32 = 1;
    /// Loadshare.
    pub const LOADSHARE: u32 = 2;
    /// Broadcast.
    pub const BROADCAST: u32 = 3;
}

fn asptm(kind: MessageType, traffic_mode: Option<u32>, rc: &[u32]) -> Message {
    let mut params = Vec::with_capacity(2);
    if let Some(t) = traffic_mode {
        params.push(Parameter::TrafficModeType(t));
    }
    if !rc.is_empty() {
        params.push(Parameter::RoutingContext(rc.to_vec()));
    }
    Message::new(kind, params)
}

impl Message {
    /// ASPAC (3.7.1) with optional Traffic Mode Type and Routing Contexts.
    pub fn aspac(traffic_mode: Option<u32>, rc: &[u32]) -> Self {
        asptm(MessageType::AspAc, traffic_mode, rc)
    }

    /// ASPAC ACK (3.7.2).
    pub fn aspac_ack(traffic_mode: Option<u32>, rc: &[u32]) -> Self {
        asptm(MessageType::AspAcAck, traffic_mode, rc)
    }

    /// ASPIA (3.7.3) with optional Routing Contexts.
    pub fn aspia(rc: &[u32]) -> Self {
        asptm(MessageType::AspIa, None, rc)
    }

    /// ASPIA ACK (3.7.4).
    pub fn aspia_ack(rc: &[u32]) -> Self {
        asptm(MessageType::AspIaAck, None, rc)
    }
}
