//! The short message data types (3GPP TS 29.002 17.7.6, MAP-SM-DataTypes), with the fields of
//! versions 1 and 2 that version 3 dropped (ETS 300 599 14.7.6). Each type quotes its ASN.1 and
//! is declared field by field in that order; the macro derives the BER codec and the JSON.

use super::address::{AddressString, Tbcd};
use super::asn::{json_hex, object, sequence, Asn, JsonResult, Raw};
use crate::ber::{self, LenForm, Tag, Tlv, Writer};
use crate::error::Result;
use serde_json::{json, Value};

/// The destination of a short message relay.
///
/// ```asn1
/// SM-RP-DA ::= CHOICE {
///   imsi                    [0] IMSI,
///   lmsi                    [1] LMSI,
///   serviceCentreAddressDA  [4] AddressString,
///   noSM-RP-DA              [5] NULL }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub enum SmRpDa {
    /// imsi [0].
    Imsi(Tbcd),
    /// lmsi [1] (4 octets).
    Lmsi(Vec<u8>),
    /// serviceCentreAddressDA [4].
    ServiceCentreAddress(AddressString),
    /// noSM-RP-DA [5].
    #[default]
    None,
}

impl Asn for SmRpDa {
    fn accepts(tag: Tag, _declared: Tag) -> bool {
        tag == Tag::context(0)
            || tag == Tag::context(1)
            || tag == Tag::context(4)
            || tag == Tag::context(5)
    }
    fn decode_asn(t: &Tlv<'_>, field: &'static str) -> Result<Self> {
        Ok(match t.tag.number {
            0 => SmRpDa::Imsi(Tbcd::decode_asn(t, field)?),
            1 => SmRpDa::Lmsi(t.value.to_vec()),
            4 => SmRpDa::ServiceCentreAddress(AddressString::decode_asn(t, field)?),
            _ => {
                ber::null_value(t, field)?;
                SmRpDa::None
            }
        })
    }
    fn encode_asn(&self, w: &mut Writer, _declared: Tag, form: LenForm) {
        match self {
            SmRpDa::Imsi(i) => i.encode_asn(w, Tag::context(0), form),
            SmRpDa::Lmsi(l) => w.primitive(Tag::context(1), form, l),
            SmRpDa::ServiceCentreAddress(a) => a.encode_asn(w, Tag::context(4), form),
            SmRpDa::None => w.primitive(Tag::context(5), form, &[]),
        }
    }
    fn to_json(&self) -> Value {
        match self {
            SmRpDa::Imsi(i) => json!({ "imsi": i.to_json() }),
            SmRpDa::Lmsi(l) => json!({ "lmsi": l.to_json() }),
            SmRpDa::ServiceCentreAddress(a) => json!({ "service_centre_address": a.to_json() }),
            SmRpDa::None => json!({ "no_sm_rp_da": true }),
        }
    }
    fn from_json(v: &Value, field: &str) -> JsonResult<Self> {
        let m = object(v, field)?;
        if let Some(x) = m.get("imsi") {
            Ok(SmRpDa::Imsi(Tbcd::from_json(x, "imsi")?))
        } else if let Some(x) = m.get("lmsi") {
            Ok(SmRpDa::Lmsi(json_hex(x, "lmsi")?))
        } else if let Some(x) = m.get("service_centre_address") {
            Ok(SmRpDa::ServiceCentreAddress(AddressString::from_json(
                x,
                "service_centre_address",
            )?))
        } else if m.contains_key("no_sm_rp_da") {
            Ok(SmRpDa::None)
        } else {
            Err(format!(
                "{field}: expected imsi, lmsi, service_centre_address or no_sm_rp_da"
            ))
        }
    }
}

/// The originator of a short message relay.
///
/// ```asn1
/// SM-RP-OA ::= CHOICE {
///   msisdn                  [2] ISDN-AddressString,
///   serviceCentreAddressOA  [4] AddressString,
///   noSM-RP-OA              [5] NULL }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub enum SmRpOa {
    /// msisdn [2].
    Msisdn(AddressString),
    /// serviceCentreAddressOA [4].
    ServiceCentreAddress(AddressString),
    /// noSM-RP-OA [5].
    #[default]
    None,
}

impl Asn for SmRpOa {
    fn accepts(tag: Tag, _declared: Tag) -> bool {
        tag == Tag::context(2) || tag == Tag::context(4) || tag == Tag::context(5)
    }
    fn decode_asn(t: &Tlv<'_>, field: &'static str) -> Result<Self> {
        Ok(match t.tag.number {
            2 => SmRpOa::Msisdn(AddressString::decode_asn(t, field)?),
            4 => SmRpOa::ServiceCentreAddress(AddressString::decode_asn(t, field)?),
            _ => {
                ber::null_value(t, field)?;
                SmRpOa::None
            }
        })
    }
    fn encode_asn(&self, w: &mut Writer, _declared: Tag, form: LenForm) {
        match self {
            SmRpOa::Msisdn(a) => a.encode_asn(w, Tag::context(2), form),
            SmRpOa::ServiceCentreAddress(a) => a.encode_asn(w, Tag::context(4), form),
            SmRpOa::None => w.primitive(Tag::context(5), form, &[]),
        }
    }
    fn to_json(&self) -> Value {
        match self {
            SmRpOa::Msisdn(a) => json!({ "msisdn": a.to_json() }),
            SmRpOa::ServiceCentreAddress(a) => json!({ "service_centre_address": a.to_json() }),
            SmRpOa::None => json!({ "no_sm_rp_oa": true }),
        }
    }
    fn from_json(v: &Value, field: &str) -> JsonResult<Self> {
        let m = object(v, field)?;
        if let Some(x) = m.get("msisdn") {
            Ok(SmRpOa::Msisdn(AddressString::from_json(x, "msisdn")?))
        } else if let Some(x) = m.get("service_centre_address") {
            Ok(SmRpOa::ServiceCentreAddress(AddressString::from_json(
                x,
                "service_centre_address",
            )?))
        } else if m.contains_key("no_sm_rp_oa") {
            Ok(SmRpOa::None)
        } else {
            Err(format!(
                "{field}: expected msisdn, service_centre_address or no_sm_rp_oa"
            ))
        }
    }
}

/// Where the SRI-SM result points: `networkNode-Number [1]` in version 2 and 3, or in version 1
/// the `LocationInfo` choice that also allowed `roamingNumber [0]`.
///
/// ```asn1
/// LocationInfo ::= CHOICE {               -- version 1 (ETS 300 599)
///   roamingNumber [0] ISDN-AddressString,
///   msc-Number    [1] ISDN-AddressString }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum NodeNumber {
    /// roamingNumber [0] (version 1 only).
    RoamingNumber(AddressString),
    /// networkNode-Number [1] (msc-Number in version 1).
    NetworkNode(AddressString),
}

impl Default for NodeNumber {
    fn default() -> Self {
        NodeNumber::NetworkNode(AddressString::default())
    }
}

impl Asn for NodeNumber {
    fn accepts(tag: Tag, _declared: Tag) -> bool {
        tag == Tag::context(0) || tag == Tag::context(1)
    }
    fn decode_asn(t: &Tlv<'_>, field: &'static str) -> Result<Self> {
        let a = AddressString::decode_asn(t, field)?;
        Ok(if t.tag.number == 0 {
            NodeNumber::RoamingNumber(a)
        } else {
            NodeNumber::NetworkNode(a)
        })
    }
    fn encode_asn(&self, w: &mut Writer, _declared: Tag, form: LenForm) {
        match self {
            NodeNumber::RoamingNumber(a) => a.encode_asn(w, Tag::context(0), form),
            NodeNumber::NetworkNode(a) => a.encode_asn(w, Tag::context(1), form),
        }
    }
    /// The network node number is its address; the version 1 roaming number is
    /// `{"roaming_number": address}`.
    fn to_json(&self) -> Value {
        match self {
            NodeNumber::RoamingNumber(a) => json!({ "roaming_number": a.to_json() }),
            NodeNumber::NetworkNode(a) => a.to_json(),
        }
    }
    fn from_json(v: &Value, field: &str) -> JsonResult<Self> {
        match v.get("roaming_number") {
            Some(a) => Ok(NodeNumber::RoamingNumber(AddressString::from_json(
                a,
                "roaming_number",
            )?)),
            None => Ok(NodeNumber::NetworkNode(AddressString::from_json(v, field)?)),
        }
    }
}

const fn c(n: u32) -> Tag {
    Tag::context(n)
}

const fn cc(n: u32) -> Tag {
    Tag::context(n).constructed()
}

sequence! {
    /// The argument of sendRoutingInfoForSM (opcode 45).
    ///
    /// ```asn1
    /// RoutingInfoForSM-Arg ::= SEQUENCE {
    ///   msisdn                     [0] ISDN-AddressString,
    ///   sm-RP-PRI                  [1] BOOLEAN,
    ///   serviceCentreAddress       [2] AddressString,
    ///   cug-Interlock              [3] CUG-Interlock OPTIONAL,     -- version 1
    ///   teleserviceCode            [5] TeleserviceCode OPTIONAL,   -- version 1
    ///   extensionContainer         [6] ExtensionContainer OPTIONAL,
    ///   ...,
    ///   gprsSupportIndicator       [7] NULL OPTIONAL,
    ///   sm-RP-MTI                  [8] SM-RP-MTI OPTIONAL,
    ///   sm-RP-SMEA                 [9] SM-RP-SMEA OPTIONAL,
    ///   sm-deliveryNotIntended     [10] SM-DeliveryNotIntended OPTIONAL,
    ///   ip-sm-gwGuidanceIndicator  [11] NULL OPTIONAL,
    ///   imsi                       [12] IMSI OPTIONAL,
    ///   t4-Trigger-Indicator       [14] NULL OPTIONAL,
    ///   singleAttemptDelivery      [13] NULL OPTIONAL,
    ///   correlationID              [15] CorrelationID OPTIONAL }
    /// ```
    pub struct RoutingInfoForSmArg {
        /// msisdn.
        msisdn: req AddressString = c(0),
        /// sm-RP-PRI: deliver even if a message waiting indication is set.
        sm_rp_pri: req bool = c(1),
        /// serviceCentreAddress.
        service_centre_address: req AddressString = c(2),
        /// cug-Interlock (version 1).
        cug_interlock: opt Vec<u8> = c(3),
        /// teleserviceCode (version 1).
        teleservice_code: opt Vec<u8> = c(5),
        /// extensionContainer, raw.
        extension_container: opt Raw = cc(6),
        /// gprsSupportIndicator.
        gprs_support_indicator: flag () = c(7),
        /// sm-RP-MTI: 0 SMS-DELIVER, 1 SMS-STATUS-REPORT.
        sm_rp_mti: opt i64 = c(8),
        /// sm-RP-SMEA: a TS 23.040 address field.
        sm_rp_smea: opt Vec<u8> = c(9),
        /// sm-deliveryNotIntended: 0 onlyIMSI-requested, 1 onlyMCC-MNC-requested.
        sm_delivery_not_intended: opt i64 = c(10),
        /// ip-sm-gwGuidanceIndicator.
        ip_sm_gw_guidance_indicator: flag () = c(11),
        /// imsi.
        imsi: opt Tbcd = c(12),
        /// t4-Trigger-Indicator.
        t4_trigger_indicator: flag () = c(14),
        /// singleAttemptDelivery.
        single_attempt_delivery: flag () = c(13),
        /// correlationID, raw.
        correlation_id: opt Raw = cc(15),
    }
}

impl RoutingInfoForSmArg {
    /// The argument the SMS-GMSC sends for `msisdn`, from service centre `sc`.
    pub fn new(msisdn: AddressString, sm_rp_pri: bool, sc: AddressString) -> Self {
        RoutingInfoForSmArg {
            msisdn,
            sm_rp_pri,
            service_centre_address: sc,
            ..Default::default()
        }
    }
}

sequence! {
    /// Where to deliver: part of the sendRoutingInfoForSM result.
    ///
    /// ```asn1
    /// LocationInfoWithLMSI ::= SEQUENCE {
    ///   networkNode-Number  [1] ISDN-AddressString,  -- v1: LocationInfo CHOICE
    ///   lmsi                LMSI OPTIONAL,
    ///   extensionContainer  ExtensionContainer OPTIONAL,
    ///   ...,
    ///   gprsNodeIndicator   [5] NULL OPTIONAL,
    ///   additional-Number   [6] Additional-Number OPTIONAL,
    ///   networkNodeDiameterAddress            [7] NetworkNodeDiameterAddress OPTIONAL,
    ///   additionalNetworkNodeDiameterAddress  [8] NetworkNodeDiameterAddress OPTIONAL,
    ///   thirdNumber                           [9] Additional-Number OPTIONAL,
    ///   thirdNetworkNodeDiameterAddress       [10] NetworkNodeDiameterAddress OPTIONAL,
    ///   imsNodeIndicator                      [11] NULL OPTIONAL }
    /// ```
    pub struct LocationInfoWithLmsi {
        /// networkNode-Number (or, in version 1, the roaming number).
        network_node_number: req NodeNumber = c(1),
        /// lmsi (4 octets).
        lmsi: opt Vec<u8> = Tag::OCTET_STRING,
        /// extensionContainer, raw.
        extension_container: opt Raw = Tag::SEQUENCE,
        /// gprsNodeIndicator: the number is an SGSN's.
        gprs_node_indicator: flag () = c(5),
        /// additional-Number (a CHOICE of msc-Number [0] / sgsn-Number [1]), raw.
        additional_number: opt Raw = cc(6),
        /// networkNodeDiameterAddress, raw.
        network_node_diameter_address: opt Raw = cc(7),
        /// additionalNetworkNodeDiameterAddress, raw.
        additional_network_node_diameter_address: opt Raw = cc(8),
        /// thirdNumber, raw.
        third_number: opt Raw = cc(9),
        /// thirdNetworkNodeDiameterAddress, raw.
        third_network_node_diameter_address: opt Raw = cc(10),
        /// imsNodeIndicator.
        ims_node_indicator: flag () = c(11),
    }
}

sequence! {
    /// The result of sendRoutingInfoForSM.
    ///
    /// ```asn1
    /// RoutingInfoForSM-Res ::= SEQUENCE {
    ///   imsi                  IMSI,
    ///   locationInfoWithLMSI  [0] LocationInfoWithLMSI,
    ///   mwd-Set               [2] BOOLEAN OPTIONAL,           -- version 1
    ///   extensionContainer    [4] ExtensionContainer OPTIONAL,
    ///   ...,
    ///   ip-sm-gwGuidance      [5] IP-SM-GW-Guidance OPTIONAL }
    /// ```
    pub struct RoutingInfoForSmRes {
        /// imsi.
        imsi: req Tbcd = Tag::OCTET_STRING,
        /// locationInfoWithLMSI.
        location_info_with_lmsi: req LocationInfoWithLmsi = cc(0),
        /// mwd-Set (version 1).
        mwd_set: opt bool = c(2),
        /// extensionContainer, raw.
        extension_container: opt Raw = cc(4),
        /// ip-sm-gwGuidance, raw.
        ip_sm_gw_guidance: opt Raw = cc(5),
    }
}

impl RoutingInfoForSmRes {
    /// The result an HLR gives: the IMSI and the serving MSC's number.
    pub fn new(imsi: Tbcd, msc: AddressString) -> Self {
        RoutingInfoForSmRes {
            imsi,
            location_info_with_lmsi: LocationInfoWithLmsi {
                network_node_number: NodeNumber::NetworkNode(msc),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    /// The network node number (MSC, SGSN, ...) to deliver to.
    pub fn network_node_number(&self) -> &AddressString {
        match &self.location_info_with_lmsi.network_node_number {
            NodeNumber::NetworkNode(a) | NodeNumber::RoamingNumber(a) => a,
        }
    }
}

sequence! {
    /// The argument of mt-forwardSM (opcode 44), and of forwardSM (opcode 46) in versions 1 and
    /// 2, whose shape it extends.
    ///
    /// ```asn1
    /// MT-ForwardSM-Arg ::= SEQUENCE {
    ///   sm-RP-DA                   SM-RP-DA,
    ///   sm-RP-OA                   SM-RP-OA,
    ///   sm-RP-UI                   SignalInfo,
    ///   moreMessagesToSend         NULL OPTIONAL,
    ///   extensionContainer         ExtensionContainer OPTIONAL,
    ///   ...,
    ///   smDeliveryTimer            SM-DeliveryTimerValue OPTIONAL,
    ///   smDeliveryStartTime        Time OPTIONAL,
    ///   smsOverIP-OnlyIndicator    [0] NULL OPTIONAL,
    ///   correlationID              [1] CorrelationID OPTIONAL,
    ///   maximumRetransmissionTime  [2] Time OPTIONAL,
    ///   smsGmscAddress             [3] ISDN-AddressString OPTIONAL,
    ///   smsGmscDiameterAddress     [4] NetworkNodeDiameterAddress OPTIONAL }
    /// ForwardSM-Arg ::= SEQUENCE {   -- versions 1 and 2
    ///   sm-RP-DA SM-RP-DA, sm-RP-OA SM-RP-OA, sm-RP-UI SignalInfo,
    ///   moreMessagesToSend NULL OPTIONAL, ... }
    /// ```
    pub struct MtForwardSmArg {
        /// sm-RP-DA.
        sm_rp_da: req SmRpDa = c(0),
        /// sm-RP-OA.
        sm_rp_oa: req SmRpOa = c(2),
        /// sm-RP-UI: the TPDU (SMS-DELIVER).
        sm_rp_ui: req Vec<u8> = Tag::OCTET_STRING,
        /// moreMessagesToSend.
        more_messages_to_send: flag () = Tag::NULL,
        /// extensionContainer, raw.
        extension_container: opt Raw = Tag::SEQUENCE,
        /// smDeliveryTimer (30..600 s).
        sm_delivery_timer: opt i64 = Tag::INTEGER,
        /// smDeliveryStartTime.
        sm_delivery_start_time: opt Vec<u8> = Tag::OCTET_STRING,
        /// smsOverIP-OnlyIndicator.
        sms_over_ip_only_indicator: flag () = c(0),
        /// correlationID, raw.
        correlation_id: opt Raw = cc(1),
        /// maximumRetransmissionTime.
        maximum_retransmission_time: opt Vec<u8> = c(2),
        /// smsGmscAddress.
        sms_gmsc_address: opt AddressString = c(3),
        /// smsGmscDiameterAddress, raw.
        sms_gmsc_diameter_address: opt Raw = cc(4),
    }
}

impl MtForwardSmArg {
    /// An mt-forwardSM to `imsi` from service centre `sc` carrying `tpdu` (an SMS-DELIVER).
    pub fn new(imsi: Tbcd, sc: AddressString, tpdu: Vec<u8>) -> Self {
        MtForwardSmArg {
            sm_rp_da: SmRpDa::Imsi(imsi),
            sm_rp_oa: SmRpOa::ServiceCentreAddress(sc),
            sm_rp_ui: tpdu,
            ..Default::default()
        }
    }
}

sequence! {
    /// The argument of mo-forwardSM (opcode 46, version 3).
    ///
    /// ```asn1
    /// MO-ForwardSM-Arg ::= SEQUENCE {
    ///   sm-RP-DA            SM-RP-DA,
    ///   sm-RP-OA            SM-RP-OA,
    ///   sm-RP-UI            SignalInfo,
    ///   extensionContainer  ExtensionContainer OPTIONAL,
    ///   ...,
    ///   imsi                IMSI OPTIONAL,
    ///   correlationID       [0] CorrelationID OPTIONAL,
    ///   sm-DeliveryOutcome  [1] SM-DeliveryOutcome OPTIONAL }
    /// ```
    pub struct MoForwardSmArg {
        /// sm-RP-DA (the service centre).
        sm_rp_da: req SmRpDa = c(4),
        /// sm-RP-OA (the sender's MSISDN).
        sm_rp_oa: req SmRpOa = c(2),
        /// sm-RP-UI: the TPDU (SMS-SUBMIT).
        sm_rp_ui: req Vec<u8> = Tag::OCTET_STRING,
        /// extensionContainer, raw.
        extension_container: opt Raw = Tag::SEQUENCE,
        /// imsi of the sender.
        imsi: opt Tbcd = Tag::OCTET_STRING,
        /// correlationID, raw.
        correlation_id: opt Raw = cc(0),
        /// sm-DeliveryOutcome.
        sm_delivery_outcome: opt i64 = c(1),
    }
}

impl MoForwardSmArg {
    /// An mo-forwardSM from `msisdn` to service centre `sc` carrying `tpdu` (an SMS-SUBMIT).
    pub fn new(sc: AddressString, msisdn: AddressString, tpdu: Vec<u8>) -> Self {
        MoForwardSmArg {
            sm_rp_da: SmRpDa::ServiceCentreAddress(sc),
            sm_rp_oa: SmRpOa::Msisdn(msisdn),
            sm_rp_ui: tpdu,
            ..Default::default()
        }
    }
}

sequence! {
    /// The result of mo-forwardSM and mt-forwardSM (version 3; earlier versions return no
    /// parameter).
    ///
    /// ```asn1
    /// MO-ForwardSM-Res ::= SEQUENCE {      -- MT-ForwardSM-Res has the same shape
    ///   sm-RP-UI            SignalInfo OPTIONAL,
    ///   extensionContainer  ExtensionContainer OPTIONAL,
    ///   ... }
    /// ```
    pub struct ForwardSmRes {
        /// sm-RP-UI: an SMS-SUBMIT-REPORT / SMS-DELIVER-REPORT.
        sm_rp_ui: opt Vec<u8> = Tag::OCTET_STRING,
        /// extensionContainer, raw.
        extension_container: opt Raw = Tag::SEQUENCE,
    }
}

sequence! {
    /// The argument of reportSM-DeliveryStatus (opcode 47).
    ///
    /// ```asn1
    /// ReportSM-DeliveryStatusArg ::= SEQUENCE {
    ///   msisdn                        ISDN-AddressString,
    ///   serviceCentreAddress          AddressString,
    ///   sm-DeliveryOutcome            SM-DeliveryOutcome,     -- absent in version 1
    ///   absentSubscriberDiagnosticSM  [0] AbsentSubscriberDiagnosticSM OPTIONAL,
    ///   extensionContainer            [1] ExtensionContainer OPTIONAL,
    ///   ...,
    ///   gprsSupportIndicator          [2] NULL OPTIONAL,
    ///   deliveryOutcomeIndicator      [3] NULL OPTIONAL,
    ///   additionalSM-DeliveryOutcome  [4] SM-DeliveryOutcome OPTIONAL,
    ///   additionalAbsentSubscriberDiagnosticSM [5] AbsentSubscriberDiagnosticSM OPTIONAL,
    ///   ip-sm-gw-Indicator            [6] NULL OPTIONAL,
    ///   ip-sm-gw-sm-deliveryOutcome   [7] SM-DeliveryOutcome OPTIONAL,
    ///   ip-sm-gw-absentSubscriberDiagnosticSM [8] AbsentSubscriberDiagnosticSM OPTIONAL,
    ///   imsi                          [9] IMSI OPTIONAL,
    ///   singleAttemptDelivery         [10] NULL OPTIONAL,
    ///   correlationID                 [11] CorrelationID OPTIONAL }
    /// SM-DeliveryOutcome ::= ENUMERATED { memoryCapacityExceeded(0), absentSubscriber(1),
    ///   successfulTransfer(2) }
    /// ```
    pub struct ReportSmDeliveryStatusArg {
        /// msisdn.
        msisdn: req AddressString = Tag::OCTET_STRING,
        /// serviceCentreAddress.
        service_centre_address: req AddressString = Tag::OCTET_STRING,
        /// sm-DeliveryOutcome (absent in version 1).
        sm_delivery_outcome: opt i64 = Tag::ENUMERATED,
        /// absentSubscriberDiagnosticSM.
        absent_subscriber_diagnostic_sm: opt i64 = c(0),
        /// extensionContainer, raw.
        extension_container: opt Raw = cc(1),
        /// gprsSupportIndicator.
        gprs_support_indicator: flag () = c(2),
        /// deliveryOutcomeIndicator.
        delivery_outcome_indicator: flag () = c(3),
        /// additionalSM-DeliveryOutcome.
        additional_sm_delivery_outcome: opt i64 = c(4),
        /// additionalAbsentSubscriberDiagnosticSM.
        additional_absent_subscriber_diagnostic_sm: opt i64 = c(5),
        /// ip-sm-gw-Indicator.
        ip_sm_gw_indicator: flag () = c(6),
        /// ip-sm-gw-sm-deliveryOutcome.
        ip_sm_gw_sm_delivery_outcome: opt i64 = c(7),
        /// ip-sm-gw-absentSubscriberDiagnosticSM.
        ip_sm_gw_absent_subscriber_diagnostic_sm: opt i64 = c(8),
        /// imsi.
        imsi: opt Tbcd = c(9),
        /// singleAttemptDelivery.
        single_attempt_delivery: flag () = c(10),
        /// correlationID, raw.
        correlation_id: opt Raw = cc(11),
    }
}

sequence! {
    /// The result of reportSM-DeliveryStatus in version 3 (version 2 returns a bare
    /// ISDN-AddressString; see [`super::operation::ResultValue`]).
    ///
    /// ```asn1
    /// ReportSM-DeliveryStatusRes ::= SEQUENCE {
    ///   storedMSISDN        ISDN-AddressString OPTIONAL,
    ///   extensionContainer  ExtensionContainer OPTIONAL,
    ///   ... }
    /// ```
    pub struct ReportSmDeliveryStatusRes {
        /// storedMSISDN.
        stored_msisdn: opt AddressString = Tag::OCTET_STRING,
        /// extensionContainer, raw.
        extension_container: opt Raw = Tag::SEQUENCE,
    }
}

sequence! {
    /// The argument of alertServiceCentre (opcode 64) and, in version 1,
    /// alertServiceCentreWithoutResult (opcode 49).
    ///
    /// ```asn1
    /// AlertServiceCentreArg ::= SEQUENCE {
    ///   msisdn                      ISDN-AddressString,
    ///   serviceCentreAddress        AddressString,
    ///   ...,
    ///   imsi                        IMSI OPTIONAL,
    ///   correlationID               CorrelationID OPTIONAL,
    ///   maximumUeAvailabilityTime   [0] Time OPTIONAL,
    ///   smsGmscAlertEvent           [1] SmsGmsc-Alert-Event OPTIONAL,
    ///   smsGmscDiameterAddress      [2] NetworkNodeDiameterAddress OPTIONAL,
    ///   newSGSNNumber               [3] ISDN-AddressString OPTIONAL,
    ///   newSGSNDiameterAddress      [4] NetworkNodeDiameterAddress OPTIONAL,
    ///   newMMENumber                [5] ISDN-AddressString OPTIONAL,
    ///   newMMEDiameterAddress       [6] NetworkNodeDiameterAddress OPTIONAL,
    ///   newMSCNumber                [7] ISDN-AddressString OPTIONAL }
    /// ```
    pub struct AlertServiceCentreArg {
        /// msisdn.
        msisdn: req AddressString = Tag::OCTET_STRING,
        /// serviceCentreAddress.
        service_centre_address: req AddressString = Tag::OCTET_STRING,
        /// imsi.
        imsi: opt Tbcd = Tag::OCTET_STRING,
        /// correlationID, raw.
        correlation_id: opt Raw = Tag::SEQUENCE,
        /// maximumUeAvailabilityTime.
        maximum_ue_availability_time: opt Vec<u8> = c(0),
        /// smsGmscAlertEvent: 0 msAvailableForMtSms, 1 msUnderNewServingNode.
        sms_gmsc_alert_event: opt i64 = c(1),
        /// smsGmscDiameterAddress, raw.
        sms_gmsc_diameter_address: opt Raw = cc(2),
        /// newSGSNNumber.
        new_sgsn_number: opt AddressString = c(3),
        /// newSGSNDiameterAddress, raw.
        new_sgsn_diameter_address: opt Raw = cc(4),
        /// newMMENumber.
        new_mme_number: opt AddressString = c(5),
        /// newMMEDiameterAddress, raw.
        new_mme_diameter_address: opt Raw = cc(6),
        /// newMSCNumber.
        new_msc_number: opt AddressString = c(7),
    }
}

sequence! {
    /// The argument of informServiceCentre (opcode 63).
    ///
    /// ```asn1
    /// InformServiceCentreArg ::= SEQUENCE {
    ///   storedMSISDN                  ISDN-AddressString OPTIONAL,
    ///   mw-Status                     MW-Status OPTIONAL,
    ///   extensionContainer            ExtensionContainer OPTIONAL,
    ///   ...,
    ///   absentSubscriberDiagnosticSM  AbsentSubscriberDiagnosticSM OPTIONAL,
    ///   additionalAbsentSubscriberDiagnosticSM [0] AbsentSubscriberDiagnosticSM OPTIONAL,
    ///   smsf3gppAbsentSubscriberDiagnosticSM    [1] AbsentSubscriberDiagnosticSM OPTIONAL,
    ///   smsfNon3gppAbsentSubscriberDiagnosticSM [2] AbsentSubscriberDiagnosticSM OPTIONAL }
    /// MW-Status ::= BIT STRING { sc-AddressNotIncluded(0), mnrf-Set(1), mcef-Set(2),
    ///   mnrg-Set(3) } (SIZE (6..16))
    /// ```
    pub struct InformServiceCentreArg {
        /// storedMSISDN.
        stored_msisdn: opt AddressString = Tag::OCTET_STRING,
        /// mw-Status: the BIT STRING contents (unused-bits octet, then the bits).
        mw_status: opt Vec<u8> = Tag::BIT_STRING,
        /// extensionContainer, raw.
        extension_container: opt Raw = Tag::SEQUENCE,
        /// absentSubscriberDiagnosticSM.
        absent_subscriber_diagnostic_sm: opt i64 = Tag::INTEGER,
        /// additionalAbsentSubscriberDiagnosticSM.
        additional_absent_subscriber_diagnostic_sm: opt i64 = c(0),
        /// smsf3gppAbsentSubscriberDiagnosticSM.
        smsf_3gpp_absent_subscriber_diagnostic_sm: opt i64 = c(1),
        /// smsfNon3gppAbsentSubscriberDiagnosticSM.
        smsf_non_3gpp_absent_subscriber_diagnostic_sm: opt i64 = c(2),
    }
}

sequence! {
    /// The argument of readyForSM (opcode 66).
    ///
    /// ```asn1
    /// ReadyForSM-Arg ::= SEQUENCE {
    ///   imsi                            [0] IMSI,
    ///   alertReason                     AlertReason,
    ///   alertReasonIndicator            NULL OPTIONAL,
    ///   extensionContainer              ExtensionContainer OPTIONAL,
    ///   ...,
    ///   additionalAlertReasonIndicator  [1] NULL OPTIONAL,
    ///   maximumUeAvailabilityTime       Time OPTIONAL }
    /// AlertReason ::= ENUMERATED { ms-Present(0), memoryAvailable(1) }
    /// ```
    pub struct ReadyForSmArg {
        /// imsi.
        imsi: req Tbcd = c(0),
        /// alertReason.
        alert_reason: req i64 = Tag::ENUMERATED,
        /// alertReasonIndicator.
        alert_reason_indicator: flag () = Tag::NULL,
        /// extensionContainer, raw.
        extension_container: opt Raw = Tag::SEQUENCE,
        /// additionalAlertReasonIndicator.
        additional_alert_reason_indicator: flag () = c(1),
        /// maximumUeAvailabilityTime.
        maximum_ue_availability_time: opt Vec<u8> = Tag::OCTET_STRING,
    }
}

sequence! {
    /// The result of readyForSM.
    ///
    /// ```asn1
    /// ReadyForSM-Res ::= SEQUENCE { extensionContainer ExtensionContainer OPTIONAL, ... }
    /// ```
    pub struct ReadyForSmRes {
        /// extensionContainer, raw.
        extension_container: opt Raw = Tag::SEQUENCE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Reason;
    use crate::hex;

    fn rt<T: Asn + PartialEq + std::fmt::Debug>(h: &str) -> T {
        let b = hex::decode(h).unwrap();
        let v = T::decode_ber(&b, Tag::SEQUENCE, "t").unwrap();
        assert_eq!(hex::encode(&v.encode_ber(Tag::SEQUENCE)), hex::encode(&b));
        assert_eq!(T::from_json(&v.to_json(), "t").unwrap(), v);
        v
    }

    #[test]
    fn parses_sri_sm_arg_of_gen_samples() {
        let v: RoutingInfoForSmArg = rt("30158007914477000910328101ff820791447700090000");
        assert_eq!(v.msisdn.digits().unwrap(), "447700900123");
        assert!(v.sm_rp_pri);
        assert_eq!(v.service_centre_address.digits().unwrap(), "447700900000");
        let built = RoutingInfoForSmArg::new(
            AddressString::international("447700900123").unwrap(),
            true,
            AddressString::international("447700900000").unwrap(),
        );
        assert_eq!(built, v);
    }

    #[test]
    fn parses_sri_sm_res_v3_and_v1() {
        // gen_samples.py sri_for_sm_res: imsi, locationInfoWithLMSI { networkNode-Number }.
        let v: RoutingInfoForSmRes = rt("30160408 00010121436587f9 a00a 8108 91447700900555f5"
            .replace(' ', "")
            .as_str());
        assert_eq!(v.imsi.digits().unwrap(), "001010123456789");
        assert_eq!(v.network_node_number().digits().unwrap(), "4477000950555");
        // Version 1: roamingNumber [0] and mwd-Set [2].
        let v: RoutingInfoForSmRes = rt("30170408 00010121436587f9 a008 8006 914477009005 820100"
            .replace(' ', "")
            .as_str());
        assert!(matches!(
            v.location_info_with_lmsi.network_node_number,
            NodeNumber::RoamingNumber(_)
        ));
        assert_eq!(v.mwd_set, Some(false));
    }

    #[test]
    fn parses_forward_sm_args() {
        let v: MtForwardSmArg = rt(
            "301a8008 00010121436587f9 8407 91447700090000 0403 040506 0500"
                .replace(' ', "")
                .as_str(),
        );
        assert!(matches!(&v.sm_rp_da, SmRpDa::Imsi(i) if i.digits().unwrap() == "001010123456789"));
        assert!(v.more_messages_to_send);
        assert_eq!(
            v.to_json()["sm_rp_oa"]["service_centre_address"],
            "447700900000"
        );
        let v: MoForwardSmArg = rt(
            "30208407 91447700090000 8207 91447700091999 0402 1105 0408 00010121436587f9"
                .replace(' ', "")
                .as_str(),
        );
        assert_eq!(v.imsi.unwrap().digits().unwrap(), "001010123456789");
    }

    #[test]
    fn parses_other_sm_operations() {
        let _: ReportSmDeliveryStatusArg =
            rt("30180407 91447700091032 0407 91447700090000 0a0101 8001 05"
                .replace(' ', "")
                .as_str());
        let _: AlertServiceCentreArg = rt("30120407 91447700091032 0407 91447700090000"
            .replace(' ', "")
            .as_str());
        let _: InformServiceCentreArg =
            rt("300d0407 91447700091032 03020640".replace(' ', "").as_str());
        let v: ReadyForSmArg = rt("300d8008 00010121436587f9 0a0101".replace(' ', "").as_str());
        assert_eq!(v.alert_reason, 1);
        let _: ReadyForSmRes = rt("3000");
        let _: ForwardSmRes = rt("3004 0402 0000".replace(' ', "").as_str());
        let _: ReportSmDeliveryStatusRes = rt("3009 0407 91447700091032".replace(' ', "").as_str());
    }

    #[test]
    fn rejects_wrong_choice_and_missing_fields() {
        let b = hex::decode("30058303 010203").unwrap();
        assert_eq!(
            MtForwardSmArg::decode_ber(&b, Tag::SEQUENCE, "t")
                .unwrap_err()
                .field,
            "map.sm_rp_da"
        );
        let b = hex::decode("30048002 0102").unwrap();
        assert_eq!(
            RoutingInfoForSmArg::decode_ber(&b, Tag::SEQUENCE, "t")
                .unwrap_err()
                .field,
            "map.sm_rp_pri"
        );
        // An empty AddressString violates SIZE (1..maxAddressLength).
        let b = hex::decode("3009 8000 8101ff 8202 9144".replace(' ', "").as_str()).unwrap();
        assert_eq!(
            RoutingInfoForSmArg::decode_ber(&b, Tag::SEQUENCE, "t")
                .unwrap_err()
                .reason,
            Reason::BadLength
        );
    }
}
