//! The SMPP codec against the bytes real SMPP software produces: python-smpplib 2.2.4 and node
//! `smpp` 0.5.1 build every PDU they know (tests/peers/*.{py,js}, run here through the installed
//! oracles). For each one we must decode the values the library was asked to encode, and
//! re-encode exactly the library's octets: `encode(decode(x)) == x`.
//!
//! Where a library breaks the spec (its "quirk"), the spec wins and the test says which status
//! the proxy answers with.

use serde_json::{Map, Value};
use smsedge_codecs::smpp::{error_status, tlv, CommandId, CommandStatus, Pdu};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

const ORACLES_HOME: &str = "/tmp/smsedge-oracles";

fn oracles_home() -> String {
    std::env::var("ORACLES_HOME").unwrap_or_else(|_| ORACLES_HOME.into())
}

fn must_exist(p: PathBuf, what: &str) -> PathBuf {
    assert!(
        p.exists(),
        "{what} not found at {} -- install the oracles first: \
         eval \"$(bash ../shared/oracles/install.sh)\" (this test never skips)",
        p.display()
    );
    p
}

/// Runs a peer script and parses its JSON lines.
fn run(mut cmd: Command, what: &str) -> Vec<Value> {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let v: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{what}: {e}: {l}")))
        .collect();
    assert!(!v.is_empty(), "{what} printed nothing");
    v
}

fn smpplib_vectors() -> Vec<Value> {
    let py = std::env::var("ORACLE_PY")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(oracles_home()).join("venv/bin/python"));
    let py = must_exist(py, "the oracle python (ORACLE_PY) with smpplib");
    let mut cmd = Command::new(py);
    cmd.arg(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/peers/smpplib_pdus.py"
    ));
    run(cmd, "smpplib_pdus.py")
}

fn node_vectors() -> Vec<Value> {
    let node_path = std::env::var("NODE_PATH")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(oracles_home()).join("node/node_modules"));
    must_exist(
        node_path.join("smpp/lib/pdu.js"),
        "node smpp 0.5.1 (NODE_PATH)",
    );
    let mut cmd = Command::new("node");
    cmd.env("NODE_PATH", &node_path)
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/peers/node_pdus.js"));
    run(cmd, "node_pdus.js")
}

/// The spec name of a TLV as a library spells it.
fn tag_of(name: &str) -> u16 {
    let spec = match name {
        // node smpp says dest_port; v3.4 5.3.2.21 calls it destination_port.
        "dest_port" => "destination_port",
        n => n,
    };
    tlv::tag_by_name(spec).unwrap_or_else(|| panic!("{name} is not a standard TLV name"))
}

/// Compares the library's intended field values with our decoded JSON body.
fn check_fields(
    want: &Map<String, Value>,
    ours: &Map<String, Value>,
    at: &str,
    errs: &mut Vec<String>,
) {
    for (k, v) in want {
        let Some(got) = ours.get(k) else {
            errs.push(format!("{at}: we have no field {k}"));
            continue;
        };
        match (v, got) {
            (Value::Array(w), Value::Array(g)) => {
                if w.len() != g.len() {
                    errs.push(format!("{at}: {k}: {} entries, ours {}", w.len(), g.len()));
                    continue;
                }
                for (i, (w, g)) in w.iter().zip(g).enumerate() {
                    check_fields(
                        w.as_object().unwrap(),
                        g.as_object().unwrap(),
                        &format!("{at}: {k}[{i}]"),
                        errs,
                    );
                }
            }
            (w, g) if w == g => {}
            (w, g) => errs.push(format!("{at}: {k}: library {w}, ours {g}")),
        }
    }
}

fn check_tlvs(want: &[Value], pdu: &Pdu, at: &str, errs: &mut Vec<String>) {
    if want.len() != pdu.tlvs.len() {
        errs.push(format!(
            "{at}: {} TLVs, ours {}",
            want.len(),
            pdu.tlvs.len()
        ));
        return;
    }
    for (w, t) in want.iter().zip(&pdu.tlvs) {
        let name = w["name"].as_str().unwrap();
        if t.tag != tag_of(name) {
            errs.push(format!("{at}: TLV {name}: ours has tag {:#06x}", t.tag));
            continue;
        }
        let v = &t.value[..];
        let ok = match w["type"].as_str().unwrap() {
            ty @ ("int1" | "int2" | "int4") => {
                let n: usize = ty[3..].parse().unwrap();
                v.len() == n
                    && v.iter().fold(0u64, |a, &b| a << 8 | u64::from(b))
                        == w["value"].as_u64().unwrap()
            }
            "cstring" => {
                let mut s: Vec<u8> = w["value"].as_str().unwrap().bytes().collect();
                s.push(0);
                v == &s[..]
            }
            "octets" => smsedge_codecs::hex::encode(v) == w["value"].as_str().unwrap(),
            other => panic!("type {other}"),
        };
        if !ok {
            errs.push(format!(
                "{at}: TLV {name}: library {}, ours {}",
                w["value"],
                smsedge_codecs::hex::encode(v)
            ));
        }
    }
}

/// Decodes, compares and re-encodes every vector; returns the command_ids seen.
fn judge(peer: &str, vectors: &[Value]) -> BTreeSet<u32> {
    let mut errs = Vec::new();
    let mut ids = BTreeSet::new();
    for v in vectors {
        let at = format!("{peer} {}", v["name"].as_str().unwrap());
        let bytes = smsedge_codecs::hex::decode(v["hex"].as_str().unwrap()).unwrap();
        if let Some(quirk) = v["quirk"].as_str() {
            // The library breaks a length rule of the spec: the proxy refuses the PDU with
            // ESME_RINVTLVLEN (v3.4 5.1.3 ESME_RINVPARLEN) instead of forwarding it.
            match Pdu::decode_slice(&bytes) {
                Ok(_) => errs.push(format!("{at}: accepted although {quirk}")),
                Err(e) if error_status(&e) == CommandStatus::ESME_RINVTLVLEN => {}
                Err(e) => errs.push(format!("{at}: {e} ({})", error_status(&e))),
            }
            continue;
        }
        let pdu = match Pdu::decode_slice(&bytes) {
            Ok(p) => p,
            Err(e) => {
                errs.push(format!("{at}: refused: {e}"));
                continue;
            }
        };
        ids.insert(pdu.command_id().to_u32());
        if pdu.to_vec() != bytes {
            errs.push(format!(
                "{at}: re-encoded differently\n  theirs {}\n  ours   {}",
                v["hex"].as_str().unwrap(),
                smsedge_codecs::hex::encode(&pdu.to_vec())
            ));
        }
        if u64::from(pdu.sequence_number) != v["sequence_number"].as_u64().unwrap() {
            errs.push(format!("{at}: sequence_number {}", pdu.sequence_number));
        }
        if u64::from(pdu.command_status.0) != v["command_status"].as_u64().unwrap() {
            errs.push(format!("{at}: command_status {:?}", pdu.command_status));
        }
        let json = pdu.to_json();
        check_fields(
            v["fields"].as_object().unwrap(),
            json["body"].as_object().unwrap(),
            &at,
            &mut errs,
        );
        check_tlvs(v["tlvs"].as_array().unwrap(), &pdu, &at, &mut errs);
        // And through the JSON form of `smsedge pdu`: JSON -> PDU -> the same octets.
        match Pdu::from_json(&json) {
            Ok(p) if p.to_vec() == bytes => {}
            Ok(_) => errs.push(format!("{at}: JSON round trip changed the octets")),
            Err(e) => errs.push(format!("{at}: our own JSON refused: {e}")),
        }
    }
    assert!(errs.is_empty(), "\n{}", errs.join("\n"));
    ids
}

#[test]
fn smpplib_pdus_round_trip() {
    let vectors = smpplib_vectors();
    let ids = judge("smpplib", &vectors);
    // Everything smpplib 2.2.4 can build (command.factory): 20 command_ids.
    assert_eq!(ids.len(), 20, "{ids:x?}");
    assert!(
        vectors.iter().filter(|v| !v["quirk"].is_null()).count() >= 2,
        "the quirk cases went missing"
    );
}

#[test]
fn node_smpp_pdus_round_trip() {
    let vectors = node_vectors();
    let ids = judge("node smpp", &vectors);
    // node smpp knows every command of v3.4 and v5.0.
    let all: BTreeSet<u32> = (0..0x200u32)
        .flat_map(|v| [v, v | 0x8000_0000])
        .filter(|&v| !matches!(CommandId::from_u32(v), CommandId::Unknown(_)))
        .collect();
    assert_eq!(ids, all);
    // And every standard TLV it defines, broadcast ones included.
    let tags: BTreeSet<u16> = vectors
        .iter()
        .flat_map(|v| v["tlvs"].as_array().unwrap().iter())
        .map(|t| tag_of(t["name"].as_str().unwrap()))
        .collect();
    assert!(tags.len() >= 60, "only {} TLV tags", tags.len());
}
