//! Transfer messages: DATA (RFC 4666 3.3.1), and the zero-copy [`DataView`] the router reads on
//! every message.
//!
//! ```text
//! |    Tag = 0x0200 (Network Appearance, optional)  |   Length = 8  |
//! |    Tag = 0x0006 (Routing Context, conditional)  |   Length = 8  |
//! |    Tag = 0x0210 (Protocol Data)                 |   Length      |
//! |    Tag = 0x0013 (Correlation Id, optional)      |   Length = 8  |
//! ```

use super::header::{class, Header, MessageType, HEADER_LEN};
use super::message::Message;
use super::params::{tag, Parameter, ProtocolData};
use crate::error::{Error, Reason, Result};
use crate::reader::Reader;

impl Message {
    /// DATA with an optional Routing Context (one value) and the Protocol Data.
    pub fn data(routing_context: Option<u32>, pd: ProtocolData) -> Self {
        let mut params = Vec::with_capacity(2);
        if let Some(rc) = routing_context {
            params.push(Parameter::RoutingContext(vec![rc]));
        }
        params.push(Parameter::ProtocolData(pd));
        Message::new(MessageType::Data, params)
    }
}

/// The fields of a DATA message the router needs, read in place without allocating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataView<'a> {
    /// Network Appearance, if present.
    pub network_appearance: Option<u32>,
    /// The first Routing Context value, if present.
    pub routing_context: Option<u32>,
    /// Correlation Id, if present.
    pub correlation_id: Option<u32>,
    /// Originating Point Code.
    pub opc: u32,
    /// Destination Point Code.
    pub dpc: u32,
    /// Service Indicator.
    pub si: u8,
    /// Network Indicator.
    pub ni: u8,
    /// Message Priority.
    pub mp: u8,
    /// Signalling Link Selection.
    pub sls: u8,
    /// The MTP3-User message (SCCP when `si` is 3).
    pub user_data: &'a [u8],
    /// Offset of `user_data` within the message.
    pub user_data_offset: usize,
}

impl<'a> DataView<'a> {
    /// Checks the header and every parameter length of the DATA message that is all of `msg`,
    /// and returns its routing fields. No allocation.
    pub fn parse(msg: &'a [u8]) -> Result<Self> {
        let h = Header::new_checked(msg)?;
        if h.message_class() != class::TRANSFER || h.message_type() != 1 {
            return Err(Error::new("m3ua.message_type", 2, Reason::BadValue));
        }
        let mut r = Reader::with_base(&msg[HEADER_LEN..], HEADER_LEN);
        let mut v = DataView {
            network_appearance: None,
            routing_context: None,
            correlation_id: None,
            opc: 0,
            dpc: 0,
            si: 0,
            ni: 0,
            mp: 0,
            sls: 0,
            user_data: &[],
            user_data_offset: 0,
        };
        let mut have_pd = false;
        while !r.is_empty() {
            let start = r.offset();
            let t = r.u16("m3ua.parameter_tag")?;
            let len = usize::from(r.u16("m3ua.parameter_length")?);
            if len < 4 {
                return Err(Error::new(
                    "m3ua.parameter_length",
                    start + 2,
                    Reason::BadValue,
                ));
            }
            let mut val = r
                .sub(len - 4, "m3ua.parameter_length")
                .map_err(|e| Error::new(e.field, start + 2, Reason::BadLength))?;
            match t {
                tag::NETWORK_APPEARANCE => {
                    v.network_appearance = Some(val.u32("m3ua.network_appearance")?)
                }
                tag::ROUTING_CONTEXT => v.routing_context = Some(val.u32("m3ua.routing_context")?),
                tag::CORRELATION_ID => v.correlation_id = Some(val.u32("m3ua.correlation_id")?),
                tag::PROTOCOL_DATA => {
                    v.opc = val.u32("m3ua.protocol_data.opc")?;
                    v.dpc = val.u32("m3ua.protocol_data.dpc")?;
                    v.si = val.u8("m3ua.protocol_data.si")?;
                    v.ni = val.u8("m3ua.protocol_data.ni")?;
                    v.mp = val.u8("m3ua.protocol_data.mp")?;
                    v.sls = val.u8("m3ua.protocol_data.sls")?;
                    v.user_data_offset = val.offset();
                    v.user_data = val.rest();
                    have_pd = true;
                }
                _ => {}
            }
            let pad = ((4 - len % 4) % 4).min(r.remaining());
            r.take(pad, "m3ua.padding")?;
        }
        if !have_pd {
            return Err(Error::new(
                "m3ua.protocol_data",
                msg.len(),
                Reason::BadValue,
            ));
        }
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hex;

    // DATA with Routing Context 1, OPC 1, DPC 2, SI 3, NI 2, MP 0, SLS 5 and 3 octets of data
    // (built by hand from RFC 4666 3.3.1).
    const DATA: &str =
        "01000101 00000024 0006 0008 00000001 0210 0013 00000001 00000002 03020005 aabbcc 00";

    #[test]
    fn parses_data_view() {
        let b = hex::decode(DATA).unwrap();
        let v = DataView::parse(&b).unwrap();
        assert_eq!(
            (v.routing_context, v.opc, v.dpc, v.si, v.ni, v.mp, v.sls),
            (Some(1), 1, 2, 3, 2, 0, 5)
        );
        assert_eq!(v.user_data, [0xaa, 0xbb, 0xcc]);
        assert_eq!(v.user_data_offset, 32);
    }

    #[test]
    fn emits_data() {
        let pd = ProtocolData {
            opc: 1,
            dpc: 2,
            si: 3,
            ni: 2,
            mp: 0,
            sls: 5,
            user_data: vec![0xaa, 0xbb, 0xcc],
        };
        let m = Message::data(Some(1), pd);
        assert_eq!(
            hex::encode(&m.encode()),
            hex::encode(&hex::decode(DATA).unwrap())
        );
        assert_eq!(Message::decode(&m.encode()).unwrap(), m);
    }

    #[test]
    fn rejects_data_without_protocol_data() {
        let b = hex::decode("01000101 00000010 0006 0008 00000001").unwrap();
        assert_eq!(DataView::parse(&b).unwrap_err().field, "m3ua.protocol_data");
        assert_eq!(Message::decode(&b).unwrap_err().field, "m3ua.protocol_data");
        let b = hex::decode("01000301 00000008").unwrap();
        assert_eq!(DataView::parse(&b).unwrap_err().field, "m3ua.message_type");
    }

    proptest::proptest! {
        /// Random bytes never panic; when the full decoder accepts a DATA message, the view
        /// agrees with it.
        #[test]
        fn random_bytes_never_panic_and_agree_with_decode(mut v in proptest::collection::vec(proptest::prelude::any::<u8>(), 8..80)) {
            let n = v.len() as u32;
            v[..8].copy_from_slice(&[1, 0, 1, 1]
                .iter()
                .copied()
                .chain(n.to_be_bytes())
                .collect::<Vec<u8>>());
            let view = DataView::parse(&v);
            if let Ok(m) = Message::decode(&v) {
                let pd = m.protocol_data().unwrap();
                let view = view.unwrap();
                proptest::prop_assert_eq!((view.opc, view.dpc, view.sls, view.user_data), (pd.opc, pd.dpc, pd.sls, &pd.user_data[..]));
            }
        }
    }
}
