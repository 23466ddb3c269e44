//! `cargo run -p smsedge-codecs --example pdu -- decode|encode PROTO HEX|JSON`: the JSON of
//! `smsedge pdu`, for trying the codecs without the engine binary.
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let (Some(cmd), Some(proto), Some(arg)) = (a.get(1), a.get(2), a.get(3)) else {
        eprintln!("usage: pdu decode|encode PROTO HEX|JSON");
        std::process::exit(2);
    };
    let proto: smsedge_codecs::json::Proto = proto.parse().unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(2)
    });
    if cmd == "decode" {
        let bytes = smsedge_codecs::hex::decode(arg).unwrap_or_else(|e| {
            eprintln!("{e}");
            std::process::exit(2)
        });
        match smsedge_codecs::json::decode(proto, &bytes) {
            Ok(vs) => vs.iter().for_each(|v| println!("{v}")),
            Err((vs, e)) => {
                vs.iter().for_each(|v| println!("{v}"));
                println!("{}", serde_json::json!({ "error": e.0 }));
                std::process::exit(1);
            }
        }
    } else {
        let v: serde_json::Value = serde_json::from_str(arg).unwrap_or_else(|e| {
            eprintln!("{e}");
            std::process::exit(2)
        });
        match smsedge_codecs::json::encode(proto, &v) {
            Ok(b) => println!("{}", smsedge_codecs::hex::encode(&b)),
            Err(e) => {
                println!("{}", serde_json::json!({ "error": e.0 }));
                std::process::exit(1);
            }
        }
    }
}
