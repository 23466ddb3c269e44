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
    pub const fn offset(&self) -> usize {
        self.base + self.pos
    }

    /// Position within this reader's own slice.
    pub const fn position(&self) -> usize {
        self.pos
    }

    /// Bytes not yet read.
    pub const fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// True when every byte has been read.
    pub const fn is_empty(&self) -> bool {
        self.pos == self.buf.len()
    }

    /// An error at the current offset.
    pub const fn error(&self, field: &'static str, reason: Reason) -> Error {
        Error::new(field, self.offset(), reason)
    }

    /// The next byte without consuming it.
    pub fn peek_u8(&self) -> Option<u8> {
        self.buf.get(self.pos).copied()
    }

    /// Consumes `n` bytes.
    pub fn take(&mut self, n: usize, field: &'static str) -> Result<&'a [u8]> {
        if self.remaining() < n {
            return Err(self.error(field, Reason::Truncated));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    /// Consumes `n` bytes and returns a reader over them (a length-prefixed part).
    pub fn sub(&mut self, n: usize, field: &'static str) -> Result<Reader<'a>> {
        let base = self.offset();
        self.take(n, field).map(|s| Reader::with_base(s, base))
    }

    /// Consumes everything left.
    pub fn rest(&mut self) -> &'a [u8] {
        let s = &self.buf[self.pos..];
        self.pos = self.buf.len();
        s
    }

    /// One octet.
    pub fn u8(&mut self, field: &'static str) -> Result<u8> {
        self.take(1, field).map(|s| s[0])
    }

    /// A big-endian 16-bit integer.
    pub fn u16(&mut self, field: &'static str) -> Result<u16> {
        self.take(2, field)
            .map(|s| u16::from_be_bytes([s[0], s[1]]))
    }

    /// A big-endian 24-bit integer.
    pub fn u24(&mut self, field: &'static str) -> Result<u32> {
        self.take(3, field)
            .map(|s| u32::from_be_bytes([0, s[0], s[1], s[2]]))
    }

    /// A big-endian 32-bit integer.
    pub fn u32(&mut self, field: &'static str) -> Result<u32> {
        self.take(4, field)
            .map(|s| u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
    }

    /// A NUL-terminated string of at most `max` octets including the NUL (SMPP's C-Octet String,
    /// v3.4 section 3.1); returns the octets before the NUL and consumes the NUL.
    pub fn c_octet_string(&mut self, max: usize, field: &'static str) -> Result<&'a [u8]> {
        let rest = &self.buf[self.pos..];
        let window = &rest[..rest.len().min(max)];
        match window.iter().position(|&b| b == 0) {
            Some(n) => {
                let s = &rest[..n];
                self.pos += n + 1;
                Ok(s)
            }
            None if rest.len() < max => Err(self.error(field, Reason::NotTerminated)),
            None => Err(self.error(field, Reason::TooLong)),
        }
    }

    /// Fails unless every byte has been consumed.
    pub fn expect_end(&self, field: &'static str) -> Result<()> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self.error(field, Reason::TrailingBytes))
        }
    }
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
