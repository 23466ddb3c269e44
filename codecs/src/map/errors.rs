//! MAP errors (3GPP TS 29.002 17.6.6 MAP-Errors, 17.7.7 MAP-ER-DataTypes): every local error
//! code by name, and the parameters of the errors the short message operations can return.
//!
//! ```asn1
//! sendRoutingInfoForSM  ERRORS { systemFailure | dataMissing | unexpectedDataValue |
//!   facilityNotSupported | unknownSubscriber | teleserviceNotProvisioned | callBarred |
//!   absentSubscriberSM }
//! mo-ForwardSM          ERRORS { systemFailure | unexpectedDataValue | facilityNotSupported |
//!   sm-DeliveryFailure }
//! mt-ForwardSM          ERRORS { systemFailure | dataMissing | unexpectedDataValue |
//!   facilityNotSupported | unidentifiedSubscriber | illegalSubscriber | illegalEquipment |
//!   subscriberBusyForMT-SMS | sm-DeliveryFailure | absentSubscriberSM }
//! reportSM-DeliveryStatus ERRORS { dataMissing | unexpectedDataValue | unknownSubscriber |
//!   messageWaitingListFull }
//! alertServiceCentre    ERRORS { systemFailure | dataMissing | unexpectedDataValue }
//! readyForSM            ERRORS { dataMissing | unexpectedDataValue | facilityNotSupported |
//!   unknownSubscriber }
//! -- version 1 and 2 forwardSM also returned absentSubscriber (27)
//! ```

use super::address::Tbcd;
use super::asn::{object, sequence, Asn, JsonResult, Raw};
use crate::ber::{LenForm, Tag, Tlv};
use crate::error::Result;
use crate::hex;
use serde_json::{json, Value};

/// Local error codes (MAP-Errors).
pub mod code {
    /// unknownSubscriber.
    pub const UNKNOWN_SUBSCRIBER: i64 = 1;
    /// unidentifiedSubscriber.
    pub const UNIDENTIFIED_SUBSCRIBER: i64 = 5;
    /// absentSubscriberSM.
    pub const ABSENT_SUBSCRIBER_SM: i64 = 6;
    /// illegalSubscriber.
    pub const ILLEGAL_SUBSCRIBER: i64 = 9;
    /// teleserviceNotProvisioned.
    pub const TELESERVICE_NOT_PROVISIONED: i64 = 11;
    /// illegalEquipment.
    pub const ILLEGAL_EQUIPMENT: i64 = 12;
    /// callBarred.
    pub const CALL_BARRED: i64 = 13;
    /// facilityNotSupported.
    pub const FACILITY_NOT_SUPPORTED: i64 = 21;
    /// absentSubscriber.
    pub const ABSENT_SUBSCRIBER: i64 = 27;
    /// subscriberBusyForMT-SMS.
    pub const SUBSCRIBER_BUSY_FOR_MT_SMS: i64 = 31;
    /// sm-DeliveryFailure.
    pub const SM_DELIVERY_FAILURE: i64 = 32;
    /// messageWaitingListFull.
    pub const MESSAGE_WAITING_LIST_FULL: i64 = 33;
    /// systemFailure.
    pub const SYSTEM_FAILURE: i64 = 34;
    /// dataMissing.
    pub const DATA_MISSING: i64 = 35;
    /// unexpectedDataValue.
    pub const UNEXPECTED_DATA_VALUE: i64 = 36;
}

/// The name of a local error code (the whole MAP-Errors list).
pub fn error_name(code: i64) -> Option<&'static str> {
    Some(match code {
        1 => "unknownSubscriber",
        2 => "unknownBaseStation",
        3 => "unknownMSC",
        4 => "secureTransportError",
        5 => "unidentifiedSubscriber",
        6 => "absentSubscriberSM",
        7 => "unknownEquipment",
        8 => "roamingNotAllowed",
        9 => "illegalSubscriber",
        10 => "bearerServiceNotProvisioned",
        11 => "teleserviceNotProvisioned",
        12 => "illegalEquipment",
        13 => "callBarred",
        14 => "forwardingViolation",
        15 => "cug-Reject",
        16 => "illegalSS-Operation",
        17 => "ss-ErrorStatus",
        18 => "ss-NotAvailable",
        19 => "ss-SubscriptionViolation",
        20 => "ss-Incompatibility",
        21 => "facilityNotSupported",
        22 => "ongoingGroupCall",
        23 => "invalidTargetBaseStation",
        24 => "noRadioResourceAvailable",
        25 => "noHandoverNumberAvailable",
        26 => "subsequentHandoverFailure",
        27 => "absentSubscriber",
        28 => "incompatibleTerminal",
        29 => "shortTermDenial",
        30 => "longTermDenial",
        31 => "subscriberBusyForMT-SMS",
        32 => "sm-DeliveryFailure",
        33 => "messageWaitingListFull",
        34 => "systemFailure",
        35 => "dataMissing",
        36 => "unexpectedDataValue",
        37 => "pw-RegistrationFailure",
        38 => "negativePW-Check",
        39 => "noRoamingNumberAvailable",
        40 => "tracingBufferFull",
        42 => "targetCellOutsideGroupCallArea",
        43 => "numberOfPW-AttemptsViolation",
        44 => "numberChanged",
        45 => "busySubscriber",
        46 => "noSubscriberReply",
        47 => "forwardingFailed",
        48 => "or-NotAllowed",
        49 => "ati-NotAllowed",
        50 => "noGroupCallNumberAvailable",
        51 => "resourceLimitation",
        52 => "unauthorizedRequestingNetwork",
        53 => "unauthorizedLCSClient",
        54 => "positionMethodFailure",
        58 => "unknownOrUnreachableLCSClient",
        59 => "mm-EventNotSupported",
        60 => "atsi-NotAllowed",
        61 => "atm-NotAllowed",
        62 => "informationNotAvailable",
        71 => "unknownAlphabet",
        72 => "ussd-Busy",
        _ => return None,
    })
}

/// The code of an error name.
pub fn error_code(name: &str) -> Option<i64> {
    (0..=72).find(|&c| error_name(c) == Some(name))
}

const fn c(n: u32) -> Tag {
    Tag::context(n)
}

sequence! {
    /// systemFailure, version 3.
    ///
    /// ```asn1
    /// SystemFailureParam ::= CHOICE { networkResource NetworkResource,   -- versions 1, 2
    ///   extensibleSystemFailureParam ExtensibleSystemFailureParam }        -- version 3
    /// ExtensibleSystemFailureParam ::= SEQUENCE {
    ///   networkResource NetworkResource OPTIONAL,
    ///   extensionContainer ExtensionContainer OPTIONAL, ...,
    ///   additionalNetworkResource [0] AdditionalNetworkResource OPTIONAL,
    ///   failureCauseParam [1] FailureCauseParam OPTIONAL }
    /// NetworkResource ::= ENUMERATED { plmn(0), hlr(1), vlr(2), pvlr(3), controllingMSC(4),
    ///   vmsc(5), eir(6), rss(7) }
    /// ```
    pub struct ExtensibleSystemFailureParam {
        /// networkResource.
        network_resource: opt i64 = Tag::ENUMERATED,
        /// extensionContainer, raw.
        extension_container: opt Raw = Tag::SEQUENCE,
        /// additionalNetworkResource.
        additional_network_resource: opt i64 = c(0),
        /// failureCauseParam.
        failure_cause_param: opt i64 = c(1),
    }
}

sequence! {
    /// The parameter of the errors that carry only an extension container: dataMissing,
    /// teleserviceNotProvisioned, illegalSubscriber, illegalEquipment, unidentifiedSubscriber,
    /// messageWaitingListFull.
    ///
    /// ```asn1
    /// DataMissingParam ::= SEQUENCE { extensionContainer ExtensionContainer OPTIONAL, ... }
    /// -- TeleservNotProvParam, IllegalSubscriberParam, IllegalEquipmentParam,
    /// -- UnidentifiedSubParam, MessageWaitListFullParam: the same
    /// ```
    pub struct ExtensionContainerParam {
        /// extensionContainer, raw.
        extension_container: opt Raw = Tag::SEQUENCE,
    }
}

sequence! {
    /// unexpectedDataValue.
    ///
    /// ```asn1
    /// UnexpectedDataParam ::= SEQUENCE { extensionContainer ExtensionContainer OPTIONAL, ...,
    ///   unexpectedSubscriber [0] NULL OPTIONAL }
    /// ```
    pub struct UnexpectedDataParam {
        /// extensionContainer, raw.
        extension_container: opt Raw = Tag::SEQUENCE,
        /// unexpectedSubscriber.
        unexpected_subscriber: flag () = c(0),
    }
}

sequence! {
    /// facilityNotSupported.
    ///
    /// ```asn1
    /// FacilityNotSupParam ::= SEQUENCE { extensionContainer ExtensionContainer OPTIONAL, ...,
    ///   shapeOfLocationEstimateNotSupported [0] NULL OPTIONAL,
    ///   neededLcsCapabilityNotSupportedInServingNode [1] NULL OPTIONAL }
    /// ```
    pub struct FacilityNotSupParam {
        /// extensionContainer, raw.
        extension_container: opt Raw = Tag::SEQUENCE,
        /// shapeOfLocationEstimateNotSupported.
        shape_of_location_estimate_not_supported: flag () = c(0),
        /// neededLcsCapabilityNotSupportedInServingNode.
        needed_lcs_capability_not_supported_in_serving_node: flag () = c(1),
    }
}

sequence! {
    /// unknownSubscriber.
    ///
    /// ```asn1
    /// UnknownSubscriberParam ::= SEQUENCE { extensionContainer ExtensionContainer OPTIONAL, ...,
    ///   unknownSubscriberDiagnostic UnknownSubscriberDiagnostic OPTIONAL }
    /// UnknownSubscriberDiagnostic ::= ENUMERATED { imsiUnknown(0),
    ///   gprs-eps-SubscriptionUnknown(1), ..., npdbMismatch(2) }
    /// ```
    pub struct UnknownSubscriberParam {
        /// extensionContainer, raw.
        extension_container: opt Raw = Tag::SEQUENCE,
        /// unknownSubscriberDiagnostic.
        unknown_subscriber_diagnostic: opt i64 = Tag::ENUMERATED,
    }
}

sequence! {
    /// callBarred, version 3.
    ///
    /// ```asn1
    /// CallBarredParam ::= CHOICE { callBarringCause CallBarringCause,   -- versions 1, 2
    ///   extensibleCallBarredParam ExtensibleCallBarredParam }            -- version 3
    /// ExtensibleCallBarredParam ::= SEQUENCE {
    ///   callBarringCause CallBarringCause OPTIONAL,
    ///   extensionContainer ExtensionContainer OPTIONAL, ...,
    ///   unauthorisedMessageOriginator [1] NULL OPTIONAL,
    ///   anonymousCallRejection [2] NULL OPTIONAL }
    /// CallBarringCause ::= ENUMERATED { barringServiceActive(0), operatorBarring(1) }
    /// ```
    pub struct ExtensibleCallBarredParam {
        /// callBarringCause.
        call_barring_cause: opt i64 = Tag::ENUMERATED,
        /// extensionContainer, raw.
        extension_container: opt Raw = Tag::SEQUENCE,
        /// unauthorisedMessageOriginator.
        unauthorised_message_originator: flag () = c(1),
        /// anonymousCallRejection.
        anonymous_call_rejection: flag () = c(2),
    }
}

sequence! {
    /// absentSubscriberSM.
    ///
    /// ```asn1
    /// AbsentSubscriberSM-Param ::= SEQUENCE {
    ///   absentSubscriberDiagnosticSM AbsentSubscriberDiagnosticSM OPTIONAL,
    ///   extensionContainer ExtensionContainer OPTIONAL, ...,
    ///   additionalAbsentSubscriberDiagnosticSM [0] AbsentSubscriberDiagnosticSM OPTIONAL,
    ///   imsi [1] IMSI OPTIONAL,
    ///   requestedRetransmissionTime [2] Time OPTIONAL,
    ///   userIdentifierAlert [3] IMSI OPTIONAL }
    /// AbsentSubscriberDiagnosticSM ::= INTEGER (0..255)  -- values of 3GPP TS 23.040
    /// ```
    pub struct AbsentSubscriberSmParam {
        /// absentSubscriberDiagnosticSM.
        absent_subscriber_diagnostic_sm: opt i64 = Tag::INTEGER,
        /// extensionContainer, raw.
        extension_container: opt Raw = Tag::SEQUENCE,
        /// additionalAbsentSubscriberDiagnosticSM.
        additional_absent_subscriber_diagnostic_sm: opt i64 = c(0),
        /// imsi.
        imsi: opt Tbcd = c(1),
        /// requestedRetransmissionTime.
        requested_retransmission_time: opt Vec<u8> = c(2),
        /// userIdentifierAlert.
        user_identifier_alert: opt Tbcd = c(3),
    }
}

sequence! {
    /// subscriberBusyForMT-SMS.
    ///
    /// ```asn1
    /// SubBusyForMT-SMS-Param ::= SEQUENCE { extensionContainer ExtensionContainer OPTIONAL, ...,
    ///   gprsConnectionSuspended NULL OPTIONAL }
    /// ```
    pub struct SubBusyForMtSmsParam {
        /// extensionContainer, raw.
        extension_container: opt Raw = Tag::SEQUENCE,
        /// gprsConnectionSuspended.
        gprs_connection_suspended: flag () = Tag::NULL,
    }
}

sequence! {
    /// sm-DeliveryFailure, versions 2 and 3 (version 1 sends the bare ENUMERATED).
    ///
    /// ```asn1
    /// SM-DeliveryFailureCause ::= SEQUENCE {
    ///   sm-EnumeratedDeliveryFailureCause SM-EnumeratedDeliveryFailureCause,
    ///   diagnosticInfo SignalInfo OPTIONAL,
    ///   extensionContainer ExtensionContainer OPTIONAL, ... }
    /// SM-EnumeratedDeliveryFailureCause ::= ENUMERATED { memoryCapacityExceeded(0),
    ///   equipmentProtocolError(1), equipmentNotSM-Equipped(2), unknownServiceCentre(3),
    ///   sc-Congestion(4), invalidSME-Address(5), subscriberNotSC-Subscriber(6) }
    /// ```
    pub struct SmDeliveryFailureCause {
        /// sm-EnumeratedDeliveryFailureCause.
        sm_enumerated_delivery_failure_cause: req i64 = Tag::ENUMERATED,
        /// diagnosticInfo: an SMS-DELIVER-REPORT / SMS-SUBMIT-REPORT TPDU with the RP-ERROR cause.
        diagnostic_info: opt Vec<u8> = Tag::OCTET_STRING,
        /// extensionContainer, raw.
        extension_container: opt Raw = Tag::SEQUENCE,
    }
}

sequence! {
    /// absentSubscriber.
    ///
    /// ```asn1
    /// AbsentSubscriberParam ::= SEQUENCE { extensionContainer ExtensionContainer OPTIONAL, ...,
    ///   absentSubscriberReason [0] AbsentSubscriberReason OPTIONAL }
    /// AbsentSubscriberReason ::= ENUMERATED { imsiDetach(0), restrictedArea(1),
    ///   noPageResponse(2), ..., purgedMS(3), mtRoamingRetry(4), busySubscriber(5) }
    /// ```
    pub struct AbsentSubscriberParam {
        /// extensionContainer, raw.
        extension_container: opt Raw = Tag::SEQUENCE,
        /// absentSubscriberReason.
        absent_subscriber_reason: opt i64 = c(0),
    }
}

/// The parameter of a MAP error.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ErrorParam {
    /// systemFailure (version 3).
    SystemFailure(ExtensibleSystemFailureParam),
    /// callBarred (version 3).
    CallBarred(ExtensibleCallBarredParam),
    /// sm-DeliveryFailure (versions 2, 3).
    SmDeliveryFailure(SmDeliveryFailureCause),
    /// absentSubscriberSM.
    AbsentSubscriberSm(AbsentSubscriberSmParam),
    /// unknownSubscriber.
    UnknownSubscriber(UnknownSubscriberParam),
    /// unexpectedDataValue.
    UnexpectedDataValue(UnexpectedDataParam),
    /// facilityNotSupported.
    FacilityNotSupported(FacilityNotSupParam),
    /// subscriberBusyForMT-SMS.
    SubscriberBusyForMtSms(SubBusyForMtSmsParam),
    /// absentSubscriber.
    AbsentSubscriber(AbsentSubscriberParam),
    /// dataMissing, teleserviceNotProvisioned, illegalSubscriber, illegalEquipment,
    /// unidentifiedSubscriber, messageWaitingListFull.
    ExtensionContainer(ExtensionContainerParam),
    /// The bare ENUMERATED of versions 1 and 2: networkResource (systemFailure),
    /// callBarringCause (callBarred), the delivery failure cause (sm-DeliveryFailure, v1).
    Enumerated {
        /// The value.
        value: i64,
        /// Its length form.
        form: LenForm,
    },
    /// Any other error's parameter, or one of another shape, as it came.
    Raw(Vec<u8>),
}

impl ErrorParam {
    /// Decodes the parameter TLV of error `code`. A shape the error does not define is kept raw.
    pub fn decode(code: i64, param: &[u8]) -> Result<ErrorParam> {
        let t = Tlv::decode_exact(param, 0, "map.error_parameter")?;
        let seq = t.tag == Tag::SEQUENCE;
        let f = "map.error_parameter";
        Ok(match (code, seq) {
            (code::SYSTEM_FAILURE | code::CALL_BARRED | code::SM_DELIVERY_FAILURE, false)
                if t.tag == Tag::ENUMERATED =>
            {
                ErrorParam::Enumerated {
                    value: crate::ber::int_value(&t, f)?,
                    form: t.form,
                }
            }
            (code::SYSTEM_FAILURE, true) => ErrorParam::SystemFailure(Asn::decode_asn(&t, f)?),
            (code::CALL_BARRED, true) => ErrorParam::CallBarred(Asn::decode_asn(&t, f)?),
            (code::SM_DELIVERY_FAILURE, true) => {
                ErrorParam::SmDeliveryFailure(Asn::decode_asn(&t, f)?)
            }
            (code::ABSENT_SUBSCRIBER_SM, true) => {
                ErrorParam::AbsentSubscriberSm(Asn::decode_asn(&t, f)?)
            }
            (code::UNKNOWN_SUBSCRIBER, true) => {
                ErrorParam::UnknownSubscriber(Asn::decode_asn(&t, f)?)
            }
            (code::UNEXPECTED_DATA_VALUE, true) => {
                ErrorParam::UnexpectedDataValue(Asn::decode_asn(&t, f)?)
            }
            (code::FACILITY_NOT_SUPPORTED, true) => {
                ErrorParam::FacilityNotSupported(Asn::decode_asn(&t, f)?)
            }
            (code::SUBSCRIBER_BUSY_FOR_MT_SMS, true) => {
                ErrorParam::SubscriberBusyForMtSms(Asn::decode_asn(&t, f)?)
            }
            (code::ABSENT_SUBSCRIBER, true) => {
                ErrorParam::AbsentSubscriber(Asn::decode_asn(&t, f)?)
            }
            (
                code::DATA_MISSING
                | code::TELESERVICE_NOT_PROVISIONED
                | code::ILLEGAL_SUBSCRIBER
                | code::ILLEGAL_EQUIPMENT
                | code::UNIDENTIFIED_SUBSCRIBER
                | code::MESSAGE_WAITING_LIST_FULL,
                true,
            ) => ErrorParam::ExtensionContainer(Asn::decode_asn(&t, f)?),
            _ => ErrorParam::Raw(param.to_vec()),
        })
    }

    /// The parameter TLV.
    pub fn encode(&self) -> Vec<u8> {
        let s = Tag::SEQUENCE;
        match self {
            ErrorParam::SystemFailure(p) => p.encode_ber(s),
            ErrorParam::CallBarred(p) => p.encode_ber(s),
            ErrorParam::SmDeliveryFailure(p) => p.encode_ber(s),
            ErrorParam::AbsentSubscriberSm(p) => p.encode_ber(s),
            ErrorParam::UnknownSubscriber(p) => p.encode_ber(s),
            ErrorParam::UnexpectedDataValue(p) => p.encode_ber(s),
            ErrorParam::FacilityNotSupported(p) => p.encode_ber(s),
            ErrorParam::SubscriberBusyForMtSms(p) => p.encode_ber(s),
            ErrorParam::AbsentSubscriber(p) => p.encode_ber(s),
            ErrorParam::ExtensionContainer(p) => p.encode_ber(s),
            ErrorParam::Enumerated { value, form } => {
                let mut w = crate::ber::Writer::new();
                value.encode_asn(&mut w, Tag::ENUMERATED, *form);
                w.into_vec()
            }
            ErrorParam::Raw(r) => r.clone(),
        }
    }

    /// The JSON form: the parameter's fields; `{"enumerated": n}` for the bare ENUMERATED;
    /// `{"raw": hex}` for a parameter kept raw.
    pub fn to_json(&self) -> Value {
        match self {
            ErrorParam::SystemFailure(p) => p.to_json(),
            ErrorParam::CallBarred(p) => p.to_json(),
            ErrorParam::SmDeliveryFailure(p) => p.to_json(),
            ErrorParam::AbsentSubscriberSm(p) => p.to_json(),
            ErrorParam::UnknownSubscriber(p) => p.to_json(),
            ErrorParam::UnexpectedDataValue(p) => p.to_json(),
            ErrorParam::FacilityNotSupported(p) => p.to_json(),
            ErrorParam::SubscriberBusyForMtSms(p) => p.to_json(),
            ErrorParam::AbsentSubscriber(p) => p.to_json(),
            ErrorParam::ExtensionContainer(p) => p.to_json(),
            ErrorParam::Enumerated { value, form } => {
                let mut v = json!({ "enumerated": value });
                if let Some(f) = super::asn::forms_to_json(&crate::ber::Forms::own(*form)) {
                    v["ber_length_forms"] = f;
                }
                v
            }
            ErrorParam::Raw(r) => json!({ "raw": hex::encode(r) }),
        }
    }

    /// From the JSON form, for error `code`.
    pub fn from_json(code: i64, v: &Value) -> JsonResult<ErrorParam> {
        let m = object(v, "parameter")?;
        if let Some(r) = m.get("raw") {
            return super::asn::json_hex(r, "parameter.raw").map(ErrorParam::Raw);
        }
        if let Some(e) = m.get("enumerated") {
            let value = e
                .as_i64()
                .ok_or("parameter.enumerated: expected an integer")?;
            let form = super::asn::forms_from_json(m.get("ber_length_forms"), "parameter")?.get(0);
            return Ok(ErrorParam::Enumerated { value, form });
        }
        let f = "parameter";
        Ok(match code {
            code::SYSTEM_FAILURE => ErrorParam::SystemFailure(Asn::from_json(v, f)?),
            code::CALL_BARRED => ErrorParam::CallBarred(Asn::from_json(v, f)?),
            code::SM_DELIVERY_FAILURE => ErrorParam::SmDeliveryFailure(Asn::from_json(v, f)?),
            code::ABSENT_SUBSCRIBER_SM => ErrorParam::AbsentSubscriberSm(Asn::from_json(v, f)?),
            code::UNKNOWN_SUBSCRIBER => ErrorParam::UnknownSubscriber(Asn::from_json(v, f)?),
            code::UNEXPECTED_DATA_VALUE => ErrorParam::UnexpectedDataValue(Asn::from_json(v, f)?),
            code::FACILITY_NOT_SUPPORTED => ErrorParam::FacilityNotSupported(Asn::from_json(v, f)?),
            code::SUBSCRIBER_BUSY_FOR_MT_SMS => {
                ErrorParam::SubscriberBusyForMtSms(Asn::from_json(v, f)?)
            }
            code::ABSENT_SUBSCRIBER => ErrorParam::AbsentSubscriber(Asn::from_json(v, f)?),
            code::DATA_MISSING
            | code::TELESERVICE_NOT_PROVISIONED
            | code::ILLEGAL_SUBSCRIBER
            | code::ILLEGAL_EQUIPMENT
            | code::UNIDENTIFIED_SUBSCRIBER
            | code::MESSAGE_WAITING_LIST_FULL => {
                ErrorParam::ExtensionContainer(Asn::from_json(v, f)?)
            }
            _ => {
                return Err(format!(
                    "parameter of error {code}: give it as {{\"raw\": hex}}"
                ))
            }
        })
    }
}

/// A MAP error: code and parameter (the parameter is optional in every error).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MapError {
    /// Local error code.
    pub code: i64,
    /// Parameter, if sent.
    pub param: Option<ErrorParam>,
}

impl MapError {
    /// An error without parameter.
    pub fn new(code: i64) -> Self {
        MapError { code, param: None }
    }

    /// absentSubscriberSM with a diagnostic (TS 23.040 3.3.2 values).
    pub fn absent_subscriber_sm(diagnostic: Option<i64>) -> Self {
        MapError {
            code: code::ABSENT_SUBSCRIBER_SM,
            param: Some(ErrorParam::AbsentSubscriberSm(AbsentSubscriberSmParam {
                absent_subscriber_diagnostic_sm: diagnostic,
                ..Default::default()
            })),
        }
    }

    /// sm-DeliveryFailure with a cause and an optional diagnostic TPDU.
    pub fn sm_delivery_failure(cause: i64, diagnostic_info: Option<Vec<u8>>) -> Self {
        MapError {
            code: code::SM_DELIVERY_FAILURE,
            param: Some(ErrorParam::SmDeliveryFailure(SmDeliveryFailureCause {
                sm_enumerated_delivery_failure_cause: cause,
                diagnostic_info,
                ..Default::default()
            })),
        }
    }

    /// The error's name.
    pub fn name(&self) -> Option<&'static str> {
        error_name(self.code)
    }

    /// Decodes the error of a ReturnError component.
    pub fn decode(code: i64, param: Option<&[u8]>) -> Result<Self> {
        Ok(MapError {
            code,
            param: param.map(|p| ErrorParam::decode(code, p)).transpose()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rt(code: i64, h: &str) -> ErrorParam {
        let b = hex::decode(h).unwrap();
        let p = ErrorParam::decode(code, &b).unwrap();
        assert_eq!(hex::encode(&p.encode()), hex::encode(&b));
        assert_eq!(ErrorParam::from_json(code, &p.to_json()).unwrap(), p);
        p
    }

    #[test]
    fn parses_sm_error_parameters() {
        let p = rt(6, "3003 020101");
        assert!(
            matches!(p, ErrorParam::AbsentSubscriberSm(ref a) if a.absent_subscriber_diagnostic_sm == Some(1))
        );
        let p = rt(32, "3008 0a0101 0403 030201");
        let ErrorParam::SmDeliveryFailure(c) = p else {
            panic!()
        };
        assert_eq!(
            (c.sm_enumerated_delivery_failure_cause, c.diagnostic_info),
            (1, Some(vec![3, 2, 1]))
        );
        assert!(matches!(
            rt(34, "0a0101"),
            ErrorParam::Enumerated { value: 1, .. }
        ));
        assert!(matches!(
            rt(34, "3003 0a0102"),
            ErrorParam::SystemFailure(_)
        ));
        assert!(
            matches!(rt(13, "3005 0a0101 8100"), ErrorParam::CallBarred(ref c) if c.unauthorised_message_originator)
        );
        assert!(matches!(
            rt(1, "3003 0a0100"),
            ErrorParam::UnknownSubscriber(_)
        ));
        assert!(
            matches!(rt(36, "3002 8000"), ErrorParam::UnexpectedDataValue(ref u) if u.unexpected_subscriber)
        );
        assert!(matches!(
            rt(21, "3000"),
            ErrorParam::FacilityNotSupported(_)
        ));
        assert!(
            matches!(rt(31, "3002 0500"), ErrorParam::SubscriberBusyForMtSms(ref s) if s.gprs_connection_suspended)
        );
        assert!(matches!(
            rt(27, "3003 800102"),
            ErrorParam::AbsentSubscriber(_)
        ));
        for code in [35, 11, 9, 12, 5, 33] {
            assert!(matches!(
                rt(code, "3000"),
                ErrorParam::ExtensionContainer(_)
            ));
        }
        assert!(matches!(rt(8, "3003 0a0100"), ErrorParam::Raw(_)));
        assert!(matches!(rt(6, "0a0101"), ErrorParam::Raw(_)));
    }

    #[test]
    fn names_every_error() {
        assert_eq!(error_name(6), Some("absentSubscriberSM"));
        assert_eq!(error_code("sm-DeliveryFailure"), Some(32));
        assert_eq!(
            MapError::absent_subscriber_sm(Some(1)).name(),
            Some("absentSubscriberSM")
        );
        let e = MapError::sm_delivery_failure(2, None);
        assert_eq!(
            MapError::decode(32, Some(&e.param.as_ref().unwrap().encode())).unwrap(),
            e
        );
    }
}
