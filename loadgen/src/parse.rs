//! The small value languages of the command line (INTERFACES.md "Load generator flags"):
//! durations (`8`, `8s`, `250ms`), delay distributions (`0`, `2ms`, `uniform:1ms-5ms`,
//! `exp:2ms`), weighted lists (`gsm7:70,ucs2:20,long:10`, `DELIVRD:95,UNDELIV:5`), CPU lists
//! (`0`, `0,1`, `0-3`) and probabilities (`0.01` or `1%`).
//!
//! Every type implements `FromStr` with an error that says what was expected, so clap prints it.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// A parse error: what was given and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(pub String);

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ParseError {}

fn err<T>(what: impl Into<String>) -> Result<T, ParseError> {
    Err(ParseError(what.into()))
}

/// Parses a duration: a bare number is seconds (`8`, `0.5`), or a number with a unit `ns`,
/// `us`, `ms`, `s`, `m`, `h` (`8s`, `250ms`, `1.5s`).
pub fn parse_duration(s: &str) -> Result<Duration, ParseError> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let v: f64 = match num.parse() {
        Ok(v) if f64::is_finite(v) && v >= 0.0 => v,
        _ => {
            return err(format!(
                "{s:?}: expected a duration like 8, 8s, 250ms or 1.5s"
            ))
        }
    };
    let secs = match unit.trim() {
        "" | "s" => v,
        "ms" => v / 1e3,
        "us" | "µs" => v / 1e6,
        "ns" => v / 1e9,
        "m" | "min" => v * 60.0,
        "h" => v * 3600.0,
        u => {
            return err(format!(
                "{s:?}: unknown unit {u:?} (use ns, us, ms, s, m, h)"
            ))
        }
    };
    if secs > 1e9 {
        return err(format!("{s:?}: duration too long"));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// A duration given on the command line (`8` or `8s`), usable as a clap value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Secs(pub Duration);

impl FromStr for Secs {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, ParseError> {
        parse_duration(s).map(Secs)
    }
}

impl fmt::Display for Secs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}s", self.0.as_secs_f64())
    }
}

/// A delay distribution: constant, uniform between two bounds, or exponential with a mean.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Dist {
    /// No delay.
    #[default]
    Zero,
    /// Always this many nanoseconds.
    Const(u64),
    /// Uniform in `[lo, hi]` nanoseconds.
    Uniform(u64, u64),
    /// Exponential with this mean in nanoseconds (capped at 20 x the mean).
    Exp(u64),
}

impl Dist {
    /// True when the delay is always zero.
    pub fn is_zero(&self) -> bool {
        matches!(
            self,
            Dist::Zero | Dist::Const(0) | Dist::Uniform(0, 0) | Dist::Exp(0)
        )
    }

    /// A sample in nanoseconds, using `rng` for randomness.
    pub fn sample(&self, rng: &mut Rng) -> u64 {
        match *self {
            Dist::Zero => 0,
            Dist::Const(v) => v,
            Dist::Uniform(lo, hi) => lo + rng.below(hi - lo + 1),
            Dist::Exp(mean) => {
                let u = rng.unit().max(1e-12);
                ((-u.ln()) * mean as f64).min(mean as f64 * 20.0) as u64
            }
        }
    }
}

fn ns(d: Duration) -> u64 {
    d.as_nanos().min(u128::from(u64::MAX)) as u64
}

impl FromStr for Dist {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, ParseError> {
        let t = s.trim();
        if let Some(r) = t.strip_prefix("uniform:") {
            let Some((a, b)) = r.split_once('-') else {
                return err(format!(
                    "{s:?}: expected uniform:LOW-HIGH, e.g. uniform:1ms-5ms"
                ));
            };
            let (lo, hi) = (ns(parse_duration(a)?), ns(parse_duration(b)?));
            if lo > hi {
                return err(format!("{s:?}: LOW must not exceed HIGH"));
            }
            return Ok(Dist::Uniform(lo, hi));
        }
        if let Some(r) = t.strip_prefix("exp:") {
            return Ok(Dist::Exp(ns(parse_duration(r)?)));
        }
        let r = t.strip_prefix("const:").unwrap_or(t);
        // A bare number here means milliseconds would be surprising; keep the duration rule
        // (seconds) but accept the common `0`.
        match ns(parse_duration(r).map_err(|_| {
            ParseError(format!(
                "{s:?}: expected 0, a delay like 2ms, uniform:1ms-5ms or exp:2ms"
            ))
        })?) {
            0 => Ok(Dist::Zero),
            v => Ok(Dist::Const(v)),
        }
    }
}

impl fmt::Display for Dist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Dist::Zero => f.write_str("0"),
            Dist::Const(v) => write!(f, "{}us", v / 1000),
            Dist::Uniform(a, b) => write!(f, "uniform:{}us-{}us", a / 1000, b / 1000),
            Dist::Exp(m) => write!(f, "exp:{}us", m / 1000),
        }
    }
}

/// A list of `NAME:WEIGHT` pairs (`gsm7:70,ucs2:20,long:10`); names keep their case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Weighted(pub Vec<(String, u32)>);

impl FromStr for Weighted {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, ParseError> {
        let mut out = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((name, w)) = part.split_once(':') else {
                return err(format!("{part:?}: expected NAME:WEIGHT, e.g. gsm7:70"));
            };
            let w: u32 = w
                .trim()
                .trim_end_matches('%')
                .parse()
                .map_err(|_| ParseError(format!("{part:?}: weight must be a whole number")))?;
            out.push((name.trim().to_string(), w));
        }
        if out.iter().map(|(_, w)| u64::from(*w)).sum::<u64>() == 0 {
            return err(format!("{s:?}: weights must not all be zero"));
        }
        Ok(Weighted(out))
    }
}

impl Weighted {
    /// A deterministic schedule of `len` picks that follows the weights as closely as possible
    /// at every prefix (smooth weighted round robin), as indexes into the list.
    pub fn schedule(&self, len: usize) -> Vec<usize> {
        let total: i64 = self.0.iter().map(|(_, w)| i64::from(*w)).sum();
        let mut cur = vec![0i64; self.0.len()];
        (0..len)
            .map(|_| {
                for (c, (_, w)) in cur.iter_mut().zip(&self.0) {
                    *c += i64::from(*w);
                }
                let (best, _) = cur
                    .iter()
                    .enumerate()
                    .max_by_key(|(i, c)| (**c, std::cmp::Reverse(*i)))
                    .expect("a weighted list is never empty");
                cur[best] -= total;
                best
            })
            .collect()
    }
}

/// A probability: `0.01` or `1%`.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default)]
pub struct Prob(pub f64);

impl FromStr for Prob {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, ParseError> {
        let t = s.trim();
        let v = match t.strip_suffix('%') {
            Some(p) => p.trim().parse::<f64>().map(|v| v / 100.0),
            None => t.parse::<f64>(),
        };
        match v {
            Ok(v) if (0.0..=1.0).contains(&v) => Ok(Prob(v)),
            _ => err(format!(
                "{s:?}: expected a probability 0..1 or a percentage like 1%"
            )),
        }
    }
}

impl fmt::Display for Prob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A CPU list: `0`, `0,1`, `0-3`, `0-1,4`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CpuList(pub Vec<usize>);

impl FromStr for CpuList {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, ParseError> {
        let mut out = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let bad = || ParseError(format!("{part:?}: expected a CPU number or range like 0-3"));
            match part.split_once('-') {
                Some((a, b)) => {
                    let a: usize = a.trim().parse().map_err(|_| bad())?;
                    let b: usize = b.trim().parse().map_err(|_| bad())?;
                    if a > b || b - a > 4096 {
                        return Err(bad());
                    }
                    out.extend(a..=b);
                }
                None => out.push(part.parse().map_err(|_| bad())?),
            }
        }
        if out.is_empty() {
            return err("empty CPU list");
        }
        Ok(CpuList(out))
    }
}

/// A 32-bit value given in hex (`0x58`) or decimal (`88`), e.g. a command_status.
pub fn parse_u32(s: &str) -> Result<u32, ParseError> {
    let t = s.trim();
    let r = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(h) => u32::from_str_radix(h, 16),
        None => t.parse(),
    };
    r.map_err(|_| ParseError(format!("{s:?}: expected a number like 0x58 or 88")))
}

/// A command_status given as `0x58`, `88` or a spec name like `ESME_RTHROTTLED`.
pub fn parse_status(s: &str) -> Result<u32, ParseError> {
    match smsedge_codecs::smpp::CommandStatus::from_name(s.trim()) {
        Some(st) => Ok(st.0),
        None => parse_u32(s),
    }
}

/// xorshift64*: a tiny deterministic generator for error/drop decisions and delays. Not for
/// anything that needs real randomness.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed (0 is replaced by a constant).
    pub fn new(seed: u64) -> Self {
        Rng(if seed == 0 {
            0x9E37_79B9_7F4A_7C15
        } else {
            seed
        })
    }

    /// The next 64 random bits.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `[0, 1)`.
    #[inline]
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in `[0, n)` (n > 0).
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// True with probability `p`.
    #[inline]
    pub fn chance(&mut self, p: f64) -> bool {
        p > 0.0 && self.unit() < p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_durations_as_the_contract_says() {
        assert_eq!(parse_duration("8").unwrap(), Duration::from_secs(8));
        assert_eq!(parse_duration("8s").unwrap(), Duration::from_secs(8));
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(parse_duration("1.5s").unwrap(), Duration::from_millis(1500));
        assert_eq!(parse_duration("40us").unwrap(), Duration::from_micros(40));
        assert!(parse_duration("8x").is_err());
        assert!(parse_duration("-1").is_err());
        assert!(parse_duration("").is_err());
    }

    #[test]
    fn parses_distributions() {
        assert_eq!("0".parse::<Dist>().unwrap(), Dist::Zero);
        assert_eq!("2ms".parse::<Dist>().unwrap(), Dist::Const(2_000_000));
        assert_eq!(
            "uniform:1ms-5ms".parse::<Dist>().unwrap(),
            Dist::Uniform(1_000_000, 5_000_000)
        );
        assert_eq!("exp:2ms".parse::<Dist>().unwrap(), Dist::Exp(2_000_000));
        assert!("uniform:5ms-1ms".parse::<Dist>().is_err());
        assert!("gauss:1ms".parse::<Dist>().is_err());
        let mut rng = Rng::new(7);
        let d = Dist::Uniform(1000, 2000);
        for _ in 0..1000 {
            let v = d.sample(&mut rng);
            assert!((1000..=2000).contains(&v), "{v}");
        }
    }

    #[test]
    fn parses_weighted_lists_and_schedules_them_smoothly() {
        let w: Weighted = "gsm7:70,ucs2:20,long:10".parse().unwrap();
        assert_eq!(w.0[2], ("long".to_string(), 10));
        let s = w.schedule(100);
        let count = |i| s.iter().filter(|&&x| x == i).count();
        assert_eq!((count(0), count(1), count(2)), (70, 20, 10));
        // Smooth: the rare class is spread out, not bunched at the end.
        assert!(s[..10].contains(&1));
        assert!("gsm7".parse::<Weighted>().is_err());
        assert!("gsm7:0".parse::<Weighted>().is_err());
        let st: Weighted = "DELIVRD:95,UNDELIV:5".parse().unwrap();
        assert_eq!(st.0[0].0, "DELIVRD");
    }

    #[test]
    fn parses_cpus_probabilities_and_statuses() {
        assert_eq!("0".parse::<CpuList>().unwrap().0, vec![0]);
        assert_eq!("0-2,5".parse::<CpuList>().unwrap().0, vec![0, 1, 2, 5]);
        assert!("2-1".parse::<CpuList>().is_err());
        assert_eq!("1%".parse::<Prob>().unwrap().0, 0.01);
        assert_eq!("0.25".parse::<Prob>().unwrap().0, 0.25);
        assert!("1.5".parse::<Prob>().is_err());
        assert_eq!(parse_status("0x58").unwrap(), 0x58);
        assert_eq!(parse_status("88").unwrap(), 88);
        assert_eq!(parse_status("ESME_RMSGQFUL").unwrap(), 0x14);
        assert!(parse_status("nope").is_err());
    }
}
