//! The blocking client a desktop app uses (spec/protocol.md §2): calls from the caller's thread,
//! and a keeper thread that drives the link while no call runs, so that KeepAlives go out and
//! the device's KeepAlives are answered however long the app stays idle.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::thread::JoinHandle;
use std::time::Duration;

use synqpay_link::ApiKey;
use synqpay_rpc::{
    GetTransaction, Method, ReferenceId, RequestId, StartTransaction, StartTransactionParams,
};
use synqpay_session::{ClientConfig, Connected};

use crate::connection::Connection;
use crate::tls::Verification;
use crate::{Answer, Error, Event, Reply};

/// How often the keeper looks at an idle link, and how long it reads each time.
const KEEPER_PERIOD: Duration = Duration::from_millis(100);

/// A blocking Synqpay client over TCP (port 9000), TLS (port 9443) or a serial port.
///
/// Calls block the calling thread until their answer; between calls a background thread keeps
/// the link alive. Notifications that arrive between calls are kept for [`Client::events`], and
/// answers no call was waiting for (late, or cached for an earlier session) for
/// [`Client::late_responses`].
pub struct Client {
    inner: Arc<Mutex<Connection>>,
    cancel: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
    keeper: Option<JoinHandle<()>>,
}

impl Client {
    /// Connects to `addr` (`"192.168.1.20:9000"`, `"pos-terminal.local:9000"`, a
    /// `SocketAddr`: anything [`ToSocketAddrs`](std::net::ToSocketAddrs)), without a key yet.
    pub fn connect(
        addr: impl std::net::ToSocketAddrs + std::fmt::Debug,
        config: ClientConfig,
    ) -> Result<Self, Error> {
        Ok(Self::keep(Connection::connect(addr, config)?))
    }

    /// Connects to `addr` over TLS, verifying the device as `verification` says (by default,
    /// [`Verification::default`]: the Synqpay root, pinned).
    pub fn connect_tls(
        addr: &str,
        config: ClientConfig,
        verification: &Verification,
    ) -> Result<Self, Error> {
        Ok(Self::keep(Connection::connect_tls(
            addr,
            config,
            verification,
        )?))
    }

    /// Opens the serial port `path` (`/dev/ttyUSB0`, `COM3`) at `baud` (the device's default:
    /// [`DEFAULT_BAUD`](crate::DEFAULT_BAUD)), 8N1, no flow control, without a key yet.
    /// [`Client::reconnect`] reopens the port.
    #[cfg(feature = "serial")]
    pub fn connect_serial(path: &str, baud: u32, config: ClientConfig) -> Result<Self, Error> {
        Ok(Self::keep(Connection::connect_serial(path, baud, config)?))
    }

    fn keep(connection: Connection) -> Self {
        let inner = Arc::new(Mutex::new(connection));
        let stop = Arc::new(AtomicBool::new(false));
        let (weak, flag) = (Arc::downgrade(&inner), stop.clone());
        let keeper = std::thread::Builder::new()
            .name("synqpay-keeper".into())
            .spawn(move || keeper(weak, flag))
            .ok();
        Self {
            inner,
            cancel: Arc::new(AtomicBool::new(false)),
            stop,
            keeper,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic elsewhere while holding the lock leaves a connection that is still usable.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Uses a key from an earlier pairing.
    pub fn with_api_key(self, key: ApiKey) -> Self {
        self.lock().set_api_key(key);
        self
    }

    /// The key in use (given, or learnt by [`Client::authenticate`]).
    pub fn api_key(&self) -> Option<ApiKey> {
        self.lock().api_key()
    }

    /// Opens a new connection; requests outstanding on the old one stay outstanding and their
    /// (cached) answers are matched on the new one.
    pub fn reconnect(&mut self) -> Result<Connected, Error> {
        self.lock().reconnect()
    }

    /// Calls method `M` and waits for its answer, typed: `client.call::<GetStatus>(&NoParams)?
    /// .result()?.device_status`. The device's JSON-RPC error is [`Error::Rpc`].
    pub fn call<M: Method>(&mut self, params: &M::Params<'_>) -> Result<Answer<M>, Error> {
        Answer::checked(self.lock().call::<M>(params)?)
    }

    /// Calls any method with parameters as JSON text (`None`: no parameters).
    pub fn call_raw(&mut self, method: &str, params: Option<&str>) -> Result<Reply, Error> {
        self.lock().call_raw(method, params)
    }

    /// `pair`: the device shows a code for 30 s.
    pub fn pair(&mut self, serial_number: &str) -> Result<(), Error> {
        self.lock().pair(serial_number)
    }

    /// `authenticate` with the code from the screen; the key is kept and returned.
    pub fn authenticate(&mut self, otp: &str) -> Result<ApiKey, Error> {
        self.lock().authenticate(otp)
    }

    /// `startTransaction`, handing each notification ([`Event`], typed with
    /// [`Event::event_type`]) to `on_event` as it comes. Never resent; a timeout or a lost link is [`Error::Timeout`] with the
    /// `referenceId` to look up.
    pub fn start_transaction(
        &mut self,
        params: &StartTransactionParams<'_>,
        on_event: &mut dyn FnMut(&Event),
    ) -> Result<Answer<StartTransaction>, Error> {
        let cancel = self.cancel.clone();
        Answer::checked(self.lock().start_transaction(params, on_event, &cancel)?)
    }

    /// A handle that cancels the transaction in progress from any thread (the cashier's
    /// cancel button): `cancel` is sent on the connection that carries the sale, and the sale
    /// then answers `CANCELED`. Nothing happens when no transaction runs.
    pub fn canceller(&self) -> Canceller {
        Canceller(self.cancel.clone())
    }

    /// The money-safe recovery: `getTransaction` by `referenceId`.
    pub fn lookup_transaction(
        &mut self,
        reference: ReferenceId<'_>,
    ) -> Result<Answer<GetTransaction>, Error> {
        Answer::checked(self.lock().lookup_transaction(reference)?)
    }

    /// Notifications (params as JSON text) that arrived while no call was waiting, oldest first
    /// (at most 64 are kept: a device that floods cannot fill the memory).
    pub fn events(&mut self) -> Vec<Event> {
        self.lock().kept.take_events()
    }

    /// Answers no call was waiting for, oldest first: answers to requests that had already
    /// failed (with their id), and cached answers to requests of an earlier session, such as an
    /// app that was killed in mid-sale, or another app on the same machine: `None`, spec
    /// §2). At most 64 are kept, the oldest dropped first. For a payment, this is the outcome
    /// that was unknown; look it up by `referenceId` all the same before acting on it.
    pub fn late_responses(&mut self) -> Vec<(Option<RequestId>, Reply)> {
        self.lock().kept.take_late()
    }

    /// How many late or unsolicited answers and idle notifications were dropped, oldest first,
    /// because 64 were already waiting (ours: bounded memory against a device that floods).
    pub fn dropped(&self) -> u64 {
        self.lock().kept.dropped()
    }
}

impl std::fmt::Debug for Client {
    /// Where it is connected; never the key (spec: the API key is a secret).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("Client");
        if let Ok(connection) = self.inner.try_lock() {
            d.field("endpoint", &connection.endpoint().to_string());
        }
        d.finish_non_exhaustive()
    }
}

/// Cancels the transaction in progress on its [`Client`]; see [`Client::canceller`].
#[derive(Debug, Clone)]
pub struct Canceller(Arc<AtomicBool>);

impl Canceller {
    /// Asks for the running transaction to be cancelled.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(keeper) = self.keeper.take() {
            let _ = keeper.join();
        }
    }
}

/// Drives the link while no call holds it: timers (KeepAlive, ACK deadline), the device's
/// KeepAlives, and whatever arrives unasked.
fn keeper(connection: Weak<Mutex<Connection>>, stop: Arc<AtomicBool>) {
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(KEEPER_PERIOD);
        let Some(connection) = connection.upgrade() else {
            return;
        };
        // A call in progress drives the link itself; the keeper only steps in when it is free.
        let Ok(mut connection) = connection.try_lock() else {
            continue;
        };
        connection.pump_idle(KEEPER_PERIOD / 2);
    }
}
