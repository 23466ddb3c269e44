//! The configuration model (INTERFACES.md "Config file") and its validation.
//!
//! Parsing is done section by section and item by item so that one bad `[[connector]]` does not
//! hide the errors of the next one: every error is collected with a location an operator can
//! find (`connector "smsc-a".window`, `route 3`, `line 12, column 5`), and validation runs over
//! everything that could be parsed. The same item parser reads the admin socket's JSON route and
//! account objects, so a pushed route is held to exactly the rules of a `[[route]]` table.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ipnet::IpNet;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::units::{self, Shards, Status};

/// The config `smsedge run` uses without `--config` (INTERFACES.md "embedded default").
pub const DEFAULT_CONFIG_TOML: &str = r#"# smsedge embedded default: a proxy on 127.0.0.1:2775 in front of an SMSC simulator.
[server]
listen = ["127.0.0.1:2775"]
metrics_listen = "127.0.0.1:9775"
# admin_socket unset: /tmp/smsedge-<uid>/admin.sock

[[account]]
system_id = "demo"
password = "demo"

[[connector]]
name = "smsc"
kind = "smpp"
address = "127.0.0.1:2776"
system_id = "demo"
password = "demo"

[[route]]
prefix = ""
connectors = ["smsc"]
"#;

/// Longest prefix (and destination) the route table handles: SMPP v5.0 data_sm destination_addr
/// is a C-Octet String of up to 65 octets including the NUL.
pub const MAX_PREFIX_DIGITS: usize = 64;

/// Where unix sockets stop: `sun_path` is 108 bytes on Linux, one of them the NUL.
const MAX_UNIX_PATH: usize = 107;

// ---------------------------------------------------------------------------------------------
// Errors

/// One problem in a config, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// `server.max_pdu_len`, `account 2`, `connector "smsc-a".window`, `route 3`,
    /// `line 4, column 7` (TOML syntax), or a file path when the file cannot be read.
    pub location: String,
    pub message: String,
}

impl ConfigError {
    pub fn new(location: impl Into<String>, message: impl Into<String>) -> ConfigError {
        ConfigError {
            location: location.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.location.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.location, self.message)
        }
    }
}

/// Every error found, in file order. Displayed one per line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl ConfigErrors {
    pub fn one(location: impl Into<String>, message: impl Into<String>) -> ConfigErrors {
        ConfigErrors(vec![ConfigError::new(location, message)])
    }

    /// All errors on one line, `"; "` between them (the admin socket's `error` string).
    pub fn joined(&self) -> String {
        self.0
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

// ---------------------------------------------------------------------------------------------
// Model

/// A whole config file: `[server]`, `[[account]]`, `[[connector]]`, `[[route]]`, `[[mo_route]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub server: Server,
    pub accounts: Vec<Account>,
    pub connectors: Vec<Connector>,
    pub routes: Vec<Route>,
    pub mo_routes: Vec<MoRoute>,
}

/// `[server]`. Every key but `listen` has a default; see `control/smsedge.example.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Server {
    /// SMPP listen addresses for ESMEs; every shard binds each with SO_REUSEPORT.
    pub listen: Vec<SocketAddr>,
    #[serde(default)]
    pub shards: Shards,
    /// `None`: [`default_admin_socket`] (`/tmp/smsedge-<uid>/admin.sock`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin_socket: Option<PathBuf>,
    /// `None` (written `""`): no metrics endpoint.
    #[serde(default = "d_metrics_listen", with = "units::optional_addr")]
    pub metrics_listen: Option<SocketAddr>,
    #[serde(default = "d_max_pdu_len")]
    pub max_pdu_len: u32,
    /// Outstanding requests per ESME session.
    #[serde(default = "d_session_window")]
    pub session_window: u32,
    /// ESME connections open at once, over all shards (each admits its share).
    #[serde(default = "d_max_connections")]
    pub max_connections: u32,
    #[serde(default = "d_10s", with = "units::duration")]
    pub bind_timeout: Duration,
    #[serde(default = "d_30s", with = "units::duration")]
    pub enquire_link_interval: Duration,
    /// 0 = off.
    #[serde(default = "d_300s", with = "units::duration")]
    pub inactivity_timeout: Duration,
    /// For requests the proxy sends to an ESME (deliver_sm, enquire_link).
    #[serde(default = "d_10s", with = "units::duration")]
    pub response_timeout: Duration,
    /// How long shutdown waits for in-flight requests.
    #[serde(default = "d_5s", with = "units::duration")]
    pub drain_timeout: Duration,
    /// Lifetime of a message-id map entry.
    #[serde(default = "d_72h", with = "units::duration")]
    pub message_id_ttl: Duration,
    /// Message-id map entries per shard.
    #[serde(default = "d_id_map_capacity")]
    pub id_map_capacity: u64,
    /// Receipts held per account while it has no receiver bind.
    #[serde(default = "d_receipt_queue")]
    pub receipt_queue: u64,
    /// How long a held receipt is kept.
    #[serde(default = "d_24h", with = "units::duration")]
    pub receipt_hold: Duration,
    /// Per connector per shard, messages waiting while upstream windows/caps are full.
    #[serde(default = "d_wait_queue")]
    pub wait_queue: u32,
    #[serde(default = "d_1s", with = "units::duration")]
    pub wait_timeout: Duration,
    /// Answer to a submit that no route matches.
    #[serde(default = "d_no_route_status")]
    pub no_route_status: Status,
    /// tracing filter: a level, or `info,smsedge_engine=debug`.
    #[serde(default = "d_log_level")]
    pub log_level: String,
}

impl Server {
    /// The admin socket path: `admin_socket`, or the per-user default.
    pub fn admin_socket_path(&self) -> PathBuf {
        self.admin_socket
            .clone()
            .unwrap_or_else(default_admin_socket)
    }
}

/// `/tmp/smsedge-<euid>/admin.sock`: where `smsedge run` and `smsedge ctl` meet by default.
pub fn default_admin_socket() -> PathBuf {
    // SAFETY: geteuid has no preconditions and cannot fail.
    let uid = unsafe { libc::geteuid() };
    PathBuf::from(format!("/tmp/smsedge-{uid}/admin.sock"))
}

/// `[[account]]`: an ESME allowed to bind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Account {
    pub system_id: String,
    #[serde(skip_serializing)]
    pub password: String,
    #[serde(default = "d_max_binds")]
    pub max_binds: u32,
    /// Messages per second over all binds and shards; 0 = unlimited.
    #[serde(default)]
    pub tps: u32,
    /// CIDRs (or single addresses) a bind may come from; empty = any.
    #[serde(default)]
    pub allowed_ips: Vec<String>,
    /// Overrides `server.session_window`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<u32>,
    #[serde(default = "d_true")]
    pub enabled: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConnectorKind {
    Smpp,
    /// SIGTRAN M3UA into SS7: MAP SRI-for-SM and MT-ForwardSM towards the HLR and MSC, MO from
    /// the network (README "SS7 connectors").
    M3ua,
}

/// How an `m3ua` connector reaches its signalling gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    /// M3UA over TCP (one connection = one association, messages framed by their length).
    #[default]
    Tcp,
    /// M3UA over a kernel SCTP one-to-one socket (RFC 4666: PPID 3, data on stream 1).
    Sctp,
}

/// M3UA Traffic Mode Type sent in ASPAC (RFC 4666 3.8.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TrafficMode {
    Override,
    /// Every association of the proxy shares the traffic (each shard opens its own).
    #[default]
    Loadshare,
    Broadcast,
}

impl TrafficMode {
    /// The Traffic Mode Type value (RFC 4666 3.8.1: 1 override, 2 loadshare, 3 broadcast).
    pub fn value(self) -> u32 {
        match self {
            TrafficMode::Override => 1,
            TrafficMode::Loadshare => 2,
            TrafficMode::Broadcast => 3,
        }
    }
}

/// When an `m3ua` connector answers a submit_sm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SubmitMode {
    /// submit_sm_resp once the network answered: success with an own id, or the MAP error's
    /// status. A receipt (DELIVRD) follows when registered_delivery asks.
    #[default]
    Transactional,
    /// submit_sm_resp with an own id as soon as the dialogue starts; the outcome comes in the
    /// receipt (DELIVRD, UNDELIV, REJECTD, EXPIRED with the MAP error).
    Receipt,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BindMode {
    #[default]
    Transceiver,
    Transmitter,
    Receiver,
}

/// How an upstream writes message ids, so that the id in its submit_sm_resp and the id in its
/// receipts normalise to the same key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IdFormat {
    #[default]
    Text,
    Hex,
    Decimal,
}

/// `[[connector]]`: an upstream. Keys common to every kind plus the SMPP ones; M3UA keys will be
/// extra optional keys checked per kind in [`Config::validate`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Connector {
    pub name: String,
    pub kind: ConnectorKind,
    /// `host:port` or `[v6]:port`; resolved by the engine when it connects.
    pub address: String,
    #[serde(default)]
    pub system_id: String,
    #[serde(default, skip_serializing)]
    pub password: String,
    #[serde(default)]
    pub system_type: String,
    #[serde(default)]
    pub bind: BindMode,
    /// Binds per shard.
    #[serde(default = "d_one")]
    pub binds: u32,
    #[serde(default = "d_connector_window")]
    pub window: u32,
    /// 0 = unlimited.
    #[serde(default)]
    pub tps: u32,
    #[serde(default = "d_interface_version")]
    pub interface_version: u32,
    #[serde(default = "d_30s", with = "units::duration")]
    pub enquire_link_interval: Duration,
    #[serde(default = "d_30s", with = "units::duration")]
    pub response_timeout: Duration,
    #[serde(default = "d_1s", with = "units::duration")]
    pub reconnect_min: Duration,
    #[serde(default = "d_30s", with = "units::duration")]
    pub reconnect_max: Duration,
    #[serde(default = "d_true")]
    pub enabled: bool,
    #[serde(default)]
    pub resp_id: IdFormat,
    #[serde(default)]
    pub receipt_id: IdFormat,
    /// Used by `strategy = "weighted"` when the route gives no weights.
    #[serde(default = "d_one")]
    pub weight: u32,

    // kind = "m3ua" only (README "SS7 connectors"); checked per kind in validation.
    /// "tcp" (RFC 4666 over TCP) or "sctp" (kernel SCTP).
    #[serde(default)]
    pub transport: Transport,
    /// The proxy's point code: OPC of what it sends. Required for m3ua.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_pc: Option<u32>,
    /// The signalling gateway's (or the peer's) point code: DPC of what the proxy sends.
    /// Required for m3ua.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_pc: Option<u32>,
    /// Routing Context sent in ASPAC and DATA; none when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routing_context: Option<u32>,
    /// Network Appearance sent in DATA; none when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_appearance: Option<u32>,
    #[serde(default)]
    pub traffic_mode: TrafficMode,
    /// ASP Identifier sent in ASPUP; none when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asp_id: Option<u32>,
    /// MTP3 network indicator: 0 international, 1 spare, 2 national, 3 national spare.
    #[serde(default = "d_network_indicator")]
    pub network_indicator: u8,
    /// The proxy's SMSC global title (E.164 digits). Required for m3ua.
    #[serde(default)]
    pub smsc_gt: String,
    /// 3: MAP v3 dialogues, falling back to v2 when the peer refuses; 2: v2 only.
    #[serde(default = "d_map_version")]
    pub map_version: u8,
    /// How long a TCAP dialogue may wait for the network's answer.
    #[serde(default = "d_30s", with = "units::duration")]
    pub dialogue_timeout: Duration,
    /// M3UA BEAT on an idle association; 0 = off.
    #[serde(default = "d_30s", with = "units::duration")]
    pub beat_interval: Duration,
    /// How long a sendRoutingInfoForSM result is reused; 0 = no cache.
    #[serde(default = "d_zero", with = "units::duration")]
    pub sri_cache_ttl: Duration,
    /// SRI results cached per shard.
    #[serde(default = "d_sri_cache_size")]
    pub sri_cache_size: u32,
    #[serde(default)]
    pub submit_mode: SubmitMode,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// The first connector that is up and has room; the next one when it is not.
    #[default]
    Failover,
    Weighted,
    RoundRobin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    #[default]
    Forward,
    /// Answer with `status` (default `server.no_route_status`).
    Reject,
}

/// `[[route]]` (and one element of the admin socket's `routes` array).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Destination digits, optional leading `+`; `""` matches every destination.
    pub prefix: String,
    #[serde(default)]
    pub connectors: Vec<String>,
    #[serde(default)]
    pub strategy: Strategy,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weights: Option<Vec<u32>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accounts: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_addrs: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_types: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_codings: Option<Vec<u8>>,
    #[serde(default)]
    pub action: Action,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
}

impl Route {
    /// A forward route for `prefix` to `connectors`, everything else default.
    pub fn new(prefix: &str, connectors: &[&str]) -> Route {
        Route {
            name: None,
            prefix: prefix.to_string(),
            connectors: connectors.iter().map(|c| c.to_string()).collect(),
            strategy: Strategy::Failover,
            weights: None,
            accounts: None,
            source_addrs: None,
            source_prefix: None,
            service_types: None,
            data_codings: None,
            action: Action::Forward,
            status: None,
        }
    }

    /// The prefix without its optional leading `+`.
    pub fn digits(&self) -> &str {
        strip_plus(&self.prefix)
    }

    /// Whether this route has the same prefix and the same conditions as `other` (so the later
    /// of the two can never match).
    pub fn same_match(&self, other: &Route) -> bool {
        self.digits() == other.digits() && self.conditions_key() == other.conditions_key()
    }

    /// Whether any condition (accounts, sender, service_type, data_coding) is set.
    pub fn has_conditions(&self) -> bool {
        self.accounts.is_some()
            || self.source_addrs.is_some()
            || self.source_prefix.is_some()
            || self.service_types.is_some()
            || self.data_codings.is_some()
    }

    /// Conditions in a canonical form (sets sorted), for comparisons and diff keys.
    pub(crate) fn conditions_key(&self) -> String {
        fn set<T: Ord + Clone + fmt::Debug>(v: &Option<Vec<T>>) -> String {
            match v {
                None => "*".into(),
                Some(v) => {
                    let mut v = v.clone();
                    v.sort();
                    v.dedup();
                    format!("{v:?}")
                }
            }
        }
        format!(
            "accounts={} source_addrs={} source_prefix={} service_types={} data_codings={}",
            set(&self.accounts),
            set(&self.source_addrs),
            self.source_prefix
                .as_deref()
                .map(|p| format!("{:?}", strip_plus(p)))
                .unwrap_or("*".into()),
            set(&self.service_types),
            set(&self.data_codings),
        )
    }
}

/// `[[mo_route]]`: mobile-originated messages from SS7 to the account that owns the number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MoRoute {
    pub prefix: String,
    /// system_id of the receiving account.
    pub account: String,
}

pub(crate) fn strip_plus(s: &str) -> &str {
    s.strip_prefix('+').unwrap_or(s)
}

fn d_metrics_listen() -> Option<SocketAddr> {
    Some(SocketAddr::from(([127, 0, 0, 1], 9775)))
}
fn d_max_pdu_len() -> u32 {
    65_536
}
fn d_session_window() -> u32 {
    256
}
fn d_max_connections() -> u32 {
    10_000
}
fn d_1s() -> Duration {
    Duration::from_secs(1)
}
fn d_5s() -> Duration {
    Duration::from_secs(5)
}
fn d_10s() -> Duration {
    Duration::from_secs(10)
}
fn d_30s() -> Duration {
    Duration::from_secs(30)
}
fn d_300s() -> Duration {
    Duration::from_secs(300)
}
fn d_24h() -> Duration {
    Duration::from_secs(24 * 3600)
}
fn d_72h() -> Duration {
    Duration::from_secs(72 * 3600)
}
fn d_id_map_capacity() -> u64 {
    2_000_000
}
fn d_receipt_queue() -> u64 {
    100_000
}
fn d_wait_queue() -> u32 {
    1024
}
fn d_no_route_status() -> Status {
    Status::INVALID_DEST_ADDR
}
fn d_log_level() -> String {
    "info".into()
}
fn d_max_binds() -> u32 {
    10
}
fn d_true() -> bool {
    true
}
fn d_one() -> u32 {
    1
}
fn d_connector_window() -> u32 {
    64
}
fn d_interface_version() -> u32 {
    0x34
}
fn d_network_indicator() -> u8 {
    2
}
fn d_map_version() -> u8 {
    3
}
fn d_zero() -> Duration {
    Duration::ZERO
}
fn d_sri_cache_size() -> u32 {
    100_000
}

// ---------------------------------------------------------------------------------------------
// Parsing

const SECTIONS: &[&str] = &["server", "account", "connector", "route", "mo_route"];

/// Items of one section as parsed: `None` where the item had errors (already reported), so that
/// positions (`route 3`) stay those of the file.
#[derive(Default)]
struct Parts {
    server: Option<Server>,
    accounts: Vec<Option<Account>>,
    connectors: Vec<Option<Connector>>,
    routes: Vec<Option<Route>>,
    mo_routes: Vec<Option<MoRoute>>,
    /// system_ids / names of items that failed to parse: references to them are not reported
    /// as "does not exist" on top of the parse error.
    broken_accounts: HashSet<String>,
    broken_connectors: HashSet<String>,
}

impl Config {
    /// Parses and validates a TOML config; every error, with its location.
    pub fn from_toml_str(text: &str) -> Result<Config, ConfigErrors> {
        let mut errs = Vec::new();
        let table = match text.parse::<toml::Table>() {
            Ok(t) => t,
            Err(e) => {
                let location = match e.span() {
                    Some(span) => line_col(text, span.start),
                    None => String::new(),
                };
                let message = format!("TOML syntax: {}", e.message().replace('\n', "; "));
                return Err(ConfigErrors(vec![ConfigError::new(location, message)]));
            }
        };
        let mut json = match serde_json::to_value(&table) {
            Ok(Value::Object(m)) => m,
            _ => {
                return Err(ConfigErrors::one(
                    "",
                    "config cannot be represented (datetime values?)",
                ))
            }
        };
        let mut parts = Parts::default();
        for key in json.keys() {
            if !SECTIONS.contains(&key.as_str()) {
                let hint = match key.as_str() {
                    "accounts" | "connectors" | "routes" | "mo_routes" => {
                        format!(" (did you mean [[{}]]?)", key.trim_end_matches('s'))
                    }
                    _ => String::new(),
                };
                errs.push(ConfigError::new(
                    key.clone(),
                    format!("unknown section {key:?}{hint}; expected one of server, account, connector, route, mo_route"),
                ));
            }
        }
        match json.get("server") {
            None => errs.push(ConfigError::new(
                "server",
                "missing: [server] with at least `listen` is required",
            )),
            Some(Value::Object(m)) => parts.server = de_item(m.clone(), "server", &mut errs),
            Some(_) => errs.push(ConfigError::new("server", "must be a table ([server])")),
        }
        let accounts = section(&mut json, "account", &mut errs);
        for (i, m) in accounts.into_iter().enumerate() {
            let loc = account_loc(i, m.get("system_id").and_then(Value::as_str));
            let item = de_item::<Account>(m.clone(), &loc, &mut errs);
            if item.is_none() {
                if let Some(id) = m.get("system_id").and_then(Value::as_str) {
                    parts.broken_accounts.insert(id.to_string());
                }
            }
            parts.accounts.push(item);
        }
        let connectors = section(&mut json, "connector", &mut errs);
        for (i, m) in connectors.into_iter().enumerate() {
            let loc = connector_loc(i, m.get("name").and_then(Value::as_str));
            let item = de_item::<Connector>(m.clone(), &loc, &mut errs);
            if item.is_none() {
                if let Some(n) = m.get("name").and_then(Value::as_str) {
                    parts.broken_connectors.insert(n.to_string());
                }
            }
            parts.connectors.push(item);
        }
        for (i, m) in section(&mut json, "route", &mut errs)
            .into_iter()
            .enumerate()
        {
            parts
                .routes
                .push(de_item(m, &format!("route {}", i + 1), &mut errs));
        }
        for (i, m) in section(&mut json, "mo_route", &mut errs)
            .into_iter()
            .enumerate()
        {
            parts
                .mo_routes
                .push(de_item(m, &format!("mo_route {}", i + 1), &mut errs));
        }
        validate_parts(&parts.borrowed(), &mut errs);
        finish(parts, errs)
    }

    /// Reads and validates a config file. An unreadable file is one error located at its path.
    pub fn load(path: &Path) -> Result<Config, ConfigErrors> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            ConfigErrors::one(path.display().to_string(), format!("cannot read: {e}"))
        })?;
        Config::from_toml_str(&text)
    }

    /// The embedded default ([`DEFAULT_CONFIG_TOML`]).
    pub fn embedded_default() -> Config {
        // Tested in `tests::embedded_default_validates`.
        Config::from_toml_str(DEFAULT_CONFIG_TOML).expect("the embedded default config is valid")
    }

    /// Checks everything [`Config::from_toml_str`] checks after parsing: ranges, names,
    /// references, duplicates. Used for every change made over the admin socket.
    pub fn validate(&self) -> Result<(), ConfigErrors> {
        let none = HashSet::new();
        let parts = PartsRef {
            server: Some(&self.server),
            accounts: self.accounts.iter().map(Some).collect(),
            connectors: self.connectors.iter().map(Some).collect(),
            routes: self.routes.iter().map(Some).collect(),
            mo_routes: self.mo_routes.iter().map(Some).collect(),
            broken_accounts: &none,
            broken_connectors: &none,
        };
        let mut errs = Vec::new();
        validate_parts(&parts, &mut errs);
        if errs.is_empty() {
            Ok(())
        } else {
            Err(ConfigErrors(errs))
        }
    }

    /// `"2 listeners, 3 accounts, 2 connectors, 5 routes"` (+ mo_routes when there are any).
    pub fn summary(&self) -> String {
        fn n(count: usize, what: &str) -> String {
            format!("{count} {what}{}", if count == 1 { "" } else { "s" })
        }
        let mut s = format!(
            "{}, {}, {}, {}",
            n(self.server.listen.len(), "listener"),
            n(self.accounts.len(), "account"),
            n(self.connectors.len(), "connector"),
            n(self.routes.len(), "route"),
        );
        if !self.mo_routes.is_empty() {
            s.push_str(&format!(", {}", n(self.mo_routes.len(), "mo_route")));
        }
        s
    }
}

/// Parses the admin socket's `routes` array: each element as a `[[route]]` table.
pub fn routes_from_json(values: &[Value]) -> Result<Vec<Route>, ConfigErrors> {
    let mut errs = Vec::new();
    let mut routes = Vec::with_capacity(values.len());
    for (i, v) in values.iter().enumerate() {
        let loc = format!("route {}", i + 1);
        match v {
            Value::Object(m) => {
                let before = errs.len();
                if let Some(r) = de_item::<Route>(m.clone(), &loc, &mut errs) {
                    if errs.len() == before {
                        routes.push(r);
                    }
                }
            }
            _ => errs.push(ConfigError::new(loc, "must be an object")),
        }
    }
    if errs.is_empty() {
        Ok(routes)
    } else {
        Err(ConfigErrors(errs))
    }
}

/// Parses the admin socket's `account` object as an `[[account]]` table.
pub fn account_from_json(value: &Value) -> Result<Account, ConfigErrors> {
    let Value::Object(m) = value else {
        return Err(ConfigErrors::one("account", "must be an object"));
    };
    let loc = account_loc(0, m.get("system_id").and_then(Value::as_str));
    let mut errs = Vec::new();
    match de_item::<Account>(m.clone(), &loc, &mut errs) {
        Some(a) if errs.is_empty() => Ok(a),
        _ => Err(ConfigErrors(errs)),
    }
}

fn finish(parts: Parts, errs: Vec<ConfigError>) -> Result<Config, ConfigErrors> {
    if !errs.is_empty() {
        return Err(ConfigErrors(errs));
    }
    // No errors means every item parsed.
    Ok(Config {
        server: parts
            .server
            .expect("server parsed when there are no errors"),
        accounts: all(parts.accounts),
        connectors: all(parts.connectors),
        routes: all(parts.routes),
        mo_routes: all(parts.mo_routes),
    })
}

fn all<T>(v: Vec<Option<T>>) -> Vec<T> {
    v.into_iter().flatten().collect()
}

fn line_col(text: &str, offset: usize) -> String {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    format!("line {line}, column {col}")
}

fn account_loc(index: usize, system_id: Option<&str>) -> String {
    match system_id {
        Some(id) if !id.is_empty() => format!("account {id:?}"),
        _ => format!("account {}", index + 1),
    }
}

fn connector_loc(index: usize, name: Option<&str>) -> String {
    match name {
        Some(n) if !n.is_empty() => format!("connector {n:?}"),
        _ => format!("connector {}", index + 1),
    }
}

/// The tables of an array-of-tables section (`[[route]]`).
fn section(
    json: &mut Map<String, Value>,
    key: &str,
    errs: &mut Vec<ConfigError>,
) -> Vec<Map<String, Value>> {
    match json.remove(key) {
        None => Vec::new(),
        Some(Value::Array(items)) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                match item {
                    Value::Object(m) => out.push(m),
                    _ => errs.push(ConfigError::new(
                        format!("{key} {}", i + 1),
                        "must be a table",
                    )),
                }
            }
            out
        }
        Some(_) => {
            errs.push(ConfigError::new(
                key,
                format!("must be an array of tables: write [[{key}]], not [{key}]"),
            ));
            Vec::new()
        }
    }
}

/// Deserializes one table, reporting every bad key: on an error the offending key is recorded
/// with its path (`window`, `weights[1]`), removed, and the rest retried, until the item parses
/// or a required key is missing. Returns what parsed without the bad keys (their defaults in
/// their place) so that validation still checks the rest of the item; the errors recorded
/// guarantee such a partial item never becomes part of a `Config`.
fn de_item<T: DeserializeOwned>(
    map: Map<String, Value>,
    loc: &str,
    errs: &mut Vec<ConfigError>,
) -> Option<T> {
    let mut value = Value::Object(map);
    loop {
        let e = match serde_path_to_error::deserialize::<_, T>(&value) {
            Ok(t) => return Some(t),
            Err(e) => e,
        };
        let first = e.path().iter().next().and_then(|seg| match seg {
            serde_path_to_error::Segment::Map { key } => Some(key.clone()),
            _ => None,
        });
        let path = e.path().to_string();
        let message = e.into_inner().to_string();
        let removed = match (&first, &mut value) {
            (Some(key), Value::Object(m)) => m.remove(key).is_some(),
            _ => false,
        };
        match first {
            Some(key) if removed => {
                let message = if message.starts_with("unknown field") {
                    unknown_key_message(&key, &message)
                } else {
                    message
                };
                errs.push(ConfigError::new(format!("{loc}.{path}"), message));
            }
            _ => {
                let message = match message.strip_prefix("missing field ") {
                    Some(field) => format!("missing required key {}", field.replace('`', "")),
                    None => message,
                };
                errs.push(ConfigError::new(loc, message));
                return None;
            }
        }
    }
}

fn unknown_key_message(key: &str, serde_message: &str) -> String {
    let expected = serde_message
        .split_once("expected ")
        .map(|(_, rest)| rest.replace('`', ""))
        .unwrap_or_default();
    format!("unknown key {key:?}; expected {expected}")
}

// ---------------------------------------------------------------------------------------------
// Validation

/// A location, built only when an error is reported (a million valid routes format nothing).
trait Loc {
    fn loc(self) -> String;
}

impl Loc for String {
    fn loc(self) -> String {
        self
    }
}

impl Loc for &str {
    fn loc(self) -> String {
        self.to_string()
    }
}

impl Loc for &String {
    fn loc(self) -> String {
        self.clone()
    }
}

impl<F: FnOnce() -> String> Loc for F {
    fn loc(self) -> String {
        self()
    }
}

struct V<'a> {
    errs: &'a mut Vec<ConfigError>,
}

impl V<'_> {
    fn err(&mut self, loc: impl Loc, msg: impl Into<String>) {
        self.errs.push(ConfigError::new(loc.loc(), msg));
    }

    fn range(&mut self, loc: impl Loc, value: u64, lo: u64, hi: u64) {
        if value < lo || value > hi {
            self.err(loc, format!("must be {lo}..={hi}, got {value}"));
        }
    }

    fn positive(&mut self, loc: impl Loc, d: Duration) {
        if d.is_zero() {
            self.err(loc, "must be greater than 0");
        }
    }

    /// SMPP C-Octet String fields: `max` octets before the NUL, no NUL or control inside.
    fn c_octets(&mut self, loc: impl Loc, value: &str, min: usize, max: usize) {
        if value.len() < min || value.len() > max {
            let what = if min > 0 {
                format!("{min}..={max}")
            } else {
                format!("at most {max}")
            };
            self.err(
                loc,
                format!("must be {what} characters, got {} ({value:?})", value.len()),
            );
        } else if value.chars().any(|c| c.is_control() || !c.is_ascii()) {
            self.err(loc, format!("must be printable ASCII, got {value:?}"));
        }
    }

    fn digits(&mut self, loc: impl Loc, value: &str) {
        let d = strip_plus(value);
        if !d.bytes().all(|b| b.is_ascii_digit()) {
            self.err(
                loc,
                format!("must be digits 0-9 (after an optional leading '+'), got {value:?}"),
            );
        } else if d.len() > MAX_PREFIX_DIGITS {
            self.err(
                loc,
                format!(
                    "must be at most {MAX_PREFIX_DIGITS} digits, got {}",
                    d.len()
                ),
            );
        }
    }

    fn non_empty_list<T>(&mut self, loc: impl Loc, v: &Option<Vec<T>>) {
        if matches!(v, Some(v) if v.is_empty()) {
            self.err(loc, "must not be empty (omit the key to match everything)");
        }
    }
}

/// What validation reads: borrowed, so validating a million routes copies none of them.
struct PartsRef<'a> {
    server: Option<&'a Server>,
    accounts: Vec<Option<&'a Account>>,
    connectors: Vec<Option<&'a Connector>>,
    routes: Vec<Option<&'a Route>>,
    mo_routes: Vec<Option<&'a MoRoute>>,
    broken_accounts: &'a HashSet<String>,
    broken_connectors: &'a HashSet<String>,
}

impl Parts {
    fn borrowed(&self) -> PartsRef<'_> {
        PartsRef {
            server: self.server.as_ref(),
            accounts: self.accounts.iter().map(Option::as_ref).collect(),
            connectors: self.connectors.iter().map(Option::as_ref).collect(),
            routes: self.routes.iter().map(Option::as_ref).collect(),
            mo_routes: self.mo_routes.iter().map(Option::as_ref).collect(),
            broken_accounts: &self.broken_accounts,
            broken_connectors: &self.broken_connectors,
        }
    }
}

fn validate_parts(p: &PartsRef<'_>, errs: &mut Vec<ConfigError>) {
    let mut v = V { errs };
    if let Some(s) = &p.server {
        validate_server(&mut v, s);
    }

    // Accounts.
    let mut account_ids: HashMap<&str, usize> = HashMap::new();
    for (i, a) in p.accounts.iter().enumerate() {
        let Some(a) = a else { continue };
        let loc = account_loc(i, Some(&a.system_id));
        v.c_octets(format!("{loc}.system_id"), &a.system_id, 1, 15);
        v.c_octets(format!("{loc}.password"), &a.password, 0, 8);
        v.range(format!("{loc}.max_binds"), a.max_binds.into(), 1, 100_000);
        if let Some(w) = a.window {
            v.range(format!("{loc}.window"), w.into(), 1, 65_535);
        }
        for (j, cidr) in a.allowed_ips.iter().enumerate() {
            if let Err(e) = parse_cidr(cidr) {
                v.err(format!("{loc}.allowed_ips[{j}]"), e);
            }
        }
        if account_ids.insert(&a.system_id, i).is_some() {
            v.err(
                format!("account {}", i + 1),
                format!("duplicate system_id {:?}", a.system_id),
            );
        }
    }
    let account_exists = |id: &str| account_ids.contains_key(id) || p.broken_accounts.contains(id);

    // Connectors.
    let mut connector_names: HashMap<&str, usize> = HashMap::new();
    for (i, c) in p.connectors.iter().enumerate() {
        let Some(c) = c else { continue };
        let loc = connector_loc(i, Some(&c.name));
        validate_connector(&mut v, &loc, c);
        if connector_names.insert(&c.name, i).is_some() {
            v.err(
                format!("connector {}", i + 1),
                format!("duplicate name {:?}", c.name),
            );
        }
    }
    let connector_exists =
        |n: &str| connector_names.contains_key(n) || p.broken_connectors.contains(n);

    // Routes.
    let mut names: HashMap<&str, usize> = HashMap::new();
    // Conditions are formatted into a key only for routes that have any.
    let mut seen: HashMap<(&str, Option<String>), usize> = HashMap::new();
    for (i, r) in p.routes.iter().enumerate() {
        let Some(r) = r else { continue };
        let loc = || format!("route {}", i + 1);
        v.digits(|| format!("{}.prefix", loc()), &r.prefix);
        if let Some(name) = &r.name {
            if name.is_empty() {
                v.err(
                    format!("{}.name", loc()),
                    "must not be empty (omit the key for an unnamed route)",
                );
            } else if let Some(first) = names.insert(name, i) {
                v.err(
                    loc(),
                    format!("duplicate name {name:?} (also route {})", first + 1),
                );
            }
        }
        if r.action == Action::Forward && r.connectors.is_empty() {
            v.err(
                loc(),
                "connectors: a forward route needs at least one connector",
            );
        }
        for (j, c) in r.connectors.iter().enumerate() {
            if !connector_exists(c) {
                v.err(loc(), format!("connector {c:?} does not exist"));
            }
            if r.connectors[..j].contains(c) {
                v.err(loc(), format!("connector {c:?} is listed twice"));
            }
        }
        if let Some(w) = &r.weights {
            if r.strategy != Strategy::Weighted {
                v.err(
                    format!("{}.weights", loc()),
                    "only applies to strategy = \"weighted\"",
                );
            }
            if w.len() != r.connectors.len() {
                v.err(
                    format!("{}.weights", loc()),
                    format!(
                        "must have one weight per connector ({}), got {}",
                        r.connectors.len(),
                        w.len()
                    ),
                );
            }
            if w.contains(&0) {
                v.err(
                    format!("{}.weights", loc()),
                    "every weight must be greater than 0",
                );
            }
        }
        v.non_empty_list(|| format!("{}.accounts", loc()), &r.accounts);
        for a in r.accounts.iter().flatten() {
            if !account_exists(a) {
                v.err(loc(), format!("account {a:?} does not exist"));
            }
        }
        v.non_empty_list(|| format!("{}.source_addrs", loc()), &r.source_addrs);
        for (j, s) in r.source_addrs.iter().flatten().enumerate() {
            v.c_octets(|| format!("{}.source_addrs[{j}]", loc()), s, 1, 64);
        }
        if let Some(sp) = &r.source_prefix {
            v.digits(|| format!("{}.source_prefix", loc()), sp);
        }
        v.non_empty_list(|| format!("{}.service_types", loc()), &r.service_types);
        for (j, s) in r.service_types.iter().flatten().enumerate() {
            // SMPP v3.4 5.2.11: service_type is a C-Octet String of at most 6 octets.
            v.c_octets(|| format!("{}.service_types[{j}]", loc()), s, 0, 5);
        }
        v.non_empty_list(|| format!("{}.data_codings", loc()), &r.data_codings);
        match (r.action, r.status) {
            (Action::Forward, Some(_)) => v.err(
                format!("{}.status", loc()),
                "only applies to action = \"reject\"",
            ),
            (Action::Reject, Some(Status(0))) => v.err(
                format!("{}.status", loc()),
                "a reject needs an error status, not ESME_ROK (0)",
            ),
            _ => {}
        }
        let conditions = r.has_conditions().then(|| r.conditions_key());
        match seen.entry((r.digits(), conditions)) {
            std::collections::hash_map::Entry::Occupied(e) => v.err(
                loc(),
                format!(
                    "never matches: route {} has the same prefix and conditions and comes first",
                    e.get() + 1
                ),
            ),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(i);
            }
        }
    }

    // MO routes.
    let mut mo_prefixes: HashMap<&str, usize> = HashMap::new();
    for (i, m) in p.mo_routes.iter().enumerate() {
        let Some(m) = m else { continue };
        let loc = format!("mo_route {}", i + 1);
        v.digits(format!("{loc}.prefix"), &m.prefix);
        if !account_exists(&m.account) {
            v.err(&loc, format!("account {:?} does not exist", m.account));
        }
        if let Some(first) = mo_prefixes.insert(strip_plus(&m.prefix), i) {
            v.err(
                &loc,
                format!(
                    "duplicate prefix {:?} (also mo_route {})",
                    m.prefix,
                    first + 1
                ),
            );
        }
    }
}

fn validate_server(v: &mut V<'_>, s: &Server) {
    if s.listen.is_empty() {
        v.err("server.listen", "must list at least one address");
    }
    let mut seen = HashSet::new();
    for a in &s.listen {
        if !seen.insert(a) {
            v.err("server.listen", format!("{a} is listed twice"));
        }
    }
    if let Shards::Count(n) = s.shards {
        v.range("server.shards", n, 1, 1024);
    }
    if let Some(p) = &s.admin_socket {
        let len = p.as_os_str().len();
        if len == 0 {
            v.err(
                "server.admin_socket",
                "must not be empty (omit it for the default)",
            );
        } else if len > MAX_UNIX_PATH {
            v.err(
                "server.admin_socket",
                format!("unix socket paths are at most {MAX_UNIX_PATH} bytes, got {len}"),
            );
        }
    }
    v.range("server.max_pdu_len", s.max_pdu_len.into(), 16, 16 << 20);
    v.range("server.session_window", s.session_window.into(), 1, 65_535);
    v.range(
        "server.max_connections",
        s.max_connections.into(),
        1,
        1_000_000,
    );
    v.positive("server.bind_timeout", s.bind_timeout);
    v.positive("server.enquire_link_interval", s.enquire_link_interval);
    v.positive("server.response_timeout", s.response_timeout);
    v.positive("server.message_id_ttl", s.message_id_ttl);
    v.range(
        "server.id_map_capacity",
        s.id_map_capacity,
        1,
        u32::MAX.into(),
    );
    v.range("server.receipt_queue", s.receipt_queue, 0, u32::MAX.into());
    v.range("server.wait_queue", s.wait_queue.into(), 0, 1 << 20);
    if s.no_route_status == Status(0) {
        v.err(
            "server.no_route_status",
            "must be an error status, not ESME_ROK (0)",
        );
    }
    if let Err(e) = check_log_level(&s.log_level) {
        v.err("server.log_level", e);
    }
}

fn validate_connector(v: &mut V<'_>, loc: &str, c: &Connector) {
    if c.name.is_empty()
        || c.name.len() > 64
        || !c
            .name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
    {
        v.err(
            format!("{loc}.name"),
            format!("must be 1..=64 of A-Z a-z 0-9 - _ . :, got {:?}", c.name),
        );
    }
    if let Err(e) = check_host_port(&c.address) {
        v.err(format!("{loc}.address"), e);
    }
    match c.kind {
        ConnectorKind::Smpp => {
            // SMPP v3.4 4.1.1: system_id 16, password 9, system_type 13 octets with the NUL.
            v.c_octets(format!("{loc}.system_id"), &c.system_id, 0, 15);
            v.c_octets(format!("{loc}.password"), &c.password, 0, 8);
            v.c_octets(format!("{loc}.system_type"), &c.system_type, 0, 12);
            // interface_version: 0x00..=0x33 for 3.3 and earlier, 0x34, or 0x50 (SMPP v5.0).
            if !(c.interface_version <= 0x34 || c.interface_version == 0x50) {
                v.err(
                    format!("{loc}.interface_version"),
                    format!(
                        "must be 0x00..=0x34 or 0x50, got 0x{:X}",
                        c.interface_version
                    ),
                );
            }
        }
        ConnectorKind::M3ua => validate_m3ua(v, loc, c),
    }
    if c.kind != ConnectorKind::M3ua {
        let m3ua_only = [
            ("local_pc", c.local_pc.is_some()),
            ("remote_pc", c.remote_pc.is_some()),
            ("routing_context", c.routing_context.is_some()),
            ("network_appearance", c.network_appearance.is_some()),
            ("asp_id", c.asp_id.is_some()),
            ("smsc_gt", !c.smsc_gt.is_empty()),
            ("transport", c.transport != Transport::Tcp),
        ];
        for (key, set) in m3ua_only {
            if set {
                v.err(format!("{loc}.{key}"), "only applies to kind = \"m3ua\"");
            }
        }
    }
    v.range(format!("{loc}.binds"), c.binds.into(), 1, 64);
    v.range(format!("{loc}.window"), c.window.into(), 1, 65_535);
    v.positive(
        format!("{loc}.enquire_link_interval"),
        c.enquire_link_interval,
    );
    v.positive(format!("{loc}.response_timeout"), c.response_timeout);
    v.positive(format!("{loc}.reconnect_min"), c.reconnect_min);
    if c.reconnect_max < c.reconnect_min {
        v.err(
            format!("{loc}.reconnect_max"),
            format!(
                "must be >= reconnect_min ({}), got {}",
                units::format_duration(c.reconnect_min),
                units::format_duration(c.reconnect_max)
            ),
        );
    }
    if c.weight == 0 {
        v.err(format!("{loc}.weight"), "must be greater than 0");
    }
}

/// The keys of `kind = "m3ua"` (README "SS7 connectors").
fn validate_m3ua(v: &mut V<'_>, loc: &str, c: &Connector) {
    // RFC 4666 3.3.1: point codes are carried in 32-bit fields of which 24 bits are used (ITU
    // point codes take 14 of them).
    for (key, pc) in [("local_pc", c.local_pc), ("remote_pc", c.remote_pc)] {
        match pc {
            None => v.err(
                format!("{loc}.{key}"),
                "missing: required for kind = \"m3ua\"",
            ),
            Some(pc) => v.range(format!("{loc}.{key}"), pc.into(), 0, 0x00ff_ffff),
        }
    }
    if c.smsc_gt.is_empty() {
        v.err(
            format!("{loc}.smsc_gt"),
            "missing: required for kind = \"m3ua\" (the proxy's SMSC global title, E.164 digits)",
        );
    } else if strip_plus(&c.smsc_gt).is_empty()
        || strip_plus(&c.smsc_gt).len() > 15
        || !strip_plus(&c.smsc_gt).bytes().all(|b| b.is_ascii_digit())
    {
        // E.164 6: at most 15 digits.
        v.err(
            format!("{loc}.smsc_gt"),
            format!("must be 1..=15 digits (E.164), got {:?}", c.smsc_gt),
        );
    }
    // Q.704 14.2: the network indicator is two bits.
    v.range(
        format!("{loc}.network_indicator"),
        c.network_indicator.into(),
        0,
        3,
    );
    if !(c.map_version == 2 || c.map_version == 3) {
        v.err(
            format!("{loc}.map_version"),
            format!(
                "must be 3 (v3, falling back to v2) or 2, got {}",
                c.map_version
            ),
        );
    }
    v.positive(format!("{loc}.dialogue_timeout"), c.dialogue_timeout);
    if !c.sri_cache_ttl.is_zero() {
        v.range(
            format!("{loc}.sri_cache_size"),
            c.sri_cache_size.into(),
            1,
            10_000_000,
        );
    }
    // The TCAP transaction id holds 16 bits of dialogue slot per shard.
    if u64::from(c.binds) * u64::from(c.window) > 65_536 {
        v.err(
            format!("{loc}.window"),
            format!(
                "binds x window must be at most 65536 dialogues per shard, got {} x {}",
                c.binds, c.window
            ),
        );
    }
    let smpp_only = [
        ("system_id", !c.system_id.is_empty()),
        ("password", !c.password.is_empty()),
        ("system_type", !c.system_type.is_empty()),
    ];
    for (key, set) in smpp_only {
        if set {
            v.err(format!("{loc}.{key}"), "only applies to kind = \"smpp\"");
        }
    }
}

/// `"10.0.0.0/8"`, `"2001:db8::/32"`, or a single address (`"10.1.2.3"` = /32).
pub fn parse_cidr(s: &str) -> Result<IpNet, String> {
    if let Ok(net) = s.parse::<IpNet>() {
        return Ok(net.trunc());
    }
    s.parse::<std::net::IpAddr>().map(IpNet::from).map_err(|_| {
        format!("invalid CIDR {s:?}: expected e.g. \"10.0.0.0/8\", \"::1/128\" or an address")
    })
}

/// `host:port` or `[v6]:port`, port 1..=65535.
fn check_host_port(s: &str) -> Result<(), String> {
    let bad = |why: &str| Err(format!("must be \"host:port\" ({why}), got {s:?}"));
    let Some((host, port)) = s.rsplit_once(':') else {
        return bad("no port");
    };
    match port.parse::<u16>() {
        Ok(0) | Err(_) => return bad("port must be 1..=65535"),
        Ok(_) => {}
    }
    if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return match v6.parse::<std::net::Ipv6Addr>() {
            Ok(_) => Ok(()),
            Err(_) => bad("bad IPv6 address"),
        };
    }
    if host.is_empty() || host.len() > 253 {
        return bad("empty or too long host");
    }
    if host.contains(':') {
        return bad("write IPv6 addresses in brackets: [::1]:2775");
    }
    let label_ok = |l: &str| {
        !l.is_empty() && l.len() <= 63 && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if !host.split('.').all(label_ok) {
        return bad("bad host name");
    }
    Ok(())
}

fn check_log_level(s: &str) -> Result<(), String> {
    const LEVELS: &[&str] = &["trace", "debug", "info", "warn", "error", "off"];
    if s.trim().is_empty() {
        return Err("must not be empty (e.g. \"info\")".into());
    }
    for directive in s.split(',') {
        let level = directive.rsplit('=').next().unwrap_or("").trim();
        if !LEVELS.contains(&level.to_ascii_lowercase().as_str()) {
            return Err(format!(
                "{directive:?}: level must be one of trace, debug, info, warn, error, off (optionally target=level)"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = include_str!("../smsedge.example.toml");

    const BASE: &str = r#"
[server]
listen = ["127.0.0.1:2775"]

[[account]]
system_id = "acme"
password = "pw"

[[connector]]
name = "smsc-a"
kind = "smpp"
address = "127.0.0.1:2776"
"#;

    fn errors(text: &str) -> Vec<String> {
        match Config::from_toml_str(text) {
            Ok(_) => panic!("expected errors for:\n{text}"),
            Err(e) => e.0.iter().map(ToString::to_string).collect(),
        }
    }

    fn has(errs: &[String], want: &str) {
        assert!(
            errs.iter().any(|e| e == want),
            "missing error {want:?} in {errs:#?}"
        );
    }

    #[test]
    fn example_file_parses_and_validates() {
        let c = Config::from_toml_str(EXAMPLE).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.server.listen.len(), 2);
        assert_eq!(c.accounts.len(), 2);
        assert_eq!(c.connectors.len(), 4);
        assert_eq!(c.routes.len(), 5);
        assert_eq!(c.mo_routes.len(), 1);
        assert_eq!(c.connectors[0].resp_id, IdFormat::Hex);
        assert_eq!(c.connectors[0].receipt_id, IdFormat::Decimal);
        assert_eq!(c.routes[0].weights, Some(vec![3, 1]));
        assert_eq!(c.routes[1].status, Some(Status(0x0B)));
        assert_eq!(
            c.summary(),
            "2 listeners, 2 accounts, 4 connectors, 5 routes, 1 mo_route"
        );
    }

    /// Every key the example sets to its default value must equal the default the code uses
    /// when the key is omitted: the documentation and the code cannot drift apart.
    #[test]
    fn example_documents_the_real_defaults() {
        let c = Config::from_toml_str(EXAMPLE).unwrap();
        let minimal =
            Config::from_toml_str("[server]\nlisten = [\"0.0.0.0:2775\", \"[::]:2775\"]\n")
                .unwrap();
        let (s, d) = (&c.server, &minimal.server);
        assert_eq!(s.shards, d.shards);
        assert_eq!(s.metrics_listen, d.metrics_listen);
        assert_eq!(s.max_pdu_len, d.max_pdu_len);
        assert_eq!(s.session_window, d.session_window);
        assert_eq!(s.max_connections, d.max_connections);
        assert_eq!(s.bind_timeout, d.bind_timeout);
        assert_eq!(s.enquire_link_interval, d.enquire_link_interval);
        assert_eq!(s.inactivity_timeout, d.inactivity_timeout);
        assert_eq!(s.response_timeout, d.response_timeout);
        assert_eq!(s.drain_timeout, d.drain_timeout);
        assert_eq!(s.message_id_ttl, d.message_id_ttl);
        assert_eq!(s.id_map_capacity, d.id_map_capacity);
        assert_eq!(s.receipt_queue, d.receipt_queue);
        assert_eq!(s.receipt_hold, d.receipt_hold);
        assert_eq!(s.wait_queue, d.wait_queue);
        assert_eq!(s.wait_timeout, d.wait_timeout);
        assert_eq!(s.no_route_status, d.no_route_status);
        assert_eq!(s.log_level, d.log_level);
        // The second connector of the example sets only the required keys and credentials.
        let full = &c.connectors[0];
        let min = &c.connectors[1];
        assert_eq!(full.system_type, min.system_type);
        assert_eq!(full.bind, min.bind);
        assert_eq!(full.window, min.window);
        assert_eq!(full.interface_version, min.interface_version);
        assert_eq!(full.enquire_link_interval, min.enquire_link_interval);
        assert_eq!(full.response_timeout, min.response_timeout);
        assert_eq!(full.reconnect_min, min.reconnect_min);
        assert_eq!(full.reconnect_max, min.reconnect_max);
        assert_eq!(full.enabled, min.enabled);
        assert_eq!(full.weight, min.weight);
        assert_eq!(min.binds, 1);
        assert_eq!(min.tps, 0);
        // The third sets every m3ua key to its default; the fourth only the required ones.
        let (full, min) = (&c.connectors[2], &c.connectors[3]);
        assert_eq!(full.transport, min.transport);
        assert_eq!(full.routing_context, min.routing_context);
        assert_eq!(full.network_appearance, min.network_appearance);
        assert_eq!(full.traffic_mode, min.traffic_mode);
        assert_eq!(full.asp_id, min.asp_id);
        assert_eq!(full.network_indicator, min.network_indicator);
        assert_eq!(full.map_version, min.map_version);
        assert_eq!(full.dialogue_timeout, min.dialogue_timeout);
        assert_eq!(full.beat_interval, min.beat_interval);
        assert_eq!(full.sri_cache_ttl, min.sri_cache_ttl);
        assert_eq!(full.sri_cache_size, min.sri_cache_size);
        assert_eq!(full.submit_mode, min.submit_mode);
        assert_eq!(
            (full.binds, full.window, full.tps),
            (min.binds, min.window, min.tps)
        );
        assert_eq!(full.reconnect_min, min.reconnect_min);
        assert_eq!(full.reconnect_max, min.reconnect_max);
        assert_eq!(full.enabled, min.enabled);
        let globex = &c.accounts[1];
        assert_eq!(
            (globex.max_binds, globex.tps, globex.window, globex.enabled),
            (10, 0, None, true)
        );
        assert!(globex.allowed_ips.is_empty());
    }

    #[test]
    fn m3ua_connector_parses_with_its_defaults() {
        let text = format!(
            "{BASE}\n[[connector]]\nname = \"ss7\"\nkind = \"m3ua\"\naddress = \"10.0.0.9:2905\"\n\
             local_pc = 101\nremote_pc = 202\nsmsc_gt = \"447700900999\"\n"
        );
        let c = Config::from_toml_str(&text).unwrap_or_else(|e| panic!("{e}"));
        let m = &c.connectors[1];
        assert_eq!(m.kind, ConnectorKind::M3ua);
        assert_eq!((m.local_pc, m.remote_pc), (Some(101), Some(202)));
        assert_eq!(
            (m.transport, m.traffic_mode, m.submit_mode),
            (
                Transport::Tcp,
                TrafficMode::Loadshare,
                SubmitMode::Transactional
            )
        );
        assert_eq!(
            (
                m.network_indicator,
                m.map_version,
                m.routing_context,
                m.asp_id
            ),
            (2, 3, None, None)
        );
        assert_eq!(
            (m.dialogue_timeout, m.beat_interval, m.sri_cache_ttl),
            (
                Duration::from_secs(30),
                Duration::from_secs(30),
                Duration::ZERO
            )
        );
        assert_eq!(TrafficMode::Override.value(), 1);
    }

    #[test]
    fn m3ua_keys_are_checked_per_kind() {
        let text = format!(
            "{BASE}\n[[connector]]\nname = \"ss7\"\nkind = \"m3ua\"\naddress = \"10.0.0.9:2905\"\n\
             local_pc = 16777216\nremote_pc = 2\nsmsc_gt = \"44x\"\nnetwork_indicator = 4\n\
             map_version = 1\ndialogue_timeout = 0\nsystem_id = \"proxy\"\nbinds = 2\n\
             window = 40000\nsri_cache_ttl = \"1m\"\nsri_cache_size = 0\n\
             [[connector]]\nname = \"plain\"\nkind = \"smpp\"\naddress = \"h:1\"\n\
             smsc_gt = \"44\"\nremote_pc = 3\ntransport = \"sctp\"\n"
        );
        let errs = errors(&text);
        for want in [
            "connector \"ss7\".local_pc: must be 0..=16777215, got 16777216",
            "connector \"ss7\".smsc_gt: must be 1..=15 digits (E.164), got \"44x\"",
            "connector \"ss7\".network_indicator: must be 0..=3, got 4",
            "connector \"ss7\".map_version: must be 3 (v3, falling back to v2) or 2, got 1",
            "connector \"ss7\".dialogue_timeout: must be greater than 0",
            "connector \"ss7\".sri_cache_size: must be 1..=10000000, got 0",
            "connector \"ss7\".window: binds x window must be at most 65536 dialogues per shard, got 2 x 40000",
            "connector \"ss7\".system_id: only applies to kind = \"smpp\"",
            "connector \"plain\".smsc_gt: only applies to kind = \"m3ua\"",
            "connector \"plain\".remote_pc: only applies to kind = \"m3ua\"",
            "connector \"plain\".transport: only applies to kind = \"m3ua\"",
        ] {
            has(&errs, want);
        }
        assert_eq!(errs.len(), 11, "{errs:#?}");
    }

    #[test]
    fn embedded_default_validates() {
        let c = Config::embedded_default();
        assert_eq!(
            c.server.listen,
            vec!["127.0.0.1:2775".parse::<SocketAddr>().unwrap()]
        );
        assert_eq!(
            c.server.metrics_listen,
            Some("127.0.0.1:9775".parse().unwrap())
        );
        assert_eq!(c.server.admin_socket, None);
        assert_eq!(c.server.admin_socket_path(), default_admin_socket());
        assert_eq!(
            (
                c.accounts[0].system_id.as_str(),
                c.accounts[0].password.as_str()
            ),
            ("demo", "demo")
        );
        assert_eq!(c.connectors[0].name, "smsc");
        assert_eq!(c.connectors[0].address, "127.0.0.1:2776");
        assert_eq!(
            (
                c.connectors[0].system_id.as_str(),
                c.connectors[0].password.as_str()
            ),
            ("demo", "demo")
        );
        assert_eq!(c.routes, vec![Route::new("", &["smsc"])]);
        c.validate().unwrap();
    }

    #[test]
    fn defaults_apply_when_keys_are_omitted() {
        let c = Config::from_toml_str(BASE).unwrap();
        let s = &c.server;
        assert_eq!(s.shards, Shards::Auto);
        assert_eq!(s.max_pdu_len, 65_536);
        assert_eq!(s.session_window, 256);
        assert_eq!(s.max_connections, 10_000);
        assert_eq!(s.bind_timeout, Duration::from_secs(10));
        assert_eq!(s.inactivity_timeout, Duration::from_secs(300));
        assert_eq!(s.message_id_ttl, Duration::from_secs(72 * 3600));
        assert_eq!(s.id_map_capacity, 2_000_000);
        assert_eq!(s.receipt_queue, 100_000);
        assert_eq!(s.wait_queue, 1024);
        assert_eq!(s.wait_timeout, Duration::from_secs(1));
        assert_eq!(s.no_route_status, Status(0x0000_000B));
        let a = &c.accounts[0];
        assert_eq!((a.max_binds, a.tps, a.enabled), (10, 0, true));
        let k = &c.connectors[0];
        assert_eq!(
            (k.bind, k.binds, k.window, k.interface_version),
            (BindMode::Transceiver, 1, 64, 0x34)
        );
        assert_eq!(
            (k.reconnect_min, k.reconnect_max),
            (Duration::from_secs(1), Duration::from_secs(30))
        );
        assert_eq!(
            (k.resp_id, k.receipt_id, k.weight),
            (IdFormat::Text, IdFormat::Text, 1)
        );
    }

    #[test]
    fn accepts_value_spellings() {
        let c = Config::from_toml_str(
            r#"
[server]
listen = ["127.0.0.1:2775"]
shards = 4
metrics_listen = ""
bind_timeout = 15
wait_timeout = "500ms"
no_route_status = 0x58
"#,
        )
        .unwrap();
        assert_eq!(c.server.shards, Shards::Count(4));
        assert_eq!(c.server.metrics_listen, None);
        assert_eq!(c.server.bind_timeout, Duration::from_secs(15));
        assert_eq!(c.server.wait_timeout, Duration::from_millis(500));
        assert_eq!(c.server.no_route_status, Status(0x58));
        let c = Config::from_toml_str(
            "[server]\nlisten = [\"127.0.0.1:1\"]\nno_route_status = \"ESME_RTHROTTLED\"\n",
        )
        .unwrap();
        assert_eq!(c.server.no_route_status, Status(0x58));
    }

    #[test]
    fn reports_syntax_errors_with_line_and_column() {
        let errs = errors("[server]\nlisten = [\"127.0.0.1:2775\"\nshards = 2\n");
        assert_eq!(errs.len(), 1);
        assert!(
            errs[0].starts_with("line 3, column 1: TOML syntax"),
            "{errs:?}"
        );
    }

    #[test]
    fn rejects_unknown_keys_with_their_name() {
        let text = format!("{BASE}\n[[route]]\nprefix = \"44\"\nconnectors = [\"smsc-a\"]\nstrategyy = \"failover\"\n");
        let errs = errors(&text);
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(
            errs[0].starts_with("route 1.strategyy: unknown key \"strategyy\"; expected"),
            "{errs:?}"
        );
        let errs =
            errors(&BASE.replace("kind = \"smpp\"", "kind = \"smpp\"\nwindoww = 3\nbindd = 1"));
        // serde_json maps are sorted: keys of one table are reported in name order.
        assert!(
            errs[0].starts_with("connector \"smsc-a\".bindd: unknown key"),
            "{errs:?}"
        );
        assert!(
            errs[1].starts_with("connector \"smsc-a\".windoww: unknown key"),
            "{errs:?}"
        );
        let errs = errors(&format!("{BASE}\n[[routes]]\nprefix = \"1\"\n"));
        has(
            &errs,
            "routes: unknown section \"routes\" (did you mean [[route]]?); expected one of server, account, connector, route, mo_route",
        );
        let errs = errors(&BASE.replace("[server]", "[server]\nlisen = 1"));
        assert!(
            errs[0].starts_with("server.lisen: unknown key \"lisen\""),
            "{errs:?}"
        );
    }

    #[test]
    fn reports_bad_values_with_their_key() {
        let errs = errors(&BASE.replace(
            "kind = \"smpp\"",
            "kind = \"smpp\"\nwindow = 0\nbind = \"both\"\nreconnect_min = \"5x\"",
        ));
        has(
            &errs,
            "connector \"smsc-a\".window: must be 1..=65535, got 0",
        );
        assert!(
            errs.iter()
                .any(|e| e.starts_with("connector \"smsc-a\".bind: unknown variant `both`")),
            "{errs:?}"
        );
        assert!(
            errs.iter()
                .any(|e| e.starts_with("connector \"smsc-a\".reconnect_min: invalid duration")),
            "{errs:?}"
        );
        let errs = errors(&BASE.replace("[server]", "[server]\nshards = 0\nmax_pdu_len = 8\nsession_window = 70000\nmax_connections = 0\nno_route_status = 0\nlog_level = \"loud\"\nmetrics_listen = \"nope\""));
        has(&errs, "server.shards: must be 1..=1024, got 0");
        has(&errs, "server.max_pdu_len: must be 16..=16777216, got 8");
        has(&errs, "server.session_window: must be 1..=65535, got 70000");
        has(&errs, "server.max_connections: must be 1..=1000000, got 0");
        has(
            &errs,
            "server.no_route_status: must be an error status, not ESME_ROK (0)",
        );
        assert!(
            errs.iter()
                .any(|e| e.starts_with("server.log_level: \"loud\"")),
            "{errs:?}"
        );
        assert!(
            errs.iter()
                .any(|e| e.starts_with("server.metrics_listen: invalid address \"nope\"")),
            "{errs:?}"
        );
    }

    #[test]
    fn reports_every_error_at_once() {
        let text = r#"
[server]
listen = []
bind_timeout = 0

[[account]]
system_id = "acme"
password = "much-too-long"

[[account]]
system_id = "acme"
password = "x"
allowed_ips = ["10.0.0.0/8", "10.0.0.300/8"]

[[account]]
system_id = "this-id-is-too-long"
password = "x"

[[connector]]
name = "smsc-a"
kind = "smpp"
address = "localhost"
window = 0
reconnect_min = "10s"
reconnect_max = "5s"

[[connector]]
name = "smsc-a"
kind = "m3ua"
address = "[::1]:2905"

[[route]]
prefix = "+44"
connectors = ["smsc-x"]

[[route]]
prefix = "4a"
connectors = ["smsc-a", "smsc-a"]
strategy = "failover"
weights = [1, 0, 2]
accounts = ["nobody"]

[[route]]
prefix = "44"
connectors = ["smsc-a"]

[[route]]
prefix = "1"
action = "reject"
status = 0

[[route]]
prefix = "2"

[[mo_route]]
prefix = "447"
account = "ghost"
"#;
        let errs = errors(text);
        for want in [
            "server.listen: must list at least one address",
            "server.bind_timeout: must be greater than 0",
            "account \"acme\".password: must be at most 8 characters, got 13 (\"much-too-long\")",
            "account \"acme\".allowed_ips[1]: invalid CIDR \"10.0.0.300/8\": expected e.g. \"10.0.0.0/8\", \"::1/128\" or an address",
            "account 2: duplicate system_id \"acme\"",
            "account \"this-id-is-too-long\".system_id: must be 1..=15 characters, got 19 (\"this-id-is-too-long\")",
            "connector \"smsc-a\".address: must be \"host:port\" (no port), got \"localhost\"",
            "connector \"smsc-a\".window: must be 1..=65535, got 0",
            "connector \"smsc-a\".reconnect_max: must be >= reconnect_min (10s), got 5s",
            "connector 2: duplicate name \"smsc-a\"",
            "route 1: connector \"smsc-x\" does not exist",
            "route 2.prefix: must be digits 0-9 (after an optional leading '+'), got \"4a\"",
            "route 2: connector \"smsc-a\" is listed twice",
            "route 2.weights: only applies to strategy = \"weighted\"",
            "route 2.weights: must have one weight per connector (2), got 3",
            "route 2.weights: every weight must be greater than 0",
            "route 2: account \"nobody\" does not exist",
            "route 3: never matches: route 1 has the same prefix and conditions and comes first",
            "route 4.status: a reject needs an error status, not ESME_ROK (0)",
            "route 5: connectors: a forward route needs at least one connector",
            "mo_route 1: account \"ghost\" does not exist",
        ] {
            has(&errs, want);
        }
        for key in ["local_pc", "remote_pc", "smsc_gt"] {
            let want = format!("connector \"smsc-a\".{key}: missing: required for kind = \"m3ua\"");
            assert!(
                errs.iter().any(|e| e.starts_with(&want)),
                "{want} in {errs:#?}"
            );
        }
        assert_eq!(errs.len(), 24, "{errs:#?}");
    }

    #[test]
    fn a_broken_item_does_not_hide_the_others_or_cause_false_references() {
        let text = format!(
            "{BASE}\n[[connector]]\nname = \"smsc-b\"\nkind = \"smpp\"\naddress = \"h:1\"\nwindow = \"big\"\n\
             [[route]]\nprefix = \"1\"\nconnectors = [\"smsc-b\"]\n[[route]]\nprefix = \"2\"\nconnectors = [\"smsc-c\"]\n"
        );
        let errs = errors(&text);
        assert_eq!(
            errs,
            vec![
                "connector \"smsc-b\".window: invalid type: string \"big\", expected u32"
                    .to_string(),
                "route 2: connector \"smsc-c\" does not exist".to_string(),
            ]
        );
        let errs = errors("[server]\nlisten=[\"1.2.3.4:5\"]\n[[route]]\nconnectors = [\"x\"]\n[account]\nsystem_id=\"a\"\n");
        has(&errs, "route 1: missing required key prefix");
        has(
            &errs,
            "account: must be an array of tables: write [[account]], not [account]",
        );
        has(
            &errors("[[account]]\nsystem_id=\"a\"\npassword=\"b\"\n"),
            "server: missing: [server] with at least `listen` is required",
        );
    }

    #[test]
    fn validate_catches_what_the_parser_would() {
        let mut c = Config::from_toml_str(BASE).unwrap();
        c.validate().unwrap();
        c.routes.push(Route::new("44", &["nope"]));
        c.connectors[0].binds = 65;
        let e = c.validate().unwrap_err();
        assert_eq!(e.to_string(), "connector \"smsc-a\".binds: must be 1..=64, got 65\nroute 1: connector \"nope\" does not exist");
        assert_eq!(e.joined(), "connector \"smsc-a\".binds: must be 1..=64, got 65; route 1: connector \"nope\" does not exist");
    }

    #[test]
    fn checks_host_port_and_cidrs() {
        for ok in [
            "127.0.0.1:2775",
            "smsc.example.net:2775",
            "[::1]:2775",
            "a-b:1",
        ] {
            check_host_port(ok).unwrap();
        }
        for bad in [
            "host",
            "host:0",
            "host:70000",
            "::1:2775",
            "[::1:2775",
            ":2775",
            "bad_host:1",
            "[zz]:1",
        ] {
            assert!(check_host_port(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_cidr("10.1.2.3/8").unwrap().to_string(), "10.0.0.0/8");
        assert_eq!(parse_cidr("::1").unwrap().to_string(), "::1/128");
        assert_eq!(
            parse_cidr("192.168.1.1").unwrap().to_string(),
            "192.168.1.1/32"
        );
        assert!(parse_cidr("10.0.0.0/33").is_err());
    }

    #[test]
    fn json_routes_use_the_same_rules() {
        let routes = routes_from_json(&[
            serde_json::json!({"prefix": "44", "connectors": ["a"], "data_codings": [0, 8]}),
        ])
        .unwrap();
        assert_eq!(routes[0].data_codings, Some(vec![0, 8]));
        let e = routes_from_json(&[
            serde_json::json!({"prefix": "44", "connectors": ["a"]}),
            serde_json::json!({"prefix": "4", "connectors": ["a"], "data_codings": [300], "colour": "red"}),
            serde_json::json!(7),
        ])
        .unwrap_err();
        // Errors inside one item come in the order of its keys (serde_json keeps insertion
        // order in this workspace).
        let msgs: Vec<String> = e.0.iter().map(ToString::to_string).collect();
        assert!(
            msgs[1].starts_with("route 2.colour: unknown key \"colour\""),
            "{msgs:?}"
        );
        assert!(
            msgs[0]
                .starts_with("route 2.data_codings[0]: invalid value: integer `300`, expected u8"),
            "{msgs:?}"
        );
        assert_eq!(msgs[2], "route 3: must be an object");
        let a =
            account_from_json(&serde_json::json!({"system_id": "x", "password": "y", "tps": 5}))
                .unwrap();
        assert_eq!((a.tps, a.max_binds), (5, 10));
        assert!(account_from_json(&serde_json::json!({"system_id": "x"}))
            .unwrap_err()
            .joined()
            .contains("missing required key password"));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        /// Whatever the text, parsing answers with a config or errors, never a panic; and an
        /// accepted config always passes `validate` again.
        #[test]
        fn damaged_configs_never_panic(pos in 0usize..4096, junk in "[a-z0-9=\\[\\]\"+., \n-]{0,12}", cut in 0usize..64) {
            let mut at = pos % EXAMPLE.len();
            while !EXAMPLE.is_char_boundary(at) {
                at -= 1;
            }
            let end = (at + cut).min(EXAMPLE.len());
            let end = (end..=EXAMPLE.len()).find(|&i| EXAMPLE.is_char_boundary(i)).unwrap_or(EXAMPLE.len());
            let text = format!("{}{}{}", &EXAMPLE[..at], junk, &EXAMPLE[end..]);
            if let Ok(c) = Config::from_toml_str(&text) {
                proptest::prop_assert!(c.validate().is_ok());
            }
        }

        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,300}") {
            let _ = Config::from_toml_str(&text);
        }
    }

    #[test]
    fn routes_round_trip_through_json() {
        let c = Config::from_toml_str(EXAMPLE).unwrap();
        let json = serde_json::to_value(&c.routes).unwrap();
        let back = routes_from_json(json.as_array().unwrap()).unwrap();
        assert_eq!(back, c.routes);
    }
}
