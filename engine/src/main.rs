//! `smsedge`: the carrier-edge SMS proxy. This file only parses the command line and hands
//! each subcommand to its module.

use clap::{Parser, Subcommand};
use mimalloc::MiMalloc;

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

fn main() {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Pdu {
            op: PduOp::Decode { proto, hex },
        } => pdu_cmd::decode(&proto, &hex),
        Command::Pdu {
            op: PduOp::Encode { proto, json },
        } => pdu_cmd::encode(&proto, &json),
    };
    std::process::exit(code);
}
