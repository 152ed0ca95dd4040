//! Requests awaiting their answer. They belong to the session, not to a connection: a request
//! sent before a disconnect is still matched when its (cached) answer comes on the next
//! connection (spec/protocol.md §2 "Cached responses", ours).

use synqpay_rpc::{MethodKind, RequestId};

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
    /// The `referenceId` of a payment, to look it up by when its outcome is unknown.
    pub fn reference(&self) -> Option<&str> {
        match &self.kind {
            Kind::Payment { reference, .. } => Some(reference.as_str()),
            _ => None,
        }
    }
}

/// Requests that ended recently, to tell a duplicate answer (dropped, counted) from a late one
/// (delivered: it may carry a payment's outcome). ours: the last 16.
#[derive(Debug, Default)]
pub(crate) struct Recent(heapless::Deque<(RequestId, bool), 16>);

impl Recent {
    /// Remembers that `id` ended, answered or not.
    pub fn remember(&mut self, id: RequestId, answered: bool) {
        if self.0.is_full() {
            self.0.pop_front();
        }
        let _ = self.0.push_back((id, answered));
    }

    /// Whether `id` ended recently, and whether it was answered then.
    pub fn answered(&self, id: RequestId) -> Option<bool> {
        self.0.iter().rev().find(|(i, _)| *i == id).map(|(_, a)| *a)
    }

    /// Marks `id` as answered now.
    pub fn mark_answered(&mut self, id: RequestId) {
        if let Some(entry) = self.0.iter_mut().rev().find(|(i, _)| *i == id) {
            entry.1 = true;
        }
    }
}
