//! `relay`: a minimal TCP byte relay on the same I/O stack as smsedge (glommio executors with
//! the engine's settings, one 64 KiB read buffer per direction of a connection, everything one
//! read returned written with one `send()`), and no parsing at all. It is the physical limit
//! for a proxy on this machine: whatever smsedge adds on top of moving bytes is the
//! difference between the two.
//!
//! `relay --listen 127.0.0.1:0 --upstream 127.0.0.1:2776 --cpus 0`
//!
//! Prints `{"listening": "ADDR"}` on stdout once it accepts, relays every accepted connection
//! to a new connection to the upstream, and exits on SIGINT/SIGTERM.

use clap::Parser;
use futures_lite::io::{AsyncRead, AsyncWrite};
use glommio::net::{TcpListener, TcpStream};
use smsedge_loadgen::parse::CpuList;
use smsedge_loadgen::rt;
use std::cell::RefCell;
use std::io::{self, Write};
use std::net::SocketAddr;
use std::os::fd::AsRawFd;
use std::pin::Pin;
use std::rc::Rc;
use std::time::Duration;

/// Transparent TCP relay for the end-to-end benchmark.
#[derive(Debug, Parser)]
#[command(name = "relay")]
struct Opts {
    /// Address to accept on (port 0 = any free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Where every accepted connection is relayed to.
    #[arg(long)]
    upstream: SocketAddr,
    /// CPUs, one executor each (every executor accepts, SO_REUSEPORT).
    #[arg(long)]
    cpus: Option<CpuList>,
}

/// Read buffer per direction: the engine's (engine/src/tasks.rs READ_BUF).
const READ_BUF: usize = 64 << 10;

fn main() {
    let o = Opts::parse();
    rt::install_signal_handlers();
    let placements = rt::placements(o.cpus.as_ref().map(|c| c.0.as_slice()), 1);
    let upstream = o.upstream;
    // The process exits on a failed bind, so no stop flag is needed to end the started ones.
    let (addr, _shards) =
        match rt::spawn_listeners("relay", &placements, o.listen, None, move |_, l| {
            serve(l, upstream)
        }) {
            Ok(v) => v,
            Err(e) => fail(&e.to_string()),
        };
    println!("{}", serde_json::json!({ "listening": addr.to_string() }));
    let _ = io::stdout().flush();
    while !rt::stop_requested() {
        std::thread::sleep(Duration::from_millis(50));
    }
    // Nothing to drain: a relay holds no state of its own.
    std::process::exit(0);
}

fn fail(msg: &str) -> ! {
    eprintln!("relay: {msg}");
    std::process::exit(2);
}

async fn serve(l: TcpListener, upstream: SocketAddr) {
    loop {
        let client = match l.accept().await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("relay: accept: {e}");
                glommio::timer::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        glommio::spawn_local(async move {
            let server = match TcpStream::connect(upstream).await {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("relay: connect {upstream}: {e}");
                    return;
                }
            };
            let _ = client.set_nodelay(true);
            let _ = server.set_nodelay(true);
            let c = Stream(Rc::new(RefCell::new(client)));
            let s = Stream(Rc::new(RefCell::new(server)));
            let up = glommio::spawn_local(pump(c.clone(), s.clone()));
            let down = glommio::spawn_local(pump(s, c));
            up.await;
            down.await;
        })
        .detach();
    }
}

/// Moves bytes from `src` to `dst` until end of stream: one read, then one write of all of it.
/// End of stream is passed on as a half close; an error closes both directions.
async fn pump(src: Stream, dst: Stream) {
    let mut buf = vec![0u8; READ_BUF];
    loop {
        match src.read(&mut buf).await {
            Ok(0) => {
                dst.shutdown(libc::SHUT_WR);
                return;
            }
            Ok(n) => {
                if dst.write_all(&buf[..n]).await.is_err() {
                    src.shutdown(libc::SHUT_RDWR);
                    dst.shutdown(libc::SHUT_RDWR);
                    return;
                }
            }
            Err(_) => {
                src.shutdown(libc::SHUT_RDWR);
                dst.shutdown(libc::SHUT_RDWR);
                return;
            }
        }
    }
}

/// A stream shared by the two pumps of a connection (glommio keeps separate read and write
/// sources per socket; each poll borrows the stream only for its own duration).
#[derive(Clone)]
struct Stream(Rc<RefCell<TcpStream>>);

impl Stream {
    async fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        std::future::poll_fn(|cx| Pin::new(&mut *self.0.borrow_mut()).poll_read(cx, buf)).await
    }

    async fn write_all(&self, mut buf: &[u8]) -> io::Result<()> {
        while !buf.is_empty() {
            let n =
                std::future::poll_fn(|cx| Pin::new(&mut *self.0.borrow_mut()).poll_write(cx, buf))
                    .await?;
            if n == 0 {
                return Err(io::ErrorKind::WriteZero.into());
            }
            buf = &buf[n..];
        }
        Ok(())
    }

    fn shutdown(&self, how: libc::c_int) {
        let fd = self.0.borrow().as_raw_fd();
        // SAFETY: shutdown(2) on a descriptor this stream owns; it does not close it.
        unsafe {
            libc::shutdown(fd, how);
        }
    }
}
