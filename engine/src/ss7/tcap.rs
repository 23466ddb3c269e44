//! The TCAP messages of the MAP short message procedures (Q.771-Q.775, 3GPP TS 29.002 23.3),
//! built and read with the typed forms of `smsedge_codecs::{tcap, map}`:
//!
//! - MT: TC-BEGIN with AARQ shortMsgGatewayContext and Invoke sendRoutingInfoForSM (45); then
//!   TC-BEGIN (and TC-CONTINUE per further part) with AARQ shortMsgMT-RelayContext and Invoke
//!   mt-forwardSM (44; forwardSM 46 in v2), moreMessagesToSend on all but the last part.
//! - MO: what a TC-BEGIN with shortMsgMO-RelayContext and Invoke mo-forwardSM (46) carries, and
//!   the TC-END that answers it (AARE accepted, ReturnResultLast or ReturnError).
//! - Refusals: the TC-U-ABORT carrying an AARE with application-context-name-not-supported
//!   (Q.773 3.2.2) that makes a v3 dialogue fall back to v2.

use smsedge_codecs::ber::Oid;
use smsedge_codecs::map::errors::code as map_error;
use smsedge_codecs::map::operation::opcode;
use smsedge_codecs::map::{
    AddressString, AppContext, Argument, Asn, ErrorParam, MapError, MtForwardSmArg, ResultValue,
    RoutingInfoForSmArg, SmRpOa, Tbcd,
};
use smsedge_codecs::tcap::dialogue::Aare;
use smsedge_codecs::tcap::{
    AbortReason, Component, DialoguePdu, DialoguePortion, Message, MessageKind, SourceDiagnostic,
    TransactionId,
};

/// The invoke id of the proxy's one operation per dialogue step.
pub const INVOKE_ID: i64 = 1;
/// Q.773 AARE result-source-diagnostic: dialogue-service-user (2) application-context-name-
/// not-supported.
const AC_NOT_SUPPORTED: i64 = 2;

/// TC-BEGIN: sendRoutingInfoForSM for `msisdn` from the service centre `sc`, in MAP `version`
/// (shortMsgGatewayContext-vN, TS 29.002 17.3.3; sm-RP-PRI TRUE).
pub fn put_sri_begin(
    out: &mut Vec<u8>,
    otid: u32,
    version: u8,
    msisdn: &AddressString,
    sc: &AddressString,
) {
    let arg =
        Argument::SendRoutingInfoForSm(RoutingInfoForSmArg::new(msisdn.clone(), true, sc.clone()));
    let m = Message::begin(TransactionId::from_u32(otid))
        .with_dialogue(DialoguePortion::request(
            AppContext::ShortMsgGateway.oid(version),
        ))
        .with_component(Component::invoke(
            INVOKE_ID,
            opcode::SEND_ROUTING_INFO_FOR_SM,
            Some(arg.encode()),
        ));
    out.extend_from_slice(&m.encode());
}

/// Where an mt-forwardSM goes in its dialogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leg {
    /// The first part: TC-BEGIN with the AARQ.
    Begin {
        /// The proxy's transaction id.
        otid: u32,
    },
    /// A further part: TC-CONTINUE.
    Continue {
        /// The proxy's transaction id.
        otid: u32,
        /// The MSC's transaction id.
        dtid: TransactionId,
    },
}

/// mt-forwardSM (v3, opcode 44, shortMsgMT-RelayContext-v3) or forwardSM (v2, opcode 46,
/// shortMsgRelayContext-v2) of one SMS-DELIVER to `imsi`.
#[allow(clippy::too_many_arguments)]
pub fn put_mt(
    out: &mut Vec<u8>,
    leg: Leg,
    version: u8,
    invoke_id: i64,
    imsi: &Tbcd,
    sc: &AddressString,
    tpdu: &[u8],
    more: bool,
) {
    let mut arg = MtForwardSmArg::new(imsi.clone(), sc.clone(), tpdu.to_vec());
    arg.more_messages_to_send = more;
    let op = if version >= 3 {
        opcode::MT_FORWARD_SM
    } else {
        opcode::MO_FORWARD_SM
    };
    let invoke = Component::invoke(invoke_id, op, Some(Argument::MtForwardSm(arg).encode()));
    let m = match leg {
        Leg::Begin { otid } => Message::begin(TransactionId::from_u32(otid)).with_dialogue(
            DialoguePortion::request(AppContext::ShortMsgMtRelay.oid(version)),
        ),
        Leg::Continue { otid, dtid } => Message::continue_(TransactionId::from_u32(otid), dtid),
    }
    .with_component(invoke);
    out.extend_from_slice(&m.encode());
}

/// TC-END to `dtid`: the AARE accepting `ac` when the peer's TC-BEGIN proposed one, and
/// `component`.
pub fn put_end(
    out: &mut Vec<u8>,
    dtid: TransactionId,
    ac: Option<&Oid>,
    component: Option<Component>,
) {
    let mut m = Message::end(dtid);
    if let Some(ac) = ac {
        m = m.with_dialogue(DialoguePortion::response(
            ac.clone(),
            0,
            SourceDiagnostic::User(0),
        ));
    }
    if let Some(c) = component {
        m = m.with_component(c);
    }
    out.extend_from_slice(&m.encode());
}

/// TC-U-ABORT to `dtid` refusing the proposed context and offering `supported` (Q.773 3.2.2).
pub fn put_refusal(out: &mut Vec<u8>, dtid: TransactionId, supported: Oid) {
    let m = Message::abort(
        dtid,
        Some(AbortReason::User(DialoguePortion::refuse_context(
            supported,
        ))),
    );
    out.extend_from_slice(&m.encode());
}

/// TC-U-ABORT to `dtid` with an ABRT (dialogue-service-user): the proxy gives up on a dialogue.
pub fn put_user_abort(out: &mut Vec<u8>, dtid: TransactionId) {
    let m = Message::abort(dtid, Some(AbortReason::User(DialoguePortion::abort(None))));
    out.extend_from_slice(&m.encode());
}

/// TC-P-ABORT to `dtid` (Q.773 P-AbortCause, e.g. 1 unrecognizedTransactionID).
pub fn put_p_abort(out: &mut Vec<u8>, dtid: TransactionId, cause: i64) {
    let m = Message::abort(dtid, Some(AbortReason::Provider(cause)));
    out.extend_from_slice(&m.encode());
}

/// What the network answered to one of the proxy's dialogue steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply<'a> {
    /// The peer does not support the proposed application context; it offered this version.
    Refused(Option<u8>),
    /// TC-ABORT for another reason (a provider cause, or a user abort).
    Aborted,
    /// ReturnResult (last) with the MAP parameter, if any.
    Result(Option<&'a [u8]>),
    /// ReturnError: the MAP error code and, for sm-DeliveryFailure, its cause.
    Error {
        /// MAP error code.
        code: i64,
        /// SM-EnumeratedDeliveryFailureCause, for sm-DeliveryFailure.
        cause: Option<i64>,
    },
    /// A Reject component (Q.773 3.2.1.4).
    Rejected,
    /// No component: the dialogue was accepted, the answer comes later.
    Nothing,
}

fn refusal(d: &DialoguePortion) -> Option<Option<u8>> {
    match &d.pdu {
        DialoguePdu::Response(Aare {
            result,
            diagnostic,
            application_context,
            ..
        }) if *result != 0 => {
            let v = smsedge_codecs::map::ac::map_version(application_context);
            Some(if *diagnostic == SourceDiagnostic::User(AC_NOT_SUPPORTED) {
                v
            } else {
                // Refused for another reason: no version to fall back to.
                None
            })
        }
        _ => None,
    }
}

/// Reads the answer in `m` (a TC-CONTINUE, TC-END or TC-ABORT for one of the proxy's dialogues)
/// to the proxy's invoke `invoke_id`. A result or error for an invoke the proxy never sent is a
/// protocol error (Q.773 3.2.1.2, "unrecognized invoke ID"): the dialogue is not trusted further.
pub fn reply(m: &Message, invoke_id: i64) -> Reply<'_> {
    if m.kind == MessageKind::Abort {
        return match &m.abort_reason {
            Some(AbortReason::User(d)) => match refusal(d) {
                Some(Some(v)) => Reply::Refused(Some(v)),
                _ => Reply::Aborted,
            },
            _ => Reply::Aborted,
        };
    }
    if let Some(Some(v)) = m.dialogue.as_ref().and_then(refusal) {
        return Reply::Refused(Some(v));
    }
    for c in &m.components {
        match c {
            Component::ReturnResult(r) if r.invoke_id != invoke_id => return Reply::Rejected,
            Component::ReturnError(e) if e.invoke_id != invoke_id => return Reply::Rejected,
            Component::ReturnResult(r) if r.last => return Reply::Result(r.parameter.as_deref()),
            Component::ReturnError(e) => {
                let Some(code) = e.error_code.local() else {
                    return Reply::Error {
                        code: map_error::SYSTEM_FAILURE,
                        cause: None,
                    };
                };
                let cause = e
                    .parameter
                    .as_deref()
                    .and_then(|p| ErrorParam::decode(code, p).ok())
                    .and_then(|p| match p {
                        ErrorParam::SmDeliveryFailure(c) => {
                            Some(c.sm_enumerated_delivery_failure_cause)
                        }
                        ErrorParam::Enumerated { value, .. } => Some(value),
                        _ => None,
                    });
                return Reply::Error { code, cause };
            }
            Component::Reject(_) => return Reply::Rejected,
            // ReturnResultNotLast (a segmented result) or an Invoke from the peer: wait for
            // the last.
            _ => {}
        }
    }
    Reply::Nothing
}

/// The serving node of a sendRoutingInfoForSM result: (IMSI, networkNode-Number digits).
pub fn sri_result(param: Option<&[u8]>) -> Option<(Tbcd, String)> {
    match ResultValue::decode(opcode::SEND_ROUTING_INFO_FOR_SM, param?).ok()? {
        ResultValue::SendRoutingInfoForSm(r) => {
            let msc = r.network_node_number().digits()?;
            // E.164 (ITU-T E.164 6.1): at most 15 digits, digits only — anything else cannot
            // be a global title and must not be cached as a route.
            let usable = (1..=15).contains(&msc.len()) && msc.bytes().all(|b| b.is_ascii_digit());
            (usable && r.imsi.digits().is_some()).then_some((r.imsi.clone(), msc))
        }
        _ => None,
    }
}

/// A mobile-originated short message as the MSC's TC-BEGIN carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoIn {
    /// The application context proposed (the TC-END's AARE echoes it).
    pub ac: Oid,
    /// The MAP version of it.
    pub version: u8,
    /// The invoke id to answer.
    pub invoke_id: i64,
    /// The mobile's MSISDN (digits).
    pub msisdn: String,
    /// The SMS-SUBMIT TPDU.
    pub tpdu: Vec<u8>,
}

/// Why a TC-BEGIN to the proxy is not an MO it takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MoRefusal {
    /// Another application context, or a version above `max`: refuse it (offering ours).
    Context,
    /// No usable invoke, or an argument that does not decode: abort.
    Malformed,
}

/// Reads an MO TC-BEGIN: shortMsgMO-RelayContext (v2 or v3, up to `max_version`) with
/// mo-forwardSM / forwardSM (46).
pub fn read_mo(m: &Message, max_version: u8) -> Result<MoIn, MoRefusal> {
    let ac = m.application_context().ok_or(MoRefusal::Context)?;
    let (ctx, version) = AppContext::from_oid(ac).ok_or(MoRefusal::Context)?;
    if ctx != AppContext::ShortMsgMoRelay || version < 2 || version > max_version {
        return Err(MoRefusal::Context);
    }
    let invoke = m
        .components
        .iter()
        .find_map(|c| match c {
            Component::Invoke(i) if i.opcode.local() == Some(opcode::MO_FORWARD_SM) => Some(i),
            _ => None,
        })
        .ok_or(MoRefusal::Malformed)?;
    let param = invoke.parameter.as_deref().ok_or(MoRefusal::Malformed)?;
    let (oa, ui) = match Argument::decode(opcode::MO_FORWARD_SM, Some(version), param)
        .map_err(|_| MoRefusal::Malformed)?
    {
        Argument::MoForwardSm(a) => (a.sm_rp_oa, a.sm_rp_ui),
        Argument::MtForwardSm(a) => (a.sm_rp_oa, a.sm_rp_ui),
        _ => return Err(MoRefusal::Malformed),
    };
    let SmRpOa::Msisdn(msisdn) = oa else {
        return Err(MoRefusal::Malformed);
    };
    Ok(MoIn {
        ac: ac.clone(),
        version,
        invoke_id: invoke.invoke_id,
        msisdn: msisdn.digits().ok_or(MoRefusal::Malformed)?,
        tpdu: ui,
    })
}

/// The ReturnError of an MO the proxy could not deliver: sm-DeliveryFailure with `cause`
/// (TS 29.002 7.6.1.4 SM-EnumeratedDeliveryFailureCause), or systemFailure when `cause` is None.
pub fn mo_error(invoke_id: i64, cause: Option<i64>) -> Component {
    match cause {
        Some(cause) => {
            let e = MapError::sm_delivery_failure(cause, None);
            Component::return_error(invoke_id, e.code, e.param.map(|p| p.encode()))
        }
        None => Component::return_error(invoke_id, map_error::SYSTEM_FAILURE, None),
    }
}

/// The ReturnResultLast of a delivered MO: no parameter (MO-ForwardSM-Res is optional in v3, and
/// v2's forwardSM has none).
pub fn mo_result(invoke_id: i64) -> Component {
    Component::return_result_last(invoke_id, None)
}

/// Encodes `v` as its BER TLV (for tests and the cache).
pub fn encode_asn<T: Asn>(v: &T) -> Vec<u8> {
    v.encode_ber(smsedge_codecs::ber::Tag::SEQUENCE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use smsedge_codecs::map::{MoForwardSmArg, RoutingInfoForSmRes};

    fn sc() -> AddressString {
        AddressString::international("447700900999").unwrap()
    }

    #[test]
    fn sri_begin_carries_the_gateway_context_and_the_msisdn() {
        let mut out = Vec::new();
        put_sri_begin(
            &mut out,
            0x0100_0007,
            3,
            &AddressString::international("447700900123").unwrap(),
            &sc(),
        );
        let m = Message::decode(&out).unwrap();
        assert_eq!(m.kind, MessageKind::Begin);
        assert_eq!(m.otid.unwrap().to_u32(), 0x0100_0007);
        assert_eq!(
            m.application_context().unwrap().to_string(),
            "0.4.0.0.1.0.20.3"
        );
        let Component::Invoke(i) = &m.components[0] else {
            panic!()
        };
        assert_eq!(i.opcode.local(), Some(45));
        let Argument::SendRoutingInfoForSm(a) =
            Argument::decode(45, Some(3), i.parameter.as_deref().unwrap()).unwrap()
        else {
            panic!()
        };
        assert_eq!(a.msisdn.digits().as_deref(), Some("447700900123"));
        assert!(a.sm_rp_pri);
        assert_eq!(a.service_centre_address, sc());
    }

    #[test]
    fn mt_v2_is_forward_sm_in_the_relay_context() {
        let mut out = Vec::new();
        let imsi = Tbcd::from_digits("001010123456789").unwrap();
        put_mt(
            &mut out,
            Leg::Begin { otid: 9 },
            2,
            1,
            &imsi,
            &sc(),
            &[0x04, 0x00],
            true,
        );
        let m = Message::decode(&out).unwrap();
        assert_eq!(
            m.application_context().unwrap().to_string(),
            "0.4.0.0.1.0.25.2"
        );
        let Component::Invoke(i) = &m.components[0] else {
            panic!()
        };
        assert_eq!(i.opcode.local(), Some(46));
        let Argument::MtForwardSm(a) =
            Argument::decode(46, Some(2), i.parameter.as_deref().unwrap()).unwrap()
        else {
            panic!()
        };
        assert!(a.more_messages_to_send);
        let mut out = Vec::new();
        let dtid = TransactionId::from_u32(77);
        put_mt(
            &mut out,
            Leg::Continue { otid: 9, dtid },
            3,
            2,
            &imsi,
            &sc(),
            &[0],
            false,
        );
        let m = Message::decode(&out).unwrap();
        assert_eq!((m.kind, m.dtid), (MessageKind::Continue, Some(dtid)));
        assert!(m.dialogue.is_none());
    }

    #[test]
    fn reads_results_errors_and_refusals() {
        let dtid = TransactionId::from_u32(1);
        let res = RoutingInfoForSmRes::new(
            Tbcd::from_digits("001010123456789").unwrap(),
            AddressString::international("447700900555").unwrap(),
        );
        let end = Message::end(dtid)
            .with_dialogue(DialoguePortion::response(
                AppContext::ShortMsgGateway.oid(3),
                0,
                SourceDiagnostic::User(0),
            ))
            .with_component(Component::return_result_last(
                1,
                Some((45, encode_asn(&res))),
            ));
        let m = Message::decode(&end.encode()).unwrap();
        let Reply::Result(p) = reply(&m, 1) else {
            panic!()
        };
        let (imsi, msc) = sri_result(p).unwrap();
        assert_eq!(
            (imsi.digits().unwrap().as_str(), msc.as_str()),
            ("001010123456789", "447700900555")
        );

        let e = MapError::sm_delivery_failure(0, None);
        let end = Message::end(dtid).with_component(Component::return_error(
            1,
            32,
            e.param.map(|p| p.encode()),
        ));
        assert_eq!(
            reply(&Message::decode(&end.encode()).unwrap(), 1),
            Reply::Error {
                code: 32,
                cause: Some(0)
            }
        );

        let refuse = Message::abort(
            dtid,
            Some(AbortReason::User(DialoguePortion::refuse_context(
                AppContext::ShortMsgGateway.oid(2),
            ))),
        );
        assert_eq!(
            reply(&Message::decode(&refuse.encode()).unwrap(), 1),
            Reply::Refused(Some(2))
        );
        let mut out = Vec::new();
        put_p_abort(&mut out, dtid, 1);
        assert_eq!(reply(&Message::decode(&out).unwrap(), 1), Reply::Aborted);
        let accept = Message::continue_(TransactionId::from_u32(5), dtid).with_dialogue(
            DialoguePortion::response(
                AppContext::ShortMsgMtRelay.oid(3),
                0,
                SourceDiagnostic::User(0),
            ),
        );
        assert_eq!(
            reply(&Message::decode(&accept.encode()).unwrap(), 1),
            Reply::Nothing
        );
    }

    #[test]
    fn reads_an_mo_and_answers_it() {
        let arg = MoForwardSmArg::new(
            sc(),
            AddressString::international("447700900123").unwrap(),
            vec![0x01, 0x02],
        );
        let begin = Message::begin(TransactionId::from_u32(0xabcd))
            .with_dialogue(DialoguePortion::request(AppContext::ShortMsgMoRelay.oid(3)))
            .with_component(Component::invoke(
                5,
                46,
                Some(Argument::MoForwardSm(arg).encode()),
            ));
        let m = Message::decode(&begin.encode()).unwrap();
        let mo = read_mo(&m, 3).unwrap();
        assert_eq!(
            (mo.version, mo.invoke_id, mo.msisdn.as_str()),
            (3, 5, "447700900123")
        );
        assert_eq!(mo.tpdu, vec![1, 2]);
        assert_eq!(read_mo(&m, 2), Err(MoRefusal::Context));

        let mut out = Vec::new();
        put_end(
            &mut out,
            m.otid.unwrap(),
            Some(&mo.ac),
            Some(mo_error(5, Some(4))),
        );
        let e = Message::decode(&out).unwrap();
        assert_eq!(e.dtid.unwrap().to_u32(), 0xabcd);
        assert_eq!(
            reply(&e, 5),
            Reply::Error {
                code: 32,
                cause: Some(4)
            }
        );
        // The same error for an invoke never sent.
        assert_eq!(reply(&e, 1), Reply::Rejected);
        let Some(DialoguePortion {
            pdu: DialoguePdu::Response(aare),
            ..
        }) = &e.dialogue
        else {
            panic!()
        };
        assert_eq!((aare.result, &aare.application_context), (0, &mo.ac));
        let mut out = Vec::new();
        put_end(&mut out, m.otid.unwrap(), Some(&mo.ac), Some(mo_result(5)));
        let end = Message::decode(&out).unwrap();
        assert_eq!(reply(&end, 5), Reply::Result(None));
        assert_eq!(reply(&end, 6), Reply::Rejected);
    }
}
