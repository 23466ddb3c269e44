//! Lower-case hex, as the `smsedge pdu` JSON prints octet strings.

/// Lower-case hex of `bytes`.
pub fn encode(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 0x0f)] as char);
    }
    s
}

/// Parses hex (either case; ASCII whitespace and a leading `0x` are ignored).
pub fn decode(s: &str) -> Result<Vec<u8>, &'static str> {
    let s = s.trim();
    let s = s
        .strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .unwrap_or(s);
    let digits: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if digits.len() % 2 != 0 {
        return Err("odd number of hex digits");
    }
    digits
        .chunks(2)
        .map(|p| Ok((nibble(p[0])? << 4) | nibble(p[1])?))
        .collect()
}

fn nibble(c: u8) -> Result<u8, &'static str> {
    match c {
        b'0'..=b'9' => Ok(c - b'0'),
        b'a'..=b'f' => Ok(c - b'a' + 10),
        b'A'..=b'F' => Ok(c - b'A' + 10),
        _ => Err("not a hex digit"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_trips() {
        assert_eq!(super::encode(&[0, 0xab, 0x1f]), "00ab1f");
        assert_eq!(super::decode("00AB1f").unwrap(), vec![0, 0xab, 0x1f]);
        assert_eq!(super::decode("0x 00 01").unwrap(), vec![0, 1]);
        assert!(super::decode("abc").is_err());
        assert!(super::decode("zz").is_err());
    }
}
