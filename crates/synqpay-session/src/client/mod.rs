//! The client role (spec/protocol.md §1–§6): requests out with the API key, answers matched by
//! id, events in order, KeepAlive/ACK, link Error frames, deadlines, and a session that outlives
//! its connections.

mod event;
mod inbound;
mod pending;
mod resumed;
mod types;

use synqpay_link::{ApiKey, Decoder, ErrorCode, Frame, MessageType, SwappedCrc};
use synqpay_rpc::{
    Authenticate, AuthenticateParams, ContinueTransaction, EncodeError, GetTransaction,
    GetTransactionParams, IdGenerator, IdPrefix, Method, MethodInfo, Pair, PairParams, RawJson,
    ReferenceId, RequestBinding, RequestId, StartTransaction, StartTransactionParams, Text,
    encode_call, encode_raw_request,
};

pub use event::{CallError, ClientEvent, Failure, PairingError, PairingStep, decode_response};
use pending::{Binding, Kind, Outcome, Pending, Recent, Reference, Report, Unreported};
pub use types::{ClientBuffers, ClientStats, Connected, SendError};

use crate::fifo::{Fifo, Pushed, record_kinds};
use crate::tx::{Outgoing, TxQueue, Unframed, framed};
use crate::{Buffer, ClientConfig};

record_kinds! {
    /// What a record of the client's inbox is; its tag is the request id where there is one.
    enum Inbound {
        /// The answer to a request waiting for it.
        Response = 1,
        /// A notification.
        Notification = 2,
        /// A request failed: its pending entry holds the failure until it is reported.
        Failed = 3,
        /// An answer to a request that had already failed.
        Late = 4,
        /// An answer to no request of this session.
        Unsolicited = 5,
        /// No ACK in time: the link is dead.
        LinkDead = 6,
        /// A link Error frame about no request (its one byte: the code).
        LinkError = 7,
    }
}

/// A link to the device that is up.
#[derive(Debug, Clone, Copy)]
struct Link {
    keepalive_due: u64,
    ack_deadline: Option<u64>,
    /// KeepAlives queued on this connection, and ACKs received: ACK number n answers
    /// KeepAlive number n (spec/protocol.md §1, the fence rule).
    keepalives: u32,
    acks: u32,
}

/// The client role of a Synqpay session: sans-IO, `no_std`, no allocation.
///
/// # Driving it
/// The caller owns the transport and the clock (`now` in milliseconds, monotonic):
/// 1. when the transport connects, call [`Client::connect`]; when it closes, [`Client::disconnect`];
/// 2. queue requests with [`Client::send`] and its typed helpers;
/// 3. write what [`Client::poll_transmit`] offers and report it with [`Client::transmitted`];
/// 4. hand every byte read to [`Client::handle_input`];
/// 5. call [`Client::handle_timeout`] when the time from [`Client::poll_timeout`] has come;
/// 6. drain [`Client::poll_event`] until `None`.
///
/// Repeat 3–6 after each of 1, 2, 4 and 5. Nothing here blocks, reads a clock or touches I/O.
///
/// `PENDING` is how many requests may be outstanding at once (each costs about 90 bytes).
pub struct Client<B, const PENDING: usize = 4> {
    decoder: Decoder<B>,
    core: Core<B, PENDING>,
}

/// Everything but the decoder, so that frames can be handled while the decoder lends them.
struct Core<B, const PENDING: usize> {
    config: ClientConfig,
    tx: TxQueue<B>,
    inbox: Fifo<B, Inbound>,
    head_taken: bool,
    unreported_lost: u32,
    /// Requests outstanding, and those that failed until [`Client::poll_event`] reports it
    /// (`Pending::ended`: in the inbox's order, or before the inbox when it had no room to hold
    /// the failure's place; ours: a failure is never lost).
    pending: heapless::Vec<Pending, PENDING>,
    /// The failed request [`Client::poll_event`] returned last (its `reference_id` borrows
    /// from it): removed at the next poll.
    reporting: Option<RequestId>,
    recent: Recent,
    /// The `referenceId` (and amount to check) of the last payment queued: what a
    /// `continueTransaction` continues (ours: the device runs one transaction at a time).
    last_payment: Option<(Reference, Option<i64>)>,
    ids: IdGenerator,
    api_key: Option<ApiKey>,
    link: Option<Link>,
    epoch: u32,
    last_rx: u64,
    stats: ClientStats,
}

/// The earlier of two deadlines, either of which may be absent.
fn earliest(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

impl<B: Buffer, const PENDING: usize> Client<B, PENDING> {
    /// A client with no connection and no API key. `prefix` starts every request id of this
    /// session: draw it from an RNG (or a clock and the serial number) for each new session and
    /// never reuse one, since a device replays cached answers to whoever connects next from the
    /// same address (spec/protocol.md §2; ours: ids `PPPPPPPP-N`).
    ///
    /// # Panics
    /// If `buffers.rx` is shorter than `synqpay_link::MIN_CAPACITY` (13 bytes).
    pub fn new(config: ClientConfig, buffers: ClientBuffers<B>, prefix: IdPrefix) -> Self {
        Self {
            decoder: Decoder::new(buffers.rx).with_swapped_crc(if config.accept_swapped_crc {
                SwappedCrc::Accepted
            } else {
                SwappedCrc::Refused
            }),
            core: Core {
                config,
                tx: TxQueue::new(buffers.tx),
                inbox: Fifo::new(buffers.inbox),
                head_taken: false,
                unreported_lost: 0,
                pending: heapless::Vec::new(),
                reporting: None,
                recent: Recent::default(),
                last_payment: None,
                ids: IdGenerator::new(prefix),
                api_key: None,
                link: None,
                epoch: 0,
                last_rx: 0,
                stats: ClientStats::default(),
            },
        }
    }

    /// Uses a key from an earlier pairing.
    pub fn with_api_key(mut self, key: ApiKey) -> Self {
        self.core.api_key = Some(key);
        self
    }

    /// The API key: given, or learnt from an `authenticate` answer.
    pub fn api_key(&self) -> Option<ApiKey> {
        self.core.api_key
    }

    /// Sets or forgets the API key.
    pub fn set_api_key(&mut self, key: Option<ApiKey>) {
        self.core.api_key = key;
    }

    /// Whether a connection is up.
    pub fn is_connected(&self) -> bool {
        self.core.link.is_some()
    }

    /// Requests sent or queued whose end (an answer or a failure) [`Client::poll_event`] has
    /// not yet reported.
    pub fn outstanding(&self) -> usize {
        self.core.pending.len()
    }

    /// Counters, with the decoder's.
    pub fn stats(&self) -> (ClientStats, synqpay_link::Stats) {
        (self.core.stats, self.decoder.stats())
    }

    /// A transport connection is up. A connection already up is closed first (one client at a
    /// time, spec/protocol.md §2).
    pub fn connect(&mut self, now: u64) -> Connected {
        if self.core.link.is_some() {
            self.disconnect(now);
        }
        self.decoder.clear();
        self.core.epoch = self.core.epoch.wrapping_add(1);
        self.core.last_rx = now;
        self.core.link = Some(Link {
            keepalive_due: now + self.core.config.keepalive_interval_ms,
            ack_deadline: None,
            keepalives: 0,
            acks: 0,
        });
        info!(
            "client: connected, {} requests outstanding",
            self.core.pending.len()
        );
        match self.core.pending.iter().filter(|p| p.live()).count() {
            0 => Connected::Fresh,
            outstanding => Connected::Resumed { outstanding },
        }
    }

    /// The transport connection is gone. Requests whose bytes all went out stay outstanding;
    /// requests still queued fail with [`Failure::NotSent`]. Nothing is ever resent.
    pub fn disconnect(&mut self, _now: u64) {
        self.core.disconnect();
        self.decoder.clear();
    }

    /// Queues a request of method `M`. Whatever the method binds its answer to is bound here,
    /// whichever way it is called ([`Method::binding`]): a payment's result must name its
    /// `referenceId` (and a SALE's amount), and if its outcome becomes unknown, the failure
    /// carries the `referenceId` for the lookup (spec/protocol.md §6); an `authenticate`
    /// answer's key is kept.
    pub fn send<M: Method>(
        &mut self,
        now: u64,
        params: &M::Params<'_>,
    ) -> Result<RequestId, SendError> {
        let kind = match M::NAME {
            Authenticate::NAME => Kind::Authenticate,
            _ => self.core.kind_of(M::binding(params))?,
        };
        self.core
            .queue(now, MethodInfo::of::<M>(), kind, |out, id| {
                encode_call::<M>(out, id, params)
            })
    }

    /// Queues a request of a method named at run time, with parameters given as JSON text. A
    /// documented name behaves as its type says ([`MethodInfo::by_name`]), payments and
    /// lookups bound as by [`Client::send`] (their parameters must decode, and go out as
    /// given); any other name is a command with the key: short deadline, never resent (ours).
    pub fn send_raw(
        &mut self,
        now: u64,
        method: &str,
        params: Option<RawJson<'_>>,
    ) -> Result<RequestId, SendError> {
        let info = MethodInfo::by_name(method).unwrap_or(MethodInfo::unknown("?"));
        let kind = match method {
            StartTransaction::NAME => self.core.raw_kind_of::<StartTransaction>(params)?,
            ContinueTransaction::NAME => self.core.raw_kind_of::<ContinueTransaction>(params)?,
            // A lookup whose parameters do not decode is the device's to refuse.
            GetTransaction::NAME => match self.core.raw_kind_of::<GetTransaction>(params) {
                Err(SendError::Params) => Kind::Plain,
                kind => kind?,
            },
            Authenticate::NAME => Kind::Authenticate,
            _ => Kind::Plain,
        };
        self.core.queue(now, info, kind, |out, id| {
            encode_raw_request(out, id, method, params)
        })
    }

    /// Queues `startTransaction` ([`Client::send`] for it, by name).
    pub fn start_transaction(
        &mut self,
        now: u64,
        params: &StartTransactionParams<'_>,
    ) -> Result<RequestId, SendError> {
        self.send::<StartTransaction>(now, params)
    }

    /// Queues the money-safe recovery: `getTransaction` by `referenceId`. A transaction in the
    /// answer must be that one.
    pub fn lookup_transaction(
        &mut self,
        now: u64,
        reference: ReferenceId<'_>,
    ) -> Result<RequestId, SendError> {
        self.send::<GetTransaction>(now, &GetTransactionParams::by_reference_id(reference))
    }

    /// Queues `pair` (zero key): the device shows a code for 30 s (spec/protocol.md §3).
    pub fn pair(&mut self, now: u64, serial_number: &str) -> Result<RequestId, SendError> {
        self.send::<Pair>(
            now,
            &PairParams {
                serial_number: Text::new(serial_number),
            },
        )
    }

    /// Queues `authenticate` (zero key); its answer's key is kept by the session.
    pub fn authenticate(&mut self, now: u64, otp: &str) -> Result<RequestId, SendError> {
        self.send::<Authenticate>(
            now,
            &AuthenticateParams {
                otp: Text::new(otp),
            },
        )
    }

    /// The bytes to write to the transport next, if any.
    pub fn poll_transmit(&self) -> Option<&[u8]> {
        self.core.tx.pending_bytes()
    }

    /// Reports that the first `n` bytes of [`Client::poll_transmit`] were written.
    pub fn transmitted(&mut self, _now: u64, n: usize) {
        let Core {
            tx, pending, epoch, ..
        } = &mut self.core;
        tx.advance(n, |kind, tag| {
            if kind == Outgoing::Request
                && let Some(p) = pending.iter_mut().find(|p| p.live() && p.id.0 == tag)
            {
                p.sent_on = Some(*epoch);
            }
        });
    }

    /// Hands bytes read from the transport to the session, in any chunking.
    pub fn handle_input(&mut self, now: u64, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        self.core.last_rx = now;
        let Self { decoder, core } = self;
        decoder.feed(bytes, |frame| core.on_frame(now, frame));
    }

    /// Runs the timers that are due: KeepAlive, the ACK deadline, request deadlines, and the
    /// partial-frame timeout.
    pub fn handle_timeout(&mut self, now: u64) {
        let partial_due = self
            .core
            .last_rx
            .saturating_add(self.core.config.partial_frame_timeout_ms);
        if self.decoder.has_partial_frame() && now >= partial_due {
            self.decoder.abandon_partial();
            while let Some(frame) = self.decoder.poll() {
                self.core.on_frame(now, frame);
            }
        }
        if let Some(link) = self.core.link {
            if link.ack_deadline.is_some_and(|d| now >= d) {
                warn!("client: no ACK to the KeepAlive in time: link dead");
                // The calls on this link fail at once (spec/protocol.md §6): their outcome is
                // unknown; a payment's failure carries its referenceId.
                let epoch = self.core.epoch;
                while let Some(i) = self
                    .core
                    .pending
                    .iter()
                    .position(|p| p.live() && p.sent_on == Some(epoch))
                {
                    self.core.fail(i, Failure::LinkDead);
                }
                // Requests still queued fail as never sent, before the link's death is
                // reported: every call on this connection has its own end first.
                self.disconnect(now);
                self.core.record(Inbound::LinkDead, 0, &[]);
            } else if now >= link.keepalive_due {
                self.core.send_keepalive(now);
            }
        }
        self.core.expire(now);
    }

    /// When [`Client::handle_timeout`] should next be called.
    pub fn poll_timeout(&self) -> Option<u64> {
        let core = &self.core;
        let link = core.link.map(|l| {
            l.ack_deadline
                .map_or(l.keepalive_due, |d| d.min(l.keepalive_due))
        });
        let partial = self.decoder.has_partial_frame().then(|| {
            core.last_rx
                .saturating_add(core.config.partial_frame_timeout_ms)
        });
        let requests = core
            .pending
            .iter()
            .filter(|p| p.live())
            .map(|p| p.deadline)
            .min();
        earliest(earliest(link, partial), requests)
    }

    /// The next event for the caller; the one returned before is gone.
    pub fn poll_event(&mut self) -> Option<ClientEvent<'_>> {
        let core = &mut self.core;
        if core.head_taken {
            core.inbox.pop();
            core.head_taken = false;
        }
        core.forget_reported();
        let first = core.pending.iter().find_map(|p| {
            p.ended
                .filter(|e| e.report == Report::First)
                .map(|e| (p, e))
        });
        if let Some((p, end)) = first {
            core.reporting = Some(p.id);
            return Some(failed(p, end));
        }
        if core.unreported_lost > 0 {
            let lost = core.unreported_lost;
            core.unreported_lost = 0;
            return Some(ClientEvent::Overflow { lost });
        }
        let record = core.inbox.peek()?;
        core.head_taken = true;
        let id = RequestId(record.tag);
        Some(match record.kind {
            Inbound::Response => ClientEvent::Response {
                id,
                payload: record.bytes,
            },
            Inbound::Notification => ClientEvent::Notification {
                payload: record.bytes,
            },
            Inbound::Late => ClientEvent::LateResponse {
                id,
                payload: record.bytes,
            },
            Inbound::Unsolicited => ClientEvent::Unsolicited {
                payload: record.bytes,
            },
            Inbound::LinkDead => ClientEvent::LinkDead,
            Inbound::LinkError => ClientEvent::LinkError(ErrorCode::from_u8(
                record.bytes.first().copied().unwrap_or(0),
            )),
            Inbound::Failed => {
                // The request's entry holds its failure until this report: it is removed at
                // the next poll (or the next request queued). It is there: entries marked
                // `Report::InOrder` leave only through this report.
                core.reporting = Some(id);
                let (p, end) = core
                    .pending
                    .iter()
                    .find_map(|p| p.ended.filter(|_| p.id == id).map(|e| (p, e)))?;
                failed(p, end)
            }
        })
    }
}

/// The report of request `p`, which failed.
fn failed(p: &Pending, end: Unreported) -> ClientEvent<'_> {
    ClientEvent::Failed {
        id: p.id,
        failure: end.failure,
        reference_id: p.reference(),
    }
}

impl<B: Buffer, const PENDING: usize> Core<B, PENDING> {
    /// Drops the entry of the failure [`Client::poll_event`] returned last: its report was
    /// read (the event borrowed the client, which is free again).
    fn forget_reported(&mut self) {
        if let Some(id) = self.reporting.take()
            && let Some(i) = self.pending.iter().position(|p| p.id == id)
        {
            self.pending.swap_remove(i);
        }
    }

    /// What a request's answer is checked against, from what its method binds
    /// ([`Method::binding`]). A `continueTransaction` continues the last payment queued; with
    /// none (a session that never started one) it is bound to nothing, and its failures carry
    /// no `referenceId`. Inlined (ours: flash): for a method bound to nothing, it folds away.
    #[inline(always)]
    fn kind_of(&self, binding: RequestBinding<'_>) -> Result<Kind, SendError> {
        Ok(match binding {
            RequestBinding::Unbound => Kind::Plain,
            RequestBinding::Payment {
                reference_id,
                amount,
            } => Kind::Payment {
                reference: reference_of(&reference_id)?,
                amount,
            },
            RequestBinding::Continuation { new_amount } => match &self.last_payment {
                Some((reference, amount)) => Kind::Payment {
                    reference: reference.clone(),
                    amount: new_amount.or(*amount),
                },
                None => Kind::Plain,
            },
            RequestBinding::Lookup { reference_id } => Kind::Lookup(reference_of(&reference_id)?),
        })
    }

    /// [`Core::kind_of`] for parameters given as JSON text, which must decode as `M`'s
    /// ([`SendError::Params`] otherwise).
    fn raw_kind_of<M: Method>(&self, params: Option<RawJson<'_>>) -> Result<Kind, SendError> {
        let params = M::decode_params(params).map_err(|_| SendError::Params)?;
        self.kind_of(M::binding(&params))
    }

    /// Queues a request frame whose JSON `write` produces in place.
    fn queue(
        &mut self,
        now: u64,
        method: MethodInfo,
        kind: Kind,
        write: impl FnOnce(&mut [u8], &str) -> Result<usize, EncodeError>,
    ) -> Result<RequestId, SendError> {
        if self.link.is_none() {
            return Err(SendError::NotConnected);
        }
        // `pair` and `authenticate` carry the zero key, everything else the paired one
        // (spec/protocol.md §2).
        let key = if method.unauthenticated {
            ApiKey::ZERO
        } else {
            self.api_key.ok_or(SendError::NotPaired)?
        };
        self.forget_reported();
        if self.pending.is_full() {
            return Err(SendError::TooManyPending);
        }
        let id = self.ids.next_id();
        let id_text = self.ids.text(id);
        let frame = framed(MessageType::Request, Some(key), |out| {
            write(out, id_text.as_str())
        });
        match self.tx.push_with(Outgoing::Request, id.0, frame) {
            Pushed::Kept => {}
            Pushed::Abandoned(Unframed::Encode) => return Err(SendError::Encode),
            _ if self.tx.is_empty() => return Err(SendError::TooLarge),
            _ => return Err(SendError::TxFull),
        }
        let timeout = if method.kind.long_running() {
            self.config.transaction_timeout_ms
        } else {
            self.config.request_timeout_ms
        };
        let ceiling = if method.kind.extended_by_events() {
            now + self.config.transaction_ceiling_ms.max(timeout)
        } else {
            now + timeout
        };
        if let Kind::Payment { reference, amount } = &kind {
            self.last_payment = Some((reference.clone(), *amount));
        }
        // Room was checked above, so this push cannot fail.
        let _ = self.pending.push(Pending {
            id,
            kind,
            method: method.kind,
            sent_on: None,
            deadline: now + timeout,
            ceiling,
            fence: None,
            fenced: false,
            ended: None,
        });
        if method.kind.long_running() {
            // The fence (spec/protocol.md §1): once this KeepAlive is ACKed, no Error frame
            // can be about the request before it.
            self.send_keepalive(now);
        }
        Ok(id)
    }

    fn disconnect(&mut self) {
        // Requests not wholly handed to the transport never reached the device.
        let mut unsent: heapless::Vec<u32, PENDING> = heapless::Vec::new();
        for frame in self.tx.frames() {
            if frame.kind == Outgoing::Request {
                let _ = unsent.push(frame.tag);
            }
        }
        self.tx.clear();
        for tag in unsent {
            if let Some(i) = self
                .pending
                .iter()
                .position(|p| p.live() && p.id.0 == tag && p.sent_on.is_none())
            {
                self.fail(i, Failure::NotSent);
            }
        }
        self.link = None;
    }

    fn send_keepalive(&mut self, now: u64) {
        let mut frame = [0u8; 3];
        let written = Frame::KeepAlive
            .encode(&mut frame)
            .is_ok_and(|n| self.tx.push(Outgoing::Link, 0, &frame[..n]).is_ok());
        if let Some(link) = &mut self.link {
            link.keepalive_due = now + self.config.keepalive_interval_ms;
            if written {
                self.stats.keepalives += 1;
                link.keepalives = link.keepalives.wrapping_add(1);
                link.ack_deadline
                    .get_or_insert(now + self.config.keepalive_deadline_ms);
                // Every request queued before it, on this connection, is fenced by it.
                let number = link.keepalives;
                for p in self.pending.iter_mut().filter(|p| p.fence.is_none()) {
                    p.fence = Some(number);
                }
            }
        }
    }

    fn expire(&mut self, now: u64) {
        while let Some(i) = self
            .pending
            .iter()
            .position(|p| p.live() && p.deadline <= now)
        {
            // A request still queued is taken back, so it never leaves after being reported
            // unsent; one the transport has started on can no longer be: its outcome is unknown.
            let unsent = self.pending[i].sent_on.is_none()
                && self.tx.withdraw(Outgoing::Request, self.pending[i].id.0);
            self.fail(
                i,
                if unsent {
                    Failure::NotSent
                } else {
                    Failure::Timeout
                },
            );
        }
    }

    /// Ends pending request `i` with `failure`. The request stays in `pending`, marked ended,
    /// until [`Client::poll_event`] reports it: in the inbox's order (an inbox record naming it
    /// holds its place), or before the inbox when that has no room.
    fn fail(&mut self, i: usize, failure: Failure) {
        let p = &self.pending[i];
        warn!("client: request {} failed: {:?}", p.id.0, failure);
        let (id, binding) = (p.id, Binding::of(&p.kind));
        let report = match self.inbox.push(Inbound::Failed, id.0, &[]) {
            Ok(()) => Report::InOrder,
            Err(_) => Report::First,
        };
        self.pending[i].ended = Some(Unreported { failure, report });
        self.recent.remember(id, Outcome::Unanswered, binding);
    }

    /// The oldest request still waiting that was sent on this connection and that `about`
    /// accepts: what a link Error frame or a refused frame is most likely about.
    fn oldest_on_link(&self, about: impl Fn(&Pending) -> bool) -> Option<usize> {
        self.pending
            .iter()
            .enumerate()
            .filter(|(_, p)| p.live() && p.sent_on == Some(self.epoch) && about(p))
            .min_by_key(|(_, p)| p.id)
            .map(|(i, _)| i)
    }

    /// Puts a record in the inbox, or counts it lost.
    fn record(&mut self, kind: Inbound, tag: u32, bytes: &[u8]) -> bool {
        let kept = self.inbox.push(kind, tag, bytes).is_ok();
        if !kept {
            warn!(
                "client: inbox full, a message of {} bytes lost",
                bytes.len()
            );
            self.stats.lost += 1;
            self.unreported_lost += 1;
        }
        kept
    }
}

/// A `referenceId` kept by the session (at most 64 characters, as `ReferenceId` allows).
fn reference_of(text: &Text<'_>) -> Result<Reference, SendError> {
    let mut reference = Reference::new();
    for c in text.chars() {
        reference.push(c).map_err(|_| SendError::ReferenceTooLong)?;
    }
    Ok(reference)
}
