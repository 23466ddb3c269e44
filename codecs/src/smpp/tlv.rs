//! Tag-Length-Value optional parameters (SMPP v3.4 section 5.3, v5.0 section 4.8).
//!
//! A TLV is kept as its tag and raw value bytes, in wire order, so that unknown and vendor TLVs
//! (India DLT 0x1400 PE_ID, 0x1401 template id, ...) are re-emitted byte for byte. Known tags have
//! a name and a length rule that [`check_len`] enforces; typed accessors read the values.

use crate::error::{Error, Reason, Result};
use crate::reader::Reader;
use bytes::Bytes;

/// One TLV: a tag and its value octets (the length is the value's length).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Tlv {
    /// Parameter tag.
    pub tag: u16,
    /// Value octets.
    pub value: Bytes,
}

impl Tlv {
    /// A TLV from a tag and value.
    pub fn new(tag: u16, value: impl Into<Bytes>) -> Self {
        Tlv {
            tag,
            value: value.into(),
        }
    }

    /// A TLV holding one octet.
    pub fn u8(tag: u16, v: u8) -> Self {
        Tlv::new(tag, Bytes::copy_from_slice(&[v]))
    }

    /// A TLV holding a big-endian 16-bit integer.
    pub fn u16(tag: u16, v: u16) -> Self {
        Tlv::new(tag, Bytes::copy_from_slice(&v.to_be_bytes()))
    }

    /// A TLV holding a C-octet string (value includes the terminating NUL, v3.4 5.3.2.12).
    pub fn c_string(tag: u16, s: &[u8]) -> Self {
        let mut v = Vec::with_capacity(s.len() + 1);
        v.extend_from_slice(s);
        v.push(0);
        Tlv::new(tag, v)
    }

    /// Octets this TLV takes on the wire.
    pub fn encoded_len(&self) -> usize {
        4 + self.value.len()
    }

    /// Appends the TLV to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.tag.to_be_bytes());
        out.extend_from_slice(&(self.value.len() as u16).to_be_bytes());
        out.extend_from_slice(&self.value);
    }

    /// The spec name of the tag, if it has one.
    pub fn name(&self) -> Option<&'static str> {
        tag_info(self.tag).map(|i| i.name)
    }

    /// The value as one octet, when it is exactly one.
    pub fn as_u8(&self) -> Option<u8> {
        match self.value.as_ref() {
            [v] => Some(*v),
            _ => None,
        }
    }

    /// The value as a big-endian 16-bit integer, when it is exactly two octets.
    pub fn as_u16(&self) -> Option<u16> {
        match self.value.as_ref() {
            [a, b] => Some(u16::from_be_bytes([*a, *b])),
            _ => None,
        }
    }

    /// The value as a C-octet string without its NUL (tolerating a missing NUL, which some
    /// SMSCs send in receipted_message_id).
    pub fn as_c_string(&self) -> &[u8] {
        let v = self.value.as_ref();
        match v.iter().position(|&b| b == 0) {
            Some(n) => &v[..n],
            None => v,
        }
    }
}

/// Name and permitted value length of a standard tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TagInfo {
    /// Tag value.
    pub tag: u16,
    /// Spec name, lower case.
    pub name: &'static str,
    /// Smallest permitted value length.
    pub min: u16,
    /// Largest permitted value length.
    pub max: u16,
}

macro_rules! tags {
    ($( $konst:ident = $tag:literal, $name:literal, $min:literal..=$max:literal; )*) => {
        /// Tag values of every standard TLV (v3.4 5.3.2, v5.0 4.8.4).
        pub mod tag {
            $( #[doc = $name] pub const $konst: u16 = $tag; )*
        }

        /// Every standard tag with its name and length rule, in tag order.
        pub const TAGS: &[TagInfo] = &[
            $( TagInfo { tag: $tag, name: $name, min: $min, max: $max }, )*
        ];

        /// The permitted value lengths of a standard tag (a `match`, so the compiler builds a
        /// jump table: this runs for every TLV of every PDU).
        #[inline]
        const fn len_rule(tag: u16) -> Option<(u16, u16)> {
            match tag {
                $( $tag => Some(($min, $max)), )*
                _ => None,
            }
        }
    };
}

tags! {
    DEST_ADDR_SUBUNIT = 0x0005, "dest_addr_subunit", 1..=1;
    DEST_NETWORK_TYPE = 0x0006, "dest_network_type", 1..=1;
    DEST_BEARER_TYPE = 0x0007, "dest_bearer_type", 1..=1;
    // v3.4 5.3.2.4 gives 2 octets; some stacks send 1.
    DEST_TELEMATICS_ID = 0x0008, "dest_telematics_id", 1..=2;
    SOURCE_ADDR_SUBUNIT = 0x000D, "source_addr_subunit", 1..=1;
    SOURCE_NETWORK_TYPE = 0x000E, "source_network_type", 1..=1;
    SOURCE_BEARER_TYPE = 0x000F, "source_bearer_type", 1..=1;
    // v3.4 5.3.2.8 gives 1 octet, v5.0 4.8.4.57 gives 2.
    SOURCE_TELEMATICS_ID = 0x0010, "source_telematics_id", 1..=2;
    QOS_TIME_TO_LIVE = 0x0017, "qos_time_to_live", 4..=4;
    PAYLOAD_TYPE = 0x0019, "payload_type", 1..=1;
    ADDITIONAL_STATUS_INFO_TEXT = 0x001D, "additional_status_info_text", 1..=256;
    RECEIPTED_MESSAGE_ID = 0x001E, "receipted_message_id", 1..=65;
    MS_MSG_WAIT_FACILITIES = 0x0030, "ms_msg_wait_facilities", 1..=1;
    PRIVACY_INDICATOR = 0x0201, "privacy_indicator", 1..=1;
    SOURCE_SUBADDRESS = 0x0202, "source_subaddress", 2..=23;
    DEST_SUBADDRESS = 0x0203, "dest_subaddress", 2..=23;
    USER_MESSAGE_REFERENCE = 0x0204, "user_message_reference", 2..=2;
    USER_RESPONSE_CODE = 0x0205, "user_response_code", 1..=1;
    SOURCE_PORT = 0x020A, "source_port", 2..=2;
    DESTINATION_PORT = 0x020B, "destination_port", 2..=2;
    SAR_MSG_REF_NUM = 0x020C, "sar_msg_ref_num", 2..=2;
    LANGUAGE_INDICATOR = 0x020D, "language_indicator", 1..=1;
    SAR_TOTAL_SEGMENTS = 0x020E, "sar_total_segments", 1..=1;
    SAR_SEGMENT_SEQNUM = 0x020F, "sar_segment_seqnum", 1..=1;
    SC_INTERFACE_VERSION = 0x0210, "sc_interface_version", 1..=1;
    CALLBACK_NUM_PRES_IND = 0x0302, "callback_num_pres_ind", 1..=1;
    CALLBACK_NUM_ATAG = 0x0303, "callback_num_atag", 0..=65;
    NUMBER_OF_MESSAGES = 0x0304, "number_of_messages", 1..=1;
    CALLBACK_NUM = 0x0381, "callback_num", 4..=19;
    DPF_RESULT = 0x0420, "dpf_result", 1..=1;
    SET_DPF = 0x0421, "set_dpf", 1..=1;
    MS_AVAILABILITY_STATUS = 0x0422, "ms_availability_status", 1..=1;
    NETWORK_ERROR_CODE = 0x0423, "network_error_code", 3..=3;
    MESSAGE_PAYLOAD = 0x0424, "message_payload", 0..=65535;
    DELIVERY_FAILURE_REASON = 0x0425, "delivery_failure_reason", 1..=1;
    MORE_MESSAGES_TO_SEND = 0x0426, "more_messages_to_send", 1..=1;
    MESSAGE_STATE = 0x0427, "message_state", 1..=1;
    CONGESTION_STATE = 0x0428, "congestion_state", 1..=1;
    USSD_SERVICE_OP = 0x0501, "ussd_service_op", 1..=1;
    BROADCAST_CHANNEL_INDICATOR = 0x0600, "broadcast_channel_indicator", 1..=1;
    BROADCAST_CONTENT_TYPE = 0x0601, "broadcast_content_type", 3..=3;
    BROADCAST_CONTENT_TYPE_INFO = 0x0602, "broadcast_content_type_info", 0..=255;
    BROADCAST_MESSAGE_CLASS = 0x0603, "broadcast_message_class", 1..=1;
    BROADCAST_REP_NUM = 0x0604, "broadcast_rep_num", 2..=2;
    BROADCAST_FREQUENCY_INTERVAL = 0x0605, "broadcast_frequency_interval", 3..=3;
    BROADCAST_AREA_IDENTIFIER = 0x0606, "broadcast_area_identifier", 1..=100;
    BROADCAST_ERROR_STATUS = 0x0607, "broadcast_error_status", 4..=4;
    BROADCAST_AREA_SUCCESS = 0x0608, "broadcast_area_success", 1..=1;
    BROADCAST_END_TIME = 0x0609, "broadcast_end_time", 0..=17;
    BROADCAST_SERVICE_GROUP = 0x060A, "broadcast_service_group", 0..=255;
    BILLING_IDENTIFICATION = 0x060B, "billing_identification", 0..=1024;
    SOURCE_NETWORK_ID = 0x060D, "source_network_id", 1..=65;
    DEST_NETWORK_ID = 0x060E, "dest_network_id", 1..=65;
    SOURCE_NODE_ID = 0x060F, "source_node_id", 6..=6;
    DEST_NODE_ID = 0x0610, "dest_node_id", 6..=6;
    DEST_ADDR_NP_RESOLUTION = 0x0611, "dest_addr_np_resolution", 1..=1;
    DEST_ADDR_NP_INFORMATION = 0x0612, "dest_addr_np_information", 10..=10;
    DEST_ADDR_NP_COUNTRY = 0x0613, "dest_addr_np_country", 1..=5;
    DISPLAY_TIME = 0x1201, "display_time", 1..=1;
    SMS_SIGNAL = 0x1203, "sms_signal", 2..=2;
    // v5.0 4.8.4.40: one octet, or four with the validity information.
    MS_VALIDITY = 0x1204, "ms_validity", 1..=4;
    // v3.4 5.3.2.41: zero length; v5.0 4.8.4.1 permits one octet.
    ALERT_ON_MESSAGE_DELIVERY = 0x130C, "alert_on_message_delivery", 0..=1;
    ITS_REPLY_TYPE = 0x1380, "its_reply_type", 1..=1;
    ITS_SESSION_INFO = 0x1383, "its_session_info", 2..=2;
}

/// Name and length rule of a standard tag.
pub fn tag_info(tag: u16) -> Option<&'static TagInfo> {
    TAGS.binary_search_by_key(&tag, |i| i.tag)
        .ok()
        .map(|i| &TAGS[i])
}

/// The tag with the given spec name.
pub fn tag_by_name(name: &str) -> Option<u16> {
    TAGS.iter().find(|i| i.name == name).map(|i| i.tag)
}

/// Checks a standard TLV's value length against its definition (v3.4 5.3.2; a wrong length is
/// ESME_RINVPARLEN, 0xC2). Unknown tags are not checked: v3.4 5.3 says an unrecognised TLV is
/// ignored, so the proxy passes it on.
#[inline]
pub fn check_len(tag: u16, len: usize) -> bool {
    match len_rule(tag) {
        Some((min, max)) => (usize::from(min)..=usize::from(max)).contains(&len),
        None => true,
    }
}

/// Field name used in errors for a TLV whose length breaks its rule.
pub const FIELD_TLV_LEN: &str = "tlv.length";
/// Field name used in errors for a TLV stream that does not parse.
pub const FIELD_TLV: &str = "tlv";

/// Parses the TLVs that fill the rest of `r`, slicing values out of `frame` (the buffer `r`
/// reads, so values are shared, not copied).
pub fn decode_all(r: &mut Reader<'_>, frame: &Bytes) -> Result<Vec<Tlv>> {
    let mut out = Vec::new();
    while !r.is_empty() {
        let at = r.offset();
        // v3.4 5.3: every TLV has a 2-octet tag and a 2-octet length; a partial one is a broken
        // optional-parameter stream (ESME_RINVOPTPARSTREAM).
        if r.remaining() < 4 {
            return Err(Error::new(FIELD_TLV, at, Reason::Truncated));
        }
        let tag = r.u16(FIELD_TLV)?;
        let len = usize::from(r.u16(FIELD_TLV)?);
        if r.remaining() < len {
            return Err(Error::new(FIELD_TLV, at, Reason::BadLength));
        }
        if !check_len(tag, len) {
            return Err(Error::new(FIELD_TLV_LEN, at, Reason::BadLength));
        }
        let value = r.take(len, FIELD_TLV)?;
        out.push(Tlv {
            tag,
            value: crate::smpp::body::share(frame, value),
        });
    }
    Ok(out)
}

/// Finds the first TLV with `tag`.
pub fn find(tlvs: &[Tlv], tag: u16) -> Option<&Tlv> {
    tlvs.iter().find(|t| t.tag == tag)
}

/// Iterates over the TLVs of a byte slice without allocating: `(tag, value)`; stops at the first
/// malformed one (use [`decode_all`] for errors).
#[derive(Debug, Clone)]
pub struct TlvIter<'a> {
    rest: &'a [u8],
}

impl<'a> TlvIter<'a> {
    /// Iterates over the TLVs in `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        TlvIter { rest: bytes }
    }
}

impl<'a> Iterator for TlvIter<'a> {
    type Item = (u16, &'a [u8]);
    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let (tag, len) = self.rest.get(..4).map(|h| {
            (
                u16::from_be_bytes([h[0], h[1]]),
                usize::from(u16::from_be_bytes([h[2], h[3]])),
            )
        })?;
        let end = 4 + len;
        let value = self.rest.get(4..end)?;
        self.rest = self.rest.get(end..).unwrap_or_default();
        Some((tag, value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_rules_match_the_table() {
        for i in TAGS {
            assert_eq!(len_rule(i.tag), Some((i.min, i.max)), "{}", i.name);
            assert!(check_len(i.tag, usize::from(i.min)) && check_len(i.tag, usize::from(i.max)));
            assert!(i.min == 0 || !check_len(i.tag, usize::from(i.min) - 1));
            assert!(!check_len(i.tag, usize::from(i.max) + 1) || i.max == u16::MAX);
        }
        assert_eq!(len_rule(0x1400), None);
        assert!(check_len(0x1400, 0) && check_len(0x4000, 9999));
    }

    #[test]
    fn table_is_sorted_and_names_unique() {
        for w in TAGS.windows(2) {
            assert!(w[0].tag < w[1].tag, "{:#06x}", w[1].tag);
        }
        for i in TAGS {
            assert_eq!(tag_by_name(i.name), Some(i.tag));
        }
        assert_eq!(
            tag_info(tag::RECEIPTED_MESSAGE_ID).unwrap().name,
            "receipted_message_id"
        );
        assert_eq!(tag_info(0x1400), None);
    }

    #[test]
    fn parses_known_and_vendor_tlvs() {
        let frame = Bytes::from_static(&[
            0x02, 0x04, 0x00, 0x02, 0x04, 0xd2, // user_message_reference 1234
            0x14, 0x00, 0x00, 0x03, b'1', b'2', b'3', // India DLT PE_ID, vendor
        ]);
        let mut r = Reader::new(&frame);
        let tlvs = decode_all(&mut r, &frame).unwrap();
        assert_eq!(tlvs.len(), 2);
        assert_eq!(tlvs[0].as_u16(), Some(1234));
        assert_eq!(tlvs[1].name(), None);
        assert_eq!(&tlvs[1].value[..], b"123");
        let mut out = Vec::new();
        tlvs.iter().for_each(|t| t.encode(&mut out));
        assert_eq!(&out[..], &frame[..]);
        assert_eq!(TlvIter::new(&frame).count(), 2);
    }

    #[test]
    fn rejects_overrun_partial_and_bad_length() {
        let overrun = Bytes::from_static(&[0x04, 0x24, 0x00, 0x05, 1, 2]);
        let e = decode_all(&mut Reader::new(&overrun), &overrun).unwrap_err();
        assert_eq!((e.field, e.reason), (FIELD_TLV, Reason::BadLength));
        let partial = Bytes::from_static(&[0x04, 0x24, 0x00]);
        let e = decode_all(&mut Reader::new(&partial), &partial).unwrap_err();
        assert_eq!((e.field, e.reason), (FIELD_TLV, Reason::Truncated));
        // message_state is one octet (v3.4 5.3.2.35).
        let bad = Bytes::from_static(&[0x04, 0x27, 0x00, 0x02, 1, 2]);
        let e = decode_all(&mut Reader::new(&bad), &bad).unwrap_err();
        assert_eq!(e.field, FIELD_TLV_LEN);
    }
}
