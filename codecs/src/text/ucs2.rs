//! UCS-2 as SMS and SMPP carry it (`data_coding` 8, TP-DCS alphabet UCS2): big-endian 16-bit
//! units. Characters outside the BMP are written as UTF-16 surrogate pairs, which every current
//! handset reads (TS 23.038 section 5 refers to ISO/IEC 10646; the pairs are what UTF-16 adds);
//! an unpaired surrogate on the wire is an error rather than a replacement character, so nothing
//! is altered silently.

use crate::error::{Error, Reason, Result};

/// Number of 16-bit units `s` takes (a character outside the BMP takes 2).
pub fn unit_count(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

/// Appends the UTF-16BE octets of `s` to `out`. Never fails: every `char` has a UTF-16 form.
pub fn encode_into(s: &str, out: &mut Vec<u8>) {
    for u in s.encode_utf16() {
        out.extend_from_slice(&u.to_be_bytes());
    }
}

/// The UTF-16BE octets of `s`.
pub fn encode(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len() * 2);
    encode_into(s, &mut out);
    out
}

/// Decodes UTF-16BE octets. An odd number of octets is `BadLength` at the last octet; an
/// unpaired surrogate is `BadValue` at its offset.
pub fn decode(octets: &[u8]) -> Result<String> {
    if octets.len() % 2 != 0 {
        return Err(Error::new("text", octets.len() - 1, Reason::BadLength));
    }
    let units = octets
        .chunks_exact(2)
        .map(|p| u16::from_be_bytes([p[0], p[1]]));
    let mut s = String::with_capacity(octets.len() / 2);
    let mut units_done = 0;
    for r in char::decode_utf16(units) {
        match r {
            Ok(c) => {
                units_done += c.len_utf16();
                s.push(c);
            }
            Err(_) => return Err(Error::new("text", 2 * units_done, Reason::BadValue)),
        }
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hex;
    use proptest::prelude::*;

    #[test]
    fn emits_bmp_and_surrogate_pairs() {
        assert_eq!(hex::encode(&encode("Привет")), "041f04400438043204350442");
        // U+1F600 is D83D DE00 in UTF-16.
        assert_eq!(hex::encode(&encode("a😀")), "0061d83dde00");
        assert_eq!(unit_count("a😀"), 3);
    }

    #[test]
    fn parses_bmp_and_surrogate_pairs() {
        assert_eq!(
            decode(&hex::decode("0061d83dde00").unwrap()).unwrap(),
            "a😀"
        );
    }

    #[test]
    fn rejects_unpaired_surrogates_and_odd_length() {
        let e = decode(&hex::decode("0061d83d0062").unwrap()).unwrap_err();
        assert_eq!((e.offset, e.reason), (2, Reason::BadValue));
        let e = decode(&hex::decode("0061de00").unwrap()).unwrap_err();
        assert_eq!((e.offset, e.reason), (2, Reason::BadValue));
        let e = decode(&hex::decode("006100").unwrap()).unwrap_err();
        assert_eq!((e.offset, e.reason), (2, Reason::BadLength));
    }

    proptest! {
        #[test]
        fn round_trips(s in any::<String>()) {
            prop_assert_eq!(decode(&encode(&s)).unwrap(), s);
        }

        #[test]
        fn decode_never_panics(v in proptest::collection::vec(any::<u8>(), 0..100)) {
            if let Ok(s) = decode(&v) {
                prop_assert_eq!(encode(&s), v);
            }
        }
    }
}
