//! What the client does with each frame from the device (spec/protocol.md §1, §4, §6): answers
//! matched to requests, events that extend running transactions, KeepAlives answered, link
//! Error frames attributed.

use synqpay_link::{ApiKey, ErrorCode, Frame, FrameError, MessageType};
use synqpay_rpc::{JsonKind, MemberValue, Message, RawJson, ResultCode, Text, TransactionStatus};

use super::pending::{Binding, Bound, Kind, Outcome, digest};
use super::{Core, Failure, Inbound, decode_response};
use crate::Buffer;
use crate::tx::Outgoing;

impl<B: Buffer, const PENDING: usize> Core<B, PENDING> {
    pub(super) fn on_frame(&mut self, now: u64, frame: Result<Frame<'_>, FrameError>) {
        match frame {
            Err(e) => {
                debug!("client: bad frame from the device: {:?}", e);
                self.stats.bad_frames += 1;
                self.on_bad_frame(e);
            }
            Ok(Frame::Response { payload }) => self.on_response(payload),
            Ok(Frame::Event { payload }) => {
                // Each event extends the running transactions' deadlines, up to their ceiling
                // (spec/protocol.md §6).
                let extended = now + self.config.transaction_timeout_ms;
                for p in self
                    .pending
                    .iter_mut()
                    .filter(|p| p.method.extended_by_events())
                {
                    p.deadline = p.deadline.max(extended).min(p.ceiling);
                }
                self.record(Inbound::Notification, 0, payload);
            }
            Ok(Frame::KeepAlive) => {
                let _ = self.tx.push(
                    Outgoing::Link,
                    0,
                    &[
                        synqpay_link::STX,
                        MessageType::Ack.as_u8(),
                        synqpay_link::ETX,
                    ],
                );
            }
            Ok(Frame::Ack) => {
                if let Some(link) = &mut self.link {
                    // ACK number n answers KeepAlive number n: the requests it fenced were read
                    // intact (spec/protocol.md §1, the fence rule).
                    link.acks = link.acks.wrapping_add(1).min(link.keepalives);
                    // A later KeepAlive still unanswered keeps a deadline, counted from this
                    // ACK (ours: at most one deadline more than from its own sending, with no
                    // time kept per KeepAlive).
                    link.ack_deadline = (link.acks != link.keepalives)
                        .then_some(now + self.config.keepalive_deadline_ms);
                    let acks = link.acks;
                    let epoch = self.epoch;
                    for p in self.pending.iter_mut() {
                        if p.sent_on == Some(epoch) && p.fence.is_some_and(|f| f <= acks) {
                            p.fenced = true;
                        }
                    }
                }
            }
            Ok(Frame::Error(code)) => self.on_link_error(code),
            Ok(Frame::Request { .. }) => self.stats.unexpected_frames += 1,
        }
    }

    /// An Error frame names no request: by the fence rule, it is about the oldest request of
    /// this connection neither answered nor fenced (spec/protocol.md §1).
    fn on_link_error(&mut self, code: ErrorCode) {
        match self.oldest_on_link(|p| !p.fenced) {
            Some(i) => self.fail(i, Failure::Link(code)),
            None => {
                self.record(Inbound::LinkError, 0, &[code.as_u8()]);
            }
        }
    }

    /// A refused frame: most likely the answer of the oldest request still waiting, which then
    /// fails at once, naming why, rather than at its deadline (ours). One longer than the
    /// receive buffer (but not absurdly long: 16 MiB and over is noise that happened to start
    /// like a frame), or one whose CRC bytes are swapped, says something of the device: the
    /// oldest request fails, whatever it is. A plain CRC mismatch fails only a short request (a
    /// query or command, answered by one frame); while a transaction runs the frame may have
    /// been one of its events, and its answer may still come. With nothing waiting, the frame
    /// is only counted (`synqpay_link::Stats`, `ClientStats::swapped_crc`): noise must not fill
    /// the inbox.
    fn on_bad_frame(&mut self, error: FrameError) {
        let (failure, short_only) = match error {
            FrameError::LenError { length, max } if length < PLAUSIBLE_LENGTH => {
                (Failure::TooLarge { length, max }, false)
            }
            FrameError::CrcError { computed, received } if computed.swap_bytes() == received => {
                self.stats.swapped_crc += 1;
                (Failure::SwappedCrc, false)
            }
            FrameError::CrcError { computed, received } => {
                (Failure::Crc { computed, received }, true)
            }
            _ => return,
        };
        if let Some(i) = self.oldest_on_link(|p| !short_only || !p.method.long_running()) {
            self.fail(i, failure);
        }
    }

    fn on_response(&mut self, payload: &[u8]) {
        let id = match Message::parse(payload) {
            Ok(Message::Response(r)) => self.ids.parse(&r.id),
            Ok(Message::Error(e)) => e.id.as_ref().and_then(|id| self.ids.parse(id)),
            _ => None,
        };
        let Some(id) = id else {
            // Another session's id (a cached answer the device replays to this address, spec
            // §2), or none: never the answer to a call here.
            self.stats.unsolicited += 1;
            self.record(Inbound::Unsolicited, 0, payload);
            return;
        };
        if let Some(i) = self.pending.iter().position(|p| p.live() && p.id == id) {
            let binding = Binding::of(&self.pending[i].kind);
            if let Some(failure) = binding.and_then(|b| mismatch(b, payload)) {
                warn!("client: the answer to request {} fails its check", id.0);
                self.fail(i, failure);
                self.recent.mark_answered(id);
                return;
            }
            if matches!(self.pending[i].kind, Kind::Authenticate)
                && let Some(key) = api_key_of(payload)
            {
                self.api_key = Some(key);
            }
            if self.record(Inbound::Response, id.0, payload) {
                self.pending.swap_remove(i);
                self.recent.remember(id, Outcome::Answered, binding);
            } else {
                // The answer is lost to a full inbox: its request fails, reported as such.
                self.fail(i, Failure::Overflow);
            }
            return;
        }
        match self.recent.find(id) {
            Some(ended) if ended.answered => {
                debug!("client: duplicate answer to request {} dropped", id.0);
                self.stats.duplicates += 1;
            }
            Some(ended) => {
                self.recent.mark_answered(id);
                let checked = match (ended.bound, ended.binding) {
                    (true, Some(binding)) => mismatch(binding, payload).is_none(),
                    // Bound, but its binding is no longer kept: it cannot be checked.
                    (true, None) => false,
                    (false, _) => true,
                };
                if !checked {
                    // Late, and not naming its request's transaction (or unreadable where
                    // money is): never that request's outcome (spec/protocol.md §6).
                    warn!("client: a late answer to request {} fails its check", id.0);
                    self.stats.unsolicited += 1;
                    self.record(Inbound::Unsolicited, id.0, payload);
                } else {
                    info!("client: late answer to request {}", id.0);
                    self.record(Inbound::Late, id.0, payload);
                }
            }
            None => {
                self.stats.unsolicited += 1;
                self.record(Inbound::Unsolicited, id.0, payload);
            }
        }
    }
}

/// A length field at or above this is noise that started like a frame, not an answer too large
/// for the buffer (ours: no device answer comes near 16 MiB).
const PLAUSIBLE_LENGTH: u32 = 16 << 20;

/// Whether an answer belongs to its request (spec/protocol.md §6): a payment's result must name
/// its `referenceId` (and a SALE's amount), and be readable in what money depends on; a lookup
/// by `referenceId` must find that transaction. A JSON-RPC error answer is the device's word and
/// passes.
fn mismatch(binding: Binding, payload: &[u8]) -> Option<Failure> {
    let result = match Message::parse(payload) {
        Ok(Message::Response(r)) => r.result,
        // The device's JSON-RPC error is its word on the request.
        Ok(Message::Error(_)) => return None,
        _ => return Some(Failure::Undecodable),
    };
    let Ok(named) = money_members(binding.method, result) else {
        return Some(Failure::Undecodable);
    };
    // A result without a transaction (CANCELED before a card, an UPDATE stop) names nothing.
    let (reference, amount) = named?;
    let mut text = [0u8; 64];
    let same_reference = reference
        .and_then(|r| r.unescape_into(&mut text).ok())
        .is_some_and(|r| digest(r.as_bytes()) == binding.reference);
    let same_amount = match binding.amount {
        Some(expected) => amount == Some(expected),
        None => true,
    };
    (!same_reference || !same_amount).then_some(Failure::Mismatch)
}

/// What a transaction names: its `referenceId` and `amount`.
type Named<'a> = (Option<Text<'a>>, Option<i64>);

/// The `referenceId` and `amount` of the transaction a result carries (`None`: it carries
/// none), reading only the members money depends on (spec/protocol.md §4: `result`,
/// `transactionStatus`, `referenceId`, `amount`), each of which must have its type. Member by
/// member rather than the whole typed result (ours: a few hundred bytes of stack, not the
/// thousands a `Transaction` takes, on a microcontroller).
fn money_members(method: Bound, result: Option<RawJson<'_>>) -> Result<Option<Named<'_>>, ()> {
    let result = result.filter(|r| r.kind() == JsonKind::Object).ok_or(())?;
    let mut transaction = None;
    let mut code = None::<ResultCode<'_>>;
    for (key, value) in result.members() {
        match key.as_wire() {
            // A payment's `result` is money's (spec/protocol.md §4); a lookup's
            // `transactionResult` is not.
            "result" if method == Bound::Payment => fill(&mut code, value)?,
            "transaction" if transaction.is_none() && !value.is_null() => {
                transaction = Some(value);
            }
            _ => {}
        }
    }
    if method == Bound::Payment && code.is_none() {
        return Err(());
    }
    let Some(transaction) = transaction else {
        return Ok(None);
    };
    if transaction.kind() != JsonKind::Object {
        return Err(());
    }
    let (mut reference, mut amount, mut status) = (None, None, None::<TransactionStatus<'_>>);
    for (key, value) in transaction.members() {
        match key.as_wire() {
            "referenceId" => fill(&mut reference, value)?,
            "amount" => fill(&mut amount, value)?,
            "transactionStatus" => fill(&mut status, value)?,
            _ => {}
        }
    }
    Ok(Some((reference, amount)))
}

/// The first non-null occurrence of a member, which must have its type (as `synqpay-rpc`
/// decodes it).
fn fill<'a, T: MemberValue<'a>>(slot: &mut Option<T>, value: RawJson<'a>) -> Result<(), ()> {
    if slot.is_none() && !value.is_null() {
        *slot = Some(T::decode_member(value).map_err(|_| ())?);
    }
    Ok(())
}

/// The API key in an `authenticate` answer.
fn api_key_of(payload: &[u8]) -> Option<ApiKey> {
    let result = decode_response::<synqpay_rpc::Authenticate>(payload).ok()?;
    let mut digits = [0u8; 8];
    ApiKey::from_hex(result.api_key.unescape_into(&mut digits).ok()?).ok()
}
