//! `smsedge pdu decode PROTO HEX` and `smsedge pdu encode PROTO JSON` (INTERFACES.md).

use serde_json::{json, Value};
use smsedge_codecs::json::{self, Proto};
use std::io::{Read, Write};

fn read_arg(args: &[String]) -> Result<String, String> {
    if args.len() == 1 && args[0] == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| format!("stdin: {e}"))?;
        Ok(s)
    } else {
        Ok(args.join(" "))
    }
}

fn fail(msg: impl Into<String>) -> i32 {
    println!("{}", json!({ "error": msg.into() }));
    1
}

/// Runs `pdu decode`: one JSON object per PDU per line; exit 1 with `{"error"}` on bad input.
pub fn decode(proto: &str, hex: &[String]) -> i32 {
    let proto: Proto = match proto.parse() {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    let text = match read_arg(hex) {
        Ok(t) => t,
        Err(e) => return fail(e),
    };
    let bytes = match smsedge_codecs::hex::decode(&text) {
        Ok(b) => b,
        Err(e) => return fail(format!("input: {e}")),
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let (values, err) = match json::decode(proto, &bytes) {
        Ok(v) => (v, None),
        Err((v, e)) => (v, Some(e)),
    };
    for v in values {
        let _ = writeln!(out, "{v}");
    }
    match err {
        None => 0,
        Some(e) => {
            let _ = writeln!(out, "{}", json!({ "error": e.0 }));
            1
        }
    }
}

/// Runs `pdu encode`: reads one or more JSON objects and prints the hex of all of them.
pub fn encode(proto: &str, input: &[String]) -> i32 {
    let proto: Proto = match proto.parse() {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    let text = match read_arg(input) {
        Ok(t) => t,
        Err(e) => return fail(e),
    };
    let mut hex = String::new();
    let mut n = 0;
    for v in serde_json::Deserializer::from_str(&text).into_iter::<Value>() {
        let v = match v {
            Ok(v) => v,
            Err(e) => return fail(format!("input is not JSON: {e}")),
        };
        match json::encode(proto, &v) {
            Ok(b) => hex.push_str(&smsedge_codecs::hex::encode(&b)),
            Err(e) => {
                return fail(if n == 0 {
                    e.0
                } else {
                    format!("object {}: {}", n + 1, e.0)
                })
            }
        }
        n += 1;
    }
    if n == 0 {
        return fail("no input");
    }
    println!("{hex}");
    0
}
