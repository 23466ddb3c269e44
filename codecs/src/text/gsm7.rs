//! The GSM 7-bit default alphabet and its extension table (3GPP TS 23.038 section 6.2.1 and
//! 6.2.1.1), and the packing of septets into octets (TS 23.038 section 6.1.2.1, TS 23.040
//! 9.2.3.24).
//!
//! Two representations of the same text appear on the wire:
//! - *unpacked septets*, one septet per octet, as SMPP carries `data_coding` 0;
//! - *packed* septets, eight characters in seven octets, as the SMS TPDU carries TP-UD, possibly
//!   after a number of fill bits that align the first character on a septet boundary following a
//!   user data header.
//!
//! Characters outside both tables are an error, never replaced silently: the caller chooses
//! whether to switch to UCS-2, to transliterate, or to refuse the message.

use crate::error::{Error, Reason, Result};

/// The escape septet that selects the extension table for the next septet (TS 23.038 6.2.1).
pub const ESCAPE: u8 = 0x1b;

/// The default alphabet, indexed by septet (TS 23.038 section 6.2.1). Septet 0x1B is the escape
/// to the extension table; it never stands for a character of its own.
const DEFAULT: [char; 128] = [
    '@', '£', '$', '¥', 'è', 'é', 'ù', 'ì', 'ò', 'Ç', '\n', 'Ø', 'ø', '\r', 'Å', 'å', //
    'Δ', '_', 'Φ', 'Γ', 'Λ', 'Ω', 'Π', 'Ψ', 'Σ', 'Θ', 'Ξ', '\u{a0}', 'Æ', 'æ', 'ß', 'É', //
    ' ', '!', '"', '#', '¤', '%', '&', '\'', '(', ')', '*', '+', ',', '-', '.', '/', //
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':', ';', '<', '=', '>', '?', //
    '¡', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O', //
    'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z', 'Ä', 'Ö', 'Ñ', 'Ü', '§', //
    '¿', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', //
    'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 'ä', 'ö', 'ñ', 'ü', 'à', //
];

/// The extension table (TS 23.038 section 6.2.1.1): septet after ESC -> character.
const EXTENSION: [(u8, char); 10] = [
    (0x0a, '\u{0c}'), // form feed (page break)
    (0x14, '^'),
    (0x28, '{'),
    (0x29, '}'),
    (0x2f, '\\'),
    (0x3c, '['),
    (0x3d, '~'),
    (0x3e, ']'),
    (0x40, '|'),
    (0x65, '€'),
];

/// How `c` is written: one septet of the default table, or ESC plus one septet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Septets {
    /// A character of the default table.
    One(u8),
    /// A character of the extension table: ESC (0x1B) then this septet.
    Escaped(u8),
}

impl Septets {
    /// Number of septets the character takes (1 or 2).
    pub const fn len(self) -> usize {
        match self {
            Septets::One(_) => 1,
            Septets::Escaped(_) => 2,
        }
    }

    /// Always false; a character takes at least one septet.
    pub const fn is_empty(self) -> bool {
        false
    }
}

/// The septet(s) for one character, or `None` when the character is in neither table.
pub fn char_septets(c: char) -> Option<Septets> {
    // Fast path for the letters and digits, which sit at their ASCII positions.
    if c.is_ascii_alphanumeric() {
        return Some(Septets::One(c as u8));
    }
    if let Some(i) = DEFAULT.iter().position(|&d| d == c) {
        // 0x1B is the escape; the NBSP placed there is only its display form.
        if i != usize::from(ESCAPE) {
            return Some(Septets::One(i as u8));
        }
    }
    EXTENSION
        .iter()
        .find(|&&(_, e)| e == c)
        .map(|&(s, _)| Septets::Escaped(s))
}

/// True when every character of `s` is in the default alphabet or its extension table.
pub fn is_representable(s: &str) -> bool {
    s.chars().all(|c| char_septets(c).is_some())
}

/// Number of septets `s` takes (an extension character counts 2), or an error naming the byte
/// offset of the first character that cannot be represented.
pub fn septet_count(s: &str) -> Result<usize> {
    let mut n = 0;
    for (i, c) in s.char_indices() {
        n += char_septets(c)
            .ok_or(Error::new("text", i, Reason::BadValue))?
            .len();
    }
    Ok(n)
}

/// Appends the unpacked septets of `s` to `out` (one septet per octet, as SMPP `data_coding` 0).
/// On error `out` is left as it was and the error gives the byte offset of the character.
pub fn encode_into(s: &str, out: &mut Vec<u8>) -> Result<()> {
    let start = out.len();
    for (i, c) in s.char_indices() {
        match char_septets(c) {
            Some(Septets::One(v)) => out.push(v),
            Some(Septets::Escaped(v)) => out.extend_from_slice(&[ESCAPE, v]),
            None => {
                out.truncate(start);
                return Err(Error::new("text", i, Reason::BadValue));
            }
        }
    }
    Ok(())
}

/// The unpacked septets of `s`.
pub fn encode(s: &str) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len());
    encode_into(s, &mut out)?;
    Ok(out)
}

/// Decodes unpacked septets to text.
///
/// A value above 0x7F is not a septet and is an error. Per TS 23.038 6.2.1.1, an escape followed
/// by a septet the extension table does not define shows the default-table character of that
/// septet, and ESC ESC (reserved for a further extension table) shows a space; a lone ESC at the
/// end shows a space too.
pub fn decode(septets: &[u8]) -> Result<String> {
    let mut s = String::with_capacity(septets.len());
    let mut it = septets.iter().enumerate();
    while let Some((i, &v)) = it.next() {
        if v > 0x7f {
            return Err(Error::new("text", i, Reason::BadValue));
        }
        if v != ESCAPE {
            s.push(DEFAULT[usize::from(v)]);
            continue;
        }
        match it.next() {
            Some((j, &e)) => {
                if e > 0x7f {
                    return Err(Error::new("text", j, Reason::BadValue));
                }
                match EXTENSION.iter().find(|&&(k, _)| k == e) {
                    Some(&(_, c)) => s.push(c),
                    None if e == ESCAPE => s.push(' '),
                    None => s.push(DEFAULT[usize::from(e)]),
                }
            }
            None => s.push(' '),
        }
    }
    Ok(s)
}

/// What fills the spare bits after the last septet when packing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Padding {
    /// Zero bits (SMS: TP-UDL gives the septet count, so the receiver never reads them).
    Zero,
    /// TS 23.038 6.1.2.3.1 (USSD, and CBS 6.1.2.2): when 7 spare bits remain they carry <CR>, and
    /// a message whose last wanted character is <CR> ending on an octet boundary gets a second
    /// <CR>, so a receiver that counts septets from the octet length never reads a stray '@'.
    Cr,
}

/// Number of octets that `septets` septets take after `fill_bits` leading fill bits.
pub const fn packed_len(septets: usize, fill_bits: u8) -> usize {
    (fill_bits as usize + 7 * septets).div_ceil(8)
}

/// Packs septets (values 0..=0x7F; higher bits are ignored) into octets after `fill_bits`
/// zero fill bits (0..=6; TS 23.040 9.2.3.24: the fill bits align the first septet after a user
/// data header). Bits are filled from the least significant bit of each octet up
/// (TS 23.038 6.1.2.1.1).
pub fn pack(septets: &[u8], fill_bits: u8, padding: Padding) -> Vec<u8> {
    let mut out = Vec::with_capacity(packed_len(septets.len() + 1, fill_bits));
    pack_into(septets, fill_bits, padding, &mut out);
    out
}

/// [`pack`] appending to `out`.
pub fn pack_into(septets: &[u8], fill_bits: u8, padding: Padding, out: &mut Vec<u8>) {
    let fill = u32::from(fill_bits % 8);
    let mut acc: u32 = 0;
    let mut bits: u32 = fill;
    let push = |v: u8, acc: &mut u32, bits: &mut u32, out: &mut Vec<u8>| {
        *acc |= u32::from(v & 0x7f) << *bits;
        *bits += 7;
        while *bits >= 8 {
            out.push(*acc as u8);
            *acc >>= 8;
            *bits -= 8;
        }
    };
    for &v in septets {
        push(v, &mut acc, &mut bits, out);
    }
    if padding == Padding::Cr {
        let spare = (8 - bits % 8) % 8;
        let ends_with_cr = septets.last() == Some(&0x0d);
        // TS 23.038 6.1.2.3.1: 7 spare bits carry <CR>; a wanted final <CR> that ends on an octet
        // boundary is followed by another <CR> (and one zero padding bit).
        if spare == 7 || (spare == 0 && ends_with_cr && !septets.is_empty()) {
            push(0x0d, &mut acc, &mut bits, out);
        }
    }
    if bits > 0 {
        out.push(acc as u8);
    }
}

/// Unpacks `count` septets that follow `fill_bits` fill bits in `octets`. Fails with
/// `Truncated` when the octets hold fewer bits than that.
pub fn unpack(octets: &[u8], fill_bits: u8, count: usize) -> Result<Vec<u8>> {
    if packed_len(count, fill_bits % 8) > octets.len() {
        return Err(Error::new("user_data", octets.len(), Reason::Truncated));
    }
    let mut out = Vec::with_capacity(count);
    let mut acc: u32 = 0;
    let mut bits: u32 = 0;
    let mut octs = octets.iter();
    let mut skip = u32::from(fill_bits % 8);
    while out.len() < count {
        if bits < 7 + skip {
            let Some(&o) = octs.next() else { break };
            acc |= u32::from(o) << bits;
            bits += 8;
            continue;
        }
        acc >>= skip;
        bits -= skip;
        skip = 0;
        out.push((acc & 0x7f) as u8);
        acc >>= 7;
        bits -= 7;
    }
    Ok(out)
}

/// Unpacks every whole septet in `octets` after `fill_bits`, dropping a final <CR> that is the
/// padding of TS 23.038 6.1.2.3.1 (the septets then end exactly on an octet boundary). For
/// USSD-style text whose septet count is not carried.
pub fn unpack_cr_padded(octets: &[u8], fill_bits: u8) -> Vec<u8> {
    let total_bits = octets.len() * 8;
    let fill = usize::from(fill_bits % 8);
    if total_bits < fill {
        return Vec::new();
    }
    let count = (total_bits - fill) / 7;
    // `unpack` cannot fail here: `count` septets fit by construction.
    let mut v = unpack(octets, fill_bits, count).unwrap_or_default();
    if (fill + 7 * count) == total_bits && v.last() == Some(&0x0d) {
        v.pop();
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hex;
    use proptest::prelude::*;

    #[test]
    fn emits_hellohello_packed() {
        // TS 23.038 6.1.2.1.1 example: "hellohello" = E8 32 9B FD 46 97 D9 EC 37.
        let s = encode("hellohello").unwrap();
        assert_eq!(s, b"hellohello");
        assert_eq!(
            hex::encode(&pack(&s, 0, Padding::Zero)),
            "e8329bfd4697d9ec37"
        );
    }

    #[test]
    fn parses_hellohello_packed() {
        let o = hex::decode("e8329bfd4697d9ec37").unwrap();
        assert_eq!(decode(&unpack(&o, 0, 10).unwrap()).unwrap(), "hellohello");
        assert_eq!(unpack(&o, 0, 11).unwrap_err().reason, Reason::Truncated);
    }

    #[test]
    fn emits_escapes_and_counts_them_twice() {
        assert_eq!(encode("€").unwrap(), [0x1b, 0x65]);
        assert_eq!(encode("[x]").unwrap(), [0x1b, 0x3c, b'x', 0x1b, 0x3e]);
        assert_eq!(
            encode("^{}\\~|\u{0c}").unwrap(),
            [0x1b, 0x14, 0x1b, 0x28, 0x1b, 0x29, 0x1b, 0x2f, 0x1b, 0x3d, 0x1b, 0x40, 0x1b, 0x0a]
        );
        assert_eq!(septet_count("a€b").unwrap(), 4);
        assert_eq!(decode(&[0x1b, 0x65, 0x40, 0x00, 0x7f]).unwrap(), "€¡@à");
    }

    #[test]
    fn emits_non_ascii_default_characters() {
        assert_eq!(
            encode("@£$¥èΔ_ÆßÉ¤¡Ä§¿ä").unwrap(),
            [
                0x00, 0x01, 0x02, 0x03, 0x04, 0x10, 0x11, 0x1c, 0x1e, 0x1f, 0x24, 0x40, 0x5b, 0x5f,
                0x60, 0x7b
            ]
        );
    }

    #[test]
    fn rejects_unrepresentable_with_offset() {
        let e = encode("ab€Я").unwrap_err();
        assert_eq!((e.field, e.offset, e.reason), ("text", 5, Reason::BadValue));
        assert!(!is_representable("日本"));
        assert!(is_representable("Hello {world} €5"));
        // '`' is not in the GSM alphabet (it is not '¿').
        assert!(septet_count("`").is_err());
        // Septets above 0x7F are not septets.
        assert_eq!(decode(&[0x41, 0x80]).unwrap_err().offset, 1);
    }

    #[test]
    fn parses_unknown_escape_as_default_character() {
        // TS 23.038 6.2.1.1: unknown extension -> default table character; ESC ESC -> space.
        assert_eq!(decode(&[0x1b, 0x41]).unwrap(), "A");
        assert_eq!(decode(&[0x1b, 0x1b]).unwrap(), " ");
        assert_eq!(decode(&[0x41, 0x1b]).unwrap(), "A ");
    }

    #[test]
    fn emits_one_fill_bit_after_six_octet_udh() {
        // A 6-octet UDH is 48 bits; the next septet boundary is at 49, so 1 fill bit (TS 23.040
        // 9.2.3.24). "hello" after one fill bit: the septet string shifted up by one bit
        // (sum of septet_i << (1 + 7i), little-endian octets).
        let p = pack(b"hello", 1, Padding::Zero);
        assert_eq!(hex::encode(&p), "d06536fb0d");
        assert_eq!(unpack(&p, 1, 5).unwrap(), b"hello");
    }

    #[test]
    fn emits_cr_padding_for_8n_minus_1() {
        // 7 septets leave 7 spare bits: they carry <CR> (TS 23.038 6.1.2.3.1).
        let p = pack(b"abcdefg", 0, Padding::Cr);
        assert_eq!(p.len(), 7);
        assert_eq!(p[6] >> 1, 0x0d);
        assert_eq!(unpack_cr_padded(&p, 0), b"abcdefg");
        // With zero padding the receiver that counts from the octets would see '@'.
        let z = pack(b"abcdefg", 0, Padding::Zero);
        assert_eq!(z[6] >> 1, 0);
        // A wanted final <CR> on an octet boundary gets a second <CR>; the receiver performs the
        // carriage return twice, which 6.1.2.3.1 defines as the same as one.
        let p = pack(b"abcdefg\r", 0, Padding::Cr);
        assert_eq!(p.len(), 8);
        assert_eq!(unpack_cr_padded(&p, 0), b"abcdefg\r\r");
        // No padding when the septets do not leave 7 spare bits.
        assert_eq!(pack(b"abc", 0, Padding::Cr), pack(b"abc", 0, Padding::Zero));
    }

    proptest! {
        #[test]
        fn pack_round_trips(septets in proptest::collection::vec(0u8..0x80, 0..200), fill in 0u8..7) {
            let p = pack(&septets, fill, Padding::Zero);
            prop_assert_eq!(p.len(), packed_len(septets.len(), fill));
            prop_assert_eq!(unpack(&p, fill, septets.len()).unwrap(), septets);
        }

        #[test]
        fn cr_padding_round_trips(septets in proptest::collection::vec(0u8..0x80, 0..200), fill in 0u8..7) {
            let p = pack(&septets, fill, Padding::Cr);
            let back = unpack_cr_padded(&p, fill);
            let on_boundary = (usize::from(fill) + 7 * septets.len()) % 8 == 0;
            let mut want = septets.clone();
            // A wanted final <CR> on an octet boundary comes back doubled (6.1.2.3.1).
            if on_boundary && septets.last() == Some(&0x0d) {
                want.push(0x0d);
            }
            prop_assert_eq!(back, want);
        }

        #[test]
        fn text_round_trips(s in "[@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,./0-9:;<=>?¡A-ZÄÖÑÜ§¿a-zäöñüà^{}\\\\\\[~\\]|€\n\r-]{0,100}") {
            let septets = encode(&s).unwrap();
            prop_assert_eq!(septets.len(), septet_count(&s).unwrap());
            prop_assert_eq!(decode(&septets).unwrap(), s);
        }

        #[test]
        fn decode_never_panics(v in proptest::collection::vec(any::<u8>(), 0..100)) {
            let _ = decode(&v);
        }
    }
}
