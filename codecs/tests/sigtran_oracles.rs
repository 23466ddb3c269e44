//! The SIGTRAN codecs judged by decoders we did not write: tshark (through
//! `shared/oracles/wsdecode.py`) and pycrate (`shared/oracles/pycrate_decode.py`).
//!
//! Every vector is built with our encoders from the specs' message formats, then (1) tshark must
//! decode it without a malformed/expert warning and show the same field values as our decoder,
//! (2) pycrate, for the layers it covers, must decode it and re-encode the same bytes, and (3) our
//! decoder must give back the value and the bytes. Where a judge and the specification disagree
//! the specification wins and the test says so with the clause.
//!
//! The oracles are installed by `shared/oracles/install.sh` (CI runs it first). A missing oracle
//! fails these tests with a message; it never skips them.

use serde_json::Value;
use smsedge_codecs::hex;
use smsedge_codecs::m3ua::{self, MaskedPointCode, Message, Parameter, ProtocolData};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

fn shared() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared"))
}

fn oracles_home() -> PathBuf {
    std::env::var_os("ORACLES_HOME")
        .map_or_else(|| PathBuf::from("/tmp/smsedge-oracles"), PathBuf::from)
}

fn oracle_py() -> PathBuf {
    let py = std::env::var_os("ORACLE_PY")
        .map_or_else(|| oracles_home().join("venv/bin/python"), PathBuf::from);
    assert!(
        py.exists(),
        "pycrate oracle missing: {} does not exist; run `eval \"$(bash ../shared/oracles/install.sh)\"`",
        py.display()
    );
    py
}

/// tshark's view of one packet: field name -> shown values in tree order.
type Fields = BTreeMap<String, Vec<String>>;

/// Runs wsdecode.py on `hexes` (one packet each, one tshark run). Panics with tshark's problems
/// unless it decoded every packet cleanly.
fn tshark(proto: &str, hexes: &[String], extra: &[&str]) -> Vec<Fields> {
    let script = shared().join("oracles/wsdecode.py");
    let out = Command::new("python3")
        .arg(&script)
        .args(extra)
        .arg(proto)
        .args(hexes)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "wsdecode.py {proto} failed (exit {:?}): is tshark installed? stderr: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert!(
        out.status.success() && v["ok"] == Value::Bool(true),
        "tshark rejected {proto} vectors: {}\n{}",
        v["problems"],
        hexes.join("\n")
    );
    v["packets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let mut f: Fields = p["by_name"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, vs)| {
                    let vs = vs
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|s| s.as_str().unwrap_or("").to_string());
                    (k.clone(), vs.collect())
                })
                .collect();
            // Also "<field>/showname": tshark's display text, for fields whose value alone
            // does not say everything (a time zone's sign).
            for x in p["fields"].as_array().unwrap() {
                if let (Some(n), Some(s)) = (x["name"].as_str(), x["showname"].as_str()) {
                    f.entry(format!("{n}/showname"))
                        .or_default()
                        .push(s.to_string());
                }
            }
            f
        })
        .collect()
}

/// Runs pycrate_decode.py: it must decode `hex` and re-encode the same bytes.
fn pycrate(layer: &str, hex: &str) -> Value {
    let (ok, v) = pycrate_run(layer, hex);
    assert!(
        ok,
        "pycrate rejected {layer} {hex}: {} {}",
        v["error"], v["reencode_equal"]
    );
    v
}

/// Runs pycrate_decode.py and returns whether it exited 0, and its JSON.
fn pycrate_run(layer: &str, hex: &str) -> (bool, Value) {
    let out = Command::new(oracle_py())
        .arg(shared().join("oracles/pycrate_decode.py"))
        .arg(layer)
        .arg(hex)
        .output()
        .expect("run pycrate_decode.py");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "pycrate_decode.py {layer} crashed: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.success(), v)
}

/// Asserts that for every field in `want`, tshark shows exactly those values in that order.
#[track_caller]
fn same_fields(got: &Fields, want: &[(&str, String)], what: &str) {
    let mut grouped: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (k, v) in want {
        grouped.entry(k).or_default().push(v.clone());
    }
    for (k, vs) in grouped {
        assert_eq!(got.get(k), Some(&vs), "{what}: tshark field {k}");
    }
}

// ------------------------------------------------------------------------------------- M3UA

/// What tshark should show for a message, field by field, derived from our decoded value.
fn m3ua_fields(m: &Message) -> Vec<(&'static str, String)> {
    let mut f = vec![
        ("m3ua.message_class", m.kind.class().to_string()),
        ("m3ua.message_type", m.kind.type_code().to_string()),
        ("m3ua.message_length", m.encoded_len().to_string()),
    ];
    for p in &m.params {
        m3ua_param_fields(p, &mut f);
    }
    f
}

/// Nested parameters (Routing Key, Registration and Deregistration Result) show under their own
/// names, in wire order.
fn m3ua_param_fields(p: &Parameter, f: &mut Vec<(&'static str, String)>) {
    fn pcs(
        f: &mut Vec<(&'static str, String)>,
        mask: &'static str,
        pc: &'static str,
        v: &[MaskedPointCode],
    ) {
        for p in v {
            f.push((mask, p.mask.to_string()));
            f.push((pc, p.pc.to_string()));
        }
    }
    f.push(("m3ua.parameter_tag", p.tag().to_string()));
    match p {
        Parameter::RoutingContext(v) => v
            .iter()
            .for_each(|x| f.push(("m3ua.routing_context", x.to_string()))),
        Parameter::InfoString(v) => {
            f.push(("m3ua.info_string", String::from_utf8(v.clone()).unwrap()))
        }
        Parameter::AspIdentifier(x) => f.push(("m3ua.asp_identifier", x.to_string())),
        Parameter::TrafficModeType(x) => f.push(("m3ua.traffic_mode_type", x.to_string())),
        Parameter::ErrorCode(x) => f.push(("m3ua.error_code", x.to_string())),
        Parameter::Status {
            status_type,
            status_info,
        } => {
            f.push(("m3ua.status_type", status_type.to_string()));
            f.push(("m3ua.status_info", status_info.to_string()));
        }
        Parameter::AffectedPointCode(v) => pcs(
            f,
            "m3ua.affected_point_code_mask",
            "m3ua.affected_point_code_pc",
            v,
        ),
        Parameter::CorrelationId(x) => f.push(("m3ua.correlation_identifier", x.to_string())),
        Parameter::NetworkAppearance(x) => f.push(("m3ua.network_appearance", x.to_string())),
        Parameter::UserCause { cause, user } => {
            f.push(("m3ua.unavailability_cause", cause.to_string()));
            f.push(("m3ua.user_identity", user.to_string()));
        }
        Parameter::CongestionIndications(x) => {
            f.push(("m3ua.congestion_level", (x & 0xff).to_string()))
        }
        Parameter::ConcernedDestination(x) => {
            f.push(("m3ua.concerned_dpc", (x & 0xff_ffff).to_string()))
        }
        Parameter::LocalRoutingKeyIdentifier(x) => {
            f.push(("m3ua.local_rk_identifier", x.to_string()))
        }
        Parameter::DestinationPointCode(p) => pcs(f, "m3ua.dpc_mask", "m3ua.dpc_pc", &[*p]),
        Parameter::OriginatingPointCodeList(v) => {
            pcs(f, "m3ua.opc_list_mask", "m3ua.opc_list_pc", v)
        }
        Parameter::ServiceIndicators(v) => {
            v.iter().for_each(|x| f.push(("m3ua.si", x.to_string())))
        }
        Parameter::RegistrationStatus(x) => f.push(("m3ua.registration_status", x.to_string())),
        Parameter::DeregistrationStatus(x) => f.push(("m3ua.deregistration_status", x.to_string())),
        Parameter::RoutingKey(v)
        | Parameter::RegistrationResult(v)
        | Parameter::DeregistrationResult(v) => v.iter().for_each(|q| m3ua_param_fields(q, f)),
        Parameter::ProtocolData(pd) => {
            f.push(("m3ua.protocol_data_opc", pd.opc.to_string()));
            f.push(("m3ua.protocol_data_dpc", pd.dpc.to_string()));
            f.push(("m3ua.protocol_data_si", pd.si.to_string()));
            f.push(("m3ua.protocol_data_ni", pd.ni.to_string()));
            f.push(("m3ua.protocol_data_mp", pd.mp.to_string()));
            f.push(("m3ua.protocol_data_sls", pd.sls.to_string()));
        }
        _ => {}
    }
}

const GEN_SAMPLES_SCCP_SRI_SM: &str = "0980030e190b12060012044477000950550b12080012044477000900004962474804000000036b1e281c060700118605010101a011600f80020780a1090607040000010014036c1fa11d02010102012d30158007914477000910328101ff820791447700090000";

fn m3ua_vectors() -> Vec<(&'static str, Message)> {
    let apc = [
        MaskedPointCode {
            mask: 0,
            pc: 0x1234,
        },
        MaskedPointCode {
            mask: 0,
            pc: 0x0101,
        },
    ];
    let key = m3ua::RoutingKey {
        local_rk_id: 1,
        routing_context: Some(10),
        traffic_mode: Some(2),
        dpc: MaskedPointCode { mask: 0, pc: 2 },
        network_appearance: Some(8),
        service_indicators: vec![3],
        opc_list: vec![MaskedPointCode { mask: 0, pc: 1 }],
    };
    let mut ntfy = Message::ntfy(1, 3, Some(5), &[100]);
    ntfy.params.push(Parameter::InfoString(b"smsedge".to_vec()));
    vec![
        (
            "ERR",
            Message::err(
                0x16,
                vec![
                    Parameter::RoutingContext(vec![1]),
                    Parameter::DiagnosticInformation(vec![1, 2, 3]),
                ],
            ),
        ),
        ("NTFY", ntfy),
        (
            "DATA",
            Message::data(
                Some(100),
                ProtocolData {
                    opc: 1,
                    dpc: 2,
                    si: 3,
                    ni: 2,
                    mp: 0,
                    sls: 5,
                    // SCCP UDT carrying a TCAP Begin with sendRoutingInfoForSM: the hand-built sample
                    // of shared/oracles/gen_samples.py (m3ua_sri_for_sm_v3).
                    user_data: hex::decode(GEN_SAMPLES_SCCP_SRI_SM).unwrap(),
                },
            ),
        ),
        ("DATA", {
            let pd = ProtocolData {
                opc: 0x3fff,
                dpc: 0x2001,
                si: 3,
                ni: 0,
                mp: 0,
                sls: 15,
                user_data: hex::decode(GEN_SAMPLES_SCCP_SRI_SM).unwrap(),
            };
            let mut m = Message::data(Some(7), pd);
            m.params.insert(0, Parameter::NetworkAppearance(8));
            m.params.push(Parameter::CorrelationId(0xdeadbeef));
            m
        }),
        ("DUNA", Message::duna(&[1], &apc)),
        ("DAVA", Message::dava(&[1], &apc[..1])),
        ("DAUD", Message::daud(&[], &apc)),
        ("SCON", Message::scon(&[1], &apc[..1], Some(0x99), Some(2))),
        ("DUPU", Message::dupu(&[1], apc[0], 2, 5)),
        ("DRST", Message::drst(&[1], &apc)),
        ("ASPUP", Message::aspup(Some(7))),
        ("ASPDN", Message::aspdn()),
        ("BEAT", Message::beat(Some(b"heartbeat!".to_vec()))),
        ("ASPUP ACK", Message::aspup_ack(Some(7))),
        ("ASPDN ACK", Message::aspdn_ack()),
        (
            "BEAT ACK",
            Message::beat_ack_for(&Message::beat(Some(b"heartbeat!".to_vec()))),
        ),
        ("ASPAC", Message::aspac(Some(2), &[1, 2])),
        ("ASPIA", Message::aspia(&[1])),
        ("ASPAC ACK", Message::aspac_ack(Some(2), &[1])),
        ("ASPIA ACK", Message::aspia_ack(&[1])),
        ("REG REQ", Message::reg_req(&[key])),
        ("REG RSP", Message::reg_rsp(&[(1, 0, 10)])),
        ("DEREG REQ", Message::dereg_req(&[10])),
        ("DEREG RSP", Message::dereg_rsp(&[(10, 0)])),
        (
            "unknown parameter",
            Message::new(
                m3ua::MessageType::AspUp,
                vec![
                    Parameter::AspIdentifier(1),
                    Parameter::Unknown {
                        tag: 0x8001,
                        value: vec![0xbe, 0xef, 0x01],
                    },
                ],
            ),
        ),
    ]
}

fn has_network_appearance(params: &[Parameter]) -> bool {
    params.iter().any(|p| match p {
        Parameter::NetworkAppearance(_) => true,
        Parameter::RoutingKey(v)
        | Parameter::RegistrationResult(v)
        | Parameter::DeregistrationResult(v) => has_network_appearance(v),
        _ => false,
    })
}

#[test]
fn m3ua_every_message_judged_by_tshark_and_pycrate() {
    let vectors = m3ua_vectors();
    let hexes: Vec<String> = vectors
        .iter()
        .map(|(_, m)| hex::encode(&m.encode()))
        .collect();
    let packets = tshark("m3ua", &hexes, &[]);
    assert_eq!(packets.len(), vectors.len());
    for (((name, m), h), got) in vectors.iter().zip(&hexes).zip(&packets) {
        assert_eq!(
            m.kind.name().unwrap_or("unknown parameter"),
            if *name == "unknown parameter" {
                "ASPUP"
            } else {
                name
            }
        );
        let ours = Message::decode(&hex::decode(h).unwrap()).unwrap();
        assert_eq!(&ours, m, "{name}: our decoder");
        same_fields(got, &m3ua_fields(&ours), name);
        // pycrate 0.8.1 declares Network Appearance as Uint8 (M3UA.py), but RFC 4666 3.3.1
        // makes it a 32-bit unsigned integer; it then misparses every parameter after it. The
        // spec wins: vectors carrying a Network Appearance are judged by tshark only.
        if !has_network_appearance(&m.params) {
            let py = pycrate("m3ua", h);
            assert_eq!(
                py["reencode_equal"]["m3ua"],
                Value::Bool(true),
                "{name}: pycrate"
            );
        }
    }
}

#[test]
fn m3ua_length_mismatch_rejected_by_us_although_tshark_ignores_it() {
    // RFC 4666 3.1.5: Message Length is the length of the message including the header. tshark
    // ignores it (oracles/README.md known faults); we reject a message whose length disagrees.
    let mut b = Message::aspac(Some(2), &[1]).encode();
    b[7] += 4;
    let e = Message::decode(&b).unwrap_err();
    assert_eq!((e.field, e.offset), ("m3ua.message_length", 4));
    tshark("m3ua", &[hex::encode(&b)], &[]);
}

// ------------------------------------------------------------------------------------- SCCP

use smsedge_codecs::sccp::{self, GlobalTitle, OptionalParam, PartyAddress, Segmentation};

fn hx(v: u8) -> String {
    format!("0x{v:02x}")
}

fn sccp_address_fields(a: &PartyAddress, side: &str, f: &mut Vec<(String, String)>) {
    let k = |n: &str| format!("sccp.{side}.{n}");
    f.push((k("ri"), hx(u8::from(a.route_on_ssn))));
    f.push((k("gti"), hx(a.gt.as_ref().map_or(0, |g| g.gti))));
    f.push((k("ssni"), hx(u8::from(a.ssn.is_some()))));
    f.push((k("pci"), hx(u8::from(a.pc.is_some()))));
    if let Some(pc) = a.pc {
        f.push((k("pc"), pc.to_string()));
    }
    if let Some(ssn) = a.ssn {
        f.push((k("ssn"), ssn.to_string()));
    }
    if let Some(gt) = &a.gt {
        if matches!(gt.gti, 2..=4) {
            f.push((k("tt"), hx(gt.tt)));
        }
        if matches!(gt.gti, 3 | 4) {
            f.push((k("np"), hx(gt.np)));
            f.push((k("es"), hx(gt.es)));
        }
        if matches!(gt.gti, 1 | 4) {
            f.push((k("nai"), hx(gt.nai)));
        }
        f.push((k("digits"), gt.digits().unwrap()));
    }
}

fn sccp_fields(m: &sccp::Message) -> Vec<(String, String)> {
    let mut f = vec![("sccp.message_type".to_string(), hx(m.message_type.code()))];
    if m.message_type.is_service() {
        f.push(("sccp.return_cause".into(), hx(m.return_cause)));
    } else {
        f.push(("sccp.class".into(), hx(m.protocol_class & 0x0f)));
        f.push(("sccp.handling".into(), hx(m.protocol_class >> 4)));
    }
    if let Some(h) = m.hop_counter {
        f.push(("sccp.hops".into(), hx(h)));
    }
    sccp_address_fields(&m.called, "called", &mut f);
    sccp_address_fields(&m.calling, "calling", &mut f);
    if let Some(s) = m.segmentation() {
        f.push(("sccp.segmentation.remaining".into(), hx(s.remaining)));
        f.push(("sccp.segmentation.first".into(), hx(u8::from(s.first))));
        f.push(("sccp.segmentation.class".into(), hx(u8::from(s.class1))));
    }
    if let Some(i) = m.importance() {
        f.push(("sccp.importance".into(), hx(i & 7)));
    }
    f
}

const GEN_SAMPLES_TCAP_SRI_SM: &str = "62474804000000036b1e281c060700118605010101a011600f80020780a1090607040000010014036c1fa11d02010102012d30158007914477000910328101ff820791447700090000";

/// How pycrate judges an SCCP vector.
#[derive(Clone, Copy, PartialEq)]
enum Py {
    /// pycrate_decode.py sccp: SCCP, then TCAP/MAP in the data.
    Full,
    /// pycrate_decode.py looks for a 'Data' field that LUDT/LUDTS name 'LongData' and crashes
    /// after decoding; pycrate's own SCCP parser is called directly instead.
    SccpOnly,
    /// pycrate_decode.py hands every SCCP payload to its TCAP decoder, so SCMG is judged by
    /// tshark only.
    No,
}

/// pycrate's SCCP parser must decode `hex` and re-encode the same bytes.
fn pycrate_sccp_only(hex: &str) {
    let code = "import sys\nfrom pycrate_mobile.SCCP import parse_SCCP\nb=bytes.fromhex(sys.argv[1])\nm,e=parse_SCCP(b)\nassert e==0, e\nassert m.to_bytes()==b\nprint(m.__class__.__name__)";
    let out = Command::new(oracle_py())
        .arg("-c")
        .arg(code)
        .arg(hex)
        .output()
        .expect("run pycrate");
    assert!(
        out.status.success(),
        "pycrate SCCP rejected {hex}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn sccp_vectors() -> Vec<(&'static str, sccp::Message, Py)> {
    let tcap = hex::decode(GEN_SAMPLES_TCAP_SRI_SM).unwrap();
    let hlr = PartyAddress::gt(6, GlobalTitle::e164("447700900555").unwrap());
    let gmsc = PartyAddress::gt(8, GlobalTitle::e164("44770090000").unwrap());
    let mut gti1 = GlobalTitle::e164("1234567").unwrap();
    (gti1.gti, gti1.tt, gti1.np, gti1.es) = (1, 0, 0, 0);
    let mut gti2 = GlobalTitle::e164("12345678").unwrap();
    (gti2.gti, gti2.tt, gti2.np, gti2.es, gti2.nai) = (2, 9, 0, 0, 0);
    let mut gti3 = GlobalTitle::e164("123456789").unwrap();
    (gti3.gti, gti3.np, gti3.nai) = (3, 7, 0);
    let mut class1 = sccp::Message::udt(
        PartyAddress::pc_ssn(0x2001, 6),
        PartyAddress::pc_ssn(0x0102, 8),
        tcap.clone(),
    );
    class1.protocol_class = 0x01;
    let udt = sccp::Message::udt(hlr.clone(), gmsc.clone(), tcap.clone());
    let mut xudt = sccp::Message::xudt(hlr.clone(), gmsc.clone(), 0x81, 12, tcap.clone());
    xudt.optional = Some(vec![OptionalParam::Importance(3)]);
    let mut xudt_seg = sccp::Message::xudt(hlr.clone(), gmsc.clone(), 0x80, 15, tcap.clone());
    xudt_seg.optional = Some(vec![OptionalParam::Segmentation(Segmentation {
        first: true,
        class1: false,
        spare: 0,
        remaining: 0,
        local_reference: [0xab, 0xcd, 0xef],
    })]);
    let mut ludt = xudt.clone();
    ludt.message_type = sccp::MessageType::Ludt;
    // SCCP management: SST for SSN 8 at PC 0x2001, between the SCMG subsystems (Q.713 5.3).
    let scmg = sccp::Scmg {
        format: 3,
        affected_ssn: 8,
        affected_pc: 0x2001,
        smi: 0,
        congestion_level: None,
    };
    let sst = sccp::Message::udt(
        PartyAddress::pc_ssn(0x2001, 1),
        PartyAddress::pc_ssn(0x0102, 1),
        scmg.encode(),
    );
    vec![
        ("UDT GT", udt.clone(), Py::Full),
        ("UDT class 1 PC+SSN", class1, Py::Full),
        (
            "UDT GTI 1/2",
            sccp::Message::udt(
                PartyAddress::gt(6, gti1),
                PartyAddress::gt(8, gti2),
                tcap.clone(),
            ),
            Py::Full,
        ),
        (
            "UDT GTI 3",
            sccp::Message::udt(PartyAddress::gt(6, gti3), gmsc.clone(), tcap.clone()),
            Py::Full,
        ),
        (
            "UDTS",
            udt.service_for(sccp::message::return_cause::NO_TRANSLATION_FOR_ADDRESS),
            Py::Full,
        ),
        ("XUDT importance", xudt.clone(), Py::Full),
        ("XUDT single segment", xudt_seg, Py::Full),
        (
            "XUDTS",
            xudt.service_for(sccp::message::return_cause::HOP_COUNTER_VIOLATION),
            Py::Full,
        ),
        ("LUDT", ludt.clone(), Py::SccpOnly),
        (
            "LUDTS",
            ludt.service_for(sccp::message::return_cause::SUBSYSTEM_FAILURE),
            Py::SccpOnly,
        ),
        ("UDT SCMG SST", sst, Py::No),
    ]
}

#[test]
fn sccp_every_message_judged_by_tshark_and_pycrate() {
    let vectors = sccp_vectors();
    let hexes: Vec<String> = vectors
        .iter()
        .map(|(_, m, _)| hex::encode(&m.encode().unwrap()))
        .collect();
    let packets = tshark("sccp", &hexes, &[]);
    for (((name, m, py), h), got) in vectors.iter().zip(&hexes).zip(&packets) {
        let ours = sccp::Message::decode(&hex::decode(h).unwrap()).unwrap();
        assert_eq!(&ours, m, "{name}: our decoder");
        let want = sccp_fields(&ours);
        let want: Vec<(&str, String)> = want.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        same_fields(got, &want, name);
        match py {
            Py::Full => {
                let v = pycrate("sccp", h);
                assert_eq!(v["reencode_equal"]["sccp"], Value::Bool(true), "{name}");
            }
            Py::SccpOnly => pycrate_sccp_only(h),
            Py::No => {}
        }
    }
}

// ------------------------------------------------------------------ TCAP, MAP, TPDU (full stack)

use smsedge_codecs::ber::Oid;
use smsedge_codecs::json::{self, Proto};
use smsedge_codecs::map::{
    self as gsm_map, AddressString, AppContext, Argument, MapError, ResultValue, Tbcd,
};
use smsedge_codecs::tcap::{
    self, AbortReason, Component, DialoguePortion, ProblemType, SourceDiagnostic, TransactionId,
};
use smsedge_codecs::tpdu::{self, Address, Dcs, Timestamp, Tpdu, UserData, ValidityPeriod};

fn addr(d: &str) -> AddressString {
    AddressString::international(d).unwrap()
}

fn imsi() -> Tbcd {
    Tbcd::from_digits("001010123456789").unwrap()
}

fn tid(v: u32) -> TransactionId {
    TransactionId::from_u32(v)
}

fn acn(ac: AppContext, v: u8) -> Oid {
    ac.oid(v)
}

/// M3UA DATA / SCCP UDT (GT routing, the given SSNs) carrying `tcap`.
fn over_m3ua(t: &tcap::Message, called_ssn: u8, calling_ssn: u8) -> Vec<u8> {
    let sccp = sccp::Message::udt(
        PartyAddress::gt(called_ssn, GlobalTitle::e164("447700900555").unwrap()),
        PartyAddress::gt(calling_ssn, GlobalTitle::e164("447700900000").unwrap()),
        t.encode(),
    );
    let pd = ProtocolData {
        opc: 1,
        dpc: 2,
        si: 3,
        ni: 2,
        mp: 0,
        sls: 5,
        user_data: sccp.encode().unwrap(),
    };
    Message::data(Some(1), pd).encode()
}

fn deliver_tpdu() -> Vec<u8> {
    Tpdu::Deliver(tpdu::Deliver::new(
        Address::international("447700900999").unwrap(),
        Dcs(0),
        Timestamp::new(24, 1, 1, 12, 34, 56, 0),
        UserData::gsm7("hellohello", None).unwrap(),
    ))
    .encode()
}

fn submit_tpdu() -> Vec<u8> {
    Tpdu::Submit(tpdu::Submit::new(
        5,
        Address::international("447700900123").unwrap(),
        Dcs(0),
        ValidityPeriod::Relative(0xa7),
        UserData::gsm7("hellohello", None).unwrap(),
    ))
    .encode()
}

fn begin(otid: u32, ac: Oid, c: Component) -> tcap::Message {
    tcap::Message::begin(tid(otid))
        .with_dialogue(DialoguePortion::request(ac))
        .with_component(c)
}

fn end(dtid: u32, ac: Option<Oid>, c: Option<Component>) -> tcap::Message {
    let mut m = tcap::Message::end(tid(dtid));
    if let Some(ac) = ac {
        m = m.with_dialogue(DialoguePortion::response(ac, 0, SourceDiagnostic::User(0)));
    }
    if let Some(c) = c {
        m = m.with_component(c);
    }
    m
}

fn invoke(op: i64, a: &Argument) -> Component {
    Component::invoke(1, op, Some(a.encode()))
}

fn result(op: i64, r: &ResultValue) -> Component {
    Component::return_result_last(1, Some((op, r.encode())))
}

fn error(e: MapError) -> Component {
    Component::return_error(1, e.code, e.param.map(|p| p.encode()))
}

/// How pycrate_decode.py judges a full-stack vector.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Judge {
    /// tshark and pycrate.
    Both,
    /// tshark only, for the reason given in the vector's comment.
    TsharkOnly,
    /// tshark, and pycrate for M3UA, SCCP and TCAP/MAP: pycrate_decode.py picks the TPDU
    /// direction from the operation code (46 = MS to SC), but in versions 1 and 2 forwardSM
    /// (46) carries both directions (29.002 17.6.5), so its TPDU step fails on an MT forwardSM.
    PycrateWithoutTpdu,
}

fn map_vectors() -> Vec<(&'static str, tcap::Message, u8, u8, Judge)> {
    use gsm_map::operation::opcode as op;
    use gsm_map::sm::*;
    use AppContext as Ac;
    let mut sri = RoutingInfoForSmArg::new(addr("447700900123"), true, addr("447700900000"));
    sri.gprs_support_indicator = true;
    sri.sm_rp_mti = Some(0);
    sri.imsi = Some(imsi());
    let mut sri_res = RoutingInfoForSmRes::new(imsi(), addr("447700900555"));
    sri_res.location_info_with_lmsi.lmsi = Some(vec![1, 2, 3, 4]);
    sri_res.location_info_with_lmsi.gprs_node_indicator = true;
    let mut mt = MtForwardSmArg::new(imsi(), addr("447700900000"), deliver_tpdu());
    mt.more_messages_to_send = true;
    mt.sm_delivery_timer = Some(300);
    let mut mo = MoForwardSmArg::new(addr("447700900000"), addr("447700900999"), submit_tpdu());
    mo.imsi = Some(imsi());
    let fwd_v2 = MtForwardSmArg::new(imsi(), addr("447700900000"), deliver_tpdu());
    let mut report = ReportSmDeliveryStatusArg {
        msisdn: addr("447700900123"),
        service_centre_address: addr("447700900000"),
        sm_delivery_outcome: Some(1),
        absent_subscriber_diagnostic_sm: Some(7),
        ..Default::default()
    };
    report.gprs_support_indicator = true;
    let alert = AlertServiceCentreArg {
        msisdn: addr("447700900123"),
        service_centre_address: addr("447700900000"),
        ..Default::default()
    };
    let inform = InformServiceCentreArg {
        stored_msisdn: Some(addr("447700900123")),
        mw_status: Some(vec![0x02, 0x40]),
        ..Default::default()
    };
    let ready = ReadyForSmArg {
        imsi: imsi(),
        alert_reason: 1,
        ..Default::default()
    };
    let submit_report = Tpdu::SubmitReport(tpdu::SubmitReport {
        scts: Timestamp::new(24, 1, 1, 12, 0, 0, 4),
        params: tpdu::PiFields::new(None, None, None),
        ..Default::default()
    })
    .encode();
    let deliver_report = Tpdu::DeliverReport(tpdu::DeliverReport::default()).encode();
    vec![
        (
            "sendRoutingInfoForSM v3",
            begin(
                1,
                acn(Ac::ShortMsgGateway, 3),
                invoke(
                    op::SEND_ROUTING_INFO_FOR_SM,
                    &Argument::SendRoutingInfoForSm(sri.clone()),
                ),
            ),
            6,
            8,
            Judge::Both,
        ),
        (
            "sendRoutingInfoForSM result v3",
            end(
                1,
                Some(acn(Ac::ShortMsgGateway, 3)),
                Some(result(
                    op::SEND_ROUTING_INFO_FOR_SM,
                    &ResultValue::SendRoutingInfoForSm(Box::new(sri_res)),
                )),
            ),
            8,
            6,
            Judge::Both,
        ),
        (
            "sendRoutingInfoForSM result v2",
            end(
                2,
                Some(acn(Ac::ShortMsgGateway, 2)),
                Some(result(
                    op::SEND_ROUTING_INFO_FOR_SM,
                    &ResultValue::SendRoutingInfoForSm(Box::new(RoutingInfoForSmRes::new(
                        imsi(),
                        addr("447700900555"),
                    ))),
                )),
            ),
            8,
            6,
            Judge::Both,
        ),
        (
            "mt-forwardSM v3",
            begin(
                3,
                acn(Ac::ShortMsgMtRelay, 3),
                invoke(op::MT_FORWARD_SM, &Argument::MtForwardSm(mt)),
            ),
            8,
            8,
            Judge::Both,
        ),
        (
            "mt-forwardSM result v3",
            end(
                3,
                Some(acn(Ac::ShortMsgMtRelay, 3)),
                Some(result(
                    op::MT_FORWARD_SM,
                    &ResultValue::ForwardSm(ForwardSmRes {
                        sm_rp_ui: Some(deliver_report),
                        ..Default::default()
                    }),
                )),
            ),
            8,
            8,
            Judge::Both,
        ),
        (
            "mo-forwardSM v3",
            begin(
                4,
                acn(Ac::ShortMsgMoRelay, 3),
                invoke(op::MO_FORWARD_SM, &Argument::MoForwardSm(mo)),
            ),
            8,
            8,
            Judge::Both,
        ),
        (
            "mo-forwardSM result v3",
            end(
                4,
                Some(acn(Ac::ShortMsgMoRelay, 3)),
                Some(result(
                    op::MO_FORWARD_SM,
                    &ResultValue::ForwardSm(ForwardSmRes {
                        sm_rp_ui: Some(submit_report),
                        ..Default::default()
                    }),
                )),
            ),
            8,
            8,
            Judge::Both,
        ),
        (
            "forwardSM v2 (MT)",
            begin(
                5,
                acn(Ac::ShortMsgMtRelay, 2),
                invoke(op::MO_FORWARD_SM, &Argument::MtForwardSm(fwd_v2)),
            ),
            8,
            8,
            Judge::PycrateWithoutTpdu,
        ),
        (
            "forwardSM v2 result",
            end(
                5,
                Some(acn(Ac::ShortMsgMtRelay, 2)),
                Some(Component::return_result_last(1, None)),
            ),
            8,
            8,
            Judge::Both,
        ),
        (
            "reportSM-DeliveryStatus v3",
            begin(
                6,
                acn(Ac::ShortMsgGateway, 3),
                invoke(
                    op::REPORT_SM_DELIVERY_STATUS,
                    &Argument::ReportSmDeliveryStatus(report),
                ),
            ),
            6,
            8,
            Judge::Both,
        ),
        (
            "reportSM-DeliveryStatus result v3",
            end(
                6,
                Some(acn(Ac::ShortMsgGateway, 3)),
                Some(result(
                    op::REPORT_SM_DELIVERY_STATUS,
                    &ResultValue::ReportSmDeliveryStatus(ReportSmDeliveryStatusRes {
                        stored_msisdn: Some(addr("447700900123")),
                        ..Default::default()
                    }),
                )),
            ),
            8,
            6,
            Judge::Both,
        ),
        (
            // Version 2 returns a bare ISDN-AddressString: pycrate's TCAP_MAPv2v3 only knows the
            // version 3 SEQUENCE, so tshark (which follows the application context) judges it.
            "reportSM-DeliveryStatus result v2",
            end(
                7,
                Some(acn(Ac::ShortMsgGateway, 2)),
                Some(result(
                    op::REPORT_SM_DELIVERY_STATUS,
                    &ResultValue::StoredMsisdn {
                        msisdn: addr("447700900123"),
                        form: Default::default(),
                    },
                )),
            ),
            8,
            6,
            Judge::TsharkOnly,
        ),
        (
            "alertServiceCentre v2",
            begin(
                8,
                acn(Ac::ShortMsgAlert, 2),
                invoke(
                    op::ALERT_SERVICE_CENTRE,
                    &Argument::AlertServiceCentre(alert.clone()),
                ),
            ),
            8,
            6,
            Judge::Both,
        ),
        (
            "alertServiceCentre result",
            end(
                8,
                Some(acn(Ac::ShortMsgAlert, 2)),
                Some(Component::return_result_last(1, None)),
            ),
            6,
            8,
            Judge::Both,
        ),
        (
            // Version 1 operation: pycrate's TCAP_MAPv2v3 has no opcode 49.
            "alertServiceCentreWithoutResult v1",
            begin(
                9,
                acn(Ac::ShortMsgAlert, 1),
                invoke(
                    op::ALERT_SERVICE_CENTRE_WITHOUT_RESULT,
                    &Argument::AlertServiceCentre(alert),
                ),
            ),
            8,
            6,
            Judge::TsharkOnly,
        ),
        (
            "informServiceCentre",
            tcap::Message::continue_(tid(10), tid(11)).with_component(Component::invoke(
                2,
                op::INFORM_SERVICE_CENTRE,
                Some(Argument::InformServiceCentre(inform).encode()),
            )),
            8,
            6,
            Judge::Both,
        ),
        (
            "readyForSM v3",
            begin(
                12,
                acn(Ac::MwdMngt, 3),
                invoke(op::READY_FOR_SM, &Argument::ReadyForSm(ready)),
            ),
            6,
            7,
            Judge::Both,
        ),
        (
            "readyForSM result",
            end(
                12,
                Some(acn(Ac::MwdMngt, 3)),
                Some(result(
                    op::READY_FOR_SM,
                    &ResultValue::ReadyForSm(ReadyForSmRes::default()),
                )),
            ),
            7,
            6,
            Judge::Both,
        ),
        (
            // Version 1 operation: pycrate's TCAP_MAPv2v3 has no opcode 48.
            "noteSubscriberPresent v1",
            begin(
                13,
                acn(Ac::MwdMngt, 1),
                invoke(
                    op::NOTE_SUBSCRIBER_PRESENT,
                    &Argument::NoteSubscriberPresent {
                        imsi: imsi(),
                        form: Default::default(),
                    },
                ),
            ),
            6,
            7,
            Judge::TsharkOnly,
        ),
    ]
}

fn error_vectors() -> Vec<(&'static str, tcap::Message, u8, u8, Judge)> {
    use gsm_map::errors::*;
    let ac = || Some(acn(AppContext::ShortMsgMtRelay, 3));
    let errs: Vec<(&'static str, MapError)> = vec![
        (
            "systemFailure v3",
            MapError {
                code: code::SYSTEM_FAILURE,
                param: Some(ErrorParam::SystemFailure(ExtensibleSystemFailureParam {
                    network_resource: Some(1),
                    ..Default::default()
                })),
            },
        ),
        (
            "systemFailure v2",
            MapError {
                code: code::SYSTEM_FAILURE,
                param: Some(ErrorParam::Enumerated {
                    value: 2,
                    form: Default::default(),
                }),
            },
        ),
        (
            "dataMissing",
            MapError {
                code: code::DATA_MISSING,
                param: Some(ErrorParam::ExtensionContainer(Default::default())),
            },
        ),
        (
            "unexpectedDataValue",
            MapError {
                code: code::UNEXPECTED_DATA_VALUE,
                param: Some(ErrorParam::UnexpectedDataValue(UnexpectedDataParam {
                    unexpected_subscriber: true,
                    ..Default::default()
                })),
            },
        ),
        (
            "facilityNotSupported",
            MapError {
                code: code::FACILITY_NOT_SUPPORTED,
                param: Some(ErrorParam::FacilityNotSupported(Default::default())),
            },
        ),
        (
            "unknownSubscriber",
            MapError {
                code: code::UNKNOWN_SUBSCRIBER,
                param: Some(ErrorParam::UnknownSubscriber(UnknownSubscriberParam {
                    unknown_subscriber_diagnostic: Some(0),
                    ..Default::default()
                })),
            },
        ),
        (
            "unidentifiedSubscriber",
            MapError {
                code: code::UNIDENTIFIED_SUBSCRIBER,
                param: Some(ErrorParam::ExtensionContainer(Default::default())),
            },
        ),
        (
            "illegalSubscriber",
            MapError {
                code: code::ILLEGAL_SUBSCRIBER,
                param: Some(ErrorParam::ExtensionContainer(Default::default())),
            },
        ),
        (
            "illegalEquipment",
            MapError {
                code: code::ILLEGAL_EQUIPMENT,
                param: Some(ErrorParam::ExtensionContainer(Default::default())),
            },
        ),
        (
            "teleserviceNotProvisioned",
            MapError {
                code: code::TELESERVICE_NOT_PROVISIONED,
                param: Some(ErrorParam::ExtensionContainer(Default::default())),
            },
        ),
        (
            "callBarred v3",
            MapError {
                code: code::CALL_BARRED,
                param: Some(ErrorParam::CallBarred(ExtensibleCallBarredParam {
                    call_barring_cause: Some(1),
                    unauthorised_message_originator: true,
                    ..Default::default()
                })),
            },
        ),
        (
            "callBarred v2",
            MapError {
                code: code::CALL_BARRED,
                param: Some(ErrorParam::Enumerated {
                    value: 0,
                    form: Default::default(),
                }),
            },
        ),
        (
            "absentSubscriberSM",
            MapError::absent_subscriber_sm(Some(1)),
        ),
        (
            "subscriberBusyForMT-SMS",
            MapError {
                code: code::SUBSCRIBER_BUSY_FOR_MT_SMS,
                param: Some(ErrorParam::SubscriberBusyForMtSms(SubBusyForMtSmsParam {
                    gprs_connection_suspended: true,
                    ..Default::default()
                })),
            },
        ),
        (
            "sm-DeliveryFailure",
            MapError::sm_delivery_failure(1, Some(vec![0x00, 0xd2, 0x00])),
        ),
        (
            "messageWaitingListFull",
            MapError {
                code: code::MESSAGE_WAITING_LIST_FULL,
                param: Some(ErrorParam::ExtensionContainer(Default::default())),
            },
        ),
        (
            "absentSubscriber",
            MapError {
                code: code::ABSENT_SUBSCRIBER,
                param: Some(ErrorParam::AbsentSubscriber(AbsentSubscriberParam {
                    absent_subscriber_reason: Some(0),
                    ..Default::default()
                })),
            },
        ),
    ];
    errs.into_iter()
        .enumerate()
        .map(|(i, (name, e))| {
            (
                name,
                end(100 + i as u32, ac(), Some(error(e))),
                8,
                8,
                Judge::Both,
            )
        })
        .collect()
}

fn tcap_vectors() -> Vec<(&'static str, tcap::Message, u8, u8, Judge)> {
    let ac = acn(AppContext::ShortMsgMtRelay, 3);
    let mut v = vec![];
    // Reject with every problem code of every type (Q.773 4.2.2.3).
    for (pt, n) in [
        (ProblemType::General, 3),
        (ProblemType::Invoke, 8),
        (ProblemType::ReturnResult, 3),
        (ProblemType::ReturnError, 5),
    ] {
        for code in 0..n {
            let m = tcap::Message::continue_(tid(200), tid(201 + code as u32))
                .with_component(Component::reject(Some(1), pt, code));
            v.push(("reject", m, 8, 8, Judge::Both));
        }
    }
    v.push((
        "reject not-derivable",
        tcap::Message::end(tid(202)).with_component(Component::reject(
            None,
            ProblemType::General,
            2,
        )),
        8,
        8,
        Judge::Both,
    ));
    for cause in 0..5 {
        v.push((
            "p-abort",
            tcap::Message::abort(tid(300 + cause as u32), Some(AbortReason::Provider(cause))),
            8,
            8,
            Judge::Both,
        ));
    }
    v.push((
        "u-abort ABRT",
        tcap::Message::abort(
            tid(310),
            Some(AbortReason::User(DialoguePortion::abort(None))),
        ),
        8,
        8,
        Judge::Both,
    ));
    v.push((
        "u-abort AARE refusing v3 (fallback to v2)",
        tcap::Message::abort(
            tid(311),
            Some(AbortReason::User(DialoguePortion::refuse_context(acn(
                AppContext::ShortMsgMtRelay,
                2,
            )))),
        ),
        8,
        8,
        Judge::Both,
    ));
    v.push((
        "abort without cause",
        tcap::Message::abort(tid(312), None),
        8,
        8,
        Judge::Both,
    ));
    // Transaction ids of 1 to 3 octets, a linked invoke, a segmented result.
    for n in 1..=3 {
        let id = TransactionId::new(&[0x11, 0x22, 0x33][..n]).unwrap();
        v.push((
            "short otid",
            tcap::Message::begin(id).with_dialogue(DialoguePortion::request(ac.clone())),
            8,
            8,
            Judge::Both,
        ));
    }
    let mut linked = Component::invoke(2, 44, None);
    if let Component::Invoke(i) = &mut linked {
        i.linked_id = Some(1);
    }
    v.push((
        "linked invoke",
        tcap::Message::continue_(tid(400), tid(401)).with_component(linked),
        8,
        8,
        Judge::Both,
    ));
    let mut not_last = Component::return_result_last(
        1,
        Some((
            45,
            ResultValue::SendRoutingInfoForSm(Box::new(gsm_map::RoutingInfoForSmRes::new(
                imsi(),
                addr("447700900555"),
            )))
            .encode(),
        )),
    );
    if let Component::ReturnResult(r) = &mut not_last {
        r.last = false;
    }
    v.push((
        "returnResultNotLast",
        tcap::Message::continue_(tid(402), tid(403))
            .with_component(not_last)
            .with_component(Component::return_result_last(1, None)),
        8,
        6,
        Judge::Both,
    ));
    v.push((
        // pycrate's TCAP_MAPv2v3 decodes unidirectional, but its script only follows begin.
        "unidirectional (AUDT)",
        tcap::Message::unidirectional()
            .with_dialogue(DialoguePortion {
                pdu: tcap::DialoguePdu::Unidirectional(tcap::dialogue::Aarq {
                    protocol_version: Some(vec![7, 0x80]),
                    application_context: ac.clone(),
                    user_information: None,
                    forms: Default::default(),
                }),
                forms: Default::default(),
            })
            .with_component(Component::invoke(0, 63, None)),
        8,
        8,
        Judge::Both,
    ));
    v
}

/// (our JSON key, tshark fields that may show it) for the MAP fields compared by value.
const MAP_FIELDS: &[(&str, &[&str])] = &[
    ("sm_rp_pri", &["gsm_map.sm.sm_RP_PRI"]),
    ("sm_rp_mti", &["gsm_map.sm.sm_RP_MTI"]),
    ("sm_delivery_outcome", &["gsm_map.sm.sm_DeliveryOutcome"]),
    (
        "absent_subscriber_diagnostic_sm",
        &[
            "gsm_map.sm.absentSubscriberDiagnosticSM",
            "gsm_map.er.absentSubscriberDiagnosticSM",
        ],
    ),
    ("alert_reason", &["gsm_map.sm.alertReason"]),
    ("sm_delivery_timer", &["gsm_map.sm.smDeliveryTimer"]),
    ("lmsi", &["gsm_map.sm.lmsi"]),
    ("sm_rp_ui", &["gsm_map.sm.sm_RP_UI", "gsm_old.sm_RP_UI"]),
    ("mw_status", &["gsm_map.sm.mw_Status"]),
    (
        "sm_enumerated_delivery_failure_cause",
        &["gsm_map.er.sm_EnumeratedDeliveryFailureCause"],
    ),
    ("diagnostic_info", &["gsm_map.er.diagnosticInfo"]),
    ("network_resource", &["gsm_map.er.networkResource"]),
    ("call_barring_cause", &["gsm_map.er.callBarringCause"]),
    (
        "unknown_subscriber_diagnostic",
        &["gsm_map.er.unknownSubscriberDiagnostic"],
    ),
    (
        "absent_subscriber_reason",
        &["gsm_map.er.absentSubscriberReason"],
    ),
    (
        "gprs_support_indicator",
        &["gsm_map.sm.gprsSupportIndicator_element"],
    ),
    (
        "gprs_node_indicator",
        &["gsm_map.sm.gprsNodeIndicator_element"],
    ),
    (
        "more_messages_to_send",
        &[
            "gsm_map.sm.moreMessagesToSend_element",
            "gsm_old.moreMessagesToSend_element",
        ],
    ),
    (
        "unexpected_subscriber",
        &["gsm_map.er.unexpectedSubscriber_element"],
    ),
    (
        "unauthorised_message_originator",
        &["gsm_map.er.unauthorisedMessageOriginator_element"],
    ),
    (
        "gprs_connection_suspended",
        &["gsm_map.er.gprsConnectionSuspended_element"],
    ),
];

fn colon_hex(h: &str) -> String {
    h.as_bytes()
        .chunks(2)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join(":")
}

/// What tshark must show for our decoded JSON of a full-stack message.
fn stack_checks(v: &Value) -> Vec<(Vec<String>, String)> {
    let mut c: Vec<(Vec<String>, String)> = Vec::new();
    let mut add = |fields: &[&str], val: String| {
        c.push((fields.iter().map(|s| s.to_string()).collect(), val))
    };
    let t = &v["tcap"];
    for (k, f) in [("otid", "tcap.otid"), ("dtid", "tcap.dtid")] {
        if let Some(h) = t[k].as_str() {
            add(&[f], colon_hex(h));
        }
    }
    if let Some(a) = t["application_context"].as_str() {
        add(&["tcap.application_context_name"], a.to_string());
    }
    if let Some(r) = t["dialogue"]["result"]
        .as_i64()
        .or(t["u_abort"]["result"].as_i64())
    {
        add(&["tcap.result"], r.to_string());
    }
    if let Some(r) = t["p_abort_cause"].as_i64() {
        add(&["tcap.p_abortCause"], r.to_string());
    }
    for comp in t["components"].as_array().into_iter().flatten() {
        if let Some(i) = comp["invoke_id"].as_i64() {
            add(&["gsm_old.invokeID", "gsm_old.derivable"], i.to_string());
        }
        if let Some(l) = comp["linked_id"].as_i64() {
            add(&["gsm_old.linkedID"], l.to_string());
        }
        if let Some(o) = comp["opcode"].as_i64().or(comp["error_code"].as_i64()) {
            add(&["gsm_old.localValue"], o.to_string());
        }
        if let (Some(pt), Some(p)) = (comp["problem_type"].as_str(), comp["problem"].as_i64()) {
            add(&[&format!("gsm_old.{pt}")], p.to_string());
        }
    }
    // MAP: digits and the value fields of MAP_FIELDS, wherever they sit in our JSON.
    fn walk(v: &Value, key: &str, out: &mut Vec<(Vec<String>, String)>) {
        match v {
            Value::Object(m) => m.iter().for_each(|(k, x)| walk(x, k, out)),
            Value::Array(a) if key == "extensions" => {}
            Value::Array(a) => a.iter().for_each(|x| walk(x, key, out)),
            Value::String(s) if key.contains("imsi") => {
                out.push((vec!["e212.imsi".into()], s.clone()))
            }
            Value::String(s)
                if [
                    "msisdn",
                    "service_centre_address",
                    "network_node_number",
                    "stored_msisdn",
                ]
                .contains(&key) =>
            {
                out.push((vec!["e164.msisdn".into()], s.clone()))
            }
            _ => {
                if let Some((_, fields)) = MAP_FIELDS.iter().find(|(k, _)| *k == key) {
                    let val = match v {
                        Value::Bool(true) if fields[0].ends_with("_element") => String::new(),
                        Value::Bool(b) => u8::from(*b).to_string(),
                        Value::Number(n) => n.to_string(),
                        // tshark shows a BIT STRING without its unused-bits octet.
                        Value::String(s) if key == "mw_status" => colon_hex(&s[2..]),
                        Value::String(s) => colon_hex(s),
                        _ => return,
                    };
                    out.push((fields.iter().map(|s| s.to_string()).collect(), val));
                }
            }
        }
    }
    let mut m = Vec::new();
    walk(&v["map"], "map", &mut m);
    c.extend(m);
    // TPDU: the text, addresses and type.
    for t in [&v["tpdu"]]
        .into_iter()
        .chain(v["tpdu"].as_array().into_iter().flatten())
    {
        if let Some(text) = t["text"].as_str() {
            c.push((vec!["gsm_sms.sms_text".into()], text.to_string()));
        }
        for (k, f) in [
            ("tp_oa", "gsm_sms.tp-oa"),
            ("tp_da", "gsm_sms.tp-da"),
            ("tp_ra", "gsm_sms.tp-ra"),
        ] {
            if let Some(a) = t[k].as_str() {
                c.push((vec![f.into()], a.to_string()));
            }
        }
    }
    c
}

fn judge_stack(vectors: Vec<(&'static str, tcap::Message, u8, u8, Judge)>) {
    let hexes: Vec<String> = vectors
        .iter()
        .map(|(_, t, a, b, _)| hex::encode(&over_m3ua(t, *a, *b)))
        .collect();
    let packets = tshark("m3ua", &hexes, &[]);
    assert_eq!(packets.len(), vectors.len());
    for ((name, t, _, _, judge), (h, got)) in vectors.iter().zip(hexes.iter().zip(&packets)) {
        let b = hex::decode(h).unwrap();
        // Our decoder: the typed TCAP message, and the JSON of every layer, back to the bytes.
        let vs = json::decode(Proto::M3ua, &b).unwrap();
        assert_eq!(
            json::encode(Proto::M3ua, &vs[0]).unwrap(),
            b,
            "{name}: JSON round trip"
        );
        let ours = tcap::Message::decode(&t.encode()).unwrap();
        assert_eq!(&ours, t, "{name}: our TCAP decoder");
        assert!(
            vs[0]["map"].get("raw").is_none(),
            "{name}: MAP kept raw: {}",
            vs[0]["map"]
        );
        for (fields, want) in stack_checks(&vs[0]) {
            let found = fields
                .iter()
                .any(|f| got.get(f).is_some_and(|vals| vals.contains(&want)));
            assert!(
                found,
                "{name}: tshark shows {fields:?} = {:?}, ours {want:?}",
                fields.iter().map(|f| got.get(f)).collect::<Vec<_>>()
            );
        }
        match judge {
            Judge::Both => {
                let py = pycrate("m3ua", h);
                for (layer, ok) in py["reencode_equal"].as_object().unwrap() {
                    assert_eq!(ok, &Value::Bool(true), "{name}: pycrate re-encodes {layer}");
                }
            }
            Judge::PycrateWithoutTpdu => {
                let (_, py) = pycrate_run("m3ua", h);
                for layer in ["m3ua", "sccp", "tcap"] {
                    assert_eq!(
                        py["reencode_equal"][layer],
                        Value::Bool(true),
                        "{name}: pycrate re-encodes {layer}"
                    );
                }
            }
            Judge::TsharkOnly => {}
        }
    }
}

#[test]
fn map_every_sm_operation_judged_by_tshark_and_pycrate() {
    judge_stack(map_vectors());
}

#[test]
fn map_every_sm_error_judged_by_tshark_and_pycrate() {
    judge_stack(error_vectors());
}

#[test]
fn tcap_every_message_and_component_judged_by_tshark_and_pycrate() {
    judge_stack(tcap_vectors());
}

#[test]
fn tcap_real_peer_length_forms_round_trip_and_tshark_reads_them() {
    // Indefinite lengths on the message, dialogue and component portions and a long-form
    // component length, as some vendors send: we re-encode them as they came (X.690 8.1.3
    // allows both), tshark reads the same values.
    let ac = acn(AppContext::ShortMsgMtRelay, 3);
    let arg = Argument::MtForwardSm(gsm_map::MtForwardSmArg::new(
        imsi(),
        addr("447700900000"),
        deliver_tpdu(),
    ));
    let mut t = begin(7, ac, invoke(44, &arg));
    t.forms.set(0, smsedge_codecs::ber::LenForm::Indefinite);
    t.forms.set(3, smsedge_codecs::ber::LenForm::Indefinite);
    if let Some(d) = &mut t.dialogue {
        d.forms.set(0, smsedge_codecs::ber::LenForm::Indefinite);
        d.forms.set(1, smsedge_codecs::ber::LenForm::Indefinite);
    }
    if let Component::Invoke(i) = &mut t.components[0] {
        i.forms.set(0, smsedge_codecs::ber::LenForm::Long(2));
    }
    let b = over_m3ua(&t, 8, 8);
    let bytes = t.encode();
    assert_eq!(&bytes[..2], [0x62, 0x80]);
    assert_eq!(tcap::Message::decode(&bytes).unwrap(), t);
    let vs = json::decode(Proto::M3ua, &b).unwrap();
    assert!(vs[0]["tcap"]["ber_length_forms"].is_object());
    assert_eq!(json::encode(Proto::M3ua, &vs[0]).unwrap(), b);
    let got = &tshark("m3ua", &[hex::encode(&b)], &[])[0];
    for (fields, want) in stack_checks(&vs[0]) {
        assert!(
            fields
                .iter()
                .any(|f| got.get(f).is_some_and(|v| v.contains(&want))),
            "{fields:?} {want}"
        );
    }
}

// ------------------------------------------------------------------------------- SMS TPDU

fn tpdu_fields(t: &Tpdu) -> Vec<(&'static str, String)> {
    let b = |v: bool| u8::from(v).to_string();
    let mut f = vec![];
    let ud = |f: &mut Vec<(&'static str, String)>, ud: &UserData, dcs: Dcs| {
        f.push(("gsm_sms.tp.user_data_length", ud.udl.to_string()));
        if let Some(text) = ud.text(dcs) {
            f.push(("gsm_sms.sms_text", text));
        }
        for ie in ud.udh.iter().flat_map(|h| h.ies.iter()) {
            match ie {
                smsedge_codecs::text::Ie::Concat8 {
                    reference,
                    total,
                    seq,
                } => {
                    f.push(("gsm_sms.udh.mm.msg_id", reference.to_string()));
                    f.push(("gsm_sms.udh.mm.msg_parts", total.to_string()));
                    f.push(("gsm_sms.udh.mm.msg_part", seq.to_string()));
                }
                smsedge_codecs::text::Ie::Concat16 {
                    reference,
                    total,
                    seq,
                } => {
                    f.push(("gsm_sms.udh.mm.msg_id", reference.to_string()));
                    f.push(("gsm_sms.udh.mm.msg_parts", total.to_string()));
                    f.push(("gsm_sms.udh.mm.msg_part", seq.to_string()));
                }
                smsedge_codecs::text::Ie::AppPort8 { dest, orig } => {
                    f.push(("gsm_sms.destination_port", dest.to_string()));
                    f.push(("gsm_sms.originator_port", orig.to_string()));
                }
                smsedge_codecs::text::Ie::AppPort16 { dest, orig } => {
                    f.push(("gsm_sms.destination_port", dest.to_string()));
                    f.push(("gsm_sms.originator_port", orig.to_string()));
                }
                _ => {}
            }
        }
    };
    let addr_f = |f: &mut Vec<(&'static str, String)>, k: &'static str, a: &Address| {
        if let Some(d) = a.number() {
            f.push((k, d));
        }
    };
    let ts = |f: &mut Vec<(&'static str, String)>, t: &Timestamp| {
        let (y, mo, d, h, mi, s, _) = t.fields().unwrap();
        for (k, v) in [
            ("year", y),
            ("month", mo),
            ("day", d),
            ("hour", h),
            ("minutes", mi),
            ("seconds", s),
        ] {
            f.push((
                match k {
                    "year" => "gsm_sms.scts.year",
                    "month" => "gsm_sms.scts.month",
                    "day" => "gsm_sms.scts.day",
                    "hour" => "gsm_sms.scts.hour",
                    "minutes" => "gsm_sms.scts.minutes",
                    _ => "gsm_sms.scts.seconds",
                },
                v.to_string(),
            ));
        }
    };
    match t {
        Tpdu::Deliver(d) => {
            f.push(("gsm_sms.tp-mti", "0".into()));
            f.push(("gsm_sms.tp-mms", b(d.mms)));
            f.push(("gsm_sms.tp-sri", b(d.sri)));
            f.push(("gsm_sms.tp-udhi", b(d.ud.udh.is_some())));
            f.push(("gsm_sms.tp-rp", b(d.rp)));
            addr_f(&mut f, "gsm_sms.tp-oa", &d.oa);
            f.push(("gsm_sms.tp-pid", d.pid.to_string()));
            f.push(("gsm_sms.tp-dcs", d.dcs.0.to_string()));
            ts(&mut f, &d.scts);
            ud(&mut f, &d.ud, d.dcs);
        }
        Tpdu::Submit(s) => {
            f.push(("gsm_sms.tp-mti", "1".into()));
            f.push(("gsm_sms.tp-rd", b(s.rd)));
            f.push(("gsm_sms.tp-srr", b(s.srr)));
            f.push(("gsm_sms.tp-udhi", b(s.ud.udh.is_some())));
            f.push(("gsm_sms.tp-rp", b(s.rp)));
            f.push(("gsm_sms.tp-mr", s.mr.to_string()));
            addr_f(&mut f, "gsm_sms.tp-da", &s.da);
            f.push(("gsm_sms.tp-dcs", s.dcs.0.to_string()));
            if let ValidityPeriod::Absolute(t) = &s.vp {
                ts(&mut f, t);
            }
            ud(&mut f, &s.ud, s.dcs);
        }
        Tpdu::StatusReport(s) => {
            f.push(("gsm_sms.tp-mti", "2".into()));
            f.push(("gsm_sms.tp-mr", s.mr.to_string()));
            f.push(("gsm_sms.tp-srq", b(s.srq)));
            addr_f(&mut f, "gsm_sms.tp-ra", &s.ra);
            ts(&mut f, &s.scts);
            if let Some(p) = &s.params {
                if let Some(u) = &p.ud {
                    ud(&mut f, u, p.dcs.unwrap_or_default());
                }
            }
        }
        Tpdu::Command(c) => {
            f.push(("gsm_sms.tp-mti", "2".into()));
            f.push(("gsm_sms.tp-mr", c.mr.to_string()));
            f.push(("gsm_sms.tp.command_type", c.ct.to_string()));
            f.push(("gsm_sms.tp.message_number", c.mn.to_string()));
            addr_f(&mut f, "gsm_sms.tp-da", &c.da);
        }
        Tpdu::DeliverReport(d) => {
            f.push(("gsm_sms.tp-mti", "0".into()));
            if let Some(fcs) = d.fcs {
                f.push(("gsm_sms.tp-fcs", format!("0x{fcs:02x}")));
            }
        }
        Tpdu::SubmitReport(s) => {
            f.push(("gsm_sms.tp-mti", "1".into()));
            if let Some(fcs) = s.fcs {
                f.push(("gsm_sms.tp-fcs", format!("0x{fcs:02x}")));
            }
            ts(&mut f, &s.scts);
        }
    }
    f
}

fn udh(ies: Vec<smsedge_codecs::text::Ie>) -> Option<Udh> {
    Some(Udh::new(ies))
}

use smsedge_codecs::text::{Ie, Udh};

/// (name, TPDU, whether pycrate_decode.py can judge it).
fn sc_to_ms_vectors() -> Vec<(&'static str, Tpdu, bool)> {
    let oa = || Address::international("447700900999").unwrap();
    let ts = |tz| Timestamp::new(24, 2, 29, 23, 59, 58, tz);
    let deliver =
        |dcs: u8, ud: UserData| Tpdu::Deliver(tpdu::Deliver::new(oa(), Dcs(dcs), ts(0), ud));
    let mut flags = tpdu::Deliver::new(
        Address::alphanumeric("ACME").unwrap(),
        Dcs(0),
        ts(-4),
        UserData::gsm7("Hello {world} €5 [ok]", None).unwrap(),
    );
    (flags.sri, flags.rp, flags.mms) = (true, true, false);
    let concat = UserData::gsm7(
        "Part one of a long message",
        udh(vec![Ie::Concat8 {
            reference: 0x2a,
            total: 2,
            seq: 1,
        }]),
    )
    .unwrap();
    let ucs2 = UserData::ucs2(
        "Привет, мир 😀",
        udh(vec![Ie::Concat16 {
            reference: 0x1234,
            total: 3,
            seq: 2,
        }]),
    )
    .unwrap();
    let wap = UserData::octets(
        vec![0x01, 0x06, 0x03, 0xae, 0x81, 0xea],
        udh(vec![Ie::AppPort16 {
            dest: 2948,
            orig: 9200,
        }]),
    )
    .unwrap();
    let status = |st: u8, params: Option<tpdu::PiFields>| {
        Tpdu::StatusReport(tpdu::StatusReport {
            mms: true,
            srq: false,
            mr: 77,
            ra: Address::international("447700900123").unwrap(),
            scts: ts(8),
            dt: ts(8),
            st,
            params,
            ..Default::default()
        })
    };
    vec![
        (
            "SMS-DELIVER gsm7",
            deliver(0x00, UserData::gsm7("hellohello", None).unwrap()),
            true,
        ),
        // Alphanumeric originator, escapes, TP-SRI/TP-RP, negative time zone. pycrate reads the
        // time zone in binary, not swapped BCD (oracles/README.md): its re-encoding still
        // matches, so it judges the bytes; tshark judges the values.
        (
            "SMS-DELIVER alphanumeric, escapes, flags",
            Tpdu::Deliver(flags),
            true,
        ),
        (
            "SMS-DELIVER concat 8-bit, fill bit",
            deliver(0x00, concat),
            true,
        ),
        ("SMS-DELIVER UCS2 concat 16-bit", deliver(0x08, ucs2), true),
        ("SMS-DELIVER 8-bit with port 16", deliver(0x04, wap), true),
        (
            "SMS-DELIVER class 0",
            deliver(0x10, UserData::gsm7("flash", None).unwrap()),
            true,
        ),
        (
            "SMS-DELIVER class 1 (group 1111)",
            deliver(0xf1, UserData::gsm7("stored", None).unwrap()),
            true,
        ),
        (
            "SMS-DELIVER MWI discard",
            deliver(0xc8, UserData::gsm7("voicemail", None).unwrap()),
            true,
        ),
        (
            "SMS-DELIVER MWI store UCS2",
            deliver(0xe8, UserData::ucs2("voicemail", None).unwrap()),
            true,
        ),
        ("SMS-STATUS-REPORT delivered", status(0x00, None), true),
        (
            "SMS-STATUS-REPORT with text",
            status(
                0x41,
                Some(tpdu::PiFields::new(
                    Some(0),
                    Some(Dcs(0)),
                    Some(UserData::gsm7("gone", None).unwrap()),
                )),
            ),
            true,
        ),
        // pycrate_decode.py only handles SMS-DELIVER and SMS-STATUS-REPORT in this direction.
        (
            "SMS-SUBMIT-REPORT ack",
            Tpdu::SubmitReport(tpdu::SubmitReport {
                scts: ts(0),
                params: tpdu::PiFields::new(Some(0), None, None),
                ..Default::default()
            }),
            false,
        ),
        (
            "SMS-SUBMIT-REPORT error",
            Tpdu::SubmitReport(tpdu::SubmitReport {
                fcs: Some(0xc5),
                scts: ts(0),
                ..Default::default()
            }),
            false,
        ),
    ]
}

fn ms_to_sc_vectors() -> Vec<(&'static str, Tpdu, bool)> {
    let da = || Address::international("447700900123").unwrap();
    let submit = |vp: ValidityPeriod, dcs: u8, ud: UserData| {
        Tpdu::Submit(tpdu::Submit::new(9, da(), Dcs(dcs), vp, ud))
    };
    let mut flags = tpdu::Submit::new(
        3,
        da(),
        Dcs(0),
        ValidityPeriod::None,
        UserData::gsm7("no validity", None).unwrap(),
    );
    (flags.rd, flags.srr, flags.rp) = (true, true, true);
    vec![
        (
            "SMS-SUBMIT relative VP",
            submit(
                ValidityPeriod::Relative(0xa7),
                0,
                UserData::gsm7("hellohello", None).unwrap(),
            ),
            true,
        ),
        // Absolute VP with a time zone: see SMS-DELIVER for pycrate's binary time zone.
        (
            "SMS-SUBMIT absolute VP",
            submit(
                ValidityPeriod::Absolute(Timestamp::new(24, 12, 31, 10, 0, 0, 23)),
                0,
                UserData::gsm7("abs", None).unwrap(),
            ),
            true,
        ),
        (
            "SMS-SUBMIT enhanced VP",
            submit(
                ValidityPeriod::Enhanced([0x42, 0x3c, 0, 0, 0, 0, 0]),
                0,
                UserData::gsm7("enh", None).unwrap(),
            ),
            true,
        ),
        ("SMS-SUBMIT flags, no VP", Tpdu::Submit(flags), true),
        (
            "SMS-SUBMIT concat + national language shift",
            submit(
                ValidityPeriod::Relative(0),
                0,
                UserData::gsm7(
                    "merhaba",
                    udh(vec![
                        Ie::Concat8 {
                            reference: 1,
                            total: 2,
                            seq: 2,
                        },
                        Ie::NationalSingleShift(1),
                    ]),
                )
                .unwrap(),
            ),
            true,
        ),
        (
            "SMS-SUBMIT UCS2",
            submit(
                ValidityPeriod::Relative(11),
                8,
                UserData::ucs2("日本語のテキスト", None).unwrap(),
            ),
            true,
        ),
        // pycrate_decode.py only handles SMS-SUBMIT in this direction.
        (
            "SMS-COMMAND delete",
            Tpdu::Command(tpdu::Command {
                mr: 4,
                ct: 2,
                mn: 9,
                da: da(),
                ..Default::default()
            }),
            false,
        ),
        (
            "SMS-DELIVER-REPORT ack",
            Tpdu::DeliverReport(tpdu::DeliverReport::default()),
            false,
        ),
        (
            "SMS-DELIVER-REPORT error",
            Tpdu::DeliverReport(tpdu::DeliverReport {
                fcs: Some(0xd2),
                params: tpdu::PiFields::new(Some(0), None, None),
                ..Default::default()
            }),
            false,
        ),
    ]
}

fn judge_tpdus(
    proto: &str,
    dir: tpdu::Direction,
    json_proto: Proto,
    vectors: Vec<(&'static str, Tpdu, bool)>,
) {
    let hexes: Vec<String> = vectors
        .iter()
        .map(|(_, t, _)| hex::encode(&t.encode()))
        .collect();
    let packets = tshark(proto, &hexes, &[]);
    for ((name, t, py), (h, got)) in vectors.iter().zip(hexes.iter().zip(&packets)) {
        let b = hex::decode(h).unwrap();
        let ours = Tpdu::decode(&b, dir).unwrap();
        assert_eq!(&ours, t, "{name}: our decoder");
        let vs = json::decode(json_proto, &b).unwrap();
        assert_eq!(
            json::encode(json_proto, &vs[0]).unwrap(),
            b,
            "{name}: JSON round trip"
        );
        for (field, want) in tpdu_fields(&ours) {
            assert!(
                got.get(field).is_some_and(|v| v.contains(&want)),
                "{name}: tshark {field} = {:?}, ours {want:?}",
                got.get(field)
            );
        }
        if *py {
            let v = pycrate(proto, h);
            assert_eq!(
                v["reencode_equal"]["sms"],
                Value::Bool(true),
                "{name}: pycrate"
            );
        }
    }
}

#[test]
fn tpdu_sc_to_ms_judged_by_tshark_and_pycrate() {
    judge_tpdus(
        "sms-deliver",
        tpdu::Direction::ScToMs,
        Proto::SmsDeliver,
        sc_to_ms_vectors(),
    );
}

#[test]
fn tpdu_ms_to_sc_judged_by_tshark_and_pycrate() {
    judge_tpdus(
        "sms-submit",
        tpdu::Direction::MsToSc,
        Proto::SmsSubmit,
        ms_to_sc_vectors(),
    );
}

// ------------------------------------------------------- where a judge and the spec disagree

#[test]
fn judges_faults_recorded_with_the_spec_clause() {
    // 1. TS 23.040 9.2.3.16: TP-UDL gives the length of TP-UD (octets for UCS2); a UCS2
    //    SMS-DELIVER whose TP-UDL claims 4 octets but carries 2 is malformed. tshark flags the
    //    overrun only for 7-bit text (oracles/README.md) and accepts this one; we reject it,
    //    naming TP-UDL and its offset.
    let overrun = hex::decode(
        "040c9144770009909900084210102143650004 0041"
            .replace(' ', "")
            .as_str(),
    )
    .unwrap();
    tshark("sms-deliver", &[hex::encode(&overrun)], &[]);
    let e = Tpdu::decode(&overrun, tpdu::Direction::ScToMs).unwrap_err();
    assert_eq!((e.field, e.offset), ("tp_udl", 18));

    // 2. TS 23.038 6.2.1: septet 0x00 is '@' wherever it stands; TP-UDL (6 septets) says the
    //    message ends after it. pycrate drops a final '@' (oracles/README.md); tshark and we keep
    //    it.
    let at = Tpdu::Deliver(tpdu::Deliver::new(
        Address::international("447700900999").unwrap(),
        Dcs(0),
        Timestamp::new(24, 1, 1, 12, 34, 56, 0),
        UserData::gsm7("hello@", None).unwrap(),
    ));
    let h = hex::encode(&at.encode());
    let got = &tshark("sms-deliver", std::slice::from_ref(&h), &[])[0];
    assert_eq!(got["gsm_sms.sms_text"], ["hello@"]);
    let Tpdu::Deliver(d) = &at else {
        unreachable!()
    };
    assert_eq!(d.ud.text(d.dcs).unwrap(), "hello@");
    let py = pycrate("sms-deliver", &h);
    assert_eq!(
        py["sms"]["summary"]["text"], "hello",
        "pycrate's known fault: if this changes, update oracles/README.md"
    );

    // 3. TS 23.040 9.2.3.11: the time zone is swapped BCD quarters with the sign in bit 3.
    //    -1 hour = -4 quarters = 0x48. pycrate reads the octet as binary (oracles/README.md);
    //    tshark reads it per the spec.
    let tz = Tpdu::Deliver(tpdu::Deliver::new(
        Address::international("447700900999").unwrap(),
        Dcs(0),
        Timestamp::new(24, 1, 1, 12, 0, 0, -4),
        UserData::gsm7("tz", None).unwrap(),
    ));
    let h = hex::encode(&tz.encode());
    let got = &tshark("sms-deliver", std::slice::from_ref(&h), &[])[0];
    assert_eq!(
        got["gsm_sms.scts.timezone/showname"],
        ["Timezone: GMT - 1 hours 0 minutes"]
    );
    let Tpdu::Deliver(d) = &tz else {
        unreachable!()
    };
    assert_eq!(d.scts.iso().unwrap(), "2024-01-01T12:00:00-01:00");

    // 4. Q.773: OrigTransactionID is OCTET STRING (SIZE (1..4)). tshark accepts 5 octets
    //    (oracles/README.md); we refuse them, naming the field.
    let long_tid = hex::decode("6207 4805 0102030405".replace(' ', "").as_str()).unwrap();
    tshark("tcap", &[hex::encode(&long_tid)], &["--allow-data"]);
    let e = tcap::Message::decode(&long_tid).unwrap_err();
    assert_eq!((e.field, e.offset), ("tcap.otid", 2));

    // 5. TS 29.002 17.7.8: a TBCD filler (1111) may only end an odd number of digits. tshark
    //    stops the MSISDN at a filler in a high nibble without a warning (oracles/README.md);
    //    we keep the octets exactly (the JSON shows them as hex, since no digit string gives
    //    them back) and re-emit them.
    let odd = AddressString(vec![0x91, 0x44, 0xf7, 0x00, 0x09]);
    let mut arg = gsm_map::RoutingInfoForSmArg::new(odd.clone(), true, addr("447700900000"));
    arg.msisdn = odd.clone();
    let t = begin(
        1,
        acn(AppContext::ShortMsgGateway, 3),
        invoke(45, &Argument::SendRoutingInfoForSm(arg)),
    );
    let b = over_m3ua(&t, 6, 8);
    let got = &tshark("m3ua", &[hex::encode(&b)], &[])[0];
    assert!(
        got["e164.msisdn"].contains(&"447".to_string()),
        "tshark: {:?}",
        got["e164.msisdn"]
    );
    let v = &json::decode(Proto::M3ua, &b).unwrap()[0];
    assert_eq!(v["map"]["msisdn"]["hex"], "9144f70009");
    assert_eq!(json::encode(Proto::M3ua, v).unwrap(), b);
}
