//! The M3UA common message header (RFC 4666 section 3.1) and the message classes and types.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |    Version    |   Reserved    | Message Class | Message Type  |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                        Message Length                         |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use crate::error::{Error, Reason, Result};

/// Octets of the common header.
pub const HEADER_LEN: usize = 8;
/// The only protocol version (RFC 4666 3.1.1: "1 Release 1.0").
pub const VERSION: u8 = 1;

mod field {
    use core::ops::Range;
    pub const VERSION: usize = 0;
    pub const RESERVED: usize = 1;
    pub const CLASS: usize = 2;
    pub const TYPE: usize = 3;
    pub const LENGTH: Range<usize> = 4..8;
}

/// Message classes (RFC 4666 3.1.2).
pub mod class {
    /// Management (MGMT) messages.
    pub const MGMT: u8 = 0;
    /// Transfer messages.
    pub const TRANSFER: u8 = 1;
    /// SS7 Signalling Network Management (SSNM) messages.
    pub const SSNM: u8 = 2;
    /// ASP State Maintenance (ASPSM) messages.
    pub const ASPSM: u8 = 3;
    /// ASP Traffic Maintenance (ASPTM) messages.
    pub const ASPTM: u8 = 4;
    /// Routing Key Management (RKM) messages.
    pub const RKM: u8 = 9;
}

macro_rules! message_types {
    ($($(#[$doc:meta])* $variant:ident = ($class:expr, $ty:expr, $name:literal),)*) => {
        /// Every message of RFC 4666 3.1.3 by class and type; anything else is `Unknown`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum MessageType {
            $($(#[$doc])* $variant,)*
            /// A class/type pair RFC 4666 does not define.
            Unknown {
                /// Message class.
                class: u8,
                /// Message type.
                ty: u8,
            },
        }

        impl MessageType {
            /// The message for a class and type.
            pub const fn from_class_type(class: u8, ty: u8) -> Self {
                match (class, ty) {
                    $(($class, $ty) => MessageType::$variant,)*
                    _ => MessageType::Unknown { class, ty },
                }
            }

            /// The message class.
            pub const fn class(self) -> u8 {
                match self {
                    $(MessageType::$variant => $class,)*
                    MessageType::Unknown { class, .. } => class,
                }
            }

            /// The message type within its class.
            pub const fn type_code(self) -> u8 {
                match self {
                    $(MessageType::$variant => $ty,)*
                    MessageType::Unknown { ty, .. } => ty,
                }
            }

            /// The RFC's abbreviation (`"DATA"`, `"ASPUP ACK"`, ...), or `None` for `Unknown`.
            pub const fn name(self) -> Option<&'static str> {
                match self {
                    $(MessageType::$variant => Some($name),)*
                    MessageType::Unknown { .. } => None,
                }
            }

            /// The message whose abbreviation is `name`.
            pub fn from_name(name: &str) -> Option<Self> {
                match name {
                    $($name => Some(MessageType::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

message_types! {
    /// Error (MGMT).
    Err = (0, 0, "ERR"),
    /// Notify (MGMT).
    Ntfy = (0, 1, "NTFY"),
    /// Payload Data (Transfer).
    Data = (1, 1, "DATA"),
    /// Destination Unavailable (SSNM).
    Duna = (2, 1, "DUNA"),
    /// Destination Available (SSNM).
    Dava = (2, 2, "DAVA"),
    /// Destination State Audit (SSNM).
    Daud = (2, 3, "DAUD"),
    /// Signalling Congestion (SSNM).
    Scon = (2, 4, "SCON"),
    /// Destination User Part Unavailable (SSNM).
    Dupu = (2, 5, "DUPU"),
    /// Destination Restricted (SSNM).
    Drst = (2, 6, "DRST"),
    /// ASP Up (ASPSM).
    AspUp = (3, 1, "ASPUP"),
    /// ASP Down (ASPSM).
    AspDn = (3, 2, "ASPDN"),
    /// Heartbeat (ASPSM).
    Beat = (3, 3, "BEAT"),
    /// ASP Up Acknowledgement (ASPSM).
    AspUpAck = (3, 4, "ASPUP ACK"),
    /// ASP Down Acknowledgement (ASPSM).
    AspDnAck = (3, 5, "ASPDN ACK"),
    /// Heartbeat Acknowledgement (ASPSM).
    BeatAck = (3, 6, "BEAT ACK"),
    /// ASP Active (ASPTM).
    AspAc = (4, 1, "ASPAC"),
    /// ASP Inactive (ASPTM).
    AspIa = (4, 2, "ASPIA"),
    /// ASP Active Acknowledgement (ASPTM).
    AspAcAck = (4, 3, "ASPAC ACK"),
    /// ASP Inactive Acknowledgement (ASPTM).
    AspIaAck = (4, 4, "ASPIA ACK"),
    /// Registration Request (RKM).
    RegReq = (9, 1, "REG REQ"),
    /// Registration Response (RKM).
    RegRsp = (9, 2, "REG RSP"),
    /// Deregistration Request (RKM).
    DeregReq = (9, 3, "DEREG REQ"),
    /// Deregistration Response (RKM).
    DeregRsp = (9, 4, "DEREG RSP"),
}

/// A zero-copy view of the common header at the start of a buffer (after smoltcp's `Packet`).
#[derive(Debug, Clone, Copy)]
pub struct Header<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Header<T> {
    /// Wraps `buffer` without checks.
    pub const fn new_unchecked(buffer: T) -> Self {
        Header { buffer }
    }

    /// Wraps `buffer` holding exactly one message: at least a header, version 1, and a Message
    /// Length equal to the buffer length and a multiple of 4 or not (the last parameter's padding
    /// is sometimes omitted; the parameter walk checks the rest).
    pub fn new_checked(buffer: T) -> Result<Self> {
        let h = Header { buffer };
        let b = h.buffer.as_ref();
        if b.len() < HEADER_LEN {
            return Err(Error::new("m3ua.header", b.len(), Reason::Truncated));
        }
        // RFC 4666 3.1.1: version 1; anything else is answered with "Invalid Version".
        if h.version() != VERSION {
            return Err(Error::new("m3ua.version", field::VERSION, Reason::BadValue));
        }
        // RFC 4666 3.1.5: the Message Length covers the header and all parameters.
        let len = h.length() as usize;
        if len < HEADER_LEN {
            return Err(Error::new(
                "m3ua.message_length",
                field::LENGTH.start,
                Reason::BadValue,
            ));
        }
        if len != b.len() {
            return Err(Error::new(
                "m3ua.message_length",
                field::LENGTH.start,
                Reason::BadLength,
            ));
        }
        Ok(h)
    }

    /// The underlying buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// Version.
    pub fn version(&self) -> u8 {
        self.buffer.as_ref()[field::VERSION]
    }

    /// The reserved octet.
    pub fn reserved(&self) -> u8 {
        self.buffer.as_ref()[field::RESERVED]
    }

    /// Message class.
    pub fn message_class(&self) -> u8 {
        self.buffer.as_ref()[field::CLASS]
    }

    /// Message type within the class.
    pub fn message_type(&self) -> u8 {
        self.buffer.as_ref()[field::TYPE]
    }

    /// The message by class and type.
    pub fn kind(&self) -> MessageType {
        MessageType::from_class_type(self.message_class(), self.message_type())
    }

    /// Message Length.
    pub fn length(&self) -> u32 {
        let b = &self.buffer.as_ref()[field::LENGTH];
        u32::from_be_bytes([b[0], b[1], b[2], b[3]])
    }

    /// The parameter octets after the header.
    pub fn payload(&self) -> &[u8] {
        &self.buffer.as_ref()[HEADER_LEN..]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Header<T> {
    /// Sets the message class and type.
    pub fn set_kind(&mut self, kind: MessageType) {
        let b = self.buffer.as_mut();
        b[field::CLASS] = kind.class();
        b[field::TYPE] = kind.type_code();
    }

    /// Sets the Message Length.
    pub fn set_length(&mut self, len: u32) {
        self.buffer.as_mut()[field::LENGTH].copy_from_slice(&len.to_be_bytes());
    }
}

/// The length of the first M3UA message in a stream buffer (M3UA over TCP, or a reassembly
/// buffer): `Ok(None)` when fewer than 8 octets are buffered, `Ok(Some(len))` from the header
/// otherwise. A length below the header size or above `max` is an error, so a hostile length
/// never makes the caller buffer gigabytes.
pub fn frame_len(buf: &[u8], max: usize) -> Result<Option<usize>> {
    if buf.len() < HEADER_LEN {
        return Ok(None);
    }
    let len = u32::from_be_bytes([buf[4], buf[5], buf[6], buf[7]]) as usize;
    if len < HEADER_LEN {
        return Err(Error::new("m3ua.message_length", 4, Reason::BadValue));
    }
    if len > max {
        return Err(Error::new("m3ua.message_length", 4, Reason::TooLong));
    }
    Ok(Some(len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_aspup_header() {
        let b = [1, 0, 3, 1, 0, 0, 0, 8];
        let h = Header::new_checked(&b[..]).unwrap();
        assert_eq!(
            (h.version(), h.message_class(), h.message_type(), h.length()),
            (1, 3, 1, 8)
        );
        assert_eq!(h.kind(), MessageType::AspUp);
        assert_eq!(h.kind().name(), Some("ASPUP"));
    }

    #[test]
    fn emits_header_fields() {
        let mut b = [1u8, 0, 0, 0, 0, 0, 0, 0];
        let mut h = Header::new_unchecked(&mut b[..]);
        h.set_kind(MessageType::Data);
        h.set_length(8);
        assert_eq!(b, [1, 0, 1, 1, 0, 0, 0, 8]);
    }

    #[test]
    fn rejects_bad_version_and_length() {
        let e = Header::new_checked(&[2u8, 0, 3, 1, 0, 0, 0, 8][..]).unwrap_err();
        assert_eq!((e.field, e.reason), ("m3ua.version", Reason::BadValue));
        let e = Header::new_checked(&[1u8, 0, 3, 1, 0, 0, 0, 12][..]).unwrap_err();
        assert_eq!(
            (e.field, e.offset, e.reason),
            ("m3ua.message_length", 4, Reason::BadLength)
        );
        let e = Header::new_checked(&[1u8, 0, 3][..]).unwrap_err();
        assert_eq!(e.reason, Reason::Truncated);
        assert_eq!(frame_len(&[1, 0, 3, 1, 0, 0, 0], 100), Ok(None));
        assert_eq!(
            frame_len(&[1, 0, 3, 1, 0, 0, 1, 0], 100)
                .unwrap_err()
                .reason,
            Reason::TooLong
        );
        assert_eq!(
            frame_len(&[1, 0, 3, 1, 0, 0, 0, 4], 100)
                .unwrap_err()
                .reason,
            Reason::BadValue
        );
    }

    #[test]
    fn names_every_message() {
        for (c, t) in [(0, 0), (0, 1), (1, 1), (2, 6), (3, 6), (4, 4), (9, 4)] {
            let m = MessageType::from_class_type(c, t);
            assert_eq!(MessageType::from_name(m.name().unwrap()), Some(m));
            assert_eq!((m.class(), m.type_code()), (c, t));
        }
        assert_eq!(
            MessageType::from_class_type(1, 2),
            MessageType::Unknown { class: 1, ty: 2 }
        );
    }
}
