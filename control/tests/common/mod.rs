//! Shared by the integration tests: a test double for the engine's side of `EngineHooks`, and a
//! control plane served on a real unix socket in a temp folder.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use smsedge_control::admin::{request, serve_admin, AdminServer, ControlPlane, EngineHooks};
use smsedge_control::Config;

#[derive(Debug)]
pub struct FakeHooks;

impl EngineHooks for FakeHooks {
    fn status(&self) -> Value {
        json!({"shards": 2, "engine_state": "running"})
    }
    fn stats(&self) -> Value {
        json!({
            "submit_sm": {"received": 1200, "forwarded": 1190, "rejected": 10},
            "receipts": {"delivered": 900, "held": 3},
        })
    }
    fn binds(&self) -> Value {
        json!({"binds": [
            {"system_id": "acme", "peer": "127.0.0.1:40000", "mode": "transceiver", "shard": 0},
            {"system_id": "globex", "peer": "10.0.0.7:51000", "mode": "transmitter", "shard": 1},
        ]})
    }
    fn prometheus(&self) -> String {
        "# HELP smsedge_submit_sm_total submits\n# TYPE smsedge_submit_sm_total counter\nsmsedge_submit_sm_total 1200\n"
            .into()
    }
}

pub const CONFIG: &str = r#"
[server]
listen = ["127.0.0.1:2775"]

[[account]]
system_id = "acme"
password = "pw"

[[account]]
system_id = "globex"
password = "pw"

[[connector]]
name = "smsc-a"
kind = "smpp"
address = "127.0.0.1:2776"

[[connector]]
name = "smsc-b"
kind = "smpp"
address = "127.0.0.1:2777"

[[route]]
prefix = "44"
connectors = ["smsc-a"]

[[route]]
prefix = ""
connectors = ["smsc-b"]
"#;

/// Fields drop in order: the server (and its socket file) before the temp folder.
pub struct Harness {
    pub server: AdminServer,
    pub dir: tempfile::TempDir,
    pub cp: Arc<ControlPlane>,
    pub socket: PathBuf,
    pub config_file: PathBuf,
}

pub fn start() -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let config_file = dir.path().join("smsedge.toml");
    std::fs::write(&config_file, CONFIG).unwrap();
    let config = Config::load(&config_file).unwrap();
    let cp = Arc::new(
        ControlPlane::new(config, Some(config_file.clone()), Arc::new(FakeHooks)).unwrap(),
    );
    // A folder that does not exist yet: serve_admin creates it (0700).
    let socket = dir.path().join("run").join("admin.sock");
    let server = serve_admin(&socket, cp.clone()).unwrap();
    Harness {
        server,
        dir,
        cp,
        socket,
        config_file,
    }
}

pub fn call(socket: &Path, req: Value) -> Value {
    request(socket, &req, Duration::from_secs(10)).unwrap()
}
