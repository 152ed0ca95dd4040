//! A blocking client over TCP for desktop apps (spec/protocol.md §2), driving the client session
//! of `synqpay-session`: typed calls, events as they come, KeepAlive while it waits, reconnect
//! with the session resumed, and the money-safe recovery by `referenceId`.

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rustls::pki_types::ServerName;
use synqpay_link::ApiKey;
use synqpay_rpc::{
    Authenticate, Cancel, CancelParams, DecodeError, Method, RawJson, ReferenceId, RequestId,
    StartTransactionParams,
};
use synqpay_session::outcome::Arrival;
use synqpay_session::{ClientConfig, Connected, SendError};

use crate::backoff::Backoff;
use crate::calls::{self, End, Kept, Session, SinceSent, Sorted};
use crate::error::RequestProblem;
use crate::resumed::Resumed;
use crate::tls::{self, TlsError, Verification};
use crate::transport::{Endpoint, Transport};
use crate::{Error, Event, Reply};

/// One connection's driver: the session, its transport, and the clock. Not shared: [`Client`]
/// wraps it for use from the caller's thread and the background keeper.
///
/// [`Client`]: crate::Client
pub(crate) struct Connection {
    endpoint: Endpoint,
    config: ClientConfig,
    tls: Option<Arc<rustls::ClientConfig>>,
    stream: Option<Transport<rustls::ClientConnection>>,
    session: Session,
    start: Instant,
    /// Notifications that arrived while no call was waiting, and answers that arrived after
    /// their request had failed or for a request of an earlier session (for a payment: its
    /// outcome); bounded.
    pub(crate) kept: Kept,
    /// When the next connection attempt may be made.
    backoff: Backoff,
    /// When bytes last came from the device (ms of `start`).
    last_rx: u64,
    /// The question asked after a reconnect, while a payment of the earlier connection waits.
    resumed: Resumed,
}

impl Connection {
    /// Connects to `addr` (`"host:port"`, a `SocketAddr`, ...), without a key yet.
    pub(crate) fn connect(
        addr: impl ToSocketAddrs + std::fmt::Debug,
        config: ClientConfig,
    ) -> Result<Self, Error> {
        let text = format!("{addr:?}");
        let first = Error::first_address(text.trim_matches('"'), addr.to_socket_addrs())?;
        Self::open(Endpoint::Tcp(first.to_string()), config, None)
    }

    /// Opens the serial port `path` at `baud` (8N1, no flow control), without a key yet.
    #[cfg(feature = "serial")]
    pub(crate) fn connect_serial(
        path: &str,
        baud: u32,
        config: ClientConfig,
    ) -> Result<Self, Error> {
        let endpoint = Endpoint::Serial {
            path: path.to_string(),
            baud,
        };
        Self::open(endpoint, config, None)
    }

    /// Connects to `addr` over TLS, verifying the device as `verification` says (by default,
    /// [`Verification::default`]: the Synqpay root, pinned).
    pub(crate) fn connect_tls(
        addr: &str,
        config: ClientConfig,
        verification: &Verification,
    ) -> Result<Self, Error> {
        let tls = tls::client_config(verification).map_err(Error::Tls)?;
        Self::open(Endpoint::Tcp(addr.to_string()), config, Some(tls))
    }

    fn open(
        endpoint: Endpoint,
        config: ClientConfig,
        tls: Option<Arc<rustls::ClientConfig>>,
    ) -> Result<Self, Error> {
        let mut client = Self {
            endpoint,
            config,
            tls,
            stream: None,
            session: calls::new_session(config),
            start: Instant::now(),
            kept: Kept::default(),
            backoff: Backoff::default(),
            last_rx: 0,
            resumed: Resumed::default(),
        };
        client.reconnect()?;
        Ok(client)
    }

    /// Where it connects.
    pub(crate) fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// Uses a key from an earlier pairing.
    pub(crate) fn set_api_key(&mut self, key: ApiKey) {
        self.session.set_api_key(Some(key));
    }

    /// The key in use (given, or learnt by `authenticate`).
    pub(crate) fn api_key(&self) -> Option<ApiKey> {
        self.session.api_key()
    }

    fn now(&self) -> u64 {
        self.start.elapsed().as_millis() as u64
    }

    /// Opens a new connection (the old one, if any, is closed). Requests outstanding on the old
    /// one stay outstanding: their answers, cached by the device, are matched on the new one.
    pub(crate) fn reconnect(&mut self) -> Result<Connected, Error> {
        let now = self.now();
        self.session.disconnect(now);
        self.stream = None;
        // Paced: a device that accepts and closes at once is not hammered (ours).
        std::thread::sleep(self.backoff.wait(Instant::now()));
        self.backoff.attempted(Instant::now());
        let addr = match &self.endpoint {
            Endpoint::Tcp(addr) => addr.clone(),
            Endpoint::Serial { path, baud } => {
                // A serial line has no connection to open: the port is (re)opened, and what
                // the device sent while it was closed may be lost (ours: recovered by
                // referenceId, as after any outage).
                #[cfg(feature = "serial")]
                {
                    let timeout = Duration::from_millis(100);
                    let port = crate::transport::open_serial(path, *baud, timeout)
                        .map_err(Error::Connection)?;
                    self.stream = Some(Transport::Serial(port));
                    let now = self.now();
                    return Ok(self.resumed.connect(&mut self.session, now));
                }
                #[cfg(not(feature = "serial"))]
                {
                    let _ = (path, baud);
                    return Err(Error::Connection(std::io::Error::new(
                        ErrorKind::Unsupported,
                        "built without the serial feature",
                    )));
                }
            }
        };
        let addr = Error::first_address(&addr, addr.to_socket_addrs())?;
        let stream =
            TcpStream::connect_timeout(&addr, Duration::from_secs(5)).map_err(Error::Connection)?;
        stream.set_nodelay(true).map_err(Error::Connection)?;
        // Ours: a device that stops reading fails a write in 5 s (a lost link, see `flush`),
        // rather than holding the call forever.
        stream
            .set_write_timeout(Some(Duration::from_secs(5)))
            .map_err(Error::Connection)?;
        self.stream = Some(match &self.tls {
            None => Transport::Plain(stream),
            Some(config) => Transport::Tls(Box::new(self.handshake(config.clone(), stream)?)),
        });
        let now = self.now();
        Ok(self.resumed.connect(&mut self.session, now))
    }

    /// Queues a new request with `send`, on a connection: if the last one died (no ACK, the
    /// device closed it), a new one is opened first. Nothing is sent again by this: only the
    /// new request goes.
    fn queue(
        &mut self,
        send: impl FnOnce(&mut Session, u64) -> Result<RequestId, SendError>,
    ) -> Result<RequestId, Error> {
        if !self.session.is_connected() {
            self.reconnect()?;
        }
        let now = self.now();
        Ok(send(&mut self.session, now)?)
    }

    /// The TLS handshake, now, so that an untrusted device is refused at connect.
    fn handshake(
        &self,
        config: Arc<rustls::ClientConfig>,
        stream: TcpStream,
    ) -> Result<rustls::StreamOwned<rustls::ClientConnection, TcpStream>, Error> {
        let addr = self.endpoint.to_string();
        let host = addr.rsplit_once(':').map_or(addr.as_str(), |(h, _)| h);
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let name = ServerName::try_from(host.clone())
            .map_err(|_| Error::Tls(TlsError::ServerName { host }))?;
        let conn =
            rustls::ClientConnection::new(config, name).map_err(|_| Error::Tls(TlsError::Setup))?;
        let mut tls = rustls::StreamOwned::new(conn, stream);
        // One deadline for the whole handshake, however slowly the device sends it (ours: the
        // request deadline, 10 s by default).
        let deadline = Instant::now() + Duration::from_millis(self.config.request_timeout_ms);
        let mut sock = Deadlined {
            sock: &mut tls.sock,
            deadline,
        };
        while tls.conn.is_handshaking() {
            // A refused certificate, no handshake in time, not TLS: a typed TLS error (with the
            // device's fingerprint to pin); the rest stays a connection error.
            tls.conn.complete_io(&mut sock).map_err(|e| {
                TlsError::from_handshake(&e).map_or(Error::Connection(e), Error::Tls)
            })?;
        }
        Ok(tls)
    }

    /// Calls method `M` and waits for its answer; the device's JSON-RPC error is
    /// [`Error::Rpc`].
    ///
    /// A method that changes nothing ([`Method::SAFE_TO_RESEND`]) is sent once more after a lost
    /// or corrupted answer, on a new connection if the link died (spec/protocol.md §6); any
    /// other method never.
    pub(crate) fn call<M: Method>(&mut self, params: &M::Params<'_>) -> Result<Reply, Error> {
        let sent_at = self.now();
        let id = self.queue(|s, now| s.send::<M>(now, params))?;
        match self.wait(id, None) {
            Err(e)
                if M::SAFE_TO_RESEND
                    && calls::worth_resending(&e, SinceSent::of(self.last_rx, sent_at)) =>
            {
                let id = self.queue(|s, now| s.send::<M>(now, params))?;
                self.wait(id, None)
            }
            other => other,
        }
    }

    /// Calls any method with parameters as JSON text (`None`: no parameters).
    pub(crate) fn call_raw(&mut self, method: &str, params: Option<&str>) -> Result<Reply, Error> {
        let raw = match params {
            Some(p) => Some(
                RawJson::parse(p.as_bytes())
                    .map_err(|_| Error::Request(RequestProblem::ParamsNotJson))?,
            ),
            None => None,
        };
        // The method's own deadline and key (synqpay_rpc::MethodInfo::by_name); never resent.
        let id = self.queue(|s, now| s.send_raw(now, method, raw))?;
        self.wait(id, None)
    }

    /// `pair`: the device shows a code for 30 s.
    pub(crate) fn pair(&mut self, serial_number: &str) -> Result<(), Error> {
        let id = self.queue(|s, now| s.pair(now, serial_number))?;
        self.wait(id, None)
            .and_then(|r| r.result_json())
            .map(|_| ())
    }

    /// `authenticate` with the code from the screen; the key is kept and returned.
    pub(crate) fn authenticate(&mut self, otp: &str) -> Result<ApiKey, Error> {
        let id = self.queue(|s, now| s.authenticate(now, otp))?;
        let reply = self.wait(id, None)?;
        reply.result::<Authenticate>()?;
        self.session
            .api_key()
            .ok_or(Error::Decode(DecodeError::Missing("apiKey")))
    }

    /// `startTransaction`, handing each notification to `on_event` as it comes.
    /// Never resent; a timeout or a lost link is [`Error::Timeout`] with the `referenceId`.
    ///
    /// While it runs, a [`cancel`](crate::Canceller::cancel) sends `cancel` with its
    /// `referenceId` on this same connection (field: a second connection would replace this one).
    pub(crate) fn start_transaction(
        &mut self,
        params: &StartTransactionParams<'_>,
        on_event: &mut dyn FnMut(&Event),
        cancel: &AtomicBool,
    ) -> Result<Reply, Error> {
        cancel.store(false, Ordering::SeqCst);
        let id = self.queue(|s, now| s.start_transaction(now, params))?;
        // From here on the sale may be running on the device: every failure is the session's
        // to report (an unknown outcome with the referenceId), never an error of this loop's.
        let mut cancel_asked = false;
        loop {
            cancel_asked |= cancel.swap(false, Ordering::SeqCst);
            if cancel_asked && self.session.is_connected() {
                let cancel = CancelParams {
                    reference_id: params.reference_id,
                };
                // The sale answers too (CANCELED): that answer is the one waited for. Without
                // a link, the cancel waits for the next one (the sale may still be running).
                if self.session.send::<Cancel>(self.now(), &cancel).is_ok() {
                    cancel_asked = false;
                }
            }
            if let Some(done) = self.pump(u64::MAX, Some(&mut *on_event), Some(id)) {
                return done;
            }
        }
    }

    /// The money-safe recovery: `getTransaction` by `referenceId`.
    pub(crate) fn lookup_transaction(
        &mut self,
        reference: ReferenceId<'_>,
    ) -> Result<Reply, Error> {
        let id = self.queue(|s, now| s.lookup_transaction(now, reference))?;
        self.wait(id, None)
    }

    /// One round of driving the link with no call waiting, reading for at most `wait`:
    /// timers, the device's KeepAlives, notifications and late answers kept for the caller.
    pub(crate) fn pump_idle(&mut self, wait: Duration) {
        let until = self.now() + wait.as_millis() as u64;
        self.pump(until, None, None);
    }

    /// Drives the session until request `id` ends; its notifications go to `on_event`, or, for
    /// a call that takes none, are kept for [`Client::events`](crate::Client::events).
    fn wait<'f>(
        &mut self,
        id: RequestId,
        mut on_event: Option<&mut (dyn FnMut(&Event) + 'f)>,
    ) -> Result<Reply, Error> {
        loop {
            if let Some(done) = self.pump(u64::MAX, on_event.as_deref_mut(), Some(id)) {
                return done;
            }
        }
    }

    /// One round: write, read until the next timer (at most `until`), run timers, drain events;
    /// the end of request `waiting`, if it came. A round has no failure of its own: what the
    /// transport does (closes, fails a read or a write) is a lost link, which the session
    /// reports for each request in its own terms.
    pub(crate) fn pump<'f>(
        &mut self,
        until: u64,
        mut on_event: Option<&mut (dyn FnMut(&Event) + 'f)>,
        waiting: Option<RequestId>,
    ) -> Option<Result<Reply, Error>> {
        self.flush();
        let now = self.now();
        let next = self.session.poll_timeout().unwrap_or(now + 1000).min(until);
        let wait = Duration::from_millis(next.saturating_sub(now).clamp(1, 1000));
        if let Some(stream) = &mut self.stream {
            let mut buf = [0u8; 8192];
            let read = stream
                .set_read_timeout(wait)
                .and_then(|()| stream.read(&mut buf));
            match read {
                Ok(0) => {
                    self.session.disconnect(self.now());
                    self.stream = None;
                }
                Ok(n) => {
                    self.last_rx = self.now();
                    self.backoff.proven();
                    self.session.handle_input(self.last_rx, &buf[..n]);
                }
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                Err(_) => {
                    self.session.disconnect(self.now());
                    self.stream = None;
                }
            }
        } else {
            std::thread::sleep(wait);
        }
        self.session.handle_timeout(self.now());
        if !self.session.is_connected() {
            // The session gave the link up (no ACK in time): so does the transport.
            self.stream = None;
        }
        let mut done = None;
        while let Some(event) = self.session.poll_event() {
            match calls::sort(event) {
                // The question asked after a reconnect: read, nobody else's.
                Sorted::Ended { id, end, .. }
                    if self.resumed.ended(&mut self.session, id, &end) => {}
                Sorted::Ended { id, end, .. } if Some(id) == waiting => {
                    done = Some(end.into_result());
                }
                Sorted::Ended {
                    id,
                    arrival: Arrival::Late,
                    end: End::Answered(reply),
                } => self.kept.late(Some(id), reply),
                // Another request's end: the answer to a `cancel` sent during a sale.
                Sorted::Ended { .. } | Sorted::Nothing => {}
                Sorted::Event(event) => match on_event.as_deref_mut() {
                    Some(on_event) => on_event(&event),
                    None => self.kept.event(event),
                },
                Sorted::Unsolicited(reply) => self.kept.late(None, reply),
            }
        }
        if self.stream.is_none()
            && waiting.is_some()
            && done.is_none()
            && !self.session.is_connected()
        {
            // The link is gone while waiting: the request stays outstanding until its deadline,
            // and a reconnect (paced by the backoff) may still bring its cached answer.
            let _ = self.reconnect();
        }
        done
    }

    /// Writes what the session has queued. A failed write is a lost link, which the session
    /// reports for each request in its own terms (queued ones not sent, sent ones outstanding
    /// until answered on a new connection or their deadline): never an error of its own,
    /// which would end a call whose request may be running on the device.
    fn flush(&mut self) {
        let Some(stream) = &mut self.stream else {
            return;
        };
        let lost = loop {
            let Some(bytes) = self.session.poll_transmit() else {
                break stream.flush().is_err();
            };
            match stream.write(bytes) {
                Ok(0) => break true,
                Ok(n) => {
                    let now = self.start.elapsed().as_millis() as u64;
                    self.session.transmitted(now, n);
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => break true,
            }
        };
        if lost {
            self.session
                .disconnect(self.start.elapsed().as_millis() as u64);
            self.stream = None;
        }
    }
}

/// A socket whose every read and write must end by `deadline` (rustls's `complete_io` reads in
/// a loop of its own, so the deadline has to be in the socket).
struct Deadlined<'a> {
    sock: &'a mut TcpStream,
    deadline: Instant,
}

impl Deadlined<'_> {
    fn left(&mut self) -> std::io::Result<Duration> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(std::io::Error::new(
                ErrorKind::TimedOut,
                "the TLS handshake did not finish within the request deadline",
            ));
        }
        Ok(left)
    }
}

impl Read for Deadlined<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let left = self.left()?;
        self.sock.set_read_timeout(Some(left))?;
        self.sock.read(buf)
    }
}

impl Write for Deadlined<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let left = self.left()?;
        self.sock.set_write_timeout(Some(left))?;
        self.sock.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.sock.flush()
    }
}
