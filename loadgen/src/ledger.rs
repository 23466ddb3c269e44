//! The SMSC simulator's memory of recent messages, for query_sm, cancel_sm and replace_sm
//! (v3.4 4.8-4.10): for each of the last N message ids, when the message becomes final, its
//! final state, a hash of its source address, and whether it was cancelled or its receipt sent.
//!
//! One ring per executor, indexed by the executor's id counter, so recording is a few stores
//! into a slot computed from the id and memory stays bounded: an id older than the ring is
//! forgotten (queries about it fail as for an unknown id). Rings are allocated in chunks as
//! they fill, so a short run touches little memory and a long one holds N slots of 24 octets.
//!
//! Only the executor that issued an id writes its slot, but any executor may read it (a query
//! can arrive on another connection, hence another executor) and a cancel may flag it. Each
//! slot is a small seqlock: the word holding the id's tag is cleared before the other words are
//! rewritten and set again after, so a reader that sees the same tag before and after its
//! reads has a consistent slot. The flags live in the tag word, so cancelling (from any
//! executor) and sending the receipt (on the owner) are compare-and-swaps on that word: one of
//! them wins, never both.

use std::sync::atomic::{fence, AtomicU64, Ordering};
use std::sync::OnceLock;

/// Slots per allocation, as a power of two.
const CHUNK_SHIFT: u32 = 12;

/// Flag: the slot holds a message.
const VALID: u64 = 1 << 8;
/// Flag: the message's receipt has been handed out.
const SENT: u64 = 1 << 9;
/// Flag: the message was cancelled (cancel_sm); no receipt goes out.
const CANCELLED: u64 = 1 << 10;

#[derive(Debug, Default)]
struct Slot {
    /// `rt::now_ns` at which the message becomes final.
    due: AtomicU64,
    /// `rt::now_ns` of the cancel_sm that cancelled it (meaningful with CANCELLED).
    cancelled_at: AtomicU64,
    /// Bits 63..32: the low 32 bits of the id counter; 31..16: source address hash;
    /// 15..8: flags; 7..0: final message_state.
    word: AtomicU64,
}

fn tag(word: u64) -> u32 {
    (word >> 32) as u32
}

#[derive(Debug)]
struct Ring {
    mask: u64,
    /// Slots per chunk: a power of two (shifts and masks, no division per message).
    chunk_shift: u32,
    chunks: Box<[OnceLock<Box<[Slot]>>]>,
}

impl Ring {
    fn new(capacity: usize) -> Self {
        let cap = capacity.max(16).next_power_of_two();
        let chunk_shift = cap.trailing_zeros().min(CHUNK_SHIFT);
        Ring {
            mask: cap as u64 - 1,
            chunk_shift,
            chunks: (0..cap >> chunk_shift).map(|_| OnceLock::new()).collect(),
        }
    }

    /// The slot of counter `n`, allocating its chunk when `create`.
    #[inline]
    fn slot(&self, n: u64, create: bool) -> Option<&Slot> {
        let i = (n & self.mask) as usize;
        let c = &self.chunks[i >> self.chunk_shift];
        let chunk = if create {
            c.get_or_init(|| {
                (0..1usize << self.chunk_shift)
                    .map(|_| Slot::default())
                    .collect()
            })
        } else {
            c.get()?
        };
        Some(&chunk[i & ((1 << self.chunk_shift) - 1)])
    }
}

/// What the ledger knows about a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Seen {
    /// When it becomes (became) final, `rt::now_ns`.
    pub due: u64,
    /// Its final message_state (v3.4 5.2.28).
    pub state: u8,
    /// Hash of the source address it was submitted with ([`src_hash`]).
    pub src: u16,
    /// When it was cancelled, if it was (0: being cancelled right now, by another executor).
    pub cancelled_at: Option<u64>,
    /// Its receipt has been handed out.
    pub receipt_sent: bool,
}

impl Seen {
    /// Not final at `now`: neither cancelled nor due, its receipt not out.
    pub fn pending(&self, now: u64) -> bool {
        self.cancelled_at.is_none() && !self.receipt_sent && now < self.due
    }
}

/// Why a cancel did not happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NotCancelled {
    /// The id is not (or no longer) held.
    Unknown,
    /// The message is already final (due, receipt sent, or cancelled before).
    Final,
}

/// Recent messages of every executor.
#[derive(Debug)]
pub(crate) struct Ledger {
    rings: Vec<Ring>,
}

impl Ledger {
    /// Rings for `executors` executors remembering about `total` messages together (each ring
    /// holds `total / executors` rounded up to a power of two, at least 16).
    pub(crate) fn new(executors: usize, total: usize) -> Self {
        let per = total.div_ceil(executors.max(1));
        Ledger {
            rings: (0..executors.max(1)).map(|_| Ring::new(per)).collect(),
        }
    }

    /// Slots per executor.
    #[cfg(test)]
    fn capacity(&self) -> usize {
        self.rings[0].mask as usize + 1
    }

    /// Records message `n` of executor `ex` (only that executor calls this, with increasing
    /// `n`): final at `due` in `state`, from source address hash `src`.
    #[inline]
    pub(crate) fn record(&self, ex: usize, n: u64, due: u64, state: u8, src: u16) {
        let Some(s) = self.rings[ex].slot(n, true) else {
            return;
        };
        s.word.store(0, Ordering::Relaxed);
        fence(Ordering::Release);
        s.due.store(due, Ordering::Relaxed);
        s.cancelled_at.store(0, Ordering::Relaxed);
        let word = (u64::from(n as u32) << 32) | (u64::from(src) << 16) | VALID | u64::from(state);
        s.word.store(word, Ordering::Release);
    }

    fn held(&self, ex: usize, n: u64) -> Option<&Slot> {
        self.rings.get(ex)?.slot(n, false)
    }

    /// What is known about message `n` of executor `ex`.
    pub(crate) fn get(&self, ex: usize, n: u64) -> Option<Seen> {
        let s = self.held(ex, n)?;
        let a = s.word.load(Ordering::Acquire);
        if a & VALID == 0 || tag(a) != n as u32 {
            return None;
        }
        let due = s.due.load(Ordering::Relaxed);
        let at = s.cancelled_at.load(Ordering::Relaxed);
        fence(Ordering::Acquire);
        // Flags may have changed in between (a cancel); the message may not.
        let b = s.word.load(Ordering::Relaxed);
        if b & VALID == 0 || tag(b) != tag(a) {
            return None;
        }
        Some(Seen {
            due,
            state: b as u8,
            src: (b >> 16) as u16,
            cancelled_at: (b & CANCELLED != 0).then_some(at),
            receipt_sent: b & SENT != 0,
        })
    }

    /// Cancels message `n` of executor `ex` at `now` if it is not final yet.
    pub(crate) fn cancel(&self, ex: usize, n: u64, now: u64) -> Result<(), NotCancelled> {
        let seen = self.get(ex, n).ok_or(NotCancelled::Unknown)?;
        if !seen.pending(now) {
            return Err(NotCancelled::Final);
        }
        let s = self.held(ex, n).ok_or(NotCancelled::Unknown)?;
        let mut cur = s.word.load(Ordering::Acquire);
        loop {
            if cur & VALID == 0 || tag(cur) != n as u32 {
                return Err(NotCancelled::Unknown);
            }
            if cur & (SENT | CANCELLED) != 0 {
                return Err(NotCancelled::Final);
            }
            match s.word.compare_exchange_weak(
                cur,
                cur | CANCELLED,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => break,
                Err(w) => cur = w,
            }
        }
        s.cancelled_at.store(now.max(1), Ordering::Relaxed);
        Ok(())
    }

    /// The owner is about to send a receipt of message `n`: false when the message was
    /// cancelled (send nothing). An id no longer held is sent (it can no longer be cancelled).
    pub(crate) fn take_receipt(&self, ex: usize, n: u64) -> bool {
        let Some(s) = self.held(ex, n) else {
            return true;
        };
        let mut cur = s.word.load(Ordering::Acquire);
        loop {
            if cur & VALID == 0 || tag(cur) != n as u32 {
                return true;
            }
            if cur & CANCELLED != 0 {
                return false;
            }
            if cur & SENT != 0 {
                return true;
            }
            match s
                .word
                .compare_exchange_weak(cur, cur | SENT, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => return true,
                Err(w) => cur = w,
            }
        }
    }
}

/// A 16-bit hash of a source address (the digits only: clients and SMSCs disagree on TON/NPI
/// more often than on the address). Overlapping word loads straight from the PDU, no copy
/// (addresses are at most 20 octets; longer input is hashed by its first 24 and last 8).
#[inline]
pub(crate) fn src_hash(a: &[u8]) -> u16 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let n = a.len();
    let w8 = |i: usize| u64::from_le_bytes(a[i..i + 8].try_into().expect("8 octets"));
    let w4 = |i: usize| {
        u64::from(u32::from_le_bytes(
            a[i..i + 4].try_into().expect("4 octets"),
        ))
    };
    let (x, y, z) = match n {
        0 => (0, 0, 0),
        1..=3 => (
            u64::from(a[0]) | u64::from(a[n / 2]) << 8 | u64::from(a[n - 1]) << 16,
            0,
            0,
        ),
        4..=7 => (w4(0), w4(n - 4), 0),
        8..=16 => (w8(0), w8(n - 8), 0),
        _ => (w8(0), w8(8), w8(n - 8)),
    };
    let mut h = (n as u64).wrapping_mul(K) ^ x;
    h = h.wrapping_mul(K).rotate_left(29) ^ y;
    h = h.wrapping_mul(K).rotate_left(29) ^ z;
    h = h.wrapping_mul(K);
    (h >> 48) as u16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_the_last_n_and_forgets_older() {
        let l = Ledger::new(2, 64);
        assert_eq!(l.capacity(), 32);
        for n in 1..=100 {
            l.record(1, n, 1000 + n, 2, 7);
        }
        assert_eq!(l.get(1, 100).unwrap().due, 1100);
        assert_eq!(l.get(1, 69).unwrap().state, 2);
        assert_eq!(l.get(1, 68), None, "overwritten by 100");
        assert_eq!(l.get(0, 100), None, "another executor's counter");
        assert_eq!(l.get(5, 1), None, "no such executor");
        // A fresh ledger holds nothing and allocates nothing for reads.
        let big = Ledger::new(1, 1 << 20);
        assert_eq!(big.get(0, 12345), None);
        assert!(big.rings[0].chunks.iter().all(|c| c.get().is_none()));
    }

    #[test]
    fn cancel_wins_over_a_later_receipt_and_not_after_it() {
        let l = Ledger::new(1, 16);
        l.record(0, 1, 500, 2, 1);
        l.record(0, 2, 500, 5, 1);
        l.record(0, 3, 500, 2, 1);
        assert!(l.get(0, 1).unwrap().pending(499));
        assert_eq!(l.cancel(0, 1, 100), Ok(()));
        assert_eq!(l.cancel(0, 1, 101), Err(NotCancelled::Final));
        let s = l.get(0, 1).unwrap();
        assert_eq!((s.cancelled_at, s.pending(200)), (Some(100), false));
        assert!(
            !l.take_receipt(0, 1),
            "a cancelled message sends no receipt"
        );
        // Receipt first: the cancel fails even before the due time.
        assert!(l.take_receipt(0, 2));
        assert_eq!(l.cancel(0, 2, 100), Err(NotCancelled::Final));
        // Due: final.
        assert_eq!(l.cancel(0, 3, 500), Err(NotCancelled::Final));
        assert_eq!(l.cancel(0, 9, 1), Err(NotCancelled::Unknown));
        // Overwritten slots: receipts of forgotten ids still go out.
        for n in 4..40 {
            l.record(0, n, 1, 2, 0);
        }
        assert!(l.take_receipt(0, 1));
    }

    #[test]
    fn hashes_addresses() {
        // Every length an address can have: equal for equal input, and a change of any one
        // octet changes the hash (for these inputs).
        let base = b"44770090000123456789";
        for n in 0..=base.len() {
            let a = &base[..n];
            // The same octets elsewhere in memory: the hash reads values, not addresses.
            let copy = a.to_vec();
            assert_eq!(src_hash(a), src_hash(&copy));
            for i in 0..n {
                let mut b = a.to_vec();
                b[i] = b'x';
                assert_ne!(src_hash(a), src_hash(&b), "len {n}, octet {i}");
            }
            if n > 0 {
                assert_ne!(src_hash(a), src_hash(&base[..n - 1]), "len {n}");
            }
        }
    }
}
