//! The one error type every codec in this crate returns on bad wire input.
//!
//! It is `Copy` and carries only `&'static str` context (after rustls' `InvalidMessage`): a codec
//! error never allocates, so a hostile peer cannot make the error path expensive. `field` names
//! the field by its spec name and `offset` is the byte offset from the start of the buffer that
//! was handed to the decoder, so `smsedge pdu decode` can say exactly where input went wrong.

use std::fmt;

/// What went wrong with a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// The input ended inside the field.
    Truncated,
    /// A length field disagrees with the content or the enclosing length.
    BadLength,
    /// The value is outside what the specification allows.
    BadValue,
    /// A C-octet string has no terminating NUL within its maximum size.
    NotTerminated,
    /// A variable field is longer than its specification maximum.
    TooLong,
    /// Bytes remain after the last field of a fixed structure.
    TrailingBytes,
    /// Nesting deeper than the decoder accepts (BER bombs).
    TooDeep,
    /// A construct the decoder deliberately does not handle.
    Unsupported,
}

impl Reason {
    /// A short human phrase for the reason.
    pub const fn as_str(self) -> &'static str {
        match self {
            Reason::Truncated => "truncated",
            Reason::BadLength => "length mismatch",
            Reason::BadValue => "invalid value",
            Reason::NotTerminated => "missing NUL terminator",
            Reason::TooLong => "too long",
            Reason::TrailingBytes => "trailing bytes",
            Reason::TooDeep => "nesting too deep",
            Reason::Unsupported => "unsupported",
        }
    }
}

/// A decode failure: which field, at which byte offset, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Error {
    /// Spec name of the field being decoded (`"destination_addr"`, `"sccp.called_party"`, ...).
    pub field: &'static str,
    /// Byte offset of the field from the start of the decoded buffer.
    pub offset: usize,
    /// What was wrong with it.
    pub reason: Reason,
}

impl Error {
    /// Builds an error for `field` at `offset`.
    pub const fn new(field: &'static str, offset: usize, reason: Reason) -> Self {
        Error {
            field,
            offset,
            reason,
        }
    }

    /// The same error moved by `base` bytes, for a decoder that ran on a sub-slice.
    pub const fn shifted(self, base: usize) -> Self {
        Error {
            offset: self.offset + base,
            ..self
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} at offset {}",
            self.field,
            self.reason.as_str(),
            self.offset
        )
    }
}

impl std::error::Error for Error {}

/// Result alias for decoders.
pub type Result<T> = std::result::Result<T, Error>;
