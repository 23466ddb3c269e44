//! The runtime glue, kept in one place (GLOMMIO.md: keep glommio-specific code thin): one
//! executor thread per CPU, a clock, a single-task wake-up primitive, a shared TCP stream that a
//! reader task and a writer task drive at once, and SIGINT/SIGTERM handling.

use futures_lite::io::{AsyncRead, AsyncWrite};
use glommio::net::TcpStream;
use glommio::{ExecutorJoinHandle, LocalExecutorBuilder, Placement};
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;
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
        let placement = match cpu {
            Some(c) => {
                if !allowed.is_empty() && !allowed.contains(c) {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidInput,
                        format!("CPU {c} is not available to this process (allowed: {allowed:?})"),
                    ));
                }
                Placement::Fixed(*c)
            }
            None => Placement::Unbound,
        };
        let f = f.clone();
        let h = LocalExecutorBuilder::new(placement)
            .name(&format!("{name}-{i}"))
            // GLOMMIO.md: networking never uses io_memory; keep it under RLIMIT_MEMLOCK.
            .io_memory(64 << 10)
            // GLOMMIO.md: reap I/O at least every 2 ms even when a task is busy.
            .preempt_timer(Duration::from_millis(2))
            .spawn(move || f(i))
            .map_err(|e| io::Error::other(format!("cannot start executor: {e}")))?;
        handles.push(ShardThread(h));
    }
    Ok(handles)
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
    fn clock_is_monotonic_across_threads() {
        let a = now_ns();
        let b = std::thread::spawn(now_ns).join().unwrap();
        assert!(b >= a);
    }
}
