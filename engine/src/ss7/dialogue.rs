//! The TCAP dialogues a shard runs for submits routed into SS7, and their transaction ids.
//!
//! A transaction id is four octets: the shard (8 bits), a generation (8 bits) and a slot
//! (16 bits) of the shard's dialogue table. An answer that arrives on another shard's
//! association names the owner in its first octet and crosses the mesh to it; a late answer to a
//! slot since reused carries an old generation and is ignored. The table holds at most 65 536
//! dialogues per shard; slots are reused oldest-freed first so a generation comes back as late
//! as possible, and each slot keeps its buffers, so steady state allocates nothing.
//!
//! [`MtDialogue`] is the MT procedure of TS 29.002 23.3.1 as a sans-IO state machine: each
//! answer gives a [`Step`] for the shard to carry out (send the next message, or finish).

use super::outcome::Failure;
use super::sccp::Addr;
use super::sms::{Clock, Parts};
use super::tcap::{self, Reply};
use crate::inflight::Pending;
use smsedge_codecs::map::Tbcd;
use smsedge_codecs::tcap::{MessageKind, TransactionId};
use std::collections::VecDeque;
use std::time::Instant;

/// Slots per shard.
pub const MAX_DIALOGUES: usize = 1 << 16;

/// The transaction id of `slot` in generation `gen` on `shard`.
pub fn tid(shard: usize, gen: u8, slot: u16) -> u32 {
    ((shard as u32 & 0xff) << 24) | (u32::from(gen) << 16) | u32::from(slot)
}

/// The shard that owns a transaction id the proxy issued (its first octet).
pub fn tid_shard(tid: &TransactionId) -> Option<usize> {
    let b = tid.as_bytes();
    (b.len() == 4).then(|| usize::from(b[0]))
}

/// Which procedure a dialogue is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Phase {
    /// sendRoutingInfoForSM to the HLR.
    #[default]
    Sri,
    /// mt-forwardSM to the MSC.
    Mt,
}

/// What the shard must do next for a dialogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// (Re)send the TC-BEGIN with sendRoutingInfoForSM, in a new transaction.
    Sri,
    /// Send a TC-BEGIN with mt-forwardSM of the current part, in a new transaction.
    MtBegin,
    /// Send a TC-CONTINUE with the current part.
    MtContinue,
    /// Nothing to send; wait for the rest of the answer.
    Wait,
    /// The dialogue is over. `end`: close the MSC's side with a basic TC-END; `abort`: with a
    /// TC-U-ABORT.
    Done {
        /// Delivered, or why not.
        outcome: Result<(), Failure>,
        /// Send TC-END to the peer.
        end: bool,
        /// Send TC-U-ABORT to the peer.
        abort: bool,
    },
}

impl Step {
    fn done(outcome: Result<(), Failure>) -> Step {
        Step::Done {
            outcome,
            end: false,
            abort: false,
        }
    }
}

/// One MT dialogue (the whole SRI + mt-forwardSM procedure of one submit).
#[derive(Debug)]
pub struct MtDialogue {
    /// The current transaction id (a new one per TC-BEGIN).
    pub tid: u32,
    /// Who waits for the answer (transactional mode), or whose receipt this is.
    pub pending: Option<Pending>,
    /// Stable connector index.
    pub connector: u32,
    /// Association the dialogue's messages go out on, and its generation then.
    pub assoc: usize,
    /// Generation of that association.
    pub assoc_gen: u32,
    /// The procedure.
    pub phase: Phase,
    /// MAP version of the current transaction.
    pub version: u8,
    /// A refusal already made it fall back (only once per phase).
    pub fell_back: bool,
    /// The MSC's transaction id once it continued the dialogue.
    pub peer_tid: Option<TransactionId>,
    /// Where TC-CONTINUEs go: the MSC's calling address.
    pub peer_addr: Addr,
    /// The destination MSISDN (digits).
    pub msisdn: Vec<u8>,
    /// IMSI from the HLR.
    pub imsi: Tbcd,
    /// The serving MSC's number (digits).
    pub msc: Vec<u8>,
    /// The SMS-DELIVER TPDUs.
    pub parts: Parts,
    /// The part in flight.
    pub part: usize,
    /// When the current step times out.
    pub deadline: Instant,
    /// When the submit arrived (receipt `submit date`).
    pub submitted: Option<Clock>,
    /// The first characters of the text (receipt `text:`).
    pub excerpt: Vec<u8>,
    /// The submit's source (TON, NPI, address): the receipt's destination.
    pub source: (u8, u8, Vec<u8>),
    /// The submit's destination TON and NPI (its digits are `msisdn`).
    pub dest_ton_npi: (u8, u8),
    /// The own message id given to the ESME (0 until it is).
    pub own_id: u64,
    /// True once the ESME has its submit_sm_resp (receipt mode answers at once).
    pub answered: bool,
    /// True once a TC-BEGIN went out (a further one needs a new transaction id).
    pub begun: bool,
    /// The association carrying it went down: a timeout then reports the loss.
    pub link_lost: bool,
    /// The HLR answered in a TC-CONTINUE: its transaction (and address) to close with a basic
    /// TC-END before the MT dialogue begins (Q.771 3.1.2.2: it would otherwise wait for its
    /// own timer).
    pub hlr_open: Option<(TransactionId, Addr)>,
}

impl Default for MtDialogue {
    fn default() -> Self {
        MtDialogue {
            tid: 0,
            pending: None,
            connector: 0,
            assoc: 0,
            assoc_gen: 0,
            phase: Phase::Sri,
            version: 3,
            fell_back: false,
            peer_tid: None,
            peer_addr: Addr::default(),
            msisdn: Vec::new(),
            imsi: Tbcd::default(),
            msc: Vec::new(),
            parts: Parts::default(),
            part: 0,
            deadline: Instant::now(),
            submitted: None,
            excerpt: Vec::new(),
            source: (0, 0, Vec::new()),
            dest_ton_npi: (1, 1),
            own_id: 0,
            answered: false,
            begun: false,
            link_lost: false,
            hlr_open: None,
        }
    }
}

impl MtDialogue {
    /// The invoke id of the part in flight: parts of one transaction are numbered from 1.
    pub fn invoke_id(&self) -> i64 {
        self.part as i64 + 1
    }

    /// True for the last part.
    pub fn last_part(&self) -> bool {
        self.part + 1 >= self.parts.len()
    }

    /// The network answered the current transaction with `kind` (its otid when it has one).
    /// `mt_version` is the connector's MAP version, where the MT phase starts.
    pub fn on_reply(
        &mut self,
        kind: MessageKind,
        otid: Option<TransactionId>,
        reply: Reply<'_>,
        mt_version: u8,
    ) -> Step {
        let continuing = kind == MessageKind::Continue;
        if continuing {
            self.peer_tid = otid;
        }
        match (self.phase, reply) {
            (_, Reply::Refused(offered)) => {
                // Q.773 3.2.2 / TS 29.002 5.1: the peer does not know this version; try the one
                // it offers (v2) once, from the start of the phase. A peer offering only v1
                // (no application context) is not spoken to: that fails the submit at once.
                let lower = offered.is_none_or(|v| v == 2) && self.version > 2;
                if !self.fell_back && lower && !(self.phase == Phase::Mt && self.part > 0) {
                    self.fell_back = true;
                    self.version = 2;
                    self.peer_tid = None;
                    return if self.phase == Phase::Sri {
                        Step::Sri
                    } else {
                        Step::MtBegin
                    };
                }
                Step::done(Err(Failure::Aborted))
            }
            (Phase::Sri, Reply::Result(param)) => match tcap::sri_result(param) {
                Some((imsi, msc)) => {
                    self.hlr_open = match (continuing, self.peer_tid) {
                        (true, Some(t)) => Some((t, self.peer_addr)),
                        _ => None,
                    };
                    self.set_route(imsi, msc.as_bytes(), mt_version);
                    Step::MtBegin
                }
                None => Step::Done {
                    outcome: Err(Failure::Aborted),
                    end: continuing,
                    abort: false,
                },
            },
            (Phase::Mt, Reply::Result(_)) => {
                if self.last_part() {
                    return Step::Done {
                        outcome: Ok(()),
                        end: continuing,
                        abort: false,
                    };
                }
                self.part += 1;
                if continuing {
                    Step::MtContinue
                } else {
                    // The MSC ended the dialogue before the last part: the rest goes in a new one.
                    self.peer_tid = None;
                    Step::MtBegin
                }
            }
            (_, Reply::Error { code, cause }) => Step::Done {
                outcome: Err(Failure::Map { code, cause }),
                end: continuing,
                abort: false,
            },
            (_, Reply::Aborted) => Step::done(Err(Failure::Aborted)),
            (_, Reply::Rejected) => Step::Done {
                outcome: Err(Failure::Aborted),
                end: false,
                abort: continuing,
            },
            (_, Reply::Nothing) => {
                if continuing {
                    Step::Wait
                } else {
                    // TC-END without an answer to our invoke.
                    Step::done(Err(Failure::Aborted))
                }
            }
        }
    }

    /// Enters the MT phase with a route (from the HLR or the cache).
    pub fn set_route(&mut self, imsi: Tbcd, msc: &[u8], mt_version: u8) {
        self.imsi = imsi;
        self.msc.clear();
        self.msc.extend_from_slice(msc);
        self.phase = Phase::Mt;
        self.version = mt_version;
        self.fell_back = false;
        self.part = 0;
        self.peer_tid = None;
        self.peer_addr = Addr::default();
    }

    /// No answer in time: give up (with a TC-U-ABORT to an MSC that continued the dialogue).
    pub fn on_timeout(&self) -> Step {
        Step::Done {
            outcome: Err(Failure::Timeout),
            end: false,
            abort: self.peer_tid.is_some(),
        }
    }
}

/// An MO dialogue waiting for the ESME's deliver_sm_resp before the network is answered.
#[derive(Debug, Default)]
pub struct MoDialogue {
    /// Stable connector index.
    pub connector: u32,
    /// The association it came on, and that association's generation then.
    pub assoc: usize,
    /// Generation of that association.
    pub assoc_gen: u32,
    /// The MSC's transaction id (the TC-END's dtid).
    pub peer_tid: Option<TransactionId>,
    /// The application context to accept in the TC-END.
    pub ac: Option<smsedge_codecs::ber::Oid>,
    /// MAP version of the dialogue.
    pub version: u8,
    /// The invoke id to answer.
    pub invoke_id: i64,
    /// The MSC's address (the answer's called party).
    pub peer_addr: Addr,
    /// The proxy's address as the MSC called it (the answer's calling party).
    pub own_addr: Addr,
    /// When the network is answered anyway (sc-Congestion).
    pub deadline: Option<Instant>,
}

#[derive(Debug, Default)]
struct Slot<T> {
    gen: u8,
    live: bool,
    value: T,
}

/// A table of dialogues addressed by transaction id.
#[derive(Debug)]
pub struct Table<T> {
    shard: usize,
    slots: Vec<Slot<T>>,
    free: VecDeque<u16>,
    cap: usize,
    len: usize,
}

impl<T: Default> Table<T> {
    /// An empty table of shard `shard` holding at most `cap` (<= 65 536) dialogues.
    pub fn new(shard: usize, cap: usize) -> Self {
        Table {
            shard,
            slots: Vec::new(),
            free: VecDeque::new(),
            cap: cap.min(MAX_DIALOGUES),
            len: 0,
        }
    }

    /// Dialogues in the table.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Takes a slot: its transaction id and the value to fill (its buffers kept from the last
    /// use). `None` when the table is full.
    pub fn insert(&mut self) -> Option<(u32, &mut T)> {
        let slot = match self.free.pop_front() {
            Some(s) => s,
            None if self.slots.len() < self.cap => {
                self.slots.push(Slot::default());
                (self.slots.len() - 1) as u16
            }
            None => return None,
        };
        let s = &mut self.slots[usize::from(slot)];
        s.gen = s.gen.wrapping_add(1);
        s.live = true;
        self.len += 1;
        Some((tid(self.shard, s.gen, slot), &mut s.value))
    }

    fn slot_of(&self, tid: u32) -> Option<usize> {
        let i = (tid & 0xffff) as usize;
        let s = self.slots.get(i)?;
        (s.live && tid == self::tid(self.shard, s.gen, i as u16)).then_some(i)
    }

    /// The dialogue of `tid`, if it is live.
    pub fn get_mut(&mut self, tid: u32) -> Option<&mut T> {
        let i = self.slot_of(tid)?;
        Some(&mut self.slots[i].value)
    }

    /// The dialogue of `tid`, if it is live.
    pub fn get(&self, tid: u32) -> Option<&T> {
        let i = self.slot_of(tid)?;
        Some(&self.slots[i].value)
    }

    /// Gives the dialogue of `tid` a new transaction id (a new TC-BEGIN): answers to the old one
    /// are no longer recognised.
    pub fn renew(&mut self, tid: u32) -> Option<u32> {
        let i = self.slot_of(tid)?;
        let s = &mut self.slots[i];
        s.gen = s.gen.wrapping_add(1);
        Some(self::tid(self.shard, s.gen, i as u16))
    }

    /// Frees the slot of `tid`; the value stays for the slot's next use.
    pub fn remove(&mut self, tid: u32) -> Option<&mut T> {
        let i = self.slot_of(tid)?;
        self.slots[i].live = false;
        self.len -= 1;
        self.free.push_back(i as u16);
        Some(&mut self.slots[i].value)
    }

    /// Transaction ids of the live dialogues for which `f` holds.
    pub fn select(&self, mut f: impl FnMut(&T) -> bool) -> Vec<u32> {
        self.slots
            .iter()
            .enumerate()
            .filter(|(_, s)| s.live && f(&s.value))
            .map(|(i, s)| tid(self.shard, s.gen, i as u16))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use smsedge_codecs::map::{AddressString, RoutingInfoForSmRes};

    #[test]
    fn transaction_ids_name_their_shard_and_go_stale() {
        let mut t: Table<u32> = Table::new(5, 2);
        let (a, v) = t.insert().unwrap();
        *v = 10;
        assert_eq!(tid_shard(&TransactionId::from_u32(a)), Some(5));
        let (b, _) = t.insert().unwrap();
        assert!(t.insert().is_none(), "bounded");
        assert_eq!(t.get(a), Some(&10));
        let a2 = t.renew(a).unwrap();
        assert_ne!(a, a2);
        assert!(t.get(a).is_none());
        assert_eq!(t.get(a2), Some(&10));
        t.remove(a2);
        assert!(t.get(a2).is_none());
        let (c, _) = t.insert().unwrap();
        assert_ne!(c, a2, "a reused slot has a new generation");
        assert_eq!(t.select(|_| true).len(), 2);
        assert_eq!(t.len(), 2);
        t.remove(b);
        t.remove(c);
        assert!(t.is_empty());
        assert_eq!(tid_shard(&TransactionId::new(&[1, 2]).unwrap()), None);
    }

    fn sri_result() -> Vec<u8> {
        tcap::encode_asn(&RoutingInfoForSmRes::new(
            Tbcd::from_digits("001010123456789").unwrap(),
            AddressString::international("447700900555").unwrap(),
        ))
    }

    fn dialogue(parts: usize) -> MtDialogue {
        let mut d = MtDialogue {
            version: 3,
            ..Default::default()
        };
        let v = {
            use smsedge_codecs::smpp::{Body, Pdu, SubmitSm, Tlv};
            let mut p = Pdu::new(
                1,
                Body::SubmitSm(SubmitSm {
                    source_addr: b"A".to_vec().into(),
                    source_addr_ton: 5,
                    destination_addr: b"1".to_vec().into(),
                    ..Default::default()
                }),
            );
            p.tlvs.push(Tlv::new(
                smsedge_codecs::smpp::tag::MESSAGE_PAYLOAD,
                "x".repeat(150 * parts).into_bytes(),
            ));
            p.to_vec()
        };
        let view = smsedge_codecs::smpp::SmView::parse(&v).unwrap();
        super::super::sms::build_deliver(&view, "1", Clock::now().scts(), 1, &mut d.parts).unwrap();
        assert_eq!(d.parts.len(), parts);
        d
    }

    #[test]
    fn sri_then_mt_in_one_continued_dialogue() {
        let mut d = dialogue(2);
        let r = sri_result();
        let s = d.on_reply(MessageKind::End, None, Reply::Result(Some(&r)), 3);
        assert_eq!(s, Step::MtBegin);
        assert_eq!(
            (d.phase, d.msc.as_slice()),
            (Phase::Mt, &b"447700900555"[..])
        );
        let peer = TransactionId::from_u32(99);
        let s = d.on_reply(MessageKind::Continue, Some(peer), Reply::Result(None), 3);
        assert_eq!((s, d.part, d.peer_tid), (Step::MtContinue, 1, Some(peer)));
        let s = d.on_reply(MessageKind::End, None, Reply::Result(None), 3);
        assert_eq!(
            s,
            Step::Done {
                outcome: Ok(()),
                end: false,
                abort: false
            }
        );
    }

    #[test]
    fn an_hlr_that_continues_is_left_to_close() {
        let mut d = dialogue(1);
        let hlr = TransactionId::from_u32(7);
        let r = sri_result();
        let s = d.on_reply(MessageKind::Continue, Some(hlr), Reply::Result(Some(&r)), 3);
        assert_eq!(s, Step::MtBegin);
        assert_eq!(d.hlr_open, Some((hlr, Addr::default())));
        // The MT dialogue is a new one: no peer yet.
        assert_eq!(d.peer_tid, None);
        let mut d = dialogue(1);
        d.on_reply(MessageKind::End, None, Reply::Result(Some(&r)), 3);
        assert_eq!(d.hlr_open, None);
    }

    #[test]
    fn a_peer_offering_only_v1_fails_at_once() {
        let mut d = dialogue(1);
        assert_eq!(
            d.on_reply(MessageKind::Abort, None, Reply::Refused(Some(1)), 3),
            Step::done(Err(Failure::Aborted))
        );
    }

    #[test]
    fn falls_back_to_v2_once_per_phase() {
        let mut d = dialogue(1);
        assert_eq!(
            d.on_reply(MessageKind::Abort, None, Reply::Refused(Some(2)), 3),
            Step::Sri
        );
        assert_eq!(d.version, 2);
        assert!(matches!(
            d.on_reply(MessageKind::Abort, None, Reply::Refused(Some(2)), 3),
            Step::Done {
                outcome: Err(Failure::Aborted),
                ..
            }
        ));
        let mut d = dialogue(1);
        d.version = 2;
        let r = sri_result();
        d.fell_back = true;
        assert_eq!(
            d.on_reply(MessageKind::End, None, Reply::Result(Some(&r)), 3),
            Step::MtBegin
        );
        assert_eq!((d.version, d.fell_back), (3, false));
        assert_eq!(
            d.on_reply(MessageKind::Abort, None, Reply::Refused(None), 3),
            Step::MtBegin
        );
        assert_eq!(d.version, 2);
    }

    #[test]
    fn errors_timeouts_and_early_ends() {
        let mut d = dialogue(1);
        let s = d.on_reply(
            MessageKind::End,
            None,
            Reply::Error {
                code: 1,
                cause: None,
            },
            3,
        );
        assert_eq!(
            s,
            Step::Done {
                outcome: Err(Failure::Map {
                    code: 1,
                    cause: None
                }),
                end: false,
                abort: false
            }
        );
        let mut d = dialogue(3);
        let r = sri_result();
        d.on_reply(MessageKind::End, None, Reply::Result(Some(&r)), 3);
        // The MSC ends after part 1: part 2 starts a new dialogue.
        assert_eq!(
            d.on_reply(MessageKind::End, None, Reply::Result(None), 3),
            Step::MtBegin
        );
        assert_eq!(d.part, 1);
        let peer = TransactionId::from_u32(5);
        assert_eq!(
            d.on_reply(MessageKind::Continue, Some(peer), Reply::Nothing, 3),
            Step::Wait
        );
        assert_eq!(
            d.on_timeout(),
            Step::Done {
                outcome: Err(Failure::Timeout),
                end: false,
                abort: true
            }
        );
        assert_eq!(
            d.on_reply(MessageKind::End, None, Reply::Nothing, 3),
            Step::done(Err(Failure::Aborted))
        );
        let mut d = dialogue(1);
        assert_eq!(
            d.on_reply(
                MessageKind::End,
                None,
                Reply::Result(Some(&[0x30, 0x00])),
                3
            ),
            Step::done(Err(Failure::Aborted))
        );
    }
}
