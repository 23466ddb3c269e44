//! The load generator: N ESME binds sending submit_sm at a target rate or as fast as their
//! windows allow, measuring submit→submit_sm_resp and submit→receipt latency.
//!
//! # How a run goes
//!
//! One glommio executor per `--cpus` entry (one unpinned executor without it); binds are dealt
//! to executors round robin. Each bind is one TCP connection driven by two tasks: a reader that
//! frames every PDU of a 64 KiB read buffer and handles it (responses, receipts, enquire_link,
//! unbind), and a writer that sends everything one wake-up produced in one `send()`: the
//! submit_sm due now (pre-encoded templates, [`crate::templates`]), deliver_sm_resp,
//! enquire_link(_resp).
//!
//! Phases: *sending* until `--duration` passes, `--count` is reached or SIGINT/SIGTERM; then
//! *draining*: no new submit_sm, open requests get `--grace` to be answered; then, with `--dlr`,
//! receipts get `--dlr-grace` to arrive; then every bind unbinds and the report is built.
//!
//! # Honest numbers
//!
//! - At a fixed `--rate`, message *k* of a bind is *meant* to leave at `start + k / rate`; its
//!   latency is measured from that moment, not from when the window let it go, so a stalled
//!   server shows up as latency instead of as a lower send rate (no coordinated omission).
//!   At `--rate 0` the intended time is the time the batch was built.
//! - A request's send time lives in a ring indexed by sequence number (a slot still in use is
//!   skipped, never overwritten). A request not answered `--resp-timeout` after it left is counted as
//!   unanswered and frees its window slot, so a server that drops requests cannot stall the run
//!   silently; a response that comes after that is counted in `resp_unexpected`.
//! - `submitted == resp_ok + sum(resp_error) + unanswered` always holds.

use crate::dlr::{DlrTable, Matched};
use crate::parse::{CpuList, Secs, Weighted};
use crate::report::{new_histogram, status_key, Report};
use crate::rt::{self, Notify, Shared};
use crate::templates::{Destinations, Mix, TemplateParams};
use hdrhistogram::Histogram;
use smsedge_codecs::smpp::{
    self, receipt::receipt_message_id, view, Bind, Body, CommandStatus, Framer, Header,
    MessageState, Pdu, ReceiptText, SmView,
};
use std::cell::RefCell;
use std::collections::HashMap;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

/// How each ESME binds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum BindKind {
    /// bind_transmitter: sends only.
    Transmitter,
    /// bind_receiver: receives receipts and MO only.
    Receiver,
    /// bind_transceiver: both.
    #[default]
    Transceiver,
}

impl BindKind {
    fn can_send(self) -> bool {
        self != BindKind::Receiver
    }
}

/// Options of `smsedge-loadgen esme` (the same struct backs the CLI and the library).
#[derive(Debug, Clone, clap::Args)]
pub struct EsmeOptions {
    /// SMPP server to load, HOST:PORT.
    #[arg(long, default_value = "127.0.0.1:2775")]
    pub target: String,
    /// system_id to bind with.
    #[arg(long, default_value = "demo")]
    pub system_id: String,
    /// Password to bind with.
    #[arg(long, default_value = "demo")]
    pub password: String,
    /// system_type to bind with.
    #[arg(long, default_value = "")]
    pub system_type: String,
    /// Bind type of every connection.
    #[arg(long, value_enum, default_value_t = BindKind::Transceiver)]
    pub bind: BindKind,
    /// Number of binds (connections).
    #[arg(long, default_value_t = 1)]
    pub binds: usize,
    /// Open submit_sm per bind at most.
    #[arg(long, default_value_t = 64)]
    pub window: usize,
    /// submit_sm per second over all binds; 0 = as fast as the windows allow.
    #[arg(long, default_value_t = 0.0)]
    pub rate: f64,
    /// How long to send (`8` or `8s`); default 10 s unless --count is given.
    #[arg(long)]
    pub duration: Option<Secs>,
    /// How many submit_sm to send in total (every part of a long message counts).
    #[arg(long)]
    pub count: Option<u64>,
    /// Destination prefix, filled to 12 digits with a counter (repeatable).
    #[arg(long = "dest-prefix")]
    pub dest_prefix: Vec<String>,
    /// File of destination numbers, one per line, used in turn.
    #[arg(long)]
    pub dest_file: Option<PathBuf>,
    /// source_addr of every message (alphanumeric gets TON 5).
    #[arg(long, default_value = "SMSEDGE")]
    pub source_addr: String,
    /// Message mix by percentage: gsm7, ucs2, latin1, long (UDH), long-udh16, long-sar,
    /// long-ucs2.
    #[arg(long, default_value = "gsm7:100")]
    pub mix: Weighted,
    /// Ask for a delivery receipt with every message and wait for them.
    #[arg(long)]
    pub dlr: bool,
    /// CPUs to run on, one executor each (e.g. `0` or `0,1` or `0-3`).
    #[arg(long)]
    pub cpus: Option<CpuList>,
    /// Also write the JSON report to this file.
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// Draw the latency percentile curves to this SVG file.
    #[arg(long)]
    pub plot: Option<PathBuf>,
    /// Error responses (and failed binds, lost connections) tolerated before exit status 1.
    #[arg(long, default_value_t = 0)]
    pub max_errors: u64,
    /// After sending stops, how long open requests may take to be answered.
    #[arg(long, default_value = "5s")]
    pub grace: Secs,
    /// After the last response, how long missing receipts are waited for.
    #[arg(long, default_value = "10s")]
    pub dlr_grace: Secs,
    /// With --dlr, accepted messages waiting for their receipt at most (over all binds): the
    /// correlation table is bounded, and sending pauses while it is full.
    #[arg(long, default_value_t = 1_000_000)]
    pub dlr_window: u64,
    /// A request unanswered this long is counted as unanswered and frees its window slot.
    #[arg(long, default_value = "10s")]
    pub resp_timeout: Secs,
    /// Send enquire_link after this long without receiving anything.
    #[arg(long, default_value = "30s")]
    pub enquire_link: Secs,
    /// No progress lines on stderr.
    #[arg(long)]
    pub quiet: bool,
}

#[derive(clap::Parser)]
struct Defaults {
    #[command(flatten)]
    o: EsmeOptions,
}

impl Default for EsmeOptions {
    /// The CLI defaults.
    fn default() -> Self {
        <Defaults as clap::Parser>::parse_from(["esme"]).o
    }
}

const SENDING: u8 = 0;
const DRAINING: u8 = 1;
const CLOSING: u8 = 2;
/// submit_sm per write at most, so a huge window still gives bounded writes.
const BATCH_MAX: u64 = 2048;
/// Read buffer per connection (GLOMMIO.md: 16-64 KiB), twice the largest PDU accepted.
const READ_BUF: usize = 128 << 10;
const MAX_PDU: u32 = 64 << 10;

/// What every executor of a run shares.
#[derive(Debug)]
struct RunShared {
    phase: AtomicU8,
    drained: AtomicUsize,
    ended: AtomicUsize,
    dlr: DlrTable,
}

/// Read-only configuration derived from the options.
#[derive(Debug)]
struct RunConfig {
    opts: EsmeOptions,
    addr: SocketAddr,
    mix: Mix,
    dests: Destinations,
    senders: usize,
}

/// Counters of one executor, merged into the report at the end.
#[derive(Debug)]
struct ShardStats {
    r: Report,
    resp_err: HashMap<u32, u64>,
    /// Receipts by message_state (index 0: no state given or readable).
    dlr_states: [u64; 10],
    bind_err: HashMap<String, u64>,
    interval: Histogram<u64>,
    first_send: u64,
    last_resp: u64,
    in_flight: u64,
}

impl ShardStats {
    fn new() -> Self {
        ShardStats {
            r: Report::default(),
            resp_err: HashMap::new(),
            dlr_states: [0; 10],
            bind_err: HashMap::new(),
            interval: new_histogram(),
            first_send: u64::MAX,
            last_resp: 0,
            in_flight: 0,
        }
    }

    #[inline]
    fn record_resp(&mut self, us: u64) {
        self.r.hist_submit_resp.saturating_record(us);
        self.interval.saturating_record(us);
    }

    fn record_pair(&mut self, sent: u64, received: u64) {
        self.r.dlr_received += 1;
        self.r
            .hist_dlr
            .saturating_record(received.saturating_sub(sent) / 1000);
    }
}

/// A progress message from an executor, once per second.
#[derive(Debug)]
struct Tick {
    shard: usize,
    submitted: u64,
    answered: u64,
    errors: u64,
    dlr_received: u64,
    in_flight: u64,
    interval: Histogram<u64>,
}

struct ShardCtx {
    idx: usize,
    cfg: Arc<RunConfig>,
    shared: Arc<RunShared>,
    stats: RefCell<ShardStats>,
    conns: RefCell<Vec<Rc<Conn>>>,
}

impl ShardCtx {
    fn phase(&self) -> u8 {
        self.shared.phase.load(Ordering::Relaxed)
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    seq: u32,
    used: bool,
    dlr: bool,
    /// Intended send time: the latency base.
    t: u64,
    /// Actual send time: the response timeout runs from here (at a fixed rate a request
    /// may leave long after its intended time).
    sent: u64,
}

struct ConnState {
    out: Vec<u8>,
    ring: Vec<Slot>,
    mask: u32,
    in_flight: usize,
    next_seq: u32,
    last_rx: u64,
    enquire_out: bool,
    unbind_resp: bool,
    closed: bool,
}

struct Conn {
    stream: Shared,
    notify: Notify,
    st: RefCell<ConnState>,
}

impl ConnState {
    fn new(window: usize) -> Self {
        let n = (window * 4).max(1024).next_power_of_two();
        ConnState {
            out: Vec::with_capacity(64 << 10),
            ring: vec![Slot::default(); n],
            mask: (n - 1) as u32,
            in_flight: 0,
            next_seq: 2,
            last_rx: rt::now_ns(),
            enquire_out: false,
            unbind_resp: false,
            closed: false,
        }
    }

    /// The next sequence number whose ring slot is free (v3.4 5.1.4: 0x00000001..0x7FFFFFFF).
    #[inline]
    fn alloc_seq(&mut self) -> u32 {
        loop {
            let s = self.next_seq;
            self.next_seq = if s >= 0x7FFF_FFFF { 1 } else { s + 1 };
            if !self.ring[(s & self.mask) as usize].used {
                return s;
            }
        }
    }

    fn next_plain_seq(&mut self) -> u32 {
        // Sequence numbers for enquire_link/unbind also come from the ring's space so they
        // never collide with an open submit_sm.
        self.alloc_seq()
    }

    /// Frees every slot sent before `limit`; returns how many.
    fn expire(&mut self, limit: u64) -> u64 {
        let mut n = 0;
        for s in self.ring.iter_mut().filter(|s| s.used && s.sent < limit) {
            s.used = false;
            n += 1;
        }
        self.in_flight -= n as usize;
        n
    }
}

/// Runs a load test and returns its report (blocking). Prints progress lines to stderr unless
/// `quiet`; writes `--report` and `--plot` files when set. Stops early on SIGINT/SIGTERM once
/// [`crate::rt::install_signal_handlers`] was called.
pub fn run(opts: EsmeOptions) -> io::Result<Report> {
    run_until(opts, &AtomicBool::new(false))
}

/// [`run`], also stopping (gracefully, like a signal) when `stop` becomes true.
pub fn run_until(opts: EsmeOptions, stop: &AtomicBool) -> io::Result<Report> {
    let cfg = Arc::new(prepare(opts)?);
    let o = &cfg.opts;
    let placements = rt::placements(o.cpus.as_ref().map(|c| &c.0[..]), 1);
    let nshards = placements.len().min(o.binds);
    let shared = Arc::new(RunShared {
        phase: AtomicU8::new(SENDING),
        drained: AtomicUsize::new(0),
        ended: AtomicUsize::new(0),
        dlr: DlrTable::default(),
    });
    let (tx, rx) = mpsc::channel::<Tick>();
    let t0 = rt::now_ns();
    let handles = {
        let cfg = cfg.clone();
        let shared = shared.clone();
        rt::spawn_shards("loadgen-esme", &placements[..nshards], move |i| {
            shard_main(i, nshards, cfg.clone(), shared.clone(), tx.clone())
        })?
    };
    // --count alone runs until the count is sent; receiver binds (nothing to send) run for
    // --duration, default 10 s.
    let send_deadline = if o.count.is_some() && o.duration.is_none() && cfg.senders > 0 {
        u64::MAX
    } else {
        t0 + o.duration.map_or(10_000_000_000, |d| d.0.as_nanos() as u64)
    };
    let grace = o.grace.0.as_nanos() as u64;
    let mut dlr_deadline = None;
    let mut drain_start: Option<u64> = None;
    let mut total = new_histogram();
    let mut last: Vec<Option<Tick>> = (0..nshards).map(|_| None).collect();
    let mut prev = (0u64, 0u64, 0u64);
    // Executors report at whole seconds; print a little later so every report is in.
    let mut next_print = t0 + 1_250_000_000;
    loop {
        match rx.recv_timeout(Duration::from_millis(20)) {
            Ok(t) => {
                let _ = total.add(&t.interval);
                let i = t.shard;
                last[i] = Some(t);
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
        let now = rt::now_ns();
        let phase = shared.phase.load(Ordering::Relaxed);
        let drained = shared.drained.load(Ordering::Relaxed);
        let ended = shared.ended.load(Ordering::Relaxed);
        if ended >= o.binds {
            break;
        }
        let stopping = rt::stop_requested() || stop.load(Ordering::Relaxed);
        if phase == SENDING && (now >= send_deadline || stopping || drained >= o.binds) {
            shared.phase.store(DRAINING, Ordering::Relaxed);
        }
        if phase == DRAINING && drained >= o.binds {
            // Every bind is done waiting for responses; now the receipts.
            let deadline = *dlr_deadline.get_or_insert(now + o.dlr_grace.0.as_nanos() as u64);
            let waiting = shared.dlr.waiting() > 0;
            if !o.dlr || !waiting || now >= deadline {
                shared.phase.store(CLOSING, Ordering::Relaxed);
            }
        }
        // A bind whose writes are stuck (the server stopped reading) must not hang the run:
        // its writes time out; the others close after a bounded wait.
        if phase == DRAINING {
            let started = *drain_start.get_or_insert(now);
            if now > started + grace + 10_000_000_000 && dlr_deadline.is_none() {
                shared.phase.store(CLOSING, Ordering::Relaxed);
            }
        }
        if now >= next_print {
            next_print += 1_000_000_000;
            if !o.quiet {
                let sum = |f: fn(&Tick) -> u64| last.iter().flatten().map(f).sum::<u64>();
                let cur = (
                    sum(|t| t.submitted),
                    sum(|t| t.answered),
                    sum(|t| t.dlr_received),
                );
                let pct = |q| {
                    if total.is_empty() {
                        0
                    } else {
                        total.value_at_quantile(q)
                    }
                };
                eprintln!(
                    "[{:>4}s] submit {:>8}/s  resp {:>8}/s  dlr {:>7}/s  in-flight {:>6}  errors {}  p50 {}us p99 {}us",
                    ((now - t0) as f64 / 1e9).floor(),
                    cur.0 - prev.0,
                    cur.1 - prev.1,
                    cur.2 - prev.2,
                    sum(|t| t.in_flight),
                    sum(|t| t.errors),
                    pct(0.5),
                    pct(0.99),
                );
                prev = cur;
            }
        }
    }
    let mut report = Report {
        max_errors: o.max_errors,
        ..Default::default()
    };
    let (mut first, mut last_resp) = (u64::MAX, 0u64);
    for h in handles {
        let s = h.join()?;
        merge(&mut report, s, &mut first, &mut last_resp);
    }
    report.dlr_unmatched += shared.dlr.early();
    let end = last_resp.max(if first == u64::MAX { 0 } else { first });
    report.duration_s = if first == u64::MAX {
        0.0
    } else {
        ((end.max(first) - first) as f64 / 1e9 * 1000.0).round() / 1000.0
    };
    report.finish();
    if let Some(p) = &o.report {
        std::fs::write(p, report.to_json() + "\n")
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", p.display())))?;
    }
    if let Some(p) = &o.plot {
        report
            .write_plot(p)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", p.display())))?;
    }
    Ok(report)
}

fn merge(r: &mut Report, s: ShardStats, first: &mut u64, last: &mut u64) {
    let x = s.r;
    r.submitted += x.submitted;
    r.resp_ok += x.resp_ok;
    r.unanswered += x.unanswered;
    r.dlr_requested += x.dlr_requested;
    r.dlr_received += x.dlr_received;
    r.binds_ok += x.binds_ok;
    r.connection_errors += x.connection_errors;
    r.dlr_unmatched += x.dlr_unmatched;
    r.mo_received += x.mo_received;
    r.resp_unexpected += x.resp_unexpected;
    for (k, v) in s.resp_err {
        *r.resp_error.entry(status_key(k)).or_default() += v;
    }
    for (i, v) in s.dlr_states.into_iter().enumerate().filter(|(_, v)| *v > 0) {
        let name = MessageState::from_u8(i as u8).map_or("UNKNOWN", MessageState::stat);
        *r.dlr_states.entry(name.to_string()).or_default() += v;
    }
    for (k, v) in s.bind_err {
        *r.bind_errors.entry(k).or_default() += v;
    }
    let _ = r.hist_submit_resp.add(&x.hist_submit_resp);
    let _ = r.hist_dlr.add(&x.hist_dlr);
    *first = (*first).min(s.first_send);
    *last = (*last).max(s.last_resp);
}

fn prepare(opts: EsmeOptions) -> io::Result<RunConfig> {
    let bad = |m: String| io::Error::new(io::ErrorKind::InvalidInput, m);
    if opts.binds == 0 {
        return Err(bad("--binds must be at least 1".into()));
    }
    if opts.window == 0 {
        return Err(bad("--window must be at least 1".into()));
    }
    if !(opts.rate >= 0.0 && opts.rate.is_finite()) {
        return Err(bad("--rate must be 0 or more".into()));
    }
    let addr = opts
        .target
        .to_socket_addrs()
        .map_err(|e| bad(format!("--target {}: {e}", opts.target)))?
        .next()
        .ok_or_else(|| bad(format!("--target {}: no address", opts.target)))?;
    let mix = Mix::build(
        &opts.mix,
        &TemplateParams {
            source_addr: opts.source_addr.clone(),
            registered_delivery: u8::from(opts.dlr),
        },
    )?;
    let dests = Destinations::new(&opts.dest_prefix, opts.dest_file.as_deref())?;
    let senders = if opts.bind.can_send() { opts.binds } else { 0 };
    Ok(RunConfig {
        opts,
        addr,
        mix,
        dests,
        senders,
    })
}

async fn shard_main(
    idx: usize,
    nshards: usize,
    cfg: Arc<RunConfig>,
    shared: Arc<RunShared>,
    tx: mpsc::Sender<Tick>,
) -> ShardStats {
    let ctx = Rc::new(ShardCtx {
        idx,
        cfg: cfg.clone(),
        shared,
        stats: RefCell::new(ShardStats::new()),
        conns: RefCell::new(Vec::new()),
    });
    let done = Rc::new(std::cell::Cell::new(false));
    let ticker = glommio::spawn_local(ticker(ctx.clone(), tx, done.clone()));
    let tasks: Vec<_> = (idx..cfg.opts.binds)
        .step_by(nshards)
        .map(|b| glommio::spawn_local(bind_main(ctx.clone(), b)))
        .collect();
    for t in tasks {
        t.await;
    }
    done.set(true);
    ticker.await;
    let ctx = Rc::try_unwrap(ctx)
        .ok()
        .expect("every task of the shard has ended");
    ctx.stats.into_inner()
}

async fn ticker(ctx: Rc<ShardCtx>, tx: mpsc::Sender<Tick>, done: Rc<std::cell::Cell<bool>>) {
    let timeout = ctx.cfg.opts.resp_timeout.0.as_nanos() as u64;
    let mut next = rt::now_ns() + 1_000_000_000;
    loop {
        let now = rt::now_ns();
        let last = done.get();
        if now >= next || last {
            next += 1_000_000_000;
            // Requests unanswered for --resp-timeout are given up: counted, slot freed.
            let limit = now.saturating_sub(timeout);
            let mut expired = 0;
            for c in ctx.conns.borrow().iter() {
                let n = c.st.borrow_mut().expire(limit);
                if n > 0 {
                    expired += n;
                    c.notify.notify();
                }
            }
            let mut s = ctx.stats.borrow_mut();
            s.r.unanswered += expired;
            let in_flight = ctx
                .conns
                .borrow()
                .iter()
                .map(|c| c.st.borrow().in_flight as u64)
                .sum();
            s.in_flight = in_flight;
            let interval = std::mem::replace(&mut s.interval, new_histogram());
            let _ = tx.send(Tick {
                shard: ctx.idx,
                submitted: s.r.submitted,
                answered: s.r.resp_ok + s.resp_err.values().sum::<u64>(),
                errors: s.resp_err.values().sum::<u64>()
                    + s.bind_err.values().sum::<u64>()
                    + s.r.connection_errors,
                dlr_received: s.r.dlr_received,
                in_flight,
                interval,
            });
        }
        if last {
            return;
        }
        glommio::timer::sleep(Duration::from_millis(100)).await;
    }
}

/// One bind: connect, bind, run, unbind. Always counts itself drained and ended.
async fn bind_main(ctx: Rc<ShardCtx>, b: usize) {
    match connect_and_bind(&ctx, b).await {
        Ok((conn, leftover)) => {
            ctx.stats.borrow_mut().r.binds_ok += 1;
            ctx.conns.borrow_mut().push(conn.clone());
            let reader = glommio::spawn_local(reader(ctx.clone(), conn.clone(), leftover));
            let lost = writer(&ctx, &conn, b).await.is_err();
            conn.stream.shutdown();
            reader.await;
            let mut st = conn.st.borrow_mut();
            let mut s = ctx.stats.borrow_mut();
            if lost || (st.closed && !st.unbind_resp && ctx.phase() != CLOSING) {
                s.r.connection_errors += 1;
            }
            // Whatever is still open will never be answered now.
            let open = st.expire(u64::MAX);
            s.r.unanswered += open;
        }
        Err(e) => {
            let mut s = ctx.stats.borrow_mut();
            *s.bind_err.entry(e).or_default() += 1;
            ctx.shared.drained.fetch_add(1, Ordering::Relaxed);
        }
    }
    ctx.shared.ended.fetch_add(1, Ordering::Relaxed);
}

async fn connect_and_bind(ctx: &ShardCtx, b: usize) -> Result<(Rc<Conn>, Vec<u8>), String> {
    let o = &ctx.cfg.opts;
    let timeout = Duration::from_secs(10);
    let stream = glommio::net::TcpStream::connect_timeout(ctx.cfg.addr, timeout)
        .await
        .map_err(|e| {
            if !o.quiet {
                eprintln!("bind {b}: cannot connect to {}: {e}", ctx.cfg.addr);
            }
            "connect".to_string()
        })?;
    let _ = stream.set_nodelay(true);
    // A server that stops reading must not block a writer forever.
    let _ = stream.set_write_timeout(Some(timeout));
    let stream = Shared::new(stream);
    let bind = Bind {
        system_id: o.system_id.clone().into_bytes().into(),
        password: o.password.clone().into_bytes().into(),
        system_type: o.system_type.clone().into_bytes().into(),
        interface_version: 0x34,
        ..Default::default()
    };
    let body = match o.bind {
        BindKind::Transmitter => Body::BindTransmitter(bind),
        BindKind::Receiver => Body::BindReceiver(bind),
        BindKind::Transceiver => Body::BindTransceiver(bind),
    };
    let pdu = Pdu::new(1, body);
    let want = pdu.command_id().response().map(|c| c.to_u32());
    let io_err = |e: io::Error| {
        if !o.quiet {
            eprintln!("bind {b}: {e}");
        }
        "io".to_string()
    };
    stream.write_all(&pdu.to_vec()).await.map_err(io_err)?;
    let framer = Framer::new(MAX_PDU);
    let mut buf = vec![0u8; 4096];
    let mut filled = 0;
    let len = loop {
        match framer.frame_len(&buf[..filled]) {
            Ok(Some(n)) => break n,
            Ok(None) => {}
            Err(e) => return Err(io_err(io::Error::other(e.to_string()))),
        }
        if filled == buf.len() {
            buf.resize(buf.len() * 2, 0);
        }
        let read = futures_lite::future::or(stream.read(&mut buf[filled..]), async {
            glommio::timer::sleep(timeout).await;
            Err(io::Error::new(io::ErrorKind::TimedOut, "no bind response"))
        })
        .await
        .map_err(io_err)?;
        if read == 0 {
            return Err(io_err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "connection closed before the bind response",
            )));
        }
        filled += read;
    };
    let h = Header::new_unchecked(&buf[..len]);
    let status = h.command_status();
    if Some(h.command_id_raw()) != want || status != 0 {
        if !o.quiet {
            eprintln!(
                "bind {b}: refused: {} {}",
                h.command_id(),
                CommandStatus(status)
            );
        }
        return Err(status_key(if status == 0 {
            CommandStatus::ESME_RBINDFAIL.0
        } else {
            status
        }));
    }
    let conn = Rc::new(Conn {
        stream,
        notify: Notify::default(),
        st: RefCell::new(ConnState::new(o.window)),
    });
    Ok((conn, buf[len..filled].to_vec()))
}

/// The writer: sends what is due, drains, unbinds. Err = the connection failed.
async fn writer(ctx: &ShardCtx, conn: &Conn, b: usize) -> io::Result<()> {
    let cfg = &ctx.cfg;
    let o = &cfg.opts;
    let sends = o.bind.can_send();
    // This bind's share of --count and --rate.
    let senders = cfg.senders.max(1) as u64;
    let quota = match (sends, o.count) {
        (false, _) => 0,
        (true, Some(n)) => n / senders + u64::from((b as u64) < n % senders),
        (true, None) => u64::MAX,
    };
    let rate = if o.rate > 0.0 {
        o.rate / senders as f64
    } else {
        0.0
    };
    let grace = o.grace.0.as_nanos() as u64;
    let enquire = o.enquire_link.0.as_nanos() as u64;
    let window = o.window;
    let mix = &cfg.mix;
    let mut cursor = (b * 7) % mix.schedule.len();
    let mut part = 0usize;
    let mut reference: u16 = (b as u16).wrapping_mul(4099);
    let mut dest_n = b as u64;
    let mut dest = [0u8; 24];
    let start = rt::now_ns();
    let mut sent = 0u64;
    let mut drain_deadline: Option<u64> = None;
    let mut drained = false;
    let mut wbuf: Vec<u8> = Vec::with_capacity(64 << 10);
    let mut unbind_sent: Option<u64> = None;
    loop {
        let phase = ctx.phase();
        let now = rt::now_ns();
        let mut wait = Duration::from_millis(100);
        let closed = {
            let mut st = conn.st.borrow_mut();
            if st.closed {
                std::mem::swap(&mut st.out, &mut wbuf);
            }
            st.closed
        };
        if closed {
            // The peer closed or unbound; flush what the reader queued (unbind_resp).
            if !wbuf.is_empty() {
                let _ = conn.stream.write_all(&wbuf).await;
            }
            if !drained {
                ctx.shared.drained.fetch_add(1, Ordering::Relaxed);
            }
            return Ok(());
        }
        {
            let mut st = conn.st.borrow_mut();
            // A receiver bind stays in the sending phase (receiving) until the run moves on.
            let sending = phase == SENDING && (sent < quota || !sends);
            if sending && sends {
                let due = if rate > 0.0 {
                    quota.min(((now - start) as f64 * rate / 1e9) as u64 + 1)
                } else {
                    quota
                };
                let mut free = (window - st.in_flight.min(window)) as u64;
                if o.dlr {
                    // Receipts still to come count against --dlr-window, so the table that
                    // matches them stays bounded.
                    let pending = ctx.shared.dlr.waiting() + st.in_flight as u64;
                    let room = o.dlr_window.saturating_sub(pending);
                    if room < free {
                        free = room;
                        wait = Duration::from_millis(1);
                    }
                }
                let n = (due - sent).min(free).min(BATCH_MAX);
                if n > 0 {
                    let st = &mut *st;
                    for _ in 0..n {
                        let intended = if rate > 0.0 {
                            start + (sent as f64 * 1e9 / rate) as u64
                        } else {
                            now
                        };
                        let seq = st.alloc_seq();
                        st.ring[(seq & st.mask) as usize] = Slot {
                            seq,
                            used: true,
                            dlr: o.dlr,
                            t: intended,
                            sent: now,
                        };
                        st.in_flight += 1;
                        let t = &mix.templates[mix.schedule[cursor]];
                        let dl = cfg.dests.write(dest_n, &mut dest);
                        t.parts[part].emit(&mut st.out, seq, &dest[..dl], reference);
                        part += 1;
                        if part == t.parts.len() {
                            part = 0;
                            cursor = (cursor + 1) % mix.schedule.len();
                            dest_n += cfg.senders.max(1) as u64;
                            reference = reference.wrapping_add(1);
                        }
                        sent += 1;
                    }
                    let mut s = ctx.stats.borrow_mut();
                    s.r.submitted += n;
                    s.first_send = s.first_send.min(now);
                }
                if rate > 0.0 && sent < quota && st.in_flight < window {
                    let next = start + (sent as f64 * 1e9 / rate) as u64;
                    // Wake at the next due time, but not more often than every 50 µs: at
                    // high rates that batches sends; the intended time stays exact.
                    wait = Duration::from_nanos(next.saturating_sub(now).max(50_000));
                }
            } else if !sending && !drained {
                let d = *drain_deadline.get_or_insert(now + grace);
                if st.in_flight == 0 || now >= d {
                    drained = true;
                    ctx.shared.drained.fetch_add(1, Ordering::Relaxed);
                }
            }
            if drained && phase == CLOSING {
                match unbind_sent {
                    None => {
                        let seq = st.next_plain_seq();
                        smpp::header::put_header_only(&mut st.out, 0x0000_0006, 0, seq);
                        unbind_sent = Some(now);
                    }
                    Some(t) => {
                        if st.unbind_resp || now > t + 2_000_000_000 {
                            return Ok(());
                        }
                    }
                }
            }
            if now.saturating_sub(st.last_rx) > enquire && !st.enquire_out {
                let seq = st.next_plain_seq();
                smpp::header::put_header_only(&mut st.out, 0x0000_0015, 0, seq);
                st.enquire_out = true;
            }
            if !st.out.is_empty() {
                std::mem::swap(&mut st.out, &mut wbuf);
            }
        }
        if !wbuf.is_empty() {
            conn.stream.write_all(&wbuf).await?;
            wbuf.clear();
            continue;
        }
        rt::wait_or_sleep(&conn.notify, wait).await;
    }
}

async fn reader(ctx: Rc<ShardCtx>, conn: Rc<Conn>, leftover: Vec<u8>) {
    let framer = Framer::new(MAX_PDU);
    let mut buf = vec![0u8; READ_BUF];
    let mut filled = leftover.len();
    buf[..filled].copy_from_slice(&leftover);
    let mut first = true;
    loop {
        if !first || filled == 0 {
            match conn.stream.read(&mut buf[filled..]).await {
                Ok(0) | Err(_) => break,
                Ok(n) => filled += n,
            }
        }
        first = false;
        let now = rt::now_ns();
        let mut off = 0;
        let mut broken = false;
        {
            let mut st = conn.st.borrow_mut();
            let mut s = ctx.stats.borrow_mut();
            st.last_rx = now;
            loop {
                match framer.frame_len(&buf[off..filled]) {
                    Ok(Some(n)) => {
                        handle(&ctx, &mut st, &mut s, &buf[off..off + n], now);
                        off += n;
                    }
                    Ok(None) => break,
                    Err(_) => {
                        broken = true;
                        break;
                    }
                }
            }
            if broken {
                st.closed = true;
            }
        }
        conn.notify.notify();
        if broken || conn.st.borrow().closed {
            break;
        }
        buf.copy_within(off..filled, 0);
        filled -= off;
    }
    conn.st.borrow_mut().closed = true;
    conn.notify.notify();
}

fn handle(ctx: &ShardCtx, st: &mut ConnState, s: &mut ShardStats, frame: &[u8], now: u64) {
    let h = Header::new_unchecked(frame);
    let seq = h.sequence_number();
    match h.command_id_raw() {
        // submit_sm_resp, data_sm_resp, submit_multi_resp, generic_nack.
        0x8000_0004 | 0x8000_0103 | 0x8000_0021 | 0x8000_0000 => {
            let slot = &mut st.ring[(seq & st.mask) as usize];
            if !slot.used || slot.seq != seq {
                s.r.resp_unexpected += 1;
                return;
            }
            slot.used = false;
            let (t, dlr) = (slot.t, slot.dlr);
            st.in_flight -= 1;
            s.record_resp(now.saturating_sub(t) / 1000);
            s.last_resp = now;
            let status = h.command_status();
            if status != 0 || h.command_id_raw() == 0x8000_0000 {
                // generic_nack with status 0 would be a peer bug; still an error answer.
                *s.resp_err
                    .entry(if status == 0 {
                        CommandStatus::ESME_RUNKNOWNERR.0
                    } else {
                        status
                    })
                    .or_default() += 1;
                return;
            }
            s.r.resp_ok += 1;
            if dlr {
                s.r.dlr_requested += 1;
                match view::resp_message_id(frame) {
                    Ok(Some(id)) if !id.is_empty() => {
                        if let Matched::Pair { sent, received } = ctx.shared.dlr.submitted(id, t) {
                            s.record_pair(sent, received);
                        }
                    }
                    // No id: the receipt cannot be matched; it will count as missing.
                    _ => {}
                }
            }
        }
        // deliver_sm, data_sm: a receipt or an MO message; always answered.
        0x0000_0005 | 0x0000_0103 => {
            let status = match SmView::parse(frame) {
                Ok(v) => {
                    if v.is_receipt() {
                        let state = v
                            .tlv(smpp::tag::MESSAGE_STATE)
                            .and_then(|b| b.first().copied())
                            .and_then(MessageState::from_u8)
                            .or_else(|| ReceiptText::parse(v.payload()).and_then(|r| r.state()));
                        s.dlr_states[state.map_or(0, |st| usize::from(st.to_u8()))] += 1;
                        match receipt_message_id(&v) {
                            Some(id) => match ctx.shared.dlr.received(id, now) {
                                Matched::Pair { sent, received } => s.record_pair(sent, received),
                                Matched::Pending => {}
                                Matched::Duplicate => s.r.dlr_unmatched += 1,
                            },
                            None => s.r.dlr_unmatched += 1,
                        }
                    } else {
                        s.r.mo_received += 1;
                    }
                    0
                }
                Err(e) => smpp::error_status(&e).0,
            };
            // v3.4 4.6.2: deliver_sm_resp's message_id is unused and set to NULL.
            view::put_message_id_resp(
                &mut st.out,
                h.command_id_raw() | 0x8000_0000,
                status,
                seq,
                Some(b""),
            );
        }
        0x0000_0015 => smpp::header::put_header_only(&mut st.out, 0x8000_0015, 0, seq),
        0x8000_0015 => st.enquire_out = false,
        0x0000_0006 => {
            smpp::header::put_header_only(&mut st.out, 0x8000_0006, 0, seq);
            st.unbind_resp = true;
            st.closed = true;
        }
        0x8000_0006 => st.unbind_resp = true,
        id if id & 0x8000_0000 == 0 => {
            // v3.4 3.3: a request we do not know gets generic_nack ESME_RINVCMDID.
            smpp::header::put_header_only(
                &mut st.out,
                0x8000_0000,
                CommandStatus::ESME_RINVCMDID.0,
                seq,
            );
        }
        _ => s.r.resp_unexpected += 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_mirror_the_cli() {
        let o = EsmeOptions::default();
        assert_eq!(o.target, "127.0.0.1:2775");
        assert_eq!((o.binds, o.window, o.rate), (1, 64, 0.0));
        assert_eq!(o.bind, BindKind::Transceiver);
        assert_eq!(o.grace.0, Duration::from_secs(5));
        assert_eq!(o.mix.0, vec![("gsm7".to_string(), 100)]);
    }

    #[test]
    fn ring_skips_busy_slots_and_expires_old_ones() {
        let mut st = ConnState::new(4);
        let n = st.ring.len() as u32;
        let s1 = st.alloc_seq();
        st.ring[(s1 & st.mask) as usize] = Slot {
            seq: s1,
            used: true,
            dlr: false,
            t: 1,
            sent: 5,
        };
        st.in_flight = 1;
        // Walk all the way round: the busy slot is skipped, never reused.
        for _ in 0..n - 1 {
            st.alloc_seq();
        }
        let again = st.alloc_seq();
        assert_ne!(again & st.mask, s1 & st.mask);
        assert_eq!(st.expire(5), 0);
        assert_eq!(st.expire(6), 1);
        assert_eq!(st.in_flight, 0);
    }
}
