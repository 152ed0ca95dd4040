//! Notifications from the device (spec/api.md "Event": `transactionEvent` during a transaction
//! that asked `notifyEvents`), kept owned and read typed.

use std::fmt;

use synqpay_rpc::{EventType, FromRaw, RawJson, TransactionEvent};

/// The one documented notification (spec/api.md "Event").
const TRANSACTION_EVENT: &str = "transactionEvent";

/// A notification as it came: its method and params, read typed with
/// [`Event::transaction_event`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    method: String,
    params: Option<String>,
}

impl Event {
    pub(crate) fn new(method: &str, params: Option<&str>) -> Self {
        Self {
            method: method.to_string(),
            params: params.map(str::to_string),
        }
    }

    /// The notification's method (`transactionEvent`, or one this version does not know).
    pub fn method(&self) -> &str {
        &self.method
    }

    /// Its params as JSON text (`null` when it has none): members this version does not read,
    /// such as TIP_SELECTION's `tipScreen`, are there.
    pub fn params_json(&self) -> &str {
        self.params.as_deref().unwrap_or("null")
    }

    /// The `transactionEvent`'s params, typed; `None` for another notification or params that
    /// do not fit.
    pub fn transaction_event(&self) -> Option<TransactionEvent<'_>> {
        if self.method != TRANSACTION_EVENT {
            return None;
        }
        let raw = RawJson::parse(self.params.as_deref()?.as_bytes()).ok()?;
        TransactionEvent::from_raw(Some(raw), "params").ok()
    }

    /// What happens now, for a `transactionEvent` (values this version does not know are kept:
    /// [`EventType::Unknown`]).
    pub fn event_type(&self) -> Option<EventType<'_>> {
        self.transaction_event().map(|e| e.event_type)
    }
}

impl fmt::Display for Event {
    /// The event type (`CARD_DETECTED`), or the method; device text escaped, never raw.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.event_type() {
            Some(t) => write!(f, "{}", crate::text::untrusted(&t.to_string())),
            None => write!(f, "{}", crate::text::untrusted(&self.method)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_transaction_event_reads_typed_and_others_are_kept() {
        let e = Event::new(TRANSACTION_EVENT, Some(r#"{"type":"CARD_DETECTED"}"#));
        assert_eq!(e.event_type(), Some(EventType::CardDetected));
        assert_eq!(e.to_string(), "CARD_DETECTED");
        let new = Event::new(TRANSACTION_EVENT, Some(r#"{"type":"IRIS_SCAN","x":1}"#));
        assert!(new.event_type().is_some_and(|t| t.is_unknown()));
        assert!(new.params_json().contains("\"x\":1"));
        let other = Event::new("batteryLow\u{1b}[2J", None);
        assert_eq!(other.event_type(), None);
        assert_eq!(other.to_string(), "batteryLow\\u{1b}[2J");
    }
}
