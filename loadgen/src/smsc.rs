//! The SMSC simulator: accepts binds, answers submit_sm / submit_multi / data_sm with message
//! ids, sends delivery receipts and MO messages, with chosen latency, errors, throttling and
//! drops.
//!
//! Thread per core like the engine: one glommio executor per `--cpus` entry, each accepting on
//! the same port (SO_REUSEPORT; the kernel spreads connections) and owning its connections, its
//! timer wheel and its counters. Counters are published to shared atomics every 100 ms and at
//! the end.
//!
//! Behaviour, per request (in this order):
//! 1. not bound, or bound as receiver: `ESME_RINVBNDSTS`;
//! 2. `--drop-rate`: no answer at all (counted in `dropped`);
//! 3. `--window`: more than W requests of this connection waiting for their (delayed) response
//!    get `ESME_RMSGQFUL` at once (the window only binds with `--latency` above 0: a request
//!    answered at once never waits);
//! 4. `--throttle-above R`: beyond R requests/s (a token bucket with 100 ms of burst, split over
//!    the executors) `ESME_RTHROTTLED`;
//! 5. `--error-rate P`: the `--error-status` values in turn;
//! 6. a PDU that does not decode: the status its error maps to (`ESME_RINVMSGLEN`, ...);
//! 7. otherwise `ESME_ROK` with a new message id, after `--latency`; when registered_delivery
//!    asks for it (v3.4 5.2.17: 1 = always, 2 = on failure; v5.0: 3 = on success), a receipt
//!    after `--dlr-delay` with a state drawn from `--dlr-states` (unless `--dlr-drop-rate`).
//!
//! Receipts go to the connection the message came on when it can receive, else to another
//! receiver-capable bind of the same system_id on the same executor, else they are counted as
//! `receipts_undeliverable`.

use crate::ledger::{src_hash, Ledger, Seen};
use crate::parse::{parse_status, CpuList, Dist, Prob, Rng, Secs, Weighted};
use crate::report::status_key;
use crate::rt::{self, Notify, Shared};
use crate::wheel::Wheel;
use glommio::net::TcpListener;
use serde::Serialize;
use smsedge_codecs::smpp::{
    self, view, Body, CommandStatus, Framer, Header, MessageState, Pdu, SmView,
};
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap};
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Options of `smsedge-loadgen smsc` (the same struct backs the CLI and the library).
#[derive(Debug, Clone, clap::Args)]
pub struct SmscOptions {
    /// Address to accept binds on, HOST:PORT (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:2776")]
    pub listen: String,
    /// Accept only these system_ids (repeatable, each with a --password in the same order);
    /// omit to accept any.
    #[arg(long)]
    pub system_id: Vec<String>,
    /// Password of the --system-id in the same position.
    #[arg(long)]
    pub password: Vec<String>,
    /// Response latency: `0`, `2ms`, `uniform:1ms-5ms`, `exp:2ms`.
    #[arg(long, default_value = "0")]
    pub latency: Dist,
    /// Share of requests answered with an error status (`0.01` or `1%`).
    #[arg(long, default_value = "0")]
    pub error_rate: Prob,
    /// Error statuses used by --error-rate, in turn (`0x45`, `88`, `ESME_RSYSERR`; repeatable
    /// or comma-separated).
    #[arg(long, value_parser = parse_status, value_delimiter = ',', default_value = "0x08")]
    pub error_status: Vec<u32>,
    /// Answer ESME_RTHROTTLED above this many requests per second.
    #[arg(long)]
    pub throttle_above: Option<f64>,
    /// Receipt delay after the response: `0`, `2ms`, `uniform:1ms-5ms`, `exp:2ms`.
    #[arg(long, default_value = "0")]
    pub dlr_delay: Dist,
    /// Final states of receipts by share, e.g. `DELIVRD:95,UNDELIV:5`.
    #[arg(long, default_value = "DELIVRD:100")]
    pub dlr_states: Weighted,
    /// MO deliver_sm per second over all receiver-capable binds.
    #[arg(long, default_value_t = 0.0)]
    pub mo_rate: f64,
    /// Requests waiting for a response per connection at most (0 = no limit).
    #[arg(long, default_value_t = 0)]
    pub window: usize,
    /// CPUs to run on, one executor each.
    #[arg(long)]
    pub cpus: Option<CpuList>,
    /// Write the counters as JSON to this file at exit.
    #[arg(long)]
    pub stats: Option<PathBuf>,
    /// Share of requests never answered (to test that clients notice).
    #[arg(long, default_value = "0")]
    pub drop_rate: Prob,
    /// Share of receipts never sent (to test that clients notice).
    #[arg(long, default_value = "0")]
    pub dlr_drop_rate: Prob,
    /// Send enquire_link after this long without receiving anything.
    #[arg(long, default_value = "30s")]
    pub enquire_link: Secs,
    /// system_id this SMSC gives in bind responses.
    #[arg(long, default_value = "SMSEDGESIM")]
    pub smsc_id: String,
    /// No stats lines on stderr.
    #[arg(long)]
    pub quiet: bool,
    /// How message ids are written in submit_sm_resp, submit_multi_resp and data_sm_resp (and
    /// expected in query_sm, cancel_sm and replace_sm).
    #[arg(long, value_enum, default_value = "hex")]
    pub id_format: IdFormat,
    /// How message ids are written in receipts (the text's `id:` and receipted_message_id):
    /// `same` as --id-format, or the other form of the same number (as some SMSCs do).
    #[arg(long, value_enum, default_value = "same")]
    pub receipt_id_format: ReceiptIdFormat,
    /// Messages remembered (the most recent, over all executors) for query_sm, cancel_sm and
    /// replace_sm; an older id is answered as unknown. 24 octets each once used (the default
    /// holds 3 MiB: a bigger table costs fresh pages on the per-message path while it fills).
    #[arg(long, default_value_t = 1 << 17, value_parser = clap::value_parser!(u64).range(1..))]
    pub id_memory: u64,
}

/// How a message id is written: the same number either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum IdFormat {
    /// Lower-case hexadecimal (`4f1c0`).
    #[default]
    Hex,
    /// Decimal (`324032`).
    Decimal,
}

/// How a message id is written in receipts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ReceiptIdFormat {
    /// As in the submit responses (--id-format).
    #[default]
    Same,
    /// Hexadecimal.
    Hex,
    /// Decimal.
    Decimal,
}

#[derive(clap::Parser)]
struct Defaults {
    #[command(flatten)]
    o: SmscOptions,
}

impl Default for SmscOptions {
    /// The CLI defaults.
    fn default() -> Self {
        <Defaults as clap::Parser>::parse_from(["smsc"]).o
    }
}

/// The simulator's counters. The first five are the `--stats` file of INTERFACES.md.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SmscStats {
    /// Successful binds.
    pub binds: u64,
    /// submit_sm received.
    pub submit_sm: u64,
    /// Responses sent to submit_sm / submit_multi / data_sm, by status `0x%08x`.
    pub responses_by_status: BTreeMap<String, u64>,
    /// Receipts (deliver_sm) sent.
    pub receipts_sent: u64,
    /// MO deliver_sm sent.
    pub mo_sent: u64,
    /// submit_multi received.
    pub submit_multi: u64,
    /// data_sm received.
    pub data_sm: u64,
    /// Requests deliberately left unanswered (--drop-rate).
    pub dropped: u64,
    /// Receipts deliberately not sent (--dlr-drop-rate).
    pub receipts_dropped: u64,
    /// Receipts with no receiver bind to go to.
    pub receipts_undeliverable: u64,
    /// deliver_sm_resp received.
    pub deliver_sm_resp: u64,
    /// Binds refused.
    pub binds_refused: u64,
    /// unbind received.
    pub unbinds: u64,
    /// Connections accepted.
    pub connections: u64,
    /// enquire_link received (and answered).
    pub enquire_link: u64,
    /// enquire_link_resp received (answers to the simulator's own enquire_link).
    pub enquire_link_resp: u64,
    /// Unknown commands answered with generic_nack.
    pub generic_nack_sent: u64,
    /// query_sm received.
    pub query_sm: u64,
    /// cancel_sm received.
    pub cancel_sm: u64,
    /// replace_sm received.
    pub replace_sm: u64,
    /// Messages cancelled by cancel_sm (answered ESME_ROK).
    pub cancelled: u64,
    /// Messages replaced by replace_sm (answered ESME_ROK).
    pub replaced: u64,
    /// Receipts not sent because their message was cancelled.
    pub receipts_cancelled: u64,
}

#[derive(Debug, Default)]
struct SharedStats {
    binds: AtomicU64,
    submit_sm: AtomicU64,
    receipts_sent: AtomicU64,
    mo_sent: AtomicU64,
    submit_multi: AtomicU64,
    data_sm: AtomicU64,
    dropped: AtomicU64,
    receipts_dropped: AtomicU64,
    receipts_undeliverable: AtomicU64,
    deliver_sm_resp: AtomicU64,
    binds_refused: AtomicU64,
    unbinds: AtomicU64,
    connections: AtomicU64,
    enquire_link: AtomicU64,
    enquire_link_resp: AtomicU64,
    generic_nack_sent: AtomicU64,
    query_sm: AtomicU64,
    cancel_sm: AtomicU64,
    replace_sm: AtomicU64,
    cancelled: AtomicU64,
    replaced: AtomicU64,
    receipts_cancelled: AtomicU64,
    by_status: Mutex<HashMap<u32, u64>>,
}

/// Per-executor counters, flushed into [`SharedStats`].
#[derive(Debug, Default)]
struct Local {
    binds: u64,
    submit_sm: u64,
    receipts_sent: u64,
    mo_sent: u64,
    submit_multi: u64,
    data_sm: u64,
    dropped: u64,
    receipts_dropped: u64,
    receipts_undeliverable: u64,
    deliver_sm_resp: u64,
    binds_refused: u64,
    unbinds: u64,
    connections: u64,
    enquire_link: u64,
    enquire_link_resp: u64,
    generic_nack_sent: u64,
    query_sm: u64,
    cancel_sm: u64,
    replace_sm: u64,
    cancelled: u64,
    replaced: u64,
    receipts_cancelled: u64,
    ok: u64,
    by_status: HashMap<u32, u64>,
}

impl Local {
    #[inline]
    fn status(&mut self, s: u32) {
        if s == 0 {
            self.ok += 1;
        } else {
            *self.by_status.entry(s).or_default() += 1;
        }
    }

    fn flush(&mut self, to: &SharedStats) {
        macro_rules! add {
            ($($f:ident),*) => {$(
                if self.$f > 0 {
                    to.$f.fetch_add(std::mem::take(&mut self.$f), Ordering::Relaxed);
                }
            )*};
        }
        add!(
            binds,
            submit_sm,
            receipts_sent,
            mo_sent,
            submit_multi,
            data_sm,
            dropped,
            receipts_dropped,
            receipts_undeliverable,
            deliver_sm_resp,
            binds_refused,
            unbinds,
            connections,
            enquire_link,
            enquire_link_resp,
            generic_nack_sent,
            query_sm,
            cancel_sm,
            replace_sm,
            cancelled,
            replaced,
            receipts_cancelled
        );
        if self.ok > 0 || !self.by_status.is_empty() {
            let mut m = to.by_status.lock().unwrap_or_else(|e| e.into_inner());
            if self.ok > 0 {
                *m.entry(0).or_default() += std::mem::take(&mut self.ok);
            }
            for (k, v) in self.by_status.drain() {
                *m.entry(k).or_default() += v;
            }
        }
    }
}

impl SharedStats {
    fn snapshot(&self) -> SmscStats {
        let g = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let by = self.by_status.lock().unwrap_or_else(|e| e.into_inner());
        SmscStats {
            binds: g(&self.binds),
            submit_sm: g(&self.submit_sm),
            responses_by_status: by.iter().map(|(k, v)| (status_key(*k), *v)).collect(),
            receipts_sent: g(&self.receipts_sent),
            mo_sent: g(&self.mo_sent),
            submit_multi: g(&self.submit_multi),
            data_sm: g(&self.data_sm),
            dropped: g(&self.dropped),
            receipts_dropped: g(&self.receipts_dropped),
            receipts_undeliverable: g(&self.receipts_undeliverable),
            deliver_sm_resp: g(&self.deliver_sm_resp),
            binds_refused: g(&self.binds_refused),
            unbinds: g(&self.unbinds),
            connections: g(&self.connections),
            enquire_link: g(&self.enquire_link),
            enquire_link_resp: g(&self.enquire_link_resp),
            generic_nack_sent: g(&self.generic_nack_sent),
            query_sm: g(&self.query_sm),
            cancel_sm: g(&self.cancel_sm),
            replace_sm: g(&self.replace_sm),
            cancelled: g(&self.cancelled),
            replaced: g(&self.replaced),
            receipts_cancelled: g(&self.receipts_cancelled),
        }
    }
}

/// Read-only configuration of a running simulator.
#[derive(Debug)]
struct Config {
    o: SmscOptions,
    states: Vec<MessageState>,
    shards: usize,
    /// The form of ids in receipts (--receipt-id-format resolved).
    receipt_ids: IdFormat,
    /// Unix time in ns minus `rt::now_ns` at start: turns due times into dates.
    wall_offset: u64,
}

/// A running simulator. Dropping it stops it.
#[derive(Debug)]
pub struct SmscHandle {
    addr: SocketAddr,
    stats: Arc<SharedStats>,
    stop: Arc<AtomicBool>,
    threads: Vec<rt::ShardThread<()>>,
}

/// The simulator's entry point.
#[derive(Debug)]
pub struct Smsc;

impl Smsc {
    /// Starts the simulator on its own executor threads (pinned per `cpus`, else one
    /// unpinned) and returns once every executor is accepting.
    pub fn start(opts: SmscOptions) -> io::Result<SmscHandle> {
        let bad = |m: String| io::Error::new(io::ErrorKind::InvalidInput, m);
        let mut states = Vec::new();
        for (name, _) in &opts.dlr_states.0 {
            states.push(MessageState::from_stat(name.as_bytes()).ok_or_else(|| {
                bad(format!(
                    "--dlr-states: unknown state {name:?} (DELIVRD, UNDELIV, EXPIRED, DELETED, ACCEPTD, UNKNOWN, REJECTD, ENROUTE)"
                ))
            })?);
        }
        let schedule: Vec<MessageState> = opts
            .dlr_states
            .schedule(1000)
            .into_iter()
            .map(|i| states[i])
            .collect();
        if opts.error_status.is_empty() {
            return Err(bad("--error-status needs at least one status".into()));
        }
        if opts.system_id.len() != opts.password.len() {
            return Err(bad(
                "give one --password for each --system-id, in the same order".into(),
            ));
        }
        let addr = opts
            .listen
            .to_socket_addrs()
            .map_err(|e| bad(format!("--listen {}: {e}", opts.listen)))?
            .next()
            .ok_or_else(|| bad(format!("--listen {}: no address", opts.listen)))?;
        let placements = rt::placements(opts.cpus.as_ref().map(|c| &c.0[..]), 1);
        let receipt_ids = match opts.receipt_id_format {
            ReceiptIdFormat::Same => opts.id_format,
            ReceiptIdFormat::Hex => IdFormat::Hex,
            ReceiptIdFormat::Decimal => IdFormat::Decimal,
        };
        let unix_ns = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        let ledger = Arc::new(Ledger::new(
            placements.len(),
            usize::try_from(opts.id_memory).unwrap_or(usize::MAX),
        ));
        let cfg = Arc::new(Config {
            o: opts,
            states: schedule,
            shards: placements.len(),
            receipt_ids,
            wall_offset: unix_ns.saturating_sub(rt::now_ns()),
        });
        let stats = Arc::new(SharedStats::default());
        let stop = Arc::new(AtomicBool::new(false));
        let (shared, stop2) = (stats.clone(), stop.clone());
        let (bound, threads) = rt::spawn_listeners(
            "loadgen-smsc",
            &placements,
            addr,
            Some(&stop),
            move |i, listener| shard_main(i, listener, cfg, ledger, shared, stop2),
        )?;
        Ok(SmscHandle {
            addr: bound,
            stats,
            stop,
            threads,
        })
    }
}

impl SmscHandle {
    /// The address the simulator accepts on (the real port when 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The counters so far (published every 100 ms).
    pub fn stats(&self) -> SmscStats {
        self.stats.snapshot()
    }

    /// Stops accepting, closes every connection, waits for the executors and returns the final
    /// counters.
    pub fn stop(mut self) -> SmscStats {
        self.shutdown();
        self.stats.snapshot()
    }

    fn shutdown(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

impl Drop for SmscHandle {
    fn drop(&mut self) {
        self.shutdown();
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bound {
    No,
    Tx,
    Rx,
    Trx,
}

impl Bound {
    fn can_receive(self) -> bool {
        matches!(self, Bound::Rx | Bound::Trx)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ConnKey(u32, u32);

/// An address as received: up to 20 digits/characters, TON, NPI.
#[derive(Debug, Clone, Copy)]
struct Addr {
    ton: u8,
    npi: u8,
    len: u8,
    b: [u8; 21],
}

impl Addr {
    fn new(ton: u8, npi: u8, s: &[u8]) -> Self {
        let n = s.len().min(20);
        let mut b = [0u8; 21];
        b[..n].copy_from_slice(&s[..n]);
        Addr {
            ton,
            npi,
            len: n as u8,
            b,
        }
    }
    fn bytes(&self) -> &[u8] {
        &self.b[..usize::from(self.len)]
    }
}

#[derive(Debug)]
enum Event {
    Resp {
        conn: ConnKey,
        cmd: u32,
        seq: u32,
        id: u64,
    },
    Dlr {
        conn: ConnKey,
        id: u64,
        from: Addr,
        to: Addr,
        state: MessageState,
        /// `YYMMDDhhmm` of the submission.
        submitted: [u8; 10],
        /// When the message became final (`rt::now_ns`): the receipt's done date.
        due: u64,
    },
}

struct ConnSt {
    out: Vec<u8>,
    bound: Bound,
    system_id: Vec<u8>,
    waiting: usize,
    next_seq: u32,
    last_rx: u64,
    enquire_out: bool,
    closed: bool,
    close_after_flush: bool,
    dirty: bool,
}

struct Conn {
    key: ConnKey,
    stream: Shared,
    notify: Notify,
    st: RefCell<ConnSt>,
}

impl ConnSt {
    fn seq(&mut self) -> u32 {
        let s = self.next_seq;
        self.next_seq = if s >= 0x7FFF_FFFF { 1 } else { s + 1 };
        s
    }
}

struct ShardState {
    idx: usize,
    cfg: Arc<Config>,
    ledger: Arc<Ledger>,
    shared: Arc<SharedStats>,
    local: RefCell<Local>,
    rng: RefCell<Rng>,
    wheel: RefCell<Wheel<Event>>,
    conns: RefCell<Vec<Option<Rc<Conn>>>>,
    gens: RefCell<Vec<u32>>,
    next_id: Cell<u64>,
    driver: Notify,
    tokens: Cell<f64>,
    refilled: Cell<u64>,
    dlr_cursor: Cell<usize>,
    err_cursor: Cell<usize>,
    /// The receipt date of now, refreshed by the driver (dates have minute resolution, so
    /// nothing per message reads the wall clock).
    date: Cell<[u8; 10]>,
    /// The last done date formatted: (unix minute, `YYMMDDhhmm`).
    done_date: Cell<(u64, [u8; 10])>,
}

impl ShardState {
    fn conn(&self, k: ConnKey) -> Option<Rc<Conn>> {
        self.conns
            .borrow()
            .get(k.0 as usize)
            .and_then(|c| c.as_ref())
            .filter(|c| c.key == k)
            .cloned()
    }

    fn add_conn(&self, stream: Shared) -> Rc<Conn> {
        let mut conns = self.conns.borrow_mut();
        let mut gens = self.gens.borrow_mut();
        let i = match conns.iter().position(Option::is_none) {
            Some(i) => i,
            None => {
                conns.push(None);
                gens.push(0);
                conns.len() - 1
            }
        };
        gens[i] = gens[i].wrapping_add(1);
        let c = Rc::new(Conn {
            key: ConnKey(i as u32, gens[i]),
            stream,
            notify: Notify::default(),
            st: RefCell::new(ConnSt {
                out: Vec::with_capacity(64 << 10),
                bound: Bound::No,
                system_id: Vec::new(),
                waiting: 0,
                next_seq: 1,
                last_rx: rt::now_ns(),
                enquire_out: false,
                closed: false,
                close_after_flush: false,
                dirty: false,
            }),
        });
        conns[i] = Some(c.clone());
        c
    }

    fn remove_conn(&self, k: ConnKey) {
        let mut conns = self.conns.borrow_mut();
        if let Some(slot) = conns.get_mut(k.0 as usize) {
            if slot.as_ref().is_some_and(|c| c.key == k) {
                *slot = None;
            }
        }
    }

    /// A message id unique in this simulator: (counter, counter << 6 | executor).
    fn new_id(&self) -> (u64, u64) {
        let n = self.next_id.get();
        self.next_id.set(n + 1);
        (n, (n << 6) | self.idx as u64)
    }

    /// `YYMMDDhhmm` of the moment `t` (`rt::now_ns`), cached per minute.
    fn date_of(&self, t: u64) -> [u8; 10] {
        let unix = t.saturating_add(self.cfg.wall_offset) / 1_000_000_000;
        let (minute, d) = self.done_date.get();
        if minute == unix / 60 {
            return d;
        }
        let mut v = Vec::with_capacity(16);
        receipt_date(unix, &mut v);
        let d: [u8; 10] = v.try_into().expect("a receipt date has 10 digits");
        self.done_date.set((unix / 60, d));
        d
    }

    fn take_token(&self, now: u64) -> bool {
        let Some(rate) = self.cfg.o.throttle_above else {
            return true;
        };
        let per_shard = rate / self.cfg.shards as f64;
        let cap = (per_shard / 10.0).max(1.0);
        let elapsed = now.saturating_sub(self.refilled.get()) as f64 / 1e9;
        self.refilled.set(now);
        let t = (self.tokens.get() + elapsed * per_shard).min(cap);
        if t >= 1.0 {
            self.tokens.set(t - 1.0);
            true
        } else {
            self.tokens.set(t);
            false
        }
    }
}

/// Writes id `v` in `fmt` (lower-case hex or decimal) into `buf`; returns the digits.
fn format_id(v: u64, fmt: IdFormat, buf: &mut [u8; 20]) -> &[u8] {
    const D: &[u8; 16] = b"0123456789abcdef";
    let mut i = buf.len();
    let mut v = v;
    // Constant divisors (shifts, multiplications): this runs for every response.
    loop {
        i -= 1;
        match fmt {
            IdFormat::Hex => {
                buf[i] = D[(v & 15) as usize];
                v >>= 4;
            }
            IdFormat::Decimal => {
                buf[i] = b'0' + (v % 10) as u8;
                v /= 10;
            }
        }
        if v == 0 {
            break;
        }
    }
    &buf[i..]
}

/// An id as a client sends it back, in the form this simulator issues (`fmt`; hex in either
/// case): (executor, counter), or None when it is no id of ours.
fn parse_id(s: &[u8], fmt: IdFormat) -> Option<(usize, u64)> {
    let radix = match fmt {
        IdFormat::Hex => 16,
        IdFormat::Decimal => 10,
    };
    if s.is_empty() || s.len() > 20 {
        return None;
    }
    let mut v: u64 = 0;
    for &c in s {
        let d = (c as char).to_digit(radix)?;
        v = v.checked_mul(u64::from(radix))?.checked_add(u64::from(d))?;
    }
    Some(((v & 63) as usize, v >> 6))
}

async fn shard_main(
    idx: usize,
    listener: TcpListener,
    cfg: Arc<Config>,
    ledger: Arc<Ledger>,
    shared: Arc<SharedStats>,
    stop: Arc<AtomicBool>,
) {
    let now = rt::now_ns();
    let first_state = idx * 17 % cfg.states.len();
    let shard = Rc::new(ShardState {
        idx,
        cfg,
        ledger,
        shared,
        local: RefCell::new(Local::default()),
        rng: RefCell::new(Rng::new(0x5EED ^ ((idx as u64 + 1) * 0x9E37_79B9))),
        wheel: RefCell::new(Wheel::new(now)),
        conns: RefCell::new(Vec::new()),
        gens: RefCell::new(Vec::new()),
        next_id: Cell::new(1),
        driver: Notify::default(),
        tokens: Cell::new(0.0),
        refilled: Cell::new(now),
        dlr_cursor: Cell::new(first_state),
        err_cursor: Cell::new(0),
        date: Cell::new(date_now()),
        done_date: Cell::new((u64::MAX, [b'0'; 10])),
    });
    let accept_stop = Rc::new(Notify::default());
    let driver = glommio::spawn_local(driver(shard.clone(), stop, accept_stop.clone()));
    loop {
        let next = futures_lite::future::or(async { Some(listener.accept().await) }, async {
            accept_stop.wait().await;
            None
        })
        .await;
        match next {
            None => break,
            Some(Ok(stream)) => {
                let _ = stream.set_nodelay(true);
                let _ = stream.set_write_timeout(Some(Duration::from_secs(30)));
                shard.local.borrow_mut().connections += 1;
                let conn = shard.add_conn(Shared::new(stream));
                glommio::spawn_local(conn_reader(shard.clone(), conn.clone())).detach();
                glommio::spawn_local(conn_writer(shard.clone(), conn)).detach();
            }
            Some(Err(_)) => glommio::timer::sleep(Duration::from_millis(10)).await,
        }
    }
    driver.await;
}

/// The shard's clock: fires due responses and receipts, paces MO traffic, sends enquire_link
/// to idle binds, publishes counters, and notices the stop flag.
async fn driver(shard: Rc<ShardState>, stop: Arc<AtomicBool>, accept_stop: Rc<Notify>) {
    let o = &shard.cfg.o;
    let mo_rate = o.mo_rate / shard.cfg.shards as f64;
    let enquire = o.enquire_link.0.as_nanos() as u64;
    let mut due = Vec::new();
    let mut next_flush = 0u64;
    let mut next_date = 0u64;
    let mut mo_tokens = 0.0f64;
    let mut mo_last = rt::now_ns();
    let mut mo_rr = 0usize;
    let mut mo_n = 0u64;
    loop {
        let now = rt::now_ns();
        if stop.load(Ordering::Relaxed) {
            break;
        }
        if now >= next_date {
            next_date = now + 50_000_000;
            shard.date.set(date_now());
        }
        shard.wheel.borrow_mut().poll(now, &mut due);
        let mut dirty: Vec<Rc<Conn>> = Vec::new();
        for ev in due.drain(..) {
            fire(&shard, ev, &mut dirty);
        }
        if mo_rate > 0.0 {
            mo_tokens = (mo_tokens + (now - mo_last) as f64 / 1e9 * mo_rate).min(mo_rate.max(1.0));
            mo_last = now;
            let rx: Vec<Rc<Conn>> = shard
                .conns
                .borrow()
                .iter()
                .flatten()
                .filter(|c| {
                    let st = c.st.borrow();
                    st.bound.can_receive() && !st.closed
                })
                .cloned()
                .collect();
            while mo_tokens >= 1.0 && !rx.is_empty() {
                mo_tokens -= 1.0;
                let c = &rx[mo_rr % rx.len()];
                mo_rr += 1;
                mo_n += 1;
                put_mo(&mut c.st.borrow_mut(), shard.idx, mo_n);
                shard.local.borrow_mut().mo_sent += 1;
                mark(c, &mut dirty);
            }
        }
        if now >= next_flush {
            next_flush = now + 100_000_000;
            shard.local.borrow_mut().flush(&shard.shared);
            for c in shard.conns.borrow().iter().flatten() {
                let mut st = c.st.borrow_mut();
                if st.bound != Bound::No
                    && !st.enquire_out
                    && now.saturating_sub(st.last_rx) > enquire
                {
                    let seq = st.seq();
                    smpp::header::put_header_only(&mut st.out, 0x0000_0015, 0, seq);
                    st.enquire_out = true;
                    drop(st);
                    mark(c, &mut dirty);
                }
            }
        }
        for c in dirty {
            c.st.borrow_mut().dirty = false;
            c.notify.notify();
        }
        let busy = !shard.wheel.borrow().is_empty() || mo_rate > 0.0;
        if busy {
            glommio::timer::sleep(Duration::from_millis(1)).await;
        } else {
            rt::wait_or_sleep(&shard.driver, Duration::from_millis(100)).await;
        }
    }
    accept_stop.notify();
    let conns: Vec<Rc<Conn>> = shard.conns.borrow().iter().flatten().cloned().collect();
    for c in conns {
        c.st.borrow_mut().closed = true;
        c.stream.shutdown();
        c.notify.notify();
    }
    shard.local.borrow_mut().flush(&shard.shared);
}

fn mark(c: &Rc<Conn>, dirty: &mut Vec<Rc<Conn>>) {
    let mut st = c.st.borrow_mut();
    if !st.dirty {
        st.dirty = true;
        dirty.push(c.clone());
    }
}

fn fire(shard: &ShardState, ev: Event, dirty: &mut Vec<Rc<Conn>>) {
    match ev {
        Event::Resp { conn, cmd, seq, id } => {
            if let Some(c) = shard.conn(conn) {
                let mut st = c.st.borrow_mut();
                st.waiting = st.waiting.saturating_sub(1);
                if !st.closed {
                    put_ok_resp(&mut st.out, cmd, seq, id, shard.cfg.o.id_format);
                    shard.local.borrow_mut().status(0);
                    drop(st);
                    mark(&c, dirty);
                }
            }
        }
        Event::Dlr {
            conn,
            id,
            from,
            to,
            state,
            submitted,
            due,
        } => {
            // v3.4 4.9: a cancelled message is never delivered, so it gets no receipt.
            if !shard.ledger.take_receipt(shard.idx, id >> 6) {
                shard.local.borrow_mut().receipts_cancelled += 1;
                return;
            }
            let target = shard
                .conn(conn)
                .filter(|c| {
                    let st = c.st.borrow();
                    st.bound.can_receive() && !st.closed
                })
                .or_else(|| {
                    // Another receiver bind of the same system_id on this executor.
                    let sys = shard.conn(conn).map(|c| c.st.borrow().system_id.clone())?;
                    shard
                        .conns
                        .borrow()
                        .iter()
                        .flatten()
                        .find(|c| {
                            let st = c.st.borrow();
                            st.bound.can_receive() && !st.closed && st.system_id == sys
                        })
                        .cloned()
                });
            match target {
                Some(c) => {
                    let done = shard.date_of(due);
                    put_receipt(
                        &mut c.st.borrow_mut(),
                        format_id(id, shard.cfg.receipt_ids, &mut [0; 20]),
                        &from,
                        &to,
                        state,
                        &submitted,
                        &done,
                    );
                    shard.local.borrow_mut().receipts_sent += 1;
                    mark(&c, dirty);
                }
                None => shard.local.borrow_mut().receipts_undeliverable += 1,
            }
        }
    }
}

fn put_ok_resp(out: &mut Vec<u8>, cmd: u32, seq: u32, id: u64, fmt: IdFormat) {
    let mut b = [0u8; 20];
    let id = format_id(id, fmt, &mut b);
    if cmd == 0x8000_0021 {
        // submit_multi_resp: message_id, no_unsuccess 0 (v3.4 4.5.2).
        let len = 16 + id.len() + 1 + 1;
        out.extend_from_slice(&(len as u32).to_be_bytes());
        out.extend_from_slice(&cmd.to_be_bytes());
        out.extend_from_slice(&0u32.to_be_bytes());
        out.extend_from_slice(&seq.to_be_bytes());
        out.extend_from_slice(id);
        out.extend_from_slice(&[0, 0]);
    } else {
        view::put_message_id_resp(out, cmd, 0, seq, Some(id));
    }
}

/// `YYMMDDhhmm` of a Unix time (UTC), for receipt dates.
fn receipt_date(unix: u64, out: &mut Vec<u8>) {
    smsedge_codecs::smpp::receipt::ReceiptDate::from_unix(unix, false).write(out);
}

fn date_now() -> [u8; 10] {
    let unix = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut v = Vec::with_capacity(10);
    receipt_date(unix, &mut v);
    v.try_into().expect("a receipt date has 10 digits")
}

/// Appends a receipt deliver_sm: Appendix B text plus receipted_message_id and message_state
/// (v3.4 5.3.2.12, 5.3.2.35), esm_class "SMSC Delivery Receipt" (5.2.12).
fn put_receipt(
    st: &mut ConnSt,
    idh: &[u8],
    from: &Addr,
    to: &Addr,
    state: MessageState,
    submitted: &[u8; 10],
    done: &[u8; 10],
) {
    let seq = st.seq();
    let out = &mut st.out;
    let start = out.len();
    out.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0]);
    out.extend_from_slice(&seq.to_be_bytes());
    out.push(0); // service_type
                 // The receipt goes from the recipient back to the sender.
    out.extend_from_slice(&[to.ton, to.npi]);
    out.extend_from_slice(to.bytes());
    out.push(0);
    out.extend_from_slice(&[from.ton, from.npi]);
    out.extend_from_slice(from.bytes());
    out.push(0);
    // esm_class, protocol_id, priority_flag, schedule/validity "", registered_delivery,
    // replace_if_present, data_coding, sm_default_msg_id.
    out.extend_from_slice(&[0x04, 0, 0, 0, 0, 0, 0, 0, 0]);
    let len_at = out.len();
    out.push(0);
    out.extend_from_slice(b"id:");
    out.extend_from_slice(idh);
    let delivered = state == MessageState::Delivered;
    out.extend_from_slice(if delivered {
        b" sub:001 dlvrd:001 submit date:"
    } else {
        b" sub:001 dlvrd:000 submit date:"
    });
    out.extend_from_slice(submitted);
    out.extend_from_slice(b" done date:");
    out.extend_from_slice(done);
    out.extend_from_slice(b" stat:");
    out.extend_from_slice(state.stat().as_bytes());
    out.extend_from_slice(if delivered {
        b" err:000 text:"
    } else {
        b" err:001 text:"
    });
    out[len_at] = (out.len() - len_at - 1) as u8;
    // receipted_message_id (C-octet string) and message_state.
    out.extend_from_slice(&smpp::tag::RECEIPTED_MESSAGE_ID.to_be_bytes());
    out.extend_from_slice(&(idh.len() as u16 + 1).to_be_bytes());
    out.extend_from_slice(idh);
    out.push(0);
    out.extend_from_slice(&smpp::tag::MESSAGE_STATE.to_be_bytes());
    out.extend_from_slice(&[0, 1, state.to_u8()]);
    let len = (out.len() - start) as u32;
    out[start..start + 4].copy_from_slice(&len.to_be_bytes());
}

/// Appends an MO deliver_sm (esm_class 0, GSM text).
fn put_mo(st: &mut ConnSt, shard: usize, n: u64) {
    let seq = st.seq();
    let mut pdu = smpp::SubmitSm {
        source_addr_ton: 1,
        source_addr_npi: 1,
        dest_addr_ton: 0,
        dest_addr_npi: 1,
        destination_addr: bytes::Bytes::from_static(b"12345"),
        ..Default::default()
    };
    let src = format!("4477009{:05}", (n * 64 + shard as u64) % 100_000);
    pdu.source_addr = src.into_bytes().into();
    pdu.short_message = format!("MO test message {n}").into_bytes().into();
    Pdu::new(seq, Body::DeliverSm(pdu)).encode(&mut st.out);
}

async fn conn_writer(shard: Rc<ShardState>, conn: Rc<Conn>) {
    let mut wbuf: Vec<u8> = Vec::with_capacity(64 << 10);
    loop {
        let close = {
            let mut st = conn.st.borrow_mut();
            if st.out.is_empty() {
                if st.closed || st.close_after_flush {
                    break;
                }
                None
            } else {
                std::mem::swap(&mut st.out, &mut wbuf);
                Some(st.close_after_flush)
            }
        };
        match close {
            None => conn.notify.wait().await,
            Some(close) => {
                if conn.stream.write_all(&wbuf).await.is_err() {
                    break;
                }
                wbuf.clear();
                if close && conn.st.borrow().out.is_empty() {
                    break;
                }
            }
        }
    }
    conn.st.borrow_mut().closed = true;
    conn.stream.shutdown();
    shard.remove_conn(conn.key);
}

async fn conn_reader(shard: Rc<ShardState>, conn: Rc<Conn>) {
    let framer = Framer::new(64 << 10);
    let mut buf = vec![0u8; 128 << 10];
    let mut filled = 0;
    loop {
        match conn.stream.read(&mut buf[filled..]).await {
            Ok(0) | Err(_) => break,
            Ok(n) => filled += n,
        }
        let now = rt::now_ns();
        let mut off = 0;
        let mut broken = false;
        let was_empty = shard.wheel.borrow().is_empty();
        {
            let mut st = conn.st.borrow_mut();
            st.last_rx = now;
            loop {
                match framer.frame_len(&buf[off..filled]) {
                    Ok(Some(n)) => {
                        handle(&shard, &conn, &mut st, &buf[off..off + n], now);
                        off += n;
                    }
                    Ok(None) => break,
                    Err(_) => {
                        // v3.4 3.2: no way to find the next PDU; the connection is closed.
                        broken = true;
                        break;
                    }
                }
            }
            if broken {
                st.close_after_flush = true;
            }
        }
        if was_empty && !shard.wheel.borrow().is_empty() {
            shard.driver.notify();
        }
        conn.notify.notify();
        if broken || conn.st.borrow().close_after_flush {
            break;
        }
        buf.copy_within(off..filled, 0);
        filled -= off;
    }
    let mut st = conn.st.borrow_mut();
    st.close_after_flush = true;
    if st.out.is_empty() {
        st.closed = true;
    }
    drop(st);
    conn.notify.notify();
}

fn handle(shard: &ShardState, conn: &Conn, st: &mut ConnSt, frame: &[u8], now: u64) {
    let h = Header::new_unchecked(frame);
    let seq = h.sequence_number();
    let cmd = h.command_id_raw();
    match cmd {
        0x0000_0004 | 0x0000_0021 | 0x0000_0103 => submit(shard, conn, st, frame, now),
        0x0000_0003 | 0x0000_0007 | 0x0000_0008 => by_id(shard, st, frame, now),
        0x0000_0001 | 0x0000_0002 | 0x0000_0009 => bind(shard, st, frame),
        0x0000_0015 => {
            smpp::header::put_header_only(&mut st.out, 0x8000_0015, 0, seq);
            shard.local.borrow_mut().enquire_link += 1;
        }
        0x8000_0015 => {
            st.enquire_out = false;
            shard.local.borrow_mut().enquire_link_resp += 1;
        }
        0x8000_0005 => shard.local.borrow_mut().deliver_sm_resp += 1,
        0x0000_0006 => {
            smpp::header::put_header_only(&mut st.out, 0x8000_0006, 0, seq);
            shard.local.borrow_mut().unbinds += 1;
            st.bound = Bound::No;
            st.close_after_flush = true;
        }
        0x8000_0006 | 0x8000_0000 => {}
        id if id & 0x8000_0000 == 0 => {
            // A request we know but do not serve gets its response with ESME_RINVCMDID; an
            // unknown command gets generic_nack (v3.4 3.3, 5.1.3).
            let known = !matches!(smpp::CommandId::from_u32(id), smpp::CommandId::Unknown(_))
                && smpp::CommandId::from_u32(id).response().is_some();
            let resp = if known { id | 0x8000_0000 } else { 0x8000_0000 };
            if !known {
                shard.local.borrow_mut().generic_nack_sent += 1;
            }
            smpp::header::put_header_only(&mut st.out, resp, CommandStatus::ESME_RINVCMDID.0, seq);
        }
        _ => {}
    }
}

fn bind(shard: &ShardState, st: &mut ConnSt, frame: &[u8]) {
    let h = Header::new_unchecked(frame);
    let (seq, cmd) = (h.sequence_number(), h.command_id_raw());
    let resp = cmd | 0x8000_0000;
    let o = &shard.cfg.o;
    let status = if st.bound != Bound::No {
        CommandStatus::ESME_RALYBND.0
    } else {
        match Pdu::decode_slice(frame) {
            Err(e) => smpp::error_status(&e).0,
            Ok(p) => {
                let b = match p.body {
                    Body::BindTransmitter(b) | Body::BindReceiver(b) | Body::BindTransceiver(b) => {
                        b
                    }
                    _ => unreachable!("command_id was a bind"),
                };
                let known = o
                    .system_id
                    .iter()
                    .position(|id| id.as_bytes() == &b.system_id[..]);
                match known {
                    None if !o.system_id.is_empty() => CommandStatus::ESME_RINVSYSID.0,
                    Some(i) if o.password[i].as_bytes() != &b.password[..] => {
                        CommandStatus::ESME_RINVPASWD.0
                    }
                    _ => {
                        st.system_id = b.system_id.to_vec();
                        st.bound = match cmd {
                            0x0000_0002 => Bound::Tx,
                            0x0000_0001 => Bound::Rx,
                            _ => Bound::Trx,
                        };
                        0
                    }
                }
            }
        }
    };
    let mut l = shard.local.borrow_mut();
    if status == 0 {
        l.binds += 1;
        let body_len = o.smsc_id.len() + 1;
        out_header(&mut st.out, 16 + body_len, resp, 0, seq);
        st.out.extend_from_slice(o.smsc_id.as_bytes());
        st.out.push(0);
    } else {
        l.binds_refused += 1;
        // v3.4 4.1.2: the body is not returned when command_status is not 0.
        smpp::header::put_header_only(&mut st.out, resp, status, seq);
    }
}

fn out_header(out: &mut Vec<u8>, len: usize, cmd: u32, status: u32, seq: u32) {
    out.extend_from_slice(&(len as u32).to_be_bytes());
    out.extend_from_slice(&cmd.to_be_bytes());
    out.extend_from_slice(&status.to_be_bytes());
    out.extend_from_slice(&seq.to_be_bytes());
}

/// registered_delivery bits 1..0 ask for a receipt for this final state (v3.4 5.2.17; v5.0
/// 4.7.21 adds 3 = success only).
fn wants_receipt(rd: u8, state: MessageState) -> bool {
    match rd & 0x03 {
        1 => true,
        2 => state != MessageState::Delivered,
        3 => state == MessageState::Delivered,
        _ => false,
    }
}

fn submit(shard: &ShardState, conn: &Conn, st: &mut ConnSt, frame: &[u8], now: u64) {
    let h = Header::new_unchecked(frame);
    let (seq, cmd) = (h.sequence_number(), h.command_id_raw());
    let resp = cmd | 0x8000_0000;
    let o = &shard.cfg.o;
    let mut local = shard.local.borrow_mut();
    match cmd {
        0x0000_0004 => local.submit_sm += 1,
        0x0000_0021 => local.submit_multi += 1,
        _ => local.data_sm += 1,
    }
    let mut rng = shard.rng.borrow_mut();
    let error = |st: &mut ConnSt, local: &mut Local, status: u32| {
        smpp::header::put_header_only(&mut st.out, resp, status, seq);
        local.status(status);
    };
    if !matches!(st.bound, Bound::Tx | Bound::Trx) {
        return error(st, &mut local, CommandStatus::ESME_RINVBNDSTS.0);
    }
    if rng.chance(o.drop_rate.0) {
        local.dropped += 1;
        return;
    }
    if o.window > 0 && st.waiting >= o.window {
        return error(st, &mut local, CommandStatus::ESME_RMSGQFUL.0);
    }
    if !shard.take_token(now) {
        return error(st, &mut local, CommandStatus::ESME_RTHROTTLED.0);
    }
    if rng.chance(o.error_rate.0) {
        let i = shard.err_cursor.get();
        shard.err_cursor.set(i.wrapping_add(1));
        return error(st, &mut local, o.error_status[i % o.error_status.len()]);
    }
    // Each destination's fate (final state, and when), and for those that get a receipt
    // their addresses (built only then: most load runs ask for none).
    let lat = o.latency.sample(&mut rng);
    let fate = |rng: &mut Rng| {
        // The schedule in turn (wrapping by compare: a division per message costs more).
        let states = &shard.cfg.states;
        let k = shard.dlr_cursor.get();
        shard
            .dlr_cursor
            .set(if k + 1 >= states.len() { 0 } else { k + 1 });
        let state = states[k];
        // The receipt never overtakes its response.
        (state, lat + o.dlr_delay.sample(rng))
    };
    let mut dests: [Option<Dest>; 1] = [None];
    let mut multi: Vec<Dest> = Vec::new();
    let src;
    // For query_sm / cancel_sm: a submit_multi is one message, final with its first
    // destination (so a cancel succeeds only while no receipt is out).
    let (state, delay);
    if cmd == 0x0000_0021 {
        match Pdu::decode_slice(frame) {
            Ok(Pdu {
                body: Body::SubmitMulti(m),
                ..
            }) => {
                let from = Addr::new(m.source_addr_ton, m.source_addr_npi, &m.source_addr);
                src = src_hash(&m.source_addr);
                for d in &m.dest_address {
                    if let smpp::DestAddress::Sme(a) = d {
                        let to = Addr::new(a.dest_addr_ton, a.dest_addr_npi, &a.destination_addr);
                        let (state, delay) = fate(&mut rng);
                        multi.push(Dest {
                            from,
                            to,
                            rd: m.tail.registered_delivery,
                            state,
                            delay,
                        });
                    }
                }
                (state, delay) = multi
                    .iter()
                    .map(|d| (d.state, d.delay))
                    .min_by_key(|(_, delay)| *delay)
                    .unwrap_or((MessageState::Delivered, lat));
            }
            Ok(_) => unreachable!("command_id was submit_multi"),
            Err(e) => return error(st, &mut local, smpp::error_status(&e).0),
        }
    } else {
        match SmView::parse(frame) {
            Ok(v) => {
                src = src_hash(v.source_addr());
                (state, delay) = fate(&mut rng);
                let rd = v.registered_delivery();
                if wants_receipt(rd, state) {
                    dests[0] = Some(Dest {
                        from: Addr::new(v.source_addr_ton(), v.source_addr_npi(), v.source_addr()),
                        to: Addr::new(v.dest_addr_ton(), v.dest_addr_npi(), v.destination_addr()),
                        rd,
                        state,
                        delay,
                    });
                }
            }
            Err(e) => return error(st, &mut local, smpp::error_status(&e).0),
        }
    }
    let (n, id) = shard.new_id();
    shard
        .ledger
        .record(shard.idx, n, now + delay, state.to_u8(), src);
    let mut wheel = shard.wheel.borrow_mut();
    if lat == 0 {
        put_ok_resp(&mut st.out, resp, seq, id, o.id_format);
        local.status(0);
    } else {
        st.waiting += 1;
        wheel.push(
            now + lat,
            Event::Resp {
                conn: conn.key,
                cmd: resp,
                seq,
                id,
            },
        );
    }
    let submitted = shard.date.get();
    for d in dests.iter().flatten().chain(multi.iter()) {
        if !wants_receipt(d.rd, d.state) {
            continue;
        }
        if rng.chance(o.dlr_drop_rate.0) {
            local.receipts_dropped += 1;
            continue;
        }
        let due = now + d.delay;
        let ev = Event::Dlr {
            conn: conn.key,
            id,
            from: d.from,
            to: d.to,
            state: d.state,
            submitted,
            due,
        };
        if d.delay == 0 {
            drop(local);
            let mut dirty = Vec::new();
            // Same connection, after the response already queued: deliver inline (final at
            // once, so nothing can have cancelled it).
            if st.bound.can_receive() && !st.closed {
                let done = shard.date_of(due);
                let mut b = [0u8; 20];
                let idh = format_id(id, shard.cfg.receipt_ids, &mut b);
                put_receipt(st, idh, &d.from, &d.to, d.state, &submitted, &done);
                shard.local.borrow_mut().receipts_sent += 1;
            } else {
                drop(wheel);
                fire(shard, ev, &mut dirty);
                for c in dirty {
                    c.st.borrow_mut().dirty = false;
                    c.notify.notify();
                }
                return;
            }
            local = shard.local.borrow_mut();
        } else {
            wheel.push(due, ev);
        }
    }
}

/// One destination of a submitted message.
#[derive(Debug, Clone, Copy)]
struct Dest {
    from: Addr,
    to: Addr,
    rd: u8,
    /// Final state drawn from --dlr-states.
    state: MessageState,
    /// From submission to the final state (response latency plus --dlr-delay), in ns.
    delay: u64,
}

/// query_sm, cancel_sm, replace_sm (v3.4 4.8-4.10): about a message this simulator issued
/// and still remembers (--id-memory), matched by message_id and, when given, source_addr
/// ("used for verification purposes, and must match that supplied in the original message
/// submission").
fn by_id(shard: &ShardState, st: &mut ConnSt, frame: &[u8], now: u64) {
    let h = Header::new_unchecked(frame);
    let (seq, cmd) = (h.sequence_number(), h.command_id_raw());
    let resp = cmd | 0x8000_0000;
    let mut local = shard.local.borrow_mut();
    let fail = match cmd {
        0x0000_0003 => {
            local.query_sm += 1;
            CommandStatus::ESME_RQUERYFAIL
        }
        0x0000_0008 => {
            local.cancel_sm += 1;
            CommandStatus::ESME_RCANCELFAIL
        }
        _ => {
            local.replace_sm += 1;
            CommandStatus::ESME_RREPLACEFAIL
        }
    };
    drop(local);
    // v3.4 2.3 table 2-1: transmitter and transceiver binds only.
    if !matches!(st.bound, Bound::Tx | Bound::Trx) {
        return smpp::header::put_header_only(
            &mut st.out,
            resp,
            CommandStatus::ESME_RINVBNDSTS.0,
            seq,
        );
    }
    let pdu = match Pdu::decode_slice(frame) {
        Ok(p) => p,
        Err(e) => {
            return smpp::header::put_header_only(&mut st.out, resp, smpp::error_status(&e).0, seq)
        }
    };
    let (message_id, source_addr) = match &pdu.body {
        Body::QuerySm(q) => (&q.message_id, &q.source_addr),
        Body::CancelSm(c) => (&c.message_id, &c.source_addr),
        Body::ReplaceSm(r) => (&r.message_id, &r.source_addr),
        _ => unreachable!("command_id was query_sm, cancel_sm or replace_sm"),
    };
    // A cancel_sm with no message_id cancels by addresses (v3.4 4.9.1); destinations are not
    // remembered, so that fails like an unknown id.
    let found = parse_id(message_id, shard.cfg.o.id_format).and_then(|(ex, n)| {
        let seen = shard.ledger.get(ex, n)?;
        (source_addr.is_empty() || src_hash(source_addr) == seen.src).then_some((ex, n, seen))
    });
    let Some((ex, n, seen)) = found else {
        // v3.4 4.8.2: no body unless command_status is 0.
        return smpp::header::put_header_only(&mut st.out, resp, fail.0, seq);
    };
    let status = match cmd {
        0x0000_0003 => return put_query_resp(shard, st, seq, (n << 6) | ex as u64, &seen, now),
        0x0000_0008 => match shard.ledger.cancel(ex, n, now) {
            Ok(()) => {
                shard.local.borrow_mut().cancelled += 1;
                0
            }
            Err(_) => fail.0,
        },
        _ if seen.pending(now) => {
            shard.local.borrow_mut().replaced += 1;
            0
        }
        _ => fail.0,
    };
    smpp::header::put_header_only(&mut st.out, resp, status, seq);
}

/// query_sm_resp (v3.4 4.8.2): message_id, final_date (empty while not final), message_state
/// (ENROUTE while pending), error_code.
fn put_query_resp(shard: &ShardState, st: &mut ConnSt, seq: u32, id: u64, m: &Seen, now: u64) {
    let mut final_date = Vec::with_capacity(17);
    let state = if let Some(at) = m.cancelled_at {
        absolute_time(
            if at == 0 { now } else { at } + shard.cfg.wall_offset,
            &mut final_date,
        );
        MessageState::Deleted.to_u8()
    } else if now >= m.due || m.receipt_sent {
        absolute_time(m.due + shard.cfg.wall_offset, &mut final_date);
        m.state
    } else {
        MessageState::Enroute.to_u8()
    };
    let mut b = [0u8; 20];
    let idh = format_id(id, shard.cfg.o.id_format, &mut b);
    let len = 16 + idh.len() + 1 + final_date.len() + 1 + 2;
    out_header(&mut st.out, len, 0x8000_0003, 0, seq);
    st.out.extend_from_slice(idh);
    st.out.push(0);
    st.out.extend_from_slice(&final_date);
    st.out.push(0);
    st.out.extend_from_slice(&[state, 0]);
}

/// v3.4 7.1.1 absolute time `YYMMDDhhmmsstnnp` of a Unix time in ns, in UTC ("00+").
fn absolute_time(unix_ns: u64, out: &mut Vec<u8>) {
    let secs = unix_ns / 1_000_000_000;
    receipt_date(secs, out);
    let s = secs % 60;
    let tenths = unix_ns / 100_000_000 % 10;
    out.extend_from_slice(&[
        b'0' + (s / 10) as u8,
        b'0' + (s % 10) as u8,
        b'0' + tenths as u8,
        b'0',
        b'0',
        b'+',
    ]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_ids_and_dates() {
        let mut b = [0u8; 20];
        assert_eq!(format_id(0, IdFormat::Hex, &mut b), b"0");
        assert_eq!(format_id(0xbeef, IdFormat::Hex, &mut b), b"beef");
        assert_eq!(format_id(0xbeef, IdFormat::Decimal, &mut b), b"48879");
        assert_eq!(
            format_id(u64::MAX, IdFormat::Hex, &mut b),
            b"ffffffffffffffff"
        );
        assert_eq!(
            format_id(u64::MAX, IdFormat::Decimal, &mut b),
            b"18446744073709551615"
        );
        // Parsed back: (executor, counter).
        assert_eq!(parse_id(b"BEEF", IdFormat::Hex), Some((0x2f, 0xbeef >> 6)));
        assert_eq!(
            parse_id(b"48879", IdFormat::Decimal),
            Some((0x2f, 0xbeef >> 6))
        );
        assert_eq!(
            parse_id(b"18446744073709551615", IdFormat::Decimal),
            Some((63, u64::MAX >> 6))
        );
        assert_eq!(parse_id(b"18446744073709551616", IdFormat::Decimal), None);
        assert_eq!(parse_id(b"beef", IdFormat::Decimal), None);
        assert_eq!(parse_id(b"", IdFormat::Hex), None);
        assert_eq!(parse_id(b"12 4", IdFormat::Hex), None);
        let mut t = Vec::new();
        // 2024-01-01 12:00:07.25 UTC.
        absolute_time(1_704_110_407_250_000_000, &mut t);
        assert_eq!(t, b"240101120007200+");
        let mut d = Vec::new();
        receipt_date(1_704_110_400, &mut d); // 2024-01-01 12:00:00 UTC
        assert_eq!(d, b"2401011200");
        d.clear();
        receipt_date(951_782_400 + 86_399, &mut d); // 2000-02-29 23:59:59
        assert_eq!(d, b"0002292359");
    }

    #[test]
    fn receipt_parses_back_with_the_codec() {
        let mut st = ConnSt {
            out: Vec::new(),
            bound: Bound::Trx,
            system_id: Vec::new(),
            waiting: 0,
            next_seq: 9,
            last_rx: 0,
            enquire_out: false,
            closed: false,
            close_after_flush: false,
            dirty: false,
        };
        let from = Addr::new(5, 0, b"SMSEDGE");
        let to = Addr::new(1, 1, b"447700900123");
        put_receipt(
            &mut st,
            b"abc",
            &from,
            &to,
            MessageState::Undeliverable,
            b"2401011200",
            b"2401011201",
        );
        let pdu = Pdu::decode_slice(&st.out).unwrap();
        assert_eq!(pdu.sequence_number, 9);
        let v = SmView::parse(&st.out).unwrap();
        assert!(v.is_receipt());
        assert_eq!(v.source_addr(), b"447700900123");
        assert_eq!(v.destination_addr(), b"SMSEDGE");
        assert_eq!(smpp::receipt::receipt_message_id(&v), Some(&b"abc"[..]));
        let r = smpp::ReceiptText::parse(v.short_message()).unwrap();
        assert_eq!(r.state(), Some(MessageState::Undeliverable));
        assert_eq!(r.submit_date, Some(&b"2401011200"[..]));
        assert_eq!(r.done_date, Some(&b"2401011201"[..]));
        assert_eq!(pdu.tlv(smpp::tag::MESSAGE_STATE).unwrap().as_u8(), Some(5));
    }

    #[test]
    fn receipt_requests_follow_registered_delivery() {
        use MessageState::*;
        assert!(wants_receipt(1, Delivered) && wants_receipt(1, Undeliverable));
        assert!(!wants_receipt(2, Delivered) && wants_receipt(2, Expired));
        assert!(wants_receipt(3, Delivered) && !wants_receipt(3, Rejected));
        assert!(!wants_receipt(0, Delivered) && !wants_receipt(0x10, Delivered));
    }

    #[test]
    fn defaults_mirror_the_cli() {
        let o = SmscOptions::default();
        assert_eq!(o.listen, "127.0.0.1:2776");
        assert_eq!(o.error_status, vec![8]);
        assert!(o.latency.is_zero());
        assert_eq!(o.window, 0);
    }
}
