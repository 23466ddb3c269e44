//! Starting and stopping the proxy: config → control plane → shards → admin socket and metrics;
//! and the hooks through which the control plane reports what the shards publish.

use crate::shared::Shared;
use crate::stats;
use crate::tasks::{spawn_shard, ShardSpec};
use glommio::channels::channel_mesh::MeshBuilder;
use serde_json::{json, Value};
use smsedge_control::admin::{serve_admin, AdminServer, ControlPlane, EngineHooks};
use smsedge_control::config::Config;
use smsedge_control::metrics::{serve_metrics, MetricsServer};
use smsedge_control::units::Shards;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};
use std::time::Duration;

/// What the control plane asks the engine.
struct Hooks {
    shared: Arc<Shared>,
    control: std::sync::OnceLock<Weak<ControlPlane>>,
}

impl Hooks {
    fn names(&self) -> (Vec<String>, Vec<String>) {
        let a = self
            .shared
            .accounts
            .all()
            .iter()
            .map(|a| a.name.to_string())
            .collect();
        let c = self
            .shared
            .connectors
            .all()
            .iter()
            .map(|c| c.name.to_string())
            .collect();
        (a, c)
    }

    fn shard_stats(&self) -> Vec<Arc<crate::stats::ShardStats>> {
        self.shared.stats.iter().map(|s| s.load_full()).collect()
    }

    fn routes_version(&self) -> u64 {
        self.control
            .get()
            .and_then(Weak::upgrade)
            .map_or(0, |c| c.routes_version())
    }
}

impl EngineHooks for Hooks {
    fn status(&self) -> Value {
        let sessions: u64 = self.shard_stats().iter().map(|s| s.sessions).sum();
        json!({
            "version": env!("CARGO_PKG_VERSION"),
            "shards": self.shared.shards,
            "sessions": sessions,
            "uptime_s": self.shared.started.elapsed().as_secs(),
            "stopping": self.shared.is_stopping(),
        })
    }

    fn stats(&self) -> Value {
        let (a, c) = self.names();
        stats::to_json(&self.shard_stats(), &a, &c)
    }

    fn binds(&self) -> Value {
        let all: Vec<Value> = self
            .shared
            .binds
            .iter()
            .flat_map(|b| b.load_full().as_ref().clone())
            .collect();
        json!({ "binds": all })
    }

    fn prometheus(&self) -> String {
        let (a, c) = self.names();
        stats::to_prometheus(&self.shard_stats(), &a, &c, self.routes_version())
    }
}

/// A running proxy.
pub struct Engine {
    /// Process-wide state (stop flag, stats).
    pub shared: Arc<Shared>,
    /// The control plane.
    pub control: Arc<ControlPlane>,
    threads: Vec<std::thread::JoinHandle<()>>,
    admin: Option<AdminServer>,
    metrics: Option<MetricsServer>,
    /// Where the admin socket listens.
    pub admin_path: PathBuf,
    /// Where /metrics is served, if anywhere.
    pub metrics_addr: Option<SocketAddr>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("shards", &self.shared.shards)
            .field("admin", &self.admin_path)
            .finish_non_exhaustive()
    }
}

/// The CPUs this process may run on (container cpusets included; GLOMMIO.md: glommio's
/// `CpuSet::online()` ignores them).
pub fn allowed_cpus() -> Vec<usize> {
    core_affinity::get_core_ids()
        .map(|v| v.into_iter().map(|c| c.id).collect())
        .unwrap_or_default()
}

fn check_memlock(shards: usize) -> Result<(), String> {
    let mut r = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct we own.
    if unsafe { libc::getrlimit(libc::RLIMIT_MEMLOCK, &mut r) } != 0 {
        return Ok(());
    }
    // glommio refuses to start an executor below 512 KiB of lockable memory (GLOMMIO.md).
    let need = 512u64 << 10;
    if r.rlim_cur != libc::RLIM_INFINITY && r.rlim_cur < need {
        return Err(format!(
            "RLIMIT_MEMLOCK is {} KiB; smsedge needs at least {} KiB for {shards} shard(s) (ulimit -l, or LimitMEMLOCK= in the systemd unit)",
            r.rlim_cur >> 10,
            need >> 10
        ));
    }
    Ok(())
}

impl Engine {
    /// Validates `config`, binds every listener and starts the shards, the admin socket and the
    /// metrics endpoint. Any failure is one clear line.
    pub fn start(config: Config, path: Option<PathBuf>) -> Result<Engine, String> {
        let cpus = allowed_cpus();
        let shards = match config.server.shards {
            Shards::Auto => cpus.len().max(1),
            Shards::Count(n) => n as usize,
        }
        .min(crate::rates::MAX_SHARDS);
        check_memlock(shards)?;
        // Refuse a port another live process listens on: the shards bind with SO_REUSEPORT,
        // which would otherwise share it silently with another smsedge of the same user. A
        // probe connect rather than a trial bind, so that the TIME_WAIT connections a
        // just-stopped smsedge leaves behind do not block a restart.
        for addr in &config.server.listen {
            let probe = if addr.ip().is_unspecified() {
                SocketAddr::new(
                    if addr.is_ipv4() {
                        [127, 0, 0, 1].into()
                    } else {
                        std::net::Ipv6Addr::LOCALHOST.into()
                    },
                    addr.port(),
                )
            } else {
                *addr
            };
            if std::net::TcpStream::connect_timeout(&probe, Duration::from_millis(300)).is_ok() {
                return Err(format!(
                    "listen {addr}: address in use (something already accepts connections there)"
                ));
            }
        }
        let shared = Shared::new(shards);
        let hooks = Arc::new(Hooks {
            shared: shared.clone(),
            control: std::sync::OnceLock::new(),
        });
        let control = Arc::new(
            ControlPlane::new(config.clone(), path, hooks.clone()).map_err(|e| e.joined())?,
        );
        let _ = hooks.control.set(Arc::downgrade(&control));
        let admin_path = config.server.admin_socket_path();
        let mesh = MeshBuilder::full(shards, crate::tasks::MESH_CAPACITY);
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let mut threads = Vec::new();
        for id in 0..shards {
            let cpu = if cpus.is_empty() {
                None
            } else {
                Some(cpus[id % cpus.len()])
            };
            let spec = ShardSpec {
                id,
                cpu,
                shared: shared.clone(),
                rt: control.snapshot(),
                listen: config.server.listen.clone(),
                mesh: mesh.clone(),
                ready: ready_tx.clone(),
            };
            threads.push(spawn_shard(spec).map_err(|e| format!("cannot start shard {id}: {e}"))?);
        }
        drop(ready_tx);
        for _ in 0..shards {
            match ready_rx.recv_timeout(Duration::from_secs(10)) {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => {
                    shared.stopping.store(true, Ordering::Relaxed);
                    return Err(e);
                }
                Err(_) => {
                    shared.stopping.store(true, Ordering::Relaxed);
                    return Err("shards did not start within 10 s".into());
                }
            }
        }
        let admin = serve_admin(&admin_path, control.clone()).map_err(|e| {
            shared.stopping.store(true, Ordering::Relaxed);
            format!("admin socket {}: {e}", admin_path.display())
        })?;
        let metrics = match config.server.metrics_listen {
            Some(addr) => Some(serve_metrics(addr, hooks.clone()).map_err(|e| {
                shared.stopping.store(true, Ordering::Relaxed);
                format!("metrics_listen {addr}: {e}")
            })?),
            None => None,
        };
        let metrics_addr = metrics.as_ref().map(MetricsServer::local_addr);
        tracing::info!(shards, listen = ?config.server.listen, admin = %admin_path.display(), "smsedge started");
        Ok(Engine {
            shared,
            control,
            threads,
            admin: Some(admin),
            metrics,
            admin_path,
            metrics_addr,
        })
    }

    /// Asks every shard to drain and stop.
    pub fn stop(&self) {
        self.shared.stopping.store(true, Ordering::Relaxed);
    }

    /// Waits for the shards to finish (after [`Engine::stop`] or a signal).
    pub fn join(mut self) {
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
        if let Some(mut a) = self.admin.take() {
            a.shutdown();
        }
        if let Some(mut m) = self.metrics.take() {
            m.shutdown();
        }
        tracing::info!("smsedge stopped");
    }
}

/// Sets the stop flag on SIGINT or SIGTERM (a second signal exits at once).
pub fn install_signals(shared: Arc<Shared>) -> Result<(), String> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])
        .map_err(|e| format!("signals: {e}"))?;
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            for sig in signals.forever() {
                if shared.stopping.swap(true, Ordering::Relaxed) {
                    eprintln!("second signal {sig}: exiting now");
                    std::process::exit(1);
                }
                tracing::info!(signal = sig, "stopping: draining in-flight requests");
            }
        })
        .map_err(|e| format!("signals: {e}"))?;
    Ok(())
}
