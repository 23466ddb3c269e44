//! What shards send each other, in batches over glommio's channel mesh. Only the messages the
//! protocol forces across shards travel: receipts to the shard that owns their upstream id,
//! receipt-map entries to that owner, deliveries to a shard where the account has a receiver
//! bind, the answers back to the shard whose upstream bind must acknowledge, and the lookups of
//! an own id issued on another shard.

use crate::idmap::RcptEntry;
use crate::ss7::sccp::Addr;

/// What kind of upstream waits for the answer of a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// An SMPP upstream bind: a deliver_sm_resp / data_sm_resp goes back on it.
    Smpp,
    /// An SS7 MO dialogue: the TC-END with the MAP result or error goes back to the MSC.
    Ss7,
}

/// Where a deliver_sm from an upstream must be answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origin {
    /// Shard of the upstream bind.
    pub shard: u16,
    /// Stable connector index.
    pub connector: u32,
    /// Bind slot within the connector.
    pub bind: u16,
    /// Generation of the bind's connection (a reconnect makes the answer moot).
    pub gen: u32,
    /// The upstream's sequence number.
    pub seq: u32,
    /// Response command_id (deliver_sm_resp or data_sm_resp).
    pub resp_id: u32,
    /// SMPP bind or SS7 dialogue. For SS7, `bind` is the association, `gen` its generation and
    /// `seq` the MO dialogue's id on the shard.
    pub via: Via,
}

/// A receipt or MO on its way to an ESME.
#[derive(Debug, Clone)]
pub struct DeliveryJob {
    /// Stable account index.
    pub account: u32,
    /// The PDU to send (its sequence number is set when it is written).
    pub pdu: Vec<u8>,
    /// Who to answer once the ESME answered; `None` once the proxy took custody.
    pub origin: Option<Origin>,
    /// Seconds since start (of the shard holding it) when created; for the hold time.
    pub created_s: u32,
    /// Delivery attempts so far.
    pub attempts: u8,
}

/// A request whose own id was issued on another shard (query_sm, cancel_sm, replace_sm).
#[derive(Debug, Clone)]
pub struct Forwarded {
    /// Shard of the client.
    pub shard: u16,
    /// Client slab key and generation.
    pub client: u32,
    /// Generation of the client slot.
    pub client_gen: u32,
    /// Stable account index of the client.
    pub account: u32,
    /// The request as the client sent it.
    pub pdu: Vec<u8>,
}

/// One cross-shard message.
#[derive(Debug, Clone)]
pub enum MeshMsg {
    /// Store a receipt-map entry on its owner.
    RcptInsert {
        /// Stable connector index.
        connector: u32,
        /// Normalised upstream key.
        key: u128,
        /// What to remember.
        entry: RcptEntry,
    },
    /// A receipt for the owner of its key to match and rewrite.
    Receipt {
        /// Stable connector index.
        connector: u32,
        /// Normalised upstream key.
        key: u128,
        /// True for a final state (the entry can go).
        is_final: bool,
        /// The receipt as the upstream sent it.
        pdu: Vec<u8>,
        /// Where to answer.
        origin: Origin,
    },
    /// Deliver to a receiver bind of the account on this shard.
    Deliver(DeliveryJob),
    /// The ESME answered (or the proxy took custody): answer the upstream.
    DeliverDone {
        /// The upstream deliver_sm to answer.
        origin: Origin,
        /// command_status to answer with.
        status: u32,
    },
    /// Look up an own id for a query/cancel/replace from a client on another shard.
    OwnLookup(Forwarded),
    /// A TCAP answer that arrived on another shard's association for a dialogue of this shard
    /// (its transaction id names the shard).
    Ss7 {
        /// Stable connector index.
        connector: u32,
        /// The SCCP calling party of the answer.
        calling: Addr,
        /// The TCAP message.
        tcap: Vec<u8>,
        /// True when SCCP returned one of our own messages (UDTS/XUDTS).
        returned: bool,
    },
    /// The answer: the request with the upstream connector and id, or `None` when unknown.
    OwnFound {
        /// The original request.
        req: Forwarded,
        /// (stable connector index, upstream id) when known.
        found: Option<(u32, Vec<u8>)>,
    },
}
