//! SS7 Signalling Network Management (SSNM) messages: DUNA, DAVA, DAUD, SCON, DUPU, DRST
//! (RFC 4666 3.4). Each carries the Affected Point Code; SCON adds the Concerned Destination
//! and Congestion Indications, DUPU the User/Cause.

use super::header::MessageType;
use super::message::Message;
use super::params::{MaskedPointCode, Parameter};

fn ssnm(kind: MessageType, rc: &[u32], apc: &[MaskedPointCode], extra: Vec<Parameter>) -> Message {
    let mut params = Vec::with_capacity(2 + extra.len());
    if !rc.is_empty() {
        params.push(Parameter::RoutingContext(rc.to_vec()));
    }
    params.push(Parameter::AffectedPointCode(apc.to_vec()));
    params.extend(extra);
    Message::new(kind, params)
}

impl Message {
    /// DUNA (3.4.1): the affected destinations are unavailable.
    pub fn duna(rc: &[u32], apc: &[MaskedPointCode]) -> Self {
        ssnm(MessageType::Duna, rc, apc, Vec::new())
    }

    /// DAVA (3.4.2): the affected destinations are available.
    pub fn dava(rc: &[u32], apc: &[MaskedPointCode]) -> Self {
        ssnm(MessageType::Dava, rc, apc, Vec::new())
    }

    /// DAUD (3.4.3): audit the state of the affected destinations.
    pub fn daud(rc: &[u32], apc: &[MaskedPointCode]) -> Self {
        ssnm(MessageType::Daud, rc, apc, Vec::new())
    }

    /// SCON (3.4.4): congestion towards the affected destinations, with the optional Concerned
    /// Destination and congestion level.
    pub fn scon(
        rc: &[u32],
        apc: &[MaskedPointCode],
        concerned: Option<u32>,
        level: Option<u8>,
    ) -> Self {
        let mut extra = Vec::new();
        if let Some(c) = concerned {
            extra.push(Parameter::ConcernedDestination(c & 0x00ff_ffff));
        }
        if let Some(l) = level {
            extra.push(Parameter::CongestionIndications(u32::from(l)));
        }
        ssnm(MessageType::Scon, rc, apc, extra)
    }

    /// DUPU (3.4.5): an MTP3 user part is unavailable at the affected destination.
    pub fn dupu(rc: &[u32], apc: MaskedPointCode, cause: u16, user: u16) -> Self {
        ssnm(
            MessageType::Dupu,
            rc,
            &[apc],
            vec![Parameter::UserCause { cause, user }],
        )
    }

    /// DRST (3.4.6): the affected destinations are restricted.
    pub fn drst(rc: &[u32], apc: &[MaskedPointCode]) -> Self {
        ssnm(MessageType::Drst, rc, apc, Vec::new())
    }
}
