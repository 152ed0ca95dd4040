//! The async driver: the client session over any `embedded_io_async` transport (an embassy-net
//! TCP socket, a buffered UART, a TLS connection), awaiting the caller's timer
//! (spec/protocol.md §1–§6 through `synqpay-session`). No executor is tied in.

use embassy_futures::select::{Either, select};
use embedded_io_async::{Read, Write};
use synqpay_link::ApiKey;
use synqpay_rpc::{
    Authenticate, GetTransaction, Method, NoParams, Pair, ReferenceId, RequestId, StartTransaction,
    StartTransactionParams, TransactionEvent,
};
use synqpay_session::{Buffer, Client, Connected, PairingStep, SendError};

use crate::outcome::{Waiting, discard};
use crate::{AsyncClock, DeviceState, DriverError, SaleOutcome};

/// An async Synqpay client over an `embedded_io_async` transport.
///
/// Each call queues a request, writes it, then awaits whichever comes first: bytes from the
/// transport or the session's next timer (KeepAlive, ACK deadline, request deadline) from the
/// [`AsyncClock`]. Results are handed to a closure while they borrow the session's inbox.
///
/// The transport's `read` must be cancel-safe (a read dropped before it completes loses no
/// bytes), as embassy-net's `TcpSocket`, embassy's buffered UARTs and
/// `embedded_io_adapters` are: a timer that fires first drops the read in progress.
pub struct AsyncClient<T, C, B: Buffer, const P: usize = 4> {
    io: T,
    clock: C,
    session: Client<B, P>,
}

impl<T, C, B, const P: usize> AsyncClient<T, C, B, P>
where
    T: Read + Write,
    C: AsyncClock,
    B: Buffer,
{
    /// A driver over a transport that is up.
    pub fn new(io: T, mut clock: C, mut session: Client<B, P>) -> Self {
        session.connect(clock.now_ms());
        Self { io, clock, session }
    }

    /// The transport was reconnected: outstanding requests stay outstanding and their cached
    /// answers are matched. Give the new transport with [`replace_io`](Self::replace_io).
    pub fn connected(&mut self) -> Connected {
        let now = self.clock.now_ms();
        self.session.connect(now)
    }

    /// Swaps in a new transport (a new TCP connection) and returns the old one; then call
    /// [`connected`](Self::connected).
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
    pub async fn call<M: Method, R>(
        &mut self,
        params: &M::Params<'_>,
        f: impl FnOnce(M::Output<'_>) -> R,
    ) -> Result<R, DriverError<T::Error>> {
        let id = self.queue(|s, now| s.send::<M>(now, params))?;
        let mut call = Waiting::new(id, f);
        match self.wait::<M, _, _>(&mut call).await {
            Err(DriverError::Failed(failure))
                if M::SAFE_TO_RESEND && failure.answer_lost() && self.session.is_connected() =>
            {
                let id = self.queue(|s, now| s.send::<M>(now, params))?;
                call.rearm(id);
                self.wait::<M, _, _>(&mut call).await
            }
            done => done,
        }
    }

    /// `getStatus`, the usual first call.
    pub async fn status<R>(
        &mut self,
        f: impl FnOnce(synqpay_rpc::Status<'_>) -> R,
    ) -> Result<R, DriverError<T::Error>> {
        self.call::<synqpay_rpc::GetStatus, R>(&NoParams, f).await
    }

    /// `startTransaction`: each `transactionEvent` goes to `on_event` as it comes, the result to
    /// `f`. Never resent; after a failure whose outcome is unknown, call
    /// [`lookup_transaction`](Self::lookup_transaction) with the same `referenceId`.
    pub async fn start_transaction<R>(
        &mut self,
        params: &StartTransactionParams<'_>,
        on_event: &mut dyn FnMut(TransactionEvent<'_>),
        f: impl FnOnce(synqpay_rpc::TransactionResult<'_>) -> R,
    ) -> Result<R, DriverError<T::Error>> {
        let id = self.queue(|s, now| s.start_transaction(now, params))?;
        let mut call = Waiting::new(id, f).events(on_event);
        // `wait`'s loop, written out (ours: awaiting `wait` here puts one more state machine
        // between the sale and the link, 192 B of flash on a Cortex-M4 by `scripts/footprint`).
        loop {
            self.transmit().await?;
            if let Some(done) = call.check::<StartTransaction, R, B, T::Error, P>(&mut self.session)
            {
                return done;
            }
            self.receive().await?;
        }
    }

    /// The money-safe recovery: `getTransaction` by the payment's `referenceId`.
    pub async fn lookup_transaction<R>(
        &mut self,
        reference: ReferenceId<'_>,
        f: impl FnOnce(synqpay_rpc::GetTransactionResult<'_>) -> R,
    ) -> Result<R, DriverError<T::Error>> {
        let id = self.queue(|s, now| s.lookup_transaction(now, reference))?;
        self.wait::<GetTransaction, _, _>(&mut Waiting::new(id, f))
            .await
    }

    /// `getStatus`, copied out: the state and whether `cancel` applies.
    pub async fn device_state(&mut self) -> Result<DeviceState, DriverError<T::Error>> {
        self.status(|s| DeviceState::of(&s)).await
    }

    /// `startTransaction` for a sale (or any payment), its outcome copied out; each
    /// `transactionEvent` goes to `on_event`. When `charged` is `None`, or on an error whose
    /// [`outcome_unknown`](DriverError::outcome_unknown) says so, call [`look_up`](Self::look_up)
    /// with the same `referenceId` before anything else (spec/protocol.md §6).
    pub async fn sale(
        &mut self,
        params: &StartTransactionParams<'_>,
        on_event: &mut dyn FnMut(TransactionEvent<'_>),
    ) -> Result<SaleOutcome, DriverError<T::Error>> {
        self.start_transaction(params, on_event, |r| SaleOutcome::of_result(&r))
            .await
    }

    /// The money-safe recovery, its outcome copied out: `getTransaction` by `referenceId`
    /// (not found: [`DriverError::Rpc`] with `TransactionNotFound`, the payment never ran).
    pub async fn look_up(
        &mut self,
        reference: ReferenceId<'_>,
    ) -> Result<SaleOutcome, DriverError<T::Error>> {
        self.lookup_transaction(reference, |r| SaleOutcome::of_lookup(&r))
            .await
    }

    /// `pair`: the device shows a code on its screen for 30 s (spec/protocol.md §3).
    pub async fn pair(&mut self, serial_number: &str) -> Result<(), DriverError<T::Error>> {
        let id = self.queue(|s, now| s.pair(now, serial_number))?;
        let mut call = Waiting::new(id, discard::<Pair>).pairing(PairingStep::Pair);
        self.wait::<Pair, _, _>(&mut call).await
    }

    /// `authenticate` with the code from the device's screen: the session keeps the key it
    /// returns, which is also handed back for the caller to store.
    pub async fn authenticate(&mut self, otp: &str) -> Result<ApiKey, DriverError<T::Error>> {
        let id = self.queue(|s, now| s.authenticate(now, otp))?;
        let mut call = Waiting::new(id, discard::<Authenticate>).pairing(PairingStep::Authenticate);
        self.wait::<Authenticate, _, _>(&mut call).await?;
        self.session
            .api_key()
            .ok_or(DriverError::Send(SendError::NotPaired))
    }

    /// Keeps the link between calls for about `for_ms` (spec/protocol.md §2): the session's
    /// KeepAlives go out and their ACKs are read, the device's KeepAlives are ACKed, so that a
    /// dead link is found before the next call rather than by it. Returns at the first input
    /// or session timer after `for_ms` (a timer is at most a KeepAlive interval away). What
    /// else arrives meanwhile is dropped, as a call drops what is not its own. A link found
    /// dead or down is [`DriverError::LinkDead`]: reconnect, then
    /// [`connected`](Self::connected).
    pub async fn idle(&mut self, for_ms: u64) -> Result<(), DriverError<T::Error>> {
        let until = self.clock.now_ms().saturating_add(for_ms);
        loop {
            self.transmit().await?;
            if crate::outcome::link_lost_while_idle(&mut self.session) {
                return Err(DriverError::LinkDead);
            }
            if self.clock.now_ms() >= until {
                return Ok(());
            }
            self.receive().await?;
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
    async fn wait<M: Method, F, R>(
        &mut self,
        call: &mut Waiting<'_, F>,
    ) -> Result<R, DriverError<T::Error>>
    where
        F: FnOnce(M::Output<'_>) -> R,
    {
        loop {
            self.transmit().await?;
            if let Some(done) = call.check::<M, R, B, T::Error, P>(&mut self.session) {
                return done;
            }
            self.receive().await?;
        }
    }

    /// Writes what the session has to send. Not generic over the method, so one copy serves
    /// every call (ours: flash).
    async fn transmit(&mut self) -> Result<(), DriverError<T::Error>> {
        while let Some(bytes) = self.session.poll_transmit() {
            let n = self.io.write(bytes).await.map_err(DriverError::Io)?;
            let now = self.clock.now_ms();
            self.session.transmitted(now, n);
        }
        self.io.flush().await.map_err(DriverError::Io)
    }

    /// Awaits bytes or the session's next timer, whichever comes first, and hands it to the
    /// session.
    async fn receive(&mut self) -> Result<(), DriverError<T::Error>> {
        let mut buf = [0u8; 256];
        let deadline = self.session.poll_timeout();
        let clock = &mut self.clock;
        // One read, raced against the timer when there is a deadline (one await of the read:
        // its future is polled from one place, ours: flash).
        let timer = async move {
            match deadline {
                Some(deadline) => clock.wait_until(deadline).await,
                None => core::future::pending().await,
            }
        };
        let read = match select(self.io.read(&mut buf), timer).await {
            Either::First(read) => Some(read),
            Either::Second(()) => None,
        };
        let now = self.clock.now_ms();
        match read {
            Some(Ok(0)) => {
                info!("driver: the transport closed");
                self.session.disconnect(now);
                return Err(DriverError::Closed);
            }
            Some(Ok(n)) => self.session.handle_input(now, &buf[..n]),
            Some(Err(e)) => {
                warn!("driver: transport error");
                return Err(DriverError::Io(e));
            }
            None => {}
        }
        // The session runs only the timers that are due (ours: no second reading of
        // poll_timeout here, for flash).
        self.session.handle_timeout(now);
        Ok(())
    }
}
