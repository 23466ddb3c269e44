//! A bounded cache of sendRoutingInfoForSM results per shard (connector `sri_cache_ttl`,
//! `sri_cache_size`): a message to a number whose IMSI and serving MSC were learnt a moment ago
//! skips the HLR. Entries leave at their TTL, when the cache is full (oldest first), or when a
//! delivery fails in a way that says the subscriber moved (see `Failure::stale_routing`).

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

/// What the HLR said about a number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// IMSI as TBCD octets.
    pub imsi: Vec<u8>,
    /// The serving MSC's number (digits).
    pub msc: String,
}

#[derive(Debug)]
struct Entry {
    route: Route,
    expires: Instant,
    /// Insertion number, to match the eviction queue.
    seq: u64,
}

/// The cache of one shard (all connectors; the key names the connector).
#[derive(Debug, Default)]
pub struct SriCache {
    map: HashMap<(u32, u64), Entry>,
    order: VecDeque<((u32, u64), u64)>,
    seq: u64,
}

/// A number as a key: its digits as a decimal value, with the length folded in so that
/// `0044...` and `44...` differ. `None` for more than 18 digits or a non-digit.
pub fn key(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    let mut v: u64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u64::from(d - b'0');
    }
    Some(v * 32 + digits.len() as u64)
}

impl SriCache {
    /// The route for `number` of connector `c` if it has not expired.
    pub fn get(&mut self, c: u32, number: u64, now: Instant) -> Option<&Route> {
        let e = self.map.get(&(c, number))?;
        if e.expires <= now {
            self.map.remove(&(c, number));
            return None;
        }
        self.map.get(&(c, number)).map(|e| &e.route)
    }

    /// Remembers `route` for `ttl`, keeping at most `cap` entries.
    pub fn put(
        &mut self,
        c: u32,
        number: u64,
        route: Route,
        ttl: Duration,
        now: Instant,
        cap: usize,
    ) {
        if cap == 0 || ttl.is_zero() {
            return;
        }
        self.seq += 1;
        let seq = self.seq;
        self.map.insert(
            (c, number),
            Entry {
                route,
                expires: now + ttl,
                seq,
            },
        );
        self.order.push_back(((c, number), seq));
        while self.map.len() > cap || self.order.len() > cap.saturating_mul(2) {
            let Some((k, s)) = self.order.pop_front() else {
                break;
            };
            if self.map.get(&k).is_some_and(|e| e.seq == s) {
                self.map.remove(&k);
            }
        }
    }

    /// Forgets the route of `number`.
    pub fn forget(&mut self, c: u32, number: u64) {
        self.map.remove(&(c, number));
    }

    /// Entries held.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(m: &str) -> Route {
        Route {
            imsi: vec![1, 2],
            msc: m.into(),
        }
    }

    #[test]
    fn expires_forgets_and_stays_bounded() {
        let t0 = Instant::now();
        let ttl = Duration::from_secs(10);
        let mut c = SriCache::default();
        let k = key(b"447700900123").unwrap();
        assert_ne!(key(b"0447700900123"), Some(k));
        c.put(0, k, r("1"), ttl, t0, 3);
        assert_eq!(c.get(0, k, t0 + Duration::from_secs(5)), Some(&r("1")));
        assert_eq!(c.get(1, k, t0), None);
        assert_eq!(c.get(0, k, t0 + ttl), None);
        c.put(0, k, r("2"), ttl, t0, 3);
        c.forget(0, k);
        assert_eq!(c.get(0, k, t0), None);
        for i in 0..10u64 {
            c.put(0, i, r("x"), ttl, t0, 3);
        }
        assert_eq!(c.len(), 3);
        assert!(c.get(0, 9, t0).is_some() && c.get(0, 0, t0).is_none());
        // Overwriting one key many times does not grow the queue without bound.
        for _ in 0..100 {
            c.put(0, 5, r("y"), ttl, t0, 3);
        }
        assert!(c.order.len() <= 6);
        assert_eq!(key(b"12a"), None);
    }
}
