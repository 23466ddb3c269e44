//! The I/O of one executor: accepting associations, one reader and one writer task per
//! connection, and the driver that ticks the [`Node`] (delayed answers, MO pacing, timeouts),
//! hands TCAP messages to the executor that owns their dialogue, and publishes the counters.
//!
//! Everything a wake-up produces for a connection goes out in one write (GLOMMIO.md: one
//! `send()` per `write_all`, no writev).

use super::node::{ConnKey, Forwarded, Node};
use super::{Config, Ss7Stats};
use crate::rt::{self, Notify, Shared};
use glommio::net::TcpListener;
use smsedge_codecs::m3ua;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The largest M3UA message accepted (a Message Length above it closes the association): far
/// above what MAP short message operations need.
const MAX_FRAME: usize = 64 << 10;

/// Messages other executors hand to this one.
#[derive(Debug, Default)]
pub(crate) struct Inbox {
    pending: AtomicBool,
    q: Mutex<Vec<Forwarded>>,
}

impl Inbox {
    fn push(&self, f: Forwarded) {
        self.q.lock().unwrap_or_else(|e| e.into_inner()).push(f);
        self.pending.store(true, Ordering::Release);
    }

    fn take(&self) -> Vec<Forwarded> {
        if !self.pending.swap(false, Ordering::Acquire) {
            return Vec::new();
        }
        std::mem::take(&mut *self.q.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// What an executor shares with the others and the handle.
#[derive(Debug, Clone)]
pub(crate) struct Ctx {
    pub idx: usize,
    pub cfg: Arc<Config>,
    pub stats: Arc<Mutex<Ss7Stats>>,
    pub stop: Arc<AtomicBool>,
    pub inboxes: Arc<Vec<Inbox>>,
}

struct Conn {
    key: ConnKey,
    stream: Shared,
    notify: Notify,
}

struct Shard {
    ctx: Ctx,
    node: RefCell<Node>,
    conns: RefCell<Vec<Option<Rc<Conn>>>>,
    /// Wakes an idle driver when the node has become busy.
    driver: Notify,
}

impl Shard {
    fn remove_conn(&self, k: ConnKey) {
        let mut conns = self.conns.borrow_mut();
        if let Some(slot) = conns.get_mut(k.0 as usize) {
            if slot.as_ref().is_some_and(|c| c.key == k) {
                *slot = None;
            }
        }
    }

    /// After input was handled: wake the writers of connections with new output and hand over
    /// messages for other executors.
    fn after_input(&self) {
        let mut node = self.node.borrow_mut();
        let conns = self.conns.borrow();
        node.drain_dirty(|k| {
            if let Some(c) = conns
                .get(k.0 as usize)
                .and_then(Option::as_ref)
                .filter(|c| c.key == k)
            {
                c.notify.notify();
            }
        });
        for (owner, f) in node.forward.drain(..) {
            if let Some(inbox) = self.ctx.inboxes.get(owner) {
                inbox.push(f);
            }
        }
        if node.busy() {
            self.driver.notify();
        }
    }

    fn flush_stats(&self) {
        let mut node = self.node.borrow_mut();
        self.ctx
            .stats
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take_from(&mut node.stats);
    }
}

/// One executor: accepts on its listener (every executor's is bound to the same port,
/// SO_REUSEPORT) until the stop flag is set.
pub(crate) async fn shard_main(ctx: Ctx, listener: TcpListener) {
    let now = rt::now_ns();
    let shard = Rc::new(Shard {
        node: RefCell::new(Node::new(ctx.cfg.clone(), ctx.idx, now)),
        conns: RefCell::new(Vec::new()),
        driver: Notify::default(),
        ctx,
    });
    let accept_stop = Rc::new(Notify::default());
    let driver = glommio::spawn_local(driver(shard.clone(), accept_stop.clone()));
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
                let key = shard.node.borrow_mut().add_assoc();
                let conn = Rc::new(Conn {
                    key,
                    stream: Shared::new(stream),
                    notify: Notify::default(),
                });
                {
                    let mut conns = shard.conns.borrow_mut();
                    let i = key.0 as usize;
                    if conns.len() <= i {
                        conns.resize_with(i + 1, || None);
                    }
                    conns[i] = Some(conn.clone());
                }
                glommio::spawn_local(reader(shard.clone(), conn.clone())).detach();
                glommio::spawn_local(writer(shard.clone(), conn)).detach();
            }
            Some(Err(_)) => glommio::timer::sleep(Duration::from_millis(10)).await,
        }
    }
    driver.await;
}

/// The executor's clock: delayed answers, MO pacing, timeouts, handed-over messages, counters,
/// and the stop flag.
async fn driver(shard: Rc<Shard>, accept_stop: Rc<Notify>) {
    let idx = shard.ctx.idx;
    let many = shard.ctx.cfg.shards > 1;
    let mut next_flush = 0u64;
    loop {
        if shard.ctx.stop.load(Ordering::Relaxed) {
            break;
        }
        let now = rt::now_ns();
        let handed = shard.ctx.inboxes[idx].take();
        let busy = {
            let mut node = shard.node.borrow_mut();
            for f in handed {
                node.on_forwarded(f, now);
            }
            node.tick(now);
            node.busy()
        };
        shard.after_input();
        if now >= next_flush {
            next_flush = now + 100_000_000;
            shard.flush_stats();
        }
        let connected = shard.conns.borrow().iter().any(Option::is_some);
        if busy || (many && connected) {
            glommio::timer::sleep(Duration::from_millis(1)).await;
        } else {
            rt::wait_or_sleep(&shard.driver, Duration::from_millis(100)).await;
        }
    }
    accept_stop.notify();
    let conns: Vec<Rc<Conn>> = shard.conns.borrow().iter().flatten().cloned().collect();
    for c in conns {
        shard.node.borrow_mut().close_assoc(c.key);
        c.stream.shutdown();
        c.notify.notify();
    }
    shard.flush_stats();
}

async fn reader(shard: Rc<Shard>, conn: Rc<Conn>) {
    let mut buf = vec![0u8; 2 * MAX_FRAME];
    let mut filled = 0;
    loop {
        match conn.stream.read(&mut buf[filled..]).await {
            Ok(0) | Err(_) => break,
            Ok(n) => filled += n,
        }
        let now = rt::now_ns();
        let mut off = 0;
        let mut broken = false;
        {
            let mut node = shard.node.borrow_mut();
            loop {
                match m3ua::frame_len(&buf[off..filled], MAX_FRAME) {
                    Ok(Some(n)) if off + n <= filled => {
                        node.on_frame(conn.key, &buf[off..off + n], now);
                        off += n;
                    }
                    Ok(_) => break,
                    Err(_) => {
                        let head = &buf[off..filled.min(off + 8)];
                        node.on_bad_stream(conn.key, head);
                        broken = true;
                        break;
                    }
                }
            }
        }
        shard.after_input();
        if broken {
            break;
        }
        buf.copy_within(off..filled, 0);
        filled -= off;
    }
    shard.node.borrow_mut().close_assoc(conn.key);
    conn.notify.notify();
}

async fn writer(shard: Rc<Shard>, conn: Rc<Conn>) {
    let mut wbuf: Vec<u8> = Vec::with_capacity(64 << 10);
    loop {
        let close = shard.node.borrow_mut().take_output(conn.key, &mut wbuf);
        match close {
            None => break,
            Some(close) if wbuf.is_empty() => {
                if close {
                    break;
                }
                conn.notify.wait().await;
            }
            Some(_) => {
                if conn.stream.write_all(&wbuf).await.is_err() {
                    break;
                }
                wbuf.clear();
            }
        }
    }
    conn.stream.shutdown();
    shard.node.borrow_mut().remove_assoc(conn.key);
    shard.remove_conn(conn.key);
}
