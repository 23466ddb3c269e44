//! smsedge control plane: the config model and its validation, the route-table compiler, the
//! lock-free publication of compiled tables to the shards, the admin socket and its client
//! (`smsedge ctl`), the Prometheus endpoint, and `smsedge check-config`.
//!
//! Nothing here runs on the per-message path except [`routes::RouteTable::lookup`] and
//! [`publish::Snapshot`]; everything else is allowed to lock, allocate and take its time,
//! and refuses to change anything unless the whole new state validates.

pub mod admin;
pub mod check;
pub mod config;
pub mod ctl;
pub mod metrics;
pub mod publish;
pub mod routes;
pub mod runtime;
pub mod units;

pub use admin::{serve_admin, AdminServer, ControlPlane, EngineHooks, Request};
pub use check::check_config;
pub use config::{Config, ConfigError, ConfigErrors, DEFAULT_CONFIG_TOML};
pub use ctl::{run_ctl, CtlCommand};
pub use metrics::{serve_metrics, MetricsServer, PromWriter};
pub use publish::{Publisher, Snapshot};
pub use routes::{AccountId, CompiledRoute, ConnectorId, RouteAction, RouteQuery, RouteTable};
pub use runtime::{AccountRt, ConnectorRt, Runtime};
