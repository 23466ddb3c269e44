//! smsedge-loadgen: the load generator, SMSC simulator and SS7 peer simulator that ship with
//! smsedge.
//!
//! Operators load-test their SMS path with it, and smsedge measures itself with it, so it has
//! to be faster than anything it tests and honest about latency:
//!
//! - [`esme`]: N ESME binds sending submit_sm at a fixed rate or as fast as the windows allow,
//!   with a message mix (GSM 7-bit, UCS-2, long messages split with UDH or SAR), delivery
//!   receipts, and latency in HdrHistograms measured from the *intended* send time (no
//!   coordinated omission). The result is a [`report::Report`], the JSON of INTERFACES.md.
//! - [`smsc`]: an SMSC simulator: binds, submit_sm / submit_multi / data_sm answered with ids
//!   after a latency distribution, chosen error statuses, throttling above a rate, a window it
//!   enforces, receipts after a delay with a mix of final states, MO traffic, and drops on
//!   purpose (to prove the generator reports them).
//! - [`ss7`]: an SS7 peer over M3UA/TCP playing HLR and MSC for the proxy's SS7 connectors:
//!   ASP states, SRI-for-SM and mt-forwardSM (multi-part dialogues) answered after a latency
//!   with an error mix or deterministic errors, checks that the proxy delivers where SRI said,
//!   MO origination, and counters like the SMSC simulator's ([`ss7::Ss7::start`],
//!   [`ss7::Ss7Handle::stats`], [`ss7::Ss7Handle::stop`]).
//!
//! Both run thread-per-core on glommio (one executor per `--cpus` entry) and keep per-PDU cost
//! tiny: pre-encoded templates with patched fields, every PDU of a read buffer handled before
//! one batched write per connection, no allocation per message, timers from one wheel per
//! shard instead of one glommio timer per PDU.
//!
//! # Library use
//!
//! ```no_run
//! use smsedge_loadgen::{esme, smsc};
//!
//! // An SMSC simulator on a free port, on its own executor thread(s).
//! let sim = smsc::Smsc::start(smsc::SmscOptions {
//!     listen: "127.0.0.1:0".into(),
//!     ..Default::default()
//! })?;
//! // 10 000 messages through one transceiver bind, receipts requested.
//! let report = esme::run(esme::EsmeOptions {
//!     target: sim.local_addr().to_string(),
//!     count: Some(10_000),
//!     dlr: true,
//!     quiet: true,
//!     ..Default::default()
//! })?;
//! println!("{}", report.to_json());
//! assert!(report.exit_ok());
//! println!("{:?}", sim.stats());
//! sim.stop();
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! The option structs are the CLI's (`clap` derive), and their `Default` is the CLI default.
//! The API in one place:
//!
//! - [`esme::run`]`(EsmeOptions) -> io::Result<Report>`: blocking; prints one progress line per
//!   second on stderr unless `quiet`; writes `report` / `plot` files when set.
//!   [`esme::run_until`] also stops (gracefully) when an `AtomicBool` turns true.
//! - [`Report`]: `Serialize` to the JSON of INTERFACES.md ([`Report::to_json`],
//!   [`Report::to_json_pretty`]), [`Report::exit_ok`], [`Report::failures`], and the two
//!   latency histograms for [`Report::write_plot`].
//! - [`smsc::Smsc::start`]`(SmscOptions) -> io::Result<SmscHandle>`: returns once every
//!   executor accepts; [`smsc::SmscHandle::local_addr`], [`smsc::SmscHandle::stats`] (counters,
//!   published every 100 ms), [`smsc::SmscHandle::stop`] (also on drop). The `--stats` file is
//!   written by the CLI from the stats that `stop` returns.
//! - [`rt::install_signal_handlers`]: SIGINT/SIGTERM then make `esme::run` stop sending, drain
//!   and report (a second signal kills). The CLI installs them; a library user may.
//!
//! # What it refuses to do
//!
//! It does not reconnect a lost bind (a lost connection is an error the report shows), does
//! not hide a missing response or receipt (the exit status fails), and does not sleep per
//! message: rate pacing sends every message that is due at each wake-up in one write.

pub mod dlr;
pub mod esme;
mod ledger;
pub mod parse;
pub mod report;
pub mod rt;
pub mod smsc;
pub mod ss7;
pub mod templates;
mod wheel;

pub use report::Report;
