//! smsedge into SS7 over real sockets: python smpplib (an ESME we did not write) submits through
//! the proxy to the SS7 peer simulator (HLR + MSC over M3UA/TCP). Each submit runs
//! sendRoutingInfoForSM then mt-forwardSM; the submit_sm_resp and the receipt carry the outcome,
//! for success and for each MAP error of the README's table. An MO from the network reaches the
//! bound ESME and the network hears only after the ESME's deliver_sm_resp. Wireshark judges a
//! capture of it all, and losing the association mid-load leaves no submit unanswered.

use serde_json::Value;
use smsedge_codecs::smpp::{Body, CommandId, CommandStatus, Pdu};
use smsedge_loadgen::ss7::{Ss7, Ss7Handle, Ss7Options, Ss7Stats};
use smsedge_tests::*;
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const SMSC_GT: &str = "447700900999";

/// Deterministic outcomes by the MSISDN's last digits (the simulator matches the IMSI at the MT
/// stage, which ends with the same digits).
const RULES: &[&str] = &[
    "0001=sri:unknownSubscriber",
    "0002=sri:absentSubscriberSM",
    "0003=sri:callBarred",
    "0004=mt:sm-DeliveryFailure/memoryCapacityExceeded",
    "0005=mt:systemFailure",
    "0006=mt:drop",
    "0007=mt:absentSubscriberSM",
    "0008=sri:systemFailure",
];

fn sim(extra: impl FnOnce(&mut Ss7Options)) -> Ss7Handle {
    let mut o = Ss7Options {
        listen: "127.0.0.1:0".into(),
        quiet: true,
        smsc_gt: Some(SMSC_GT.into()),
        error_for: RULES.iter().map(|r| r.parse().unwrap()).collect(),
        ..Default::default()
    };
    extra(&mut o);
    Ss7::start(o).expect("SS7 simulator starts")
}

/// Two m3ua connectors on the same simulator: `ss7` transactional (numbers 4477009...),
/// `ss7r` in receipt mode (numbers 4477019...); MO to 12345 belongs to esme1.
fn config(port: u16, extra: &str) -> String {
    format!(
        r#"
[[account]]
system_id = "esme1"
password = "secret"

[[connector]]
name = "ss7"
kind = "m3ua"
address = "127.0.0.1:{port}"
local_pc = 1
remote_pc = 2
smsc_gt = "{SMSC_GT}"
dialogue_timeout = "2s"
reconnect_min = "100ms"
reconnect_max = "500ms"
{extra}

[[connector]]
name = "ss7r"
kind = "m3ua"
address = "127.0.0.1:{port}"
local_pc = 1
remote_pc = 2
smsc_gt = "{SMSC_GT}"
dialogue_timeout = "2s"
submit_mode = "receipt"

[[route]]
prefix = "4477009"
connectors = ["ss7"]

[[route]]
prefix = "4477019"
connectors = ["ss7r"]

[[mo_route]]
prefix = "12345"
account = "esme1"
"#
    )
}

/// Waits until `n` associations are ASP-ACTIVE.
fn wait_active(s: &Smsedge, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        let v = s.ctl(&["binds"]);
        let up = v["binds"].as_array().map_or(0, |b| {
            b.iter()
                .filter(|x| x["kind"] == "m3ua" && x["state"] == "Active")
                .count()
        });
        if up >= n {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!(
        "associations never all active: {}\n{}",
        s.ctl(&["binds"]),
        s.proc.output()
    );
}

/// Runs the smpplib ESME against the proxy; returns its JSON report (whatever its exit code).
fn smpplib(s: &Smsedge, args: &[&str]) -> Value {
    let out = Command::new(oracle_python())
        .arg(shared_dir().join("peers/smpplib_client.py"))
        .arg("127.0.0.1")
        .arg(s.addr.port().to_string())
        .args(args)
        .output()
        .expect("run the smpplib client");
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "smpplib printed no report ({e}): {text} {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn events<'a>(report: &'a Value, ev: &str) -> Vec<&'a Value> {
    report["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["ev"] == ev)
        .collect()
}

/// The one submit_sm_resp status smpplib saw: it raises `PDUError('(N) ...', N)` on a non-zero
/// command_status instead of reporting the response.
fn error_status(report: &Value) -> Option<u32> {
    let resps = events(report, "submit_sm_resp");
    let errors = events(report, "read_error");
    match (resps.as_slice(), errors.as_slice()) {
        ([r], []) => r["status"].as_u64().map(|s| s as u32),
        ([], [e]) => {
            let text = e["error"].as_str()?;
            let n = text.trim_end_matches(')').rsplit(", ").next()?;
            n.trim().parse().ok()
        }
        _ => None,
    }
}

/// `key:value` of a receipt text.
fn field<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let at = text.find(&format!("{key}:"))?;
    text[at + key.len() + 1..].split_whitespace().next()
}

#[test]
fn smpplib_reaches_mobiles_over_map_and_hears_each_map_error() {
    let h = sim(|_| {});
    let s = Smsedge::start("shards = 2", &config(h.local_addr().port(), ""));
    wait_active(&s, 4);

    // Success: 3 messages and a 2-part UCS-2 one, every receipt DELIVRD with the proxy's id.
    let r = smpplib(
        &s,
        &[
            "--dest",
            "447700900123",
            "--count",
            "3",
            "--long",
            "--dlr-timeout",
            "10",
        ],
    );
    assert_eq!(r["ok"], true, "{r:#}");
    assert_eq!((r["sent"].as_u64(), r["dlrs"].as_u64()), (Some(5), Some(5)));
    let ids: Vec<&str> = events(&r, "submit_sm_resp")
        .iter()
        .map(|e| e["message_id"].as_str().unwrap())
        .collect();
    for d in events(&r, "deliver_sm") {
        let text = d["short_message"].as_str().unwrap();
        assert_eq!(field(text, "stat"), Some("DELIVRD"), "{text}");
        assert_eq!(field(text, "err"), Some("000"), "{text}");
        assert!(ids.contains(&field(text, "id").unwrap()), "{text} {ids:?}");
        assert_eq!(d["receipted_message_id"].as_str(), field(text, "id"));
    }
    // One SRI and one MT dialogue per submit_sm; every check of the simulator passed (SC
    // address = our GT, TPDU well formed). The simulator publishes its counters every 100 ms.
    let st = wait_stats(&h, "five delivered", |st| st.mt_ok >= 5);
    assert_eq!((st.sri_ok, st.mt_ok), (5, 5), "{st:?}");
    assert!(st.check_failures.is_empty(), "{:?}", st.check_failures);

    // Transactional mode: the submit_sm_resp carries the MAP error mapped to an SMPP status,
    // and no receipt follows (there is no message id).
    let cases = [
        ("447700900001", CommandStatus::ESME_RINVDSTADR),
        ("447700900002", CommandStatus::ESME_RDELIVERYFAILURE),
        ("447700900003", CommandStatus::ESME_RSUBMITFAIL),
        ("447700900004", CommandStatus::ESME_RMSGQFUL),
        ("447700900005", CommandStatus::ESME_RSYSERR),
        ("447700900006", CommandStatus::ESME_RSYSERR),
        ("447700900007", CommandStatus::ESME_RDELIVERYFAILURE),
        ("447700900008", CommandStatus::ESME_RSYSERR),
    ];
    for (dest, status) in cases {
        let r = smpplib(&s, &["--dest", dest, "--dlr-timeout", "0.5"]);
        assert_eq!(error_status(&r), Some(status.0), "{dest}: {r:#}");
        assert!(events(&r, "deliver_sm").is_empty(), "{dest}: {r:#}");
    }

    // Receipt mode: submit_sm_resp at once with an id, the outcome in the receipt's stat/err.
    let cases = [
        ("447701900001", "REJECTD", "001"),
        ("447701900002", "UNDELIV", "006"),
        ("447701900004", "UNDELIV", "032"),
        ("447701900006", "EXPIRED", "000"),
        ("447701900123", "DELIVRD", "000"),
    ];
    for (dest, stat, err) in cases {
        let r = smpplib(&s, &["--dest", dest, "--dlr-timeout", "8"]);
        assert_eq!(r["ok"], true, "{dest}: {r:#}");
        let id = events(&r, "submit_sm_resp")[0]["message_id"]
            .as_str()
            .unwrap()
            .to_string();
        let d = events(&r, "deliver_sm");
        assert_eq!(d.len(), 1, "{dest}: {r:#}");
        let text = d[0]["short_message"].as_str().unwrap();
        assert_eq!(field(text, "id"), Some(id.as_str()), "{text}");
        assert_eq!(field(text, "stat"), Some(stat), "{dest}: {text}");
        assert_eq!(field(text, "err"), Some(err), "{dest}: {text}");
    }
    let m = s.metrics_text();
    assert!(
        metric_sum(
            &m,
            "smsedge_upstream_responses_total",
            &[("connector", "ss7")]
        ) >= 13.0,
        "{m}"
    );
}

#[test]
fn an_hlr_that_answers_in_a_continue_has_its_transaction_ended() {
    let h = sim(|o| o.sri_continue = true);
    let s = Smsedge::start("shards = 1", &config(h.local_addr().port(), ""));
    wait_active(&s, 2);
    let r = smpplib(
        &s,
        &[
            "--dest",
            "447700900123",
            "--count",
            "3",
            "--dlr-timeout",
            "10",
        ],
    );
    assert_eq!(r["ok"], true, "{r:#}");
    // Each SRI result came in a TC-CONTINUE: the proxy ends that transaction (basic TC-END)
    // and delivers in a dialogue of its own with the MSC.
    let st = wait_stats(&h, "three delivered, three HLR transactions ended", |st| {
        st.mt_ok >= 3 && st.ended_by_peer >= 3
    });
    assert_eq!((st.sri_ok, st.mt_ok, st.ended_by_peer), (3, 3, 3), "{st:?}");
    assert_eq!(
        (
            st.dialogue_timeouts,
            st.aborts_received,
            st.unknown_transactions
        ),
        (0, 0, 0),
        "{st:?}"
    );
}

#[test]
fn a_v2_only_network_gets_the_same_messages_after_the_fallback() {
    let h = sim(|o| o.v2_only = true);
    let s = Smsedge::start("shards = 1", &config(h.local_addr().port(), ""));
    wait_active(&s, 2);
    let r = smpplib(
        &s,
        &[
            "--dest",
            "447700900123",
            "--count",
            "2",
            "--dlr-timeout",
            "10",
        ],
    );
    assert_eq!(r["ok"], true, "{r:#}");
    // Each SRI and each mt-forwardSM was refused once in v3, then served in v2 (forwardSM).
    let st = wait_stats(&h, "two delivered", |st| st.mt_ok >= 2);
    assert_eq!((st.sri_ok, st.mt_ok), (2, 2), "{st:?}");
    assert!(st.refused_v3 >= 2, "{st:?}");
    // A refused number still maps the same way in v2.
    let r = smpplib(&s, &["--dest", "447700900001", "--dlr-timeout", "0.5"]);
    assert_eq!(
        error_status(&r),
        Some(CommandStatus::ESME_RINVDSTADR.0),
        "{r:#}"
    );
}

fn wait_stats(h: &Ss7Handle, what: &str, ok: impl Fn(&Ss7Stats) -> bool) -> Ss7Stats {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let st = h.stats();
        if ok(&st) {
            return st;
        }
        assert!(Instant::now() < deadline, "{what}: {st:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn bind_rx(s: &Smsedge) -> RawSmpp {
    let mut c = RawSmpp::connect(s.addr);
    let mut b = bind_trx(1, "esme1", "secret");
    if let Body::BindTransceiver(x) = b.body {
        b.body = Body::BindReceiver(x);
    }
    c.send(&b);
    let r = c.recv().expect("bind_receiver_resp");
    assert_eq!(r.command_status, CommandStatus::ESME_ROK);
    c
}

fn next_deliver(c: &mut RawSmpp) -> Pdu {
    loop {
        let p = c.recv().expect("deliver_sm from the proxy");
        match p.command_id() {
            CommandId::DeliverSm => return p,
            _ => c.auto_answer(&p),
        }
    }
}

#[test]
fn mo_reaches_the_bound_esme_and_the_network_hears_only_after_its_response() {
    let h = sim(|o| {
        o.mo_rate = 4.0;
        o.mo_to = "12345".into();
        o.mo_text = "MO to a short code".into();
    });
    let s = Smsedge::start("shards = 1", &config(h.local_addr().port(), ""));
    wait_active(&s, 2);
    // Nobody bound yet: the network hears sm-DeliveryFailure, nothing is acknowledged.
    let st = wait_stats(&h, "MO refused while no ESME is bound", |st| {
        st.mo_answered_error >= 2
    });
    assert_eq!(st.mo_answered_ok, 0, "{st:?}");
    assert!(
        st.mo_errors
            .keys()
            .all(|k| k.starts_with("sm-DeliveryFailure")),
        "{:?}",
        st.mo_errors
    );

    let mut rx = bind_rx(&s);
    let first = next_deliver(&mut rx);
    let Body::DeliverSm(ref d) = first.body else {
        unreachable!()
    };
    assert_eq!(&d.destination_addr[..], b"12345");
    assert!(d.source_addr.starts_with(b"4477009"), "{d:?}");
    assert_eq!(d.esm_class & 0x3c, 0, "an MO, not a receipt: {d:?}");
    assert_eq!(&d.short_message[..], b"MO to a short code");
    // Hold the response: the network is not answered meanwhile (others queue behind it).
    let before = h.stats();
    std::thread::sleep(Duration::from_millis(1500));
    let held = h.stats();
    assert_eq!(held.mo_answered_ok, before.mo_answered_ok, "{held:?}");
    assert_eq!(held.mo_answered_ok, 0, "{held:?}");
    rx.send(&Pdu::new(
        first.sequence_number,
        Body::DeliverSmResp(Some(Default::default())),
    ));
    wait_stats(&h, "MO acknowledged after deliver_sm_resp", |st| {
        st.mo_answered_ok >= 1
    });
    // The ESME refuses the next one: the network hears an error, not a success.
    let next = next_deliver(&mut rx);
    // Let the simulator publish its counters (every 100 ms) before taking the baseline.
    std::thread::sleep(Duration::from_millis(300));
    let ok_before = h.stats().mo_answered_ok;
    let err_before = h.stats().mo_answered_error;
    let mut resp = Pdu::new(
        next.sequence_number,
        Body::DeliverSmResp(Some(Default::default())),
    );
    resp.command_status = CommandStatus::ESME_RX_P_APPN;
    rx.send(&resp);
    wait_stats(&h, "MO refused by the ESME", |st| {
        st.mo_answered_error > err_before
    });
    assert_eq!(h.stats().mo_answered_ok, ok_before);
    let st = h.stats();
    assert_eq!(st.mo_timeouts, 0, "{st:?}");
    assert!(st.check_failures.is_empty(), "{:?}", st.check_failures);
}

// ------------------------------------------------------------------ capture judged by tshark

/// tshark capturing on lo; SIGINT on stop (so it writes what it has), killed on drop.
struct Tshark(std::process::Child);

impl Tshark {
    fn start(port: u16, pcap: &std::path::Path) -> Tshark {
        let mut child = Command::new("tshark")
            .args(["-i", "lo", "-n", "-q", "-a", "duration:120", "-w"])
            .arg(pcap)
            .args(["-f", &format!("tcp port {port}")])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("tshark is missing: install the oracles (bash ../shared/oracles/install.sh)");
        let mut err = BufReader::new(child.stderr.take().unwrap());
        let mut said = String::new();
        loop {
            let mut line = String::new();
            if err.read_line(&mut line).unwrap_or(0) == 0 {
                panic!("tshark cannot capture on lo: {said}");
            }
            said.push_str(&line);
            if line.contains("Capture started") {
                break;
            }
        }
        // Keep draining its stderr so it never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut sink = String::new();
            while err.read_line(&mut sink).unwrap_or(0) > 0 {
                sink.clear();
            }
        });
        Tshark(child)
    }

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

#[test]
fn a_capture_of_the_proxy_traffic_decodes_clean_in_wireshark() {
    let h = sim(|o| {
        o.mo_rate = 2.0;
        o.mo_to = "12345".into();
        o.mo_text = "MO seen by tshark".into();
    });
    let port = h.local_addr().port();
    let dir = tempfile::tempdir().unwrap();
    let pcap = dir.path().join("ss7.pcapng");
    let mut tshark = Tshark::start(port, &pcap);
    let s = Smsedge::start("shards = 1", &config(port, ""));
    wait_active(&s, 2);
    let mut rx = bind_rx(&s);
    let r = smpplib(
        &s,
        &[
            "--dest",
            "447700900246",
            "--text",
            "Judged by Wireshark",
            "--dlr-timeout",
            "5",
        ],
    );
    assert_eq!(r["ok"], true, "{r:#}");
    let mo = next_deliver(&mut rx);
    rx.auto_answer(&mo);
    wait_stats(&h, "MO answered", |st| st.mo_answered_ok >= 1);
    std::thread::sleep(Duration::from_millis(300));
    tshark.stop();
    drop(s);
    drop(h);

    let expect = [
        // sendRoutingInfoForSM, mt-forwardSM, mo-forwardSM.
        "gsm_old.localValue=45",
        "gsm_old.localValue=44",
        "gsm_old.localValue=46",
        "tcap.application_context_name=0.4.0.0.1.0.20.3",
        "tcap.application_context_name=0.4.0.0.1.0.25.3",
        "tcap.application_context_name=0.4.0.0.1.0.21.3",
        "gsm_sms.sms_text=Judged by Wireshark #0",
        "gsm_sms.sms_text=MO seen by tshark",
        "sccp.called.ssn=6",
        "sccp.called.ssn=8",
        "e212.imsi=001017700900246",
    ];
    let wsdecode: PathBuf = shared_dir().join("oracles/wsdecode.py");
    let mut cmd = Command::new(oracle_python());
    cmd.arg(&wsdecode)
        .arg("--pcap")
        .arg(&pcap)
        .args(["--port", &port.to_string()]);
    for e in expect {
        cmd.args(["--expect", e]);
    }
    let out = cmd.arg("m3ua-tcp").output().expect("run wsdecode.py");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "wsdecode.py printed no JSON: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert!(out.status.success(), "capture judgement: {v:#}");
    let packets = v["packets"].as_array().unwrap().len();
    // ASPUP/ACK, ASPAC/ACK, NTFY, then 4 MAP messages per MT and 2 per MO, per connector.
    assert!(packets >= 12, "{packets} M3UA packets in the capture");
}

// ------------------------------------------------------------------ association loss

#[test]
fn losing_the_association_mid_load_answers_every_submit_and_traffic_resumes() {
    let h = sim(|o| o.latency = "5ms".parse().unwrap());
    let port = h.local_addr().port();
    let s = Smsedge::start("shards = 1", &config(port, ""));
    wait_active(&s, 2);
    let mut c = RawSmpp::connect(s.addr);
    c.send(&bind_trx(1, "esme1", "secret"));
    assert_eq!(c.recv().unwrap().command_status, CommandStatus::ESME_ROK);

    // 3000 submits with up to 200 outstanding; the simulator dies after the first 500
    // answers.
    const N: u32 = 3000;
    let mut sent = 0u32;
    let mut answers: HashMap<u32, u32> = HashMap::new();
    let mut by_status: HashMap<u32, u32> = HashMap::new();
    let mut h = Some(h);
    let deadline = Instant::now() + Duration::from_secs(60);
    while answers.len() < N as usize {
        assert!(
            Instant::now() < deadline,
            "{} of {N} answered",
            answers.len()
        );
        while sent < N && sent as usize - answers.len() < 200 {
            sent += 1;
            c.send(&submit(1 + sent, "447700900123", "load", false));
        }
        let p = c.recv().expect("the proxy answers");
        if p.command_id() != CommandId::SubmitSmResp {
            c.auto_answer(&p);
            continue;
        }
        *answers.entry(p.sequence_number).or_default() += 1;
        *by_status.entry(p.command_status.0).or_default() += 1;
        if answers.len() == 500 {
            if let Some(h) = h.take() {
                h.stop();
            }
        }
    }
    assert!(answers.values().all(|&n| n == 1), "a submit answered twice");
    assert_eq!(answers.len(), N as usize);
    assert!(
        by_status.get(&0).copied().unwrap_or(0) >= 500,
        "{by_status:?}"
    );
    assert!(
        by_status.len() > 1,
        "nothing failed after the loss: {by_status:?}"
    );

    // The network comes back on the same port: the association is re-established and submits
    // succeed again.
    let h = sim(|o| o.listen = format!("127.0.0.1:{port}"));
    wait_active(&s, 2);
    for i in 0..20 {
        c.send(&submit(100_000 + i, "447700900123", "again", false));
        let p = c.recv_id(CommandId::SubmitSmResp).unwrap();
        assert_eq!(p.command_status, CommandStatus::ESME_ROK, "{p:?}");
    }
    wait_stats(&h, "the new simulator delivered them", |st| st.mt_ok >= 20);
}

// ------------------------------------------------------------------ SRI cache

fn submit_status(c: &mut RawSmpp, seq: u32, dest: &str) -> CommandStatus {
    c.send(&submit(seq, dest, "cached route", false));
    c.recv_id(CommandId::SubmitSmResp)
        .expect("submit_sm_resp")
        .command_status
}

#[test]
fn the_sri_cache_spares_the_hlr_until_a_delivery_error_evicts_the_route() {
    let h = sim(|_| {});
    let s = Smsedge::start(
        "shards = 1",
        &config(h.local_addr().port(), "sri_cache_ttl = \"60s\""),
    );
    wait_active(&s, 2);
    let mut c = RawSmpp::connect(s.addr);
    c.send(&bind_trx(1, "esme1", "secret"));
    assert_eq!(c.recv().unwrap().command_status, CommandStatus::ESME_ROK);
    for seq in 2..5 {
        assert_eq!(
            submit_status(&mut c, seq, "447700900123"),
            CommandStatus::ESME_ROK
        );
    }
    let st = wait_stats(&h, "three delivered", |st| st.mt_ok == 3);
    // One HLR query for three messages to the same number.
    assert_eq!(st.sri, 1, "{st:?}");
    // An absent subscriber at the MSC: the cached route is dropped, so the next message to
    // that number asks the HLR again.
    for seq in 5..7 {
        assert_eq!(
            submit_status(&mut c, seq, "447700900007"),
            CommandStatus::ESME_RDELIVERYFAILURE
        );
    }
    let st = wait_stats(&h, "two failed at the MSC", |st| {
        st.mt_errors.values().sum::<u64>() == 2
    });
    assert_eq!(st.sri, 3, "{st:?}");
}

// ------------------------------------------------------------------ shutdown

#[test]
fn shutdown_answers_every_dialogue_the_network_left_open() {
    // The network never answers; the dialogue timeout (2 s) is beyond the drain (1 s).
    let h = sim(|o| o.drop_rate = "100%".parse().unwrap());
    let mut s = Smsedge::start(
        "shards = 1\ndrain_timeout = \"1s\"",
        &config(h.local_addr().port(), ""),
    );
    wait_active(&s, 2);
    let mut c = RawSmpp::connect(s.addr);
    c.send(&bind_trx(1, "esme1", "secret"));
    assert_eq!(c.recv().unwrap().command_status, CommandStatus::ESME_ROK);
    for i in 0..5 {
        c.send(&submit(10 + i, "447700900123", "never answered", false));
    }
    wait_stats(&h, "five dialogues left unanswered", |st| st.dropped >= 5);
    s.proc.signal(libc::SIGTERM);
    let mut statuses = Vec::new();
    while let Some(p) = c.recv() {
        if p.command_id() == CommandId::SubmitSmResp {
            statuses.push(p.command_status);
        }
    }
    assert_eq!(
        statuses,
        vec![CommandStatus::ESME_RSYSERR; 5],
        "{}",
        s.proc.output()
    );
    assert_eq!(s.proc.wait(Duration::from_secs(10)), Some(0));
}
