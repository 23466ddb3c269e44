//! A hashed timer wheel with 1 ms slots, driven by one periodic glommio timer per shard
//! (GLOMMIO.md: never one glommio timer per PDU; a task holding more than 32 767 wakers panics).
//!
//! Insert is a push onto the slot's vector; `poll(now)` hands back every entry that is due.
//! Entries further out than the wheel's span wait in an overflow list that is re-examined every
//! half turn. A drained slot gives its vector back to a small pool that the next slot to fill
//! takes from, so memory follows what is waiting, not 4096 slots times the busiest millisecond
//! (which made the kernel zero fresh pages for every slot of the first turn).

const SLOT_NS: u64 = 1_000_000;
const SLOTS: u64 = 4096;

#[derive(Debug)]
pub(crate) struct Wheel<T> {
    slots: Vec<Vec<(u64, T)>>,
    /// The first tick not yet fully processed.
    cursor: u64,
    overflow: Vec<(u64, T)>,
    next_overflow_check: u64,
    len: usize,
    scratch: Vec<(u64, T)>,
    spare: Vec<Vec<(u64, T)>>,
}

const SPARE_MAX: usize = 64;

impl<T> Wheel<T> {
    /// An empty wheel whose time starts at `now` (ns).
    pub(crate) fn new(now: u64) -> Self {
        Wheel {
            slots: (0..SLOTS).map(|_| Vec::new()).collect(),
            cursor: now / SLOT_NS,
            overflow: Vec::new(),
            next_overflow_check: now / SLOT_NS,
            len: 0,
            scratch: Vec::new(),
            spare: Vec::new(),
        }
    }

    /// Entries waiting.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// True when nothing waits.
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Schedules `item` for `due` (ns).
    pub(crate) fn push(&mut self, due: u64, item: T) {
        self.len += 1;
        let tick = (due / SLOT_NS).max(self.cursor);
        if tick - self.cursor >= SLOTS {
            self.overflow.push((due, item));
        } else {
            let slot = &mut self.slots[(tick % SLOTS) as usize];
            if slot.capacity() == 0 {
                if let Some(v) = self.spare.pop() {
                    *slot = v;
                }
            }
            slot.push((due, item));
        }
    }

    /// Moves every entry due at or before `now` into `out`. Entries of the same millisecond
    /// come out in the order they were pushed (a response pushed before its receipt leaves
    /// first).
    pub(crate) fn poll(&mut self, now: u64, out: &mut Vec<T>) {
        if self.len == 0 {
            self.cursor = self.cursor.max(now / SLOT_NS);
            return;
        }
        let now_tick = now / SLOT_NS;
        // Whole ticks in the past: everything in them is due. Cap the walk at one turn.
        let from = self.cursor.max(now_tick.saturating_sub(SLOTS - 1));
        let skipped = from > self.cursor;
        if skipped {
            // Time jumped more than a whole turn: every slot holds due entries.
            for i in 0..SLOTS {
                self.drain_slot(i as usize, out);
            }
        } else {
            for tick in self.cursor..now_tick {
                self.drain_slot((tick % SLOTS) as usize, out);
            }
        }
        self.cursor = now_tick;
        // The current tick: only what is due, keeping the order of the rest.
        let slot = &mut self.slots[(now_tick % SLOTS) as usize];
        if slot.iter().any(|(d, _)| *d <= now) {
            std::mem::swap(slot, &mut self.scratch);
            for (d, t) in self.scratch.drain(..) {
                if d <= now {
                    out.push(t);
                    self.len -= 1;
                } else {
                    slot.push((d, t));
                }
            }
        }
        if !self.overflow.is_empty() && now_tick >= self.next_overflow_check {
            self.next_overflow_check = now_tick + SLOTS / 2;
            let mut i = 0;
            while i < self.overflow.len() {
                let due = self.overflow[i].0;
                if due <= now {
                    out.push(self.overflow.swap_remove(i).1);
                    self.len -= 1;
                } else if due / SLOT_NS - self.cursor < SLOTS {
                    let (d, t) = self.overflow.swap_remove(i);
                    self.slots[((d / SLOT_NS) % SLOTS) as usize].push((d, t));
                } else {
                    i += 1;
                }
            }
        }
    }
}

impl<T> Wheel<T> {
    fn drain_slot(&mut self, i: usize, out: &mut Vec<T>) {
        let slot = &mut self.slots[i];
        if slot.capacity() == 0 {
            return;
        }
        self.len -= slot.len();
        out.extend(slot.drain(..).map(|(_, t)| t));
        if self.spare.len() < SPARE_MAX {
            self.spare.push(std::mem::take(slot));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: u64 = 1_000_000;

    #[test]
    fn hands_out_entries_when_due_and_not_before() {
        let t0 = 1_000 * MS + 300;
        let mut w = Wheel::new(t0);
        w.push(t0 + 5 * MS, 'a');
        w.push(t0 + 2 * MS, 'b');
        w.push(t0, 'c');
        w.push(t0 + 2 * MS + 10, 'd');
        let mut out = Vec::new();
        w.poll(t0, &mut out);
        assert_eq!(out, ['c']);
        out.clear();
        w.poll(t0 + 2 * MS, &mut out);
        assert_eq!(out, ['b']);
        out.clear();
        w.poll(t0 + 2 * MS + 10, &mut out);
        assert_eq!(out, ['d']);
        out.clear();
        w.poll(t0 + 4 * MS, &mut out);
        assert!(out.is_empty());
        w.poll(t0 + 6 * MS, &mut out);
        assert_eq!(out, ['a']);
        assert!(w.is_empty());
    }

    #[test]
    fn keeps_push_order_within_a_millisecond() {
        let mut w = Wheel::new(0);
        for (i, d) in [5, 9, 5, 9, 5].into_iter().enumerate() {
            w.push(d * 100_000, i);
        }
        let mut out = Vec::new();
        w.poll(500_000, &mut out);
        assert_eq!(out, [0, 2, 4]);
        w.poll(900_000, &mut out);
        assert_eq!(out, [0, 2, 4, 1, 3]);
    }

    #[test]
    fn keeps_far_entries_and_survives_time_jumps() {
        let mut w = Wheel::new(0);
        w.push(10_000 * MS, 1); // beyond one turn of 4096 ms
        w.push(3 * MS, 2);
        let mut out = Vec::new();
        w.poll(5_000 * MS, &mut out);
        assert_eq!(out, [2]);
        assert_eq!(w.len(), 1);
        out.clear();
        w.poll(9_999 * MS, &mut out);
        assert!(out.is_empty());
        w.poll(10_000 * MS, &mut out);
        assert_eq!(out, [1]);
        // A jump of many turns hands out everything at once.
        for i in 0..100 {
            w.push(10_000 * MS + i * MS, i);
        }
        out.clear();
        w.poll(1_000_000 * MS, &mut out);
        assert_eq!(out.len(), 100);
        assert!(w.is_empty());
    }
}
