//! The runtime glue, kept in one place (GLOMMIO.md: keep glommio-specific code thin): one
//! executor thread per CPU, a clock, a single-task wake-up primitive, a shared TCP stream that a
//! reader task and a writer task drive at once, and SIGINT/SIGTERM handling.

use futures_lite::io::{AsyncRead, AsyncWrite};
use glommio::net::{TcpListener, TcpStream};
use glommio::{ExecutorJoinHandle, LocalExecutorBuilder, Placement};
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex, Once, OnceLock};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

static EPOCH: OnceLock<Instant> = OnceLock::new();

/// Nanoseconds since the first call in this process: one monotonic time base shared by every
/// thread, so a send time taken on one shard compares with a receive time on another.
#[inline]
pub fn now_ns() -> u64 {
    let e = *EPOCH.get_or_init(Instant::now);
    e.elapsed().as_nanos() as u64
}

/// The CPUs this process may run on (`sched_getaffinity`, which honours container cpusets,
/// unlike glommio's `CpuSet::online()`).
pub fn allowed_cpus() -> Vec<usize> {
    core_affinity::get_core_ids()
        .map(|v| v.into_iter().map(|c| c.id).collect())
        .unwrap_or_default()
}

/// Starts one glommio executor per entry of `cpus` (`None` = unpinned), each running
/// `f(index)`, and returns their join handles.
pub fn spawn_shards<F, Fut, T>(
    name: &str,
    cpus: &[Option<usize>],
    f: F,
) -> io::Result<Vec<ShardThread<T>>>
where
    F: Fn(usize) -> Fut + Send + Clone + 'static,
    Fut: Future<Output = T> + 'static,
    T: Send + 'static,
{
    let allowed = allowed_cpus();
    let mut handles = Vec::with_capacity(cpus.len());
    for (i, cpu) in cpus.iter().enumerate() {
        let f = f.clone();
        handles.push(spawn_one(
            &format!("{name}-{i}"),
            *cpu,
            &allowed,
            move || f(i),
        )?);
    }
    Ok(handles)
}

/// Starts one executor per entry of `cpus`, all accepting on one address (SO_REUSEPORT): the
/// first binds `addr` (port 0 resolves there) and each next one binds the address it got, so
/// every executor listens before this returns. Each then runs `body(index, listener)`.
///
/// When a bind fails, `stop` is raised (the bodies must end once it is) and the executors
/// already started are joined; with no `stop` they are left to the process, which is expected
/// to exit.
pub fn spawn_listeners<F, Fut>(
    name: &str,
    cpus: &[Option<usize>],
    addr: SocketAddr,
    stop: Option<&AtomicBool>,
    body: F,
) -> io::Result<(SocketAddr, Vec<ShardThread<()>>)>
where
    F: FnOnce(usize, TcpListener) -> Fut + Send + Clone + 'static,
    Fut: Future<Output = ()> + 'static,
{
    let allowed = allowed_cpus();
    let mut threads = Vec::with_capacity(cpus.len());
    let mut bound = addr;
    for (i, cpu) in cpus.iter().enumerate() {
        let (tx, rx) = mpsc::channel::<io::Result<SocketAddr>>();
        let (at, body) = (bound, body.clone());
        let started = spawn_one(&format!("{name}-{i}"), *cpu, &allowed, move || async move {
            let listener = match TcpListener::bind(at) {
                Ok(l) => l,
                Err(e) => {
                    let _ = tx.send(Err(e.into()));
                    return;
                }
            };
            let local = listener.local_addr().map_err(io::Error::from);
            let listening = local.is_ok();
            let _ = tx.send(local);
            if listening {
                body(i, listener).await;
            }
        });
        let ready = started.map(|t| threads.push(t)).and_then(|()| {
            rx.recv()
                .unwrap_or_else(|_| Err(io::Error::other("executor exited before listening")))
        });
        match ready {
            Ok(a) => bound = a,
            Err(e) => {
                if let Some(stop) = stop {
                    stop.store(true, Ordering::SeqCst);
                    for t in threads {
                        let _ = t.join();
                    }
                }
                return Err(io::Error::new(e.kind(), format!("--listen {addr}: {e}")));
            }
        }
    }
    Ok((bound, threads))
}

/// One executor on `cpu` (checked against `allowed`, the process's CPUs), under the watchdog,
/// running `f()`.
fn spawn_one<F, Fut, T>(
    name: &str,
    cpu: Option<usize>,
    allowed: &[usize],
    f: F,
) -> io::Result<ShardThread<T>>
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = T> + 'static,
    T: Send + 'static,
{
    let placement = match cpu {
        Some(c) => {
            if !allowed.is_empty() && !allowed.contains(&c) {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("CPU {c} is not available to this process (allowed: {allowed:?})"),
                ));
            }
            Placement::Fixed(c)
        }
        None => Placement::Unbound,
    };
    let run = move || async move {
        let watch = Rc::new(Watch::register());
        glommio::spawn_local(heartbeat(watch.clone())).detach();
        let out = f().await;
        watch.retire();
        out
    };
    let h = LocalExecutorBuilder::new(placement)
        .name(name)
        // GLOMMIO.md: networking never uses io_memory; keep it under RLIMIT_MEMLOCK.
        .io_memory(64 << 10)
        // GLOMMIO.md: reap I/O at least every 2 ms even when a task is busy.
        .preempt_timer(Duration::from_millis(2))
        .spawn(run)
        .map_err(|e| io::Error::other(format!("cannot start executor: {e}")))?;
    Ok(ShardThread(h))
}

/// The thread of one executor started by [`spawn_shards`].
#[derive(Debug)]
pub struct ShardThread<T: Send + 'static>(ExecutorJoinHandle<T>);

impl<T: Send + 'static> ShardThread<T> {
    /// Waits for the executor's future to finish and returns its output.
    pub fn join(self) -> io::Result<T> {
        self.0
            .join()
            .map_err(|e| io::Error::other(format!("executor failed: {e}")))
    }
}

/// Expands a CPU list into one placement per shard: `None` (no `--cpus`) gives `default_n`
/// unpinned shards.
pub fn placements(cpus: Option<&[usize]>, default_n: usize) -> Vec<Option<usize>> {
    match cpus {
        Some(c) if !c.is_empty() => c.iter().map(|&c| Some(c)).collect(),
        _ => vec![None; default_n.max(1)],
    }
}

/// A wake-up flag for one waiting task on the same thread: `notify` sets it and wakes the
/// waiter; `wait` completes once it is set and clears it. Cheap enough to call per batch.
#[derive(Debug, Default)]
pub struct Notify {
    set: Cell<bool>,
    waker: RefCell<Option<Waker>>,
}

impl Notify {
    /// Sets the flag and wakes the waiter, if any.
    pub fn notify(&self) {
        self.set.set(true);
        if let Some(w) = self.waker.borrow_mut().take() {
            w.wake();
        }
    }

    /// Waits until the flag is set, then clears it.
    pub fn wait(&self) -> NotifyWait<'_> {
        NotifyWait(self)
    }
}

/// Future of [`Notify::wait`].
#[derive(Debug)]
pub struct NotifyWait<'a>(&'a Notify);

impl Future for NotifyWait<'_> {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0.set.replace(false) {
            return Poll::Ready(());
        }
        let mut w = self.0.waker.borrow_mut();
        match &*w {
            Some(old) if old.will_wake(cx.waker()) => {}
            _ => *w = Some(cx.waker().clone()),
        }
        Poll::Pending
    }
}

/// Waits for `n` or for `d` to pass, whichever comes first.
pub async fn wait_or_sleep(n: &Notify, d: Duration) {
    futures_lite::future::or(n.wait(), glommio::timer::sleep(d)).await
}

/// A TCP stream shared by a reader task and a writer task on the same executor. glommio keeps
/// separate read and write readiness sources per stream, so one read and one write may be
/// pending at once; each poll borrows the stream only for its own duration.
#[derive(Debug, Clone)]
pub struct Shared(Rc<RefCell<TcpStream>>);

impl Shared {
    /// Wraps a connected stream.
    pub fn new(s: TcpStream) -> Self {
        Shared(Rc::new(RefCell::new(s)))
    }

    /// Reads into `buf`; `Ok(0)` at end of stream.
    pub async fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        futures_lite::future::poll_fn(|cx| Pin::new(&mut *self.0.borrow_mut()).poll_read(cx, buf))
            .await
    }

    /// Writes all of `buf` (one `send()` when the socket has room, GLOMMIO.md).
    pub async fn write_all(&self, mut buf: &[u8]) -> io::Result<()> {
        while !buf.is_empty() {
            let n = futures_lite::future::poll_fn(|cx| {
                Pin::new(&mut *self.0.borrow_mut()).poll_write(cx, buf)
            })
            .await?;
            if n == 0 {
                return Err(io::ErrorKind::WriteZero.into());
            }
            buf = &buf[n..];
        }
        Ok(())
    }

    /// Shuts down both directions, which also ends a read pending in the other task.
    pub fn shutdown(&self) {
        use std::os::fd::AsRawFd;
        let fd = self.0.borrow().as_raw_fd();
        // SAFETY: shutdown(2) on a descriptor this stream owns; it does not close it.
        unsafe {
            libc::shutdown(fd, libc::SHUT_RDWR);
        }
    }
}

/// The executor watchdog.
///
/// Measured here: under heavy CPU contention a glommio 0.9 executor sometimes parks in
/// `io_uring_enter` and never wakes although a timer of its own is due (upstream reports the
/// same in VMs: glommio issues #326 and #547). Any signal ends the wait with EINTR, which
/// glommio treats as a wake-up, and the executor carries on. So every executor beats a
/// heartbeat from a 100 ms timer, and one watchdog thread sends SIGURG (handled by a no-op, so
/// it interrupts the wait) to an executor whose heartbeat is more than 500 ms old. A healthy
/// executor never receives a signal.
struct Watch {
    thread: libc::pthread_t,
    beat: AtomicU64,
    alive: AtomicBool,
}

static WATCHED: Mutex<Vec<Arc<Watch>>> = Mutex::new(Vec::new());
static KICKS: AtomicU64 = AtomicU64::new(0);

/// How many times the watchdog had to wake a stalled executor in this process.
pub fn watchdog_kicks() -> u64 {
    KICKS.load(Ordering::Relaxed)
}
static WATCHDOG: Once = Once::new();

extern "C" fn on_kick(_: libc::c_int) {}

impl Watch {
    /// Registers the calling thread (an executor thread) with the watchdog.
    fn register() -> WatchHandle {
        WATCHDOG.call_once(|| {
            // SAFETY: installs a handler that does nothing, without SA_RESTART so that a
            // blocking io_uring_enter returns EINTR.
            unsafe {
                let mut sa: libc::sigaction = std::mem::zeroed();
                sa.sa_sigaction = on_kick as *const () as usize;
                sa.sa_flags = 0;
                libc::sigemptyset(&mut sa.sa_mask);
                libc::sigaction(libc::SIGURG, &sa, std::ptr::null_mut());
            }
            let _ = std::thread::Builder::new()
                .name("loadgen-watchdog".into())
                .spawn(watchdog);
        });
        let w = Arc::new(Watch {
            // SAFETY: pthread_self has no preconditions.
            thread: unsafe { libc::pthread_self() },
            beat: AtomicU64::new(now_ns()),
            alive: AtomicBool::new(true),
        });
        WATCHED
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(w.clone());
        WatchHandle(w)
    }
}

struct WatchHandle(Arc<Watch>);

/// Keeps the calling executor under the watchdog until dropped: registers the thread and
/// starts its heartbeat task. Call it at the start of an executor's main future (the engine's
/// shards do; [`spawn_shards`] does it for the load generator's own executors).
pub struct ExecutorWatch(Rc<WatchHandle>);

impl std::fmt::Debug for ExecutorWatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ExecutorWatch")
    }
}

/// Puts the current glommio executor under the watchdog (see [`ExecutorWatch`]).
pub fn watch_this_executor() -> ExecutorWatch {
    let watch = Rc::new(Watch::register());
    glommio::spawn_local(heartbeat(watch.clone())).detach();
    ExecutorWatch(watch)
}

impl Drop for ExecutorWatch {
    fn drop(&mut self) {
        self.0.retire();
    }
}

impl WatchHandle {
    fn retire(&self) {
        self.0.alive.store(false, Ordering::SeqCst);
        WATCHED
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|w| !Arc::ptr_eq(w, &self.0));
    }
}

impl Drop for WatchHandle {
    fn drop(&mut self) {
        self.retire();
    }
}

async fn heartbeat(w: Rc<WatchHandle>) {
    while w.0.alive.load(Ordering::Relaxed) {
        w.0.beat.store(now_ns(), Ordering::Relaxed);
        glommio::timer::sleep(Duration::from_millis(100)).await;
    }
}

fn watchdog() {
    loop {
        std::thread::sleep(Duration::from_millis(100));
        let now = now_ns();
        let list = WATCHED.lock().unwrap_or_else(|e| e.into_inner());
        for w in list.iter() {
            if w.alive.load(Ordering::SeqCst)
                && now.saturating_sub(w.beat.load(Ordering::Relaxed)) > 500_000_000
            {
                // SAFETY: the thread is registered and alive (it retires itself under this
                // lock before it ends), so its pthread_t is valid.
                unsafe {
                    libc::pthread_kill(w.thread, libc::SIGURG);
                }
                KICKS.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
}

/// Installs SIGINT/SIGTERM handlers that only set a flag ([`stop_requested`]); a second signal
/// of the same kind then gets the default action (terminate), so a stuck run can be killed.
pub fn install_signal_handlers() {
    for sig in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: sigaction with a handler that only stores to an atomic (async-signal-safe);
        // SA_RESETHAND restores the default disposition after the first delivery.
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = on_signal as *const () as usize;
            sa.sa_flags = libc::SA_RESETHAND;
            libc::sigemptyset(&mut sa.sa_mask);
            libc::sigaction(sig, &sa, std::ptr::null_mut());
        }
    }
}

/// True once SIGINT or SIGTERM arrived (after [`install_signal_handlers`]).
pub fn stop_requested() -> bool {
    STOP.load(Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notify_wakes_once_per_set() {
        let r = LocalExecutorBuilder::new(Placement::Unbound)
            .io_memory(64 << 10)
            .spawn(|| async {
                let n = Rc::new(Notify::default());
                let n2 = n.clone();
                let t = glommio::spawn_local(async move {
                    n2.wait().await;
                    1
                });
                glommio::yield_if_needed().await;
                n.notify();
                let v = t.await;
                // A set flag is consumed by one wait.
                n.notify();
                n.wait().await;
                let slept = Instant::now();
                wait_or_sleep(&n, Duration::from_millis(20)).await;
                (v, slept.elapsed() >= Duration::from_millis(15))
            })
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(r, (1, true));
    }

    #[test]
    fn watchdog_wakes_an_executor_stuck_in_a_blocking_wait() {
        // pause(2) blocks until a signal arrives: only the watchdog can end it.
        let t0 = Instant::now();
        let h = spawn_shards("watchdog-test", &[None], |_| async {
            // SAFETY: pause has no preconditions; it returns after a handled signal.
            let r = unsafe { libc::pause() };
            glommio::timer::sleep(Duration::from_millis(10)).await;
            r
        })
        .unwrap();
        let r = h.into_iter().next().unwrap().join().unwrap();
        assert_eq!(r, -1);
        assert!(watchdog_kicks() >= 1);
        let took = t0.elapsed();
        assert!(took >= Duration::from_millis(400), "{took:?}");
        assert!(took < Duration::from_secs(30), "{took:?}");
    }

    #[test]
    fn clock_is_monotonic_across_threads() {
        let a = now_ns();
        let b = std::thread::spawn(now_ns).join().unwrap();
        assert!(b >= a);
    }
}
