//! What the session's events mean for the one call a driver waits on (spec/protocol.md §4
//! answers and errors, §5 events during a transaction, §6 money safety), as
//! `synqpay_session::outcome` reads them for every driver, in this crate's [`DriverError`].
//! Both drivers share it: they differ only in how they move bytes and wait.

use synqpay_rpc::{Method, RequestId, TransactionEvent};
use synqpay_session::outcome::{self, End, Outcome, Unanswered};
use synqpay_session::{Buffer, CallError, Client, PairingError, PairingStep};

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
        let mut link_dead = false;
        while let Some(event) = session.poll_event() {
            match Outcome::of(event) {
                Outcome::Ended { id, end, .. } if id == self.id => {
                    return Some(match end {
                        End::Answered(answer) => {
                            let f = self.f.take()?;
                            answer.result::<M>().map(f).map_err(|e| self.call_error(e))
                        }
                        // A query's or a command's link Error frame is the device's word;
                        // on a payment the session reads it as an unknown outcome.
                        End::Unanswered(Unanswered::Link(code)) => Err(DriverError::Refused(code)),
                        End::Unanswered(why) => Err(DriverError::Failed(why.failure())),
                    });
                }
                Outcome::Notification(n) => {
                    if let Some(on_event) = self.on_event.as_mut()
                        && let Some(e) = outcome::transaction_event(&n)
                    {
                        on_event(e);
                    }
                }
                // The calls on the dead link have ended before this, each with its own end;
                // one still waiting was sent on an earlier connection, and its answer can
                // only come on the next, which this driver leaves to its caller. (A link that
                // died before the caller reconnected says nothing of this call.)
                Outcome::LinkDead => link_dead = true,
                // Other requests' ends (a late answer, the answer to a cancel), answers to no
                // request of this session, nothing: no call here waits for them.
                Outcome::Ended { .. } | Outcome::Unsolicited { .. } | Outcome::Nothing => {}
            }
        }
        (link_dead && !session.is_connected()).then_some(Err(DriverError::LinkDead))
    }

    /// The driver's error for an answer that is no result: pairing's own reading of a JSON-RPC
    /// error, the device's code and data, or why the answer cannot be read.
    fn call_error<E>(&self, e: CallError<'_>) -> DriverError<E> {
        match (e, self.pairing) {
            (CallError::Rpc(e), Some(step)) => {
                DriverError::Pairing(PairingError::from_rpc(&e, step))
            }
            (CallError::Rpc(e), None) => DriverError::Rpc {
                code: e.code,
                data: e.data.map_or(RpcData::NONE, |d| RpcData::new(d.as_str())),
            },
            (CallError::Decode(e), _) => DriverError::Decode(e),
        }
    }
}

/// Drains the session's events while no call waits (`idle` on both drivers): whether the link
/// is found dead or down. The rest is nobody's, as for a call (events, late answers: a payment
/// whose outcome was unknown is looked up by its `referenceId`, never read from these).
pub(crate) fn link_lost_while_idle<B: Buffer, const P: usize>(session: &mut Client<B, P>) -> bool {
    let mut dead = false;
    while let Some(event) = session.poll_event() {
        dead |= matches!(Outcome::of(event), Outcome::LinkDead);
    }
    dead || !session.is_connected()
}
