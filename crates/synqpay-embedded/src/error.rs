//! Why a driver's call did not produce a result (spec/protocol.md §1 link errors, §3 pairing,
//! §4 JSON-RPC errors, §6 an outcome that is unknown).

use synqpay_rpc::{DecodeError, RpcErrorCode};
use synqpay_session::{Failure, PairingError, SendError};

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
    /// The request ended without an answer: a link Error frame, a timeout (outcome unknown:
    /// look a payment up by its `referenceId`), never sent.
    Failed(Failure),
    /// The device answered with a JSON-RPC error.
    Rpc(RpcErrorCode),
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
            Self::Rpc(code) => write!(f, "the device answered with error {code:?}"),
            Self::Pairing(e) => write!(f, "pairing refused: {e:?}"),
            Self::Decode(e) => write!(f, "the answer could not be decoded: {e}"),
            Self::LinkDead => f.write_str("the link is dead: no ACK to a KeepAlive"),
        }
    }
}

impl<E: core::fmt::Debug> core::error::Error for DriverError<E> {}
