//! The `transactionEvent` notification (spec/api.md "Event").

use serde::{Deserialize, Serialize};

use crate::EventType;
use crate::method::from_raw_required;

/// The method name of the one documented event.
pub const TRANSACTION_EVENT: &str = "transactionEvent";

/// The params of `transactionEvent`: sent during a transaction that asked `notifyEvents`. Each
/// extends the transaction's deadline (spec/protocol.md §6). TIP_SELECTION comes with a
/// `tipScreen` member of undocumented shape: read it from the raw params.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = "'de: 'a"))]
pub struct TransactionEvent<'a> {
    /// What happens now.
    #[serde(rename = "type")]
    pub event_type: EventType<'a>,
}

from_raw_required!(TransactionEvent);
