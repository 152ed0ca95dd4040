//! The async client's handle: what a tokio app calls (spec/protocol.md §2–§6, spec/api.md).

use std::sync::Arc;
use std::time::Duration;

use synqpay_link::ApiKey;
use synqpay_rpc::{
    Authenticate, DecodeError, GetTransaction, Method, RawJson, ReferenceId, RequestId,
    StartTransaction, StartTransactionParams,
};
use synqpay_session::{ClientConfig, Connected, Failure, SendError};
use tokio::sync::{mpsc, oneshot};

use super::canceller::Canceller;
use super::driver::{Command, Driver};
use super::link::Dialer;
use super::state::{Ended, Shared, Ticket};
use crate::calls::{self, Session, SinceSent};
use crate::error::RequestProblem;
use crate::tls::{self, Verification};
use crate::{Answer, Error, Event, Reply};

/// An async Synqpay client over TCP (port 9000) or TLS (port 9443), for tokio apps: the same
/// session, errors ([`Error`], [`Remedy`](crate::Remedy)), answers ([`Answer`]) and events
/// ([`Event`]) as the blocking [`crate::Client`].
///
/// A driver task owns the connection and keeps it alive between calls; calls take `&self` and
/// may run at once (up to 8 outstanding). It must be created inside a tokio runtime with IO and
/// time enabled; dropping it stops the task and closes the connection.
///
/// # Cancel safety and money
///
/// Every future here may be dropped at any `.await` (in `tokio::select!`, under a timeout)
/// without corrupting the session: a request is queued and its waiter registered in one
/// step, and an answer nobody waits for any more is never taken for another call's.
///
/// **A payment whose future is dropped is not stopped.** The sale keeps running on the device:
/// the card may still be charged. Its answer lands in [`Client::late_responses`]; to stop it,
/// use the [`Canceller`] (which still reaches it), and before acting on any outcome, look it
/// up by its `referenceId` ([`Client::lookup_transaction`], spec/protocol.md §6). A cancel
/// button is a `select!` that keeps the sale's future and cancels, then awaits it:
///
/// ```no_run
/// # async fn sale(client: &synqpay_std::asynch::Client) -> Result<(), Box<dyn std::error::Error>> {
/// use synqpay_std::{Amount, ReferenceId, StartTransactionParams};
/// let params = StartTransactionParams::sale(ReferenceId::new("order-1")?, Amount::ils(1250));
/// let sale = client.start_transaction(&params, |event| println!("{event}"));
/// tokio::pin!(sale);
/// let answer = tokio::select! {
///     answer = &mut sale => answer,
///     _ = tokio::time::sleep(std::time::Duration::from_secs(30)) => {
///         client.canceller().cancel();
///         sale.await // CANCELED, or the outcome if it came first
///     }
/// }?;
/// println!("{}", answer.result()?.result);
/// # Ok(()) }
/// ```
pub struct Client {
    shared: Arc<Shared>,
    commands: mpsc::Sender<Command>,
    endpoint: String,
    driver: tokio::task::JoinHandle<()>,
}

impl Client {
    /// Connects to `addr` over TCP (`"192.168.1.20:9000"`, `"pos-terminal.local:9000"`, a
    /// `SocketAddr`: anything tokio resolves; spec/protocol.md §2), without a key yet.
    pub async fn connect(
        addr: impl tokio::net::ToSocketAddrs + std::fmt::Debug,
        config: ClientConfig,
    ) -> Result<Self, Error> {
        let text = format!("{addr:?}");
        let first =
            Error::first_address(text.trim_matches('"'), tokio::net::lookup_host(&addr).await)?;
        Self::open(first.to_string(), config, None).await
    }

    /// Connects to `addr` (`host:port`) over TLS, verifying the device as `verification` says
    /// (by default, [`Verification::default`]: the Synqpay root; spec/protocol.md §2).
    pub async fn connect_tls(
        addr: &str,
        config: ClientConfig,
        verification: &Verification,
    ) -> Result<Self, Error> {
        let tls = tls::client_config(verification).map_err(Error::Tls)?;
        Self::open(addr.to_string(), config, Some(tls)).await
    }

    async fn open(
        addr: String,
        config: ClientConfig,
        tls: Option<Arc<rustls::ClientConfig>>,
    ) -> Result<Self, Error> {
        let shared = Arc::new(Shared::new(config));
        let (commands, received) = mpsc::channel(8);
        let dialer = Dialer {
            addr: addr.clone(),
            tls,
            handshake_deadline: Duration::from_millis(config.request_timeout_ms),
        };
        let mut driver = Driver::new(shared.clone(), received, dialer);
        driver.reconnect().await?;
        Ok(Self {
            shared,
            commands,
            endpoint: addr,
            driver: tokio::spawn(driver.run()),
        })
    }

    /// Uses a key from an earlier pairing.
    pub fn with_api_key(self, key: ApiKey) -> Self {
        self.shared.lock().session.set_api_key(Some(key));
        self
    }

    /// The key in use (given, or learnt by [`Client::authenticate`]).
    pub fn api_key(&self) -> Option<ApiKey> {
        self.shared.lock().session.api_key()
    }

    /// Opens a new connection; requests outstanding on the old one stay outstanding and their
    /// (cached) answers are matched on the new one (spec/protocol.md §2). Paced by a backoff.
    pub async fn reconnect(&self) -> Result<Connected, Error> {
        let (done, result) = oneshot::channel();
        self.command(Command::Reconnect(done), result).await
    }

    /// Calls method `M` and waits for its answer, typed: `client.call::<GetStatus>(&NoParams)
    /// .await?.result()?.device_status`. The device's JSON-RPC error is [`Error::Rpc`].
    ///
    /// A method that changes nothing (`Method::SAFE_TO_RESEND`) is sent once more after a lost
    /// or corrupted answer, on a new connection if the link died (spec/protocol.md §6); any
    /// other method never.
    pub async fn call<M: Method>(&self, params: &M::Params<'_>) -> Result<Answer<M>, Error> {
        let (first, since_sent) = self.once(|s, now| s.send::<M>(now, params)).await;
        let reply = match first {
            Err(e) if M::SAFE_TO_RESEND && calls::worth_resending(&e, since_sent) => {
                self.once(|s, now| s.send::<M>(now, params)).await.0
            }
            other => other,
        }?;
        Answer::checked(reply)
    }

    /// Calls any method with parameters as JSON text (`None`: no parameters); never resent.
    pub async fn call_raw(&self, method: &str, params: Option<&str>) -> Result<Reply, Error> {
        let raw = match params {
            Some(p) => Some(
                RawJson::parse(p.as_bytes())
                    .map_err(|_| Error::Request(RequestProblem::ParamsNotJson))?,
            ),
            None => None,
        };
        self.once(|s, now| s.send_raw(now, method, raw)).await.0
    }

    /// `pair` (spec/protocol.md §3): the device shows a code for 30 s.
    pub async fn pair(&self, serial_number: &str) -> Result<(), Error> {
        let (reply, _) = self.once(|s, now| s.pair(now, serial_number)).await;
        reply?.result_json().map(|_| ())
    }

    /// `authenticate` with the code from the screen (spec/protocol.md §3); the key is kept and
    /// returned.
    pub async fn authenticate(&self, otp: &str) -> Result<ApiKey, Error> {
        let (reply, _) = self.once(|s, now| s.authenticate(now, otp)).await;
        reply?.result::<Authenticate>()?;
        self.api_key()
            .ok_or(Error::Decode(DecodeError::Missing("apiKey")))
    }

    /// `startTransaction` (spec/api.md), handing each notification ([`Event`], typed with
    /// [`Event::event_type`]) to `on_event` as it comes, in order. Never resent; a timeout or
    /// a lost link is [`Error::Timeout`] or [`Error::OutcomeUnknown`] with the `referenceId`
    /// to look up.
    ///
    /// Dropping this future does **not** stop the sale (see [the money rule](Client#cancel-safety-and-money)):
    /// cancel it with [`Client::canceller`]; its answer then lands in
    /// [`Client::late_responses`].
    pub async fn start_transaction(
        &self,
        params: &StartTransactionParams<'_>,
        mut on_event: impl FnMut(&Event),
    ) -> Result<Answer<StartTransaction>, Error> {
        let reference_id = params.reference_id.to_string();
        let ticket = self
            .queue(
                |s, now| s.start_transaction(now, params),
                Some(reference_id.clone()),
            )
            .await?;
        let (reply, _) = wait(ticket, &mut on_event, Some(reference_id)).await;
        Answer::checked(reply?)
    }

    /// A handle that cancels the transaction in progress from any task or thread (the
    /// cashier's cancel button): `cancel` is sent on the connection that carries the sale, and
    /// the sale then answers `CANCELED`. Nothing happens when no transaction runs.
    pub fn canceller(&self) -> Canceller {
        Canceller(Arc::downgrade(&self.shared))
    }

    /// The money-safe recovery (spec/protocol.md §6): `getTransaction` by `referenceId`. The
    /// transaction in the answer must be that one.
    pub async fn lookup_transaction(
        &self,
        reference: ReferenceId<'_>,
    ) -> Result<Answer<GetTransaction>, Error> {
        let (reply, _) = self
            .once(|s, now| s.lookup_transaction(now, reference))
            .await;
        Answer::checked(reply?)
    }

    /// Notifications (spec/api.md "Event") that arrived while no payment's call was waiting
    /// for them, oldest first (at most 64 are kept: a device that floods cannot fill the
    /// memory).
    pub fn events(&self) -> Vec<Event> {
        self.shared.lock().kept.take_events()
    }

    /// Answers no call was waiting for, oldest first: answers to requests whose future was
    /// dropped or that had already failed (with their id), and cached answers to requests of
    /// an earlier session (`None`, spec/protocol.md §2). At most 64 are kept, the oldest
    /// dropped first. For a payment, this is the outcome that was unknown; look it up by
    /// `referenceId` all the same before acting on it.
    pub fn late_responses(&self) -> Vec<(Option<RequestId>, Reply)> {
        self.shared.lock().kept.take_late()
    }

    /// How many late or unsolicited answers and notifications were dropped because 64 were
    /// already waiting, or because a payment's caller was 64 events behind (ours: bounded
    /// memory against a device that floods).
    pub fn dropped(&self) -> u64 {
        self.shared.lock().kept.dropped()
    }

    /// Sends one request and waits for its end: the reply, and whether the device spoke since.
    async fn once(
        &self,
        send: impl FnOnce(&mut Session, u64) -> Result<RequestId, SendError>,
    ) -> (Result<Reply, Error>, SinceSent) {
        match self.queue(send, None).await {
            Ok(ticket) => wait(ticket, &mut |_| {}, None).await,
            Err(e) => (Err(e), SinceSent::Silent),
        }
    }

    /// Queues a request with `send` on a connection: if the last one died (no ACK, the device
    /// closed it), the driver opens a new one first. Nothing is sent again by this.
    async fn queue(
        &self,
        send: impl FnOnce(&mut Session, u64) -> Result<RequestId, SendError>,
        payment: Option<String>,
    ) -> Result<Ticket, Error> {
        let connected = self.shared.lock().session.is_connected();
        if !connected {
            let (done, result) = oneshot::channel();
            self.command(Command::Connect(done), result).await?;
        }
        let ticket = self.shared.lock().queue(send, payment)?;
        self.shared.wake.notify_one();
        Ok(ticket)
    }

    async fn command<T>(
        &self,
        command: Command,
        result: oneshot::Receiver<Result<T, Error>>,
    ) -> Result<T, Error> {
        let stopped = || Error::Connection(std::io::ErrorKind::BrokenPipe.into());
        self.commands.send(command).await.map_err(|_| stopped())?;
        result.await.map_err(|_| stopped())?
    }
}

/// Waits for a request's end, handing a payment's notifications to `on_event` meanwhile, all
/// of them before the end. A driver that stopped leaves the outcome unknown.
async fn wait(
    ticket: Ticket,
    on_event: &mut impl FnMut(&Event),
    reference_id: Option<String>,
) -> (Result<Reply, Error>, SinceSent) {
    let Ticket { mut done, events } = ticket;
    let ended = match events {
        None => done.await,
        Some(mut events) => loop {
            tokio::select! {
                biased;
                Some(event) = events.recv() => on_event(&event),
                ended = &mut done => {
                    while let Ok(event) = events.try_recv() {
                        on_event(&event);
                    }
                    break ended;
                }
            }
        },
    };
    match ended {
        Ok(Ended { end, since_sent }) => (end.into_result(), since_sent),
        Err(_) => {
            let cause = Failure::LinkDead;
            (
                Err(Error::OutcomeUnknown {
                    cause,
                    reference_id,
                }),
                SinceSent::Silent,
            )
        }
    }
}

impl std::fmt::Debug for Client {
    /// Where it is connected; never the key (spec/protocol.md §2: the API key is a secret).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        // The driver also stops when it finds the command channel closed; this stops it at
        // once, even in the middle of a reconnect.
        self.driver.abort();
    }
}
