//! `smpp34-sink`: an SMPP sink on the `smpp34` crate's server (crates.io `smpp34`, a tokio SMPP
//! 3.4 client and server), for the termination comparison with `smsedge-loadgen smsc`: it
//! accepts every bind and answers every submit_sm with ESME_ROK and a message id (a hex
//! counter, as the simulator does). No receipts.
//!
//! `smpp34-sink --listen 127.0.0.1:2776` — prints `{"listening": "ADDR"}` once it accepts,
//! runs until SIGINT/SIGTERM, then prints `{"submit_sm": N}`.
//!
//! It runs smpp34 the way its own `perf_smsc` example does, except on a single-threaded tokio
//! runtime (one core, like the simulator it is compared with) and with a 64 KiB read buffer
//! instead of the default 1500 bytes (its best case; `--read-buffer` changes it).

use async_trait::async_trait;
use clap::Parser;
use smpp34::{
    bind_receiver, bind_receiver_resp, bind_transceiver, bind_transceiver_resp, bind_transmitter,
    bind_transmitter_resp, submit_sm, submit_sm_resp, SmppConnectionInformation, SmppServer,
    SmppServerListener,
};
use std::io::Write;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// SMPP sink on the smpp34 server.
#[derive(Debug, Parser)]
#[command(name = "smpp34-sink")]
struct Opts {
    /// Address to accept on (the port must be given: smpp34 does not report a chosen one).
    #[arg(long)]
    listen: SocketAddr,
    /// Read buffer per session in bytes (smpp34's own default is 1500).
    #[arg(long, default_value_t = 64 << 10)]
    read_buffer: usize,
}

#[derive(Debug, Default)]
struct Sink {
    submits: AtomicU64,
}

#[async_trait]
impl SmppServerListener for Sink {
    async fn on_bind_transmitter(
        &self,
        req: bind_transmitter,
        _c: &SmppConnectionInformation,
        _s: &String,
    ) -> bind_transmitter_resp {
        req.accept("SINK".to_string(), Some(0x34))
    }

    async fn on_bind_receiver(
        &self,
        req: bind_receiver,
        _c: &SmppConnectionInformation,
        _s: &String,
    ) -> bind_receiver_resp {
        req.accept("SINK".to_string(), Some(0x34))
    }

    async fn on_bind_transceiver(
        &self,
        req: bind_transceiver,
        _c: &SmppConnectionInformation,
        _s: &String,
    ) -> bind_transceiver_resp {
        req.accept("SINK".to_string(), Some(0x34))
    }

    async fn on_submit_sm(
        &self,
        req: submit_sm,
        _c: &SmppConnectionInformation,
        _s: &String,
    ) -> submit_sm_resp {
        let n = self.submits.fetch_add(1, Ordering::Relaxed);
        req.accept(format!("{:x}", n + 1))
    }
}

fn main() {
    let o = Opts::parse();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let sink = Arc::new(Sink::default());
    let n = rt.block_on(async {
        // smpp34's defaults (SmppServer::new) for every timer; only the buffer differs.
        let mut server = SmppServer::new_with_default_timers(
            o.listen.ip(),
            o.listen.port(),
            sink.clone(),
            5000,
            30000,
            300000,
            30000,
            o.read_buffer,
        );
        server.start().await;
        if !server.is_alive() {
            eprintln!("smpp34-sink: cannot listen on {}", o.listen);
            std::process::exit(2);
        }
        println!(
            "{}",
            serde_json::json!({ "listening": o.listen.to_string() })
        );
        let _ = std::io::stdout().flush();
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("SIGTERM handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
        server.stop().await;
        sink.submits.load(Ordering::Relaxed)
    });
    println!("{}", serde_json::json!({ "submit_sm": n }));
    // Sessions still running on the runtime are not drained: this is a measurement sink.
    std::process::exit(0);
}
