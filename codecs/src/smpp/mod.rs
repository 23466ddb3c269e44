//! SMPP v3.4 and v5.0 (SMPP Developers Forum, "Short Message Peer to Peer Protocol
//! Specification" v3.4 issue 1.2 and v5.0).
//!
//! - [`frame`]: split a byte stream into PDUs by command_length, refusing hostile lengths.
//! - [`header`] and [`view`]: zero-copy views for the router (header fields, routing fields of
//!   submit_sm / deliver_sm / data_sm, in-place sequence_number rewrite).
//! - [`pdu`] and [`body`]: the typed form of every PDU of both specs.
//! - [`tlv`]: optional parameters, standard ones by name, unknown ones kept as they came.
//! - [`receipt`]: delivery receipt text and TLVs; rewriting the id a client sees.

pub mod body;
pub mod command;
pub mod frame;
pub mod header;
pub mod pdu;
pub mod receipt;
pub mod tlv;
pub mod view;

pub use body::*;
pub use command::{CommandId, CommandStatus};
pub use frame::{FrameError, Framer, DEFAULT_MAX_PDU_LEN};
pub use header::{Header, HEADER_LEN};
pub use pdu::{error_status, Body, Pdu};
pub use receipt::{MessageState, ReceiptDate, ReceiptText};
pub use tlv::{tag, Tlv};
pub use view::SmView;
