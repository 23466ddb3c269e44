//! Counters each shard keeps in plain integers (single writer, no atomics on the hot path) and
//! publishes a copy of a few times a second; the admin socket and /metrics merge the copies.

use hdrhistogram::Histogram;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// Request kinds counted per account.
pub const COMMANDS: [&str; 7] = [
    "submit_sm",
    "data_sm",
    "submit_multi",
    "query_sm",
    "cancel_sm",
    "replace_sm",
    "other",
];

/// Index into [`COMMANDS`] for a request command_id.
pub fn command_index(id: smsedge_codecs::smpp::CommandId) -> usize {
    use smsedge_codecs::smpp::CommandId as C;
    match id {
        C::SubmitSm => 0,
        C::DataSm => 1,
        C::SubmitMulti => 2,
        C::QuerySm => 3,
        C::CancelSm => 4,
        C::ReplaceSm => 5,
        _ => 6,
    }
}

/// Per account, per shard.
#[derive(Debug, Clone, Default)]
pub struct AccountStats {
    /// Requests received, by [`COMMANDS`].
    pub requests: [u64; 7],
    /// Responses sent to the account, by command_status.
    pub responses: BTreeMap<u32, u64>,
    /// Requests refused with ESME_RTHROTTLED by the account's tps.
    pub throttled: u64,
    /// Receipts and MO delivered (deliver_sm answered by the ESME).
    pub delivered: u64,
    /// Receipts and MO currently waiting for a receiver bind or window (gauge).
    pub queued: u64,
    /// Receipts and MO dropped after the hold time or because the hold queue was full.
    pub expired: u64,
    /// Receipts and MO handed back to the upstream with ESME_RMSGQFUL because the hold queue
    /// was full (the upstream keeps them and retries).
    pub refused: u64,
    /// Binds of this account on this shard (gauge).
    pub binds: u64,
}

/// Per connector, per shard.
#[derive(Debug, Clone)]
pub struct ConnectorStats {
    /// Requests written to the upstream.
    pub forwarded: u64,
    /// Responses from the upstream, by command_status.
    pub responses: BTreeMap<u32, u64>,
    /// Requests the upstream did not answer in time.
    pub timeouts: u64,
    /// Requests moved to another connector after a bind dropped.
    pub retries: u64,
    /// Requests failed because a bind dropped with nowhere to retry.
    pub failed: u64,
    /// Receipts received.
    pub receipts: u64,
    /// MO messages received.
    pub mo: u64,
    /// Upstream response time in microseconds.
    pub latency_us: Histogram<u64>,
    /// Binds up (gauge).
    pub binds_up: u64,
    /// Requests in flight (gauge).
    pub inflight: u64,
    /// Requests in the wait queue (gauge).
    pub waiting: u64,
}

impl Default for ConnectorStats {
    fn default() -> Self {
        ConnectorStats {
            forwarded: 0,
            responses: BTreeMap::new(),
            timeouts: 0,
            retries: 0,
            failed: 0,
            receipts: 0,
            mo: 0,
            latency_us: Histogram::new_with_bounds(1, 60_000_000, 3)
                .expect("valid histogram bounds"),
            binds_up: 0,
            inflight: 0,
            waiting: 0,
        }
    }
}

/// Everything one shard counts.
#[derive(Debug, Clone, Default)]
pub struct ShardStats {
    /// By stable account index.
    pub accounts: Vec<AccountStats>,
    /// By stable connector index.
    pub connectors: Vec<ConnectorStats>,
    /// ESME sessions open (gauge).
    pub sessions: u64,
    /// Connections accepted.
    pub accepted: u64,
    /// Connections closed at once because the shard had its share of server.max_connections.
    pub refused_connections: u64,
    /// Connections refused or closed for framing errors.
    pub framing_errors: u64,
    /// Binds refused (credentials, address, limits).
    pub bind_failures: u64,
    /// Receipts for which no message was known.
    pub receipts_unmatched: u64,
    /// Receipt map entries dropped because the map was full.
    pub id_map_evicted: u64,
    /// Responses for requests whose client had gone.
    pub orphan_responses: u64,
    /// Messages sent to other shards.
    pub mesh_out: u64,
}

impl ShardStats {
    /// The account slot for stable index `i`.
    pub fn account(&mut self, i: u32) -> &mut AccountStats {
        let i = i as usize;
        if self.accounts.len() <= i {
            self.accounts.resize_with(i + 1, AccountStats::default);
        }
        &mut self.accounts[i]
    }

    /// The connector slot for stable index `i`.
    pub fn connector(&mut self, i: u32) -> &mut ConnectorStats {
        let i = i as usize;
        if self.connectors.len() <= i {
            self.connectors.resize_with(i + 1, ConnectorStats::default);
        }
        &mut self.connectors[i]
    }
}

fn add_map(into: &mut BTreeMap<u32, u64>, from: &BTreeMap<u32, u64>) {
    for (k, v) in from {
        *into.entry(*k).or_default() += v;
    }
}

fn status_key(s: u32) -> String {
    format!("0x{s:08x}")
}

fn status_map(m: &BTreeMap<u32, u64>) -> Value {
    Value::Object(m.iter().map(|(k, v)| (status_key(*k), json!(v))).collect())
}

fn quantiles(h: &Histogram<u64>) -> Value {
    if h.is_empty() {
        return json!({"count": 0});
    }
    json!({"count": h.len(), "p50": h.value_at_quantile(0.5), "p90": h.value_at_quantile(0.9),
           "p99": h.value_at_quantile(0.99), "p999": h.value_at_quantile(0.999), "max": h.max()})
}

/// Merges every shard's stats into the JSON the `stats` command returns.
pub fn to_json(
    shards: &[std::sync::Arc<ShardStats>],
    account_names: &[String],
    connector_names: &[String],
) -> Value {
    let mut accounts = Map::new();
    for (i, name) in account_names.iter().enumerate() {
        let mut a = AccountStats::default();
        for s in shards {
            if let Some(x) = s.accounts.get(i) {
                for (d, v) in a.requests.iter_mut().zip(x.requests) {
                    *d += v;
                }
                add_map(&mut a.responses, &x.responses);
                a.throttled += x.throttled;
                a.delivered += x.delivered;
                a.queued += x.queued;
                a.expired += x.expired;
                a.refused += x.refused;
                a.binds += x.binds;
            }
        }
        let req: Map<String, Value> = COMMANDS
            .iter()
            .zip(a.requests)
            .filter(|(_, v)| *v > 0)
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect();
        accounts.insert(
            name.clone(),
            json!({"binds": a.binds, "requests": req, "responses": status_map(&a.responses), "throttled": a.throttled,
                   "delivered": a.delivered, "queued": a.queued, "expired": a.expired, "refused": a.refused}),
        );
    }
    let mut connectors = Map::new();
    for (i, name) in connector_names.iter().enumerate() {
        let mut c = ConnectorStats::default();
        for s in shards {
            if let Some(x) = s.connectors.get(i) {
                c.forwarded += x.forwarded;
                add_map(&mut c.responses, &x.responses);
                c.timeouts += x.timeouts;
                c.retries += x.retries;
                c.failed += x.failed;
                c.receipts += x.receipts;
                c.mo += x.mo;
                let _ = c.latency_us.add(&x.latency_us);
                c.binds_up += x.binds_up;
                c.inflight += x.inflight;
                c.waiting += x.waiting;
            }
        }
        connectors.insert(
            name.clone(),
            json!({"binds_up": c.binds_up, "forwarded": c.forwarded, "responses": status_map(&c.responses),
                   "timeouts": c.timeouts, "retries": c.retries, "failed": c.failed, "receipts": c.receipts, "mo": c.mo,
                   "inflight": c.inflight, "waiting": c.waiting, "latency_us": quantiles(&c.latency_us)}),
        );
    }
    let shard_list: Vec<Value> = shards
        .iter()
        .enumerate()
        .map(|(i, s)| {
            json!({"shard": i, "sessions": s.sessions, "accepted": s.accepted,
                   "refused_connections": s.refused_connections, "framing_errors": s.framing_errors,
                   "bind_failures": s.bind_failures, "receipts_unmatched": s.receipts_unmatched,
                   "id_map_evicted": s.id_map_evicted, "orphan_responses": s.orphan_responses, "mesh_out": s.mesh_out})
        })
        .collect();
    json!({"accounts": accounts, "connectors": connectors, "shards": shard_list})
}

enum Sample {
    Value(f64),
    Summary(Vec<(f64, f64)>, f64, u64),
}

/// Samples grouped by metric family: the exposition format wants each family's samples together
/// under its HELP and TYPE, whereas the stats are naturally walked shard by shard.
type Labels = Vec<(String, String)>;

#[derive(Default)]
struct Families {
    order: Vec<(&'static str, &'static str, &'static str)>,
    samples: std::collections::HashMap<&'static str, Vec<(Labels, Sample)>>,
}

impl Families {
    fn add(
        &mut self,
        kind: &'static str,
        name: &'static str,
        help: &'static str,
        labels: &[(&str, &str)],
        s: Sample,
    ) {
        let e = self.samples.entry(name).or_insert_with(|| {
            self.order.push((kind, name, help));
            Vec::new()
        });
        e.push((
            labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            s,
        ));
    }
    fn counter(&mut self, name: &'static str, help: &'static str, labels: &[(&str, &str)], v: u64) {
        self.add("counter", name, help, labels, Sample::Value(v as f64));
    }
    fn gauge(&mut self, name: &'static str, help: &'static str, labels: &[(&str, &str)], v: f64) {
        self.add("gauge", name, help, labels, Sample::Value(v));
    }
    fn render(self) -> String {
        use smsedge_control::metrics::PromWriter;
        let mut w = PromWriter::new();
        for (kind, name, help) in &self.order {
            for (labels, s) in &self.samples[name] {
                let l: Vec<(&str, &str)> = labels
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                match (kind, s) {
                    (&"counter", Sample::Value(v)) => {
                        w.counter(name, help, &l, *v);
                    }
                    (_, Sample::Value(v)) => {
                        w.gauge(name, help, &l, *v);
                    }
                    (_, Sample::Summary(q, sum, count)) => {
                        w.summary(name, help, &l, q, *sum, *count);
                    }
                }
            }
        }
        w.finish()
    }
}

/// Renders every shard's stats as Prometheus text.
pub fn to_prometheus(
    shards: &[std::sync::Arc<ShardStats>],
    account_names: &[String],
    connector_names: &[String],
    routes_version: u64,
) -> String {
    let mut f = Families::default();
    f.gauge(
        "smsedge_routes_version",
        "Version of the routing table in force.",
        &[],
        routes_version as f64,
    );
    for (i, s) in shards.iter().enumerate() {
        let shard = i.to_string();
        let sl = [("shard", shard.as_str())];
        f.gauge(
            "smsedge_sessions",
            "ESME sessions open.",
            &sl,
            s.sessions as f64,
        );
        f.counter(
            "smsedge_connections_accepted_total",
            "ESME connections accepted.",
            &sl,
            s.accepted,
        );
        f.counter(
            "smsedge_connections_refused_total",
            "ESME connections closed at once: server.max_connections reached.",
            &sl,
            s.refused_connections,
        );
        f.counter(
            "smsedge_framing_errors_total",
            "Connections closed for broken framing.",
            &sl,
            s.framing_errors,
        );
        f.counter(
            "smsedge_bind_failures_total",
            "ESME binds refused.",
            &sl,
            s.bind_failures,
        );
        f.counter(
            "smsedge_receipts_unmatched_total",
            "Receipts for unknown messages.",
            &sl,
            s.receipts_unmatched,
        );
        f.counter(
            "smsedge_orphan_responses_total",
            "Upstream responses whose client had gone.",
            &sl,
            s.orphan_responses,
        );
        for (a, name) in account_names.iter().enumerate() {
            let Some(x) = s.accounts.get(a) else { continue };
            let l = [("account", name.as_str()), ("shard", shard.as_str())];
            for (k, v) in COMMANDS.iter().zip(x.requests) {
                if v > 0 {
                    f.counter(
                        "smsedge_requests_total",
                        "Requests received from ESMEs.",
                        &[("account", name), ("command", k), ("shard", &shard)],
                        v,
                    );
                }
            }
            for (st, v) in &x.responses {
                let st = status_key(*st);
                f.counter(
                    "smsedge_responses_total",
                    "Responses sent to ESMEs by command_status.",
                    &[("account", name), ("status", &st), ("shard", &shard)],
                    *v,
                );
            }
            f.counter(
                "smsedge_throttled_total",
                "Requests refused by the account tps.",
                &l,
                x.throttled,
            );
            f.counter(
                "smsedge_delivered_total",
                "Receipts and MO delivered to ESMEs.",
                &l,
                x.delivered,
            );
            f.counter(
                "smsedge_delivery_expired_total",
                "Receipts and MO dropped after the hold time.",
                &l,
                x.expired,
            );
            f.counter(
                "smsedge_delivery_refused_total",
                "Receipts and MO refused back to the upstream because the hold queue was full.",
                &l,
                x.refused,
            );
            f.gauge(
                "smsedge_delivery_queued",
                "Receipts and MO waiting for a receiver bind.",
                &l,
                x.queued as f64,
            );
            f.gauge(
                "smsedge_account_binds",
                "ESME binds of the account.",
                &l,
                x.binds as f64,
            );
        }
        for (c, name) in connector_names.iter().enumerate() {
            let Some(x) = s.connectors.get(c) else {
                continue;
            };
            let l = [("connector", name.as_str()), ("shard", shard.as_str())];
            f.counter(
                "smsedge_upstream_requests_total",
                "Requests forwarded upstream.",
                &l,
                x.forwarded,
            );
            for (st, v) in &x.responses {
                let st = status_key(*st);
                f.counter(
                    "smsedge_upstream_responses_total",
                    "Upstream responses by command_status.",
                    &[("connector", name), ("status", &st), ("shard", &shard)],
                    *v,
                );
            }
            f.counter(
                "smsedge_upstream_timeouts_total",
                "Upstream requests that timed out.",
                &l,
                x.timeouts,
            );
            f.counter(
                "smsedge_upstream_retries_total",
                "Requests retried on another connector.",
                &l,
                x.retries,
            );
            f.counter(
                "smsedge_upstream_failed_total",
                "Requests failed when a bind dropped.",
                &l,
                x.failed,
            );
            f.counter(
                "smsedge_upstream_receipts_total",
                "Receipts received from the upstream.",
                &l,
                x.receipts,
            );
            f.counter(
                "smsedge_upstream_mo_total",
                "MO messages received from the upstream.",
                &l,
                x.mo,
            );
            f.gauge(
                "smsedge_upstream_binds_up",
                "Upstream binds bound.",
                &l,
                x.binds_up as f64,
            );
            f.gauge(
                "smsedge_upstream_inflight",
                "Requests awaiting an upstream response.",
                &l,
                x.inflight as f64,
            );
            f.gauge(
                "smsedge_wait_queue_depth",
                "Requests waiting for upstream capacity.",
                &l,
                x.waiting as f64,
            );
            let h = &x.latency_us;
            let q: Vec<(f64, f64)> = [0.5, 0.9, 0.99, 0.999]
                .iter()
                .map(|&q| {
                    (
                        q,
                        if h.is_empty() {
                            0.0
                        } else {
                            h.value_at_quantile(q) as f64 / 1e6
                        },
                    )
                })
                .collect();
            let sum = if h.is_empty() {
                0.0
            } else {
                h.mean() * h.len() as f64 / 1e6
            };
            f.add(
                "summary",
                "smsedge_upstream_latency_seconds",
                "Upstream response time.",
                &l,
                Sample::Summary(q, sum, h.len()),
            );
        }
    }
    f.render()
}
