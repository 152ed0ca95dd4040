//! What a call returns: an answer ([`Reply`], [`Answer`]) or an [`Error`] a user interface can
//! branch on, each with what to do about it ([`Error::remedy`]).

use std::fmt;
use std::io;
use std::marker::PhantomData;

use synqpay_link::ErrorCode;
use synqpay_rpc::{DecodeError, Message, Method, RpcErrorCode};
use synqpay_session::outcome::Unanswered;
use synqpay_session::{CallError, Failure, SendError};

use crate::tls::TlsError;

/// What went wrong. Each variant says whose fault it is; [`Error::remedy`] says what to do.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The device's address does not resolve to anything to connect to.
    Address {
        /// The address as given.
        addr: String,
        /// What the resolver said, if it failed.
        cause: Option<io::Error>,
    },
    /// No API key yet: pair with the device first ([`crate::Client::pair`]).
    NotPaired,
    /// TLS could not be set up, or the device was not trusted.
    Tls(TlsError),
    /// The request cannot be sent as it is (too large, too many outstanding, parameters that are
    /// not JSON or do not fit the method). Nothing was sent.
    Request(RequestProblem),
    /// The connection failed or was lost.
    Connection(io::Error),
    /// The device answered with a link Error frame (by name); `NOT_AUTHENTICATED`: pair again.
    Link(ErrorCode),
    /// The device answered with a JSON-RPC error.
    Rpc {
        /// The code, by name.
        code: RpcErrorCode,
        /// The device's message, as sent (print it through a sanitiser: it is device text).
        message: String,
        /// Extra data (the reason of a 101, for example) as JSON text.
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
    /// The answer could not be decoded (spec/protocol.md §4).
    Decode(DecodeError),
}

/// Why a request cannot be sent as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RequestProblem {
    /// Larger than the transmit buffer.
    TooLarge,
    /// As many requests are outstanding as the session has room for.
    TooManyPending,
    /// Parameters given as text are not JSON.
    ParamsNotJson,
    /// Parameters do not fit the method (a payment is sent only when its answer can be checked
    /// against it, spec/protocol.md §6).
    ParamsDoNotFit,
    /// The parameters could not be written as JSON.
    Encode,
    /// A payment's `referenceId` is longer than 64 characters (spec/api.md).
    ReferenceTooLong,
}

/// What to do about an [`Error`]: what a user interface tells the cashier or the developer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Remedy {
    /// Pair with the device again: it does not know this key (or none was given).
    PairAgain,
    /// The outcome of a payment is unknown: look it up by this `referenceId`
    /// ([`crate::Client::lookup_transaction`]) before anything else, never send it again on a
    /// guess (spec/protocol.md §6). `None` when the request was not a payment: its effect is
    /// unknown, check the device.
    LookUp(Option<String>),
    /// Check the cable, the network, that the device is on and its address.
    CheckConnection,
    /// Check the device's TLS trust: its root CA file (`--ca`) or its certificate's pin.
    CheckTrust,
    /// The request is wrong: a programming or input error; nothing was sent.
    FixRequest,
    /// The device refused the request for a reason of its own (its code says which): not sent
    /// again automatically; act on the code (a wrong state, a reused referenceId: look it up).
    SeeDeviceAnswer,
    /// Nothing reached the device: it is safe to send the request again.
    SendAgain,
}

impl fmt::Display for Remedy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PairAgain => f.write_str("pair with the device again"),
            Self::LookUp(Some(r)) => write!(
                f,
                "look up referenceId {r} before anything else; do not send the payment again"
            ),
            Self::LookUp(None) => f.write_str("its effect is unknown: check the device"),
            Self::CheckConnection => {
                f.write_str("check the cable or network, that the device is on, and its address")
            }
            Self::CheckTrust => f.write_str(
                "check the device's TLS trust: its root CA (--ca FILE) or its certificate (--pin)",
            ),
            Self::FixRequest => f.write_str("fix the request: nothing was sent"),
            Self::SeeDeviceAnswer => f.write_str("see the device's answer"),
            Self::SendAgain => f.write_str("nothing was sent: it is safe to try again"),
        }
    }
}

impl fmt::Display for RequestProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::TooLarge => "the request is larger than the transmit buffer",
            Self::TooManyPending => "too many requests outstanding",
            Self::ParamsNotJson => "the parameters are not JSON",
            Self::ParamsDoNotFit => "the parameters do not fit the method",
            Self::Encode => "the parameters could not be written as JSON",
            Self::ReferenceTooLong => "the referenceId is longer than 64 characters",
        })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Address {
                addr,
                cause: Some(e),
            } => write!(f, "address {}: {e}", addr.escape_debug()),
            Self::Address { addr, cause: None } => {
                write!(f, "address {} resolves to nothing", addr.escape_debug())
            }
            Self::NotPaired => f.write_str("no API key: pair with the device first"),
            Self::Tls(e) => write!(f, "TLS: {e}"),
            Self::Request(p) => write!(f, "request not sent: {p}"),
            Self::Connection(e) => write!(f, "connection: {e}"),
            // The session's words for it, the same from every driver.
            Self::Link(code) => fmt::Display::fmt(&Failure::Link(*code), f),
            Self::Rpc {
                code,
                message,
                data,
            } => {
                // Device text: escaped and bounded (crate::text).
                write!(
                    f,
                    "the device answered {} ({}): {}",
                    code.name(),
                    code.code(),
                    crate::text::untrusted(message)
                )?;
                data.as_ref()
                    .map_or(Ok(()), |d| write!(f, " {}", crate::text::untrusted(d)))
            }
            Self::Timeout {
                reference_id: Some(r),
            } => write!(
                f,
                "no answer in time, outcome unknown: look up referenceId {r}"
            ),
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

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Address { cause: Some(e), .. } | Self::Connection(e) => Some(e),
            Self::Tls(e) => Some(e),
            _ => None,
        }
    }
}

impl Error {
    /// The first address `addr` resolved to (`resolved`), or [`Error::Address`] saying why
    /// there is none: the one reading of a resolver's answer for every way of connecting.
    pub(crate) fn first_address<A: Iterator<Item = std::net::SocketAddr>>(
        addr: &str,
        resolved: io::Result<A>,
    ) -> Result<std::net::SocketAddr, Error> {
        resolved
            .map_err(|e| Error::Address {
                addr: addr.to_string(),
                cause: Some(e),
            })?
            .next()
            .ok_or_else(|| Error::Address {
                addr: addr.to_string(),
                cause: None,
            })
    }

    /// The error for a request that ended without an answer, as `synqpay_session::outcome`
    /// reads its failure (spec/protocol.md §1, §6).
    pub(crate) fn unanswered(why: Unanswered<'_>) -> Self {
        match why {
            Unanswered::NotSent => Error::NotSent,
            Unanswered::Timeout { reference_id } => Error::Timeout {
                reference_id: reference_id.map(str::to_string),
            },
            Unanswered::Link(code) => Error::Link(code),
            Unanswered::OutcomeUnknown {
                cause,
                reference_id,
            } => Error::OutcomeUnknown {
                cause,
                reference_id: reference_id.map(str::to_string),
            },
        }
    }

    /// Whether the device may have acted on the request: for a payment, look it up by its
    /// `referenceId` ([`Client::lookup_transaction`](crate::Client::lookup_transaction)).
    pub fn outcome_unknown(&self) -> bool {
        matches!(self, Self::Timeout { .. } | Self::OutcomeUnknown { .. })
    }

    /// The payment's `referenceId` to look up, when the outcome is unknown.
    pub fn reference_to_look_up(&self) -> Option<&str> {
        match self {
            Self::Timeout { reference_id } | Self::OutcomeUnknown { reference_id, .. } => {
                reference_id.as_deref()
            }
            _ => None,
        }
    }

    /// What to do about it.
    pub fn remedy(&self) -> Remedy {
        match self {
            Self::NotPaired | Self::Link(ErrorCode::NotAuthenticated) => Remedy::PairAgain,
            Self::Timeout { reference_id } | Self::OutcomeUnknown { reference_id, .. } => {
                Remedy::LookUp(reference_id.clone())
            }
            Self::Address { .. } | Self::Connection(_) => Remedy::CheckConnection,
            Self::Tls(e) => e.remedy(),
            Self::Request(_) => Remedy::FixRequest,
            Self::Rpc {
                code: RpcErrorCode::TransactionAlreadyExist,
                ..
            } => Remedy::LookUp(None),
            Self::Link(_) | Self::Rpc { .. } | Self::Decode(_) => Remedy::SeeDeviceAnswer,
            Self::NotSent => Remedy::SendAgain,
        }
    }
}

impl From<SendError> for Error {
    fn from(e: SendError) -> Self {
        match e {
            SendError::NotConnected => {
                Error::Connection(io::Error::new(io::ErrorKind::NotConnected, "not connected"))
            }
            SendError::NotPaired => Error::NotPaired,
            SendError::TooManyPending | SendError::TxFull => {
                Error::Request(RequestProblem::TooManyPending)
            }
            SendError::TooLarge => Error::Request(RequestProblem::TooLarge),
            SendError::Encode => Error::Request(RequestProblem::Encode),
            SendError::Params => Error::Request(RequestProblem::ParamsDoNotFit),
            SendError::ReferenceTooLong => Error::Request(RequestProblem::ReferenceTooLong),
        }
    }
}

impl From<CallError<'_>> for Error {
    fn from(e: CallError<'_>) -> Self {
        match e {
            CallError::Rpc(e) => rpc_error(&e),
            CallError::Decode(e) => Error::Decode(e),
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
        Ok(synqpay_session::decode_response::<M>(&self.payload)?)
    }

    /// The `result` member as JSON text (`null` when there is none).
    pub fn result_json(&self) -> Result<String, Error> {
        match Message::parse(&self.payload).map_err(Error::Decode)? {
            Message::Response(r) => Ok(r.result.map_or("null".into(), |r| r.as_str().to_string())),
            Message::Error(e) => Err(rpc_error(&e.error)),
            _ => Err(Error::Decode(DecodeError::Envelope(
                synqpay_rpc::EnvelopeError::NotAResponse,
            ))),
        }
    }

    /// The whole JSON-RPC message.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }
}

/// The answer to a call of method `M`: its typed result, read with [`Answer::result`] without
/// naming the method again. It was decoded once when it came, so reading it fails only as
/// that did (never).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer<M: Method> {
    reply: Reply,
    method: PhantomData<fn() -> M>,
}

impl<M: Method> Answer<M> {
    /// Checks that `reply` decodes as `M`'s result.
    pub(crate) fn checked(reply: Reply) -> Result<Self, Error> {
        reply.result::<M>()?;
        Ok(Self {
            reply,
            method: PhantomData,
        })
    }

    /// The typed result, borrowing from the answer.
    pub fn result(&self) -> Result<M::Output<'_>, Error> {
        self.reply.result::<M>()
    }

    /// The answer as it came.
    pub fn reply(&self) -> &Reply {
        &self.reply
    }

    /// The answer as it came, owned.
    pub fn into_reply(self) -> Reply {
        self.reply
    }
}

impl<M: Method> std::ops::Deref for Answer<M> {
    type Target = Reply;

    /// The answer as it came: its JSON ([`Reply::result_json`], [`Reply::payload`]).
    fn deref(&self) -> &Reply {
        &self.reply
    }
}

pub(crate) fn rpc_error(e: &synqpay_rpc::RpcError<'_>) -> Error {
    Error::Rpc {
        code: e.code,
        message: e.message.to_string(),
        data: e.data.map(|d| d.as_str().to_string()),
    }
}
