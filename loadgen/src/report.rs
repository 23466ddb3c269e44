//! The load report of INTERFACES.md ("Load generator report"), and the SVG latency plot.
//!
//! The contract's keys come first, in the contract's order; the keys after them are extras that
//! explain a failure (bind errors, connection losses, receipts by state, unmatched receipts).

use hdrhistogram::Histogram;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io;
use std::path::Path;

/// A latency histogram in microseconds: 1 µs .. 1 hour, 3 significant figures.
pub fn new_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 3_600_000_000, 3).expect("static histogram bounds are valid")
}

/// Percentiles of one latency histogram, in microseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Percentiles {
    /// Median.
    pub p50: u64,
    /// 90th percentile.
    pub p90: u64,
    /// 99th percentile.
    pub p99: u64,
    /// 99.9th percentile.
    pub p999: u64,
    /// Largest value recorded.
    pub max: u64,
    /// Number of samples.
    pub count: u64,
}

impl Percentiles {
    /// Reads the percentiles of `h`.
    pub fn of(h: &Histogram<u64>) -> Self {
        if h.is_empty() {
            return Percentiles::default();
        }
        Percentiles {
            p50: h.value_at_quantile(0.5),
            p90: h.value_at_quantile(0.9),
            p99: h.value_at_quantile(0.99),
            p999: h.value_at_quantile(0.999),
            max: h.max(),
            count: h.len(),
        }
    }
}

/// `latency_us` of the report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Latency {
    /// submit_sm sent (its intended send time at a fixed rate) to submit_sm_resp received.
    pub submit_resp: Percentiles,
    /// submit_sm sent (intended time) to its delivery receipt received.
    pub dlr: Percentiles,
}

/// The final report of `smsedge-loadgen esme`.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Seconds from the first submit_sm to the last response (or to the end of sending).
    pub duration_s: f64,
    /// submit_sm PDUs sent (each part of a long message counts).
    pub submitted: u64,
    /// submit_sm_resp with command_status 0.
    pub resp_ok: u64,
    /// Responses with any other status (generic_nack included), by status as `0x%08x`.
    pub resp_error: BTreeMap<String, u64>,
    /// submit_sm that never got a response (timed out, or still open at the end).
    pub unanswered: u64,
    /// Accepted submit_sm that asked for a receipt.
    pub dlr_requested: u64,
    /// Receipts received that matched a submitted message id.
    pub dlr_received: u64,
    /// Responses per second over `duration_s`.
    pub tps: f64,
    /// Latency percentiles in microseconds.
    pub latency_us: Latency,
    /// Binds that succeeded.
    pub binds_ok: u64,
    /// Binds refused, by status (or `"connect"` / `"io"` for transport failures).
    pub bind_errors: BTreeMap<String, u64>,
    /// Connections lost while bound (their open requests count as unanswered).
    pub connection_errors: u64,
    /// Receipts by final state word (`DELIVRD`, `UNDELIV`, ...).
    pub dlr_states: BTreeMap<String, u64>,
    /// Receipts whose message id matched nothing this run submitted.
    pub dlr_unmatched: u64,
    /// Accepted messages that asked for a receipt and got none (dlr_requested - dlr_received).
    pub dlr_missing: u64,
    /// deliver_sm that were not receipts (mobile-originated messages).
    pub mo_received: u64,
    /// Responses whose sequence_number matched no open request.
    pub resp_unexpected: u64,
    /// The `--max-errors` this run was judged with.
    pub max_errors: u64,
    /// Whether the run passed: no unanswered request, no missing receipt, errors within bounds.
    pub ok: bool,
    /// Every latency sample of submit→submit_sm_resp (µs), for plots and merges.
    #[serde(skip)]
    pub hist_submit_resp: Histogram<u64>,
    /// Every latency sample of submit→receipt (µs).
    #[serde(skip)]
    pub hist_dlr: Histogram<u64>,
}

impl Default for Report {
    fn default() -> Self {
        Report {
            duration_s: 0.0,
            submitted: 0,
            resp_ok: 0,
            resp_error: BTreeMap::new(),
            unanswered: 0,
            dlr_requested: 0,
            dlr_received: 0,
            tps: 0.0,
            latency_us: Latency::default(),
            binds_ok: 0,
            bind_errors: BTreeMap::new(),
            connection_errors: 0,
            dlr_states: BTreeMap::new(),
            dlr_unmatched: 0,
            dlr_missing: 0,
            mo_received: 0,
            resp_unexpected: 0,
            max_errors: 0,
            ok: false,
            hist_submit_resp: new_histogram(),
            hist_dlr: new_histogram(),
        }
    }
}

/// `0x%08x`, the key of a status in the report.
pub fn status_key(status: u32) -> String {
    format!("0x{status:08x}")
}

impl Report {
    /// Error responses plus failed binds plus lost connections: what `--max-errors` bounds.
    pub fn errors(&self) -> u64 {
        self.resp_error.values().sum::<u64>()
            + self.bind_errors.values().sum::<u64>()
            + self.connection_errors
    }

    /// Why the run failed, one reason per entry; empty when it passed.
    pub fn failures(&self) -> Vec<String> {
        let mut f = Vec::new();
        if self.binds_ok == 0 {
            f.push("no bind succeeded".to_string());
        }
        if self.unanswered > 0 {
            f.push(format!("{} submit_sm went unanswered", self.unanswered));
        }
        if self.dlr_missing > 0 {
            f.push(format!(
                "{} of {} receipts are missing",
                self.dlr_missing, self.dlr_requested
            ));
        }
        if self.errors() > self.max_errors {
            f.push(format!(
                "{} errors exceed --max-errors {}",
                self.errors(),
                self.max_errors
            ));
        }
        f
    }

    /// True when the run passed (exit status 0).
    pub fn exit_ok(&self) -> bool {
        self.failures().is_empty()
    }

    /// Fills the derived fields (percentiles, tps, missing receipts, ok) from the counts.
    pub fn finish(&mut self) {
        self.latency_us = Latency {
            submit_resp: Percentiles::of(&self.hist_submit_resp),
            dlr: Percentiles::of(&self.hist_dlr),
        };
        let answered = self.resp_ok + self.resp_error.values().sum::<u64>();
        self.tps = if self.duration_s > 0.0 {
            (answered as f64 / self.duration_s * 10.0).round() / 10.0
        } else {
            0.0
        };
        self.dlr_missing = self.dlr_requested.saturating_sub(self.dlr_received);
        self.ok = self.exit_ok();
    }

    /// The report as one JSON object.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a report always serializes")
    }

    /// The report as indented JSON.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("a report always serializes")
    }

    /// Writes the SVG percentile plot of both histograms to `path`.
    pub fn write_plot(&self, path: &Path) -> io::Result<()> {
        std::fs::write(
            path,
            plot_svg(&[
                ("submit → submit_sm_resp", &self.hist_submit_resp),
                ("submit → receipt", &self.hist_dlr),
            ]),
        )
    }
}

/// Draws latency-by-percentile curves like HdrHistogram's plotter: the x axis is
/// `1 / (1 - percentile)` on a log scale (0%, 90%, 99%, 99.9%, ...), y is latency in µs on a
/// linear scale. Empty histograms are listed in the legend as "no samples".
pub fn plot_svg(series: &[(&str, &Histogram<u64>)]) -> String {
    const W: f64 = 900.0;
    const H: f64 = 520.0;
    const L: f64 = 80.0; // left margin
    const R: f64 = 30.0;
    const T: f64 = 40.0;
    const B: f64 = 70.0;
    const COLORS: [&str; 4] = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"];
    // Decades of 9s to show: enough for the largest count (p99.9 needs 1000 samples).
    let max_count = series.iter().map(|(_, h)| h.len()).max().unwrap_or(0);
    let decades = ((max_count.max(10) as f64).log10().floor()).clamp(1.0, 6.0);
    let max_y = series
        .iter()
        .filter(|(_, h)| !h.is_empty())
        .map(|(_, h)| h.max())
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    // Headroom above the highest curve for the legend.
    let y_top = nice_ceiling(max_y * 1.2);
    let px = |x: f64| L + (x / decades).min(1.0) * (W - L - R);
    let py = |y: f64| H - B - (y / y_top) * (H - T - B);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12">"#
    );
    let _ = write!(s, r#"<rect width="{W}" height="{H}" fill="white"/>"#);
    let _ = write!(
        s,
        r#"<text x="{}" y="22" text-anchor="middle" font-size="15">smsedge-loadgen latency by percentile</text>"#,
        W / 2.0
    );
    // Grid and axis labels.
    for d in 0..=decades as usize {
        let x = px(d as f64);
        let label = match d {
            0 => "0%".to_string(),
            1 => "90%".to_string(),
            2 => "99%".to_string(),
            d => format!("99.{}%", "9".repeat(d - 2)),
        };
        let _ = write!(
            s,
            r##"<line x1="{x:.1}" y1="{T}" x2="{x:.1}" y2="{:.1}" stroke="#ddd"/><text x="{x:.1}" y="{:.1}" text-anchor="middle">{label}</text>"##,
            H - B,
            H - B + 18.0
        );
    }
    for i in 0..=5 {
        let v = y_top * i as f64 / 5.0;
        let y = py(v);
        let _ = write!(
            s,
            r##"<line x1="{L}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
            W - R,
            L - 6.0,
            y + 4.0,
            v.round() as u64
        );
    }
    let _ = write!(
        s,
        r##"<line x1="{L}" y1="{T}" x2="{L}" y2="{b:.1}" stroke="#333"/><line x1="{L}" y1="{b:.1}" x2="{:.1}" y2="{b:.1}" stroke="#333"/>"##,
        W - R,
        b = H - B
    );
    let _ = write!(
        s,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">percentile</text><text x="18" y="{:.1}" text-anchor="middle" transform="rotate(-90 18 {:.1})">latency (µs)</text>"#,
        (L + W - R) / 2.0,
        H - 20.0,
        (T + H - B) / 2.0,
        (T + H - B) / 2.0
    );
    for (i, (name, h)) in series.iter().enumerate() {
        let color = COLORS[i % COLORS.len()];
        let ly = T + 8.0 + 18.0 * i as f64;
        let legend = if h.is_empty() {
            format!("{name} (no samples)")
        } else {
            format!(
                "{name}: p50 {} µs, p99 {} µs, max {} µs ({} samples)",
                h.value_at_quantile(0.5),
                h.value_at_quantile(0.99),
                h.max(),
                h.len()
            )
        };
        let _ = write!(
            s,
            r#"<line x1="{:.1}" y1="{ly:.1}" x2="{:.1}" y2="{ly:.1}" stroke="{color}" stroke-width="3"/><text x="{:.1}" y="{:.1}">{}</text>"#,
            L + 12.0,
            L + 36.0,
            L + 42.0,
            ly + 4.0,
            xml_escape(&legend)
        );
        if h.is_empty() {
            continue;
        }
        let mut pts = String::new();
        for v in h.iter_quantiles(5) {
            let q = v.quantile_iterated_to();
            let x = if q >= 1.0 {
                decades
            } else {
                (1.0 / (1.0 - q)).log10()
            };
            let _ = write!(pts, "{:.1},{:.1} ", px(x), py(v.value_iterated_to() as f64));
        }
        let _ = write!(
            s,
            r#"<polyline fill="none" stroke="{color}" stroke-width="2" points="{}"/>"#,
            pts.trim_end()
        );
    }
    s.push_str("</svg>\n");
    s
}

fn nice_ceiling(v: f64) -> f64 {
    let mag = 10f64.powf(v.log10().floor());
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if v <= m * mag {
            return m * mag;
        }
    }
    10.0 * mag
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_has_the_contract_keys_in_order() {
        let mut r = Report {
            duration_s: 2.0,
            submitted: 10,
            resp_ok: 9,
            dlr_requested: 9,
            dlr_received: 9,
            binds_ok: 1,
            ..Default::default()
        };
        r.resp_error.insert(status_key(0x58), 1);
        r.max_errors = 1;
        for v in [100, 200, 300] {
            r.hist_submit_resp.record(v).unwrap();
        }
        r.finish();
        let v: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
        let keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
        assert_eq!(
            &keys[..10],
            [
                "duration_s",
                "submitted",
                "resp_ok",
                "resp_error",
                "unanswered",
                "dlr_requested",
                "dlr_received",
                "tps",
                "latency_us",
                "binds_ok"
            ]
        );
        assert_eq!(v["resp_error"]["0x00000058"], 1);
        assert_eq!(v["tps"], 5.0);
        assert_eq!(v["latency_us"]["submit_resp"]["p50"], 200);
        for k in ["p50", "p90", "p99", "p999", "max"] {
            assert!(v["latency_us"]["dlr"][k].is_u64(), "{k}");
        }
        assert!(r.exit_ok(), "{:?}", r.failures());
    }

    #[test]
    fn fails_on_unanswered_missing_receipts_and_errors() {
        let mut r = Report {
            submitted: 10,
            resp_ok: 9,
            unanswered: 1,
            dlr_requested: 9,
            dlr_received: 7,
            binds_ok: 1,
            ..Default::default()
        };
        r.finish();
        assert_eq!(r.dlr_missing, 2);
        assert!(!r.ok);
        assert_eq!(r.failures().len(), 2);
        let mut r = Report {
            binds_ok: 1,
            connection_errors: 1,
            ..Default::default()
        };
        r.finish();
        assert!(!r.exit_ok());
        r.max_errors = 1;
        r.finish();
        assert!(r.exit_ok());
    }

    #[test]
    fn plots_two_curves() {
        let mut a = new_histogram();
        for v in 1..=10_000u64 {
            a.record(v % 500 + 1).unwrap();
        }
        let b = new_histogram();
        let svg = plot_svg(&[("resp", &a), ("dlr", &b)]);
        assert!(svg.starts_with("<svg"));
        assert_eq!(svg.matches("<polyline").count(), 1);
        assert!(svg.contains("99.9%"));
        assert!(svg.contains("dlr (no samples)"));
        assert!(svg.trim_end().ends_with("</svg>"));
    }
}
