//! `smsedge`: the carrier-edge SMS proxy. This file only parses the command line and hands
//! each subcommand to its module.

use clap::{Parser, Subcommand};
use mimalloc::MiMalloc;
use std::path::PathBuf;

#[global_allocator]
static GLOBAL: MiMalloc = MiMalloc;

mod pdu_cmd;

/// smsedge: a carrier-edge SMS proxy (SMPP in, SMPP or SIGTRAN out).
#[derive(Debug, Parser)]
#[command(name = "smsedge", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the proxy (on the embedded default config without --config).
    Run {
        /// Config file (TOML).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Validate a config file: exit 0 with a summary, or 1 with every error.
    CheckConfig {
        /// Config file (TOML).
        file: PathBuf,
    },
    /// Talk to a running proxy over its admin socket.
    Ctl {
        /// Admin socket (default $SMSEDGE_ADMIN_SOCKET, else /tmp/smsedge-<uid>/admin.sock).
        #[arg(long, global = true)]
        socket: Option<PathBuf>,
        /// Print the raw JSON reply.
        #[arg(long, global = true)]
        json: bool,
        #[command(subcommand)]
        cmd: smsedge_control::CtlCommand,
    },
    /// Show the product working: proxy + SMSC simulator + load generator, then the report.
    Demo {
        /// How long the load runs.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
    },
    /// Decode or encode one protocol data unit.
    Pdu {
        #[command(subcommand)]
        op: PduOp,
    },
}

#[derive(Debug, Subcommand)]
enum PduOp {
    /// Decode back-to-back PDUs given in hex (or `-` for stdin) to one JSON object per line.
    Decode {
        /// smpp, m3ua, sccp, tcap, sms-deliver or sms-submit.
        proto: String,
        /// The PDU octets in hex (spaces allowed), or `-` to read stdin.
        #[arg(required = true, num_args = 1..)]
        hex: Vec<String>,
    },
    /// Encode the JSON that `decode` prints back to hex.
    Encode {
        /// smpp, m3ua, sccp, tcap, sms-deliver or sms-submit.
        proto: String,
        /// One or more JSON objects, or `-` to read stdin.
        #[arg(required = true, num_args = 1..)]
        json: Vec<String>,
    },
}

fn init_logs(level: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(std::io::stderr)
        .try_init();
}

fn run(config: Option<PathBuf>) -> i32 {
    let cfg = match &config {
        Some(p) => match smsedge_control::Config::load(p) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("smsedge: {}: {}", p.display(), e.joined());
                return 1;
            }
        },
        None => smsedge_control::Config::embedded_default(),
    };
    init_logs(&cfg.server.log_level);
    let engine = match smsedge_engine::engine::Engine::start(cfg, config.clone()) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("smsedge: {e}");
            return 1;
        }
    };
    if let Err(e) = smsedge_engine::engine::install_signals(engine.shared.clone()) {
        eprintln!("smsedge: {e}");
        engine.stop();
        engine.join();
        return 1;
    }
    if config.is_none() {
        eprintln!(
            "smsedge: running on the embedded default config; admin socket {}",
            engine.admin_path.display()
        );
    }
    engine.join();
    0
}

fn main() {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Run { config } => run(config),
        Command::CheckConfig { file } => {
            let (code, out) = smsedge_control::check_config(&file);
            println!("{out}");
            code
        }
        Command::Ctl { socket, json, cmd } => smsedge_control::run_ctl(socket, json, cmd),
        Command::Demo { seconds } => {
            init_logs("warn");
            smsedge_engine::demo::run(seconds)
        }
        Command::Pdu {
            op: PduOp::Decode { proto, hex },
        } => pdu_cmd::decode(&proto, &hex),
        Command::Pdu {
            op: PduOp::Encode { proto, json },
        } => pdu_cmd::encode(&proto, &json),
    };
    std::process::exit(code);
}
