//! Requests awaiting their answer. They belong to the session, not to a connection: a request
//! sent before a disconnect is still matched when its (cached) answer comes on the next
//! connection (spec/protocol.md §2 "Cached responses", ours).

use synqpay_rpc::{MethodKind, RequestId};

use super::Failure;

/// The most characters a `referenceId` has (`synqpay_rpc::MAX_REFERENCE_ID`).
pub(crate) type Reference = heapless::String<64>;

/// What the session needs to remember of a request.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    pub id: RequestId,
    pub kind: Kind,
    /// How its method behaves: deadline, events, re-sending.
    pub method: MethodKind,
    /// The connection (epoch) its last byte was handed to the transport on; `None`: still queued.
    pub sent_on: Option<u32>,
    /// When it fails with a timeout.
    pub deadline: u64,
    /// The latest `deadline` events may push it to (spec/protocol.md §6: a ceiling).
    pub ceiling: u64,
    /// The number (on its connection) of the first KeepAlive queued after it: its fence
    /// (spec/protocol.md §1, the fence rule).
    pub fence: Option<u32>,
    /// Its fence was ACKed: every byte of it was read intact, so no Error frame is about it.
    pub fenced: bool,
    /// It ended without an answer: kept, with its failure, until
    /// [`Client::poll_event`](crate::Client::poll_event) reports it (ours: never lost).
    pub ended: Option<Unreported>,
}

/// A request that failed, until [`Client::poll_event`](crate::Client::poll_event) reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Unreported {
    pub failure: Failure,
    pub report: Report,
}

/// Where a failure waits for its report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Report {
    /// Its place among the answers and notifications is held by an inbox record naming the
    /// request: reported in order.
    InOrder,
    /// The inbox had no room for that record: reported before the inbox.
    First,
}

/// How a request ended, for [`Recent`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Its answer came.
    Answered,
    /// It failed without one (an answer may still come, late).
    Unanswered,
}

#[derive(Debug, Clone)]
pub(crate) enum Kind {
    Plain,
    /// `authenticate`: its answer carries the API key.
    Authenticate,
    /// A payment: its result must name this `referenceId` (and amount, for a SALE), which is
    /// also what it is recovered by (spec/protocol.md §6).
    Payment {
        reference: Reference,
        /// The SALE's amount the result must carry; `None` for other transaction types.
        amount: Option<i64>,
    },
    /// `getTransaction` by `referenceId`: the transaction found must be that one.
    Lookup(Reference),
}

impl Pending {
    /// Still waiting for its answer (not failed and awaiting its report).
    pub fn live(&self) -> bool {
        self.ended.is_none()
    }

    /// Still waiting, long-running, and sent on a connection before `epoch`: what the device
    /// answers only if it still runs it, or from its cache.
    pub fn waits_from_before(&self, epoch: u32) -> bool {
        self.live() && self.method.long_running() && self.sent_on.is_some_and(|on| on != epoch)
    }

    /// The `referenceId` of a payment, to look it up by when its outcome is unknown.
    pub fn reference(&self) -> Option<&str> {
        match &self.kind {
            Kind::Payment { reference, .. } => Some(reference.as_str()),
            _ => None,
        }
    }
}

/// What an answer must name to belong to its request (spec/protocol.md §6): a payment's result
/// its `referenceId` (and a SALE's amount), a lookup's transaction its `referenceId`. Kept for
/// requests that ended without an answer too, so that a late answer is checked the same way.
///
/// The `referenceId` is kept as a 64-bit FNV-1a digest (ours: 16 bytes a request instead of 64).
/// This is a matching check, not authentication: two different referenceIds that one device
/// could confuse collide with odds of 2^-64.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Binding {
    pub method: Bound,
    pub reference: u64,
    pub amount: Option<i64>,
}

/// Which answer shape a [`Binding`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Bound {
    /// A `startTransaction` result.
    Payment,
    /// A `getTransaction` result.
    Lookup,
}

impl Binding {
    pub fn of(kind: &Kind) -> Option<Self> {
        match kind {
            Kind::Payment { reference, amount } => Some(Self {
                method: Bound::Payment,
                reference: digest(reference.as_bytes()),
                amount: *amount,
            }),
            Kind::Lookup(reference) => Some(Self {
                method: Bound::Lookup,
                reference: digest(reference.as_bytes()),
                amount: None,
            }),
            Kind::Plain | Kind::Authenticate => None,
        }
    }
}

/// FNV-1a, 64 bits.
pub(crate) fn digest(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// A request that ended: whether it was answered, and what its answer must name (`None` for a
/// request bound to nothing, or whose binding is no longer kept).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ended {
    pub answered: bool,
    /// It was a payment or a lookup: its answer must be checked.
    pub bound: bool,
    pub binding: Option<Binding>,
}

/// Requests that ended recently, to tell a duplicate answer (dropped, counted) from a late one
/// (delivered: it may carry a payment's outcome). ours: the last 16, and the bindings of the
/// last 4 payments and lookups (a late answer to an older one cannot be checked, so it is
/// nobody's).
#[derive(Debug, Default)]
pub(crate) struct Recent {
    ids: heapless::Deque<(RequestId, bool, bool), 16>,
    bindings: heapless::Deque<(RequestId, Binding), 4>,
}

impl Recent {
    /// Remembers that `id` ended, answered or not.
    pub fn remember(&mut self, id: RequestId, outcome: Outcome, binding: Option<Binding>) {
        if self.ids.is_full() {
            self.ids.pop_front();
        }
        let answered = outcome == Outcome::Answered;
        let _ = self.ids.push_back((id, answered, binding.is_some()));
        if let Some(binding) = binding {
            if self.bindings.is_full() {
                self.bindings.pop_front();
            }
            let _ = self.bindings.push_back((id, binding));
        }
    }

    /// How `id` ended, if it did recently.
    pub fn find(&self, id: RequestId) -> Option<Ended> {
        let &(_, answered, bound) = self.ids.iter().rev().find(|e| e.0 == id)?;
        let binding = self.bindings.iter().rev().find(|e| e.0 == id).map(|e| e.1);
        Some(Ended {
            answered,
            bound,
            binding,
        })
    }

    /// Marks `id` as answered now.
    pub fn mark_answered(&mut self, id: RequestId) {
        if let Some(entry) = self.ids.iter_mut().rev().find(|e| e.0 == id) {
            entry.1 = true;
        }
    }
}
