//! Routing Key Management (RKM) messages: REG REQ, REG RSP, DEREG REQ, DEREG RSP (RFC 4666 3.6).

use super::header::MessageType;
use super::message::Message;
use super::params::{MaskedPointCode, Parameter};

/// A routing key to register (RFC 4666 3.6.1): the parameters nested in a Routing Key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RoutingKey {
    /// Local-RK-Identifier (mandatory).
    pub local_rk_id: u32,
    /// Routing Context, if the ASP proposes one.
    pub routing_context: Option<u32>,
    /// Traffic Mode Type.
    pub traffic_mode: Option<u32>,
    /// Destination Point Code (mandatory).
    pub dpc: MaskedPointCode,
    /// Network Appearance.
    pub network_appearance: Option<u32>,
    /// Service Indicators.
    pub service_indicators: Vec<u8>,
    /// Originating Point Code List.
    pub opc_list: Vec<MaskedPointCode>,
}

impl RoutingKey {
    /// The nested parameters in the order of RFC 4666 3.6.1.
    pub fn to_param(&self) -> Parameter {
        let mut v = vec![Parameter::LocalRoutingKeyIdentifier(self.local_rk_id)];
        if let Some(rc) = self.routing_context {
            v.push(Parameter::RoutingContext(vec![rc]));
        }
        if let Some(t) = self.traffic_mode {
            v.push(Parameter::TrafficModeType(t));
        }
        v.push(Parameter::DestinationPointCode(self.dpc));
        if let Some(na) = self.network_appearance {
            v.push(Parameter::NetworkAppearance(na));
        }
        if !self.service_indicators.is_empty() {
            v.push(Parameter::ServiceIndicators(
                self.service_indicators.clone(),
            ));
        }
        if !self.opc_list.is_empty() {
            v.push(Parameter::OriginatingPointCodeList(self.opc_list.clone()));
        }
        Parameter::RoutingKey(v)
    }
}

impl Message {
    /// REG REQ (3.6.1) with one Routing Key parameter per key.
    pub fn reg_req(keys: &[RoutingKey]) -> Self {
        Message::new(
            MessageType::RegReq,
            keys.iter().map(RoutingKey::to_param).collect(),
        )
    }

    /// REG RSP (3.6.2): one Registration Result (Local-RK-Identifier, Registration Status,
    /// Routing Context) per `(local_rk_id, status, routing_context)`.
    pub fn reg_rsp(results: &[(u32, u32, u32)]) -> Self {
        let params = results
            .iter()
            .map(|&(id, status, rc)| {
                Parameter::RegistrationResult(vec![
                    Parameter::LocalRoutingKeyIdentifier(id),
                    Parameter::RegistrationStatus(status),
                    Parameter::RoutingContext(vec![rc]),
                ])
            })
            .collect();
        Message::new(MessageType::RegRsp, params)
    }

    /// DEREG REQ (3.6.3) for the given Routing Contexts.
    pub fn dereg_req(rc: &[u32]) -> Self {
        Message::new(
            MessageType::DeregReq,
            vec![Parameter::RoutingContext(rc.to_vec())],
        )
    }

    /// DEREG RSP (3.6.4): one Deregistration Result (Routing Context, Deregistration Status)
    /// per `(routing_context, status)`.
    pub fn dereg_rsp(results: &[(u32, u32)]) -> Self {
        let params = results
            .iter()
            .map(|&(rc, status)| {
                Parameter::DeregistrationResult(vec![
                    Parameter::RoutingContext(vec![rc]),
                    Parameter::DeregistrationStatus(status),
                ])
            })
            .collect();
        Message::new(MessageType::DeregRsp, params)
    }
}
