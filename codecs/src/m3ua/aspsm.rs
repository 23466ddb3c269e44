//! ASP State Maintenance (ASPSM) messages: ASPUP, ASPDN, BEAT and their acknowledgements
//! (RFC 4666 3.5).

use super::header::MessageType;
use super::message::Message;
use super::params::Parameter;

impl Message {
    /// ASPUP (3.5.1) with an optional ASP Identifier.
    pub fn aspup(asp_id: Option<u32>) -> Self {
        Message::new(
            MessageType::AspUp,
            asp_id.map(Parameter::AspIdentifier).into_iter().collect(),
        )
    }

    /// ASPUP ACK (3.5.2) with an optional ASP Identifier.
    pub fn aspup_ack(asp_id: Option<u32>) -> Self {
        Message::new(
            MessageType::AspUpAck,
            asp_id.map(Parameter::AspIdentifier).into_iter().collect(),
        )
    }

    /// ASPDN (3.5.3).
    pub fn aspdn() -> Self {
        Message::new(MessageType::AspDn, Vec::new())
    }

    /// ASPDN ACK (3.5.4).
    pub fn aspdn_ack() -> Self {
        Message::new(MessageType::AspDnAck, Vec::new())
    }

    /// BEAT (3.5.5) with optional Heartbeat Data.
    pub fn beat(data: Option<Vec<u8>>) -> Self {
        Message::new(
            MessageType::Beat,
            data.map(Parameter::HeartbeatData).into_iter().collect(),
        )
    }

    /// BEAT ACK (3.5.6) for a received BEAT: its Heartbeat Data is echoed unchanged.
    pub fn beat_ack_for(beat: &Message) -> Self {
        let params = beat
            .params
            .iter()
            .filter(|p| matches!(p, Parameter::HeartbeatData(_)))
            .cloned()
            .collect();
        Message::new(MessageType::BeatAck, params)
    }
}
