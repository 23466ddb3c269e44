//! Helpers for the integration tests: locate the built binaries and the oracles, start real
//! processes (smsedge, the peers in ../shared/peers) on free ports and clean them up, and a
//! small blocking SMPP client for talking to the proxy byte by byte (hostile inputs included).

use smsedge_codecs::smpp::{Bind, Body, CommandId, Framer, Pdu, SubmitSm};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// `../shared` beside the repository.
pub fn shared_dir() -> PathBuf {
    repo_root().join("../shared")
}

/// Where the oracle installer put its tools.
pub fn oracles_home() -> PathBuf {
    std::env::var_os("ORACLES_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp/smsedge-oracles"))
}

/// The oracle venv's python (smpplib, pycrate); panics with the fix when missing.
pub fn oracle_python() -> PathBuf {
    let p = std::env::var_os("ORACLE_PY")
        .map(PathBuf::from)
        .unwrap_or_else(|| oracles_home().join("venv/bin/python"));
    assert!(
        p.exists(),
        "oracle python {} missing: run `eval \"$(../shared/oracles/install.sh)\"` first",
        p.display()
    );
    p
}

/// NODE_PATH for the node `smpp` peers; panics with the fix when missing.
pub fn node_path() -> PathBuf {
    let p = std::env::var_os("NODE_PATH")
        .map(PathBuf::from)
        .unwrap_or_else(|| oracles_home().join("node/node_modules"));
    assert!(
        p.join("smpp").exists(),
        "node smpp missing under {}: run `eval \"$(../shared/oracles/install.sh)\"` first",
        p.display()
    );
    p
}

/// A binary of this workspace, built into the same target directory as the running test.
pub fn bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    // target/<profile>/deps/<test>-<hash>
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>");
    let p = dir.join(name);
    assert!(
        p.exists(),
        "{} not built: run `cargo build --workspace` (cargo test --workspace builds it)",
        p.display()
    );
    p
}

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind port 0")
        .local_addr()
        .expect("local addr")
        .port()
}

/// Waits until `addr` accepts connections.
pub fn wait_port(addr: SocketAddr, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// A child process killed when dropped; its output goes to a file for post-mortems.
#[derive(Debug)]
pub struct Proc {
    /// The process.
    pub child: Child,
    /// Where stdout and stderr went.
    pub log: PathBuf,
    name: String,
}

impl Proc {
    /// Starts `cmd` with its output in `log`.
    pub fn spawn(name: &str, mut cmd: Command, log: PathBuf) -> Proc {
        let out = std::fs::File::create(&log).expect("log file");
        let err = out.try_clone().expect("log file");
        cmd.stdout(Stdio::from(out))
            .stderr(Stdio::from(err))
            .stdin(Stdio::null());
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        Proc {
            child,
            log,
            name: name.to_string(),
        }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Resident memory in KiB (VmRSS of /proc/PID/status).
    pub fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("read /proc/PID/status");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS in /proc/PID/status")
    }

    /// Open file descriptors (entries of /proc/PID/fd).
    pub fn fd_count(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/fd", self.child.id()))
            .expect("read /proc/PID/fd")
            .count()
    }

    /// Sends `sig` (e.g. `libc::SIGTERM`).
    pub fn signal(&self, sig: i32) {
        // SAFETY: kill(2) on our own child's pid.
        unsafe {
            libc::kill(self.child.id() as i32, sig);
        }
    }

    /// Waits up to `timeout` for the exit code.
    pub fn wait(&mut self, timeout: Duration) -> Option<i32> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Ok(Some(st)) = self.child.try_wait() {
                return Some(st.code().unwrap_or(-1));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// The output so far.
    pub fn output(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        if std::thread::panicking() {
            eprintln!(
                "---- {} output ({}) ----\n{}",
                self.name,
                self.log.display(),
                self.output()
            );
        }
    }
}

/// A running `smsedge run` with its own folder, ports and admin socket.
#[derive(Debug)]
pub struct Smsedge {
    /// The process.
    pub proc: Proc,
    /// Its folder (config, logs, admin socket).
    pub dir: tempfile::TempDir,
    /// SMPP listener.
    pub addr: SocketAddr,
    /// Admin socket.
    pub admin: PathBuf,
    /// Metrics listener.
    pub metrics: SocketAddr,
}

impl Smsedge {
    /// Starts smsedge on free ports. `body` is the config after `[server]`'s generated keys:
    /// extra server keys first (they land in `[server]`), then accounts, connectors, routes.
    pub fn start(server_extra: &str, body: &str) -> Smsedge {
        let dir = tempfile::tempdir().expect("tempdir");
        let addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().expect("addr");
        let metrics: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().expect("addr");
        let admin = dir.path().join("admin.sock");
        let cfg = format!(
            "[server]\nlisten = [\"{addr}\"]\nadmin_socket = \"{}\"\nmetrics_listen = \"{metrics}\"\n{server_extra}\n\n{body}\n",
            admin.display()
        );
        let path = dir.path().join("smsedge.toml");
        std::fs::write(&path, cfg).expect("write config");
        let mut cmd = Command::new(bin("smsedge"));
        cmd.arg("run")
            .arg("--config")
            .arg(&path)
            .env("RUST_LOG", "info");
        let proc = Proc::spawn("smsedge", cmd, dir.path().join("smsedge.log"));
        assert!(
            wait_port(addr, Duration::from_secs(15)),
            "smsedge did not listen on {addr}"
        );
        let deadline = Instant::now() + Duration::from_secs(15);
        while !admin.exists() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        Smsedge {
            proc,
            dir,
            addr,
            admin,
            metrics,
        }
    }

    /// Runs `smsedge ctl --json ARGS` and returns the reply.
    pub fn ctl(&self, args: &[&str]) -> serde_json::Value {
        let out = Command::new(bin("smsedge"))
            .arg("ctl")
            .arg("--socket")
            .arg(&self.admin)
            .arg("--json")
            .args(args)
            .output()
            .expect("run smsedge ctl");
        let text = String::from_utf8_lossy(&out.stdout);
        serde_json::from_str(text.trim()).unwrap_or_else(|e| {
            panic!(
                "ctl {args:?}: {e}: {text} {}",
                String::from_utf8_lossy(&out.stderr)
            )
        })
    }

    /// GET /metrics.
    pub fn metrics_text(&self) -> String {
        let mut s = TcpStream::connect(self.metrics).expect("metrics connect");
        s.set_read_timeout(Some(Duration::from_secs(5))).ok();
        s.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .expect("metrics write");
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
        out
    }
}

/// Sums every sample of `metric` whose labels contain all of `labels` in Prometheus text.
pub fn metric_sum(text: &str, metric: &str, labels: &[(&str, &str)]) -> f64 {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter(|l| l.starts_with(metric) && l[metric.len()..].starts_with(['{', ' ']))
        .filter(|l| {
            labels
                .iter()
                .all(|(k, v)| l.contains(&format!("{k}=\"{v}\"")))
        })
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

/// A blocking SMPP connection that sends raw bytes and reads whole PDUs.
#[derive(Debug)]
pub struct RawSmpp {
    /// The socket.
    pub stream: TcpStream,
    buf: Vec<u8>,
}

impl RawSmpp {
    /// Connects to `addr`.
    pub fn connect(addr: SocketAddr) -> RawSmpp {
        let stream = TcpStream::connect(addr).expect("connect to smsedge");
        stream.set_read_timeout(Some(Duration::from_secs(10))).ok();
        stream.set_nodelay(true).ok();
        RawSmpp {
            stream,
            buf: Vec::new(),
        }
    }

    /// Writes raw bytes.
    pub fn send_raw(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).expect("write");
    }

    /// Writes a PDU.
    pub fn send(&mut self, pdu: &Pdu) {
        self.send_raw(&pdu.to_vec());
    }

    /// Reads the next PDU; `None` when the connection closed (or timed out).
    pub fn recv(&mut self) -> Option<Pdu> {
        let framer = Framer::default();
        loop {
            if let Ok(Some(n)) = framer.frame_len(&self.buf) {
                let frame: Vec<u8> = self.buf.drain(..n).collect();
                return Some(
                    Pdu::decode_slice(&frame).expect("smsedge sent a PDU we cannot decode"),
                );
            }
            let mut tmp = [0u8; 65536];
            match self.stream.read(&mut tmp) {
                Ok(0) | Err(_) => return None,
                Ok(n) => self.buf.extend_from_slice(&tmp[..n]),
            }
        }
    }

    /// Reads PDUs until one with `id` arrives, answering deliver_sm and enquire_link meanwhile.
    pub fn recv_id(&mut self, id: CommandId) -> Option<Pdu> {
        loop {
            let p = self.recv()?;
            if p.command_id() == id {
                return Some(p);
            }
            self.auto_answer(&p);
        }
    }

    /// Answers deliver_sm and enquire_link as an ESME would.
    pub fn auto_answer(&mut self, p: &Pdu) {
        match p.command_id() {
            CommandId::DeliverSm => self.send(&Pdu::new(
                p.sequence_number,
                Body::DeliverSmResp(Some(Default::default())),
            )),
            CommandId::EnquireLink => {
                self.send(&Pdu::new(p.sequence_number, Body::EnquireLinkResp))
            }
            _ => {}
        }
    }

    /// True when the peer closed the connection within `timeout`.
    pub fn closed_within(&mut self, timeout: Duration) -> bool {
        self.stream.set_read_timeout(Some(timeout)).ok();
        let mut tmp = [0u8; 4096];
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            match self.stream.read(&mut tmp) {
                Ok(0) => return true,
                Ok(_) => continue,
                Err(e)
                    if e.kind() == std::io::ErrorKind::WouldBlock
                        || e.kind() == std::io::ErrorKind::TimedOut =>
                {
                    return false
                }
                Err(_) => return true,
            }
        }
        false
    }
}

/// A bind_transceiver PDU.
pub fn bind_trx(seq: u32, system_id: &str, password: &str) -> Pdu {
    Pdu::new(
        seq,
        Body::BindTransceiver(Bind {
            system_id: system_id.as_bytes().to_vec().into(),
            password: password.as_bytes().to_vec().into(),
            system_type: bytes::Bytes::new(),
            interface_version: 0x34,
            addr_ton: 0,
            addr_npi: 0,
            address_range: bytes::Bytes::new(),
        }),
    )
}

/// A submit_sm to `dest` with text `msg`, asking for a receipt when `dlr`.
pub fn submit(seq: u32, dest: &str, msg: &str, dlr: bool) -> Pdu {
    Pdu::new(
        seq,
        Body::SubmitSm(SubmitSm {
            source_addr_ton: 5,
            source_addr: bytes::Bytes::from_static(b"TEST"),
            dest_addr_ton: 1,
            dest_addr_npi: 1,
            destination_addr: dest.as_bytes().to_vec().into(),
            registered_delivery: u8::from(dlr),
            short_message: msg.as_bytes().to_vec().into(),
            ..Default::default()
        }),
    )
}
