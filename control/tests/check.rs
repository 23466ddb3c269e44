//! `smsedge check-config FILE`.

use smsedge_control::check_config;

#[test]
fn a_valid_file_gives_exit_0_and_a_summary() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/smsedge.example.toml");
    assert_eq!(
        check_config(path.as_ref()),
        (
            0,
            "ok: 2 listeners, 2 accounts, 4 connectors, 5 routes, 1 mo_route".to_string()
        )
    );
}

#[test]
fn an_invalid_file_gives_exit_1_and_every_error_one_per_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(
        &path,
        "[server]\nlisten = [\"127.0.0.1:2775\"]\nmax_pdu_len = 1\n[[connector]]\nname = \"a\"\nkind = \"smpp\"\naddress = \"x:1\"\nwindow = 0\n\
         [[route]]\nprefix = \"1\"\nconnectors = [\"b\"]\n",
    )
    .unwrap();
    let (code, text) = check_config(&path);
    assert_eq!(code, 1);
    assert_eq!(
        text,
        "server.max_pdu_len: must be 16..=16777216, got 1\n\
         connector \"a\".window: must be 1..=65535, got 0\n\
         route 1: connector \"b\" does not exist"
    );
    let (code, text) = check_config(&dir.path().join("missing.toml"));
    assert_eq!(code, 1);
    assert!(text.contains("missing.toml: cannot read"), "{text}");
}

/// The example config in the external contract uses only keys we accept; its one problem is
/// real (its route names a connector "smsc-b" it does not define).
#[test]
fn the_interfaces_md_example_uses_only_known_keys() {
    let doc = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/docs/INTERFACES.md"
    );
    let text = std::fs::read_to_string(doc)
        .unwrap_or_else(|e| panic!("{doc}: {e} (shared/ must sit beside the repo)"));
    let start = text
        .find("```toml\n")
        .expect("a toml block in INTERFACES.md")
        + "```toml\n".len();
    let end = start + text[start..].find("```").unwrap();
    let errors = smsedge_control::Config::from_toml_str(&text[start..end]).unwrap_err();
    assert_eq!(
        errors.to_string(),
        "route 1: connector \"smsc-b\" does not exist"
    );
    let fixed = text[start..end].replace(
        "connectors = [\"smsc-a\", \"smsc-b\"]",
        "connectors = [\"smsc-a\"]",
    );
    smsedge_control::Config::from_toml_str(&fixed).unwrap();
}
