//! JSON form of SMPP PDUs (INTERFACES.md "JSON from `smsedge pdu decode smpp`").

use super::JsonError;
use crate::smpp::{Framer, Pdu};
use bytes::Bytes;
use serde_json::Value;

pub(super) fn decode_all(bytes: &[u8]) -> Result<Vec<Value>, (Vec<Value>, JsonError)> {
    let framer = Framer::new(u32::MAX);
    let all = Bytes::copy_from_slice(bytes);
    let mut out = Vec::new();
    let mut at = 0;
    while at < all.len() {
        let rest = &all[at..];
        let len = match framer.frame_len(rest) {
            Ok(Some(n)) => n,
            Ok(None) => {
                let e = JsonError(format!(
                    "command_length: PDU at offset {at} is truncated ({} of {} octets)",
                    rest.len(),
                    rest.get(..4)
                        .map_or(16, |l| u32::from_be_bytes([l[0], l[1], l[2], l[3]]))
                ));
                return Err((out, e));
            }
            Err(e) => {
                return Err((
                    out,
                    JsonError(format!("command_length: {e} at offset {at}")),
                ))
            }
        };
        match Pdu::decode(&all.slice(at..at + len)) {
            Ok(pdu) => out.push(pdu.to_json()),
            Err(e) => return Err((out, JsonError(e.shifted(at).to_string()))),
        }
        at += len;
    }
    if out.is_empty() {
        return Err((out, JsonError("no input".into())));
    }
    Ok(out)
}

pub(super) fn encode(value: &Value) -> Result<Vec<u8>, JsonError> {
    Pdu::from_json(value).map(|p| p.to_vec())
}
