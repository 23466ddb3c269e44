//! What shards read: one immutable, fully resolved view of the config, published as a whole by
//! the control plane (`publish.rs`) and replaced, never mutated.

use std::collections::HashMap;
use std::net::IpAddr;

use ipnet::IpNet;

use crate::config::{parse_cidr, strip_plus, Account, Config, ConfigErrors, Connector, Server};
use crate::routes::{AccountId, ConnectorId, MoRouteTable, RouteTable};

/// An account as shards use it.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountRt {
    pub id: AccountId,
    pub config: Account,
    /// `allowed_ips` parsed; empty = any address.
    pub allowed_ips: Vec<IpNet>,
}

impl AccountRt {
    /// Whether a bind from `ip` is allowed. An IPv4-mapped IPv6 peer (`::ffff:10.1.2.3`, what a
    /// dual-stack `[::]` listener reports) is checked as its IPv4 address too.
    pub fn ip_allowed(&self, ip: IpAddr) -> bool {
        if self.allowed_ips.is_empty() {
            return true;
        }
        let mapped = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4),
            IpAddr::V4(_) => None,
        };
        self.allowed_ips
            .iter()
            .any(|net| net.contains(&ip) || mapped.is_some_and(|m| net.contains(&m)))
    }

    /// Compares a bind's password without an early exit on the first differing byte.
    pub fn password_matches(&self, password: &[u8]) -> bool {
        let want = self.config.password.as_bytes();
        let mut diff = want.len() ^ password.len();
        for (i, &b) in password.iter().enumerate() {
            diff |= usize::from(b ^ want.get(i).copied().unwrap_or(0));
        }
        diff == 0
    }

    /// Outstanding requests allowed per session of this account.
    pub fn window(&self, server: &Server) -> u32 {
        self.config.window.unwrap_or(server.session_window)
    }
}

/// A connector as shards use it.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectorRt {
    pub id: ConnectorId,
    pub config: Connector,
    /// `config.enabled`, flipped at run time by `connector.enable` / `connector.disable`.
    pub enabled: bool,
}

/// The published state. `version` is the routes_version: every applied change bumps it.
#[derive(Debug, Clone)]
pub struct Runtime {
    pub version: u64,
    pub server: Server,
    pub accounts: Vec<AccountRt>,
    pub connectors: Vec<ConnectorRt>,
    pub routes: RouteTable,
    pub mo_routes: MoRouteTable,
    account_index: HashMap<String, AccountId>,
    connector_index: HashMap<String, ConnectorId>,
}

impl Runtime {
    /// Validates `config` whole and compiles it. Nothing is published here.
    pub fn build(config: &Config, version: u64) -> Result<Runtime, ConfigErrors> {
        config.validate()?;
        let accounts: Vec<AccountRt> = config
            .accounts
            .iter()
            .enumerate()
            .map(|(i, a)| AccountRt {
                id: AccountId(i as u32),
                config: a.clone(),
                // validate() checked every entry.
                allowed_ips: a
                    .allowed_ips
                    .iter()
                    .filter_map(|c| parse_cidr(c).ok())
                    .collect(),
            })
            .collect();
        let connectors: Vec<ConnectorRt> = config
            .connectors
            .iter()
            .enumerate()
            .map(|(i, c)| ConnectorRt {
                id: ConnectorId(i as u32),
                config: c.clone(),
                enabled: c.enabled,
            })
            .collect();
        let account_index: HashMap<String, AccountId> = accounts
            .iter()
            .map(|a| (a.config.system_id.clone(), a.id))
            .collect();
        let connector_index = connectors
            .iter()
            .map(|c| (c.config.name.clone(), c.id))
            .collect();
        let routes = RouteTable::compile_with(
            &config.routes,
            &config.accounts,
            &config.connectors,
            config.server.no_route_status,
        )?;
        let mo_routes = MoRouteTable::build(
            config
                .mo_routes
                .iter()
                .filter_map(|m| {
                    let id = *account_index.get(&m.account)?;
                    Some((strip_plus(&m.prefix).as_bytes().into(), id))
                })
                .collect(),
        );
        Ok(Runtime {
            version,
            server: config.server.clone(),
            accounts,
            connectors,
            routes,
            mo_routes,
            account_index,
            connector_index,
        })
    }

    pub fn account_id(&self, system_id: &str) -> Option<AccountId> {
        self.account_index.get(system_id).copied()
    }

    pub fn account_by_system_id(&self, system_id: &str) -> Option<&AccountRt> {
        self.account_id(system_id).map(|id| self.account(id))
    }

    /// Panics on an id that did not come from this Runtime.
    pub fn account(&self, id: AccountId) -> &AccountRt {
        &self.accounts[id.0 as usize]
    }

    pub fn connector_id(&self, name: &str) -> Option<ConnectorId> {
        self.connector_index.get(name).copied()
    }

    pub fn connector_by_name(&self, name: &str) -> Option<&ConnectorRt> {
        self.connector_id(name).map(|id| self.connector(id))
    }

    /// Panics on an id that did not come from this Runtime.
    pub fn connector(&self, id: ConnectorId) -> &ConnectorRt {
        &self.connectors[id.0 as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routes::RouteQuery;

    fn runtime() -> Runtime {
        let c = Config::from_toml_str(include_str!("../smsedge.example.toml")).unwrap();
        Runtime::build(&c, 7).unwrap()
    }

    #[test]
    fn resolves_names_and_ids() {
        let rt = runtime();
        assert_eq!(rt.version, 7);
        let acme = rt.account_by_system_id("acme").unwrap();
        assert_eq!(acme.id, AccountId(0));
        assert_eq!(rt.account(acme.id).config.system_id, "acme");
        assert_eq!(rt.account_id("globex"), Some(AccountId(1)));
        assert_eq!(rt.account_id("nobody"), None);
        let b = rt.connector_by_name("smsc-b").unwrap();
        assert_eq!((b.id, b.enabled), (ConnectorId(1), true));
        assert_eq!(rt.mo_routes.lookup(b"4477009001"), Some(AccountId(0)));
        assert_eq!(rt.mo_routes.lookup(b"4478"), None);
        let q = RouteQuery {
            destination: b"4412",
            account: AccountId(1),
            source_addr: b"",
            service_type: b"",
            data_coding: 0,
        };
        assert_eq!(rt.routes.lookup(&q).unwrap().index, 2);
    }

    #[test]
    fn checks_bind_addresses_and_passwords() {
        let rt = runtime();
        let acme = rt.account_by_system_id("acme").unwrap();
        assert!(acme.ip_allowed("127.0.0.1".parse().unwrap()));
        assert!(acme.ip_allowed("10.200.1.1".parse().unwrap()));
        assert!(acme.ip_allowed("::1".parse().unwrap()));
        assert!(
            acme.ip_allowed("::ffff:10.1.2.3".parse().unwrap()),
            "IPv4-mapped peers match IPv4 CIDRs"
        );
        assert!(!acme.ip_allowed("192.168.1.1".parse().unwrap()));
        assert!(!acme.ip_allowed("::2".parse().unwrap()));
        let globex = rt.account_by_system_id("globex").unwrap();
        assert!(
            globex.ip_allowed("192.168.1.1".parse().unwrap()),
            "empty allowed_ips = any"
        );
        assert!(acme.password_matches(b"secret"));
        assert!(!acme.password_matches(b"secreT"));
        assert!(!acme.password_matches(b"secret1"));
        assert!(!acme.password_matches(b""));
        assert_eq!(acme.window(&rt.server), 512);
        assert_eq!(globex.window(&rt.server), 256);
    }

    #[test]
    fn build_refuses_an_invalid_config() {
        let mut c = Config::embedded_default();
        c.routes[0].connectors = vec!["gone".into()];
        let e = Runtime::build(&c, 1).unwrap_err();
        assert_eq!(e.to_string(), "route 1: connector \"gone\" does not exist");
    }
}
