//! GSM MAP (3GPP TS 29.002) short message operations, versions 1 to 3 where they differ: the
//! operations and their arguments and results, the errors they can return, the application
//! contexts, and AddressString / TBCD / IMSI.
//!
//! A TCAP component carries the MAP parameter as one TLV; [`Argument::decode`],
//! [`ResultValue::decode`] and [`MapError::decode`] read it given the operation or error code
//! and the dialogue's MAP version (from the application context, [`ac::map_version`]). Every
//! type keeps unknown extensions and length forms, so re-encoding gives back the parameter's
//! bytes.

pub mod ac;
pub mod address;
pub mod asn;
pub mod errors;
pub mod operation;
pub mod sm;

pub use ac::AppContext;
pub use address::{AddressString, Tbcd};
pub use asn::{Asn, Raw};
pub use errors::{error_name, ErrorParam, MapError};
pub use operation::{operation_name, Argument, ResultValue};
pub use sm::*;
