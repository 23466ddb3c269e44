//! M3UA, the SS7 MTP3-User Adaptation Layer (RFC 4666): every message class and type and every
//! parameter of sections 3.2 and 3.3.
//!
//! [`Header`] and [`DataView`] read a message in place for the router; [`Message`] is the typed
//! form with `decode` / `encode` / `encoded_len` and one constructor per message.

pub mod aspsm;
pub mod asptm;
pub mod header;
pub mod message;
pub mod mgmt;
pub mod params;
pub mod rkm;
pub mod ssnm;
pub mod transfer;

pub use header::{frame_len, Header, MessageType, HEADER_LEN, VERSION};
pub use message::Message;
pub use params::{MaskedPointCode, Parameter, ProtocolData, SI_SCCP};
pub use rkm::RoutingKey;
pub use transfer::DataView;
