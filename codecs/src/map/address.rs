//! AddressString, ISDN-AddressString and TBCD strings (IMSI) of MAP-CommonDataTypes
//! (3GPP TS 29.002 17.7.8).
//!
//! ```asn1
//! AddressString ::= OCTET STRING (SIZE (1..maxAddressLength))
//!   -- a) octet 1: bit 8 extension (1 = no extension), bits 7-5 nature of address indicator,
//!   --    bits 4-1 numbering plan indicator;
//!   -- b) digits: TBCD-STRING
//! ISDN-AddressString ::= AddressString (SIZE (1..maxISDN-AddressLength))
//! TBCD-STRING ::= OCTET STRING
//!   -- digits 0-9, *, #, a, b, c; two digits per octet, the first in bits 4-1;
//!   -- an odd count ends with the filler 1111 in bits 8-5 of the last octet
//! IMSI ::= TBCD-STRING (SIZE (3..8))
//! ```
//!
//! Both keep the octets as they came; the digit text is derived, and a value whose octets the
//! text cannot reproduce (a filler before the end, say) still passes through unchanged.

use super::asn::{json_hex, object, Asn, JsonResult};
use crate::ber::{LenForm, Tag, Tlv, Writer};
use crate::error::{Error, Reason, Result};
use crate::hex;
use serde_json::{json, Value};

const TBCD_DIGITS: &[u8; 15] = b"0123456789*#abc";

/// TBCD digits from text (`0`-`9`, `*`, `#`, `a`, `b`, `c`); an odd count gets the filler.
pub fn tbcd_encode(digits: &str) -> Result<Vec<u8>> {
    let mut nibbles = Vec::with_capacity(digits.len());
    for (i, c) in digits.char_indices() {
        let n = TBCD_DIGITS
            .iter()
            .position(|&d| d == c.to_ascii_lowercase() as u8)
            .ok_or(Error::new("digits", i, Reason::BadValue))?;
        nibbles.push(n as u8);
    }
    Ok(nibbles
        .chunks(2)
        .map(|p| p[0] | (p.get(1).copied().unwrap_or(0x0f) << 4))
        .collect())
}

/// The digit text of TBCD octets, or `None` when the octets are not what [`tbcd_encode`] of that
/// text would give (a filler anywhere but the last high nibble).
pub fn tbcd_decode(octets: &[u8]) -> Option<String> {
    let mut s = String::with_capacity(octets.len() * 2);
    for (i, &o) in octets.iter().enumerate() {
        let (lo, hi) = (o & 0x0f, o >> 4);
        if lo == 0x0f {
            return None;
        }
        s.push(TBCD_DIGITS[usize::from(lo)] as char);
        if hi == 0x0f {
            if i + 1 != octets.len() {
                return None;
            }
        } else {
            s.push(TBCD_DIGITS[usize::from(hi)] as char);
        }
    }
    Some(s)
}

/// A TBCD-STRING (IMSI, HLR-Id, ...).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Tbcd(pub Vec<u8>);

impl Tbcd {
    /// From digit text.
    pub fn from_digits(digits: &str) -> Result<Self> {
        tbcd_encode(digits).map(Tbcd)
    }

    /// The digit text, when the octets are canonical TBCD.
    pub fn digits(&self) -> Option<String> {
        tbcd_decode(&self.0)
    }
}

impl Asn for Tbcd {
    fn decode_asn(t: &Tlv<'_>, _field: &'static str) -> Result<Self> {
        Ok(Tbcd(t.value.to_vec()))
    }
    fn encode_asn(&self, w: &mut Writer, declared: Tag, form: LenForm) {
        w.primitive(declared, form, &self.0);
    }
    /// The digits as a string, or `{"hex": ...}` when not canonical TBCD.
    fn to_json(&self) -> Value {
        match self.digits() {
            Some(d) => Value::String(d),
            None => json!({ "hex": hex::encode(&self.0) }),
        }
    }
    fn from_json(v: &Value, field: &str) -> JsonResult<Self> {
        match v {
            Value::String(s) => Tbcd::from_digits(s).map_err(|e| format!("{field}: {e}")),
            Value::Object(m) => json_hex(m.get("hex").unwrap_or(&Value::Null), field).map(Tbcd),
            _ => Err(format!("{field}: expected digits")),
        }
    }
}

/// Nature of address indicator: international number (29.002 17.7.8).
pub const NATURE_INTERNATIONAL: u8 = 1;
/// Numbering plan indicator: ISDN/telephony (E.164).
pub const NPI_E164: u8 = 1;
/// Numbering plan indicator: land mobile (E.212).
pub const NPI_E212: u8 = 6;

/// An AddressString / ISDN-AddressString: the type-of-address octet then TBCD digits.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct AddressString(pub Vec<u8>);

impl AddressString {
    /// An address with the given nature of address and numbering plan (extension bit set).
    pub fn new(nature: u8, npi: u8, digits: &str) -> Result<Self> {
        let mut v = vec![0x80 | ((nature & 7) << 4) | (npi & 0x0f)];
        v.extend(tbcd_encode(digits)?);
        Ok(AddressString(v))
    }

    /// An international E.164 number (type of address 0x91).
    pub fn international(digits: &str) -> Result<Self> {
        Self::new(NATURE_INTERNATIONAL, NPI_E164, digits)
    }

    /// Bit 8 of the first octet (1 = no extension).
    pub fn ext(&self) -> bool {
        self.0.first().is_some_and(|o| o & 0x80 != 0)
    }

    /// Nature of address indicator.
    pub fn nature(&self) -> u8 {
        self.0.first().map_or(0, |o| (o >> 4) & 7)
    }

    /// Numbering plan indicator.
    pub fn npi(&self) -> u8 {
        self.0.first().map_or(0, |o| o & 0x0f)
    }

    /// The digits, when canonical TBCD.
    pub fn digits(&self) -> Option<String> {
        self.0.get(1..).and_then(tbcd_decode)
    }
}

impl Asn for AddressString {
    fn decode_asn(t: &Tlv<'_>, field: &'static str) -> Result<Self> {
        // 29.002 17.7.8: SIZE (1..maxAddressLength): at least the type-of-address octet.
        if t.value.is_empty() {
            return Err(t.error(field, Reason::BadLength));
        }
        Ok(AddressString(t.value.to_vec()))
    }
    fn encode_asn(&self, w: &mut Writer, declared: Tag, form: LenForm) {
        w.primitive(declared, form, &self.0);
    }
    /// An international E.164 address is its digits as a string (INTERFACES.md); any other is
    /// `{"nature_of_address", "numbering_plan", "digits"}`, or `{"hex"}` when the digits cannot
    /// reproduce the octets.
    fn to_json(&self) -> Value {
        match (self.ext(), self.digits()) {
            (true, Some(d)) if self.nature() == NATURE_INTERNATIONAL && self.npi() == NPI_E164 => {
                Value::String(d)
            }
            (true, Some(d)) => {
                json!({"nature_of_address": self.nature(), "numbering_plan": self.npi(), "digits": d})
            }
            _ => json!({ "hex": hex::encode(&self.0) }),
        }
    }
    fn from_json(v: &Value, field: &str) -> JsonResult<Self> {
        match v {
            Value::String(s) => {
                AddressString::international(s).map_err(|e| format!("{field}: {e}"))
            }
            Value::Object(_) => {
                let m = object(v, field)?;
                if let Some(h) = m.get("hex") {
                    return json_hex(h, field).map(AddressString);
                }
                let n = m
                    .get("nature_of_address")
                    .and_then(Value::as_u64)
                    .unwrap_or(1) as u8;
                let p = m.get("numbering_plan").and_then(Value::as_u64).unwrap_or(1) as u8;
                let d = m
                    .get("digits")
                    .and_then(Value::as_str)
                    .ok_or_else(|| format!("{field}: missing digits"))?;
                AddressString::new(n, p, d).map_err(|e| format!("{field}: {e}"))
            }
            _ => Err(format!("{field}: expected an address")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emits_and_parses_tbcd() {
        assert_eq!(
            hex::encode(&tbcd_encode("001010123456789").unwrap()),
            "00010121436587f9"
        );
        assert_eq!(
            tbcd_decode(&hex::decode("00010121436587f9").unwrap()).unwrap(),
            "001010123456789"
        );
        assert_eq!(tbcd_decode(&[0xba, 0xdc]).unwrap(), "*#ab");
        assert_eq!(tbcd_decode(&[0xf1, 0x21]), None);
        assert_eq!(tbcd_decode(&[0x1f]), None);
        assert!(tbcd_encode("12x").is_err());
    }

    #[test]
    fn addresses_and_their_json() {
        let a = AddressString::international("447700900123").unwrap();
        assert_eq!(hex::encode(&a.0), "91447700091032");
        assert_eq!(a.to_json(), json!("447700900123"));
        assert_eq!(AddressString::from_json(&a.to_json(), "a").unwrap(), a);
        let n = AddressString::new(2, 1, "7700900").unwrap();
        assert_eq!(
            n.to_json(),
            json!({"nature_of_address": 2, "numbering_plan": 1, "digits": "7700900"})
        );
        assert_eq!(AddressString::from_json(&n.to_json(), "a").unwrap(), n);
        let odd = AddressString(vec![0x91, 0xf4, 0x21]);
        assert_eq!(AddressString::from_json(&odd.to_json(), "a").unwrap(), odd);
    }
}
