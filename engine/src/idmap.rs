//! Message ids: the proxy's own ids, and the two maps that tie them to upstream ids.
//!
//! * An own id is a `u64` below 2^63 (so it fits a signed 64-bit column in a client's database)
//!   printed in decimal: bits 62..55 hold the shard that issued it, bits 54..0 a per-shard counter
//!   that starts at `unix_ms << 12` — a restart therefore starts above anything the previous run
//!   could have issued unless it sustained more than 4 M ids/s per shard.
//! * [`OwnMap`] (on the issuing shard): own id → (connector, upstream id, account), for query_sm /
//!   cancel_sm / replace_sm. A ring indexed by the counter: O(1), bounded, oldest overwritten.
//! * [`RcptMap`] (on the shard that owns the upstream key, `hash % shards`): (connector, upstream
//!   key) → (own id, account), for receipts, which may come back on any upstream bind of any
//!   shard. Bounded, expiring in insertion order.
//!
//! Upstream ids are normalised per connector ([`IdFormat`]): `text` ids compare case-insensitively
//! without leading zeros; `hex` and `decimal` ids compare by value, so an SMSC that answers
//! submit_sm in hex and writes receipts in decimal still matches.

use smsedge_control::config::IdFormat;
use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};

const SHARD_SHIFT: u32 = 55;
const COUNTER_MASK: u64 = (1 << SHARD_SHIFT) - 1;

/// Issues own message ids for one shard.
#[derive(Debug, Clone)]
pub struct IdGen {
    shard: u64,
    counter: u64,
}

impl IdGen {
    /// A generator for `shard` (0..=255) started at `unix_ms`.
    pub fn new(shard: usize, unix_ms: u64) -> Self {
        IdGen {
            shard: (shard as u64) & 0xff,
            counter: (unix_ms << 12) & COUNTER_MASK,
        }
    }

    /// The next id.
    pub fn next_id(&mut self) -> u64 {
        self.counter = (self.counter + 1) & COUNTER_MASK;
        (self.shard << SHARD_SHIFT) | self.counter
    }
}

/// The shard that issued own id `id`.
pub fn id_shard(id: u64) -> usize {
    ((id >> SHARD_SHIFT) & 0xff) as usize
}

/// Writes `id` in decimal into `buf` and returns the digits.
pub fn format_id(id: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut n = id;
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    &buf[i..]
}

/// Parses an own id a client sends back (query_sm, cancel_sm, replace_sm).
pub fn parse_id(s: &[u8]) -> Option<u64> {
    if s.is_empty() || s.len() > 19 {
        return None;
    }
    let mut n: u64 = 0;
    for &c in s {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
    }
    (n < 1 << 63).then_some(n)
}

/// The normalised key of an upstream id written in `fmt`: equal keys mean the same message.
pub fn upstream_key(id: &[u8], fmt: IdFormat) -> u128 {
    let numeric = match fmt {
        IdFormat::Hex => parse_radix(id, 16),
        IdFormat::Decimal => parse_radix(id, 10),
        IdFormat::Text => None,
    };
    if let Some(v) = numeric {
        // Tag numeric keys so they never equal a packed text key.
        return v ^ (1 << 127);
    }
    let trimmed = {
        let z = id.iter().take_while(|&&c| c == b'0').count();
        &id[z..]
    };
    if trimmed.len() <= 15 {
        // Short ids are packed exactly (lower-cased), length in the last octet: no collisions.
        let mut k = [0u8; 16];
        for (d, s) in k.iter_mut().zip(trimmed) {
            *d = s.to_ascii_lowercase();
        }
        k[15] = trimmed.len() as u8;
        return u128::from_le_bytes(k) & !(1 << 127);
    }
    // Longer ids (UUIDs...): FNV-1a 128 of the lower-cased octets, tagged in bit 126.
    let mut h: u128 = 0x6c62272e07bb014262b821756295c58d;
    for &c in trimmed {
        h ^= u128::from(c.to_ascii_lowercase());
        h = h.wrapping_mul(0x0000000001000000000000000000013B);
    }
    (h | (1 << 126)) & !(1 << 127)
}

fn parse_radix(s: &[u8], radix: u32) -> Option<u128> {
    if s.is_empty() || s.len() > 32 {
        return None;
    }
    let mut v: u128 = 0;
    for &c in s {
        let d = (c as char).to_digit(radix)?;
        v = v
            .checked_mul(u128::from(radix))?
            .checked_add(u128::from(d))?;
    }
    Some(v)
}

/// The shard that owns receipts for `key` of connector `connector` among `shards`.
pub fn key_owner(connector: u32, key: u128, shards: usize) -> usize {
    let mut h = IdHasher::default();
    h.write_u128(key);
    h.write_u32(connector);
    (h.finish() % shards as u64) as usize
}

/// A hasher for ids: folds and multiplies per word, then one avalanche step. A multiply only
/// carries bits upward, so without the finish the low bits (the bucket index) would see only
/// the low bits of each word: consecutive ASCII ids, which differ in a high octet, fell into 64
/// buckets out of a million.
#[derive(Debug, Default, Clone, Copy)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        // MurmurHash3's fmix64.
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn write_u32(&mut self, v: u32) {
        self.write_u64(u64::from(v));
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_u128(&mut self, v: u128) {
        self.write_u64(v as u64);
        self.write_u64((v >> 64) as u64);
    }
}

type IdBuild = BuildHasherDefault<IdHasher>;

/// An upstream id kept for query_sm / cancel_sm / replace_sm: inline when short.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpstreamId {
    /// Up to 46 octets, in place.
    Inline(u8, [u8; 46]),
    /// Longer (rare): on the heap.
    Heap(Box<[u8]>),
}

impl UpstreamId {
    /// Stores `id`.
    pub fn new(id: &[u8]) -> Self {
        if id.len() <= 46 {
            let mut b = [0u8; 46];
            b[..id.len()].copy_from_slice(id);
            UpstreamId::Inline(id.len() as u8, b)
        } else {
            UpstreamId::Heap(id.into())
        }
    }

    /// The id octets.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            UpstreamId::Inline(n, b) => &b[..usize::from(*n)],
            UpstreamId::Heap(b) => b,
        }
    }
}

/// What the issuing shard remembers about an own id.
#[derive(Debug, Clone)]
pub struct OwnEntry {
    /// The own id (0 = empty slot).
    pub id: u64,
    /// Connector the message went to (stable connector index of the engine).
    pub connector: u32,
    /// The upstream's id.
    pub upstream: UpstreamId,
    /// Account (stable account index of the engine).
    pub account: u32,
    /// Seconds since the shard started when the id was issued.
    pub created: u32,
}

/// own id → upstream id, a ring indexed by the id counter.
#[derive(Debug)]
pub struct OwnMap {
    slots: Vec<Option<OwnEntry>>,
    mask: u64,
}

impl OwnMap {
    /// A map holding the last `capacity` (rounded up to a power of two) ids.
    pub fn new(capacity: usize) -> Self {
        let cap = capacity.max(16).next_power_of_two();
        let mut slots = Vec::with_capacity(cap);
        slots.resize_with(cap, || None);
        OwnMap {
            slots,
            mask: cap as u64 - 1,
        }
    }

    /// Records `e` (overwrites whatever older id shared its slot).
    pub fn insert(&mut self, e: OwnEntry) {
        let i = (e.id & self.mask) as usize;
        self.slots[i] = Some(e);
    }

    /// The entry for `id` if it is still held and younger than `ttl_s` at `now_s`.
    pub fn get(&self, id: u64, now_s: u32, ttl_s: u32) -> Option<&OwnEntry> {
        let e = self.slots[(id & self.mask) as usize].as_ref()?;
        (e.id == id && now_s.saturating_sub(e.created) <= ttl_s).then_some(e)
    }
}

/// What the owner shard remembers for a receipt to come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RcptEntry {
    /// The own id the client was given.
    pub own_id: u64,
    /// Account (stable account index).
    pub account: u32,
    /// Seconds since shard start when inserted.
    pub created: u32,
}

/// (connector, upstream key) → own id, bounded and expiring oldest first.
#[derive(Debug)]
pub struct RcptMap {
    map: HashMap<(u32, u128), RcptEntry, IdBuild>,
    order: VecDeque<(u32, u32, u128)>,
    capacity: usize,
    /// Entries dropped because the map was full (counted, never silent).
    pub evicted: u64,
    /// Entries dropped because they outlived the ttl.
    pub expired: u64,
}

impl RcptMap {
    /// A map for at most `capacity` entries; memory for them is reserved up front.
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(16);
        RcptMap {
            map: HashMap::with_capacity_and_hasher(capacity, IdBuild::default()),
            order: VecDeque::with_capacity(capacity),
            capacity,
            evicted: 0,
            expired: 0,
        }
    }

    /// Entries held.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Records a message that asked for a receipt.
    pub fn insert(&mut self, connector: u32, key: u128, e: RcptEntry) {
        while self.order.len() >= self.capacity {
            if let Some((created, c, k)) = self.order.pop_front() {
                // As in `expire`: a key inserted again since keeps its newer entry.
                if self.map.get(&(c, k)).is_some_and(|e| e.created == created) {
                    self.map.remove(&(c, k));
                    self.evicted += 1;
                }
            }
        }
        self.map.insert((connector, key), e);
        self.order.push_back((e.created, connector, key));
    }

    /// Looks a receipt up; `remove` when the receipt is final.
    pub fn lookup(&mut self, connector: u32, key: u128, remove: bool) -> Option<RcptEntry> {
        if remove {
            self.map.remove(&(connector, key))
        } else {
            self.map.get(&(connector, key)).copied()
        }
    }

    /// Drops entries older than `ttl_s` at `now_s`.
    pub fn expire(&mut self, now_s: u32, ttl_s: u32) {
        while let Some(&(created, c, k)) = self.order.front() {
            if now_s.saturating_sub(created) <= ttl_s {
                break;
            }
            self.order.pop_front();
            if let Some(e) = self.map.get(&(c, k)) {
                // A re-inserted key keeps its newer entry.
                if e.created == created {
                    self.map.remove(&(c, k));
                    self.expired += 1;
                }
            }
        }
        // Keys removed by final receipts leave stale order entries; compact when they dominate.
        if self.order.len() > 2 * self.map.len() + 1024 {
            let map = &self.map;
            self.order.retain(|(created, c, k)| {
                map.get(&(*c, *k)).is_some_and(|e| e.created == *created)
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consecutive_ids_spread_over_buckets() {
        use std::hash::BuildHasher;
        let b = IdBuild::default();
        let mut buckets = std::collections::HashSet::new();
        for n in 1_000_000u64..1_010_000 {
            let key = upstream_key(n.to_string().as_bytes(), IdFormat::Text);
            buckets.insert(b.hash_one((0u32, key)) & 0xfff);
        }
        // 10 000 keys into 4096 buckets: a uniform hash fills about 3 700 of them.
        assert!(buckets.len() > 3_500, "{} buckets", buckets.len());
    }

    #[test]
    fn eviction_spares_a_key_inserted_again() {
        let mut m = RcptMap::new(16);
        let e = |own_id, created| RcptEntry {
            own_id,
            account: 0,
            created,
        };
        m.insert(0, 1, e(1, 0));
        // The receipt for key 1 came; the upstream later reuses the id.
        assert!(m.lookup(0, 1, true).is_some());
        m.insert(0, 1, e(2, 5));
        for k in 100..114 {
            m.insert(0, k, e(k as u64, 5));
        }
        // The queue is full; its oldest entry is the stale first use of key 1.
        m.insert(0, 200, e(200, 6));
        assert_eq!(m.lookup(0, 1, false).map(|x| x.own_id), Some(2));
        assert_eq!(m.evicted, 0);
    }

    #[test]
    fn own_ids_carry_shard_and_stay_below_2_63() {
        let mut g = IdGen::new(3, 1_700_000_000_000);
        let a = g.next_id();
        let b = g.next_id();
        assert_eq!(b, a + 1);
        assert_eq!(id_shard(a), 3);
        assert!(a < 1 << 63);
        let mut buf = [0u8; 20];
        let s = format_id(a, &mut buf).to_vec();
        assert_eq!(parse_id(&s), Some(a));
        assert_eq!(format_id(0, &mut buf), b"0");
        assert_eq!(parse_id(b"12x"), None);
        assert_eq!(parse_id(b"99999999999999999999"), None);
        // A restart a second later starts above the first run's ids even after 1 M ids.
        let mut g2 = IdGen::new(3, 1_700_000_001_000);
        assert!(g2.next_id() > a + 1_000_000);
    }

    #[test]
    fn upstream_keys_normalise() {
        assert_eq!(
            upstream_key(b"00ABC", IdFormat::Text),
            upstream_key(b"abc", IdFormat::Text)
        );
        assert_ne!(
            upstream_key(b"abc", IdFormat::Text),
            upstream_key(b"abd", IdFormat::Text)
        );
        // An SMSC answering in hex and receipting in decimal.
        assert_eq!(
            upstream_key(b"1F", IdFormat::Hex),
            upstream_key(b"31", IdFormat::Decimal)
        );
        assert_eq!(
            upstream_key(b"001f", IdFormat::Hex),
            upstream_key(b"1F", IdFormat::Hex)
        );
        let uuid = b"3F2504E0-4F89-11D3-9A0C-0305E82C3301";
        assert_eq!(
            upstream_key(uuid, IdFormat::Text),
            upstream_key(&uuid.to_ascii_lowercase(), IdFormat::Text)
        );
        assert_ne!(
            upstream_key(uuid, IdFormat::Text),
            upstream_key(b"3F2504E0-4F89-11D3-9A0C-0305E82C3302", IdFormat::Text)
        );
        // A text-format id that is not a number falls back to text under hex.
        assert_eq!(
            upstream_key(b"n17", IdFormat::Hex),
            upstream_key(b"N17", IdFormat::Text)
        );
    }

    #[test]
    fn own_map_is_a_bounded_ring() {
        let mut m = OwnMap::new(16);
        let mut g = IdGen::new(0, 0);
        let ids: Vec<u64> = (0..20).map(|_| g.next_id()).collect();
        for &id in &ids {
            m.insert(OwnEntry {
                id,
                connector: 1,
                upstream: UpstreamId::new(b"up"),
                account: 2,
                created: 0,
            });
        }
        assert!(m.get(ids[0], 0, 10).is_none(), "overwritten by a newer id");
        assert_eq!(m.get(ids[19], 0, 10).unwrap().upstream.as_bytes(), b"up");
        assert!(m.get(ids[19], 11, 10).is_none(), "expired");
        assert_eq!(UpstreamId::new(&[7u8; 60]).as_bytes(), &[7u8; 60][..]);
    }

    #[test]
    fn rcpt_map_bounds_and_expires() {
        let mut m = RcptMap::new(16);
        for i in 0..20u128 {
            m.insert(
                0,
                i,
                RcptEntry {
                    own_id: i as u64,
                    account: 0,
                    created: i as u32,
                },
            );
        }
        assert_eq!(m.len(), 16);
        assert_eq!(m.evicted, 4);
        assert!(m.lookup(0, 0, false).is_none());
        assert_eq!(m.lookup(0, 19, false).unwrap().own_id, 19);
        assert_eq!(m.lookup(0, 19, true).unwrap().own_id, 19);
        assert!(m.lookup(0, 19, false).is_none());
        m.expire(30, 15);
        // 4..=18 were held (19 removed as final); those created before 15 are gone.
        assert_eq!(m.len(), 4);
        assert_eq!(m.expired, 11);
        assert!(m.lookup(0, 14, false).is_none());
        assert!(m.lookup(0, 15, false).is_some());
    }

    #[test]
    fn owner_is_a_pure_function() {
        let k = upstream_key(b"abc", IdFormat::Text);
        let o = key_owner(1, k, 4);
        assert!(o < 4);
        assert_eq!(key_owner(1, k, 4), o);
        let spread: std::collections::HashSet<_> =
            (0..1000u128).map(|i| key_owner(1, i, 4)).collect();
        assert_eq!(spread.len(), 4);
    }
}
