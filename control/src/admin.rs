//! The admin socket: its newline-delimited JSON protocol (INTERFACES.md "Admin socket"), the
//! control-plane state every command acts on, and the unix-socket server.
//!
//! A change is never applied in pieces (sozu's and vector's rule): the command builds a complete
//! new [`Config`], validates it whole, compiles a new [`Runtime`], and only then publishes it
//! with `routes_version + 1`. Any error leaves the running state exactly as it was and the reply
//! names every problem. A change that leaves the config equal to the running one is accepted
//! with `"changed": false` and does NOT bump the version or publish (so a config-management tool
//! that pushes the same routes every few minutes causes no churn on the shards).

use std::fs;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::os::unix::fs::{DirBuilderExt, FileTypeExt, MetadataExt, PermissionsExt};
use std::os::unix::io::AsRawFd;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::{json, Map, Value};
use tracing::{info, warn};

use crate::config::{
    account_from_json, routes_from_json, Account, Config, ConfigError, ConfigErrors, Route,
};
use crate::publish::{Publisher, Snapshot};
use crate::routes::diff;
use crate::runtime::Runtime;

/// Longest request line accepted (without its newline).
pub const MAX_LINE: usize = 1 << 20;

/// An idle admin connection is closed after this long.
const IDLE_TIMEOUT: Duration = Duration::from_secs(600);

/// Admin connections served at once; more are answered with an error and closed.
const MAX_CONNECTIONS: usize = 64;

/// What the engine reports through the admin socket and the metrics endpoint. The engine
/// implements it; every method returns quickly (it is called from the admin threads).
pub trait EngineHooks: Send + Sync {
    /// Merged into the `status` reply (an object; anything else is put under `"engine"`).
    fn status(&self) -> Value;
    /// The `stats` reply's sections (an object of sections).
    fn stats(&self) -> Value;
    /// The `binds` reply (an object, or an array put under `"binds"`).
    fn binds(&self) -> Value;
    /// Prometheus text exposition for `/metrics` (see [`crate::metrics::PromWriter`]).
    fn prometheus(&self) -> String;
}

/// Hooks that report nothing: for `check-config`, tests, and an engine not started yet.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoHooks;

impl EngineHooks for NoHooks {
    fn status(&self) -> Value {
        json!({})
    }
    fn stats(&self) -> Value {
        json!({})
    }
    fn binds(&self) -> Value {
        json!({"binds": []})
    }
    fn prometheus(&self) -> String {
        String::new()
    }
}

/// One admin request, parsed from one JSON line such as `{"cmd": "routes.push", "routes": [..]}`.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    Status,
    Stats,
    Binds,
    RoutesShow,
    /// Replace all routes.
    RoutesPush {
        routes: Vec<Route>,
    },
    /// What `RoutesPush` with these routes would change.
    RoutesDiff {
        routes: Vec<Route>,
    },
    ConnectorEnable {
        name: String,
    },
    ConnectorDisable {
        name: String,
    },
    /// Replace the account with this system_id, or add it.
    AccountUpsert {
        account: Account,
    },
    AccountRemove {
        system_id: String,
    },
    /// Re-read the config file (`path`, else the one the process started with).
    ConfigReload {
        path: Option<PathBuf>,
    },
}

/// Every command, as `cmd` spells it.
pub const COMMANDS: &[&str] = &[
    "status",
    "stats",
    "binds",
    "routes.show",
    "routes.push",
    "routes.diff",
    "connector.enable",
    "connector.disable",
    "account.upsert",
    "account.remove",
    "config.reload",
];

impl Request {
    /// Parses one request line. The error text is what goes into `{"ok": false, "error": ..}`.
    pub fn parse(line: &str) -> Result<Request, String> {
        let value: Value = serde_json::from_str(line).map_err(|e| format!("invalid JSON: {e}"))?;
        let Value::Object(mut obj) = value else {
            return Err("request must be a JSON object like {\"cmd\": \"status\"}".into());
        };
        let cmd = match obj.remove("cmd") {
            Some(Value::String(c)) => c,
            Some(_) => return Err("\"cmd\" must be a string".into()),
            None => return Err("missing \"cmd\"".into()),
        };
        let allowed: &[&str] = match cmd.as_str() {
            "routes.push" | "routes.diff" => &["routes"],
            "connector.enable" | "connector.disable" => &["name"],
            "account.upsert" => &["account"],
            "account.remove" => &["system_id"],
            "config.reload" => &["path"],
            c if COMMANDS.contains(&c) => &[],
            c => {
                return Err(format!(
                    "unknown command {c:?}; commands: {}",
                    COMMANDS.join(", ")
                ))
            }
        };
        if let Some(k) = obj.keys().find(|k| !allowed.contains(&k.as_str())) {
            return Err(format!("{cmd}: unknown key {k:?}"));
        }
        let string = |obj: &mut Map<String, Value>, key: &str| match obj.remove(key) {
            Some(Value::String(s)) => Ok(s),
            Some(_) => Err(format!("{cmd}: {key:?} must be a string")),
            None => Err(format!("{cmd}: missing {key:?}")),
        };
        let routes = |obj: &mut Map<String, Value>| match obj.remove("routes") {
            Some(Value::Array(items)) => routes_from_json(&items).map_err(|e| e.joined()),
            Some(_) => Err(format!(
                "{cmd}: \"routes\" must be an array of route objects"
            )),
            None => Err(format!("{cmd}: missing \"routes\"")),
        };
        Ok(match cmd.as_str() {
            "status" => Request::Status,
            "stats" => Request::Stats,
            "binds" => Request::Binds,
            "routes.show" => Request::RoutesShow,
            "routes.push" => Request::RoutesPush {
                routes: routes(&mut obj)?,
            },
            "routes.diff" => Request::RoutesDiff {
                routes: routes(&mut obj)?,
            },
            "connector.enable" => Request::ConnectorEnable {
                name: string(&mut obj, "name")?,
            },
            "connector.disable" => Request::ConnectorDisable {
                name: string(&mut obj, "name")?,
            },
            "account.upsert" => match obj.remove("account") {
                Some(v) => Request::AccountUpsert {
                    account: account_from_json(&v).map_err(|e| e.joined())?,
                },
                None => return Err("account.upsert: missing \"account\"".into()),
            },
            "account.remove" => Request::AccountRemove {
                system_id: string(&mut obj, "system_id")?,
            },
            "config.reload" => match obj.remove("path") {
                None | Some(Value::Null) => Request::ConfigReload { path: None },
                Some(Value::String(p)) => Request::ConfigReload {
                    path: Some(PathBuf::from(p)),
                },
                Some(_) => return Err("config.reload: \"path\" must be a string".into()),
            },
            _ => unreachable!("every command in COMMANDS is matched above"),
        })
    }
}

/// `{"ok": false, "error": ...}`.
pub fn error_reply(message: impl Into<String>) -> Value {
    json!({"ok": false, "error": message.into()})
}

struct State {
    config: Config,
    path: Option<PathBuf>,
    version: u64,
}

/// The control plane: the running config, its compiled form published to the shards, and the
/// engine's hooks. Shared by the admin threads (`Arc<ControlPlane>`); commands are serialised.
pub struct ControlPlane {
    state: Mutex<State>,
    publisher: Publisher<Runtime>,
    hooks: Mutex<Arc<dyn EngineHooks>>,
    started: Instant,
}

impl std::fmt::Debug for ControlPlane {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ControlPlane")
            .field("routes_version", &self.routes_version())
            .finish_non_exhaustive()
    }
}

impl ControlPlane {
    /// Validates and compiles `config` as routes_version 1. `path` is the file `config.reload`
    /// re-reads by default (`None`: the embedded default, nothing to reload).
    pub fn new(
        config: Config,
        path: Option<PathBuf>,
        hooks: Arc<dyn EngineHooks>,
    ) -> Result<ControlPlane, ConfigErrors> {
        let runtime = Runtime::build(&config, 1)?;
        Ok(ControlPlane {
            state: Mutex::new(State {
                config,
                path,
                version: 1,
            }),
            publisher: Publisher::new(runtime),
            hooks: Mutex::new(hooks),
            started: Instant::now(),
        })
    }

    /// Replaces the hooks (the engine may create them after the control plane).
    pub fn set_hooks(&self, hooks: Arc<dyn EngineHooks>) {
        *lock(&self.hooks) = hooks;
    }

    pub fn hooks(&self) -> Arc<dyn EngineHooks> {
        lock(&self.hooks).clone()
    }

    pub fn publisher(&self) -> &Publisher<Runtime> {
        &self.publisher
    }

    /// A snapshot for one shard.
    pub fn snapshot(&self) -> Snapshot<Runtime> {
        self.publisher.snapshot()
    }

    /// The published runtime.
    pub fn runtime(&self) -> Arc<Runtime> {
        self.publisher.current()
    }

    pub fn routes_version(&self) -> u64 {
        lock(&self.state).version
    }

    pub fn config(&self) -> Config {
        lock(&self.state).config.clone()
    }

    pub fn config_path(&self) -> Option<PathBuf> {
        lock(&self.state).path.clone()
    }

    /// Parses and handles one request line.
    pub fn handle_line(&self, line: &str) -> Value {
        match Request::parse(line) {
            Ok(req) => self.handle(req),
            Err(e) => error_reply(e),
        }
    }

    /// Handles one request; the reply always has `"ok"`.
    pub fn handle(&self, req: Request) -> Value {
        match req {
            Request::Status => self.status(),
            Request::Stats => merge(json!({"ok": true}), self.hooks().stats(), "stats"),
            Request::Binds => merge(json!({"ok": true}), self.hooks().binds(), "binds"),
            Request::RoutesShow => {
                let st = lock(&self.state);
                json!({"ok": true, "routes_version": st.version, "routes": st.config.routes})
            }
            Request::RoutesDiff { routes } => {
                let st = lock(&self.state);
                let mut candidate = st.config.clone();
                candidate.routes = routes;
                if let Err(e) = candidate.validate() {
                    return error_reply(e.joined());
                }
                let d = diff(&st.config.routes, &candidate.routes);
                let changes = d.added.len() + d.removed.len() + d.changed.len() + d.reordered.len();
                json!({"ok": true, "routes_version": st.version, "changes": changes, "diff": d})
            }
            Request::RoutesPush { routes } => {
                let count = routes.len();
                self.apply("routes pushed", |c| {
                    c.routes = routes;
                    Ok(())
                })
                .map(|v| with(v, "routes", count.into()))
                .unwrap_or_else(|e| e)
            }
            Request::ConnectorEnable { name } => self.set_connector(&name, true),
            Request::ConnectorDisable { name } => self.set_connector(&name, false),
            Request::AccountUpsert { account } => {
                let id = account.system_id.clone();
                let mut added = false;
                self.apply("account upserted", |c| {
                    match c
                        .accounts
                        .iter_mut()
                        .find(|a| a.system_id == account.system_id)
                    {
                        Some(a) => *a = account,
                        None => {
                            c.accounts.push(account);
                            added = true;
                        }
                    }
                    Ok(())
                })
                .map(|v| with(with(v, "system_id", id.into()), "added", added.into()))
                .unwrap_or_else(|e| e)
            }
            Request::AccountRemove { system_id } => self
                .apply("account removed", |c| {
                    let before = c.accounts.len();
                    c.accounts.retain(|a| a.system_id != system_id);
                    if c.accounts.len() == before {
                        return Err(ConfigErrors::one(
                            "",
                            format!("account {system_id:?} does not exist"),
                        ));
                    }
                    Ok(())
                })
                .unwrap_or_else(|e| e),
            Request::ConfigReload { path } => self.reload(path),
        }
    }

    fn status(&self) -> Value {
        let hooks = self.hooks().status();
        let st = lock(&self.state);
        let rt = self.publisher.current();
        let connectors: Vec<Value> = rt
            .connectors
            .iter()
            .map(|c| json!({"name": c.config.name, "kind": c.config.kind, "address": c.config.address, "enabled": c.enabled}))
            .collect();
        let ours = json!({
            "ok": true,
            "routes_version": st.version,
            "config": st.path.as_ref().map(|p| p.display().to_string()),
            "uptime_s": self.started.elapsed().as_secs(),
            "accounts": st.config.accounts.len(),
            "routes": st.config.routes.len(),
            "connectors": connectors,
        });
        // The engine's keys first; ours win on a clash.
        let mut out = merge(json!({}), hooks, "engine");
        if let (Value::Object(out), Value::Object(ours)) = (&mut out, ours) {
            out.extend(ours);
        }
        out
    }

    fn set_connector(&self, name: &str, enabled: bool) -> Value {
        let what = if enabled {
            "connector enabled"
        } else {
            "connector disabled"
        };
        self.apply(what, |c| {
            match c.connectors.iter_mut().find(|k| k.name == name) {
                Some(k) => {
                    k.enabled = enabled;
                    Ok(())
                }
                None => Err(ConfigErrors::one(
                    "",
                    format!("connector {name:?} does not exist"),
                )),
            }
        })
        .map(|v| with(with(v, "connector", name.into()), "enabled", enabled.into()))
        .unwrap_or_else(|e| e)
    }

    fn reload(&self, path: Option<PathBuf>) -> Value {
        let path = match path.or_else(|| self.config_path()) {
            Some(p) => p,
            None => return error_reply(
                "config.reload: the process runs on the embedded default config; give a \"path\"",
            ),
        };
        let new = match Config::load(&path) {
            Ok(c) => c,
            Err(e) => return error_reply(e.joined()),
        };
        let shown = path.display().to_string();
        let reply = self.apply("config reloaded", |c| {
            let mut errs = Vec::new();
            let (a, b) = (&c.server, &new.server);
            let fixed = [
                ("server.listen", a.listen != b.listen),
                ("server.shards", a.shards != b.shards),
                ("server.admin_socket", a.admin_socket != b.admin_socket),
                (
                    "server.metrics_listen",
                    a.metrics_listen != b.metrics_listen,
                ),
                // Shards frame with the size they started with.
                ("server.max_pdu_len", a.max_pdu_len != b.max_pdu_len),
            ];
            for (key, differs) in fixed {
                if differs {
                    errs.push(ConfigError::new(
                        key,
                        "cannot change at run time (restart smsedge to apply it)",
                    ));
                }
            }
            if !errs.is_empty() {
                return Err(ConfigErrors(errs));
            }
            *c = new;
            Ok(())
        });
        match reply {
            Ok(v) => {
                lock(&self.state).path = Some(path);
                with(v, "config", shown.into())
            }
            Err(e) => e,
        }
    }

    /// The one way state changes: edit a copy, validate it whole, compile, publish, log.
    fn apply(
        &self,
        what: &str,
        edit: impl FnOnce(&mut Config) -> Result<(), ConfigErrors>,
    ) -> Result<Value, Value> {
        let mut st = lock(&self.state);
        let mut new = st.config.clone();
        edit(&mut new).map_err(|e| error_reply(e.joined()))?;
        if new == st.config {
            return Ok(json!({"ok": true, "routes_version": st.version, "changed": false}));
        }
        let version = st.version + 1;
        let runtime = Runtime::build(&new, version).map_err(|e| {
            warn!(error = %e.joined(), "{what}: refused");
            error_reply(e.joined())
        })?;
        self.publisher.publish(runtime);
        st.config = new;
        st.version = version;
        info!(routes_version = version, "{what}");
        Ok(json!({"ok": true, "routes_version": version, "changed": true}))
    }
}

fn with(mut v: Value, key: &str, value: Value) -> Value {
    if let Value::Object(m) = &mut v {
        m.insert(key.into(), value);
    }
    v
}

/// `base` plus the keys of `extra` when it is an object, else `extra` under `key`.
fn merge(mut base: Value, extra: Value, key: &str) -> Value {
    if let Value::Object(b) = &mut base {
        match extra {
            Value::Object(e) => {
                for (k, v) in e {
                    b.entry(k).or_insert(v);
                }
            }
            Value::Null => {}
            other => {
                b.insert(key.into(), other);
            }
        }
    }
    base
}

/// A poisoned lock only means a command panicked half way; the state it guards is only ever
/// replaced whole, so it is still consistent.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

// ---------------------------------------------------------------------------------------------
// The unix socket server

/// Who may use the admin socket: the user the proxy runs as, nobody else (INTERFACES.md:
/// "requests from another uid are refused"), root included — an operator who wants root to
/// steer runs the proxy as root or uses `sudo -u`.
pub fn authorize(peer_uid: u32, own_uid: u32) -> bool {
    peer_uid == own_uid
}

/// The uid of the process at the other end (SO_PEERCRED: taken when it called connect).
pub fn peer_uid(stream: &UnixStream) -> io::Result<u32> {
    let mut cred = libc::ucred {
        pid: 0,
        uid: 0,
        gid: 0,
    };
    let mut len = std::mem::size_of::<libc::ucred>() as libc::socklen_t;
    // SAFETY: `cred` and `len` are valid for writes of the sizes given; the fd is open.
    let r = unsafe {
        libc::getsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            (&mut cred as *mut libc::ucred).cast(),
            &mut len,
        )
    };
    if r != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(cred.uid)
}

fn euid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// The running admin server. Dropping it (or [`AdminServer::shutdown`]) stops accepting and
/// removes the socket file.
#[derive(Debug)]
pub struct AdminServer {
    path: PathBuf,
    /// (dev, ino) of the socket we bound: never remove a file someone else put there.
    identity: (u64, u64),
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl AdminServer {
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Stops accepting, waits for the accept thread, removes the socket file. Connections
    /// already open finish their current request.
    pub fn shutdown(&mut self) {
        let Some(thread) = self.thread.take() else {
            return;
        };
        self.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept.
        let _ = UnixStream::connect(&self.path);
        let _ = thread.join();
        if let Ok(meta) = fs::symlink_metadata(&self.path) {
            if (meta.dev(), meta.ino()) == self.identity {
                let _ = fs::remove_file(&self.path);
            }
        }
    }
}

impl Drop for AdminServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Starts the admin socket at `path` on its own thread (one more thread per connection).
///
/// Creates the parent folder (0700) when missing; fails with `AddrInUse` ("admin socket in use")
/// when a live server answers at `path`; removes a stale socket file; refuses to replace
/// anything that is not a socket; sets the socket to 0600.
pub fn serve_admin(path: impl AsRef<Path>, cp: Arc<ControlPlane>) -> io::Result<AdminServer> {
    let path = path.as_ref();
    let own = euid();
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        if !parent.exists() {
            fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(parent)?;
        }
        // The default folder lives in /tmp, where anyone could have created it first.
        if Some(parent) == crate::config::default_admin_socket().parent() {
            let meta = fs::metadata(parent)?;
            if meta.uid() != own || meta.mode() & 0o022 != 0 {
                return Err(io::Error::new(
                    io::ErrorKind::PermissionDenied,
                    format!(
                        "{} must be owned by uid {own} and not writable by others",
                        parent.display()
                    ),
                ));
            }
        }
    }
    if let Ok(meta) = fs::symlink_metadata(path) {
        if !meta.file_type().is_socket() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!(
                    "{} exists and is not a socket; not replacing it",
                    path.display()
                ),
            ));
        }
        match UnixStream::connect(path) {
            Ok(_) => {
                return Err(io::Error::new(
                    io::ErrorKind::AddrInUse,
                    format!("admin socket in use: {}", path.display()),
                ))
            }
            // Nobody listens: a leftover of a process that died.
            Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => fs::remove_file(path)?,
            // E.g. another user's live socket: not ours to remove.
            Err(e) => {
                return Err(io::Error::new(
                    e.kind(),
                    format!(
                        "{} exists and cannot be checked ({e}); not replacing it",
                        path.display()
                    ),
                ))
            }
        }
    }
    let listener = UnixListener::bind(path)?;
    fs::set_permissions(path, fs::Permissions::from_mode(0o600))?;
    let meta = fs::symlink_metadata(path)?;
    let stop = Arc::new(AtomicBool::new(false));
    let stop2 = stop.clone();
    let active = Arc::new(AtomicUsize::new(0));
    let thread = std::thread::Builder::new()
        .name("smsedge-admin".into())
        .spawn(move || {
            loop {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                // Poll with a timeout so that shutdown never depends on reaching the socket file
                // (it may already be gone, e.g. with its temp folder).
                if !readable(listener.as_raw_fd(), 200) {
                    continue;
                }
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok((stream, _)) = listener.accept() else {
                    continue;
                };
                if active.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
                    active.fetch_sub(1, Ordering::SeqCst);
                    let _ = reply(&stream, &error_reply("too many admin connections"));
                    continue;
                }
                let cp = cp.clone();
                let active = active.clone();
                let spawned = std::thread::Builder::new()
                    .name("smsedge-admin-conn".into())
                    .spawn(move || {
                        if let Err(e) = serve_connection(stream, &cp, own) {
                            if e.kind() != io::ErrorKind::BrokenPipe {
                                tracing::debug!(error = %e, "admin connection ended");
                            }
                        }
                        active.fetch_sub(1, Ordering::SeqCst);
                    });
                if spawned.is_err() {
                    // The closure (and its counter decrement) was dropped with the failed spawn.
                    warn!("admin: cannot spawn a connection thread");
                }
            }
        })?;
    info!(path = %path.display(), "admin socket listening");
    Ok(AdminServer {
        path: path.to_path_buf(),
        identity: (meta.dev(), meta.ino()),
        stop,
        thread: Some(thread),
    })
}

/// Waits up to `timeout_ms` for `fd` to become readable (for a listener: a pending connection).
fn readable(fd: std::os::unix::io::RawFd, timeout_ms: i32) -> bool {
    let mut p = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd, count 1.
    unsafe { libc::poll(&mut p, 1, timeout_ms) > 0 }
}

fn reply(mut stream: &UnixStream, v: &Value) -> io::Result<()> {
    let mut line = serde_json::to_vec(v).map_err(io::Error::other)?;
    line.push(b'\n');
    stream.write_all(&line)
}

fn serve_connection(stream: UnixStream, cp: &ControlPlane, own_uid: u32) -> io::Result<()> {
    let uid = peer_uid(&stream)?;
    if !authorize(uid, own_uid) {
        warn!(uid, "admin: connection from another user refused");
        return reply(
            &stream,
            &error_reply(format!("permission denied: uid {uid}")),
        );
    }
    stream.set_read_timeout(Some(IDLE_TIMEOUT))?;
    let mut reader = BufReader::new(&stream);
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = (&mut reader)
            .take(MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut line)?;
        if n == 0 {
            return Ok(());
        }
        let complete = line.last() == Some(&b'\n');
        if !complete && line.len() > MAX_LINE {
            reply(
                &stream,
                &error_reply(format!("request line longer than {MAX_LINE} bytes")),
            )?;
            return Ok(());
        }
        let text = match std::str::from_utf8(&line) {
            Ok(t) => t.trim(),
            Err(_) => {
                reply(&stream, &error_reply("request is not UTF-8"))?;
                continue;
            }
        };
        if text.is_empty() {
            if !complete {
                return Ok(());
            }
            continue;
        }
        reply(&stream, &cp.handle_line(text))?;
        if !complete {
            return Ok(()); // EOF after a last line without newline
        }
    }
}

/// Sends one request and reads one reply line (the client side, used by `smsedge ctl`).
pub fn request(path: &Path, req: &Value, timeout: Duration) -> io::Result<Value> {
    let mut stream = UnixStream::connect(path)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    let mut line = serde_json::to_vec(req).map_err(io::Error::other)?;
    line.push(b'\n');
    stream.write_all(&line)?;
    let mut reader = BufReader::new(stream);
    let mut answer = String::new();
    reader.read_line(&mut answer)?;
    if answer.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the server closed the connection without a reply",
        ));
    }
    serde_json::from_str(&answer)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("bad reply: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_every_command() {
        assert_eq!(Request::parse(r#"{"cmd":"status"}"#), Ok(Request::Status));
        assert_eq!(
            Request::parse(r#"{"cmd":"routes.show"}"#),
            Ok(Request::RoutesShow)
        );
        assert_eq!(
            Request::parse(r#"{"cmd":"connector.disable","name":"x"}"#),
            Ok(Request::ConnectorDisable { name: "x".into() })
        );
        assert_eq!(
            Request::parse(r#"{"cmd":"config.reload","path":"/etc/smsedge.toml"}"#),
            Ok(Request::ConfigReload {
                path: Some("/etc/smsedge.toml".into())
            })
        );
        assert_eq!(
            Request::parse(r#"{"cmd":"config.reload"}"#),
            Ok(Request::ConfigReload { path: None })
        );
        let Ok(Request::RoutesPush { routes }) = Request::parse(
            r#"{"cmd":"routes.push","routes":[{"prefix":"44","connectors":["a"]}]}"#,
        ) else {
            panic!()
        };
        assert_eq!(routes, vec![Route::new("44", &["a"])]);
        assert_eq!(
            Request::parse(r#"{"cmd":"account.remove","system_id":5}"#),
            Err("account.remove: \"system_id\" must be a string".into())
        );
        assert_eq!(
            Request::parse("[]"),
            Err("request must be a JSON object like {\"cmd\": \"status\"}".into())
        );
        assert_eq!(Request::parse("{}"), Err("missing \"cmd\"".into()));
        for cmd in COMMANDS {
            let r = Request::parse(&format!("{{\"cmd\":\"{cmd}\"}}"));
            assert!(
                !matches!(&r, Err(e) if e.starts_with("unknown command")),
                "{cmd}: {r:?}"
            );
        }
    }

    proptest! {
        #[test]
        fn arbitrary_lines_never_panic(line in "\\PC{0,200}") {
            let _ = Request::parse(&line);
        }

        #[test]
        fn arbitrary_json_objects_never_panic(
            cmd in prop::sample::select(COMMANDS.to_vec()),
            key in prop::sample::select(vec!["routes", "name", "account", "system_id", "path", "x"]),
            value in prop_oneof![
                Just(serde_json::json!(null)), Just(serde_json::json!(1)), Just(serde_json::json!("s")),
                Just(serde_json::json!([{"prefix": 1}])), Just(serde_json::json!({"system_id": []})),
                Just(serde_json::json!([[]])),
            ],
        ) {
            let line = serde_json::json!({"cmd": cmd, key: value}).to_string();
            let _ = Request::parse(&line);
        }
    }
}
