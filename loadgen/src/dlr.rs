//! Receipt correlation: message id → intended send time, shared by every bind and shard of a
//! run, because a receipt may come back on any receiver bind (the proxy picks one).
//!
//! The table holds only what is outstanding: an entry is inserted when an accepted
//! submit_sm_resp names its id and removed when the receipt arrives; senders pause while
//! `--dlr-window` receipts are outstanding, so it stays bounded. A receipt that arrives
//! before its response (possible through a proxy, where they travel on different binds) is kept
//! until the response comes. The table is split into locked shards by a hash of the id, so two
//! executor threads rarely touch the same lock; ids up to 32 octets are stored inline and each
//! id is hashed once per operation.

use std::collections::hash_map::Entry as MapEntry;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Mutex;

const SHARDS: usize = 64;
/// Receipts held while waiting for their response, at most (beyond: counted as unmatched).
const MAX_EARLY: usize = 1 << 20;

/// A message id as a map key, inline up to 32 octets, with its hash computed once.
#[derive(Clone, Debug)]
struct IdKey {
    hash: u64,
    id: Id,
}

#[derive(Clone, PartialEq, Eq, Debug)]
enum Id {
    Short(u8, [u8; 32]),
    Long(Box<[u8]>),
}

impl IdKey {
    fn new(id: &[u8]) -> Self {
        let hash = hash(id);
        if id.len() <= 32 {
            let mut b = [0u8; 32];
            b[..id.len()].copy_from_slice(id);
            IdKey {
                hash,
                id: Id::Short(id.len() as u8, b),
            }
        } else {
            IdKey {
                hash,
                id: Id::Long(id.into()),
            }
        }
    }
}

impl PartialEq for IdKey {
    fn eq(&self, o: &Self) -> bool {
        self.hash == o.hash && self.id == o.id
    }
}

impl Eq for IdKey {}

impl Hash for IdKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

/// Hashes an id 8 octets at a time (multiply-xorshift, after FxHash / wyhash): ids are short
/// and not adversarial here (they come from the server under test).
fn hash(id: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h = (id.len() as u64).wrapping_mul(K);
    let mut chunks = id.chunks_exact(8);
    for c in &mut chunks {
        let v = u64::from_le_bytes(c.try_into().expect("8 octets"));
        h = (h ^ v).wrapping_mul(K).rotate_left(29);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut b = [0u8; 8];
        b[..rest.len()].copy_from_slice(rest);
        h = (h ^ u64::from_le_bytes(b)).wrapping_mul(K).rotate_left(29);
    }
    h ^= h >> 32;
    h.wrapping_mul(K) ^ (h >> 29)
}

/// The key already carries its hash: pass it through.
#[derive(Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

#[derive(Debug, Clone, Copy)]
enum Entry {
    /// Accepted; the receipt has not come yet. The intended send time.
    Submitted(u64),
    /// The receipt came first; its arrival time.
    Received(u64),
}

type Map = HashMap<IdKey, Entry, BuildHasherDefault<PassThrough>>;

/// The outcome of a lookup: a latency to record, or nothing yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Matched {
    /// Both ends are known: submit (intended) time and receipt arrival time, in ns.
    Pair {
        /// Intended send time.
        sent: u64,
        /// Receipt arrival time.
        received: u64,
    },
    /// Recorded; waiting for the other end.
    Pending,
    /// The id was already waiting for the same end (a duplicate).
    Duplicate,
}

/// The shared correlation table.
#[derive(Debug)]
pub struct DlrTable {
    shards: Vec<Mutex<Map>>,
    /// Entries waiting for a receipt.
    waiting: AtomicI64,
    early: AtomicU64,
}

impl Default for DlrTable {
    fn default() -> Self {
        DlrTable {
            shards: (0..SHARDS).map(|_| Mutex::new(Map::default())).collect(),
            waiting: AtomicI64::new(0),
            early: AtomicU64::new(0),
        }
    }
}

impl DlrTable {
    fn shard(&self, key: &IdKey) -> std::sync::MutexGuard<'_, Map> {
        let i = (key.hash >> 58) as usize % SHARDS;
        self.shards[i].lock().unwrap_or_else(|e| e.into_inner())
    }

    /// An accepted submit_sm named `id`; it was meant to be sent at `sent`.
    pub fn submitted(&self, id: &[u8], sent: u64) -> Matched {
        let key = IdKey::new(id);
        let mut m = self.shard(&key);
        match m.entry(key) {
            MapEntry::Occupied(e) => match *e.get() {
                Entry::Received(received) => {
                    e.remove();
                    self.early.fetch_sub(1, Ordering::Relaxed);
                    Matched::Pair { sent, received }
                }
                Entry::Submitted(_) => Matched::Duplicate,
            },
            MapEntry::Vacant(v) => {
                v.insert(Entry::Submitted(sent));
                self.waiting.fetch_add(1, Ordering::Relaxed);
                Matched::Pending
            }
        }
    }

    /// A receipt for `id` arrived at `received`. `Duplicate` also covers an early receipt that
    /// could not be held because too many are waiting.
    pub fn received(&self, id: &[u8], received: u64) -> Matched {
        let key = IdKey::new(id);
        let mut m = self.shard(&key);
        match m.entry(key) {
            MapEntry::Occupied(e) => match *e.get() {
                Entry::Submitted(sent) => {
                    e.remove();
                    self.waiting.fetch_sub(1, Ordering::Relaxed);
                    Matched::Pair { sent, received }
                }
                Entry::Received(_) => Matched::Duplicate,
            },
            MapEntry::Vacant(v) => {
                if self.early.load(Ordering::Relaxed) as usize >= MAX_EARLY {
                    return Matched::Duplicate;
                }
                v.insert(Entry::Received(received));
                self.early.fetch_add(1, Ordering::Relaxed);
                Matched::Pending
            }
        }
    }

    /// Accepted messages still waiting for their receipt.
    pub fn waiting(&self) -> u64 {
        self.waiting.load(Ordering::Relaxed).max(0) as u64
    }

    /// Receipts held that matched no response (yet).
    pub fn early(&self) -> u64 {
        self.early.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_in_either_order() {
        let t = DlrTable::default();
        assert_eq!(t.submitted(b"a1", 10), Matched::Pending);
        assert_eq!(t.waiting(), 1);
        assert_eq!(
            t.received(b"a1", 50),
            Matched::Pair {
                sent: 10,
                received: 50
            }
        );
        assert_eq!(t.waiting(), 0);
        // Receipt first (through a proxy), then the response.
        let long = [b'x'; 40];
        assert_eq!(t.received(&long, 70), Matched::Pending);
        assert_eq!(t.early(), 1);
        assert_eq!(
            t.submitted(&long, 60),
            Matched::Pair {
                sent: 60,
                received: 70
            }
        );
        assert_eq!((t.waiting(), t.early()), (0, 0));
        assert_eq!(t.received(b"zz", 1), Matched::Pending);
        assert_eq!(t.received(b"zz", 2), Matched::Duplicate);
        // Ids differing only in length or in a late octet are different keys.
        assert_eq!(t.submitted(b"abcdefgh1", 1), Matched::Pending);
        assert_eq!(t.submitted(b"abcdefgh", 1), Matched::Pending);
        assert_eq!(t.submitted(b"abcdefgh2", 1), Matched::Pending);
        assert_eq!(t.waiting(), 3);
    }
}
