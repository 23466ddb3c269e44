//! Value types the config shares between TOML and the admin socket's JSON: durations
//! (`"30s"`, `"500ms"`, `"1h30m"` or an integer of seconds), SMPP command statuses (integer or an
//! `ESME_R*` name), `shards = "auto" | N` and the optional metrics address (`""` disables).

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// Parses `"30s"`, `"500ms"`, `"5m"`, `"72h"`, `"1d"`, `"1h30m"`, `"0"`, or a bare integer of
/// seconds written as a string (`"30"`).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let s = text.trim();
    if s.is_empty() {
        return Err("empty duration (write e.g. \"30s\", \"500ms\", \"5m\", \"72h\")".into());
    }
    if let Ok(secs) = s.parse::<u64>() {
        return Ok(Duration::from_secs(secs));
    }
    let bytes = s.as_bytes();
    let mut total = Duration::ZERO;
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if start == i {
            return Err(format!(
                "invalid duration {text:?}: expected a number at {:?}",
                &s[start..]
            ));
        }
        let n: u64 = s[start..i]
            .parse()
            .map_err(|_| format!("invalid duration {text:?}: number too large"))?;
        let ustart = i;
        while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
            i += 1;
        }
        let part = match &s[ustart..i] {
            "ms" => Duration::from_millis(n),
            "s" => Duration::from_secs(n),
            "m" => n
                .checked_mul(60)
                .map(Duration::from_secs)
                .unwrap_or(Duration::MAX),
            "h" => n
                .checked_mul(3600)
                .map(Duration::from_secs)
                .unwrap_or(Duration::MAX),
            "d" => n
                .checked_mul(86_400)
                .map(Duration::from_secs)
                .unwrap_or(Duration::MAX),
            "" => {
                return Err(format!(
                    "invalid duration {text:?}: unit missing after {n} (ms, s, m, h, d)"
                ))
            }
            u => {
                return Err(format!(
                    "invalid duration {text:?}: unknown unit {u:?} (ms, s, m, h, d)"
                ))
            }
        };
        total = total
            .checked_add(part)
            .ok_or_else(|| format!("invalid duration {text:?}: too large"))?;
    }
    Ok(total)
}

/// Formats a duration the way the example config writes it: `"72h"`, `"5m"`, `"30s"`, `"500ms"`,
/// or a combination (`"1m30s"`). Sub-millisecond parts are dropped.
pub fn format_duration(d: Duration) -> String {
    let mut ms = d.as_millis();
    if ms == 0 {
        return "0s".into();
    }
    let mut out = String::new();
    for (unit, size) in [("h", 3_600_000u128), ("m", 60_000), ("s", 1000), ("ms", 1)] {
        if ms >= size {
            out.push_str(&format!("{}{unit}", ms / size));
            ms %= size;
        }
    }
    out
}

/// `#[serde(with = "units::duration")]` for `Duration` fields.
pub mod duration {
    use super::*;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Duration;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration such as \"30s\", \"500ms\", \"5m\", \"72h\" or an integer of seconds")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Duration, E> {
                Ok(Duration::from_secs(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Duration, E> {
                u64::try_from(v)
                    .map(Duration::from_secs)
                    .map_err(|_| E::custom(format!("a duration cannot be negative, got {v}")))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Duration, E> {
                parse_duration(v).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_duration(*d))
    }
}

/// The SMPP command_status names this crate needs to read configs (SMPP v3.4 section 5.1.3,
/// table 5-2). Kept minimal and private: the codec crate owns the complete table.
const STATUS_NAMES: &[(&str, u32)] = &[
    ("ESME_ROK", 0x0000_0000),
    ("ESME_RINVMSGLEN", 0x0000_0001),
    ("ESME_RINVCMDLEN", 0x0000_0002),
    ("ESME_RINVCMDID", 0x0000_0003),
    ("ESME_RINVBNDSTS", 0x0000_0004),
    ("ESME_RALYBND", 0x0000_0005),
    ("ESME_RSYSERR", 0x0000_0008),
    ("ESME_RINVSRCADR", 0x0000_000A),
    ("ESME_RINVDSTADR", 0x0000_000B),
    ("ESME_RINVMSGID", 0x0000_000C),
    ("ESME_RBINDFAIL", 0x0000_000D),
    ("ESME_RINVPASWD", 0x0000_000E),
    ("ESME_RINVSYSID", 0x0000_000F),
    ("ESME_RMSGQFUL", 0x0000_0014),
    ("ESME_RINVSERTYP", 0x0000_0015),
    ("ESME_RINVESMCLASS", 0x0000_0043),
    ("ESME_RSUBMITFAIL", 0x0000_0045),
    ("ESME_RINVSRCTON", 0x0000_0048),
    ("ESME_RINVSRCNPI", 0x0000_0049),
    ("ESME_RINVDSTTON", 0x0000_0050),
    ("ESME_RINVDSTNPI", 0x0000_0051),
    ("ESME_RINVSYSTYP", 0x0000_0053),
    ("ESME_RTHROTTLED", 0x0000_0058),
    ("ESME_RX_T_APPN", 0x0000_0064),
    ("ESME_RX_P_APPN", 0x0000_0065),
    ("ESME_RX_R_APPN", 0x0000_0066),
    ("ESME_RDELIVERYFAILURE", 0x0000_00FE),
    ("ESME_RUNKNOWNERR", 0x0000_00FF),
];

/// An SMPP command_status. Config and admin JSON accept an integer (`11`, `0x0B` in TOML), a
/// hex string (`"0x0000000B"`) or a name (`"ESME_RINVDSTADR"`); it is written back as the name
/// when one is known, else as an integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Status(pub u32);

impl Status {
    /// `ESME_RINVDSTADR`, the default answer when no route matches.
    pub const INVALID_DEST_ADDR: Status = Status(0x0B);

    pub fn name(self) -> Option<&'static str> {
        STATUS_NAMES
            .iter()
            .find(|(_, v)| *v == self.0)
            .map(|(n, _)| *n)
    }

    pub fn parse(text: &str) -> Result<Status, String> {
        let t = text.trim();
        if let Some(hex) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
            return u32::from_str_radix(hex, 16)
                .map(Status)
                .map_err(|_| format!("invalid status {text:?}: bad hex number"));
        }
        if let Ok(n) = t.parse::<u32>() {
            return Ok(Status(n));
        }
        STATUS_NAMES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(t))
            .map(|(_, v)| Status(*v))
            .ok_or_else(|| {
                format!("unknown status name {text:?} (use an ESME_R* name or an integer)")
            })
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => write!(f, "{n} (0x{:08X})", self.0),
            None => write!(f, "0x{:08X}", self.0),
        }
    }
}

impl<'de> Deserialize<'de> for Status {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Status, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Status;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an SMPP status: an integer or a name like \"ESME_RINVDSTADR\"")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Status, E> {
                u32::try_from(v)
                    .map(Status)
                    .map_err(|_| E::custom(format!("status must fit in 32 bits, got {v}")))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Status, E> {
                u32::try_from(v)
                    .map(Status)
                    .map_err(|_| E::custom(format!("status must be 0..=0xFFFFFFFF, got {v}")))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Status, E> {
                Status::parse(v).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

impl Serialize for Status {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.name() {
            Some(n) => s.serialize_str(n),
            None => s.serialize_u32(self.0),
        }
    }
}

/// `server.shards`: `"auto"` (every CPU this process may run on) or a fixed count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Shards {
    #[default]
    Auto,
    Count(u64),
}

impl<'de> Deserialize<'de> for Shards {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Shards, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Shards;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("\"auto\" or a number of shards >= 1")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Shards, E> {
                Ok(Shards::Count(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Shards, E> {
                u64::try_from(v)
                    .map(Shards::Count)
                    .map_err(|_| E::custom(format!("must be \"auto\" or >= 1, got {v}")))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Shards, E> {
                if v == "auto" {
                    Ok(Shards::Auto)
                } else {
                    Err(E::custom(format!(
                        "must be \"auto\" or a number >= 1, got {v:?}"
                    )))
                }
            }
        }
        d.deserialize_any(V)
    }
}

impl Serialize for Shards {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Shards::Auto => s.serialize_str("auto"),
            Shards::Count(n) => s.serialize_u64(*n),
        }
    }
}

/// `server.metrics_listen`: an address, or `""` to disable the metrics endpoint.
pub mod optional_addr {
    use super::*;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SocketAddr>, D::Error> {
        let s = String::deserialize(d)?;
        if s.is_empty() {
            return Ok(None);
        }
        s.parse().map(Some).map_err(|_| {
            de::Error::custom(format!(
                "invalid address {s:?}: expected \"ip:port\" or \"\" to disable"
            ))
        })
    }

    pub fn serialize<S: Serializer>(a: &Option<SocketAddr>, s: S) -> Result<S::Ok, S::Error> {
        match a {
            Some(a) => s.collect_str(a),
            None => s.serialize_str(""),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_durations() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("72h"), Ok(Duration::from_secs(72 * 3600)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("12"), Ok(Duration::from_secs(12)));
        assert!(parse_duration("5x").unwrap_err().contains("unknown unit"));
        assert!(parse_duration("s").is_err());
        assert!(parse_duration("10").is_ok());
        assert!(parse_duration("-1s").is_err());
        assert!(parse_duration("").is_err());
    }

    #[test]
    fn formats_durations_back() {
        for s in ["30s", "500ms", "5m", "72h", "1m30s", "1h1m1s1ms"] {
            assert_eq!(format_duration(parse_duration(s).unwrap()), s);
        }
        assert_eq!(format_duration(parse_duration("1d").unwrap()), "24h");
    }

    #[test]
    fn parses_statuses() {
        assert_eq!(Status::parse("ESME_RINVDSTADR"), Ok(Status(0x0B)));
        assert_eq!(Status::parse("esme_rthrottled"), Ok(Status(0x58)));
        assert_eq!(Status::parse("0x0000000B"), Ok(Status(0x0B)));
        assert_eq!(Status::parse("69"), Ok(Status(0x45)));
        assert!(Status::parse("ESME_RNOPE").is_err());
        let s: Status = serde_json::from_str("11").unwrap();
        assert_eq!(s, Status::INVALID_DEST_ADDR);
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"ESME_RINVDSTADR\"");
        assert_eq!(serde_json::to_string(&Status(0x400)).unwrap(), "1024");
        assert!(serde_json::from_str::<Status>("-1").is_err());
        assert!(serde_json::from_str::<Status>("4294967296").is_err());
    }
}
