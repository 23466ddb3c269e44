//! `smsedge check-config FILE`.

use std::path::Path;

use crate::config::Config;

/// Validates a config file: `(0, "ok: 2 listeners, 3 accounts, 2 connectors, 5 routes")`, or
/// `(1, every error with its location, one per line)`.
pub fn check_config(path: &Path) -> (i32, String) {
    match Config::load(path) {
        Ok(c) => (0, format!("ok: {}", c.summary())),
        Err(e) => (1, e.to_string()),
    }
}
