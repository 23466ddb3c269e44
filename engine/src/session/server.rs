//! The ESME-facing side of a proxy connection: SMPP v3.4 section 2 session states as the SMSC
//! sees them (OPEN, BOUND_TX/RX/TRX, UNBOUND/CLOSED), with the bind, enquire_link, inactivity and
//! response timers, and the request window.

use super::{put_error_resp, put_generic_nack, SeqGen};
use smsedge_codecs::smpp::{header::put_header_only, Body, CommandId, CommandStatus, Header, Pdu};
use std::time::{Duration, Instant};

/// Timers and limits of an ESME session.
#[derive(Debug, Clone, Copy)]
pub struct ServerConfig {
    /// Time allowed between connect and a successful bind.
    pub bind_timeout: Duration,
    /// Send enquire_link after this long without receiving anything (zero = never).
    pub enquire_link_interval: Duration,
    /// Unbind after this long without any PDU from the ESME (zero = never).
    pub inactivity_timeout: Duration,
    /// Time allowed for the ESME to answer a request the proxy sends.
    pub response_timeout: Duration,
    /// Requests from the ESME that may await their response at once.
    pub window: u32,
}

/// The three bind types (v3.4 4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BindKind {
    /// bind_transmitter: ESME submits.
    Transmitter,
    /// bind_receiver: ESME receives deliver_sm.
    Receiver,
    /// bind_transceiver: both.
    Transceiver,
}

impl BindKind {
    /// The bind kind of a bind request command_id.
    pub const fn from_command(id: CommandId) -> Option<Self> {
        match id {
            CommandId::BindTransmitter => Some(BindKind::Transmitter),
            CommandId::BindReceiver => Some(BindKind::Receiver),
            CommandId::BindTransceiver => Some(BindKind::Transceiver),
            _ => None,
        }
    }

    /// The bind request command_id.
    pub const fn command(self) -> CommandId {
        match self {
            BindKind::Transmitter => CommandId::BindTransmitter,
            BindKind::Receiver => CommandId::BindReceiver,
            BindKind::Transceiver => CommandId::BindTransceiver,
        }
    }

    /// May this bind submit (ESME → SMSC requests)?
    pub const fn can_submit(self) -> bool {
        !matches!(self, BindKind::Receiver)
    }

    /// May this bind receive deliver_sm?
    pub const fn can_receive(self) -> bool {
        !matches!(self, BindKind::Transmitter)
    }

    /// Lower-case name.
    pub const fn name(self) -> &'static str {
        match self {
            BindKind::Transmitter => "transmitter",
            BindKind::Receiver => "receiver",
            BindKind::Transceiver => "transceiver",
        }
    }
}

/// Session state (v3.4 2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Connected, not bound yet.
    Open,
    /// Bound.
    Bound(BindKind),
    /// The proxy sent unbind and waits for unbind_resp.
    Unbinding,
    /// Finished: the glue closes the connection once the write buffer is flushed.
    Closed,
}

/// What the glue must do after a frame or a timeout.
#[derive(Debug)]
pub enum Event {
    /// Nothing beyond what the session already wrote.
    None,
    /// A bind request in OPEN state: authenticate, then call [`ServerSession::bind_result`].
    Bind {
        /// Requested bind type.
        kind: BindKind,
        /// The decoded bind PDU.
        pdu: Box<Pdu>,
    },
    /// A request admitted into the window (submit_sm, data_sm, query_sm...): the glue handles it
    /// and must eventually write exactly one response and call [`ServerSession::responded`].
    Request {
        /// Its command_id.
        id: CommandId,
        /// Its sequence_number.
        seq: u32,
    },
    /// The ESME answered a request the proxy sent (deliver_sm_resp, data_sm_resp, or a
    /// generic_nack for it).
    Response {
        /// Response command_id.
        id: CommandId,
        /// Sequence number of the proxy's request.
        seq: u32,
        /// command_status.
        status: u32,
    },
    /// Close the connection after flushing what was written.
    Close,
}

/// One ESME session.
#[derive(Debug)]
pub struct ServerSession {
    cfg: ServerConfig,
    state: State,
    opened: Instant,
    last_rx: Instant,
    enquire_pending: Option<(u32, Instant)>,
    unbind_deadline: Option<Instant>,
    seq: SeqGen,
    outstanding: u32,
    interface_version: u8,
}

impl ServerSession {
    /// A session for a connection accepted at `now`.
    pub fn new(cfg: ServerConfig, now: Instant) -> Self {
        ServerSession {
            cfg,
            state: State::Open,
            opened: now,
            last_rx: now,
            enquire_pending: None,
            unbind_deadline: None,
            seq: SeqGen::default(),
            outstanding: 0,
            interface_version: 0,
        }
    }

    /// Current state.
    pub fn state(&self) -> State {
        self.state
    }

    /// interface_version the ESME bound with (0 before bind).
    pub fn interface_version(&self) -> u8 {
        self.interface_version
    }

    /// Sets the request window (the account's, once bound).
    pub fn set_window(&mut self, window: u32) {
        self.cfg.window = window;
    }

    /// Requests awaiting their response.
    pub fn outstanding(&self) -> u32 {
        self.outstanding
    }

    /// A sequence number for a request the proxy sends to the ESME.
    pub fn next_seq(&mut self) -> u32 {
        self.seq.next_seq()
    }

    /// May the proxy send deliver_sm to this session now?
    pub fn can_deliver(&self) -> bool {
        matches!(self.state, State::Bound(k) if k.can_receive())
    }

    /// Handles one complete frame from the ESME.
    pub fn handle_frame(&mut self, now: Instant, frame: &[u8], out: &mut Vec<u8>) -> Event {
        self.last_rx = now;
        let h = Header::new_unchecked(frame);
        let id = h.command_id();
        let seq = h.sequence_number();
        if self.state == State::Closed {
            return Event::None;
        }
        match id {
            CommandId::BindTransmitter | CommandId::BindReceiver | CommandId::BindTransceiver => {
                let kind = BindKind::from_command(id).expect("matched bind ids");
                if self.state != State::Open {
                    // v3.4 4.1: a second bind on a bound session is ESME_RALYBND.
                    put_error_resp(out, id, CommandStatus::ESME_RALYBND, seq);
                    return Event::None;
                }
                match Pdu::decode_slice(frame) {
                    Ok(pdu) => Event::Bind {
                        kind,
                        pdu: Box::new(pdu),
                    },
                    Err(e) => {
                        put_error_resp(out, id, smsedge_codecs::smpp::error_status(&e), seq);
                        Event::None
                    }
                }
            }
            CommandId::EnquireLink => {
                // v3.4 4.11: answered in any state.
                put_header_only(out, CommandId::EnquireLinkResp.to_u32(), 0, seq);
                Event::None
            }
            CommandId::EnquireLinkResp => {
                if self.enquire_pending.is_some_and(|(s, _)| s == seq) {
                    self.enquire_pending = None;
                }
                Event::None
            }
            CommandId::Unbind => {
                put_header_only(out, CommandId::UnbindResp.to_u32(), 0, seq);
                self.state = State::Closed;
                Event::Close
            }
            CommandId::UnbindResp => {
                if self.state == State::Unbinding {
                    self.state = State::Closed;
                    // Responses still owed are written before the connection goes.
                    if self.outstanding == 0 {
                        return Event::Close;
                    }
                }
                Event::None
            }
            CommandId::SubmitSm
            | CommandId::SubmitMulti
            | CommandId::DataSm
            | CommandId::QuerySm
            | CommandId::CancelSm
            | CommandId::ReplaceSm
            | CommandId::BroadcastSm
            | CommandId::QueryBroadcastSm
            | CommandId::CancelBroadcastSm => {
                // data_sm may also flow SMSC→ESME, but from an ESME it is a submission.
                match self.state {
                    State::Bound(k) if k.can_submit() => {}
                    _ => {
                        // Issue: a request in the wrong bind state gets generic_nack
                        // ESME_RINVBNDSTS (v3.4 5.1.3).
                        put_generic_nack(out, CommandStatus::ESME_RINVBNDSTS, seq);
                        return Event::None;
                    }
                }
                if self.outstanding >= self.cfg.window {
                    // The window is full: refuse at once rather than queue without bound.
                    put_error_resp(out, id, CommandStatus::ESME_RMSGQFUL, seq);
                    return Event::None;
                }
                self.outstanding += 1;
                Event::Request { id, seq }
            }
            CommandId::DeliverSmResp | CommandId::DataSmResp | CommandId::GenericNack => {
                Event::Response {
                    id,
                    seq,
                    status: h.command_status(),
                }
            }
            CommandId::DeliverSm | CommandId::Outbind | CommandId::AlertNotification => {
                // SMSC→ESME operations arriving from an ESME: wrong direction for this session.
                if id.response().is_some() {
                    put_generic_nack(out, CommandStatus::ESME_RINVBNDSTS, seq);
                }
                Event::None
            }
            other if other.is_response() => Event::None,
            _ => {
                // v3.4 4.3: an unknown or unsupported command_id gets generic_nack ESME_RINVCMDID.
                put_generic_nack(out, CommandStatus::ESME_RINVCMDID, seq);
                Event::None
            }
        }
    }

    /// Completes a bind the glue authenticated: writes bind_*_resp with `system_id` on success or
    /// the error status (and closes) on failure.
    pub fn bind_result(
        &mut self,
        kind: BindKind,
        seq: u32,
        status: CommandStatus,
        system_id: &[u8],
        interface_version: u8,
        out: &mut Vec<u8>,
    ) -> Event {
        let resp = kind.command().response().expect("binds have responses");
        let mut pdu = Pdu::new(seq, Body::BindTransceiverResp(None));
        pdu.command_status = status;
        let body = (status.is_ok()).then(|| smsedge_codecs::smpp::BindResp {
            system_id: bytes::Bytes::copy_from_slice(system_id),
        });
        pdu.body = match kind {
            BindKind::Transmitter => Body::BindTransmitterResp(body),
            BindKind::Receiver => Body::BindReceiverResp(body),
            BindKind::Transceiver => Body::BindTransceiverResp(body),
        };
        debug_assert_eq!(pdu.command_id(), resp);
        // v3.4 4.1.2: sc_interface_version tells a v3.4+ ESME which version the SMSC speaks.
        if status.is_ok() && interface_version >= 0x34 {
            pdu.tlvs.push(smsedge_codecs::smpp::Tlv::u8(
                smsedge_codecs::smpp::tag::SC_INTERFACE_VERSION,
                0x34,
            ));
        }
        pdu.encode(out);
        if status.is_ok() {
            self.state = State::Bound(kind);
            self.interface_version = interface_version;
            Event::None
        } else {
            self.state = State::Closed;
            Event::Close
        }
    }

    /// The glue wrote the response to a [`Event::Request`].
    pub fn responded(&mut self) {
        self.outstanding = self.outstanding.saturating_sub(1);
    }

    /// True when the session is over and owes no response: the glue closes the connection.
    pub fn should_close(&self) -> bool {
        self.state == State::Closed && self.outstanding == 0
    }

    /// Starts an orderly unbind (shutdown, account removed, inactivity).
    pub fn begin_unbind(&mut self, now: Instant, out: &mut Vec<u8>) {
        match self.state {
            State::Bound(_) => {
                let seq = self.seq.next_seq();
                put_header_only(out, CommandId::Unbind.to_u32(), 0, seq);
                self.state = State::Unbinding;
                self.unbind_deadline = Some(now + self.cfg.response_timeout);
            }
            State::Open => self.state = State::Closed,
            State::Unbinding | State::Closed => {}
        }
    }

    /// Runs the timers; `Event::Close` when the connection must go.
    pub fn handle_timeout(&mut self, now: Instant, out: &mut Vec<u8>) -> Event {
        match self.state {
            State::Closed if self.outstanding == 0 => return Event::Close,
            State::Closed => return Event::None,
            State::Open if now.duration_since(self.opened) >= self.cfg.bind_timeout => {
                self.state = State::Closed;
                return Event::Close;
            }
            State::Unbinding if self.unbind_deadline.is_some_and(|d| now >= d) => {
                self.state = State::Closed;
                return Event::Close;
            }
            _ => {}
        }
        if let Some((_, deadline)) = self.enquire_pending {
            if now >= deadline {
                // No enquire_link_resp in time: the peer is gone.
                self.state = State::Closed;
                return Event::Close;
            }
        }
        let idle = now.duration_since(self.last_rx);
        if !self.cfg.inactivity_timeout.is_zero() && idle >= self.cfg.inactivity_timeout {
            if let State::Bound(_) = self.state {
                self.begin_unbind(now, out);
            }
            return Event::None;
        }
        if let State::Bound(_) = self.state {
            if !self.cfg.enquire_link_interval.is_zero()
                && idle >= self.cfg.enquire_link_interval
                && self.enquire_pending.is_none()
            {
                let seq = self.seq.next_seq();
                put_header_only(out, CommandId::EnquireLink.to_u32(), 0, seq);
                self.enquire_pending = Some((seq, now + self.cfg.response_timeout));
            }
        }
        Event::None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use smsedge_codecs::smpp::Framer;

    fn cfg() -> ServerConfig {
        ServerConfig {
            bind_timeout: Duration::from_secs(10),
            enquire_link_interval: Duration::from_secs(30),
            inactivity_timeout: Duration::from_secs(300),
            response_timeout: Duration::from_secs(10),
            window: 2,
        }
    }

    fn frames(out: &[u8]) -> Vec<Pdu> {
        let f = Framer::default();
        let mut at = 0;
        let mut v = Vec::new();
        while let Some(n) = f.frame_len(&out[at..]).unwrap() {
            v.push(Pdu::decode_slice(&out[at..at + n]).unwrap());
            at += n;
        }
        assert_eq!(at, out.len());
        v
    }

    fn hex(s: &str) -> Vec<u8> {
        smsedge_codecs::hex::decode(s).unwrap()
    }

    const BIND_TRX: &str = "00000023000000090000000000039951414c4c5f545700414c4c5f5457000034010200";
    const SUBMIT: &str = "00000039000000040000000000004fe80001013430343034000101343439353133363139323000000000000001000000084024232125262f3a";

    fn bound(now: Instant) -> ServerSession {
        let mut s = ServerSession::new(cfg(), now);
        let mut out = Vec::new();
        let Event::Bind { kind, pdu } = s.handle_frame(now, &hex(BIND_TRX), &mut out) else {
            panic!()
        };
        assert_eq!(kind, BindKind::Transceiver);
        assert!(out.is_empty());
        s.bind_result(
            kind,
            pdu.sequence_number,
            CommandStatus::ESME_ROK,
            b"smsedge",
            0x34,
            &mut out,
        );
        let p = frames(&out);
        assert_eq!(p[0].command_id(), CommandId::BindTransceiverResp);
        assert_eq!(p[0].sequence_number, 0x39951);
        s
    }

    #[test]
    fn binds_then_refuses_second_bind_with_ralybnd() {
        let t0 = Instant::now();
        let mut s = bound(t0);
        assert_eq!(s.state(), State::Bound(BindKind::Transceiver));
        let mut out = Vec::new();
        assert!(matches!(
            s.handle_frame(t0, &hex(BIND_TRX), &mut out),
            Event::None
        ));
        let p = frames(&out);
        assert_eq!(p[0].command_id(), CommandId::BindTransceiverResp);
        assert_eq!(p[0].command_status, CommandStatus::ESME_RALYBND);
    }

    #[test]
    fn failed_bind_closes() {
        let t0 = Instant::now();
        let mut s = ServerSession::new(cfg(), t0);
        let mut out = Vec::new();
        let Event::Bind { kind, pdu } = s.handle_frame(t0, &hex(BIND_TRX), &mut out) else {
            panic!()
        };
        let ev = s.bind_result(
            kind,
            pdu.sequence_number,
            CommandStatus::ESME_RINVPASWD,
            b"x",
            0x34,
            &mut out,
        );
        assert!(matches!(ev, Event::Close));
        let p = frames(&out);
        assert_eq!(p[0].command_status, CommandStatus::ESME_RINVPASWD);
        assert_eq!(p[0].body, Body::BindTransceiverResp(None));
    }

    #[test]
    fn submit_before_bind_is_generic_nack_invbndsts() {
        let t0 = Instant::now();
        let mut s = ServerSession::new(cfg(), t0);
        let mut out = Vec::new();
        assert!(matches!(
            s.handle_frame(t0, &hex(SUBMIT), &mut out),
            Event::None
        ));
        let p = frames(&out);
        assert_eq!(p[0].command_id(), CommandId::GenericNack);
        assert_eq!(p[0].command_status, CommandStatus::ESME_RINVBNDSTS);
        assert_eq!(p[0].sequence_number, 0x4fe8);
    }

    #[test]
    fn window_admits_then_refuses_with_msgqful() {
        let t0 = Instant::now();
        let mut s = bound(t0);
        let mut out = Vec::new();
        assert!(matches!(
            s.handle_frame(t0, &hex(SUBMIT), &mut out),
            Event::Request {
                id: CommandId::SubmitSm,
                seq: 0x4fe8
            }
        ));
        assert!(matches!(
            s.handle_frame(t0, &hex(SUBMIT), &mut out),
            Event::Request { .. }
        ));
        assert!(out.is_empty());
        assert!(matches!(
            s.handle_frame(t0, &hex(SUBMIT), &mut out),
            Event::None
        ));
        assert_eq!(frames(&out)[0].command_status, CommandStatus::ESME_RMSGQFUL);
        s.responded();
        out.clear();
        assert!(matches!(
            s.handle_frame(t0, &hex(SUBMIT), &mut out),
            Event::Request { .. }
        ));
    }

    #[test]
    fn unknown_command_is_generic_nack_invcmdid() {
        let t0 = Instant::now();
        let mut s = bound(t0);
        let mut out = Vec::new();
        s.handle_frame(t0, &hex("0000001000000110000000000a342ee7"), &mut out);
        let p = frames(&out);
        assert_eq!(
            (p[0].command_id(), p[0].command_status),
            (CommandId::GenericNack, CommandStatus::ESME_RINVCMDID)
        );
    }

    #[test]
    fn enquire_link_timer_then_dead_peer() {
        let t0 = Instant::now();
        let mut s = bound(t0);
        let mut out = Vec::new();
        assert!(matches!(
            s.handle_timeout(t0 + Duration::from_secs(29), &mut out),
            Event::None
        ));
        assert!(out.is_empty());
        s.handle_timeout(t0 + Duration::from_secs(30), &mut out);
        let p = frames(&out);
        assert_eq!(p[0].command_id(), CommandId::EnquireLink);
        out.clear();
        // Only one outstanding enquire_link.
        s.handle_timeout(t0 + Duration::from_secs(31), &mut out);
        assert!(out.is_empty());
        assert!(matches!(
            s.handle_timeout(t0 + Duration::from_secs(40), &mut out),
            Event::Close
        ));
    }

    #[test]
    fn enquire_link_answered_keeps_session() {
        let t0 = Instant::now();
        let mut s = bound(t0);
        let mut out = Vec::new();
        s.handle_timeout(t0 + Duration::from_secs(30), &mut out);
        let seq = frames(&out)[0].sequence_number;
        let mut resp = Vec::new();
        put_header_only(&mut resp, CommandId::EnquireLinkResp.to_u32(), 0, seq);
        s.handle_frame(t0 + Duration::from_secs(31), &resp, &mut out);
        assert!(matches!(
            s.handle_timeout(t0 + Duration::from_secs(45), &mut out),
            Event::None
        ));
    }

    #[test]
    fn bind_timeout_closes_open_session() {
        let t0 = Instant::now();
        let mut s = ServerSession::new(cfg(), t0);
        let mut out = Vec::new();
        assert!(matches!(
            s.handle_timeout(t0 + Duration::from_secs(9), &mut out),
            Event::None
        ));
        assert!(matches!(
            s.handle_timeout(t0 + Duration::from_secs(10), &mut out),
            Event::Close
        ));
    }

    #[test]
    fn unbind_both_ways() {
        let t0 = Instant::now();
        let mut s = bound(t0);
        let mut out = Vec::new();
        assert!(matches!(
            s.handle_frame(t0, &hex("00000010000000060000000000000007"), &mut out),
            Event::Close
        ));
        assert_eq!(frames(&out)[0].command_id(), CommandId::UnbindResp);

        let mut s = bound(t0);
        out.clear();
        s.begin_unbind(t0, &mut out);
        let seq = frames(&out)[0].sequence_number;
        assert_eq!(s.state(), State::Unbinding);
        let mut resp = Vec::new();
        put_header_only(&mut resp, CommandId::UnbindResp.to_u32(), 0, seq);
        assert!(matches!(s.handle_frame(t0, &resp, &mut out), Event::Close));
        // An unanswered unbind closes after the response timeout.
        let mut s = bound(t0);
        s.begin_unbind(t0, &mut out);
        assert!(matches!(
            s.handle_timeout(t0 + Duration::from_secs(10), &mut out),
            Event::Close
        ));
    }

    #[test]
    fn unbind_resp_waits_for_owed_responses() {
        let t0 = Instant::now();
        let mut s = bound(t0);
        let mut out = Vec::new();
        assert!(matches!(
            s.handle_frame(t0, &hex(SUBMIT), &mut out),
            Event::Request { .. }
        ));
        s.begin_unbind(t0, &mut out);
        let seq = frames(&out)[0].sequence_number;
        let mut resp = Vec::new();
        put_header_only(&mut resp, CommandId::UnbindResp.to_u32(), 0, seq);
        assert!(matches!(s.handle_frame(t0, &resp, &mut out), Event::None));
        assert!(!s.should_close());
        assert!(matches!(
            s.handle_timeout(t0 + Duration::from_secs(1), &mut out),
            Event::None
        ));
        s.responded();
        assert!(s.should_close());
        assert!(matches!(
            s.handle_timeout(t0 + Duration::from_secs(1), &mut out),
            Event::Close
        ));
    }

    #[test]
    fn inactivity_unbinds() {
        let t0 = Instant::now();
        let mut s = bound(t0);
        let mut out = Vec::new();
        let mut t = t0;
        // Answer every enquire_link so only inactivity of the ESME itself counts... the answers
        // are PDUs, so they count as activity: a responsive ESME is never inactive.
        for _ in 0..20 {
            t += Duration::from_secs(30);
            out.clear();
            s.handle_timeout(t, &mut out);
            if let Some(p) = frames(&out).first() {
                let mut resp = Vec::new();
                put_header_only(
                    &mut resp,
                    CommandId::EnquireLinkResp.to_u32(),
                    0,
                    p.sequence_number,
                );
                s.handle_frame(t, &resp, &mut Vec::new());
            }
        }
        assert!(matches!(s.state(), State::Bound(_)));
        // A silent ESME with enquire_link disabled is unbound after the inactivity timeout.
        let mut c = cfg();
        c.enquire_link_interval = Duration::ZERO;
        let mut s = ServerSession::new(c, t0);
        let Event::Bind { kind, pdu } = s.handle_frame(t0, &hex(BIND_TRX), &mut out) else {
            panic!()
        };
        s.bind_result(
            kind,
            pdu.sequence_number,
            CommandStatus::ESME_ROK,
            b"x",
            0x34,
            &mut out,
        );
        out.clear();
        s.handle_timeout(t0 + Duration::from_secs(300), &mut out);
        assert_eq!(frames(&out)[0].command_id(), CommandId::Unbind);
        assert_eq!(s.state(), State::Unbinding);
    }
}
