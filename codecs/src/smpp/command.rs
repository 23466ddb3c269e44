//! command_id and command_status (SMPP v3.4 sections 5.1.2 and 5.1.3, v5.0 sections 4.7.5 and
//! 4.7.6).

use std::fmt;

/// Bit 31 of command_id marks a response (v3.4 5.1.2.1).
pub const RESPONSE_BIT: u32 = 0x8000_0000;

macro_rules! command_ids {
    ($( $(#[$doc:meta])* $variant:ident = $value:literal => $name:literal, )*) => {
        /// SMPP command_id: every operation of v3.4 and v5.0, and `Unknown` for the rest so an
        /// unknown id survives a round trip.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum CommandId {
            $( $(#[$doc])* $variant, )*
            /// A command_id neither spec defines.
            Unknown(u32),
        }

        impl CommandId {
            /// The command_id for a wire value.
            pub const fn from_u32(v: u32) -> Self {
                match v {
                    $( $value => CommandId::$variant, )*
                    other => CommandId::Unknown(other),
                }
            }

            /// The wire value.
            pub const fn to_u32(self) -> u32 {
                match self {
                    $( CommandId::$variant => $value, )*
                    CommandId::Unknown(v) => v,
                }
            }

            /// The spec's lower-case name, or `None` for an unknown id.
            pub const fn name(self) -> Option<&'static str> {
                match self {
                    $( CommandId::$variant => Some($name), )*
                    CommandId::Unknown(_) => None,
                }
            }

            /// The command_id named by the spec's lower-case name.
            pub fn from_name(name: &str) -> Option<Self> {
                match name {
                    $( $name => Some(CommandId::$variant), )*
                    _ => None,
                }
            }
        }
    };
}

command_ids! {
    /// generic_nack (v3.4 4.3.1).
    GenericNack = 0x8000_0000 => "generic_nack",
    /// bind_receiver (v3.4 4.1.3).
    BindReceiver = 0x0000_0001 => "bind_receiver",
    /// bind_receiver_resp.
    BindReceiverResp = 0x8000_0001 => "bind_receiver_resp",
    /// bind_transmitter (v3.4 4.1.1).
    BindTransmitter = 0x0000_0002 => "bind_transmitter",
    /// bind_transmitter_resp.
    BindTransmitterResp = 0x8000_0002 => "bind_transmitter_resp",
    /// query_sm (v3.4 4.8.1).
    QuerySm = 0x0000_0003 => "query_sm",
    /// query_sm_resp.
    QuerySmResp = 0x8000_0003 => "query_sm_resp",
    /// submit_sm (v3.4 4.4.1).
    SubmitSm = 0x0000_0004 => "submit_sm",
    /// submit_sm_resp.
    SubmitSmResp = 0x8000_0004 => "submit_sm_resp",
    /// deliver_sm (v3.4 4.6.1).
    DeliverSm = 0x0000_0005 => "deliver_sm",
    /// deliver_sm_resp.
    DeliverSmResp = 0x8000_0005 => "deliver_sm_resp",
    /// unbind (v3.4 4.2.1).
    Unbind = 0x0000_0006 => "unbind",
    /// unbind_resp.
    UnbindResp = 0x8000_0006 => "unbind_resp",
    /// replace_sm (v3.4 4.10.1).
    ReplaceSm = 0x0000_0007 => "replace_sm",
    /// replace_sm_resp.
    ReplaceSmResp = 0x8000_0007 => "replace_sm_resp",
    /// cancel_sm (v3.4 4.9.1).
    CancelSm = 0x0000_0008 => "cancel_sm",
    /// cancel_sm_resp.
    CancelSmResp = 0x8000_0008 => "cancel_sm_resp",
    /// bind_transceiver (v3.4 4.1.5).
    BindTransceiver = 0x0000_0009 => "bind_transceiver",
    /// bind_transceiver_resp.
    BindTransceiverResp = 0x8000_0009 => "bind_transceiver_resp",
    /// outbind (v3.4 4.1.7); has no response.
    Outbind = 0x0000_000B => "outbind",
    /// enquire_link (v3.4 4.11.1).
    EnquireLink = 0x0000_0015 => "enquire_link",
    /// enquire_link_resp.
    EnquireLinkResp = 0x8000_0015 => "enquire_link_resp",
    /// submit_multi (v3.4 4.5.1).
    SubmitMulti = 0x0000_0021 => "submit_multi",
    /// submit_multi_resp.
    SubmitMultiResp = 0x8000_0021 => "submit_multi_resp",
    /// alert_notification (v3.4 4.12.1); has no response.
    AlertNotification = 0x0000_0102 => "alert_notification",
    /// data_sm (v3.4 4.7.1).
    DataSm = 0x0000_0103 => "data_sm",
    /// data_sm_resp.
    DataSmResp = 0x8000_0103 => "data_sm_resp",
    /// broadcast_sm (v5.0 4.4.1).
    BroadcastSm = 0x0000_0111 => "broadcast_sm",
    /// broadcast_sm_resp.
    BroadcastSmResp = 0x8000_0111 => "broadcast_sm_resp",
    /// query_broadcast_sm (v5.0 4.6.2).
    QueryBroadcastSm = 0x0000_0112 => "query_broadcast_sm",
    /// query_broadcast_sm_resp.
    QueryBroadcastSmResp = 0x8000_0112 => "query_broadcast_sm_resp",
    /// cancel_broadcast_sm (v5.0 4.6.1).
    CancelBroadcastSm = 0x0000_0113 => "cancel_broadcast_sm",
    /// cancel_broadcast_sm_resp.
    CancelBroadcastSmResp = 0x8000_0113 => "cancel_broadcast_sm_resp",
}

impl CommandId {
    /// True for a response command_id (bit 31 set), generic_nack included.
    pub const fn is_response(self) -> bool {
        self.to_u32() & RESPONSE_BIT != 0
    }

    /// The response to this request, or `None` when the request has none (outbind,
    /// alert_notification) or this already is a response.
    pub const fn response(self) -> Option<CommandId> {
        match self {
            CommandId::Outbind | CommandId::AlertNotification => None,
            CommandId::Unknown(_) => None,
            c if c.is_response() => None,
            c => Some(CommandId::from_u32(c.to_u32() | RESPONSE_BIT)),
        }
    }
}

impl fmt::Display for CommandId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "0x{:08x}", self.to_u32()),
        }
    }
}

macro_rules! statuses {
    ($( $name:ident = $value:literal, $text:literal; )*) => {
        #[allow(missing_docs)]
        impl CommandStatus {
            $( #[doc = $text] pub const $name: CommandStatus = CommandStatus($value); )*

            /// The spec's name (`"ESME_RTHROTTLED"`), or `None` for a value neither spec names.
            /// 0x400..=0x4FF are SMSC vendor-specific and have no name.
            pub const fn name(self) -> Option<&'static str> {
                match self.0 {
                    $( $value => Some(stringify!($name)), )*
                    _ => None,
                }
            }

            /// The spec's description of the status.
            pub const fn description(self) -> Option<&'static str> {
                match self.0 {
                    $( $value => Some($text), )*
                    _ => None,
                }
            }

            /// The status named `name` (either the v5.0 name or its v3.4 synonym).
            pub fn from_name(name: &str) -> Option<Self> {
                match name {
                    $( stringify!($name) => Some(CommandStatus::$name), )*
                    // v3.4 names of the TLV errors that v5.0 renamed (v5.0 4.7.6).
                    "ESME_RINVOPTPARSTREAM" => Some(CommandStatus::ESME_RINVTLVSTREAM),
                    "ESME_ROPTPARNOTALLWD" => Some(CommandStatus::ESME_RTLVNOTALLWD),
                    "ESME_RINVPARLEN" => Some(CommandStatus::ESME_RINVTLVLEN),
                    "ESME_RMISSINGOPTPARAM" => Some(CommandStatus::ESME_RMISSINGTLV),
                    "ESME_RINVOPTPARAMVAL" => Some(CommandStatus::ESME_RINVTLVVAL),
                    _ => None,
                }
            }
        }
    };
}

/// SMPP command_status: every value of v3.4 5.1.3 and v5.0 4.7.6 by name; any other value is
/// kept as is.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct CommandStatus(pub u32);

statuses! {
    ESME_ROK = 0x0000_0000, "No Error";
    ESME_RINVMSGLEN = 0x0000_0001, "Message Length is invalid";
    ESME_RINVCMDLEN = 0x0000_0002, "Command Length is invalid";
    ESME_RINVCMDID = 0x0000_0003, "Invalid Command ID";
    ESME_RINVBNDSTS = 0x0000_0004, "Incorrect BIND Status for given command";
    ESME_RALYBND = 0x0000_0005, "ESME Already in Bound State";
    ESME_RINVPRTFLG = 0x0000_0006, "Invalid Priority Flag";
    ESME_RINVREGDLVFLG = 0x0000_0007, "Invalid Registered Delivery Flag";
    ESME_RSYSERR = 0x0000_0008, "System Error";
    ESME_RINVSRCADR = 0x0000_000A, "Invalid Source Address";
    ESME_RINVDSTADR = 0x0000_000B, "Invalid Destination Address";
    ESME_RINVMSGID = 0x0000_000C, "Message ID is invalid";
    ESME_RBINDFAIL = 0x0000_000D, "Bind Failed";
    ESME_RINVPASWD = 0x0000_000E, "Invalid Password";
    ESME_RINVSYSID = 0x0000_000F, "Invalid System ID";
    ESME_RCANCELFAIL = 0x0000_0011, "Cancel SM Failed";
    ESME_RREPLACEFAIL = 0x0000_0013, "Replace SM Failed";
    ESME_RMSGQFUL = 0x0000_0014, "Message Queue Full";
    ESME_RINVSERTYP = 0x0000_0015, "Invalid Service Type";
    ESME_RINVNUMDESTS = 0x0000_0033, "Invalid number of destinations";
    ESME_RINVDLNAME = 0x0000_0034, "Invalid Distribution List name";
    ESME_RINVDESTFLAG = 0x0000_0040, "Destination flag is invalid (submit_multi)";
    ESME_RINVSUBREP = 0x0000_0042, "Invalid 'submit with replace' request";
    ESME_RINVESMCLASS = 0x0000_0043, "Invalid esm_class field data";
    ESME_RCNTSUBDL = 0x0000_0044, "Cannot Submit to Distribution List";
    ESME_RSUBMITFAIL = 0x0000_0045, "submit_sm or submit_multi failed";
    ESME_RINVSRCTON = 0x0000_0048, "Invalid Source address TON";
    ESME_RINVSRCNPI = 0x0000_0049, "Invalid Source address NPI";
    ESME_RINVDSTTON = 0x0000_0050, "Invalid Destination address TON";
    ESME_RINVDSTNPI = 0x0000_0051, "Invalid Destination address NPI";
    ESME_RINVSYSTYP = 0x0000_0053, "Invalid system_type field";
    ESME_RINVREPFLAG = 0x0000_0054, "Invalid replace_if_present flag";
    ESME_RINVNUMMSGS = 0x0000_0055, "Invalid number of messages";
    ESME_RTHROTTLED = 0x0000_0058, "Throttling error (ESME has exceeded allowed message limits)";
    ESME_RINVSCHED = 0x0000_0061, "Invalid Scheduled Delivery Time";
    ESME_RINVEXPIRY = 0x0000_0062, "Invalid message validity period (Expiry time)";
    ESME_RINVDFTMSGID = 0x0000_0063, "Predefined Message Invalid or Not Found";
    ESME_RX_T_APPN = 0x0000_0064, "ESME Receiver Temporary App Error Code";
    ESME_RX_P_APPN = 0x0000_0065, "ESME Receiver Permanent App Error Code";
    ESME_RX_R_APPN = 0x0000_0066, "ESME Receiver Reject Message Error Code";
    ESME_RQUERYFAIL = 0x0000_0067, "query_sm request failed";
    ESME_RINVTLVSTREAM = 0x0000_00C0, "Error in the optional part of the PDU Body";
    ESME_RTLVNOTALLWD = 0x0000_00C1, "TLV not allowed";
    ESME_RINVTLVLEN = 0x0000_00C2, "Invalid Parameter Length";
    ESME_RMISSINGTLV = 0x0000_00C3, "Expected TLV missing";
    ESME_RINVTLVVAL = 0x0000_00C4, "Invalid TLV Value";
    ESME_RDELIVERYFAILURE = 0x0000_00FE, "Transaction Delivery Failure";
    ESME_RUNKNOWNERR = 0x0000_00FF, "Unknown Error";
    ESME_RSERTYPUNAUTH = 0x0000_0100, "ESME Not authorised to use specified service_type";
    ESME_RPROHIBITED = 0x0000_0101, "ESME Prohibited from using specified operation";
    ESME_RSERTYPUNAVAIL = 0x0000_0102, "Specified service_type is unavailable";
    ESME_RSERTYPDENIED = 0x0000_0103, "Specified service_type is denied";
    ESME_RINVDCS = 0x0000_0104, "Invalid Data Coding Scheme";
    ESME_RINVSRCADDRSUBUNIT = 0x0000_0105, "Source Address Sub unit is Invalid";
    ESME_RINVDSTADDRSUBUNIT = 0x0000_0106, "Destination Address Sub unit is Invalid";
    ESME_RINVBCASTFREQINT = 0x0000_0107, "Broadcast Frequency Interval is invalid";
    ESME_RINVBCASTALIAS_NAME = 0x0000_0108, "Broadcast Alias Name is invalid";
    ESME_RINVBCASTAREAFMT = 0x0000_0109, "Broadcast Area Format is invalid";
    ESME_RINVNUMBCAST_AREAS = 0x0000_010A, "Number of Broadcast Areas is invalid";
    ESME_RINVBCASTCNTTYPE = 0x0000_010B, "Broadcast Content Type is invalid";
    ESME_RINVBCASTMSGCLASS = 0x0000_010C, "Broadcast Message Class is invalid";
    ESME_RBCASTFAIL = 0x0000_010D, "broadcast_sm operation failed";
    ESME_RBCASTQUERYFAIL = 0x0000_010E, "query_broadcast_sm operation failed";
    ESME_RBCASTCANCELFAIL = 0x0000_010F, "cancel_broadcast_sm operation failed";
    ESME_RINVBCAST_REP = 0x0000_0110, "Number of Repeated Broadcasts is invalid";
    ESME_RINVBCASTSRVGRP = 0x0000_0111, "Broadcast Service Group is invalid";
    ESME_RINVBCASTCHANIND = 0x0000_0112, "Broadcast Channel Indicator is invalid";
}

impl CommandStatus {
    /// True for ESME_ROK.
    pub const fn is_ok(self) -> bool {
        self.0 == 0
    }

    /// True for the range v5.0 4.7.6 reserves for SMSC vendors.
    pub const fn is_vendor_specific(self) -> bool {
        matches!(self.0, 0x400..=0x4FF)
    }
}

impl fmt::Debug for CommandStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "CommandStatus(0x{:08x})", self.0),
        }
    }
}

impl fmt::Display for CommandStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => write!(f, "{n} (0x{:08x})", self.0),
            None => write!(f, "0x{:08x}", self.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_ids_round_trip_and_pair_with_responses() {
        for v in [
            0x1u32, 0x2, 0x3, 0x4, 0x5, 0x6, 0x7, 0x8, 0x9, 0x15, 0x21, 0x103, 0x111, 0x112, 0x113,
        ] {
            let id = CommandId::from_u32(v);
            assert!(!matches!(id, CommandId::Unknown(_)), "{v:#x}");
            let resp = id.response().unwrap();
            assert_eq!(resp.to_u32(), v | RESPONSE_BIT);
            assert_eq!(CommandId::from_name(resp.name().unwrap()), Some(resp));
        }
        assert_eq!(CommandId::Outbind.response(), None);
        assert_eq!(CommandId::AlertNotification.response(), None);
        assert_eq!(CommandId::from_u32(0x110), CommandId::Unknown(0x110));
        assert_eq!(CommandId::Unknown(0x110).to_string(), "0x00000110");
        assert!(CommandId::GenericNack.is_response());
    }

    #[test]
    fn statuses_have_names_and_v34_synonyms() {
        assert_eq!(CommandStatus(0x58).name(), Some("ESME_RTHROTTLED"));
        assert_eq!(
            CommandStatus::from_name("ESME_RINVPARLEN"),
            Some(CommandStatus(0xC2))
        );
        assert_eq!(
            CommandStatus::from_name("ESME_RINVBCASTCHANIND"),
            Some(CommandStatus(0x112))
        );
        assert_eq!(CommandStatus(0x400).name(), None);
        assert!(CommandStatus(0x4ff).is_vendor_specific());
    }
}
