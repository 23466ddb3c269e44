//! SS7 over SIGTRAN for `m3ua` connectors: M3UA associations with a sans-IO ASP state machine
//! ([`asp`]), SCCP connectionless transfer with GT routing and XUDT segmentation ([`sccp`]),
//! TCAP dialogues whose transaction ids name the owning shard and whose deadlines sit on a
//! per-shard wheel ([`dialogue`], [`wheel`]), and the GSM MAP short message procedures: MT
//! (sendRoutingInfoForSM then mt-forwardSM, v3 falling back to v2) and MO (mo-forwardSM to the
//! receiver bind of an account, answered only after the ESME) — [`tcap`], [`sms`], [`shard`].
//!
//! What the ESME is told for each outcome is in [`outcome`]; the kernel SCTP transport sits
//! behind [`sctp`].

pub mod asp;
pub mod cache;
pub mod dialogue;
pub mod link;
pub mod outcome;
pub mod sccp;
pub mod sctp;
pub mod shard;
pub mod sms;
pub mod tcap;
pub mod wheel;

pub use shard::Ss7;
