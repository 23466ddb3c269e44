//! One `m3ua` connector on one shard: its settings as the data path wants them, and the shard's
//! own associations to the signalling gateway (`binds` of them), each with its ASP state and the
//! number of dialogues it carries (at most `window`).
//!
//! The connector takes traffic while the peer's point code is available (no DUNA in force) and
//! some association is ASP-ACTIVE. An SCON halves the window per congestion level until the
//! congestion has not been repeated for [`CONGESTION_HOLD`].

use super::asp::{Asp, AspConfig};
use super::sccp::Addr;
use crate::conn::Conn;
use smsedge_codecs::map::AddressString;
use smsedge_codecs::sccp::ssn;
use smsedge_control::config::{Connector, SubmitMode, Transport};
use std::rc::Rc;
use std::time::{Duration, Instant};

/// How long an SCON keeps the window reduced.
pub const CONGESTION_HOLD: Duration = Duration::from_secs(1);

/// The connector's settings, derived once per configuration change.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkConfig {
    /// What each association's ASP sends.
    pub asp: AspConfig,
    /// TCP or SCTP.
    pub transport: Transport,
    /// `host:port` of the signalling gateway.
    pub address: String,
    /// Reconnect backoff bounds.
    pub reconnect: (Duration, Duration),
    /// The SMSC global title digits.
    pub smsc_digits: String,
    /// The proxy's SCCP address: the SMSC GT with SSN 8.
    pub smsc_addr: Addr,
    /// The SMSC GT as a MAP AddressString (serviceCentreAddress, SM-RP-OA).
    pub sc: AddressString,
    /// MAP version to start dialogues with (3 falls back to 2).
    pub map_version: u8,
    /// How long a dialogue waits for each answer.
    pub dialogue_timeout: Duration,
    /// When the ESME gets its submit_sm_resp.
    pub mode: SubmitMode,
    /// Dialogues per association.
    pub window: usize,
    /// Associations per shard.
    pub binds: usize,
    /// SRI cache TTL (zero: off) and size.
    pub cache: (Duration, usize),
}

impl LinkConfig {
    /// The settings of an `m3ua` connector (validated by the control plane).
    pub fn new(c: &Connector) -> Option<LinkConfig> {
        let digits = c.smsc_gt.trim_start_matches('+').to_string();
        Some(LinkConfig {
            asp: AspConfig {
                asp_id: c.asp_id,
                routing_context: c.routing_context,
                network_appearance: c.network_appearance,
                traffic_mode: c.traffic_mode.value(),
                beat_interval: c.beat_interval,
                local_pc: c.local_pc?,
                remote_pc: c.remote_pc?,
                ni: c.network_indicator,
            },
            transport: c.transport,
            address: c.address.clone(),
            reconnect: (c.reconnect_min, c.reconnect_max),
            smsc_addr: Addr::gt(ssn::MSC, digits.as_bytes())?,
            sc: AddressString::international(&digits).ok()?,
            smsc_digits: digits,
            map_version: c.map_version,
            dialogue_timeout: c.dialogue_timeout,
            mode: c.submit_mode,
            window: c.window as usize,
            binds: c.binds as usize,
            cache: (c.sri_cache_ttl, c.sri_cache_size as usize),
        })
    }

    /// True when a change needs new associations (what the ASPs announce or where they go).
    pub fn needs_new_associations(&self, other: &LinkConfig) -> bool {
        self.asp != other.asp || self.transport != other.transport || self.address != other.address
    }
}

/// One association of the shard.
#[derive(Debug)]
pub struct Assoc {
    /// Bumped on every new connection.
    pub gen: u32,
    /// The connection, while connected.
    pub conn: Option<Rc<Conn>>,
    /// The ASP state machine, while connected.
    pub asp: Option<Asp>,
    /// Dialogues in flight on it.
    pub inflight: usize,
    /// False once no longer wanted: its task stops it (gracefully, ASPDN) and ends.
    pub wanted: bool,
    /// A task runs for it.
    pub task: bool,
}

impl Assoc {
    /// A slot whose task is to be started.
    pub fn new() -> Assoc {
        Assoc {
            gen: 0,
            conn: None,
            asp: None,
            inflight: 0,
            wanted: true,
            task: false,
        }
    }

    /// True while DATA may be sent on it.
    pub fn active(&self) -> bool {
        self.asp.as_ref().is_some_and(Asp::is_active)
            && self.conn.as_ref().is_some_and(|c| !c.is_closing())
    }
}

impl Default for Assoc {
    fn default() -> Self {
        Assoc::new()
    }
}

/// The connector on this shard.
#[derive(Debug)]
pub struct Link {
    /// Settings in force.
    pub cfg: Rc<LinkConfig>,
    /// Associations (the wanted ones, plus retired ones draining).
    pub assocs: Vec<Assoc>,
    next: usize,
    /// False while a DUNA for the peer's point code is in force.
    pub peer_available: bool,
    /// SCON congestion level (0 = none) and until when it holds.
    pub congestion: (u8, Option<Instant>),
}

impl Link {
    /// A connector with no association yet.
    pub fn new(cfg: LinkConfig) -> Link {
        Link {
            cfg: Rc::new(cfg),
            assocs: Vec::new(),
            next: 0,
            peer_available: true,
            congestion: (0, None),
        }
    }

    /// True when new dialogues can start.
    pub fn usable(&self) -> bool {
        self.peer_available && self.assocs.iter().any(|a| a.wanted && a.active())
    }

    /// Dialogues an association may carry now (the window, halved per congestion level).
    pub fn window(&self) -> usize {
        (self.cfg.window >> self.congestion.0).max(1)
    }

    /// An active association with room for another dialogue, round robin.
    pub fn assoc_with_room(&mut self) -> Option<usize> {
        if !self.peer_available {
            return None;
        }
        let n = self.assocs.len();
        let window = self.window();
        for i in 0..n {
            let a = (self.next + i) % n;
            let x = &self.assocs[a];
            if x.wanted && x.active() && x.inflight < window {
                self.next = (a + 1) % n;
                return Some(a);
            }
        }
        None
    }

    /// Any active association (for answers, which the window does not limit), preferring
    /// `prefer`.
    pub fn any_active(&self, prefer: usize) -> Option<usize> {
        if self.assocs.get(prefer).is_some_and(Assoc::active) {
            return Some(prefer);
        }
        self.assocs.iter().position(Assoc::active)
    }

    /// Dialogues in flight over all associations.
    pub fn inflight(&self) -> usize {
        self.assocs.iter().map(|a| a.inflight).sum()
    }

    /// Associations ASP-ACTIVE.
    pub fn active_count(&self) -> usize {
        self.assocs.iter().filter(|a| a.active()).count()
    }
}
