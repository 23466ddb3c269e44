//! The bounded queue a request waits in when every bind of its connector is at its window or
//! the connector at its tps cap. FIFO, bounded in entries and bytes, with one deadline per entry
//! in arrival order (so expiry only ever looks at the front). The PDUs live back to back in one
//! ring of bytes reserved up front: queueing allocates nothing.

use crate::inflight::Pending;
use std::collections::VecDeque;
use std::time::Instant;

/// One waiting request.
#[derive(Debug)]
pub struct Waiting {
    /// Who waits for the answer.
    pub pending: Pending,
    /// When to give up (ESME_RMSGQFUL).
    pub deadline: Instant,
    len: usize,
}

/// A PDU in the ring: the part up to the end of the ring, then the part from its start.
pub type Pieces<'a> = (&'a [u8], &'a [u8]);

/// A wait queue.
#[derive(Debug)]
pub struct WaitQueue {
    items: VecDeque<Waiting>,
    bytes: VecDeque<u8>,
    max_items: usize,
    max_bytes: usize,
}

impl WaitQueue {
    /// A queue for at most `max_items` requests and `max_bytes` of PDUs.
    pub fn new(max_items: usize, max_bytes: usize) -> Self {
        WaitQueue {
            items: VecDeque::with_capacity(max_items.min(1 << 16)),
            bytes: VecDeque::with_capacity(max_bytes.min(64 << 20)),
            max_items,
            max_bytes,
        }
    }

    /// Requests waiting.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when nothing waits.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Queues a request; gives it back when the queue is full.
    pub fn push(&mut self, pending: Pending, pdu: &[u8], deadline: Instant) -> Result<(), Pending> {
        if self.items.len() >= self.max_items || self.bytes.len() + pdu.len() > self.max_bytes {
            return Err(pending);
        }
        self.bytes.extend(pdu);
        self.items.push_back(Waiting {
            pending,
            deadline,
            len: pdu.len(),
        });
        Ok(())
    }

    /// The oldest request and its PDU (in at most two pieces: the ring may wrap), without
    /// removing it.
    pub fn front(&self) -> Option<(&Waiting, Pieces<'_>)> {
        let w = self.items.front()?;
        let (a, b) = self.bytes.as_slices();
        let pdu = if a.len() >= w.len {
            (&a[..w.len], &b[..0])
        } else {
            (a, &b[..w.len - a.len()])
        };
        Some((w, pdu))
    }

    /// Removes the oldest request.
    pub fn pop(&mut self) -> Option<Pending> {
        let w = self.items.pop_front()?;
        self.bytes.drain(..w.len);
        Some(w.pending)
    }

    /// Removes requests whose deadline passed, oldest first.
    pub fn expire(&mut self, now: Instant, mut f: impl FnMut(Pending)) {
        while self.items.front().is_some_and(|w| w.deadline <= now) {
            if let Some(p) = self.pop() {
                f(p);
            }
        }
    }

    /// Removes everything.
    pub fn drain(&mut self, mut f: impl FnMut(Pending)) {
        while let Some(p) = self.pop() {
            f(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use smsedge_codecs::smpp::CommandId;
    use std::time::Duration;

    fn p(seq: u32) -> Pending {
        let now = Instant::now();
        Pending {
            client: 0,
            client_gen: 0,
            client_seq: seq,
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
    fn fifo_bounded_and_expiring() {
        let t0 = Instant::now();
        let mut q = WaitQueue::new(2, 1000);
        q.push(p(1), b"aaaa", t0 + Duration::from_secs(1)).unwrap();
        q.push(p(2), b"bb", t0 + Duration::from_secs(2)).unwrap();
        assert!(q.push(p(3), b"c", t0).is_err());
        let (w, (a, b)) = q.front().unwrap();
        assert_eq!(w.pending.client_seq, 1);
        assert_eq!([a, b].concat(), b"aaaa");
        let mut gone = Vec::new();
        q.expire(t0 + Duration::from_secs(1), |p| gone.push(p.client_seq));
        assert_eq!(gone, vec![1]);
        let (_, (a, b)) = q.front().unwrap();
        assert_eq!([a, b].concat(), b"bb");
        assert_eq!(q.pop().unwrap().client_seq, 2);
        assert!(q.is_empty());
        let mut small = WaitQueue::new(10, 5);
        small.push(p(1), b"abc", t0).unwrap();
        assert!(small.push(p(2), b"abc", t0).is_err(), "byte bound");
    }
}
