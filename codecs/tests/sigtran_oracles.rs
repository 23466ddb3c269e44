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
            p["by_name"]
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
                .collect()
        })
        .collect()
}

/// Runs pycrate_decode.py: it must decode `hex` and re-encode the same bytes.
fn pycrate(layer: &str, hex: &str) -> Value {
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
    assert!(
        out.status.success(),
        "pycrate rejected {layer} {hex}: {} {}",
        v["error"],
        v["reencode_equal"]
    );
    v
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
