//! SMPP session state machines, sans-IO (after quinn-proto): no sockets and no clock of their
//! own. The glue feeds them frames and the current time and hands them the connection's write
//! buffer; they answer the session-level PDUs themselves (enquire_link, unbind, generic_nack,
//! bind-state errors) and return an event for everything the proxy must act on.

pub mod client;
pub mod server;

use smsedge_codecs::smpp::{header::put_header_only, CommandId, CommandStatus};

/// Sequence numbers this side generates: 1..=max, wrapping back to 1 (v3.4 3.2 allows
/// 0x00000001 to 0x7FFFFFFF; an upstream session keeps below 0x40000000, the range of
/// forwarded requests being `crate::inflight`'s).
#[derive(Debug, Clone, Copy)]
pub struct SeqGen {
    next: u32,
    max: u32,
}

impl Default for SeqGen {
    fn default() -> Self {
        SeqGen {
            next: 1,
            max: 0x7FFF_FFFF,
        }
    }
}

impl SeqGen {
    /// A generator that wraps after `max`.
    pub fn with_max(max: u32) -> Self {
        SeqGen { next: 1, max }
    }

    /// The next sequence number.
    pub fn next_seq(&mut self) -> u32 {
        let s = self.next;
        self.next = if s >= self.max { 1 } else { s + 1 };
        s
    }
}

/// Appends generic_nack with `status` for `seq` (v3.4 4.3.1).
pub fn put_generic_nack(out: &mut Vec<u8>, status: CommandStatus, seq: u32) {
    put_header_only(out, CommandId::GenericNack.to_u32(), status.0, seq);
}

/// Appends the response to request `id` with `status` and no body: the form v3.4 4.4.2 allows for
/// an error, and the only form of the header-only responses.
pub fn put_error_resp(out: &mut Vec<u8>, id: CommandId, status: CommandStatus, seq: u32) {
    match id.response() {
        Some(resp) => put_header_only(out, resp.to_u32(), status.0, seq),
        None => put_generic_nack(out, status, seq),
    }
}
