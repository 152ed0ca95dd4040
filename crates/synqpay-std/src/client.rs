//! A blocking client over TCP for desktop apps (spec/protocol.md §2), driving the client session
//! of `synqpay-session`: typed calls, events as they come, KeepAlive while it waits, reconnect
//! with the session resumed, and the money-safe recovery by `referenceId`.

use std::fmt;
use std::io::{self, ErrorKind, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::pki_types::ServerName;
use synqpay_link::{ApiKey, ErrorCode};
use synqpay_rpc::{
    Authenticate, Message, Method, NoParams, RawJson, ReferenceId, RequestId, RpcErrorCode,
    StartTransactionParams,
};
use synqpay_session::{
    CallError, ClientBuffers, ClientConfig, ClientEvent, Connected, Failure, SendError,
};

use crate::tls::{self, Verification};
use crate::transport::Transport;

type Session = synqpay_session::Client<Vec<u8>, 8>;

/// What went wrong, and whose fault it is.
#[derive(Debug)]
pub enum Error {
    /// Ours to fix: a bad address, no key, a request too large.
    Config(String),
    /// The connection failed or was lost.
    Connection(io::Error),
    /// The device answered with a link Error frame (by name); `NOT_AUTHENTICATED`: pair again.
    Link(ErrorCode),
    /// The device answered with a JSON-RPC error.
    Rpc {
        /// The code, by name.
        code: RpcErrorCode,
        /// The device's message.
        message: String,
        /// Extra data as JSON text.
        data: Option<String>,
    },
    /// No answer in time: the outcome is unknown. For a payment, look it up by its
    /// `referenceId` before anything else (spec/protocol.md §6).
    Timeout {
        /// The payment's `referenceId`, if the request was one.
        reference_id: Option<String>,
    },
    /// The request never left: safe to send again.
    NotSent,
    /// The answer could not be decoded.
    Decode(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Config(what) => write!(f, "configuration: {what}"),
            Self::Connection(e) => write!(f, "connection: {e}"),
            Self::Link(code) => write!(f, "the device sent link error {}", code.name()),
            Self::Rpc {
                code,
                message,
                data,
            } => {
                write!(
                    f,
                    "the device answered {} ({}): {message}",
                    code.name(),
                    code.code()
                )?;
                data.as_ref().map_or(Ok(()), |d| write!(f, " {d}"))
            }
            Self::Timeout {
                reference_id: Some(r),
            } => {
                write!(
                    f,
                    "no answer in time, outcome unknown: look up referenceId {r}"
                )
            }
            Self::Timeout { reference_id: None } => write!(f, "no answer in time, outcome unknown"),
            Self::NotSent => write!(f, "the request was never sent"),
            Self::Decode(e) => write!(f, "the answer could not be decoded: {e}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<SendError> for Error {
    fn from(e: SendError) -> Self {
        match e {
            SendError::NotConnected => {
                Error::Connection(io::Error::new(ErrorKind::NotConnected, "not connected"))
            }
            other => Error::Config(other.to_string()),
        }
    }
}

/// An answer: the response payload, owned. Decode it with [`Reply::result`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    payload: Vec<u8>,
}

impl Reply {
    /// The typed result of method `M`, borrowing from the reply.
    pub fn result<M: Method>(&self) -> Result<M::Output<'_>, Error> {
        synqpay_session::decode_response::<M>(&self.payload).map_err(|e| match e {
            CallError::Rpc(e) => rpc_error(&e),
            CallError::Decode(e) => Error::Decode(e.to_string()),
        })
    }

    /// The `result` member as JSON text (`null` when there is none).
    pub fn result_json(&self) -> Result<String, Error> {
        match Message::parse(&self.payload).map_err(|e| Error::Decode(e.to_string()))? {
            Message::Response(r) => Ok(r.result.map_or("null".into(), |r| r.as_str().to_string())),
            Message::Error(e) => Err(rpc_error(&e.error)),
            _ => Err(Error::Decode("not a response".into())),
        }
    }

    /// The whole JSON-RPC message.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }
}

fn rpc_error(e: &synqpay_rpc::RpcError<'_>) -> Error {
    Error::Rpc {
        code: e.code,
        message: e.message.to_string(),
        data: e.data.map(|d| d.as_str().to_string()),
    }
}

/// A blocking Synqpay client over TCP (port 9000) or TLS (port 9443).
pub struct Client {
    addr: String,
    tls: Option<Arc<rustls::ClientConfig>>,
    stream: Option<Transport<rustls::ClientConnection>>,
    session: Session,
    start: Instant,
}

impl Client {
    /// Connects to `addr` (`host:port`), without a key yet.
    pub fn connect(addr: &str, config: ClientConfig) -> Result<Self, Error> {
        Self::open(addr, config, None)
    }

    /// Connects to `addr` over TLS, verifying the device as `verification` says (by default,
    /// [`Verification::default`]: the Synqpay root, pinned).
    pub fn connect_tls(
        addr: &str,
        config: ClientConfig,
        verification: &Verification,
    ) -> Result<Self, Error> {
        let tls = tls::client_config(verification).map_err(Error::Config)?;
        Self::open(addr, config, Some(tls))
    }

    fn open(
        addr: &str,
        config: ClientConfig,
        tls: Option<Arc<rustls::ClientConfig>>,
    ) -> Result<Self, Error> {
        let buffers = ClientBuffers {
            rx: vec![0u8; 64 * 1024],
            tx: vec![0u8; 16 * 1024],
            inbox: vec![0u8; 128 * 1024],
        };
        let mut client = Self {
            addr: addr.to_string(),
            tls,
            stream: None,
            session: Session::new(config, buffers),
            start: Instant::now(),
        };
        client.reconnect()?;
        Ok(client)
    }

    /// Uses a key from an earlier pairing.
    pub fn with_api_key(mut self, key: ApiKey) -> Self {
        self.session.set_api_key(Some(key));
        self
    }

    /// The key in use (given, or learnt by [`Client::authenticate`]).
    pub fn api_key(&self) -> Option<ApiKey> {
        self.session.api_key()
    }

    fn now(&self) -> u64 {
        self.start.elapsed().as_millis() as u64
    }

    /// Opens a new connection (the old one, if any, is closed). Requests outstanding on the old
    /// one stay outstanding: their answers, cached by the device, are matched on the new one.
    pub fn reconnect(&mut self) -> Result<Connected, Error> {
        let now = self.now();
        self.session.disconnect(now);
        self.stream = None;
        let addr = self
            .addr
            .to_socket_addrs()
            .map_err(|e| Error::Config(format!("address {}: {e}", self.addr)))?
            .next()
            .ok_or_else(|| Error::Config(format!("address {} resolves to nothing", self.addr)))?;
        let stream =
            TcpStream::connect_timeout(&addr, Duration::from_secs(5)).map_err(Error::Connection)?;
        stream.set_nodelay(true).map_err(Error::Connection)?;
        self.stream = Some(match &self.tls {
            None => Transport::Plain(stream),
            Some(config) => Transport::Tls(Box::new(self.handshake(config.clone(), stream)?)),
        });
        Ok(self.session.connect(self.now()))
    }

    /// The TLS handshake, now, so that an untrusted device is refused at connect.
    fn handshake(
        &self,
        config: Arc<rustls::ClientConfig>,
        stream: TcpStream,
    ) -> Result<rustls::StreamOwned<rustls::ClientConnection, TcpStream>, Error> {
        let host = self
            .addr
            .rsplit_once(':')
            .map_or(self.addr.as_str(), |(h, _)| h);
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let name = ServerName::try_from(host.clone())
            .map_err(|e| Error::Config(format!("server name {host}: {e}")))?;
        let conn = rustls::ClientConnection::new(config, name)
            .map_err(|e| Error::Config(e.to_string()))?;
        let mut tls = rustls::StreamOwned::new(conn, stream);
        tls.sock
            .set_read_timeout(Some(Duration::from_secs(5)))
            .map_err(Error::Connection)?;
        while tls.conn.is_handshaking() {
            tls.conn
                .complete_io(&mut tls.sock)
                .map_err(Error::Connection)?;
        }
        Ok(tls)
    }

    /// Calls method `M` and waits for its answer; the device's JSON-RPC error is
    /// [`Error::Rpc`].
    pub fn call<M: Method>(&mut self, params: &M::Params<'_>) -> Result<Reply, Error> {
        let id = self.session.send::<M>(self.now(), params)?;
        self.wait(id, &mut |_| {})
    }

    /// Calls any method with parameters as JSON text (`None`: no parameters).
    pub fn call_raw(&mut self, method: &str, params: Option<&str>) -> Result<Reply, Error> {
        let raw = match params {
            Some(p) => Some(
                RawJson::parse(p.as_bytes()).map_err(|e| Error::Config(format!("params: {e}")))?,
            ),
            None => None,
        };
        let unauthenticated = method == "pair" || method == "authenticate";
        let id = self
            .session
            .send_raw(self.now(), method, raw, unauthenticated, true)?;
        self.wait(id, &mut |_| {})
    }

    /// `pair`: the device shows a code for 30 s.
    pub fn pair(&mut self, serial_number: &str) -> Result<(), Error> {
        let id = self.session.pair(self.now(), serial_number)?;
        self.wait(id, &mut |_| {})
            .and_then(|r| r.result_json())
            .map(|_| ())
    }

    /// `authenticate` with the code from the screen; the key is kept and returned.
    pub fn authenticate(&mut self, otp: &str) -> Result<ApiKey, Error> {
        let id = self.session.authenticate(self.now(), otp)?;
        let reply = self.wait(id, &mut |_| {})?;
        reply.result::<Authenticate>()?;
        self.session
            .api_key()
            .ok_or_else(|| Error::Decode("no apiKey in the answer".into()))
    }

    /// `startTransaction`, handing each `transactionEvent`'s params (JSON text) to `on_event`.
    /// Never resent; a timeout or a lost link is [`Error::Timeout`] with the `referenceId`.
    pub fn start_transaction(
        &mut self,
        params: &StartTransactionParams<'_>,
        on_event: &mut dyn FnMut(&str),
    ) -> Result<Reply, Error> {
        let id = self.session.start_transaction(self.now(), params)?;
        self.wait(id, on_event)
    }

    /// The money-safe recovery: `getTransaction` by `referenceId`.
    pub fn lookup_transaction(&mut self, reference: ReferenceId<'_>) -> Result<Reply, Error> {
        let id = self.session.lookup_transaction(self.now(), reference)?;
        self.wait(id, &mut |_| {})
    }

    /// Keeps the link alive (KeepAlive/ACK) for `duration` while idle, handing events to
    /// `on_event`.
    pub fn idle(
        &mut self,
        duration: Duration,
        on_event: &mut dyn FnMut(&str),
    ) -> Result<(), Error> {
        let until = self.now() + duration.as_millis() as u64;
        while self.now() < until {
            self.pump(until, on_event, None)?;
        }
        Ok(())
    }

    /// Drives the session until request `id` ends.
    fn wait(&mut self, id: RequestId, on_event: &mut dyn FnMut(&str)) -> Result<Reply, Error> {
        loop {
            if let Some(done) = self.pump(u64::MAX, on_event, Some(id))? {
                return done;
            }
        }
    }

    /// One round: write, read until the next timer (at most `until`), run timers, drain events.
    fn pump(
        &mut self,
        until: u64,
        on_event: &mut dyn FnMut(&str),
        waiting: Option<RequestId>,
    ) -> Result<Option<Result<Reply, Error>>, Error> {
        self.flush()?;
        let now = self.now();
        let next = self.session.poll_timeout().unwrap_or(now + 1000).min(until);
        let wait = Duration::from_millis(next.saturating_sub(now).clamp(1, 1000));
        if let Some(stream) = &mut self.stream {
            stream
                .tcp()
                .set_read_timeout(Some(wait))
                .map_err(Error::Connection)?;
            let mut buf = [0u8; 8192];
            match stream.read(&mut buf) {
                Ok(0) => {
                    self.session.disconnect(self.now());
                    self.stream = None;
                }
                Ok(n) => self
                    .session
                    .handle_input(self.start.elapsed().as_millis() as u64, &buf[..n]),
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
        let mut done = None;
        while let Some(event) = self.session.poll_event() {
            match event {
                ClientEvent::Response { id, payload }
                | ClientEvent::LateResponse { id, payload }
                    if Some(id) == waiting =>
                {
                    // A JSON-RPC error is the device's answer, and an `Err` for the caller.
                    done = Some(match Message::parse(payload) {
                        Ok(Message::Error(e)) => Err(rpc_error(&e.error)),
                        _ => Ok(Reply {
                            payload: payload.to_vec(),
                        }),
                    });
                }
                ClientEvent::Failed {
                    id,
                    failure,
                    reference_id,
                } if Some(id) == waiting => {
                    done = Some(Err(match failure {
                        Failure::Link(code) => Error::Link(code),
                        Failure::NotSent => Error::NotSent,
                        Failure::Timeout | Failure::Overflow => Error::Timeout {
                            reference_id: reference_id.map(str::to_string),
                        },
                    }));
                }
                ClientEvent::Notification { payload } => {
                    if let Ok(Message::Notification(n)) = Message::parse(payload) {
                        on_event(n.params.map_or("null", |p| p.as_str()));
                    }
                }
                _ => {}
            }
        }
        if self.stream.is_none()
            && waiting.is_some()
            && done.is_none()
            && !self.session.is_connected()
        {
            // The link is gone while waiting: the request stays outstanding until its deadline,
            // and a reconnect may still bring its cached answer.
            if self.reconnect().is_err() {
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        Ok(done)
    }

    fn flush(&mut self) -> Result<(), Error> {
        let Some(stream) = &mut self.stream else {
            return Ok(());
        };
        while let Some(bytes) = self.session.poll_transmit() {
            match stream.write(bytes) {
                Ok(n) => {
                    let now = self.start.elapsed().as_millis() as u64;
                    self.session.transmitted(now, n);
                }
                Err(e) => {
                    self.session
                        .disconnect(self.start.elapsed().as_millis() as u64);
                    self.stream = None;
                    return Err(Error::Connection(e));
                }
            }
        }
        stream.flush().map_err(Error::Connection)
    }

    /// `getStatus`, for a quick check.
    pub fn status(&mut self) -> Result<Reply, Error> {
        self.call::<synqpay_rpc::GetStatus>(&NoParams)
    }
}
