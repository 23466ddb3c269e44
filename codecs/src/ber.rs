//! ASN.1 Basic Encoding Rules (ITU-T X.690) as TCAP and MAP use them: identifier octets with
//! single- and multi-byte tags, definite (short and long form) and indefinite lengths, primitive
//! and constructed encodings, and the INTEGER, BOOLEAN, NULL and OBJECT IDENTIFIER contents.
//!
//! Hostile input is bounded: nesting deeper than [`MAX_DEPTH`] is refused (`TooDeep`), a length
//! is never trusted beyond the bytes present (no allocation is sized from a length), and a length
//! of more than 4 octets is refused. Errors carry the absolute offset of the offending octet.
//!
//! Real peers do not all send the minimal (DER-like) length form: some use `81 05` where `05`
//! would do, and many use indefinite lengths for constructed values. [`LenForm`] records how each
//! length came, and the typed forms of TCAP and MAP keep it in a [`Forms`] so that re-encoding
//! a decoded message gives back its bytes.

use crate::error::{Error, Reason, Result};
use crate::reader::Reader;
use std::fmt;

/// Deepest nesting of constructed values the decoder follows.
pub const MAX_DEPTH: usize = 32;

/// Tag class (X.690 8.1.2.2, bits 8-7 of the identifier octet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    /// Universal.
    Universal,
    /// Application.
    Application,
    /// Context-specific.
    Context,
    /// Private.
    Private,
}

/// A BER tag: class, primitive/constructed, number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Tag {
    /// Class.
    pub class: Class,
    /// Constructed (bit 6 of the identifier octet).
    pub constructed: bool,
    /// Tag number.
    pub number: u32,
}

impl Tag {
    /// A primitive universal tag.
    pub const fn universal(number: u32) -> Tag {
        Tag {
            class: Class::Universal,
            constructed: false,
            number,
        }
    }
    /// A primitive context-specific tag `[number]`.
    pub const fn context(number: u32) -> Tag {
        Tag {
            class: Class::Context,
            constructed: false,
            number,
        }
    }
    /// A primitive application tag `[APPLICATION number]`.
    pub const fn application(number: u32) -> Tag {
        Tag {
            class: Class::Application,
            constructed: false,
            number,
        }
    }
    /// A primitive private tag `[PRIVATE number]`.
    pub const fn private(number: u32) -> Tag {
        Tag {
            class: Class::Private,
            constructed: false,
            number,
        }
    }
    /// The same tag, constructed.
    pub const fn constructed(self) -> Tag {
        Tag {
            constructed: true,
            ..self
        }
    }

    /// BOOLEAN (universal 1).
    pub const BOOLEAN: Tag = Tag::universal(1);
    /// INTEGER (universal 2).
    pub const INTEGER: Tag = Tag::universal(2);
    /// BIT STRING (universal 3).
    pub const BIT_STRING: Tag = Tag::universal(3);
    /// OCTET STRING (universal 4).
    pub const OCTET_STRING: Tag = Tag::universal(4);
    /// NULL (universal 5).
    pub const NULL: Tag = Tag::universal(5);
    /// OBJECT IDENTIFIER (universal 6).
    pub const OID: Tag = Tag::universal(6);
    /// EXTERNAL (universal 8, constructed).
    pub const EXTERNAL: Tag = Tag::universal(8).constructed();
    /// ENUMERATED (universal 10).
    pub const ENUMERATED: Tag = Tag::universal(10);
    /// SEQUENCE / SEQUENCE OF (universal 16, constructed).
    pub const SEQUENCE: Tag = Tag::universal(16).constructed();

    /// The identifier octets.
    pub fn encode_into(self, out: &mut Vec<u8>) {
        let class = match self.class {
            Class::Universal => 0x00,
            Class::Application => 0x40,
            Class::Context => 0x80,
            Class::Private => 0xc0,
        };
        let first = class | if self.constructed { 0x20 } else { 0 };
        if self.number < 31 {
            out.push(first | self.number as u8);
            return;
        }
        out.push(first | 0x1f);
        let mut n = self.number;
        let mut groups = [0u8; 5];
        let mut k = 0;
        loop {
            groups[k] = (n & 0x7f) as u8;
            k += 1;
            n >>= 7;
            if n == 0 {
                break;
            }
        }
        for i in (0..k).rev() {
            out.push(groups[i] | if i > 0 { 0x80 } else { 0 });
        }
    }

    /// Octets of the identifier.
    pub fn encoded_len(self) -> usize {
        if self.number < 31 {
            1
        } else {
            1 + (32 - self.number.leading_zeros() as usize).div_ceil(7)
        }
    }

    /// Reads identifier octets (X.690 8.1.2).
    pub fn decode(r: &mut Reader<'_>) -> Result<Tag> {
        let at = r.offset();
        let b = r.u8("ber.tag")?;
        let class = match b >> 6 {
            0 => Class::Universal,
            1 => Class::Application,
            2 => Class::Context,
            _ => Class::Private,
        };
        let constructed = b & 0x20 != 0;
        let mut number = u32::from(b & 0x1f);
        if number == 0x1f {
            number = 0;
            let mut first = true;
            loop {
                let o = r.u8("ber.tag")?;
                // X.690 8.1.2.4.2 c: bits 7-1 of the first subsequent octet shall not all be 0.
                if first && o == 0x80 {
                    return Err(Error::new("ber.tag", at, Reason::BadValue));
                }
                first = false;
                if number > (u32::MAX >> 7) {
                    return Err(Error::new("ber.tag", at, Reason::TooLong));
                }
                number = (number << 7) | u32::from(o & 0x7f);
                if o & 0x80 == 0 {
                    break;
                }
            }
            // X.690 8.1.2.2: tag numbers 0 to 30 use the single-octet form.
            if number < 31 {
                return Err(Error::new("ber.tag", at, Reason::BadValue));
            }
        }
        Ok(Tag {
            class,
            constructed,
            number,
        })
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = match self.class {
            Class::Universal => "UNIVERSAL ",
            Class::Application => "APPLICATION ",
            Class::Context => "",
            Class::Private => "PRIVATE ",
        };
        write!(
            f,
            "[{c}{}]{}",
            self.number,
            if self.constructed { "c" } else { "" }
        )
    }
}

/// How a length was (or is to be) encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum LenForm {
    /// The shortest definite form: one octet below 128, else `0x80 | n` and n octets.
    #[default]
    Minimal,
    /// A definite long form with this many length octets, longer than needed (e.g. `81 05`).
    Long(u8),
    /// Indefinite (`80` ... `00 00`), constructed encodings only.
    Indefinite,
}

/// Non-minimal length forms of a typed value's TLVs, by slot: slot 0 is the value's own TLV,
/// slots 1.. its fields in the order the type documents. Empty (no allocation) when everything
/// used the minimal form, which is what encoders produce by default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Forms(Vec<(u8, LenForm)>);

impl Forms {
    /// The form of `slot` (minimal unless recorded otherwise).
    pub fn get(&self, slot: u8) -> LenForm {
        self.0
            .iter()
            .find(|(s, _)| *s == slot)
            .map_or(LenForm::Minimal, |&(_, f)| f)
    }

    /// Records the form of `slot`.
    pub fn set(&mut self, slot: u8, form: LenForm) {
        self.0.retain(|(s, _)| *s != slot);
        if form != LenForm::Minimal {
            self.0.push((slot, form));
        }
    }

    /// Forms with only the value's own TLV recorded.
    pub fn own(form: LenForm) -> Self {
        let mut f = Forms::default();
        f.set(0, form);
        f
    }

    /// True when every TLV used the minimal form.
    pub fn is_minimal(&self) -> bool {
        self.0.is_empty()
    }
}

/// One decoded TLV, borrowing the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    /// Tag.
    pub tag: Tag,
    /// How the length was encoded.
    pub form: LenForm,
    /// Contents octets (without the end-of-contents of an indefinite length).
    pub value: &'a [u8],
    /// The whole TLV as it came: identifier, length, contents and any end-of-contents.
    pub raw: &'a [u8],
    /// Absolute offset of the identifier octets.
    pub offset: usize,
    /// Absolute offset of the contents.
    pub value_offset: usize,
    /// Nesting depth of this TLV (0 for a top-level value).
    pub depth: usize,
}

impl<'a> Tlv<'a> {
    /// Reads one TLV at `depth` (refusing `depth > MAX_DEPTH`).
    pub fn decode(r: &mut Reader<'a>, depth: usize) -> Result<Tlv<'a>> {
        let start = r.offset();
        let before = *r;
        if depth > MAX_DEPTH {
            return Err(Error::new("ber", start, Reason::TooDeep));
        }
        let tag = Tag::decode(r)?;
        let len_at = r.offset();
        let first = r.u8("ber.length")?;
        let (form, len) = match first {
            0..=0x7f => (LenForm::Minimal, Some(usize::from(first))),
            0x80 => {
                // X.690 8.1.3.2 a: the indefinite form only for constructed encodings.
                if !tag.constructed {
                    return Err(Error::new("ber.length", len_at, Reason::BadValue));
                }
                (LenForm::Indefinite, None)
            }
            // X.690 8.1.3.5 c: 0xFF shall not be used.
            0xff => return Err(Error::new("ber.length", len_at, Reason::BadValue)),
            _ => {
                let n = usize::from(first & 0x7f);
                if n > 4 {
                    return Err(Error::new("ber.length", len_at, Reason::TooLong));
                }
                let mut len = 0usize;
                for _ in 0..n {
                    len = (len << 8) | usize::from(r.u8("ber.length")?);
                }
                let minimal = if len < 0x80 {
                    0
                } else {
                    (usize::BITS - len.leading_zeros()).div_ceil(8) as usize
                };
                (
                    if n == minimal {
                        LenForm::Minimal
                    } else {
                        LenForm::Long(n as u8)
                    },
                    Some(len),
                )
            }
        };
        let value_offset = r.offset();
        let value = match len {
            Some(len) => r
                .take(len, "ber.length")
                .map_err(|_| Error::new("ber.length", len_at, Reason::BadLength))?,
            None => {
                // Contents run to the matching end-of-contents octets (X.690 8.1.3.6).
                let rest_start = r.position();
                loop {
                    if r.remaining() >= 2 && r.peek_u8() == Some(0) {
                        let mut probe = *r;
                        if probe.take(2, "ber.eoc")? == [0, 0] {
                            let v_end = r.position();
                            *r = probe;
                            break before_slice(&before, rest_start, v_end);
                        }
                    }
                    if r.is_empty() {
                        return Err(Error::new("ber.eoc", r.offset(), Reason::Truncated));
                    }
                    Tlv::decode(r, depth + 1)?;
                }
            }
        };
        let raw = before_slice(&before, before.position(), r.position());
        Ok(Tlv {
            tag,
            form,
            value,
            raw,
            offset: start,
            value_offset,
            depth,
        })
    }

    /// Reads the one TLV that is all of `buf` (offsets from `base`).
    pub fn decode_exact(buf: &'a [u8], base: usize, field: &'static str) -> Result<Tlv<'a>> {
        let mut r = Reader::with_base(buf, base);
        let t = Tlv::decode(&mut r, 0)?;
        r.expect_end(field)?;
        Ok(t)
    }

    /// A reader over the contents, with absolute offsets.
    pub fn reader(&self) -> Reader<'a> {
        Reader::with_base(self.value, self.value_offset)
    }

    /// The children of a constructed TLV.
    pub fn children(&self, field: &'static str) -> Result<Seq<'a>> {
        if !self.tag.constructed {
            return Err(Error::new(field, self.offset, Reason::BadValue));
        }
        Ok(Seq {
            r: self.reader(),
            depth: self.depth + 1,
            field,
        })
    }

    /// Fails unless the tag is `want`.
    pub fn expect_tag(&self, want: Tag, field: &'static str) -> Result<()> {
        if self.tag != want {
            return Err(Error::new(field, self.offset, Reason::BadValue));
        }
        Ok(())
    }

    /// An error about this TLV.
    pub fn error(&self, field: &'static str, reason: Reason) -> Error {
        Error::new(field, self.offset, reason)
    }
}

/// The bytes `from..to` of the slice `r` was created over (positions are relative to it).
fn before_slice<'a>(r: &Reader<'a>, from: usize, to: usize) -> &'a [u8] {
    let mut c = *r;
    // `r` is a copy taken at position `p <= from`; skip forward then take.
    let skip = from - c.position();
    let _ = c.take(skip, "ber");
    c.take(to - from, "ber").unwrap_or(&[])
}

/// A cursor over the elements of a constructed value (SEQUENCE, SET, explicit tags).
#[derive(Debug, Clone, Copy)]
pub struct Seq<'a> {
    r: Reader<'a>,
    depth: usize,
    field: &'static str,
}

impl<'a> Seq<'a> {
    /// True when no element remains.
    pub fn is_empty(&self) -> bool {
        self.r.is_empty()
    }

    /// The next element without consuming it.
    pub fn peek(&self) -> Result<Option<Tlv<'a>>> {
        if self.r.is_empty() {
            return Ok(None);
        }
        let mut c = self.r;
        Tlv::decode(&mut c, self.depth).map(Some)
    }

    /// The next element.
    pub fn element(&mut self) -> Result<Option<Tlv<'a>>> {
        if self.r.is_empty() {
            return Ok(None);
        }
        Tlv::decode(&mut self.r, self.depth).map(Some)
    }

    /// The next element if its tag is `tag` (an OPTIONAL component).
    pub fn optional(&mut self, tag: Tag) -> Result<Option<Tlv<'a>>> {
        match self.peek()? {
            Some(t) if t.tag == tag => self.element(),
            _ => Ok(None),
        }
    }

    /// The next element, which must have tag `tag` (a mandatory component).
    pub fn required(&mut self, tag: Tag, field: &'static str) -> Result<Tlv<'a>> {
        let at = self.r.offset();
        match self.element()? {
            Some(t) if t.tag == tag => Ok(t),
            Some(t) => Err(Error::new(field, t.offset, Reason::BadValue)),
            None => Err(Error::new(field, at, Reason::Truncated)),
        }
    }

    /// The next element, whatever its tag; missing is an error naming `field`.
    pub fn any(&mut self, field: &'static str) -> Result<Tlv<'a>> {
        let at = self.r.offset();
        self.element()?
            .ok_or(Error::new(field, at, Reason::Truncated))
    }

    /// Every remaining element as raw bytes (unknown extensions, kept to be re-emitted).
    pub fn rest_raw(&mut self) -> Result<Vec<Vec<u8>>> {
        let mut v = Vec::new();
        while let Some(t) = self.element()? {
            v.push(t.raw.to_vec());
        }
        Ok(v)
    }

    /// Fails if any element remains.
    pub fn end(&self) -> Result<()> {
        if self.r.is_empty() {
            Ok(())
        } else {
            Err(Error::new(
                self.field,
                self.r.offset(),
                Reason::TrailingBytes,
            ))
        }
    }
}

/// A BER encoder that also measures: the same encoding code computes `encoded_len` without
/// writing (see [`Writer::measure`]).
#[derive(Debug, Default)]
pub struct Writer {
    buf: Vec<u8>,
    measuring: bool,
    count: usize,
}

impl Writer {
    /// A writer that produces octets.
    pub fn new() -> Self {
        Writer::default()
    }

    /// A writer that only counts octets.
    pub fn measure() -> Self {
        Writer {
            buf: Vec::new(),
            measuring: true,
            count: 0,
        }
    }

    /// Octets written (or counted) so far.
    pub fn len(&self) -> usize {
        if self.measuring {
            self.count
        } else {
            self.buf.len()
        }
    }

    /// True when nothing has been written.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The octets written.
    pub fn into_vec(self) -> Vec<u8> {
        self.buf
    }

    /// Appends octets as they are (a raw element kept from decoding).
    pub fn raw(&mut self, bytes: &[u8]) {
        if self.measuring {
            self.count += bytes.len();
        } else {
            self.buf.extend_from_slice(bytes);
        }
    }

    /// A primitive TLV.
    pub fn primitive(&mut self, tag: Tag, form: LenForm, value: &[u8]) {
        self.tlv(tag, form, |w| w.raw(value));
    }

    /// A TLV whose contents `f` writes; the length is filled in afterwards in the given form
    /// (a `Long(n)` too short for the contents grows to the octets needed).
    pub fn tlv(&mut self, tag: Tag, form: LenForm, f: impl FnOnce(&mut Writer)) {
        if self.measuring {
            self.count += tag.encoded_len();
            let before = self.count;
            f(self);
            let len = self.count - before;
            self.count += len_octets(len, form) + if form == LenForm::Indefinite { 2 } else { 0 };
            return;
        }
        tag.encode_into(&mut self.buf);
        let mark = self.buf.len();
        let reserved = match form {
            LenForm::Indefinite => {
                self.buf.push(0x80);
                f(self);
                self.buf.extend_from_slice(&[0, 0]);
                return;
            }
            LenForm::Minimal => 1,
            LenForm::Long(n) => 1 + usize::from(n),
        };
        self.buf.resize(mark + reserved, 0);
        f(self);
        let len = self.buf.len() - mark - reserved;
        let need = len_octets(len, form);
        if need != reserved {
            // Shift the contents to make room for (or close up after) the length octets.
            let old_end = self.buf.len();
            if need > reserved {
                self.buf.resize(old_end + need - reserved, 0);
                self.buf.copy_within(mark + reserved..old_end, mark + need);
            } else {
                self.buf.copy_within(mark + reserved..old_end, mark + need);
                self.buf.truncate(old_end - (reserved - need));
            }
        }
        if need == 1 {
            self.buf[mark] = len as u8;
        } else {
            let n = need - 1;
            self.buf[mark] = 0x80 | n as u8;
            for i in 0..n {
                self.buf[mark + 1 + i] = (len >> (8 * (n - 1 - i))) as u8;
            }
        }
    }
}

/// Octets of a length field for `len` in `form` (1 for indefinite: the `80`).
fn len_octets(len: usize, form: LenForm) -> usize {
    let minimal = if len < 0x80 {
        1
    } else {
        1 + (usize::BITS - len.leading_zeros()).div_ceil(8) as usize
    };
    match form {
        LenForm::Minimal => minimal,
        LenForm::Long(n) => minimal.max(1 + usize::from(n)),
        LenForm::Indefinite => 1,
    }
}

/// Contents octets of an INTEGER (X.690 8.3: two's complement, minimal).
pub fn int_contents(v: i64) -> Vec<u8> {
    let b = v.to_be_bytes();
    let mut i = 0;
    while i < 7 && ((b[i] == 0 && b[i + 1] & 0x80 == 0) || (b[i] == 0xff && b[i + 1] & 0x80 != 0)) {
        i += 1;
    }
    b[i..].to_vec()
}

/// The value of INTEGER (or ENUMERATED) contents. X.690 8.3.1-8.3.2: at least one octet, and the
/// first nine bits not all equal (minimal encoding); at most 8 octets here.
pub fn int_value(t: &Tlv<'_>, field: &'static str) -> Result<i64> {
    let v = t.value;
    if v.is_empty() {
        return Err(t.error(field, Reason::BadLength));
    }
    if v.len() > 8 {
        return Err(t.error(field, Reason::TooLong));
    }
    if v.len() > 1 && ((v[0] == 0 && v[1] & 0x80 == 0) || (v[0] == 0xff && v[1] & 0x80 != 0)) {
        return Err(t.error(field, Reason::BadValue));
    }
    let mut x: i64 = if v[0] & 0x80 != 0 { -1 } else { 0 };
    for &o in v {
        x = (x << 8) | i64::from(o);
    }
    Ok(x)
}

/// The value of BOOLEAN contents: one octet, 0x00 false, 0xFF true. X.690 8.2.2 lets BER use
/// any non-zero octet for true; such a value is refused here because it could not be re-emitted
/// as it came (the typed MAP layer then keeps the whole parameter raw).
pub fn bool_value(t: &Tlv<'_>, field: &'static str) -> Result<bool> {
    match t.value {
        [0x00] => Ok(false),
        [0xff] => Ok(true),
        [_] => Err(t.error(field, Reason::Unsupported)),
        _ => Err(t.error(field, Reason::BadLength)),
    }
}

/// Checks NULL contents (X.690 8.8: no contents octets).
pub fn null_value(t: &Tlv<'_>, field: &'static str) -> Result<()> {
    if t.value.is_empty() {
        Ok(())
    } else {
        Err(t.error(field, Reason::BadLength))
    }
}

/// An OBJECT IDENTIFIER, kept as its contents octets (X.690 8.19).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Oid(pub Vec<u8>);

impl Oid {
    /// Validates contents octets: non-empty, each subidentifier minimal (no leading 0x80) and
    /// complete.
    pub fn from_contents(t: &Tlv<'_>, field: &'static str) -> Result<Oid> {
        let v = t.value;
        if v.is_empty() || v[v.len() - 1] & 0x80 != 0 {
            return Err(t.error(field, Reason::BadValue));
        }
        let mut start = true;
        for &o in v {
            // X.690 8.19.2: the leading octet of a subidentifier shall not be 0x80.
            if start && o == 0x80 {
                return Err(t.error(field, Reason::BadValue));
            }
            start = o & 0x80 == 0;
        }
        Ok(Oid(v.to_vec()))
    }

    /// The arcs (the first contents subidentifier split into two arcs, X.690 8.19.4).
    pub fn arcs(&self) -> Vec<u64> {
        let mut arcs = Vec::new();
        let mut x: u64 = 0;
        for &o in &self.0 {
            x = (x << 7) | u64::from(o & 0x7f);
            if o & 0x80 == 0 {
                if arcs.is_empty() {
                    let first = (x / 40).min(2);
                    arcs.push(first);
                    arcs.push(x - 40 * first);
                } else {
                    arcs.push(x);
                }
                x = 0;
            }
        }
        arcs
    }

    /// Builds the contents for `arcs` (at least two; first 0-2, second below 40 unless first 2).
    pub fn from_arcs(arcs: &[u64]) -> Option<Oid> {
        if arcs.len() < 2 || arcs[0] > 2 || (arcs[0] < 2 && arcs[1] >= 40) {
            return None;
        }
        let mut out = Vec::new();
        let mut push = |mut x: u64| {
            let mut groups = Vec::new();
            loop {
                groups.push((x & 0x7f) as u8);
                x >>= 7;
                if x == 0 {
                    break;
                }
            }
            for i in (0..groups.len()).rev() {
                out.push(groups[i] | if i > 0 { 0x80 } else { 0 });
            }
        };
        push(arcs[0] * 40 + arcs[1]);
        arcs[2..].iter().for_each(|&a| push(a));
        Some(Oid(out))
    }

    /// Parses dotted notation (`0.4.0.0.1.0.25.3`).
    pub fn parse(s: &str) -> Option<Oid> {
        let arcs: Option<Vec<u64>> = s.split('.').map(|a| a.parse().ok()).collect();
        Oid::from_arcs(&arcs?)
    }
}

impl fmt::Display for Oid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for a in self.arcs() {
            if !first {
                f.write_str(".")?;
            }
            write!(f, "{a}")?;
            first = false;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hex;
    use proptest::prelude::*;

    fn tlv(h: &str) -> Result<(Tlv<'static>, usize)> {
        let b: &'static [u8] = Box::leak(hex::decode(h).unwrap().into_boxed_slice());
        let mut r = Reader::new(b);
        let t = Tlv::decode(&mut r, 0)?;
        Ok((t, r.position()))
    }

    #[test]
    fn parses_length_forms() {
        let (t, n) = tlv("0403 010203").unwrap();
        assert_eq!(
            (t.form, t.value, n),
            (LenForm::Minimal, &[1u8, 2, 3][..], 5)
        );
        let (t, _) = tlv("048103 010203").unwrap();
        assert_eq!(t.form, LenForm::Long(1));
        let (t, _) = tlv("04820003 010203").unwrap();
        assert_eq!(t.form, LenForm::Long(2));
        let long = format!("0481 80{}", "00".repeat(128));
        assert_eq!(tlv(&long).unwrap().0.form, LenForm::Minimal);
        // Indefinite, with a nested indefinite value inside.
        let (t, n) = tlv("3080 0401aa 3080 0500 0000 0000 ff").unwrap();
        assert_eq!(
            (t.form, hex::encode(t.value), n),
            (LenForm::Indefinite, "0401aa308005000000".into(), 13)
        );
        assert_eq!(t.raw.len(), 13);
    }

    #[test]
    fn parses_multi_byte_tags() {
        let (t, _) = tlv("9f1f 01 ff").unwrap();
        assert_eq!((t.tag.class, t.tag.number), (Class::Context, 31));
        let (t, _) = tlv("bf8148 00").unwrap();
        assert_eq!((t.tag.constructed, t.tag.number), (true, 200));
        let mut out = Vec::new();
        t.tag.encode_into(&mut out);
        assert_eq!(hex::encode(&out), "bf8148");
        assert_eq!(t.tag.encoded_len(), 3);
    }

    #[test]
    fn rejects_bad_encodings() {
        assert_eq!(tlv("9f0501ff").unwrap_err().reason, Reason::BadValue); // low tag in high form
        assert_eq!(tlv("9f800501ff").unwrap_err().reason, Reason::BadValue); // leading 0x80
        assert_eq!(tlv("0480").unwrap_err().reason, Reason::BadValue); // primitive indefinite
        assert_eq!(tlv("04ff").unwrap_err().reason, Reason::BadValue);
        assert_eq!(
            tlv("0485 0000000001 00").unwrap_err().reason,
            Reason::TooLong
        );
        let e = tlv("0405 0102").unwrap_err();
        assert_eq!(
            (e.field, e.offset, e.reason),
            ("ber.length", 1, Reason::BadLength)
        );
        assert_eq!(tlv("3080 0401aa").unwrap_err().reason, Reason::Truncated);
        assert_eq!(tlv("3080 0401aa 00").unwrap_err().reason, Reason::Truncated);
    }

    #[test]
    fn rejects_bombs_quickly() {
        // A million nested indefinite SEQUENCEs: refused at MAX_DEPTH.
        let deep = "3080".repeat(1_000_000);
        let b = hex::decode(&deep).unwrap();
        let e = Tlv::decode(&mut Reader::new(&b), 0).unwrap_err();
        assert_eq!((e.reason, e.offset), (Reason::TooDeep, 2 * (MAX_DEPTH + 1)));
        // Nested definite lengths claiming 4 GB: refused without allocating.
        let b = hex::decode("3084ffffffff 3084fffffff0 0400").unwrap();
        assert_eq!(
            Tlv::decode(&mut Reader::new(&b), 0).unwrap_err().reason,
            Reason::BadLength
        );
        // Many siblings inside an indefinite value, unterminated.
        let b = hex::decode(&format!("3080{}", "0500".repeat(100_000))).unwrap();
        assert_eq!(
            Tlv::decode(&mut Reader::new(&b), 0).unwrap_err().reason,
            Reason::Truncated
        );
    }

    #[test]
    fn writer_reproduces_forms_and_measures() {
        let mut w = Writer::new();
        w.tlv(Tag::SEQUENCE, LenForm::Indefinite, |w| {
            w.primitive(Tag::OCTET_STRING, LenForm::Long(1), &[1, 2, 3]);
            w.primitive(Tag::context(0), LenForm::Minimal, &[0; 200]);
            w.tlv(Tag::context(1).constructed(), LenForm::Long(2), |w| {
                w.primitive(Tag::NULL, LenForm::Minimal, &[])
            });
        });
        let b = w.into_vec();
        assert_eq!(hex::encode(&b[..9]), "3080048103010203 80".replace(' ', ""));
        assert_eq!(hex::encode(&b[9..11]), "81c8");
        assert_eq!(hex::encode(&b[211..]), "a18200020500 0000".replace(' ', ""));
        let mut m = Writer::measure();
        m.tlv(Tag::SEQUENCE, LenForm::Indefinite, |w| {
            w.primitive(Tag::OCTET_STRING, LenForm::Long(1), &[1, 2, 3]);
            w.primitive(Tag::context(0), LenForm::Minimal, &[0; 200]);
            w.tlv(Tag::context(1).constructed(), LenForm::Long(2), |w| {
                w.primitive(Tag::NULL, LenForm::Minimal, &[])
            });
        });
        assert_eq!(m.len(), b.len());
        let (t, _) = tlv(&hex::encode(&b)).unwrap();
        assert_eq!(t.raw, &b[..]);
    }

    #[test]
    fn integers_booleans_oids() {
        for (v, h) in [
            (0i64, "00"),
            (127, "7f"),
            (128, "0080"),
            (-1, "ff"),
            (-128, "80"),
            (-129, "ff7f"),
            (256, "0100"),
        ] {
            assert_eq!(hex::encode(&int_contents(v)), h);
            let (t, _) = tlv(&format!("02{:02x}{h}", h.len() / 2)).unwrap();
            assert_eq!(int_value(&t, "i").unwrap(), v);
        }
        let (t, _) = tlv("02020001").unwrap();
        assert_eq!(int_value(&t, "i").unwrap_err().reason, Reason::BadValue);
        let (t, _) = tlv("010101").unwrap();
        assert_eq!(bool_value(&t, "b").unwrap_err().reason, Reason::Unsupported);
        let oid = Oid::parse("0.4.0.0.1.0.25.3").unwrap();
        assert_eq!(hex::encode(&oid.0), "04000001001903");
        assert_eq!(oid.to_string(), "0.4.0.0.1.0.25.3");
        assert_eq!(
            Oid::parse("0.0.17.773.1.1.1").unwrap().0,
            [0x00, 0x11, 0x86, 0x05, 0x01, 0x01, 0x01]
        );
        let (t, _) = tlv("0603 2a8001").unwrap();
        assert!(Oid::from_contents(&t, "o").is_err());
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic_and_raw_is_exact(v in proptest::collection::vec(any::<u8>(), 0..200)) {
            let mut r = Reader::new(&v);
            if let Ok(t) = Tlv::decode(&mut r, 0) {
                prop_assert_eq!(t.raw, &v[..r.position()]);
                // Re-encoding tag, form and contents gives the raw bytes for primitives.
                if !t.tag.constructed {
                    let mut w = Writer::new();
                    w.primitive(t.tag, t.form, t.value);
                    prop_assert_eq!(w.into_vec(), t.raw.to_vec());
                }
            }
        }

        #[test]
        fn integers_round_trip(v in any::<i64>()) {
            let c = int_contents(v);
            let mut b = vec![2, c.len() as u8];
            b.extend(&c);
            let t = Tlv::decode(&mut Reader::new(&b), 0).unwrap();
            prop_assert_eq!(int_value(&t, "i").unwrap(), v);
        }
    }
}
