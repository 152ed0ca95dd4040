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
    /// No ACK came in time: the link is dead. The session has dropped the connection; the
    /// requests sent on it (`Failure::LinkDead`) and those still queued for it
    /// (`Failure::NotSent`) are reported failed before this. Connect again, and requests of
    /// earlier connections still outstanding will be matched on the new one. (What it means to a
    /// waiting call: [`crate::outcome`].)
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
    /// No ACK to a KeepAlive in time: the link died with this request on it (the session has
    /// dropped the connection). A cached answer may still come after a reconnect, as a
    /// [`ClientEvent::LateResponse`].
    LinkDead,
    /// The answer names another transaction than the request: another `referenceId`, or for a
    /// SALE another amount (spec/protocol.md §6). A defect of the device or of the line, never
    /// this payment's outcome.
    Mismatch,
    /// The answer to a payment lacks a readable member money depends on (`result`,
    /// `transactionStatus`, `referenceId`, `amount`: spec/protocol.md §4).
    Undecodable,
    /// A frame longer than the receive buffer came while this request waited: most likely its
    /// answer, refused unread (ours: the buffer decides the largest frame, spec/protocol.md §1).
    TooLarge {
        /// The frame's length field.
        length: u32,
        /// The largest payload this client accepts.
        max: u32,
    },
    /// A frame came whose CRC matches only with its two bytes swapped: the device sends the
    /// CRC low byte first (spec/protocol.md §1). Its answer was refused;
    /// `ClientConfig::accept_swapped_crc` accepts such frames.
    SwappedCrc,
    /// A whole frame came whose CRC does not match while this short request (a query or a
    /// command, answered by one frame) waited: most likely its answer, corrupted on the line or
    /// sealed with another CRC than CRC-16/MODBUS. A query may be sent once more.
    Crc {
        /// CRC-16/MODBUS over what came.
        computed: u16,
        /// The CRC field as it came.
        received: u16,
    },
    /// Sent on an earlier connection, and the device, asked on this one, runs nothing: it
    /// restarted, or ended the request while the link was down, and its answer will not come
    /// (`Client::device_runs_nothing`). A payment's outcome is unknown: look it up.
    NotRunning,
}

impl Failure {
    /// Whether the device may have acted on the request. For a payment: look it up by its
    /// `referenceId` before anything else; never send it again on a guess (spec/protocol.md §6).
    pub fn outcome_unknown(&self) -> bool {
        !matches!(self, Failure::NotSent)
    }

    /// Whether the answer was lost or corrupted on the way, so that a query
    /// (`synqpay_rpc::Method::SAFE_TO_RESEND`) may be sent once more (spec/protocol.md §6; a
    /// dead link needs a new connection first). Not a timeout: the device may be silent, and
    /// only the driver knows whether it sent anything since. Not a refusal that would come the
    /// same way again: NOT_AUTHENTICATED, a frame too large, a swapped CRC, a mismatch.
    pub fn answer_lost(&self) -> bool {
        match self {
            Self::Link(code) => *code != ErrorCode::NotAuthenticated,
            Self::Overflow | Self::LinkDead | Self::Crc { .. } | Self::Undecodable => true,
            Self::Timeout
            | Self::NotSent
            | Self::NotRunning
            | Self::Mismatch
            | Self::TooLarge { .. }
            | Self::SwappedCrc => false,
        }
    }
}

impl core::fmt::Display for Failure {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Link(ErrorCode::NotAuthenticated) => f.write_str(
                "the device sent link error NOT_AUTHENTICATED: it does not know this API key",
            ),
            Self::Link(code) => write!(
                f,
                "the device sent link error {}, taken as about this request: an Error frame \
                 names none, and this was the oldest neither answered nor fenced (spec/protocol.md §1)",
                code.name()
            ),
            Self::Timeout => f.write_str("no answer in time"),
            Self::NotSent => f.write_str("the request was never sent"),
            Self::Overflow => f.write_str("the answer was lost to a full inbox"),
            Self::LinkDead => f.write_str("the link died (no ACK to a KeepAlive)"),
            Self::Mismatch => f.write_str("the answer names another transaction"),
            Self::NotRunning => f.write_str(
                "the link came back and the device runs nothing: its answer will not come",
            ),
            Self::Undecodable => f.write_str("the answer lacks a readable money member"),
            Self::TooLarge { length, max } => write!(
                f,
                "a frame of {length} bytes came, larger than the {max} this client accepts"
            ),
            Self::SwappedCrc => f.write_str(
                "the device sends its CRC low byte first (refused by default); accept it with \
                 ClientConfig::accept_swapped_crc (synqpay --accept-swapped-crc)",
            ),
            Self::Crc { computed, received } => write!(
                f,
                "the answer failed its CRC (received {received:#06x}, CRC-16/MODBUS gives \
                 {computed:#06x}): a noisy line, or a device that seals its frames otherwise"
            ),
        }
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
        _ => Err(CallError::Decode(DecodeError::Envelope(
            synqpay_rpc::EnvelopeError::NotAResponse,
        ))),
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

/// The step of pairing a JSON-RPC error answers (spec/protocol.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum PairingStep {
    /// `pair`: the device is asked to show a code.
    Pair,
    /// `authenticate`: the code is given back for the key.
    Authenticate,
}

impl PairingError {
    /// Reads a JSON-RPC error answering `step`.
    pub fn from_rpc(error: &RpcError<'_>, step: PairingStep) -> Self {
        match (error.code, step) {
            (RpcErrorCode::InvalidParams, _) => Self::Rejected,
            (RpcErrorCode::IllegalState, PairingStep::Authenticate) => Self::Expired,
            (RpcErrorCode::IllegalState, PairingStep::Pair) => Self::Busy,
            (code, _) => Self::Other(code),
        }
    }
}
