//! What the callers' futures and the driver task share: the session, the calls waiting for
//! their answers, and what no call waits for. Locked briefly and never across an `.await`, so a
//! request is queued and its waiter registered in one step: a future dropped at any of its
//! `.await`s leaves the session whole (spec/protocol.md §6: no request half sent, no answer
//! taken for another's).

use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use synqpay_rpc::{Cancel, CancelParams, RequestId, Text};
use synqpay_session::{ClientConfig, Connected, SendError};
use tokio::sync::mpsc::error::TrySendError;
use tokio::sync::{Notify, mpsc, oneshot};

use crate::calls::{self, End, KEPT, Kept, Session, SinceSent, Sorted};
use crate::resumed::Resumed;
use crate::{Error, Event};

/// The longest the driver sleeps without looking at the session (ours, as the blocking client's
/// keeper).
const IDLE_TICK_MS: u64 = 1000;

/// The state, and the driver's doorbell.
pub(super) struct Shared {
    state: Mutex<State>,
    /// Rung when a request was queued or a cancel asked for: there is something to send.
    pub(super) wake: Notify,
}

impl Shared {
    pub(super) fn new(config: ClientConfig) -> Self {
        Self {
            state: Mutex::new(State {
                session: calls::new_session(config),
                start: Instant::now(),
                kept: Kept::default(),
                waiters: Vec::new(),
                payment: None,
                cancel: false,
                last_rx: 0,
                resumed: Resumed::default(),
            }),
            wake: Notify::new(),
        }
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere while holding the lock leaves a session that is still usable.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

pub(super) struct State {
    pub(super) session: Session,
    start: Instant,
    /// Notifications and answers no call waited for (bounded).
    pub(super) kept: Kept,
    waiters: Vec<Waiter>,
    /// The payment in progress: what a cancel names.
    payment: Option<Payment>,
    /// A cancel was asked for and not yet sent.
    cancel: bool,
    /// When bytes last came from the device (ms of `start`).
    last_rx: u64,
    /// The question asked after a reconnect, while a payment of the earlier connection waits.
    resumed: Resumed,
}

/// A request whose end someone may wait for.
struct Waiter {
    id: RequestId,
    /// Where its end goes; `None` for the driver's own `cancel`, whose answer matters to nobody
    /// (the sale it cancels answers too).
    done: Option<oneshot::Sender<Ended>>,
    /// Where a payment's notifications go, in order.
    events: Option<mpsc::Sender<Event>>,
    sent_at: u64,
}

struct Payment {
    id: RequestId,
    reference_id: String,
}

/// How a request ended, for the future that waits for it.
pub(super) struct Ended {
    pub(super) end: End,
    /// Whether the device sent something after the request was queued (the resend rule).
    pub(super) since_sent: SinceSent,
}

/// What a caller waits on: the end of its request, and a payment's notifications.
pub(super) struct Ticket {
    pub(super) done: oneshot::Receiver<Ended>,
    pub(super) events: Option<mpsc::Receiver<Event>>,
}

impl State {
    /// The transport is up: the session is told, and the device is asked what it runs when a
    /// payment of an earlier connection still waits ([`Resumed::connect`]).
    pub(super) fn connected(&mut self) -> Connected {
        let now = self.now();
        self.resumed.connect(&mut self.session, now)
    }

    /// Milliseconds of the session's clock.
    pub(super) fn now(&self) -> u64 {
        self.start.elapsed().as_millis() as u64
    }

    /// Queues a request with `send` and registers its waiter, in one step. `payment`: its
    /// `referenceId`, for a cancel and for its notifications.
    pub(super) fn queue(
        &mut self,
        send: impl FnOnce(&mut Session, u64) -> Result<RequestId, SendError>,
        payment: Option<String>,
    ) -> Result<Ticket, Error> {
        let now = self.now();
        let id = send(&mut self.session, now)?;
        let (done_tx, done) = oneshot::channel();
        let (events_tx, events) = match payment {
            Some(_) => {
                let (tx, rx) = mpsc::channel(KEPT);
                (Some(tx), Some(rx))
            }
            None => (None, None),
        };
        self.waiters.push(Waiter {
            id,
            done: Some(done_tx),
            events: events_tx,
            sent_at: now,
        });
        if let Some(reference_id) = payment {
            // A cancel asked for before this payment began is not for it.
            self.cancel = false;
            self.payment = Some(Payment { id, reference_id });
        }
        Ok(Ticket { done, events })
    }

    /// Asks for the payment in progress to be cancelled.
    pub(super) fn ask_cancel(&mut self) {
        self.cancel = true;
    }

    /// Sends the `cancel` asked for, naming the payment in progress, on this connection
    /// (field: a second connection would replace this one). No payment: nothing happens. No
    /// link: it goes when the link is back.
    pub(super) fn send_cancel_if_asked(&mut self) {
        if !self.cancel {
            return;
        }
        let Some(payment) = &self.payment else {
            self.cancel = false;
            return;
        };
        if !self.session.is_connected() {
            return;
        }
        let now = self.now();
        let params = CancelParams {
            reference_id: Text::new(&payment.reference_id),
        };
        if let Ok(id) = self.session.send::<Cancel>(now, &params) {
            self.waiters.push(Waiter {
                id,
                done: None,
                events: None,
                sent_at: now,
            });
        }
        self.cancel = false;
    }

    /// Bytes from the device.
    pub(super) fn received(&mut self, bytes: &[u8]) {
        self.last_rx = self.now();
        self.session.handle_input(self.last_rx, bytes);
    }

    /// Whether a connection is wanted: a request is outstanding, whose answer (cached by the
    /// device) may come on a new one.
    pub(super) fn wants_link(&self) -> bool {
        self.session.outstanding() > 0
    }

    /// When the session's next timer is due (at most a second away).
    pub(super) fn wake_at(&self) -> Instant {
        let now = self.now();
        let next = self.session.poll_timeout().unwrap_or(u64::MAX);
        let next = next.clamp(now + 1, now + IDLE_TICK_MS);
        self.start + Duration::from_millis(next)
    }

    /// Hands each event of the session to whoever it is for.
    pub(super) fn dispatch(&mut self) {
        while let Some(event) = self.session.poll_event() {
            match calls::sort(event) {
                Sorted::Ended { id, end, .. } => self.ended(id, end),
                Sorted::Event(event) => self.notified(event),
                Sorted::Unsolicited(reply) => self.kept.late(None, reply),
                Sorted::Nothing => {}
            }
        }
    }

    /// Request `id` ended: to its waiter, or, when nobody waits any more (the future was
    /// dropped, or the answer came after the request had failed), its answer to the late ones.
    fn ended(&mut self, id: RequestId, end: End) {
        // The question asked after a reconnect: read, nobody else's.
        if self.resumed.ended(&mut self.session, id, &end) {
            return;
        }
        if self.payment.as_ref().is_some_and(|p| p.id == id) {
            self.payment = None;
        }
        let Some(i) = self.waiters.iter().position(|w| w.id == id) else {
            if let End::Answered(reply) = end {
                self.kept.late(Some(id), reply);
            }
            return;
        };
        let waiter = self.waiters.swap_remove(i);
        let Some(done) = waiter.done else {
            return;
        };
        let ended = Ended {
            end,
            since_sent: SinceSent::of(self.last_rx, waiter.sent_at),
        };
        if let Err(Ended {
            end: End::Answered(reply),
            ..
        }) = done.send(ended)
        {
            self.kept.late(Some(id), reply);
        }
    }

    /// A notification: to the payment in progress whose caller still listens, in order;
    /// otherwise kept for `events()`.
    fn notified(&mut self, event: Event) {
        let listener = self
            .waiters
            .iter()
            .filter_map(|w| w.events.as_ref())
            .find(|tx| !tx.is_closed());
        let Some(tx) = listener else {
            return self.kept.event(event);
        };
        match tx.try_send(event) {
            Ok(()) => {}
            // The caller is that far behind: bounded, like every queue here.
            Err(TrySendError::Full(_)) => self.kept.count_dropped(),
            Err(TrySendError::Closed(event)) => self.kept.event(event),
        }
    }
}
