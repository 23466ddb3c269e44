//! JSON form of SMS TPDUs (the `tpdu` key): TS 23.040 TP- names in snake case.
//!
//! `ud` (the user data octets after the header, hex) and `tp_udl` are what encoding uses, so a
//! decoded TPDU re-encodes to its bytes; `text` is derived. To build a TPDU from text, leave out
//! `ud` and `tp_udl`: the text is then encoded in the alphabet `tp_dcs` selects, after `udh`.

use super::JsonError;
use crate::hex;
use crate::text::{Ie, Udh};
use crate::tpdu::{
    Address, Command, Deliver, DeliverReport, Direction, PiFields, StatusReport, Submit,
    SubmitReport, Timestamp, Tpdu, UserData, ValidityPeriod,
};
use crate::tpdu::{Alphabet, Dcs};
use serde_json::{json, Map, Value};

type R<T> = Result<T, JsonError>;

fn err<T>(msg: impl Into<String>) -> R<T> {
    Err(JsonError(msg.into()))
}

fn get<'v>(m: &'v Map<String, Value>, k: &str) -> R<&'v Value> {
    m.get(k)
        .ok_or_else(|| JsonError(format!("tpdu: missing {k}")))
}

fn u8_of(m: &Map<String, Value>, k: &str) -> R<u8> {
    get(m, k)?
        .as_u64()
        .and_then(|v| u8::try_from(v).ok())
        .ok_or_else(|| JsonError(format!("tpdu.{k}: expected 0-255")))
}

fn opt_u8(m: &Map<String, Value>, k: &str) -> R<Option<u8>> {
    match m.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(_) => u8_of(m, k).map(Some),
    }
}

fn flag(m: &Map<String, Value>, k: &str) -> bool {
    m.get(k).and_then(Value::as_bool).unwrap_or(false)
}

fn hex_of(v: &Value, k: &str) -> R<Vec<u8>> {
    let s = v
        .as_str()
        .ok_or_else(|| JsonError(format!("tpdu.{k}: expected hex")))?;
    hex::decode(s).map_err(|e| JsonError(format!("tpdu.{k}: {e}")))
}

/// JSON of a TP address.
pub fn address_json(a: &Address) -> Value {
    if let Some(d) = a.number() {
        if a.toa == 0x91 {
            return Value::String(d);
        }
        if Address::digits(a.ton(), a.npi(), &d).as_ref() == Ok(a) {
            return json!({"ton": a.ton(), "npi": a.npi(), "digits": d});
        }
    }
    if let Some(t) = a.text().filter(|_| a.toa & 0x80 != 0) {
        let mut b = Address::alphanumeric(&t).ok();
        if let Some(b) = &mut b {
            b.toa = a.toa;
        }
        if b.as_ref() == Some(a) {
            return json!({"ton": a.ton(), "npi": a.npi(), "text": t});
        }
    }
    json!({"length": a.length, "toa": a.toa, "hex": hex::encode(&a.value)})
}

fn address_from(v: &Value, k: &str) -> R<Address> {
    let bad = |e: crate::Error| JsonError(format!("tpdu.{k}: {e}"));
    match v {
        Value::String(s) => Address::international(s).map_err(bad),
        Value::Object(m) => {
            if let Some(h) = m.get("hex") {
                return Ok(Address {
                    length: u8_of(m, "length")?,
                    toa: u8_of(m, "toa")?,
                    value: hex_of(h, k)?,
                });
            }
            let (ton, npi) = (
                opt_u8(m, "ton")?.unwrap_or(1),
                opt_u8(m, "npi")?.unwrap_or(1),
            );
            if let Some(t) = m.get("text").and_then(Value::as_str) {
                let mut a = Address::alphanumeric(t).map_err(bad)?;
                a.toa = 0x80 | ((ton & 7) << 4) | (npi & 0x0f);
                return Ok(a);
            }
            let d = m
                .get("digits")
                .and_then(Value::as_str)
                .ok_or_else(|| JsonError(format!("tpdu.{k}: missing digits")))?;
            Address::digits(ton, npi, d).map_err(bad)
        }
        _ => err(format!("tpdu.{k}: expected an address")),
    }
}

fn ts_json(t: &Timestamp) -> Value {
    t.iso()
        .map_or_else(|| json!({"hex": hex::encode(&t.0)}), Value::String)
}

fn ts_from(v: &Value, k: &str) -> R<Timestamp> {
    match v {
        Value::String(s) => Timestamp::parse_iso(s)
            .ok_or_else(|| JsonError(format!("tpdu.{k}: expected 20YY-MM-DDThh:mm:ss+hh:mm"))),
        Value::Object(m) => {
            let b = hex_of(get(m, "hex")?, k)?;
            let a: [u8; 7] = b
                .try_into()
                .map_err(|_| JsonError(format!("tpdu.{k}: 7 octets")))?;
            Ok(Timestamp(a))
        }
        _ => err(format!("tpdu.{k}: expected a time stamp")),
    }
}

fn vp_json(vp: &ValidityPeriod) -> Value {
    match vp {
        ValidityPeriod::None => Value::Null,
        ValidityPeriod::Relative(v) => {
            json!({"relative": v, "seconds": ValidityPeriod::relative_seconds(*v)})
        }
        ValidityPeriod::Absolute(t) => json!({"absolute": ts_json(t)}),
        ValidityPeriod::Enhanced(b) => {
            let (ext, single_shot, format, secs) = ValidityPeriod::enhanced_fields(b);
            json!({"enhanced": hex::encode(b), "extension": ext, "single_shot": single_shot, "format": format, "seconds": secs})
        }
    }
}

fn vp_from(v: Option<&Value>) -> R<ValidityPeriod> {
    let Some(v) = v.filter(|v| !v.is_null()) else {
        return Ok(ValidityPeriod::None);
    };
    let m = v
        .as_object()
        .ok_or_else(|| JsonError("tpdu.tp_vp: expected an object".into()))?;
    if m.contains_key("relative") {
        Ok(ValidityPeriod::Relative(u8_of(m, "relative")?))
    } else if let Some(a) = m.get("absolute") {
        Ok(ValidityPeriod::Absolute(ts_from(a, "tp_vp")?))
    } else if let Some(e) = m.get("enhanced") {
        let b: [u8; 7] = hex_of(e, "tp_vp")?
            .try_into()
            .map_err(|_| JsonError("tpdu.tp_vp: 7 octets".into()))?;
        Ok(ValidityPeriod::Enhanced(b))
    } else {
        err("tpdu.tp_vp: expected relative, absolute or enhanced")
    }
}

fn dcs_info(d: Dcs) -> Value {
    let alphabet = match d.alphabet() {
        Alphabet::Gsm7 => "gsm7",
        Alphabet::Eight => "8bit",
        Alphabet::Ucs2 => "ucs2",
    };
    let mut v = json!({"group": d.group(), "alphabet": alphabet, "class": d.class(), "compressed": d.compressed()});
    if let Some((store, active, kind)) = d.message_waiting() {
        v["message_waiting"] = json!({"store": store, "active": active, "type": kind});
    }
    v
}

fn udh_json(h: &Udh) -> Value {
    Value::Array(
        h.ies
            .iter()
            .map(|ie| {
                let mut o = json!({"iei": ie.iei(), "data": hex::encode(&ie.data())});
                if let Some(n) = ie.name() {
                    o["name"] = Value::from(n);
                }
                match ie {
                    Ie::Concat8 {
                        reference,
                        total,
                        seq,
                    } => {
                        o["reference"] = json!(reference);
                        o["total"] = json!(total);
                        o["seq"] = json!(seq);
                    }
                    Ie::Concat16 {
                        reference,
                        total,
                        seq,
                    } => {
                        o["reference"] = json!(reference);
                        o["total"] = json!(total);
                        o["seq"] = json!(seq);
                    }
                    Ie::AppPort8 { dest, orig } => {
                        o["dest_port"] = json!(dest);
                        o["orig_port"] = json!(orig);
                    }
                    Ie::AppPort16 { dest, orig } => {
                        o["dest_port"] = json!(dest);
                        o["orig_port"] = json!(orig);
                    }
                    Ie::NationalSingleShift(t) | Ie::NationalLockingShift(t) => {
                        o["table"] = json!(t)
                    }
                    Ie::Other { .. } => {}
                }
                o
            })
            .collect(),
    )
}

fn udh_from(v: &Value) -> R<Udh> {
    let a = v
        .as_array()
        .ok_or_else(|| JsonError("tpdu.udh: expected an array".into()))?;
    let mut ies = Vec::with_capacity(a.len());
    for e in a {
        let m = e
            .as_object()
            .ok_or_else(|| JsonError("tpdu.udh: expected objects".into()))?;
        ies.push(Ie::from_parts(
            u8_of(m, "iei")?,
            &hex_of(get(m, "data")?, "udh.data")?,
        ));
    }
    Ok(Udh::new(ies))
}

fn ud_into(m: &mut Map<String, Value>, ud: &UserData, dcs: Dcs) {
    m.insert("tp_udl".into(), json!(ud.udl));
    if let Some(h) = &ud.udh {
        m.insert("udh".into(), udh_json(h));
    }
    m.insert("ud".into(), Value::from(hex::encode(&ud.data)));
    m.insert(
        "text".into(),
        ud.text(dcs).map_or(Value::Null, Value::String),
    );
}

fn ud_from(m: &Map<String, Value>, dcs: Dcs) -> R<UserData> {
    let udh = match m.get("udh") {
        None | Some(Value::Null) => None,
        Some(v) => Some(udh_from(v)?).filter(|h| !h.ies.is_empty()),
    };
    if let Some(ud) = m.get("ud") {
        return Ok(UserData {
            udh,
            udl: u8_of(m, "tp_udl")?,
            data: hex_of(ud, "ud")?,
        });
    }
    let text = m
        .get("text")
        .and_then(Value::as_str)
        .ok_or_else(|| JsonError("tpdu: give ud (hex) or text".into()))?;
    let bad = |e: crate::Error| JsonError(format!("tpdu.text: {e}"));
    match dcs.alphabet() {
        Alphabet::Gsm7 => UserData::gsm7(text, udh).map_err(bad),
        Alphabet::Ucs2 => UserData::ucs2(text, udh).map_err(bad),
        Alphabet::Eight => UserData::octets(text.as_bytes().to_vec(), udh).map_err(bad),
    }
}

fn pi_into(m: &mut Map<String, Value>, p: &PiFields) {
    m.insert("tp_pi".into(), Value::from(hex::encode(&p.pi)));
    if let Some(pid) = p.pid {
        m.insert("tp_pid".into(), json!(pid));
    }
    if let Some(d) = p.dcs {
        m.insert("tp_dcs".into(), json!(d.0));
    }
    if let Some(ud) = &p.ud {
        ud_into(m, ud, p.dcs.unwrap_or_default());
    }
}

fn pi_from(m: &Map<String, Value>) -> R<PiFields> {
    let pid = opt_u8(m, "tp_pid")?;
    let dcs = opt_u8(m, "tp_dcs")?.map(Dcs);
    let ud = if m.contains_key("ud") || m.contains_key("text") {
        Some(ud_from(m, dcs.unwrap_or_default())?)
    } else {
        None
    };
    let mut p = PiFields::new(pid, dcs, ud);
    if let Some(pi) = m.get("tp_pi") {
        p.pi = hex_of(pi, "tp_pi")?;
        if p.pi.is_empty() {
            return err("tpdu.tp_pi: at least one octet");
        }
    }
    Ok(p)
}

/// The JSON of a TPDU.
pub fn to_json(t: &Tpdu) -> Value {
    let mut m = Map::new();
    m.insert("tp_mti".into(), Value::from(t.name()));
    match t {
        Tpdu::Deliver(d) => {
            m.insert("tp_mms".into(), json!(d.mms));
            m.insert("tp_lp".into(), json!(d.lp));
            m.insert("tp_sri".into(), json!(d.sri));
            m.insert("tp_udhi".into(), json!(d.ud.udh.is_some()));
            m.insert("tp_rp".into(), json!(d.rp));
            if d.spare {
                m.insert("spare".into(), json!(true));
            }
            m.insert("tp_oa".into(), address_json(&d.oa));
            m.insert("tp_pid".into(), json!(d.pid));
            m.insert("tp_dcs".into(), json!(d.dcs.0));
            m.insert("tp_dcs_info".into(), dcs_info(d.dcs));
            m.insert("tp_scts".into(), ts_json(&d.scts));
            ud_into(&mut m, &d.ud, d.dcs);
        }
        Tpdu::Submit(s) => {
            m.insert("tp_rd".into(), json!(s.rd));
            m.insert("tp_vpf".into(), json!(s.vp.vpf()));
            m.insert("tp_srr".into(), json!(s.srr));
            m.insert("tp_udhi".into(), json!(s.ud.udh.is_some()));
            m.insert("tp_rp".into(), json!(s.rp));
            m.insert("tp_mr".into(), json!(s.mr));
            m.insert("tp_da".into(), address_json(&s.da));
            m.insert("tp_pid".into(), json!(s.pid));
            m.insert("tp_dcs".into(), json!(s.dcs.0));
            m.insert("tp_dcs_info".into(), dcs_info(s.dcs));
            m.insert("tp_vp".into(), vp_json(&s.vp));
            ud_into(&mut m, &s.ud, s.dcs);
        }
        Tpdu::DeliverReport(d) => {
            if d.spare != 0 {
                m.insert("spare".into(), json!(d.spare));
            }
            if let Some(f) = d.fcs {
                m.insert("tp_fcs".into(), json!(f));
            }
            pi_into(&mut m, &d.params);
        }
        Tpdu::SubmitReport(s) => {
            if s.spare != 0 {
                m.insert("spare".into(), json!(s.spare));
            }
            if let Some(f) = s.fcs {
                m.insert("tp_fcs".into(), json!(f));
            }
            m.insert("tp_scts".into(), ts_json(&s.scts));
            pi_into(&mut m, &s.params);
        }
        Tpdu::StatusReport(s) => {
            m.insert("tp_mms".into(), json!(s.mms));
            m.insert("tp_lp".into(), json!(s.lp));
            m.insert("tp_srq".into(), json!(s.srq));
            if s.spare != 0 {
                m.insert("spare".into(), json!(s.spare));
            }
            m.insert("tp_mr".into(), json!(s.mr));
            m.insert("tp_ra".into(), address_json(&s.ra));
            m.insert("tp_scts".into(), ts_json(&s.scts));
            m.insert("tp_dt".into(), ts_json(&s.dt));
            m.insert("tp_st".into(), json!(s.st));
            if let Some(p) = &s.params {
                pi_into(&mut m, p);
            }
        }
        Tpdu::Command(c) => {
            m.insert("tp_srr".into(), json!(c.srr));
            m.insert("tp_udhi".into(), json!(c.udhi));
            if c.spare != 0 {
                m.insert("spare".into(), json!(c.spare));
            }
            m.insert("tp_mr".into(), json!(c.mr));
            m.insert("tp_pid".into(), json!(c.pid));
            m.insert("tp_ct".into(), json!(c.ct));
            m.insert("tp_mn".into(), json!(c.mn));
            m.insert("tp_da".into(), address_json(&c.da));
            m.insert("tp_cd".into(), Value::from(hex::encode(&c.cd)));
        }
    }
    Value::Object(m)
}

/// A TPDU from its JSON.
pub fn from_json(v: &Value) -> R<Tpdu> {
    let m = v
        .as_object()
        .ok_or_else(|| JsonError("tpdu: expected an object".into()))?;
    if let Some(r) = m.get("raw") {
        return err(format!("tpdu: raw {} cannot be typed; encode it as hex", r));
    }
    let mti = get(m, "tp_mti")?.as_str().unwrap_or_default();
    // The spare bits: a flag in SMS-DELIVER (its one spare bit), the bits themselves elsewhere.
    let spare = || opt_u8(m, "spare").map(|v| v.unwrap_or(0));
    Ok(match mti {
        "SMS-DELIVER" => {
            let dcs = Dcs(u8_of(m, "tp_dcs")?);
            Tpdu::Deliver(Deliver {
                mms: flag(m, "tp_mms"),
                lp: flag(m, "tp_lp"),
                sri: flag(m, "tp_sri"),
                rp: flag(m, "tp_rp"),
                spare: flag(m, "spare"),
                oa: address_from(get(m, "tp_oa")?, "tp_oa")?,
                pid: opt_u8(m, "tp_pid")?.unwrap_or(0),
                dcs,
                scts: ts_from(get(m, "tp_scts")?, "tp_scts")?,
                ud: ud_from(m, dcs)?,
            })
        }
        "SMS-SUBMIT" => {
            let dcs = Dcs(u8_of(m, "tp_dcs")?);
            Tpdu::Submit(Submit {
                rd: flag(m, "tp_rd"),
                srr: flag(m, "tp_srr"),
                rp: flag(m, "tp_rp"),
                mr: opt_u8(m, "tp_mr")?.unwrap_or(0),
                da: address_from(get(m, "tp_da")?, "tp_da")?,
                pid: opt_u8(m, "tp_pid")?.unwrap_or(0),
                dcs,
                vp: vp_from(m.get("tp_vp"))?,
                ud: ud_from(m, dcs)?,
            })
        }
        "SMS-DELIVER-REPORT" => Tpdu::DeliverReport(DeliverReport {
            spare: spare()?,
            fcs: opt_u8(m, "tp_fcs")?,
            params: pi_from(m)?,
        }),
        "SMS-SUBMIT-REPORT" => Tpdu::SubmitReport(SubmitReport {
            spare: spare()?,
            fcs: opt_u8(m, "tp_fcs")?,
            scts: ts_from(get(m, "tp_scts")?, "tp_scts")?,
            params: pi_from(m)?,
        }),
        "SMS-STATUS-REPORT" => Tpdu::StatusReport(StatusReport {
            mms: flag(m, "tp_mms"),
            lp: flag(m, "tp_lp"),
            srq: flag(m, "tp_srq"),
            spare: spare()?,
            mr: u8_of(m, "tp_mr")?,
            ra: address_from(get(m, "tp_ra")?, "tp_ra")?,
            scts: ts_from(get(m, "tp_scts")?, "tp_scts")?,
            dt: ts_from(get(m, "tp_dt")?, "tp_dt")?,
            st: u8_of(m, "tp_st")?,
            params: if m.contains_key("tp_pi") {
                Some(pi_from(m)?)
            } else {
                None
            },
        }),
        "SMS-COMMAND" => Tpdu::Command(Command {
            srr: flag(m, "tp_srr"),
            udhi: flag(m, "tp_udhi"),
            spare: spare()?,
            mr: u8_of(m, "tp_mr")?,
            pid: opt_u8(m, "tp_pid")?.unwrap_or(0),
            ct: u8_of(m, "tp_ct")?,
            mn: u8_of(m, "tp_mn")?,
            da: address_from(get(m, "tp_da")?, "tp_da")?,
            cd: m
                .get("tp_cd")
                .map_or(Ok(Vec::new()), |v| hex_of(v, "tp_cd"))?,
        }),
        _ => return err(format!("tpdu.tp_mti: unknown {mti:?}")),
    })
}

/// The `tpdu` value for octets travelling in `dir`: the decoded TPDU, or `{"raw", "decode_error"}`.
pub fn layer(b: &[u8], dir: Direction) -> Value {
    match Tpdu::decode(b, dir) {
        Ok(t) => to_json(&t),
        Err(e) => json!({"raw": hex::encode(b), "decode_error": e.to_string()}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_builds_from_text() {
        let b = hex::decode("040c914477000990990000421010214365000ae8329bfd4697d9ec37").unwrap();
        let t = Tpdu::decode(&b, Direction::ScToMs).unwrap();
        let j = to_json(&t);
        assert_eq!(j["tp_oa"], "447700900999");
        assert_eq!(j["tp_scts"], "2024-01-01T12:34:56+00:00");
        assert_eq!(j["text"], "hellohello");
        assert_eq!(from_json(&j).unwrap().encode(), b);
        let mut j = j;
        let o = j.as_object_mut().unwrap();
        o.remove("ud");
        o.remove("tp_udl");
        assert_eq!(from_json(&j).unwrap().encode(), b);
    }
}
