//! The protocol core of one executor, without I/O (after quinn's sans-IO split): M3UA frames
//! go in through [`Node::on_frame`], answers come out in each association's output buffer, and
//! [`Node::tick`] fires delayed answers, originates MO traffic and expires dialogues.
//!
//! Decisions the profile leaves open, and the clause behind each:
//!
//! - M3UA (RFC 4666): ASPUP while ACTIVE is acknowledged and answered with ERR "Unexpected
//!   Message", the ASP going INACTIVE (4.3.4.1); ASPAC or ASPIA from an ASP that is DOWN, DATA
//!   from one that is not ACTIVE, and SG-to-ASP messages received from the ASP get ERR
//!   "Unexpected Message" (3.8.1), with the message's routing context and the offending
//!   message as Diagnostic Information; an unknown class / type gets "Unsupported Message
//!   Class / Type"; RKM is not supported (Unsupported Message Class); DAUD is answered with
//!   DAVA for the simulator's point code and DUNA for any other. DATA with a wrong Routing
//!   Context / Network Appearance gets ERR "Invalid Routing Context / Network Appearance";
//!   DATA for an SI other than SCCP gets DUPU (unequipped remote user); DATA whose OPC / DPC are
//!   not the configured ones is dropped and counted (`wrong_pc`).
//! - SCCP: a message for an SSN other than 6 (HLR) and 8 (MSC) is returned as UDTS "unequipped
//!   user" when it asked for return on error (Q.714 4.2).
//! - TCAP (Q.773, Q.774): a BEGIN that does not decode gets TC-ABORT
//!   badlyFormattedTransactionPortion; a CONTINUE for an unknown transaction gets TC-ABORT
//!   unrecognizedTransactionID; an END or ABORT for one is counted only. A BEGIN whose
//!   application context the subsystem does not serve gets TC-ABORT with an AARE
//!   reject-permanent / application-context-name-not-supported naming the context it does
//!   serve. A BEGIN with a dialogue portion but no component (the MAP "empty BEGIN" used when
//!   the first invoke does not fit) gets TC-CONTINUE with the AARE and waits for the invoke.
//! - MAP (29.002): an invoke of another operation than the context's gets TC-U-REJECT
//!   unrecognizedOperation, a parameter that does not decode mistypedParameter, both in a
//!   TC-END. Checks that fail are answered with unexpectedDataValue and counted by name in
//!   `check_failures`: `msisdn` (not an international E.164 number), `service_centre_address`
//!   / `sm_rp_oa` (not `--smsc-gt`), `sm_rp_da` (not an IMSI the HLR hands out), `msc_gt` (the
//!   MT went to another MSC than SRI named), `imsi_changed` (a later part for another IMSI),
//!   `sm_rp_ui` (not an SMS-DELIVER). Errors and drops for a multi-part MT are decided at its
//!   first part.

use super::errors::{Outcome, Stage};
use super::wire;
use super::{Config, Ss7Stats};
use crate::parse::Rng;
use crate::wheel::Wheel;
use smsedge_codecs::m3ua::{
    self, mgmt::error_code, mgmt::status, DataView, MaskedPointCode, MessageType, Parameter,
};
use smsedge_codecs::map::errors::code as err_code;
use smsedge_codecs::map::operation::opcode;
use smsedge_codecs::map::{
    AddressString, AppContext, Argument, ErrorParam, MapError, MoForwardSmArg, MtForwardSmArg,
    ResultValue, RoutingInfoForSmRes, SmRpDa, SmRpOa, Tbcd,
};
use smsedge_codecs::sccp::{self, message::return_cause, segment::Reassembler, PartyAddress};
use smsedge_codecs::tcap::{
    self, AbortReason, Component, DialoguePdu, DialoguePortion, Invoke, MessageKind, ProblemType,
    SourceDiagnostic, TransactionId, TransactionView,
};
use smsedge_codecs::tpdu::{self, Dcs, Direction, Submit, Tpdu, UserData, ValidityPeriod};
use std::collections::HashMap;
use std::sync::Arc;

/// An association: its slot and the slot's generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct ConnKey(pub u32, pub u32);

/// ASP state as the SGP sees it (RFC 4666 4.3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AspState {
    Down,
    Inactive,
    Active,
}

#[derive(Debug)]
struct Assoc {
    key: ConnKey,
    state: AspState,
    out: Vec<u8>,
    dirty: bool,
    close: bool,
}

/// A TCAP message handed over by the executor that received it to the executor that owns its
/// dialogue.
#[derive(Debug)]
pub(crate) struct Forwarded {
    pub tcap: Vec<u8>,
    pub called: PartyAddress,
    pub calling: PartyAddress,
    pub sls: u8,
}

/// What MO messages are made of (built once at start-up).
#[derive(Debug)]
pub(crate) struct MoTemplate {
    smsc: PartyAddress,
    sc: AddressString,
    to: tpdu::Address,
    dcs: Dcs,
    ud: UserData,
}

impl MoTemplate {
    pub(crate) fn new(smsc_gt: &str, to: &str, text: &str) -> Result<Self, String> {
        let to = if !to.is_empty() && to.bytes().all(|b| b.is_ascii_digit()) && to.len() <= 20 {
            // A short code: type of number unknown, ISDN numbering plan (TS 23.040 9.1.2.5).
            tpdu::Address::digits(0, 1, to)
        } else {
            return Err(format!("--mo-to {to:?}: expected up to 20 digits"));
        }
        .map_err(|e| format!("--mo-to {to:?}: {e}"))?;
        let (dcs, ud) = match UserData::gsm7(text, None) {
            Ok(ud) => (Dcs(0), ud),
            Err(_) => (
                Dcs(0x08),
                UserData::ucs2(text, None).map_err(|_| {
                    format!("--mo-text: {text:?} does not fit one message (160 GSM 7-bit or 70 UCS-2 characters)")
                })?,
            ),
        };
        Ok(MoTemplate {
            smsc: wire::gt_address(sccp::ssn::MSC, smsc_gt),
            sc: AddressString::international(smsc_gt).map_err(|e| format!("--smsc-gt: {e}"))?,
            to,
            dcs,
            ud,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Hlr,
    Msc,
}

/// A dialogue the simulator serves (the proxy began it).
#[derive(Debug)]
struct Served {
    role: Role,
    ac: Option<AppContext>,
    version: u8,
    peer: TransactionId,
    /// Our transaction id once the dialogue continues (0 before).
    tid: u32,
    conn: ConnKey,
    sls: u8,
    /// Our address: the called party of the BEGIN, the calling party of the answers.
    local: PartyAddress,
    /// The proxy's address.
    remote: PartyAddress,
    imsi: Option<String>,
    parts: u32,
    deadline: u64,
}

/// An MO dialogue the simulator began.
#[derive(Debug)]
struct Mo {
    n: u64,
    version: u8,
    conn: ConnKey,
    deadline: u64,
}

#[derive(Debug)]
enum Dialogue {
    Served(Box<Served>),
    Mo(Mo),
}

#[derive(Debug)]
enum Event {
    /// DATA messages to append to an association's output (`n` of them).
    Send {
        conn: ConnKey,
        bytes: Vec<u8>,
        n: usize,
    },
}

/// What an invoke is answered with.
enum Reply {
    /// TC-END with this component.
    End(Component),
    /// TC-CONTINUE with this component (another part is announced).
    More(Component),
    /// Nothing, ever.
    Drop,
}

/// The protocol state of one executor.
#[derive(Debug)]
pub(crate) struct Node {
    cfg: Arc<Config>,
    idx: usize,
    assocs: Vec<Option<Assoc>>,
    gens: Vec<u32>,
    dialogues: HashMap<u32, Dialogue>,
    next_tid: u32,
    local_ref: u32,
    wheel: Wheel<Event>,
    due: Vec<Event>,
    reasm: Reassembler<(u32, Vec<u8>)>,
    rng: Rng,
    sri_cursor: usize,
    mt_cursor: usize,
    /// Counters since the last flush.
    pub stats: Ss7Stats,
    dirty: Vec<ConnKey>,
    /// Messages for other executors' dialogues, to hand over.
    pub forward: Vec<(usize, Forwarded)>,
    mo_tokens: f64,
    mo_last: u64,
    mo_rr: usize,
    mo_n: u64,
    next_sweep: u64,
    /// The time of the input being handled (ns, [`crate::rt::now_ns`]'s clock).
    now: u64,
}

const SWEEP_NS: u64 = 100_000_000;
/// Incomplete segmented messages are dropped after this many seconds (Q.714 4.1.2.2 leaves the
/// reassembly timer to the implementation).
const REASSEMBLY_SECS: u64 = 10;

fn oid_of(ac: AppContext, version: u8) -> smsedge_codecs::ber::Oid {
    ac.oid(version)
}

impl Node {
    pub(crate) fn new(cfg: Arc<Config>, idx: usize, now: u64) -> Self {
        Node {
            idx,
            assocs: Vec::new(),
            gens: Vec::new(),
            dialogues: HashMap::new(),
            next_tid: 1,
            local_ref: (idx as u32) << 16,
            wheel: Wheel::new(now),
            due: Vec::new(),
            reasm: Reassembler::new(4096, 16 * 255),
            rng: Rng::new(0x55_7E ^ ((idx as u64 + 1) * 0x9E37_79B9)),
            sri_cursor: idx * 7919,
            mt_cursor: idx * 104_729,
            stats: Ss7Stats::default(),
            dirty: Vec::new(),
            forward: Vec::new(),
            mo_tokens: 0.0,
            mo_last: now,
            mo_rr: 0,
            mo_n: 0,
            next_sweep: now + SWEEP_NS,
            now,
            cfg,
        }
    }

    // ----- associations ---------------------------------------------------------------------

    /// A new association (a TCP connection just accepted).
    pub(crate) fn add_assoc(&mut self) -> ConnKey {
        let i = match self.assocs.iter().position(Option::is_none) {
            Some(i) => i,
            None => {
                self.assocs.push(None);
                self.gens.push(0);
                self.assocs.len() - 1
            }
        };
        self.gens[i] = self.gens[i].wrapping_add(1);
        let key = ConnKey(i as u32, self.gens[i]);
        self.assocs[i] = Some(Assoc {
            key,
            state: AspState::Down,
            out: Vec::with_capacity(16 << 10),
            dirty: false,
            close: false,
        });
        self.stats.associations += 1;
        key
    }

    /// Forgets an association (its connection is closed).
    pub(crate) fn remove_assoc(&mut self, k: ConnKey) {
        if let Some(slot) = self.assocs.get_mut(k.0 as usize) {
            if slot.as_ref().is_some_and(|a| a.key == k) {
                *slot = None;
            }
        }
    }

    fn assoc(&mut self, k: ConnKey) -> Option<&mut Assoc> {
        self.assocs
            .get_mut(k.0 as usize)
            .and_then(Option::as_mut)
            .filter(|a| a.key == k)
    }

    /// The state of an association (tests and the I/O layer).
    pub(crate) fn asp_state(&mut self, k: ConnKey) -> Option<AspState> {
        self.assoc(k).map(|a| a.state)
    }

    /// Swaps the association's pending output with `buf` (which must be empty). Returns
    /// whether the association is to be closed once that output is written.
    pub(crate) fn take_output(&mut self, k: ConnKey, buf: &mut Vec<u8>) -> Option<bool> {
        let a = self.assoc(k)?;
        std::mem::swap(&mut a.out, buf);
        Some(a.close)
    }

    /// Asks for the association to be closed after what is queued is written.
    pub(crate) fn close_assoc(&mut self, k: ConnKey) {
        if let Some(a) = self.assoc(k) {
            a.close = true;
            a.state = AspState::Down;
        }
        self.mark(k);
    }

    /// Calls `f` for every association with new output since the last call.
    pub(crate) fn drain_dirty(&mut self, mut f: impl FnMut(ConnKey)) {
        let dirty = std::mem::take(&mut self.dirty);
        for k in &dirty {
            if let Some(a) = self.assoc(*k) {
                a.dirty = false;
            }
            f(*k);
        }
        self.dirty = dirty;
        self.dirty.clear();
    }

    /// True while delayed answers wait, MO is paced or dialogues may expire: the executor
    /// must keep ticking.
    pub(crate) fn busy(&self) -> bool {
        !self.wheel.is_empty()
            || !self.dialogues.is_empty()
            || self.reasm.pending() > 0
            || (self.cfg.mo.is_some()
                && self
                    .assocs
                    .iter()
                    .flatten()
                    .any(|a| a.state == AspState::Active))
    }

    fn mark(&mut self, k: ConnKey) {
        if let Some(a) = self.assoc(k) {
            if !a.dirty {
                a.dirty = true;
                self.dirty.push(k);
            }
        }
    }

    /// Appends an M3UA management message to an association, whatever its state.
    fn send_m3ua(&mut self, k: ConnKey, m: &m3ua::Message) {
        if let Some(a) = self.assoc(k) {
            m.encode_into(&mut a.out);
        }
        self.mark(k);
    }

    /// ERR (RFC 4666 3.8.1) with the routing context of the offending message, if any, and the
    /// offending message as Diagnostic Information.
    fn send_err(&mut self, k: ConnKey, code: u32, extra: Vec<Parameter>, offending: &[u8]) {
        let mut params = extra;
        params.push(Parameter::DiagnosticInformation(
            offending[..offending.len().min(512)].to_vec(),
        ));
        *self
            .stats
            .m3ua_errors_sent
            .entry(m3ua_error_name(code))
            .or_default() += 1;
        self.send_m3ua(k, &m3ua::Message::err(code, params));
    }

    /// The stream of an association cannot be framed any more (a Message Length below 8 or
    /// beyond the limit): ERR, then close (RFC 4666 has no way to find the next message).
    pub(crate) fn on_bad_stream(&mut self, k: ConnKey, head: &[u8]) {
        self.send_err(k, error_code::PROTOCOL_ERROR, Vec::new(), head);
        self.close_assoc(k);
    }

    // ----- M3UA -----------------------------------------------------------------------------

    /// One M3UA message (framed by its Message Length).
    pub(crate) fn on_frame(&mut self, k: ConnKey, frame: &[u8], now: u64) {
        self.now = now;
        let h = m3ua::Header::new_unchecked(frame);
        if h.version() != m3ua::VERSION {
            return self.send_err(k, error_code::INVALID_VERSION, Vec::new(), frame);
        }
        use MessageType as M;
        match h.kind() {
            M::Data => self.on_data(k, frame, now),
            M::AspUp | M::AspDn | M::Beat | M::AspAc | M::AspIa | M::Daud => {
                self.on_management(k, frame)
            }
            // Error messages MUST NOT be generated in response to other Error messages.
            M::Err => self.stats.m3ua_errors_received += 1,
            M::Ntfy => self.stats.ntfy_received += 1,
            M::RegReq | M::RegRsp | M::DeregReq | M::DeregRsp => {
                self.send_err(k, error_code::UNSUPPORTED_MESSAGE_CLASS, Vec::new(), frame)
            }
            M::Unknown { class, .. } => {
                let code = if matches!(class, 0..=4 | 9) {
                    error_code::UNSUPPORTED_MESSAGE_TYPE
                } else {
                    error_code::UNSUPPORTED_MESSAGE_CLASS
                };
                self.send_err(k, code, Vec::new(), frame)
            }
            // What an SGP sends, received from the ASP.
            _ => {
                let rc = rc_param(frame);
                self.send_err(k, error_code::UNEXPECTED_MESSAGE, rc, frame)
            }
        }
    }

    fn on_management(&mut self, k: ConnKey, frame: &[u8]) {
        let m = match m3ua::Message::decode(frame) {
            Ok(m) => m,
            Err(e) => {
                let code = if e.field == "m3ua.parameter_length" {
                    error_code::PARAMETER_FIELD_ERROR
                } else {
                    error_code::PROTOCOL_ERROR
                };
                return self.send_err(k, code, Vec::new(), frame);
            }
        };
        let Some(state) = self.asp_state(k) else {
            return;
        };
        let rcs: Vec<u32> = m.routing_context().map(<[u32]>::to_vec).unwrap_or_default();
        let rc_extra = || -> Vec<Parameter> {
            if rcs.is_empty() {
                Vec::new()
            } else {
                vec![Parameter::RoutingContext(rcs.clone())]
            }
        };
        match m.kind {
            MessageType::AspUp => {
                self.stats.aspup += 1;
                let asp_id = m.params.iter().find_map(|p| match p {
                    Parameter::AspIdentifier(v) => Some(*v),
                    _ => None,
                });
                self.send_m3ua(k, &m3ua::Message::aspup_ack(asp_id));
                if state == AspState::Active {
                    // 4.3.4.1: ASPUP from an ACTIVE ASP: ack, ERR, and the ASP is INACTIVE.
                    self.send_err(k, error_code::UNEXPECTED_MESSAGE, Vec::new(), frame);
                }
                self.set_state(k, AspState::Inactive);
            }
            MessageType::AspDn => {
                self.stats.aspdn += 1;
                self.send_m3ua(k, &m3ua::Message::aspdn_ack());
                self.set_state(k, AspState::Down);
            }
            MessageType::Beat => {
                self.stats.beat += 1;
                self.send_m3ua(k, &m3ua::Message::beat_ack_for(&m));
            }
            MessageType::AspAc => {
                if state == AspState::Down {
                    return self.send_err(k, error_code::UNEXPECTED_MESSAGE, rc_extra(), frame);
                }
                let tm = m.params.iter().find_map(|p| match p {
                    Parameter::TrafficModeType(t) => Some(*t),
                    _ => None,
                });
                if tm.is_some_and(|t| !(1..=3).contains(&t)) {
                    return self.send_err(
                        k,
                        error_code::UNSUPPORTED_TRAFFIC_MODE_TYPE,
                        Vec::new(),
                        frame,
                    );
                }
                let configured = self.cfg.o.routing_context;
                if let Some(c) = configured {
                    if rcs.iter().any(|&r| r != c) {
                        // 3.8.1: the invalid Routing Context(s) MUST be included.
                        let bad: Vec<u32> = rcs.iter().copied().filter(|&r| r != c).collect();
                        return self.send_err(
                            k,
                            error_code::INVALID_ROUTING_CONTEXT,
                            vec![Parameter::RoutingContext(bad)],
                            frame,
                        );
                    }
                }
                let echo: Vec<u32> = if rcs.is_empty() {
                    configured.into_iter().collect()
                } else {
                    rcs.clone()
                };
                self.stats.aspac += 1;
                self.set_state(k, AspState::Active);
                self.send_m3ua(k, &m3ua::Message::aspac_ack(tm, &echo));
                self.send_m3ua(
                    k,
                    &m3ua::Message::ntfy(status::AS_STATE_CHANGE, status::AS_ACTIVE, None, &echo),
                );
            }
            MessageType::AspIa => {
                if state == AspState::Down {
                    return self.send_err(k, error_code::UNEXPECTED_MESSAGE, rc_extra(), frame);
                }
                self.stats.aspia += 1;
                let echo: Vec<u32> = if rcs.is_empty() {
                    self.cfg.o.routing_context.into_iter().collect()
                } else {
                    rcs.clone()
                };
                self.set_state(k, AspState::Inactive);
                self.send_m3ua(k, &m3ua::Message::aspia_ack(&echo));
            }
            MessageType::Daud => {
                // 3.4.3: answer for each audited point code: available (DAVA) if it is the
                // simulator's, unavailable (DUNA) otherwise.
                let apcs = m
                    .params
                    .iter()
                    .find_map(|p| match p {
                        Parameter::AffectedPointCode(v) => Some(v.clone()),
                        _ => None,
                    })
                    .unwrap_or_default();
                let local = self.cfg.o.local_pc;
                let (up, down): (Vec<MaskedPointCode>, Vec<MaskedPointCode>) =
                    apcs.into_iter().partition(|a| a.pc == local);
                if !up.is_empty() {
                    self.send_m3ua(k, &m3ua::Message::dava(&rcs, &up));
                }
                if !down.is_empty() {
                    self.send_m3ua(k, &m3ua::Message::duna(&rcs, &down));
                }
            }
            _ => {}
        }
    }

    fn set_state(&mut self, k: ConnKey, s: AspState) {
        if let Some(a) = self.assoc(k) {
            a.state = s;
        }
    }

    fn on_data(&mut self, k: ConnKey, frame: &[u8], now: u64) {
        if self.asp_state(k) != Some(AspState::Active) {
            self.stats.data_not_active += 1;
            let rc = rc_param(frame);
            return self.send_err(k, error_code::UNEXPECTED_MESSAGE, rc, frame);
        }
        let v = match DataView::parse(frame) {
            Ok(v) => v,
            Err(e) => {
                let code = if e.field == "m3ua.protocol_data" {
                    error_code::MISSING_PARAMETER
                } else {
                    error_code::PARAMETER_FIELD_ERROR
                };
                return self.send_err(k, code, Vec::new(), frame);
            }
        };
        if let (Some(c), Some(x)) = (self.cfg.o.routing_context, v.routing_context) {
            if x != c {
                return self.send_err(
                    k,
                    error_code::INVALID_ROUTING_CONTEXT,
                    vec![Parameter::RoutingContext(vec![x])],
                    frame,
                );
            }
        }
        if let (Some(c), Some(x)) = (self.cfg.o.network_appearance, v.network_appearance) {
            if x != c {
                // 3.8.1: the invalid Network Appearance MUST be included.
                return self.send_err(
                    k,
                    error_code::INVALID_NETWORK_APPEARANCE,
                    vec![Parameter::NetworkAppearance(x)],
                    frame,
                );
            }
        }
        if v.dpc != self.cfg.o.local_pc || v.opc != self.cfg.o.remote_pc {
            self.stats.wrong_pc += 1;
            return;
        }
        if v.si != m3ua::SI_SCCP {
            // 3.4.5: the user part at the destination is not equipped.
            let rc: Vec<u32> = self.cfg.o.routing_context.into_iter().collect();
            let apc = MaskedPointCode {
                mask: 0,
                pc: self.cfg.o.local_pc,
            };
            self.send_m3ua(k, &m3ua::Message::dupu(&rc, apc, 1, u16::from(v.si)));
            return;
        }
        self.stats.data_in += 1;
        self.on_sccp(Some(k), v.sls, v.opc, v.user_data, now);
    }

    // ----- SCCP -----------------------------------------------------------------------------

    fn on_sccp(&mut self, conn: Option<ConnKey>, sls: u8, opc: u32, ud: &[u8], now: u64) {
        let m = match sccp::Message::decode(ud) {
            Ok(m) => m,
            Err(_) => {
                self.stats.sccp_errors += 1;
                return;
            }
        };
        use sccp::MessageType as T;
        match m.message_type {
            T::Udts | T::Xudts | T::Ludts => self.stats.sccp_returned += 1,
            T::Udt => {
                let class = m.protocol_class;
                self.on_tcap(conn, sls, m.called, m.calling, &m.data, class, now);
            }
            T::Xudt | T::Ludt => {
                let class = m.protocol_class;
                if m.segmentation().is_none() {
                    return self.on_tcap(conn, sls, m.called, m.calling, &m.data, class, now);
                }
                self.stats.xudt_segments += 1;
                // Q.714 4.1.2.2: segments are keyed by the calling party and the local reference.
                let mut key = Vec::with_capacity(m.calling.encoded_len());
                m.calling.encode_into(&mut key);
                match self.reasm.push((opc, key), &m, now / 1_000_000_000) {
                    Ok(None) => {}
                    Ok(Some(data)) => {
                        self.stats.reassembled += 1;
                        self.on_tcap(conn, sls, m.called, m.calling, &data, class, now);
                    }
                    Err(_) => self.stats.reassembly_errors += 1,
                }
            }
        }
    }

    // ----- TCAP -----------------------------------------------------------------------------

    #[allow(clippy::too_many_arguments)]
    fn on_tcap(
        &mut self,
        conn: Option<ConnKey>,
        sls: u8,
        called: PartyAddress,
        calling: PartyAddress,
        data: &[u8],
        class: u8,
        now: u64,
    ) {
        let m = match tcap::Message::decode(data) {
            Ok(m) => m,
            Err(_) => {
                self.stats.tcap_errors += 1;
                // Q.774 3.2.1.2: a message whose transaction portion cannot be read is answered
                // with a P-Abort when the originating id can be found.
                if let (Ok(v), Some(conn)) = (TransactionView::parse(data), conn) {
                    if let (Some(otid), MessageKind::Begin | MessageKind::Continue) =
                        (v.otid, v.kind)
                    {
                        let abort = tcap::Message::abort(otid, Some(AbortReason::Provider(2)));
                        self.stats.aborts_sent += 1;
                        self.send_tcap(conn, sls, &calling, &called, &abort, 0);
                    }
                }
                return;
            }
        };
        match m.kind {
            MessageKind::Begin => {
                if let Some(conn) = conn {
                    self.on_begin(conn, sls, called, calling, m, data, class, now);
                }
            }
            MessageKind::Continue | MessageKind::End | MessageKind::Abort => {
                let dtid = m.dtid.expect("decoded with a dtid");
                let tid = (dtid.as_bytes().len() == 4).then(|| dtid.to_u32());
                if let (Some(t), Some(_)) = (tid, conn) {
                    let owner = (t >> 24) as usize;
                    if owner != self.idx && owner < self.cfg.shards {
                        self.forward.push((
                            owner,
                            Forwarded {
                                tcap: data.to_vec(),
                                called,
                                calling,
                                sls,
                            },
                        ));
                        return;
                    }
                }
                match tid.and_then(|t| self.dialogues.remove(&t)) {
                    Some(Dialogue::Served(s)) => self.on_served(conn, sls, *s, m, now),
                    Some(Dialogue::Mo(mo)) => self.on_mo_answer(conn, sls, mo, m, now),
                    None => {
                        self.stats.unknown_transactions += 1;
                        if let (MessageKind::Continue, Some(otid), Some(conn)) =
                            (m.kind, m.otid, conn)
                        {
                            // Q.774 3.2.1.2: unrecognized transaction id.
                            let abort = tcap::Message::abort(otid, Some(AbortReason::Provider(1)));
                            self.stats.aborts_sent += 1;
                            self.send_tcap(conn, sls, &calling, &called, &abort, 0);
                        }
                    }
                }
            }
            MessageKind::Unidirectional => {}
        }
    }

    /// A message handed over by another executor.
    pub(crate) fn on_forwarded(&mut self, f: Forwarded, now: u64) {
        self.now = now;
        self.on_tcap(None, f.sls, f.called, f.calling, &f.tcap, 0, now);
    }

    #[allow(clippy::too_many_arguments)]
    fn on_begin(
        &mut self,
        conn: ConnKey,
        sls: u8,
        called: PartyAddress,
        calling: PartyAddress,
        m: tcap::Message,
        data: &[u8],
        class: u8,
        now: u64,
    ) {
        let peer = m.otid.expect("decoded with an otid");
        let role = match called.ssn {
            Some(sccp::ssn::HLR) => Role::Hlr,
            Some(sccp::ssn::MSC) => Role::Msc,
            _ => {
                self.stats.sccp_unequipped += 1;
                // Q.714 4.2: return the message when it asked for it.
                if class & 0x80 != 0 {
                    let udts = sccp::Message::udt(called, calling, data.to_vec())
                        .service_for(return_cause::UNEQUIPPED_USER);
                    let label = self.cfg.label;
                    if let Some(a) = self.assoc(conn) {
                        wire::put_data(&mut a.out, &label, sls, |o| {
                            let _ = udts.encode_into(o);
                        });
                        self.stats.data_out += 1;
                        self.mark(conn);
                    }
                }
                return;
            }
        };
        let vmax = if self.cfg.o.v2_only { 2 } else { 3 };
        // The context the subsystem serves, offered back when it refuses another.
        let served = match role {
            Role::Hlr => AppContext::ShortMsgGateway,
            Role::Msc => AppContext::ShortMsgMtRelay,
        };
        let (ac, version) = match &m.dialogue {
            // MAP version 1 has no dialogue portion.
            None => (None, 1),
            Some(d) => match &d.pdu {
                DialoguePdu::Request(a) => match AppContext::from_oid(&a.application_context) {
                    Some((ac, v)) => (Some(ac), v),
                    None => {
                        self.stats.refused_other += 1;
                        return self.refuse(conn, sls, peer, &calling, &called, served, vmax);
                    }
                },
                _ => {
                    // Q.774: a BEGIN carries an AARQ or nothing.
                    let abort = tcap::Message::abort(peer, Some(AbortReason::Provider(3)));
                    self.stats.aborts_sent += 1;
                    return self.send_tcap(conn, sls, &calling, &called, &abort, 0);
                }
            },
        };
        let supported = match (role, ac) {
            (_, None) => true,
            (Role::Hlr, Some(AppContext::ShortMsgGateway)) => true,
            (Role::Msc, Some(AppContext::ShortMsgMtRelay)) => version >= 2,
            // forwardSM towards the MS in v1 and v2 runs in shortMsgRelayContext.
            (Role::Msc, Some(AppContext::ShortMsgMoRelay)) => version <= 2,
            _ => false,
        };
        if !supported {
            self.stats.refused_other += 1;
            return self.refuse(conn, sls, peer, &calling, &called, served, vmax);
        }
        let ac_max = if ac == Some(AppContext::ShortMsgMoRelay) {
            2
        } else {
            vmax
        };
        if version > ac_max {
            if version == 3 && self.cfg.o.v2_only {
                self.stats.refused_v3 += 1;
            } else {
                self.stats.refused_other += 1;
            }
            let ac = ac.expect("version > 1 has a context");
            return self.refuse(conn, sls, peer, &calling, &called, ac, ac_max);
        }
        let mut s = Served {
            role,
            ac,
            version,
            peer,
            tid: 0,
            conn,
            sls,
            // The HLR answers from its own GT; the MSC from the GT the proxy addressed.
            local: match role {
                Role::Hlr => self.cfg.hlr.clone(),
                Role::Msc => called,
            },
            remote: calling,
            imsi: None,
            parts: 0,
            deadline: 0,
        };
        match m.components.first() {
            None if ac.is_some() => {
                // The "empty BEGIN": accept the context, wait for the invoke.
                self.finish(s, None, true, now);
            }
            Some(Component::Invoke(inv)) => {
                let reply = self.serve(&mut s, inv);
                self.finish(s, Some(reply), true, now);
            }
            first => {
                // Q.773 3.2.2: a BEGIN starts with an invoke; anything else is rejected.
                let id = first.and_then(Component::invoke_id);
                self.stats.rejects_sent += 1;
                let c = Component::reject(id, ProblemType::General, 0);
                self.finish(s, Some(Reply::End(c)), true, now);
            }
        }
    }

    /// TC-ABORT refusing the proposed context: AARE reject-permanent,
    /// application-context-name-not-supported, naming `ac` in `version` (Q.773 3.2.2; the MAP
    /// version negotiation of 29.002 15.x).
    #[allow(clippy::too_many_arguments)]
    fn refuse(
        &mut self,
        conn: ConnKey,
        sls: u8,
        peer: TransactionId,
        to: &PartyAddress,
        from: &PartyAddress,
        ac: AppContext,
        version: u8,
    ) {
        let abort = tcap::Message::abort(
            peer,
            Some(AbortReason::User(DialoguePortion::refuse_context(oid_of(
                ac, version,
            )))),
        );
        self.stats.aborts_sent += 1;
        let lat = self.latency();
        self.send_tcap(conn, sls, to, from, &abort, lat);
    }

    fn latency(&mut self) -> u64 {
        self.cfg.o.latency.sample(&mut self.rng)
    }

    /// Sends the answer to an invoke (or, for `None`, the empty CONTINUE accepting a context),
    /// and keeps the dialogue when it continues.
    fn finish(&mut self, mut s: Served, reply: Option<Reply>, first: bool, now: u64) {
        let aare = if first {
            s.ac.map(|ac| {
                DialoguePortion::response(oid_of(ac, s.version), 0, SourceDiagnostic::User(0))
            })
        } else {
            None
        };
        let (msg, keep) = match reply {
            Some(Reply::Drop) => {
                self.stats.dropped += 1;
                return;
            }
            Some(Reply::End(c)) => {
                let mut m = tcap::Message::end(s.peer).with_component(c);
                m.dialogue = aare;
                (m, false)
            }
            more => {
                if s.tid == 0 {
                    s.tid = self.new_tid();
                }
                let mut m = tcap::Message::continue_(TransactionId::from_u32(s.tid), s.peer);
                m.dialogue = aare;
                if let Some(Reply::More(c)) = more {
                    m.components.push(c);
                }
                (m, true)
            }
        };
        let lat = self.latency();
        self.send_tcap(s.conn, s.sls, &s.remote, &s.local, &msg, lat);
        if keep {
            s.deadline = now + self.cfg.o.dialogue_timeout.0.as_nanos() as u64;
            self.dialogues.insert(s.tid, Dialogue::Served(Box::new(s)));
        }
    }

    /// A CONTINUE / END / ABORT for a dialogue the simulator serves.
    fn on_served(
        &mut self,
        conn: Option<ConnKey>,
        sls: u8,
        mut s: Served,
        m: tcap::Message,
        now: u64,
    ) {
        match m.kind {
            MessageKind::Abort => self.stats.aborts_received += 1,
            MessageKind::End => self.stats.ended_by_peer += 1,
            _ => {
                // The simulator answers on the association the message came on.
                if let Some(c) = conn {
                    s.conn = c;
                    s.sls = sls;
                }
                match m.components.first() {
                    Some(Component::Invoke(inv)) => {
                        let reply = self.serve(&mut s, inv);
                        self.finish(s, Some(reply), false, now);
                    }
                    None => {
                        // Nothing to answer yet: keep waiting.
                        self.dialogues.insert(s.tid, Dialogue::Served(Box::new(s)));
                    }
                    Some(other) => {
                        let id = other.invoke_id();
                        self.stats.rejects_sent += 1;
                        let c = Component::reject(id, ProblemType::General, 0);
                        self.finish(s, Some(Reply::End(c)), false, now);
                    }
                }
            }
        }
    }

    // ----- MAP ------------------------------------------------------------------------------

    fn reject(&mut self, inv: &Invoke, problem: i64) -> Reply {
        self.stats.rejects_sent += 1;
        Reply::End(Component::reject(
            Some(inv.invoke_id),
            ProblemType::Invoke,
            problem,
        ))
    }

    fn serve(&mut self, s: &mut Served, inv: &Invoke) -> Reply {
        let op = inv.opcode.local();
        match s.role {
            Role::Hlr if op == Some(opcode::SEND_ROUTING_INFO_FOR_SM) => self.serve_sri(s, inv),
            Role::Msc
                if op
                    == Some(if s.version >= 3 {
                        opcode::MT_FORWARD_SM
                    } else {
                        opcode::MO_FORWARD_SM
                    }) =>
            {
                self.serve_mt(s, inv)
            }
            // Q.773 3.2.3 / 29.002: an operation the context does not contain.
            _ => self.reject(inv, 1),
        }
    }

    /// unexpectedDataValue for a failed check.
    fn check_failed(&mut self, stage: Stage, what: &'static str, inv: &Invoke) -> Reply {
        *self.stats.check_failures.entry(what).or_default() += 1;
        let counts = match stage {
            Stage::Sri => &mut self.stats.sri_errors,
            Stage::Mt => &mut self.stats.mt_errors,
        };
        *counts.entry("unexpectedDataValue").or_default() += 1;
        Reply::End(error_component(
            inv.invoke_id,
            &MapError::new(err_code::UNEXPECTED_DATA_VALUE),
        ))
    }

    fn outcome(&mut self, stage: Stage, digits: &str) -> Option<Outcome> {
        let cfg = self.cfg.clone();
        if let Some(r) = cfg
            .o
            .error_for
            .iter()
            .find(|r| r.stage == stage && digits.ends_with(&r.suffix))
        {
            return Some(r.outcome);
        }
        if self.rng.chance(cfg.o.drop_rate.0) {
            return Some(Outcome::Drop);
        }
        let (sched, cursor) = match stage {
            Stage::Sri => (&cfg.sri_schedule, &mut self.sri_cursor),
            Stage::Mt => (&cfg.mt_schedule, &mut self.mt_cursor),
        };
        if sched.is_empty() {
            return None;
        }
        let o = sched[*cursor % sched.len()];
        *cursor = cursor.wrapping_add(1);
        o
    }

    fn serve_sri(&mut self, s: &mut Served, inv: &Invoke) -> Reply {
        self.stats.sri += 1;
        let arg = inv.parameter.as_deref().and_then(|p| {
            Argument::decode(opcode::SEND_ROUTING_INFO_FOR_SM, Some(s.version), p).ok()
        });
        let Some(Argument::SendRoutingInfoForSm(a)) = arg else {
            // 29.002 / Q.773: the parameter does not decode: mistypedParameter.
            return self.reject(inv, 2);
        };
        // SS7-PROFILE.md: msisdn is an international E.164 ISDN-AddressString.
        let msisdn = a
            .msisdn
            .digits()
            .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()));
        let Some(msisdn) = msisdn.filter(|_| a.msisdn.nature() == 1 && a.msisdn.npi() == 1) else {
            return self.check_failed(Stage::Sri, "msisdn", inv);
        };
        if let Some(sc) = &self.cfg.o.smsc_gt {
            if a.service_centre_address.digits().as_deref() != Some(sc.as_str()) {
                return self.check_failed(Stage::Sri, "service_centre_address", inv);
            }
        }
        match self.outcome(Stage::Sri, &msisdn) {
            Some(Outcome::Drop) => Reply::Drop,
            Some(o) => {
                *self.stats.sri_errors.entry(o.key()).or_default() += 1;
                let e = o.map_error(s.version).expect("not a drop");
                Reply::End(error_component(inv.invoke_id, &e))
            }
            None => {
                self.stats.sri_ok += 1;
                let imsi = wire::imsi_for(&self.cfg.o.imsi_prefix, &msisdn);
                let msc = wire::msc_for(&self.cfg.o.msc_gt, &msisdn);
                let res = RoutingInfoForSmRes::new(
                    Tbcd::from_digits(&imsi).expect("digits"),
                    AddressString::international(&msc).expect("digits"),
                );
                let p = ResultValue::SendRoutingInfoForSm(Box::new(res)).encode();
                let c = Component::return_result_last(
                    inv.invoke_id,
                    Some((opcode::SEND_ROUTING_INFO_FOR_SM, p)),
                );
                if self.cfg.o.sri_continue {
                    Reply::More(c)
                } else {
                    Reply::End(c)
                }
            }
        }
    }

    fn serve_mt(&mut self, s: &mut Served, inv: &Invoke) -> Reply {
        let first = s.parts == 0;
        s.parts += 1;
        self.stats.parts += 1;
        if first {
            self.stats.mt_forward_sm += 1;
        }
        let op = inv.opcode.local().expect("checked by serve");
        let arg = inv
            .parameter
            .as_deref()
            .and_then(|p| Argument::decode(op, Some(s.version), p).ok());
        let Some(Argument::MtForwardSm(a)) = arg else {
            return self.reject(inv, 2);
        };
        let prefix = &self.cfg.o.imsi_prefix;
        let imsi = match &a.sm_rp_da {
            SmRpDa::Imsi(t) => t
                .digits()
                .filter(|d| d.len() == 15 && d.starts_with(prefix.as_str())),
            _ => None,
        };
        let Some(imsi) = imsi.filter(|d| d.bytes().all(|b| b.is_ascii_digit())) else {
            return self.check_failed(Stage::Mt, "sm_rp_da", inv);
        };
        match &s.imsi {
            Some(prev) if *prev != imsi => {
                return self.check_failed(Stage::Mt, "imsi_changed", inv);
            }
            Some(_) => {}
            None => {
                // The proxy must deliver to the MSC that SRI named for this subscriber.
                let want = wire::msc_for(&self.cfg.o.msc_gt, &imsi);
                if wire::gt_digits(&s.local).as_deref() != Some(want.as_str()) {
                    return self.check_failed(Stage::Mt, "msc_gt", inv);
                }
                s.imsi = Some(imsi.clone());
            }
        }
        let oa_ok = match &a.sm_rp_oa {
            SmRpOa::ServiceCentreAddress(sc) => match &self.cfg.o.smsc_gt {
                Some(want) => sc.digits().as_deref() == Some(want.as_str()),
                None => sc.digits().is_some(),
            },
            _ => false,
        };
        if !oa_ok {
            return self.check_failed(Stage::Mt, "sm_rp_oa", inv);
        }
        if !matches!(
            Tpdu::decode(&a.sm_rp_ui, Direction::ScToMs),
            Ok(Tpdu::Deliver(_))
        ) {
            return self.check_failed(Stage::Mt, "sm_rp_ui", inv);
        }
        if first {
            match self.outcome(Stage::Mt, &imsi) {
                Some(Outcome::Drop) => return Reply::Drop,
                Some(o) => {
                    *self.stats.mt_errors.entry(o.key()).or_default() += 1;
                    let e = o.map_error(s.version).expect("not a drop");
                    return Reply::End(error_component(inv.invoke_id, &e));
                }
                None => {}
            }
        }
        // 29.002: the result of mt-forwardSM (v3) may be empty; forwardSM (v1, v2) has none.
        let rr = Component::return_result_last(inv.invoke_id, None);
        if a.more_messages_to_send {
            Reply::More(rr)
        } else {
            self.stats.mt_ok += 1;
            Reply::End(rr)
        }
    }

    // ----- MO -------------------------------------------------------------------------------

    fn new_tid(&mut self) -> u32 {
        loop {
            let c = self.next_tid & 0x00ff_ffff;
            self.next_tid = self.next_tid.wrapping_add(1);
            let tid = ((self.idx as u32) << 24) | c;
            if c != 0 && !self.dialogues.contains_key(&tid) {
                return tid;
            }
        }
    }

    /// The MSISDN of the `n`th mobile: 12 digits, the prefix and a counter.
    fn mo_msisdn(&self, n: u64) -> String {
        let p = &self.cfg.o.mo_from;
        if p.len() >= 12 {
            return p.clone();
        }
        let w = 12 - p.len();
        let m = 10u64.pow(w as u32);
        let v = (n * self.cfg.shards as u64 + self.idx as u64) % m;
        format!("{p}{v:0w$}")
    }

    fn originate(&mut self, conn: ConnKey, n: u64, version: u8, now: u64) {
        let cfg = self.cfg.clone();
        let mo = cfg.mo.as_ref().expect("MO configured");
        let msisdn = self.mo_msisdn(n);
        let tpdu = Tpdu::Submit(Submit::new(
            (n & 0xff) as u8,
            mo.to.clone(),
            mo.dcs,
            ValidityPeriod::None,
            mo.ud.clone(),
        ))
        .encode();
        let oa = AddressString::international(&msisdn).expect("digits");
        let arg = if version >= 3 {
            Argument::MoForwardSm(MoForwardSmArg::new(mo.sc.clone(), oa, tpdu))
        } else {
            // 29.002 (v2): forwardSM with ForwardSM-Arg, the MT shape.
            Argument::MtForwardSm(MtForwardSmArg {
                sm_rp_da: SmRpDa::ServiceCentreAddress(mo.sc.clone()),
                sm_rp_oa: SmRpOa::Msisdn(oa),
                sm_rp_ui: tpdu,
                ..Default::default()
            })
        };
        let tid = self.new_tid();
        let msg = tcap::Message::begin(TransactionId::from_u32(tid))
            .with_dialogue(DialoguePortion::request(oid_of(
                AppContext::ShortMsgMoRelay,
                version,
            )))
            .with_component(Component::invoke(
                1,
                opcode::MO_FORWARD_SM,
                Some(arg.encode()),
            ));
        let calling = wire::gt_address(sccp::ssn::MSC, &wire::msc_for(&cfg.o.msc_gt, &msisdn));
        self.send_tcap(conn, (n & 0x0f) as u8, &mo.smsc, &calling, &msg, 0);
        self.stats.mo_sent += 1;
        self.dialogues.insert(
            tid,
            Dialogue::Mo(Mo {
                n,
                version,
                conn,
                deadline: now + cfg.o.mo_timeout.0.as_nanos() as u64,
            }),
        );
    }

    fn on_mo_answer(&mut self, conn: Option<ConnKey>, sls: u8, mo: Mo, m: tcap::Message, now: u64) {
        let refused = |d: &DialoguePortion| {
            matches!(&d.pdu, DialoguePdu::Response(a) if a.result != 0)
                .then(|| d.application_context().and_then(AppContext::from_oid))
        };
        match m.kind {
            MessageKind::Abort => {
                if let Some(AbortReason::User(d)) = &m.abort_reason {
                    if let Some(offer) = refused(d) {
                        // 29.002 15.x: the peer refused the context; retry in the version it
                        // offers, once.
                        let v = offer.map_or(2, |(_, v)| v);
                        if mo.version == 3 && v < 3 {
                            self.stats.mo_fallbacks += 1;
                            let c = conn.unwrap_or(mo.conn);
                            return self.originate(c, mo.n, v.max(2), now);
                        }
                    }
                }
                self.stats.mo_aborted += 1;
            }
            MessageKind::End => {
                let key = if m.dialogue.as_ref().and_then(refused).is_some() {
                    Some("refused")
                } else {
                    match m.components.iter().find(|c| c.invoke_id() == Some(1)) {
                        Some(Component::ReturnResult(r)) if r.last => None,
                        Some(Component::ReturnError(e)) => Some(mo_error_key(e)),
                        Some(Component::Reject(_)) => Some("reject"),
                        _ => Some("no_result"),
                    }
                };
                match key {
                    None => self.stats.mo_answered_ok += 1,
                    Some(k) => {
                        self.stats.mo_answered_error += 1;
                        *self.stats.mo_errors.entry(k).or_default() += 1;
                    }
                }
            }
            _ => {
                // The proxy answers MO with TC-END (SS7-PROFILE.md); a CONTINUE is aborted.
                self.stats.mo_answered_error += 1;
                *self.stats.mo_errors.entry("continue").or_default() += 1;
                if let (Some(otid), Some(c)) = (m.otid, conn) {
                    let abort = tcap::Message::abort(
                        otid,
                        Some(AbortReason::User(DialoguePortion::abort(None))),
                    );
                    self.stats.aborts_sent += 1;
                    let mo_t = self.cfg.mo.as_ref().expect("MO configured");
                    let smsc = mo_t.smsc.clone();
                    let msisdn = self.mo_msisdn(mo.n);
                    let calling = wire::gt_address(
                        sccp::ssn::MSC,
                        &wire::msc_for(&self.cfg.o.msc_gt, &msisdn),
                    );
                    self.send_tcap(c, sls, &smsc, &calling, &abort, 0);
                }
            }
        }
    }

    // ----- sending and time -----------------------------------------------------------------

    /// Sends a TCAP message from `calling` to `called` on `conn`, after `delay` ns.
    fn send_tcap(
        &mut self,
        conn: ConnKey,
        sls: u8,
        called: &PartyAddress,
        calling: &PartyAddress,
        msg: &tcap::Message,
        delay: u64,
    ) {
        let bytes = msg.encode();
        let label = self.cfg.label;
        self.local_ref = self.local_ref.wrapping_add(1);
        let lref = self.local_ref;
        if delay == 0 {
            let active = self
                .assoc(conn)
                .filter(|a| a.state == AspState::Active && !a.close);
            match active {
                Some(a) => {
                    let n = wire::put_sccp(&mut a.out, &label, sls, called, calling, bytes, lref);
                    self.stats.data_out += n as u64;
                    self.mark(conn);
                }
                None => self.stats.answers_lost += 1,
            }
        } else {
            let mut out = Vec::new();
            let n = wire::put_sccp(&mut out, &label, sls, called, calling, bytes, lref);
            self.wheel.push(
                self.now + delay,
                Event::Send {
                    conn,
                    bytes: out,
                    n,
                },
            );
        }
    }

    /// Fires what is due: delayed answers, MO origination at the configured rate, timeouts.
    pub(crate) fn tick(&mut self, now: u64) {
        self.now = now;
        self.wheel.poll(now, &mut self.due);
        let due = std::mem::take(&mut self.due);
        for ev in &due {
            let Event::Send { conn, bytes, n } = ev;
            let active = self
                .assoc(*conn)
                .filter(|a| a.state == AspState::Active && !a.close);
            match active {
                Some(a) => {
                    a.out.extend_from_slice(bytes);
                    self.stats.data_out += *n as u64;
                    self.mark(*conn);
                }
                None => self.stats.answers_lost += 1,
            }
        }
        self.due = due;
        self.due.clear();
        if self.cfg.mo.is_some() {
            self.pace_mo(now);
        }
        if now >= self.next_sweep {
            self.next_sweep = now + SWEEP_NS;
            self.sweep(now);
        }
    }

    fn pace_mo(&mut self, now: u64) {
        let rate = self.cfg.o.mo_rate / self.cfg.shards as f64;
        let elapsed = now.saturating_sub(self.mo_last) as f64 / 1e9;
        self.mo_last = now;
        // At most 100 ms worth of burst.
        self.mo_tokens = (self.mo_tokens + elapsed * rate).min((rate / 10.0).max(1.0));
        if self.mo_tokens < 1.0 {
            return;
        }
        let active: Vec<ConnKey> = self
            .assocs
            .iter()
            .flatten()
            .filter(|a| a.state == AspState::Active && !a.close)
            .map(|a| a.key)
            .collect();
        if active.is_empty() {
            return;
        }
        let version = if self.cfg.o.v2_only { 2 } else { 3 };
        while self.mo_tokens >= 1.0 {
            self.mo_tokens -= 1.0;
            let c = active[self.mo_rr % active.len()];
            self.mo_rr = self.mo_rr.wrapping_add(1);
            self.mo_n += 1;
            let n = self.mo_n;
            self.originate(c, n, version, now);
        }
    }

    fn sweep(&mut self, now: u64) {
        let stats = &mut self.stats;
        self.dialogues.retain(|_, d| match d {
            Dialogue::Served(s) if s.deadline <= now => {
                stats.dialogue_timeouts += 1;
                false
            }
            Dialogue::Mo(m) if m.deadline <= now => {
                stats.mo_timeouts += 1;
                false
            }
            _ => true,
        });
        self.reasm
            .expire((now / 1_000_000_000).saturating_sub(REASSEMBLY_SECS));
    }
}

/// The ReturnError component for a MAP error.
fn error_component(invoke_id: i64, e: &MapError) -> Component {
    Component::return_error(invoke_id, e.code, e.param.as_ref().map(ErrorParam::encode))
}

/// The key an MO error is counted under.
fn mo_error_key(e: &tcap::ReturnError) -> &'static str {
    let Some(code) = e.error_code.local() else {
        return "global_error_code";
    };
    let cause = match MapError::decode(code, e.parameter.as_deref()) {
        Ok(MapError {
            param: Some(ErrorParam::SmDeliveryFailure(c)),
            ..
        }) => Some(c.sm_enumerated_delivery_failure_cause),
        Ok(MapError {
            param: Some(ErrorParam::Enumerated { value, .. }),
            ..
        }) if code == err_code::SM_DELIVERY_FAILURE => Some(value),
        _ => None,
    };
    Outcome::Error { code, cause }.key()
}

/// The Routing Context parameter of a raw M3UA message, as ERR should carry it.
fn rc_param(frame: &[u8]) -> Vec<Parameter> {
    match m3ua::Message::decode(frame) {
        Ok(m) => m
            .routing_context()
            .map(|rc| vec![Parameter::RoutingContext(rc.to_vec())])
            .unwrap_or_default(),
        Err(_) => Vec::new(),
    }
}

/// Snake-case names of M3UA error codes, for the stats.
fn m3ua_error_name(code: u32) -> &'static str {
    match code {
        error_code::INVALID_VERSION => "invalid_version",
        error_code::UNSUPPORTED_MESSAGE_CLASS => "unsupported_message_class",
        error_code::UNSUPPORTED_MESSAGE_TYPE => "unsupported_message_type",
        error_code::UNSUPPORTED_TRAFFIC_MODE_TYPE => "unsupported_traffic_mode_type",
        error_code::UNEXPECTED_MESSAGE => "unexpected_message",
        error_code::PROTOCOL_ERROR => "protocol_error",
        error_code::INVALID_ROUTING_CONTEXT => "invalid_routing_context",
        error_code::INVALID_NETWORK_APPEARANCE => "invalid_network_appearance",
        error_code::MISSING_PARAMETER => "missing_parameter",
        error_code::PARAMETER_FIELD_ERROR => "parameter_field_error",
        _ => "other",
    }
}
