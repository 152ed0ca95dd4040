//! The `transactionEvent` notification (spec/api.md "Event").

use serde::{Deserialize, Serialize};

use crate::{DecodeError, EventType, FromRaw, RawJson, members};

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

impl<'a> FromRaw<'a> for TransactionEvent<'a> {
    /// Member by member (ours: events come many per sale; no serde-json-core deserializer).
    fn from_raw(raw: Option<RawJson<'a>>, member: &'static str) -> Result<Self, DecodeError> {
        let event_type = members::required_member(raw, "type", member)?;
        Ok(Self { event_type })
    }
}
