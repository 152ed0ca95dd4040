//! Why a driver's call did not produce a result (spec/protocol.md §1 link errors, §3 pairing,
//! §4 JSON-RPC errors, §6 an outcome that is unknown).

use synqpay_link::ErrorCode;
use synqpay_rpc::{DecodeError, RpcErrorCode};
use synqpay_session::{Failure, PairingError, SendError};

use crate::RpcData;

/// Why a call did not produce a result. `E` is the transport's error.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum DriverError<E> {
    /// The transport failed.
    Io(E),
    /// The transport reached its end: the peer closed the connection. Reconnect, then call
    /// `connected()`; a payment in flight is looked up by its `referenceId`.
    Closed,
    /// The request could not be queued.
    Send(SendError),
    /// The request ended without an answer: a timeout, a link Error frame on a payment, an
    /// answer lost or untrusted (outcome unknown: look a payment up by its `referenceId`), or
    /// never sent.
    Failed(Failure),
    /// A link Error frame ended a query or a command (`NOT_AUTHENTICATED`: pair again). An
    /// Error frame names no request: it is attributed to the oldest request neither answered
    /// nor fenced (spec/protocol.md §1), and may be about a later frame, so the device may
    /// have read this one and acted on it. A query may be sent again (spec/protocol.md §6); a
    /// command is not, until the device's state says it did not run (`getStatus`). On a
    /// payment a link Error frame is never a refusal, but [`Failed`](Self::Failed) with its
    /// outcome unknown.
    Refused(ErrorCode),
    /// The device answered with a JSON-RPC error: its code, and its `data` (the reason of a
    /// 101 IllegalRequest, such as `AMOUNT_LIMIT_EXCEEDED`), bounded.
    Rpc {
        /// The code, by name.
        code: RpcErrorCode,
        /// The error's `data`, as JSON text.
        data: RpcData,
    },
    /// `pair` or `authenticate` was refused.
    Pairing(PairingError),
    /// The answer could not be decoded.
    Decode(DecodeError),
    /// No ACK to a KeepAlive in time: the link is dead. Reconnect, then call `connected()`.
    LinkDead,
}

impl<E: core::fmt::Debug> core::fmt::Display for DriverError<E> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Io(e) => write!(f, "transport error: {e:?}"),
            Self::Closed => f.write_str("the connection was closed"),
            Self::Send(e) => write!(f, "the request could not be queued: {e}"),
            Self::Failed(failure) => write!(f, "the request ended without an answer: {failure:?}"),
            Self::Refused(code) => write!(f, "the device refused the request: {code:?}"),
            Self::Rpc { code, data } if data.is_empty() => {
                write!(f, "the device answered {} ({})", code.name(), code.code())
            }
            Self::Rpc { code, data } => write!(
                f,
                "the device answered {} ({}) {}",
                code.name(),
                code.code(),
                data.as_str().escape_debug()
            ),
            Self::Pairing(e) => write!(f, "pairing refused: {e:?}"),
            Self::Decode(e) => write!(f, "the answer could not be decoded: {e}"),
            Self::LinkDead => f.write_str("the link is dead: no ACK to a KeepAlive"),
        }
    }
}

impl<E: core::fmt::Debug> core::error::Error for DriverError<E> {}

impl<E> DriverError<E> {
    /// Whether the device may have acted on the request although no answer says so: for a
    /// payment, reconnect if needed and look it up by its `referenceId` before anything else
    /// (spec/protocol.md §6). A transport error, a closed or dead link, or a failure other than
    /// `NotSent` after the request was queued.
    pub fn outcome_unknown(&self) -> bool {
        match self {
            Self::Io(_) | Self::Closed | Self::LinkDead => true,
            Self::Failed(failure) => !matches!(failure, Failure::NotSent),
            // An answer that cannot be read: for a payment, its outcome is not known.
            Self::Decode(_) => true,
            Self::Send(_) | Self::Refused(_) | Self::Rpc { .. } | Self::Pairing(_) => false,
        }
    }

    /// Whether the device certainly did not act on the request, so the same request may be
    /// sent again, a payment too: it was never queued (`Send`) or never left
    /// (`Failed(NotSent)`). Not [`Refused`](Self::Refused): the Error frame may have been about
    /// a later frame (spec/protocol.md §1); a query may be sent again all the same, as any
    /// time (spec/protocol.md §6), a command may not.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Send(_) | Self::Failed(Failure::NotSent))
    }
}
