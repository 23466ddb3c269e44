//! The little that shards share: registries that give every account and connector a stable
//! index and a cross-shard record (bind counts, receiver binds per shard, rate demand), the stop
//! flag, and the stats each shard publishes. Shards touch these on binds, rebalances and stats
//! ticks — never per message, except for relaxed loads of the receiver counts when a receipt
//! must find a shard with a receiver bind.

use crate::rates::{SharedRate, MAX_SHARDS};
use crate::stats::ShardStats;
use arc_swap::ArcSwap;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// What every shard can see of one account.
#[derive(Debug)]
pub struct AccountShared {
    /// Stable index (never reused while the process runs).
    pub idx: u32,
    /// system_id.
    pub name: Arc<str>,
    /// Binds of this account on every shard, for `max_binds`.
    pub binds: AtomicU32,
    /// Receiver-capable binds per shard, so a receipt can find a shard to go to.
    pub receivers: [AtomicU32; MAX_SHARDS],
    /// The account's tps across shards.
    pub rate: SharedRate,
}

impl AccountShared {
    /// Reserves a bind if fewer than `max` are up; false when at the limit.
    pub fn try_add_bind(&self, max: u32) -> bool {
        self.binds
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < max).then_some(n + 1)
            })
            .is_ok()
    }

    /// Releases a bind reserved with [`AccountShared::try_add_bind`].
    pub fn remove_bind(&self) {
        let _ = self
            .binds
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1));
    }

    /// A shard with a receiver bind, preferring `prefer`; rotates by `turn` among the others.
    pub fn receiver_shard(&self, prefer: usize, shards: usize, turn: usize) -> Option<usize> {
        let n = shards.min(MAX_SHARDS);
        if self.receivers[prefer].load(Ordering::Relaxed) > 0 {
            return Some(prefer);
        }
        (0..n)
            .map(|i| (turn + i) % n)
            .find(|&s| self.receivers[s].load(Ordering::Relaxed) > 0)
    }

    /// True when some shard has a receiver bind.
    pub fn has_receiver(&self, shards: usize) -> bool {
        self.receivers[..shards.min(MAX_SHARDS)]
            .iter()
            .any(|r| r.load(Ordering::Relaxed) > 0)
    }
}

/// What every shard can see of one connector.
#[derive(Debug)]
pub struct ConnectorShared {
    /// Stable index.
    pub idx: u32,
    /// Connector name.
    pub name: Arc<str>,
    /// The connector's tps across shards.
    pub rate: SharedRate,
}

/// Name → stable index registry with lock-free reads by index.
#[derive(Debug)]
pub struct Registry<T> {
    by_name: Mutex<HashMap<Arc<str>, Arc<T>>>,
    list: ArcSwap<Vec<Arc<T>>>,
}

impl<T> Default for Registry<T> {
    fn default() -> Self {
        Registry {
            by_name: Mutex::new(HashMap::new()),
            list: ArcSwap::from_pointee(Vec::new()),
        }
    }
}

impl<T> Registry<T> {
    /// The entry for `name`, created by `make(idx, name)` the first time.
    pub fn intern(&self, name: &str, make: impl FnOnce(u32, Arc<str>) -> T) -> Arc<T> {
        let mut map = self.by_name.lock().expect("registry lock");
        if let Some(e) = map.get(name) {
            return e.clone();
        }
        let list = self.list.load_full();
        let idx = list.len() as u32;
        let name: Arc<str> = name.into();
        let e = Arc::new(make(idx, name.clone()));
        let mut next = (*list).clone();
        next.push(e.clone());
        self.list.store(Arc::new(next));
        map.insert(name, e.clone());
        e
    }

    /// The entry with stable index `idx`.
    pub fn get(&self, idx: u32) -> Option<Arc<T>> {
        self.list.load().get(idx as usize).cloned()
    }

    /// Every entry, by index.
    pub fn all(&self) -> Arc<Vec<Arc<T>>> {
        self.list.load_full()
    }
}

/// Process-wide state shared by the shards and the control plane's hooks.
#[derive(Debug)]
pub struct Shared {
    /// Number of shards.
    pub shards: usize,
    /// Set on SIGINT/SIGTERM: shards drain and stop.
    pub stopping: AtomicBool,
    /// Shards that finished.
    pub stopped: AtomicU32,
    /// Accounts by name.
    pub accounts: Registry<AccountShared>,
    /// Connectors by name.
    pub connectors: Registry<ConnectorShared>,
    /// Each shard's latest published stats.
    pub stats: Vec<ArcSwap<ShardStats>>,
    /// Each shard's latest list of binds (for the `binds` command).
    pub binds: Vec<ArcSwap<Vec<serde_json::Value>>>,
    /// Milliseconds since the epoch at start (seeds message ids).
    pub start_unix_ms: u64,
    /// Process start.
    pub started: Instant,
    /// Messages accepted from clients in total (for `status`).
    pub accepted: AtomicU64,
    /// ESME connections open over all shards (against server.max_connections; touched once
    /// per connection, never per message).
    pub clients_open: AtomicUsize,
}

impl Shared {
    /// Shared state for `shards` shards.
    pub fn new(shards: usize) -> Arc<Shared> {
        let start_unix_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0);
        Arc::new(Shared {
            shards,
            stopping: AtomicBool::new(false),
            stopped: AtomicU32::new(0),
            accounts: Registry::default(),
            connectors: Registry::default(),
            stats: (0..shards)
                .map(|_| ArcSwap::from_pointee(ShardStats::default()))
                .collect(),
            binds: (0..shards)
                .map(|_| ArcSwap::from_pointee(Vec::new()))
                .collect(),
            start_unix_ms,
            started: Instant::now(),
            accepted: AtomicU64::new(0),
            clients_open: AtomicUsize::new(0),
        })
    }

    /// The account record for `name` (created on first use).
    pub fn account(&self, name: &str, tps: u32) -> Arc<AccountShared> {
        let a = self.accounts.intern(name, |idx, name| AccountShared {
            idx,
            name,
            binds: AtomicU32::new(0),
            receivers: std::array::from_fn(|_| AtomicU32::new(0)),
            rate: SharedRate::new(tps),
        });
        a.rate.set_limit(tps);
        a
    }

    /// The connector record for `name` (created on first use).
    pub fn connector(&self, name: &str, tps: u32) -> Arc<ConnectorShared> {
        let c = self.connectors.intern(name, |idx, name| ConnectorShared {
            idx,
            name,
            rate: SharedRate::new(tps),
        });
        c.rate.set_limit(tps);
        c
    }

    /// True once a stop was requested.
    pub fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_gives_stable_indexes() {
        let s = Shared::new(2);
        let a = s.account("acme", 10);
        let b = s.account("beta", 0);
        assert_eq!((a.idx, b.idx), (0, 1));
        assert_eq!(s.account("acme", 20).idx, 0);
        assert_eq!(a.rate.limit(), 20);
        assert_eq!(s.accounts.get(1).unwrap().name.as_ref(), "beta");
        assert!(a.try_add_bind(1));
        assert!(!a.try_add_bind(1));
        a.remove_bind();
        assert!(a.try_add_bind(1));
    }

    #[test]
    fn receiver_shard_prefers_local_then_rotates() {
        let s = Shared::new(3);
        let a = s.account("acme", 0);
        assert_eq!(a.receiver_shard(0, 3, 0), None);
        a.receivers[2].store(1, Ordering::Relaxed);
        a.receivers[1].store(1, Ordering::Relaxed);
        assert_eq!(a.receiver_shard(2, 3, 0), Some(2));
        assert_eq!(a.receiver_shard(0, 3, 0), Some(1));
        assert_eq!(a.receiver_shard(0, 3, 2), Some(2));
    }
}
