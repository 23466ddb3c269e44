//! The 16-octet PDU header as a zero-copy view (after smoltcp's `Packet`), used by the router to
//! read a PDU and to rewrite its sequence_number in place (v3.4 section 3.2).

use super::command::CommandId;
use crate::error::{Error, Reason, Result};

/// Octets in the header: command_length, command_id, command_status, sequence_number.
pub const HEADER_LEN: usize = 16;

mod field {
    use std::ops::Range;
    pub const COMMAND_LENGTH: Range<usize> = 0..4;
    pub const COMMAND_ID: Range<usize> = 4..8;
    pub const COMMAND_STATUS: Range<usize> = 8..12;
    pub const SEQUENCE_NUMBER: Range<usize> = 12..16;
}

/// A read/write view of an SMPP header over any buffer.
#[derive(Debug, Clone, Copy)]
pub struct Header<T: AsRef<[u8]>> {
    buffer: T,
}

#[inline]
fn be32(b: &[u8], r: std::ops::Range<usize>) -> u32 {
    let s = &b[r];
    u32::from_be_bytes([s[0], s[1], s[2], s[3]])
}

impl<T: AsRef<[u8]>> Header<T> {
    /// Wraps `buffer` without checking it; accessors panic if it is shorter than 16 octets.
    pub const fn new_unchecked(buffer: T) -> Self {
        Header { buffer }
    }

    /// Wraps `buffer` after checking that it holds exactly one PDU: at least a header, and
    /// command_length equal to the buffer length (v3.4 3.2: command_length counts the whole PDU).
    pub fn new_checked(buffer: T) -> Result<Self> {
        let h = Header { buffer };
        let len = h.buffer.as_ref().len();
        if len < HEADER_LEN {
            return Err(Error::new("command_length", 0, Reason::Truncated));
        }
        if h.command_length() as usize != len {
            return Err(Error::new("command_length", 0, Reason::BadLength));
        }
        Ok(h)
    }

    /// The wrapped buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// command_length: octets in the whole PDU.
    #[inline]
    pub fn command_length(&self) -> u32 {
        be32(self.buffer.as_ref(), field::COMMAND_LENGTH)
    }

    /// command_id as its raw value.
    #[inline]
    pub fn command_id_raw(&self) -> u32 {
        be32(self.buffer.as_ref(), field::COMMAND_ID)
    }

    /// command_id.
    #[inline]
    pub fn command_id(&self) -> CommandId {
        CommandId::from_u32(self.command_id_raw())
    }

    /// command_status.
    #[inline]
    pub fn command_status(&self) -> u32 {
        be32(self.buffer.as_ref(), field::COMMAND_STATUS)
    }

    /// sequence_number.
    #[inline]
    pub fn sequence_number(&self) -> u32 {
        be32(self.buffer.as_ref(), field::SEQUENCE_NUMBER)
    }

    /// The octets after the header.
    #[inline]
    pub fn body(&self) -> &[u8] {
        &self.buffer.as_ref()[HEADER_LEN..]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Header<T> {
    /// Sets command_length.
    #[inline]
    pub fn set_command_length(&mut self, v: u32) {
        self.buffer.as_mut()[field::COMMAND_LENGTH].copy_from_slice(&v.to_be_bytes());
    }

    /// Sets command_id.
    #[inline]
    pub fn set_command_id(&mut self, v: u32) {
        self.buffer.as_mut()[field::COMMAND_ID].copy_from_slice(&v.to_be_bytes());
    }

    /// Sets command_status.
    #[inline]
    pub fn set_command_status(&mut self, v: u32) {
        self.buffer.as_mut()[field::COMMAND_STATUS].copy_from_slice(&v.to_be_bytes());
    }

    /// Rewrites sequence_number in place (what the proxy does to every forwarded PDU).
    #[inline]
    pub fn set_sequence_number(&mut self, v: u32) {
        self.buffer.as_mut()[field::SEQUENCE_NUMBER].copy_from_slice(&v.to_be_bytes());
    }
}

/// Appends a header-only PDU (enquire_link, unbind, generic_nack, ..._resp) to `out`.
pub fn put_header_only(
    out: &mut Vec<u8>,
    command_id: u32,
    command_status: u32,
    sequence_number: u32,
) {
    out.extend_from_slice(&(HEADER_LEN as u32).to_be_bytes());
    out.extend_from_slice(&command_id.to_be_bytes());
    out.extend_from_slice(&command_status.to_be_bytes());
    out.extend_from_slice(&sequence_number.to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_enquire_link_header() {
        let b = crate::hex::decode("0000001000000015000000000a342ee7").unwrap();
        let h = Header::new_checked(&b[..]).unwrap();
        assert_eq!(h.command_length(), 16);
        assert_eq!(h.command_id(), CommandId::EnquireLink);
        assert_eq!(h.command_status(), 0);
        assert_eq!(h.sequence_number(), 0x0a34_2ee7);
        assert!(h.body().is_empty());
    }

    #[test]
    fn rewrites_sequence_number_in_place() {
        let mut b = crate::hex::decode("0000001000000015000000000a342ee7").unwrap();
        Header::new_checked(&mut b[..])
            .unwrap()
            .set_sequence_number(7);
        assert_eq!(crate::hex::encode(&b), "00000010000000150000000000000007");
    }

    #[test]
    fn emits_header_only_pdu() {
        let mut out = Vec::new();
        put_header_only(&mut out, 0x8000_0000, 1, 0x82a77);
        assert_eq!(crate::hex::encode(&out), "00000010800000000000000100082a77");
    }

    #[test]
    fn rejects_short_and_mismatched() {
        assert_eq!(
            Header::new_checked(&[0u8; 15][..]).unwrap_err().reason,
            Reason::Truncated
        );
        let b = crate::hex::decode("0000001100000015000000000a342ee7").unwrap();
        assert_eq!(
            Header::new_checked(&b[..]).unwrap_err().reason,
            Reason::BadLength
        );
    }
}
