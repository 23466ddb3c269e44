//! `smsedge ctl`: one subcommand per admin command. Human-readable tables by default, the raw
//! JSON reply line with `--json`. Exit 0 when the reply says `"ok": true`, 1 when it says
//! `"ok": false` (or the command's input file is unusable), 2 when the socket cannot be reached.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, Subcommand};
use serde_json::{json, Map, Value};

use crate::admin::{request, MAX_LINE};
use crate::config::default_admin_socket;

/// How long ctl waits for a reply (a reload of a million routes takes a few seconds).
const REPLY_TIMEOUT: Duration = Duration::from_secs(120);

/// `smsedge ctl [--socket PATH] [--json] COMMAND`, ready to flatten into the binary's CLI.
#[derive(Debug, Clone, Args)]
pub struct CtlArgs {
    /// Admin socket [default: $SMSEDGE_ADMIN_SOCKET, else /tmp/smsedge-<uid>/admin.sock]
    #[arg(long, value_name = "PATH")]
    pub socket: Option<PathBuf>,
    /// Print the raw JSON reply instead of tables
    #[arg(long)]
    pub json: bool,
    #[command(subcommand)]
    pub command: CtlCommand,
}

#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum CtlCommand {
    /// Version, uptime, config file, connectors
    Status,
    /// Traffic counters, one table per section
    Stats,
    /// ESME and upstream binds
    Binds,
    /// Show, push or diff the route table
    #[command(subcommand)]
    Routes(RoutesCmd),
    /// Enable or disable an upstream connector
    #[command(subcommand)]
    Connector(ConnectorCmd),
    /// Add, replace or remove an account
    #[command(subcommand)]
    Account(AccountCmd),
    /// Re-read the config file
    #[command(subcommand)]
    Config(ConfigCmd),
}

#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum RoutesCmd {
    /// The running routes
    Show,
    /// Replace all routes with the [[route]] tables of FILE (TOML, as in the config file)
    Push { file: PathBuf },
    /// What `routes push FILE` would change
    Diff { file: PathBuf },
}

#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum ConnectorCmd {
    Enable { name: String },
    Disable { name: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum AccountCmd {
    /// Add or replace the account in FILE (TOML with one [account] table)
    Upsert { file: PathBuf },
    /// Remove an account (refused while a route or mo_route names it)
    Remove { system_id: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum ConfigCmd {
    /// Reload PATH, or the file the proxy started with
    Reload { path: Option<PathBuf> },
}

/// The socket ctl talks to when `--socket` is not given.
pub fn default_socket() -> PathBuf {
    match std::env::var_os("SMSEDGE_ADMIN_SOCKET") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => default_admin_socket(),
    }
}

/// Runs one ctl command, printing to stdout/stderr; returns the exit code.
pub fn run_ctl(socket: Option<PathBuf>, json: bool, cmd: CtlCommand) -> i32 {
    let (stdout, stderr) = (io::stdout(), io::stderr());
    run_ctl_with(socket, json, cmd, &mut stdout.lock(), &mut stderr.lock())
}

/// [`run_ctl`] with the output streams given.
pub fn run_ctl_with(
    socket: Option<PathBuf>,
    json: bool,
    cmd: CtlCommand,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let socket = socket.unwrap_or_else(default_socket);
    let req = match build_request(&cmd) {
        Ok(r) => r,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return 1;
        }
    };
    let size = req.to_string().len();
    if size > MAX_LINE {
        let _ = writeln!(
            err,
            "error: the request is {size} bytes, over the admin socket's {MAX_LINE}-byte line limit; \
             put large route tables in the config file and run `smsedge ctl config reload`"
        );
        return 1;
    }
    let reply = match request(&socket, &req, REPLY_TIMEOUT) {
        Ok(r) => r,
        Err(e) => {
            let hint = match e.kind() {
                io::ErrorKind::NotFound | io::ErrorKind::ConnectionRefused => {
                    " (is smsedge running? give --socket or set SMSEDGE_ADMIN_SOCKET)"
                }
                io::ErrorKind::PermissionDenied => {
                    " (the admin socket only admits the user smsedge runs as)"
                }
                _ => "",
            };
            let _ = writeln!(
                err,
                "error: cannot reach the admin socket {}: {e}{hint}",
                socket.display()
            );
            return 2;
        }
    };
    let ok = reply.get("ok").and_then(Value::as_bool) == Some(true);
    if json {
        let _ = writeln!(out, "{reply}");
    } else if ok {
        let _ = out.write_all(render(&cmd, &reply).as_bytes());
    }
    if ok {
        0
    } else {
        let msg = reply
            .get("error")
            .and_then(Value::as_str)
            .unwrap_or("the server said ok: false");
        let _ = writeln!(err, "error: {msg}");
        1
    }
}

fn build_request(cmd: &CtlCommand) -> Result<Value, String> {
    Ok(match cmd {
        CtlCommand::Status => json!({"cmd": "status"}),
        CtlCommand::Stats => json!({"cmd": "stats"}),
        CtlCommand::Binds => json!({"cmd": "binds"}),
        CtlCommand::Routes(RoutesCmd::Show) => json!({"cmd": "routes.show"}),
        CtlCommand::Routes(RoutesCmd::Push { file }) => {
            json!({"cmd": "routes.push", "routes": read_routes(file)?})
        }
        CtlCommand::Routes(RoutesCmd::Diff { file }) => {
            json!({"cmd": "routes.diff", "routes": read_routes(file)?})
        }
        CtlCommand::Connector(ConnectorCmd::Enable { name }) => {
            json!({"cmd": "connector.enable", "name": name})
        }
        CtlCommand::Connector(ConnectorCmd::Disable { name }) => {
            json!({"cmd": "connector.disable", "name": name})
        }
        CtlCommand::Account(AccountCmd::Upsert { file }) => {
            json!({"cmd": "account.upsert", "account": read_account(file)?})
        }
        CtlCommand::Account(AccountCmd::Remove { system_id }) => {
            json!({"cmd": "account.remove", "system_id": system_id})
        }
        CtlCommand::Config(ConfigCmd::Reload { path: None }) => json!({"cmd": "config.reload"}),
        CtlCommand::Config(ConfigCmd::Reload { path: Some(p) }) => {
            // The server has its own working directory: send an absolute path.
            let abs = std::fs::canonicalize(p).map_err(|e| format!("{}: {e}", p.display()))?;
            json!({"cmd": "config.reload", "path": abs})
        }
    })
}

fn read_toml(file: &Path) -> Result<Map<String, Value>, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        format!(
            "{}: TOML syntax: {}",
            file.display(),
            e.message().replace('\n', "; ")
        )
    })?;
    match serde_json::to_value(table) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(format!("{}: cannot be sent as JSON", file.display())),
    }
}

/// The `[[route]]` tables of a routes file, as JSON objects.
fn read_routes(file: &Path) -> Result<Value, String> {
    let mut m = read_toml(file)?;
    if let Some(k) = m.keys().find(|k| *k != "route") {
        return Err(format!(
            "{}: only [[route]] tables belong in a routes file, found {k:?}",
            file.display()
        ));
    }
    match m.remove("route") {
        Some(Value::Array(routes)) => Ok(Value::Array(routes)),
        Some(_) => Err(format!("{}: write [[route]], not [route]", file.display())),
        None => Err(format!(
            "{}: no [[route]] tables; refusing to push an empty route table (it would reject every message)",
            file.display()
        )),
    }
}

/// The `[account]` table of an account file.
fn read_account(file: &Path) -> Result<Value, String> {
    let mut m = read_toml(file)?;
    if let Some(k) = m.keys().find(|k| *k != "account") {
        return Err(format!(
            "{}: only an [account] table belongs in an account file, found {k:?}",
            file.display()
        ));
    }
    match m.remove("account") {
        Some(v @ Value::Object(_)) => Ok(v),
        Some(Value::Array(mut v)) if v.len() == 1 => Ok(v.remove(0)),
        Some(_) => Err(format!(
            "{}: expected exactly one [account] table",
            file.display()
        )),
        None => Err(format!("{}: no [account] table", file.display())),
    }
}

// ---------------------------------------------------------------------------------------------
// Human output

fn render(cmd: &CtlCommand, reply: &Value) -> String {
    let version = reply.get("routes_version").map(cell).unwrap_or_default();
    let changed = reply.get("changed").and_then(Value::as_bool);
    let applied = |what: String| match changed {
        Some(false) => format!("no change: {what} (routes_version {version})\n"),
        _ => format!("{what}: routes_version {version}\n"),
    };
    match cmd {
        CtlCommand::Status => render_status(reply),
        CtlCommand::Stats => render_sections(reply),
        CtlCommand::Binds => render_binds(reply),
        CtlCommand::Routes(RoutesCmd::Show) => render_routes(reply),
        CtlCommand::Routes(RoutesCmd::Push { .. }) => applied(format!(
            "{} routes pushed",
            reply.get("routes").map(cell).unwrap_or_default()
        )),
        CtlCommand::Routes(RoutesCmd::Diff { .. }) => render_diff(reply),
        CtlCommand::Connector(ConnectorCmd::Enable { name }) => {
            applied(format!("connector {name} enabled"))
        }
        CtlCommand::Connector(ConnectorCmd::Disable { name }) => {
            applied(format!("connector {name} disabled"))
        }
        CtlCommand::Account(AccountCmd::Upsert { .. }) => {
            let id = reply.get("system_id").map(cell).unwrap_or_default();
            let how = if reply.get("added").and_then(Value::as_bool) == Some(true) {
                "added"
            } else {
                "updated"
            };
            applied(format!("account {id} {how}"))
        }
        CtlCommand::Account(AccountCmd::Remove { system_id }) => {
            applied(format!("account {system_id} removed"))
        }
        CtlCommand::Config(ConfigCmd::Reload { .. }) => applied(format!(
            "config {} reloaded",
            reply.get("config").map(cell).unwrap_or_default()
        )),
    }
}

/// One table cell: strings bare, null as `-`, lists comma-joined, objects as compact JSON.
fn cell(v: &Value) -> String {
    match v {
        Value::Null => "-".into(),
        Value::Array(items) if items.is_empty() => "-".into(),
        Value::String(s) => s.clone(),
        Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
            items.iter().map(cell).collect::<Vec<_>>().join(",")
        }
        other => other.to_string(),
    }
}

/// Aligned columns, two spaces apart, header first.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, c) in row.iter().enumerate() {
            if i < widths.len() {
                widths[i] = widths[i].max(c.chars().count());
            }
        }
    }
    let mut out = String::new();
    let mut line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut l = String::new();
        for (i, c) in cells.enumerate() {
            if i > 0 {
                l.push_str("  ");
            }
            l.push_str(c);
            let pad = widths
                .get(i)
                .copied()
                .unwrap_or(0)
                .saturating_sub(c.chars().count());
            l.extend(std::iter::repeat_n(' ', pad));
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(&mut headers.iter().copied());
    for row in rows {
        line(&mut row.iter().map(String::as_str));
    }
    out
}

/// An array of objects as a table whose columns are the union of their keys.
fn objects_table(items: &[Value]) -> String {
    // JSON objects arrive with sorted keys; put the identifying columns first.
    const FIRST: &[&str] = &["name", "system_id", "kind", "mode"];
    let mut cols: Vec<String> = Vec::new();
    for key in FIRST {
        if items.iter().any(|it| it.get(key).is_some()) {
            cols.push(key.to_string());
        }
    }
    for it in items {
        if let Value::Object(m) = it {
            for k in m.keys() {
                if !cols.contains(k) {
                    cols.push(k.clone());
                }
            }
        }
    }
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|it| {
            cols.iter()
                .map(|c| it.get(c).map(cell).unwrap_or_else(|| "-".into()))
                .collect()
        })
        .collect();
    let headers: Vec<&str> = cols.iter().map(String::as_str).collect();
    table(&headers, &rows)
}

/// Key/value rows of an object, nested objects flattened with dots.
fn kv_rows(prefix: &str, m: &Map<String, Value>, rows: &mut Vec<Vec<String>>) {
    for (k, v) in m {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            Value::Object(inner) => kv_rows(&key, inner, rows),
            other => rows.push(vec![key, cell(other)]),
        }
    }
}

fn is_object_list(v: &Value) -> bool {
    matches!(v, Value::Array(items) if !items.is_empty() && items.iter().all(Value::is_object))
}

fn render_status(reply: &Value) -> String {
    let Value::Object(m) = reply else {
        return String::new();
    };
    let mut scalars = Map::new();
    let mut out = String::new();
    let mut lists = Vec::new();
    for (k, v) in m {
        if k == "ok" {
            continue;
        }
        if is_object_list(v) {
            lists.push((k, v));
        } else {
            scalars.insert(k.clone(), v.clone());
        }
    }
    let mut rows = Vec::new();
    kv_rows("", &scalars, &mut rows);
    out.push_str(&table(&["key", "value"], &rows));
    for (k, v) in lists {
        out.push_str(&format!("\n{k}:\n"));
        out.push_str(&objects_table(v.as_array().map_or(&[], Vec::as_slice)));
    }
    out
}

/// `stats`: one table per top-level section.
fn render_sections(reply: &Value) -> String {
    let Value::Object(m) = reply else {
        return String::new();
    };
    let mut out = String::new();
    let mut general = Vec::new();
    for (k, v) in m {
        if k == "ok" {
            continue;
        }
        match v {
            Value::Object(inner) => {
                let mut rows = Vec::new();
                kv_rows("", inner, &mut rows);
                out.push_str(&format!("{k}:\n"));
                out.push_str(&table(&["name", "value"], &rows));
                out.push('\n');
            }
            v if is_object_list(v) => {
                out.push_str(&format!("{k}:\n"));
                out.push_str(&objects_table(v.as_array().map_or(&[], Vec::as_slice)));
                out.push('\n');
            }
            other => general.push(vec![k.clone(), cell(other)]),
        }
    }
    if !general.is_empty() {
        out.insert_str(0, &format!("{}\n", table(&["name", "value"], &general)));
    }
    out
}

fn render_binds(reply: &Value) -> String {
    let Value::Object(m) = reply else {
        return String::new();
    };
    let mut out = String::new();
    for (k, v) in m {
        match v {
            Value::Array(items) if items.is_empty() => out.push_str(&format!("{k}: none\n")),
            Value::Array(items) => {
                out.push_str(&format!("{k}:\n"));
                out.push_str(&objects_table(items));
            }
            _ => {}
        }
    }
    out
}

fn route_row(i: usize, r: &Value) -> Vec<String> {
    let get = |k: &str| r.get(k).map(cell).unwrap_or_else(|| "-".into());
    let mut conds = Vec::new();
    for k in [
        "accounts",
        "source_addrs",
        "source_prefix",
        "service_types",
        "data_codings",
    ] {
        if let Some(v) = r.get(k) {
            conds.push(format!("{k}={}", cell(v)));
        }
    }
    let action = match (r.get("action").and_then(Value::as_str), r.get("status")) {
        (Some("reject"), Some(s)) => format!("reject {}", cell(s)),
        (Some(a), _) => a.to_string(),
        _ => "forward".into(),
    };
    let prefix = match r.get("prefix").and_then(Value::as_str) {
        Some("") => "\"\"".into(),
        _ => get("prefix"),
    };
    vec![
        (i + 1).to_string(),
        get("name"),
        prefix,
        if conds.is_empty() {
            "-".into()
        } else {
            conds.join(" ")
        },
        action,
        get("strategy"),
        get("connectors"),
        get("weights"),
    ]
}

const ROUTE_HEADERS: &[&str] = &[
    "#",
    "name",
    "prefix",
    "conditions",
    "action",
    "strategy",
    "connectors",
    "weights",
];

fn render_routes(reply: &Value) -> String {
    let routes = reply
        .get("routes")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    let rows: Vec<Vec<String>> = routes
        .iter()
        .enumerate()
        .map(|(i, r)| route_row(i, r))
        .collect();
    let version = reply.get("routes_version").map(cell).unwrap_or_default();
    format!(
        "routes_version {version}, {} routes\n{}",
        routes.len(),
        table(ROUTE_HEADERS, &rows)
    )
}

fn render_diff(reply: &Value) -> String {
    let d = reply.get("diff").cloned().unwrap_or(Value::Null);
    let list = |k: &str| {
        d.get(k)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let (added, removed, changed, reordered) = (
        list("added"),
        list("removed"),
        list("changed"),
        list("reordered"),
    );
    let total = added.len() + removed.len() + changed.len() + reordered.len();
    if total == 0 {
        return "no changes\n".into();
    }
    let mut out = format!(
        "{} added, {} removed, {} changed, {} prefixes reordered\n",
        added.len(),
        removed.len(),
        changed.len(),
        reordered.len()
    );
    for (sign, items) in [("+", &added), ("-", &removed)] {
        for it in items.iter() {
            let pos = it.get("position").map(cell).unwrap_or_default();
            let row = route_row(0, it.get("route").unwrap_or(&Value::Null));
            out.push_str(&format!(
                "{sign} route {pos}: {} -> {} {}\n",
                it.get("key").map(cell).unwrap_or_default(),
                row[4],
                row[6]
            ));
        }
    }
    for it in &changed {
        let fields = it.get("fields").map(cell).unwrap_or_default();
        let mut line = format!(
            "~ {} (route {}):",
            it.get("key").map(cell).unwrap_or_default(),
            cell(&it["new_position"])
        );
        for f in fields.split(',') {
            let old = it
                .get("old")
                .and_then(|o| o.get(f))
                .map(cell)
                .unwrap_or_else(|| "-".into());
            let new = it
                .get("new")
                .and_then(|o| o.get(f))
                .map(cell)
                .unwrap_or_else(|| "-".into());
            line.push_str(&format!(" {f} {old} -> {new};"));
        }
        line.pop();
        out.push_str(&line);
        out.push('\n');
    }
    for p in &reordered {
        out.push_str(&format!(
            "! prefix {:?}: route order changed (first match wins)\n",
            cell(p)
        ));
    }
    out
}
