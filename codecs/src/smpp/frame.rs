//! Splitting a TCP byte stream into SMPP PDUs by command_length (v3.4 3.2).
//!
//! The framer looks only at the first four octets, so a hostile command_length is refused before
//! a single byte is reserved for it: below 16 (a PDU cannot be shorter than its header) or above
//! the configured maximum. Either is a broken stream: the connection must be closed, because
//! there is no way to find the next PDU boundary.

use super::header::HEADER_LEN;
use bytes::{Bytes, BytesMut};
use std::fmt;

/// Default largest PDU accepted: 64 KiB (a short_message of 254 octets plus a maximal
/// message_payload TLV fits).
pub const DEFAULT_MAX_PDU_LEN: u32 = 64 * 1024;

/// Why the stream cannot be framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameError {
    /// command_length below the 16-octet header.
    TooShort(u32),
    /// command_length above the configured maximum.
    TooLong {
        /// The command_length received.
        len: u32,
        /// The configured maximum.
        max: u32,
    },
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameError::TooShort(n) => write!(f, "command_length {n} is below the 16-octet header"),
            FrameError::TooLong { len, max } => {
                write!(f, "command_length {len} exceeds the maximum {max}")
            }
        }
    }
}

impl std::error::Error for FrameError {}

/// Frames PDUs out of a read buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Framer {
    max_len: u32,
}

impl Default for Framer {
    fn default() -> Self {
        Framer {
            max_len: DEFAULT_MAX_PDU_LEN,
        }
    }
}

impl Framer {
    /// A framer that refuses PDUs longer than `max_len` (at least 16).
    pub const fn new(max_len: u32) -> Self {
        Framer {
            max_len: if max_len < HEADER_LEN as u32 {
                HEADER_LEN as u32
            } else {
                max_len
            },
        }
    }

    /// The largest PDU accepted.
    pub const fn max_len(&self) -> u32 {
        self.max_len
    }

    /// Length of the complete PDU at the start of `buf`; `Ok(None)` means "need more bytes".
    #[inline]
    pub fn frame_len(&self, buf: &[u8]) -> Result<Option<usize>, FrameError> {
        let Some(len) = buf.get(..4) else {
            return Ok(None);
        };
        let len = u32::from_be_bytes([len[0], len[1], len[2], len[3]]);
        if len < HEADER_LEN as u32 {
            return Err(FrameError::TooShort(len));
        }
        if len > self.max_len {
            return Err(FrameError::TooLong {
                len,
                max: self.max_len,
            });
        }
        let len = len as usize;
        Ok((buf.len() >= len).then_some(len))
    }

    /// Splits the first complete PDU off `buf`; `Ok(None)` means "need more bytes".
    pub fn split(&self, buf: &mut BytesMut) -> Result<Option<Bytes>, FrameError> {
        Ok(self.frame_len(buf)?.map(|n| buf.split_to(n).freeze()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn buf(hex: &str) -> BytesMut {
        BytesMut::from(&crate::hex::decode(hex).unwrap()[..])
    }

    #[test]
    fn needs_more_until_complete() {
        let f = Framer::default();
        // cloudhopper decodeLessThan4Bytes / decodeOnly4Bytes / decodeLessThan16Bytes.
        for hex in ["000000", "00000010", "0000001000000015000000000a342e"] {
            assert_eq!(f.split(&mut buf(hex)), Ok(None), "{hex}");
        }
    }

    #[test]
    fn splits_back_to_back_and_keeps_the_rest() {
        let f = Framer::default();
        let mut b = buf("0000001080000015000000000a342eed0000001080000015000000000a342e");
        let first = f.split(&mut b).unwrap().unwrap();
        assert_eq!(first.len(), 16);
        assert_eq!(f.split(&mut b), Ok(None));
        b.extend_from_slice(&[0xf1]);
        assert_eq!(f.split(&mut b).unwrap().unwrap().len(), 16);
        assert!(b.is_empty());
    }

    #[test]
    fn rejects_hostile_lengths_from_four_octets() {
        let f = Framer::new(1024);
        assert_eq!(f.frame_len(&[0, 0, 0, 15]), Err(FrameError::TooShort(15)));
        // cloudhopper decodeSignedIntLength: 0xf0000011 would be a 4 GB "PDU".
        assert_eq!(
            f.frame_len(&[0xf0, 0, 0, 0x11]),
            Err(FrameError::TooLong {
                len: 0xf000_0011,
                max: 1024
            })
        );
        assert_eq!(
            f.frame_len(&[0, 0, 4, 1]),
            Err(FrameError::TooLong {
                len: 1025,
                max: 1024
            })
        );
    }
}
