//! The SS7 side of a shard: what [`ShardState`] does for `m3ua` connectors. The router hands a
//! submit to [`ShardState::ss7_forward`] (the connector's "bind" is an association with room in
//! its window); answers come in through [`ShardState::assoc_frame`]; everything is synchronous,
//! like the rest of the shard, and the one periodic task drives the timers
//! ([`ShardState::ss7_tick`]).
//!
//! Every accepted submit is answered exactly once: by the network's outcome, by the dialogue
//! timeout (the wheel), or as lost with its association (after a short grace for answers that
//! the signalling gateway routes to another of the proxy's associations). An MO is answered to
//! the network only after the ESME's deliver_sm_resp, or with sm-DeliveryFailure when no ESME
//! can take it.

use super::asp::{self, Asp, Event};
use super::cache::{self, Route, SriCache};
use super::dialogue::{tid_shard, MoDialogue, MtDialogue, Phase, Step, Table, MAX_DIALOGUES};
use super::link::{Assoc, Link, LinkConfig, CONGESTION_HOLD};
use super::outcome::{cause, Failure};
use super::sccp::{self, Addr, Inbound, Reassembly};
use super::sms::{self, Clock, Receipt};
use super::tcap::{self as tc, Leg};
use super::wheel::Wheel;
use crate::conn::Conn;
use crate::idmap;
use crate::inflight::Pending;
use crate::mesh::{DeliveryJob, MeshMsg, Origin, Via};
use crate::shard::{ShardState, STATUS_UPSTREAM_FAILED};
use smsedge_codecs::map::{AddressString, AppContext, Tbcd};
use smsedge_codecs::sccp::ssn;
use smsedge_codecs::smpp::view::put_message_id_resp;
use smsedge_codecs::smpp::{error_status, CommandId, CommandStatus, MessageState, SmView};
use smsedge_codecs::tcap::{Message, MessageKind, TransactionId, TransactionView};
use smsedge_codecs::tpdu::{Direction, Tpdu};
use smsedge_control::config::{ConnectorKind, SubmitMode, Transport};
use std::rc::Rc;
use std::time::{Duration, Instant};

/// How long dialogues of a lost association still wait for answers routed to another of the
/// proxy's associations before they are answered as failed.
pub const LINK_LOSS_GRACE: Duration = Duration::from_secs(2);
/// Incomplete XUDT reassemblies held per shard.
const MAX_REASSEMBLIES: usize = 1024;
/// How often association timers (ACK retries, BEAT) are looked at.
const ASP_TICK: Duration = Duration::from_millis(100);
/// P-AbortCause unrecognizedTransactionID (Q.773).
const UNRECOGNIZED_TID: i64 = 1;
/// P-AbortCause badlyFormattedTransactionPortion (Q.773).
const BADLY_FORMATTED: i64 = 2;

/// A dialogue deadline on the wheel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timer {
    /// An MT dialogue (its transaction id).
    Mt(u32),
    /// An MO dialogue waiting for its ESME.
    Mo(u32),
}

/// The SS7 state of one shard (the associations live with their connectors).
#[derive(Debug)]
pub struct Ss7 {
    /// MT dialogues by transaction id.
    pub dialogues: Table<MtDialogue>,
    /// MO dialogues waiting for an ESME, by the id in their `Origin`.
    pub mo: Table<MoDialogue>,
    wheel: Wheel<Timer>,
    cache: SriCache,
    reasm: Reassembly,
    due: Vec<Timer>,
    tcap: Vec<u8>,
    sccp: Vec<u8>,
    seg_ref: u32,
    concat_ref: u8,
    last_asp_tick: Instant,
}

impl Ss7 {
    /// The state of shard `id`.
    pub fn new(id: usize, now: Instant) -> Ss7 {
        Ss7 {
            dialogues: Table::new(id, MAX_DIALOGUES),
            mo: Table::new(id, MAX_DIALOGUES),
            wheel: Wheel::new(now),
            cache: SriCache::default(),
            reasm: Reassembly::new(MAX_REASSEMBLIES),
            due: Vec::new(),
            tcap: Vec::with_capacity(512),
            sccp: Vec::with_capacity(512),
            seg_ref: (id as u32) << 16,
            concat_ref: 0,
            last_asp_tick: now,
        }
    }
}

/// Wraps `tcap` in SCCP (UDT or XUDT segments) and M3UA DATA on association `prefer` of the
/// link, or another active one; returns the association used.
#[allow(clippy::too_many_arguments)]
fn send_tcap(
    link: &Link,
    sccp_buf: &mut Vec<u8>,
    seg_ref: &mut u32,
    prefer: usize,
    called: &Addr,
    calling: Option<&Addr>,
    sls: u8,
    tcap: &[u8],
) -> Option<usize> {
    let a = link.any_active(prefer)?;
    let cfg = link.cfg.clone();
    let conn = link.assocs[a].conn.clone()?;
    *seg_ref = seg_ref.wrapping_add(1);
    let r = seg_ref.to_be_bytes();
    let calling = calling.unwrap_or(&cfg.smsc_addr);
    {
        let mut out = conn.out();
        let sent = sccp::send(called, calling, tcap, [r[1], r[2], r[3]], sccp_buf, |m| {
            asp::put_data(&mut out, &cfg.asp, sls, m)
        });
        if sent.is_err() {
            return None;
        }
    }
    conn.flush_soon();
    Some(a)
}

/// The SLS of a dialogue (ITU: 4 bits): its messages and segments keep one.
fn sls_of(tid: u32) -> u8 {
    (tid & 0x0f) as u8
}

impl ShardState {
    fn link(&mut self, c: u32) -> Option<&mut Link> {
        self.connectors
            .get_mut(c as usize)?
            .as_mut()?
            .ss7
            .as_deref_mut()
    }

    // ------------------------------------------------------------ configuration

    /// Follows the runtime in force: builds or updates the links of `m3ua` connectors, starts the
    /// associations they want, retires the others (they drain, then ASPDN).
    pub(crate) fn ss7_apply_runtime(&mut self) {
        let rt = self.rt.arc().clone();
        for (rt_idx, c) in rt.connectors.iter().enumerate() {
            let Some(&idx) = self.conn_rt.get(rt_idx) else {
                continue;
            };
            let Some(local) = self
                .connectors
                .get_mut(idx as usize)
                .and_then(|x| x.as_mut())
            else {
                continue;
            };
            if c.config.kind != ConnectorKind::M3ua {
                continue;
            }
            let Some(cfg) = LinkConfig::new(&c.config) else {
                tracing::error!(connector = %c.config.name, "m3ua connector without point codes or SMSC GT");
                continue;
            };
            let link = local
                .ss7
                .get_or_insert_with(|| Box::new(Link::new(cfg.clone())));
            if link.cfg.needs_new_associations(&cfg) {
                for a in &mut link.assocs {
                    a.wanted = false;
                }
            }
            if *link.cfg != cfg {
                link.cfg = Rc::new(cfg);
            }
            let want = link.cfg.binds;
            let wanted = link.assocs.iter().filter(|a| a.wanted).count();
            let mut extra = wanted.saturating_sub(want);
            for a in link.assocs.iter_mut().rev() {
                if extra == 0 {
                    break;
                }
                if a.wanted {
                    a.wanted = false;
                    extra -= 1;
                }
            }
            for _ in wanted..want {
                let slot = match link
                    .assocs
                    .iter()
                    .position(|a| !a.wanted && !a.task && a.inflight == 0)
                {
                    Some(i) => {
                        link.assocs[i] = Assoc {
                            gen: link.assocs[i].gen,
                            ..Assoc::new()
                        };
                        i
                    }
                    None => {
                        link.assocs.push(Assoc::new());
                        link.assocs.len() - 1
                    }
                };
                let a = &mut link.assocs[slot];
                if !a.task {
                    a.task = true;
                    self.spawn_ss7.push((idx, slot));
                }
            }
        }
        // Connectors no longer configured: their associations retire.
        for local in self.connectors.iter_mut().flatten() {
            if !local.present {
                if let Some(link) = local.ss7.as_deref_mut() {
                    for a in &mut link.assocs {
                        a.wanted = false;
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------ associations (glue)

    /// True while association `a` of connector `c` should stay connected.
    pub fn assoc_wanted(&self, c: u32, a: usize) -> bool {
        !self.draining
            && self
                .connectors
                .get(c as usize)
                .and_then(|x| x.as_ref())
                .and_then(|x| x.ss7.as_ref())
                .and_then(|l| l.assocs.get(a))
                .is_some_and(|x| x.wanted)
    }

    /// Where the associations of connector `c` go: address, transport, reconnect backoff.
    pub fn assoc_target(&self, c: u32) -> Option<(String, Transport, Duration, Duration)> {
        let l = self.connectors.get(c as usize)?.as_ref()?.ss7.as_ref()?;
        Some((
            l.cfg.address.clone(),
            l.cfg.transport,
            l.cfg.reconnect.0,
            l.cfg.reconnect.1,
        ))
    }

    /// Association `a` of connector `c` connected: the ASP starts (ASPUP). `None` when it is no
    /// longer wanted.
    pub fn assoc_connected(&mut self, c: u32, a: usize, conn: Rc<Conn>) -> Option<u32> {
        let now = self.now;
        let draining = self.draining;
        let link = self.link(c)?;
        let cfg = link.cfg.asp.clone();
        let x = link.assocs.get_mut(a)?;
        if !x.wanted || draining {
            return None;
        }
        x.gen = x.gen.wrapping_add(1);
        x.asp = Some(Asp::start(cfg, now, &mut conn.out()));
        conn.flush_soon();
        x.conn = Some(conn);
        Some(x.gen)
    }

    /// Association `a` of connector `c` closed. Its dialogues wait [`LINK_LOSS_GRACE`] more for
    /// answers routed to other associations, then are answered as lost.
    pub fn assoc_closed(&mut self, c: u32, a: usize) {
        let now = self.now;
        let id = self.id;
        let Some(link) = self.link(c) else { return };
        let Some(x) = link.assocs.get_mut(a) else {
            return;
        };
        let was_active = x.active();
        x.asp = None;
        x.conn = None;
        x.gen = x.gen.wrapping_add(1);
        x.inflight = 0;
        let name = link.cfg.address.clone();
        let lost = self
            .ss7
            .dialogues
            .select(|d| d.connector == c && d.assoc == a);
        if was_active || !lost.is_empty() {
            tracing::warn!(shard = id, connector = %name, association = a, in_flight = lost.len(), "M3UA association lost");
        }
        for tid in lost {
            if let Some(d) = self.ss7.dialogues.get_mut(tid) {
                d.link_lost = true;
                let until = now + LINK_LOSS_GRACE;
                if d.deadline > until {
                    d.deadline = until;
                    self.ss7.wheel.push(until, Timer::Mt(tid));
                }
            }
        }
        self.pump(c);
    }

    /// The task of association `a` ended.
    pub fn assoc_task_ended(&mut self, c: u32, a: usize) {
        if let Some(x) = self.link(c).and_then(|l| l.assocs.get_mut(a)) {
            x.task = false;
        }
    }

    /// One complete M3UA message from association `a` of connector `c`.
    pub fn assoc_frame(&mut self, c: u32, a: usize, frame: &[u8]) {
        let now = self.now;
        let id = self.id;
        let Some(link) = self.link(c) else { return };
        let (local_pc, remote_pc) = (link.cfg.asp.local_pc, link.cfg.asp.remote_pc);
        let Some(x) = link.assocs.get_mut(a) else {
            return;
        };
        let (Some(asp), Some(conn)) = (x.asp.as_mut(), x.conn.clone()) else {
            return;
        };
        let ev = asp.handle_message(now, frame, &mut conn.out());
        conn.flush_soon();
        match ev {
            Event::None => {}
            Event::Data(v) => {
                // RFC 4666 3.3.1: the routing label names us as destination; SI 3 is SCCP.
                if v.dpc != local_pc || v.si != smsedge_codecs::m3ua::SI_SCCP {
                    tracing::debug!(dpc = v.dpc, si = v.si, "M3UA DATA not for the proxy's SCCP");
                    return;
                }
                self.sccp_in(c, a, v.opc, v.user_data);
            }
            Event::Active => {
                tracing::info!(
                    shard = id,
                    connector = c,
                    association = a,
                    "M3UA association active"
                );
                self.stats.connector(c).binds_up += 1;
                self.pump(c);
            }
            Event::Inactive => {
                tracing::warn!(
                    shard = id,
                    association = a,
                    "M3UA association made inactive by the peer"
                );
                let st = self.stats.connector(c);
                st.binds_up = st.binds_up.saturating_sub(1);
            }
            Event::PeerUnavailable => {
                if let Some(link) = self.link(c) {
                    if link.peer_available {
                        tracing::warn!(
                            shard = id,
                            remote_pc,
                            "DUNA: the peer's point code is unavailable"
                        );
                    }
                    link.peer_available = false;
                }
            }
            Event::PeerAvailable => {
                if let Some(link) = self.link(c) {
                    if !link.peer_available {
                        tracing::info!(
                            shard = id,
                            remote_pc,
                            "DAVA: the peer's point code is available"
                        );
                    }
                    link.peer_available = true;
                }
                self.pump(c);
            }
            Event::Congestion(level) => {
                if let Some(link) = self.link(c) {
                    link.congestion = (level, Some(now + CONGESTION_HOLD));
                }
            }
            Event::Close(why) => {
                tracing::warn!(
                    shard = id,
                    association = a,
                    reason = why,
                    "closing M3UA association"
                );
                conn.close_after_flush();
            }
        }
    }

    // ------------------------------------------------------------ SCCP and TCAP in

    fn sccp_in(&mut self, c: u32, a: usize, opc: u32, data: &[u8]) {
        match sccp::parse(data) {
            Ok(Inbound::Data {
                called,
                calling,
                data,
            }) => {
                let calling = Addr::from_bytes(calling).unwrap_or_default();
                let called = Addr::from_bytes(called).unwrap_or_default();
                self.tcap_in(c, a, &calling, &called, data);
            }
            Ok(Inbound::Segment(m)) => {
                let tick = u64::from(self.secs());
                match self.ss7.reasm.push(opc, &m, tick) {
                    Ok(Some(r)) => self.tcap_in(c, a, &r.calling, &r.called, &r.data),
                    Ok(None) => {}
                    Err(e) => tracing::debug!(error = ?e, "XUDT segment refused"),
                }
            }
            Ok(Inbound::Service { cause, data }) => {
                // Q.714 4.2: one of our messages came back (no translation, unequipped, ...).
                tracing::debug!(cause, "SCCP returned a message");
                if let Ok(v) = TransactionView::parse(data) {
                    if let Some(otid) = v.otid {
                        self.route_answer(c, a, &Addr::default(), data, Some(otid), true);
                    }
                }
            }
            Err(e) => tracing::debug!(error = %e, "undecodable SCCP message"),
        }
    }

    fn tcap_in(&mut self, c: u32, a: usize, calling: &Addr, called: &Addr, tcap: &[u8]) {
        let Ok(v) = TransactionView::parse(tcap) else {
            tracing::debug!("undecodable TCAP message");
            return;
        };
        match v.kind {
            MessageKind::Begin => self.mo_begin(c, a, calling, called, tcap),
            MessageKind::Continue | MessageKind::End | MessageKind::Abort => {
                if let Some(dtid) = v.dtid {
                    self.route_answer(c, a, calling, tcap, Some(dtid), false);
                }
            }
            MessageKind::Unidirectional => {}
        }
    }

    /// Sends an answer for transaction `tid` to the shard that owns it (the first octet), or
    /// handles it here.
    fn route_answer(
        &mut self,
        c: u32,
        a: usize,
        calling: &Addr,
        tcap: &[u8],
        tid: Option<TransactionId>,
        returned: bool,
    ) {
        let owner = tid.as_ref().and_then(tid_shard);
        match owner {
            Some(o) if o != self.id && o < self.shared.shards => self.mesh(
                o,
                MeshMsg::Ss7 {
                    connector: c,
                    calling: *calling,
                    tcap: tcap.to_vec(),
                    returned,
                },
            ),
            _ => self.answer_in(c, Some(a), calling, tcap, returned),
        }
    }

    /// A TCAP message from another shard's association for a dialogue of this shard.
    pub(crate) fn ss7_mesh_in(&mut self, c: u32, calling: Addr, tcap: &[u8], returned: bool) {
        self.answer_in(c, None, &calling, tcap, returned);
    }

    /// A TC-CONTINUE / TC-END / TC-ABORT (or a returned message of ours) for an MT dialogue.
    fn answer_in(&mut self, c: u32, a: Option<usize>, calling: &Addr, tcap: &[u8], returned: bool) {
        let now = self.now;
        if returned {
            // The returned message is our own: its otid is the dialogue.
            let Some(tid) = TransactionView::parse(tcap)
                .ok()
                .and_then(|v| v.otid)
                .filter(|t| t.as_bytes().len() == 4)
            else {
                return;
            };
            if self.ss7.dialogues.get(tid.to_u32()).is_some() {
                self.ss7_step(
                    tid.to_u32(),
                    Step::Done {
                        outcome: Err(Failure::Returned),
                        end: false,
                        abort: false,
                    },
                );
            }
            return;
        }
        let m = Message::decode(tcap);
        let view = TransactionView::parse(tcap).ok();
        let dtid = view
            .and_then(|v| v.dtid)
            .filter(|t| t.as_bytes().len() == 4);
        let Some(dtid) = dtid else { return };
        let tid = dtid.to_u32();
        let Some(d) = self.ss7.dialogues.get_mut(tid) else {
            tracing::debug!(tid, "answer for an unknown or finished dialogue");
            // Q.774 3.2.2: a TC-CONTINUE for an unknown transaction is P-aborted.
            if let (Some(v), Some(a)) = (view, a) {
                if v.kind == MessageKind::Continue {
                    if let Some(otid) = v.otid {
                        self.ss7.tcap.clear();
                        tc::put_p_abort(&mut self.ss7.tcap, otid, UNRECOGNIZED_TID);
                        self.send_raw(c, a, calling, sls_of(otid.to_u32()));
                    }
                }
            }
            return;
        };
        let m = match m {
            Ok(m) => m,
            Err(e) => {
                tracing::debug!(error = %e, "undecodable answer: the dialogue is aborted");
                let abort = view.is_some_and(|v| v.kind == MessageKind::Continue);
                if abort {
                    d.peer_tid = view.and_then(|v| v.otid);
                }
                return self.ss7_step(
                    tid,
                    Step::Done {
                        outcome: Err(Failure::Aborted),
                        end: false,
                        abort,
                    },
                );
            }
        };
        if m.kind == MessageKind::Continue && d.peer_addr.is_empty() && !calling.is_empty() {
            d.peer_addr = *calling;
        }
        let mt_version = self
            .connectors
            .get(d.connector as usize)
            .and_then(|x| x.as_ref())
            .and_then(|x| x.ss7.as_ref())
            .map_or(3, |l| l.cfg.map_version);
        let was_sri = d.phase == Phase::Sri;
        let reply = tc::reply(&m, d.invoke_id());
        let step = d.on_reply(m.kind, m.otid, reply, mt_version);
        if was_sri && d.phase == Phase::Mt {
            // The HLR's answer: remember it when the connector caches.
            let (dc, key, route) = (
                d.connector,
                cache::key(&d.msisdn),
                Route {
                    imsi: d.imsi.0.clone(),
                    msc: String::from_utf8_lossy(&d.msc).into_owned(),
                },
            );
            if let (Some(key), Some((ttl, cap))) = (key, self.cache_cfg(dc)) {
                self.ss7.cache.put(dc, key, route, ttl, now, cap);
            }
        }
        self.ss7_step(tid, step);
    }

    fn cache_cfg(&self, c: u32) -> Option<(Duration, usize)> {
        let l = self.connectors.get(c as usize)?.as_ref()?.ss7.as_ref()?;
        (!l.cfg.cache.0.is_zero()).then_some(l.cfg.cache)
    }

    /// Sends what is in the TCAP scratch buffer to `called` on association `a` of `c`.
    fn send_raw(&mut self, c: u32, a: usize, called: &Addr, sls: u8) -> Option<usize> {
        let Ss7 {
            tcap,
            sccp,
            seg_ref,
            ..
        } = &mut self.ss7;
        let link = self.connectors.get(c as usize)?.as_ref()?.ss7.as_deref()?;
        send_tcap(link, sccp, seg_ref, a, called, None, sls, tcap)
    }

    // ------------------------------------------------------------ MT

    /// A submit the router sent to association `a` of `m3ua` connector `c`: starts its dialogue.
    pub(crate) fn ss7_forward(&mut self, c: u32, a: usize, mut pending: Pending, frame: &[u8]) {
        let now = self.now;
        let Some(cfg) = self.link(c).map(|l| l.cfg.clone()) else {
            return self.answer_live(&pending, STATUS_UPSTREAM_FAILED);
        };
        if !matches!(pending.command_id, CommandId::SubmitSm | CommandId::DataSm) {
            // submit_multi would need one dialogue per destination: not offered into SS7.
            return self.answer_live(&pending, CommandStatus::ESME_RPROHIBITED);
        }
        let view = match SmView::parse(frame) {
            Ok(v) => v,
            Err(e) => return self.answer_live(&pending, error_status(&e)),
        };
        let dest = view.destination_addr();
        let dest = dest.strip_prefix(b"+").unwrap_or(dest);
        // E.164 6: at most 15 digits; the HLR is addressed by the number as global title.
        if dest.is_empty() || dest.len() > 15 || !dest.iter().all(u8::is_ascii_digit) {
            return self.answer_live(&pending, CommandStatus::ESME_RINVDSTADR);
        }
        self.ss7.concat_ref = self.ss7.concat_ref.wrapping_add(1);
        let concat_ref = self.ss7.concat_ref;
        let clock = Clock::now();
        let Some((tid, d)) = self.ss7.dialogues.insert() else {
            return self.answer_live(&pending, CommandStatus::ESME_RMSGQFUL);
        };
        if let Err(status) = sms::build_deliver(
            &view,
            &cfg.smsc_digits,
            clock.scts(),
            concat_ref,
            &mut d.parts,
        ) {
            self.ss7.dialogues.remove(tid);
            return self.answer_live(&pending, status);
        }
        pending.sent = now;
        let gen = self
            .link(c)
            .and_then(|l| l.assocs.get_mut(a))
            .map_or(0, |x| {
                x.inflight += 1;
                x.gen
            });
        let d = self.ss7.dialogues.get_mut(tid).expect("inserted above");
        d.tid = tid;
        d.pending = Some(pending);
        d.connector = c;
        d.assoc = a;
        d.assoc_gen = gen;
        d.phase = Phase::Sri;
        d.version = cfg.map_version;
        d.fell_back = false;
        d.peer_tid = None;
        d.peer_addr = Addr::default();
        d.msisdn.clear();
        d.msisdn.extend_from_slice(dest);
        d.part = 0;
        d.deadline = now + cfg.dialogue_timeout;
        d.submitted = Some(clock);
        d.excerpt = sms::excerpt(&view);
        d.source.0 = view.source_addr_ton();
        d.source.1 = view.source_addr_npi();
        d.source.2.clear();
        d.source.2.extend_from_slice(view.source_addr());
        d.dest_ton_npi = (view.dest_addr_ton(), view.dest_addr_npi());
        d.own_id = 0;
        d.answered = false;
        d.begun = false;
        d.link_lost = false;
        d.hlr_open = None;
        let deadline = d.deadline;
        let mut step = Step::Sri;
        if !cfg.cache.0.is_zero() {
            if let Some(k) = cache::key(dest) {
                if let Some(r) = self.ss7.cache.get(c, k, now) {
                    let (imsi, msc) = (Tbcd(r.imsi.clone()), r.msc.clone());
                    let d = self.ss7.dialogues.get_mut(tid).expect("inserted above");
                    d.set_route(imsi, msc.as_bytes(), cfg.map_version);
                    step = Step::MtBegin;
                }
            }
        }
        self.ss7.wheel.push(deadline, Timer::Mt(tid));
        self.stats.connector(c).forwarded += 1;
        if cfg.mode == SubmitMode::Receipt {
            // The outcome goes in the receipt: the ESME has its id now.
            let own = self.ids.next_id();
            let d = self.ss7.dialogues.get_mut(tid).expect("inserted above");
            d.own_id = own;
            d.answered = true;
            let p = d.pending.clone().expect("set above");
            self.respond_ok(&p, own);
        }
        self.ss7_step(tid, step);
    }

    /// Carries out `step` for dialogue `tid`.
    fn ss7_step(&mut self, tid: u32, step: Step) {
        let now = self.now;
        let Some(d) = self.ss7.dialogues.get_mut(tid) else {
            return;
        };
        let c = d.connector;
        let Some(cfg) = self
            .connectors
            .get(c as usize)
            .and_then(|x| x.as_ref())
            .and_then(|x| x.ss7.as_ref())
            .map(|l| l.cfg.clone())
        else {
            return self.ss7_finish(tid, Err(Failure::LinkLost));
        };
        match step {
            Step::Wait => {
                d.deadline = now + cfg.dialogue_timeout;
            }
            Step::Done {
                outcome,
                end,
                abort,
            } => {
                if let (true, Some(peer)) = (end || abort, d.peer_tid) {
                    let called = if d.peer_addr.is_empty() {
                        Addr::gt(ssn::MSC, &d.msc).unwrap_or_default()
                    } else {
                        d.peer_addr
                    };
                    let a = d.assoc;
                    self.ss7.tcap.clear();
                    if end {
                        tc::put_end(&mut self.ss7.tcap, peer, None, None);
                    } else {
                        tc::put_user_abort(&mut self.ss7.tcap, peer);
                    }
                    self.send_raw(c, a, &called, sls_of(tid));
                }
                self.ss7_finish(tid, outcome);
            }
            Step::Sri | Step::MtBegin | Step::MtContinue => {
                if let Some((hlr, at)) = d.hlr_open.take() {
                    let called = if at.is_empty() {
                        Addr::gt(ssn::HLR, &d.msisdn).unwrap_or_default()
                    } else {
                        at
                    };
                    let a = d.assoc;
                    self.ss7.tcap.clear();
                    tc::put_end(&mut self.ss7.tcap, hlr, None, None);
                    self.send_raw(c, a, &called, sls_of(tid));
                }
                let Some(d) = self.ss7.dialogues.get(tid) else {
                    return;
                };
                let mut cur = tid;
                if step != Step::MtContinue && d.begun {
                    cur = self.ss7.dialogues.renew(tid).expect("live dialogue");
                }
                let d = self.ss7.dialogues.get_mut(cur).expect("live dialogue");
                d.tid = cur;
                d.begun = true;
                d.deadline = now + cfg.dialogue_timeout;
                let deadline = d.deadline;
                let tcap = &mut self.ss7.tcap;
                tcap.clear();
                let called = match step {
                    Step::Sri => {
                        let Ok(msisdn) = AddressString::international(
                            std::str::from_utf8(&d.msisdn).unwrap_or(""),
                        ) else {
                            return self.ss7_finish(cur, Err(Failure::Aborted));
                        };
                        tc::put_sri_begin(tcap, cur, d.version, &msisdn, &cfg.sc);
                        Addr::gt(ssn::HLR, &d.msisdn)
                    }
                    Step::MtBegin => {
                        tc::put_mt(
                            tcap,
                            Leg::Begin { otid: cur },
                            d.version,
                            d.invoke_id(),
                            &d.imsi,
                            &cfg.sc,
                            d.parts.get(d.part),
                            !d.last_part(),
                        );
                        Addr::gt(ssn::MSC, &d.msc)
                    }
                    _ => {
                        let Some(dtid) = d.peer_tid else {
                            return self.ss7_finish(cur, Err(Failure::Aborted));
                        };
                        tc::put_mt(
                            tcap,
                            Leg::Continue { otid: cur, dtid },
                            d.version,
                            d.invoke_id(),
                            &d.imsi,
                            &cfg.sc,
                            d.parts.get(d.part),
                            !d.last_part(),
                        );
                        if d.peer_addr.is_empty() {
                            Addr::gt(ssn::MSC, &d.msc)
                        } else {
                            Some(d.peer_addr)
                        }
                    }
                };
                let Some(called) = called else {
                    return self.ss7_finish(cur, Err(Failure::Aborted));
                };
                let a = d.assoc;
                if cur != tid {
                    self.ss7.wheel.push(deadline, Timer::Mt(cur));
                }
                match self.send_raw(c, a, &called, sls_of(cur)) {
                    Some(used) => self.settle_dialogue(cur, used),
                    None => self.ss7_finish(cur, Err(Failure::LinkLost)),
                }
            }
        }
    }

    /// The dialogue's last message went out on association `to`: it lives there now. When its
    /// association was lost (or reconnected) meanwhile, it moves, its count follows it, and the
    /// loss no longer shortens its wait or names its failure.
    fn settle_dialogue(&mut self, tid: u32, to: usize) {
        let Some(d) = self.ss7.dialogues.get_mut(tid) else {
            return;
        };
        let (c, from, from_gen) = (d.connector, d.assoc, d.assoc_gen);
        let Some(link) = self
            .connectors
            .get_mut(c as usize)
            .and_then(|x| x.as_mut())
            .and_then(|x| x.ss7.as_deref_mut())
        else {
            return;
        };
        let Some(to_gen) = link.assocs.get(to).map(|x| x.gen) else {
            return;
        };
        d.link_lost = false;
        if (from, from_gen) == (to, to_gen) {
            return;
        }
        if let Some(x) = link.assocs.get_mut(from).filter(|x| x.gen == from_gen) {
            x.inflight = x.inflight.saturating_sub(1);
        }
        if let Some(x) = link.assocs.get_mut(to) {
            x.inflight += 1;
        }
        d.assoc = to;
        d.assoc_gen = to_gen;
    }

    /// Answers an ESME request with an own message id (and counts it).
    fn respond_ok(&mut self, p: &Pending, own: u64) {
        let mut idbuf = [0u8; 20];
        let id = idmap::format_id(own, &mut idbuf);
        let resp = p
            .command_id
            .response()
            .expect("submits have responses")
            .to_u32();
        match self.clients.live_mut(p.client, p.client_gen) {
            Some(client) => {
                put_message_id_resp(&mut client.conn.out(), resp, 0, p.client_seq, Some(id));
                client.responded();
                client.conn.flush_soon();
            }
            None => self.stats.orphan_responses += 1,
        }
        *self
            .stats
            .account(p.account)
            .responses
            .entry(0)
            .or_default() += 1;
    }

    /// The dialogue is over: answer the ESME (transactional mode), write the receipt when asked,
    /// free the window slot, and move waiting submits.
    fn ss7_finish(&mut self, tid: u32, outcome: Result<(), Failure>) {
        let now = self.now;
        let Some(d) = self.ss7.dialogues.remove(tid) else {
            return;
        };
        let outcome = match outcome {
            Err(Failure::Timeout) if d.link_lost => Err(Failure::LinkLost),
            o => o,
        };
        let (c, a, gen) = (d.connector, d.assoc, d.assoc_gen);
        let Some(p) = d.pending.take() else { return };
        let answered = d.answered;
        let mut own = d.own_id;
        if own == 0 && outcome.is_ok() {
            own = self.ids.next_id();
        }
        // Receipts: registered_delivery bits 0-1 (v3.4 5.2.17): 1 always, 2 on failure, 3 on
        // success (v5.0). A failed transactional submit has no id, so no receipt.
        let delivered = outcome.is_ok();
        let rd = p.registered_delivery & 0x03;
        let want_receipt = match rd {
            1 => delivered || answered,
            2 => !delivered && answered,
            3 => delivered,
            _ => false,
        };
        let receipt = want_receipt.then(|| {
            let mut idbuf = [0u8; 20];
            let id = idmap::format_id(own, &mut idbuf);
            let (state, map_error) = match outcome {
                Ok(()) => (MessageState::Delivered, 0),
                Err(f) => (f.state(), f.map_error()),
            };
            let mut pdu = Vec::with_capacity(200);
            sms::put_receipt(
                &mut pdu,
                &Receipt {
                    id,
                    state,
                    map_error,
                    submitted: d.submitted.unwrap_or_else(Clock::now),
                    done: Clock::now(),
                    handset: (d.dest_ton_npi.0, d.dest_ton_npi.1, &d.msisdn),
                    esme: (d.source.0, d.source.1, &d.source.2),
                    text: &d.excerpt,
                },
            );
            pdu
        });
        let stale = match outcome {
            Err(f) if f.stale_routing() => cache::key(&d.msisdn),
            _ => None,
        };
        if let Some(k) = stale {
            self.ss7.cache.forget(c, k);
        }
        if let Some(x) = self
            .link(c)
            .and_then(|l| l.assocs.get_mut(a))
            .filter(|x| x.gen == gen)
        {
            x.inflight = x.inflight.saturating_sub(1);
        }
        let status = match outcome {
            Ok(()) => 0,
            Err(f) => f.status().0,
        };
        let st = self.stats.connector(c);
        *st.responses.entry(status).or_default() += 1;
        let _ = st
            .latency_us
            .record(now.duration_since(p.sent).as_micros().max(1) as u64);
        match outcome {
            Err(Failure::Timeout) => st.timeouts += 1,
            Err(Failure::LinkLost) => st.failed += 1,
            _ => {}
        }
        if !answered {
            match outcome {
                Ok(()) => self.respond_ok(&p, own),
                Err(f) => self.answer_live(&p, f.status()),
            }
        }
        if let Some(pdu) = receipt {
            let created_s = self.secs();
            self.dispatch(DeliveryJob {
                account: p.account,
                pdu,
                origin: None,
                created_s,
                attempts: 0,
            });
        }
        self.pump(c);
    }

    // ------------------------------------------------------------ MO

    fn mo_begin(&mut self, c: u32, a: usize, calling: &Addr, called: &Addr, tcap: &[u8]) {
        let now = self.now;
        let Some(cfg) = self.link(c).map(|l| l.cfg.clone()) else {
            return;
        };
        let m = match Message::decode(tcap) {
            Ok(m) => m,
            Err(_) => {
                if let Some(otid) = TransactionView::parse(tcap).ok().and_then(|v| v.otid) {
                    self.ss7.tcap.clear();
                    tc::put_p_abort(&mut self.ss7.tcap, otid, BADLY_FORMATTED);
                    self.send_from(c, a, calling, called, sls_of(otid.to_u32()));
                }
                return;
            }
        };
        let Some(otid) = m.otid else { return };
        let sls = sls_of(otid.to_u32());
        let mo = match tc::read_mo(&m, cfg.map_version) {
            Ok(mo) => mo,
            Err(tc::MoRefusal::Context) => {
                // Q.773 3.2.2: refuse the context, offering the MO relay context we run.
                self.ss7.tcap.clear();
                tc::put_refusal(
                    &mut self.ss7.tcap,
                    otid,
                    AppContext::ShortMsgMoRelay.oid(cfg.map_version),
                );
                self.send_from(c, a, calling, called, sls);
                return;
            }
            Err(tc::MoRefusal::Malformed) => {
                self.ss7.tcap.clear();
                tc::put_user_abort(&mut self.ss7.tcap, otid);
                self.send_from(c, a, calling, called, sls);
                return;
            }
        };
        self.stats.connector(c).mo += 1;
        let ac = m.application_context().cloned();
        let answer = |st: &mut ShardState, comp| {
            st.ss7.tcap.clear();
            tc::put_end(&mut st.ss7.tcap, otid, ac.as_ref(), Some(comp));
            st.send_from(c, a, calling, called, sls);
        };
        let submit = match Tpdu::decode(&mo.tpdu, Direction::MsToSc) {
            Ok(Tpdu::Submit(s)) => s,
            _ => {
                // TS 29.002 12.2: mo-forwardSM may return unexpectedDataValue.
                let comp = smsedge_codecs::tcap::Component::return_error(
                    mo.invoke_id,
                    smsedge_codecs::map::errors::code::UNEXPECTED_DATA_VALUE,
                    None,
                );
                return answer(self, comp);
            }
        };
        let da = submit
            .da
            .number()
            .or_else(|| submit.da.text())
            .unwrap_or_default();
        let account = self
            .runtime()
            .mo_routes
            .lookup(da.as_bytes())
            .and_then(|id| self.acct_rt.get(id.0 as usize).copied());
        let Some(account) = account else {
            tracing::debug!(destination = %da, "MO for a number no account owns");
            let comp = tc::mo_error(mo.invoke_id, Some(cause::SUBSCRIBER_NOT_SC_SUBSCRIBER));
            return answer(self, comp);
        };
        let mut pdu = Vec::with_capacity(64 + mo.tpdu.len() * 2);
        if sms::mo_deliver_sm(&mo.msisdn, &submit, &mut pdu).is_none() {
            let comp = smsedge_codecs::tcap::Component::return_error(
                mo.invoke_id,
                smsedge_codecs::map::errors::code::UNEXPECTED_DATA_VALUE,
                None,
            );
            return answer(self, comp);
        }
        let gen = self
            .link(c)
            .and_then(|l| l.assocs.get(a))
            .map_or(0, |x| x.gen);
        // Shutting down: nothing new is taken in; the MSC retries elsewhere or later.
        if self.draining {
            let comp = tc::mo_error(mo.invoke_id, Some(cause::SC_CONGESTION));
            return answer(self, comp);
        }
        let Some((id, slot)) = self.ss7.mo.insert() else {
            let comp = tc::mo_error(mo.invoke_id, Some(cause::SC_CONGESTION));
            return answer(self, comp);
        };
        let deadline = now + cfg.dialogue_timeout;
        *slot = MoDialogue {
            connector: c,
            assoc: a,
            assoc_gen: gen,
            peer_tid: Some(otid),
            ac,
            version: mo.version,
            invoke_id: mo.invoke_id,
            peer_addr: *calling,
            own_addr: *called,
            deadline: Some(deadline),
        };
        self.ss7.wheel.push(deadline, Timer::Mo(id));
        let created_s = self.secs();
        let origin = Origin {
            shard: self.id as u16,
            connector: c,
            bind: a as u16,
            gen,
            seq: id,
            resp_id: 0,
            via: Via::Ss7,
        };
        self.dispatch(DeliveryJob {
            account,
            pdu,
            origin: Some(origin),
            created_s,
            attempts: 0,
        });
    }

    /// Sends the TCAP scratch buffer from `own` (the address the peer called) to `peer`.
    fn send_from(&mut self, c: u32, a: usize, peer: &Addr, own: &Addr, sls: u8) {
        let Ss7 {
            tcap,
            sccp,
            seg_ref,
            ..
        } = &mut self.ss7;
        let Some(link) = self
            .connectors
            .get(c as usize)
            .and_then(|x| x.as_ref())
            .and_then(|x| x.ss7.as_deref())
        else {
            return;
        };
        let own = (!own.is_empty()).then_some(own);
        if send_tcap(link, sccp, seg_ref, a, peer, own, sls, tcap).is_none() {
            tracing::debug!("no active association to answer an MO on");
        }
    }

    /// The ESME answered the MO of `o` (or nobody could take it): answer the network.
    pub(crate) fn ss7_mo_done(&mut self, o: Origin, status: u32) {
        let Some(m) = self.ss7.mo.remove(o.seq) else {
            return; // Already answered (timeout).
        };
        let m = std::mem::take(m);
        self.answer_mo(&m, status);
    }

    fn answer_mo(&mut self, m: &MoDialogue, status: u32) {
        let Some(peer) = m.peer_tid else { return };
        let comp = match CommandStatus(status) {
            CommandStatus::ESME_ROK => tc::mo_result(m.invoke_id),
            CommandStatus::ESME_RSYSERR => tc::mo_error(m.invoke_id, None),
            // No receiver, a full queue, a refusal or no answer from the ESME: the mobile may
            // try again later.
            _ => tc::mo_error(m.invoke_id, Some(cause::SC_CONGESTION)),
        };
        self.ss7.tcap.clear();
        tc::put_end(&mut self.ss7.tcap, peer, m.ac.as_ref(), Some(comp));
        let a = match self
            .connectors
            .get(m.connector as usize)
            .and_then(|x| x.as_ref())
            .and_then(|x| x.ss7.as_ref())
            .and_then(|l| l.assocs.get(m.assoc))
        {
            Some(x) if x.gen == m.assoc_gen => m.assoc,
            _ => usize::MAX,
        };
        self.send_from(
            m.connector,
            a,
            &m.peer_addr,
            &m.own_addr,
            sls_of(peer.to_u32()),
        );
    }

    // ------------------------------------------------------------ timers

    /// Dialogue deadlines, association timers, congestion expiry; from [`ShardState::tick`].
    pub(crate) fn ss7_tick(&mut self) {
        let now = self.now;
        let mut due = std::mem::take(&mut self.ss7.due);
        self.ss7.wheel.poll(now, &mut due);
        for t in due.drain(..) {
            match t {
                Timer::Mt(tid) => {
                    let Some(d) = self.ss7.dialogues.get(tid) else {
                        continue;
                    };
                    if d.deadline > now {
                        let at = d.deadline;
                        self.ss7.wheel.push(at, t);
                        continue;
                    }
                    let step = if d.link_lost {
                        Step::Done {
                            outcome: Err(Failure::LinkLost),
                            end: false,
                            abort: d.peer_tid.is_some(),
                        }
                    } else {
                        d.on_timeout()
                    };
                    self.ss7_step(tid, step);
                }
                Timer::Mo(id) => {
                    let Some(m) = self.ss7.mo.get(id) else {
                        continue;
                    };
                    if m.deadline.is_some_and(|d| d > now) {
                        let at = m.deadline.expect("checked");
                        self.ss7.wheel.push(at, t);
                        continue;
                    }
                    let m = std::mem::take(self.ss7.mo.remove(id).expect("live"));
                    tracing::debug!("MO not answered by an ESME in time");
                    self.answer_mo(&m, CommandStatus::ESME_RDELIVERYFAILURE.0);
                }
            }
        }
        self.ss7.due = due;
        if now.duration_since(self.ss7.last_asp_tick) < ASP_TICK {
            return;
        }
        self.ss7.last_asp_tick = now;
        let tick = u64::from(self.secs());
        self.ss7.reasm.expire(tick.saturating_sub(10));
        for local in self.connectors.iter_mut().flatten() {
            let Some(link) = local.ss7.as_deref_mut() else {
                continue;
            };
            if link.congestion.1.is_some_and(|t| t <= now) {
                link.congestion = (0, None);
            }
            for x in &mut link.assocs {
                let (Some(asp), Some(conn)) = (x.asp.as_mut(), x.conn.as_ref()) else {
                    continue;
                };
                // A retired association goes down once its dialogues are answered.
                if !x.wanted && x.inflight == 0 && asp.is_active() {
                    asp.stop(now, &mut conn.out());
                    conn.flush_soon();
                }
                if asp.poll_timeout().is_some_and(|t| t <= now) {
                    if let Event::Close(why) = asp.handle_timeout(now, &mut conn.out()) {
                        tracing::warn!(reason = why, "closing M3UA association");
                        // The peer is silent: a writer blocked on a full socket would never
                        // see a polite close, so shut the socket down now.
                        conn.shutdown();
                    }
                    conn.flush_soon();
                }
            }
        }
    }

    // ------------------------------------------------------------ shutdown and views

    /// MT dialogues in flight on this shard, and MO waiting for their ESME.
    pub(crate) fn ss7_in_flight(&self) -> usize {
        self.ss7.dialogues.len() + self.ss7.mo.len()
    }

    /// The drain deadline came: every MT dialogue still open is answered as lost with its
    /// association, every MO still waiting for its ESME is answered with a failure (the network
    /// retries it), so that nothing is left unanswered when the associations go down.
    pub(crate) fn ss7_give_up(&mut self) {
        for tid in self.ss7.dialogues.select(|_| true) {
            self.ss7_finish(tid, Err(Failure::LinkLost));
        }
        for id in self.ss7.mo.select(|_| true) {
            if let Some(m) = self.ss7.mo.remove(id) {
                let m = std::mem::take(m);
                self.answer_mo(&m, CommandStatus::ESME_RDELIVERYFAILURE.0);
            }
        }
    }

    /// Takes every association down (ASPDN), the last step of shutdown.
    pub(crate) fn ss7_stop(&mut self) {
        let now = self.now;
        for local in self.connectors.iter_mut().flatten() {
            let Some(link) = local.ss7.as_deref_mut() else {
                continue;
            };
            for x in &mut link.assocs {
                x.wanted = false;
                match (x.asp.as_mut(), x.conn.as_ref()) {
                    (Some(asp), Some(conn)) => {
                        asp.stop(now, &mut conn.out());
                        conn.flush_soon();
                    }
                    (None, Some(conn)) => conn.close_after_flush(),
                    _ => {}
                }
            }
        }
    }

    /// True once no association of this shard is connected.
    pub(crate) fn ss7_closed(&self) -> bool {
        self.connectors
            .iter()
            .flatten()
            .filter_map(|l| l.ss7.as_ref())
            .all(|l| l.assocs.iter().all(|x| x.conn.is_none()))
    }

    /// The associations, for the `binds` command.
    pub(crate) fn ss7_binds_json(&self, v: &mut Vec<serde_json::Value>) {
        for c in self.connectors.iter().flatten() {
            let Some(link) = c.ss7.as_ref() else {
                continue;
            };
            for (i, x) in link.assocs.iter().enumerate() {
                let state = match (&x.asp, &x.conn) {
                    (Some(asp), Some(_)) if asp.is_active() && link.peer_available => {
                        "Active".to_string()
                    }
                    (Some(asp), Some(_)) if asp.is_active() => "PeerUnavailable".to_string(),
                    (Some(asp), Some(_)) => format!("{:?}", asp.state()),
                    _ => "down".to_string(),
                };
                v.push(serde_json::json!({
                    "shard": self.id, "side": "upstream", "connector": c.cfg.name, "slot": i,
                    "kind": "m3ua", "state": state, "in_flight": x.inflight, "wanted": x.wanted,
                    "peer": x.conn.as_ref().map(|x| x.peer.to_string()),
                }));
            }
        }
    }

    /// (dialogues in flight, associations active) of connector `c`, for the gauges.
    pub(crate) fn ss7_gauges(&self, c: &crate::shard::ConnectorLocal) -> Option<(u64, u64)> {
        let l = c.ss7.as_ref()?;
        Some((l.inflight() as u64, l.active_count() as u64))
    }
}
