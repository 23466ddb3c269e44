//! The glommio glue, kept in one place (GLOMMIO.md: a move to another thread-per-core runtime
//! should stay cheap): one executor per shard, pinned; per shard an accept task per listener, a
//! reader and a writer task per connection, a task per upstream bind slot, one task per mesh
//! peer, and ONE periodic task that drives every timer of the shard (no glommio timer per PDU).

use crate::conn::{Conn, ReadBuf};
use crate::mesh::MeshMsg;
use crate::shard::ShardState;
use crate::shared::Shared;
use futures_lite::future;
use glommio::channels::channel_mesh::{Full, MeshBuilder, Senders};
use glommio::net::{TcpListener, TcpStream};
use glommio::{LocalExecutorBuilder, Placement};
use smsedge_codecs::smpp::{FrameError, Framer, HEADER_LEN};
use smsedge_control::publish::Snapshot;
use smsedge_control::runtime::Runtime;
use std::cell::{Cell, RefCell};
use std::net::{SocketAddr, ToSocketAddrs};
use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Read buffer per connection (GLOMMIO.md: 16–64 KiB; 4 KiB cost ~25% at high rates).
const READ_BUF: usize = 64 << 10;
/// Period of the shard's timer task.
const TICK: Duration = Duration::from_millis(5);
/// How often a shard copies its counters out.
const STATS_EVERY: Duration = Duration::from_millis(250);
/// Batches queued per mesh channel.
pub const MESH_CAPACITY: usize = 4096;

/// Everything a shard's tasks share.
struct Ctx {
    st: RefCell<ShardState>,
    senders: Option<Senders<Vec<MeshMsg>>>,
    stop_accepting: crate::conn::Notify,
    accepting: Cell<bool>,
}

impl Ctx {
    /// Sends what the shard queued for other shards; whatever a full channel refuses is kept
    /// for the next flush.
    fn flush_mesh(&self, st: &mut ShardState) {
        if !st.mesh_pending() {
            return;
        }
        let Some(senders) = &self.senders else { return };
        let batches: Vec<(usize, Vec<MeshMsg>)> = st.take_mesh().collect();
        for (peer, batch) in batches {
            if let Err(e) = senders.try_send_to(peer, batch) {
                match e {
                    glommio::GlommioError::WouldBlock(glommio::ResourceType::Channel(batch)) => {
                        st.mesh_unsent(peer, batch)
                    }
                    e => tracing::error!(peer, error = %e, "mesh send failed"),
                }
            }
        }
    }
}

/// What a shard needs to start.
pub struct ShardSpec {
    /// Shard number.
    pub id: usize,
    /// CPU to pin to, or `None` to float.
    pub cpu: Option<usize>,
    /// Process-wide state.
    pub shared: Arc<Shared>,
    /// Runtime snapshot for the shard.
    pub rt: Snapshot<Runtime>,
    /// SMPP listeners.
    pub listen: Vec<SocketAddr>,
    /// The channel mesh (all shards).
    pub mesh: MeshBuilder<Vec<MeshMsg>, Full>,
    /// Tells the starter the listeners are bound (or why not).
    pub ready: std::sync::mpsc::Sender<Result<usize, String>>,
}

impl std::fmt::Debug for ShardSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShardSpec")
            .field("id", &self.id)
            .field("cpu", &self.cpu)
            .finish_non_exhaustive()
    }
}

/// Starts a shard's executor on its own thread.
pub fn spawn_shard(spec: ShardSpec) -> std::io::Result<std::thread::JoinHandle<()>> {
    let placement = match spec.cpu {
        Some(cpu) => Placement::Fixed(cpu),
        None => Placement::Unbound,
    };
    let name = format!("shard-{}", spec.id);
    std::thread::Builder::new()
        .name(name.clone())
        .spawn(move || {
            let ready = spec.ready.clone();
            let ex = LocalExecutorBuilder::new(placement)
                .name(&name)
                // Networking never uses the io_uring registered buffers (GLOMMIO.md).
                .io_memory(64 << 10)
                // A shard reaps completions only between task-queue rounds: keep rounds short.
                .preempt_timer(Duration::from_millis(2))
                .make();
            match ex {
                Ok(ex) => ex.run(shard_main(spec)),
                Err(e) => {
                    let _ = ready.send(Err(format!(
                        "shard {}: cannot start executor: {e}",
                        spec.id
                    )));
                }
            }
        })
}

async fn shard_main(spec: ShardSpec) {
    let ShardSpec {
        id,
        shared,
        rt,
        listen,
        mesh,
        ready,
        ..
    } = spec;
    // glommio 0.9 can park in io_uring_enter past a due timer under CPU contention (glommio
    // #326, #547; seen here): a watchdog signals a shard whose heartbeat stalls.
    let _watch = smsedge_loadgen::rt::watch_this_executor();
    let senders = if shared.shards > 1 {
        match mesh.join().await {
            Ok((senders, receivers)) => Some((senders, receivers)),
            Err(e) => {
                let _ = ready.send(Err(format!("shard {id}: channel mesh failed to form: {e}")));
                return;
            }
        }
    } else {
        None
    };
    let mut listeners = Vec::new();
    for addr in &listen {
        match TcpListener::bind(addr) {
            Ok(l) => listeners.push(l),
            Err(e) => {
                let _ = ready.send(Err(format!("listen {addr}: {e}")));
                return;
            }
        }
    }
    let (senders, mut receivers) = match senders {
        Some((s, r)) => (Some(s), Some(r)),
        None => (None, None),
    };
    // The shard number is this shard's place in the mesh: glommio numbers peers in the order
    // they join, and a message for peer k must go to index k.
    let id = senders.as_ref().map_or(id, |s| s.peer_id());
    let ctx = Rc::new(Ctx {
        st: RefCell::new(ShardState::new(id, shared.clone(), rt)),
        senders,
        stop_accepting: crate::conn::Notify::default(),
        accepting: Cell::new(true),
    });
    // server.max_pdu_len cannot change at run time (a reload that changes it is refused).
    FRAMER_MAX.with(|m| m.set(ctx.st.borrow().runtime().server.max_pdu_len));
    for l in listeners {
        glommio::spawn_local(accept_loop(ctx.clone(), l)).detach();
    }
    if let Some(r) = receivers.as_mut() {
        for (_, rx) in r.streams() {
            let ctx = ctx.clone();
            glommio::spawn_local(async move {
                while let Some(batch) = rx.recv().await {
                    let mut st = ctx.st.borrow_mut();
                    st.now = Instant::now();
                    st.refresh();
                    st.mesh_in(batch);
                    ctx.flush_mesh(&mut st);
                }
            })
            .detach();
        }
    }
    let _ = ready.send(Ok(id));
    timer_loop(ctx.clone()).await;
    shared.stopped.fetch_add(1, Ordering::AcqRel);
}

thread_local! {
    /// The shard's largest accepted PDU (server.max_pdu_len).
    static FRAMER_MAX: Cell<u32> = const { Cell::new(smsedge_codecs::smpp::DEFAULT_MAX_PDU_LEN) };
}

fn framer() -> Framer {
    Framer::new(FRAMER_MAX.with(Cell::get))
}

async fn accept_loop(ctx: Rc<Ctx>, listener: TcpListener) {
    loop {
        let accepted = future::or(async { Some(listener.accept().await) }, async {
            ctx.stop_accepting.wait().await;
            None
        })
        .await;
        let stream = match accepted {
            None => return,
            Some(Ok(s)) => s,
            Some(Err(e)) => {
                tracing::warn!(error = %e, "accept failed");
                glommio::timer::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        if !ctx.accepting.get() {
            return;
        }
        let peer = stream
            .peer_addr()
            .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
        let refused = {
            let mut st = ctx.st.borrow_mut();
            st.now = Instant::now();
            st.refresh();
            st.admits_client().err()
        };
        if let Some(n) = refused {
            // Full: closed before any buffer is given to it (dropping the stream closes it).
            // Logged at 1, 2, 4, 8... refusals so that a flood does not flood the log.
            if n.is_power_of_two() {
                tracing::warn!(%peer, refused = n, "connection refused: server.max_connections open");
            }
            continue;
        }
        let conn = Conn::new(stream, peer);
        let (key, _gen) = {
            let mut st = ctx.st.borrow_mut();
            st.client_open(conn.clone())
        };
        glommio::spawn_local(conn.clone().writer()).detach();
        glommio::spawn_local(client_reader(ctx.clone(), key, conn)).detach();
    }
}

/// How many more octets the buffer must hold for the PDU at its front to be complete.
fn need(data: &[u8]) -> usize {
    if data.len() >= 4 {
        u32::from_be_bytes([data[0], data[1], data[2], data[3]]) as usize
    } else {
        HEADER_LEN
    }
}

/// Frames and handles every complete PDU in `rb` under one borrow of the shard (so everything
/// written during the batch leaves in one write per connection); `Err` on broken framing.
fn drain_frames(
    ctx: &Ctx,
    rb: &mut ReadBuf,
    framer: &Framer,
    on_frame: &mut impl FnMut(&mut ShardState, &[u8]),
) -> Result<(), FrameError> {
    let mut st = ctx.st.borrow_mut();
    st.now = Instant::now();
    st.refresh();
    let r = loop {
        match framer.frame_len(rb.data()) {
            Ok(Some(len)) => {
                on_frame(&mut st, &rb.data()[..len]);
                rb.consume(len);
            }
            Ok(None) => break Ok(()),
            Err(e) => break Err(e),
        }
    };
    ctx.flush_mesh(&mut st);
    r
}

/// Reads PDUs from `conn` until it closes (`None`) or breaks framing (the error).
async fn read_loop(
    ctx: &Ctx,
    conn: &Conn,
    hold_back: bool,
    mut on_frame: impl FnMut(&mut ShardState, &[u8]),
) -> Option<FrameError> {
    let framer = framer();
    let mut rb = ReadBuf::new(READ_BUF);
    loop {
        // An ESME that does not read its answers is not read either (bounded buffers). An
        // upstream is not held back: what we queue to it is bounded by its window already.
        if hold_back {
            conn.wait_room().await;
            // Its session is over (unbound, timed out): nothing it sends is acted on, so it
            // is not read at all — reading would only let it make us burn CPU.
            if conn.is_closing() {
                return None;
            }
        }
        let want = need(rb.data());
        let n = match conn.read(rb.spare(want)).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => n,
        };
        rb.filled(n);
        if let Err(e) = drain_frames(ctx, &mut rb, &framer, &mut on_frame) {
            return Some(e);
        }
        glommio::yield_if_needed().await;
    }
}

async fn client_reader(ctx: Rc<Ctx>, key: u32, conn: Rc<Conn>) {
    if let Some(e) = read_loop(&ctx, &conn, true, |st, frame| st.client_frame(key, frame)).await {
        // v3.4 leaves no way to find the next PDU: the connection goes.
        tracing::info!(peer = %conn.peer, error = %e, "framing error, closing");
        ctx.st.borrow_mut().client_framing_error();
        conn.abort();
    }
    conn.close_after_flush();
    let mut st = ctx.st.borrow_mut();
    st.now = Instant::now();
    st.client_closed(key);
    ctx.flush_mesh(&mut st);
}

/// A tiny xorshift for reconnect jitter (no need for a cryptographic source).
fn jitter(seed: &mut u64, d: Duration) -> Duration {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    // 0.5 .. 1.5 of the delay.
    let f = 0.5 + (*seed % 1000) as f64 / 1000.0;
    d.mul_f64(f)
}

async fn bind_task(ctx: Rc<Ctx>, c: u32, b: usize) {
    let mut seed = (Instant::now().elapsed().as_nanos() as u64)
        ^ (u64::from(c) << 32)
        ^ b as u64
        ^ 0x9E37_79B9_7F4A_7C15;
    let mut backoff: Option<Duration> = None;
    loop {
        let target = {
            let st = ctx.st.borrow();
            if !st.bind_wanted(c, b) {
                break;
            }
            st.connector_target(c)
        };
        let Some((address, min, max)) = target else {
            break;
        };
        let addr = address.to_socket_addrs().ok().and_then(|mut a| a.next());
        let mut bound_for = Duration::ZERO;
        match addr {
            None => tracing::warn!(address = %address, "cannot resolve upstream address"),
            Some(addr) => match TcpStream::connect_timeout(addr, Duration::from_secs(5)).await {
                Err(e) => {
                    tracing::debug!(address = %address, error = %e, "upstream connect failed")
                }
                Ok(stream) => {
                    let conn = Conn::new(stream, addr);
                    let started = {
                        let mut st = ctx.st.borrow_mut();
                        st.now = Instant::now();
                        st.bind_connected(c, b, conn.clone())
                    };
                    if started.is_none() {
                        conn.abort();
                        glommio::spawn_local(conn.clone().writer()).detach();
                        break;
                    }
                    let t0 = Instant::now();
                    glommio::spawn_local(conn.clone().writer()).detach();
                    if let Some(e) = read_loop(&ctx, &conn, false, |st, frame| {
                        st.upstream_frame(c, b, frame)
                    })
                    .await
                    {
                        tracing::warn!(address = %address, error = %e, "upstream framing error, closing");
                        conn.abort();
                    }
                    conn.close_after_flush();
                    bound_for = t0.elapsed();
                    let mut st = ctx.st.borrow_mut();
                    st.now = Instant::now();
                    st.bind_closed(c, b);
                    ctx.flush_mesh(&mut st);
                }
            },
        }
        // Capped exponential backoff with jitter; a bind that stayed up a while starts over.
        let next = match backoff {
            Some(d) if bound_for < Duration::from_secs(10) => (d * 2).min(max),
            _ => min,
        };
        backoff = Some(next);
        let wait = jitter(&mut seed, next);
        let deadline = Instant::now() + wait;
        while Instant::now() < deadline {
            if !ctx.st.borrow().bind_wanted(c, b) {
                break;
            }
            glommio::timer::sleep((deadline - Instant::now()).min(Duration::from_millis(100)))
                .await;
        }
    }
    ctx.st.borrow_mut().bind_task_ended(c, b);
}

async fn timer_loop(ctx: Rc<Ctx>) {
    let mut last_stats = Instant::now() - STATS_EVERY;
    let mut drain_deadline: Option<Instant> = None;
    let mut unbinding_since: Option<Instant> = None;
    loop {
        glommio::timer::sleep(TICK).await;
        let now = Instant::now();
        let mut st = ctx.st.borrow_mut();
        st.now = now;
        st.refresh();
        st.tick();
        let spawn = std::mem::take(&mut st.spawn);
        let spawn_ss7 = std::mem::take(&mut st.spawn_ss7);
        if now.duration_since(last_stats) >= STATS_EVERY {
            last_stats = now;
            st.publish_stats();
            let binds = st.binds_json();
            st.shared.binds[st.id].store(Arc::new(binds));
        }
        // Shutdown: stop accepting, unbind ESMEs, wait (bounded) for in-flight answers, then
        // unbind the upstreams and stop.
        if st.shared.is_stopping() {
            if drain_deadline.is_none() {
                ctx.accepting.set(false);
                ctx.stop_accepting.notify();
                st.begin_drain();
                drain_deadline = Some(now + st.runtime().server.drain_timeout);
            }
            let deadline = drain_deadline.expect("set above");
            if unbinding_since.is_none()
                && ((st.clients.is_empty() && st.in_flight() == 0) || now >= deadline)
            {
                st.ss7_give_up();
                for (_, c) in st.clients.iter() {
                    c.conn.close_after_flush();
                }
                st.unbind_upstreams();
                unbinding_since = Some(now);
            }
            if let Some(t) = unbinding_since {
                if st.upstreams_closed() || now.duration_since(t) >= Duration::from_secs(2) {
                    st.publish_stats();
                    ctx.flush_mesh(&mut st);
                    break;
                }
            }
        }
        ctx.flush_mesh(&mut st);
        drop(st);
        // glommio runs a spawned task right away: never spawn while the shard is borrowed.
        for (c, b) in spawn {
            glommio::spawn_local(bind_task(ctx.clone(), c, b)).detach();
        }
        for (c, a) in spawn_ss7 {
            glommio::spawn_local(assoc_task(ctx.clone(), c, a)).detach();
        }
    }
}

// ------------------------------------------------------------------------ M3UA associations

/// The largest M3UA message accepted from a peer (an XUDT is at most 272 octets; LUDT and
/// management messages stay far below this).
const M3UA_MAX: usize = 64 << 10;

/// Reads M3UA messages from an association until it closes (`None`) or breaks framing.
async fn m3ua_read_loop(ctx: &Ctx, conn: &Conn, c: u32, a: usize) -> Option<smsedge_codecs::Error> {
    use smsedge_codecs::m3ua::{frame_len, HEADER_LEN as M3UA_HEADER};
    let mut rb = ReadBuf::new(READ_BUF);
    loop {
        let want = match frame_len(rb.data(), M3UA_MAX) {
            Ok(Some(n)) => n,
            _ => M3UA_HEADER,
        };
        let n = match conn.read(rb.spare(want)).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => n,
        };
        rb.filled(n);
        {
            let mut st = ctx.st.borrow_mut();
            st.now = Instant::now();
            st.refresh();
            let r = loop {
                match frame_len(rb.data(), M3UA_MAX) {
                    Ok(Some(len)) if len <= rb.data().len() => {
                        st.assoc_frame(c, a, &rb.data()[..len]);
                        rb.consume(len);
                    }
                    Ok(_) => break None,
                    Err(e) => break Some(e),
                }
            };
            ctx.flush_mesh(&mut st);
            if r.is_some() {
                return r;
            }
        }
        glommio::yield_if_needed().await;
    }
}

/// Connects an association: TCP, or a kernel SCTP one-to-one socket adopted as a stream.
async fn assoc_connect(
    addr: SocketAddr,
    transport: smsedge_control::config::Transport,
) -> std::io::Result<(TcpStream, Option<std::os::fd::RawFd>)> {
    use smsedge_control::config::Transport;
    use std::os::fd::{AsRawFd, FromRawFd, IntoRawFd};
    match transport {
        Transport::Tcp => TcpStream::connect_timeout(addr, Duration::from_secs(5))
            .await
            .map(|s| (s, None))
            .map_err(|e| std::io::Error::other(e.to_string())),
        Transport::Sctp => {
            let fd = crate::ss7::sctp::socket(&addr)?;
            let mut done = crate::ss7::sctp::connect_start(&fd, &addr)?;
            let deadline = Instant::now() + Duration::from_secs(5);
            while !done {
                if Instant::now() >= deadline {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        format!("SCTP connect to {addr} timed out"),
                    ));
                }
                glommio::timer::sleep(Duration::from_millis(10)).await;
                done = crate::ss7::sctp::connect_done(&fd)?;
            }
            let raw = fd.as_raw_fd();
            // SAFETY: a connected stream socket we own, handed over to glommio whole.
            let stream = unsafe { TcpStream::from_raw_fd(fd.into_raw_fd()) };
            Ok((stream, Some(raw)))
        }
    }
}

/// The writer of an SCTP association: each M3UA message goes in its own `sendmsg` on the
/// stream its class calls for, with PPID 3.
async fn sctp_writer(conn: Rc<Conn>, fd: std::os::fd::RawFd) {
    let mut spare: Vec<u8> = Vec::with_capacity(16 << 10);
    while conn.next_batch(&mut spare).await {
        let mut at = 0;
        while at < spare.len() {
            let len = match smsedge_codecs::m3ua::frame_len(&spare[at..], usize::MAX) {
                Ok(Some(n)) if at + n <= spare.len() => n,
                _ => spare.len() - at,
            };
            loop {
                match crate::ss7::sctp::send_message(fd, &spare[at..at + len]) {
                    Ok(_) => break,
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                        glommio::timer::sleep(Duration::from_millis(1)).await
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "SCTP send failed");
                        conn.shutdown();
                        return;
                    }
                }
            }
            at += len;
        }
        spare.clear();
    }
    conn.shutdown();
}

async fn assoc_task(ctx: Rc<Ctx>, c: u32, a: usize) {
    let mut seed = (Instant::now().elapsed().as_nanos() as u64)
        ^ (u64::from(c) << 32)
        ^ (a as u64) << 8
        ^ 0x2545_F491_4F6C_DD1D;
    let mut backoff: Option<Duration> = None;
    let mut reported = false;
    loop {
        let target = {
            let st = ctx.st.borrow();
            if !st.assoc_wanted(c, a) {
                break;
            }
            st.assoc_target(c)
        };
        let Some((address, transport, min, max)) = target else {
            break;
        };
        let addr = address.to_socket_addrs().ok().and_then(|mut x| x.next());
        let mut up_for = Duration::ZERO;
        match addr {
            None => tracing::warn!(address = %address, "cannot resolve the signalling gateway"),
            Some(addr) => match assoc_connect(addr, transport).await {
                Err(e) => {
                    if !reported {
                        tracing::warn!(address = %address, error = %e, "M3UA association cannot connect");
                        reported = true;
                    }
                }
                Ok((stream, sctp_fd)) => {
                    reported = false;
                    let conn = Conn::new(stream, addr);
                    let started = {
                        let mut st = ctx.st.borrow_mut();
                        st.now = Instant::now();
                        st.assoc_connected(c, a, conn.clone())
                    };
                    if started.is_none() {
                        conn.abort();
                        glommio::spawn_local(conn.clone().writer()).detach();
                        break;
                    }
                    let t0 = Instant::now();
                    match sctp_fd {
                        Some(fd) => {
                            glommio::spawn_local(sctp_writer(conn.clone(), fd)).detach();
                        }
                        None => {
                            glommio::spawn_local(conn.clone().writer()).detach();
                        }
                    }
                    if let Some(e) = m3ua_read_loop(&ctx, &conn, c, a).await {
                        tracing::warn!(address = %address, error = %e, "M3UA framing error, closing");
                        conn.abort();
                    }
                    conn.close_after_flush();
                    up_for = t0.elapsed();
                    let mut st = ctx.st.borrow_mut();
                    st.now = Instant::now();
                    st.assoc_closed(c, a);
                    ctx.flush_mesh(&mut st);
                }
            },
        }
        let next = match backoff {
            Some(d) if up_for < Duration::from_secs(10) => (d * 2).min(max),
            _ => min,
        };
        backoff = Some(next);
        let wait = jitter(&mut seed, next);
        let deadline = Instant::now() + wait;
        while Instant::now() < deadline {
            if !ctx.st.borrow().assoc_wanted(c, a) {
                break;
            }
            glommio::timer::sleep((deadline - Instant::now()).min(Duration::from_millis(100)))
                .await;
        }
    }
    ctx.st.borrow_mut().assoc_task_ended(c, a);
}
