//! Segmenting a long message into XUDTs and putting the segments back together (ITU-T Q.714
//! 4.1.1.2 and 4.1.2.2, the segmentation parameter of Q.713 3.17).
//!
//! A sender splits user data that does not fit one XUDT into at most 16 segments; every segment
//! carries the same segmentation local reference, the first has F set, and "remaining segments"
//! counts down to 0. The receiver keys segments by the calling party and the local reference.

use super::address::PartyAddress;
use super::message::{Message, MessageType, OptionalParam, Segmentation};
use crate::error::{Error, Reason, Result};
use std::collections::HashMap;
use std::hash::Hash;

/// The most segments one message may be split into (Q.714 4.1.1.2: remaining segments 0-15).
pub const MAX_SEGMENTS: usize = 16;

/// Splits `data` into XUDTs of at most `max_segment` octets of data each (XUDT data is at most
/// 255 octets; the caller lowers it so the whole XUDT fits the MTP's 272-octet SIF with its
/// addresses). A `data` that fits one segment still gets a segmentation parameter only when
/// `always` is set. `protocol_class` 1 sets the C bit (in-sequence delivery).
pub fn xudt_segments(
    called: &PartyAddress,
    calling: &PartyAddress,
    protocol_class: u8,
    hop_counter: u8,
    data: &[u8],
    local_reference: [u8; 3],
    max_segment: usize,
) -> Result<Vec<Message>> {
    let max_segment = max_segment.clamp(1, 255);
    let n = data.len().div_ceil(max_segment).max(1);
    if n > MAX_SEGMENTS {
        return Err(Error::new("sccp.data", 0, Reason::TooLong));
    }
    let class1 = protocol_class & 0x0f == 1;
    Ok((0..n)
        .map(|i| {
            let chunk = data.chunks(max_segment).nth(i).unwrap_or(&[]);
            let mut m = Message::xudt(
                called.clone(),
                calling.clone(),
                protocol_class,
                hop_counter,
                chunk.to_vec(),
            );
            m.optional = Some(vec![OptionalParam::Segmentation(Segmentation {
                first: i == 0,
                class1,
                spare: 0,
                remaining: (n - 1 - i) as u8,
                local_reference,
            })]);
            m
        })
        .collect())
}

/// Why a segment was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SegmentError {
    /// The message is not an XUDT/XUDTS/LUDT/LUDTS with a segmentation parameter.
    NotSegmented,
    /// Too many incomplete messages are held already.
    Full,
    /// The same "remaining segments" value arrived twice, or a first segment disagrees with the
    /// segments already held.
    Inconsistent,
    /// The reassembled data would exceed the configured maximum.
    TooLong,
}

#[derive(Debug)]
struct Pending {
    total: Option<usize>,
    by_remaining: [Option<Vec<u8>>; MAX_SEGMENTS],
    len: usize,
    first_tick: u64,
}

/// Bounded reassembly of segmented XUDTs, keyed by `(caller key, local reference)`; the caller
/// key should name the calling party (its address and the OPC). Segments may arrive in any
/// order.
#[derive(Debug)]
pub struct Reassembler<K> {
    max_pending: usize,
    max_len: usize,
    pending: HashMap<(K, [u8; 3]), Pending>,
}

impl<K: Eq + Hash + Clone> Reassembler<K> {
    /// A reassembler holding at most `max_pending` incomplete messages of at most `max_len`
    /// octets each.
    pub fn new(max_pending: usize, max_len: usize) -> Self {
        Reassembler {
            max_pending,
            max_len,
            pending: HashMap::new(),
        }
    }

    /// Number of incomplete messages held.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Adds a segment. `Ok(Some(data))` when it completes the message, `Ok(None)` while
    /// segments are missing.
    pub fn push(
        &mut self,
        key: K,
        m: &Message,
        tick: u64,
    ) -> std::result::Result<Option<Vec<u8>>, SegmentError> {
        if m.message_type == MessageType::Udt || m.message_type == MessageType::Udts {
            return Err(SegmentError::NotSegmented);
        }
        let seg = m.segmentation().ok_or(SegmentError::NotSegmented)?;
        if seg.first && seg.remaining == 0 {
            return Ok(Some(m.data.clone()));
        }
        let id = (key, seg.local_reference);
        if !self.pending.contains_key(&id) && self.pending.len() >= self.max_pending {
            return Err(SegmentError::Full);
        }
        let p = self.pending.entry(id.clone()).or_insert_with(|| Pending {
            total: None,
            by_remaining: Default::default(),
            len: 0,
            first_tick: tick,
        });
        let slot = usize::from(seg.remaining);
        if p.by_remaining[slot].is_some()
            || (seg.first && p.by_remaining.iter().skip(slot + 1).any(Option::is_some))
        {
            return Err(SegmentError::Inconsistent);
        }
        if p.len + m.data.len() > self.max_len {
            self.pending.remove(&id);
            return Err(SegmentError::TooLong);
        }
        p.len += m.data.len();
        p.by_remaining[slot] = Some(m.data.clone());
        if seg.first {
            p.total = Some(slot + 1);
        }
        match p.total {
            Some(t) if p.by_remaining[..t].iter().all(Option::is_some) => {
                let p = self.pending.remove(&id).expect("entry exists");
                Ok(Some(
                    p.by_remaining[..t]
                        .iter()
                        .rev()
                        .flatten()
                        .flatten()
                        .copied()
                        .collect(),
                ))
            }
            _ => Ok(None),
        }
    }

    /// Drops every incomplete message whose first segment arrived before `tick`; returns how many.
    pub fn expire(&mut self, tick: u64) -> usize {
        let before = self.pending.len();
        self.pending.retain(|_, p| p.first_tick >= tick);
        before - self.pending.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sccp::GlobalTitle;

    #[test]
    fn segments_and_reassembles_in_any_order() {
        let called = PartyAddress::gt(8, GlobalTitle::e164("447700900001").unwrap());
        let calling = PartyAddress::gt(8, GlobalTitle::e164("447700900002").unwrap());
        let data: Vec<u8> = (0..600u32).map(|i| i as u8).collect();
        let segs = xudt_segments(&called, &calling, 1, 15, &data, [1, 2, 3], 200).unwrap();
        assert_eq!(segs.len(), 3);
        let s0 = segs[0].segmentation().unwrap();
        assert_eq!((s0.first, s0.class1, s0.remaining), (true, true, 2));
        assert_eq!(segs[2].segmentation().unwrap().remaining, 0);
        for s in &segs {
            assert_eq!(&Message::decode(&s.encode().unwrap()).unwrap(), s);
        }
        let mut r = Reassembler::new(2, 4096);
        assert_eq!(r.push("peer", &segs[2], 0), Ok(None));
        assert_eq!(r.push("peer", &segs[0], 0), Ok(None));
        assert_eq!(r.push("peer", &segs[0], 0), Err(SegmentError::Inconsistent));
        assert_eq!(r.push("peer", &segs[1], 0), Ok(Some(data)));
        assert_eq!(r.pending(), 0);
    }

    #[test]
    fn bounds_segments_and_memory() {
        let a = PartyAddress::pc_ssn(1, 8);
        assert_eq!(
            xudt_segments(&a, &a, 0, 15, &[0; 17], [0; 3], 1)
                .unwrap_err()
                .reason,
            Reason::TooLong
        );
        let segs = xudt_segments(&a, &a, 0, 15, &[0; 30], [0; 3], 10).unwrap();
        let mut r = Reassembler::new(1, 15);
        assert_eq!(r.push(1, &segs[0], 0), Ok(None));
        assert_eq!(r.push(2, &segs[0], 0), Err(SegmentError::Full));
        assert_eq!(r.push(1, &segs[1], 0), Err(SegmentError::TooLong));
        assert_eq!(r.pending(), 0);
        assert_eq!(r.push(3, &segs[0], 7), Ok(None));
        assert_eq!(r.expire(8), 1);
        let udt = Message::udt(a.clone(), a, vec![1]);
        assert_eq!(r.push(1, &udt, 0), Err(SegmentError::NotSegmented));
    }
}
