//! smsedge-engine: the sharded, thread-per-core proxy.
//!
//! Sessions are sans-IO state machines ([`session`]); everything a shard does with a PDU is
//! synchronous code in [`shard`]; the glommio glue that drives them is [`tasks`] and [`conn`],
//! kept in one place so the runtime can be replaced without touching protocol logic.

pub mod conn;
pub mod demo;
pub mod engine;
pub mod idmap;
pub mod inflight;
pub mod mesh;
pub mod rates;
pub mod session;
pub mod shard;
pub mod shared;
pub mod ss7;
pub mod stats;
pub mod tasks;
pub mod waitq;
