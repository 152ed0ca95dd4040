//! The device role (spec/protocol.md §1–§2): what the simulator, and any firmware that plays the
//! device, is built on. Malformed input is answered with the right Error frame, a wrong key with
//! NOT_AUTHENTICATED, a KeepAlive with ACK; valid requests go to the application; responses that
//! cannot be delivered are kept for the client's return; one client at a time.

use serde::Serialize;
use synqpay_link::{ApiKey, Decoder, ErrorCode, Frame, FrameError, MessageType};
use synqpay_rpc::{
    Authenticate, EncodeError, Message, Method, Pair, RawJson, RpcErrorCode, encode_error,
    encode_notification, encode_response,
};

use crate::fifo::{Fifo, Pushed, record_kinds};
use crate::tx::{Outgoing, TxQueue, Unframed, framed};
use crate::{Buffer, CachedResponses, DeviceConfig};

mod types;

pub use types::{
    ClientId, Delivery, DeviceBuffers, DeviceConnected, DeviceStats, IncomingRequest, MAX_ID_LEN,
    ReplyTo, RespondError,
};

record_kinds! {
    /// What a request waiting for the application came with (its bytes: the client's id, then
    /// the payload).
    enum Queued {
        /// The paired API key.
        PairedKey = 1,
        /// The zero key (`pair` and `authenticate`).
        ZeroKey = 2,
    }
}

/// The device role of a Synqpay session: sans-IO, `no_std`, no allocation.
///
/// # Driving it
/// 1. [`Device::connect`] for each accepted transport connection (it replaces the current one),
///    [`Device::disconnect`] when it closes;
/// 2. every byte read goes to [`Device::handle_input`];
/// 3. [`Device::poll_request`] until `None`; answer each with [`Device::respond`] (or
///    [`Device::respond_error`]), now or later; events go out with [`Device::notify`];
/// 4. write what [`Device::poll_transmit`] offers and report it with [`Device::transmitted`];
/// 5. call [`Device::handle_timeout`] at [`Device::poll_timeout`].
pub struct Device<B> {
    decoder: Decoder<B>,
    core: DeviceCore<B>,
}

struct DeviceCore<B> {
    config: DeviceConfig,
    api_key: Option<ApiKey>,
    tx: TxQueue<B>,
    requests: Fifo<B, Queued>,
    head_taken: bool,
    cache: Fifo<B, Outgoing>,
    cache_owner: Option<ClientId>,
    client: Option<ClientId>,
    last_rx: u64,
    stats: DeviceStats,
}

impl<B: Buffer> Device<B> {
    /// A device with no client and, until [`Device::set_api_key`], no key: only `pair` and
    /// `authenticate` are accepted then.
    ///
    /// # Panics
    /// If `buffers.rx` is shorter than `synqpay_link::MIN_CAPACITY` (13 bytes).
    pub fn new(config: DeviceConfig, buffers: DeviceBuffers<B>) -> Self {
        Self {
            decoder: Decoder::new(buffers.rx),
            core: DeviceCore {
                config,
                api_key: None,
                tx: TxQueue::new(buffers.tx),
                requests: Fifo::new(buffers.requests),
                head_taken: false,
                cache: Fifo::new(buffers.cache),
                cache_owner: None,
                client: None,
                last_rx: 0,
                stats: DeviceStats::default(),
            },
        }
    }

    /// The key requests must carry (set after a successful `authenticate`).
    pub fn set_api_key(&mut self, key: Option<ApiKey>) {
        self.core.api_key = key;
    }

    /// The key requests must carry.
    pub fn api_key(&self) -> Option<ApiKey> {
        self.core.api_key
    }

    /// Turns response caching on or off (the `cachedResponses` setting); off forgets what was
    /// kept.
    pub fn set_cached_responses(&mut self, cached: CachedResponses) {
        self.core.config.cached_responses = cached == CachedResponses::On;
        if cached == CachedResponses::Off {
            self.core.cache.clear();
        }
    }

    /// The client connected now, if any.
    pub fn client(&self) -> Option<ClientId> {
        self.core.client
    }

    /// Counters, with the decoder's.
    pub fn stats(&self) -> (DeviceStats, synqpay_link::Stats) {
        (self.core.stats, self.decoder.stats())
    }

    /// A client connected. It replaces the one connected before, whose undelivered responses
    /// are kept for it; responses kept for this client are queued first.
    pub fn connect(&mut self, now: u64, client: ClientId) -> DeviceConnected {
        let replaced = self.core.client.is_some();
        if replaced {
            self.disconnect(now);
        }
        self.core.client = Some(client);
        self.core.last_rx = now;
        let mut cached_sent = 0;
        if self.core.cache_owner == Some(client) {
            let DeviceCore { cache, tx, .. } = &mut self.core;
            for frame in cache.iter() {
                if tx.push(frame.kind, frame.tag, frame.bytes).is_ok() {
                    cached_sent += 1;
                }
            }
            self.core.stats.undeliverable += (self.core.cache.len() - cached_sent) as u32;
            self.core.cache.clear();
            self.core.cache_owner = None;
        }
        info!(
            "device: client connected (replaced one: {}), {} cached responses queued",
            replaced, cached_sent
        );
        DeviceConnected {
            replaced,
            cached_sent,
        }
    }

    /// The client's connection is gone: whatever was in flight for it counts as undelivered;
    /// its responses are kept when caching is on.
    pub fn disconnect(&mut self, _now: u64) {
        self.decoder.clear();
        let core = &mut self.core;
        let Some(client) = core.client.take() else {
            return;
        };
        let DeviceCore {
            tx, cache, stats, ..
        } = core;
        let undelivered = tx.frames().any(|f| f.kind == Outgoing::Response);
        let caching = undelivered && core.config.cached_responses;
        if caching {
            claim(cache, &mut core.cache_owner, stats, client);
        }
        for frame in tx.frames().filter(|f| f.kind == Outgoing::Response) {
            if caching && cache.push(Outgoing::Response, 0, frame.bytes).is_ok() {
                stats.cached += 1;
            } else {
                stats.undeliverable += 1;
            }
        }
        tx.clear();
    }

    /// Hands bytes read from the client to the session, in any chunking.
    pub fn handle_input(&mut self, now: u64, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        self.core.last_rx = now;
        let Self { decoder, core } = self;
        decoder.feed(bytes, |frame| core.on_frame(frame));
    }

    /// Gives up on a partial frame that has waited too long (ours: an inter-byte timeout).
    pub fn handle_timeout(&mut self, now: u64) {
        if self.decoder.has_partial_frame()
            && now >= self.core.last_rx + self.core.config.partial_frame_timeout_ms
        {
            if let Some(e) = self.decoder.abandon_partial() {
                self.core.on_frame(Err(e));
            }
            while let Some(frame) = self.decoder.poll() {
                self.core.on_frame(frame);
            }
        }
    }

    /// When [`Device::handle_timeout`] should next be called.
    pub fn poll_timeout(&self) -> Option<u64> {
        self.decoder
            .has_partial_frame()
            .then(|| self.core.last_rx + self.core.config.partial_frame_timeout_ms)
    }

    /// The next request for the application; the one returned before is gone.
    pub fn poll_request(&mut self) -> Option<IncomingRequest<'_>> {
        let core = &mut self.core;
        if core.head_taken {
            core.requests.pop();
            core.head_taken = false;
        }
        let record = core.requests.peek()?;
        core.head_taken = true;
        // Only parsed, valid requests are queued, behind the id of the client that sent them.
        let (client, payload) = record.bytes.split_first_chunk::<16>()?;
        let Ok(Message::Request(request)) = Message::parse(payload) else {
            return None;
        };
        Some(IncomingRequest {
            reply_to: ReplyTo::new(ClientId(*client), request.echo_id())?,
            method: request.method,
            params: request.params,
            zero_key: record.kind == Queued::ZeroKey,
        })
    }

    /// Answers a request with a result.
    pub fn respond<R: Serialize + ?Sized>(
        &mut self,
        reply_to: &ReplyTo,
        result: &R,
    ) -> Result<Delivery, RespondError> {
        self.core
            .send(Outgoing::Response, Some(reply_to.client()), |out| {
                encode_response(out, reply_to.echo_id(), result)
            })
    }

    /// Answers a request with a JSON-RPC error.
    pub fn respond_error(
        &mut self,
        reply_to: &ReplyTo,
        code: RpcErrorCode,
        message: &str,
        data: Option<RawJson<'_>>,
    ) -> Result<Delivery, RespondError> {
        self.core
            .send(Outgoing::Response, Some(reply_to.client()), |out| {
                encode_error(out, Some(reply_to.echo_id()), code, message, data)
            })
    }

    /// Sends a notification (`transactionEvent`). Events are never cached (ours: stale after a
    /// reconnect; the result that follows them is).
    pub fn notify<P: Serialize + ?Sized>(
        &mut self,
        method: &str,
        params: &P,
    ) -> Result<Delivery, RespondError> {
        self.core.send(Outgoing::Event, self.core.client, |out| {
            encode_notification(out, method, params)
        })
    }

    /// The bytes to write to the client next, if any.
    pub fn poll_transmit(&self) -> Option<&[u8]> {
        self.core.tx.pending_bytes()
    }

    /// Reports that the first `n` bytes of [`Device::poll_transmit`] were written.
    pub fn transmitted(&mut self, _now: u64, n: usize) {
        self.core.tx.advance(n, |_, _| {});
    }
}

/// Makes the cache `client`'s: one client's responses are kept at a time (ours), so another
/// client's are dropped (and counted).
fn claim<B: Buffer>(
    cache: &mut Fifo<B, Outgoing>,
    owner: &mut Option<ClientId>,
    stats: &mut DeviceStats,
    client: ClientId,
) {
    if *owner != Some(client) {
        stats.undeliverable += cache.len() as u32;
        cache.clear();
        *owner = Some(client);
    }
}

impl<B: Buffer> DeviceCore<B> {
    /// Frames a payload `write` produces for client `to` and queues it when `to` is connected;
    /// a response for a client that is not is kept for its return.
    fn send(
        &mut self,
        kind: Outgoing,
        to: Option<ClientId>,
        write: impl FnOnce(&mut [u8]) -> Result<usize, EncodeError>,
    ) -> Result<Delivery, RespondError> {
        let t = if kind == Outgoing::Event {
            MessageType::Event
        } else {
            MessageType::Response
        };
        if to.is_some() && to == self.client {
            return match self.tx.push_with(kind, 0, framed(t, None, write)) {
                Pushed::Kept => Ok(Delivery::Queued),
                Pushed::Abandoned(Unframed::Encode) => Err(RespondError::Encode),
                Pushed::Abandoned(Unframed::NoRoom) | Pushed::Full => Err(RespondError::TxFull),
            };
        }
        // Its client is gone: a response is framed straight into the cache, for its return.
        let Some(client) = to.filter(|_| kind == Outgoing::Response) else {
            self.stats.undeliverable += 1;
            return Ok(Delivery::Dropped);
        };
        if !self.config.cached_responses {
            self.stats.undeliverable += 1;
            return Ok(Delivery::Dropped);
        }
        claim(
            &mut self.cache,
            &mut self.cache_owner,
            &mut self.stats,
            client,
        );
        match self
            .cache
            .push_with(Outgoing::Response, 0, framed(t, None, write))
        {
            Pushed::Kept => {
                self.stats.cached += 1;
                Ok(Delivery::Cached)
            }
            Pushed::Abandoned(Unframed::Encode) => Err(RespondError::Encode),
            Pushed::Abandoned(Unframed::NoRoom) | Pushed::Full => {
                self.stats.undeliverable += 1;
                Ok(Delivery::Dropped)
            }
        }
    }

    fn link_frame(&mut self, frame: Frame<'_>) {
        let mut buf = [0u8; 4];
        if let Ok(n) = frame.encode(&mut buf) {
            let _ = self.tx.push(Outgoing::Link, 0, &buf[..n]);
        }
    }

    fn on_frame(&mut self, frame: Result<Frame<'_>, FrameError>) {
        match frame {
            Err(e) => {
                debug!("device: bad frame, answered with an Error frame: {:?}", e);
                self.stats.link_errors += 1;
                self.link_frame(Frame::Error(e.code()));
            }
            Ok(Frame::KeepAlive) => self.link_frame(Frame::Ack),
            Ok(Frame::Ack) => {}
            // A client sends requests and KeepAlives only (spec/protocol.md §1).
            Ok(Frame::Response { .. } | Frame::Event { .. } | Frame::Error(_)) => {
                self.stats.link_errors += 1;
                self.link_frame(Frame::Error(ErrorCode::InvalidMsgType));
            }
            Ok(Frame::Request { api_key, payload }) => self.on_request(api_key, payload),
        }
    }

    fn on_request(&mut self, key: ApiKey, payload: &[u8]) {
        let message = Message::parse(payload);
        let authenticated = self.api_key.is_some_and(|k| k == key);
        let pairing = key.is_zero()
            && matches!(&message, Ok(Message::Request(r)) if r.method == Pair::NAME || r.method == Authenticate::NAME);
        if !authenticated && !pairing {
            warn!("device: request with a wrong API key refused (NOT_AUTHENTICATED)");
            self.stats.not_authenticated += 1;
            self.link_frame(Frame::Error(ErrorCode::NotAuthenticated));
            return;
        }
        let refusal = match &message {
            Err(synqpay_rpc::DecodeError::Json(_)) => {
                Some((None, RpcErrorCode::ParseError, "Parse error"))
            }
            Ok(Message::Request(r)) if r.id.as_wire().len() > MAX_ID_LEN => Some((
                None,
                RpcErrorCode::InvalidRequest,
                "Invalid request: id too long",
            )),
            Ok(Message::Request(r)) => {
                let client = self.client.unwrap_or(ClientId([0; 16]));
                let key = if pairing {
                    Queued::ZeroKey
                } else {
                    Queued::PairedKey
                };
                let queued = self.requests.push_with(key, 0, |out| {
                    let record = out.get_mut(..16 + payload.len()).ok_or(Unframed::NoRoom)?;
                    record[..16].copy_from_slice(&client.0);
                    record[16..].copy_from_slice(payload);
                    Ok::<_, Unframed>(record.len())
                });
                if queued == Pushed::Kept {
                    self.stats.requests += 1;
                    None
                } else {
                    Some((Some(r.echo_id()), RpcErrorCode::GeneralError, "Device busy"))
                }
            }
            _ => Some((None, RpcErrorCode::InvalidRequest, "Invalid request")),
        };
        if let Some((id, code, message)) = refusal {
            self.stats.refused += 1;
            let _ = self.send(Outgoing::Response, self.client, |out| {
                encode_error(out, id, code, message, None)
            });
        }
    }
}
