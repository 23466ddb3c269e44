//! `smsedge pdu decode|encode smpp` as operators run it: the built binary, its JSON against
//! the shape INTERFACES.md promises, `encode(decode(x)) == x` over the cloudhopper corpus, and
//! exit 1 with `{"error": ...}` naming the field and offset for malformed input.

use serde_json::{json, Value};
use std::io::Write;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_smsedge");
const TSV: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/corpus/smpp/cloudhopper-vectors.tsv"
);

fn smsedge(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run smsedge");
    let mut pipe = child.stdin.take().unwrap();
    if let Some(s) = stdin {
        pipe.write_all(s.as_bytes()).unwrap();
    }
    drop(pipe);
    child.wait_with_output().unwrap()
}

fn lines(o: &Output) -> Vec<Value> {
    String::from_utf8(o.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

fn decode(hex: &str) -> Output {
    smsedge(&["pdu", "decode", "smpp", hex], None)
}

fn keys(v: &Value) -> Vec<&str> {
    v.as_object().unwrap().keys().map(String::as_str).collect()
}

/// The example of INTERFACES.md "JSON from `smsedge pdu decode smpp`", built as octets.
#[test]
fn decode_prints_the_interfaces_md_shape() {
    let hex = concat!(
        "0000003f",
        "00000004",
        "00000000",
        "00004fe8",
        "00",
        "0101",
        "343034303400",
        "0101",
        "343439353133363139323000",
        "00",
        "00",
        "01",
        "00",
        "00",
        "01",
        "00",
        "00",
        "00",
        "08",
        "4024232125262f3a",
        "02040002",
        "04d2"
    );
    let out = decode(hex);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got = lines(&out);
    assert_eq!(got.len(), 1);
    // INTERFACES.md prints command_length 57, which is the PDU without its TLV; with the
    // user_message_reference TLV the example is 63 octets, and decode prints the real length.
    let want = json!({"command_length": 63, "command_id": "submit_sm", "command_status": 0, "sequence_number": 20456,
        "body": {"service_type": "", "source_addr_ton": 1, "source_addr_npi": 1, "source_addr": "40404",
                 "dest_addr_ton": 1, "dest_addr_npi": 1, "destination_addr": "44951361920",
                 "esm_class": 0, "protocol_id": 0, "priority_flag": 1, "schedule_delivery_time": "",
                 "validity_period": "", "registered_delivery": 1, "replace_if_present_flag": 0,
                 "data_coding": 0, "sm_default_msg_id": 0, "sm_length": 8, "short_message": "4024232125262f3a"},
        "tlvs": [{"tag": "0x0204", "name": "user_message_reference", "value": "04d2"}]});
    assert_eq!(got[0], want);
    // Same keys in the same (wire) order as the documented example.
    assert_eq!(keys(&got[0]), keys(&want));
    assert_eq!(keys(&got[0]["body"]), keys(&want["body"]));
    assert_eq!(keys(&got[0]["tlvs"][0]), ["tag", "name", "value"]);
    // And back.
    let enc = smsedge(&["pdu", "encode", "smpp", &got[0].to_string()], None);
    assert_eq!(enc.status.code(), Some(0));
    assert_eq!(String::from_utf8(enc.stdout).unwrap().trim(), hex);
}

#[test]
fn names_unknown_ids_tags_and_lists_as_documented() {
    // submit_multi with an SME and a distribution list, then an unknown command_id 0x110,
    // then a submit_sm carrying India DLT 0x1400 (no spec name: null).
    let multi = concat!(
        "0000002b", "00000021", "00000000", "00000001", "00", "0101", "3100", "02", "01", "0101",
        "3200", "02", "646c00", "00", "00", "00", "00", "00", "01", "00", "00", "00", "02", "6869"
    );
    let unknown = "0000001100000110000000000000000a0f";
    let dlt = concat!(
        "0000002a", "00000004", "00000000", "00000002", "00", "0000", "3100", "0000", "3200",
        "000000", "00", "00", "000000", "00", "00", "14000003", "313233"
    );
    let out = decode(&format!("{multi} {unknown} {dlt}"));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let v = lines(&out);
    assert_eq!(v.len(), 3);
    assert_eq!(v[0]["command_id"], "submit_multi");
    assert_eq!(
        v[0]["body"]["dest_address"],
        json!([{"dest_flag": 1, "dest_addr_ton": 1, "dest_addr_npi": 1, "destination_addr": "2"},
               {"dest_flag": 2, "dl_name": "dl"}])
    );
    assert_eq!(v[1]["command_id"], "0x00000110");
    assert_eq!(v[1]["body"], json!({"raw": "0f"}));
    assert_eq!(
        v[2]["tlvs"],
        json!([{"tag": "0x1400", "name": null, "value": "313233"}])
    );
    // All three back, in one call through stdin.
    let input: String = v.iter().map(|x| x.to_string() + "\n").collect();
    let enc = smsedge(&["pdu", "encode", "smpp", "-"], Some(&input));
    assert_eq!(enc.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(enc.stdout).unwrap().trim(),
        format!("{multi}{unknown}{dlt}")
    );
}

/// encode(decode(x)) == x through the binary for every corpus vector that is a whole PDU the
/// proxy accepts; the rest exit 1 with an error.
#[test]
fn corpus_round_trips_through_the_cli() {
    let text = std::fs::read_to_string(TSV).expect("corpus");
    let mut n = 0;
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let mut f = line.split('\t');
        let (name, hex) = (f.next().unwrap(), f.next().unwrap());
        let out = decode(hex);
        let v = lines(&out);
        if out.status.code() == Some(1) {
            assert!(v.last().unwrap()["error"].is_string(), "{name}: {v:?}");
            continue;
        }
        assert_eq!(out.status.code(), Some(0), "{name}");
        let input: String = v.iter().map(|x| x.to_string() + "\n").collect();
        let enc = smsedge(&["pdu", "encode", "smpp", "-"], Some(&input));
        assert_eq!(
            enc.status.code(),
            Some(0),
            "{name}: {}",
            String::from_utf8_lossy(&enc.stdout)
        );
        assert_eq!(String::from_utf8(enc.stdout).unwrap().trim(), hex, "{name}");
        n += 1;
    }
    assert!(n >= 75, "only {n} vectors round-tripped");
}

fn error_of(out: &Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let v = lines(out);
    let last = v.last().expect("an error line");
    assert_eq!(keys(last), ["error"]);
    last["error"].as_str().unwrap().to_string()
}

#[test]
fn malformed_input_exits_1_naming_field_and_offset() {
    // sm_length 16 with 8 octets left (cloudhopper ...InvalidShortMessageLength): sm_length
    // is at offset 48.
    let bad_sm = "00000039000000050000000000000001000101393939393139393134353933000000363436340000000000000000080010c1e1e9edf3faf1fc";
    assert_eq!(
        error_of(&decode(bad_sm)),
        "short_message: length mismatch at offset 48"
    );
    // The same after an enquire_link: the offset counts from the start of the input, and the
    // good PDU before it is still printed.
    let out = decode(&format!("0000001000000015000000000a342ee7{bad_sm}"));
    assert_eq!(
        error_of(&out),
        "short_message: length mismatch at offset 64"
    );
    assert_eq!(lines(&out)[0]["command_id"], "enquire_link");
    // message_id without NUL.
    assert_eq!(
        error_of(&decode("0000001180000004000000000a342ee139")),
        "message_id: missing NUL terminator at offset 16"
    );
    // TLV running past the PDU.
    let e = error_of(&decode(
        "0000001a800000090000000000039943534d5343000210000534",
    ));
    assert_eq!(e, "tlv: length mismatch at offset 21");
    // Truncated input and hostile command_length.
    assert!(error_of(&decode("0000001000000015000000000a342e")).starts_with("command_length:"));
    assert!(error_of(&decode("0000000f00000015000000000a342ee7")).starts_with("command_length:"));
    // Not hex, unknown protocol, no input.
    assert!(error_of(&decode("zz")).starts_with("input:"));
    assert!(error_of(&smsedge(&["pdu", "decode", "smtp", "00"], None)).contains("unknown protocol"));
    assert_eq!(
        error_of(&smsedge(&["pdu", "decode", "smpp", "-"], Some(""))),
        "no input"
    );
}

#[test]
fn bad_json_exits_1_naming_the_field() {
    let enc = |j: &str| smsedge(&["pdu", "encode", "smpp", j], None);
    assert!(error_of(&enc("{")).starts_with("input is not JSON"));
    assert_eq!(
        error_of(&enc(
            r#"{"command_id": "submit_sm_resp", "sequence_number": 1, "body": {"message_id": 5}}"#
        )),
        "body.message_id: must be a string"
    );
    assert!(
        error_of(&enc(r#"{"command_id": "bogus_sm", "sequence_number": 1}"#))
            .starts_with("command_id:")
    );
    assert!(error_of(&enc(
        r#"{"command_id": "enquire_link", "sequence_number": 1, "command_length": 17}"#
    ))
    .starts_with("command_length:"));
    assert!(error_of(&enc(
        r#"{"command_id": "submit_sm_resp", "sequence_number": 1, "body": {"message_id": ""}, "tlvs": [{"tag": "0x0427", "value": "0102"}]}"#
    ))
    .contains("message_state must be 1..=1 octets"));
}
