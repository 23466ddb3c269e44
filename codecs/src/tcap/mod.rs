//! TCAP (ITU-T Q.773): the messages, the dialogue portion (AARQ/AARE/ABRT/AUDT) and the
//! components, over BER. [`TransactionView`] reads only the transaction ids, for routing a message
//! to the shard that owns its dialogue.

pub mod component;
pub mod dialogue;
pub mod message;
pub mod view;

pub use component::{Code, Component, Invoke, ProblemType, Reject, ReturnError, ReturnResult};
pub use dialogue::{DialoguePdu, DialoguePortion, SourceDiagnostic};
pub use message::{AbortReason, Message, MessageKind, TransactionId};
pub use view::TransactionView;
