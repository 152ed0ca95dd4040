//! What the client role reports to its caller (spec/protocol.md §1 link errors, §3 pairing,
//! §4 errors, §6 money safety).

use synqpay_link::ErrorCode;
use synqpay_rpc::{DecodeError, Message, Method, RequestId, RpcError, RpcErrorCode};

/// Something for the caller, from [`Client::poll_event`](crate::Client::poll_event). Payloads
/// borrow from the client's inbox until the next call.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ClientEvent<'a> {
    /// The answer to a request: a result or a JSON-RPC error. Decode it with
    /// [`decode_response`].
    Response {
        /// The request it answers.
        id: RequestId,
        /// The JSON-RPC message.
        payload: &'a [u8],
    },
    /// A request ended without an answer.
    Failed {
        /// The request.
        id: RequestId,
        /// Why.
        failure: Failure,
        /// For a payment: the `referenceId` to look it up by when the outcome is unknown.
        reference_id: Option<&'a str>,
    },
    /// A notification from the device, such as `transactionEvent`, in the order received.
    Notification {
        /// The JSON-RPC notification.
        payload: &'a [u8],
    },
    /// An answer to a request that had already failed (a timeout, a lost link): for a payment it
    /// carries the outcome that was unknown. Cached responses arrive this way after a long
    /// outage.
    LateResponse {
        /// The request it answers.
        id: RequestId,
        /// The JSON-RPC message.
        payload: &'a [u8],
    },
    /// A response that matches no request this session sent (or that could not be read).
    Unsolicited {
        /// The payload as received.
        payload: &'a [u8],
    },
    /// No ACK came in time: the link is dead. The session has dropped the connection; connect
    /// again, and outstanding requests will be matched on the new connection.
    LinkDead,
    /// A link Error frame with no request of this connection outstanding to attribute it to.
    LinkError(ErrorCode),
    /// Responses or notifications arrived while the inbox was full and could not be kept; the
    /// requests concerned fail with [`Failure::Overflow`]. Poll events more often, or give the
    /// inbox more room.
    Overflow {
        /// How many messages were lost.
        lost: u32,
    },
}

/// Why a request ended without an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Failure {
    /// The device answered with a link Error frame (ours: attributed to the oldest request
    /// outstanding on this connection, spec/protocol.md §1). `NotAuthenticated` means: pair again.
    Link(ErrorCode),
    /// No answer before the deadline.
    Timeout,
    /// The connection went before the request's last byte was handed to the transport: the
    /// device never received it. Safe to send again.
    NotSent,
    /// The answer arrived but the inbox was full.
    Overflow,
}

impl Failure {
    /// Whether the device may have acted on the request. For a payment: look it up by its
    /// `referenceId` before anything else; never send it again on a guess (spec/protocol.md §6).
    pub fn outcome_unknown(&self) -> bool {
        !matches!(self, Failure::NotSent)
    }
}

/// Why a response could not be turned into a typed result.
#[derive(Debug, Clone, PartialEq)]
pub enum CallError<'a> {
    /// The device answered with a JSON-RPC error.
    Rpc(RpcError<'a>),
    /// The answer could not be decoded.
    Decode(DecodeError),
}

impl core::fmt::Display for CallError<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Rpc(e) => write!(f, "the device answered with an error: {e}"),
            Self::Decode(e) => write!(f, "the answer could not be decoded: {e}"),
        }
    }
}

impl core::error::Error for CallError<'_> {}

/// Decodes a response payload as method `M`'s result.
pub fn decode_response<M: Method>(payload: &[u8]) -> Result<M::Output<'_>, CallError<'_>> {
    match Message::parse(payload).map_err(CallError::Decode)? {
        Message::Response(r) => M::decode_output(r.result).map_err(CallError::Decode),
        Message::Error(e) => Err(CallError::Rpc(e.error)),
        _ => Err(CallError::Decode(DecodeError::Envelope("not a response"))),
    }
}

/// Why pairing failed (spec/protocol.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum PairingError {
    /// 103 to `pair`: the serial number is not this device's; 103 to `authenticate`: the code
    /// is wrong.
    Rejected,
    /// 201 to `authenticate`: no pairing open, or its 30 s code expired: `pair` again.
    Expired,
    /// 201 to `pair`: the device is not IDLE.
    Busy,
    /// Another error code.
    Other(RpcErrorCode),
}

impl PairingError {
    /// Reads a JSON-RPC error answering `pair` (`authenticate: false`) or `authenticate`.
    pub fn from_rpc(error: &RpcError<'_>, authenticate: bool) -> Self {
        match (error.code, authenticate) {
            (RpcErrorCode::InvalidParams, _) => Self::Rejected,
            (RpcErrorCode::IllegalState, true) => Self::Expired,
            (RpcErrorCode::IllegalState, false) => Self::Busy,
            (code, _) => Self::Other(code),
        }
    }
}
