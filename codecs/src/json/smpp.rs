//! JSON form of SMPP PDUs.
use super::JsonError;
use serde_json::Value;

pub(super) fn decode_all(_bytes: &[u8]) -> Result<Vec<Value>, (Vec<Value>, JsonError)> {
    Err((Vec::new(), JsonError("smpp: codec not yet wired".into())))
}

pub(super) fn encode(_value: &Value) -> Result<Vec<u8>, JsonError> {
    Err(JsonError("smpp: codec not yet wired".into()))
}
