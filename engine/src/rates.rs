//! Rate limits that hold across shards without a per-message atomic.
//!
//! An account's `tps` (or a connector's) is one number for the whole process, but the messages
//! arrive on every shard. Each shard enforces its *share* with a local token bucket; every
//! rebalance period (100 ms) each shard publishes the demand it saw into its own slot of a
//! [`SharedRate`] (single writer per slot, so no contention) and recomputes its share as
//! `limit × (demand_i + f) / (Σ demand + n·f)`. The shares always add up to the limit, shards
//! with traffic get most of it, and an idle shard keeps a small floor `f` so its first messages
//! are not refused while the shares catch up.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// Most shards a process runs (one per CPU).
pub const MAX_SHARDS: usize = 64;

/// How often shards rebalance their shares.
pub const REBALANCE: Duration = Duration::from_millis(100);

/// A token bucket; rate 0 means unlimited.
#[derive(Debug, Clone)]
pub struct TokenBucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    last: Instant,
}

impl TokenBucket {
    /// A bucket refilled at `rate` per second holding at most `burst` tokens, starting full.
    pub fn new(rate: f64, burst: f64, now: Instant) -> Self {
        TokenBucket {
            rate,
            burst,
            tokens: burst,
            last: now,
        }
    }

    /// Changes the rate (and the burst with it) keeping the tokens earned so far.
    pub fn set_rate(&mut self, rate: f64, burst: f64, now: Instant) {
        self.refill(now);
        self.rate = rate;
        self.burst = burst;
        self.tokens = self.tokens.min(burst);
    }

    fn refill(&mut self, now: Instant) {
        let dt = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens = (self.tokens + dt * self.rate).min(self.burst);
    }

    /// Takes one token if there is one.
    #[inline]
    pub fn try_take(&mut self, now: Instant) -> bool {
        if self.rate <= 0.0 {
            return true;
        }
        if self.tokens < 1.0 {
            self.refill(now);
        }
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// True when a token is available (without taking it).
    pub fn has_token(&mut self, now: Instant) -> bool {
        if self.rate <= 0.0 {
            return true;
        }
        self.refill(now);
        self.tokens >= 1.0
    }
}

/// The cross-shard half of a rate: the configured limit and every shard's recent demand.
#[derive(Debug)]
pub struct SharedRate {
    limit: AtomicU32,
    demand: [AtomicU32; MAX_SHARDS],
}

impl SharedRate {
    /// A shared rate with `limit` per second (0 = unlimited).
    pub fn new(limit: u32) -> Self {
        SharedRate {
            limit: AtomicU32::new(limit),
            demand: std::array::from_fn(|_| AtomicU32::new(0)),
        }
    }

    /// The configured limit.
    pub fn limit(&self) -> u32 {
        self.limit.load(Ordering::Relaxed)
    }

    /// Sets the limit (config change).
    pub fn set_limit(&self, limit: u32) {
        self.limit.store(limit, Ordering::Relaxed);
    }
}

/// One shard's share of a [`SharedRate`].
#[derive(Debug, Clone)]
pub struct LocalRate {
    bucket: TokenBucket,
    seen: u32,
    demand: f64,
    limit: u32,
    share: f64,
}

/// Burst window of the local bucket: tokens for this long at the share rate. Small, so that the
/// total over any second stays within a few percent of the limit.
const BURST: f64 = 0.02;

impl LocalRate {
    /// A local share starting at `limit / shards`.
    pub fn new(limit: u32, shards: usize, now: Instant) -> Self {
        let share = f64::from(limit) / shards.max(1) as f64;
        LocalRate {
            bucket: TokenBucket::new(share, (share * BURST).max(1.0), now),
            seen: 0,
            demand: 0.0,
            limit,
            share,
        }
    }

    /// Admits one message (counts it as demand either way).
    #[inline]
    pub fn admit(&mut self, now: Instant) -> bool {
        self.seen = self.seen.saturating_add(1);
        self.bucket.try_take(now)
    }

    /// True when a message would be admitted now (does not count demand).
    pub fn would_admit(&mut self, now: Instant) -> bool {
        self.bucket.has_token(now)
    }

    /// Current share in messages per second (0 = unlimited).
    pub fn share(&self) -> f64 {
        if self.limit == 0 {
            0.0
        } else {
            self.share
        }
    }

    /// Publishes this shard's demand and recomputes its share; call every [`REBALANCE`].
    pub fn rebalance(&mut self, shared: &SharedRate, shard: usize, shards: usize, now: Instant) {
        let per_s = f64::from(self.seen) / REBALANCE.as_secs_f64();
        self.seen = 0;
        // A short EWMA smooths bursty offers without lagging a real shift by more than a few
        // periods.
        self.demand = 0.5 * self.demand + 0.5 * per_s;
        let slot = shard.min(MAX_SHARDS - 1);
        shared.demand[slot].store(
            self.demand.min(f64::from(u32::MAX)) as u32,
            Ordering::Relaxed,
        );
        let limit = shared.limit();
        self.limit = limit;
        if limit == 0 {
            self.bucket.set_rate(0.0, 1.0, now);
            return;
        }
        let n = shards.clamp(1, MAX_SHARDS);
        let total: f64 = shared.demand[..n]
            .iter()
            .map(|d| f64::from(d.load(Ordering::Relaxed)))
            .sum();
        let floor = (f64::from(limit) / 100.0).max(1.0);
        let mine = f64::from(shared.demand[slot].load(Ordering::Relaxed));
        self.share = f64::from(limit) * (mine + floor) / (total + n as f64 * floor);
        self.bucket
            .set_rate(self.share, (self.share * BURST).max(1.0), now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_limits_rate() {
        let t0 = Instant::now();
        let mut b = TokenBucket::new(100.0, 2.0, t0);
        let mut ok = 0;
        for i in 0..10_000 {
            if b.try_take(t0 + Duration::from_micros(i * 100)) {
                ok += 1;
            }
        }
        // One second at 100/s plus the initial burst of 2.
        assert!((100..=103).contains(&ok), "{ok}");
        let mut u = TokenBucket::new(0.0, 1.0, t0);
        assert!((0..1000).all(|_| u.try_take(t0)));
    }

    #[test]
    fn shares_follow_demand_and_sum_to_limit() {
        let t0 = Instant::now();
        let shared = SharedRate::new(1000);
        let mut a = LocalRate::new(1000, 2, t0);
        let mut b = LocalRate::new(1000, 2, t0);
        assert_eq!(a.share() + b.share(), 1000.0);
        // Shard a offers 3000/s, shard b 1000/s, both saturated; simulate 2 s in 100 ms steps
        // offering one message per ms-ish and count admissions.
        let (mut adm_a, mut adm_b) = (0u32, 0u32);
        let mut t = t0;
        for step in 0..20 {
            for i in 0..400u64 {
                let now = t + Duration::from_micros(i * 250);
                if a.admit(now) && step >= 10 {
                    adm_a += 1;
                }
                if i % 3 == 0 && b.admit(now) && step >= 10 {
                    adm_b += 1;
                }
            }
            t += REBALANCE;
            a.rebalance(&shared, 0, 2, t);
            b.rebalance(&shared, 1, 2, t);
        }
        // Each shard computes its share from the demand the other published a moment before,
        // so the sum is the limit only once demand is steady.
        let sum = a.share() + b.share();
        assert!((sum - 1000.0).abs() < 25.0, "{sum}");
        // Over the second second the total admitted is the limit within 5%.
        let total = adm_a + adm_b;
        assert!((950..=1050).contains(&total), "{total} ({adm_a}+{adm_b})");
        assert!(a.share() > b.share());
    }
}
