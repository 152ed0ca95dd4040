//! The sales the script remembers: for `getTransaction` (spec/api.md), for 303 on a
//! `referenceId` used again (spec/protocol.md §6), and for the caller to see what was charged.

use heapless::Deque;
use synqpay_rpc::{GetTransactionResult, ResultCode, RpcErrorCode, TransactionStatus};

use super::ScriptedTerminal;
use super::call::Lookup;
use super::reply::Refusal;
use super::sale::{Reference, Sale, transaction};
use crate::{Buffer, ReplyTo};

/// How many sales a scripted terminal remembers, the last ones (ours: a device remembers every
/// `referenceId` of its lifetime, spec/protocol.md §6; a terminal without a heap remembers a few).
pub const HISTORY: usize = 8;

/// A sale that ended.
struct Record {
    reference: Reference,
    amount: i64,
    /// Approved or declined; `None` for a sale that ended otherwise (host error, timeout,
    /// cancelled): not found by a lookup, but its `referenceId` is used.
    status: Option<TransactionStatus<'static>>,
}

/// The last [`HISTORY`] sales that ended, oldest first.
#[derive(Default)]
pub(super) struct History(Deque<Record, HISTORY>);

impl History {
    /// Remembers `sale`, ended with `status`; the oldest is forgotten when full.
    pub(super) fn remember(&mut self, sale: &Sale, status: Option<TransactionStatus<'static>>) {
        if self.0.is_full() {
            self.0.pop_front();
        }
        let record = Record {
            reference: sale.reference.clone(),
            amount: sale.amount,
            status,
        };
        let _ = self.0.push_back(record);
    }

    /// Whether a sale with `reference` is remembered.
    pub(super) fn knows(&self, reference: &str) -> bool {
        self.0.iter().any(|r| r.reference == reference)
    }

    /// The approved sales, oldest first: `referenceId`s and amounts.
    pub(super) fn charged(&self) -> impl Iterator<Item = (&str, i64)> {
        self.0
            .iter()
            .filter(|r| r.status.and_then(|s| s.is_charged()) == Some(true))
            .map(|r| (r.reference.as_str(), r.amount))
    }

    /// The approved or declined sale `lookup` names.
    fn find(&self, lookup: &Lookup) -> Option<&Record> {
        let mut found = self.0.iter().filter(|r| r.status.is_some());
        match lookup {
            Lookup::Reference(reference) => found.find(|r| r.reference == *reference),
            Lookup::Last => found.next_back(),
            Lookup::TransactionId => None,
        }
    }
}

impl<B: Buffer> ScriptedTerminal<B> {
    /// `getTransaction` in IDLE: the sale found, with `transactionResult: OK`, or 302
    /// (spec/api.md `getTransaction`).
    pub(super) fn lookup(&mut self, reply: ReplyTo, lookup: &Lookup) {
        let found = self.history.find(lookup);
        let Some((reference, amount, status)) =
            found.and_then(|r| Some((r.reference.clone(), r.amount, r.status?)))
        else {
            let code = RpcErrorCode::TransactionNotFound;
            return self.refuse(&reply, &Refusal::new(code, "TransactionNotFound"));
        };
        let result = GetTransactionResult {
            transaction_result: Some(ResultCode::Ok),
            transaction: Some(transaction(&reference, amount, status)),
            ..GetTransactionResult::default()
        };
        self.answer(&reply, &result);
    }
}
