//! A hashed timer wheel for dialogue deadlines, one per shard, driven by the shard's single
//! periodic task (GLOMMIO.md: never a glommio timer per dialogue).
//!
//! Entries are dialogue keys. Cancelling is lazy: the owner looks the key up when it fires and
//! ignores it when the dialogue is gone, or pushes it again when the dialogue's deadline has
//! moved on (a deadline only ever moves later, so each dialogue needs one entry at a time).

use std::time::{Duration, Instant};

/// Width of a slot.
const SLOT: Duration = Duration::from_millis(16);
/// Slots in a turn (about 65 s); later deadlines wait in an overflow list.
const SLOTS: u64 = 4096;

/// The wheel.
#[derive(Debug)]
pub struct Wheel<T> {
    start: Instant,
    slots: Vec<Vec<(u64, T)>>,
    /// The first tick not yet fully polled.
    cursor: u64,
    overflow: Vec<(u64, T)>,
    len: usize,
}

impl<T> Wheel<T> {
    /// An empty wheel whose time starts at `now`.
    pub fn new(now: Instant) -> Self {
        Wheel {
            start: now,
            slots: (0..SLOTS).map(|_| Vec::new()).collect(),
            cursor: 0,
            overflow: Vec::new(),
            len: 0,
        }
    }

    fn tick_of(&self, t: Instant) -> u64 {
        (t.saturating_duration_since(self.start).as_nanos() / SLOT.as_nanos()) as u64
    }

    /// Entries waiting.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when nothing waits.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Schedules `item` for `due` (rounded up to the next slot: it never fires early).
    pub fn push(&mut self, due: Instant, item: T) {
        let tick = (self.tick_of(due) + 1).max(self.cursor);
        self.len += 1;
        if tick - self.cursor >= SLOTS {
            self.overflow.push((tick, item));
        } else {
            self.slots[(tick % SLOTS) as usize].push((tick, item));
        }
    }

    /// Moves every entry due at `now` into `out`.
    pub fn poll(&mut self, now: Instant, out: &mut Vec<T>) {
        let now_tick = self.tick_of(now);
        if self.len == 0 {
            self.cursor = self.cursor.max(now_tick + 1);
            return;
        }
        // At most one turn of slots; a longer jump finds everything in them due.
        let from = self.cursor.max((now_tick + 1).saturating_sub(SLOTS));
        for tick in from..=now_tick {
            let slot = &mut self.slots[(tick % SLOTS) as usize];
            let mut i = 0;
            while i < slot.len() {
                if slot[i].0 <= now_tick {
                    out.push(slot.swap_remove(i).1);
                    self.len -= 1;
                } else {
                    i += 1;
                }
            }
        }
        self.cursor = self.cursor.max(now_tick + 1);
        if !self.overflow.is_empty() {
            let mut i = 0;
            while i < self.overflow.len() {
                let tick = self.overflow[i].0;
                if tick <= now_tick {
                    out.push(self.overflow.swap_remove(i).1);
                    self.len -= 1;
                } else if tick - self.cursor < SLOTS {
                    let (t, item) = self.overflow.swap_remove(i);
                    self.slots[(t % SLOTS) as usize].push((t, item));
                } else {
                    i += 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fires_at_or_after_the_deadline_never_before() {
        let t0 = Instant::now();
        let mut w = Wheel::new(t0);
        w.push(t0 + Duration::from_millis(100), 1);
        w.push(t0 + Duration::from_millis(50), 2);
        w.push(t0 + Duration::from_secs(200), 3);
        let mut out = Vec::new();
        w.poll(t0 + Duration::from_millis(40), &mut out);
        assert!(out.is_empty());
        w.poll(t0 + Duration::from_millis(80), &mut out);
        assert_eq!(out, vec![2]);
        out.clear();
        w.poll(t0 + Duration::from_millis(130), &mut out);
        assert_eq!(out, vec![1]);
        out.clear();
        w.poll(t0 + Duration::from_secs(100), &mut out);
        assert!(out.is_empty());
        assert_eq!(w.len(), 1);
        w.poll(t0 + Duration::from_secs(201), &mut out);
        assert_eq!(out, vec![3]);
        assert!(w.is_empty());
    }

    #[test]
    fn a_long_pause_delivers_everything_due() {
        let t0 = Instant::now();
        let mut w = Wheel::new(t0);
        for i in 0..1000u32 {
            w.push(t0 + Duration::from_millis(u64::from(i) * 7), i);
        }
        let mut out = Vec::new();
        w.poll(t0 + Duration::from_secs(3600), &mut out);
        out.sort_unstable();
        assert_eq!(out, (0..1000).collect::<Vec<_>>());
    }

    #[test]
    fn wraps_around_many_turns() {
        let t0 = Instant::now();
        let mut w = Wheel::new(t0);
        let mut out = Vec::new();
        let mut t = t0;
        for i in 0..500u32 {
            w.push(t + Duration::from_millis(30_000), i);
            t += Duration::from_millis(997);
            w.poll(t, &mut out);
        }
        w.poll(t + Duration::from_secs(40), &mut out);
        assert_eq!(out.len(), 500);
    }
}
