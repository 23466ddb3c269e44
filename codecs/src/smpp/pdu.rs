//! The typed form of a whole SMPP PDU: header, body and TLVs, with decode / encode /
//! encoded_len and the JSON of INTERFACES.md.

use super::body::*;
use super::command::{CommandId, CommandStatus};
use super::header::{Header, HEADER_LEN};
use super::tlv::{self, Tlv};
use super::view::SmView;
use crate::error::{Error, Reason, Result};
use crate::json::JsonError;
use crate::reader::Reader;
use bytes::Bytes;
use serde_json::{Map, Value};

macro_rules! bodies {
    ($( $(#[$doc:meta])* $variant:ident $( ( $kind:ident $ty:ty ) )? , tlvs: $tlvs:literal; )*) => {
        /// The body of a PDU, one variant per command_id. Responses whose mandatory parameters
        /// may be left out when command_status is not 0 (v3.4 4.4.2 "the body is not returned")
        /// hold an `Option`: `None` is an empty body, which is not the same octets as an empty
        /// message_id. A `None` body cannot carry TLVs (v3.4 5.3: they follow the mandatory
        /// parameters; the decoder would read them as the body), so a [`Pdu`] pairing the two
        /// does not round-trip and [`Pdu::from_json`] refuses it.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum Body {
            $( $(#[$doc])* $variant $( ( bodies!(@ty $kind $ty) ) )?, )*
            /// A command_id neither spec defines: its body octets, kept as they came.
            Unknown {
                /// The command_id.
                command_id: u32,
                /// The body octets after the header.
                body: Bytes,
            },
        }

        impl Body {
            /// The command_id of this body.
            pub const fn command_id(&self) -> CommandId {
                match self {
                    $( Body::$variant $( (bodies!(@pat $kind)) )? => CommandId::$variant, )*
                    Body::Unknown { command_id, .. } => CommandId::from_u32(*command_id),
                }
            }

            /// True when the PDU may carry TLVs after its mandatory parameters.
            pub const fn allows_tlvs(&self) -> bool {
                match self {
                    $( Body::$variant $( (bodies!(@pat $kind)) )? => $tlvs, )*
                    Body::Unknown { .. } => false,
                }
            }

            fn decode_fields(id: CommandId, r: &mut Reader<'_>, frame: &Bytes) -> Result<Body> {
                Ok(match id {
                    $( CommandId::$variant => Body::$variant $( (bodies!(@decode $kind $ty, r, frame)) )?, )*
                    CommandId::Unknown(v) => Body::Unknown { command_id: v, body: share(frame, r.rest()) },
                })
            }

            fn encode_fields(&self, out: &mut Vec<u8>) {
                match self {
                    $( Body::$variant $( (bodies!(@bind $kind b)) )? => { $( bodies!(@encode $kind b, out); )? } )*
                    Body::Unknown { body, .. } => out.extend_from_slice(body),
                }
            }

            fn fields_len(&self) -> usize {
                match self {
                    $( Body::$variant $( (bodies!(@bind $kind b)) )? => { 0 $( + bodies!(@len $kind b) )? } )*
                    Body::Unknown { body, .. } => body.len(),
                }
            }

            fn to_json(&self, m: &mut Map<String, Value>) {
                match self {
                    $( Body::$variant $( (bodies!(@bind $kind b)) )? => { $( bodies!(@json $kind b, m); )? } )*
                    Body::Unknown { body, .. } => {
                        m.insert("raw".into(), crate::hex::encode(body).into());
                    }
                }
            }

            fn from_json(id: CommandId, m: &Map<String, Value>) -> std::result::Result<Body, JsonError> {
                Ok(match id {
                    $( CommandId::$variant => Body::$variant $( (bodies!(@from_json $kind $ty, m)) )?, )*
                    CommandId::Unknown(v) => {
                        let raw = m.get("raw").and_then(Value::as_str).unwrap_or("");
                        let body = crate::hex::decode(raw).map_err(|e| JsonError(format!("body.raw: {e}")))?;
                        Body::Unknown { command_id: v, body: Bytes::from(body) }
                    }
                })
            }
        }
    };
    (@ty req $ty:ty) => { $ty };
    (@ty opt $ty:ty) => { Option<$ty> };
    (@pat $kind:ident) => { _ };
    (@bind $kind:ident $b:ident) => { $b };
    (@decode req $ty:ty, $r:ident, $f:ident) => { <$ty>::decode_fields($r, $f)? };
    (@decode opt $ty:ty, $r:ident, $f:ident) => {
        if $r.is_empty() { None } else { Some(<$ty>::decode_fields($r, $f)?) }
    };
    (@encode req $b:ident, $out:ident) => { $b.encode_fields($out) };
    (@encode opt $b:ident, $out:ident) => { if let Some(b) = $b { b.encode_fields($out) } };
    (@len req $b:ident) => { $b.fields_len() };
    (@len opt $b:ident) => { $b.as_ref().map_or(0, |b| b.fields_len()) };
    (@json req $b:ident, $m:ident) => { $b.to_json($m) };
    (@json opt $b:ident, $m:ident) => { if let Some(b) = $b { b.to_json($m) } };
    (@from_json req $ty:ty, $m:ident) => { <$ty>::from_json($m)? };
    (@from_json opt $ty:ty, $m:ident) => { if $m.is_empty() { None } else { Some(<$ty>::from_json($m)?) } };
}

bodies! {
    /// generic_nack: header only.
    GenericNack, tlvs: false;
    /// bind_receiver.
    BindReceiver(req Bind), tlvs: false;
    /// bind_receiver_resp; may carry sc_interface_version.
    BindReceiverResp(opt BindResp), tlvs: true;
    /// bind_transmitter.
    BindTransmitter(req Bind), tlvs: false;
    /// bind_transmitter_resp.
    BindTransmitterResp(opt BindResp), tlvs: true;
    /// query_sm.
    QuerySm(req QuerySm), tlvs: false;
    /// query_sm_resp.
    QuerySmResp(opt QuerySmResp), tlvs: false;
    /// submit_sm.
    SubmitSm(req SubmitSm), tlvs: true;
    /// submit_sm_resp; v5.0 4.2.5 allows TLVs.
    SubmitSmResp(opt MessageIdResp), tlvs: true;
    /// deliver_sm.
    DeliverSm(req DeliverSm), tlvs: true;
    /// deliver_sm_resp; v5.0 allows TLVs.
    DeliverSmResp(opt MessageIdResp), tlvs: true;
    /// unbind: header only.
    Unbind, tlvs: false;
    /// unbind_resp: header only.
    UnbindResp, tlvs: false;
    /// replace_sm; v5.0 allows message_payload.
    ReplaceSm(req ReplaceSm), tlvs: true;
    /// replace_sm_resp: header only.
    ReplaceSmResp, tlvs: false;
    /// cancel_sm.
    CancelSm(req CancelSm), tlvs: false;
    /// cancel_sm_resp: header only.
    CancelSmResp, tlvs: false;
    /// bind_transceiver.
    BindTransceiver(req Bind), tlvs: false;
    /// bind_transceiver_resp.
    BindTransceiverResp(opt BindResp), tlvs: true;
    /// outbind.
    Outbind(req Outbind), tlvs: false;
    /// enquire_link: header only.
    EnquireLink, tlvs: false;
    /// enquire_link_resp: header only.
    EnquireLinkResp, tlvs: false;
    /// submit_multi.
    SubmitMulti(req SubmitMulti), tlvs: true;
    /// submit_multi_resp.
    SubmitMultiResp(opt SubmitMultiResp), tlvs: true;
    /// alert_notification; carries ms_availability_status.
    AlertNotification(req AlertNotification), tlvs: true;
    /// data_sm.
    DataSm(req DataSm), tlvs: true;
    /// data_sm_resp.
    DataSmResp(opt MessageIdResp), tlvs: true;
    /// broadcast_sm (v5.0); broadcast_area_identifier and friends are TLVs.
    BroadcastSm(req BroadcastSm), tlvs: true;
    /// broadcast_sm_resp.
    BroadcastSmResp(opt MessageIdResp), tlvs: true;
    /// query_broadcast_sm.
    QueryBroadcastSm(req QueryBroadcastSm), tlvs: true;
    /// query_broadcast_sm_resp.
    QueryBroadcastSmResp(opt MessageIdResp), tlvs: true;
    /// cancel_broadcast_sm.
    CancelBroadcastSm(req CancelBroadcastSm), tlvs: true;
    /// cancel_broadcast_sm_resp: header only.
    CancelBroadcastSmResp, tlvs: false;
}

/// One SMPP PDU in typed form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pdu {
    /// command_status (0 in requests).
    pub command_status: CommandStatus,
    /// sequence_number.
    pub sequence_number: u32,
    /// Mandatory parameters; the variant gives command_id.
    pub body: Body,
    /// Optional parameters in wire order.
    pub tlvs: Vec<Tlv>,
}

impl Pdu {
    /// A request or response with status 0 and no TLVs.
    pub fn new(sequence_number: u32, body: Body) -> Self {
        Pdu {
            command_status: CommandStatus::ESME_ROK,
            sequence_number,
            body,
            tlvs: Vec::new(),
        }
    }

    /// The command_id.
    pub const fn command_id(&self) -> CommandId {
        self.body.command_id()
    }

    /// Decodes one whole PDU: `frame` holds exactly command_length octets (as
    /// [`crate::smpp::Framer`] returns them). Strings and values are slices of `frame`.
    pub fn decode(frame: &Bytes) -> Result<Pdu> {
        match SmView::parse_fast(frame) {
            Some(v) => Ok(Self::from_sm_view(frame, &v)),
            None => Self::decode_checked(frame),
        }
    }

    /// submit_sm, deliver_sm and data_sm, the PDUs of every message, from the router's view:
    /// `SmView::parse_fast` makes the same checks as the field-by-field decoder (the fuzz
    /// tests hold them to that) and only says yes or no, so this path builds no errors;
    /// whatever it refuses goes to [`Pdu::decode_checked`], which names the field.
    #[inline]
    fn from_sm_view(frame: &Bytes, v: &SmView<'_>) -> Pdu {
        let slice = |r: std::ops::Range<usize>| {
            if r.is_empty() {
                Bytes::new()
            } else {
                frame.slice(r)
            }
        };
        let [st, sa, da, sdt, vp, sm] = v.ranges();
        let sm_fields = || SubmitSm {
            service_type: slice(st.clone()),
            source_addr_ton: v.source_addr_ton(),
            source_addr_npi: v.source_addr_npi(),
            source_addr: slice(sa.clone()),
            dest_addr_ton: v.dest_addr_ton(),
            dest_addr_npi: v.dest_addr_npi(),
            destination_addr: slice(da.clone()),
            esm_class: v.esm_class(),
            protocol_id: v.protocol_id().unwrap_or_default(),
            priority_flag: v.priority_flag().unwrap_or_default(),
            schedule_delivery_time: slice(sdt.clone()),
            validity_period: slice(vp.clone()),
            registered_delivery: v.registered_delivery(),
            // replace_if_present_flag follows registered_delivery; sm_default_msg_id precedes
            // sm_length (v3.4 4.4.1).
            replace_if_present_flag: frame[vp.end + 2],
            data_coding: v.data_coding(),
            sm_default_msg_id: frame[sm.start - 2],
            short_message: slice(sm.clone()),
        };
        let body = if v.protocol_id().is_none() {
            Body::DataSm(DataSm {
                service_type: slice(st),
                source_addr_ton: v.source_addr_ton(),
                source_addr_npi: v.source_addr_npi(),
                source_addr: slice(sa),
                dest_addr_ton: v.dest_addr_ton(),
                dest_addr_npi: v.dest_addr_npi(),
                destination_addr: slice(da),
                esm_class: v.esm_class(),
                registered_delivery: v.registered_delivery(),
                data_coding: v.data_coding(),
            })
        } else if v.command_id() == CommandId::SubmitSm {
            Body::SubmitSm(sm_fields())
        } else {
            Body::DeliverSm(sm_fields())
        };
        // The view checked the TLV stream: walk it by offsets and slice `frame` directly.
        let mut tlvs = Vec::new();
        let mut at = v.tlvs_offset();
        for (tag, value) in v.tlvs() {
            at += 4;
            tlvs.push(Tlv {
                tag,
                value: slice(at..at + value.len()),
            });
            at += value.len();
        }
        let h = Header::new_unchecked(&frame[..]);
        Pdu {
            command_status: CommandStatus(h.command_status()),
            sequence_number: h.sequence_number(),
            body,
            tlvs,
        }
    }

    /// The field-by-field decoder that [`Pdu::decode`] falls back to for whatever its fast
    /// path refuses: it names the first field that breaks a rule, with its offset. It accepts
    /// exactly what `decode` accepts and returns the same `Pdu`; tests hold the fast path to
    /// that through this function.
    pub fn decode_checked(frame: &Bytes) -> Result<Pdu> {
        let header = Header::new_checked(&frame[..])?;
        let id = header.command_id();
        let mut r = Reader::with_base(&frame[HEADER_LEN..], HEADER_LEN);
        let body = Body::decode_fields(id, &mut r, frame)?;
        let tlvs = if body.allows_tlvs() {
            tlv::decode_all(&mut r, frame)?
        } else {
            // Octets after the last mandatory field of a PDU that takes no TLVs: the
            // command_length is wrong for this command (ESME_RINVCMDLEN).
            if !r.is_empty() {
                return Err(Error::new(
                    "command_length",
                    r.offset(),
                    Reason::TrailingBytes,
                ));
            }
            Vec::new()
        };
        Ok(Pdu {
            command_status: CommandStatus(header.command_status()),
            sequence_number: header.sequence_number(),
            body,
            tlvs,
        })
    }

    /// Decodes from a plain slice (copies it once into a `Bytes`).
    pub fn decode_slice(frame: &[u8]) -> Result<Pdu> {
        Pdu::decode(&Bytes::copy_from_slice(frame))
    }

    /// Octets the PDU takes on the wire (its command_length).
    pub fn encoded_len(&self) -> usize {
        HEADER_LEN + self.body.fields_len() + self.tlvs.iter().map(Tlv::encoded_len).sum::<usize>()
    }

    /// Appends the PDU to `out`. The typed form is trusted: strings longer than their spec
    /// maximum are written as they are (the JSON reader and the decoder never produce them).
    pub fn encode(&self, out: &mut Vec<u8>) {
        let len = self.encoded_len();
        out.reserve(len);
        out.extend_from_slice(&(len as u32).to_be_bytes());
        out.extend_from_slice(&self.command_id().to_u32().to_be_bytes());
        out.extend_from_slice(&self.command_status.0.to_be_bytes());
        out.extend_from_slice(&self.sequence_number.to_be_bytes());
        self.body.encode_fields(out);
        for t in &self.tlvs {
            t.encode(out);
        }
    }

    /// The encoded PDU in a new vector.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(self.encoded_len());
        self.encode(&mut v);
        v
    }

    /// The first TLV with `tag`.
    pub fn tlv(&self, tag: u16) -> Option<&Tlv> {
        tlv::find(&self.tlvs, tag)
    }

    /// The JSON object of INTERFACES.md.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("command_length".into(), self.encoded_len().into());
        let id = self.command_id();
        m.insert("command_id".into(), id.to_string().into());
        m.insert("command_status".into(), self.command_status.0.into());
        m.insert("sequence_number".into(), self.sequence_number.into());
        let mut body = Map::new();
        self.body.to_json(&mut body);
        m.insert("body".into(), Value::Object(body));
        let tlvs = self
            .tlvs
            .iter()
            .map(|t| {
                let mut o = Map::new();
                o.insert("tag".into(), format!("0x{:04x}", t.tag).into());
                o.insert("name".into(), t.name().map_or(Value::Null, Value::from));
                o.insert("value".into(), crate::hex::encode(&t.value).into());
                Value::Object(o)
            })
            .collect();
        m.insert("tlvs".into(), Value::Array(tlvs));
        Value::Object(m)
    }

    /// Reads the JSON object that [`Pdu::to_json`] prints.
    pub fn from_json(v: &Value) -> std::result::Result<Pdu, JsonError> {
        let m = v
            .as_object()
            .ok_or_else(|| JsonError("a PDU must be a JSON object".into()))?;
        let id = match m.get("command_id") {
            Some(Value::String(s)) => match CommandId::from_name(s) {
                Some(id) => id,
                None => CommandId::from_u32(parse_hex_u32(s).ok_or_else(|| {
                    JsonError(format!(
                        "command_id: unknown name {s:?} (use the spec name or 0x........)"
                    ))
                })?),
            },
            Some(Value::Number(n)) => CommandId::from_u32(
                n.as_u64()
                    .and_then(|n| u32::try_from(n).ok())
                    .ok_or_else(|| JsonError("command_id: out of range".into()))?,
            ),
            _ => return Err(JsonError("command_id: missing".into())),
        };
        let command_status = match m.get("command_status") {
            None => CommandStatus::ESME_ROK,
            Some(Value::String(s)) => CommandStatus::from_name(s)
                .or_else(|| parse_hex_u32(s).map(CommandStatus))
                .ok_or_else(|| JsonError(format!("command_status: unknown {s:?}")))?,
            Some(v) => CommandStatus(
                v.as_u64()
                    .and_then(|n| u32::try_from(n).ok())
                    .ok_or_else(|| JsonError("command_status: must be a u32".into()))?,
            ),
        };
        let sequence_number = m
            .get("sequence_number")
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| JsonError("sequence_number: missing or not a u32".into()))?;
        let empty = Map::new();
        let body_json = match m.get("body") {
            None => &empty,
            Some(Value::Object(b)) => b,
            Some(_) => return Err(JsonError("body: must be an object".into())),
        };
        let body = Body::from_json(id, body_json)?;
        let mut tlvs = Vec::new();
        if let Some(list) = m.get("tlvs") {
            let list = list
                .as_array()
                .ok_or_else(|| JsonError("tlvs: must be an array".into()))?;
            for (i, t) in list.iter().enumerate() {
                tlvs.push(tlv_from_json(t).map_err(|e| JsonError(format!("tlvs[{i}].{}", e.0)))?);
            }
        }
        if !tlvs.is_empty() && !body.allows_tlvs() {
            return Err(JsonError(format!("tlvs: {id} carries no TLVs")));
        }
        // v3.4 5.3: TLVs follow the mandatory parameters. A response whose body was left out
        // (v3.4 4.4.2, on error) has no place for them: on the wire they would be read as its
        // message_id.
        if !tlvs.is_empty() && body.fields_len() == 0 {
            return Err(JsonError(format!(
                "tlvs: {id} without body cannot carry TLVs; give the body (e.g. message_id \"\")"
            )));
        }
        let pdu = Pdu {
            command_status,
            sequence_number,
            body,
            tlvs,
        };
        if let Some(n) = m.get("command_length") {
            if n.as_u64() != Some(pdu.encoded_len() as u64) {
                return Err(JsonError(format!(
                    "command_length: {n} disagrees with the encoded length {}",
                    pdu.encoded_len()
                )));
            }
        }
        Ok(pdu)
    }
}

fn parse_hex_u32(s: &str) -> Option<u32> {
    let h = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X"))?;
    u32::from_str_radix(h, 16).ok()
}

fn tlv_from_json(v: &Value) -> std::result::Result<Tlv, JsonError> {
    let o = v
        .as_object()
        .ok_or_else(|| JsonError("a TLV must be an object".into()))?;
    let tag = match o.get("tag") {
        Some(Value::String(s)) => parse_hex_u32(s)
            .and_then(|t| u16::try_from(t).ok())
            .or_else(|| tlv::tag_by_name(s))
            .ok_or_else(|| JsonError(format!("tag: {s:?} is not 0x.... or a TLV name")))?,
        Some(Value::Number(n)) => n
            .as_u64()
            .and_then(|n| u16::try_from(n).ok())
            .ok_or_else(|| JsonError("tag: out of range".into()))?,
        _ => match o
            .get("name")
            .and_then(Value::as_str)
            .and_then(tlv::tag_by_name)
        {
            Some(t) => t,
            None => return Err(JsonError("tag: missing".into())),
        },
    };
    let hex = o.get("value").and_then(Value::as_str).unwrap_or("");
    let value = crate::hex::decode(hex).map_err(|e| JsonError(format!("value: {e}")))?;
    if value.len() > usize::from(u16::MAX) {
        return Err(JsonError("value: longer than 65535 octets".into()));
    }
    if !tlv::check_len(tag, value.len()) {
        let i = tlv::tag_info(tag).expect("check_len fails only for known tags");
        return Err(JsonError(format!(
            "value: {} must be {}..={} octets, got {}",
            i.name,
            i.min,
            i.max,
            value.len()
        )));
    }
    Ok(Tlv::new(tag, value))
}

/// The command_status that answers a request which failed to decode with `e` (v3.4 5.1.3):
/// what a proxy puts in the response, or in generic_nack when even the header is unusable.
pub fn error_status(e: &Error) -> CommandStatus {
    use CommandStatus as S;
    match (e.field, e.reason) {
        ("command_id", _) => S::ESME_RINVCMDID,
        (tlv::FIELD_TLV_LEN, _) => S::ESME_RINVTLVLEN,
        (tlv::FIELD_TLV, _) => S::ESME_RINVTLVSTREAM,
        ("sm_length" | FIELD_SHORT_MESSAGE, _) => S::ESME_RINVMSGLEN,
        // The frame ended inside a mandatory field, or octets were left over: the
        // command_length does not fit the command.
        (_, Reason::Truncated | Reason::NotTerminated | Reason::TrailingBytes) => {
            S::ESME_RINVCMDLEN
        }
        ("command_length", _) => S::ESME_RINVCMDLEN,
        ("service_type", _) => S::ESME_RINVSERTYP,
        ("source_addr", _) => S::ESME_RINVSRCADR,
        ("destination_addr" | "esme_addr", _) => S::ESME_RINVDSTADR,
        ("message_id", _) => S::ESME_RINVMSGID,
        ("system_id", _) => S::ESME_RINVSYSID,
        ("password", _) => S::ESME_RINVPASWD,
        ("system_type", _) => S::ESME_RINVSYSTYP,
        // No status names a bad address_range; the bind fails (v3.4 5.1.3 ESME_RBINDFAIL).
        ("address_range", _) => S::ESME_RBINDFAIL,
        ("schedule_delivery_time", _) => S::ESME_RINVSCHED,
        ("validity_period" | "final_date", _) => S::ESME_RINVEXPIRY,
        ("number_of_dests", _) => S::ESME_RINVNUMDESTS,
        ("dest_flag", _) => S::ESME_RINVDESTFLAG,
        ("dl_name", _) => S::ESME_RINVDLNAME,
        _ => S::ESME_RSYSERR,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_submit_sm_resp_without_body() {
        // v3.4 4.4.2: no body on error.
        let p = Pdu::decode_slice(&crate::hex::decode("00000010800000040000005800000007").unwrap())
            .unwrap();
        assert_eq!(p.body, Body::SubmitSmResp(None));
        assert_eq!(p.command_status, CommandStatus::ESME_RTHROTTLED);
        assert_eq!(p.to_json()["body"], json!({}));
    }

    #[test]
    fn emits_empty_message_id_distinct_from_no_body() {
        let some = Pdu::new(7, Body::SubmitSmResp(Some(MessageIdResp::default())));
        assert_eq!(
            crate::hex::encode(&some.to_vec()),
            "0000001180000004000000000000000700"
        );
        let none = Pdu::new(7, Body::SubmitSmResp(None));
        assert_eq!(none.to_vec().len(), 16);
    }

    #[test]
    fn maps_every_decode_error_to_its_status() {
        // Each field the decoders name, with the status a response carries (v3.4 5.1.3).
        let cases: &[(&str, Reason, CommandStatus)] = &[
            (
                "command_length",
                Reason::BadLength,
                CommandStatus::ESME_RINVCMDLEN,
            ),
            (
                "command_id",
                Reason::Unsupported,
                CommandStatus::ESME_RINVCMDID,
            ),
            (
                "source_addr",
                Reason::Truncated,
                CommandStatus::ESME_RINVCMDLEN,
            ),
            (
                "source_addr",
                Reason::NotTerminated,
                CommandStatus::ESME_RINVCMDLEN,
            ),
            (
                "command_length",
                Reason::TrailingBytes,
                CommandStatus::ESME_RINVCMDLEN,
            ),
            (
                "short_message",
                Reason::BadLength,
                CommandStatus::ESME_RINVMSGLEN,
            ),
            ("tlv", Reason::BadLength, CommandStatus::ESME_RINVTLVSTREAM),
            ("tlv", Reason::Truncated, CommandStatus::ESME_RINVTLVSTREAM),
            (
                "tlv.length",
                Reason::BadLength,
                CommandStatus::ESME_RINVTLVLEN,
            ),
            (
                "service_type",
                Reason::TooLong,
                CommandStatus::ESME_RINVSERTYP,
            ),
            (
                "source_addr",
                Reason::TooLong,
                CommandStatus::ESME_RINVSRCADR,
            ),
            (
                "destination_addr",
                Reason::TooLong,
                CommandStatus::ESME_RINVDSTADR,
            ),
            ("esme_addr", Reason::TooLong, CommandStatus::ESME_RINVDSTADR),
            ("message_id", Reason::TooLong, CommandStatus::ESME_RINVMSGID),
            ("system_id", Reason::TooLong, CommandStatus::ESME_RINVSYSID),
            ("password", Reason::TooLong, CommandStatus::ESME_RINVPASWD),
            (
                "system_type",
                Reason::TooLong,
                CommandStatus::ESME_RINVSYSTYP,
            ),
            (
                "address_range",
                Reason::TooLong,
                CommandStatus::ESME_RBINDFAIL,
            ),
            (
                "schedule_delivery_time",
                Reason::TooLong,
                CommandStatus::ESME_RINVSCHED,
            ),
            (
                "validity_period",
                Reason::TooLong,
                CommandStatus::ESME_RINVEXPIRY,
            ),
            (
                "number_of_dests",
                Reason::BadValue,
                CommandStatus::ESME_RINVNUMDESTS,
            ),
            (
                "dest_flag",
                Reason::BadValue,
                CommandStatus::ESME_RINVDESTFLAG,
            ),
            ("dl_name", Reason::TooLong, CommandStatus::ESME_RINVDLNAME),
        ];
        for &(field, reason, want) in cases {
            assert_eq!(
                error_status(&Error::new(field, 20, reason)),
                want,
                "{field} {reason:?}"
            );
        }
    }

    #[test]
    fn rejects_tlvs_on_a_response_without_body() {
        // The TLV would be read back as the message_id (v3.4 5.3: TLVs follow the body).
        let v = json!({"command_id": "submit_sm_resp", "command_status": 88, "sequence_number": 7,
                       "body": {}, "tlvs": [{"tag": "0x001d", "value": "6f6b00"}]});
        let e = Pdu::from_json(&v).unwrap_err();
        assert!(e.0.starts_with("tlvs: submit_sm_resp without body"), "{e}");
        let v = json!({"command_id": "submit_sm_resp", "command_status": 88, "sequence_number": 7,
                       "body": {"message_id": ""}, "tlvs": [{"tag": "0x001d", "value": "6f6b00"}]});
        let p = Pdu::from_json(&v).unwrap();
        assert_eq!(Pdu::decode_slice(&p.to_vec()).unwrap(), p);
    }
}
