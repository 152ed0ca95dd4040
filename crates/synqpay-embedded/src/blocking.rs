//! The blocking driver: the client session over any `embedded_io` transport (a UART, a TCP
//! socket), with the caller's clock (spec/protocol.md §1–§6 through `synqpay-session`).

use embedded_io::{Read, ReadReady, Write};
use synqpay_rpc::{
    DecodeError, Message, Method, NoParams, RequestId, RpcErrorCode, StartTransactionParams,
    TransactionEvent,
};
use synqpay_session::{Buffer, CallError, Client, ClientEvent, Connected, Failure, SendError};

use crate::Clock;

/// Why a call did not produce a result.
#[derive(Debug, Clone, PartialEq)]
pub enum DriverError<E> {
    /// The transport failed.
    Io(E),
    /// The request could not be queued.
    Send(SendError),
    /// The request ended without an answer: a link Error frame, a timeout (outcome unknown:
    /// look a payment up by its `referenceId`), never sent.
    Failed(Failure),
    /// The device answered with a JSON-RPC error.
    Rpc(RpcErrorCode),
    /// The answer could not be decoded.
    Decode(DecodeError),
    /// No ACK to a KeepAlive in time: the link is dead; reconnect and call [`BlockingClient::connected`].
    LinkDead,
}

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

    /// The session, for its key, counters and lower-level calls.
    pub fn session(&mut self) -> &mut Client<B, P> {
        &mut self.session
    }

    /// The transport back, and the session.
    pub fn into_parts(self) -> (T, C, Client<B, P>) {
        (self.io, self.clock, self.session)
    }

    /// Calls method `M`; `f` gets the typed result.
    pub fn call<M: Method, R>(
        &mut self,
        params: &M::Params<'_>,
        f: impl FnOnce(M::Output<'_>) -> R,
    ) -> Result<R, DriverError<T::Error>> {
        let now = self.clock.now_ms();
        let id = self
            .session
            .send::<M>(now, params)
            .map_err(DriverError::Send)?;
        self.wait::<M, R>(id, &mut |_| {}, f)
    }

    /// `getStatus`, the usual first call.
    pub fn status<R>(
        &mut self,
        f: impl FnOnce(synqpay_rpc::Status<'_>) -> R,
    ) -> Result<R, DriverError<T::Error>> {
        self.call::<synqpay_rpc::GetStatus, R>(&NoParams, f)
    }

    /// `startTransaction`: each `transactionEvent` goes to `on_event` as it comes, the result to
    /// `f`. Never resent; a failure with an unknown outcome is looked up by its `referenceId`.
    pub fn start_transaction<R>(
        &mut self,
        params: &StartTransactionParams<'_>,
        on_event: &mut dyn FnMut(TransactionEvent<'_>),
        f: impl FnOnce(synqpay_rpc::TransactionResult<'_>) -> R,
    ) -> Result<R, DriverError<T::Error>> {
        let now = self.clock.now_ms();
        let id = self
            .session
            .start_transaction(now, params)
            .map_err(DriverError::Send)?;
        self.wait::<synqpay_rpc::StartTransaction, R>(id, on_event, f)
    }

    /// Drives the link until request `id` ends.
    fn wait<M: Method, R>(
        &mut self,
        id: RequestId,
        on_event: &mut dyn FnMut(TransactionEvent<'_>),
        f: impl FnOnce(M::Output<'_>) -> R,
    ) -> Result<R, DriverError<T::Error>> {
        let mut f = Some(f);
        let mut buf = [0u8; 256];
        loop {
            while let Some(bytes) = self.session.poll_transmit() {
                let n = self.io.write(bytes).map_err(DriverError::Io)?;
                let now = self.clock.now_ms();
                self.session.transmitted(now, n);
            }
            self.io.flush().map_err(DriverError::Io)?;
            if self.io.read_ready().map_err(DriverError::Io)? {
                let n = self.io.read(&mut buf).map_err(DriverError::Io)?;
                let now = self.clock.now_ms();
                self.session.handle_input(now, &buf[..n]);
            } else {
                self.clock.idle();
            }
            let now = self.clock.now_ms();
            if self.session.poll_timeout().is_some_and(|t| t <= now) {
                self.session.handle_timeout(now);
            }
            while let Some(event) = self.session.poll_event() {
                match event {
                    ClientEvent::Response {
                        id: answered,
                        payload,
                    } if answered == id => {
                        let result =
                            synqpay_session::decode_response::<M>(payload).map_err(|e| match e {
                                CallError::Rpc(e) => DriverError::Rpc(e.code),
                                CallError::Decode(e) => DriverError::Decode(e),
                            });
                        return result.map(|output| (f.take().expect("called once"))(output));
                    }
                    ClientEvent::Failed {
                        id: failed,
                        failure,
                        ..
                    } if failed == id => {
                        return Err(DriverError::Failed(failure));
                    }
                    ClientEvent::Notification { payload } => {
                        if let Ok(Message::Notification(n)) = Message::parse(payload)
                            && let Ok(e) = synqpay_rpc::FromRaw::from_raw(n.params, "params")
                        {
                            on_event(e);
                        }
                    }
                    ClientEvent::LinkDead => return Err(DriverError::LinkDead),
                    _ => {}
                }
            }
        }
    }
}
