//! What each event of the session means for the calls waiting on it (spec/protocol.md §1 link
//! errors, §4 answers and errors, §5 events, §6 money safety): the one reading of a
//! [`ClientEvent`] every driver shares (`synqpay-std`'s blocking and async clients,
//! `synqpay-embedded`'s blocking and async drivers). A driver turns an [`Outcome`] into its own
//! error type, and decides only what is its own policy: whether it reconnects by itself after
//! [`Outcome::LinkDead`], and whether it keeps what no call waits for.
//!
//! ```
//! use synqpay_session::outcome::{End, Outcome, Unanswered};
//! use synqpay_session::{ClientEvent, Failure};
//! use synqpay_rpc::RequestId;
//!
//! let event = ClientEvent::Failed {
//!     id: RequestId(3),
//!     failure: Failure::LinkDead,
//!     reference_id: Some("order-1001"),
//! };
//! let Outcome::Ended { end: End::Unanswered(why), .. } = Outcome::of(event) else {
//!     unreachable!()
//! };
//! // A payment whose link died: look it up by its referenceId before anything else.
//! assert_eq!(
//!     why,
//!     Unanswered::OutcomeUnknown { cause: Failure::LinkDead, reference_id: Some("order-1001") }
//! );
//! ```

use synqpay_link::ErrorCode;
use synqpay_rpc::{
    FromRaw, Message, Method, Notification, RequestId, RpcError, TRANSACTION_EVENT,
    TransactionEvent,
};

use crate::{CallError, ClientEvent, Failure, decode_response};

/// What one event of the session means for the calls waiting on it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Outcome<'a> {
    /// Request `id` ended: its call has its outcome.
    Ended {
        /// The request.
        id: RequestId,
        /// Whether the answer came after the request had failed.
        arrival: Arrival,
        /// The answer, or why there is none.
        end: End<'a>,
    },
    /// A notification from the device (spec/api.md "Event"), in the order received: for the
    /// payment in progress.
    Notification(Notification<'a>),
    /// An answer to a request this session never sent (another process's cached answer,
    /// spec/protocol.md §2, or one that fails its check): never a call's answer.
    Unsolicited {
        /// The answer as received.
        payload: &'a [u8],
    },
    /// No ACK to a KeepAlive in time: the session dropped the connection. Every request sent
    /// on it, or still queued for it, has ended before this, each with its own
    /// [`Outcome::Ended`]. A request sent on an earlier connection still waits for its (cached)
    /// answer on the next one: a driver that reconnects by itself goes on waiting; one that
    /// leaves reconnecting to its caller ends the call here.
    LinkDead,
    /// Nothing for a call: a link Error frame about no request, messages lost to a full inbox
    /// (the requests concerned end with their own [`Outcome::Ended`]), a notification that is
    /// not JSON-RPC.
    Nothing,
}

/// When an answer came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Arrival {
    /// While its request waited: the call's answer.
    InTime,
    /// After its request had failed (a timeout, a lost link), or on a later connection: for a
    /// payment, the outcome that was unknown.
    Late,
}

/// How a request ended.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum End<'a> {
    /// The device answered: a result, or a JSON-RPC error.
    Answered(Answer<'a>),
    /// No answer: why, as a caller acts on it.
    Unanswered(Unanswered<'a>),
}

/// The device's answer to a request: the JSON-RPC message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answer<'a> {
    payload: &'a [u8],
}

impl<'a> Answer<'a> {
    /// The answer in `payload` (a JSON-RPC response or error).
    pub fn of(payload: &'a [u8]) -> Self {
        Self { payload }
    }

    /// The message as received.
    pub fn payload(&self) -> &'a [u8] {
        self.payload
    }

    /// The device's JSON-RPC error, when it answered with one: the call fails with it, and it
    /// is the device's word on the request (spec/protocol.md §4).
    pub fn rpc_error(&self) -> Option<RpcError<'a>> {
        match Message::parse(self.payload) {
            Ok(Message::Error(e)) => Some(e.error),
            _ => None,
        }
    }

    /// The typed result of method `M`, the device's JSON-RPC error, or why the answer cannot
    /// be read.
    pub fn result<M: Method>(&self) -> Result<M::Output<'a>, CallError<'a>> {
        decode_response::<M>(self.payload)
    }
}

/// Why a request ended without an answer, as a caller acts on it (spec/protocol.md §1, §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Unanswered<'a> {
    /// The request never left: safe to send again, a payment too.
    NotSent,
    /// No answer in time: the outcome is unknown. A payment is looked up by its `referenceId`.
    Timeout {
        /// The payment's `referenceId`, if the request was one.
        reference_id: Option<&'a str>,
    },
    /// A link Error frame about a query or a command: the device's word on it
    /// (`NOT_AUTHENTICATED`: pair again). On a payment it is never a refusal, but
    /// [`Unanswered::OutcomeUnknown`] (spec/protocol.md §1).
    Link(ErrorCode),
    /// The request may have reached the device, but its answer never came whole or cannot be
    /// trusted: a link Error frame on a payment, a dead link, an answer lost to a full inbox,
    /// naming another transaction, too large, with a swapped or wrong CRC. A payment is looked
    /// up by its `referenceId` before anything else, never sent again on a guess
    /// (spec/protocol.md §6).
    OutcomeUnknown {
        /// What happened.
        cause: Failure,
        /// The payment's `referenceId`, if the request was one.
        reference_id: Option<&'a str>,
    },
}

impl<'a> Unanswered<'a> {
    /// How a caller reads `failure` of a request (`reference_id`: a payment's).
    pub fn of(failure: Failure, reference_id: Option<&'a str>) -> Self {
        match failure {
            Failure::NotSent => Self::NotSent,
            Failure::Timeout => Self::Timeout { reference_id },
            Failure::Link(code) if reference_id.is_none() => Self::Link(code),
            cause => Self::OutcomeUnknown {
                cause,
                reference_id,
            },
        }
    }

    /// The session's failure it was read from.
    pub fn failure(&self) -> Failure {
        match *self {
            Self::NotSent => Failure::NotSent,
            Self::Timeout { .. } => Failure::Timeout,
            Self::Link(code) => Failure::Link(code),
            Self::OutcomeUnknown { cause, .. } => cause,
        }
    }

    /// The payment's `referenceId` to look up, when the outcome is unknown.
    pub fn reference_to_look_up(&self) -> Option<&'a str> {
        match *self {
            Self::Timeout { reference_id } | Self::OutcomeUnknown { reference_id, .. } => {
                reference_id
            }
            Self::NotSent | Self::Link(_) => None,
        }
    }
}

impl<'a> Outcome<'a> {
    /// What `event` means for the calls waiting.
    pub fn of(event: ClientEvent<'a>) -> Self {
        match event {
            ClientEvent::Response { id, payload } => Self::Ended {
                id,
                arrival: Arrival::InTime,
                end: End::Answered(Answer::of(payload)),
            },
            ClientEvent::LateResponse { id, payload } => Self::Ended {
                id,
                arrival: Arrival::Late,
                end: End::Answered(Answer::of(payload)),
            },
            ClientEvent::Failed {
                id,
                failure,
                reference_id,
            } => Self::Ended {
                id,
                arrival: Arrival::InTime,
                end: End::Unanswered(Unanswered::of(failure, reference_id)),
            },
            ClientEvent::Notification { payload } => match Message::parse(payload) {
                Ok(Message::Notification(n)) => Self::Notification(n),
                _ => Self::Nothing,
            },
            ClientEvent::Unsolicited { payload } => Self::Unsolicited { payload },
            ClientEvent::LinkDead => Self::LinkDead,
            ClientEvent::LinkError(_) | ClientEvent::Overflow { .. } => Self::Nothing,
        }
    }
}

/// The `transactionEvent` a notification carries (`None`: another notification, or one whose
/// parameters are not an event).
pub fn transaction_event<'a>(notification: &Notification<'a>) -> Option<TransactionEvent<'a>> {
    if notification.method != TRANSACTION_EVENT {
        return None;
    }
    FromRaw::from_raw(notification.params, "params").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_error_is_the_devices_word_on_a_query_and_unknown_on_a_payment() {
        let code = ErrorCode::NotAuthenticated;
        assert_eq!(
            Unanswered::of(Failure::Link(code), None),
            Unanswered::Link(code)
        );
        let payment = Unanswered::of(Failure::Link(code), Some("r-1"));
        assert_eq!(payment.reference_to_look_up(), Some("r-1"));
        assert_eq!(payment.failure(), Failure::Link(code));
    }

    #[test]
    fn every_failure_reads_back() {
        for failure in [
            Failure::NotSent,
            Failure::Timeout,
            Failure::Overflow,
            Failure::LinkDead,
            Failure::Mismatch,
            Failure::Undecodable,
            Failure::SwappedCrc,
            Failure::Link(ErrorCode::CrcError),
        ] {
            for reference in [None, Some("r")] {
                let read = Unanswered::of(failure, reference);
                assert_eq!(read.failure(), failure);
                assert_eq!(read == Unanswered::NotSent, failure == Failure::NotSent);
            }
        }
        // An answer lost to a full inbox is an unknown outcome, never a timeout.
        assert!(matches!(
            Unanswered::of(Failure::Overflow, None),
            Unanswered::OutcomeUnknown {
                cause: Failure::Overflow,
                ..
            }
        ));
    }

    #[test]
    fn a_json_rpc_error_is_read_from_the_answer() {
        let error = Answer::of(br#"{"jsonrpc":"2.0","id":"1","error":{"code":303,"message":"x"}}"#);
        assert!(error.rpc_error().is_some_and(|e| e.maybe_charged()));
        assert!(
            Answer::of(br#"{"jsonrpc":"2.0","id":"1","result":null}"#)
                .rpc_error()
                .is_none()
        );
    }

    #[test]
    fn only_a_transaction_event_is_one() {
        let parse = |text: &'static str| match Message::parse(text.as_bytes()) {
            Ok(Message::Notification(n)) => n,
            other => panic!("{other:?}"),
        };
        let event = parse(r#"{"method":"transactionEvent","params":{"type":"PIN_STARTED"}}"#);
        assert!(transaction_event(&event).is_some());
        let other = parse(r#"{"method":"somethingElse","params":{"type":"PIN_STARTED"}}"#);
        assert!(transaction_event(&other).is_none());
    }
}
