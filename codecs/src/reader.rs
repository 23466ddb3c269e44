//! A bounds-checked cursor over a byte slice (after rustls `msgs/codec.rs`).
//!
//! Every read is checked and returns [`Error`] naming the field and its absolute offset; nothing
//! indexes untrusted bytes directly and nothing turns a truncated field into a silent zero.

use crate::error::{Error, Reason, Result};

/// A cursor over `buf`; offsets in errors are `base + position`.
#[derive(Debug, Clone, Copy)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    base: usize,
}

impl<'a> Reader<'a> {
    /// A reader over the whole of `buf`, offsets counted from its start.
    pub const fn new(buf: &'a [u8]) -> Self {
        Reader {
            buf,
            pos: 0,
            base: 0,
        }
    }

    /// A reader over `buf` whose first byte sits at `base` in the outer buffer.
    pub const fn with_base(buf: &'a [u8], base: usize) -> Self {
        Reader { buf, pos: 0, base }
    }

    /// Absolute offset of the next byte to read.
    #[inline]
    pub const fn offset(&self) -> usize {
        self.base + self.pos
    }

    /// Position within this reader's own slice.
    #[inline]
    pub const fn position(&self) -> usize {
        self.pos
    }

    /// Bytes not yet read.
    #[inline]
    pub const fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// True when every byte has been read.
    #[inline]
    pub const fn is_empty(&self) -> bool {
        self.pos == self.buf.len()
    }

    /// An error at the current offset.
    pub const fn error(&self, field: &'static str, reason: Reason) -> Error {
        Error::new(field, self.offset(), reason)
    }

    /// The next byte without consuming it.
    #[inline]
    pub fn peek_u8(&self) -> Option<u8> {
        self.buf.get(self.pos).copied()
    }

    /// Consumes `n` bytes.
    #[inline(always)]
    pub fn take(&mut self, n: usize, field: &'static str) -> Result<&'a [u8]> {
        match self.buf.get(self.pos..).and_then(|rest| rest.get(..n)) {
            Some(s) => {
                self.pos += n;
                Ok(s)
            }
            None => Err(self.cold_error(field, Reason::Truncated)),
        }
    }

    /// Error paths are rare: keep their construction out of the inlined fast path.
    #[cold]
    #[inline(never)]
    fn cold_error(&self, field: &'static str, reason: Reason) -> Error {
        self.error(field, reason)
    }

    /// Consumes `n` bytes and returns a reader over them (a length-prefixed part).
    #[inline]
    pub fn sub(&mut self, n: usize, field: &'static str) -> Result<Reader<'a>> {
        let base = self.offset();
        self.take(n, field).map(|s| Reader::with_base(s, base))
    }

    /// Consumes everything left.
    #[inline]
    pub fn rest(&mut self) -> &'a [u8] {
        let s = &self.buf[self.pos..];
        self.pos = self.buf.len();
        s
    }

    /// One octet.
    #[inline]
    pub fn u8(&mut self, field: &'static str) -> Result<u8> {
        self.take(1, field).map(|s| s[0])
    }

    /// A big-endian 16-bit integer.
    #[inline]
    pub fn u16(&mut self, field: &'static str) -> Result<u16> {
        self.take(2, field)
            .map(|s| u16::from_be_bytes([s[0], s[1]]))
    }

    /// A big-endian 24-bit integer.
    #[inline]
    pub fn u24(&mut self, field: &'static str) -> Result<u32> {
        self.take(3, field)
            .map(|s| u32::from_be_bytes([0, s[0], s[1], s[2]]))
    }

    /// A big-endian 32-bit integer.
    #[inline]
    pub fn u32(&mut self, field: &'static str) -> Result<u32> {
        self.take(4, field)
            .map(|s| u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
    }

    /// A NUL-terminated string of at most `max` octets including the NUL (SMPP's C-Octet String,
    /// v3.4 section 3.1); returns the octets before the NUL and consumes the NUL.
    #[inline(always)]
    pub fn c_octet_string(&mut self, max: usize, field: &'static str) -> Result<&'a [u8]> {
        let rest = self.buf.get(self.pos..).unwrap_or_default();
        let window = rest.get(..max).unwrap_or(rest);
        match find_nul(window) {
            Some(n) => {
                let s = &window[..n];
                self.pos += n + 1;
                Ok(s)
            }
            None if rest.len() < max => Err(self.cold_error(field, Reason::NotTerminated)),
            None => Err(self.cold_error(field, Reason::TooLong)),
        }
    }

    /// Fails unless every byte has been consumed.
    #[inline]
    pub fn expect_end(&self, field: &'static str) -> Result<()> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self.error(field, Reason::TrailingBytes))
        }
    }
}

/// Index of the first NUL in `s`, eight octets at a time (the "has zero byte" test of
/// Hacker's Delight 6-1: the lowest flagged byte of a little-endian word is exactly the first
/// zero; borrows only flag bytes above it). C-octet strings are short, so this beats both a
/// byte loop and memchr's dispatch.
#[inline(always)]
pub(crate) fn find_nul(s: &[u8]) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let mut chunks = s.chunks_exact(8);
    let mut at = 0;
    for c in &mut chunks {
        let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        let z = w.wrapping_sub(LO) & !w & HI;
        if z != 0 {
            return Some(at + (z.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b == 0)
        .map(|n| at + n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_big_endian_and_reports_offsets() {
        let mut r = Reader::with_base(&[0, 1, 0, 0, 0, 2, 9], 10);
        assert_eq!(r.u16("a").unwrap(), 1);
        assert_eq!(r.u32("b").unwrap(), 2);
        let e = r.u16("c").unwrap_err();
        assert_eq!((e.field, e.offset, e.reason), ("c", 16, Reason::Truncated));
    }

    #[test]
    fn finds_the_first_nul_anywhere() {
        for len in 0..40 {
            for at in 0..=len {
                // 0x80 and 0x01 around the NUL are the bytes the word trick must not confuse.
                let mut v: Vec<u8> = (0..len).map(|i| [0x80u8, 0x01, 0xff][i % 3]).collect();
                if at < len {
                    v[at] = 0;
                    if at + 1 < len {
                        v[at + 1] = 0;
                    }
                }
                let want = v.iter().position(|&b| b == 0);
                assert_eq!(find_nul(&v), want, "len {len} at {at}");
            }
        }
    }

    #[test]
    fn c_octet_string_limits() {
        let mut r = Reader::new(b"abc\0def");
        assert_eq!(r.c_octet_string(4, "s").unwrap(), b"abc");
        assert_eq!(r.offset(), 4);
        // "def" has no NUL and is shorter than max: truncated input.
        assert_eq!(
            r.c_octet_string(9, "t").unwrap_err().reason,
            Reason::NotTerminated
        );
        // no NUL within max: too long.
        let mut r = Reader::new(b"abcdef\0");
        assert_eq!(
            r.c_octet_string(3, "u").unwrap_err().reason,
            Reason::TooLong
        );
    }
}
