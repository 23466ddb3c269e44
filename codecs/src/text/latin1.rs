//! ISO-8859-1 (Latin-1), SMPP `data_coding` 3 (SMPP v3.4 section 5.2.19).
//!
//! Every octet is a character (U+0000..=U+00FF), so decoding never fails; encoding fails on the
//! first character above U+00FF, naming its byte offset in the string.

use crate::error::{Error, Reason, Result};

/// True when every character of `s` is in Latin-1.
pub fn is_representable(s: &str) -> bool {
    s.chars().all(|c| u32::from(c) <= 0xff)
}

/// Appends the Latin-1 octets of `s` to `out`; on error `out` is unchanged.
pub fn encode_into(s: &str, out: &mut Vec<u8>) -> Result<()> {
    let start = out.len();
    for (i, c) in s.char_indices() {
        match u8::try_from(u32::from(c)) {
            Ok(b) => out.push(b),
            Err(_) => {
                out.truncate(start);
                return Err(Error::new("text", i, Reason::BadValue));
            }
        }
    }
    Ok(())
}

/// The Latin-1 octets of `s`.
pub fn encode(s: &str) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len());
    encode_into(s, &mut out)?;
    Ok(out)
}

/// The text of Latin-1 octets.
pub fn decode(octets: &[u8]) -> String {
    octets.iter().map(|&b| char::from(b)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn emits_and_parses_latin1() {
        assert_eq!(
            encode("café ÿ").unwrap(),
            [0x63, 0x61, 0x66, 0xe9, 0x20, 0xff]
        );
        assert_eq!(decode(&[0x63, 0x61, 0x66, 0xe9, 0x20, 0xff]), "café ÿ");
    }

    #[test]
    fn rejects_non_latin1_with_offset() {
        let e = encode("ab€").unwrap_err();
        assert_eq!((e.offset, e.reason), (2, Reason::BadValue));
        assert!(!is_representable("€"));
        assert!(is_representable("Ñandú"));
    }

    proptest! {
        #[test]
        fn round_trips(v in proptest::collection::vec(any::<u8>(), 0..200)) {
            prop_assert_eq!(encode(&decode(&v)).unwrap(), v);
        }
    }
}
