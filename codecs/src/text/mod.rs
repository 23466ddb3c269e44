//! Text as SMS and SMPP carry it: the GSM 7-bit default alphabet (3GPP TS 23.038), Latin-1,
//! UCS-2, the user data header, and the concatenation of long messages.
//!
//! Shared by the SMPP codec, the SMS TPDU codec and the load generator. Nothing here replaces an
//! unrepresentable character silently: encoders return an error naming its byte offset and the
//! caller chooses another coding.

pub mod concat;
pub mod gsm7;
pub mod latin1;
pub mod ucs2;
pub mod udh;

pub use concat::{split, Coding, Method, Part, Reassembler, ReassemblyError, Sar};
pub use udh::{Concat, Ie, Udh};
