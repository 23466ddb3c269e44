//! The M3UA ASP state machine of one association (RFC 4666 4.3.1, the ASP side), sans-IO in the
//! manner of quinn-proto: [`Asp::start`], [`Asp::handle_message`] and [`Asp::handle_timeout`]
//! take the time and append whatever must be sent to the caller's buffer; what the shard must do
//! comes back as an [`Event`]. No socket, no clock of its own.
//!
//! ```text
//!  DOWN --ASPUP--> (UP SENT) --ASPUP ACK--> INACTIVE --ASPAC--> (AC SENT) --ASPAC ACK--> ACTIVE
//!    ^                                           ^                                       |
//!    +--------- ASPDN ACK / ERR / no ack --------+----- ASPIA ACK / NTFY alternate ASP ---+
//! ```
//!
//! The proxy is always the ASP (it connects). DATA is accepted only while ACTIVE (3.8.1: anything
//! else is an unexpected message). BEAT keeps an idle association honest: one unanswered BEAT
//! closes it, and the task reconnects with backoff. DUNA / DAVA / SCON about the peer's point code
//! (RFC 4666 3.4) stop, resume and slow the traffic of the connector.

use smsedge_codecs::m3ua::mgmt::{error_code, status};
use smsedge_codecs::m3ua::{DataView, Header, Message, MessageType, Parameter, HEADER_LEN};
use std::time::{Duration, Instant};

/// How long an ASPUP, ASPAC or ASPDN waits for its acknowledgement before it is sent again
/// (RFC 4666 4.3.4.1 leaves T(ack) to the implementation; 2 s is customary).
pub const ACK_TIMEOUT: Duration = Duration::from_secs(2);
/// Sends of one ASPUP/ASPAC before the association is given up and reconnected.
pub const MAX_TRIES: u8 = 4;

/// What an association needs to know about its connector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AspConfig {
    /// ASP Identifier sent in ASPUP.
    pub asp_id: Option<u32>,
    /// Routing Context of ASPAC, ASPIA and DATA.
    pub routing_context: Option<u32>,
    /// Network Appearance of DATA.
    pub network_appearance: Option<u32>,
    /// Traffic Mode Type of ASPAC (1 override, 2 loadshare, 3 broadcast).
    pub traffic_mode: u32,
    /// BEAT period; zero = no BEAT.
    pub beat_interval: Duration,
    /// The proxy's point code (OPC of DATA sent).
    pub local_pc: u32,
    /// The peer's point code (DPC of DATA sent).
    pub remote_pc: u32,
    /// Network indicator of DATA sent.
    pub ni: u8,
}

/// Where the association is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Nothing sent yet, or given up.
    Down,
    /// ASPUP sent, waiting for ASPUP ACK.
    UpSent,
    /// ASP-INACTIVE: up, not carrying traffic.
    Inactive,
    /// ASPAC sent, waiting for ASPAC ACK.
    ActiveSent,
    /// ASP-ACTIVE: DATA flows.
    Active,
    /// ASPDN sent on shutdown, waiting for ASPDN ACK.
    DownSent,
}

/// What the shard must do after a message or a timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event<'a> {
    /// Nothing (or only something sent).
    None,
    /// The association became ASP-ACTIVE: traffic may flow.
    Active,
    /// It left ASP-ACTIVE (but stays up, and asks again later).
    Inactive,
    /// A DATA message for the proxy (its routing label checked by the caller).
    Data(DataView<'a>),
    /// DUNA for the peer's point code: stop sending to it.
    PeerUnavailable,
    /// DAVA for the peer's point code: it can be used again.
    PeerAvailable,
    /// SCON for the peer's point code, with the congestion level (1..=3; 1 when not given).
    Congestion(u8),
    /// The association is of no further use: close it (the task reconnects unless stopping).
    Close(&'static str),
}

/// One association's ASP state.
#[derive(Debug)]
pub struct Asp {
    cfg: AspConfig,
    state: State,
    /// When the message we wait an ack for goes again.
    retry_at: Option<Instant>,
    tries: u8,
    /// When ASPAC is asked again after the peer made us inactive.
    reactivate_at: Option<Instant>,
    next_beat: Option<Instant>,
    beat_outstanding: Option<u32>,
    beat_seq: u32,
}

impl Asp {
    /// Starts the state machine on a fresh connection: sends ASPUP.
    pub fn start(cfg: AspConfig, now: Instant, out: &mut Vec<u8>) -> Asp {
        let mut a = Asp {
            cfg,
            state: State::Down,
            retry_at: None,
            tries: 0,
            reactivate_at: None,
            next_beat: None,
            beat_outstanding: None,
            beat_seq: 0,
        };
        a.send_aspup(now, out);
        a
    }

    /// The configuration in force.
    pub fn config(&self) -> &AspConfig {
        &self.cfg
    }

    /// The state.
    pub fn state(&self) -> State {
        self.state
    }

    /// True while DATA may be sent.
    pub fn is_active(&self) -> bool {
        self.state == State::Active
    }

    fn rc(&self) -> Vec<u32> {
        self.cfg.routing_context.into_iter().collect()
    }

    fn send_aspup(&mut self, now: Instant, out: &mut Vec<u8>) {
        Message::aspup(self.cfg.asp_id).encode_into(out);
        self.state = State::UpSent;
        self.tries += 1;
        self.retry_at = Some(now + ACK_TIMEOUT);
    }

    fn send_aspac(&mut self, now: Instant, out: &mut Vec<u8>) {
        Message::aspac(Some(self.cfg.traffic_mode), &self.rc()).encode_into(out);
        self.state = State::ActiveSent;
        self.tries += 1;
        self.retry_at = Some(now + ACK_TIMEOUT);
        self.reactivate_at = None;
    }

    /// Starts a graceful shutdown: ASPDN (RFC 4666 4.3.4.2); [`Event::Close`] follows its ack.
    pub fn stop(&mut self, now: Instant, out: &mut Vec<u8>) {
        if matches!(self.state, State::DownSent | State::Down) {
            return;
        }
        Message::aspdn().encode_into(out);
        self.state = State::DownSent;
        self.retry_at = Some(now + ACK_TIMEOUT);
        self.tries = MAX_TRIES;
    }

    /// Handles one complete M3UA message (`frame` is exactly its length).
    pub fn handle_message<'a>(
        &mut self,
        now: Instant,
        frame: &'a [u8],
        out: &mut Vec<u8>,
    ) -> Event<'a> {
        let Ok(h) = Header::new_checked(frame) else {
            // RFC 4666 3.8.1: invalid version; the framing was checked by the reader.
            Message::err(error_code::INVALID_VERSION, Vec::new()).encode_into(out);
            return Event::None;
        };
        let kind = h.kind();
        if kind == MessageType::Data {
            if self.state != State::Active {
                // 3.8.1 / 4.3.4.3: DATA for an ASP that is not active is unexpected.
                Message::err(error_code::UNEXPECTED_MESSAGE, Vec::new()).encode_into(out);
                return Event::None;
            }
            return match DataView::parse(frame) {
                Ok(v) => Event::Data(v),
                Err(_) => {
                    Message::err(error_code::PARAMETER_FIELD_ERROR, Vec::new()).encode_into(out);
                    Event::None
                }
            };
        }
        let msg = match Message::decode(frame) {
            Ok(m) => m,
            Err(e) => {
                let code = if e.field.starts_with("m3ua.protocol_data")
                    || e.field.contains("parameter_length")
                {
                    error_code::PARAMETER_FIELD_ERROR
                } else {
                    error_code::MISSING_PARAMETER
                };
                Message::err(code, Vec::new()).encode_into(out);
                return Event::None;
            }
        };
        self.on_message(now, &msg, out)
    }

    fn on_message(&mut self, now: Instant, msg: &Message, out: &mut Vec<u8>) -> Event<'static> {
        use MessageType as M;
        match msg.kind {
            M::AspUpAck => {
                if self.state == State::UpSent {
                    self.tries = 0;
                    self.send_aspac(now, out);
                }
                Event::None
            }
            M::AspAcAck => {
                if self.state == State::ActiveSent {
                    self.state = State::Active;
                    self.tries = 0;
                    self.retry_at = None;
                    self.beat_outstanding = None;
                    self.next_beat =
                        (!self.cfg.beat_interval.is_zero()).then(|| now + self.cfg.beat_interval);
                    return Event::Active;
                }
                Event::None
            }
            M::AspIaAck => self.made_inactive(now),
            M::AspDnAck => {
                // Solicited (shutdown) or the SGP taking the ASP down (4.3.4.2): either way the
                // association starts over.
                self.state = State::Down;
                Event::Close("ASPDN ACK")
            }
            M::Beat => {
                Message::beat_ack_for(msg).encode_into(out);
                Event::None
            }
            M::BeatAck => {
                let data = msg.params.iter().find_map(|p| match p {
                    Parameter::HeartbeatData(d) => Some(d.as_slice()),
                    _ => None,
                });
                if let (Some(want), Some(d)) = (self.beat_outstanding, data) {
                    // 3.5.6: the BEAT ACK echoes the Heartbeat Data unchanged.
                    if d == want.to_be_bytes() {
                        self.beat_outstanding = None;
                    }
                }
                Event::None
            }
            M::Ntfy => {
                let st = msg.params.iter().find_map(|p| match p {
                    Parameter::Status {
                        status_type,
                        status_info,
                    } => Some((*status_type, *status_info)),
                    _ => None,
                });
                if self.state != State::Active || !self.concerns_our_as(msg) {
                    // Before ASPAC ACK the SGP's AS-INACTIVE (sent after ASPUP ACK, 4.3.4.1)
                    // is history, not news.
                    return Event::None;
                }
                match st {
                    // 4.3.4.3 (override): another ASP took over; this one is inactive now.
                    Some((status::OTHER, status::ALTERNATE_ASP_ACTIVE)) => self.made_inactive(now),
                    // 4.3.4.5: an AS that is inactive or pending has no active ASP, so the SGP
                    // no longer counts this one: stop sending DATA and ask again (ASPAC).
                    Some((status::AS_STATE_CHANGE, status::AS_INACTIVE | status::AS_PENDING)) => {
                        tracing::warn!(status = ?st, "NTFY: the SGP no longer counts this ASP active");
                        self.made_inactive(now)
                    }
                    // AS-ACTIVE, insufficient resources, ASP failure: informational.
                    _ => Event::None,
                }
            }
            M::Err => {
                let code = msg.params.iter().find_map(|p| match p {
                    Parameter::ErrorCode(c) => Some(*c),
                    _ => None,
                });
                tracing::warn!(error_code = ?code, state = ?self.state, "M3UA ERR from the peer");
                match self.state {
                    // The peer refused what we asked (routing context, traffic mode, ASP id):
                    // start over after the reconnect backoff.
                    State::UpSent | State::ActiveSent => Event::Close("ERR refusing ASPUP/ASPAC"),
                    _ => Event::None,
                }
            }
            M::Duna | M::Dava | M::Scon => {
                if !self.affects_peer(msg) {
                    return Event::None;
                }
                match msg.kind {
                    M::Duna => Event::PeerUnavailable,
                    M::Dava => Event::PeerAvailable,
                    _ => {
                        let level = msg
                            .params
                            .iter()
                            .find_map(|p| match p {
                                Parameter::CongestionIndications(l) => Some((*l & 0xff) as u8),
                                _ => None,
                            })
                            .unwrap_or(1);
                        Event::Congestion(level.clamp(1, 3))
                    }
                }
            }
            // DUPU, DRST, DAUD and notifications about other destinations: nothing to do.
            M::Dupu | M::Drst | M::Daud => Event::None,
            // Messages an ASP never receives (ASPUP, ASPAC, ...) or does not know.
            M::AspUp | M::AspDn | M::AspAc | M::AspIa => {
                Message::err(error_code::UNEXPECTED_MESSAGE, Vec::new()).encode_into(out);
                Event::None
            }
            M::Unknown { class, .. } => {
                // 3.8.1: unsupported class, or a type its class does not have.
                let code = if matches!(class, 0..=4 | 9) {
                    error_code::UNSUPPORTED_MESSAGE_TYPE
                } else {
                    error_code::UNSUPPORTED_MESSAGE_CLASS
                };
                Message::err(code, Vec::new()).encode_into(out);
                Event::None
            }
            M::RegReq | M::RegRsp | M::DeregReq | M::DeregRsp => {
                Message::err(error_code::UNSUPPORTED_MESSAGE_CLASS, Vec::new()).encode_into(out);
                Event::None
            }
            M::Data => Event::None,
        }
    }

    fn made_inactive(&mut self, now: Instant) -> Event<'static> {
        if matches!(self.state, State::Active | State::ActiveSent) {
            let was_active = self.state == State::Active;
            self.state = State::Inactive;
            self.retry_at = None;
            self.next_beat = None;
            self.beat_outstanding = None;
            // Ask again later: the SGP may want us back (loadshare) or the alternate may fail.
            self.reactivate_at = Some(now + ACK_TIMEOUT * 2);
            if was_active {
                return Event::Inactive;
            }
        }
        Event::None
    }

    /// A NTFY without a Routing Context concerns every AS of the ASP; with one, only the ASes
    /// it names (RFC 4666 3.8.2).
    fn concerns_our_as(&self, msg: &Message) -> bool {
        let Some(ours) = self.cfg.routing_context else {
            return true;
        };
        msg.params.iter().all(|p| match p {
            Parameter::RoutingContext(rcs) => rcs.contains(&ours),
            _ => true,
        })
    }

    /// RFC 4666 3.4.1: Affected Point Code lists masked point codes; the mask is the number of
    /// wildcarded low-order bits.
    fn affects_peer(&self, msg: &Message) -> bool {
        msg.params.iter().any(|p| match p {
            Parameter::AffectedPointCode(list) => list.iter().any(|m| {
                let mask = u32::MAX.checked_shl(u32::from(m.mask)).unwrap_or(0) & 0x00ff_ffff;
                (m.pc & mask) == (self.cfg.remote_pc & mask)
            }),
            _ => false,
        })
    }

    /// The next time [`Asp::handle_timeout`] has something to do.
    pub fn poll_timeout(&self) -> Option<Instant> {
        [self.retry_at, self.reactivate_at, self.next_beat]
            .into_iter()
            .flatten()
            .min()
    }

    /// Runs the timers due at `now`.
    pub fn handle_timeout(&mut self, now: Instant, out: &mut Vec<u8>) -> Event<'static> {
        if self.retry_at.is_some_and(|t| t <= now) {
            if self.tries >= MAX_TRIES {
                self.state = State::Down;
                self.retry_at = None;
                return Event::Close("no acknowledgement from the peer");
            }
            match self.state {
                State::UpSent => self.send_aspup(now, out),
                State::ActiveSent => self.send_aspac(now, out),
                _ => self.retry_at = None,
            }
        }
        if self.reactivate_at.is_some_and(|t| t <= now) && self.state == State::Inactive {
            self.tries = 0;
            self.send_aspac(now, out);
        }
        if self.next_beat.is_some_and(|t| t <= now) && self.state == State::Active {
            if self.beat_outstanding.is_some() {
                // The last BEAT went a whole interval without its ack.
                self.state = State::Down;
                return Event::Close("BEAT not acknowledged");
            }
            self.beat_seq = self.beat_seq.wrapping_add(1);
            Message::beat(Some(self.beat_seq.to_be_bytes().to_vec())).encode_into(out);
            self.beat_outstanding = Some(self.beat_seq);
            self.next_beat = Some(now + self.cfg.beat_interval);
        }
        Event::None
    }
}

/// Appends a DATA message (RFC 4666 3.3.1) carrying `user_data` (an SCCP message) from the
/// proxy's point code to the peer's, without building the typed form: Network Appearance and
/// Routing Context when configured, then the Protocol Data, padded to 4 octets.
pub fn put_data(out: &mut Vec<u8>, cfg: &AspConfig, sls: u8, user_data: &[u8]) {
    let pd_len = 4 + 12 + user_data.len();
    let pad = (4 - pd_len % 4) % 4;
    let len = HEADER_LEN
        + if cfg.network_appearance.is_some() {
            8
        } else {
            0
        }
        + if cfg.routing_context.is_some() { 8 } else { 0 }
        + pd_len
        + pad;
    out.extend_from_slice(&[1, 0, 1, 1]);
    out.extend_from_slice(&(len as u32).to_be_bytes());
    if let Some(na) = cfg.network_appearance {
        out.extend_from_slice(&[0x02, 0x00, 0x00, 0x08]);
        out.extend_from_slice(&na.to_be_bytes());
    }
    if let Some(rc) = cfg.routing_context {
        out.extend_from_slice(&[0x00, 0x06, 0x00, 0x08]);
        out.extend_from_slice(&rc.to_be_bytes());
    }
    out.extend_from_slice(&[0x02, 0x10]);
    out.extend_from_slice(&(pd_len as u16).to_be_bytes());
    out.extend_from_slice(&cfg.local_pc.to_be_bytes());
    out.extend_from_slice(&cfg.remote_pc.to_be_bytes());
    // SI 3 (SCCP), NI, MP 0, SLS.
    out.extend_from_slice(&[smsedge_codecs::m3ua::SI_SCCP, cfg.ni, 0, sls]);
    out.extend_from_slice(user_data);
    out.extend_from_slice(&[0u8; 3][..pad]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use smsedge_codecs::m3ua::{MaskedPointCode, ProtocolData};

    fn cfg() -> AspConfig {
        AspConfig {
            asp_id: Some(7),
            routing_context: Some(100),
            network_appearance: None,
            traffic_mode: 2,
            beat_interval: Duration::from_secs(30),
            local_pc: 1,
            remote_pc: 2,
            ni: 2,
        }
    }

    fn sent(out: &mut Vec<u8>) -> Vec<Message> {
        let (msgs, err) = Message::decode_all(out);
        assert!(err.is_none(), "{err:?}");
        out.clear();
        msgs
    }

    /// Brings an ASP to ACTIVE; returns it and the time.
    fn active() -> (Asp, Instant, Vec<u8>) {
        let now = Instant::now();
        let mut out = Vec::new();
        let mut a = Asp::start(cfg(), now, &mut out);
        assert_eq!(sent(&mut out), vec![Message::aspup(Some(7))]);
        let bytes = Message::aspup_ack(None).encode();
        let ev = a.handle_message(now, &bytes, &mut out);
        assert_eq!(ev, Event::None);
        assert_eq!(sent(&mut out), vec![Message::aspac(Some(2), &[100])]);
        let bytes = Message::aspac_ack(Some(2), &[100]).encode();
        let ev = a.handle_message(now, &bytes, &mut out);
        assert_eq!(ev, Event::Active);
        assert!(a.is_active());
        (a, now, out)
    }

    #[test]
    fn goes_up_then_active_and_passes_data() {
        let (mut a, now, mut out) = active();
        let pd = ProtocolData {
            opc: 2,
            dpc: 1,
            si: 3,
            ni: 2,
            mp: 0,
            sls: 9,
            user_data: vec![1, 2, 3],
        };
        let data = Message::data(Some(100), pd).encode();
        match a.handle_message(now, &data, &mut out) {
            Event::Data(v) => assert_eq!(
                (v.opc, v.dpc, v.sls, v.user_data),
                (2, 1, 9, &[1, 2, 3][..])
            ),
            e => panic!("{e:?}"),
        }
        assert!(out.is_empty());
    }

    #[test]
    fn data_before_active_is_an_unexpected_message() {
        let now = Instant::now();
        let mut out = Vec::new();
        let mut a = Asp::start(cfg(), now, &mut out);
        out.clear();
        let pd = ProtocolData {
            opc: 2,
            dpc: 1,
            si: 3,
            ni: 2,
            mp: 0,
            sls: 0,
            user_data: vec![0],
        };
        let bytes = Message::data(None, pd).encode();
        let ev = a.handle_message(now, &bytes, &mut out);
        assert_eq!(ev, Event::None);
        assert_eq!(
            sent(&mut out),
            vec![Message::err(error_code::UNEXPECTED_MESSAGE, vec![])]
        );
    }

    #[test]
    fn retransmits_aspup_then_gives_up() {
        let now = Instant::now();
        let mut out = Vec::new();
        let mut a = Asp::start(cfg(), now, &mut out);
        out.clear();
        let mut t = now;
        for _ in 1..MAX_TRIES {
            t += ACK_TIMEOUT;
            assert_eq!(a.handle_timeout(t, &mut out), Event::None);
            assert_eq!(sent(&mut out), vec![Message::aspup(Some(7))]);
        }
        t += ACK_TIMEOUT;
        assert!(matches!(a.handle_timeout(t, &mut out), Event::Close(_)));
    }

    #[test]
    fn err_refusing_aspac_closes() {
        let now = Instant::now();
        let mut out = Vec::new();
        let mut a = Asp::start(cfg(), now, &mut out);
        a.handle_message(now, &Message::aspup_ack(None).encode(), &mut out);
        out.clear();
        let err = Message::err(error_code::INVALID_ROUTING_CONTEXT, vec![]).encode();
        assert!(matches!(
            a.handle_message(now, &err, &mut out),
            Event::Close(_)
        ));
    }

    #[test]
    fn answers_beat_and_sends_its_own() {
        let (mut a, now, mut out) = active();
        let beat = Message::beat(Some(vec![9, 9])).encode();
        a.handle_message(now, &beat, &mut out);
        assert_eq!(
            sent(&mut out),
            vec![Message::beat_ack_for(&Message::decode(&beat).unwrap())]
        );
        // Our BEAT after the interval; its ack clears it; a second unanswered one closes.
        let t = now + Duration::from_secs(30);
        assert_eq!(a.poll_timeout(), Some(t));
        a.handle_timeout(t, &mut out);
        let ours = sent(&mut out);
        assert_eq!(ours.len(), 1);
        assert_eq!(ours[0].kind, MessageType::Beat);
        let ack = Message::beat_ack_for(&ours[0]).encode();
        a.handle_message(t, &ack, &mut out);
        let t2 = t + Duration::from_secs(30);
        assert_eq!(a.handle_timeout(t2, &mut out), Event::None);
        sent(&mut out);
        let t3 = t2 + Duration::from_secs(30);
        assert!(matches!(a.handle_timeout(t3, &mut out), Event::Close(_)));
    }

    #[test]
    fn duna_dava_scon_for_the_peer_only() {
        let (mut a, now, mut out) = active();
        let peer = [MaskedPointCode { mask: 0, pc: 2 }];
        let other = [MaskedPointCode { mask: 0, pc: 3 }];
        let wild = [MaskedPointCode { mask: 8, pc: 0x100 }];
        let ev = |a: &mut Asp, m: Message, out: &mut Vec<u8>| {
            let bytes = m.encode();
            match a.handle_message(now, &bytes, out) {
                Event::Data(_) => panic!("no DATA expected"),
                Event::None => Event::None,
                Event::Active => Event::Active,
                Event::Inactive => Event::Inactive,
                Event::PeerUnavailable => Event::PeerUnavailable,
                Event::PeerAvailable => Event::PeerAvailable,
                Event::Congestion(l) => Event::Congestion(l),
                Event::Close(r) => Event::Close(r),
            }
        };
        assert_eq!(
            ev(&mut a, Message::duna(&[100], &other), &mut out),
            Event::None
        );
        assert_eq!(
            ev(&mut a, Message::duna(&[100], &peer), &mut out),
            Event::PeerUnavailable
        );
        assert_eq!(
            ev(&mut a, Message::dava(&[], &peer), &mut out),
            Event::PeerAvailable
        );
        assert_eq!(
            ev(&mut a, Message::scon(&[], &peer, None, Some(2)), &mut out),
            Event::Congestion(2)
        );
        assert_eq!(
            ev(&mut a, Message::scon(&[], &peer, None, None), &mut out),
            Event::Congestion(1)
        );
        // A mask of 8 wildcards the low 8 bits: 0x100/8 covers 0x100..=0x1ff, not 2.
        assert_eq!(ev(&mut a, Message::duna(&[], &wild), &mut out), Event::None);
        let mut b = a;
        b.cfg.remote_pc = 0x1a5;
        assert_eq!(
            ev(&mut b, Message::duna(&[], &wild), &mut out),
            Event::PeerUnavailable
        );
    }

    #[test]
    fn alternate_asp_makes_it_inactive_then_it_asks_again() {
        let (mut a, now, mut out) = active();
        let n = Message::ntfy(status::OTHER, status::ALTERNATE_ASP_ACTIVE, None, &[100]);
        assert_eq!(
            a.handle_message(now, &n.encode(), &mut out),
            Event::Inactive
        );
        assert!(!a.is_active());
        let t = now + ACK_TIMEOUT * 2;
        a.handle_timeout(t, &mut out);
        assert_eq!(sent(&mut out), vec![Message::aspac(Some(2), &[100])]);
    }

    #[test]
    fn as_inactive_or_pending_while_active_makes_it_ask_again() {
        for info in [status::AS_INACTIVE, status::AS_PENDING] {
            let (mut a, now, mut out) = active();
            // About another AS (routing context 7): not ours.
            let other = Message::ntfy(status::AS_STATE_CHANGE, info, None, &[7]);
            assert_eq!(
                a.handle_message(now, &other.encode(), &mut out),
                Event::None
            );
            assert!(a.is_active());
            let n = Message::ntfy(status::AS_STATE_CHANGE, info, None, &[100]);
            assert_eq!(
                a.handle_message(now, &n.encode(), &mut out),
                Event::Inactive
            );
            assert!(!a.is_active());
            a.handle_timeout(now + ACK_TIMEOUT * 2, &mut out);
            assert_eq!(sent(&mut out), vec![Message::aspac(Some(2), &[100])]);
        }
    }

    #[test]
    fn as_inactive_before_the_aspac_ack_changes_nothing() {
        let now = Instant::now();
        let mut out = Vec::new();
        let mut a = Asp::start(cfg(), now, &mut out);
        let ack = Message::aspup_ack(None).encode();
        assert_eq!(a.handle_message(now, &ack, &mut out), Event::None);
        sent(&mut out);
        // The SGP's NTFY after ASPUP ACK (RFC 4666 4.3.4.1) crosses our ASPAC.
        let n = Message::ntfy(status::AS_STATE_CHANGE, status::AS_INACTIVE, None, &[100]);
        assert_eq!(a.handle_message(now, &n.encode(), &mut out), Event::None);
        assert!(sent(&mut out).is_empty());
        let ack = Message::aspac_ack(Some(2), &[100]).encode();
        assert_eq!(a.handle_message(now, &ack, &mut out), Event::Active);
        let n = Message::ntfy(status::AS_STATE_CHANGE, status::AS_ACTIVE, None, &[100]);
        assert_eq!(a.handle_message(now, &n.encode(), &mut out), Event::None);
        assert!(a.is_active());
    }

    #[test]
    fn stop_sends_aspdn_and_its_ack_closes() {
        let (mut a, now, mut out) = active();
        a.stop(now, &mut out);
        assert_eq!(sent(&mut out), vec![Message::aspdn()]);
        let bytes = Message::aspdn_ack().encode();
        let ev = a.handle_message(now, &bytes, &mut out);
        assert!(matches!(ev, Event::Close(_)));
    }

    #[test]
    fn unknown_class_is_answered_with_err() {
        let (mut a, now, mut out) = active();
        a.handle_message(now, &[1, 0, 7, 1, 0, 0, 0, 8], &mut out);
        assert_eq!(
            sent(&mut out),
            vec![Message::err(error_code::UNSUPPORTED_MESSAGE_CLASS, vec![])]
        );
    }

    #[test]
    fn put_data_emits_what_the_codec_encodes() {
        for (na, rc, n) in [
            (None, None, 3usize),
            (Some(8), Some(100), 4),
            (None, Some(1), 5),
            (Some(3), None, 6),
        ] {
            let c = AspConfig {
                network_appearance: na,
                routing_context: rc,
                ..cfg()
            };
            let user: Vec<u8> = (0..n as u8).collect();
            let mut out = Vec::new();
            put_data(&mut out, &c, 5, &user);
            let mut params = Vec::new();
            if let Some(na) = na {
                params.push(Parameter::NetworkAppearance(na));
            }
            if let Some(rc) = rc {
                params.push(Parameter::RoutingContext(vec![rc]));
            }
            params.push(Parameter::ProtocolData(ProtocolData {
                opc: 1,
                dpc: 2,
                si: 3,
                ni: 2,
                mp: 0,
                sls: 5,
                user_data: user,
            }));
            assert_eq!(out, Message::new(MessageType::Data, params).encode());
        }
    }
}
