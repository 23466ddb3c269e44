#!/usr/bin/env python3
"""Every PDU python-smpplib 2.2.4 can build, as that library builds it.

Run with $ORACLE_PY (the oracle venv). Prints one JSON object per line:
  {"name": ..., "hex": <the octets smpplib generated>,
   "fields": {mandatory field: value smpplib was asked to encode},
   "tlvs": [{"name", "type": "int1|int2|int4|cstring|octets", "value"}],
   "quirk": null or why smpplib's bytes break the spec}
The Rust test (tests/tests/smpp_peers.rs) decodes each, checks the values, and re-encodes.
"""
import json
import sys

import smpplib.command
import smpplib.consts
import smpplib.gsm
import smpplib.smpp
from smpplib.ptypes import ostr


def build(name, command, quirk=None, **kwargs):
    seq = kwargs["sequence"]
    pdu = smpplib.smpp.make_pdu(command, **kwargs)
    # make_pdu does not store a `sequence` keyword (the property reads the client's counter
    # first); without the keyword a request asks the missing client for one. Set it directly.
    pdu.sequence = seq
    raw = pdu.generate()
    fields, tlvs = {}, []
    for field in pdu.params_order:
        param = pdu.params[field]
        value = getattr(pdu, field, None)
        if pdu.field_is_optional(field):
            if value is None or value == b"" or value == "":
                continue  # smpplib leaves unset or empty TLVs out
            if param.type is int:
                tlvs.append({"name": field, "type": "int%d" % param.size, "value": value})
            elif param.type is str:
                tlvs.append({"name": field, "type": "cstring", "value": value})
            elif param.type is ostr:
                tlvs.append({"name": field, "type": "octets", "value": bytes(value).hex()})
            continue
        if field == "sm_length":
            continue  # derived from short_message
        if param.type is int:
            fields[field] = value or 0
        elif param.type is str:
            if isinstance(value, bytes):
                value = value.decode("latin-1")
            fields[field] = value or ""
        elif param.type is ostr:
            fields[field] = bytes(value or b"").hex()
    return {"name": name, "hex": raw.hex(), "sequence_number": seq, "command_status": pdu.status,
            "fields": fields, "tlvs": tlvs, "quirk": quirk}


def main():
    out = []
    seq = iter(range(1, 10_000))
    bind = dict(system_id="smsedge", password="secret", system_type="VMS",
                addr_ton=1, addr_npi=1, address_range="^44")
    for cmd in ("bind_transmitter", "bind_receiver", "bind_transceiver"):
        out.append(build(cmd, cmd, sequence=next(seq), **bind))
        out.append(build(cmd + "_resp", cmd + "_resp", sequence=next(seq),
                         system_id="SMSC", sc_interface_version=0x34))
        out.append(build(cmd + "_resp failed", cmd + "_resp", sequence=next(seq),
                         status=smpplib.consts.SMPP_ESME_RBINDFAIL, system_id="SMSC"))
    out.append(build("generic_nack", "generic_nack", sequence=next(seq),
                     status=smpplib.consts.SMPP_ESME_RINVCMDID))
    submit = dict(service_type="CMT", source_addr_ton=5, source_addr_npi=0, source_addr="Bank",
                  dest_addr_ton=1, dest_addr_npi=1, destination_addr="447700900123",
                  esm_class=0, protocol_id=0, priority_flag=1,
                  schedule_delivery_time="240101120000000+", validity_period="000001000000000R",
                  registered_delivery=1, replace_if_present_flag=0, data_coding=0,
                  sm_default_msg_id=0, short_message=b"hello from smpplib")
    out.append(build("submit_sm", "submit_sm", sequence=next(seq), **submit))
    tlvs = dict(user_message_reference=1234, source_port=2948, destination_port=9200,
                dest_addr_subunit=1, sar_msg_ref_num=42, sar_total_segments=2,
                sar_segment_seqnum=1, more_messages_to_send=1, payload_type=0,
                privacy_indicator=1, callback_num=b"\x00\x01\x01447700900999",
                callback_num_pres_ind=1, source_subaddress="P12", dest_subaddress="P34",
                user_response_code=7, display_time=1, sms_signal=7, ms_validity=3,
                ms_msg_wait_facilities=0x81, number_of_messages=4, language_indicator=2,
                its_reply_type=1, its_session_info=0x0102, ussd_service_op=17)
    out.append(build("submit_sm with TLVs", "submit_sm", sequence=next(seq), **submit, **tlvs))
    payload = dict(submit, short_message=None, message_payload=b"a longer text in message_payload")
    out.append(build("submit_sm message_payload", "submit_sm", sequence=next(seq), **payload))
    # What smpplib's own client sends for a long UCS-2 text: UDH-concatenated parts.
    parts, coding, esm = smpplib.gsm.make_parts("Привет, это длинное сообщение " * 4)
    for i, part in enumerate(parts):
        out.append(build("submit_sm ucs2 part %d" % (i + 1), "submit_sm", sequence=next(seq),
                         **dict(submit, short_message=part, data_coding=coding,
                                esm_class=esm | 0)))
    out.append(build("submit_sm_resp", "submit_sm_resp", sequence=next(seq),
                     message_id="0123456789abcdef"))
    out.append(build("submit_sm_resp throttled", "submit_sm_resp", sequence=next(seq),
                     status=smpplib.consts.SMPP_ESME_RTHROTTLED, message_id=""))
    receipt = dict(submit, esm_class=4, registered_delivery=0, source_addr="447700900123",
                   source_addr_ton=1, destination_addr="Bank", dest_addr_ton=5,
                   short_message=b"id:0123456789abcdef sub:001 dlvrd:001 submit date:2401011200 "
                                 b"done date:2401011201 stat:DELIVRD err:000 text:hello",
                   schedule_delivery_time="", validity_period="")
    out.append(build("deliver_sm receipt", "deliver_sm", sequence=next(seq), **receipt,
                     receipted_message_id="0123456789abcdef", message_state=2,
                     network_error_code=b"\x03\x00\x00", source_network_type=1,
                     dest_network_type=1, user_message_reference=77, its_session_info=0x0300))
    out.append(build("deliver_sm_resp", "deliver_sm_resp", sequence=next(seq), message_id=""))
    data = dict(service_type="", source_addr_ton=1, source_addr_npi=1, source_addr="447700900123",
                dest_addr_ton=1, dest_addr_npi=1, destination_addr="447700900999", esm_class=0,
                registered_delivery=1, data_coding=4)
    out.append(build("data_sm", "data_sm", sequence=next(seq), **data,
                     message_payload=b"\x01\x02\x03"))
    out.append(build("data_sm with TLVs", "data_sm", sequence=next(seq), **data,
                     source_port=1, source_addr_subunit=2, source_network_type=1,
                     source_bearer_type=1, source_telematics_id=0x0100, destination_port=2,
                     dest_addr_subunit=3, dest_network_type=1, dest_bearer_type=1,
                     dest_telematics_id=0x0200, sar_msg_ref_num=7, sar_total_segments=3,
                     sar_segment_seqnum=3, more_messages_to_send=0, qos_time_to_live=3600,
                     payload_type=1, message_payload=b"wap push", receipted_message_id="r-1",
                     message_state=6, network_error_code=b"\x01\x00\x05",
                     user_message_reference=5, privacy_indicator=2,
                     callback_num=b"\x00\x01\x01447700900999", callback_num_pres_ind=3,
                     callback_num_atag="Bank", source_subaddress="P1", dest_subaddress="P2",
                     user_response_code=1, display_time=2, sms_signal=1, ms_validity=0,
                     ms_msg_wait_facilities=1, number_of_messages=9, language_indicator=1,
                     its_reply_type=2, its_session_info=0x0a01))
    out.append(build("data_sm_resp", "data_sm_resp", sequence=next(seq), message_id="d-1",
                     additional_status_info_text="accepted", dpf_result=1))
    out.append(build("query_sm", "query_sm", sequence=next(seq), message_id="abc123",
                     source_addr_ton=1, source_addr_npi=1, source_addr="447700900123"))
    out.append(build("query_sm_resp", "query_sm_resp", sequence=next(seq), message_id="abc123",
                     final_date="240101120000000+", message_state=2, error_code=0))
    for cmd in ("unbind", "unbind_resp", "enquire_link", "enquire_link_resp"):
        out.append(build(cmd, cmd, sequence=next(seq)))
    out.append(build("alert_notification", "alert_notification", sequence=next(seq),
                     source_addr_ton=1, source_addr_npi=1, source_addr="447700900123",
                     esme_addr_ton=0, esme_addr_npi=0, esme_addr="smsedge",
                     ms_availability_status=0))
    # smpplib's own slips: each breaks a length rule of the spec.
    out.append(build("submit_sm source_addr_subunit 2 octets", "submit_sm", sequence=next(seq),
                     quirk="source_addr_subunit is 1 octet (v3.4 5.3.2.2); smpplib packs 2",
                     **submit, source_addr_subunit=1))
    out.append(build("data_sm_resp delivery_failure_reason as text", "data_sm_resp",
                     sequence=next(seq), message_id="d-2", delivery_failure_reason="1",
                     quirk="delivery_failure_reason is 1 octet (v3.4 5.3.2.33); smpplib "
                           "sends a C-string"))
    for o in out:
        print(json.dumps(o))
    return 0


if __name__ == "__main__":
    sys.exit(main())
