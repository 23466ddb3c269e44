//! One shard's state and everything it does with a PDU, synchronously. The glommio glue
//! ([`crate::tasks`]) reads sockets, calls into this, and writes what it leaves in the
//! connections' buffers; nothing here awaits, so a whole read batch is handled under one borrow.
//!
//! Data path of a submit_sm (DESIGN.md): the routing view is parsed without allocating, the
//! account's tps share is taken, the route looked up in the shard's own table snapshot, a
//! connector picked by the route's strategy among those bound and below their caps, and the PDU
//! copied into that bind's write buffer with a sequence number from its in-flight slab. The
//! response comes back through the slab to the client's sequence number with an own message id.

use crate::conn::Conn;
use crate::idmap::{self, IdGen, OwnEntry, OwnMap, RcptEntry, RcptMap, UpstreamId};
use crate::inflight::{Inflight, Pending};
use crate::mesh::{DeliveryJob, Forwarded, MeshMsg, Origin, Via};
use crate::rates::{LocalRate, REBALANCE};
use crate::session::client::{self as up, ClientConfig, ClientSession};
use crate::session::put_error_resp;
use crate::session::server::{self as srv, BindKind, ServerConfig, ServerSession};
use crate::shared::{AccountShared, ConnectorShared, Shared};
use crate::stats::{command_index, ShardStats};
use crate::waitq::WaitQueue;
use bytes::Bytes;
use smsedge_codecs::smpp::receipt::{
    receipt_message_id, rewrite_receipt, MessageState, ReceiptText,
};
use smsedge_codecs::smpp::view::{put_message_id_resp, resp_message_id};
use smsedge_codecs::smpp::{
    error_status, tag, Body, CommandId, CommandStatus, Header, Pdu, SmView,
};
use smsedge_control::config::{BindMode, Connector, Strategy};
use smsedge_control::publish::Snapshot;
use smsedge_control::routes::{AccountId, RouteAction, RouteQuery};
use smsedge_control::runtime::Runtime;
use std::collections::VecDeque;
use std::net::IpAddr;
use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Status answered when no upstream of the route is bound, or an upstream did not answer in
/// time, or a bind dropped with nowhere to retry: a temporary system error the ESME may retry.
pub const STATUS_UPSTREAM_FAILED: CommandStatus = CommandStatus::ESME_RSYSERR;
/// deliver_sm outstanding per ESME session before further ones queue: the session's own window
/// (server.session_window or the account's `window`), at least this.
pub const MIN_DELIVERY_WINDOW: usize = 16;
/// How long a receipt waits for its map entry to arrive from another shard.
const RECEIPT_WAIT: Duration = Duration::from_secs(2);
/// Attempts to deliver one receipt or MO before it is dropped (counted).
const MAX_ATTEMPTS: u8 = 5;

/// An ESME session and its connection.
#[derive(Debug)]
pub struct Client {
    /// Generation of the slab slot.
    pub gen: u32,
    /// The connection.
    pub conn: Rc<Conn>,
    /// The session state machine.
    pub session: ServerSession,
    /// Stable account index once bound.
    pub account: Option<u32>,
    /// The account's id in the runtime in force (refreshed on every table change).
    pub account_rt: Option<AccountId>,
    /// system_id bound with.
    pub system_id: String,
    /// Bind type.
    pub kind: Option<BindKind>,
    /// When bound.
    pub bound_at: Option<Instant>,
    /// deliver_sm sent and not answered, in the order sent: (sequence number, job, sent).
    pub deliveries: VecDeque<(u32, DeliveryJob, Instant)>,
    /// deliver_sm the session may have outstanding.
    pub delivery_window: usize,
}

impl Client {
    fn can_take_delivery(&self) -> bool {
        self.session.can_deliver()
            && self.deliveries.len() < self.delivery_window
            && !self.conn.is_closing()
    }
}

impl Client {
    /// A response to one of the ESME's requests was written: release its window slot, and close
    /// a session that was only waiting to pay what it owed.
    pub(crate) fn responded(&mut self) {
        self.session.responded();
        if self.session.should_close() {
            self.conn.close_after_flush();
        }
    }
}

/// A slab of clients whose keys carry a generation, so a stale reference is recognised.
#[derive(Debug, Default)]
pub struct Clients {
    slots: Vec<Option<Client>>,
    gens: Vec<u32>,
    free: Vec<u32>,
    len: usize,
}

impl Clients {
    fn insert(&mut self, make: impl FnOnce(u32) -> Client) -> (u32, u32) {
        let key = match self.free.pop() {
            Some(k) => k,
            None => {
                self.slots.push(None);
                self.gens.push(0);
                (self.slots.len() - 1) as u32
            }
        };
        let gen = self.gens[key as usize].wrapping_add(1);
        self.gens[key as usize] = gen;
        self.slots[key as usize] = Some(make(gen));
        self.len += 1;
        (key, gen)
    }

    /// The client at `key`.
    pub fn get(&self, key: u32) -> Option<&Client> {
        self.slots.get(key as usize)?.as_ref()
    }

    fn get_mut(&mut self, key: u32) -> Option<&mut Client> {
        self.slots.get_mut(key as usize)?.as_mut()
    }

    pub(crate) fn live_mut(&mut self, key: u32, gen: u32) -> Option<&mut Client> {
        self.get_mut(key).filter(|c| c.gen == gen)
    }

    fn remove(&mut self, key: u32) -> Option<Client> {
        let c = self.slots.get_mut(key as usize)?.take()?;
        self.free.push(key);
        self.len -= 1;
        Some(c)
    }

    /// Sessions open.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when no session is open.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn keys(&self) -> Vec<u32> {
        (0..self.slots.len() as u32)
            .filter(|&k| self.slots[k as usize].is_some())
            .collect()
    }

    /// Iterates over open sessions.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &Client)> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(k, c)| c.as_ref().map(|c| (k as u32, c)))
    }
}

/// One upstream bind slot of a connector on this shard.
#[derive(Debug)]
pub struct BindSlot {
    /// Generation: bumped on every new connection.
    pub gen: u32,
    /// The connection, while connected.
    pub conn: Option<Rc<Conn>>,
    /// The session, while connected.
    pub session: Option<ClientSession>,
    /// Forwarded requests awaiting their response.
    pub inflight: Inflight,
    /// False once the slot is no longer wanted (connector removed or rebuilt): its task drains
    /// it and stops.
    pub wanted: bool,
    /// A task is running for this slot.
    pub task: bool,
}

impl BindSlot {
    fn bound(&self) -> bool {
        self.session.as_ref().is_some_and(|s| s.can_submit()) && self.wanted
    }
}

/// A connector on this shard.
#[derive(Debug)]
pub struct ConnectorLocal {
    /// The cross-shard record.
    pub shared: Arc<ConnectorShared>,
    /// Its configuration in force.
    pub cfg: Connector,
    /// In the runtime in force.
    pub present: bool,
    /// Enabled by the operator.
    pub enabled: bool,
    /// This shard's share of the connector's tps.
    pub rate: LocalRate,
    /// Bind slots (`cfg.binds` wanted ones, plus retired ones draining).
    pub binds: Vec<BindSlot>,
    /// Requests waiting for room.
    pub waitq: WaitQueue,
    next_bind: usize,
    /// For `kind = "m3ua"`: the shard's associations (its "binds") and their settings.
    pub ss7: Option<Box<crate::ss7::link::Link>>,
}

impl ConnectorLocal {
    fn usable(&self) -> bool {
        self.present
            && self.enabled
            && (self.binds.iter().any(BindSlot::bound)
                || self.ss7.as_ref().is_some_and(|l| l.usable()))
    }

    /// A bound bind with room in its window, round robin (for SS7: an active association with
    /// room for another dialogue).
    fn bind_with_room(&mut self) -> Option<usize> {
        if let Some(link) = self.ss7.as_mut() {
            return link.assoc_with_room();
        }
        let n = self.binds.len();
        let window = self.cfg.window as usize;
        for i in 0..n {
            let b = (self.next_bind + i) % n;
            if self.binds[b].bound() && self.binds[b].inflight.has_room(window) {
                self.next_bind = (b + 1) % n;
                return Some(b);
            }
        }
        None
    }
}

/// An account on this shard.
#[derive(Debug)]
pub struct AccountLocal {
    /// The cross-shard record.
    pub shared: Arc<AccountShared>,
    /// This shard's share of the account's tps.
    pub rate: LocalRate,
    /// Local sessions that can receive deliver_sm.
    pub receivers: Vec<(u32, u32)>,
    next_receiver: usize,
    /// Receipts and MO waiting for a receiver bind or window (bounded).
    pub held: VecDeque<DeliveryJob>,
}

/// A receipt whose map entry has not arrived yet.
#[derive(Debug)]
struct ParkedReceipt {
    connector: u32,
    key: u128,
    is_final: bool,
    pdu: Vec<u8>,
    origin: Origin,
    until: Instant,
}

/// Where the router sends a request.
enum Choice {
    Forward(u32, usize),
    Wait(u32),
    Unavailable,
}

/// A shard.
pub struct ShardState {
    /// Shard number.
    pub id: usize,
    /// Process-wide state.
    pub shared: Arc<Shared>,
    pub(crate) rt: Snapshot<Runtime>,
    /// Time of the batch being handled.
    pub now: Instant,
    start: Instant,
    /// ESME sessions.
    pub clients: Clients,
    /// Connectors by stable index.
    pub connectors: Vec<Option<ConnectorLocal>>,
    pub(crate) conn_rt: Vec<u32>,
    accounts: Vec<Option<AccountLocal>>,
    pub(crate) acct_rt: Vec<u32>,
    route_turn: Vec<u32>,
    route_credit: Vec<Vec<i64>>,
    pub(crate) ids: IdGen,
    own: OwnMap,
    rcpt: RcptMap,
    parked: VecDeque<ParkedReceipt>,
    mesh_out: Vec<Vec<MeshMsg>>,
    /// Counters.
    pub stats: ShardStats,
    server_cfg: ServerConfig,
    last_session_tick: Instant,
    last_rebalance: Instant,
    last_slow_tick: Instant,
    turn: usize,
    /// Draining for shutdown: no new binds, ESMEs being unbound.
    pub draining: bool,
    /// Bind tasks the glue must start: (stable connector index, slot).
    pub spawn: Vec<(u32, usize)>,
    /// M3UA association tasks the glue must start: (stable connector index, association).
    pub spawn_ss7: Vec<(u32, usize)>,
    /// Dialogues, timers and buffers of the `m3ua` connectors.
    pub(crate) ss7: crate::ss7::Ss7,
}

impl std::fmt::Debug for ShardState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShardState")
            .field("id", &self.id)
            .field("clients", &self.clients.len())
            .finish_non_exhaustive()
    }
}

fn server_cfg(rt: &Runtime) -> ServerConfig {
    let s = &rt.server;
    ServerConfig {
        bind_timeout: s.bind_timeout,
        enquire_link_interval: s.enquire_link_interval,
        inactivity_timeout: s.inactivity_timeout,
        response_timeout: s.response_timeout,
        window: s.session_window,
    }
}

fn client_cfg(c: &Connector) -> ClientConfig {
    ClientConfig {
        kind: match c.bind {
            BindMode::Transmitter => BindKind::Transmitter,
            BindMode::Receiver => BindKind::Receiver,
            BindMode::Transceiver => BindKind::Transceiver,
        },
        system_id: Bytes::from(c.system_id.clone().into_bytes()),
        password: Bytes::from(c.password.clone().into_bytes()),
        system_type: Bytes::from(c.system_type.clone().into_bytes()),
        interface_version: c.interface_version as u8,
        enquire_link_interval: c.enquire_link_interval,
        response_timeout: c.response_timeout,
    }
}

/// Do two connector configs need new binds (rather than just new limits)?
fn binds_differ(a: &Connector, b: &Connector) -> bool {
    a.address != b.address
        || a.system_id != b.system_id
        || a.password != b.password
        || a.system_type != b.system_type
        || a.bind != b.bind
        || a.interface_version != b.interface_version
        || a.window != b.window
}

impl ShardState {
    /// A shard with the runtime snapshot `rt`.
    pub fn new(id: usize, shared: Arc<Shared>, rt: Snapshot<Runtime>) -> Self {
        let now = Instant::now();
        let server = &rt.get().server;
        let capacity = server.id_map_capacity as usize;
        let mut s = ShardState {
            id,
            ids: IdGen::new(id, shared.start_unix_ms),
            own: OwnMap::new(capacity),
            rcpt: RcptMap::new(capacity),
            mesh_out: (0..shared.shards).map(|_| Vec::new()).collect(),
            server_cfg: server_cfg(rt.get()),
            shared,
            rt,
            now,
            start: now,
            clients: Clients::default(),
            connectors: Vec::new(),
            conn_rt: Vec::new(),
            accounts: Vec::new(),
            acct_rt: Vec::new(),
            route_turn: Vec::new(),
            route_credit: Vec::new(),
            parked: VecDeque::new(),
            stats: ShardStats::default(),
            last_session_tick: now,
            last_rebalance: now,
            last_slow_tick: now,
            turn: 0,
            draining: false,
            spawn: Vec::new(),
            spawn_ss7: Vec::new(),
            ss7: crate::ss7::Ss7::new(id, now),
        };
        s.apply_runtime();
        s
    }

    pub(crate) fn secs(&self) -> u32 {
        self.now.duration_since(self.start).as_secs() as u32
    }

    /// The runtime in force.
    pub fn runtime(&self) -> &Runtime {
        self.rt.get()
    }

    /// Picks up a newly published runtime (once per batch: one atomic load when nothing
    /// changed).
    #[inline]
    pub fn refresh(&mut self) {
        if self.rt.refresh() {
            self.apply_runtime();
        }
    }

    fn apply_runtime(&mut self) {
        let rt = self.rt.arc().clone();
        let nshards = self.shared.shards;
        self.server_cfg = server_cfg(&rt);
        // Accounts: stable indexes by name, limits pushed to the shared records.
        self.acct_rt = rt
            .accounts
            .iter()
            .map(|a| self.shared.account(&a.config.system_id, a.config.tps).idx)
            .collect();
        for (rt_idx, a) in rt.accounts.iter().enumerate() {
            let idx = self.acct_rt[rt_idx];
            let local = self.account_local(idx);
            let _ = (local, a);
        }
        // Sessions follow their account to its new runtime index; a removed or disabled account
        // is unbound.
        for key in self.clients.keys() {
            let Some(c) = self.clients.get_mut(key) else {
                continue;
            };
            if c.account.is_none() {
                continue;
            }
            match rt.account_id(&c.system_id) {
                Some(id) if rt.account(id).config.enabled => c.account_rt = Some(id),
                _ => {
                    c.account_rt = None;
                    let mut out = c.conn.out();
                    c.session.begin_unbind(self.now, &mut out);
                    drop(out);
                    c.conn.flush_soon();
                }
            }
        }
        // Connectors.
        self.conn_rt = rt
            .connectors
            .iter()
            .map(|c| self.shared.connector(&c.config.name, c.config.tps).idx)
            .collect();
        for c in self.connectors.iter_mut().flatten() {
            c.present = false;
        }
        for (rt_idx, c) in rt.connectors.iter().enumerate() {
            let idx = self.conn_rt[rt_idx] as usize;
            if self.connectors.len() <= idx {
                self.connectors.resize_with(idx + 1, || None);
            }
            let shared = self
                .shared
                .connectors
                .get(idx as u32)
                .expect("interned above");
            let now = self.now;
            let server = &rt.server;
            let local = self.connectors[idx].get_or_insert_with(|| ConnectorLocal {
                shared,
                cfg: c.config.clone(),
                present: true,
                enabled: c.enabled,
                rate: LocalRate::new(c.config.tps, nshards, now),
                binds: Vec::new(),
                waitq: WaitQueue::new(
                    server.wait_queue as usize,
                    server.wait_queue as usize * 1024,
                ),
                next_bind: 0,
                ss7: None,
            });
            if binds_differ(&local.cfg, &c.config) {
                for b in &mut local.binds {
                    b.wanted = false;
                }
            }
            local.cfg = c.config.clone();
            local.present = true;
            local.enabled = c.enabled;
            if c.config.kind != smsedge_control::config::ConnectorKind::Smpp {
                continue;
            }
            let wanted = local.binds.iter().filter(|b| b.wanted).count();
            // Fewer binds wanted: retire the extra ones (they drain first).
            let mut extra = wanted.saturating_sub(c.config.binds as usize);
            for b in local.binds.iter_mut().rev() {
                if extra == 0 {
                    break;
                }
                if b.wanted {
                    b.wanted = false;
                    extra -= 1;
                }
            }
            for _ in wanted..c.config.binds as usize {
                // Reuse a finished slot, else add one.
                let slot = match local
                    .binds
                    .iter()
                    .position(|b| !b.wanted && !b.task && b.inflight.is_empty())
                {
                    Some(i) => i,
                    None => {
                        local.binds.push(BindSlot {
                            gen: 0,
                            conn: None,
                            session: None,
                            inflight: Inflight::new(c.config.window as usize),
                            wanted: true,
                            task: false,
                        });
                        local.binds.len() - 1
                    }
                };
                let b = &mut local.binds[slot];
                b.wanted = true;
                b.inflight = Inflight::new(c.config.window as usize);
                if !b.task {
                    b.task = true;
                    self.spawn.push((idx as u32, slot));
                }
            }
        }
        // Removed connectors: every bind retires (drains, then unbinds).
        for c in self.connectors.iter_mut().flatten() {
            if !c.present {
                for b in &mut c.binds {
                    b.wanted = false;
                }
            }
        }
        self.ss7_apply_runtime();
        let n = rt.routes.routes().len();
        self.route_turn = vec![0; n];
        self.route_credit = rt
            .routes
            .routes()
            .iter()
            .map(|r| vec![0; r.connectors.len()])
            .collect();
    }

    fn account_local(&mut self, idx: u32) -> &mut AccountLocal {
        account_local(&mut self.accounts, &self.shared, idx, self.now)
    }

    // ---------------------------------------------------------------- ESME side

    /// A new ESME connection; returns its key and generation.
    /// Whether one more ESME connection fits under server.max_connections (over all shards,
    /// read live so that config.reload changes it); when it does, it is counted until
    /// [`ShardState::client_closed`]. `Err` carries the number this shard refused so far.
    pub fn admits_client(&mut self) -> Result<(), u64> {
        let max = self.rt.get().server.max_connections as usize;
        let open = &self.shared.clients_open;
        if open.fetch_add(1, Ordering::Relaxed) < max {
            return Ok(());
        }
        open.fetch_sub(1, Ordering::Relaxed);
        self.stats.refused_connections += 1;
        Err(self.stats.refused_connections)
    }

    pub fn client_open(&mut self, conn: Rc<Conn>) -> (u32, u32) {
        self.stats.accepted += 1;
        let cfg = self.server_cfg;
        let now = self.now;
        let r = self.clients.insert(|gen| Client {
            gen,
            conn,
            session: ServerSession::new(cfg, now),
            account: None,
            account_rt: None,
            system_id: String::new(),
            kind: None,
            bound_at: None,
            deliveries: VecDeque::new(),
            delivery_window: MIN_DELIVERY_WINDOW,
        });
        self.stats.sessions = self.clients.len() as u64;
        r
    }

    /// The connection of client `key` broke framing: count it; the glue closes it.
    pub fn client_framing_error(&mut self) {
        self.stats.framing_errors += 1;
    }

    /// One complete PDU from ESME `key`.
    pub fn client_frame(&mut self, key: u32, frame: &[u8]) {
        let now = self.now;
        let Some(c) = self.clients.get_mut(key) else {
            return;
        };
        let conn = c.conn.clone();
        let ev = {
            let mut out = conn.out();
            c.session.handle_frame(now, frame, &mut out)
        };
        match ev {
            srv::Event::None => {}
            srv::Event::Close => conn.close_after_flush(),
            srv::Event::Bind { kind, pdu } => self.on_bind(key, kind, &pdu),
            srv::Event::Request { id, seq } => self.on_request(key, id, seq, frame),
            srv::Event::Response { id, seq, status } => {
                self.on_delivery_response(key, id, seq, status)
            }
        }
        conn.flush_soon();
    }

    fn on_bind(&mut self, key: u32, kind: BindKind, pdu: &Pdu) {
        let (Body::BindTransmitter(b) | Body::BindReceiver(b) | Body::BindTransceiver(b)) =
            &pdu.body
        else {
            return;
        };
        let Some(c) = self.clients.get_mut(key) else {
            return;
        };
        let peer_ip: IpAddr = c.conn.peer.ip();
        let system_id = String::from_utf8_lossy(&b.system_id).into_owned();
        let rt = self.rt.get();
        // v3.4 4.1: unknown system_id → ESME_RINVSYSID, wrong password → ESME_RINVPASWD; a
        // refused source address or a full bind allowance → ESME_RBINDFAIL.
        let status = if self.draining {
            CommandStatus::ESME_RBINDFAIL
        } else {
            match rt.account_by_system_id(&system_id) {
                None => CommandStatus::ESME_RINVSYSID,
                Some(a) if !a.config.enabled => CommandStatus::ESME_RBINDFAIL,
                Some(a) if !a.password_matches(&b.password) => CommandStatus::ESME_RINVPASWD,
                Some(a) if !a.ip_allowed(peer_ip) => CommandStatus::ESME_RBINDFAIL,
                Some(a) => {
                    let shared = self.shared.account(&a.config.system_id, a.config.tps);
                    if shared.try_add_bind(a.config.max_binds) {
                        c.account = Some(shared.idx);
                        c.account_rt = Some(a.id);
                        c.system_id = system_id.clone();
                        c.kind = Some(kind);
                        c.bound_at = Some(self.now);
                        c.session.set_window(a.window(&rt.server));
                        c.delivery_window =
                            (a.window(&rt.server) as usize).max(MIN_DELIVERY_WINDOW);
                        CommandStatus::ESME_ROK
                    } else {
                        CommandStatus::ESME_RBINDFAIL
                    }
                }
            }
        };
        let mut out = c.conn.out();
        let ev = c.session.bind_result(
            kind,
            pdu.sequence_number,
            status,
            b"smsedge",
            b.interface_version,
            &mut out,
        );
        drop(out);
        if matches!(ev, srv::Event::Close) {
            c.conn.close_after_flush();
        }
        if status.is_ok() {
            let idx = c.account.expect("set above");
            tracing::info!(shard = self.id, system_id = %system_id, bind = kind.name(), peer = %peer_ip, "bind");
            let id = self.id;
            let a = self.account_local(idx);
            if kind.can_receive() {
                a.receivers.push((key, 0));
                a.shared.receivers[id].fetch_add(1, Ordering::Relaxed);
            }
            self.stats.account(idx).binds += 1;
            self.pump_held(idx);
        } else {
            self.stats.bind_failures += 1;
            tracing::info!(shard = self.id, system_id = %system_id, peer = %peer_ip, status = %status, "bind refused");
        }
    }

    /// Answers request `seq` of client `key` with `status` and no body, and releases its window
    /// slot.
    fn answer(&mut self, key: u32, id: CommandId, seq: u32, status: CommandStatus, account: u32) {
        if let Some(c) = self.clients.get_mut(key) {
            put_error_resp(&mut c.conn.out(), id, status, seq);
            c.responded();
        }
        *self
            .stats
            .account(account)
            .responses
            .entry(status.0)
            .or_default() += 1;
    }

    fn on_request(&mut self, key: u32, id: CommandId, seq: u32, frame: &[u8]) {
        let Some(c) = self.clients.get(key) else {
            return;
        };
        let (Some(account), Some(account_rt)) = (c.account, c.account_rt) else {
            // Bound to an account that was removed: the session is being unbound.
            self.answer_unaccounted(key, id, seq, CommandStatus::ESME_RINVBNDSTS);
            return;
        };
        let gen = c.gen;
        self.stats.account(account).requests[command_index(id)] += 1;
        match id {
            CommandId::SubmitSm | CommandId::DataSm => {
                self.on_submit(key, gen, account, account_rt, id, seq, frame)
            }
            CommandId::SubmitMulti => {
                self.on_submit_multi(key, gen, account, account_rt, seq, frame)
            }
            CommandId::QuerySm | CommandId::CancelSm | CommandId::ReplaceSm => {
                self.on_by_id(key, gen, account, id, seq, frame)
            }
            // broadcast_sm and friends reach cell broadcast centres, not SMSCs: no route carries
            // them (v5.0 ESME_RPROHIBITED: "prohibited from using specified operation").
            _ => self.answer(key, id, seq, CommandStatus::ESME_RPROHIBITED, account),
        }
    }

    fn answer_unaccounted(&mut self, key: u32, id: CommandId, seq: u32, status: CommandStatus) {
        if let Some(c) = self.clients.get_mut(key) {
            put_error_resp(&mut c.conn.out(), id, status, seq);
            c.responded();
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn on_submit(
        &mut self,
        key: u32,
        gen: u32,
        account: u32,
        account_rt: AccountId,
        id: CommandId,
        seq: u32,
        frame: &[u8],
    ) {
        let now = self.now;
        let view = match SmView::parse(frame) {
            Ok(v) => v,
            Err(e) => return self.answer(key, id, seq, error_status(&e), account),
        };
        if !self.account_local(account).rate.admit(now) {
            self.stats.account(account).throttled += 1;
            return self.answer(key, id, seq, CommandStatus::ESME_RTHROTTLED, account);
        }
        let q = RouteQuery {
            destination: view.destination_addr(),
            account: account_rt,
            source_addr: view.source_addr(),
            service_type: view.service_type(),
            data_coding: view.data_coding(),
        };
        let pending = Pending {
            client: key,
            client_gen: gen,
            client_seq: seq,
            command_id: id,
            account,
            registered_delivery: view.registered_delivery(),
            sent: now,
            received: now,
            tried: 0,
            own_id: 0,
        };
        self.route_and_send(q, pending, frame);
    }

    fn on_submit_multi(
        &mut self,
        key: u32,
        gen: u32,
        account: u32,
        account_rt: AccountId,
        seq: u32,
        frame: &[u8],
    ) {
        let id = CommandId::SubmitMulti;
        let pdu = match Pdu::decode_slice(frame) {
            Ok(p) => p,
            Err(e) => return self.answer(key, id, seq, error_status(&e), account),
        };
        let Body::SubmitMulti(m) = &pdu.body else {
            return;
        };
        let now = self.now;
        if !self.account_local(account).rate.admit(now) {
            self.stats.account(account).throttled += 1;
            return self.answer(key, id, seq, CommandStatus::ESME_RTHROTTLED, account);
        }
        // Routed by its first SME destination: the whole list goes to one upstream, which
        // reports per-destination failures in unsuccess_sme.
        let dest = m.dest_address.iter().find_map(|d| match d {
            smsedge_codecs::smpp::DestAddress::Sme(a) => Some(a.destination_addr.clone()),
            smsedge_codecs::smpp::DestAddress::DistributionList(_) => None,
        });
        let Some(dest) = dest else {
            // Distribution lists live in the SMSC that defines them; the proxy has none.
            return self.answer(key, id, seq, CommandStatus::ESME_RCNTSUBDL, account);
        };
        let q = RouteQuery {
            destination: &dest,
            account: account_rt,
            source_addr: &m.source_addr,
            service_type: &m.service_type,
            data_coding: m.tail.data_coding,
        };
        let pending = Pending {
            client: key,
            client_gen: gen,
            client_seq: seq,
            command_id: id,
            account,
            registered_delivery: m.tail.registered_delivery,
            sent: self.now,
            received: self.now,
            tried: 0,
            own_id: 0,
        };
        self.route_and_send(q, pending, frame);
    }

    /// Looks the route up and forwards, queues or refuses.
    fn route_and_send(&mut self, q: RouteQuery<'_>, pending: Pending, frame: &[u8]) {
        let rt = self.rt.get();
        let (key, id, seq, account) = (
            pending.client,
            pending.command_id,
            pending.client_seq,
            pending.account,
        );
        let Some(route) = rt.routes.lookup(&q) else {
            let status = CommandStatus(rt.server.no_route_status.0);
            return self.answer(key, id, seq, status, account);
        };
        if let RouteAction::Reject(status) = route.action {
            return self.answer(key, id, seq, CommandStatus(status), account);
        }
        let choice = choose(
            &mut self.connectors,
            &self.conn_rt,
            &mut self.route_turn,
            &mut self.route_credit,
            route,
            pending.tried,
            self.now,
        );
        match choice {
            Choice::Forward(c, b) => self.forward(c, b, pending, frame),
            Choice::Wait(c) => {
                let deadline = self.now + rt.server.wait_timeout;
                let conn = self.connectors[c as usize]
                    .as_mut()
                    .expect("chosen connector");
                if let Err(p) = conn.waitq.push(pending, frame, deadline) {
                    self.answer(
                        p.client,
                        p.command_id,
                        p.client_seq,
                        CommandStatus::ESME_RMSGQFUL,
                        p.account,
                    );
                }
            }
            Choice::Unavailable => self.answer(key, id, seq, STATUS_UPSTREAM_FAILED, account),
        }
    }

    /// Writes `frame` to bind `b` of connector `c` with a fresh sequence number.
    fn forward(&mut self, c: u32, b: usize, mut pending: Pending, frame: &[u8]) {
        let now = self.now;
        let conn = self.connectors[c as usize]
            .as_mut()
            .expect("forward to a known connector");
        if conn.ss7.is_some() {
            return self.ss7_forward(c, b, pending, frame);
        }
        let deadline = now + conn.cfg.response_timeout;
        let slot = &mut conn.binds[b];
        pending.sent = now;
        pending.tried |= 1u64 << (c % 64);
        let seq = slot.inflight.insert_pdu(pending, deadline, frame);
        let io = slot.conn.as_ref().expect("bound slot has a connection");
        {
            let mut out = io.out();
            let at = out.len();
            out.extend_from_slice(frame);
            Header::new_unchecked(&mut out[at..at + 16]).set_sequence_number(seq);
        }
        io.flush_soon();
        self.stats.connector(c).forwarded += 1;
    }

    /// query_sm, cancel_sm, replace_sm: the message id is ours; find the upstream's.
    fn on_by_id(
        &mut self,
        key: u32,
        gen: u32,
        account: u32,
        id: CommandId,
        seq: u32,
        frame: &[u8],
    ) {
        let req = Forwarded {
            shard: self.id as u16,
            client: key,
            client_gen: gen,
            account,
            pdu: frame.to_vec(),
        };
        let own = match Pdu::decode_slice(frame) {
            Ok(p) => message_id_of(&p).and_then(idmap::parse_id),
            Err(e) => return self.answer(key, id, seq, error_status(&e), account),
        };
        let Some(own) = own else {
            return self.answer(key, id, seq, CommandStatus::ESME_RINVMSGID, account);
        };
        let owner = idmap::id_shard(own);
        if owner == self.id || owner >= self.shared.shards {
            let found = self.own_lookup(own, account);
            self.by_id_found(req, found);
        } else {
            self.mesh(owner, MeshMsg::OwnLookup(req));
        }
    }

    fn own_lookup(&self, own: u64, account: u32) -> Option<(u32, Vec<u8>)> {
        let ttl = self.rt.get().server.message_id_ttl.as_secs() as u32;
        let e = self.own.get(own, self.secs(), ttl)?;
        // A client may only reach its own messages.
        (e.account == account).then(|| (e.connector, e.upstream.as_bytes().to_vec()))
    }

    fn by_id_found(&mut self, req: Forwarded, found: Option<(u32, Vec<u8>)>) {
        if self.clients.live_mut(req.client, req.client_gen).is_none() {
            return;
        }
        let h = Header::new_unchecked(&req.pdu[..]);
        let (id, seq) = (h.command_id(), h.sequence_number());
        let Some((c, upstream_id)) = found else {
            let status = if id == CommandId::QuerySm {
                CommandStatus::ESME_RQUERYFAIL
            } else {
                CommandStatus::ESME_RINVMSGID
            };
            return self.answer(req.client, id, seq, status, req.account);
        };
        let Ok(mut pdu) = Pdu::decode_slice(&req.pdu) else {
            return;
        };
        let own_id = message_id_of(&pdu).and_then(idmap::parse_id).unwrap_or(0);
        set_message_id(&mut pdu, Bytes::from(upstream_id));
        let bytes = pdu.to_vec();
        let b = self
            .connectors
            .get_mut(c as usize)
            .and_then(|x| x.as_mut())
            .filter(|x| x.present && x.enabled)
            .and_then(|x| x.bind_with_room());
        let Some(b) = b else {
            return self.answer(req.client, id, seq, STATUS_UPSTREAM_FAILED, req.account);
        };
        let pending = Pending {
            client: req.client,
            client_gen: req.client_gen,
            client_seq: seq,
            command_id: id,
            account: req.account,
            registered_delivery: 0,
            sent: self.now,
            received: self.now,
            tried: 0,
            own_id,
        };
        self.forward(c, b, pending, &bytes);
    }

    /// The ESME `key` closed.
    pub fn client_closed(&mut self, key: u32) {
        let Some(mut c) = self.clients.remove(key) else {
            return;
        };
        self.shared.clients_open.fetch_sub(1, Ordering::Relaxed);
        self.stats.sessions = self.clients.len() as u64;
        if let Some(idx) = c.account {
            let id = self.id;
            let receives = c.kind.is_some_and(|k| k.can_receive());
            let a = self.account_local(idx);
            a.shared.remove_bind();
            if receives {
                a.receivers.retain(|(k, _)| *k != key);
                let _ = a.shared.receivers[id].fetch_update(
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                    |n| n.checked_sub(1),
                );
            }
            let st = self.stats.account(idx);
            st.binds = st.binds.saturating_sub(1);
            tracing::info!(shard = self.id, system_id = %c.system_id, "unbind");
            // Deliveries the ESME did not answer go back to the account's queue.
            for (_, job, _) in std::mem::take(&mut c.deliveries) {
                self.redeliver(job);
            }
        }
    }

    // ---------------------------------------------------------------- upstream side

    /// Bind task for slot `b` of connector `c` connected: start the session. Returns false when
    /// the slot is no longer wanted.
    pub fn bind_connected(&mut self, c: u32, b: usize, conn: Rc<Conn>) -> Option<u32> {
        let now = self.now;
        let local = self.connectors.get_mut(c as usize)?.as_mut()?;
        let slot = local.binds.get_mut(b)?;
        if !slot.wanted || self.draining {
            return None;
        }
        slot.gen = slot.gen.wrapping_add(1);
        let session = ClientSession::start(client_cfg(&local.cfg), now, &mut conn.out());
        conn.flush_soon();
        slot.session = Some(session);
        slot.conn = Some(conn);
        Some(slot.gen)
    }

    /// True while bind slot `b` of connector `c` should stay connected.
    pub fn bind_wanted(&self, c: u32, b: usize) -> bool {
        self.connectors
            .get(c as usize)
            .and_then(|x| x.as_ref())
            .and_then(|x| x.binds.get(b))
            .is_some_and(|s| s.wanted)
            && !self.draining
    }

    /// The address and reconnect delays of connector `c`.
    pub fn connector_target(&self, c: u32) -> Option<(String, Duration, Duration)> {
        let x = self.connectors.get(c as usize)?.as_ref()?;
        Some((
            x.cfg.address.clone(),
            x.cfg.reconnect_min,
            x.cfg.reconnect_max,
        ))
    }

    /// One complete PDU from upstream bind `b` of connector `c`.
    pub fn upstream_frame(&mut self, c: u32, b: usize, frame: &[u8]) {
        let now = self.now;
        let Some(local) = self.connectors.get_mut(c as usize).and_then(|x| x.as_mut()) else {
            return;
        };
        let Some(slot) = local.binds.get_mut(b) else {
            return;
        };
        let (Some(session), Some(conn)) = (slot.session.as_mut(), slot.conn.clone()) else {
            return;
        };
        let ev = session.handle_frame(now, frame, &mut conn.out());
        conn.flush_soon();
        match ev {
            up::Event::None => {}
            up::Event::Bound => {
                tracing::info!(shard = self.id, connector = %local.cfg.name, bind = b, "upstream bound");
                self.stats.connector(c).binds_up += 1;
                self.pump(c);
            }
            up::Event::BindFailed(status) => {
                tracing::warn!(shard = self.id, connector = %local.cfg.name, bind = b, status = %status, "upstream refused bind");
                conn.close_after_flush();
            }
            up::Event::Close => conn.close_after_flush(),
            up::Event::Response { id, seq, status } => {
                self.on_upstream_response(c, b, id, seq, status, frame)
            }
            up::Event::Deliver { id, seq } => self.on_upstream_deliver(c, b, id, seq, frame),
        }
    }

    fn on_upstream_response(
        &mut self,
        c: u32,
        b: usize,
        id: CommandId,
        seq: u32,
        status: u32,
        frame: &[u8],
    ) {
        let now = self.now;
        let local = self.connectors[c as usize]
            .as_mut()
            .expect("checked by caller");
        let resp_fmt = local.cfg.resp_id;
        let Some(p) = local.binds[b].inflight.take(seq) else {
            // Late (after a timeout answered the client) or unknown.
            return;
        };
        let st = self.stats.connector(c);
        *st.responses.entry(status).or_default() += 1;
        let _ = st
            .latency_us
            .record(now.duration_since(p.sent).as_micros().max(1) as u64);
        let resp = p
            .command_id
            .response()
            .expect("forwarded requests have responses");
        let ok = status == 0 && id != CommandId::GenericNack;
        let mut idbuf = [0u8; 20];
        let mut own_str: Option<&[u8]> = None;
        let mut multi_body: Option<Vec<u8>> = None;
        if ok
            && matches!(
                p.command_id,
                CommandId::SubmitSm | CommandId::DataSm | CommandId::SubmitMulti
            )
        {
            let upstream_id: &[u8] = resp_message_id(frame).ok().flatten().unwrap_or(b"");
            let own = self.ids.next_id();
            let secs = self.secs();
            self.own.insert(OwnEntry {
                id: own,
                connector: c,
                upstream: UpstreamId::new(upstream_id),
                account: p.account,
                created: secs,
            });
            // v3.4 5.2.17: bits 0-1 ask for an SMSC receipt, bits 2-3 SME acknowledgements,
            // bit 4 intermediate notifications: all come back as deliver_sm to correlate.
            if p.registered_delivery & 0x1f != 0 && !upstream_id.is_empty() {
                let key = idmap::upstream_key(upstream_id, resp_fmt);
                let entry = RcptEntry {
                    own_id: own,
                    account: p.account,
                    created: secs,
                };
                let owner = idmap::key_owner(c, key, self.shared.shards);
                if owner == self.id {
                    self.rcpt.insert(c, key, entry);
                    self.retry_parked(c, key);
                } else {
                    self.mesh(
                        owner,
                        MeshMsg::RcptInsert {
                            connector: c,
                            key,
                            entry,
                        },
                    );
                }
            }
            own_str = Some(idmap::format_id(own, &mut idbuf));
            if p.command_id == CommandId::SubmitMulti {
                multi_body = rewrite_multi_resp(frame, own_str.unwrap_or_default(), p.client_seq);
            }
        } else if ok && p.command_id == CommandId::QuerySm {
            // query_sm_resp carries the upstream id: give the client back its own.
            if let Ok(mut pdu) = Pdu::decode_slice(frame) {
                if let Body::QuerySmResp(Some(r)) = &mut pdu.body {
                    r.message_id = Bytes::copy_from_slice(idmap::format_id(p.own_id, &mut idbuf));
                }
                pdu.sequence_number = p.client_seq;
                multi_body = Some(pdu.to_vec());
            }
        }
        match self.clients.live_mut(p.client, p.client_gen) {
            Some(client) => {
                {
                    let mut out = client.conn.out();
                    match (&multi_body, own_str) {
                        (Some(bytes), _) => out.extend_from_slice(bytes),
                        (None, Some(own)) => {
                            put_message_id_resp(&mut out, resp.to_u32(), 0, p.client_seq, Some(own))
                        }
                        (None, None) => put_error_resp(
                            &mut out,
                            p.command_id,
                            CommandStatus(status),
                            p.client_seq,
                        ),
                    }
                }
                client.responded();
                client.conn.flush_soon();
            }
            None => self.stats.orphan_responses += 1,
        }
        *self
            .stats
            .account(p.account)
            .responses
            .entry(if ok { 0 } else { status })
            .or_default() += 1;
        self.pump(c);
    }

    fn on_upstream_deliver(&mut self, c: u32, b: usize, id: CommandId, seq: u32, frame: &[u8]) {
        let local = self.connectors[c as usize]
            .as_ref()
            .expect("checked by caller");
        let origin = Origin {
            shard: self.id as u16,
            connector: c,
            bind: b as u16,
            gen: local.binds[b].gen,
            seq,
            resp_id: id
                .response()
                .expect("deliver_sm and data_sm have responses")
                .to_u32(),
            via: Via::Smpp,
        };
        let rcpt_fmt = local.cfg.receipt_id;
        let view = match SmView::parse(frame) {
            Ok(v) => v,
            Err(e) => return self.complete_origin(origin, error_status(&e).0),
        };
        if view.is_receipt() {
            self.stats.connector(c).receipts += 1;
            let Some(upstream_id) = receipt_message_id(&view) else {
                self.stats.receipts_unmatched += 1;
                return self.complete_origin(origin, 0);
            };
            let key = idmap::upstream_key(upstream_id, rcpt_fmt);
            let state = view
                .tlv(tag::MESSAGE_STATE)
                .and_then(|v| v.first().copied())
                .and_then(MessageState::from_u8)
                .or_else(|| ReceiptText::parse(view.payload()).and_then(|r| r.state()));
            let is_final = state.is_none_or(MessageState::is_final);
            let owner = idmap::key_owner(c, key, self.shared.shards);
            if owner == self.id {
                self.receipt_at_owner(c, key, is_final, frame, origin);
            } else {
                self.mesh(
                    owner,
                    MeshMsg::Receipt {
                        connector: c,
                        key,
                        is_final,
                        pdu: frame.to_vec(),
                        origin,
                    },
                );
            }
        } else {
            self.stats.connector(c).mo += 1;
            let rt = self.rt.get();
            let Some(acct) = rt.mo_routes.lookup(view.destination_addr()) else {
                // No account owns this destination.
                return self.complete_origin(origin, CommandStatus::ESME_RINVDSTADR.0);
            };
            let account = self.acct_rt[acct.0 as usize];
            let created_s = self.secs();
            self.dispatch(DeliveryJob {
                account,
                pdu: frame.to_vec(),
                origin: Some(origin),
                created_s,
                attempts: 0,
            });
        }
    }

    fn receipt_at_owner(
        &mut self,
        c: u32,
        key: u128,
        is_final: bool,
        frame: &[u8],
        origin: Origin,
    ) {
        match self.rcpt.lookup(c, key, is_final) {
            Some(e) => {
                let Ok(view) = SmView::parse(frame) else {
                    return self.complete_origin(origin, 0);
                };
                let mut idbuf = [0u8; 20];
                let own = idmap::format_id(e.own_id, &mut idbuf);
                let mut pdu = Vec::with_capacity(frame.len() + 24);
                if rewrite_receipt(&view, own, 0, &mut pdu).is_err() {
                    pdu.clear();
                    pdu.extend_from_slice(frame);
                }
                let created_s = self.secs();
                self.dispatch(DeliveryJob {
                    account: e.account,
                    pdu,
                    origin: Some(origin),
                    created_s,
                    attempts: 0,
                });
            }
            None => self.parked.push_back(ParkedReceipt {
                connector: c,
                key,
                is_final,
                pdu: frame.to_vec(),
                origin,
                until: self.now + RECEIPT_WAIT,
            }),
        }
    }

    fn retry_parked(&mut self, c: u32, key: u128) {
        if self.parked.is_empty() {
            return;
        }
        if let Some(i) = self
            .parked
            .iter()
            .position(|p| p.connector == c && p.key == key)
        {
            let p = self.parked.remove(i).expect("found");
            self.receipt_at_owner(p.connector, p.key, p.is_final, &p.pdu, p.origin);
        }
    }

    /// Answers an upstream deliver_sm: here if the bind is on this shard, else via its shard.
    pub(crate) fn complete_origin(&mut self, o: Origin, status: u32) {
        if o.shard as usize != self.id {
            return self.mesh(o.shard as usize, MeshMsg::DeliverDone { origin: o, status });
        }
        if o.via == Via::Ss7 {
            return self.ss7_mo_done(o, status);
        }
        let Some(slot) = self
            .connectors
            .get(o.connector as usize)
            .and_then(|x| x.as_ref())
            .and_then(|x| x.binds.get(o.bind as usize))
        else {
            return;
        };
        if slot.gen != o.gen {
            return; // That connection is gone; the SMSC will resend.
        }
        if let Some(conn) = &slot.conn {
            // v3.4 4.6.2: deliver_sm_resp's message_id is unused and set to NULL.
            put_message_id_resp(&mut conn.out(), o.resp_id, status, o.seq, Some(b""));
            conn.flush_soon();
        }
    }

    /// Sends a receipt or MO towards a receiver bind of its account, or holds it.
    pub(crate) fn dispatch(&mut self, mut job: DeliveryJob) {
        let id = self.id;
        let shards = self.shared.shards;
        self.turn = self.turn.wrapping_add(1);
        let turn = self.turn;
        let a = self.account_local(job.account);
        match a.shared.receiver_shard(id, shards, turn) {
            Some(s) if s == id => self.deliver_local(job),
            Some(s) => self.mesh(s, MeshMsg::Deliver(job)),
            None => {
                // An MO from SS7 is not taken into custody: the network keeps it and hears
                // sm-DeliveryFailure (nothing is acknowledged that was not delivered).
                if let Some(o) = job.origin.filter(|o| o.via == Via::Ss7) {
                    self.stats.account(job.account).refused += 1;
                    return self.complete_origin(o, CommandStatus::ESME_RDELIVERYFAILURE.0);
                }
                // Nobody to deliver to: the proxy takes custody and answers the upstream now.
                if let Some(o) = job.origin.take() {
                    self.complete_origin(o, 0);
                }
                self.hold(job);
            }
        }
    }

    /// Queues a delivery until a receiver has room. The queue is bounded: when it is full, a
    /// delivery the upstream still waits on is refused back to it with ESME_RMSGQFUL (the SMSC
    /// keeps it and retries: backpressure, nothing lost); one the proxy already answered for
    /// pushes out the oldest, which is counted as expired.
    fn hold(&mut self, mut job: DeliveryJob) {
        // An MO from SS7 is not taken into custody: its dialogue has a deadline after which the
        // network hears a failure and retries, so holding it could deliver it twice. Refused
        // now (sc-Congestion), the MSC retries later.
        if let Some(o) = job.origin.filter(|o| o.via == Via::Ss7) {
            self.stats.account(job.account).refused += 1;
            return self.complete_origin(o, CommandStatus::ESME_RMSGQFUL.0);
        }
        let cap = self.rt.get().server.receipt_queue as usize;
        let idx = job.account;
        let a = self.account_local(idx);
        if a.held.len() >= cap {
            if let Some(o) = job.origin.take() {
                self.stats.account(idx).refused += 1;
                return self.complete_origin(o, CommandStatus::ESME_RMSGQFUL.0);
            }
            if let Some(mut old) = a.held.pop_front() {
                self.stats.account(idx).expired += 1;
                if let Some(o) = old.origin.take() {
                    self.complete_origin(o, CommandStatus::ESME_RMSGQFUL.0);
                }
            }
        }
        let a = self.account_local(idx);
        a.held.push_back(job);
        let n = a.held.len() as u64;
        self.stats.account(idx).queued = n;
    }

    fn redeliver(&mut self, mut job: DeliveryJob) {
        job.attempts += 1;
        // One attempt for an SS7 MO: the network is answered now and retries on its side.
        let ss7 = job.origin.is_some_and(|o| o.via == Via::Ss7);
        if ss7 || job.attempts >= MAX_ATTEMPTS {
            if let Some(o) = job.origin.take() {
                self.complete_origin(o, CommandStatus::ESME_RDELIVERYFAILURE.0);
            } else {
                self.stats.account(job.account).expired += 1;
            }
            return;
        }
        self.dispatch(job);
    }

    /// Writes a delivery to a local receiver of its account with room, else holds it.
    fn deliver_local(&mut self, job: DeliveryJob) {
        let now = self.now;
        let idx = job.account;
        let a = account_local(&mut self.accounts, &self.shared, idx, now);
        let n = a.receivers.len();
        let mut target = None;
        for i in 0..n {
            let r = (a.next_receiver + i) % n;
            let key = a.receivers[r].0;
            if let Some(c) = self.clients.get(key) {
                if c.can_take_delivery() {
                    target = Some(key);
                    a.next_receiver = (r + 1) % n;
                    break;
                }
            }
        }
        let Some(key) = target else {
            if n == 0 {
                // Our receivers went away meanwhile: try elsewhere or hold.
                return self.dispatch_or_hold(job);
            }
            return self.hold(job);
        };
        let c = self.clients.get_mut(key).expect("found above");
        let seq = c.session.next_seq();
        {
            let mut out = c.conn.out();
            let at = out.len();
            // SMPP v3.3 has no optional parameters: an ESME that bound with interface_version
            // 0x33 or lower (v3.4 5.2.4) gets the PDU without them.
            let end = if c.session.interface_version() < 0x34 {
                SmView::parse(&job.pdu).map_or(job.pdu.len(), |v| v.tlvs_offset())
            } else {
                job.pdu.len()
            };
            out.extend_from_slice(&job.pdu[..end]);
            if out.len() >= at + 16 {
                let mut h = Header::new_unchecked(&mut out[at..at + 16]);
                h.set_sequence_number(seq);
                h.set_command_length(end as u32);
            }
        }
        c.conn.flush_soon();
        c.deliveries.push_back((seq, job, now));
    }

    fn dispatch_or_hold(&mut self, job: DeliveryJob) {
        let (shards, id) = (self.shared.shards, self.id);
        let a = self.account_local(job.account);
        if a.shared.has_receiver(shards) && a.shared.receivers[id].load(Ordering::Relaxed) == 0 {
            self.dispatch(job);
        } else {
            self.hold(job);
        }
    }

    fn on_delivery_response(&mut self, key: u32, _id: CommandId, seq: u32, status: u32) {
        let Some(c) = self.clients.get_mut(key) else {
            return;
        };
        // ESMEs answer in order almost always: the front is the one.
        let i = if c.deliveries.front().is_some_and(|(s, _, _)| *s == seq) {
            0
        } else {
            match c.deliveries.iter().position(|(s, _, _)| *s == seq) {
                Some(i) => i,
                None => return,
            }
        };
        let Some((_, mut job, _)) = c.deliveries.remove(i) else {
            return;
        };
        let account = job.account;
        if status == 0 {
            self.stats.account(account).delivered += 1;
            if let Some(o) = job.origin.take() {
                self.complete_origin(o, 0);
            }
        } else if let Some(o) = job.origin.take() {
            // The ESME refused it: the upstream hears the ESME's own answer.
            self.complete_origin(o, status);
        } else {
            self.redeliver(job);
        }
        self.pump_held(account);
    }

    /// Sends held deliveries of `account` while local receivers have room.
    fn pump_held(&mut self, account: u32) {
        loop {
            let a = account_local(&mut self.accounts, &self.shared, account, self.now);
            if a.held.is_empty() || a.receivers.is_empty() {
                break;
            }
            let has_room = a
                .receivers
                .iter()
                .any(|(k, _)| self.clients.get(*k).is_some_and(Client::can_take_delivery));
            if !has_room {
                break;
            }
            let a = self.account_local(account);
            let job = a.held.pop_front().expect("not empty");
            let n = a.held.len() as u64;
            self.stats.account(account).queued = n;
            self.deliver_local(job);
        }
    }

    /// Upstream bind `b` of connector `c` closed: answer or retry what was in flight on it.
    pub fn bind_closed(&mut self, c: u32, b: usize) {
        let Some(local) = self.connectors.get_mut(c as usize).and_then(|x| x.as_mut()) else {
            return;
        };
        let Some(slot) = local.binds.get_mut(b) else {
            return;
        };
        let was_bound = slot
            .session
            .as_ref()
            .is_some_and(|s| s.state() == up::State::Bound);
        slot.session = None;
        slot.conn = None;
        slot.gen = slot.gen.wrapping_add(1);
        let mut lost: Vec<(Pending, Vec<u8>)> = Vec::new();
        slot.inflight.drain(|p, pdu| lost.push((p, pdu.to_vec())));
        if was_bound {
            tracing::warn!(shard = self.id, connector = %local.cfg.name, bind = b, in_flight = lost.len(), "upstream bind lost");
            let st = self.stats.connector(c);
            st.binds_up = st.binds_up.saturating_sub(1);
        }
        for (p, pdu) in lost {
            self.retry_or_fail(c, p, &pdu);
        }
        self.pump(c);
    }

    /// A request whose bind dropped before its response: another connector of its route if the
    /// strategy has one that was not tried, else ESME_RSYSERR.
    fn retry_or_fail(&mut self, c: u32, mut p: Pending, pdu: &[u8]) {
        if self.clients.live_mut(p.client, p.client_gen).is_none() {
            self.stats.orphan_responses += 1;
            return;
        }
        let mut pdu = pdu.to_vec();
        if pdu.len() >= 16 {
            Header::new_unchecked(&mut pdu[..16]).set_sequence_number(p.client_seq);
        }
        p.tried |= 1u64 << (c % 64);
        let retried = match p.command_id {
            CommandId::SubmitSm | CommandId::DataSm => {
                let Ok(view) = SmView::parse(&pdu) else {
                    return self.fail(c, p);
                };
                let Some(Some(account_rt)) = self.clients.get(p.client).map(|x| x.account_rt)
                else {
                    return self.fail(c, p);
                };
                let q = RouteQuery {
                    destination: view.destination_addr(),
                    account: account_rt,
                    source_addr: view.source_addr(),
                    service_type: view.service_type(),
                    data_coding: view.data_coding(),
                };
                let rt = self.rt.get();
                match rt.routes.lookup(&q) {
                    Some(route) if route.action == RouteAction::Forward => {
                        match choose(
                            &mut self.connectors,
                            &self.conn_rt,
                            &mut self.route_turn,
                            &mut self.route_credit,
                            route,
                            p.tried,
                            self.now,
                        ) {
                            Choice::Forward(nc, nb) => {
                                self.stats.connector(c).retries += 1;
                                self.forward(nc, nb, p.clone(), &pdu);
                                true
                            }
                            Choice::Wait(nc) => {
                                let deadline = self.now + rt.server.wait_timeout;
                                let q = &mut self.connectors[nc as usize]
                                    .as_mut()
                                    .expect("chosen")
                                    .waitq;
                                if q.push(p.clone(), &pdu, deadline).is_ok() {
                                    self.stats.connector(c).retries += 1;
                                    true
                                } else {
                                    false
                                }
                            }
                            Choice::Unavailable => false,
                        }
                    }
                    _ => false,
                }
            }
            _ => false,
        };
        if !retried {
            self.fail(c, p);
        }
    }

    fn fail(&mut self, c: u32, p: Pending) {
        self.stats.connector(c).failed += 1;
        self.answer_live(&p, STATUS_UPSTREAM_FAILED);
    }

    pub(crate) fn answer_live(&mut self, p: &Pending, status: CommandStatus) {
        if let Some(client) = self.clients.live_mut(p.client, p.client_gen) {
            put_error_resp(&mut client.conn.out(), p.command_id, status, p.client_seq);
            client.responded();
            client.conn.flush_soon();
        } else {
            self.stats.orphan_responses += 1;
        }
        *self
            .stats
            .account(p.account)
            .responses
            .entry(status.0)
            .or_default() += 1;
    }

    /// Moves waiting requests of connector `c` into binds with room.
    pub(crate) fn pump(&mut self, c: u32) {
        let now = self.now;
        loop {
            let Some(local) = self.connectors.get_mut(c as usize).and_then(|x| x.as_mut()) else {
                return;
            };
            if local.waitq.is_empty() {
                return;
            }
            if !local.usable() {
                // Not bound at all: the waiting requests get their answer at their deadline, or
                // when a bind comes up.
                return;
            }
            if !local.rate.would_admit(now) {
                return;
            }
            let Some(b) = local.bind_with_room() else {
                return;
            };
            local.rate.admit(now);
            let mut pdu = Vec::new();
            if let Some((_, (x, y))) = local.waitq.front() {
                pdu.extend_from_slice(x);
                pdu.extend_from_slice(y);
            }
            let p = local.waitq.pop().expect("front exists");
            self.forward(c, b, p, &pdu);
        }
    }

    // ---------------------------------------------------------------- cross-shard

    pub(crate) fn mesh(&mut self, shard: usize, msg: MeshMsg) {
        self.stats.mesh_out += 1;
        self.mesh_out[shard].push(msg);
    }

    /// Batches to send to other shards.
    pub fn take_mesh(&mut self) -> impl Iterator<Item = (usize, Vec<MeshMsg>)> + '_ {
        self.mesh_out
            .iter_mut()
            .enumerate()
            .filter(|(_, v)| !v.is_empty())
            .map(|(i, v)| (i, std::mem::take(v)))
    }

    /// True when there are messages for other shards.
    pub fn mesh_pending(&self) -> bool {
        self.mesh_out.iter().any(|v| !v.is_empty())
    }

    /// Puts back a batch that could not be sent.
    pub fn mesh_unsent(&mut self, shard: usize, mut batch: Vec<MeshMsg>) {
        batch.append(&mut self.mesh_out[shard]);
        self.mesh_out[shard] = batch;
    }

    /// Handles a batch from another shard.
    pub fn mesh_in(&mut self, batch: Vec<MeshMsg>) {
        for msg in batch {
            match msg {
                MeshMsg::RcptInsert {
                    connector,
                    key,
                    entry,
                } => {
                    let entry = RcptEntry {
                        created: self.secs(),
                        ..entry
                    };
                    self.rcpt.insert(connector, key, entry);
                    self.retry_parked(connector, key);
                }
                MeshMsg::Receipt {
                    connector,
                    key,
                    is_final,
                    pdu,
                    origin,
                } => self.receipt_at_owner(connector, key, is_final, &pdu, origin),
                MeshMsg::Deliver(job) => self.deliver_local(job),
                MeshMsg::DeliverDone { origin, status } => self.complete_origin(origin, status),
                MeshMsg::OwnLookup(req) => {
                    let own = Pdu::decode_slice(&req.pdu)
                        .ok()
                        .and_then(|p| message_id_of(&p).and_then(idmap::parse_id));
                    let found = own.and_then(|o| self.own_lookup(o, req.account));
                    let to = req.shard as usize;
                    self.mesh(to, MeshMsg::OwnFound { req, found });
                }
                MeshMsg::OwnFound { req, found } => self.by_id_found(req, found),
                MeshMsg::Ss7 {
                    connector,
                    calling,
                    tcap,
                    returned,
                } => self.ss7_mesh_in(connector, calling, &tcap, returned),
            }
        }
    }

    // ---------------------------------------------------------------- timers

    /// Runs every timer due at `self.now`; called by the shard's one periodic task.
    pub fn tick(&mut self) {
        let now = self.now;
        self.ss7_tick();
        // Upstream response timeouts and wait-queue deadlines.
        let mut expired: Vec<(u32, Pending, CommandStatus)> = Vec::new();
        for (ci, c) in self.connectors.iter_mut().enumerate() {
            let Some(c) = c.as_mut() else { continue };
            for slot in &mut c.binds {
                slot.inflight.expire(now, |p| {
                    expired.push((ci as u32, p, STATUS_UPSTREAM_FAILED))
                });
            }
            c.waitq.expire(now, |p| {
                expired.push((ci as u32, p, CommandStatus::ESME_RMSGQFUL))
            });
        }
        for (c, p, status) in expired {
            if status == STATUS_UPSTREAM_FAILED {
                self.stats.connector(c).timeouts += 1;
            }
            self.answer_live(&p, status);
        }
        // tps tokens refill: move waiting requests.
        for c in 0..self.connectors.len() as u32 {
            self.pump(c);
        }
        // Receipts whose entry never came.
        while self.parked.front().is_some_and(|p| p.until <= now) {
            let p = self.parked.pop_front().expect("front exists");
            self.stats.receipts_unmatched += 1;
            // Answered all the same: an SMSC that hears an error resends the receipt forever.
            self.complete_origin(p.origin, 0);
        }
        if now.duration_since(self.last_session_tick) >= Duration::from_millis(100) {
            self.last_session_tick = now;
            self.session_timers();
        }
        if now.duration_since(self.last_rebalance) >= REBALANCE {
            self.last_rebalance = now;
            self.rebalance();
        }
        if now.duration_since(self.last_slow_tick) >= Duration::from_secs(1) {
            self.last_slow_tick = now;
            self.slow_tick();
        }
    }

    fn session_timers(&mut self) {
        let now = self.now;
        let response_timeout = self.rt.get().server.response_timeout;
        let mut late: Vec<DeliveryJob> = Vec::new();
        for key in self.clients.keys() {
            let Some(c) = self.clients.get_mut(key) else {
                continue;
            };
            let ev = c.session.handle_timeout(now, &mut c.conn.out());
            // deliver_sm the ESME did not answer in time (oldest first): take it back.
            while c
                .deliveries
                .front()
                .is_some_and(|d| now.duration_since(d.2) >= response_timeout)
            {
                if let Some((_, job, _)) = c.deliveries.pop_front() {
                    late.push(job);
                }
            }
            if matches!(ev, srv::Event::Close) {
                c.conn.close_after_flush();
            }
            c.conn.flush_soon();
        }
        for job in late {
            self.redeliver(job);
        }
        for local in self.connectors.iter_mut().flatten() {
            for slot in &mut local.binds {
                if let (Some(s), Some(conn)) = (slot.session.as_mut(), slot.conn.as_ref()) {
                    if matches!(s.handle_timeout(now, &mut conn.out()), up::Event::Close) {
                        conn.close_after_flush();
                    }
                    // A retired bind unbinds once its in-flight requests are answered.
                    if !slot.wanted && slot.inflight.is_empty() && s.state() == up::State::Bound {
                        s.begin_unbind(now, &mut conn.out());
                    }
                    conn.flush_soon();
                }
            }
        }
    }

    fn rebalance(&mut self) {
        let now = self.now;
        let (id, n) = (self.id, self.shared.shards);
        for a in self.accounts.iter_mut().flatten() {
            a.rate.rebalance(&a.shared.rate, id, n, now);
        }
        for c in self.connectors.iter_mut().flatten() {
            c.rate.rebalance(&c.shared.rate, id, n, now);
        }
        // Held deliveries of accounts that now have a receiver somewhere.
        let shards = self.shared.shards;
        let ready: Vec<u32> = self
            .accounts
            .iter()
            .flatten()
            .filter(|a| !a.held.is_empty() && a.shared.has_receiver(shards))
            .map(|a| a.shared.idx)
            .collect();
        for idx in ready {
            let mine = self.account_local(idx).shared.receivers[id].load(Ordering::Relaxed) > 0;
            if mine {
                self.pump_held(idx);
            } else {
                let jobs: Vec<DeliveryJob> = self.account_local(idx).held.drain(..).collect();
                self.stats.account(idx).queued = 0;
                for job in jobs {
                    self.dispatch(job);
                }
            }
        }
    }

    fn slow_tick(&mut self) {
        let secs = self.secs();
        let server = &self.rt.get().server;
        let ttl = server.message_id_ttl.as_secs() as u32;
        let hold = server.receipt_hold.as_secs() as u32;
        self.rcpt.expire(secs, ttl);
        self.stats.id_map_evicted = self.rcpt.evicted;
        for a in self.accounts.iter_mut().flatten() {
            let before = a.held.len();
            a.held.retain(|j| secs.saturating_sub(j.created_s) <= hold);
            let gone = (before - a.held.len()) as u64;
            if gone > 0 {
                let idx = a.shared.idx;
                let n = a.held.len() as u64;
                let st = self.stats.account(idx);
                st.expired += gone;
                st.queued = n;
            }
        }
        // Gauges.
        for (i, c) in self.connectors.iter().enumerate() {
            let Some(c) = c else { continue };
            let inflight = c.binds.iter().map(|b| b.inflight.len() as u64).sum();
            let up = c
                .binds
                .iter()
                .filter(|b| {
                    b.session
                        .as_ref()
                        .is_some_and(|s| s.state() == up::State::Bound)
                })
                .count() as u64;
            let waiting = c.waitq.len() as u64;
            let (inflight, up) = self.ss7_gauges(c).unwrap_or((inflight, up));
            let st = self.stats.connector(i as u32);
            st.inflight = inflight;
            st.binds_up = up;
            st.waiting = waiting;
        }
    }

    /// Copies the counters for the admin socket and /metrics.
    pub fn publish_stats(&mut self) {
        for (i, c) in self.connectors.iter().enumerate() {
            let Some(c) = c else { continue };
            let inflight = c.binds.iter().map(|b| b.inflight.len() as u64).sum();
            let inflight = self.ss7_gauges(c).map_or(inflight, |g| g.0);
            let waiting = c.waitq.len() as u64;
            let st = self.stats.connector(i as u32);
            st.inflight = inflight;
            st.waiting = waiting;
        }
        self.shared.stats[self.id].store(Arc::new(self.stats.clone()));
    }

    /// The binds of this shard for the `binds` command.
    pub fn binds_json(&self) -> Vec<serde_json::Value> {
        let mut v = Vec::new();
        for (key, c) in self.clients.iter() {
            v.push(serde_json::json!({
                "shard": self.id, "side": "esme", "id": key, "system_id": c.system_id,
                "bind": c.kind.map(BindKind::name), "peer": c.conn.peer.to_string(),
                "outstanding": c.session.outstanding(), "deliveries": c.deliveries.len(),
                "state": format!("{:?}", c.session.state()),
            }));
        }
        for c in self.connectors.iter().flatten() {
            for (i, b) in c.binds.iter().enumerate() {
                v.push(serde_json::json!({
                    "shard": self.id, "side": "upstream", "connector": c.cfg.name, "slot": i,
                    "state": b.session.as_ref().map_or("down".to_string(), |s| format!("{:?}", s.state())),
                    "in_flight": b.inflight.len(), "wanted": b.wanted,
                    "peer": b.conn.as_ref().map(|x| x.peer.to_string()),
                }));
            }
        }
        self.ss7_binds_json(&mut v);
        v
    }

    // ---------------------------------------------------------------- shutdown

    /// Starts draining: no new binds; every ESME is asked to unbind.
    pub fn begin_drain(&mut self) {
        if self.draining {
            return;
        }
        self.draining = true;
        let now = self.now;
        for key in self.clients.keys() {
            if let Some(c) = self.clients.get_mut(key) {
                c.session.begin_unbind(now, &mut c.conn.out());
                c.conn.flush_soon();
            }
        }
    }

    /// Requests still waiting for an upstream answer on this shard.
    pub fn in_flight(&self) -> usize {
        self.connectors
            .iter()
            .flatten()
            .map(|c| c.binds.iter().map(|b| b.inflight.len()).sum::<usize>() + c.waitq.len())
            .sum::<usize>()
            + self.ss7_in_flight()
    }

    /// Unbinds every upstream bind (last step of shutdown).
    pub fn unbind_upstreams(&mut self) {
        let now = self.now;
        for c in self.connectors.iter_mut().flatten() {
            for slot in &mut c.binds {
                slot.wanted = false;
                if let (Some(s), Some(conn)) = (slot.session.as_mut(), slot.conn.as_ref()) {
                    s.begin_unbind(now, &mut conn.out());
                    conn.flush_soon();
                }
            }
        }
        self.ss7_stop();
    }

    /// True once every upstream connection of this shard is closed.
    pub fn upstreams_closed(&self) -> bool {
        self.connectors
            .iter()
            .flatten()
            .all(|c| c.binds.iter().all(|b| b.conn.is_none()))
            && self.ss7_closed()
    }

    /// The bind task for a slot ended.
    pub fn bind_task_ended(&mut self, c: u32, b: usize) {
        if let Some(slot) = self
            .connectors
            .get_mut(c as usize)
            .and_then(|x| x.as_mut())
            .and_then(|x| x.binds.get_mut(b))
        {
            slot.task = false;
        }
    }
}

/// The shard's record of account `idx`, created on first use.
fn account_local<'a>(
    accounts: &'a mut Vec<Option<AccountLocal>>,
    shared: &Shared,
    idx: u32,
    now: Instant,
) -> &'a mut AccountLocal {
    let i = idx as usize;
    if accounts.len() <= i {
        accounts.resize_with(i + 1, || None);
    }
    accounts[i].get_or_insert_with(|| {
        let a = shared.accounts.get(idx).expect("interned account");
        let limit = a.rate.limit();
        AccountLocal {
            rate: LocalRate::new(limit, shared.shards, now),
            shared: a,
            receivers: Vec::new(),
            next_receiver: 0,
            held: VecDeque::new(),
        }
    })
}

/// Picks a connector and bind for a route by its strategy, among connectors that are enabled,
/// bound and below their caps, skipping those in `tried`.
fn choose(
    connectors: &mut [Option<ConnectorLocal>],
    conn_rt: &[u32],
    turns: &mut [u32],
    credits: &mut [Vec<i64>],
    route: &smsedge_control::routes::CompiledRoute,
    tried: u64,
    now: Instant,
) -> Choice {
    let n = route.connectors.len();
    let candidate = |i: usize| -> u32 { conn_rt[route.connectors[i].0 as usize] };
    let usable = |connectors: &[Option<ConnectorLocal>], c: u32| {
        tried & (1u64 << (c % 64)) == 0
            && connectors[c as usize]
                .as_ref()
                .is_some_and(ConnectorLocal::usable)
    };
    // The order to try them in.
    let mut order: [usize; 16] = [0; 16];
    let m = n.min(16);
    match route.strategy {
        Strategy::Failover => {
            for (i, o) in order.iter_mut().enumerate().take(m) {
                *o = i;
            }
        }
        Strategy::RoundRobin => {
            let t = &mut turns[route.index];
            let start = *t as usize % n;
            *t = t.wrapping_add(1);
            for (i, o) in order.iter_mut().enumerate().take(m) {
                *o = (start + i) % n;
            }
        }
        Strategy::Weighted => {
            // Smooth weighted round robin (nginx): every pick adds each usable connector's
            // weight to its credit, takes the largest credit and charges it the total.
            let credit = &mut credits[route.index];
            let mut total = 0i64;
            let mut best: Option<usize> = None;
            for i in 0..n {
                if !usable(connectors, candidate(i)) {
                    continue;
                }
                let w = i64::from(route.weights.get(i).copied().unwrap_or(1));
                credit[i] += w;
                total += w;
                if best.is_none_or(|b| credit[i] > credit[b]) {
                    best = Some(i);
                }
            }
            let first = best.unwrap_or(0);
            if best.is_some() {
                credit[first] -= total;
            }
            order[0] = first;
            let mut k = 1;
            for i in 0..n {
                if i != first && k < m {
                    order[k] = i;
                    k += 1;
                }
            }
        }
    }
    let mut first_bound: Option<u32> = None;
    for &i in &order[..m] {
        let c = candidate(i);
        if !usable(connectors, c) {
            continue;
        }
        first_bound.get_or_insert(c);
        let local = connectors[c as usize].as_mut().expect("usable");
        if !local.waitq.is_empty() {
            // Keep order behind those already waiting.
            continue;
        }
        if !local.rate.would_admit(now) {
            continue;
        }
        if let Some(b) = local.bind_with_room() {
            local.rate.admit(now);
            return Choice::Forward(c, b);
        }
    }
    match first_bound {
        Some(c) => Choice::Wait(c),
        None => Choice::Unavailable,
    }
}

fn message_id_of(p: &Pdu) -> Option<&[u8]> {
    match &p.body {
        Body::QuerySm(q) => Some(&q.message_id),
        Body::CancelSm(c) => Some(&c.message_id),
        Body::ReplaceSm(r) => Some(&r.message_id),
        _ => None,
    }
}

fn set_message_id(p: &mut Pdu, id: Bytes) {
    match &mut p.body {
        Body::QuerySm(q) => q.message_id = id,
        Body::CancelSm(c) => c.message_id = id,
        Body::ReplaceSm(r) => r.message_id = id,
        _ => {}
    }
}

/// submit_multi_resp with the own id in place of the upstream's and the client's sequence number.
fn rewrite_multi_resp(frame: &[u8], own: &[u8], seq: u32) -> Option<Vec<u8>> {
    let mut pdu = Pdu::decode_slice(frame).ok()?;
    if let Body::SubmitMultiResp(Some(r)) = &mut pdu.body {
        r.message_id = Bytes::copy_from_slice(own);
    }
    pdu.sequence_number = seq;
    Some(pdu.to_vec())
}
