//! Runs of the load generator (`smsedge-loadgen esme`) as a pinned child process, the CPU time
//! a server spent meanwhile, and the verdicts the measurements use.

use crate::proc::cpu_time;
use serde_json::Value;
use std::io;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How the generator is run: the same for every system measured.
#[derive(Debug, Clone)]
pub struct Generator {
    /// The `smsedge-loadgen` binary.
    pub program: PathBuf,
    /// CPU list for `taskset -c` and `--cpus`.
    pub cpus: String,
    /// Binds (connections).
    pub binds: usize,
    /// Window per bind.
    pub window: usize,
    /// Ask for a receipt with every message and wait for all of them.
    pub dlr: bool,
    /// With `dlr`: accepted messages still waiting for their receipt at most (the generator's
    /// `--dlr-window`; sending pauses while it is full, as a real ESME's bounded table would).
    pub dlr_window: u64,
    /// system_id / password to bind with.
    pub system_id: String,
    pub password: String,
}

/// One generator run.
#[derive(Debug, Clone)]
pub struct Run {
    /// Requested rate (0 = as fast as the windows allow).
    pub rate: f64,
    /// Requested sending time.
    pub seconds: f64,
    /// The generator's JSON report (INTERFACES.md "Load generator report").
    pub report: Value,
    /// CPU time the watched server process used during the run, if one was watched.
    pub server_cpu: Option<Duration>,
    /// Wall time of the whole run (bind to unbind).
    pub wall: Duration,
}

impl Generator {
    /// Sends for `seconds` at `rate` to `target` and returns the report; `watch` is a server
    /// pid whose CPU time is taken before and after.
    pub fn run(
        &self,
        target: &str,
        rate: f64,
        seconds: f64,
        watch: Option<u32>,
    ) -> io::Result<Run> {
        let mut args: Vec<String> = vec![
            "-c".into(),
            self.cpus.clone(),
            self.program.display().to_string(),
            "esme".into(),
            "--target".into(),
            target.into(),
            "--system-id".into(),
            self.system_id.clone(),
            "--password".into(),
            self.password.clone(),
            "--binds".into(),
            self.binds.to_string(),
            "--window".into(),
            self.window.to_string(),
            "--rate".into(),
            format!("{}", rate.round()),
            "--duration".into(),
            format!("{seconds}"),
            "--cpus".into(),
            self.cpus.clone(),
            // A held rate answers in milliseconds; anything this late is a failure anyway, and
            // short graces keep a failing step short.
            "--grace".into(),
            "2s".into(),
            "--dlr-grace".into(),
            "3s".into(),
            "--resp-timeout".into(),
            "5s".into(),
            "--quiet".into(),
        ];
        if self.dlr {
            args.push("--dlr".into());
            args.push("--dlr-window".into());
            args.push(self.dlr_window.to_string());
        }
        let cpu0 = watch.map(cpu_time).transpose()?;
        let t0 = Instant::now();
        let mut cmd = Command::new("taskset");
        crate::proc::die_with_parent(&mut cmd);
        let out = cmd
            .args(&args)
            .stdin(Stdio::null())
            .stderr(Stdio::inherit())
            .output()
            .map_err(|e| io::Error::new(e.kind(), format!("cannot run the load generator: {e}")))?;
        let wall = t0.elapsed();
        let cpu1 = watch.map(cpu_time).transpose()?;
        let text = String::from_utf8_lossy(&out.stdout);
        let report = text
            .lines()
            .rev()
            .find_map(|l| {
                serde_json::from_str::<Value>(l)
                    .ok()
                    .filter(|v| v.get("tps").is_some())
            })
            .ok_or_else(|| {
                io::Error::other(format!(
                    "the load generator printed no report (exit {:?}): {text}",
                    out.status.code()
                ))
            })?;
        Ok(Run {
            rate,
            seconds,
            report,
            server_cpu: cpu0.zip(cpu1).map(|(a, b)| b.saturating_sub(a)),
            wall,
        })
    }
}

impl Run {
    /// Responses per second (the report's `tps`).
    pub fn tps(&self) -> f64 {
        self.report["tps"].as_f64().unwrap_or(0.0)
    }

    /// Messages answered with ESME_ROK.
    pub fn ok_count(&self) -> u64 {
        self.report["resp_ok"].as_u64().unwrap_or(0)
    }

    /// Error responses of every status.
    pub fn errors(&self) -> u64 {
        self.report["resp_error"]
            .as_object()
            .map_or(0, |m| m.values().filter_map(Value::as_u64).sum())
    }

    /// Requests never answered.
    pub fn unanswered(&self) -> u64 {
        self.report["unanswered"].as_u64().unwrap_or(0)
    }

    /// Receipts asked for and not received.
    pub fn dlr_missing(&self) -> u64 {
        self.report["dlr_missing"].as_u64().unwrap_or(0)
    }

    /// True when the requested rate held for the whole run: the generator passed (no
    /// unanswered request, no missing receipt, no lost connection), not one error response,
    /// and at least 98 % of `rate × seconds` messages were sent (a server that falls behind
    /// fills the windows and the generator cannot send what is due).
    pub fn holds(&self) -> bool {
        let sent = self.report["submitted"].as_u64().unwrap_or(0) as f64;
        self.report["ok"].as_bool() == Some(true)
            && self.errors() == 0
            && self.unanswered() == 0
            && self.dlr_missing() == 0
            && sent >= 0.98 * self.rate * self.seconds
    }

    /// Why the run did not hold, for the log.
    pub fn verdict(&self) -> String {
        if self.holds() {
            return "holds".into();
        }
        let sent = self.report["submitted"].as_u64().unwrap_or(0);
        format!(
            "fails: sent {sent} of {:.0}, errors {}, unanswered {}, receipts missing {}, connection errors {}",
            self.rate * self.seconds,
            self.errors(),
            self.unanswered(),
            self.dlr_missing(),
            self.report["connection_errors"].as_u64().unwrap_or(0)
        )
    }

    /// Server CPU microseconds per message answered with ESME_ROK.
    pub fn server_cpu_us_per_msg(&self) -> Option<f64> {
        let n = self.ok_count();
        self.server_cpu
            .filter(|_| n > 0)
            .map(|c| c.as_secs_f64() * 1e6 / n as f64)
    }

    /// Share of one CPU the watched server used over the run's wall time.
    pub fn server_busy(&self) -> Option<f64> {
        self.server_cpu
            .map(|c| c.as_secs_f64() / self.wall.as_secs_f64().max(1e-9))
    }

    /// The report's latency percentiles (µs): `which` is `submit_resp` or `dlr`.
    pub fn latency(&self, which: &str) -> Value {
        self.report["latency_us"][which].clone()
    }
}

/// The median of `v` (the mean of the middle two for an even count); 0 when empty.
pub fn median(v: &[f64]) -> f64 {
    let mut s: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
    if s.is_empty() {
        return 0.0;
    }
    s.sort_by(f64::total_cmp);
    let n = s.len();
    if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(rate: f64, report: Value) -> Run {
        Run {
            rate,
            seconds: 10.0,
            report,
            server_cpu: Some(Duration::from_millis(500)),
            wall: Duration::from_secs(10),
        }
    }

    #[test]
    fn holds_needs_everything_answered_and_the_rate_sent() {
        let good = json!({"ok": true, "submitted": 1_000_000, "resp_ok": 1_000_000, "resp_error": {},
                          "unanswered": 0, "dlr_missing": 0, "tps": 100000.0});
        assert!(run(100_000.0, good.clone()).holds());
        // Fell behind: only 90 % of what was due went out.
        let mut slow = good.clone();
        slow["submitted"] = json!(900_000);
        assert!(!run(100_000.0, slow).holds());
        let mut err = good.clone();
        err["resp_error"] = json!({"0x00000058": 1});
        assert!(!run(100_000.0, err).holds());
        let mut missing = good.clone();
        missing["dlr_missing"] = json!(3);
        missing["ok"] = json!(false);
        assert!(!run(100_000.0, missing.clone()).holds());
        assert!(run(100_000.0, missing)
            .verdict()
            .contains("receipts missing 3"));
        let r = run(100_000.0, good);
        assert_eq!(r.server_cpu_us_per_msg(), Some(0.5));
        assert!((r.server_busy().unwrap() - 0.05).abs() < 1e-9);
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert_eq!(median(&[]), 0.0);
    }
}
