//! What the session's events mean for the one call a driver waits on (spec/protocol.md §4
//! answers and errors, §5 events during a transaction, §6 money safety). Both drivers share it:
//! they differ only in how they move bytes and wait.

use synqpay_rpc::{Message, Method, RequestId, TransactionEvent};
use synqpay_session::{Buffer, CallError, Client, ClientEvent, PairingError, PairingStep};

use crate::{DriverError, RpcData};

/// A call in flight: its id, where its events go, and what to do with its result.
pub(crate) struct Waiting<'e, F> {
    id: RequestId,
    /// The pairing step a pairing call is, whose JSON-RPC errors are read as
    /// [`PairingError`]s.
    pairing: Option<PairingStep>,
    on_event: Option<&'e mut dyn FnMut(TransactionEvent<'_>)>,
    f: Option<F>,
}

/// The result handler of a call whose result is not needed (`pair`, `authenticate`).
pub(crate) fn discard<M: Method>(_: M::Output<'_>) {}

impl<'e, F> Waiting<'e, F> {
    /// Waits on `id`; `f` gets the result.
    pub(crate) fn new(id: RequestId, f: F) -> Self {
        Self {
            id,
            pairing: None,
            on_event: None,
            f: Some(f),
        }
    }

    /// Waits on `id` instead: the same call sent once more (a query whose answer was lost).
    pub(crate) fn rearm(&mut self, id: RequestId) {
        self.id = id;
    }

    /// Hands each `transactionEvent` to `on_event` while waiting.
    pub(crate) fn events(mut self, on_event: &'e mut dyn FnMut(TransactionEvent<'_>)) -> Self {
        self.on_event = Some(on_event);
        self
    }

    /// Reads the call's JSON-RPC errors as errors of pairing step `step`.
    pub(crate) fn pairing(mut self, step: PairingStep) -> Self {
        self.pairing = Some(step);
        self
    }

    /// Drains the session's events: `Some` once the call has ended. Events of other requests
    /// (late answers, unsolicited ones) are dropped here; a `transactionEvent` goes to the
    /// caller's callback in the order received.
    pub(crate) fn check<M, R, B, E, const P: usize>(
        &mut self,
        session: &mut Client<B, P>,
    ) -> Option<Result<R, DriverError<E>>>
    where
        M: Method,
        B: Buffer,
        F: FnOnce(M::Output<'_>) -> R,
    {
        while let Some(event) = session.poll_event() {
            match event {
                ClientEvent::Response { id, payload } if id == self.id => {
                    let f = self.f.take()?;
                    let result = synqpay_session::decode_response::<M>(payload);
                    return Some(result.map(f).map_err(|e| match (e, self.pairing) {
                        (CallError::Rpc(e), Some(step)) => {
                            DriverError::Pairing(PairingError::from_rpc(&e, step))
                        }
                        (CallError::Rpc(e), None) => DriverError::Rpc {
                            code: e.code,
                            data: e.data.map_or(RpcData::NONE, |d| RpcData::new(d.as_str())),
                        },
                        (CallError::Decode(e), _) => DriverError::Decode(e),
                    }));
                }
                ClientEvent::Failed { id, failure, .. } if id == self.id => {
                    return Some(Err(DriverError::Failed(failure)));
                }
                ClientEvent::Notification { payload } => {
                    if let Some(on_event) = self.on_event.as_mut()
                        && let Ok(Message::Notification(n)) = Message::parse(payload)
                        && let Ok(e) = synqpay_rpc::FromRaw::from_raw(n.params, "params")
                    {
                        on_event(e);
                    }
                }
                ClientEvent::LinkDead => return Some(Err(DriverError::LinkDead)),
                _ => {}
            }
        }
        None
    }
}
