//! The SMSC simulator's SMPP session, PDU by PDU, from a plain blocking client built on the
//! typed codec: bind states, submit_sm / submit_multi / data_sm with receipts, errors for bad
//! and unknown PDUs, enquire_link both ways, unbind.

use bytes::Bytes;
use smsedge_codecs::smpp::{
    tag, Bind, Body, CommandId, CommandStatus, DataSm, DestAddress, Pdu, SmTail, SmeAddress,
    SubmitMulti, SubmitSm, Tlv,
};
use smsedge_loadgen::parse::Secs;
use smsedge_loadgen::smsc::{Smsc, SmscOptions};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

struct Client {
    s: TcpStream,
    buf: Vec<u8>,
}

impl Client {
    fn connect(addr: std::net::SocketAddr) -> Self {
        let s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        Client { s, buf: Vec::new() }
    }

    fn send(&mut self, p: &Pdu) {
        self.s.write_all(&p.to_vec()).unwrap();
    }

    fn send_raw(&mut self, b: &[u8]) {
        self.s.write_all(b).unwrap();
    }

    /// The next PDU, or None at end of stream.
    fn recv(&mut self) -> Option<Pdu> {
        loop {
            if self.buf.len() >= 4 {
                let n = u32::from_be_bytes(self.buf[..4].try_into().unwrap()) as usize;
                if self.buf.len() >= n {
                    let frame: Vec<u8> = self.buf.drain(..n).collect();
                    return Some(
                        Pdu::decode_slice(&frame).expect("the simulator sent a valid PDU"),
                    );
                }
            }
            let mut b = [0u8; 4096];
            let n = self.s.read(&mut b).unwrap();
            if n == 0 {
                return None;
            }
            self.buf.extend_from_slice(&b[..n]);
        }
    }

    /// Receives until a PDU with this command_id; answers receipts on the way.
    fn expect(&mut self, id: CommandId, receipts: &mut Vec<Pdu>) -> Pdu {
        loop {
            let p = self.recv().expect("connection closed");
            if p.command_id() == CommandId::DeliverSm {
                let mut r = Pdu::new(p.sequence_number, Body::DeliverSmResp(None));
                r.body = Body::DeliverSmResp(Some(Default::default()));
                self.send(&r);
                receipts.push(p);
                continue;
            }
            if p.command_id() == id {
                return p;
            }
            panic!("expected {id}, got {p:?}");
        }
    }
}

fn submit(seq: u32, dest: &str) -> Pdu {
    Pdu::new(
        seq,
        Body::SubmitSm(SubmitSm {
            source_addr_ton: 1,
            source_addr_npi: 1,
            source_addr: Bytes::from_static(b"4477009000"),
            dest_addr_ton: 1,
            dest_addr_npi: 1,
            destination_addr: Bytes::copy_from_slice(dest.as_bytes()),
            registered_delivery: 1,
            short_message: Bytes::from_static(b"hello"),
            ..Default::default()
        }),
    )
}

fn message_id(p: &Pdu) -> Vec<u8> {
    match &p.body {
        Body::SubmitSmResp(Some(r)) | Body::DataSmResp(Some(r)) => r.message_id.to_vec(),
        Body::SubmitMultiResp(Some(r)) => r.message_id.to_vec(),
        b => panic!("no message id in {b:?}"),
    }
}

fn receipt_id(p: &Pdu) -> Vec<u8> {
    p.tlv(tag::RECEIPTED_MESSAGE_ID)
        .unwrap()
        .as_c_string()
        .to_vec()
}

#[test]
fn serves_a_whole_session() {
    let sim = Smsc::start(SmscOptions {
        listen: "127.0.0.1:0".into(),
        quiet: true,
        enquire_link: Secs(Duration::from_millis(300)),
        ..Default::default()
    })
    .unwrap();
    let mut c = Client::connect(sim.local_addr());
    let mut receipts = Vec::new();

    // v3.4 4.4.1: submit_sm needs a transmitter or transceiver bind.
    c.send(&submit(1, "447700900001"));
    let r = c.expect(CommandId::SubmitSmResp, &mut receipts);
    assert_eq!(r.command_status, CommandStatus::ESME_RINVBNDSTS);
    assert_eq!(r.sequence_number, 1);

    let bind = Pdu::new(
        2,
        Body::BindTransceiver(Bind {
            system_id: Bytes::from_static(b"acme"),
            password: Bytes::from_static(b"pw"),
            interface_version: 0x34,
            ..Default::default()
        }),
    );
    c.send(&bind);
    let r = c.expect(CommandId::BindTransceiverResp, &mut receipts);
    assert_eq!(r.command_status, CommandStatus::ESME_ROK);
    match &r.body {
        Body::BindTransceiverResp(Some(b)) => assert_eq!(&b.system_id[..], b"SMSEDGESIM"),
        b => panic!("{b:?}"),
    }
    c.send(&Pdu {
        sequence_number: 3,
        ..bind.clone()
    });
    let r = c.expect(CommandId::BindTransceiverResp, &mut receipts);
    assert_eq!(r.command_status, CommandStatus::ESME_RALYBND);

    c.send(&submit(4, "447700900001"));
    let r = c.expect(CommandId::SubmitSmResp, &mut receipts);
    assert_eq!(r.command_status, CommandStatus::ESME_ROK);
    let id1 = message_id(&r);
    assert!(!id1.is_empty());

    // submit_multi: two SME destinations and a distribution list; a receipt per SME.
    let mut multi = Pdu::new(
        5,
        Body::SubmitMulti(SubmitMulti {
            source_addr_ton: 5,
            source_addr: Bytes::from_static(b"ACME"),
            dest_address: vec![
                DestAddress::Sme(SmeAddress {
                    dest_addr_ton: 1,
                    dest_addr_npi: 1,
                    destination_addr: Bytes::from_static(b"447700900002"),
                }),
                DestAddress::DistributionList(Bytes::from_static(b"friends")),
                DestAddress::Sme(SmeAddress {
                    dest_addr_ton: 1,
                    dest_addr_npi: 1,
                    destination_addr: Bytes::from_static(b"447700900003"),
                }),
            ],
            tail: SmTail {
                registered_delivery: 1,
                short_message: Bytes::from_static(b"to many"),
                ..Default::default()
            },
            ..Default::default()
        }),
    );
    multi.tlvs.push(Tlv::u16(tag::SAR_MSG_REF_NUM, 7));
    c.send(&multi);
    let r = c.expect(CommandId::SubmitMultiResp, &mut receipts);
    assert_eq!(r.command_status, CommandStatus::ESME_ROK);
    match &r.body {
        Body::SubmitMultiResp(Some(m)) => assert!(m.unsuccess_sme.is_empty()),
        b => panic!("{b:?}"),
    }
    let id_multi = message_id(&r);

    let data = Pdu::new(
        6,
        Body::DataSm(DataSm {
            source_addr_ton: 1,
            source_addr_npi: 1,
            source_addr: Bytes::from_static(b"4477009000"),
            dest_addr_ton: 1,
            dest_addr_npi: 1,
            destination_addr: Bytes::from_static(b"447700900004"),
            registered_delivery: 1,
            ..Default::default()
        }),
    );
    c.send(&data);
    let r = c.expect(CommandId::DataSmResp, &mut receipts);
    assert_eq!(r.command_status, CommandStatus::ESME_ROK);
    let id_data = message_id(&r);

    // sm_length 16 but 5 octets follow: ESME_RINVMSGLEN (v3.4 5.1.3).
    let mut bad = submit(7, "447700900005").to_vec();
    let at = bad.len() - 6;
    bad[at] = 16;
    c.send_raw(&bad);
    let r = c.expect(CommandId::SubmitSmResp, &mut receipts);
    assert_eq!(r.command_status, CommandStatus::ESME_RINVMSGLEN);

    // A known request the simulator does not serve, and an unknown command.
    let mut q = Vec::new();
    smsedge_codecs::smpp::header::put_header_only(&mut q, 0x0000_0110, 0, 8);
    c.send_raw(&q);
    let r = c.expect(CommandId::GenericNack, &mut receipts);
    assert_eq!(
        (r.command_status, r.sequence_number),
        (CommandStatus::ESME_RINVCMDID, 8)
    );
    c.send(&Pdu::new(9, Body::EnquireLink));
    assert_eq!(
        c.expect(CommandId::EnquireLinkResp, &mut receipts)
            .sequence_number,
        9
    );

    // Idle: the simulator asks whether we are alive.
    let el = c.expect(CommandId::EnquireLink, &mut receipts);
    c.send(&Pdu::new(el.sequence_number, Body::EnquireLinkResp));

    // Receipts for: the submit_sm, two SMEs of submit_multi, the data_sm.
    while receipts.len() < 4 {
        let p = c.recv().expect("receipts");
        assert_eq!(p.command_id(), CommandId::DeliverSm, "{p:?}");
        c.send(&Pdu::new(
            p.sequence_number,
            Body::DeliverSmResp(Some(Default::default())),
        ));
        receipts.push(p);
    }
    let mut ids: Vec<Vec<u8>> = receipts.iter().map(receipt_id).collect();
    ids.sort();
    let mut want = vec![id1, id_multi.clone(), id_multi, id_data];
    want.sort();
    assert_eq!(ids, want);
    for p in &receipts {
        let Body::DeliverSm(d) = &p.body else {
            panic!()
        };
        assert_eq!(d.esm_class, 0x04);
        // The receipt comes from the recipient back to the sender.
        assert!(d.source_addr.starts_with(b"4477009000"));
        assert_eq!(p.tlv(tag::MESSAGE_STATE).unwrap().as_u8(), Some(2));
    }

    c.send(&Pdu::new(10, Body::Unbind));
    c.expect(CommandId::UnbindResp, &mut receipts);
    assert!(c.recv().is_none(), "the simulator closes after unbind_resp");

    std::thread::sleep(Duration::from_millis(200));
    let st = sim.stop();
    assert_eq!(st.binds, 1);
    assert_eq!(st.submit_sm, 3);
    assert_eq!((st.submit_multi, st.data_sm), (1, 1));
    assert_eq!(st.receipts_sent, 4);
    assert_eq!(st.deliver_sm_resp, 4);
    assert_eq!(st.enquire_link, 1);
    assert!(st.enquire_link_resp >= 1);
    assert_eq!(st.generic_nack_sent, 1);
    assert_eq!(st.unbinds, 1);
    assert_eq!(st.responses_by_status.get("0x00000000"), Some(&3));
    assert_eq!(st.responses_by_status.get("0x00000004"), Some(&1));
    assert_eq!(st.responses_by_status.get("0x00000001"), Some(&1));
}

#[test]
fn refuses_unknown_credentials() {
    let sim = Smsc::start(SmscOptions {
        listen: "127.0.0.1:0".into(),
        quiet: true,
        system_id: vec!["a".into(), "b".into()],
        password: vec!["pa".into(), "pb".into()],
        ..Default::default()
    })
    .unwrap();
    let mut receipts = Vec::new();
    for (id, pw, want) in [
        ("c", "pa", CommandStatus::ESME_RINVSYSID),
        ("a", "pb", CommandStatus::ESME_RINVPASWD),
        ("b", "pb", CommandStatus::ESME_ROK),
    ] {
        let mut c = Client::connect(sim.local_addr());
        c.send(&Pdu::new(
            1,
            Body::BindTransmitter(Bind {
                system_id: Bytes::copy_from_slice(id.as_bytes()),
                password: Bytes::copy_from_slice(pw.as_bytes()),
                interface_version: 0x34,
                ..Default::default()
            }),
        ));
        let r = c.expect(CommandId::BindTransmitterResp, &mut receipts);
        assert_eq!(r.command_status, want, "{id}/{pw}");
    }
    std::thread::sleep(Duration::from_millis(200));
    let st = sim.stop();
    assert_eq!((st.binds, st.binds_refused), (1, 2));
}
