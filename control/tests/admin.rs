//! The admin socket over a real unix socket: every command, atomicity, permissions.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::process::Command;
use std::sync::Arc;

use common::{call, start, FakeHooks};
use serde_json::{json, Value};
use smsedge_control::admin::{authorize, serve_admin, ControlPlane, MAX_LINE};
use smsedge_control::{Config, RouteQuery};

fn ok(v: &Value) -> bool {
    v["ok"] == json!(true)
}

#[test]
fn status_stats_binds_merge_the_engine_hooks() {
    let h = start();
    let s = call(&h.socket, json!({"cmd": "status"}));
    assert!(ok(&s), "{s}");
    assert_eq!(s["routes_version"], 1);
    assert_eq!(s["shards"], 2, "engine keys are merged in");
    assert_eq!(s["config"], h.config_file.display().to_string());
    assert!(s["uptime_s"].is_u64());
    assert_eq!(s["connectors"][1]["name"], "smsc-b");
    assert_eq!(s["connectors"][1]["enabled"], true);
    let st = call(&h.socket, json!({"cmd": "stats"}));
    assert!(ok(&st));
    assert_eq!(st["submit_sm"]["forwarded"], 1190);
    let b = call(&h.socket, json!({"cmd": "binds"}));
    assert!(ok(&b));
    assert_eq!(b["binds"][1]["system_id"], "globex");
}

#[test]
fn unknown_and_malformed_requests_are_answered() {
    let h = start();
    let r = call(&h.socket, json!({"cmd": "reboot"}));
    assert_eq!(r["ok"], false);
    assert!(
        r["error"]
            .as_str()
            .unwrap()
            .starts_with("unknown command \"reboot\""),
        "{r}"
    );
    let r = call(&h.socket, json!({"cmd": "status", "verbose": true}));
    assert_eq!(r["error"], "status: unknown key \"verbose\"");
    let r = call(&h.socket, json!({"cmd": "connector.enable"}));
    assert_eq!(r["error"], "connector.enable: missing \"name\"");
    // Not JSON at all, then a good request on the same connection.
    let mut s = UnixStream::connect(&h.socket).unwrap();
    s.write_all(b"hello\n{\"cmd\":\"routes.show\"}\n").unwrap();
    let mut lines = BufReader::new(s).lines();
    let first: Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    assert_eq!(first["ok"], false);
    assert!(first["error"].as_str().unwrap().starts_with("invalid JSON"));
    let second: Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    assert!(ok(&second));
}

#[test]
fn routes_show_lists_the_running_routes() {
    let h = start();
    let r = call(&h.socket, json!({"cmd": "routes.show"}));
    assert!(ok(&r));
    assert_eq!(r["routes_version"], 1);
    assert_eq!(
        r["routes"],
        json!([
            {"prefix": "44", "connectors": ["smsc-a"], "strategy": "failover", "action": "forward"},
            {"prefix": "", "connectors": ["smsc-b"], "strategy": "failover", "action": "forward"},
        ])
    );
}

#[test]
fn routes_push_bumps_the_version_and_publishes() {
    let h = start();
    let mut shard = h.cp.snapshot();
    assert_eq!(shard.get().version, 1);
    let r = call(
        &h.socket,
        json!({"cmd": "routes.push", "routes": [
            {"prefix": "33", "connectors": ["smsc-b"], "accounts": ["globex"]},
            {"prefix": "", "connectors": ["smsc-a"]},
        ]}),
    );
    assert!(ok(&r), "{r}");
    assert_eq!(r["routes_version"], 2);
    assert_eq!(r["changed"], true);
    assert_eq!(
        shard.get().version,
        1,
        "a shard sees nothing until it refreshes"
    );
    assert!(shard.refresh());
    let rt = shard.get();
    assert_eq!(rt.version, 2);
    let globex = rt.account_id("globex").unwrap();
    let q = RouteQuery {
        destination: b"331",
        account: globex,
        source_addr: b"",
        service_type: b"",
        data_coding: 0,
    };
    assert_eq!(
        rt.routes.lookup(&q).unwrap().connectors,
        vec![rt.connector_id("smsc-b").unwrap()]
    );
    let q = RouteQuery {
        destination: b"441",
        ..q
    };
    assert_eq!(
        rt.routes.lookup(&q).unwrap().index,
        1,
        "the old 44 route is gone"
    );
    assert_eq!(h.cp.routes_version(), 2);
    assert_eq!(h.cp.config().routes.len(), 2);
    // The same routes again: accepted, nothing published, version unchanged.
    let again = call(
        &h.socket,
        json!({"cmd": "routes.push", "routes": [
            {"prefix": "33", "connectors": ["smsc-b"], "accounts": ["globex"]},
            {"prefix": "", "connectors": ["smsc-a"]},
        ]}),
    );
    assert_eq!(
        (
            again["ok"].clone(),
            again["changed"].clone(),
            again["routes_version"].clone()
        ),
        (json!(true), json!(false), json!(2))
    );
    assert!(!shard.refresh());
}

#[test]
fn a_broken_push_changes_nothing() {
    let h = start();
    let before = h.cp.runtime();
    let epoch = h.cp.publisher().epoch();
    let r = call(
        &h.socket,
        json!({"cmd": "routes.push", "routes": [
            {"prefix": "44", "connectors": ["smsc-a"]},
            {"prefix": "", "connectors": ["smsc-x"]},
            {"prefix": "4x", "connectors": ["smsc-a"]},
        ]}),
    );
    assert_eq!(r["ok"], false);
    assert_eq!(
        r["error"],
        "route 2: connector \"smsc-x\" does not exist; route 3.prefix: must be digits 0-9 (after an optional leading '+'), got \"4x\""
    );
    assert!(
        Arc::ptr_eq(&before, &h.cp.runtime()),
        "the published Runtime is the same Arc"
    );
    assert_eq!(h.cp.publisher().epoch(), epoch);
    assert_eq!(h.cp.routes_version(), 1);
    let r = call(
        &h.socket,
        json!({"cmd": "routes.push", "routes": [{"prefix": "44", "connectors": ["smsc-a"], "colour": 1}]}),
    );
    assert!(
        r["error"]
            .as_str()
            .unwrap()
            .starts_with("route 1.colour: unknown key \"colour\""),
        "{r}"
    );
    let r = call(
        &h.socket,
        json!({"cmd": "routes.push", "routes": {"prefix": "44"}}),
    );
    assert_eq!(
        r["error"],
        "routes.push: \"routes\" must be an array of route objects"
    );
    assert_eq!(h.cp.routes_version(), 1);
}

#[test]
fn routes_diff_shows_what_a_push_would_change() {
    let h = start();
    let r = call(
        &h.socket,
        json!({"cmd": "routes.diff", "routes": [
            {"prefix": "44", "connectors": ["smsc-a", "smsc-b"]},
            {"prefix": "49", "connectors": ["smsc-b"]},
        ]}),
    );
    assert!(ok(&r), "{r}");
    assert_eq!(r["changes"], 3);
    let d = &r["diff"];
    assert_eq!(d["added"][0]["key"], "prefix \"49\"");
    assert_eq!(d["removed"][0]["key"], "prefix \"\"");
    assert_eq!(d["changed"][0]["fields"], json!(["connectors"]));
    assert_eq!(d["changed"][0]["old"]["connectors"], json!(["smsc-a"]));
    assert_eq!(h.cp.routes_version(), 1, "a diff applies nothing");
    let bad = call(
        &h.socket,
        json!({"cmd": "routes.diff", "routes": [{"prefix": "1", "connectors": ["nope"]}]}),
    );
    assert_eq!(bad["error"], "route 1: connector \"nope\" does not exist");
}

#[test]
fn connector_disable_and_enable_flip_the_published_flag() {
    let h = start();
    let r = call(
        &h.socket,
        json!({"cmd": "connector.disable", "name": "smsc-b"}),
    );
    assert!(ok(&r), "{r}");
    assert_eq!(
        (r["routes_version"].clone(), r["enabled"].clone()),
        (json!(2), json!(false))
    );
    let rt = h.cp.runtime();
    assert!(!rt.connector_by_name("smsc-b").unwrap().enabled);
    assert!(rt.connector_by_name("smsc-a").unwrap().enabled);
    let r = call(
        &h.socket,
        json!({"cmd": "connector.disable", "name": "smsc-b"}),
    );
    assert_eq!(
        (r["changed"].clone(), r["routes_version"].clone()),
        (json!(false), json!(2))
    );
    let r = call(
        &h.socket,
        json!({"cmd": "connector.enable", "name": "smsc-b"}),
    );
    assert_eq!(r["routes_version"], 3);
    assert!(h.cp.runtime().connector_by_name("smsc-b").unwrap().enabled);
    let r = call(
        &h.socket,
        json!({"cmd": "connector.enable", "name": "smsc-z"}),
    );
    assert_eq!(r["error"], "connector \"smsc-z\" does not exist");
}

#[test]
fn accounts_are_upserted_and_removed() {
    let h = start();
    let r = call(
        &h.socket,
        json!({"cmd": "account.upsert", "account": {"system_id": "initech", "password": "pw", "tps": 50, "allowed_ips": ["10.0.0.0/8"]}}),
    );
    assert!(ok(&r), "{r}");
    assert_eq!(
        (r["added"].clone(), r["routes_version"].clone()),
        (json!(true), json!(2))
    );
    let rt = h.cp.runtime();
    let a = rt.account_by_system_id("initech").unwrap();
    assert_eq!(a.config.tps, 50);
    assert!(a.ip_allowed("10.9.9.9".parse().unwrap()));
    let r = call(
        &h.socket,
        json!({"cmd": "account.upsert", "account": {"system_id": "initech", "password": "pw2"}}),
    );
    assert_eq!(
        (r["added"].clone(), r["routes_version"].clone()),
        (json!(false), json!(3))
    );
    assert_eq!(
        h.cp.runtime()
            .account_by_system_id("initech")
            .unwrap()
            .config
            .tps,
        0,
        "upsert replaces the whole account"
    );
    let bad = call(
        &h.socket,
        json!({"cmd": "account.upsert", "account": {"system_id": "x", "password": "far-too-long"}}),
    );
    assert_eq!(
        bad["error"],
        "account \"x\".password: must be at most 8 characters, got 12 (\"far-too-long\")"
    );
    let r = call(
        &h.socket,
        json!({"cmd": "account.remove", "system_id": "initech"}),
    );
    assert!(ok(&r));
    assert!(h.cp.runtime().account_by_system_id("initech").is_none());
    let r = call(
        &h.socket,
        json!({"cmd": "account.remove", "system_id": "initech"}),
    );
    assert_eq!(r["error"], "account \"initech\" does not exist");
    // An account a route names cannot go.
    call(
        &h.socket,
        json!({"cmd": "routes.push", "routes": [{"prefix": "", "connectors": ["smsc-a"], "accounts": ["globex"]}]}),
    );
    let v = h.cp.routes_version();
    let r = call(
        &h.socket,
        json!({"cmd": "account.remove", "system_id": "globex"}),
    );
    assert_eq!(r["error"], "route 1: account \"globex\" does not exist");
    assert_eq!(h.cp.routes_version(), v);
}

#[test]
fn config_reload_applies_a_valid_file_and_refuses_a_bad_one() {
    let h = start();
    let edited = common::CONFIG.replace("prefix = \"44\"", "prefix = \"45\"");
    std::fs::write(&h.config_file, &edited).unwrap();
    let r = call(&h.socket, json!({"cmd": "config.reload"}));
    assert!(ok(&r), "{r}");
    assert_eq!(r["routes_version"], 2);
    assert_eq!(h.cp.runtime().routes.routes().len(), 2);
    assert_eq!(h.cp.config().routes[0].prefix, "45");

    let before = h.cp.runtime();
    std::fs::write(
        &h.config_file,
        edited.replace("[server]", "[server]\nbogus = 1"),
    )
    .unwrap();
    let r = call(&h.socket, json!({"cmd": "config.reload"}));
    assert!(
        r["error"]
            .as_str()
            .unwrap()
            .starts_with("server.bogus: unknown key \"bogus\""),
        "{r}"
    );
    std::fs::write(
        &h.config_file,
        edited
            .replace("127.0.0.1:2775", "127.0.0.1:2999")
            .replace("\"smsc-b\"]", "\"smsc-q\"]"),
    )
    .unwrap();
    let r = call(&h.socket, json!({"cmd": "config.reload"}));
    assert_eq!(
        r["error"], "route 2: connector \"smsc-q\" does not exist",
        "validation errors come first; the restart-only check runs on a valid file"
    );
    std::fs::write(
        &h.config_file,
        edited.replace("127.0.0.1:2775", "127.0.0.1:2999"),
    )
    .unwrap();
    let r = call(&h.socket, json!({"cmd": "config.reload"}));
    assert_eq!(
        r["error"],
        "server.listen: cannot change at run time (restart smsedge to apply it)"
    );
    assert!(Arc::ptr_eq(&before, &h.cp.runtime()));
    assert_eq!(h.cp.routes_version(), 2);

    // Another file, named in the request.
    let other = h.dir.path().join("other.toml");
    std::fs::write(
        &other,
        common::CONFIG.replace("prefix = \"44\"", "prefix = \"46\""),
    )
    .unwrap();
    let r = call(&h.socket, json!({"cmd": "config.reload", "path": other}));
    assert!(ok(&r), "{r}");
    assert_eq!(h.cp.config_path().unwrap(), other);
    let r = call(
        &h.socket,
        json!({"cmd": "config.reload", "path": "/nonexistent/x.toml"}),
    );
    assert!(
        r["error"]
            .as_str()
            .unwrap()
            .starts_with("/nonexistent/x.toml: cannot read"),
        "{r}"
    );
}

#[test]
fn socket_file_is_private_and_cleaned_up() {
    let h = start();
    let mode = std::fs::metadata(&h.socket).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let dir_mode = std::fs::metadata(h.socket.parent().unwrap())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(dir_mode & 0o777, 0o700, "a folder it creates is 0700");
    // A second server on the same path is refused while the first one answers.
    let cp2 =
        Arc::new(ControlPlane::new(Config::embedded_default(), None, Arc::new(FakeHooks)).unwrap());
    let e = serve_admin(&h.socket, cp2.clone()).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::AddrInUse);
    assert!(e.to_string().contains("admin socket in use"));
    let common::Harness {
        server,
        socket,
        dir,
        ..
    } = h;
    drop(server);
    assert!(!socket.exists(), "the socket file is removed on drop");
    // A stale socket (nobody listening) is replaced.
    let stale = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    drop(stale);
    assert!(socket.exists());
    let server = serve_admin(&socket, cp2).unwrap();
    assert!(ok(&call(&socket, json!({"cmd": "status"}))));
    drop(server);
    // Something that is not a socket is never replaced.
    std::fs::write(&socket, "precious").unwrap();
    let cp3 =
        Arc::new(ControlPlane::new(Config::embedded_default(), None, Arc::new(FakeHooks)).unwrap());
    assert!(serve_admin(&socket, cp3).is_err());
    assert_eq!(std::fs::read_to_string(&socket).unwrap(), "precious");
    drop(dir);
}

#[test]
fn an_oversize_line_is_refused_and_the_connection_closed() {
    let h = start();
    let mut s = UnixStream::connect(&h.socket).unwrap();
    let big = vec![b'x'; MAX_LINE + 10];
    // The server may close before we finish writing; that is fine.
    let _ = s.write_all(&big);
    let _ = s.write_all(b"\n");
    let mut lines = BufReader::new(&s).lines();
    let reply: Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    assert_eq!(
        reply["error"],
        format!("request line longer than {MAX_LINE} bytes")
    );
    assert!(
        lines.next().is_none(),
        "then the server closes the connection"
    );
    // A line of exactly MAX_LINE bytes is still read (and answered as bad JSON).
    let mut s = UnixStream::connect(&h.socket).unwrap();
    let mut line = vec![b' '; MAX_LINE - 15];
    line.splice(0..0, b"{\"cmd\":\"stats\"}".iter().copied());
    assert_eq!(line.len(), MAX_LINE);
    line.push(b'\n');
    s.write_all(&line).unwrap();
    let reply: Value =
        serde_json::from_str(&BufReader::new(&s).lines().next().unwrap().unwrap()).unwrap();
    assert!(ok(&reply), "{reply}");
}

#[test]
fn authorize_admits_only_the_same_uid() {
    assert!(authorize(1000, 1000));
    assert!(authorize(0, 0));
    assert!(!authorize(0, 1000));
    assert!(!authorize(1001, 1000));
    assert!(!authorize(65534, 0));
}

/// Run as uid 65534 by `another_uid_is_refused`: connects to $SMSEDGE_TEST_SOCKET, sends
/// status, prints what happened.
#[test]
#[ignore = "helper process for another_uid_is_refused"]
fn other_uid_client() {
    let Some(path) = std::env::var_os("SMSEDGE_TEST_SOCKET") else {
        return;
    };
    // SAFETY: getuid has no preconditions.
    let uid = unsafe { libc::getuid() };
    match UnixStream::connect(&path) {
        Err(e) => println!("RESULT uid={uid} connect-error={:?}", e.kind()),
        Ok(mut s) => {
            // The server may answer and close before the request is written (it refuses on
            // the peer's uid alone): a broken pipe here is fine, the reply is already queued.
            let _ = s.write_all(b"{\"cmd\":\"status\"}\n");
            let mut line = String::new();
            BufReader::new(&s).read_line(&mut line).unwrap();
            println!("RESULT uid={uid} reply={}", line.trim());
        }
    }
}

fn run_as_nobody(socket: &std::path::Path) -> String {
    // The test binary is copied where uid 65534 may execute it.
    let bin_dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(bin_dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let exe = bin_dir.path().join("admin-test");
    std::fs::copy(std::env::current_exe().unwrap(), &exe).unwrap();
    std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut cmd = Command::new(&exe);
    cmd.args([
        "--exact",
        "other_uid_client",
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ])
    .env("SMSEDGE_TEST_SOCKET", socket)
    .current_dir("/");
    // SAFETY: only async-signal-safe calls (setgroups/setgid/setuid) between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            if libc::setgroups(0, std::ptr::null()) != 0
                || libc::setgid(65534) != 0
                || libc::setuid(65534) != 0
            {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let out = cmd.output().expect("run the client as uid 65534");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    stdout
        .lines()
        .find_map(|l| l.find("RESULT ").map(|i| l[i..].to_string()))
        .unwrap_or_else(|| {
            panic!(
                "helper printed no RESULT: {stdout} {}",
                String::from_utf8_lossy(&out.stderr)
            )
        })
}

#[test]
fn another_uid_is_refused() {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        // Without root we cannot become another user; the decision itself is covered by
        // `authorize_admits_only_the_same_uid` and the server calls exactly that.
        eprintln!("not root: the real-socket other-uid check needs root to setuid a client");
        assert!(!authorize(65534, 1000));
        return;
    }
    // The server runs as root; a client of uid 65534 is another user for both the file mode
    // and SO_PEERCRED. Its folders are opened (0755) so that only the socket itself decides.
    let h = start();
    // 1. With the socket at 0600 the kernel already refuses the connect.
    let tmp_mode = std::fs::metadata(h.dir.path())
        .unwrap()
        .permissions()
        .mode();
    std::fs::set_permissions(h.dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(
        h.socket.parent().unwrap(),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    let result = run_as_nobody(&h.socket);
    assert_eq!(result, "RESULT uid=65534 connect-error=PermissionDenied");
    // 2. Even if the mode is opened up, the peer-uid check refuses the user.
    std::fs::set_permissions(&h.socket, std::fs::Permissions::from_mode(0o666)).unwrap();
    let result = run_as_nobody(&h.socket);
    assert_eq!(
        result,
        r#"RESULT uid=65534 reply={"ok":false,"error":"permission denied: uid 65534"}"#
    );
    std::fs::set_permissions(h.dir.path(), std::fs::Permissions::from_mode(tmp_mode)).unwrap();
    // The server is still fine for its own user.
    assert!(ok(&call(&h.socket, json!({"cmd": "status"}))));
}
