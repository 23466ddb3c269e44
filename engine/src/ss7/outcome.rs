//! What an MT dialogue ended with, and what the ESME is told: the submit_sm_resp status of the
//! transactional mode and the receipt's `stat:` / `err:` of either mode. README "SS7 connectors"
//! shows the same table.
//!
//! | MAP error (code) | submit_sm_resp | receipt stat |
//! | --- | --- | --- |
//! | unknownSubscriber (1), illegalSubscriber (9) | 0x0B ESME_RINVDSTADR | REJECTD |
//! | teleserviceNotProvisioned (11), illegalEquipment (12), callBarred (13), facilityNotSupported (21) | 0x45 ESME_RSUBMITFAIL | REJECTD |
//! | sm-DeliveryFailure (32) equipmentNotSM-Equipped (2), unknownServiceCentre (3), invalidSME-Address (5), subscriberNotSC-Subscriber (6) | 0x45 ESME_RSUBMITFAIL | REJECTD |
//! | sm-DeliveryFailure (32) memoryCapacityExceeded (0) | 0x14 ESME_RMSGQFUL | UNDELIV |
//! | absentSubscriberSM (6), absentSubscriber (27), unidentifiedSubscriber (5), subscriberBusyForMT-SMS (31), messageWaitingListFull (33), sm-DeliveryFailure (32) other causes | 0xFE ESME_RDELIVERYFAILURE | UNDELIV |
//! | systemFailure (34), dataMissing (35), unexpectedDataValue (36), any other | 0x08 ESME_RSYSERR | UNDELIV |
//! | no answer within dialogue_timeout | 0x08 ESME_RSYSERR | EXPIRED |
//! | TC-ABORT, Reject, a returned message (UDTS), association lost | 0x08 ESME_RSYSERR | UNDELIV |
//!
//! The receipt's `err:` is the MAP error code in three digits (000 when there is none) and its
//! network_error_code TLV is network type 3 (GSM, SMPP v3.4 5.3.2.31) with the code.

use smsedge_codecs::map::errors::code;
use smsedge_codecs::smpp::{CommandStatus, MessageState};

/// Why an MT dialogue did not deliver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// A MAP ReturnError, with the sm-DeliveryFailure cause when it is one.
    Map {
        /// MAP error code.
        code: i64,
        /// SM-EnumeratedDeliveryFailureCause.
        cause: Option<i64>,
    },
    /// No answer within the connector's dialogue_timeout.
    Timeout,
    /// TC-ABORT (other than a version refusal), a Reject, or an answer that does not decode.
    Aborted,
    /// SCCP returned the message (UDTS/XUDTS): no route to the global title.
    Returned,
    /// The association carrying the dialogue went down.
    LinkLost,
}

/// sm-DeliveryFailure causes (TS 29.002 7.6.1.4).
pub mod cause {
    /// memoryCapacityExceeded.
    pub const MEMORY_CAPACITY_EXCEEDED: i64 = 0;
    /// equipmentNotSM-Equipped.
    pub const EQUIPMENT_NOT_SM_EQUIPPED: i64 = 2;
    /// unknownServiceCentre.
    pub const UNKNOWN_SERVICE_CENTRE: i64 = 3;
    /// sc-Congestion.
    pub const SC_CONGESTION: i64 = 4;
    /// invalidSME-Address.
    pub const INVALID_SME_ADDRESS: i64 = 5;
    /// subscriberNotSC-Subscriber.
    pub const SUBSCRIBER_NOT_SC_SUBSCRIBER: i64 = 6;
}

impl Failure {
    /// The submit_sm_resp status in transactional mode.
    pub fn status(self) -> CommandStatus {
        match self {
            Failure::Map { code, cause } => match code {
                code::UNKNOWN_SUBSCRIBER | code::ILLEGAL_SUBSCRIBER => {
                    CommandStatus::ESME_RINVDSTADR
                }
                code::TELESERVICE_NOT_PROVISIONED
                | code::ILLEGAL_EQUIPMENT
                | code::CALL_BARRED
                | code::FACILITY_NOT_SUPPORTED => CommandStatus::ESME_RSUBMITFAIL,
                code::SM_DELIVERY_FAILURE => match cause {
                    Some(cause::MEMORY_CAPACITY_EXCEEDED) => CommandStatus::ESME_RMSGQFUL,
                    Some(
                        cause::EQUIPMENT_NOT_SM_EQUIPPED
                        | cause::UNKNOWN_SERVICE_CENTRE
                        | cause::INVALID_SME_ADDRESS
                        | cause::SUBSCRIBER_NOT_SC_SUBSCRIBER,
                    ) => CommandStatus::ESME_RSUBMITFAIL,
                    _ => CommandStatus::ESME_RDELIVERYFAILURE,
                },
                code::ABSENT_SUBSCRIBER_SM
                | code::ABSENT_SUBSCRIBER
                | code::UNIDENTIFIED_SUBSCRIBER
                | code::SUBSCRIBER_BUSY_FOR_MT_SMS
                | code::MESSAGE_WAITING_LIST_FULL => CommandStatus::ESME_RDELIVERYFAILURE,
                _ => CommandStatus::ESME_RSYSERR,
            },
            Failure::Timeout | Failure::Aborted | Failure::Returned | Failure::LinkLost => {
                CommandStatus::ESME_RSYSERR
            }
        }
    }

    /// The receipt's final state.
    pub fn state(self) -> MessageState {
        match self {
            Failure::Timeout => MessageState::Expired,
            Failure::Map { .. } if self.status() == CommandStatus::ESME_RINVDSTADR => {
                MessageState::Rejected
            }
            Failure::Map { .. } if self.status() == CommandStatus::ESME_RSUBMITFAIL => {
                MessageState::Rejected
            }
            _ => MessageState::Undeliverable,
        }
    }

    /// The MAP error code for the receipt's `err:` and network_error_code (0 when none).
    pub fn map_error(self) -> u16 {
        match self {
            Failure::Map { code, .. } => u16::try_from(code).unwrap_or(0),
            _ => 0,
        }
    }

    /// True when the SRI result cached for the number should be forgotten: the subscriber may
    /// have moved or left.
    pub fn stale_routing(self) -> bool {
        matches!(
            self,
            Failure::Map {
                code: code::UNIDENTIFIED_SUBSCRIBER
                    | code::ABSENT_SUBSCRIBER_SM
                    | code::ABSENT_SUBSCRIBER
                    | code::ILLEGAL_SUBSCRIBER
                    | code::SYSTEM_FAILURE,
                ..
            } | Failure::Returned
                | Failure::Timeout
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(code: i64, cause: Option<i64>) -> Failure {
        Failure::Map { code, cause }
    }

    #[test]
    fn the_table_of_the_readme() {
        let rows: &[(Failure, u32, MessageState)] = &[
            (map(1, None), 0x0B, MessageState::Rejected),
            (map(9, None), 0x0B, MessageState::Rejected),
            (map(11, None), 0x45, MessageState::Rejected),
            (map(12, None), 0x45, MessageState::Rejected),
            (map(13, None), 0x45, MessageState::Rejected),
            (map(21, None), 0x45, MessageState::Rejected),
            (map(32, Some(2)), 0x45, MessageState::Rejected),
            (map(32, Some(6)), 0x45, MessageState::Rejected),
            (map(32, Some(0)), 0x14, MessageState::Undeliverable),
            (map(32, Some(1)), 0xFE, MessageState::Undeliverable),
            (map(32, None), 0xFE, MessageState::Undeliverable),
            (map(6, None), 0xFE, MessageState::Undeliverable),
            (map(27, None), 0xFE, MessageState::Undeliverable),
            (map(5, None), 0xFE, MessageState::Undeliverable),
            (map(31, None), 0xFE, MessageState::Undeliverable),
            (map(33, None), 0xFE, MessageState::Undeliverable),
            (map(34, None), 0x08, MessageState::Undeliverable),
            (map(36, None), 0x08, MessageState::Undeliverable),
            (map(99, None), 0x08, MessageState::Undeliverable),
            (Failure::Timeout, 0x08, MessageState::Expired),
            (Failure::Aborted, 0x08, MessageState::Undeliverable),
            (Failure::Returned, 0x08, MessageState::Undeliverable),
            (Failure::LinkLost, 0x08, MessageState::Undeliverable),
        ];
        for (f, status, state) in rows {
            assert_eq!((f.status().0, f.state()), (*status, *state), "{f:?}");
        }
        assert_eq!(map(6, None).map_error(), 6);
        assert_eq!(Failure::Timeout.map_error(), 0);
    }
}
