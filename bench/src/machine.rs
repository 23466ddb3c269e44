//! What machine a figure was measured on, and how busy it was.

use serde_json::{json, Value};
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

/// The head of every bench report: `date`, `commit`, `machine` ([`describe`]) and the
/// `command` line that produced it.
pub fn report_head() -> serde_json::Map<String, Value> {
    let mut out = serde_json::Map::new();
    out.insert("date".into(), json!(utc_now()));
    out.insert("commit".into(), json!(commit()));
    out.insert("machine".into(), describe());
    out.insert(
        "command".into(),
        json!(std::env::args().collect::<Vec<_>>().join(" ")),
    );
    out
}

/// `{"nproc", "cpu_model", "kernel", "loadavg"}` of this machine now.
pub fn describe() -> Value {
    let nproc = std::thread::available_parallelism().map_or(0, |n| n.get());
    json!({
        "nproc": nproc,
        "cpu_model": cpu_model(),
        "kernel": std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .map(|s| s.trim().to_string())
            .unwrap_or_default(),
        "loadavg": loadavg(),
    })
}

/// `lscpu`'s "Model name" (falls back to /proc/cpuinfo's "model name").
pub fn cpu_model() -> String {
    let from = |text: &str, key: &str| {
        text.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            (k.trim() == key).then(|| v.trim().to_string())
        })
    };
    if let Ok(o) = Command::new("lscpu").env("LC_ALL", "C").output() {
        if let Some(m) = from(&String::from_utf8_lossy(&o.stdout), "Model name") {
            return m;
        }
    }
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| from(&t, "model name"))
        .unwrap_or_default()
}

/// The 1, 5 and 15 minute load averages.
pub fn loadavg() -> [f64; 3] {
    let s = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let mut it = s.split_whitespace().map(|v| v.parse().unwrap_or(0.0));
    [
        it.next().unwrap_or(0.0),
        it.next().unwrap_or(0.0),
        it.next().unwrap_or(0.0),
    ]
}

/// The current UTC time as `YYYY-MM-DDThh:mm:ssZ`.
pub fn utc_now() -> String {
    let t = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let secs = t % 86_400;
    let (y, m, d) = smsedge_codecs::smpp::receipt::civil_from_days((t / 86_400) as i64);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// `git describe --always --dirty` of the workspace this crate was built from, if git knows it.
pub fn commit() -> Option<String> {
    let o = Command::new("git")
        .args([
            "-C",
            env!("CARGO_MANIFEST_DIR"),
            "describe",
            "--always",
            "--dirty",
        ])
        .output()
        .ok()?;
    o.status
        .success()
        .then(|| String::from_utf8_lossy(&o.stdout).trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_now_has_the_iso_shape() {
        let s = utc_now();
        assert_eq!(s.len(), 20, "{s}");
        assert!(
            s.starts_with("20") && s.ends_with('Z') && &s[10..11] == "T",
            "{s}"
        );
    }

    #[test]
    fn describes_this_machine() {
        let d = describe();
        assert!(d["nproc"].as_u64().unwrap() >= 1);
        assert!(!d["cpu_model"].as_str().unwrap().is_empty());
    }
}
