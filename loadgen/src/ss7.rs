//! The SS7 peer simulator: an HLR and an MSC behind a signalling gateway, reached over M3UA on
//! TCP, built to the profile the proxy is built to (`notes/SS7-PROFILE.md`).
//!
//! It accepts M3UA associations (RFC 4666 over TCP, one connection = one association, framed
//! by the common header's length) and plays the SGP side of the ASP state machine: ASPUP /
//! ASPDN / BEAT / ASPAC / ASPIA answered with their acknowledgements (ASPAC also with NTFY
//! AS-ACTIVE), DATA accepted only from an ACTIVE ASP (otherwise ERR "Unexpected Message",
//! RFC 4666 3.8.1), routing context and network appearance checked and echoed when configured.
//!
//! Above M3UA it speaks SCCP connectionless (UDT, and XUDT whose segments it reassembles),
//! TCAP with real dialogues (AARQ/AARE, TC-BEGIN / CONTINUE / END / ABORT, invoke ids answered
//! as received) and GSM MAP:
//!
//! - **HLR** (SSN 6, shortMsgGatewayContext v1-v3): sendRoutingInfoForSM is answered with the
//!   subscriber's IMSI (`--imsi-prefix` + the MSISDN's last digits, 15 in all) and the serving
//!   MSC's GT (`--msc-gt` + the MSISDN's last 4 digits), so the proxy must deliver where SRI
//!   said.
//! - **MSC** (SSN 8, shortMsgMT-RelayContext v2/v3, or shortMsgRelayContext v1/v2 with
//!   forwardSM): mt-forwardSM is checked (the IMSI must be one the HLR hands out, the message
//!   must have been sent to the MSC GT the HLR gave for that IMSI, sm-RP-OA must be the
//!   service centre, sm-RP-UI must decode as an SMS-DELIVER) and answered; a long message in
//!   one dialogue is answered part by part (TC-CONTINUE with ReturnResultLast while
//!   moreMessagesToSend is present, TC-END for the last part).
//! - **MO**: at `--mo-rate` the MSC originates mo-forwardSM (forwardSM in v2) with an
//!   SMS-SUBMIT to `--mo-to` towards the proxy's `--smsc-gt`, on ACTIVE associations, and counts
//!   the answers; unanswered ones time out after `--mo-timeout`. When the proxy refuses v3
//!   (TC-ABORT with AARE application-context-name-not-supported) it retries once with v2.
//!
//! Answers wait `--latency`; `--sri-errors` / `--mt-errors` answer a share of dialogues with
//! MAP errors, `--error-for` answers chosen MSISDNs with chosen errors (for tests),
//! `--drop-rate` leaves dialogues unanswered, `--v2-only` refuses v3 contexts (to exercise the
//! proxy's version fallback).
//!
//! Thread per core like the rest of the load generator: one glommio executor per `--cpus`
//! entry, each accepting on the same port and owning its associations, dialogues, timer wheel
//! and counters. A TC-CONTINUE / END / ABORT whose destination transaction id belongs to
//! another executor (the executor index is the id's first octet) is handed to that executor,
//! which answers on the dialogue's association.
//!
//! Behaviour on what the profile does not cover is documented where it is decided (see
//! `ss7/node.rs`).

pub mod errors;
mod node;
mod shard;
pub mod wire;

use crate::parse::{CpuList, Dist, Prob, Secs};
use errors::{ErrorRule, MtErrors, SriErrors};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// Options of `smsedge-loadgen ss7` (the same struct backs the CLI and the library).
#[derive(Debug, Clone, clap::Args)]
pub struct Ss7Options {
    /// Address to accept M3UA associations on (M3UA over TCP), HOST:PORT (port 0 picks a free
    /// one).
    #[arg(long, default_value = "127.0.0.1:2905")]
    pub listen: String,
    /// The simulator's point code: the DPC of the DATA it accepts, the OPC of what it sends.
    #[arg(long, default_value_t = 2)]
    pub local_pc: u32,
    /// The proxy's point code: the OPC of the DATA it accepts, the DPC of what it sends.
    #[arg(long, default_value_t = 1)]
    pub remote_pc: u32,
    /// Routing Context: when set, ASPAC and DATA carrying another value get ERR "Invalid
    /// Routing Context", and everything sent carries it.
    #[arg(long)]
    pub routing_context: Option<u32>,
    /// Network Appearance: when set, DATA carrying another value gets ERR "Invalid Network
    /// Appearance", and DATA sent carries it.
    #[arg(long)]
    pub network_appearance: Option<u32>,
    /// Network Indicator of the DATA sent (0 international, 2 national).
    #[arg(long, default_value_t = 2)]
    pub network_indicator: u8,
    /// The HLR's global title (calling address of its answers).
    #[arg(long, default_value = "447700800001")]
    pub hlr_gt: String,
    /// Base digits of the MSC GTs the HLR hands out: an MSISDN is served by this followed by
    /// its last 4 digits.
    #[arg(long, default_value = "44770080")]
    pub msc_gt: String,
    /// MCC+MNC of the IMSIs the HLR hands out: an MSISDN's IMSI is this followed by the
    /// MSISDN's last digits, 15 digits in all.
    #[arg(long, default_value = "00101")]
    pub imsi_prefix: String,
    /// Delay before each answer: `0`, `2ms`, `uniform:1ms-5ms`, `exp:2ms`.
    #[arg(long, default_value = "0")]
    pub latency: Dist,
    /// Share of sendRoutingInfoForSM answered with each MAP error, in percent, e.g.
    /// `absentSubscriberSM:5,unknownSubscriber:2` (also `drop:P`).
    #[arg(long)]
    pub sri_errors: Option<SriErrors>,
    /// Share of MT messages answered with each MAP error at their first part, in percent, e.g.
    /// `absentSubscriberSM:5,sm-DeliveryFailure/memoryCapacityExceeded:1`.
    #[arg(long)]
    pub mt_errors: Option<MtErrors>,
    /// Deterministic errors: `SUFFIX=STAGE:ERROR` answers every MSISDN ending in SUFFIX with
    /// ERROR at stage `sri` or `mt` (e.g. `0001=sri:unknownSubscriber`,
    /// `0002=mt:absentSubscriberSM`, `0003=mt:drop`); repeatable, first match wins.
    #[arg(long, value_name = "SUFFIX=STAGE:ERROR")]
    pub error_for: Vec<ErrorRule>,
    /// Refuse version 3 application contexts (TC-ABORT with an AARE
    /// application-context-name-not-supported offering version 2), and originate MO in v2.
    #[arg(long)]
    pub v2_only: bool,
    /// The HLR answers sendRoutingInfoForSM in a TC-CONTINUE and keeps its transaction open
    /// until the SMSC ends it (as some HLRs do); one left open counts as a dialogue timeout.
    #[arg(long)]
    pub sri_continue: bool,
    /// Share of dialogues never answered (to test the proxy's dialogue timeout): `0.01` or `1%`.
    #[arg(long, default_value = "0")]
    pub drop_rate: Prob,
    /// MO mo-forwardSM dialogues per second over all ACTIVE associations.
    #[arg(long, default_value_t = 0.0)]
    pub mo_rate: f64,
    /// Destination (TP-DA) of MO messages: the short code.
    #[arg(long, default_value = "12345")]
    pub mo_to: String,
    /// MSISDN prefix of the mobiles sending MO: numbers of 12 digits (the prefix and a
    /// counter), or the prefix itself when it has 12 digits or more.
    #[arg(long, default_value = "4477009")]
    pub mo_from: String,
    /// Text of MO messages (GSM 7-bit when it can be, else UCS-2; one part).
    #[arg(long, default_value = "smsedge MO test")]
    pub mo_text: String,
    /// The proxy's SMSC GT: where MO goes; when set, the service centre address of SRI and
    /// mt-forwardSM must be it (else unexpectedDataValue).
    #[arg(long)]
    pub smsc_gt: Option<String>,
    /// An MO dialogue not answered within this is counted in mo_timeouts and forgotten.
    #[arg(long, default_value = "30s")]
    pub mo_timeout: Secs,
    /// A multi-part MT dialogue whose next part does not come within this is forgotten
    /// (counted in dialogue_timeouts).
    #[arg(long, default_value = "60s")]
    pub dialogue_timeout: Secs,
    /// CPUs to run on, one executor each.
    #[arg(long)]
    pub cpus: Option<CpuList>,
    /// Write the counters as JSON to this file at exit.
    #[arg(long)]
    pub stats: Option<PathBuf>,
    /// No stats lines on stderr.
    #[arg(long)]
    pub quiet: bool,
}

#[derive(clap::Parser)]
struct Defaults {
    #[command(flatten)]
    o: Ss7Options,
}

impl Default for Ss7Options {
    /// The CLI defaults.
    fn default() -> Self {
        <Defaults as clap::Parser>::parse_from(["ss7"]).o
    }
}

/// A count per name (error names, check names).
pub type Counts = BTreeMap<&'static str, u64>;

macro_rules! stats {
    ($(#[$m:meta])* pub struct $name:ident {
        $( $(#[$fm:meta])* $f:ident : u64, )*
        ;
        $( $(#[$gm:meta])* $g:ident : Counts, )*
    }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
        pub struct $name {
            $( $(#[$fm])* pub $f: u64, )*
            $( $(#[$gm])* pub $g: Counts, )*
        }

        impl $name {
            /// Adds `from` into `self` and zeroes `from`.
            fn take_from(&mut self, from: &mut $name) {
                $( self.$f += std::mem::take(&mut from.$f); )*
                $(
                    for (k, v) in std::mem::take(&mut from.$g) {
                        *self.$g.entry(k).or_default() += v;
                    }
                )*
            }
        }
    };
}

stats! {
    /// The simulator's counters, the `--stats` file. Maps count by MAP error name
    /// (`sm-DeliveryFailure/<cause>` for sm-DeliveryFailure) or by check name.
    pub struct Ss7Stats {
        /// Associations (TCP connections) accepted.
        associations: u64,
        /// ASPUP received (and acknowledged).
        aspup: u64,
        /// ASPAC accepted (ASP now ACTIVE).
        aspac: u64,
        /// ASPIA received.
        aspia: u64,
        /// ASPDN received.
        aspdn: u64,
        /// BEAT received (and acknowledged).
        beat: u64,
        /// sendRoutingInfoForSM invokes.
        sri: u64,
        /// sendRoutingInfoForSM answered with a result.
        sri_ok: u64,
        /// MT dialogues (one per message, however many parts).
        mt_forward_sm: u64,
        /// mt-forwardSM (forwardSM) invokes: every part.
        parts: u64,
        /// MT dialogues ended with success for every part.
        mt_ok: u64,
        /// MO dialogues begun (fallback retries included).
        mo_sent: u64,
        /// MO answered with ReturnResultLast.
        mo_answered_ok: u64,
        /// MO answered with ReturnError, Reject or an END without result.
        mo_answered_error: u64,
        /// MO dialogues without an answer within --mo-timeout.
        mo_timeouts: u64,
        /// MO dialogues aborted by the proxy (v3 refusals that were retried not included).
        mo_aborted: u64,
        /// MO dialogues retried in v2 after the proxy refused v3.
        mo_fallbacks: u64,
        /// Dialogues deliberately left unanswered (--drop-rate, `drop` errors).
        dropped: u64,
        /// Version 3 contexts refused because of --v2-only.
        refused_v3: u64,
        /// Application contexts refused for another reason (unknown, wrong subsystem).
        refused_other: u64,
        /// TC-U-REJECT components sent (unknown operation, mistyped parameter).
        rejects_sent: u64,
        /// TC-ABORTs sent (refusals, unknown or badly formatted transactions).
        aborts_sent: u64,
        /// TC-ABORTs received for the simulator's dialogues.
        aborts_received: u64,
        /// TC-ENDs received for dialogues the simulator was still serving (a multi-part MT,
        /// an SRI answered with --sri-continue).
        ended_by_peer: u64,
        /// CONTINUE / END / ABORT for a transaction the simulator does not know.
        unknown_transactions: u64,
        /// Served dialogues left open past --dialogue-timeout (a multi-part MT whose next part
        /// never came, an SRI under --sri-continue never ended).
        dialogue_timeouts: u64,
        /// Answers not sent because the association went away (or left ACTIVE) first.
        answers_lost: u64,
        /// TCAP messages that did not decode.
        tcap_errors: u64,
        /// M3UA DATA received from an ACTIVE ASP.
        data_in: u64,
        /// M3UA DATA sent.
        data_out: u64,
        /// DATA received before the ASP was ACTIVE (answered with ERR).
        data_not_active: u64,
        /// DATA dropped: OPC/DPC not the configured ones.
        wrong_pc: u64,
        /// M3UA ERR received.
        m3ua_errors_received: u64,
        /// M3UA NTFY received.
        ntfy_received: u64,
        /// SCCP messages that did not decode.
        sccp_errors: u64,
        /// UDTS / XUDTS / LUDTS received (the proxy returned a message).
        sccp_returned: u64,
        /// Messages to a subsystem other than HLR (6) and MSC (8): returned as unequipped user.
        sccp_unequipped: u64,
        /// XUDT segments received.
        xudt_segments: u64,
        /// Messages put back together from XUDT segments.
        reassembled: u64,
        /// Segments refused (inconsistent, too many pending, too long).
        reassembly_errors: u64,
        ;
        /// sendRoutingInfoForSM answered with each error.
        sri_errors: Counts,
        /// MT dialogues answered with each error.
        mt_errors: Counts,
        /// MO answered with each error (`reject`, `no_result` for answers without one).
        mo_errors: Counts,
        /// What failed the checks that were answered unexpectedDataValue.
        check_failures: Counts,
        /// M3UA ERR sent, by error code name.
        m3ua_errors_sent: Counts,
    }
}

/// Read-only configuration of a running simulator, shared by the executors.
#[derive(Debug)]
pub(crate) struct Config {
    pub o: Ss7Options,
    pub shards: usize,
    pub label: wire::Label,
    pub sri_schedule: Vec<Option<errors::Outcome>>,
    pub mt_schedule: Vec<Option<errors::Outcome>>,
    pub hlr: smsedge_codecs::sccp::PartyAddress,
    pub mo: Option<node::MoTemplate>,
}

/// A running simulator. Dropping it stops it.
#[derive(Debug)]
pub struct Ss7Handle {
    addr: SocketAddr,
    stats: Arc<Mutex<Ss7Stats>>,
    stop: Arc<AtomicBool>,
    threads: Vec<crate::rt::ShardThread<()>>,
}

/// The simulator's entry point.
#[derive(Debug)]
pub struct Ss7;

fn digits_ok(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

impl Ss7 {
    /// Starts the simulator on its own executor threads (pinned per `cpus`, else one unpinned)
    /// and returns once every executor is accepting.
    pub fn start(o: Ss7Options) -> io::Result<Ss7Handle> {
        let bad = |m: String| io::Error::new(io::ErrorKind::InvalidInput, m);
        for (flag, v) in [
            ("--hlr-gt", &o.hlr_gt),
            ("--msc-gt", &o.msc_gt),
            ("--imsi-prefix", &o.imsi_prefix),
        ] {
            if !digits_ok(v) {
                return Err(bad(format!("{flag} {v:?}: expected digits")));
            }
        }
        if o.hlr_gt.len() > 20 || o.msc_gt.len() > 16 {
            return Err(bad("--hlr-gt / --msc-gt: too many digits for a GT".into()));
        }
        if !(3..=6).contains(&o.imsi_prefix.len()) {
            return Err(bad(format!(
                "--imsi-prefix {:?}: expected MCC+MNC, 3 to 6 digits",
                o.imsi_prefix
            )));
        }
        let msisdn_digits = 15 - o.imsi_prefix.len();
        for r in &o.error_for {
            if r.suffix.len() > msisdn_digits {
                return Err(bad(format!(
                    "--error-for {r}: the suffix may have at most {msisdn_digits} digits (the \
                     MSISDN digits an IMSI keeps after --imsi-prefix)"
                )));
            }
        }
        if let Some(s) = &o.smsc_gt {
            if !digits_ok(s) || s.len() > 20 {
                return Err(bad(format!("--smsc-gt {s:?}: expected up to 20 digits")));
            }
        }
        if !(o.mo_rate >= 0.0 && o.mo_rate.is_finite()) {
            return Err(bad(
                "--mo-rate must be a number of messages per second".into()
            ));
        }
        let mo = if o.mo_rate > 0.0 {
            let Some(smsc) = &o.smsc_gt else {
                return Err(bad(
                    "--mo-rate needs --smsc-gt (the proxy's SMSC GT, where MO goes)".into(),
                ));
            };
            if !digits_ok(&o.mo_from) || o.mo_from.len() > 15 {
                return Err(bad(format!(
                    "--mo-from {:?}: expected up to 15 digits",
                    o.mo_from
                )));
            }
            Some(node::MoTemplate::new(smsc, &o.mo_to, &o.mo_text).map_err(bad)?)
        } else {
            None
        };
        let addr = o
            .listen
            .to_socket_addrs()
            .map_err(|e| bad(format!("--listen {}: {e}", o.listen)))?
            .next()
            .ok_or_else(|| bad(format!("--listen {}: no address", o.listen)))?;
        let placements = crate::rt::placements(o.cpus.as_ref().map(|c| &c.0[..]), 1);
        if placements.len() > 255 {
            return Err(bad("--cpus: at most 255 executors".into()));
        }
        let sched = |m: Option<&errors::ErrorMix>| match m {
            Some(m) if !m.is_empty() => m.schedule(),
            _ => Vec::new(),
        };
        let cfg = Arc::new(Config {
            label: wire::Label {
                network_appearance: o.network_appearance,
                routing_context: o.routing_context,
                opc: o.local_pc,
                dpc: o.remote_pc,
                ni: o.network_indicator,
            },
            sri_schedule: sched(o.sri_errors.as_ref().map(|e| &e.0)),
            mt_schedule: sched(o.mt_errors.as_ref().map(|e| &e.0)),
            hlr: wire::gt_address(smsedge_codecs::sccp::ssn::HLR, &o.hlr_gt),
            mo,
            shards: placements.len(),
            o,
        });
        let stats = Arc::new(Mutex::new(Ss7Stats::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let inboxes: Arc<Vec<shard::Inbox>> = Arc::new(
            (0..placements.len())
                .map(|_| shard::Inbox::default())
                .collect(),
        );
        let (shared, stop2) = (stats.clone(), stop.clone());
        let (bound, threads) = crate::rt::spawn_listeners(
            "loadgen-ss7",
            &placements,
            addr,
            Some(&stop),
            move |idx, listener| {
                let ctx = shard::Ctx {
                    idx,
                    cfg,
                    stats: shared,
                    stop: stop2,
                    inboxes,
                };
                shard::shard_main(ctx, listener)
            },
        )?;
        Ok(Ss7Handle {
            addr: bound,
            stats,
            stop,
            threads,
        })
    }
}

impl Ss7Handle {
    /// The address the simulator accepts on (the real port when 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The counters so far (published every 100 ms).
    pub fn stats(&self) -> Ss7Stats {
        self.stats.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Stops accepting, closes every association, waits for the executors and returns the
    /// final counters.
    pub fn stop(mut self) -> Ss7Stats {
        self.shutdown();
        self.stats()
    }

    fn shutdown(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

impl Drop for Ss7Handle {
    fn drop(&mut self) {
        self.shutdown();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_mirror_the_cli() {
        let o = Ss7Options::default();
        assert_eq!(o.listen, "127.0.0.1:2905");
        assert_eq!((o.local_pc, o.remote_pc, o.network_indicator), (2, 1, 2));
        assert!(o.latency.is_zero() && o.error_for.is_empty() && !o.v2_only && !o.sri_continue);
    }

    #[test]
    fn stats_merge_and_serialize_with_the_documented_keys() {
        let mut a = Ss7Stats::default();
        let mut b = Ss7Stats {
            sri: 3,
            ..Default::default()
        };
        b.sri_errors.insert("unknownSubscriber", 2);
        a.take_from(&mut b);
        a.take_from(&mut Ss7Stats {
            sri: 1,
            sri_errors: [("unknownSubscriber", 1)].into_iter().collect(),
            ..Default::default()
        });
        assert_eq!((a.sri, a.sri_errors["unknownSubscriber"]), (4, 3));
        assert_eq!(b, Ss7Stats::default());
        let v = serde_json::to_value(&a).unwrap();
        for k in [
            "associations",
            "aspac",
            "sri",
            "sri_errors",
            "mt_forward_sm",
            "mt_errors",
            "parts",
            "mo_sent",
            "mo_answered_ok",
            "mo_answered_error",
        ] {
            assert!(v.get(k).is_some(), "{k}");
        }
    }

    #[test]
    fn refuses_bad_options_with_the_flag_named() {
        let e = |o: Ss7Options| Ss7::start(o).unwrap_err().to_string();
        assert!(e(Ss7Options {
            mo_rate: 5.0,
            ..Default::default()
        })
        .contains("--smsc-gt"));
        assert!(e(Ss7Options {
            msc_gt: "44x".into(),
            ..Default::default()
        })
        .contains("--msc-gt"));
        assert!(e(Ss7Options {
            error_for: vec!["12345678901=sri:unknownSubscriber".parse().unwrap()],
            ..Default::default()
        })
        .contains("--error-for"));
    }
}
