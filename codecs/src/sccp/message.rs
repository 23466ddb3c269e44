//! The connectionless SCCP messages (ITU-T Q.713 sections 4.10-4.21): UDT, UDTS, XUDT, XUDTS,
//! LUDT and LUDTS, with their optional parameters (segmentation 3.17, importance 3.19).
//!
//! ```text
//! UDT   type | class       |           ptr called | ptr calling | ptr data
//! UDTS  type | return cause|           ptr called | ptr calling | ptr data
//! XUDT  type | class       | hop count | ptr x3 (1 octet)       | ptr optional
//! XUDTS type | return cause| hop count | ptr x3 (1 octet)       | ptr optional
//! LUDT  type | class       | hop count | ptr x3 (2 octets, LE)  | ptr optional
//! LUDTS type | return cause| hop count | ptr x3 (2 octets, LE)  | ptr optional
//! then: called (len, addr) | calling (len, addr) | data (len, octets; LUDT/LUDTS: 2-octet len)
//!       [optional part: (name, len, value)* 0x00]
//! ```
//!
//! Q.713 2.3: a pointer gives the number of octets from the pointer itself (for the 2-octet
//! pointers of LUDT/LUDTS: from its most significant octet, the second) to the first octet of
//! the parameter; a pointer to an absent optional part is 0. The decoder accepts the canonical
//! layout, where the parameters follow the pointers in order without gaps (what every
//! implementation sends); any other layout is refused with the pointer named, so a message is
//! never re-emitted differently from how it came.

use super::address::PartyAddress;
use crate::error::{Error, Reason, Result};
use crate::reader::Reader;

/// SCCP message types (Q.713 table 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageType {
    /// Unitdata (0x09).
    Udt,
    /// Unitdata service (0x0A).
    Udts,
    /// Extended unitdata (0x11).
    Xudt,
    /// Extended unitdata service (0x12).
    Xudts,
    /// Long unitdata (0x13).
    Ludt,
    /// Long unitdata service (0x14).
    Ludts,
}

impl MessageType {
    /// The message type code.
    pub const fn code(self) -> u8 {
        match self {
            MessageType::Udt => 0x09,
            MessageType::Udts => 0x0a,
            MessageType::Xudt => 0x11,
            MessageType::Xudts => 0x12,
            MessageType::Ludt => 0x13,
            MessageType::Ludts => 0x14,
        }
    }

    /// The message for a type code, if connectionless.
    pub const fn from_code(c: u8) -> Option<Self> {
        Some(match c {
            0x09 => MessageType::Udt,
            0x0a => MessageType::Udts,
            0x11 => MessageType::Xudt,
            0x12 => MessageType::Xudts,
            0x13 => MessageType::Ludt,
            0x14 => MessageType::Ludts,
            _ => return None,
        })
    }

    /// The Q.713 abbreviation.
    pub const fn name(self) -> &'static str {
        match self {
            MessageType::Udt => "UDT",
            MessageType::Udts => "UDTS",
            MessageType::Xudt => "XUDT",
            MessageType::Xudts => "XUDTS",
            MessageType::Ludt => "LUDT",
            MessageType::Ludts => "LUDTS",
        }
    }

    /// The message for an abbreviation.
    pub fn from_name(s: &str) -> Option<Self> {
        [
            Self::Udt,
            Self::Udts,
            Self::Xudt,
            Self::Xudts,
            Self::Ludt,
            Self::Ludts,
        ]
        .into_iter()
        .find(|m| m.name() == s)
    }

    /// True for the service messages (UDTS, XUDTS, LUDTS), which carry a return cause instead
    /// of a protocol class.
    pub const fn is_service(self) -> bool {
        matches!(
            self,
            MessageType::Udts | MessageType::Xudts | MessageType::Ludts
        )
    }

    /// True for the messages with a hop counter and an optional part (all but UDT and UDTS).
    pub const fn is_extended(self) -> bool {
        !matches!(self, MessageType::Udt | MessageType::Udts)
    }

    /// True for LUDT and LUDTS (2-octet pointers and data length).
    pub const fn is_long(self) -> bool {
        matches!(self, MessageType::Ludt | MessageType::Ludts)
    }
}

/// Optional parameter names (Q.713 table 2).
pub mod param {
    /// End of optional parameters.
    pub const END_OF_OPTIONAL_PARAMETERS: u8 = 0x00;
    /// Segmentation.
    pub const SEGMENTATION: u8 = 0x10;
    /// Importance.
    pub const IMPORTANCE: u8 = 0x12;
}

/// The segmentation parameter (Q.713 3.17).
///
/// ```text
/// octet 1: F (bit 8) | C (bit 7) | spare (bits 6-5) | remaining segments (bits 4-1)
/// octets 2-4: segmentation local reference
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Segmentation {
    /// F: this is the first segment.
    pub first: bool,
    /// C: the protocol class of the original message was 1 (in-sequence delivery).
    pub class1: bool,
    /// The two spare bits (kept so the parameter passes through unchanged).
    pub spare: u8,
    /// Number of segments still to come (0-15).
    pub remaining: u8,
    /// Segmentation local reference.
    pub local_reference: [u8; 3],
}

impl Segmentation {
    fn to_bytes(self) -> [u8; 4] {
        let o = (u8::from(self.first) << 7)
            | (u8::from(self.class1) << 6)
            | ((self.spare & 3) << 4)
            | (self.remaining & 0x0f);
        [
            o,
            self.local_reference[0],
            self.local_reference[1],
            self.local_reference[2],
        ]
    }

    fn from_bytes(b: [u8; 4]) -> Self {
        Segmentation {
            first: b[0] & 0x80 != 0,
            class1: b[0] & 0x40 != 0,
            spare: (b[0] >> 4) & 3,
            remaining: b[0] & 0x0f,
            local_reference: [b[1], b[2], b[3]],
        }
    }
}

/// One parameter of the optional part.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum OptionalParam {
    /// Segmentation (0x10, 4 octets).
    Segmentation(Segmentation),
    /// Importance (0x12, 1 octet; bits 1-3 the importance, the rest spare).
    Importance(u8),
    /// Any other parameter, or a known one whose length is not the specified one.
    Other {
        /// Parameter name.
        code: u8,
        /// Parameter value.
        value: Vec<u8>,
    },
}

impl OptionalParam {
    fn code(&self) -> u8 {
        match self {
            OptionalParam::Segmentation(_) => param::SEGMENTATION,
            OptionalParam::Importance(_) => param::IMPORTANCE,
            OptionalParam::Other { code, .. } => *code,
        }
    }

    fn value(&self) -> Vec<u8> {
        match self {
            OptionalParam::Segmentation(s) => s.to_bytes().to_vec(),
            OptionalParam::Importance(i) => vec![*i],
            OptionalParam::Other { value, .. } => value.clone(),
        }
    }
}

/// Return cause values of UDTS/XUDTS/LUDTS (Q.713 3.12).
pub mod return_cause {
    /// No translation for an address of such nature.
    pub const NO_TRANSLATION_FOR_NATURE: u8 = 0x00;
    /// No translation for this specific address.
    pub const NO_TRANSLATION_FOR_ADDRESS: u8 = 0x01;
    /// Subsystem congestion.
    pub const SUBSYSTEM_CONGESTION: u8 = 0x02;
    /// Subsystem failure.
    pub const SUBSYSTEM_FAILURE: u8 = 0x03;
    /// Unequipped user.
    pub const UNEQUIPPED_USER: u8 = 0x04;
    /// MTP failure.
    pub const MTP_FAILURE: u8 = 0x05;
    /// Network congestion.
    pub const NETWORK_CONGESTION: u8 = 0x06;
    /// Unqualified.
    pub const UNQUALIFIED: u8 = 0x07;
    /// Error in message transport.
    pub const ERROR_IN_MESSAGE_TRANSPORT: u8 = 0x08;
    /// Error in local processing.
    pub const ERROR_IN_LOCAL_PROCESSING: u8 = 0x09;
    /// Destination cannot perform reassembly.
    pub const DESTINATION_CANNOT_REASSEMBLE: u8 = 0x0a;
    /// SCCP failure.
    pub const SCCP_FAILURE: u8 = 0x0b;
    /// Hop counter violation.
    pub const HOP_COUNTER_VIOLATION: u8 = 0x0c;
    /// Segmentation not supported.
    pub const SEGMENTATION_NOT_SUPPORTED: u8 = 0x0d;
    /// Segmentation failure.
    pub const SEGMENTATION_FAILURE: u8 = 0x0e;
}

/// Protocol class octet for class 0 with "return message on error" (Q.713 3.6: bits 5-8 = 1000).
pub const CLASS0_RETURN_ON_ERROR: u8 = 0x80;

/// A connectionless SCCP message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Message {
    /// UDT, UDTS, XUDT, XUDTS, LUDT or LUDTS.
    pub message_type: MessageType,
    /// The protocol class octet of UDT/XUDT/LUDT (Q.713 3.6: class in bits 1-4, message
    /// handling in bits 5-8); 0 and unused in service messages.
    pub protocol_class: u8,
    /// The return cause of UDTS/XUDTS/LUDTS (Q.713 3.12); 0 and unused otherwise.
    pub return_cause: u8,
    /// Hop counter (Q.713 3.18) of the extended and long messages; `None` for UDT and UDTS.
    pub hop_counter: Option<u8>,
    /// Called party address.
    pub called: PartyAddress,
    /// Calling party address.
    pub calling: PartyAddress,
    /// Data (the TCAP message, or SCCP management).
    pub data: Vec<u8>,
    /// The optional part of XUDT/XUDTS/LUDT/LUDTS in wire order; `None` when the optional part
    /// pointer is 0.
    pub optional: Option<Vec<OptionalParam>>,
}

impl Message {
    /// A UDT of protocol class 0 with "return message on error" (what MAP sends).
    pub fn udt(called: PartyAddress, calling: PartyAddress, data: Vec<u8>) -> Self {
        Message {
            message_type: MessageType::Udt,
            protocol_class: CLASS0_RETURN_ON_ERROR,
            return_cause: 0,
            hop_counter: None,
            called,
            calling,
            data,
            optional: None,
        }
    }

    /// An XUDT with the given protocol class octet and hop counter, no optional part.
    pub fn xudt(
        called: PartyAddress,
        calling: PartyAddress,
        protocol_class: u8,
        hop_counter: u8,
        data: Vec<u8>,
    ) -> Self {
        Message {
            message_type: MessageType::Xudt,
            protocol_class,
            return_cause: 0,
            hop_counter: Some(hop_counter),
            called,
            calling,
            data,
            optional: None,
        }
    }

    /// The service message returning `self` (a UDT/XUDT/LUDT) with `cause`: the addresses are
    /// swapped and the data is returned (Q.714 4.2).
    pub fn service_for(&self, cause: u8) -> Self {
        let message_type = match self.message_type {
            MessageType::Udt | MessageType::Udts => MessageType::Udts,
            MessageType::Xudt | MessageType::Xudts => MessageType::Xudts,
            MessageType::Ludt | MessageType::Ludts => MessageType::Ludts,
        };
        Message {
            message_type,
            protocol_class: 0,
            return_cause: cause,
            hop_counter: self.hop_counter,
            called: self.calling.clone(),
            calling: self.called.clone(),
            data: self.data.clone(),
            optional: self.optional.clone(),
        }
    }

    /// The segmentation parameter, if present.
    pub fn segmentation(&self) -> Option<Segmentation> {
        self.optional.as_ref()?.iter().find_map(|p| match p {
            OptionalParam::Segmentation(s) => Some(*s),
            _ => None,
        })
    }

    /// The importance parameter, if present.
    pub fn importance(&self) -> Option<u8> {
        self.optional.as_ref()?.iter().find_map(|p| match p {
            OptionalParam::Importance(i) => Some(*i),
            _ => None,
        })
    }

    /// The data parameter of the message in `buf`, found through its pointer without decoding
    /// the rest and without allocating (the router's way to the TCAP transaction ids). Only the
    /// message type, the data pointer and the data length are checked.
    pub fn data_of(buf: &[u8]) -> Result<&[u8]> {
        let mut r = Reader::new(buf);
        let code = r.u8("sccp.message_type")?;
        let t = MessageType::from_code(code).ok_or(Error::new(
            "sccp.message_type",
            0,
            Reason::Unsupported,
        ))?;
        let long = t.is_long();
        // type, class/cause, [hop counter], then the pointers; the data pointer is the third.
        let ptr_at = 2 + usize::from(t.is_extended()) + 2 * if long { 2 } else { 1 };
        let mut p = Reader::new(buf);
        p.take(ptr_at, "sccp.pointer_to_data")?;
        let v = if long {
            usize::from(u16::from_le_bytes([
                p.u8("sccp.pointer_to_data")?,
                p.u8("sccp.pointer_to_data")?,
            ]))
        } else {
            usize::from(p.u8("sccp.pointer_to_data")?)
        };
        let data_at = ptr_at + v + usize::from(long);
        let mut d = Reader::new(buf);
        d.take(data_at, "sccp.pointer_to_data").map_err(|e| Error {
            reason: Reason::BadValue,
            ..e
        })?;
        let len = if long {
            usize::from(u16::from_le_bytes([
                d.u8("sccp.long_data")?,
                d.u8("sccp.long_data")?,
            ]))
        } else {
            usize::from(d.u8("sccp.data")?)
        };
        d.take(len, if long { "sccp.long_data" } else { "sccp.data" })
    }

    /// Decodes one message that is all of `buf`.
    pub fn decode(buf: &[u8]) -> Result<Self> {
        let mut r = Reader::new(buf);
        let code = r.u8("sccp.message_type")?;
        let message_type = MessageType::from_code(code).ok_or(Error::new(
            "sccp.message_type",
            0,
            Reason::Unsupported,
        ))?;
        let (mut protocol_class, mut return_cause) = (0, 0);
        if message_type.is_service() {
            return_cause = r.u8("sccp.return_cause")?;
        } else {
            let at = r.offset();
            protocol_class = r.u8("sccp.protocol_class")?;
            // Q.713 4.10: UDT/XUDT/LUDT are protocol class 0 or 1.
            if protocol_class & 0x0f > 1 {
                return Err(Error::new("sccp.protocol_class", at, Reason::BadValue));
            }
        }
        let hop_counter = if message_type.is_extended() {
            let at = r.offset();
            let h = r.u8("sccp.hop_counter")?;
            // Q.713 3.18: the hop counter takes values 1 to 15.
            if h == 0 || h > 15 {
                return Err(Error::new("sccp.hop_counter", at, Reason::BadValue));
            }
            Some(h)
        } else {
            None
        };
        let long = message_type.is_long();
        let n = if message_type.is_extended() { 4 } else { 3 };
        let mut targets = [0usize; 4];
        let mut ptr_at = [0usize; 4];
        for i in 0..n {
            ptr_at[i] = r.offset();
            let v = if long {
                usize::from(u16::from_le_bytes([
                    r.u8("sccp.pointer")?,
                    r.u8("sccp.pointer")?,
                ]))
            } else {
                usize::from(r.u8("sccp.pointer")?)
            };
            // Q.713 2.3: the pointer counts from itself (the MSB octet of a 2-octet pointer).
            targets[i] = if v == 0 {
                0
            } else {
                ptr_at[i] + v + usize::from(long)
            };
        }
        const NAMES: [&str; 4] = [
            "sccp.pointer_to_called_party_address",
            "sccp.pointer_to_calling_party_address",
            "sccp.pointer_to_data",
            "sccp.pointer_to_optional_part",
        ];
        let at_target = |r: &Reader<'_>, i: usize| -> Result<()> {
            if targets[i] != r.offset() {
                let reason = if targets[i] == 0 || targets[i] > buf.len() {
                    Reason::BadValue
                } else {
                    Reason::Unsupported
                };
                return Err(Error::new(NAMES[i], ptr_at[i], reason));
            }
            Ok(())
        };
        at_target(&r, 0)?;
        let called = address(&mut r, "sccp.called_party_address")?;
        at_target(&r, 1)?;
        let calling = address(&mut r, "sccp.calling_party_address")?;
        at_target(&r, 2)?;
        let len = if long {
            usize::from(u16::from_le_bytes([
                r.u8("sccp.long_data")?,
                r.u8("sccp.long_data")?,
            ]))
        } else {
            usize::from(r.u8("sccp.data")?)
        };
        let data = r
            .take(len, if long { "sccp.long_data" } else { "sccp.data" })?
            .to_vec();
        let optional = if n == 4 && targets[3] != 0 {
            at_target(&r, 3)?;
            let mut list = Vec::new();
            loop {
                let name = r.u8("sccp.optional_part")?;
                if name == param::END_OF_OPTIONAL_PARAMETERS {
                    break;
                }
                let l = usize::from(r.u8("sccp.optional_part")?);
                let v = r.take(l, "sccp.optional_part")?;
                list.push(match (name, v) {
                    (param::SEGMENTATION, &[a, b, c, d]) => {
                        OptionalParam::Segmentation(Segmentation::from_bytes([a, b, c, d]))
                    }
                    (param::IMPORTANCE, &[i]) => OptionalParam::Importance(i),
                    _ => OptionalParam::Other {
                        code: name,
                        value: v.to_vec(),
                    },
                });
            }
            Some(list)
        } else {
            None
        };
        r.expect_end("sccp")?;
        Ok(Message {
            message_type,
            protocol_class,
            return_cause,
            hop_counter,
            called,
            calling,
            data,
            optional,
        })
    }

    /// Octets of the encoded message.
    pub fn encoded_len(&self) -> usize {
        let t = self.message_type;
        let ptr = if t.is_long() { 2 } else { 1 };
        let n = if t.is_extended() { 4 } else { 3 };
        let opt = self.optional.as_ref().map_or(0, |l| {
            1 + l.iter().map(|p| 2 + p.value().len()).sum::<usize>()
        });
        2 + usize::from(t.is_extended())
            + n * ptr
            + 1
            + self.called.encoded_len()
            + 1
            + self.calling.encoded_len()
            + ptr
            + self.data.len()
            + opt
    }

    /// Appends the encoded message. Fails when a length does not fit its field: an address over
    /// 255 octets, data over 255 octets (65535 for LUDT/LUDTS), or an optional parameter over 255.
    pub fn encode_into(&self, out: &mut Vec<u8>) -> Result<()> {
        let t = self.message_type;
        let long = t.is_long();
        let start = out.len();
        out.push(t.code());
        out.push(if t.is_service() {
            self.return_cause
        } else {
            self.protocol_class
        });
        if t.is_extended() {
            out.push(self.hop_counter.unwrap_or(15));
        }
        let n = if t.is_extended() { 4 } else { 3 };
        let ptr_size = if long { 2 } else { 1 };
        let ptrs_at = out.len();
        out.resize(out.len() + n * ptr_size, 0);
        let mut targets = [0usize; 4];

        targets[0] = out.len();
        put_len8(out, self.called.encoded_len(), "sccp.called_party_address")?;
        self.called.encode_into(out);
        targets[1] = out.len();
        put_len8(
            out,
            self.calling.encoded_len(),
            "sccp.calling_party_address",
        )?;
        self.calling.encode_into(out);
        targets[2] = out.len();
        if long {
            let l = u16::try_from(self.data.len())
                .map_err(|_| Error::new("sccp.long_data", 0, Reason::TooLong))?;
            out.extend_from_slice(&l.to_le_bytes());
        } else {
            put_len8(out, self.data.len(), "sccp.data")?;
        }
        out.extend_from_slice(&self.data);
        if let (4, Some(list)) = (n, &self.optional) {
            targets[3] = out.len();
            for p in list {
                out.push(p.code());
                let v = p.value();
                put_len8(out, v.len(), "sccp.optional_part")?;
                out.extend_from_slice(&v);
            }
            out.push(param::END_OF_OPTIONAL_PARAMETERS);
        }
        for (i, &target) in targets.iter().enumerate().take(n) {
            let at = ptrs_at + i * ptr_size;
            if target == 0 {
                continue;
            }
            let v = target - at - usize::from(long);
            if long {
                let v = u16::try_from(v)
                    .map_err(|_| Error::new("sccp.pointer", at - start, Reason::TooLong))?;
                out[at..at + 2].copy_from_slice(&v.to_le_bytes());
            } else {
                out[at] = u8::try_from(v)
                    .map_err(|_| Error::new("sccp.pointer", at - start, Reason::TooLong))?;
            }
        }
        Ok(())
    }

    /// The encoded message.
    pub fn encode(&self) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(self.encoded_len());
        self.encode_into(&mut out)?;
        Ok(out)
    }
}

fn put_len8(out: &mut Vec<u8>, len: usize, field: &'static str) -> Result<()> {
    out.push(u8::try_from(len).map_err(|_| Error::new(field, 0, Reason::TooLong))?);
    Ok(())
}

fn address(r: &mut Reader<'_>, field: &'static str) -> Result<PartyAddress> {
    let len = usize::from(r.u8(field)?);
    let mut a = r.sub(len, field)?;
    PartyAddress::decode(&mut a, field)
}

#[cfg(test)]
mod tests {
    use super::super::address::GlobalTitle;
    use super::*;
    use crate::hex;
    use proptest::prelude::*;

    // The SCCP UDT of shared/oracles/gen_samples.py (m3ua_sri_for_sm_v3), built by hand there.
    const UDT: &str = "0980030e190b12060012044477000950550b12080012044477000900004962474804000000036b1e281c060700118605010101a011600f80020780a1090607040000010014036c1fa11d02010102012d30158007914477000910328101ff820791447700090000";

    #[test]
    fn parses_udt() {
        let b = hex::decode(UDT).unwrap();
        let m = Message::decode(&b).unwrap();
        assert_eq!(
            (m.message_type, m.protocol_class, m.hop_counter),
            (MessageType::Udt, 0x80, None)
        );
        assert_eq!(
            m.called,
            PartyAddress::gt(6, GlobalTitle::e164("447700900555").unwrap())
        );
        assert_eq!(
            m.calling.gt.as_ref().unwrap().digits().unwrap(),
            "447700900000"
        );
        assert_eq!(m.data.len(), 0x49);
        assert_eq!(m.data[0], 0x62);
        assert_eq!(Message::data_of(&b).unwrap(), &m.data[..]);
        assert_eq!(m.encode().unwrap(), b);
    }

    #[test]
    fn emits_xudt_with_optional_part_and_ludt() {
        let called = PartyAddress::gt(8, GlobalTitle::e164("447700900001").unwrap());
        let calling = PartyAddress::pc_ssn(0x0102, 8);
        let mut m = Message::xudt(called.clone(), calling.clone(), 0x81, 15, vec![1, 2, 3]);
        m.optional = Some(vec![
            OptionalParam::Segmentation(Segmentation {
                first: true,
                class1: true,
                spare: 0,
                remaining: 2,
                local_reference: [1, 2, 3],
            }),
            OptionalParam::Importance(4),
        ]);
        let b = m.encode().unwrap();
        // type, class, hops, pointers 4/0x0f/0x13/0x16 (called 11+1, calling 4+1, data 3+1).
        assert_eq!(hex::encode(&b[..7]), "11810f040f1316");
        assert_eq!(hex::encode(&b[b.len() - 10..]), "1004c201020312010400");
        assert_eq!(Message::decode(&b).unwrap(), m);
        assert_eq!(Message::data_of(&b).unwrap(), &m.data[..]);
        assert_eq!(b.len(), m.encoded_len());

        let mut l = m.clone();
        l.message_type = MessageType::Ludt;
        l.data = vec![0xab; 300];
        let b = l.encode().unwrap();
        // 2-octet pointers counted from their MSB octet: called at offset 11, pointer at 3..5.
        assert_eq!(&b[3..5], &[7, 0]);
        assert_eq!(Message::decode(&b).unwrap(), l);
        assert_eq!(Message::data_of(&b).unwrap(), &l.data[..]);
        let s = l.service_for(return_cause::SUBSYSTEM_FAILURE);
        assert_eq!(
            (s.message_type, s.called.clone()),
            (MessageType::Ludts, calling)
        );
        assert_eq!(Message::decode(&s.encode().unwrap()).unwrap(), s);
    }

    #[test]
    fn rejects_bad_pointers_class_and_hops() {
        let mut b = hex::decode(UDT).unwrap();
        b[2] = 4; // called party pointer one octet too far: a gap.
        let e = Message::decode(&b).unwrap_err();
        assert_eq!(
            (e.field, e.offset, e.reason),
            (
                "sccp.pointer_to_called_party_address",
                2,
                Reason::Unsupported
            )
        );
        b[2] = 0;
        assert_eq!(Message::decode(&b).unwrap_err().reason, Reason::BadValue);
        let mut b = hex::decode(UDT).unwrap();
        b[1] = 0x82;
        assert_eq!(
            Message::decode(&b).unwrap_err().field,
            "sccp.protocol_class"
        );
        let mut b = hex::decode(UDT).unwrap();
        b.push(0);
        assert_eq!(
            Message::decode(&b).unwrap_err().reason,
            Reason::TrailingBytes
        );
        let b = hex::decode("110100040506").unwrap();
        assert_eq!(Message::decode(&b).unwrap_err().field, "sccp.hop_counter");
        let b = hex::decode("01").unwrap();
        assert_eq!(Message::decode(&b).unwrap_err().reason, Reason::Unsupported);
        let mut long = Message::udt(
            PartyAddress::pc_ssn(1, 8),
            PartyAddress::pc_ssn(2, 8),
            vec![0; 256],
        );
        assert_eq!(long.encode().unwrap_err().field, "sccp.data");
        long.data.truncate(255);
        assert!(long.encode().is_ok());
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic_and_round_trip(v in proptest::collection::vec(any::<u8>(), 0..120)) {
            if let Ok(m) = Message::decode(&v) {
                prop_assert_eq!(m.encode().unwrap(), v.clone());
                prop_assert_eq!(Message::data_of(&v).unwrap(), &m.data[..]);
            }
            let _ = Message::data_of(&v);
        }

        #[test]
        fn mutated_udt_never_panics_and_round_trips(i in 0usize..100, x in any::<u8>()) {
            let mut b = hex::decode(UDT).unwrap();
            let i = i % b.len();
            b[i] = x;
            if let Ok(m) = Message::decode(&b) {
                prop_assert_eq!(m.encode().unwrap(), b);
            }
        }
    }
}
