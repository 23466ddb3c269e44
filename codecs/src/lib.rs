//! smsedge-codecs: the wire formats of a carrier-edge SMS proxy, and nothing else.
//!
//! SMPP v3.4 and v5.0, and the SIGTRAN stack that carries an SMS through SS7 (M3UA, SCCP, TCAP,
//! GSM MAP short-message operations, the SMS TPDU), with the GSM 7-bit / Latin-1 / UCS-2 text
//! they share. Every format comes in two forms (after smoltcp): a zero-copy *view* over the
//! bytes, cheap enough for the router to read on every message, and a typed form with
//! `decode` / `encode` / `encoded_len` for everything else.
//!
//! What this crate refuses to do: I/O, clocks, allocation in views, panics on wire input, and
//! silently dropping what it does not understand. Unknown TLVs, parameters and ASN.1 extensions
//! are kept as raw bytes and re-emitted exactly, because a proxy must pass them through.

pub mod ber;
pub mod error;
pub mod hex;
pub mod json;
pub mod m3ua;
pub mod map;
pub mod reader;
pub mod sccp;
pub mod smpp;
pub mod tcap;
pub mod text;
pub mod tpdu;

pub use error::{Error, Reason, Result};
pub use reader::Reader;
