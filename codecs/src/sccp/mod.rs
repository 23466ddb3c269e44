//! SCCP connectionless service (ITU-T Q.713): UDT, UDTS, XUDT, XUDTS, LUDT, LUDTS; called and
//! calling party addresses with 14-bit ITU point codes and global titles 1-4; the segmentation
//! and importance optional parameters; XUDT segmentation; and SCCP management (SCMG) messages.

pub mod address;
pub mod message;
pub mod scmg;
pub mod segment;

pub use address::{GlobalTitle, PartyAddress};
pub use message::{Message, MessageType, OptionalParam, Segmentation};
pub use scmg::Scmg;

/// The subsystem number of SCCP management (Q.713 3.4.2.2).
pub const SSN_SCMG: u8 = 1;
/// Subsystem numbers of the GSM MAP entities (3GPP TS 23.003 8.2).
pub mod ssn {
    /// HLR.
    pub const HLR: u8 = 6;
    /// VLR.
    pub const VLR: u8 = 7;
    /// MSC (and SMS-GMSC / SMS-IWMSC).
    pub const MSC: u8 = 8;
    /// SGSN.
    pub const SGSN: u8 = 149;
}
