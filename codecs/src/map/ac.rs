//! The application contexts of the short message operations (3GPP TS 29.002 17.3.3,
//! MAP-ApplicationContexts).
//!
//! ```asn1
//! map-ac OBJECT IDENTIFIER ::= {itu-t(0) identified-organization(4) etsi(0) mobileDomain(0)
//!   gsm-Network(1) ac-Id(0)}
//! shortMsgGatewayContext-v3   ::= {map-ac shortMsgGateway(20) version3(3)}
//! shortMsgMO-RelayContext-v3  ::= {map-ac shortMsgRelay(21) version3(3)}
//! shortMsgAlertContext-v2     ::= {map-ac shortMsgAlert(23) version2(2)}
//! mwdMngtContext-v3           ::= {map-ac mwdMngt(24) version3(3)}
//! shortMsgMT-RelayContext-v3  ::= {map-ac shortMsgMT-Relay(25) version3(3)}
//! -- and the earlier versions of each (shortMsgRelayContext-v1 is {map-ac 21 1})
//! ```

use crate::ber::Oid;

/// The short message application contexts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AppContext {
    /// shortMsgGatewayContext (20): sendRoutingInfoForSM, reportSM-DeliveryStatus,
    /// informServiceCentre.
    ShortMsgGateway,
    /// shortMsgMO-RelayContext (21; shortMsgRelayContext in version 1): mo-forwardSM / forwardSM.
    ShortMsgMoRelay,
    /// shortMsgAlertContext (23): alertServiceCentre.
    ShortMsgAlert,
    /// mwdMngtContext (24): readyForSM (noteSubscriberPresent in version 1).
    MwdMngt,
    /// shortMsgMT-RelayContext (25): mt-forwardSM (forwardSM in version 2).
    ShortMsgMtRelay,
    /// shortMsgMT-Relay-VGCS-Context (41).
    ShortMsgMtRelayVgcs,
}

impl AppContext {
    /// The `ac-Id` arc.
    pub const fn code(self) -> u64 {
        match self {
            AppContext::ShortMsgGateway => 20,
            AppContext::ShortMsgMoRelay => 21,
            AppContext::ShortMsgAlert => 23,
            AppContext::MwdMngt => 24,
            AppContext::ShortMsgMtRelay => 25,
            AppContext::ShortMsgMtRelayVgcs => 41,
        }
    }

    /// The ASN.1 name without the version suffix.
    pub const fn name(self) -> &'static str {
        match self {
            AppContext::ShortMsgGateway => "shortMsgGatewayContext",
            AppContext::ShortMsgMoRelay => "shortMsgMO-RelayContext",
            AppContext::ShortMsgAlert => "shortMsgAlertContext",
            AppContext::MwdMngt => "mwdMngtContext",
            AppContext::ShortMsgMtRelay => "shortMsgMT-RelayContext",
            AppContext::ShortMsgMtRelayVgcs => "shortMsgMT-Relay-VGCS-Context",
        }
    }

    /// The highest version 29.002 defines for this context.
    pub const fn max_version(self) -> u8 {
        match self {
            AppContext::ShortMsgAlert => 2,
            _ => 3,
        }
    }

    /// The OID of this context in `version` (1..=3).
    pub fn oid(self, version: u8) -> Oid {
        Oid::from_arcs(&[0, 4, 0, 0, 1, 0, self.code(), u64::from(version)]).expect("valid arcs")
    }

    /// The context and version of an OID, if it is one of these.
    pub fn from_oid(oid: &Oid) -> Option<(AppContext, u8)> {
        let a = oid.arcs();
        if a.len() != 8 || a[..6] != [0, 4, 0, 0, 1, 0] || !(1..=3).contains(&a[7]) {
            return None;
        }
        let ac = match a[6] {
            20 => AppContext::ShortMsgGateway,
            21 => AppContext::ShortMsgMoRelay,
            23 => AppContext::ShortMsgAlert,
            24 => AppContext::MwdMngt,
            25 => AppContext::ShortMsgMtRelay,
            41 => AppContext::ShortMsgMtRelayVgcs,
            _ => return None,
        };
        Some((ac, a[7] as u8))
    }
}

/// The MAP version of any MAP application context OID (`{map-ac x version}`), whatever the
/// context: the last arc.
pub fn map_version(oid: &Oid) -> Option<u8> {
    let a = oid.arcs();
    if a.len() == 8 && a[..6] == [0, 4, 0, 0, 1, 0] && (1..=4).contains(&a[7]) {
        Some(a[7] as u8)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oids_of_the_sm_contexts() {
        assert_eq!(
            AppContext::ShortMsgMtRelay.oid(3).to_string(),
            "0.4.0.0.1.0.25.3"
        );
        assert_eq!(
            AppContext::ShortMsgGateway.oid(2).0,
            [0x04, 0x00, 0x00, 0x01, 0x00, 0x14, 0x02]
        );
        let o = Oid::parse("0.4.0.0.1.0.21.3").unwrap();
        assert_eq!(
            AppContext::from_oid(&o),
            Some((AppContext::ShortMsgMoRelay, 3))
        );
        assert_eq!(
            AppContext::from_oid(&Oid::parse("0.4.0.0.1.0.1.3").unwrap()),
            None
        );
        assert_eq!(
            map_version(&Oid::parse("0.4.0.0.1.0.1.3").unwrap()),
            Some(3)
        );
    }
}
