//! Requests forwarded on one upstream bind and not answered yet: a slab sized to the bind's
//! window, addressed by the sequence number itself, plus a FIFO of deadlines (requests leave in
//! send order, so the oldest deadline is always at the front: no timer per PDU).
//!
//! Sequence numbers are `0x4000_0000 | (round × cap + slot)`: the slot is recovered with one mask,
//! a stale response (its slot reused since) is recognised because the stored number differs, and
//! the session's own PDUs (bind, enquire_link, unbind) use numbers below 0x4000_0000 so they can
//! never be mistaken for a forwarded request.

use smsedge_codecs::smpp::CommandId;
use std::collections::VecDeque;
use std::time::Instant;

/// Marks forwarded-request sequence numbers.
pub const FORWARD_BIT: u32 = 0x4000_0000;

/// Who is waiting for a forwarded request's response.
#[derive(Debug, Clone)]
pub struct Pending {
    /// The client session (slab key) and its generation.
    pub client: u32,
    /// Generation of that client slot, to ignore a response for a session that has gone.
    pub client_gen: u32,
    /// The client's sequence number.
    pub client_seq: u32,
    /// The request's command_id.
    pub command_id: CommandId,
    /// Stable account index.
    pub account: u32,
    /// registered_delivery of the request.
    pub registered_delivery: u8,
    /// When it was written to the upstream.
    pub sent: Instant,
    /// When it first arrived from the client (for end-to-end latency and the wait queue).
    pub received: Instant,
    /// Connectors (stable indexes, bit per index < 64) already tried, for retries.
    pub tried: u64,
    /// For query_sm: the own id the client asked about, to give back in query_sm_resp.
    pub own_id: u64,
}

#[derive(Debug)]
struct Slot {
    seq: u32,
    round: u32,
    pending: Option<Pending>,
    /// A copy of the PDU as sent, to retry it elsewhere if the bind drops; the buffer is reused
    /// by the slot's next request, so steady state allocates nothing.
    pdu: Vec<u8>,
}

/// The in-flight table of one bind.
#[derive(Debug)]
pub struct Inflight {
    slots: Vec<Slot>,
    free: Vec<u32>,
    deadlines: VecDeque<(Instant, u32)>,
    len: usize,
    cap_bits: u32,
}

impl Inflight {
    /// A table for `window` outstanding requests.
    pub fn new(window: usize) -> Self {
        let cap = window.clamp(1, 1 << 16).next_power_of_two();
        let slots = (0..cap)
            .map(|_| Slot {
                seq: 0,
                round: 0,
                pending: None,
                pdu: Vec::new(),
            })
            .collect();
        Inflight {
            slots,
            free: (0..cap as u32).rev().collect(),
            deadlines: VecDeque::with_capacity(cap),
            len: 0,
            cap_bits: cap.trailing_zeros(),
        }
    }

    /// Requests outstanding.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when nothing is outstanding.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// True when the window allows another request.
    pub fn has_room(&self, window: usize) -> bool {
        self.len < window && !self.free.is_empty()
    }

    /// Records `p`, due by `deadline`; returns the sequence number to send it with. The caller
    /// checked [`Inflight::has_room`].
    pub fn insert(&mut self, p: Pending, deadline: Instant) -> u32 {
        let idx = self.free.pop().expect("caller checked has_room");
        let slot = &mut self.slots[idx as usize];
        slot.round = slot.round.wrapping_add(1);
        let span = 30 - self.cap_bits;
        let seq = FORWARD_BIT | ((slot.round & ((1 << span) - 1)) << self.cap_bits) | idx;
        slot.seq = seq;
        slot.pending = Some(p);
        self.len += 1;
        self.deadlines.push_back((deadline, seq));
        seq
    }

    /// Records `p` with a copy of the PDU being sent; returns the sequence number, which is also
    /// patched into the copy. The caller checked [`Inflight::has_room`].
    pub fn insert_pdu(&mut self, p: Pending, deadline: Instant, pdu: &[u8]) -> u32 {
        let seq = self.insert(p, deadline);
        let buf = &mut self.slots[(seq & ((1 << self.cap_bits) - 1)) as usize].pdu;
        buf.clear();
        buf.extend_from_slice(pdu);
        if buf.len() >= 16 {
            buf[12..16].copy_from_slice(&seq.to_be_bytes());
        }
        seq
    }

    /// The PDU copy of `seq` as sent.
    pub fn pdu(&self, seq: u32) -> Option<&[u8]> {
        let s = self
            .slots
            .get((seq & ((1 << self.cap_bits) - 1)) as usize)?;
        (s.seq == seq && s.pending.is_some()).then_some(&s.pdu[..])
    }

    /// Takes the request answered by `seq`; `None` for an unknown or stale number.
    pub fn take(&mut self, seq: u32) -> Option<Pending> {
        if seq & FORWARD_BIT == 0 {
            return None;
        }
        let idx = (seq & ((1 << self.cap_bits) - 1)) as usize;
        let s = self.slots.get_mut(idx)?;
        if s.seq != seq || s.pending.is_none() {
            return None;
        }
        s.seq = 0;
        self.len -= 1;
        self.free.push(idx as u32);
        s.pending.take()
    }

    /// Takes every request whose deadline has passed at `now`.
    pub fn expire(&mut self, now: Instant, mut f: impl FnMut(Pending)) {
        while let Some(&(d, seq)) = self.deadlines.front() {
            if d > now {
                break;
            }
            self.deadlines.pop_front();
            if let Some(p) = self.take(seq) {
                f(p);
            }
        }
        // Answered requests leave their deadline behind; drop those at the front cheaply and
        // compact when they pile up.
        if self.deadlines.len() > 4 * self.slots.len() {
            let slots = &self.slots;
            let bits = self.cap_bits;
            self.deadlines
                .retain(|(_, s)| slots[(s & ((1 << bits) - 1)) as usize].seq == *s);
        }
    }

    /// Takes everything (the bind dropped), with the PDU each request was sent as.
    pub fn drain(&mut self, mut f: impl FnMut(Pending, &[u8])) {
        self.deadlines.clear();
        for (i, s) in self.slots.iter_mut().enumerate() {
            if let Some(p) = s.pending.take() {
                s.seq = 0;
                self.free.push(i as u32);
                f(p, &s.pdu);
            }
        }
        self.len = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn p(client_seq: u32) -> Pending {
        let now = Instant::now();
        Pending {
            client: 1,
            client_gen: 1,
            client_seq,
            command_id: CommandId::SubmitSm,
            account: 0,
            registered_delivery: 0,
            sent: now,
            received: now,
            tried: 0,
            own_id: 0,
        }
    }

    #[test]
    fn inserts_takes_and_rejects_stale() {
        let t0 = Instant::now();
        let mut f = Inflight::new(3); // cap 4
        let a = f.insert(p(10), t0);
        let b = f.insert(p(11), t0);
        assert_ne!(a, b);
        assert!(a & FORWARD_BIT != 0 && a <= 0x7FFF_FFFF);
        assert_eq!(f.take(b).unwrap().client_seq, 11);
        assert!(f.take(b).is_none(), "answered twice");
        let c = f.insert(p(12), t0); // reuses b's slot with a new round
        assert_ne!(c, b);
        assert!(f.take(b).is_none(), "stale number for a reused slot");
        assert_eq!(f.take(c).unwrap().client_seq, 12);
        assert!(
            f.take(5).is_none(),
            "session-level numbers are never forwarded requests"
        );
        assert!(f.has_room(3));
        f.insert(p(13), t0);
        f.insert(p(14), t0);
        assert!(!f.has_room(3));
        assert_eq!(f.len(), 3);
    }

    #[test]
    fn expires_in_order_and_drains() {
        let t0 = Instant::now();
        let mut f = Inflight::new(8);
        let a = f.insert(p(1), t0 + Duration::from_secs(1));
        f.insert(p(2), t0 + Duration::from_secs(2));
        f.insert(p(3), t0 + Duration::from_secs(3));
        f.take(a);
        let mut got = Vec::new();
        f.expire(t0 + Duration::from_secs(2), |p| got.push(p.client_seq));
        assert_eq!(got, vec![2]);
        let mut rest = Vec::new();
        f.drain(|p, _| rest.push(p.client_seq));
        assert_eq!(rest, vec![3]);
        assert!(f.is_empty());
        let s = f.insert_pdu(p(4), t0, &[0u8; 20]);
        assert_eq!(&f.pdu(s).unwrap()[12..16], &s.to_be_bytes());
    }

    #[test]
    fn sequence_numbers_stay_in_range_over_many_rounds() {
        let t0 = Instant::now();
        let mut f = Inflight::new(1);
        for i in 0..100_000u32 {
            let s = f.insert(p(i), t0);
            assert!(s & FORWARD_BIT != 0 && s <= 0x7FFF_FFFF);
            assert_eq!(f.take(s).unwrap().client_seq, i);
        }
    }
}
