//! One TCP connection as the shard sees it: a stream shared by a reader task and a writer task,
//! an outbound buffer that every task of the shard may append to, and a notify that wakes the
//! writer. All PDUs appended during one wake-up leave in one `send()` (GLOMMIO.md: batching
//! is the largest lever there is).
//!
//! The stream sits in a `RefCell` that is borrowed only inside a single `poll_read` /
//! `poll_write` call, never across an await; glommio keeps separate read and write sources per
//! socket, so the two tasks do not disturb each other.

use futures_lite::io::{AsyncRead, AsyncWrite};
use glommio::net::TcpStream;
use std::cell::{Cell, RefCell, RefMut};
use std::future::poll_fn;
use std::io;
use std::net::{Shutdown, SocketAddr};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Poll, Waker};
use std::time::{Duration, Instant};

/// A single-waiter, edge-triggered notification for tasks of one executor.
#[derive(Debug, Default)]
pub struct Notify {
    flag: Cell<bool>,
    waker: RefCell<Option<Waker>>,
}

impl Notify {
    /// Wakes the waiter (or makes its next `wait` return at once).
    pub fn notify(&self) {
        self.flag.set(true);
        if let Some(w) = self.waker.borrow_mut().take() {
            w.wake();
        }
    }

    /// Waits for a notification.
    pub async fn wait(&self) {
        poll_fn(|cx| {
            if self.flag.replace(false) {
                Poll::Ready(())
            } else {
                *self.waker.borrow_mut() = Some(cx.waker().clone());
                Poll::Pending
            }
        })
        .await
    }
}

/// Outbound buffers above this are released after a flush, so one burst does not pin memory.
const KEEP_CAPACITY: usize = 256 << 10;
/// Above this many unwritten bytes the connection is not read until its writer catches up: a
/// peer that does not read its answers stops being served (TCP pushes back on it) instead of
/// growing our buffer without bound.
pub const OUT_HIGH: usize = 1 << 20;
/// How long a connection asked to close may take to flush before it is shut down anyway (a
/// peer that stopped reading would otherwise hold it open forever).
pub const CLOSE_LINGER: Duration = Duration::from_secs(5);

/// A connection shared by the tasks of one shard.
#[derive(Debug)]
pub struct Conn {
    stream: RefCell<TcpStream>,
    out: RefCell<Vec<u8>>,
    notify: Notify,
    /// Signalled after each completed write and at close: wakes a reader held back by
    /// [`OUT_HIGH`].
    drained: Notify,
    /// Signalled when closing is asked: starts the writer's [`CLOSE_LINGER`] clock.
    close_asked: Notify,
    closing: Cell<bool>,
    closing_since: Cell<Option<Instant>>,
    closed: Cell<bool>,
    /// Remote address.
    pub peer: SocketAddr,
}

impl Conn {
    /// Wraps a connected stream.
    pub fn new(stream: TcpStream, peer: SocketAddr) -> Rc<Conn> {
        let _ = stream.set_nodelay(true);
        Rc::new(Conn {
            stream: RefCell::new(stream),
            out: RefCell::new(Vec::with_capacity(16 << 10)),
            notify: Notify::default(),
            drained: Notify::default(),
            close_asked: Notify::default(),
            closing: Cell::new(false),
            closing_since: Cell::new(None),
            closed: Cell::new(false),
            peer,
        })
    }

    /// The outbound buffer, to append PDUs to. Call [`Conn::flush_soon`] after appending.
    pub fn out(&self) -> RefMut<'_, Vec<u8>> {
        self.out.borrow_mut()
    }

    /// Bytes waiting to be written.
    pub fn pending(&self) -> usize {
        self.out.borrow().len()
    }

    /// Wakes the writer; it runs after the current task yields, so everything appended in this
    /// wake-up goes out in one write.
    pub fn flush_soon(&self) {
        self.notify.notify();
    }

    /// Closes the connection once everything appended so far is written, or after
    /// [`CLOSE_LINGER`] when the peer does not take it.
    pub fn close_after_flush(&self) {
        if !self.closing.replace(true) {
            self.closing_since.set(Some(Instant::now()));
            self.close_asked.notify();
        }
        self.notify.notify();
    }

    /// Completes [`CLOSE_LINGER`] after closing was asked (never while it was not).
    async fn linger_over(&self) {
        while !self.closing.get() {
            self.close_asked.wait().await;
        }
        let since = self.closing_since.get().unwrap_or_else(Instant::now);
        glommio::timer::sleep(CLOSE_LINGER.saturating_sub(since.elapsed())).await;
    }

    /// Waits while more than [`OUT_HIGH`] bytes are queued and the socket is open (closing
    /// included: a peer that is being closed is not read further while it does not read).
    pub async fn wait_room(&self) {
        while self.out.borrow().len() > OUT_HIGH && !self.closed.get() {
            self.drained.wait().await;
        }
    }

    /// True once closing was requested or the socket failed.
    pub fn is_closing(&self) -> bool {
        self.closing.get() || self.closed.get()
    }

    /// True once the socket is shut down.
    pub fn is_closed(&self) -> bool {
        self.closed.get()
    }

    /// Closes now, dropping unwritten bytes (framing violations, shutdown deadline): the
    /// socket is shut down at once, so a write stuck on a peer that does not read ends too.
    pub fn abort(&self) {
        self.out.borrow_mut().clear();
        self.close_after_flush();
        self.shutdown_now();
    }

    /// Reads into `buf`; `Ok(0)` at end of stream.
    pub async fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        poll_fn(|cx| {
            if self.closed.get() {
                return Poll::Ready(Ok(0));
            }
            let mut s = self.stream.borrow_mut();
            Pin::new(&mut *s).poll_read(cx, buf)
        })
        .await
    }

    async fn write_all(&self, mut buf: &[u8]) -> io::Result<()> {
        while !buf.is_empty() {
            let n = poll_fn(|cx| {
                let mut s = self.stream.borrow_mut();
                Pin::new(&mut *s).poll_write(cx, buf)
            })
            .await?;
            if n == 0 {
                return Err(io::ErrorKind::WriteZero.into());
            }
            buf = &buf[n..];
        }
        Ok(())
    }

    fn shutdown_now(&self) {
        if !self.closed.replace(true) {
            let s = self.stream.borrow();
            // Both directions: wakes our own reader with end of stream too.
            let _ = socket_shutdown(&s, Shutdown::Both);
        }
        self.drained.notify();
    }

    /// For writers that cannot use [`Conn::writer`] (SCTP sends one message per `sendmsg`):
    /// waits until something was appended, swaps it into `spare` (which must be empty) and
    /// returns true; false once the connection is closing and everything was taken.
    pub async fn next_batch(&self, spare: &mut Vec<u8>) -> bool {
        loop {
            if !self.out.borrow().is_empty() {
                std::mem::swap(&mut *self.out.borrow_mut(), spare);
                self.drained.notify();
                return true;
            }
            if self.closing.get() || self.closed.get() {
                return false;
            }
            self.notify.wait().await;
        }
    }

    /// Shuts the socket down in both directions (ends the reader too).
    pub fn shutdown(&self) {
        self.shutdown_now();
    }

    /// The writer task: writes whatever accumulated, one write per wake-up, until closed.
    pub async fn writer(self: Rc<Self>) {
        let mut spare: Vec<u8> = Vec::with_capacity(16 << 10);
        loop {
            if self.out.borrow().is_empty() {
                if self.closing.get() || self.closed.get() {
                    self.shutdown_now();
                    return;
                }
                self.notify.wait().await;
                continue;
            }
            std::mem::swap(&mut *self.out.borrow_mut(), &mut spare);
            // A write that a closing connection's peer does not take within the linger ends
            // it: otherwise a peer that stopped reading would hold the socket forever.
            let written =
                futures_lite::future::or(async { self.write_all(&spare).await.is_ok() }, async {
                    self.linger_over().await;
                    false
                })
                .await;
            if !written {
                self.shutdown_now();
                return;
            }
            self.drained.notify();
            spare.clear();
            if spare.capacity() > KEEP_CAPACITY {
                spare = Vec::with_capacity(16 << 10);
            }
        }
    }
}

fn socket_shutdown(s: &TcpStream, how: Shutdown) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let how = match how {
        Shutdown::Read => libc::SHUT_RD,
        Shutdown::Write => libc::SHUT_WR,
        Shutdown::Both => libc::SHUT_RDWR,
    };
    // SAFETY: shutdown(2) on a socket fd we own; it does not close the fd.
    let r = unsafe { libc::shutdown(s.as_raw_fd(), how) };
    if r == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// A read buffer that frames PDUs in place: bytes are appended at `end`, complete PDUs are
/// consumed from `start`, and the tail is moved to the front only when space runs out.
#[derive(Debug)]
pub struct ReadBuf {
    buf: Vec<u8>,
    start: usize,
    end: usize,
}

impl ReadBuf {
    /// A buffer of `size` octets.
    pub fn new(size: usize) -> Self {
        ReadBuf {
            buf: vec![0; size],
            start: 0,
            end: 0,
        }
    }

    /// The unread bytes.
    pub fn data(&mut self) -> &mut [u8] {
        &mut self.buf[self.start..self.end]
    }

    /// Marks `n` bytes as consumed.
    pub fn consume(&mut self, n: usize) {
        self.start += n;
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
    }

    /// Space to read into, making room for at least `need` unread bytes in total (a PDU longer
    /// than the buffer grows it; the framer has already bounded `need`).
    pub fn spare(&mut self, need: usize) -> &mut [u8] {
        let unread = self.end - self.start;
        if need > self.buf.len() {
            self.buf.resize(need, 0);
        }
        if self.end == self.buf.len() || self.buf.len() - self.start < need {
            self.buf.copy_within(self.start..self.end, 0);
            self.start = 0;
            self.end = unread;
        }
        &mut self.buf[self.end..]
    }

    /// Marks `n` bytes as read in.
    pub fn filled(&mut self, n: usize) {
        self.end += n;
    }
}

#[cfg(test)]
mod tests {
    use super::ReadBuf;

    #[test]
    fn read_buf_compacts_and_grows() {
        let mut b = ReadBuf::new(8);
        b.spare(1)[..6].copy_from_slice(b"abcdef");
        b.filled(6);
        b.consume(4);
        assert_eq!(b.data(), b"ef");
        // Need 10 bytes total: grows and moves "ef" to the front.
        let s = b.spare(10);
        assert!(s.len() >= 8);
        s[..3].copy_from_slice(b"ghi");
        b.filled(3);
        assert_eq!(b.data(), b"efghi");
        b.consume(5);
        assert!(b.data().is_empty());
    }
}
