#!/usr/bin/env node
// Every PDU node `smpp` 0.5.1 (farhadi/node-smpp) knows, built by that library:
// `new smpp.PDU(command, options).toBuffer()`. Run with NODE_PATH pointing at the oracle's
// node_modules. Prints one JSON object per line:
//   {"name", "hex", "sequence_number", "command_status",
//    "fields": {mandatory field: value the library was asked to encode},
//    "tlvs": [{"name", "type": "int1|int2|int4|cstring|octets", "value"}], "quirk"}
// The Rust test (tests/tests/smpp_peers.rs) decodes each, checks the values, re-encodes.
'use strict';

const smpp = require('smpp');
const defs = require('smpp/lib/defs');

const buf = (s) => Buffer.from(s, 'latin1');
const time = '240101120000000+';
const rel = '000001000000000R';

const addr = { source_addr_ton: 1, source_addr_npi: 1, source_addr: '447700900123' };
const dest = { dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: '447700900999' };
const bind = {
	system_id: 'smsedge', password: 'secret', system_type: 'VMS', interface_version: 0x50,
	addr_ton: 1, addr_npi: 1, address_range: '^44',
};
const sm = {
	service_type: 'CMT', ...addr, ...dest, esm_class: 0, protocol_id: 0, priority_flag: 1,
	schedule_delivery_time: time, validity_period: rel, registered_delivery: 1,
	replace_if_present_flag: 0, data_coding: 0, sm_default_msg_id: 0,
	short_message: buf('hello from node smpp'),
};

// Mandatory parameters per command (every command the library defines).
const bodies = {
	alert_notification: { ...addr, esme_addr_ton: 0, esme_addr_npi: 0, esme_addr: 'smsedge' },
	bind_receiver: bind,
	bind_receiver_resp: { system_id: 'SMSC' },
	bind_transmitter: bind,
	bind_transmitter_resp: { system_id: 'SMSC' },
	bind_transceiver: bind,
	bind_transceiver_resp: { system_id: 'SMSC' },
	broadcast_sm: {
		service_type: '', ...addr, message_id: '', priority_flag: 1, schedule_delivery_time: '',
		validity_period: rel, replace_if_present_flag: 0, data_coding: 0, sm_default_msg_id: 0,
	},
	broadcast_sm_resp: { message_id: 'b-1' },
	cancel_broadcast_sm: { service_type: '', message_id: 'b-1', ...addr },
	cancel_broadcast_sm_resp: {},
	cancel_sm: { service_type: '', message_id: 'abc123', ...addr, ...dest },
	cancel_sm_resp: {},
	data_sm: { service_type: '', ...addr, ...dest, esm_class: 0, registered_delivery: 1, data_coding: 4 },
	data_sm_resp: { message_id: 'd-1' },
	deliver_sm: sm,
	deliver_sm_resp: { message_id: '' },
	enquire_link: {},
	enquire_link_resp: {},
	generic_nack: {},
	outbind: { system_id: 'SMSC', password: 'pw' },
	query_broadcast_sm: { message_id: 'b-1', ...addr },
	query_broadcast_sm_resp: { message_id: 'b-1' },
	query_sm: { message_id: 'abc123', ...addr },
	query_sm_resp: { message_id: 'abc123', final_date: time, message_state: 2, error_code: 0 },
	replace_sm: {
		message_id: 'abc123', ...addr, schedule_delivery_time: '', validity_period: rel,
		registered_delivery: 1, sm_default_msg_id: 0, short_message: buf('replaced'),
	},
	replace_sm_resp: {},
	submit_multi: {
		service_type: '', ...addr,
		dest_address: [
			{ dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: '447700900001' },
			{ dl_name: 'friends' },
		],
		esm_class: 0, protocol_id: 0, priority_flag: 0, schedule_delivery_time: time,
		validity_period: rel, registered_delivery: 1, replace_if_present_flag: 0, data_coding: 0,
		sm_default_msg_id: 0, short_message: buf('hello all'),
	},
	submit_multi_resp: {
		message_id: 'm-1',
		unsuccess_sme: [
			{ dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: '447700900001', error_status_code: 0x0b },
		],
	},
	submit_sm: sm,
	submit_sm_resp: { message_id: '0123456789abcdef' },
	unbind: {},
	unbind_resp: {},
};

// Every TLV the library defines, with a value per spec; spread over the PDUs below.
const tlvValues = {
	dest_addr_subunit: 1, dest_network_type: 1, dest_bearer_type: 1, dest_telematics_id: 0x0100,
	source_addr_subunit: 2, source_network_type: 1, source_bearer_type: 1,
	source_telematics_id: 0x0200, qos_time_to_live: 86400, payload_type: 0,
	additional_status_info_text: 'ok', receipted_message_id: 'r-1', ms_msg_wait_facilities: 0x80,
	privacy_indicator: 1, source_subaddress: Buffer.from([0xa0, 0x31]),
	dest_subaddress: Buffer.from([0x80, 0x32, 0x33]), user_message_reference: 4321,
	user_response_code: 5, source_port: 2948, dest_port: 9200, sar_msg_ref_num: 300,
	language_indicator: 3, sar_total_segments: 4, sar_segment_seqnum: 4, sc_interface_version: 0x50,
	callback_num_pres_ind: [1], callback_num_atag: [Buffer.from('\x00Bank', 'latin1')],
	number_of_messages: 2, callback_num: [Buffer.from('\x00\x01\x01447700900999', 'latin1')],
	dpf_result: 0, set_dpf: 1, ms_availability_status: 1, network_error_code: Buffer.from([3, 0, 0x22]),
	message_payload: buf('payload'), delivery_failure_reason: 2, more_messages_to_send: 1,
	message_state: 2, congestion_state: 40, ussd_service_op: 2, broadcast_channel_indicator: 0,
	broadcast_content_type: Buffer.from([1, 0, 0x10]), broadcast_content_type_info: buf('i'),
	broadcast_message_class: 1, broadcast_rep_num: 3, broadcast_frequency_interval: Buffer.from([9, 0, 5]),
	broadcast_area_identifier: [Buffer.from('\x00London', 'latin1'), Buffer.from('\x00Paris', 'latin1')],
	broadcast_error_status: [0x10d], broadcast_area_success: 100, broadcast_end_time: time,
	broadcast_service_group: buf('g1'), billing_identification: Buffer.from('\x01acct', 'latin1'),
	source_network_id: 'net-a', dest_network_id: 'net-b', source_node_id: '123456',
	dest_node_id: '654321', dest_addr_np_resolution: 1, dest_addr_np_information: '0123456789',
	dest_addr_np_country: 44, display_time: 1, sms_signal: 7, ms_validity: Buffer.from([4, 2, 0, 0x10]),
	alert_on_message_delivery: 1, its_reply_type: 2, its_session_info: Buffer.from([1, 0]),
};

// Which TLVs ride on which PDU (the spec's home for them, roughly).
const tlvCases = [
	['submit_sm', ['dest_addr_subunit', 'dest_network_type', 'dest_bearer_type', 'dest_telematics_id',
		'source_addr_subunit', 'source_network_type', 'source_bearer_type', 'source_telematics_id',
		'qos_time_to_live', 'payload_type', 'ms_msg_wait_facilities', 'privacy_indicator',
		'source_subaddress', 'dest_subaddress', 'user_message_reference', 'user_response_code',
		'source_port', 'dest_port',
		'sar_msg_ref_num', 'language_indicator', 'sar_total_segments', 'sar_segment_seqnum',
		'callback_num_pres_ind', 'callback_num_atag', 'number_of_messages', 'callback_num', 'set_dpf',
		'more_messages_to_send', 'ussd_service_op', 'display_time', 'sms_signal', 'ms_validity',
		'alert_on_message_delivery', 'its_reply_type', 'its_session_info', 'billing_identification',
		'source_network_id', 'dest_network_id', 'source_node_id', 'dest_node_id',
		'dest_addr_np_resolution', 'dest_addr_np_information', 'dest_addr_np_country']],
	['deliver_sm', ['receipted_message_id', 'message_state', 'network_error_code', 'user_message_reference']],
	['data_sm', ['message_payload', 'qos_time_to_live', 'source_port', 'dest_port']],
	['data_sm_resp', ['additional_status_info_text', 'delivery_failure_reason', 'network_error_code', 'dpf_result']],
	['bind_transceiver_resp', ['sc_interface_version']],
	['alert_notification', ['ms_availability_status']],
	['submit_sm_resp', ['congestion_state']],
	['broadcast_sm', ['broadcast_area_identifier', 'broadcast_content_type', 'broadcast_rep_num',
		'broadcast_frequency_interval', 'broadcast_channel_indicator', 'broadcast_content_type_info',
		'broadcast_message_class', 'broadcast_service_group', 'message_payload']],
	['broadcast_sm_resp', ['broadcast_error_status']],
	['query_broadcast_sm_resp', ['message_state', 'broadcast_area_identifier', 'broadcast_area_success',
		'broadcast_end_time']],
];

const typeName = (t) => {
	const T = defs.types.tlv;
	if (t === T.int8) return 'int1';
	if (t === T.int16) return 'int2';
	if (t === T.int32) return 'int4';
	if (t === T.cstring) return 'cstring';
	return 'octets';
};

let seq = 1;
const out = [];

function emit(name, command, options, quirk) {
	const sequence_number = seq++;
	const pdu = new smpp.PDU(command, { ...options, sequence_number });
	const hex = pdu.toBuffer().toString('hex');
	const params = defs.commands[command].params || {};
	const fields = {};
	const tlvs = [];
	const status = options.command_status || 0;
	if (!status) {
		// Values as the library encoded them (its encode filters have run on the object):
		// UDH indicator bits it set, text it encoded, times it formatted.
		for (const key of Object.keys(params)) {
			let v = pdu[key];
			if (v === undefined || v === null) continue;
			if (Buffer.isBuffer(v)) v = v.toString('hex');
			fields[key] = v;
		}
		// TLVs are written in the order the PDU object holds them: the options' order.
		for (const key of Object.keys(pdu)) {
			if (!(key in defs.tlvs) || key in params) continue;
			const t = defs.tlvs[key];
			const values = t.multiple ? pdu[key] : [pdu[key]];
			for (let v of values) {
				const type = typeName(t.type);
				if (Buffer.isBuffer(v)) v = v.toString('hex');
				else if (type === 'octets') v = Buffer.from(v, 'ascii').toString('hex');
				tlvs.push({ name: t.tag, type, value: v });
			}
		}
	}
	out.push({ name, hex, sequence_number, command_status: status, fields, tlvs, quirk: quirk || null });
}

for (const command of Object.keys(defs.commands)) {
	if (!(command in bodies)) throw new Error('no body for ' + command);
	emit(command, command, bodies[command]);
}
for (const [command, names] of tlvCases) {
	const options = { ...bodies[command] };
	for (const n of names) options[n] = tlvValues[n];
	emit(command + ' with TLVs', command, options);
}
// Every TLV the library defines is used above.
const used = new Set(tlvCases.flatMap(([, names]) => names));
for (const tag of Object.keys(defs.tlvsById).map((id) => defs.tlvsById[id].tag)) {
	if (!used.has(tag)) throw new Error('TLV not covered: ' + tag);
}
// Error responses: the library writes the header only (v3.4 4.4.2: body not returned).
emit('submit_sm_resp throttled', 'submit_sm_resp', { command_status: 0x58, message_id: 'x' });
emit('generic_nack invalid command', 'generic_nack', { command_status: 0x03 });
// The library's UCS-2 and 7-bit encoders, as its users send text.
emit('submit_sm ucs2 text', 'submit_sm', { ...sm, data_coding: 8, short_message: 'Привет' });
emit('submit_sm udh', 'submit_sm', {
	...sm, esm_class: 0, data_coding: 0,
	short_message: { udh: Buffer.from([5, 0, 3, 0x2a, 2, 1]), message: 'part one' },
}, null);

for (const o of out) console.log(JSON.stringify(o));
