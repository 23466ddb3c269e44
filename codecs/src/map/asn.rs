//! The machinery the MAP types share: the [`Asn`] trait (decode a TLV, encode under a given tag,
//! JSON both ways), its implementations for the primitive types, and the `sequence!` macro that
//! declares a SEQUENCE once, field by field in ASN.1 order, and derives the struct, its BER codec
//! and its JSON form.
//!
//! Decoding a SEQUENCE is positional, as the ASN.1 order fixes it: each field in turn takes the
//! next element if the element's tag is the field's. Elements left after the last known field
//! (extensions added by later releases or vendors after the `...`) are kept raw in
//! `extensions` and re-emitted at the end; every length form is kept in `forms`. So a decoded
//! value re-encodes to its bytes, and an unexpected element before a known one makes the decode
//! fail (the caller keeps the whole parameter raw) rather than reorder anything.

use crate::ber::{self, Forms, LenForm, Tag, Tlv, Writer};
use crate::error::{Reason, Result};
use crate::hex;
use serde_json::{Map, Value};

/// A JSON conversion failure: a message naming the field.
pub type JsonResult<T> = std::result::Result<T, String>;

/// A MAP value that is one TLV.
pub trait Asn: Sized {
    /// True when an element with tag `tag` is this value declared with tag `declared` (a CHOICE
    /// accepts its alternatives' tags whatever the declared one).
    fn accepts(tag: Tag, declared: Tag) -> bool {
        tag == declared
    }

    /// The value of the TLV `t` (whose tag `accepts` has checked).
    fn decode_asn(t: &Tlv<'_>, field: &'static str) -> Result<Self>;

    /// Writes the value as a TLV with tag `declared` (a CHOICE writes its alternative's tag) and
    /// length form `form` (a SEQUENCE uses the form it recorded itself).
    fn encode_asn(&self, w: &mut Writer, declared: Tag, form: LenForm);

    /// The JSON form.
    fn to_json(&self) -> Value;

    /// From the JSON form.
    fn from_json(v: &Value, field: &str) -> JsonResult<Self>;

    /// Decodes the one TLV that is all of `buf`, declared with tag `declared`.
    fn decode_ber(buf: &[u8], declared: Tag, field: &'static str) -> Result<Self> {
        let t = Tlv::decode_exact(buf, 0, field)?;
        if !Self::accepts(t.tag, declared) {
            return Err(t.error(field, Reason::BadValue));
        }
        Self::decode_asn(&t, field)
    }

    /// The TLV octets under tag `declared`, minimal length form unless the value recorded others.
    fn encode_ber(&self, declared: Tag) -> Vec<u8> {
        let mut w = Writer::new();
        self.encode_asn(&mut w, declared, LenForm::Minimal);
        w.into_vec()
    }
}

/// OCTET STRING (or any primitive whose contents are shown as hex: LMSI, SignalInfo, Time,
/// BIT STRING contents).
impl Asn for Vec<u8> {
    fn decode_asn(t: &Tlv<'_>, _field: &'static str) -> Result<Self> {
        Ok(t.value.to_vec())
    }
    fn encode_asn(&self, w: &mut Writer, declared: Tag, form: LenForm) {
        w.primitive(declared, form, self);
    }
    fn to_json(&self) -> Value {
        Value::String(hex::encode(self))
    }
    fn from_json(v: &Value, field: &str) -> JsonResult<Self> {
        json_hex(v, field)
    }
}

/// BOOLEAN.
impl Asn for bool {
    fn decode_asn(t: &Tlv<'_>, field: &'static str) -> Result<Self> {
        ber::bool_value(t, field)
    }
    fn encode_asn(&self, w: &mut Writer, declared: Tag, form: LenForm) {
        w.primitive(declared, form, &[if *self { 0xff } else { 0 }]);
    }
    fn to_json(&self) -> Value {
        Value::Bool(*self)
    }
    fn from_json(v: &Value, field: &str) -> JsonResult<Self> {
        v.as_bool()
            .ok_or_else(|| format!("{field}: expected true or false"))
    }
}

/// INTEGER and ENUMERATED contents.
impl Asn for i64 {
    fn decode_asn(t: &Tlv<'_>, field: &'static str) -> Result<Self> {
        ber::int_value(t, field)
    }
    fn encode_asn(&self, w: &mut Writer, declared: Tag, form: LenForm) {
        w.primitive(declared, form, &ber::int_contents(*self));
    }
    fn to_json(&self) -> Value {
        Value::from(*self)
    }
    fn from_json(v: &Value, field: &str) -> JsonResult<Self> {
        v.as_i64()
            .ok_or_else(|| format!("{field}: expected an integer"))
    }
}

/// A whole element kept as it came (identifier, length and contents): ExtensionContainer,
/// CorrelationID and the other structures these operations only pass along.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Raw(pub Vec<u8>);

impl Asn for Raw {
    fn accepts(tag: Tag, declared: Tag) -> bool {
        tag == declared
    }
    fn decode_asn(t: &Tlv<'_>, _field: &'static str) -> Result<Self> {
        Ok(Raw(t.raw.to_vec()))
    }
    fn encode_asn(&self, w: &mut Writer, _declared: Tag, _form: LenForm) {
        w.raw(&self.0);
    }
    fn to_json(&self) -> Value {
        Value::String(hex::encode(&self.0))
    }
    fn from_json(v: &Value, field: &str) -> JsonResult<Self> {
        json_hex(v, field).map(Raw)
    }
}

/// Hex from a JSON string.
pub fn json_hex(v: &Value, field: &str) -> JsonResult<Vec<u8>> {
    let s = v
        .as_str()
        .ok_or_else(|| format!("{field}: expected a hex string"))?;
    hex::decode(s).map_err(|e| format!("{field}: {e}"))
}

/// The JSON of recorded non-minimal length forms (`{"slot": "indefinite" | "long:N"}`), or
/// `None` when all were minimal.
pub fn forms_to_json(forms: &Forms) -> Option<Value> {
    if forms.is_minimal() {
        return None;
    }
    let mut m = Map::new();
    for slot in 0..=u8::MAX {
        match forms.get(slot) {
            LenForm::Minimal => {}
            LenForm::Indefinite => {
                m.insert(slot.to_string(), Value::from("indefinite"));
            }
            LenForm::Long(n) => {
                m.insert(slot.to_string(), Value::from(format!("long:{n}")));
            }
        }
    }
    Some(Value::Object(m))
}

/// Length forms from their JSON (absent = all minimal).
pub fn forms_from_json(v: Option<&Value>, field: &str) -> JsonResult<Forms> {
    let mut f = Forms::default();
    let Some(v) = v else { return Ok(f) };
    let m = v
        .as_object()
        .ok_or_else(|| format!("{field}.ber_length_forms: expected an object"))?;
    for (k, v) in m {
        let slot: u8 = k
            .parse()
            .map_err(|_| format!("{field}.ber_length_forms: bad slot {k:?}"))?;
        let form = match v.as_str() {
            Some("indefinite") => LenForm::Indefinite,
            Some(s) if s.starts_with("long:") => LenForm::Long(
                s[5..]
                    .parse()
                    .map_err(|_| format!("{field}.ber_length_forms: bad form {s:?}"))?,
            ),
            _ => return Err(format!("{field}.ber_length_forms: bad form {v}")),
        };
        f.set(slot, form);
    }
    Ok(f)
}

/// Adds `extensions` and `ber_length_forms` to a JSON object when they carry anything.
pub fn put_extras(m: &mut Map<String, Value>, extensions: &[Vec<u8>], forms: &Forms) {
    if !extensions.is_empty() {
        m.insert(
            "extensions".into(),
            Value::Array(
                extensions
                    .iter()
                    .map(|e| Value::from(hex::encode(e)))
                    .collect(),
            ),
        );
    }
    if let Some(f) = forms_to_json(forms) {
        m.insert("ber_length_forms".into(), f);
    }
}

/// Reads `extensions` and `ber_length_forms` back.
pub fn get_extras(m: &Map<String, Value>, field: &str) -> JsonResult<(Vec<Vec<u8>>, Forms)> {
    let extensions = match m.get("extensions") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a
            .iter()
            .map(|e| json_hex(e, field))
            .collect::<JsonResult<_>>()?,
        Some(_) => {
            return Err(format!(
                "{field}.extensions: expected an array of hex strings"
            ))
        }
    };
    Ok((
        extensions,
        forms_from_json(m.get("ber_length_forms"), field)?,
    ))
}

/// The JSON object of `v`, or an error naming `field`.
pub fn object<'v>(v: &'v Value, field: &str) -> JsonResult<&'v Map<String, Value>> {
    v.as_object()
        .ok_or_else(|| format!("{field}: expected an object"))
}

/// Declares a SEQUENCE type: its fields in ASN.1 order, each `name: req|opt|flag Type = tag`
/// (`flag` is an OPTIONAL NULL, a `bool`), and derives the struct, [`Asn`] and `Default`.
macro_rules! sequence {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* $f:ident : $kind:ident $ty:ty = $tag:expr ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        ///
        /// Forms: slot 0 the SEQUENCE, then one slot per field in declaration order.
        #[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
        pub struct $name {
            $( $(#[$fmeta])* pub $f: sequence!(@ty $kind $ty), )*
            /// Elements after the known ones (later extensions), raw, re-emitted at the end.
            pub extensions: Vec<Vec<u8>>,
            /// Length forms as received.
            pub forms: $crate::ber::Forms,
        }

        impl $crate::map::asn::Asn for $name {
            fn decode_asn(t: &$crate::ber::Tlv<'_>, field: &'static str) -> $crate::error::Result<Self> {
                #[allow(unused_mut)]
                let mut forms = $crate::ber::Forms::own(t.form);
                #[allow(unused_mut)]
                let mut s = t.children(field)?;
                #[allow(unused_mut, unused_variables)]
                let mut slot: u8 = 0;
                $(
                    slot += 1;
                    let $f = sequence!(@dec $kind $ty, $tag, s, forms, slot, concat!("map.", stringify!($f)));
                )*
                let extensions = s.rest_raw()?;
                Ok($name { $($f,)* extensions, forms })
            }

            fn encode_asn(&self, w: &mut $crate::ber::Writer, declared: $crate::ber::Tag, _form: $crate::ber::LenForm) {
                w.tlv(declared, self.forms.get(0), |w| {
                    #[allow(unused_mut, unused_variables)]
                    let mut slot: u8 = 0;
                    $(
                        slot += 1;
                        sequence!(@enc $kind self.$f, $tag, w, self.forms, slot);
                    )*
                    for e in &self.extensions {
                        w.raw(e);
                    }
                });
            }

            fn to_json(&self) -> serde_json::Value {
                #[allow(unused_mut)]
                let mut m = serde_json::Map::new();
                $( sequence!(@json $kind self.$f, m, stringify!($f)); )*
                $crate::map::asn::put_extras(&mut m, &self.extensions, &self.forms);
                serde_json::Value::Object(m)
            }

            fn from_json(v: &serde_json::Value, field: &str) -> $crate::map::asn::JsonResult<Self> {
                let m = $crate::map::asn::object(v, field)?;
                $( let $f = sequence!(@from_json $kind $ty, m, stringify!($f), field); )*
                let (extensions, forms) = $crate::map::asn::get_extras(m, field)?;
                Ok($name { $($f,)* extensions, forms })
            }
        }
    };

    (@ty req $ty:ty) => { $ty };
    (@ty opt $ty:ty) => { Option<$ty> };
    (@ty flag $ty:ty) => { bool };

    (@dec req $ty:ty, $tag:expr, $s:ident, $forms:ident, $slot:ident, $name:expr) => {{
        let e = $s.any($name)?;
        if !<$ty as $crate::map::asn::Asn>::accepts(e.tag, $tag) {
            return Err(e.error($name, $crate::error::Reason::BadValue));
        }
        $forms.set($slot, e.form);
        <$ty as $crate::map::asn::Asn>::decode_asn(&e, $name)?
    }};
    (@dec opt $ty:ty, $tag:expr, $s:ident, $forms:ident, $slot:ident, $name:expr) => {{
        match $s.peek()? {
            Some(e) if <$ty as $crate::map::asn::Asn>::accepts(e.tag, $tag) => {
                $s.element()?;
                $forms.set($slot, e.form);
                Some(<$ty as $crate::map::asn::Asn>::decode_asn(&e, $name)?)
            }
            _ => None,
        }
    }};
    (@dec flag $ty:ty, $tag:expr, $s:ident, $forms:ident, $slot:ident, $name:expr) => {{
        match $s.peek()? {
            Some(e) if e.tag == $tag => {
                $s.element()?;
                $crate::ber::null_value(&e, $name)?;
                $forms.set($slot, e.form);
                true
            }
            _ => false,
        }
    }};

    (@enc req $v:expr, $tag:expr, $w:ident, $forms:expr, $slot:ident) => {
        $crate::map::asn::Asn::encode_asn(&$v, $w, $tag, $forms.get($slot))
    };
    (@enc opt $v:expr, $tag:expr, $w:ident, $forms:expr, $slot:ident) => {
        if let Some(x) = &$v {
            $crate::map::asn::Asn::encode_asn(x, $w, $tag, $forms.get($slot));
        }
    };
    (@enc flag $v:expr, $tag:expr, $w:ident, $forms:expr, $slot:ident) => {
        if $v {
            $w.primitive($tag, $forms.get($slot), &[]);
        }
    };

    (@json req $v:expr, $m:ident, $key:expr) => {
        $m.insert($key.into(), $crate::map::asn::Asn::to_json(&$v));
    };
    (@json opt $v:expr, $m:ident, $key:expr) => {
        if let Some(x) = &$v {
            $m.insert($key.into(), $crate::map::asn::Asn::to_json(x));
        }
    };
    (@json flag $v:expr, $m:ident, $key:expr) => {
        if $v {
            $m.insert($key.into(), serde_json::Value::Bool(true));
        }
    };

    (@from_json req $ty:ty, $m:ident, $key:expr, $field:ident) => {
        match $m.get($key) {
            Some(v) => <$ty as $crate::map::asn::Asn>::from_json(v, $key)?,
            None => return Err(format!("{}: missing {}", $field, $key)),
        }
    };
    (@from_json opt $ty:ty, $m:ident, $key:expr, $field:ident) => {
        match $m.get($key) {
            None | Some(serde_json::Value::Null) => None,
            Some(v) => Some(<$ty as $crate::map::asn::Asn>::from_json(v, $key)?),
        }
    };
    (@from_json flag $ty:ty, $m:ident, $key:expr, $field:ident) => {
        match $m.get($key) {
            None | Some(serde_json::Value::Null) => false,
            Some(v) => v.as_bool().ok_or_else(|| format!("{}: expected true", $key))?,
        }
    };
}

pub(crate) use sequence;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reader::Reader;

    sequence! {
        /// A test type: `T ::= SEQUENCE { a [0] OCTET STRING, b BOOLEAN OPTIONAL,
        /// c [2] NULL OPTIONAL, d INTEGER OPTIONAL, ... }`.
        pub struct T {
            a: req Vec<u8> = Tag::context(0),
            b: opt bool = Tag::BOOLEAN,
            c: flag () = Tag::context(2),
            d: opt i64 = Tag::INTEGER,
        }
    }

    fn dec(h: &str) -> Result<T> {
        let b = hex::decode(h).unwrap();
        let t = Tlv::decode(&mut Reader::new(&b), 0)?;
        T::decode_asn(&t, "t")
    }

    #[test]
    fn decodes_positionally_and_keeps_extensions_and_forms() {
        let h = "3080 8002abcd 8200 020105 9f1f00 0000";
        let t = dec(h).unwrap();
        assert_eq!(
            (t.a.clone(), t.b, t.c, t.d),
            (vec![0xab, 0xcd], None, true, Some(5))
        );
        assert_eq!(t.extensions, vec![vec![0x9f, 0x1f, 0x00]]);
        assert_eq!(t.forms.get(0), LenForm::Indefinite);
        assert_eq!(
            hex::encode(&t.encode_ber(Tag::SEQUENCE)),
            h.replace(' ', "")
        );
        let j = t.to_json();
        assert_eq!(j["a"], "abcd");
        assert_eq!(j["ber_length_forms"]["0"], "indefinite");
        assert_eq!(T::from_json(&j, "t").unwrap(), t);
    }

    #[test]
    fn rejects_missing_and_misplaced() {
        assert_eq!(dec("3003 010100").unwrap_err().field, "map.a");
        assert_eq!(dec("3000").unwrap_err().reason, Reason::Truncated);
        // A known element after an unknown one is not reordered: it becomes an extension too.
        let t = dec("3009 8001aa 9f1f00 020105").unwrap();
        assert_eq!((t.d, t.extensions.len()), (None, 2));
        assert!(T::from_json(&serde_json::json!({"b": true}), "t")
            .unwrap_err()
            .contains("missing a"));
    }
}
