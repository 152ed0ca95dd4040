//! What both clients, the blocking one and the async one (feature `tokio`), do the same way with
//! the session of `synqpay-session` (spec/protocol.md §1–§6): its size, what each of its events
//! means to the calls waiting (read by `synqpay_session::outcome`, the reading every driver
//! shares), when a query is sent once more, and the bounded queues of what no call was waiting
//! for.

use std::collections::VecDeque;

use synqpay_rpc::RequestId;
use synqpay_session::outcome::{self, Answer, Arrival, Outcome};
use synqpay_session::{ClientBuffers, ClientConfig, ClientEvent, Failure};

use crate::error::rpc_error;
use crate::{Error, Event, Reply};

/// The session both clients drive: at most 8 requests outstanding at once.
pub(crate) type Session = synqpay_session::Client<Vec<u8>, 8>;

/// A new session with the desktop's buffers (64 KB frames in, 16 KB out, a 128 KB inbox) and
/// a fresh request-id prefix (spec/protocol.md §2).
pub(crate) fn new_session(config: ClientConfig) -> Session {
    let buffers = ClientBuffers {
        rx: vec![0u8; 64 * 1024],
        tx: vec![0u8; 16 * 1024],
        inbox: vec![0u8; 128 * 1024],
    };
    Session::new(config, buffers, crate::fresh_id_prefix())
}

/// The most answers no call was waiting for, and the most notifications, kept for the app;
/// beyond, the oldest is dropped and counted (ours: bounded memory against a device that
/// floods).
pub(crate) const KEPT: usize = 64;

/// One event of the session, owned, sorted by where it goes.
pub(crate) enum Sorted {
    /// Request `id` ended: with its answer, or without one.
    Ended {
        /// The request.
        id: RequestId,
        /// `Late`: the answer came after the request had failed (a timeout, a lost link), or an
        /// earlier connection's cached answer: for a payment, the outcome that was unknown.
        arrival: Arrival,
        /// The answer or the failure.
        end: End,
    },
    /// A notification (spec/api.md "Event").
    Event(Event),
    /// An answer to a request this session never sent (another process's cached answer,
    /// spec/protocol.md §2): kept for the app to look at, never taken as a call's answer.
    Unsolicited(Reply),
    /// Nothing for a call: the session has already failed the requests it concerns (a dead
    /// link too: the client reconnects by itself, and a request of an earlier connection goes
    /// on waiting for its cached answer).
    Nothing,
}

/// How a request ended.
pub(crate) enum End {
    /// The device answered: a result or a JSON-RPC error.
    Answered(Reply),
    /// No answer: why, as the [`Error`] the call returns.
    Failed(Error),
}

impl End {
    /// What the call returns: a JSON-RPC error is the device's answer, and an `Err` for the
    /// caller (spec/protocol.md §4).
    pub(crate) fn into_result(self) -> Result<Reply, Error> {
        match self {
            End::Answered(reply) => match Answer::of(&reply.payload).rpc_error() {
                Some(e) => Err(rpc_error(&e)),
                None => Ok(reply),
            },
            End::Failed(e) => Err(e),
        }
    }
}

/// Sorts one event of the session, as `synqpay_session::outcome` reads it.
pub(crate) fn sort(event: ClientEvent<'_>) -> Sorted {
    let reply = |payload: &[u8]| Reply {
        payload: payload.to_vec(),
    };
    match Outcome::of(event) {
        Outcome::Ended { id, arrival, end } => Sorted::Ended {
            id,
            arrival,
            end: match end {
                outcome::End::Answered(answer) => End::Answered(reply(answer.payload())),
                outcome::End::Unanswered(why) => End::Failed(Error::unanswered(why)),
            },
        },
        Outcome::Notification(n) => {
            let method = n.method.to_string();
            Sorted::Event(Event::new(&method, n.params.map(|p| p.as_str())))
        }
        Outcome::Unsolicited { payload } => Sorted::Unsolicited(reply(payload)),
        // This client reconnects by itself: a request of an earlier connection goes on waiting
        // for its cached answer until its deadline.
        Outcome::LinkDead | Outcome::Nothing => Sorted::Nothing,
    }
}

/// Whether the device has sent anything since a request went out (the resend rule).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SinceSent {
    /// Bytes came from the device after the request was queued.
    Heard,
    /// Nothing came: the device is silent.
    Silent,
}

impl SinceSent {
    /// From when bytes last came (`last_rx`) and when the request was queued, in the same
    /// clock's milliseconds.
    pub(crate) fn of(last_rx: u64, sent_at: u64) -> Self {
        if last_rx > sent_at {
            Self::Heard
        } else {
            Self::Silent
        }
    }
}

/// Whether a query (`Method::SAFE_TO_RESEND`) that failed with `e` may be answered if sent once
/// more: its answer was lost or corrupted on the way (spec/protocol.md §6). A device that has
/// sent nothing since the query went out ([`SinceSent::Silent`]) is silent, and a frame too
/// large or with a swapped CRC will come the same way again. Payments: never (the caller asks
/// only for queries).
pub(crate) fn worth_resending(e: &Error, since_sent: SinceSent) -> bool {
    match e {
        Error::Timeout { .. } => since_sent == SinceSent::Heard,
        Error::Link(code) => Failure::Link(*code).answer_lost(),
        Error::OutcomeUnknown { cause, .. } => cause.answer_lost(),
        _ => false,
    }
}

/// What no call was waiting for, kept for the app: notifications, and answers that came late
/// or unasked; at most [`KEPT`] of each.
#[derive(Debug, Default)]
pub(crate) struct Kept {
    events: VecDeque<Event>,
    late: VecDeque<(Option<RequestId>, Reply)>,
    dropped: u64,
}

impl Kept {
    /// Keeps a notification that arrived while no call was waiting for it.
    pub(crate) fn event(&mut self, event: Event) {
        keep(&mut self.events, &mut self.dropped, event);
    }

    /// Keeps an answer no call was waiting for (`None`: to a request of another session).
    pub(crate) fn late(&mut self, id: Option<RequestId>, reply: Reply) {
        keep(&mut self.late, &mut self.dropped, (id, reply));
    }

    /// Counts something that could not be kept (the async client: a notification for a
    /// payment's caller 64 behind).
    #[cfg(feature = "tokio")]
    pub(crate) fn count_dropped(&mut self) {
        self.dropped += 1;
    }

    /// The notifications kept, oldest first; none are kept after.
    pub(crate) fn take_events(&mut self) -> Vec<Event> {
        self.events.drain(..).collect()
    }

    /// The answers kept, oldest first; none are kept after.
    pub(crate) fn take_late(&mut self) -> Vec<(Option<RequestId>, Reply)> {
        self.late.drain(..).collect()
    }

    /// How many were dropped, oldest first, because [`KEPT`] were waiting.
    pub(crate) fn dropped(&self) -> u64 {
        self.dropped
    }
}

/// Appends to a bounded queue, dropping (and counting) the oldest when it is full.
fn keep<T>(queue: &mut VecDeque<T>, dropped: &mut u64, item: T) {
    if queue.len() >= KEPT {
        queue.pop_front();
        *dropped += 1;
    }
    queue.push_back(item);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queues_keep_the_newest_64_and_count_the_rest() {
        let mut kept = Kept::default();
        for i in 0..70 {
            kept.event(Event::new(&format!("n{i}"), None));
        }
        assert_eq!(kept.dropped(), 6);
        let events = kept.take_events();
        assert_eq!(events.len(), KEPT);
        assert_eq!(events[0].method(), "n6");
        assert!(kept.take_events().is_empty());
    }

    #[test]
    fn a_json_rpc_error_is_an_err_and_a_result_is_the_reply() {
        let error = br#"{"jsonrpc":"2.0","id":"1","error":{"code":303,"message":"exists"}}"#;
        let e = End::Answered(Reply {
            payload: error.to_vec(),
        });
        assert!(matches!(e.into_result(), Err(Error::Rpc { .. })));
        let ok = br#"{"jsonrpc":"2.0","id":"1","result":null}"#;
        let r = End::Answered(Reply {
            payload: ok.to_vec(),
        });
        assert!(r.into_result().is_ok());
    }

    #[test]
    fn a_timeout_is_resent_only_when_the_device_spoke_since() {
        let timeout = Error::Timeout { reference_id: None };
        assert!(!worth_resending(&timeout, SinceSent::Silent));
        assert!(worth_resending(&timeout, SinceSent::Heard));
        assert!(!worth_resending(&Error::NotSent, SinceSent::Heard));
    }
}
