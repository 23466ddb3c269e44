//! JSON form of the SIGTRAN stack (INTERFACES.md): one object per message with one key per
//! layer, outermost first: `m3ua`, `sccp` (or `scmg` for SCCP management), `tcap`, `map`,
//! `tpdu`. A layer the decoder does not understand is `{"raw": hex, "decode_error": "..."}`.
//!
//! Encoding reads the same shape. Each layer's payload comes from the next layer's key (the M3UA
//! protocol data from `sccp`, the SCCP data from `tcap`, a component's parameter from the next
//! `map` entry), except `sm_rp_ui`, which INTERFACES.md prints as hex in `map` and which encoding
//! takes from there (`tpdu` is its decoded reading; it is used only when `sm_rp_ui` is left out).
//!
//! Shapes that are not obvious:
//! - `m3ua`: parameters appear in wire order as keys named as in RFC 4666 (snake case); the
//!   Protocol Data parameter appears as its fields `opc`, `dpc`, `si`, `ni`, `mp`, `sls` (and
//!   `data`, hex, when SI is not SCCP). A parameter that occurs again gets the key `name#2`, ...;
//!   Routing Key / Registration Result / Deregistration Result are arrays of objects; an
//!   unknown parameter is `"0xTTTT": "hex"`.
//! - `tcap.components[i].parameter` is `true` when the component carries a parameter, which is
//!   then the next entry of `map` (an object when there is one entry, else an array; `tpdu`
//!   follows `map`'s shape, `null` where an entry has no TPDU).
//! - `ber_length_forms` appears wherever a BER length was not in the minimal form (slot numbers
//!   as the type documents them), so such messages still re-encode to their bytes.

use super::{tpdu as tpdu_json, JsonError};
use crate::ber::{Forms, Oid};
use crate::hex;
use crate::m3ua::{self, MaskedPointCode, Parameter, ProtocolData};
use crate::map::asn::{forms_from_json, forms_to_json};
use crate::map::{self, Argument, ErrorParam, ResultValue};
use crate::sccp::{self, GlobalTitle, OptionalParam, PartyAddress, Scmg, Segmentation};
use crate::tcap::component::{
    problem_name, Invoke, ProblemType, Reject, ReturnError, ReturnResult,
};
use crate::tcap::dialogue::{Aare, Aarq, Abrt};
use crate::tcap::message::p_abort_cause_name;
use crate::tcap::{
    self, AbortReason, Code, Component, DialoguePdu, DialoguePortion, SourceDiagnostic,
    TransactionId,
};
use crate::tpdu::Direction;
use serde_json::{json, Map, Value};
use std::collections::HashMap;

type R<T> = Result<T, JsonError>;
type Obj = Map<String, Value>;

fn jerr<T>(msg: impl Into<String>) -> R<T> {
    Err(JsonError(msg.into()))
}

fn obj<'v>(v: &'v Value, what: &str) -> R<&'v Obj> {
    v.as_object()
        .ok_or_else(|| JsonError(format!("{what}: expected an object")))
}

fn get<'v>(m: &'v Obj, k: &str, what: &str) -> R<&'v Value> {
    m.get(k)
        .ok_or_else(|| JsonError(format!("{what}: missing {k}")))
}

fn uint(m: &Obj, k: &str, what: &str, max: u64) -> R<u64> {
    get(m, k, what)?
        .as_u64()
        .filter(|&v| v <= max)
        .ok_or_else(|| JsonError(format!("{what}.{k}: expected an integer 0..={max}")))
}

fn opt_uint(m: &Obj, k: &str, what: &str, max: u64) -> R<Option<u64>> {
    match m.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(_) => uint(m, k, what, max).map(Some),
    }
}

fn int(m: &Obj, k: &str, what: &str) -> R<i64> {
    get(m, k, what)?
        .as_i64()
        .ok_or_else(|| JsonError(format!("{what}.{k}: expected an integer")))
}

fn hexv(v: &Value, what: &str) -> R<Vec<u8>> {
    let s = v
        .as_str()
        .ok_or_else(|| JsonError(format!("{what}: expected a hex string")))?;
    hex::decode(s).map_err(|e| JsonError(format!("{what}: {e}")))
}

fn raw_layer(b: &[u8], e: crate::Error) -> Value {
    json!({"raw": hex::encode(b), "decode_error": e.to_string()})
}

fn raw_of(v: &Value) -> Option<R<Vec<u8>>> {
    v.as_object()
        .and_then(|m| m.get("raw"))
        .map(|r| hexv(r, "raw"))
}

fn forms_into(m: &mut Obj, f: &Forms) {
    if let Some(v) = forms_to_json(f) {
        m.insert("ber_length_forms".into(), v);
    }
}

fn forms_of(m: &Obj, what: &str) -> R<Forms> {
    forms_from_json(m.get("ber_length_forms"), what).map_err(JsonError)
}

// ------------------------------------------------------------------------------ decoding

/// Decodes back-to-back PDUs of `proto` into their JSON objects.
pub(super) fn decode_all(
    proto: super::Proto,
    bytes: &[u8],
) -> Result<Vec<Value>, (Vec<Value>, JsonError)> {
    use super::Proto;
    let mut out = Vec::new();
    match proto {
        Proto::M3ua => {
            let (msgs, e) = m3ua::Message::decode_all(bytes);
            for m in &msgs {
                let mut layers = Obj::new();
                m3ua_layers(m, &mut layers);
                out.push(Value::Object(layers));
            }
            if let Some(e) = e {
                return Err((out, e.into()));
            }
        }
        Proto::Sccp => {
            let m = sccp::Message::decode(bytes).map_err(|e| (Vec::new(), e.into()))?;
            let mut layers = Obj::new();
            sccp_layers(&m, &mut layers);
            out.push(Value::Object(layers));
        }
        Proto::Tcap => {
            // TCAP messages are self-delimiting TLVs: decode them one after another.
            let mut at = 0;
            while at < bytes.len() {
                let mut r = crate::Reader::with_base(&bytes[at..], at);
                let t = crate::ber::Tlv::decode(&mut r, 0)
                    .map_err(|e| (std::mem::take(&mut out), e.into()))?;
                let n = t.raw.len();
                let m = tcap::Message::decode(t.raw)
                    .map_err(|e| (std::mem::take(&mut out), e.shifted(at).into()))?;
                let mut layers = Obj::new();
                tcap_layers(&m, &mut layers);
                out.push(Value::Object(layers));
                at += n;
            }
            if out.is_empty() {
                return Err((out, JsonError("tcap: empty input".into())));
            }
        }
        Proto::SmsDeliver | Proto::SmsSubmit => {
            let dir = if proto == Proto::SmsDeliver {
                Direction::ScToMs
            } else {
                Direction::MsToSc
            };
            let t = crate::tpdu::Tpdu::decode(bytes, dir).map_err(|e| (Vec::new(), e.into()))?;
            out.push(json!({ "tpdu": tpdu_json::to_json(&t) }));
        }
        Proto::Smpp => unreachable!("SMPP has its own module"),
    }
    Ok(out)
}

fn mpc_json(p: &MaskedPointCode) -> Value {
    json!({"mask": p.mask, "pc": p.pc})
}

fn param_value(p: &Parameter) -> Value {
    use Parameter as P;
    match p {
        P::InfoString(v) => match std::str::from_utf8(v) {
            Ok(s) => Value::from(s),
            Err(_) => json!({"hex": hex::encode(v)}),
        },
        P::RoutingContext(v) => json!(v),
        P::DiagnosticInformation(v) | P::HeartbeatData(v) => Value::from(hex::encode(v)),
        P::ServiceIndicators(v) => json!(v),
        P::TrafficModeType(x)
        | P::ErrorCode(x)
        | P::AspIdentifier(x)
        | P::CorrelationId(x)
        | P::NetworkAppearance(x)
        | P::CongestionIndications(x)
        | P::ConcernedDestination(x)
        | P::LocalRoutingKeyIdentifier(x)
        | P::RegistrationStatus(x)
        | P::DeregistrationStatus(x) => json!(x),
        P::Status {
            status_type,
            status_info,
        } => json!({"type": status_type, "info": status_info}),
        P::UserCause { cause, user } => json!({"cause": cause, "user": user}),
        P::AffectedPointCode(v) | P::OriginatingPointCodeList(v) => {
            Value::Array(v.iter().map(mpc_json).collect())
        }
        P::DestinationPointCode(p) => mpc_json(p),
        P::RoutingKey(v) | P::RegistrationResult(v) | P::DeregistrationResult(v) => {
            let mut m = Obj::new();
            params_into(v, &mut m, false);
            Value::Object(m)
        }
        P::ProtocolData(pd) => {
            json!({"opc": pd.opc, "dpc": pd.dpc, "si": pd.si, "ni": pd.ni, "mp": pd.mp, "sls": pd.sls,
                                       "data": hex::encode(&pd.user_data)})
        }
        P::Unknown { value, .. } => Value::from(hex::encode(value)),
    }
}

fn grouped(tag: u16) -> bool {
    matches!(
        tag,
        m3ua::params::tag::ROUTING_KEY
            | m3ua::params::tag::REGISTRATION_RESULT
            | m3ua::params::tag::DEREGISTRATION_RESULT
    )
}

/// Parameters as keys in wire order (see the module documentation). `top` flattens the first
/// Protocol Data; its user data is left for the next layer when SI is SCCP.
fn params_into(params: &[Parameter], m: &mut Obj, top: bool) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut pd_done = false;
    let mut i = 0;
    while i < params.len() {
        let p = &params[i];
        let tag = p.tag();
        let base =
            m3ua::params::name_of(tag).map_or_else(|| format!("0x{tag:04x}"), str::to_string);
        let n = seen.entry(base.clone()).or_insert(0);
        *n += 1;
        let key = if *n == 1 {
            base.clone()
        } else {
            format!("{base}#{n}")
        };
        if let (true, false, Parameter::ProtocolData(pd)) = (top, pd_done, p) {
            pd_done = true;
            for (k, v) in [("opc", pd.opc), ("dpc", pd.dpc)] {
                m.insert(k.into(), json!(v));
            }
            for (k, v) in [("si", pd.si), ("ni", pd.ni), ("mp", pd.mp), ("sls", pd.sls)] {
                m.insert(k.into(), json!(v));
            }
            if pd.si != m3ua::SI_SCCP {
                m.insert("data".into(), Value::from(hex::encode(&pd.user_data)));
            }
            i += 1;
            continue;
        }
        if grouped(tag) {
            let mut run = Vec::new();
            while i < params.len() && params[i].tag() == tag {
                run.push(param_value(&params[i]));
                i += 1;
            }
            m.insert(key, Value::Array(run));
            continue;
        }
        m.insert(key, param_value(p));
        i += 1;
    }
}

fn m3ua_layers(msg: &m3ua::Message, layers: &mut Obj) {
    let mut m = Obj::new();
    m.insert("message_class".into(), json!(msg.kind.class()));
    m.insert("message_type".into(), json!(msg.kind.type_code()));
    m.insert(
        "message".into(),
        msg.kind.name().map_or(Value::Null, Value::from),
    );
    if msg.reserved != 0 {
        m.insert("reserved".into(), json!(msg.reserved));
    }
    params_into(&msg.params, &mut m, true);
    if msg.unpadded_last {
        m.insert("last_parameter_unpadded".into(), Value::Bool(true));
    }
    layers.insert("m3ua".into(), Value::Object(m));
    if let Some(pd) = msg.protocol_data() {
        if pd.si == m3ua::SI_SCCP {
            match sccp::Message::decode(&pd.user_data) {
                Ok(s) => sccp_layers(&s, layers),
                Err(e) => {
                    layers.insert("sccp".into(), raw_layer(&pd.user_data, e));
                }
            }
        }
    }
}

fn gt_json(gt: &GlobalTitle) -> Value {
    let mut m = Obj::new();
    m.insert("gti".into(), json!(gt.gti));
    if matches!(gt.gti, 2..=4) {
        m.insert("tt".into(), json!(gt.tt));
    }
    if matches!(gt.gti, 3 | 4) {
        m.insert("np".into(), json!(gt.np));
        m.insert("es".into(), json!(gt.es));
    }
    if matches!(gt.gti, 1 | 4) {
        m.insert("nai".into(), json!(gt.nai));
    }
    if gt.gti == 1 {
        m.insert("odd".into(), json!(gt.odd));
    }
    if gt.spare {
        m.insert("spare".into(), Value::Bool(true));
    }
    let canonical = gt.digits().filter(|d| match sccp::address::bcd_encode(d) {
        Ok((a, odd)) => a == gt.address && (gt.gti == 2 || odd == gt.odd),
        Err(_) => false,
    });
    match canonical {
        Some(d) => m.insert("digits".into(), Value::from(d)),
        None => m.insert("address".into(), Value::from(hex::encode(&gt.address))),
    };
    Value::Object(m)
}

fn party_json(a: &PartyAddress) -> Value {
    let mut m = Obj::new();
    if a.national {
        m.insert("national".into(), Value::Bool(true));
    }
    m.insert(
        "routing_indicator".into(),
        Value::from(if a.route_on_ssn { "ssn" } else { "gt" }),
    );
    m.insert("pc".into(), a.pc.map_or(Value::Null, |p| json!(p)));
    m.insert("ssn".into(), a.ssn.map_or(Value::Null, |s| json!(s)));
    m.insert("gt".into(), a.gt.as_ref().map_or(Value::Null, gt_json));
    Value::Object(m)
}

fn sccp_layers(s: &sccp::Message, layers: &mut Obj) {
    let mut m = Obj::new();
    m.insert("message_type".into(), Value::from(s.message_type.name()));
    if s.message_type.is_service() {
        m.insert("return_cause".into(), json!(s.return_cause));
    } else {
        m.insert("protocol_class".into(), json!(s.protocol_class));
    }
    if let Some(h) = s.hop_counter {
        m.insert("hop_counter".into(), json!(h));
    }
    m.insert("called".into(), party_json(&s.called));
    m.insert("calling".into(), party_json(&s.calling));
    if let Some(opt) = &s.optional {
        let list: Vec<Value> = opt
            .iter()
            .map(|p| match p {
                OptionalParam::Segmentation(g) => json!({"segmentation": {
                    "first": g.first, "class1": g.class1, "spare": g.spare, "remaining": g.remaining,
                    "local_reference": hex::encode(&g.local_reference)}}),
                OptionalParam::Importance(i) => json!({ "importance": i }),
                OptionalParam::Other { code, value } => json!({"code": code, "value": hex::encode(value)}),
            })
            .collect();
        m.insert("optional_part".into(), Value::Array(list));
    }
    layers.insert("sccp".into(), Value::Object(m));
    let scmg = s.called.ssn == Some(sccp::SSN_SCMG) && s.calling.ssn == Some(sccp::SSN_SCMG);
    if scmg {
        let v = match Scmg::decode(&s.data) {
            Ok(g) => {
                json!({"format": sccp::scmg::format_name(g.format), "format_identifier": g.format,
                            "affected_ssn": g.affected_ssn, "affected_pc": g.affected_pc, "smi": g.smi,
                            "congestion_level": g.congestion_level})
            }
            Err(e) => raw_layer(&s.data, e),
        };
        layers.insert("scmg".into(), v);
        return;
    }
    match tcap::Message::decode(&s.data) {
        Ok(t) => tcap_layers(&t, layers),
        Err(e) => {
            layers.insert("tcap".into(), raw_layer(&s.data, e));
        }
    }
}

fn code_json(c: &Code) -> Value {
    match c {
        Code::Local(v) => json!(v),
        Code::Global(o) => Value::from(o.to_string()),
    }
}

fn user_info(m: &mut Obj, ui: &Option<Vec<u8>>) {
    if let Some(u) = ui {
        m.insert("user_information".into(), Value::from(hex::encode(u)));
    }
}

fn pv(m: &mut Obj, p: &Option<Vec<u8>>) {
    m.insert(
        "protocol_version".into(),
        p.as_ref()
            .map_or(Value::Null, |p| Value::from(hex::encode(p))),
    );
}

fn dialogue_json(d: &DialoguePortion) -> Value {
    let mut m = Obj::new();
    match &d.pdu {
        DialoguePdu::Request(a) | DialoguePdu::Unidirectional(a) => {
            let pdu = if matches!(d.pdu, DialoguePdu::Request(_)) {
                "AARQ"
            } else {
                "AUDT"
            };
            m.insert("pdu".into(), Value::from(pdu));
            pv(&mut m, &a.protocol_version);
            m.insert(
                "application_context".into(),
                Value::from(a.application_context.to_string()),
            );
            user_info(&mut m, &a.user_information);
            forms_into_named(&mut m, "apdu_forms", &a.forms);
        }
        DialoguePdu::Response(a) => {
            m.insert("pdu".into(), Value::from("AARE"));
            pv(&mut m, &a.protocol_version);
            m.insert(
                "application_context".into(),
                Value::from(a.application_context.to_string()),
            );
            m.insert("result".into(), json!(a.result));
            let d = match a.diagnostic {
                SourceDiagnostic::User(v) => json!({ "dialogue_service_user": v }),
                SourceDiagnostic::Provider(v) => json!({ "dialogue_service_provider": v }),
            };
            m.insert("result_source_diagnostic".into(), d);
            user_info(&mut m, &a.user_information);
            forms_into_named(&mut m, "apdu_forms", &a.forms);
        }
        DialoguePdu::Abort(a) => {
            m.insert("pdu".into(), Value::from("ABRT"));
            m.insert("abort_source".into(), json!(a.abort_source));
            user_info(&mut m, &a.user_information);
            forms_into_named(&mut m, "apdu_forms", &a.forms);
        }
        DialoguePdu::Raw(r) => {
            m.insert("pdu".into(), Value::from("raw"));
            m.insert("external".into(), Value::from(hex::encode(r)));
        }
    }
    forms_into(&mut m, &d.forms);
    Value::Object(m)
}

fn forms_into_named(m: &mut Obj, key: &str, f: &Forms) {
    if let Some(v) = forms_to_json(f) {
        m.insert(key.into(), v);
    }
}

fn component_json(c: &Component, version: Option<u8>) -> Value {
    let mut m = Obj::new();
    let forms = match c {
        Component::Invoke(i) => {
            m.insert("kind".into(), Value::from("invoke"));
            m.insert("invoke_id".into(), json!(i.invoke_id));
            if let Some(l) = i.linked_id {
                m.insert("linked_id".into(), json!(l));
            }
            m.insert("opcode".into(), code_json(&i.opcode));
            if let Some(n) = i
                .opcode
                .local()
                .and_then(|o| map::operation_name(o, version))
            {
                m.insert("operation".into(), Value::from(n));
            }
            m.insert("parameter".into(), Value::Bool(i.parameter.is_some()));
            &i.forms
        }
        Component::ReturnResult(r) => {
            m.insert(
                "kind".into(),
                Value::from(if r.last {
                    "returnResultLast"
                } else {
                    "returnResultNotLast"
                }),
            );
            m.insert("invoke_id".into(), json!(r.invoke_id));
            if let Some(op) = &r.opcode {
                m.insert("opcode".into(), code_json(op));
                if let Some(n) = op.local().and_then(|o| map::operation_name(o, version)) {
                    m.insert("operation".into(), Value::from(n));
                }
            }
            m.insert("parameter".into(), Value::Bool(r.parameter.is_some()));
            &r.forms
        }
        Component::ReturnError(e) => {
            m.insert("kind".into(), Value::from("returnError"));
            m.insert("invoke_id".into(), json!(e.invoke_id));
            m.insert("error_code".into(), code_json(&e.error_code));
            if let Some(n) = e.error_code.local().and_then(map::error_name) {
                m.insert("error".into(), Value::from(n));
            }
            m.insert("parameter".into(), Value::Bool(e.parameter.is_some()));
            &e.forms
        }
        Component::Reject(j) => {
            m.insert("kind".into(), Value::from("reject"));
            m.insert(
                "invoke_id".into(),
                j.invoke_id.map_or(Value::Null, |i| json!(i)),
            );
            m.insert("problem_type".into(), Value::from(j.problem_type.name()));
            m.insert("problem".into(), json!(j.problem));
            if let Some(n) = problem_name(j.problem_type, j.problem) {
                m.insert("problem_name".into(), Value::from(n));
            }
            &j.forms
        }
    };
    forms_into(&mut m, forms);
    Value::Object(m)
}

/// The TPDU direction of an argument's sm-RP-UI: towards the mobile when the destination is the
/// subscriber (IMSI/LMSI), towards the service centre otherwise.
fn arg_direction(a: &Argument) -> Direction {
    match a {
        Argument::MtForwardSm(m) if !matches!(m.sm_rp_da, map::SmRpDa::ServiceCentreAddress(_)) => {
            Direction::ScToMs
        }
        Argument::MoForwardSm(m)
            if matches!(m.sm_rp_da, map::SmRpDa::Imsi(_) | map::SmRpDa::Lmsi(_)) =>
        {
            Direction::ScToMs
        }
        _ => Direction::MsToSc,
    }
}

/// The map entry and TPDU for a component with a parameter.
fn map_entry(c: &Component, version: Option<u8>) -> Option<(Value, Value)> {
    let param = c.parameter()?;
    let raw = |name: Option<&str>, e: Option<crate::Error>| {
        let mut m = Obj::new();
        if let Some(n) = name {
            m.insert("operation".into(), Value::from(n));
        }
        m.insert("raw".into(), Value::from(hex::encode(param)));
        if let Some(e) = e {
            m.insert("decode_error".into(), Value::from(e.to_string()));
        }
        (Value::Object(m), Value::Null)
    };
    Some(match c {
        Component::Invoke(i) => {
            let Some(op) = i.opcode.local() else {
                return Some(raw(None, None));
            };
            let name = map::operation_name(op, version);
            match Argument::decode(op, version, param) {
                Ok(a) => {
                    let mut m = Obj::new();
                    m.insert("operation".into(), name.map_or(Value::Null, Value::from));
                    if let Value::Object(f) = a.to_json() {
                        m.extend(f);
                    }
                    let t = a
                        .sm_rp_ui()
                        .map_or(Value::Null, |ui| tpdu_json::layer(ui, arg_direction(&a)));
                    (Value::Object(m), t)
                }
                Err(e) if e.reason == crate::Reason::Unsupported && e.field == "map.opcode" => {
                    raw(name, None)
                }
                Err(e) => raw(name, Some(e)),
            }
        }
        Component::ReturnResult(r) => {
            let Some(op) = r.opcode.as_ref().and_then(Code::local) else {
                return Some(raw(None, None));
            };
            let name = map::operation_name(op, version);
            match ResultValue::decode(op, param) {
                Ok(v) => {
                    let t = match (&v, op) {
                        (ResultValue::ForwardSm(f), _) => {
                            f.sm_rp_ui.as_deref().map_or(Value::Null, |ui| {
                                let dir = if op == map::operation::opcode::MT_FORWARD_SM {
                                    Direction::MsToSc
                                } else {
                                    Direction::ScToMs
                                };
                                tpdu_json::layer(ui, dir)
                            })
                        }
                        _ => Value::Null,
                    };
                    (json!({"operation": name, "result": v.to_json()}), t)
                }
                Err(e) if e.reason == crate::Reason::Unsupported && e.field == "map.opcode" => {
                    raw(name, None)
                }
                Err(e) => raw(name, Some(e)),
            }
        }
        Component::ReturnError(e) => {
            let Some(code) = e.error_code.local() else {
                return Some(raw(None, None));
            };
            match ErrorParam::decode(code, param) {
                Ok(p) => (
                    json!({"error": map::error_name(code), "error_code": code, "parameter": p.to_json()}),
                    Value::Null,
                ),
                Err(err) => raw(None, Some(err)),
            }
        }
        Component::Reject(_) => return None,
    })
}

fn tcap_layers(t: &tcap::Message, layers: &mut Obj) {
    let version = t.application_context().and_then(map::ac::map_version);
    let mut m = Obj::new();
    m.insert("message".into(), Value::from(t.kind.name()));
    m.insert(
        "otid".into(),
        t.otid
            .map_or(Value::Null, |i| Value::from(hex::encode(i.as_bytes()))),
    );
    m.insert(
        "dtid".into(),
        t.dtid
            .map_or(Value::Null, |i| Value::from(hex::encode(i.as_bytes()))),
    );
    m.insert(
        "application_context".into(),
        t.application_context()
            .map_or(Value::Null, |o| Value::from(o.to_string())),
    );
    if let Some(d) = &t.dialogue {
        m.insert("dialogue".into(), dialogue_json(d));
    }
    match &t.abort_reason {
        Some(AbortReason::Provider(c)) => {
            m.insert("p_abort_cause".into(), json!(c));
            if let Some(n) = p_abort_cause_name(*c) {
                m.insert("p_abort_cause_name".into(), Value::from(n));
            }
        }
        Some(AbortReason::User(d)) => {
            m.insert("u_abort".into(), dialogue_json(d));
        }
        None => {}
    }
    if t.kind != tcap::MessageKind::Abort {
        m.insert(
            "components".into(),
            Value::Array(
                t.components
                    .iter()
                    .map(|c| component_json(c, version))
                    .collect(),
            ),
        );
    }
    forms_into(&mut m, &t.forms);
    layers.insert("tcap".into(), Value::Object(m));
    let (maps, tpdus): (Vec<Value>, Vec<Value>) = t
        .components
        .iter()
        .filter_map(|c| map_entry(c, version))
        .unzip();
    match maps.len() {
        0 => {}
        1 => {
            layers.insert("map".into(), maps.into_iter().next().unwrap_or_default());
            let t = tpdus.into_iter().next().unwrap_or_default();
            if !t.is_null() {
                layers.insert("tpdu".into(), t);
            }
        }
        _ => {
            layers.insert("map".into(), Value::Array(maps));
            if tpdus.iter().any(|t| !t.is_null()) {
                layers.insert("tpdu".into(), Value::Array(tpdus));
            }
        }
    }
}

// ------------------------------------------------------------------------------ encoding

/// Encodes one JSON object of `proto` to its octets.
pub(super) fn encode(proto: super::Proto, v: &Value) -> R<Vec<u8>> {
    use super::Proto;
    let top = obj(v, "pdu")?;
    match proto {
        Proto::M3ua => m3ua_from(top),
        Proto::Sccp => sccp_from(top),
        Proto::Tcap => tcap_from(top),
        Proto::SmsDeliver | Proto::SmsSubmit => {
            let t = get(top, "tpdu", "pdu")?;
            if let Some(r) = raw_of(t) {
                return r;
            }
            let t = tpdu_json::from_json(t)?;
            let want = if proto == Proto::SmsDeliver {
                Direction::ScToMs
            } else {
                Direction::MsToSc
            };
            if t.direction() != want {
                return jerr(format!(
                    "tpdu: {} does not travel in this direction",
                    t.name()
                ));
            }
            Ok(t.encode())
        }
        Proto::Smpp => unreachable!("SMPP has its own module"),
    }
}

fn mpc_from(v: &Value, what: &str) -> R<MaskedPointCode> {
    let m = obj(v, what)?;
    Ok(MaskedPointCode {
        mask: uint(m, "mask", what, 255)? as u8,
        pc: uint(m, "pc", what, 0xff_ffff)? as u32,
    })
}

fn u32s(v: &Value, what: &str) -> R<Vec<u32>> {
    v.as_array()
        .ok_or_else(|| JsonError(format!("{what}: expected an array")))?
        .iter()
        .map(|x| {
            x.as_u64()
                .and_then(|x| u32::try_from(x).ok())
                .ok_or_else(|| JsonError(format!("{what}: expected integers")))
        })
        .collect()
}

fn param_from(name: &str, v: &Value) -> R<Parameter> {
    use m3ua::params::tag as t;
    use Parameter as P;
    let what = format!("m3ua.{name}");
    let what = what.as_str();
    let num = |v: &Value| -> R<u32> {
        v.as_u64()
            .and_then(|x| u32::try_from(x).ok())
            .ok_or_else(|| JsonError(format!("{what}: expected an integer")))
    };
    if let Some(h) = name.strip_prefix("0x") {
        let tag = u16::from_str_radix(h, 16).map_err(|_| JsonError(format!("{what}: bad tag")))?;
        return Ok(P::Unknown {
            tag,
            value: hexv(v, what)?,
        });
    }
    let tag = m3ua::params::tag_of(name)
        .ok_or_else(|| JsonError(format!("m3ua: unknown parameter {name:?}")))?;
    Ok(match tag {
        t::INFO_STRING => match v {
            Value::String(s) => P::InfoString(s.as_bytes().to_vec()),
            _ => P::InfoString(hexv(get(obj(v, what)?, "hex", what)?, what)?),
        },
        t::ROUTING_CONTEXT => P::RoutingContext(u32s(v, what)?),
        t::DIAGNOSTIC_INFORMATION => P::DiagnosticInformation(hexv(v, what)?),
        t::HEARTBEAT_DATA => P::HeartbeatData(hexv(v, what)?),
        t::SERVICE_INDICATORS => {
            P::ServiceIndicators(u32s(v, what)?.into_iter().map(|x| x as u8).collect())
        }
        t::TRAFFIC_MODE_TYPE => P::TrafficModeType(num(v)?),
        t::ERROR_CODE => P::ErrorCode(num(v)?),
        t::ASP_IDENTIFIER => P::AspIdentifier(num(v)?),
        t::CORRELATION_ID => P::CorrelationId(num(v)?),
        t::NETWORK_APPEARANCE => P::NetworkAppearance(num(v)?),
        t::CONGESTION_INDICATIONS => P::CongestionIndications(num(v)?),
        t::CONCERNED_DESTINATION => P::ConcernedDestination(num(v)?),
        t::LOCAL_ROUTING_KEY_IDENTIFIER => P::LocalRoutingKeyIdentifier(num(v)?),
        t::REGISTRATION_STATUS => P::RegistrationStatus(num(v)?),
        t::DEREGISTRATION_STATUS => P::DeregistrationStatus(num(v)?),
        t::STATUS => {
            let m = obj(v, what)?;
            P::Status {
                status_type: uint(m, "type", what, 0xffff)? as u16,
                status_info: uint(m, "info", what, 0xffff)? as u16,
            }
        }
        t::USER_CAUSE => {
            let m = obj(v, what)?;
            P::UserCause {
                cause: uint(m, "cause", what, 0xffff)? as u16,
                user: uint(m, "user", what, 0xffff)? as u16,
            }
        }
        t::AFFECTED_POINT_CODE | t::ORIGINATING_POINT_CODE_LIST => {
            let a = v
                .as_array()
                .ok_or_else(|| JsonError(format!("{what}: expected an array")))?;
            let pcs = a.iter().map(|x| mpc_from(x, what)).collect::<R<Vec<_>>>()?;
            if tag == t::AFFECTED_POINT_CODE {
                P::AffectedPointCode(pcs)
            } else {
                P::OriginatingPointCodeList(pcs)
            }
        }
        t::DESTINATION_POINT_CODE => P::DestinationPointCode(mpc_from(v, what)?),
        t::ROUTING_KEY | t::REGISTRATION_RESULT | t::DEREGISTRATION_RESULT => {
            let inner = params_from(obj(v, what)?, None, &Obj::new())?;
            match tag {
                t::ROUTING_KEY => P::RoutingKey(inner),
                t::REGISTRATION_RESULT => P::RegistrationResult(inner),
                _ => P::DeregistrationResult(inner),
            }
        }
        t::PROTOCOL_DATA => {
            let m = obj(v, what)?;
            P::ProtocolData(ProtocolData {
                opc: uint(m, "opc", what, u32::MAX.into())? as u32,
                dpc: uint(m, "dpc", what, u32::MAX.into())? as u32,
                si: uint(m, "si", what, 255)? as u8,
                ni: uint(m, "ni", what, 255)? as u8,
                mp: uint(m, "mp", what, 255)? as u8,
                sls: uint(m, "sls", what, 255)? as u8,
                user_data: hexv(get(m, "data", what)?, what)?,
            })
        }
        _ => return jerr(format!("m3ua: parameter {name:?} cannot be written here")),
    })
}

/// Parameters from keys in order. At the top level (`header` is the set of header keys), the
/// flattened protocol data takes its user data from `data` or from the next layer.
fn params_from(m: &Obj, header: Option<&[&str]>, layers: &Obj) -> R<Vec<Parameter>> {
    let mut out = Vec::new();
    let pd_keys = ["opc", "dpc", "si", "ni", "mp", "sls", "data"];
    for (k, v) in m {
        if header.is_some_and(|h| h.contains(&k.as_str())) {
            continue;
        }
        if header.is_some() && pd_keys.contains(&k.as_str()) {
            if k != "opc" {
                continue;
            }
            let w = "m3ua";
            let si = uint(m, "si", w, 255)? as u8;
            let user_data = match m.get("data") {
                Some(d) => hexv(d, "m3ua.data")?,
                None if si == m3ua::SI_SCCP => sccp_from(layers)?,
                None => return jerr("m3ua: protocol data needs data (hex) or an sccp layer"),
            };
            out.push(Parameter::ProtocolData(ProtocolData {
                opc: uint(m, "opc", w, u32::MAX.into())? as u32,
                dpc: uint(m, "dpc", w, u32::MAX.into())? as u32,
                si,
                ni: uint(m, "ni", w, 255)? as u8,
                mp: opt_uint(m, "mp", w, 255)?.unwrap_or(0) as u8,
                sls: uint(m, "sls", w, 255)? as u8,
                user_data,
            }));
            continue;
        }
        let name = k.split('#').next().unwrap_or_default();
        let tag = m3ua::params::tag_of(name);
        if tag.is_some_and(grouped) {
            let a = v
                .as_array()
                .ok_or_else(|| JsonError(format!("m3ua.{k}: expected an array")))?;
            for x in a {
                out.push(param_from(name, x)?);
            }
        } else {
            out.push(param_from(name, v)?);
        }
    }
    Ok(out)
}

fn m3ua_from(top: &Obj) -> R<Vec<u8>> {
    let m = obj(get(top, "m3ua", "pdu")?, "m3ua")?;
    let kind = match (m.get("message_class"), m.get("message_type")) {
        (Some(_), Some(_)) => m3ua::MessageType::from_class_type(
            uint(m, "message_class", "m3ua", 255)? as u8,
            uint(m, "message_type", "m3ua", 255)? as u8,
        ),
        _ => {
            let n = get(m, "message", "m3ua")?.as_str().unwrap_or_default();
            m3ua::MessageType::from_name(n)
                .ok_or_else(|| JsonError(format!("m3ua.message: unknown {n:?}")))?
        }
    };
    const HEADER: [&str; 5] = [
        "message_class",
        "message_type",
        "message",
        "reserved",
        "last_parameter_unpadded",
    ];
    let params = params_from(m, Some(&HEADER), top)?;
    let msg = m3ua::Message {
        kind,
        reserved: opt_uint(m, "reserved", "m3ua", 255)?.unwrap_or(0) as u8,
        params,
        unpadded_last: m
            .get("last_parameter_unpadded")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    };
    Ok(msg.encode())
}

fn gt_from(v: &Value) -> R<GlobalTitle> {
    let w = "sccp.gt";
    let m = obj(v, w)?;
    // Without "gti", as INTERFACES.md writes a title: GTI 4 (TT, NP, ES, NAI).
    let gti = opt_uint(m, "gti", w, 15)?.unwrap_or(4) as u8;
    let (address, odd) = match (m.get("digits"), m.get("address")) {
        (Some(d), _) => {
            let d = d
                .as_str()
                .ok_or_else(|| JsonError("sccp.gt.digits: expected a string".into()))?;
            sccp::address::bcd_encode(d).map_err(|e| JsonError(format!("sccp.gt.digits: {e}")))?
        }
        (None, Some(a)) => (
            hexv(a, "sccp.gt.address")?,
            m.get("odd").and_then(Value::as_bool).unwrap_or(false),
        ),
        _ => return jerr("sccp.gt: missing digits"),
    };
    let n = |k: &str| -> R<u8> { Ok(opt_uint(m, k, w, 255)?.unwrap_or(0) as u8) };
    let es = match m.get("es") {
        Some(_) => n("es")?,
        None if matches!(gti, 3 | 4) => {
            if odd {
                sccp::address::es::BCD_ODD
            } else {
                sccp::address::es::BCD_EVEN
            }
        }
        None => 0,
    };
    let odd = if gti == 1 {
        m.get("odd").and_then(Value::as_bool).unwrap_or(odd)
    } else {
        matches!(gti, 3 | 4) && es == 1
    };
    Ok(GlobalTitle {
        gti,
        tt: n("tt")?,
        np: n("np")?,
        es,
        nai: n("nai")?,
        spare: m.get("spare").and_then(Value::as_bool).unwrap_or(false),
        odd,
        address,
    })
}

fn party_from(v: &Value, w: &str) -> R<PartyAddress> {
    let m = obj(v, w)?;
    let route_on_ssn = match m.get("routing_indicator").and_then(Value::as_str) {
        Some("ssn") => true,
        Some("gt") => false,
        None => m.get("gt").is_none_or(Value::is_null),
        Some(x) => return jerr(format!("{w}.routing_indicator: {x:?} is not gt or ssn")),
    };
    Ok(PartyAddress {
        national: m.get("national").and_then(Value::as_bool).unwrap_or(false),
        route_on_ssn,
        pc: opt_uint(m, "pc", w, 0x3fff)?.map(|p| p as u16),
        ssn: opt_uint(m, "ssn", w, 255)?.map(|s| s as u8),
        gt: match m.get("gt") {
            None | Some(Value::Null) => None,
            Some(g) => Some(gt_from(g)?),
        },
    })
}

fn sccp_from(top: &Obj) -> R<Vec<u8>> {
    let sv = get(top, "sccp", "pdu")?;
    if let Some(r) = raw_of(sv) {
        return r;
    }
    let m = obj(sv, "sccp")?;
    let w = "sccp";
    let t = get(m, "message_type", w)?.as_str().unwrap_or_default();
    let message_type = sccp::MessageType::from_name(t)
        .ok_or_else(|| JsonError(format!("sccp.message_type: unknown {t:?}")))?;
    let optional = match m.get("optional_part") {
        None | Some(Value::Null) => None,
        Some(v) => {
            let a = v
                .as_array()
                .ok_or_else(|| JsonError("sccp.optional_part: expected an array".into()))?;
            let mut list = Vec::with_capacity(a.len());
            for p in a {
                let p = obj(p, "sccp.optional_part")?;
                list.push(if let Some(s) = p.get("segmentation") {
                    let s = obj(s, "sccp.segmentation")?;
                    let lr = hexv(
                        get(s, "local_reference", "sccp.segmentation")?,
                        "sccp.segmentation.local_reference",
                    )?;
                    OptionalParam::Segmentation(Segmentation {
                        first: s.get("first").and_then(Value::as_bool).unwrap_or(false),
                        class1: s.get("class1").and_then(Value::as_bool).unwrap_or(false),
                        spare: opt_uint(s, "spare", w, 3)?.unwrap_or(0) as u8,
                        remaining: uint(s, "remaining", w, 15)? as u8,
                        local_reference: lr.try_into().map_err(|_| {
                            JsonError("sccp.segmentation.local_reference: 3 octets".into())
                        })?,
                    })
                } else if p.contains_key("importance") {
                    OptionalParam::Importance(uint(p, "importance", w, 255)? as u8)
                } else {
                    OptionalParam::Other {
                        code: uint(p, "code", w, 255)? as u8,
                        value: hexv(get(p, "value", w)?, w)?,
                    }
                });
            }
            Some(list)
        }
    };
    let data = if let Some(g) = top.get("scmg") {
        match raw_of(g) {
            Some(r) => r?,
            None => {
                let g = obj(g, "scmg")?;
                Scmg {
                    format: uint(g, "format_identifier", "scmg", 255)? as u8,
                    affected_ssn: uint(g, "affected_ssn", "scmg", 255)? as u8,
                    affected_pc: uint(g, "affected_pc", "scmg", 0xffff)? as u16,
                    smi: uint(g, "smi", "scmg", 255)? as u8,
                    congestion_level: opt_uint(g, "congestion_level", "scmg", 255)?
                        .map(|c| c as u8),
                }
                .encode()
            }
        }
    } else if top.contains_key("tcap") {
        tcap_from(top)?
    } else if let Some(d) = m.get("data") {
        hexv(d, "sccp.data")?
    } else {
        return jerr("sccp: needs a tcap (or scmg) layer, or data (hex)");
    };
    let msg = sccp::Message {
        message_type,
        protocol_class: opt_uint(m, "protocol_class", w, 255)?.unwrap_or(0) as u8,
        return_cause: opt_uint(m, "return_cause", w, 255)?.unwrap_or(0) as u8,
        hop_counter: if message_type.is_extended() {
            Some(opt_uint(m, "hop_counter", w, 15)?.unwrap_or(15) as u8)
        } else {
            None
        },
        called: party_from(get(m, "called", w)?, "sccp.called")?,
        calling: party_from(get(m, "calling", w)?, "sccp.calling")?,
        data,
        optional,
    };
    msg.encode().map_err(|e| JsonError(e.to_string()))
}

fn oid_from(v: &Value, w: &str) -> R<Oid> {
    v.as_str()
        .and_then(Oid::parse)
        .ok_or_else(|| JsonError(format!("{w}: expected a dotted object identifier")))
}

fn tid(v: Option<&Value>, w: &str) -> R<Option<TransactionId>> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(v) => TransactionId::new(&hexv(v, w)?)
            .map(Some)
            .ok_or_else(|| JsonError(format!("{w}: 1 to 4 octets"))),
    }
}

fn code_from(v: &Value, w: &str) -> R<Code> {
    match v {
        Value::Number(n) => n
            .as_i64()
            .map(Code::Local)
            .ok_or_else(|| JsonError(format!("{w}: expected an integer"))),
        _ => oid_from(v, w).map(Code::Global),
    }
}

fn opt_bytes(m: &Obj, k: &str, w: &str) -> R<Option<Vec<u8>>> {
    match m.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => hexv(v, w).map(Some),
    }
}

fn dialogue_from(v: &Value) -> R<DialoguePortion> {
    let w = "tcap.dialogue";
    let m = obj(v, w)?;
    let apdu_forms = forms_from_json(m.get("apdu_forms"), w).map_err(JsonError)?;
    let pdu = match get(m, "pdu", w)?.as_str().unwrap_or_default() {
        p @ ("AARQ" | "AUDT") => {
            let a = Aarq {
                protocol_version: opt_bytes(m, "protocol_version", w)?,
                application_context: oid_from(get(m, "application_context", w)?, w)?,
                user_information: opt_bytes(m, "user_information", w)?,
                forms: apdu_forms,
            };
            if p == "AARQ" {
                DialoguePdu::Request(a)
            } else {
                DialoguePdu::Unidirectional(a)
            }
        }
        "AARE" => {
            let d = obj(get(m, "result_source_diagnostic", w)?, w)?;
            let diagnostic = match (
                d.get("dialogue_service_user"),
                d.get("dialogue_service_provider"),
            ) {
                (Some(u), _) => SourceDiagnostic::User(u.as_i64().unwrap_or(0)),
                (None, Some(p)) => SourceDiagnostic::Provider(p.as_i64().unwrap_or(0)),
                _ => return jerr("tcap.dialogue.result_source_diagnostic: user or provider"),
            };
            DialoguePdu::Response(Aare {
                protocol_version: opt_bytes(m, "protocol_version", w)?,
                application_context: oid_from(get(m, "application_context", w)?, w)?,
                result: int(m, "result", w)?,
                diagnostic,
                user_information: opt_bytes(m, "user_information", w)?,
                forms: apdu_forms,
            })
        }
        "ABRT" => DialoguePdu::Abort(Abrt {
            abort_source: int(m, "abort_source", w)?,
            user_information: opt_bytes(m, "user_information", w)?,
            forms: apdu_forms,
        }),
        "raw" => DialoguePdu::Raw(hexv(get(m, "external", w)?, w)?),
        p => return jerr(format!("tcap.dialogue.pdu: unknown {p:?}")),
    };
    Ok(DialoguePortion {
        pdu,
        forms: forms_of(m, w)?,
    })
}

/// The `map` entries as a list (an object is one entry).
fn map_entries(top: &Obj) -> Vec<&Value> {
    match top.get("map") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v) => vec![v],
    }
}

fn tpdu_entries(top: &Obj) -> Vec<&Value> {
    match top.get("tpdu") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v) => vec![v],
    }
}

/// The parameter TLV of a component from its map entry.
fn parameter_from(
    kind: &str,
    code: &Code,
    entry: &Value,
    tpdu: Option<&Value>,
    version: Option<u8>,
) -> R<Vec<u8>> {
    if let Some(r) = raw_of(entry) {
        return r;
    }
    let Some(c) = code.local() else {
        return jerr("map: a global operation or error code needs {\"raw\": hex}");
    };
    let e = obj(entry, "map")?;
    match kind {
        "invoke" => {
            let mut entry = entry.clone();
            if !e.contains_key("sm_rp_ui") {
                if let Some(t) = tpdu.filter(|t| !t.is_null()) {
                    let ui = match raw_of(t) {
                        Some(r) => r?,
                        None => tpdu_json::from_json(t)?.encode(),
                    };
                    entry["sm_rp_ui"] = Value::from(hex::encode(&ui));
                }
            }
            Ok(Argument::from_json(c, version, &entry)
                .map_err(JsonError)?
                .encode())
        }
        "returnResultLast" | "returnResultNotLast" => {
            Ok(ResultValue::from_json(c, get(e, "result", "map")?)
                .map_err(JsonError)?
                .encode())
        }
        "returnError" => Ok(ErrorParam::from_json(c, get(e, "parameter", "map")?)
            .map_err(JsonError)?
            .encode()),
        _ => jerr(format!("tcap: a {kind} component has no parameter")),
    }
}

fn tcap_from(top: &Obj) -> R<Vec<u8>> {
    let tv = get(top, "tcap", "pdu")?;
    if let Some(r) = raw_of(tv) {
        return r;
    }
    let w = "tcap";
    let m = obj(tv, w)?;
    let kind_name = get(m, "message", w)?.as_str().unwrap_or_default();
    let kind = tcap::MessageKind::from_name(kind_name)
        .ok_or_else(|| JsonError(format!("tcap.message: unknown {kind_name:?}")))?;
    let mut msg = match kind {
        tcap::MessageKind::Begin => tcap::Message::begin(
            tid(m.get("otid"), "tcap.otid")?.ok_or(JsonError("tcap: begin needs otid".into()))?,
        ),
        tcap::MessageKind::Continue => tcap::Message::continue_(
            tid(m.get("otid"), "tcap.otid")?
                .ok_or(JsonError("tcap: continue needs otid".into()))?,
            tid(m.get("dtid"), "tcap.dtid")?
                .ok_or(JsonError("tcap: continue needs dtid".into()))?,
        ),
        tcap::MessageKind::End => tcap::Message::end(
            tid(m.get("dtid"), "tcap.dtid")?.ok_or(JsonError("tcap: end needs dtid".into()))?,
        ),
        tcap::MessageKind::Abort => {
            let reason = if let Some(c) = m.get("p_abort_cause") {
                Some(AbortReason::Provider(
                    c.as_i64()
                        .ok_or(JsonError("tcap.p_abort_cause: integer".into()))?,
                ))
            } else if let Some(u) = m.get("u_abort") {
                Some(AbortReason::User(dialogue_from(u)?))
            } else {
                None
            };
            tcap::Message::abort(
                tid(m.get("dtid"), "tcap.dtid")?
                    .ok_or(JsonError("tcap: abort needs dtid".into()))?,
                reason,
            )
        }
        tcap::MessageKind::Unidirectional => tcap::Message::unidirectional(),
    };
    msg.forms = forms_of(m, w)?;
    msg.dialogue = match m.get("dialogue") {
        Some(d) if !d.is_null() => Some(dialogue_from(d)?),
        _ => match m.get("application_context") {
            // Convenience for hand-written JSON: an application context alone proposes (Begin)
            // or accepts (Continue, End) that context.
            Some(a) if !a.is_null() && kind != tcap::MessageKind::Abort => {
                let acn = oid_from(a, "tcap.application_context")?;
                Some(
                    if kind == tcap::MessageKind::Begin || kind == tcap::MessageKind::Unidirectional
                    {
                        DialoguePortion::request(acn)
                    } else {
                        DialoguePortion::response(acn, 0, SourceDiagnostic::User(0))
                    },
                )
            }
            _ => None,
        },
    };
    let version = msg.application_context().and_then(map::ac::map_version);
    let entries = map_entries(top);
    let tpdus = tpdu_entries(top);
    let mut next = 0;
    if let Some(cs) = m.get("components") {
        let cs = cs
            .as_array()
            .ok_or(JsonError("tcap.components: expected an array".into()))?;
        // Hand-written JSON (as in INTERFACES.md) may leave out "parameter": then the map
        // entries go, in order, to the components that can carry one.
        let implicit = !cs.iter().any(|c| c.get("parameter").is_some());
        for c in cs {
            let c = obj(c, "tcap.components")?;
            let cw = "tcap.component";
            let kind = get(c, "kind", cw)?.as_str().unwrap_or_default();
            let forms = forms_of(c, cw)?;
            let has_param = match c.get("parameter") {
                Some(p) => p.as_bool().unwrap_or(false),
                None => implicit && next < entries.len(),
            };
            let mut param = |code: &Code| -> R<Option<Vec<u8>>> {
                if !has_param {
                    return Ok(None);
                }
                let e = entries.get(next).ok_or(JsonError(format!(
                    "map: no entry for component {}",
                    next + 1
                )))?;
                let t = tpdus.get(next).copied();
                next += 1;
                parameter_from(kind, code, e, t, version).map(Some)
            };
            msg.components.push(match kind {
                "invoke" => {
                    let opcode = code_from(get(c, "opcode", cw)?, "tcap.opcode")?;
                    let parameter = param(&opcode)?;
                    Component::Invoke(Invoke {
                        invoke_id: int(c, "invoke_id", cw)?,
                        linked_id: c.get("linked_id").and_then(Value::as_i64),
                        opcode,
                        parameter,
                        forms,
                    })
                }
                "returnResultLast" | "returnResultNotLast" => {
                    let opcode = match c.get("opcode") {
                        Some(o) => Some(code_from(o, "tcap.opcode")?),
                        None => None,
                    };
                    let parameter = match &opcode {
                        Some(op) => param(op)?,
                        None => None,
                    };
                    Component::ReturnResult(ReturnResult {
                        last: kind == "returnResultLast",
                        invoke_id: int(c, "invoke_id", cw)?,
                        opcode,
                        parameter,
                        forms,
                    })
                }
                "returnError" => {
                    let error_code = code_from(get(c, "error_code", cw)?, "tcap.error_code")?;
                    let parameter = param(&error_code)?;
                    Component::ReturnError(ReturnError {
                        invoke_id: int(c, "invoke_id", cw)?,
                        error_code,
                        parameter,
                        forms,
                    })
                }
                "reject" => {
                    let pt = get(c, "problem_type", cw)?.as_str().unwrap_or_default();
                    Component::Reject(Reject {
                        invoke_id: c.get("invoke_id").and_then(Value::as_i64),
                        problem_type: ProblemType::from_name(pt)
                            .ok_or(JsonError(format!("tcap.problem_type: unknown {pt:?}")))?,
                        problem: int(c, "problem", cw)?,
                        forms,
                    })
                }
                k => return jerr(format!("tcap.component.kind: unknown {k:?}")),
            });
        }
    }
    if next != entries.len() {
        return jerr(format!(
            "map: {} entries but {} components with a parameter",
            entries.len(),
            next
        ));
    }
    Ok(msg.encode())
}

#[cfg(test)]
mod tests {
    use super::super::{decode, encode, Proto};
    use crate::hex;
    use serde_json::json;

    // The hand-built samples of shared/oracles/gen_samples.py.
    const MT_FORWARD_SM: &str = "01000101000000a40006000800000001021000930000000100000002030200050980030e190b12080012044477000950550b12080012044477000900006562634804000000016b1e281c060700118605010101a011600f80020780a1090607040000010019036c3ba13902010102012c3031800800010121436587f9840791447700090000041c040c914477000990990000421010214365000ae8329bfd4697d9ec3700";
    const SAMPLES: [(&str, Proto); 10] = [
        (MT_FORWARD_SM, Proto::M3ua),
        ("01000101000000a000060008000000010210008d0000000100000002030200050980030e190b12080012044477000950550b12080012044477000900005f625d4804000000026b1e281c060700118605010101a011600f80020780a1090607040000010015036c35a13302010102012e302b840791447700090000820791447700099099041711050c914477000910320000a70ae8329bfd4697d9ec37000000", Proto::M3ua),
        ("01000101000000880006000800000001021000770000000100000002030200050980030e190b12060012044477000950550b12080012044477000900004962474804000000036b1e281c060700118605010101a011600f80020780a1090607040000010014036c1fa11d02010102012d30158007914477000910328101ff82079144770009000000", Proto::M3ua),
        ("01000101000000980006000800000001021000850000000100000002030200050980030e190b12080012044477000950550b12060012044477000900005764554904000000036b2a2828060700118605010101a01d611b80020780a109060704000001001403a203020100a305a1030201006c21a21f020101301a02012d3015040800010121436587f9a009810791447700095055000000", Proto::M3ua),
        ("010001010000005000060008000000010210003d0000000100000002030200050980030e190b12080012044477000950550b12080012044477000900000f640d4904000000016c05a203020101000000", Proto::M3ua),
        ("0100030100000008", Proto::M3ua),
        ("0100040100000018000b0008000000020006000800000001", Proto::M3ua),
        ("62634804000000016b1e281c060700118605010101a011600f80020780a1090607040000010019036c3ba13902010102012c3031800800010121436587f9840791447700090000041c040c914477000990990000421010214365000ae8329bfd4697d9ec37", Proto::Tcap),
        ("040c914477000990990000421010214365000ae8329bfd4697d9ec37", Proto::SmsDeliver),
        ("11050c914477000910320000a70ae8329bfd4697d9ec37", Proto::SmsSubmit),
    ];

    #[test]
    fn decodes_every_layer_as_interfaces_md_shows() {
        let v = &decode(Proto::M3ua, &hex::decode(MT_FORWARD_SM).unwrap()).unwrap()[0];
        assert_eq!(v["m3ua"]["message"], "DATA");
        assert_eq!(
            (
                v["m3ua"]["routing_context"].clone(),
                v["m3ua"]["opc"].clone()
            ),
            (json!([1]), json!(1))
        );
        assert_eq!(v["sccp"]["message_type"], "UDT");
        assert_eq!(v["sccp"]["called"]["gt"]["digits"], "447700900555");
        assert_eq!(v["tcap"]["message"], "begin");
        assert_eq!(v["tcap"]["otid"], "00000001");
        assert_eq!(v["tcap"]["application_context"], "0.4.0.0.1.0.25.3");
        assert_eq!(v["tcap"]["components"][0]["opcode"], 44);
        assert_eq!(v["map"]["operation"], "mt-forwardSM");
        assert_eq!(v["map"]["sm_rp_da"]["imsi"], "001010123456789");
        assert_eq!(
            v["map"]["sm_rp_oa"]["service_centre_address"],
            "447700900000"
        );
        assert_eq!(v["tpdu"]["tp_mti"], "SMS-DELIVER");
        assert_eq!(v["tpdu"]["tp_oa"], "447700900999");
        assert_eq!(v["tpdu"]["text"], "hellohello");
    }

    #[test]
    fn encode_of_decode_is_identity_for_the_samples() {
        for (h, p) in SAMPLES {
            let b = hex::decode(h).unwrap();
            let vs = decode(p, &b).unwrap();
            assert_eq!(vs.len(), 1);
            let back = encode(p, &vs[0]).unwrap_or_else(|e| panic!("{p:?}: {e}\n{}", vs[0]));
            assert_eq!(hex::encode(&back), h, "{}", vs[0]);
        }
    }

    #[test]
    fn encodes_the_example_of_interfaces_md() {
        // The example of INTERFACES.md as written there (its "04..." placeholder for sm_rp_ui
        // left out, so the tpdu key gives the TPDU).
        let v = json!({
         "m3ua": {"message_class": 1, "message_type": 1, "message": "DATA", "routing_context": [100],
                  "opc": 1, "dpc": 2, "si": 3, "ni": 2, "mp": 0, "sls": 5},
         "sccp": {"message_type": "UDT", "protocol_class": 0,
                  "called": {"ssn": 8, "pc": null, "gt": {"digits": "447700900001", "tt": 0, "np": 1, "nai": 4}},
                  "calling": {"ssn": 8, "pc": null, "gt": {"digits": "447700900999", "tt": 0, "np": 1, "nai": 4}}},
         "tcap": {"message": "begin", "otid": "01020304", "dtid": null,
                  "application_context": "0.4.0.0.1.0.25.3",
                  "components": [{"kind": "invoke", "invoke_id": 1, "opcode": 44}]},
         "map":  {"operation": "mt-forwardSM", "sm_rp_da": {"imsi": "001010123456789"},
                  "sm_rp_oa": {"service_centre_address": "447700900999"}},
         "tpdu": {"tp_mti": "SMS-DELIVER", "tp_oa": "447700900999", "tp_pid": 0, "tp_dcs": 0,
                  "tp_scts": "2024-01-01T12:00:00+00:00", "udh": [], "text": "hellohello"}});
        let b = encode(Proto::M3ua, &v).unwrap();
        let d = &decode(Proto::M3ua, &b).unwrap()[0];
        assert_eq!(d["m3ua"]["routing_context"], json!([100]));
        assert_eq!(d["sccp"]["called"]["gt"]["digits"], "447700900001");
        assert_eq!(d["tcap"]["otid"], "01020304");
        assert_eq!(d["tcap"]["dialogue"]["pdu"], "AARQ");
        assert_eq!(d["map"]["sm_rp_da"]["imsi"], "001010123456789");
        assert_eq!(d["tpdu"]["text"], "hellohello");
        assert_eq!(d["tpdu"]["tp_scts"], "2024-01-01T12:00:00+00:00");
        assert_eq!(encode(Proto::M3ua, d).unwrap(), b);
    }

    #[test]
    fn errors_name_field_and_offset() {
        let mut b = hex::decode(MT_FORWARD_SM).unwrap();
        b[7] = 0xa8;
        let (_, e) = decode(Proto::M3ua, &b).unwrap_err();
        assert!(
            e.0.contains("m3ua.message_length") && e.0.contains("offset"),
            "{e}"
        );
        let (_, e) = decode(Proto::Tcap, &hex::decode("6203 480401").unwrap()).unwrap_err();
        assert!(e.0.contains("offset"), "{e}");
        // A broken inner layer is kept raw with the reason, and still re-encodes.
        let mut b = hex::decode(MT_FORWARD_SM).unwrap();
        let i = b.len() - 60;
        b[i] ^= 0xff;
        let v = &decode(Proto::M3ua, &b).unwrap()[0];
        assert_eq!(encode(Proto::M3ua, v).unwrap(), b);
    }

    proptest::proptest! {
        /// Mutated real-shaped messages: whatever the JSON decoder accepts, the JSON encoder
        /// gives back byte for byte (every layer, raw or typed).
        #[test]
        fn mutated_messages_round_trip_through_json(
            which in 0usize..SAMPLES.len(),
            edits in proptest::collection::vec((0usize..400, proptest::prelude::any::<u8>()), 1..4),
        ) {
            let (h, p) = SAMPLES[which];
            let mut b = hex::decode(h).unwrap();
            for (i, x) in edits {
                let i = i % b.len();
                b[i] = x;
            }
            if let Ok(vs) = decode(p, &b) {
                let back = encode(p, &vs[0]);
                proptest::prop_assert!(back.is_ok(), "{:?}: {}", back, vs[0]);
                proptest::prop_assert_eq!(back.unwrap(), b);
            }
        }
    }
}
