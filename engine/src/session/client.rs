//! The upstream side: the proxy as an ESME bound to an SMSC (SMPP v3.4 section 2 from the
//! ESME's point of view), with the bind, enquire_link and unbind timers.

use super::server::BindKind;
use super::{put_generic_nack, SeqGen};
use bytes::Bytes;
use smsedge_codecs::smpp::{
    header::put_header_only, Bind, Body, CommandId, CommandStatus, Header, Pdu,
};
use std::time::{Duration, Instant};

/// Credentials and timers of one upstream bind.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Bind type.
    pub kind: BindKind,
    /// system_id.
    pub system_id: Bytes,
    /// password.
    pub password: Bytes,
    /// system_type.
    pub system_type: Bytes,
    /// interface_version (0x34).
    pub interface_version: u8,
    /// Send enquire_link after this long without receiving anything (zero = never).
    pub enquire_link_interval: Duration,
    /// Time allowed for the SMSC to answer bind, enquire_link and unbind.
    pub response_timeout: Duration,
}

/// Upstream session state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// bind sent, waiting for bind_resp.
    Binding,
    /// Bound: requests may flow.
    Bound,
    /// unbind sent.
    Unbinding,
    /// Finished.
    Closed,
}

/// What the glue must act on.
#[derive(Debug)]
pub enum Event {
    /// Nothing more to do.
    None,
    /// The bind succeeded.
    Bound,
    /// The SMSC refused the bind.
    BindFailed(CommandStatus),
    /// A response to a request the proxy forwarded (or generic_nack for it).
    Response {
        /// The response command_id (generic_nack included).
        id: CommandId,
        /// The proxy's sequence number.
        seq: u32,
        /// command_status.
        status: u32,
    },
    /// deliver_sm or data_sm from the SMSC (receipt or MO): the glue answers it with the
    /// matching response when handled.
    Deliver {
        /// deliver_sm or data_sm.
        id: CommandId,
        /// The SMSC's sequence number, to answer with.
        seq: u32,
    },
    /// Close the connection after flushing.
    Close,
}

/// One upstream bind.
#[derive(Debug)]
pub struct ClientSession {
    cfg: ClientConfig,
    state: State,
    deadline: Option<Instant>,
    last_rx: Instant,
    enquire_pending: Option<(u32, Instant)>,
    seq: SeqGen,
}

impl ClientSession {
    /// Starts a session on a fresh connection: writes the bind request.
    pub fn start(cfg: ClientConfig, now: Instant, out: &mut Vec<u8>) -> Self {
        let mut s = ClientSession {
            cfg,
            state: State::Binding,
            deadline: None,
            last_rx: now,
            enquire_pending: None,
            seq: SeqGen::with_max(crate::inflight::FORWARD_BIT - 1),
        };
        let bind = Bind {
            system_id: s.cfg.system_id.clone(),
            password: s.cfg.password.clone(),
            system_type: s.cfg.system_type.clone(),
            interface_version: s.cfg.interface_version,
            addr_ton: 0,
            addr_npi: 0,
            address_range: Bytes::new(),
        };
        let body = match s.cfg.kind {
            BindKind::Transmitter => Body::BindTransmitter(bind),
            BindKind::Receiver => Body::BindReceiver(bind),
            BindKind::Transceiver => Body::BindTransceiver(bind),
        };
        let seq = s.seq.next_seq();
        Pdu::new(seq, body).encode(out);
        s.deadline = Some(now + s.cfg.response_timeout);
        s
    }

    /// Current state.
    pub fn state(&self) -> State {
        self.state
    }

    /// True when bound and allowed to submit.
    pub fn can_submit(&self) -> bool {
        self.state == State::Bound && self.cfg.kind.can_submit()
    }

    /// Handles one complete frame from the SMSC.
    pub fn handle_frame(&mut self, now: Instant, frame: &[u8], out: &mut Vec<u8>) -> Event {
        self.last_rx = now;
        let h = Header::new_unchecked(frame);
        let id = h.command_id();
        let seq = h.sequence_number();
        let status = h.command_status();
        match id {
            CommandId::BindTransmitterResp
            | CommandId::BindReceiverResp
            | CommandId::BindTransceiverResp => {
                if self.state != State::Binding {
                    return Event::None;
                }
                self.deadline = None;
                if status == 0 {
                    self.state = State::Bound;
                    Event::Bound
                } else {
                    self.state = State::Closed;
                    Event::BindFailed(CommandStatus(status))
                }
            }
            CommandId::EnquireLink => {
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
                self.state = State::Closed;
                Event::Close
            }
            CommandId::GenericNack
            | CommandId::SubmitSmResp
            | CommandId::SubmitMultiResp
            | CommandId::DataSmResp
            | CommandId::QuerySmResp
            | CommandId::CancelSmResp
            | CommandId::ReplaceSmResp
            | CommandId::BroadcastSmResp
            | CommandId::QueryBroadcastSmResp
            | CommandId::CancelBroadcastSmResp => Event::Response { id, seq, status },
            CommandId::DeliverSm | CommandId::DataSm => {
                if self.state == State::Bound && self.cfg.kind.can_receive() {
                    Event::Deliver { id, seq }
                } else {
                    put_generic_nack(out, CommandStatus::ESME_RINVBNDSTS, seq);
                    Event::None
                }
            }
            CommandId::AlertNotification | CommandId::Outbind => Event::None,
            other if other.is_response() => Event::None,
            _ => {
                put_generic_nack(out, CommandStatus::ESME_RINVCMDID, seq);
                Event::None
            }
        }
    }

    /// Starts an orderly unbind.
    pub fn begin_unbind(&mut self, now: Instant, out: &mut Vec<u8>) {
        if matches!(self.state, State::Bound | State::Binding) {
            let seq = self.seq.next_seq();
            put_header_only(out, CommandId::Unbind.to_u32(), 0, seq);
            self.state = State::Unbinding;
            self.deadline = Some(now + self.cfg.response_timeout);
        }
    }

    /// Runs the timers; `Event::Close` when the connection must go.
    pub fn handle_timeout(&mut self, now: Instant, out: &mut Vec<u8>) -> Event {
        if self.state == State::Closed {
            return Event::Close;
        }
        if self.deadline.is_some_and(|d| now >= d) {
            // No bind_resp or unbind_resp in time.
            self.state = State::Closed;
            return Event::Close;
        }
        if let Some((_, d)) = self.enquire_pending {
            if now >= d {
                self.state = State::Closed;
                return Event::Close;
            }
        }
        if self.state == State::Bound
            && !self.cfg.enquire_link_interval.is_zero()
            && self.enquire_pending.is_none()
            && now.duration_since(self.last_rx) >= self.cfg.enquire_link_interval
        {
            let seq = self.seq.next_seq();
            put_header_only(out, CommandId::EnquireLink.to_u32(), 0, seq);
            self.enquire_pending = Some((seq, now + self.cfg.response_timeout));
        }
        Event::None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> ClientConfig {
        ClientConfig {
            kind: BindKind::Transceiver,
            system_id: Bytes::from_static(b"proxy"),
            password: Bytes::from_static(b"pw"),
            system_type: Bytes::new(),
            interface_version: 0x34,
            enquire_link_interval: Duration::from_secs(30),
            response_timeout: Duration::from_secs(5),
        }
    }

    fn resp(id: CommandId, status: u32, seq: u32) -> Vec<u8> {
        let mut v = Vec::new();
        put_header_only(&mut v, id.to_u32(), status, seq);
        v
    }

    #[test]
    fn binds_and_reports_responses() {
        let t0 = Instant::now();
        let mut out = Vec::new();
        let mut s = ClientSession::start(cfg(), t0, &mut out);
        let bind = Pdu::decode_slice(&out).unwrap();
        let Body::BindTransceiver(b) = &bind.body else {
            panic!()
        };
        assert_eq!(&b.system_id[..], b"proxy");
        assert_eq!(b.interface_version, 0x34);
        assert!(!s.can_submit());
        assert!(matches!(
            s.handle_frame(
                t0,
                &resp(CommandId::BindTransceiverResp, 0, bind.sequence_number),
                &mut out
            ),
            Event::Bound
        ));
        assert!(s.can_submit());
        let ev = s.handle_frame(t0, &resp(CommandId::GenericNack, 3, 0x4000_0001), &mut out);
        assert!(matches!(
            ev,
            Event::Response {
                id: CommandId::GenericNack,
                status: 3,
                ..
            }
        ));
    }

    #[test]
    fn refused_bind_and_bind_timeout() {
        let t0 = Instant::now();
        let mut out = Vec::new();
        let mut s = ClientSession::start(cfg(), t0, &mut out);
        assert!(matches!(
            s.handle_frame(t0, &resp(CommandId::BindTransceiverResp, 0x0e, 1), &mut out),
            Event::BindFailed(CommandStatus::ESME_RINVPASWD)
        ));
        let mut s = ClientSession::start(cfg(), t0, &mut out);
        assert!(matches!(
            s.handle_timeout(t0 + Duration::from_secs(4), &mut out),
            Event::None
        ));
        assert!(matches!(
            s.handle_timeout(t0 + Duration::from_secs(5), &mut out),
            Event::Close
        ));
    }

    #[test]
    fn answers_enquire_link_and_unbind_from_smsc() {
        let t0 = Instant::now();
        let mut out = Vec::new();
        let mut s = ClientSession::start(cfg(), t0, &mut out);
        s.handle_frame(t0, &resp(CommandId::BindTransceiverResp, 0, 1), &mut out);
        out.clear();
        s.handle_frame(t0, &resp(CommandId::EnquireLink, 0, 77), &mut out);
        assert_eq!(out, resp(CommandId::EnquireLinkResp, 0, 77));
        out.clear();
        assert!(matches!(
            s.handle_frame(t0, &resp(CommandId::Unbind, 0, 78), &mut out),
            Event::Close
        ));
        assert_eq!(out, resp(CommandId::UnbindResp, 0, 78));
    }

    #[test]
    fn enquire_link_keepalive_detects_dead_smsc() {
        let t0 = Instant::now();
        let mut out = Vec::new();
        let mut s = ClientSession::start(cfg(), t0, &mut out);
        s.handle_frame(t0, &resp(CommandId::BindTransceiverResp, 0, 1), &mut out);
        out.clear();
        s.handle_timeout(t0 + Duration::from_secs(30), &mut out);
        assert_eq!(
            Pdu::decode_slice(&out).unwrap().command_id(),
            CommandId::EnquireLink
        );
        assert!(matches!(
            s.handle_timeout(t0 + Duration::from_secs(35), &mut out),
            Event::Close
        ));
    }
}
