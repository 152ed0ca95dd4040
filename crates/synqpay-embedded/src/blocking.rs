//! The blocking driver: the client session over any `embedded_io` transport (a UART, a TCP
//! socket), with the caller's clock (spec/protocol.md §1–§6 through `synqpay-session`).

use embedded_io::{Read, ReadReady, Write};
use synqpay_link::ApiKey;
use synqpay_rpc::{
    Authenticate, GetTransaction, Method, NoParams, Pair, ReferenceId, RequestId, StartTransaction,
    StartTransactionParams, TransactionEvent,
};
use synqpay_session::{Buffer, Client, Connected, PairingStep, SendError};

use crate::outcome::{Waiting, discard};
use crate::{Clock, DeviceState, DriverError, SaleOutcome};

/// A blocking Synqpay client over an `embedded_io` transport.
///
/// Each call queues a request, then writes, reads (when [`ReadReady`] says bytes wait), runs the
/// session's timers from the [`Clock`], and returns when the answer is in. Results are handed
/// to a closure while they borrow the session's inbox, so nothing is copied.
pub struct BlockingClient<T, C, B: Buffer, const P: usize = 4> {
    io: T,
    clock: C,
    session: Client<B, P>,
}

impl<T, C, B, const P: usize> BlockingClient<T, C, B, P>
where
    T: Read + Write + ReadReady,
    C: Clock,
    B: Buffer,
{
    /// A driver over a transport that is up.
    pub fn new(io: T, mut clock: C, mut session: Client<B, P>) -> Self {
        session.connect(clock.now_ms());
        Self { io, clock, session }
    }

    /// The transport was reconnected (a new TCP connection, a UART after a reset): outstanding
    /// requests stay outstanding and their cached answers are matched.
    pub fn connected(&mut self) -> Connected {
        let now = self.clock.now_ms();
        self.session.connect(now)
    }

    /// Swaps in a new transport (a new TCP connection, a UART after a reset) and returns the
    /// old one; then call [`connected`](Self::connected).
    pub fn replace_io(&mut self, io: T) -> T {
        core::mem::replace(&mut self.io, io)
    }

    /// The session, for its key, counters and lower-level calls.
    pub fn session(&mut self) -> &mut Client<B, P> {
        &mut self.session
    }

    /// The transport, the clock and the session back.
    pub fn into_parts(self) -> (T, C, Client<B, P>) {
        (self.io, self.clock, self.session)
    }

    /// Calls method `M`; `f` gets the typed result. A method that changes nothing
    /// (`Method::SAFE_TO_RESEND`) whose answer was lost or corrupted on a link still up is sent
    /// once more (spec/protocol.md §6, `Failure::answer_lost`); any other method never.
    pub fn call<M: Method, R>(
        &mut self,
        params: &M::Params<'_>,
        f: impl FnOnce(M::Output<'_>) -> R,
    ) -> Result<R, DriverError<T::Error>> {
        let id = self.queue(|s, now| s.send::<M>(now, params))?;
        let mut call = Waiting::new(id, f);
        match self.wait::<M, _, _>(&mut call) {
            Err(DriverError::Failed(failure))
                if M::SAFE_TO_RESEND && failure.answer_lost() && self.session.is_connected() =>
            {
                let id = self.queue(|s, now| s.send::<M>(now, params))?;
                call.rearm(id);
                self.wait::<M, _, _>(&mut call)
            }
            done => done,
        }
    }

    /// `getStatus`, the usual first call.
    pub fn status<R>(
        &mut self,
        f: impl FnOnce(synqpay_rpc::Status<'_>) -> R,
    ) -> Result<R, DriverError<T::Error>> {
        self.call::<synqpay_rpc::GetStatus, R>(&NoParams, f)
    }

    /// `startTransaction`: each `transactionEvent` goes to `on_event` as it comes, the result to
    /// `f`. Never resent; after a failure whose outcome is unknown, call
    /// [`lookup_transaction`](Self::lookup_transaction) with the same `referenceId`.
    pub fn start_transaction<R>(
        &mut self,
        params: &StartTransactionParams<'_>,
        on_event: &mut dyn FnMut(TransactionEvent<'_>),
        f: impl FnOnce(synqpay_rpc::TransactionResult<'_>) -> R,
    ) -> Result<R, DriverError<T::Error>> {
        let id = self.queue(|s, now| s.start_transaction(now, params))?;
        self.wait::<StartTransaction, _, _>(&mut Waiting::new(id, f).events(on_event))
    }

    /// The money-safe recovery: `getTransaction` by the payment's `referenceId`.
    pub fn lookup_transaction<R>(
        &mut self,
        reference: ReferenceId<'_>,
        f: impl FnOnce(synqpay_rpc::GetTransactionResult<'_>) -> R,
    ) -> Result<R, DriverError<T::Error>> {
        let id = self.queue(|s, now| s.lookup_transaction(now, reference))?;
        self.wait::<GetTransaction, _, _>(&mut Waiting::new(id, f))
    }

    /// `getStatus`, copied out: the state and whether `cancel` applies.
    pub fn device_state(&mut self) -> Result<DeviceState, DriverError<T::Error>> {
        self.status(|s| DeviceState::of(&s))
    }

    /// `startTransaction` for a sale (or any payment), its outcome copied out; each
    /// `transactionEvent` goes to `on_event`. When `charged` is `None`, or on an error whose
    /// [`outcome_unknown`](DriverError::outcome_unknown) says so, call [`look_up`](Self::look_up)
    /// with the same `referenceId` before anything else (spec/protocol.md §6).
    pub fn sale(
        &mut self,
        params: &StartTransactionParams<'_>,
        on_event: &mut dyn FnMut(TransactionEvent<'_>),
    ) -> Result<SaleOutcome, DriverError<T::Error>> {
        self.start_transaction(params, on_event, |r| SaleOutcome::of_result(&r))
    }

    /// The money-safe recovery, its outcome copied out: `getTransaction` by `referenceId`
    /// (not found: [`DriverError::Rpc`] with `TransactionNotFound`, the payment never ran).
    pub fn look_up(
        &mut self,
        reference: ReferenceId<'_>,
    ) -> Result<SaleOutcome, DriverError<T::Error>> {
        self.lookup_transaction(reference, |r| SaleOutcome::of_lookup(&r))
    }

    /// `pair`: the device shows a code on its screen for 30 s (spec/protocol.md §3).
    pub fn pair(&mut self, serial_number: &str) -> Result<(), DriverError<T::Error>> {
        let id = self.queue(|s, now| s.pair(now, serial_number))?;
        self.wait::<Pair, _, _>(&mut Waiting::new(id, discard::<Pair>).pairing(PairingStep::Pair))
    }

    /// `authenticate` with the code from the device's screen: the session keeps the key it
    /// returns, which is also handed back for the caller to store.
    pub fn authenticate(&mut self, otp: &str) -> Result<ApiKey, DriverError<T::Error>> {
        let id = self.queue(|s, now| s.authenticate(now, otp))?;
        self.wait::<Authenticate, _, _>(
            &mut Waiting::new(id, discard::<Authenticate>).pairing(PairingStep::Authenticate),
        )?;
        self.session
            .api_key()
            .ok_or(DriverError::Send(SendError::NotPaired))
    }

    /// Keeps the link between calls for `for_ms` (spec/protocol.md §2): the session's
    /// KeepAlives go out and their ACKs are read, the device's KeepAlives are ACKed, so that a
    /// dead link is found before the next call rather than by it. What else arrives meanwhile
    /// is dropped, as a call drops what is not its own. A link found dead or down is
    /// [`DriverError::LinkDead`]: reconnect, then [`connected`](Self::connected).
    pub fn idle(&mut self, for_ms: u64) -> Result<(), DriverError<T::Error>> {
        let until = self.clock.now_ms().saturating_add(for_ms);
        loop {
            self.transmit()?;
            if crate::outcome::link_lost_while_idle(&mut self.session) {
                return Err(DriverError::LinkDead);
            }
            if self.clock.now_ms() >= until {
                return Ok(());
            }
            self.receive()?;
        }
    }

    fn queue(
        &mut self,
        send: impl FnOnce(&mut Client<B, P>, u64) -> Result<RequestId, SendError>,
    ) -> Result<RequestId, DriverError<T::Error>> {
        let now = self.clock.now_ms();
        send(&mut self.session, now).map_err(DriverError::Send)
    }

    /// Drives the link until the call ends.
    fn wait<M: Method, F, R>(
        &mut self,
        call: &mut Waiting<'_, F>,
    ) -> Result<R, DriverError<T::Error>>
    where
        F: FnOnce(M::Output<'_>) -> R,
    {
        loop {
            self.transmit()?;
            if let Some(done) = call.check::<M, R, B, T::Error, P>(&mut self.session) {
                return done;
            }
            self.receive()?;
        }
    }

    /// Writes what the session has to send. Not generic over the method, so one copy serves
    /// every call (ours: flash).
    fn transmit(&mut self) -> Result<(), DriverError<T::Error>> {
        while let Some(bytes) = self.session.poll_transmit() {
            let n = self.io.write(bytes).map_err(DriverError::Io)?;
            let now = self.clock.now_ms();
            self.session.transmitted(now, n);
        }
        self.io.flush().map_err(DriverError::Io)
    }

    /// Reads what waits (or idles), then runs the session's timers that are due.
    fn receive(&mut self) -> Result<(), DriverError<T::Error>> {
        let mut buf = [0u8; 256];
        if self.io.read_ready().map_err(DriverError::Io)? {
            let n = self.io.read(&mut buf).map_err(DriverError::Io)?;
            let now = self.clock.now_ms();
            if n == 0 {
                info!("driver: the transport closed");
                self.session.disconnect(now);
                return Err(DriverError::Closed);
            }
            self.session.handle_input(now, &buf[..n]);
        } else {
            self.clock.idle();
        }
        let now = self.clock.now_ms();
        // The session runs only the timers that are due (ours: no second reading of
        // poll_timeout here, for flash).
        self.session.handle_timeout(now);
        Ok(())
    }
}
