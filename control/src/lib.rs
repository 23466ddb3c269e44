//! smsedge control plane: the config model and its validation, the route-table compiler, the
//! lock-free publication of compiled tables to the shards, the admin socket and its client
//! (`smsedge ctl`), the Prometheus endpoint, and `smsedge check-config`.
//!
//! Nothing here runs on the per-message path except [`routes::RouteTable::lookup`] and
//! [`publish::Snapshot`]; everything else is allowed to lock, allocate and take its time,
//! and refuses to change anything unless the whole new state validates.
//!
//! How the engine wires it (all names below are re-exported here):
//!
//! ```no_run
//! # use std::sync::Arc;
//! # use smsedge_control::*;
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let path: Option<std::path::PathBuf> = None;
//! # let hooks: Arc<dyn EngineHooks> = Arc::new(NoHooks);
//! let config = match &path {
//!     Some(p) => Config::load(p)?,          // every error, one per line, in the Display
//!     None => Config::embedded_default(),
//! };
//! let cp = Arc::new(ControlPlane::new(config, path, hooks.clone())?);
//! let server = cp.config().server;
//! let mut snapshot = cp.snapshot();         // one per shard, moved into it
//! let _admin = serve_admin(server.admin_socket_path(), cp.clone())?;
//! let _metrics = server.metrics_listen.map(|a| serve_metrics(a, hooks)).transpose()?;
//! // In the shard, once per batch:
//! snapshot.refresh();
//! let rt = snapshot.get();
//! let q = RouteQuery { destination: b"447700900123", account: AccountId(0),
//!                      source_addr: b"40404", service_type: b"", data_coding: 0 };
//! match rt.routes.lookup(&q).map(|r| r.action) {
//!     Some(RouteAction::Forward) => { /* r.connectors, r.weights, r.strategy */ }
//!     Some(RouteAction::Reject(status)) => { /* answer with status */ }
//!     None => { /* answer rt.server.no_route_status */ }
//! }
//! # Ok(()) }
//! ```

pub mod admin;
pub mod check;
pub mod config;
pub mod ctl;
pub mod metrics;
pub mod publish;
pub mod routes;
pub mod runtime;
pub mod units;

pub use admin::{serve_admin, AdminServer, ControlPlane, EngineHooks, NoHooks, Request};
pub use check::check_config;
pub use config::{Config, ConfigError, ConfigErrors, Strategy, DEFAULT_CONFIG_TOML};
pub use ctl::{run_ctl, CtlCommand};
pub use metrics::{serve_metrics, MetricsServer, PromWriter};
pub use publish::{Publisher, Snapshot};
pub use routes::{
    AccountId, CompiledRoute, ConnectorId, MoRouteTable, RouteAction, RouteQuery, RouteTable,
    RoutesDiff,
};
pub use runtime::{AccountRt, ConnectorRt, Runtime};
pub use units::Status;
