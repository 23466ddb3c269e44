//! One SS7 session judged by Wireshark: tshark captures it on the loopback interface and
//! `shared/oracles/wsdecode.py --pcap` must find no malformed packet and every MAP operation
//! (SRI-for-SM, mt-forwardSM, mo-forwardSM) with the values the client and the simulator
//! exchanged. The M3UA messages the client saw are also decoded from hex (`wsdecode.py
//! m3ua-tcp HEX...`), which is the only judgement left when capturing on lo is not permitted.

mod ss7_common;

use serde_json::Value;
use smsedge_codecs::hex;
use smsedge_codecs::map::AppContext;
use smsedge_codecs::tcap::{self, Component, DialoguePortion, MessageKind, SourceDiagnostic};
use smsedge_loadgen::ss7::{Ss7, Ss7Options};
use ss7_common::*;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The capture process: stopped with SIGINT (so that it writes what it has), killed on drop.
struct Tshark(std::process::Child);

impl Tshark {
    fn stop(&mut self) {
        // SAFETY: SIGINT to the tshark this test started and has not reaped.
        unsafe {
            libc::kill(self.0.id() as i32, libc::SIGINT);
        }
        let _ = self.0.wait();
    }
}

impl Drop for Tshark {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

fn wsdecode() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/oracles/wsdecode.py"
    ))
}

fn require_tshark() {
    let ok = Command::new("tshark")
        .arg("-v")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "tshark is missing: install the oracles (bash shared/oracles/install.sh) before this test"
    );
    assert!(wsdecode().exists(), "{} is missing", wsdecode().display());
}

/// Runs wsdecode.py; returns its exit status and JSON.
fn judge(args: &[String]) -> (i32, Value) {
    let out = Command::new("python3")
        .arg(wsdecode())
        .args(args)
        .output()
        .expect("python3 runs");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "wsdecode.py printed no JSON: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), v)
}

fn values(v: &Value, field: &str) -> Vec<String> {
    v["packets"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| {
            p["by_name"][field]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .filter_map(|x| x.as_str().map(str::to_string))
        })
        .collect()
}

/// The next answer (anything but a BEGIN); MO BEGINs that come first are kept in `mo`.
fn answer(c: &mut Client, mo: &mut Vec<Got>) -> Got {
    loop {
        let g = c.recv_tcap();
        if g.tcap.kind != MessageKind::Begin {
            return g;
        }
        mo.push(g);
    }
}

/// The session: SRI, a one-part and a three-part MT, an MO answered, a BEAT.
fn session(c: &mut Client) -> (String, String) {
    let mut mo = Vec::new();
    c.up();
    let msisdn = "447700900246";
    c.send_tcap(
        &gt(6, msisdn),
        &smsc_addr(),
        &sri_begin(0x0300_0001, msisdn, 3),
    );
    let g = answer(c, &mut mo);
    assert!(matches!(g.tcap.components[0], Component::ReturnResult(_)));
    let (imsi, msc) = (imsi_of(msisdn), msc_of(msisdn));
    c.send_tcap(
        &gt(8, &msc),
        &smsc_addr(),
        &mt_begin(
            0x0300_0002,
            mt_invoke(
                1,
                &imsi,
                deliver("447700900777", "judged by tshark", None),
                false,
                3,
            ),
            3,
        ),
    );
    assert_eq!(answer(c, &mut mo).tcap.kind, MessageKind::End);
    let part = |i: u8| deliver("447700900777", &format!("part {i}"), Some((5, 3, i)));
    c.send_tcap(
        &gt(8, &msc),
        &smsc_addr(),
        &mt_begin(0x0300_0003, mt_invoke(1, &imsi, part(1), true, 3), 3),
    );
    let theirs = answer(c, &mut mo).tcap.otid.unwrap();
    for i in 2..=3u8 {
        let t = tcap::Message::continue_(tid(0x0300_0003), theirs).with_component(mt_invoke(
            i64::from(i),
            &imsi,
            part(i),
            i < 3,
            3,
        ));
        c.send_tcap(&gt(8, &msc), &smsc_addr(), &t);
        answer(c, &mut mo);
    }
    // The first MO: answered with a result.
    let mo = match mo.into_iter().next() {
        Some(g) => g,
        None => c.recv_tcap(),
    };
    assert_eq!(mo.tcap.kind, MessageKind::Begin);
    let end = tcap::Message::end(mo.tcap.otid.unwrap())
        .with_dialogue(DialoguePortion::response(
            AppContext::ShortMsgMoRelay.oid(3),
            0,
            SourceDiagnostic::User(0),
        ))
        .with_component(Component::return_result_last(1, None));
    c.send_tcap(&mo.sccp.calling, &smsc_addr(), &end);
    c.send(&smsedge_codecs::m3ua::Message::beat(Some(
        b"tshark".to_vec(),
    )));
    c.send(&smsedge_codecs::m3ua::Message::aspia(&[]));
    // Whatever MO came meanwhile, up to the ASPIA ACK.
    while c.recv().kind != smsedge_codecs::m3ua::MessageType::AspIaAck {}
    (imsi, msc)
}

fn expects(imsi: &str) -> Vec<String> {
    [
        "gsm_old.localValue=45",
        "gsm_old.localValue=44",
        "gsm_old.localValue=46",
        "tcap.application_context_name=0.4.0.0.1.0.20.3",
        "tcap.application_context_name=0.4.0.0.1.0.25.3",
        "tcap.application_context_name=0.4.0.0.1.0.21.3",
        "gsm_sms.sms_text=judged by tshark",
        "gsm_sms.sms_text=smsedge MO test",
        "sccp.called.ssn=6",
        "sccp.called.ssn=8",
    ]
    .iter()
    .map(|s| format!("--expect={s}"))
    .chain([format!("--expect=e212.imsi={imsi}")])
    .flat_map(|e| {
        let (a, b) = e.split_once('=').unwrap();
        [a.to_string(), b.to_string()]
    })
    .collect()
}

#[test]
fn a_session_passes_wiresharks_dissectors() {
    require_tshark();
    let h = Ss7::start(Ss7Options {
        listen: "127.0.0.1:0".into(),
        quiet: true,
        mo_rate: 20.0,
        smsc_gt: Some(SMSC.into()),
        ..Default::default()
    })
    .unwrap();
    let port = h.local_addr().port();
    let pcap = std::env::temp_dir().join(format!("smsedge-ss7-{}.pcapng", std::process::id()));
    let _ = std::fs::remove_file(&pcap);
    // It stops by itself after two minutes, and is killed if the test fails first.
    let mut tshark = Tshark(
        Command::new("tshark")
            .args(["-i", "lo", "-n", "-q", "-a", "duration:120", "-w"])
            .arg(&pcap)
            .args(["-f", &format!("tcp port {port}")])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("tshark starts"),
    );
    // tshark says "Capture started" once it captures; anything else is a refusal.
    let mut err = BufReader::new(tshark.0.stderr.take().unwrap());
    let mut capturing = false;
    let mut said = String::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        let mut line = String::new();
        if err.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
        said.push_str(&line);
        if line.contains("Capture started") {
            capturing = true;
            break;
        }
    }
    let mut c = Client::connect(h.local_addr());
    let (imsi, _msc) = session(&mut c);
    let wire: Vec<String> = c.wire.iter().map(|f| hex::encode(f)).collect();
    drop(c);
    std::thread::sleep(Duration::from_millis(500));
    tshark.stop();
    drop(h);

    // The bytes the client saw, one M3UA message per packet.
    let mut args: Vec<String> = vec!["--port".into(), port.to_string()];
    args.extend(expects(&imsi));
    args.push("m3ua-tcp".into());
    args.extend(wire);
    let (code, v) = judge(&args);
    assert_eq!(code, 0, "hex judgement: {}", v["problems"]);

    if !capturing {
        eprintln!(
            "NOTE: capturing on lo is not permitted here ({}); only the client's bytes were judged",
            said.trim()
        );
        return;
    }
    let mut args: Vec<String> = vec![
        "--pcap".into(),
        pcap.display().to_string(),
        "--port".into(),
        port.to_string(),
    ];
    args.extend(expects(&imsi));
    args.push("m3ua-tcp".into());
    let (code, v) = judge(&args);
    assert_eq!(code, 0, "capture judgement: {}", v["problems"]);
    let n = v["packets"].as_array().unwrap().len();
    assert!(n >= 10, "{n} M3UA packets in the capture");
    // The SRI result as Wireshark reads it: the IMSI the client was given.
    assert!(values(&v, "e212.imsi").contains(&imsi));
    let _ = std::fs::remove_file(&pcap);
}
