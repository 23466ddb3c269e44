//! The compiled route table: `[[route]]`s turned into a digit trie that answers "which route
//! takes this submit" in a number of steps bounded by the destination's length (at most 65
//! digits) times the routes that share one prefix, never by the total number of routes.
//!
//! Semantics (INTERFACES.md: "first match wins; prefix = longest match among routes"): take the
//! longest prefix of the destination that has a route whose conditions all match; among routes
//! with that same prefix the first in file order wins; otherwise fall back to shorter prefixes,
//! down to `""`. The destination is read as digits after an optional leading `+`; at the first
//! byte that is not `0`-`9` the walk stops, so such a destination matches only through the
//! prefixes already walked.
//!
//! Layout: one contiguous `Vec` of 16-byte nodes in breadth-first order; the children of a node
//! are contiguous, found through a 10-bit mask and a popcount (no 10-slot child arrays), and the
//! routes of all nodes sit in one `Vec<u32>` in node order. Each node also points at its nearest
//! ancestor that has routes, so a lookup walks down once, remembering only the deepest node
//! with routes, and falls back along those pointers when conditions fail. `lookup` allocates
//! nothing and keeps no per-lookup array.

use std::collections::{HashMap, VecDeque};

use serde::Serialize;

use crate::config::{
    strip_plus, Account, Action, ConfigError, ConfigErrors, Connector, Route, Strategy,
};
use crate::units::Status;

/// Index of an account in `Runtime::accounts`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct AccountId(pub u32);

/// Index of a connector in `Runtime::connectors`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct ConnectorId(pub u32);

/// What the router knows about a submit when it picks a route. Byte slices straight from the
/// PDU view: no decoding, no allocation.
#[derive(Debug, Clone, Copy)]
pub struct RouteQuery<'a> {
    /// Raw destination_addr; a leading `+` is skipped.
    pub destination: &'a [u8],
    pub account: AccountId,
    pub source_addr: &'a [u8],
    pub service_type: &'a [u8],
    pub data_coding: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteAction {
    Forward,
    /// Answer the submit with this command_status.
    Reject(u32),
}

/// One route, names resolved to ids.
#[derive(Debug, Clone, PartialEq)]
pub struct CompiledRoute {
    /// 0-based position in the config's `[[route]]` list.
    pub index: usize,
    pub name: Option<String>,
    pub connectors: Vec<ConnectorId>,
    /// One per connector: the route's `weights`, else each connector's `weight`.
    pub weights: Vec<u32>,
    pub strategy: Strategy,
    pub action: RouteAction,
    /// `None` when the route has no conditions (the common case costs one pointer).
    pub conditions: Option<Box<Conditions>>,
}

impl CompiledRoute {
    /// Whether every condition of this route holds for `q` (the prefix is the trie's business).
    #[inline]
    pub fn matches(&self, q: &RouteQuery<'_>) -> bool {
        match &self.conditions {
            None => true,
            Some(c) => c.matches(q),
        }
    }
}

/// A route's conditions; each `None` matches anything.
#[derive(Debug, Clone, PartialEq)]
pub struct Conditions {
    /// Sorted, for binary search.
    pub accounts: Option<Box<[AccountId]>>,
    pub source_addrs: Option<Box<[Box<[u8]>]>>,
    /// Digits, without a leading `+`; compared with the source_addr after its own `+`.
    pub source_prefix: Option<Box<[u8]>>,
    pub service_types: Option<Box<[Box<[u8]>]>>,
    /// Bit n set = data_coding n matches.
    pub data_codings: Option<[u64; 4]>,
}

impl Conditions {
    #[inline]
    pub fn matches(&self, q: &RouteQuery<'_>) -> bool {
        if let Some(a) = &self.accounts {
            if a.binary_search(&q.account).is_err() {
                return false;
            }
        }
        if let Some(s) = &self.source_addrs {
            if !s.iter().any(|s| &**s == q.source_addr) {
                return false;
            }
        }
        if let Some(p) = &self.source_prefix {
            let src = q.source_addr.strip_prefix(b"+").unwrap_or(q.source_addr);
            if !src.starts_with(p) {
                return false;
            }
        }
        if let Some(s) = &self.service_types {
            if !s.iter().any(|s| &**s == q.service_type) {
                return false;
            }
        }
        if let Some(bits) = &self.data_codings {
            let dc = q.data_coding as usize;
            if bits[dc >> 6] & (1 << (dc & 63)) == 0 {
                return false;
            }
        }
        true
    }

    fn is_empty(&self) -> bool {
        self.accounts.is_none()
            && self.source_addrs.is_none()
            && self.source_prefix.is_none()
            && self.service_types.is_none()
            && self.data_codings.is_none()
    }
}

// ---------------------------------------------------------------------------------------------
// The digit trie

/// "No node" in `Node::fallback`.
const NONE: u32 = u32::MAX;
/// `Node::mask` bit: the node holds values (routes end here).
const HAS_VALUES: u16 = 1 << 15;

#[derive(Debug, Clone, Copy)]
struct Node {
    /// Index of the first child; children are contiguous, in digit order.
    first_child: u32,
    /// This node's values are `values[values_start .. next node's values_start]`.
    values_start: u32,
    /// The nearest proper ancestor that holds values, or `NONE`: where a lookup goes when no
    /// route of this node matches (the next shorter prefix that has routes).
    fallback: u32,
    /// Bits 0..=9: a child for that digit exists. `HAS_VALUES`: this node holds values.
    mask: u16,
}

impl Default for Node {
    fn default() -> Node {
        Node {
            first_child: 0,
            values_start: 0,
            fallback: NONE,
            mask: 0,
        }
    }
}

/// Digit strings to lists of `u32` values, longest-prefix walk.
#[derive(Debug, Clone)]
pub(crate) struct PrefixTrie {
    /// Breadth-first; the last node is a sentinel that only ends the value range.
    nodes: Vec<Node>,
    values: Vec<u32>,
    max_depth: usize,
}

impl Default for PrefixTrie {
    /// An empty trie: a root without values, and the sentinel.
    fn default() -> PrefixTrie {
        PrefixTrie::build(Vec::<(&[u8], u32)>::new())
    }
}

impl PrefixTrie {
    /// `items`: (digits `0`-`9`, at most 64 of them, value). Values under the same digits keep
    /// their order in `items`.
    pub(crate) fn build<P: AsRef<[u8]>>(mut items: Vec<(P, u32)>) -> PrefixTrie {
        // Stable: file order within a prefix.
        items.sort_by(|a, b| a.0.as_ref().cmp(b.0.as_ref()));
        let mut nodes = vec![Node::default()];
        let mut values = Vec::with_capacity(items.len());
        let mut max_depth = 0;
        // Nodes are created in the order they are queued, so popping the queue visits them in
        // index order and each node's values land contiguously, in node order. A parent is
        // always visited before its children, so its `fallback` is known when theirs is set.
        let mut queue = VecDeque::from([(0usize, items.len(), 0usize, NONE)]);
        let mut index = 0usize;
        while let Some((lo, hi, depth, parent)) = queue.pop_front() {
            max_depth = max_depth.max(depth);
            if parent != NONE {
                let p = nodes[parent as usize];
                nodes[index].fallback = if p.mask & HAS_VALUES != 0 {
                    parent
                } else {
                    p.fallback
                };
            }
            nodes[index].values_start = values.len() as u32;
            // In a sorted range sharing `depth` bytes, the items that end here come first.
            let mut i = lo;
            while i < hi && items[i].0.as_ref().len() == depth {
                values.push(items[i].1);
                i += 1;
            }
            let mut mask = if i > lo { HAS_VALUES } else { 0 };
            let first_child = nodes.len();
            while i < hi {
                let digit = items[i].0.as_ref()[depth];
                let start = i;
                while i < hi && items[i].0.as_ref()[depth] == digit {
                    i += 1;
                }
                mask |= 1 << (digit - b'0');
                nodes.push(Node::default());
                queue.push_back((start, i, depth + 1, index as u32));
            }
            nodes[index].first_child = first_child as u32;
            nodes[index].mask = mask;
            index += 1;
        }
        nodes.push(Node {
            values_start: values.len() as u32,
            ..Node::default()
        });
        nodes.shrink_to_fit();
        PrefixTrie {
            nodes,
            values,
            max_depth,
        }
    }

    #[inline]
    fn values_of(&self, node: u32) -> &[u32] {
        let start = self.nodes[node as usize].values_start as usize;
        let end = self.nodes[node as usize + 1].values_start as usize;
        &self.values[start..end]
    }

    /// The deepest node on the path of `digits` that holds values (`NONE` if there is none).
    /// One step per digit; stops at the first byte that is not a digit.
    #[inline]
    fn deepest(&self, digits: &[u8]) -> u32 {
        let mut node = 0usize;
        let mut best = if self.nodes[0].mask & HAS_VALUES != 0 {
            0
        } else {
            NONE
        };
        for &b in digits.iter().take(self.max_depth) {
            let d = b.wrapping_sub(b'0');
            if d > 9 {
                break;
            }
            let nd = self.nodes[node];
            let bit = 1u16 << d;
            if nd.mask & bit == 0 {
                break;
            }
            node = nd.first_child as usize + (nd.mask & (bit - 1)).count_ones() as usize;
            if self.nodes[node].mask & HAS_VALUES != 0 {
                best = node as u32;
            }
        }
        best
    }

    /// The next shorter prefix with values, after `node`.
    #[inline]
    fn fallback(&self, node: u32) -> u32 {
        self.nodes[node as usize].fallback
    }

    /// Heap bytes held.
    fn memory_bytes(&self) -> usize {
        self.nodes.capacity() * std::mem::size_of::<Node>() + self.values.capacity() * 4
    }
}

fn skip_plus(d: &[u8]) -> &[u8] {
    d.strip_prefix(b"+").unwrap_or(d)
}

// ---------------------------------------------------------------------------------------------
// The route table

/// Routes compiled for lookup. Built by the control plane, read by every shard.
#[derive(Debug, Clone, Default)]
pub struct RouteTable {
    routes: Vec<CompiledRoute>,
    trie: PrefixTrie,
}

impl RouteTable {
    /// Compiles validated routes; a reject route without `status` answers ESME_RINVDSTADR.
    pub fn compile(
        routes: &[Route],
        accounts: &[Account],
        connectors: &[Connector],
    ) -> Result<RouteTable, ConfigErrors> {
        RouteTable::compile_with(routes, accounts, connectors, Status::INVALID_DEST_ADDR)
    }

    /// As [`RouteTable::compile`], with the status for reject routes that give none
    /// (`server.no_route_status`).
    pub fn compile_with(
        routes: &[Route],
        accounts: &[Account],
        connectors: &[Connector],
        default_reject: Status,
    ) -> Result<RouteTable, ConfigErrors> {
        let account_ids: HashMap<&str, AccountId> = accounts
            .iter()
            .enumerate()
            .map(|(i, a)| (a.system_id.as_str(), AccountId(i as u32)))
            .collect();
        let connector_ids: HashMap<&str, (ConnectorId, u32)> = connectors
            .iter()
            .enumerate()
            .map(|(i, c)| (c.name.as_str(), (ConnectorId(i as u32), c.weight)))
            .collect();
        let mut errs = Vec::new();
        let mut compiled = Vec::with_capacity(routes.len());
        let mut items = Vec::with_capacity(routes.len());
        for (index, r) in routes.iter().enumerate() {
            let loc = || format!("route {}", index + 1);
            let digits = strip_plus(&r.prefix).as_bytes();
            if digits.len() > crate::config::MAX_PREFIX_DIGITS
                || !digits.iter().all(u8::is_ascii_digit)
            {
                errs.push(ConfigError::new(
                    format!("{}.prefix", loc()),
                    format!("must be digits, got {:?}", r.prefix),
                ));
                continue;
            }
            let mut ids = Vec::with_capacity(r.connectors.len());
            let mut weights = Vec::with_capacity(r.connectors.len());
            for c in &r.connectors {
                match connector_ids.get(c.as_str()) {
                    Some(&(id, w)) => {
                        ids.push(id);
                        weights.push(w);
                    }
                    None => errs.push(ConfigError::new(
                        loc(),
                        format!("connector {c:?} does not exist"),
                    )),
                }
            }
            if let Some(w) = &r.weights {
                if w.len() == weights.len() {
                    weights.clone_from(w);
                }
            }
            let accounts = match &r.accounts {
                None => None,
                Some(list) => {
                    let mut v = Vec::with_capacity(list.len());
                    for a in list {
                        match account_ids.get(a.as_str()) {
                            Some(&id) => v.push(id),
                            None => errs.push(ConfigError::new(
                                loc(),
                                format!("account {a:?} does not exist"),
                            )),
                        }
                    }
                    v.sort();
                    v.dedup();
                    Some(v.into_boxed_slice())
                }
            };
            let bytes_list = |l: &Option<Vec<String>>| {
                l.as_ref()
                    .map(|l| l.iter().map(|s| s.as_bytes().into()).collect())
            };
            let conditions = Conditions {
                accounts,
                source_addrs: bytes_list(&r.source_addrs),
                source_prefix: r
                    .source_prefix
                    .as_deref()
                    .map(|p| strip_plus(p).as_bytes().into()),
                service_types: bytes_list(&r.service_types),
                data_codings: r.data_codings.as_ref().map(|dcs| {
                    let mut bits = [0u64; 4];
                    for &dc in dcs {
                        bits[dc as usize >> 6] |= 1 << (dc & 63);
                    }
                    bits
                }),
            };
            let action = match r.action {
                Action::Forward => RouteAction::Forward,
                Action::Reject => RouteAction::Reject(r.status.unwrap_or(default_reject).0),
            };
            items.push((digits, compiled.len() as u32));
            compiled.push(CompiledRoute {
                index,
                name: r.name.clone(),
                connectors: ids,
                weights,
                strategy: r.strategy,
                action,
                conditions: (!conditions.is_empty()).then(|| Box::new(conditions)),
            });
        }
        if !errs.is_empty() {
            return Err(ConfigErrors(errs));
        }
        Ok(RouteTable {
            routes: compiled,
            trie: PrefixTrie::build(items),
        })
    }

    /// The route for a submit, or `None` when nothing matches (answer `no_route_status`).
    /// Allocation-free; cost bounded by the destination length and the routes per prefix.
    #[inline]
    pub fn lookup(&self, q: &RouteQuery<'_>) -> Option<&CompiledRoute> {
        let mut node = self.trie.deepest(skip_plus(q.destination));
        while node != NONE {
            for &r in self.trie.values_of(node) {
                let route = &self.routes[r as usize];
                if route.matches(q) {
                    return Some(route);
                }
            }
            node = self.trie.fallback(node);
        }
        None
    }

    /// Routes in file order.
    pub fn routes(&self) -> &[CompiledRoute] {
        &self.routes
    }

    pub fn len(&self) -> usize {
        self.routes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.routes.is_empty()
    }

    /// Trie nodes (a measure of the table's size; 16 bytes each).
    pub fn node_count(&self) -> usize {
        self.trie.nodes.len()
    }

    /// Approximate heap bytes: trie, route list, and each route's own allocations.
    pub fn memory_bytes(&self) -> usize {
        let per_route: usize = self
            .routes
            .iter()
            .map(|r| {
                r.connectors.capacity() * 4
                    + r.weights.capacity() * 4
                    + r.name.as_ref().map_or(0, |n| n.capacity())
                    + r.conditions.as_ref().map_or(0, |c| {
                        std::mem::size_of::<Conditions>()
                            + c.accounts.as_ref().map_or(0, |a| a.len() * 4)
                            + c.source_addrs
                                .as_ref()
                                .map_or(0, |s| s.iter().map(|x| x.len() + 16).sum())
                            + c.source_prefix.as_ref().map_or(0, |p| p.len())
                            + c.service_types
                                .as_ref()
                                .map_or(0, |s| s.iter().map(|x| x.len() + 16).sum())
                    })
            })
            .sum();
        self.trie.memory_bytes()
            + self.routes.capacity() * std::mem::size_of::<CompiledRoute>()
            + per_route
    }
}

/// `[[mo_route]]`s: destination prefix -> receiving account, longest prefix wins.
#[derive(Debug, Clone, Default)]
pub struct MoRouteTable {
    trie: PrefixTrie,
}

impl MoRouteTable {
    /// `(digits, account)` pairs, digits without `+`; validated beforehand.
    pub(crate) fn build(entries: Vec<(Box<[u8]>, AccountId)>) -> MoRouteTable {
        MoRouteTable {
            trie: PrefixTrie::build(entries.into_iter().map(|(d, a)| (d, a.0)).collect()),
        }
    }

    /// The account that receives a mobile-originated message to `destination`.
    pub fn lookup(&self, destination: &[u8]) -> Option<AccountId> {
        let node = self.trie.deepest(skip_plus(destination));
        if node == NONE {
            return None;
        }
        self.trie.values_of(node).first().map(|&a| AccountId(a))
    }
}

// ---------------------------------------------------------------------------------------------
// Diff

/// What replacing one route list with another changes (the `routes.diff` reply). Routes are
/// matched by `name` when they have one, else by prefix + conditions.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct RoutesDiff {
    pub added: Vec<DiffRoute>,
    pub removed: Vec<DiffRoute>,
    pub changed: Vec<DiffChange>,
    /// Prefixes whose routes kept their identity but not their relative order: within a prefix
    /// the first matching route wins, so this changes behaviour too.
    pub reordered: Vec<String>,
}

impl RoutesDiff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.changed.is_empty()
            && self.reordered.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiffRoute {
    pub key: String,
    /// 1-based position in its list.
    pub position: usize,
    pub route: Route,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiffChange {
    pub key: String,
    pub old_position: usize,
    pub new_position: usize,
    /// Names of the keys whose values differ.
    pub fields: Vec<&'static str>,
    pub old: Route,
    pub new: Route,
}

/// How a route is recognised across two lists.
pub fn route_key(r: &Route) -> String {
    if let Some(n) = &r.name {
        return format!("name {n:?}");
    }
    let mut k = format!("prefix {:?}", strip_plus(&r.prefix));
    let conds = r.conditions_key();
    for part in conds.split(' ') {
        if !part.ends_with("=*") {
            k.push(' ');
            k.push_str(part);
        }
    }
    k
}

fn changed_fields(a: &Route, b: &Route) -> Vec<&'static str> {
    let mut f = Vec::new();
    macro_rules! cmp {
        ($($field:ident),*) => { $( if a.$field != b.$field { f.push(stringify!($field)); } )* };
    }
    cmp!(
        name,
        prefix,
        connectors,
        strategy,
        weights,
        accounts,
        source_addrs,
        source_prefix,
        service_types,
        data_codings,
        action,
        status
    );
    f
}

/// Compares two route lists (the running one and a candidate).
pub fn diff(old: &[Route], new: &[Route]) -> RoutesDiff {
    let mut out = RoutesDiff::default();
    let mut old_by_key: HashMap<String, VecDeque<usize>> = HashMap::new();
    for (i, r) in old.iter().enumerate() {
        old_by_key.entry(route_key(r)).or_default().push_back(i);
    }
    let mut matched_old = vec![false; old.len()];
    // new index -> old index, for the reorder check
    let mut pairs = Vec::new();
    for (j, r) in new.iter().enumerate() {
        let key = route_key(r);
        match old_by_key.get_mut(&key).and_then(VecDeque::pop_front) {
            Some(i) => {
                matched_old[i] = true;
                pairs.push((i, j));
                let fields = changed_fields(&old[i], r);
                if !fields.is_empty() {
                    out.changed.push(DiffChange {
                        key,
                        old_position: i + 1,
                        new_position: j + 1,
                        fields,
                        old: old[i].clone(),
                        new: r.clone(),
                    });
                }
            }
            None => out.added.push(DiffRoute {
                key,
                position: j + 1,
                route: r.clone(),
            }),
        }
    }
    for (i, r) in old.iter().enumerate() {
        if !matched_old[i] {
            out.removed.push(DiffRoute {
                key: route_key(r),
                position: i + 1,
                route: r.clone(),
            });
        }
    }
    // Within each (new) prefix, the matched routes must keep their old relative order.
    let mut by_prefix: HashMap<&str, Vec<usize>> = HashMap::new();
    for &(i, j) in &pairs {
        by_prefix
            .entry(strip_plus(&new[j].prefix))
            .or_default()
            .push(i);
    }
    let mut reordered: Vec<String> = by_prefix
        .into_iter()
        .filter(|(_, olds)| olds.windows(2).any(|w| w[0] > w[1]))
        .map(|(p, _)| p.to_string())
        .collect();
    reordered.sort();
    out.reordered = reordered;
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use proptest::prelude::{prop, prop_assert_eq, prop_oneof, proptest, Just, ProptestConfig};
    use proptest::strategy::Strategy as Gen;

    fn config(routes: &str) -> Config {
        let text = format!(
            r#"
[server]
listen = ["127.0.0.1:2775"]
no_route_status = "ESME_RX_P_APPN"
[[account]]
system_id = "acme"
password = "x"
[[account]]
system_id = "globex"
password = "x"
[[connector]]
name = "a"
kind = "smpp"
address = "h:1"
weight = 5
[[connector]]
name = "b"
kind = "smpp"
address = "h:2"
{routes}"#
        );
        Config::from_toml_str(&text).unwrap_or_else(|e| panic!("{e}"))
    }

    fn table(c: &Config) -> RouteTable {
        RouteTable::compile_with(
            &c.routes,
            &c.accounts,
            &c.connectors,
            c.server.no_route_status,
        )
        .unwrap()
    }

    const ACME: AccountId = AccountId(0);
    const GLOBEX: AccountId = AccountId(1);

    fn q(dest: &str) -> RouteQuery<'_> {
        RouteQuery {
            destination: dest.as_bytes(),
            account: ACME,
            source_addr: b"",
            service_type: b"",
            data_coding: 0,
        }
    }

    fn hit(t: &RouteTable, q: &RouteQuery<'_>) -> Option<usize> {
        t.lookup(q).map(|r| r.index)
    }

    #[test]
    fn longest_prefix_wins_regardless_of_file_order() {
        let c = config(
            r#"
[[route]]
prefix = ""
connectors = ["a"]
[[route]]
prefix = "4"
connectors = ["a"]
[[route]]
prefix = "4477"
connectors = ["b"]
[[route]]
prefix = "44"
connectors = ["b"]
"#,
        );
        let t = table(&c);
        assert_eq!(hit(&t, &q("447700900123")), Some(2));
        assert_eq!(hit(&t, &q("4478")), Some(3));
        assert_eq!(hit(&t, &q("44")), Some(3));
        assert_eq!(hit(&t, &q("45")), Some(1));
        assert_eq!(hit(&t, &q("1")), Some(0));
        assert_eq!(hit(&t, &q("")), Some(0));
        assert_eq!(hit(&t, &q("+4477")), Some(2), "a leading + is skipped");
        assert_eq!(
            hit(&t, &q("44a77")),
            Some(3),
            "the walk stops at a non-digit"
        );
        assert_eq!(
            hit(&t, &q("abc")),
            Some(0),
            "non-digits match only the \"\" route"
        );
        let r = t.lookup(&q("4477")).unwrap();
        assert_eq!(
            (r.connectors.clone(), r.weights.clone()),
            (vec![ConnectorId(1)], vec![1])
        );
        assert_eq!(
            t.lookup(&q("1")).unwrap().weights,
            vec![5],
            "weights default to the connectors' weight"
        );
    }

    #[test]
    fn no_route_without_a_catch_all() {
        let c = config("[[route]]\nprefix = \"44\"\nconnectors = [\"a\"]\n");
        let t = table(&c);
        assert_eq!(hit(&t, &q("4")), None);
        assert_eq!(hit(&t, &q("33")), None);
        assert_eq!(hit(&t, &q("")), None);
        assert_eq!(hit(&t, &q("440")), Some(0));
        assert!(RouteTable::default().lookup(&q("44")).is_none());
    }

    #[test]
    fn first_match_wins_within_a_prefix_and_conditions_filter() {
        let c = config(
            r#"
[[route]]
prefix = "44"
accounts = ["globex"]
connectors = ["b"]
[[route]]
prefix = "44"
source_addrs = ["BANK"]
connectors = ["b"]
[[route]]
prefix = "44"
service_types = ["WAP"]
connectors = ["b"]
[[route]]
prefix = "44"
data_codings = [8]
connectors = ["b"]
[[route]]
prefix = "44"
source_prefix = "+33"
connectors = ["b"]
[[route]]
prefix = "44"
connectors = ["a"]
[[route]]
prefix = "44"
connectors = ["a", "b"]
accounts = ["acme"]
"#,
        );
        let t = table(&c);
        let base = q("4412");
        assert_eq!(
            hit(&t, &base),
            Some(5),
            "unconditional route 6 comes before route 7"
        );
        assert_eq!(
            hit(
                &t,
                &RouteQuery {
                    account: GLOBEX,
                    ..base
                }
            ),
            Some(0)
        );
        assert_eq!(
            hit(
                &t,
                &RouteQuery {
                    source_addr: b"BANK",
                    ..base
                }
            ),
            Some(1)
        );
        assert_eq!(
            hit(
                &t,
                &RouteQuery {
                    source_addr: b"BANKX",
                    ..base
                }
            ),
            Some(5),
            "sender ids match exactly"
        );
        assert_eq!(
            hit(
                &t,
                &RouteQuery {
                    service_type: b"WAP",
                    ..base
                }
            ),
            Some(2)
        );
        assert_eq!(
            hit(
                &t,
                &RouteQuery {
                    data_coding: 8,
                    ..base
                }
            ),
            Some(3)
        );
        assert_eq!(
            hit(
                &t,
                &RouteQuery {
                    source_addr: b"33612",
                    ..base
                }
            ),
            Some(4)
        );
        assert_eq!(
            hit(
                &t,
                &RouteQuery {
                    source_addr: b"+33612",
                    ..base
                }
            ),
            Some(4)
        );
        assert_eq!(
            hit(
                &t,
                &RouteQuery {
                    source_addr: b"3",
                    ..base
                }
            ),
            Some(5)
        );
        // Both globex and BANK: the first in file order wins.
        assert_eq!(
            hit(
                &t,
                &RouteQuery {
                    account: GLOBEX,
                    source_addr: b"BANK",
                    ..base
                }
            ),
            Some(0)
        );
    }

    #[test]
    fn falls_back_to_shorter_prefixes_when_conditions_fail() {
        let c = config(
            r#"
[[route]]
prefix = "4477"
accounts = ["globex"]
connectors = ["b"]
[[route]]
prefix = "447"
data_codings = [8]
connectors = ["b"]
[[route]]
prefix = "4"
connectors = ["a"]
[[route]]
prefix = ""
connectors = ["b"]
accounts = ["acme"]
"#,
        );
        let t = table(&c);
        assert_eq!(
            hit(
                &t,
                &RouteQuery {
                    account: GLOBEX,
                    ..q("44770")
                }
            ),
            Some(0)
        );
        assert_eq!(
            hit(
                &t,
                &RouteQuery {
                    data_coding: 8,
                    ..q("44770")
                }
            ),
            Some(1)
        );
        assert_eq!(hit(&t, &q("44770")), Some(2));
        assert_eq!(hit(&t, &q("5")), Some(3));
        assert_eq!(
            hit(
                &t,
                &RouteQuery {
                    account: GLOBEX,
                    ..q("5")
                }
            ),
            None
        );
    }

    #[test]
    fn reject_routes_answer_their_status() {
        let c = config(
            r#"
[[route]]
prefix = "4490"
action = "reject"
status = "ESME_RINVDSTADR"
[[route]]
prefix = "4491"
action = "reject"
[[route]]
prefix = "44"
connectors = ["a"]
"#,
        );
        let t = table(&c);
        let r = t.lookup(&q("44901")).unwrap();
        assert_eq!(
            (r.action, r.connectors.len()),
            (RouteAction::Reject(0x0B), 0)
        );
        assert_eq!(
            t.lookup(&q("44911")).unwrap().action,
            RouteAction::Reject(0x65),
            "default: no_route_status"
        );
        assert_eq!(t.lookup(&q("4492")).unwrap().action, RouteAction::Forward);
        // compile() without a server section uses ESME_RINVDSTADR.
        let t = RouteTable::compile(&c.routes, &c.accounts, &c.connectors).unwrap();
        assert_eq!(
            t.lookup(&q("44911")).unwrap().action,
            RouteAction::Reject(0x0B)
        );
    }

    #[test]
    fn compile_reports_unknown_names() {
        let c = config("");
        let e = RouteTable::compile(&[Route::new("1", &["zz"])], &c.accounts, &c.connectors)
            .unwrap_err();
        assert_eq!(e.to_string(), "route 1: connector \"zz\" does not exist");
    }

    #[test]
    fn deep_prefixes_and_long_destinations() {
        let c = config("");
        let deep = "1".repeat(64);
        let routes = vec![Route::new(&deep, &["a"]), Route::new("1", &["b"])];
        let t = RouteTable::compile(&routes, &c.accounts, &c.connectors).unwrap();
        let long = "1".repeat(200);
        assert_eq!(hit(&t, &q(&long)), Some(0));
        assert_eq!(hit(&t, &q(&deep[..63])), Some(1));
    }

    #[test]
    fn mo_routes_take_the_longest_prefix() {
        let t = MoRouteTable::build(vec![
            (b"44".as_slice().into(), AccountId(1)),
            (b"4477".as_slice().into(), AccountId(2)),
            (b"".as_slice().into(), AccountId(0)),
        ]);
        assert_eq!(t.lookup(b"447712"), Some(AccountId(2)));
        assert_eq!(t.lookup(b"+4478"), Some(AccountId(1)));
        assert_eq!(t.lookup(b"1"), Some(AccountId(0)));
        assert_eq!(MoRouteTable::default().lookup(b"1"), None);
    }

    #[test]
    fn diff_reports_added_removed_changed_and_reordered() {
        let mut named = Route::new("44", &["a"]);
        named.name = Some("uk".into());
        let mut cond = Route::new("33", &["a"]);
        cond.accounts = Some(vec!["acme".into()]);
        let old = vec![
            named.clone(),
            cond.clone(),
            Route::new("33", &["b"]),
            Route::new("1", &["a"]),
        ];
        let mut named2 = named.clone();
        named2.prefix = "+44".into();
        named2.connectors = vec!["b".into()];
        let new = vec![
            named2,
            Route::new("33", &["b"]),
            cond.clone(),
            Route::new("49", &["a"]),
        ];
        let d = diff(&old, &new);
        assert_eq!(d.added.len(), 1);
        assert_eq!(
            (d.added[0].key.as_str(), d.added[0].position),
            ("prefix \"49\"", 4)
        );
        assert_eq!(
            (d.removed[0].key.as_str(), d.removed[0].position),
            ("prefix \"1\"", 4)
        );
        assert_eq!(d.changed.len(), 1);
        assert_eq!(d.changed[0].key, "name \"uk\"");
        assert_eq!(d.changed[0].fields, vec!["prefix", "connectors"]);
        assert_eq!(d.reordered, vec!["33".to_string()]);
        let json = serde_json::to_value(&d).unwrap();
        assert_eq!(
            json["changed"][0]["new"]["connectors"],
            serde_json::json!(["b"])
        );
        assert_eq!(json["added"][0]["route"]["prefix"], "49");
        assert!(diff(&old, &old).is_empty());
        assert_eq!(route_key(&cond), "prefix \"33\" accounts=[\"acme\"]");
    }

    // --- generated: the trie against a linear scan ---

    /// The definition, executed literally: among routes whose prefix starts the destination and
    /// whose conditions hold, the longest prefix, then the earliest.
    fn reference(routes: &[Route], accounts: &[&str], q: &RouteQuery<'_>) -> Option<usize> {
        let dest = q.destination.strip_prefix(b"+").unwrap_or(q.destination);
        let src = q.source_addr.strip_prefix(b"+").unwrap_or(q.source_addr);
        let mut best: Option<(usize, usize)> = None;
        for (i, r) in routes.iter().enumerate() {
            let p = strip_plus(&r.prefix).as_bytes();
            let ok = dest.starts_with(p)
                && r.accounts
                    .as_ref()
                    .is_none_or(|a| a.iter().any(|a| a == accounts[q.account.0 as usize]))
                && r.source_addrs
                    .as_ref()
                    .is_none_or(|s| s.iter().any(|s| s.as_bytes() == q.source_addr))
                && r.source_prefix
                    .as_ref()
                    .is_none_or(|sp| src.starts_with(strip_plus(sp).as_bytes()))
                && r.service_types
                    .as_ref()
                    .is_none_or(|s| s.iter().any(|s| s.as_bytes() == q.service_type))
                && r.data_codings
                    .as_ref()
                    .is_none_or(|d| d.contains(&q.data_coding));
            if ok && best.is_none_or(|(len, _)| p.len() > len) {
                best = Some((p.len(), i));
            }
        }
        best.map(|(_, i)| i)
    }

    fn opt<T: std::fmt::Debug + Clone>(s: impl Gen<Value = T>) -> impl Gen<Value = Option<T>> {
        prop_oneof![3 => Just(None), 1 => s.prop_map(Some)]
    }

    fn arb_route() -> impl Gen<Value = Route> {
        (
            ("\\+?", "[0-3]{0,4}"),
            opt(prop::collection::vec(
                prop::sample::select(vec!["acme", "globex"]),
                1..3,
            )),
            opt(prop::collection::vec(
                prop::sample::select(vec!["S1", "S2", "4400"]),
                1..3,
            )),
            opt("[0-2]{0,2}"),
            opt(prop::collection::vec(
                prop::sample::select(vec!["", "WAP"]),
                1..2,
            )),
            opt(prop::collection::vec(0u8..4, 1..3)),
        )
            .prop_map(|((plus, digits), accounts, srcs, sp, sts, dcs)| {
                let mut r = Route::new(&format!("{plus}{digits}"), &["a"]);
                r.accounts = accounts.map(|v| v.into_iter().map(String::from).collect());
                r.source_addrs = srcs.map(|v| v.into_iter().map(String::from).collect());
                r.source_prefix = sp;
                r.service_types = sts.map(|v| v.into_iter().map(String::from).collect());
                r.data_codings = dcs;
                r
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        #[test]
        fn trie_agrees_with_linear_scan(
            routes in prop::collection::vec(arb_route(), 0..40),
            queries in prop::collection::vec(
                ("[0-3+a]{0,7}", 0u32..2, prop::sample::select(vec!["", "S1", "S2", "4400", "+4400", "1"]),
                 prop::sample::select(vec!["", "WAP", "X"]), 0u8..5),
                1..40),
        ) {
            let c = config("");
            let t = RouteTable::compile(&routes, &c.accounts, &c.connectors).unwrap();
            for (dest, acc, src, st, dc) in &queries {
                let q = RouteQuery { destination: dest.as_bytes(), account: AccountId(*acc), source_addr: src.as_bytes(), service_type: st.as_bytes(), data_coding: *dc };
                prop_assert_eq!(hit(&t, &q), reference(&routes, &["acme", "globex"], &q), "dest {:?}", dest);
            }
        }
    }
}
