//! Wireshark (tshark 4.0 via `../shared/oracles/wsdecode.py`) as an independent judge of the
//! SMPP encoder: a batch of PDUs covering every command_id of v3.4 and v5.0 and every standard
//! TLV, plus vendor and unknown tags, is encoded by us and dissected by tshark in one run; tshark
//! must find nothing malformed, and every field it shows must carry the value of our typed PDU.
//!
//! Where tshark and the specification disagree, the specification wins and the case is a test of
//! its own below (`tshark_fault_*`), with the clause.

use bytes::Bytes;
use serde_json::{Map, Value};
use smsedge_codecs::smpp::tlv::{tag, TAGS};
use smsedge_codecs::smpp::*;
use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

const WSDECODE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/oracles/wsdecode.py"
);

/// One dissected packet: every `smpp.*` field's raw `value` (hex as tshark read it) in order.
#[derive(Debug, Default)]
struct Dissected {
    values: BTreeMap<String, Vec<String>>,
    shows: BTreeMap<String, Vec<String>>,
}

/// Runs wsdecode.py on all `frames` in one tshark run; returns (exit code, problems, packets).
fn wsdecode(frames: &[Vec<u8>]) -> (i32, Value, Vec<Dissected>) {
    let tshark = Command::new("tshark").arg("--version").output();
    assert!(
        tshark.is_ok_and(|o| o.status.success()),
        "tshark is not installed: run `eval \"$(bash ../shared/oracles/install.sh)\"` (the \
         Wireshark judge must run; this test never skips)"
    );
    let out = Command::new("python3")
        .arg(WSDECODE)
        .arg("smpp")
        .args(frames.iter().map(|f| smsedge_codecs::hex::encode(f)))
        .output()
        .unwrap_or_else(|e| panic!("cannot run {WSDECODE}: {e}"));
    let code = out.status.code().unwrap_or(-1);
    assert!(
        code == 0 || code == 1,
        "wsdecode failed to run ({code}): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "wsdecode printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let packets = v["packets"]
        .as_array()
        .expect("packets")
        .iter()
        .map(|p| {
            let mut d = Dissected::default();
            for f in p["fields"].as_array().expect("fields") {
                if f["proto"] != "smpp" {
                    continue;
                }
                let name = f["name"].as_str().unwrap_or_default().to_string();
                let value = f["value"].as_str().unwrap_or_default().to_string();
                let show = f["show"].as_str().unwrap_or_default().to_string();
                d.values.entry(name.clone()).or_default().push(value);
                d.shows.entry(name).or_default().push(show);
            }
            d
        })
        .collect();
    (code, v["problems"].clone(), packets)
}

fn hex(b: &[u8]) -> String {
    smsedge_codecs::hex::encode(b)
}

/// What tshark must show for a PDU, field name -> values in order (raw hex as tshark reads
/// them; for bit fields the masked value in hex).
#[derive(Debug, Default)]
struct Expect(BTreeMap<String, Vec<String>>);

impl Expect {
    fn put(&mut self, field: &str, value: String) {
        self.0
            .entry(format!("smpp.{field}"))
            .or_default()
            .push(value);
    }
    fn int(&mut self, field: &str, v: u64, octets: usize) {
        self.put(field, format!("{v:0width$x}", width = octets * 2));
    }
    fn bits(&mut self, field: &str, v: u64) {
        self.put(field, format!("{v:x}"));
    }
    /// A C-octet string: tshark shows only non-empty ones (service_type shows "(Default)").
    fn cstr(&mut self, field: &str, s: &str, empty_shown: bool) {
        if !s.is_empty() || empty_shown {
            let mut b = latin1_bytes(s);
            b.push(0);
            self.put(field, hex(&b));
        }
    }
}

fn latin1_bytes(s: &str) -> Vec<u8> {
    s.chars().map(|c| c as u32 as u8).collect()
}

/// Expected mandatory-parameter fields, derived from our JSON (the spec's field names).
fn expect_body(m: &Map<String, Value>, e: &mut Expect) {
    for (k, v) in m {
        match (k.as_str(), v) {
            ("number_of_dests" | "no_unsuccess", _) => {}
            ("dest_address" | "unsuccess_sme", Value::Array(list)) => {
                for entry in list {
                    let entry = entry.as_object().expect("object");
                    expect_body(entry, e);
                }
            }
            ("dest_flag", _) => {} // tshark shows no field for it
            ("esm_class", Value::Number(n)) => {
                let n = n.as_u64().unwrap();
                e.bits("esm.submit.msg_mode", n & 0x03);
                e.bits("esm.submit.msg_type", (n & 0x3c) >> 2);
                e.bits("esm.submit.features", (n & 0xc0) >> 6);
            }
            ("registered_delivery", Value::Number(n)) => {
                let n = n.as_u64().unwrap();
                e.bits("regdel.receipt", n & 0x03);
                e.bits("regdel.acks", (n & 0x0c) >> 2);
                e.bits("regdel.notif", (n & 0x10) >> 4);
            }
            ("replace_if_present_flag", Value::Number(n)) => {
                e.bits("replace_if_present_flag", n.as_u64().unwrap() & 0x01)
            }
            ("error_status_code", Value::Number(n)) => e.int(k, n.as_u64().unwrap(), 4),
            (_, Value::Number(n)) => e.int(k, n.as_u64().unwrap(), 1),
            ("short_message", Value::String(s)) => {
                if !s.is_empty() {
                    e.put("message", s.clone());
                }
            }
            ("schedule_delivery_time" | "validity_period" | "final_date", Value::String(s)) => {
                // tshark files times under smpp.X (absolute) or smpp.X_r (relative, and the
                // empty "immediate/default" value); `fold_times` folds both into smpp.X. The
                // empty final_date of query_sm_resp is not shown at all.
                if !(s.is_empty() && k == "final_date") {
                    let mut b = latin1_bytes(s);
                    b.push(0);
                    e.put(k, hex(&b));
                }
            }
            (_, Value::String(s)) => e.cstr(k, s, k == "service_type"),
            (k, v) => panic!("unexpected JSON body field {k}: {v}"),
        }
    }
}

/// Expected fields for one TLV, as tshark 4.0 dissects each standard tag.
fn expect_tlv(t: &Tlv, e: &mut Expect) {
    let v = &t.value[..];
    let whole = || hex(v);
    let int = |e: &mut Expect, f: &str| e.put(f, whole());
    match t.tag {
        tag::DEST_ADDR_SUBUNIT => int(e, "dest_addr_subunit"),
        tag::DEST_NETWORK_TYPE => int(e, "dest_network_type"),
        tag::DEST_BEARER_TYPE => int(e, "dest_bearer_type"),
        tag::DEST_TELEMATICS_ID => int(e, "dest_telematics_id"),
        tag::SOURCE_ADDR_SUBUNIT => int(e, "source_addr_subunit"),
        tag::SOURCE_NETWORK_TYPE => int(e, "source_network_type"),
        tag::SOURCE_BEARER_TYPE => int(e, "source_bearer_type"),
        tag::SOURCE_TELEMATICS_ID => int(e, "source_telematics_id"),
        tag::QOS_TIME_TO_LIVE => int(e, "qos_time_to_live"),
        tag::PAYLOAD_TYPE => int(e, "payload_type"),
        tag::ADDITIONAL_STATUS_INFO_TEXT => int(e, "additional_status_info_text"),
        tag::RECEIPTED_MESSAGE_ID => int(e, "receipted_message_id"),
        tag::MS_MSG_WAIT_FACILITIES => {
            e.bits("msg_wait.ind", u64::from(v[0] >> 7));
            e.bits("msg_wait.type", u64::from(v[0] & 0x03));
        }
        tag::PRIVACY_INDICATOR => int(e, "privacy_indicator"),
        tag::SOURCE_SUBADDRESS => int(e, "source_subaddress"),
        tag::DEST_SUBADDRESS => int(e, "dest_subaddress"),
        tag::USER_MESSAGE_REFERENCE => int(e, "user_message_reference"),
        tag::USER_RESPONSE_CODE => int(e, "user_response_code"),
        tag::SOURCE_PORT => int(e, "source_port"),
        tag::DESTINATION_PORT => int(e, "destination_port"),
        tag::SAR_MSG_REF_NUM => int(e, "sar_msg_ref_num"),
        tag::LANGUAGE_INDICATOR => int(e, "language_indicator"),
        tag::SAR_TOTAL_SEGMENTS => int(e, "sar_total_segments"),
        tag::SAR_SEGMENT_SEQNUM => int(e, "sar_segment_seqnum"),
        tag::SC_INTERFACE_VERSION => int(e, "SC_interface_version"),
        tag::CALLBACK_NUM_PRES_IND => {
            e.bits("callback_num.pres", u64::from((v[0] >> 2) & 0x03));
            e.bits("callback_num.scrn", u64::from(v[0] & 0x03));
        }
        // tshark adds these as labels without a value; presence is checked via the tag list.
        tag::CALLBACK_NUM_ATAG => e.put("callback_num_atag", String::new()),
        tag::CALLBACK_NUM => e.put("callback_num", String::new()),
        tag::NUMBER_OF_MESSAGES => int(e, "number_of_messages"),
        tag::DPF_RESULT => int(e, "dpf_result"),
        tag::SET_DPF => int(e, "set_dpf"),
        tag::MS_AVAILABILITY_STATUS => int(e, "ms_availability_status"),
        tag::NETWORK_ERROR_CODE => {
            e.put("network_error.type", hex(&v[..1]));
            e.put("network_error.code", hex(&v[1..]));
        }
        tag::MESSAGE_PAYLOAD => {
            if !v.is_empty() {
                int(e, "message_payload")
            }
        }
        tag::DELIVERY_FAILURE_REASON => int(e, "delivery_failure_reason"),
        tag::MORE_MESSAGES_TO_SEND => int(e, "more_messages_to_send"),
        tag::MESSAGE_STATE => int(e, "message_state"),
        tag::CONGESTION_STATE => int(e, "congestion_state"),
        tag::USSD_SERVICE_OP => int(e, "ussd_service_op"),
        tag::BROADCAST_CHANNEL_INDICATOR => int(e, "broadcast_channel_indicator"),
        tag::BROADCAST_CONTENT_TYPE => {
            e.put("broadcast_content_type.nw", hex(&v[..1]));
            e.put("broadcast_content_type.type", hex(&v[1..]));
        }
        tag::BROADCAST_CONTENT_TYPE_INFO => int(e, "broadcast_content_type.info"),
        tag::BROADCAST_MESSAGE_CLASS => int(e, "broadcast_message_class"),
        tag::BROADCAST_REP_NUM => {
            panic!("broadcast_rep_num: tshark reads 1 octet, see tshark_fault_broadcast_rep_num")
        }
        tag::BROADCAST_FREQUENCY_INTERVAL => {
            e.put("broadcast_frequency_interval.unit", hex(&v[..1]));
            e.put("broadcast_frequency_interval.value", hex(&v[1..]));
        }
        tag::BROADCAST_AREA_IDENTIFIER => {
            e.put("broadcast_area_identifier.format", hex(&v[..1]));
            int(e, "broadcast_area_identifier");
        }
        tag::BROADCAST_ERROR_STATUS => int(e, "broadcast_error_status"),
        tag::BROADCAST_AREA_SUCCESS => int(e, "broadcast_area_success"),
        tag::BROADCAST_END_TIME => int(e, "broadcast_end_time"),
        tag::BROADCAST_SERVICE_GROUP => int(e, "broadcast_service_group"),
        tag::BILLING_IDENTIFICATION => int(e, "billing_id"),
        tag::SOURCE_NETWORK_ID => int(e, "source_network_id"),
        tag::DEST_NETWORK_ID => int(e, "dest_network_id"),
        tag::SOURCE_NODE_ID => int(e, "source_node_id"),
        tag::DEST_NODE_ID => int(e, "dest_node_id"),
        tag::DEST_ADDR_NP_RESOLUTION => int(e, "dest_addr_np_resolution"),
        tag::DEST_ADDR_NP_INFORMATION => int(e, "dest_addr_np_info"),
        tag::DEST_ADDR_NP_COUNTRY => int(e, "dest_addr_np_country"),
        tag::DISPLAY_TIME => int(e, "display_time"),
        tag::SMS_SIGNAL => int(e, "sms_signal"),
        tag::MS_VALIDITY => int(e, "ms_validity"),
        tag::ALERT_ON_MESSAGE_DELIVERY => {
            if v.is_empty() {
                e.put("alert_on_message_delivery_null", String::new())
            } else {
                int(e, "alert_on_message_delivery_type")
            }
        }
        tag::ITS_REPLY_TYPE => int(e, "its_reply_type"),
        tag::ITS_SESSION_INFO => {
            e.put("its_session.number", hex(&v[..1]));
            e.bits("its_session.sequence", u64::from(v[1] >> 1));
            e.bits("its_session.ind", u64::from(v[1] & 0x01));
        }
        // v3.4 5.3.2: 0x1400..=0x3FFF are reserved for SMSC vendors; the rest is reserved.
        0x1400..=0x3fff => int(e, "vendor_op"),
        other => {
            assert!(
                tlv::tag_info(other).is_none(),
                "standard tag {other:#06x} has no expectation"
            );
            int(e, "reserved_op")
        }
    }
}

/// Everything tshark must show for `pdu`.
fn expect(pdu: &Pdu) -> Expect {
    let mut e = Expect::default();
    let len = pdu.encoded_len() as u64;
    e.int("command_length", len, 4);
    e.int("command_id", u64::from(pdu.command_id().to_u32()), 4);
    // tshark shows command_status only on responses.
    if pdu.command_id().is_response() {
        e.int("command_status", u64::from(pdu.command_status.0), 4);
    }
    e.int("sequence_number", u64::from(pdu.sequence_number), 4);
    let json = pdu.to_json();
    expect_body(json["body"].as_object().unwrap(), &mut e);
    for t in &pdu.tlvs {
        e.put("opt_param_tag", format!("{:04x}", t.tag));
        e.put("opt_param_len", format!("{:04x}", t.value.len()));
        expect_tlv(t, &mut e);
    }
    e
}

/// tshark fields that carry no value of their own (tree labels) or that are derived from
/// another field we compare (data_coding's DCS breakdown).
fn is_label(name: &str) -> bool {
    matches!(
        name,
        "smpp.opt_params" | "smpp.opt_param" | "smpp.dlist" | "smpp.dlist_resp"
    ) || name.starts_with("smpp.dcs")
}

/// tshark puts relative/empty times under `X_r`; fold them into `X` in wire order.
fn fold_times(d: &mut Dissected) {
    for f in [
        "schedule_delivery_time",
        "validity_period",
        "final_date",
        "broadcast_end_time",
    ] {
        if let Some(r) = d.values.remove(&format!("smpp.{f}_r")) {
            // Only one of the two exists per occurrence; order within one PDU does not mix
            // them except in submit_multi where both are schedule_delivery_time.
            d.values.entry(format!("smpp.{f}")).or_default().extend(r);
        }
    }
}

fn b(s: &str) -> Bytes {
    Bytes::copy_from_slice(s.as_bytes())
}

fn pdu(status: u32, seq: u32, body: Body, tlvs: Vec<Tlv>) -> Pdu {
    Pdu {
        command_status: CommandStatus(status),
        sequence_number: seq,
        body,
        tlvs,
    }
}

fn submit() -> SubmitSm {
    SubmitSm {
        service_type: b("CMT"),
        source_addr_ton: 5,
        source_addr_npi: 0,
        source_addr: b("Bank"),
        dest_addr_ton: 1,
        dest_addr_npi: 1,
        destination_addr: b("447700900123"),
        esm_class: 0x40,
        protocol_id: 0x7f,
        priority_flag: 1,
        schedule_delivery_time: b("240101120000000+"),
        validity_period: b("000001000000000R"),
        registered_delivery: 0x11,
        replace_if_present_flag: 1,
        data_coding: 0x04,
        sm_default_msg_id: 3,
        short_message: Bytes::from_static(&[5, 0, 3, 0x2a, 2, 1, b'h', b'i']),
    }
}

fn data_sm() -> DataSm {
    DataSm {
        service_type: b(""),
        source_addr_ton: 1,
        source_addr_npi: 1,
        source_addr: b("447700900999"),
        dest_addr_ton: 2,
        dest_addr_npi: 8,
        destination_addr: b("1234567890123456789012345678901234567890"),
        esm_class: 0x03,
        registered_delivery: 0x0d,
        data_coding: 0xf4,
    }
}

fn bind(system_type: &str) -> Bind {
    Bind {
        system_id: b("smsedge-esme"),
        password: b("secret"),
        system_type: b(system_type),
        interface_version: 0x34,
        addr_ton: 1,
        addr_npi: 1,
        address_range: b("^44[0-9]+$"),
    }
}

fn id_resp(s: &str) -> Option<MessageIdResp> {
    Some(MessageIdResp { message_id: b(s) })
}

fn u8t(t: u16, v: u8) -> Tlv {
    Tlv::u8(t, v)
}
fn u16t(t: u16, v: u16) -> Tlv {
    Tlv::u16(t, v)
}
fn raw(t: u16, v: &[u8]) -> Tlv {
    Tlv::new(t, Bytes::copy_from_slice(v))
}

/// The batch: every command of v3.4 and v5.0, and every standard TLV (except those tshark
/// misreads, which have their own tests), spread over the PDUs that carry them.
fn batch() -> Vec<(&'static str, Pdu)> {
    let receipt_text = b"id:0123456789abcdef sub:001 dlvrd:001 submit date:2401011200 done date:2401011201 stat:DELIVRD err:000 text:hello";
    let receipt = SubmitSm {
        service_type: b(""),
        source_addr_ton: 1,
        source_addr_npi: 1,
        source_addr: b("447700900123"),
        dest_addr_ton: 5,
        dest_addr_npi: 0,
        destination_addr: b("Bank"),
        esm_class: 0x04,
        short_message: Bytes::from_static(receipt_text),
        ..SubmitSm::default()
    };
    vec![
        ("generic_nack", pdu(0x03, 1, Body::GenericNack, vec![])),
        (
            "bind_receiver",
            pdu(0, 2, Body::BindReceiver(bind("VMS")), vec![]),
        ),
        (
            "bind_receiver_resp",
            pdu(
                0,
                2,
                Body::BindReceiverResp(Some(BindResp {
                    system_id: b("SMSC"),
                })),
                vec![u8t(tag::SC_INTERFACE_VERSION, 0x34)],
            ),
        ),
        (
            "bind_transmitter",
            pdu(0, 3, Body::BindTransmitter(bind("")), vec![]),
        ),
        (
            "bind_transmitter_resp",
            pdu(
                0,
                3,
                Body::BindTransmitterResp(Some(BindResp {
                    system_id: b("SMSC"),
                })),
                vec![u8t(tag::SC_INTERFACE_VERSION, 0x50)],
            ),
        ),
        (
            "bind_transmitter_resp (no body)",
            pdu(0x0e, 4, Body::BindTransmitterResp(None), vec![]),
        ),
        (
            "bind_transceiver",
            pdu(0, 5, Body::BindTransceiver(bind("OTA")), vec![]),
        ),
        (
            "bind_transceiver_resp",
            pdu(
                0,
                5,
                Body::BindTransceiverResp(Some(BindResp {
                    system_id: b("smsedge"),
                })),
                vec![],
            ),
        ),
        (
            "outbind",
            pdu(
                0,
                6,
                Body::Outbind(Outbind {
                    system_id: b("SMSC"),
                    password: b("pw"),
                }),
                vec![],
            ),
        ),
        (
            "query_sm",
            pdu(
                0,
                7,
                Body::QuerySm(QuerySm {
                    message_id: b("abc123"),
                    source_addr_ton: 1,
                    source_addr_npi: 1,
                    source_addr: b("447700900123"),
                }),
                vec![],
            ),
        ),
        (
            "query_sm_resp",
            pdu(
                0,
                7,
                Body::QuerySmResp(Some(QuerySmResp {
                    message_id: b("abc123"),
                    final_date: b("240101120000004-"),
                    message_state: 2,
                    error_code: 0,
                })),
                vec![],
            ),
        ),
        (
            "query_sm_resp (not final)",
            pdu(
                0,
                8,
                Body::QuerySmResp(Some(QuerySmResp {
                    message_id: b("x"),
                    final_date: b(""),
                    message_state: 1,
                    error_code: 7,
                })),
                vec![],
            ),
        ),
        (
            "query_sm_resp (no body)",
            pdu(0x67, 9, Body::QuerySmResp(None), vec![]),
        ),
        ("submit_sm", pdu(0, 10, Body::SubmitSm(submit()), vec![])),
        (
            "submit_sm (GSM TLVs)",
            pdu(
                0,
                11,
                Body::SubmitSm(SubmitSm {
                    short_message: Bytes::new(),
                    esm_class: 0,
                    ..submit()
                }),
                vec![
                    u8t(tag::DEST_ADDR_SUBUNIT, 1),
                    u8t(tag::DEST_NETWORK_TYPE, 1),
                    u8t(tag::DEST_BEARER_TYPE, 1),
                    u16t(tag::DEST_TELEMATICS_ID, 0x0102),
                    u8t(tag::SOURCE_ADDR_SUBUNIT, 2),
                    u8t(tag::SOURCE_NETWORK_TYPE, 1),
                    u8t(tag::SOURCE_BEARER_TYPE, 4),
                    u8t(tag::SOURCE_TELEMATICS_ID, 0x22),
                    raw(tag::QOS_TIME_TO_LIVE, &[0, 1, 0x51, 0x80]),
                    u8t(tag::PAYLOAD_TYPE, 1),
                    u8t(tag::MS_MSG_WAIT_FACILITIES, 0x82),
                    u16t(tag::USER_MESSAGE_REFERENCE, 1234),
                    u16t(tag::SOURCE_PORT, 2948),
                    u16t(tag::DESTINATION_PORT, 2948),
                    u16t(tag::SAR_MSG_REF_NUM, 0x2a2a),
                    u8t(tag::SAR_TOTAL_SEGMENTS, 3),
                    u8t(tag::SAR_SEGMENT_SEQNUM, 2),
                    u8t(tag::MORE_MESSAGES_TO_SEND, 1),
                    u8t(tag::SET_DPF, 1),
                    raw(tag::MESSAGE_PAYLOAD, &[0x00, 0x48, 0x00, 0x69]),
                ],
            ),
        ),
        (
            "submit_sm (CDMA/TDMA TLVs)",
            pdu(
                0,
                12,
                Body::SubmitSm(SubmitSm {
                    short_message: b("hello"),
                    esm_class: 0,
                    ..submit()
                }),
                vec![
                    u8t(tag::PRIVACY_INDICATOR, 2),
                    raw(tag::SOURCE_SUBADDRESS, &[0xa0, 0x31, 0x32]),
                    raw(tag::DEST_SUBADDRESS, &[0x80, 0x33]),
                    u8t(tag::USER_RESPONSE_CODE, 7),
                    u8t(tag::LANGUAGE_INDICATOR, 2),
                    u8t(tag::CALLBACK_NUM_PRES_IND, 0x05),
                    raw(tag::CALLBACK_NUM_ATAG, b"\x00Bank"),
                    u8t(tag::NUMBER_OF_MESSAGES, 4),
                    raw(tag::CALLBACK_NUM, b"\x00\x01\x01447700900999"),
                    u8t(tag::DISPLAY_TIME, 1),
                    u16t(tag::SMS_SIGNAL, 0x0007),
                    u8t(tag::MS_VALIDITY, 3),
                    raw(tag::ALERT_ON_MESSAGE_DELIVERY, &[]),
                    u8t(tag::ITS_REPLY_TYPE, 3),
                    raw(tag::ITS_SESSION_INFO, &[5, 3]),
                ],
            ),
        ),
        (
            "submit_sm (v5.0 TLVs, India DLT)",
            pdu(
                0,
                13,
                Body::SubmitSm(SubmitSm {
                    esm_class: 0,
                    ..submit()
                }),
                vec![
                    raw(tag::BILLING_IDENTIFICATION, b"\x01acct-42"),
                    Tlv::c_string(tag::SOURCE_NETWORK_ID, b"net-a"),
                    Tlv::c_string(tag::DEST_NETWORK_ID, b"net-b"),
                    raw(tag::SOURCE_NODE_ID, b"123456"),
                    raw(tag::DEST_NODE_ID, b"654321"),
                    u8t(tag::DEST_ADDR_NP_RESOLUTION, 2),
                    raw(tag::DEST_ADDR_NP_INFORMATION, b"4477009001"),
                    raw(tag::DEST_ADDR_NP_COUNTRY, b"44"),
                    u8t(tag::ALERT_ON_MESSAGE_DELIVERY, 2),
                    raw(0x1400, b"1101234567890123456"),
                    raw(0x1401, b"1107161234567890123"),
                    raw(0x2150, &[0xde, 0xad]),
                    raw(0x3fff, &[]),
                    raw(0x4000, &[1, 2, 3]),
                ],
            ),
        ),
        (
            "submit_sm_resp",
            pdu(
                0,
                10,
                Body::SubmitSmResp(id_resp("0123456789abcdef")),
                vec![],
            ),
        ),
        (
            "submit_sm_resp (throttled, no body)",
            pdu(0x58, 11, Body::SubmitSmResp(None), vec![]),
        ),
        (
            "submit_sm_resp (v5.0 TLVs)",
            pdu(
                0,
                12,
                Body::SubmitSmResp(id_resp("")),
                vec![
                    Tlv::c_string(tag::ADDITIONAL_STATUS_INFO_TEXT, b"routing failed"),
                    u8t(tag::DELIVERY_FAILURE_REASON, 3),
                    raw(tag::NETWORK_ERROR_CODE, &[3, 0, 0x11]),
                    u8t(tag::DPF_RESULT, 1),
                ],
            ),
        ),
        (
            "deliver_sm (receipt)",
            pdu(
                0,
                14,
                Body::DeliverSm(receipt),
                vec![
                    Tlv::c_string(tag::RECEIPTED_MESSAGE_ID, b"0123456789abcdef"),
                    u8t(tag::MESSAGE_STATE, 2),
                    raw(tag::NETWORK_ERROR_CODE, &[1, 0, 0]),
                ],
            ),
        ),
        (
            "deliver_sm (USSD MO)",
            pdu(
                0,
                15,
                Body::DeliverSm(SubmitSm {
                    registered_delivery: 0,
                    short_message: b("*100#"),
                    esm_class: 0,
                    ..submit()
                }),
                vec![
                    u8t(tag::USSD_SERVICE_OP, 1),
                    raw(tag::ITS_SESSION_INFO, &[1, 0]),
                ],
            ),
        ),
        (
            "deliver_sm_resp",
            pdu(0, 14, Body::DeliverSmResp(id_resp("")), vec![]),
        ),
        (
            "deliver_sm_resp (no body)",
            pdu(0x08, 15, Body::DeliverSmResp(None), vec![]),
        ),
        ("unbind", pdu(0, 16, Body::Unbind, vec![])),
        ("unbind_resp", pdu(0, 16, Body::UnbindResp, vec![])),
        (
            "replace_sm",
            pdu(
                0,
                17,
                Body::ReplaceSm(ReplaceSm {
                    message_id: b("abc123"),
                    source_addr_ton: 1,
                    source_addr_npi: 1,
                    source_addr: b("447700900123"),
                    schedule_delivery_time: b(""),
                    validity_period: b("000002000000000R"),
                    registered_delivery: 1,
                    sm_default_msg_id: 0,
                    short_message: b("new text"),
                }),
                vec![],
            ),
        ),
        (
            "replace_sm (v5.0 message_payload)",
            pdu(
                0,
                18,
                Body::ReplaceSm(ReplaceSm {
                    message_id: b("abc124"),
                    source_addr: b("1"),
                    ..ReplaceSm::default()
                }),
                vec![raw(tag::MESSAGE_PAYLOAD, b"a longer replacement")],
            ),
        ),
        (
            "replace_sm_resp",
            pdu(0x13, 17, Body::ReplaceSmResp, vec![]),
        ),
        (
            "cancel_sm",
            pdu(
                0,
                19,
                Body::CancelSm(CancelSm {
                    service_type: b("WAP"),
                    message_id: b("abc123"),
                    source_addr_ton: 1,
                    source_addr_npi: 1,
                    source_addr: b("447700900123"),
                    dest_addr_ton: 1,
                    dest_addr_npi: 1,
                    destination_addr: b("447700900999"),
                }),
                vec![],
            ),
        ),
        ("cancel_sm_resp", pdu(0, 19, Body::CancelSmResp, vec![])),
        (
            "enquire_link",
            pdu(0, 0x7fff_ffff, Body::EnquireLink, vec![]),
        ),
        (
            "enquire_link_resp",
            pdu(0, 0x7fff_ffff, Body::EnquireLinkResp, vec![]),
        ),
        (
            "submit_multi",
            pdu(
                0,
                20,
                Body::SubmitMulti(SubmitMulti {
                    service_type: b(""),
                    source_addr_ton: 1,
                    source_addr_npi: 1,
                    source_addr: b("447700900999"),
                    dest_address: vec![
                        DestAddress::Sme(SmeAddress {
                            dest_addr_ton: 1,
                            dest_addr_npi: 1,
                            destination_addr: b("447700900001"),
                        }),
                        DestAddress::DistributionList(b("friends")),
                        DestAddress::Sme(SmeAddress {
                            dest_addr_ton: 2,
                            dest_addr_npi: 1,
                            destination_addr: b("07700900002"),
                        }),
                    ],
                    tail: SmTail {
                        esm_class: 0,
                        protocol_id: 0,
                        priority_flag: 0,
                        schedule_delivery_time: b("240101120000000+"),
                        validity_period: b("000001000000000R"),
                        registered_delivery: 1,
                        replace_if_present_flag: 0,
                        data_coding: 0,
                        sm_default_msg_id: 0,
                        short_message: b("hello all"),
                    },
                }),
                vec![u16t(tag::USER_MESSAGE_REFERENCE, 7)],
            ),
        ),
        (
            "submit_multi_resp",
            pdu(
                0,
                20,
                Body::SubmitMultiResp(Some(SubmitMultiResp {
                    message_id: b("m-1"),
                    unsuccess_sme: vec![
                        UnsuccessSme {
                            dest_addr_ton: 1,
                            dest_addr_npi: 1,
                            destination_addr: b("447700900001"),
                            error_status_code: 0x0b,
                        },
                        UnsuccessSme {
                            dest_addr_ton: 2,
                            dest_addr_npi: 1,
                            destination_addr: b("07700900002"),
                            error_status_code: 0x45,
                        },
                    ],
                })),
                vec![],
            ),
        ),
        (
            "submit_multi_resp (all delivered)",
            pdu(
                0,
                21,
                Body::SubmitMultiResp(Some(SubmitMultiResp {
                    message_id: b("m-2"),
                    unsuccess_sme: vec![],
                })),
                vec![],
            ),
        ),
        (
            "alert_notification",
            pdu(
                0,
                22,
                Body::AlertNotification(AlertNotification {
                    source_addr_ton: 1,
                    source_addr_npi: 1,
                    source_addr: b("447700900123"),
                    esme_addr_ton: 0,
                    esme_addr_npi: 0,
                    esme_addr: b("smsedge"),
                }),
                vec![u8t(tag::MS_AVAILABILITY_STATUS, 0)],
            ),
        ),
        (
            "data_sm",
            pdu(
                0,
                23,
                Body::DataSm(data_sm()),
                vec![raw(tag::MESSAGE_PAYLOAD, b"payload only")],
            ),
        ),
        (
            "data_sm (WAP)",
            pdu(
                0,
                24,
                Body::DataSm(DataSm {
                    service_type: b("WAP"),
                    ..data_sm()
                }),
                vec![
                    u16t(tag::SOURCE_PORT, 1234),
                    u16t(tag::DESTINATION_PORT, 5678),
                    u8t(tag::PAYLOAD_TYPE, 0),
                    raw(tag::MESSAGE_PAYLOAD, &[0x01, 0x06, 0x03]),
                ],
            ),
        ),
        (
            "data_sm_resp",
            pdu(
                0,
                23,
                Body::DataSmResp(id_resp("d-1")),
                vec![Tlv::c_string(tag::ADDITIONAL_STATUS_INFO_TEXT, b"ok")],
            ),
        ),
        (
            "data_sm_resp (congestion)",
            pdu(
                0,
                24,
                Body::DataSmResp(id_resp("")),
                vec![
                    u8t(tag::CONGESTION_STATE, 90),
                    u8t(tag::DELIVERY_FAILURE_REASON, 0),
                ],
            ),
        ),
        (
            "broadcast_sm",
            pdu(
                0,
                25,
                Body::BroadcastSm(BroadcastSm {
                    service_type: b(""),
                    source_addr_ton: 1,
                    source_addr_npi: 1,
                    source_addr: b("112"),
                    message_id: b(""),
                    priority_flag: 1,
                    schedule_delivery_time: b(""),
                    validity_period: b("000001000000000R"),
                    replace_if_present_flag: 0,
                    data_coding: 0,
                    sm_default_msg_id: 0,
                }),
                vec![
                    raw(tag::BROADCAST_AREA_IDENTIFIER, b"\x00London"),
                    raw(tag::BROADCAST_CONTENT_TYPE, &[1, 0, 0x10]),
                    raw(tag::BROADCAST_FREQUENCY_INTERVAL, &[0x09, 0, 5]),
                    u8t(tag::BROADCAST_CHANNEL_INDICATOR, 1),
                    raw(tag::BROADCAST_CONTENT_TYPE_INFO, &[1, 2]),
                    u8t(tag::BROADCAST_MESSAGE_CLASS, 2),
                    raw(tag::BROADCAST_SERVICE_GROUP, &[0x11, 0x22]),
                    raw(tag::MESSAGE_PAYLOAD, b"storm warning"),
                ],
            ),
        ),
        (
            "broadcast_sm_resp",
            pdu(0, 25, Body::BroadcastSmResp(id_resp("b-1")), vec![]),
        ),
        (
            "broadcast_sm_resp (failed areas)",
            pdu(
                0,
                26,
                Body::BroadcastSmResp(id_resp("")),
                vec![
                    raw(tag::BROADCAST_ERROR_STATUS, &[0, 0, 1, 0x09]),
                    raw(tag::BROADCAST_AREA_IDENTIFIER, b"\x01\x00\x01\x02"),
                ],
            ),
        ),
        (
            "query_broadcast_sm",
            pdu(
                0,
                27,
                Body::QueryBroadcastSm(QueryBroadcastSm {
                    message_id: b("b-1"),
                    source_addr_ton: 1,
                    source_addr_npi: 1,
                    source_addr: b("112"),
                }),
                vec![u16t(tag::USER_MESSAGE_REFERENCE, 9)],
            ),
        ),
        (
            "query_broadcast_sm_resp",
            pdu(
                0,
                27,
                Body::QueryBroadcastSmResp(id_resp("b-1")),
                vec![
                    u8t(tag::MESSAGE_STATE, 1),
                    raw(tag::BROADCAST_AREA_IDENTIFIER, b"\x00London"),
                    u8t(tag::BROADCAST_AREA_SUCCESS, 100),
                    raw(tag::BROADCAST_END_TIME, b"240102120000000+\x00"),
                ],
            ),
        ),
        (
            "cancel_broadcast_sm",
            pdu(
                0,
                28,
                Body::CancelBroadcastSm(CancelBroadcastSm {
                    service_type: b(""),
                    message_id: b("b-1"),
                    source_addr_ton: 1,
                    source_addr_npi: 1,
                    source_addr: b("112"),
                }),
                vec![raw(tag::BROADCAST_CONTENT_TYPE, &[1, 0, 0x10])],
            ),
        ),
        (
            "cancel_broadcast_sm_resp",
            pdu(0, 28, Body::CancelBroadcastSmResp, vec![]),
        ),
    ]
}

/// Tags whose value tshark 4.0 misreads; tested against the spec in `tshark_fault_*`.
const TSHARK_FAULTS: &[u16] = &[tag::BROADCAST_REP_NUM];

#[test]
fn batch_covers_every_command_and_every_tlv() {
    let cases = batch();
    assert!(cases.len() >= 40, "only {} PDUs", cases.len());
    let ids: BTreeSet<u32> = cases.iter().map(|(_, p)| p.command_id().to_u32()).collect();
    let all: Vec<u32> = (0..0x200u32)
        .flat_map(|v| [v, v | 0x8000_0000])
        .filter(|&v| !matches!(CommandId::from_u32(v), CommandId::Unknown(_)))
        .collect();
    // 17 requests, 15 responses (outbind and alert_notification have none), generic_nack.
    assert_eq!(all.len(), 33, "v3.4 + v5.0 define 33 command_ids");
    let missing: Vec<String> = all
        .iter()
        .filter(|v| !ids.contains(v))
        .map(|v| CommandId::from_u32(*v).to_string())
        .collect();
    assert!(missing.is_empty(), "commands not in the batch: {missing:?}");
    let tags: BTreeSet<u16> = cases
        .iter()
        .flat_map(|(_, p)| p.tlvs.iter().map(|t| t.tag))
        .chain(TSHARK_FAULTS.iter().copied())
        .collect();
    let missing: Vec<&str> = TAGS
        .iter()
        .filter(|i| !tags.contains(&i.tag))
        .map(|i| i.name)
        .collect();
    assert!(missing.is_empty(), "TLVs not in the batch: {missing:?}");
    assert!(
        tags.contains(&0x1400) && tags.contains(&0x1401),
        "India DLT vendor tags"
    );
    // Every case is a valid PDU by our own decoder too, and round-trips.
    for (name, p) in &cases {
        let bytes = p.to_vec();
        assert_eq!(&Pdu::decode_slice(&bytes).unwrap(), p, "{name}");
    }
}

#[test]
fn wireshark_agrees_with_every_field() {
    let cases = batch();
    let frames: Vec<Vec<u8>> = cases.iter().map(|(_, p)| p.to_vec()).collect();
    let (code, problems, packets) = wsdecode(&frames);
    assert_eq!(code, 0, "tshark found problems: {problems}");
    assert_eq!(packets.len(), cases.len());
    let mut failures = Vec::new();
    for ((name, p), mut d) in cases.iter().zip(packets) {
        fold_times(&mut d);
        let want = expect(p);
        for (field, values) in &want.0 {
            let got = d.values.get(field).cloned().unwrap_or_default();
            if &got != values {
                failures.push(format!("{name}: {field}: tshark {got:?}, ours {values:?}"));
            }
        }
        // Nothing tshark found that we did not put there.
        for field in d.values.keys() {
            if !want.0.contains_key(field) && !is_label(field) {
                failures.push(format!(
                    "{name}: tshark shows {field} = {:?}, which we did not expect",
                    d.shows.get(field).unwrap_or(&d.values[field])
                ));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// A PDU with one TLV, for the single-tag cases below.
fn data_sm_with(tlvs: Vec<Tlv>) -> Pdu {
    pdu(0, 99, Body::DataSm(data_sm()), tlvs)
}

/// broadcast_rep_num is two octets (SMPP v5.0 4.8.4.13: "Integer, 2"); tshark 4.0 reads one
/// (oracles/README.md). The spec wins: we keep and re-emit the two octets, read them as a u16,
/// and refuse a one-octet value as ESME_RINVTLVLEN. tshark's misreading is asserted so this test
/// notices the day Wireshark fixes it.
#[test]
fn tshark_fault_broadcast_rep_num() {
    let p = data_sm_with(vec![Tlv::u16(tag::BROADCAST_REP_NUM, 0x0102)]);
    let bytes = p.to_vec();
    let back = Pdu::decode_slice(&bytes).unwrap();
    assert_eq!(
        back.tlv(tag::BROADCAST_REP_NUM).unwrap().as_u16(),
        Some(0x0102)
    );
    assert_eq!(back.to_vec(), bytes);
    let (code, _, packets) = wsdecode(&[bytes]);
    assert_eq!(
        code, 1,
        "tshark no longer misreads broadcast_rep_num: move it into the batch"
    );
    assert_eq!(packets[0].values["smpp.broadcast_rep_num"], ["01"]);
    // One octet is what tshark expects, and what the spec refuses.
    let one = data_sm_with(vec![Tlv::u8(tag::BROADCAST_REP_NUM, 1)]).to_vec();
    let e = Pdu::decode_slice(&one).unwrap_err();
    assert_eq!(error_status(&e), CommandStatus::ESME_RINVTLVLEN);
    let (code, _, _) = wsdecode(&[one]);
    assert_eq!(code, 0);
}

/// ms_validity is one octet, or four with the validity information (SMPP v5.0 4.8.4.41:
/// behaviour, then time unit and a 2-octet number for behaviour 4 "relative time"). tshark 4.0
/// reads only the first octet and then parses the other three as a broken TLV. The spec wins:
/// we accept and re-emit the four octets.
#[test]
fn tshark_fault_ms_validity_relative_form() {
    let p = data_sm_with(vec![raw(tag::MS_VALIDITY, &[4, 2, 0, 0x10])]);
    let bytes = p.to_vec();
    assert_eq!(Pdu::decode_slice(&bytes).unwrap(), p);
    let (code, problems, packets) = wsdecode(&[bytes]);
    assert_eq!(
        code, 1,
        "tshark now reads the 4-octet ms_validity: move it into the batch"
    );
    assert!(problems.to_string().contains("Malformed"), "{problems}");
    assert_eq!(packets[0].values["smpp.ms_validity"], ["04"]);
}

/// source_telematics_id: v3.4 5.3.2.8 gives one octet and tshark 4.0 reads one; v5.0 4.8.4.x
/// (and smpplib, which uses 2) give two, like dest_telematics_id. We accept both lengths and
/// keep the octets as they came; the one-octet form is in the batch, the two-octet form is
/// where tshark disagrees.
#[test]
fn tshark_fault_source_telematics_id_two_octets() {
    let p = data_sm_with(vec![Tlv::u16(tag::SOURCE_TELEMATICS_ID, 0x0200)]);
    let bytes = p.to_vec();
    assert_eq!(Pdu::decode_slice(&bytes).unwrap(), p);
    let (code, _, packets) = wsdecode(&[bytes]);
    assert_eq!(code, 1, "tshark now reads a 2-octet source_telematics_id");
    assert_eq!(packets[0].values["smpp.source_telematics_id"], ["02"]);
}

/// A TLV running past the end of the PDU: v3.4 5.3 (table 5-2 ESME_RINVOPTPARSTREAM) makes it
/// an error and we refuse it with 0xC0; tshark 4.0 agrees here (it throws on the short read)
/// although oracles/README.md lists overruns it misses, so this is checked, not assumed.
#[test]
fn tlv_overrun_both_judges_refuse() {
    let mut bytes = data_sm_with(vec![Tlv::c_string(tag::RECEIPTED_MESSAGE_ID, b"abc")]).to_vec();
    let n = bytes.len();
    assert_eq!(&bytes[n - 8..n - 4], &[0x00, 0x1e, 0x00, 0x04]);
    bytes[n - 5] = 9; // length 4 -> 9 with 4 octets left
    let e = Pdu::decode_slice(&bytes).unwrap_err();
    assert_eq!((e.field, e.offset), ("tlv", n - 8));
    assert_eq!(error_status(&e), CommandStatus::ESME_RINVTLVSTREAM);
    let (code, problems, _) = wsdecode(&[bytes]);
    assert_eq!(code, 1, "tshark accepted a TLV overrun: {problems}");
}

/// submit_sm_resp / deliver_sm_resp / data_sm_resp with command_status 0 and no body: v3.4
/// 4.4.2, 4.6.2 and 4.7.2 make message_id mandatory (NULL in deliver_sm_resp) and tshark calls
/// such a PDU malformed. Both judges refuse it; we deliberately accept it (Postel): ESMEs send
/// deliver_sm_resp without a body (cloudhopper corpus decodeDeliverSmRespWithNoMessageId,
/// decodeSubmitSmRespWithNoMessageId) and refusing the response would make the SMSC retry a
/// receipt that was delivered. It is kept as "no body" and re-emitted as the same 16 octets.
#[test]
fn ok_response_without_body_is_a_deviation_we_accept() {
    for id in [
        CommandId::SubmitSmResp,
        CommandId::DeliverSmResp,
        CommandId::DataSmResp,
    ] {
        let mut bytes = Vec::new();
        smsedge_codecs::smpp::header::put_header_only(&mut bytes, id.to_u32(), 0, 42);
        let p = Pdu::decode_slice(&bytes).unwrap();
        assert_eq!(p.to_vec(), bytes);
        let (code, _, _) = wsdecode(&[bytes]);
        assert_eq!(code, 1, "{id}: tshark now accepts an empty OK response");
    }
}

/// tshark 4.0 does not dissect the body of a response whose command_status is not 0, and does
/// not flag the octets it skipped. The spec puts information exactly there: v3.4 4.7.2 gives
/// data_sm_resp the TLVs delivery_failure_reason, network_error_code,
/// additional_status_info_text and dpf_result, which only mean something on failure, and v5.0
/// 4.4.2 gives broadcast_sm_resp broadcast_error_status and failed_broadcast_area_identifier.
/// The spec wins: we decode and keep the body and TLVs of an error response.
#[test]
fn tshark_fault_error_response_body_not_dissected() {
    let cases = [
        pdu(
            0x45,
            1,
            Body::SubmitSmResp(id_resp("")),
            vec![
                Tlv::c_string(tag::ADDITIONAL_STATUS_INFO_TEXT, b"routing failed"),
                u8t(tag::DELIVERY_FAILURE_REASON, 3),
            ],
        ),
        pdu(
            0xfe,
            2,
            Body::DataSmResp(id_resp("")),
            vec![
                u8t(tag::DELIVERY_FAILURE_REASON, 0),
                raw(tag::NETWORK_ERROR_CODE, &[3, 0, 0x11]),
            ],
        ),
        pdu(
            0x10d,
            3,
            Body::BroadcastSmResp(id_resp("")),
            vec![
                raw(tag::BROADCAST_ERROR_STATUS, &[0, 0, 1, 0x09]),
                raw(tag::BROADCAST_AREA_IDENTIFIER, b"\x01\x00\x01\x02"),
            ],
        ),
    ];
    let frames: Vec<Vec<u8>> = cases.iter().map(Pdu::to_vec).collect();
    for (p, f) in cases.iter().zip(&frames) {
        let back = Pdu::decode_slice(f).unwrap();
        assert_eq!(&back, p);
        assert_eq!(back.tlvs.len(), 2);
    }
    let (code, problems, packets) = wsdecode(&frames);
    assert_eq!(code, 0, "{problems}");
    for (p, d) in cases.iter().zip(packets) {
        assert_eq!(
            d.values["smpp.command_status"],
            [format!("{:08x}", p.command_status.0)]
        );
        assert!(
            !d.values.contains_key("smpp.opt_param_tag"),
            "tshark now dissects error-response TLVs: move {} into the batch",
            p.command_id()
        );
    }
}
