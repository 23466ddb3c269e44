//! `smsedge ctl` against a real admin server: exit codes and human output.

mod common;

use std::path::PathBuf;

use clap::Parser;
use common::start;
use smsedge_control::ctl::{
    run_ctl_with, AccountCmd, ConfigCmd, ConnectorCmd, CtlArgs, CtlCommand, RoutesCmd,
};

fn ctl(socket: &std::path::Path, json: bool, cmd: CtlCommand) -> (i32, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = run_ctl_with(Some(socket.to_path_buf()), json, cmd, &mut out, &mut err);
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

#[test]
fn parses_the_command_line() {
    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        ctl: CtlArgs,
    }
    let cli = Cli::try_parse_from([
        "ctl", "--socket", "/x.sock", "--json", "routes", "push", "r.toml",
    ])
    .unwrap();
    assert_eq!(cli.ctl.socket, Some(PathBuf::from("/x.sock")));
    assert!(cli.ctl.json);
    assert_eq!(
        cli.ctl.command,
        CtlCommand::Routes(RoutesCmd::Push {
            file: "r.toml".into()
        })
    );
    let cli = Cli::try_parse_from(["ctl", "config", "reload"]).unwrap();
    assert_eq!(
        cli.ctl.command,
        CtlCommand::Config(ConfigCmd::Reload { path: None })
    );
    let cli = Cli::try_parse_from(["ctl", "connector", "disable", "smsc-a"]).unwrap();
    assert_eq!(
        cli.ctl.command,
        CtlCommand::Connector(ConnectorCmd::Disable {
            name: "smsc-a".into()
        })
    );
    assert!(Cli::try_parse_from(["ctl", "routes", "push"]).is_err());
}

#[test]
fn status_stats_and_binds_print_tables() {
    let h = start();
    let (code, out, err) = ctl(&h.socket, false, CtlCommand::Status);
    assert_eq!((code, err.as_str()), (0, ""));
    assert!(
        out.lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["routes_version", "1"]),
        "{out}"
    );
    assert!(out.contains("connectors:"), "{out}");
    assert!(
        out.lines().any(|l| l.split_whitespace().collect::<Vec<_>>()
            == ["smsc-b", "smpp", "127.0.0.1:2777", "true"]),
        "{out}"
    );

    let (code, out, _) = ctl(&h.socket, false, CtlCommand::Stats);
    assert_eq!(code, 0);
    assert!(
        out.contains("submit_sm:\n") && out.contains("receipts:\n"),
        "one table per section: {out}"
    );
    assert!(
        out.lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["forwarded", "1190"]),
        "{out}"
    );

    let (code, out, _) = ctl(&h.socket, false, CtlCommand::Binds);
    assert_eq!(code, 0);
    let header = out.lines().nth(1).unwrap();
    assert_eq!(
        header.split_whitespace().collect::<Vec<_>>(),
        ["system_id", "mode", "peer", "shard"]
    );
    // Columns are aligned: every value starts where its header starts.
    let col = header.find("peer").unwrap();
    for line in out.lines().skip(2) {
        assert!(
            line[col..].starts_with("127.0.0.1") || line[col..].starts_with("10.0.0.7"),
            "{out}"
        );
    }
}

#[test]
fn json_flag_prints_the_raw_reply() {
    let h = start();
    let (code, out, _) = ctl(&h.socket, true, CtlCommand::Routes(RoutesCmd::Show));
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["routes"][0]["prefix"], "44");
    assert_eq!(out.lines().count(), 1);
}

#[test]
fn routes_push_diff_and_show_from_a_toml_file() {
    let h = start();
    let file = h.dir.path().join("routes.toml");
    std::fs::write(
        &file,
        "[[route]]\nname = \"uk\"\nprefix = \"+44\"\nconnectors = [\"smsc-a\", \"smsc-b\"]\nstrategy = \"weighted\"\nweights = [3, 1]\n\
         [[route]]\nprefix = \"4490\"\naction = \"reject\"\nstatus = \"ESME_RINVDSTADR\"\n",
    )
    .unwrap();
    let (code, out, _) = ctl(
        &h.socket,
        false,
        CtlCommand::Routes(RoutesCmd::Diff { file: file.clone() }),
    );
    assert_eq!(code, 0);
    assert!(out.starts_with("2 added, 2 removed, 0 changed"), "{out}");
    assert!(out.contains("+ route 1: name \"uk\""), "{out}");
    assert!(out.contains("- route 2: prefix \"\""), "{out}");
    let (code, out, _) = ctl(
        &h.socket,
        false,
        CtlCommand::Routes(RoutesCmd::Push { file: file.clone() }),
    );
    assert_eq!(
        (code, out.as_str()),
        (0, "2 routes pushed: routes_version 2\n")
    );
    let (code, out, _) = ctl(
        &h.socket,
        false,
        CtlCommand::Routes(RoutesCmd::Push { file: file.clone() }),
    );
    assert_eq!(
        (code, out.as_str()),
        (0, "no change: 2 routes pushed (routes_version 2)\n")
    );
    let (code, out, _) = ctl(&h.socket, false, CtlCommand::Routes(RoutesCmd::Show));
    assert_eq!(code, 0);
    let rows: Vec<Vec<&str>> = out
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(
        rows[1],
        [
            "#",
            "name",
            "prefix",
            "conditions",
            "action",
            "strategy",
            "connectors",
            "weights"
        ]
    );
    assert_eq!(
        rows[2],
        [
            "1",
            "uk",
            "+44",
            "-",
            "forward",
            "weighted",
            "smsc-a,smsc-b",
            "3,1"
        ]
    );
    assert_eq!(
        rows[3],
        [
            "2",
            "-",
            "4490",
            "-",
            "reject",
            "ESME_RINVDSTADR",
            "failover",
            "-",
            "-"
        ]
    );
    let (code, out, _) = ctl(
        &h.socket,
        false,
        CtlCommand::Routes(RoutesCmd::Diff { file }),
    );
    assert_eq!((code, out.as_str()), (0, "no changes\n"));
}

#[test]
fn refusals_exit_1_with_the_error_on_stderr() {
    let h = start();
    let file = h.dir.path().join("bad.toml");
    std::fs::write(
        &file,
        "[[route]]\nprefix = \"44\"\nconnectors = [\"smsc-x\"]\n",
    )
    .unwrap();
    let (code, out, err) = ctl(
        &h.socket,
        false,
        CtlCommand::Routes(RoutesCmd::Push { file: file.clone() }),
    );
    assert_eq!((code, out.as_str()), (1, ""));
    assert_eq!(err, "error: route 1: connector \"smsc-x\" does not exist\n");
    let (code, out, _) = ctl(
        &h.socket,
        true,
        CtlCommand::Routes(RoutesCmd::Push { file }),
    );
    assert_eq!(code, 1);
    assert!(
        out.contains("\"ok\":false"),
        "--json still prints the reply: {out}"
    );
    let (code, _, err) = ctl(
        &h.socket,
        false,
        CtlCommand::Connector(ConnectorCmd::Enable {
            name: "nope".into(),
        }),
    );
    assert_eq!(
        (code, err.as_str()),
        (1, "error: connector \"nope\" does not exist\n")
    );
    // A local problem with the input file is also exit 1, and nothing is sent.
    let other = h.dir.path().join("mixed.toml");
    std::fs::write(&other, "[server]\nlisten = []\n[[route]]\nprefix = \"1\"\n").unwrap();
    let (code, _, err) = ctl(
        &h.socket,
        false,
        CtlCommand::Routes(RoutesCmd::Push { file: other }),
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("only [[route]] tables belong in a routes file, found \"server\""),
        "{err}"
    );
    assert_eq!(h.cp.routes_version(), 1);
}

#[test]
fn accounts_connectors_and_reload() {
    let h = start();
    let file = h.dir.path().join("account.toml");
    std::fs::write(
        &file,
        "[account]\nsystem_id = \"initech\"\npassword = \"pw\"\ntps = 100\n",
    )
    .unwrap();
    let (code, out, _) = ctl(
        &h.socket,
        false,
        CtlCommand::Account(AccountCmd::Upsert { file }),
    );
    assert_eq!(
        (code, out.as_str()),
        (0, "account initech added: routes_version 2\n")
    );
    assert_eq!(
        h.cp.runtime()
            .account_by_system_id("initech")
            .unwrap()
            .config
            .tps,
        100
    );
    let (code, out, _) = ctl(
        &h.socket,
        false,
        CtlCommand::Account(AccountCmd::Remove {
            system_id: "initech".into(),
        }),
    );
    assert_eq!(
        (code, out.as_str()),
        (0, "account initech removed: routes_version 3\n")
    );
    let (code, out, _) = ctl(
        &h.socket,
        false,
        CtlCommand::Connector(ConnectorCmd::Disable {
            name: "smsc-a".into(),
        }),
    );
    assert_eq!(
        (code, out.as_str()),
        (0, "connector smsc-a disabled: routes_version 4\n")
    );
    let (code, out, _) = ctl(
        &h.socket,
        false,
        CtlCommand::Config(ConfigCmd::Reload { path: None }),
    );
    assert_eq!(code, 0);
    assert_eq!(
        out,
        format!(
            "config {} reloaded: routes_version 5\n",
            h.config_file.display()
        )
    );
    assert!(
        h.cp.runtime().connector_by_name("smsc-a").unwrap().enabled,
        "the file says enabled"
    );
}

#[test]
fn an_unreachable_socket_exits_2_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nobody-home.sock");
    let (code, out, err) = ctl(&path, false, CtlCommand::Status);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(
        err.contains(&format!("cannot reach the admin socket {}", path.display())),
        "{err}"
    );
    assert!(err.contains("is smsedge running?"), "{err}");
}

#[test]
fn a_request_over_the_line_limit_is_refused_locally() {
    let h = start();
    let file = h.dir.path().join("huge.toml");
    let mut text = String::new();
    for i in 0..30_000 {
        text.push_str(&format!(
            "[[route]]\nprefix = \"{}\"\nconnectors = [\"smsc-a\"]\n",
            1_000_000 + i
        ));
    }
    std::fs::write(&file, text).unwrap();
    let (code, _, err) = ctl(
        &h.socket,
        false,
        CtlCommand::Routes(RoutesCmd::Push { file }),
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("over the admin socket's 1048576-byte line limit"),
        "{err}"
    );
    assert!(err.contains("config reload"), "{err}");
    assert_eq!(h.cp.routes_version(), 1);
}
