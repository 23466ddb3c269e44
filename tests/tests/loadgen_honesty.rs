//! The generator's own honesty: what the SMSC simulator does on purpose (drop requests, drop
//! receipts, answer errors, throttle, enforce a window, originate MO) is exactly what the
//! report says, and a run that lost anything does not pass.

use smsedge_loadgen::esme::{self, EsmeOptions};
use smsedge_loadgen::parse::{Dist, Prob, Secs};
use smsedge_loadgen::report::Report;
use smsedge_loadgen::smsc::{Smsc, SmscOptions, SmscStats};
use std::time::Duration;

fn run(sim: SmscOptions, esme: EsmeOptions) -> (Report, SmscStats) {
    let sim = Smsc::start(SmscOptions {
        listen: "127.0.0.1:0".into(),
        quiet: true,
        ..sim
    })
    .unwrap();
    let report = esme::run(EsmeOptions {
        target: sim.local_addr().to_string(),
        quiet: true,
        ..esme
    })
    .unwrap();
    let st = sim.stop();
    eprintln!(
        "watchdog kicks so far: {}",
        smsedge_loadgen::rt::watchdog_kicks()
    );
    (report, st)
}

fn secs(s: u64) -> Secs {
    Secs(Duration::from_secs(s))
}

fn errors_of(st: &SmscStats) -> Vec<(String, u64)> {
    st.responses_by_status
        .iter()
        .filter(|(k, _)| *k != "0x00000000")
        .map(|(k, v)| (k.clone(), *v))
        .collect()
}

#[test]
fn reports_every_dropped_request_and_receipt() {
    let (r, st) = run(
        SmscOptions {
            drop_rate: Prob(0.05),
            dlr_drop_rate: Prob(0.05),
            ..Default::default()
        },
        EsmeOptions {
            binds: 2,
            window: 100,
            count: Some(2000),
            dlr: true,
            resp_timeout: secs(1),
            grace: secs(2),
            dlr_grace: secs(2),
            ..Default::default()
        },
    );
    assert_eq!(st.submit_sm, 2000);
    assert!(st.dropped > 0 && st.receipts_dropped > 0, "{st:?}");
    assert_eq!(r.submitted, 2000);
    assert_eq!(r.unanswered, st.dropped);
    assert_eq!(r.resp_ok, 2000 - st.dropped);
    assert_eq!(r.dlr_requested, r.resp_ok);
    assert_eq!(r.dlr_received, st.receipts_sent);
    assert_eq!(r.dlr_missing, st.receipts_dropped);
    assert!(!r.exit_ok());
    let why = r.failures().join("; ");
    assert!(
        why.contains("unanswered") && why.contains("receipts are missing"),
        "{why}"
    );
}

#[test]
fn counts_error_statuses_as_the_smsc_sent_them() {
    let opts = |max_errors| EsmeOptions {
        count: Some(1000),
        window: 50,
        max_errors,
        ..Default::default()
    };
    let sim = SmscOptions {
        error_rate: Prob(0.1),
        error_status: vec![0x45, 0x0B],
        ..Default::default()
    };
    let (r, st) = run(sim.clone(), opts(0));
    let errs: Vec<(String, u64)> = r.resp_error.iter().map(|(k, v)| (k.clone(), *v)).collect();
    assert_eq!(errs, errors_of(&st));
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert_eq!(Some(&r.resp_ok), st.responses_by_status.get("0x00000000"));
    assert_eq!(r.resp_ok + r.errors(), 1000);
    assert_eq!(r.unanswered, 0);
    assert!(!r.exit_ok(), "errors above --max-errors 0 fail the run");
    let (r, st) = run(sim, opts(1000));
    assert!(r.exit_ok(), "{:?}\n{}\n{st:?}", r.failures(), r.to_json());
}

#[test]
fn counts_throttling_and_window_rejections() {
    // Throttling: a burst far above 2000/s meets ESME_RTHROTTLED (0x58).
    let (r, st) = run(
        SmscOptions {
            throttle_above: Some(2000.0),
            ..Default::default()
        },
        EsmeOptions {
            count: Some(3000),
            window: 200,
            max_errors: 3000,
            ..Default::default()
        },
    );
    assert!(
        r.resp_error.get("0x00000058").copied().unwrap_or(0) > 0,
        "{r:?}"
    );
    assert_eq!(r.resp_error.len(), 1);
    assert_eq!(
        r.resp_error
            .iter()
            .map(|(k, v)| (k.clone(), *v))
            .collect::<Vec<_>>(),
        errors_of(&st)
    );
    assert_eq!(r.resp_ok + r.errors(), 3000);

    // Window: the simulator holds responses 20 ms and takes 4 at a time; a client window of
    // 32 meets ESME_RMSGQFUL (0x14).
    let (r, st) = run(
        SmscOptions {
            latency: "20ms".parse::<Dist>().unwrap(),
            window: 4,
            ..Default::default()
        },
        EsmeOptions {
            count: Some(300),
            window: 32,
            max_errors: 300,
            ..Default::default()
        },
    );
    assert!(
        r.resp_error.get("0x00000014").copied().unwrap_or(0) > 0,
        "{r:?}"
    );
    assert_eq!(
        r.resp_error
            .iter()
            .map(|(k, v)| (k.clone(), *v))
            .collect::<Vec<_>>(),
        errors_of(&st)
    );
    assert_eq!(r.resp_ok + r.errors(), 300);
    assert_eq!(r.unanswered, 0);
    // The accepted ones waited the simulated 20 ms (the rejections come back at once).
    assert!(r.resp_ok > 0);
    assert!(r.latency_us.submit_resp.max >= 20_000, "{:?}", r.latency_us);
}

#[test]
fn receives_receipts_in_mixed_states_and_mo_traffic() {
    let (r, st) = run(
        SmscOptions {
            dlr_states: "DELIVRD:80,UNDELIV:15,EXPIRED:5".parse().unwrap(),
            dlr_delay: "uniform:1ms-50ms".parse::<Dist>().unwrap(),
            mo_rate: 200.0,
            ..Default::default()
        },
        EsmeOptions {
            binds: 2,
            rate: 500.0,
            duration: Some(secs(2)),
            dlr: true,
            mix: "gsm7:50,long-sar:50".parse().unwrap(),
            ..Default::default()
        },
    );
    assert!(r.exit_ok(), "{:?}\n{}\n{st:?}", r.failures(), r.to_json());
    assert_eq!(r.submitted, st.submit_sm);
    assert_eq!(r.dlr_received, r.submitted);
    assert_eq!(st.receipts_sent, r.submitted);
    let n = |s: &str| r.dlr_states.get(s).copied().unwrap_or(0);
    assert_eq!(n("DELIVRD") + n("UNDELIV") + n("EXPIRED"), r.submitted);
    // The states follow the configured shares exactly per 1000 receipts; allow for the cut.
    assert!(n("UNDELIV") > 0 && n("EXPIRED") > 0, "{:?}", r.dlr_states);
    assert!(n("DELIVRD") * 100 / r.submitted >= 75, "{:?}", r.dlr_states);
    // MO messages are counted apart from receipts, and none were invented.
    assert!(
        r.mo_received > 0 && r.mo_received <= st.mo_sent,
        "{} {}",
        r.mo_received,
        st.mo_sent
    );
    // At 500/s for 2 s, about 1000 submit_sm (paced, not bursted).
    assert!((800..=1100).contains(&r.submitted), "{}", r.submitted);
}

#[test]
fn keeps_idle_receiver_binds_alive_both_ways() {
    use smsedge_loadgen::esme::BindKind;
    let (r, st) = run(
        SmscOptions {
            enquire_link: Secs(Duration::from_millis(300)),
            mo_rate: 20.0,
            ..Default::default()
        },
        EsmeOptions {
            bind: BindKind::Receiver,
            binds: 2,
            duration: Some(Secs(Duration::from_millis(1500))),
            enquire_link: Secs(Duration::from_millis(300)),
            ..Default::default()
        },
    );
    assert!(r.exit_ok(), "{:?}\n{}\n{st:?}", r.failures(), r.to_json());
    assert_eq!(r.submitted, 0);
    assert_eq!(r.binds_ok, 2);
    // MO traffic for the whole run, answered with deliver_sm_resp.
    assert!(r.mo_received >= 10, "{}", r.mo_received);
    // Every MO received was answered; an answer to an MO that crossed our unbind may find the
    // connection already closed (at most one per bind).
    assert!(st.deliver_sm_resp <= r.mo_received, "{st:?}");
    assert!(r.mo_received - st.deliver_sm_resp <= 2, "{st:?}");
    assert_eq!(st.unbinds, 2);
}

#[test]
fn sends_and_answers_enquire_link_when_idle() {
    use smsedge_loadgen::esme::BindKind;
    // The generator asks when it has heard nothing for 300 ms (the simulator would wait 30 s).
    let (r, st) = run(
        SmscOptions::default(),
        EsmeOptions {
            bind: BindKind::Receiver,
            duration: Some(Secs(Duration::from_millis(1500))),
            enquire_link: Secs(Duration::from_millis(300)),
            ..Default::default()
        },
    );
    assert!(r.exit_ok(), "{:?}\n{}\n{st:?}", r.failures(), r.to_json());
    assert!(st.enquire_link >= 2, "{st:?}");
    // The simulator asks when it has heard nothing; the generator answers.
    let (r, st) = run(
        SmscOptions {
            enquire_link: Secs(Duration::from_millis(300)),
            ..Default::default()
        },
        EsmeOptions {
            bind: BindKind::Receiver,
            duration: Some(Secs(Duration::from_millis(1500))),
            ..Default::default()
        },
    );
    assert!(r.exit_ok(), "{:?}\n{}\n{st:?}", r.failures(), r.to_json());
    assert!(st.enquire_link_resp >= 2, "{st:?}");
}

#[test]
fn measures_latency_from_the_intended_send_time() {
    // The server answers in 5 ms, one request at a time (window 1): 200/s at most. Asked for
    // 1000/s, message k is meant to leave at k ms but leaves at about 5k ms; its latency is
    // counted from k ms. A generator that measured from the actual send would report ~5 ms
    // for every message (coordinated omission).
    let (r, st) = run(
        SmscOptions {
            latency: "5ms".parse::<Dist>().unwrap(),
            ..Default::default()
        },
        EsmeOptions {
            rate: 1000.0,
            count: Some(200),
            window: 1,
            ..Default::default()
        },
    );
    assert!(r.exit_ok(), "{:?}\n{}\n{st:?}", r.failures(), r.to_json());
    assert_eq!(st.submit_sm, 200);
    let l = r.latency_us.submit_resp;
    assert!(l.p50 > 200_000, "{l:?}");
    assert!(l.max > 600_000, "{l:?}");
    // The first message was not held back: it took about the server's 5 ms.
    assert!(r.hist_submit_resp.min() >= 5_000, "{l:?}");
    assert!(r.hist_submit_resp.min() < 500_000, "{l:?}");
}

#[test]
fn bounds_the_receipts_it_waits_for() {
    // At most 50 receipts outstanding, each 20 ms away: 500 messages need at least 10 rounds.
    let (r, st) = run(
        SmscOptions {
            dlr_delay: "20ms".parse::<Dist>().unwrap(),
            ..Default::default()
        },
        EsmeOptions {
            count: Some(500),
            window: 100,
            dlr: true,
            dlr_window: 50,
            ..Default::default()
        },
    );
    assert!(r.exit_ok(), "{:?}\n{}\n{st:?}", r.failures(), r.to_json());
    assert_eq!((r.dlr_received, st.receipts_sent), (500, 500));
    assert!(r.duration_s >= 0.18, "{}", r.duration_s);
}
