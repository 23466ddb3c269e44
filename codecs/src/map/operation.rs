//! The short message operations (3GPP TS 29.002 17.6.5, MAP-ShortMessageServiceOperations, and
//! the version 1 and 2 operations they replaced): operation codes and names, and the argument and
//! result of each, decoded from a TCAP component's parameter.
//!
//! ```asn1
//! sendRoutingInfoForSM     ARGUMENT RoutingInfoForSM-Arg RESULT RoutingInfoForSM-Res CODE local:45
//! mo-ForwardSM             ARGUMENT MO-ForwardSM-Arg RESULT MO-ForwardSM-Res CODE local:46
//! mt-ForwardSM             ARGUMENT MT-ForwardSM-Arg RESULT MT-ForwardSM-Res CODE local:44
//! reportSM-DeliveryStatus  ARGUMENT ReportSM-DeliveryStatusArg
//!                          RESULT ReportSM-DeliveryStatusRes  -- v2: ISDN-AddressString
//!                                                                       CODE local:47
//! alertServiceCentre       ARGUMENT AlertServiceCentreArg RETURN RESULT TRUE  CODE local:64
//! informServiceCentre      ARGUMENT InformServiceCentreArg                  CODE local:63
//! readyForSM               ARGUMENT ReadyForSM-Arg RESULT ReadyForSM-Res    CODE local:66
//! -- versions 1 and 2: forwardSM (local:46, ForwardSM-Arg, no result parameter);
//! -- version 1: noteSubscriberPresent (local:48, ARGUMENT IMSI),
//! --            alertServiceCentreWithoutResult (local:49, ARGUMENT AlertServiceCentreArg)
//! ```

use super::address::{AddressString, Tbcd};
use super::asn::{forms_from_json, forms_to_json, Asn, JsonResult};
use super::sm::*;
use crate::ber::{Forms, LenForm, Tag, Tlv, Writer};
use crate::error::{Error, Reason, Result};
use serde_json::{Map, Value};

/// Operation codes of the short message operations.
pub mod opcode {
    /// mt-forwardSM.
    pub const MT_FORWARD_SM: i64 = 44;
    /// sendRoutingInfoForSM.
    pub const SEND_ROUTING_INFO_FOR_SM: i64 = 45;
    /// mo-forwardSM (forwardSM in versions 1 and 2).
    pub const MO_FORWARD_SM: i64 = 46;
    /// reportSM-DeliveryStatus.
    pub const REPORT_SM_DELIVERY_STATUS: i64 = 47;
    /// noteSubscriberPresent (version 1).
    pub const NOTE_SUBSCRIBER_PRESENT: i64 = 48;
    /// alertServiceCentreWithoutResult (version 1).
    pub const ALERT_SERVICE_CENTRE_WITHOUT_RESULT: i64 = 49;
    /// informServiceCentre.
    pub const INFORM_SERVICE_CENTRE: i64 = 63;
    /// alertServiceCentre.
    pub const ALERT_SERVICE_CENTRE: i64 = 64;
    /// readyForSM.
    pub const READY_FOR_SM: i64 = 66;
}

/// The name of an operation code (every MAP operation), given the dialogue's MAP version when
/// known: code 46 is `forwardSM` in versions 1 and 2 and `mo-forwardSM` from version 3.
pub fn operation_name(code: i64, version: Option<u8>) -> Option<&'static str> {
    Some(match code {
        2 => "updateLocation",
        3 => "cancelLocation",
        4 => "provideRoamingNumber",
        5 => "noteSubscriberDataModified",
        6 => "resumeCallHandling",
        7 => "insertSubscriberData",
        8 => "deleteSubscriberData",
        9 => "sendParameters",
        10 => "registerSS",
        11 => "eraseSS",
        12 => "activateSS",
        13 => "deactivateSS",
        14 => "interrogateSS",
        15 => "authenticationFailureReport",
        16 => "notifySS",
        17 => "registerPassword",
        18 => "getPassword",
        19 => "processUnstructuredSS-Data",
        20 => "releaseResources",
        21 => "mt-ForwardSM-VGCS",
        22 => "sendRoutingInfo",
        23 => "updateGprsLocation",
        24 => "sendRoutingInfoForGprs",
        25 => "failureReport",
        26 => "noteMsPresentForGprs",
        28 => "performHandover",
        29 => "sendEndSignal",
        30 => "performSubsequentHandover",
        31 => "provideSIWFSNumber",
        32 => "sIWFSSignallingModify",
        33 => "processAccessSignalling",
        34 => "forwardAccessSignalling",
        35 => "noteInternalHandover",
        36 => "cancelVcsgLocation",
        37 => "reset",
        38 => "forwardCheckSS",
        39 => "prepareGroupCall",
        40 => "sendGroupCallEndSignal",
        41 => "processGroupCallSignalling",
        42 => "forwardGroupCallSignalling",
        43 => "checkIMEI",
        44 => "mt-forwardSM",
        45 => "sendRoutingInfoForSM",
        46 if matches!(version, Some(1 | 2)) => "forwardSM",
        46 => "mo-forwardSM",
        47 => "reportSM-DeliveryStatus",
        48 => "noteSubscriberPresent",
        49 => "alertServiceCentreWithoutResult",
        50 => "activateTraceMode",
        51 => "deactivateTraceMode",
        52 => "traceSubscriberActivity",
        53 => "updateVcsgLocation",
        54 => "beginSubscriberActivity",
        55 => "sendIdentification",
        56 => "sendAuthenticationInfo",
        57 => "restoreData",
        58 => "sendIMSI",
        59 => "processUnstructuredSS-Request",
        60 => "unstructuredSS-Request",
        61 => "unstructuredSS-Notify",
        62 => "anyTimeSubscriptionInterrogation",
        63 => "informServiceCentre",
        64 => "alertServiceCentre",
        65 => "anyTimeModification",
        66 => "readyForSM",
        67 => "purgeMS",
        68 => "prepareHandover",
        69 => "prepareSubsequentHandover",
        70 => "provideSubscriberInfo",
        71 => "anyTimeInterrogation",
        72 => "ss-InvocationNotification",
        73 => "setReportingState",
        74 => "statusReport",
        75 => "remoteUserFree",
        76 => "registerCC-Entry",
        77 => "eraseCC-Entry",
        78 => "secureTransportClass1",
        79 => "secureTransportClass2",
        80 => "secureTransportClass3",
        81 => "secureTransportClass4",
        83 => "provideSubscriberLocation",
        84 => "sendGroupCallInfo",
        85 => "sendRoutingInfoForLCS",
        86 => "subscriberLocationReport",
        87 => "ist-Alert",
        88 => "ist-Command",
        89 => "noteMM-Event",
        109 => "lcs-PeriodicLocationCancellation",
        110 => "lcs-LocationUpdate",
        111 => "lcs-PeriodicLocationRequest",
        112 => "lcs-AreaEventCancellation",
        113 => "lcs-AreaEventReport",
        114 => "lcs-AreaEventRequest",
        115 => "lcs-MOLR",
        116 => "lcs-LocationNotification",
        117 => "callDeflection",
        118 => "userUserService",
        119 => "accessRegisterCCEntry",
        120 => "forwardCUG-Info",
        121 => "splitMPTY",
        122 => "retrieveMPTY",
        123 => "holdMPTY",
        124 => "buildMPTY",
        125 => "forwardChargeAdvice",
        126 => "explicitCT",
        _ => return None,
    })
}

/// The code of an operation name.
pub fn operation_code(name: &str) -> Option<i64> {
    if name == "forwardSM" {
        return Some(opcode::MO_FORWARD_SM);
    }
    (0..=126).find(|&c| operation_name(c, Some(3)) == Some(name))
}

/// The argument of a short message operation.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Argument {
    /// sendRoutingInfoForSM.
    SendRoutingInfoForSm(RoutingInfoForSmArg),
    /// mt-forwardSM (44), or forwardSM (46) in versions 1 and 2.
    MtForwardSm(MtForwardSmArg),
    /// mo-forwardSM (46, version 3).
    MoForwardSm(MoForwardSmArg),
    /// reportSM-DeliveryStatus.
    ReportSmDeliveryStatus(ReportSmDeliveryStatusArg),
    /// alertServiceCentre (64), or alertServiceCentreWithoutResult (49, version 1).
    AlertServiceCentre(AlertServiceCentreArg),
    /// informServiceCentre.
    InformServiceCentre(InformServiceCentreArg),
    /// readyForSM.
    ReadyForSm(ReadyForSmArg),
    /// noteSubscriberPresent (version 1): a bare IMSI.
    NoteSubscriberPresent {
        /// imsi.
        imsi: Tbcd,
        /// Its length form.
        form: LenForm,
    },
}

/// The result of a short message operation.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ResultValue {
    /// sendRoutingInfoForSM.
    SendRoutingInfoForSm(Box<RoutingInfoForSmRes>),
    /// mo-forwardSM / mt-forwardSM (version 3).
    ForwardSm(ForwardSmRes),
    /// reportSM-DeliveryStatus (version 3).
    ReportSmDeliveryStatus(ReportSmDeliveryStatusRes),
    /// reportSM-DeliveryStatus in version 2: a bare ISDN-AddressString.
    StoredMsisdn {
        /// storedMSISDN.
        msisdn: AddressString,
        /// Its length form.
        form: LenForm,
    },
    /// readyForSM.
    ReadyForSm(ReadyForSmRes),
}

fn seq_tlv<'a>(param: &'a [u8], field: &'static str) -> Result<Tlv<'a>> {
    let t = Tlv::decode_exact(param, 0, field)?;
    if t.tag != Tag::SEQUENCE {
        return Err(t.error(field, Reason::BadValue));
    }
    Ok(t)
}

impl Argument {
    /// Decodes the parameter of an Invoke of `opcode` in a dialogue of MAP `version` (from the
    /// application context; `None` when the message does not say). An operation outside the
    /// short message service is `Unsupported`.
    pub fn decode(opcode: i64, version: Option<u8>, param: &[u8]) -> Result<Argument> {
        let f = "map.argument";
        Ok(match opcode {
            opcode::SEND_ROUTING_INFO_FOR_SM => {
                Argument::SendRoutingInfoForSm(Asn::decode_asn(&seq_tlv(param, f)?, f)?)
            }
            opcode::MT_FORWARD_SM => {
                Argument::MtForwardSm(Asn::decode_asn(&seq_tlv(param, f)?, f)?)
            }
            opcode::MO_FORWARD_SM if matches!(version, Some(1 | 2)) => {
                Argument::MtForwardSm(Asn::decode_asn(&seq_tlv(param, f)?, f)?)
            }
            opcode::MO_FORWARD_SM => {
                Argument::MoForwardSm(Asn::decode_asn(&seq_tlv(param, f)?, f)?)
            }
            opcode::REPORT_SM_DELIVERY_STATUS => {
                Argument::ReportSmDeliveryStatus(Asn::decode_asn(&seq_tlv(param, f)?, f)?)
            }
            opcode::ALERT_SERVICE_CENTRE | opcode::ALERT_SERVICE_CENTRE_WITHOUT_RESULT => {
                Argument::AlertServiceCentre(Asn::decode_asn(&seq_tlv(param, f)?, f)?)
            }
            opcode::INFORM_SERVICE_CENTRE => {
                Argument::InformServiceCentre(Asn::decode_asn(&seq_tlv(param, f)?, f)?)
            }
            opcode::READY_FOR_SM => Argument::ReadyForSm(Asn::decode_asn(&seq_tlv(param, f)?, f)?),
            opcode::NOTE_SUBSCRIBER_PRESENT => {
                let t = Tlv::decode_exact(param, 0, f)?;
                t.expect_tag(Tag::OCTET_STRING, f)?;
                Argument::NoteSubscriberPresent {
                    imsi: Tbcd(t.value.to_vec()),
                    form: t.form,
                }
            }
            _ => return Err(Error::new("map.opcode", 0, Reason::Unsupported)),
        })
    }

    /// The parameter TLV.
    pub fn encode(&self) -> Vec<u8> {
        let s = Tag::SEQUENCE;
        match self {
            Argument::SendRoutingInfoForSm(a) => a.encode_ber(s),
            Argument::MtForwardSm(a) => a.encode_ber(s),
            Argument::MoForwardSm(a) => a.encode_ber(s),
            Argument::ReportSmDeliveryStatus(a) => a.encode_ber(s),
            Argument::AlertServiceCentre(a) => a.encode_ber(s),
            Argument::InformServiceCentre(a) => a.encode_ber(s),
            Argument::ReadyForSm(a) => a.encode_ber(s),
            Argument::NoteSubscriberPresent { imsi, form } => {
                let mut w = Writer::new();
                imsi.encode_asn(&mut w, Tag::OCTET_STRING, *form);
                w.into_vec()
            }
        }
    }

    /// The TPDU in sm-RP-UI, for the forwardSM operations.
    pub fn sm_rp_ui(&self) -> Option<&[u8]> {
        match self {
            Argument::MtForwardSm(a) => Some(&a.sm_rp_ui),
            Argument::MoForwardSm(a) => Some(&a.sm_rp_ui),
            _ => None,
        }
    }

    /// The JSON fields of the argument (the caller adds `operation`).
    pub fn to_json(&self) -> Value {
        match self {
            Argument::SendRoutingInfoForSm(a) => a.to_json(),
            Argument::MtForwardSm(a) => a.to_json(),
            Argument::MoForwardSm(a) => a.to_json(),
            Argument::ReportSmDeliveryStatus(a) => a.to_json(),
            Argument::AlertServiceCentre(a) => a.to_json(),
            Argument::InformServiceCentre(a) => a.to_json(),
            Argument::ReadyForSm(a) => a.to_json(),
            Argument::NoteSubscriberPresent { imsi, form } => {
                bare_json("imsi", imsi.to_json(), *form)
            }
        }
    }

    /// From the JSON fields, for an Invoke of `opcode` in MAP `version`.
    pub fn from_json(opcode: i64, version: Option<u8>, v: &Value) -> JsonResult<Argument> {
        let f = "map";
        Ok(match opcode {
            opcode::SEND_ROUTING_INFO_FOR_SM => {
                Argument::SendRoutingInfoForSm(Asn::from_json(v, f)?)
            }
            opcode::MT_FORWARD_SM => Argument::MtForwardSm(Asn::from_json(v, f)?),
            opcode::MO_FORWARD_SM if matches!(version, Some(1 | 2)) => {
                Argument::MtForwardSm(Asn::from_json(v, f)?)
            }
            opcode::MO_FORWARD_SM => Argument::MoForwardSm(Asn::from_json(v, f)?),
            opcode::REPORT_SM_DELIVERY_STATUS => {
                Argument::ReportSmDeliveryStatus(Asn::from_json(v, f)?)
            }
            opcode::ALERT_SERVICE_CENTRE | opcode::ALERT_SERVICE_CENTRE_WITHOUT_RESULT => {
                Argument::AlertServiceCentre(Asn::from_json(v, f)?)
            }
            opcode::INFORM_SERVICE_CENTRE => Argument::InformServiceCentre(Asn::from_json(v, f)?),
            opcode::READY_FOR_SM => Argument::ReadyForSm(Asn::from_json(v, f)?),
            opcode::NOTE_SUBSCRIBER_PRESENT => {
                let (imsi, form) = bare_from_json(v, "imsi")?;
                Argument::NoteSubscriberPresent {
                    imsi: Tbcd::from_json(imsi, "imsi")?,
                    form,
                }
            }
            _ => {
                return Err(format!(
                "map: operation {opcode} has no typed form; give the argument as {{\"raw\": hex}}"
            ))
            }
        })
    }
}

fn bare_json(key: &str, v: Value, form: LenForm) -> Value {
    let mut m = Map::new();
    m.insert(key.into(), v);
    if let Some(f) = forms_to_json(&Forms::own(form)) {
        m.insert("ber_length_forms".into(), f);
    }
    Value::Object(m)
}

fn bare_from_json<'v>(v: &'v Value, key: &str) -> JsonResult<(&'v Value, LenForm)> {
    let m = super::asn::object(v, "map")?;
    let x = m.get(key).ok_or_else(|| format!("map: missing {key}"))?;
    Ok((x, forms_from_json(m.get("ber_length_forms"), "map")?.get(0)))
}

impl ResultValue {
    /// Decodes the parameter of a ReturnResult of `opcode`.
    pub fn decode(opcode: i64, param: &[u8]) -> Result<ResultValue> {
        let f = "map.result";
        Ok(match opcode {
            opcode::SEND_ROUTING_INFO_FOR_SM => ResultValue::SendRoutingInfoForSm(Box::new(
                Asn::decode_asn(&seq_tlv(param, f)?, f)?,
            )),
            opcode::MT_FORWARD_SM | opcode::MO_FORWARD_SM => {
                ResultValue::ForwardSm(Asn::decode_asn(&seq_tlv(param, f)?, f)?)
            }
            opcode::REPORT_SM_DELIVERY_STATUS => {
                let t = Tlv::decode_exact(param, 0, f)?;
                if t.tag == Tag::OCTET_STRING {
                    ResultValue::StoredMsisdn {
                        msisdn: AddressString::decode_asn(&t, f)?,
                        form: t.form,
                    }
                } else {
                    ResultValue::ReportSmDeliveryStatus(Asn::decode_asn(&seq_tlv(param, f)?, f)?)
                }
            }
            opcode::READY_FOR_SM => {
                ResultValue::ReadyForSm(Asn::decode_asn(&seq_tlv(param, f)?, f)?)
            }
            _ => return Err(Error::new("map.opcode", 0, Reason::Unsupported)),
        })
    }

    /// The parameter TLV.
    pub fn encode(&self) -> Vec<u8> {
        let s = Tag::SEQUENCE;
        match self {
            ResultValue::SendRoutingInfoForSm(r) => r.encode_ber(s),
            ResultValue::ForwardSm(r) => r.encode_ber(s),
            ResultValue::ReportSmDeliveryStatus(r) => r.encode_ber(s),
            ResultValue::StoredMsisdn { msisdn, form } => {
                let mut w = Writer::new();
                msisdn.encode_asn(&mut w, Tag::OCTET_STRING, *form);
                w.into_vec()
            }
            ResultValue::ReadyForSm(r) => r.encode_ber(s),
        }
    }

    /// The JSON fields of the result.
    pub fn to_json(&self) -> Value {
        match self {
            ResultValue::SendRoutingInfoForSm(r) => r.to_json(),
            ResultValue::ForwardSm(r) => r.to_json(),
            ResultValue::ReportSmDeliveryStatus(r) => r.to_json(),
            ResultValue::StoredMsisdn { msisdn, form } => {
                let mut v = bare_json("stored_msisdn", msisdn.to_json(), *form);
                v["bare"] = Value::Bool(true);
                v
            }
            ResultValue::ReadyForSm(r) => r.to_json(),
        }
    }

    /// From the JSON fields, for a ReturnResult of `opcode`.
    pub fn from_json(opcode: i64, v: &Value) -> JsonResult<ResultValue> {
        let f = "result";
        Ok(match opcode {
            opcode::SEND_ROUTING_INFO_FOR_SM => {
                ResultValue::SendRoutingInfoForSm(Box::new(Asn::from_json(v, f)?))
            }
            opcode::MT_FORWARD_SM | opcode::MO_FORWARD_SM => {
                ResultValue::ForwardSm(Asn::from_json(v, f)?)
            }
            opcode::REPORT_SM_DELIVERY_STATUS if v.get("bare") == Some(&Value::Bool(true)) => {
                let (m, form) = bare_from_json(v, "stored_msisdn")?;
                ResultValue::StoredMsisdn {
                    msisdn: AddressString::from_json(m, "stored_msisdn")?,
                    form,
                }
            }
            opcode::REPORT_SM_DELIVERY_STATUS => {
                ResultValue::ReportSmDeliveryStatus(Asn::from_json(v, f)?)
            }
            opcode::READY_FOR_SM => ResultValue::ReadyForSm(Asn::from_json(v, f)?),
            _ => {
                return Err(format!(
                    "result of operation {opcode} has no typed form; give it as {{\"raw\": hex}}"
                ))
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hex;

    #[test]
    fn names_operations_by_version() {
        assert_eq!(operation_name(46, Some(2)), Some("forwardSM"));
        assert_eq!(operation_name(46, Some(3)), Some("mo-forwardSM"));
        assert_eq!(operation_name(46, None), Some("mo-forwardSM"));
        assert_eq!(operation_name(2, None), Some("updateLocation"));
        assert_eq!(operation_code("mt-forwardSM"), Some(44));
        assert_eq!(operation_code("forwardSM"), Some(46));
    }

    #[test]
    fn decodes_by_opcode_and_version() {
        // forwardSM v2 (MT direction): moreMessagesToSend is understood.
        let p = hex::decode(
            &"301a8008 00010121436587f9 8407 91447700090000 0403 040506 0500".replace(' ', ""),
        )
        .unwrap();
        let a = Argument::decode(46, Some(2), &p).unwrap();
        assert!(matches!(&a, Argument::MtForwardSm(m) if m.more_messages_to_send));
        assert_eq!(a.encode(), p);
        assert_eq!(Argument::from_json(46, Some(2), &a.to_json()).unwrap(), a);
        // The same bytes read as v3 mo-forwardSM keep the NULL as an extension.
        let a = Argument::decode(46, Some(3), &p).unwrap();
        assert!(matches!(&a, Argument::MoForwardSm(m) if m.extensions.len() == 1));
        assert_eq!(a.encode(), p);
        let a =
            Argument::decode(48, Some(1), &hex::decode("040800010121436587f9").unwrap()).unwrap();
        assert_eq!(Argument::from_json(48, Some(1), &a.to_json()).unwrap(), a);
        assert_eq!(
            Argument::decode(2, None, &p).unwrap_err().reason,
            Reason::Unsupported
        );
        let r = ResultValue::decode(
            47,
            &hex::decode(&"0407 91447700091032".replace(' ', "")).unwrap(),
        )
        .unwrap();
        assert!(matches!(r, ResultValue::StoredMsisdn { .. }));
        assert_eq!(ResultValue::from_json(47, &r.to_json()).unwrap(), r);
    }

    /// Real-shaped parameters of every operation, to mutate.
    const PARAMS: [(i64, Option<u8>, &str); 6] = [
        (45, Some(3), "30158007914477000910328101ff820791447700090000"),
        (44, Some(3), "3031800800010121436587f9840791447700090000041c040c914477000990990000421010214365000ae8329bfd4697d9ec37"),
        (46, Some(3), "302b840791447700090000820791447700099099041711050c914477000910320000a70ae8329bfd4697d9ec37"),
        (46, Some(2), "301a800800010121436587f9840791447700090000040304050605 00"),
        (47, Some(3), "30180407914477000910320407914477000900000a01018001 05"),
        (66, Some(3), "300d800800010121436587f90a0101"),
    ];

    proptest::proptest! {
        #[test]
        fn random_and_mutated_parameters_round_trip(
            which in 0usize..PARAMS.len(),
            edits in proptest::collection::vec((0usize..64, proptest::prelude::any::<u8>()), 0..3),
            random in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40),
            op in proptest::sample::select(vec![44i64, 45, 46, 47, 48, 49, 63, 64, 66]),
        ) {
            let (code, version, h) = PARAMS[which];
            let mut b = hex::decode(h).unwrap();
            for (i, x) in edits {
                let i = i % b.len();
                b[i] = x;
            }
            if let Ok(a) = Argument::decode(code, version, &b) {
                proptest::prop_assert_eq!(a.encode(), b.clone());
                proptest::prop_assert_eq!(Argument::from_json(code, version, &a.to_json()).unwrap(), a);
            }
            for v in [Some(1), Some(2), Some(3)] {
                if let Ok(a) = Argument::decode(op, v, &random) {
                    proptest::prop_assert_eq!(a.encode(), random.clone());
                }
            }
            if let Ok(r) = ResultValue::decode(op, &random) {
                proptest::prop_assert_eq!(r.encode(), random.clone());
            }
            if let Ok(e) = crate::map::ErrorParam::decode(op - 30, &random) {
                proptest::prop_assert_eq!(e.encode(), random.clone());
            }
        }
    }
}
