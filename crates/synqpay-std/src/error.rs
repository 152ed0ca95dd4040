//! What a call returns: an answer ([`Reply`]) or an [`Error`] that says whose fault it is.

use std::fmt;
use std::io::{self, ErrorKind};

use synqpay_link::ErrorCode;
use synqpay_rpc::{Message, Method, RpcErrorCode};
use synqpay_session::{CallError, Failure, SendError};

/// What went wrong, and whose fault it is.
#[derive(Debug)]
pub enum Error {
    /// Ours to fix: a bad address, no key, a request too large.
    Config(String),
    /// The connection failed or was lost.
    Connection(io::Error),
    /// The device answered with a link Error frame (by name); `NOT_AUTHENTICATED`: pair again.
    Link(ErrorCode),
    /// The device answered with a JSON-RPC error.
    Rpc {
        /// The code, by name.
        code: RpcErrorCode,
        /// The device's message.
        message: String,
        /// Extra data as JSON text.
        data: Option<String>,
    },
    /// No answer in time: the outcome is unknown. For a payment, look it up by its
    /// `referenceId` before anything else (spec/protocol.md §6).
    Timeout {
        /// The payment's `referenceId`, if the request was one.
        reference_id: Option<String>,
    },
    /// The request may have reached the device, but its answer cannot be trusted or never
    /// came whole: a link Error frame on a payment, a dead link, an answer naming another
    /// transaction, a frame too large, a byte-swapped CRC. For a payment, look it up by its
    /// `referenceId` before anything else; never send it again on a guess (spec/protocol.md §6).
    OutcomeUnknown {
        /// What happened.
        cause: Failure,
        /// The payment's `referenceId`, if the request was one.
        reference_id: Option<String>,
    },
    /// The request never left: safe to send again.
    NotSent,
    /// The answer could not be decoded.
    Decode(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Config(what) => write!(f, "configuration: {what}"),
            Self::Connection(e) => write!(f, "connection: {e}"),
            Self::Link(code) => write!(f, "the device sent link error {}", code.name()),
            Self::Rpc {
                code,
                message,
                data,
            } => {
                write!(
                    f,
                    "the device answered {} ({}): {message}",
                    code.name(),
                    code.code()
                )?;
                data.as_ref().map_or(Ok(()), |d| write!(f, " {d}"))
            }
            Self::Timeout {
                reference_id: Some(r),
            } => {
                write!(
                    f,
                    "no answer in time, outcome unknown: look up referenceId {r}"
                )
            }
            Self::Timeout { reference_id: None } => write!(f, "no answer in time, outcome unknown"),
            Self::OutcomeUnknown {
                cause,
                reference_id: Some(r),
            } => write!(f, "{cause}; outcome unknown: look up referenceId {r}"),
            Self::OutcomeUnknown {
                cause,
                reference_id: None,
            } => write!(f, "{cause}; outcome unknown"),
            Self::NotSent => write!(f, "the request was never sent"),
            Self::Decode(e) => write!(f, "the answer could not be decoded: {e}"),
        }
    }
}

impl std::error::Error for Error {}

impl Error {
    /// The error for a request that ended without an answer (spec/protocol.md §1, §6).
    pub(crate) fn from_failure(failure: Failure, reference_id: Option<&str>) -> Self {
        let reference_id = reference_id.map(str::to_string);
        match failure {
            Failure::NotSent => Error::NotSent,
            Failure::Timeout => Error::Timeout { reference_id },
            // A link error on a query or a command is the device's word on it (NOT_AUTHENTICATED:
            // pair again); on a payment it is never "declined" (spec/protocol.md §1).
            Failure::Link(code) if reference_id.is_none() => Error::Link(code),
            cause => Error::OutcomeUnknown {
                cause,
                reference_id,
            },
        }
    }

    /// Whether the device may have acted on the request: for a payment, look it up by its
    /// `referenceId` ([`Client::lookup_transaction`](crate::Client::lookup_transaction)).
    pub fn outcome_unknown(&self) -> bool {
        matches!(self, Self::Timeout { .. } | Self::OutcomeUnknown { .. })
    }
}

impl From<SendError> for Error {
    fn from(e: SendError) -> Self {
        match e {
            SendError::NotConnected => {
                Error::Connection(io::Error::new(ErrorKind::NotConnected, "not connected"))
            }
            other => Error::Config(other.to_string()),
        }
    }
}

/// An answer: the response payload, owned. Decode it with [`Reply::result`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub(crate) payload: Vec<u8>,
}

impl Reply {
    /// The typed result of method `M`, borrowing from the reply.
    pub fn result<M: Method>(&self) -> Result<M::Output<'_>, Error> {
        synqpay_session::decode_response::<M>(&self.payload).map_err(|e| match e {
            CallError::Rpc(e) => rpc_error(&e),
            CallError::Decode(e) => Error::Decode(e.to_string()),
        })
    }

    /// The `result` member as JSON text (`null` when there is none).
    pub fn result_json(&self) -> Result<String, Error> {
        match Message::parse(&self.payload).map_err(|e| Error::Decode(e.to_string()))? {
            Message::Response(r) => Ok(r.result.map_or("null".into(), |r| r.as_str().to_string())),
            Message::Error(e) => Err(rpc_error(&e.error)),
            _ => Err(Error::Decode("not a response".into())),
        }
    }

    /// The whole JSON-RPC message.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }
}

pub(crate) fn rpc_error(e: &synqpay_rpc::RpcError<'_>) -> Error {
    Error::Rpc {
        code: e.code,
        message: e.message.to_string(),
        data: e.data.map(|d| d.as_str().to_string()),
    }
}
