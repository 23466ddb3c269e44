//! A blocking M3UA/SCCP/TCAP/MAP client built from the codecs, playing the proxy (the ASP)
//! against the SS7 simulator in the SS7 tests.

#![allow(dead_code)]

use smsedge_codecs::m3ua::{self, DataView, MessageType, Parameter, ProtocolData};
use smsedge_codecs::map::{
    AddressString, AppContext, Argument, MtForwardSmArg, RoutingInfoForSmArg, Tbcd,
};
use smsedge_codecs::sccp::{self, GlobalTitle, PartyAddress};
use smsedge_codecs::tcap::{self, Component, DialoguePortion, TransactionId};
use smsedge_codecs::text::{Ie, Udh};
use smsedge_codecs::tpdu::{self, Address, Dcs, Deliver, Timestamp, Tpdu, UserData};
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// The proxy's SMSC GT in these tests.
pub const SMSC: &str = "447700900999";
/// The simulator's defaults: MSC GT base, IMSI prefix, HLR GT.
pub const MSC_BASE: &str = "44770080";
pub const IMSI_PREFIX: &str = "00101";
pub const HLR: &str = "447700800001";

pub fn gt(ssn: u8, digits: &str) -> PartyAddress {
    PartyAddress::gt(ssn, GlobalTitle::e164(digits).unwrap())
}

pub fn imsi_of(msisdn: &str) -> String {
    format!("{IMSI_PREFIX}{}", &msisdn[msisdn.len() - 10..])
}

pub fn msc_of(msisdn: &str) -> String {
    format!("{MSC_BASE}{}", &msisdn[msisdn.len() - 4..])
}

/// What came in one DATA message.
#[derive(Debug)]
pub struct Got {
    pub routing_context: Option<u32>,
    pub network_appearance: Option<u32>,
    pub opc: u32,
    pub dpc: u32,
    pub si: u8,
    pub ni: u8,
    pub sls: u8,
    pub sccp: sccp::Message,
    pub tcap: tcap::Message,
}

pub struct Client {
    pub s: TcpStream,
    buf: Vec<u8>,
    /// Every M3UA message sent and received, in order (for the tshark judge).
    pub wire: Vec<Vec<u8>>,
    pub rc: Option<u32>,
    pub opc: u32,
    pub dpc: u32,
}

impl Client {
    pub fn connect(addr: SocketAddr) -> Self {
        let s = TcpStream::connect(addr).unwrap();
        s.set_nodelay(true).unwrap();
        Client {
            s,
            buf: Vec::new(),
            wire: Vec::new(),
            rc: None,
            opc: 1,
            dpc: 2,
        }
    }

    pub fn send(&mut self, m: &m3ua::Message) {
        self.send_raw(&m.encode());
    }

    pub fn send_raw(&mut self, b: &[u8]) {
        self.wire.push(b.to_vec());
        self.s.write_all(b).unwrap();
    }

    /// The next M3UA message within `d`, or None.
    pub fn recv_within(&mut self, d: Duration) -> Option<m3ua::Message> {
        let deadline = Instant::now() + d;
        loop {
            if self.buf.len() >= 8 {
                let n = u32::from_be_bytes(self.buf[4..8].try_into().unwrap()) as usize;
                if self.buf.len() >= n {
                    let frame: Vec<u8> = self.buf.drain(..n).collect();
                    self.wire.push(frame.clone());
                    return Some(
                        m3ua::Message::decode(&frame).expect("the simulator sent valid M3UA"),
                    );
                }
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            self.s.set_read_timeout(Some(left)).unwrap();
            let mut b = [0u8; 65536];
            match self.s.read(&mut b) {
                Ok(0) => return None,
                Ok(n) => self.buf.extend_from_slice(&b[..n]),
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    return None
                }
                Err(e) => panic!("read: {e}"),
            }
        }
    }

    pub fn recv(&mut self) -> m3ua::Message {
        self.recv_within(Duration::from_secs(10))
            .expect("the simulator answered within 10 s")
    }

    /// The next message, which must be of `kind`.
    pub fn expect(&mut self, kind: MessageType) -> m3ua::Message {
        let m = self.recv();
        assert_eq!(m.kind, kind, "{m:?}");
        m
    }

    /// The error code of the next message, which must be an ERR.
    pub fn expect_err(&mut self) -> (u32, m3ua::Message) {
        let m = self.expect(MessageType::Err);
        let code = m
            .params
            .iter()
            .find_map(|p| match p {
                Parameter::ErrorCode(c) => Some(*c),
                _ => None,
            })
            .unwrap();
        (code, m)
    }

    /// ASPUP, ASPAC (loadshare) and their acknowledgements and NTFY AS-ACTIVE.
    pub fn up(&mut self) {
        self.send(&m3ua::Message::aspup(None));
        self.expect(MessageType::AspUpAck);
        let rc: Vec<u32> = self.rc.into_iter().collect();
        self.send(&m3ua::Message::aspac(Some(2), &rc));
        let ack = self.expect(MessageType::AspAcAck);
        assert_eq!(
            ack.routing_context()
                .map(<[u32]>::to_vec)
                .unwrap_or_default(),
            rc
        );
        let n = self.expect(MessageType::Ntfy);
        assert!(n.params.contains(&Parameter::Status {
            status_type: 1,
            status_info: 3
        }));
    }

    /// DATA carrying `tcap` in a UDT (class 1, return on error) from `calling` to `called`.
    pub fn send_tcap(&mut self, called: &PartyAddress, calling: &PartyAddress, t: &tcap::Message) {
        let mut u = sccp::Message::udt(called.clone(), calling.clone(), t.encode());
        u.protocol_class = 0x81;
        self.send_sccp(&u, 5);
    }

    pub fn send_sccp(&mut self, u: &sccp::Message, sls: u8) {
        let pd = ProtocolData {
            opc: self.opc,
            dpc: self.dpc,
            si: 3,
            ni: 2,
            mp: 0,
            sls,
            user_data: u.encode().unwrap(),
        };
        self.send(&m3ua::Message::data(self.rc, pd));
    }

    /// The next DATA message, decoded down to TCAP.
    pub fn recv_tcap_within(&mut self, d: Duration) -> Option<Got> {
        let m = self.recv_within(d)?;
        assert_eq!(m.kind, MessageType::Data, "{m:?}");
        let raw = m.encode();
        let v = DataView::parse(&raw).unwrap();
        let s = sccp::Message::decode(v.user_data).unwrap();
        let t = tcap::Message::decode(&s.data).unwrap();
        Some(Got {
            routing_context: v.routing_context,
            network_appearance: v.network_appearance,
            opc: v.opc,
            dpc: v.dpc,
            si: v.si,
            ni: v.ni,
            sls: v.sls,
            sccp: s,
            tcap: t,
        })
    }

    pub fn recv_tcap(&mut self) -> Got {
        self.recv_tcap_within(Duration::from_secs(10))
            .expect("an answer within 10 s")
    }
}

pub fn tid(v: u32) -> TransactionId {
    TransactionId::from_u32(v)
}

/// TC-BEGIN with sendRoutingInfoForSM for `msisdn` in MAP `version` (invoke id 1).
pub fn sri_begin(otid: u32, msisdn: &str, version: u8) -> tcap::Message {
    let arg = RoutingInfoForSmArg::new(
        AddressString::international(msisdn).unwrap(),
        true,
        AddressString::international(SMSC).unwrap(),
    );
    let p = Argument::SendRoutingInfoForSm(arg).encode();
    tcap::Message::begin(tid(otid))
        .with_dialogue(DialoguePortion::request(
            AppContext::ShortMsgGateway.oid(version),
        ))
        .with_component(Component::invoke(1, 45, Some(p)))
}

/// An SMS-DELIVER from `oa` with 7-bit `text`, and a concatenation header when `concat` is
/// (reference, total, seq).
pub fn deliver(oa: &str, text: &str, concat: Option<(u8, u8, u8)>) -> Vec<u8> {
    let udh = concat.map(|(reference, total, seq)| {
        Udh::new(vec![Ie::Concat8 {
            reference,
            total,
            seq,
        }])
    });
    let d = Deliver::new(
        Address::international(oa).unwrap(),
        Dcs(0),
        Timestamp::new(24, 1, 1, 12, 0, 0, 4),
        UserData::gsm7(text, udh).unwrap(),
    );
    Tpdu::Deliver(d).encode()
}

/// The mt-forwardSM (v3, opcode 44) or forwardSM (v2, opcode 46) invoke.
pub fn mt_invoke(invoke_id: i64, imsi: &str, tpdu: Vec<u8>, more: bool, version: u8) -> Component {
    let mut a = MtForwardSmArg::new(
        Tbcd::from_digits(imsi).unwrap(),
        AddressString::international(SMSC).unwrap(),
        tpdu,
    );
    a.more_messages_to_send = more;
    let op = if version >= 3 { 44 } else { 46 };
    Component::invoke(invoke_id, op, Some(Argument::MtForwardSm(a).encode()))
}

/// TC-BEGIN with the first mt-forwardSM of a message.
pub fn mt_begin(otid: u32, c: Component, version: u8) -> tcap::Message {
    tcap::Message::begin(tid(otid))
        .with_dialogue(DialoguePortion::request(
            AppContext::ShortMsgMtRelay.oid(version),
        ))
        .with_component(c)
}

/// The SMSC's address (calling party of everything the client sends).
pub fn smsc_addr() -> PartyAddress {
    gt(8, SMSC)
}

pub fn tpdu_text(b: &[u8], dir: tpdu::Direction) -> Option<String> {
    match Tpdu::decode(b, dir).ok()? {
        Tpdu::Deliver(d) => d.ud.text(d.dcs),
        Tpdu::Submit(s) => s.ud.text(s.dcs),
        _ => None,
    }
}
