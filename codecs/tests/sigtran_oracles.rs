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
