//! The books the invariants are checked against (spec/protocol.md §6 "Money safety", §2
//! "Cached responses"):
//!
//! - (a) every payment outcome a client reports as known equals the device's ledger;
//! - (b) no payment (by `referenceId`) reaches the device twice, and a payment reported
//!   `NotSent` never reaches it at all (the session says it is then safe to send again);
//! - (c) every unknown outcome is resolved by a lookup, to the ledger's value (302 when the
//!   ledger has no record), by the end of the seed;
//! - (d) memory stays bounded: the sessions' outstanding requests, the harness's queues;
//! - (e) no panic (checked by the runner, per seed);
//! - (f) an answer matched to a call is that call's: its id is this session's, the device sent
//!   it to this client, and every request is reported once.

use std::collections::{BTreeMap, HashMap};

use crate::counters::Counters;
use crate::device::{DeviceSide, Outcome};

/// What a client knows of a sale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaleState {
    /// Sent or queued; no answer yet.
    Pending,
    /// An outcome was reported.
    Known(Outcome),
    /// The outcome became unknown (see the journal).
    Unknown,
    /// The session reported it never left.
    NotSent,
}

/// A sale a client queued.
#[derive(Debug, Clone)]
pub struct Sale {
    /// Minor units.
    pub amount: i64,
    /// What the client knows.
    pub state: SaleState,
}

/// Everything the invariants are checked against, and what was found.
#[derive(Debug, Default)]
pub struct Books {
    /// Every sale queued, by referenceId.
    pub sales: HashMap<String, Sale>,
    /// Unknown outcomes not yet resolved by a lookup: referenceId → why it became unknown.
    /// (The application's durable journal: it survives the client process.)
    pub journal: BTreeMap<String, String>,
    /// Every outcome reported (answers and lookups), for the final check against the ledger.
    pub reported: Vec<(String, Outcome)>,
    /// Sales reported `NotSent`.
    pub not_sent: Vec<String>,
    /// Invariant violations, each with its time and label.
    pub violations: Vec<String>,
    /// Counters.
    pub counters: Counters,
}

impl Books {
    /// Records a violation.
    pub fn violation(&mut self, now: u64, label: &str, what: String) {
        self.violations.push(format!("t={now}ms {label}: {what}"));
    }

    /// A client reported `outcome` for `reference` (how: "response", "late response", ...).
    pub fn known(
        &mut self,
        now: u64,
        device: &DeviceSide,
        reference: &str,
        outcome: Outcome,
        how: &str,
    ) {
        let ledger = ledger_outcome(device, reference);
        if ledger != outcome {
            self.violation(
                now,
                "(a) known outcome",
                format!("the client reports {outcome:?} for {reference} ({how}) but the ledger says {ledger:?}"),
            );
        }
        if let (Some(sale), Some(rec)) = (self.sales.get(reference), device.ledger.get(reference))
            && sale.amount != rec.amount
        {
            let (a, b) = (sale.amount, rec.amount);
            self.violation(
                now,
                "(a) known outcome",
                format!("{reference}: sold {a}, recorded {b}"),
            );
        }
        if let Some(sale) = self.sales.get_mut(reference)
            && sale.state == SaleState::Pending
        {
            sale.state = SaleState::Known(outcome);
        }
        self.reported.push((reference.to_string(), outcome));
        self.counters.known += 1;
    }

    /// `reference`'s outcome became unknown.
    pub fn unknown(&mut self, reference: &str, why: String) {
        if let Some(sale) = self.sales.get_mut(reference) {
            sale.state = SaleState::Unknown;
        }
        if !self.journal.contains_key(reference) {
            self.journal.insert(reference.to_string(), why);
            self.counters.unknown += 1;
        }
    }

    /// A lookup by `reference` answered `outcome` (`NoTransaction`: 302).
    pub fn looked_up(&mut self, now: u64, device: &DeviceSide, reference: &str, outcome: Outcome) {
        self.counters.lookups += 1;
        let ledger = ledger_outcome(device, reference);
        if ledger != outcome {
            self.violation(
                now,
                "(c) lookup",
                format!("a lookup of {reference} says {outcome:?} but the ledger says {ledger:?}"),
            );
        }
        self.reported.push((reference.to_string(), outcome));
        if self.journal.remove(reference).is_some() {
            self.counters.resolved += 1;
        }
    }

    /// The session reported `reference` `NotSent`: the device must never have it.
    pub fn not_sent(&mut self, now: u64, device: &DeviceSide, reference: &str) {
        if let Some(sale) = self.sales.get_mut(reference) {
            sale.state = SaleState::NotSent;
        }
        if device.received.get(reference).copied().unwrap_or(0) > 0 {
            self.violation(
                now,
                "(b) not sent",
                format!("{reference} was reported NotSent (safe to send again) but the device received it"),
            );
        }
        self.not_sent.push(reference.to_string());
        self.counters.not_sent += 1;
    }

    /// The checks that hold at any time on the device's side.
    pub fn check_device(&mut self, now: u64, device: &DeviceSide) {
        for reference in &device.twice {
            let what = format!("the device received startTransaction {reference} twice");
            self.violations
                .push(format!("t={now}ms (b) received twice: {what}"));
        }
        if device.outbox_len() > crate::device::OUTBOX_BOUND {
            let n = device.outbox_len();
            self.violation(
                now,
                "(d) bounds",
                format!("the device app holds {n} answers"),
            );
        }
        if self.journal.len() > self.sales.len() {
            self.violation(now, "(d) bounds", "the journal outgrew the sales".into());
        }
    }

    /// The end of a seed: every unknown outcome resolved, every outcome reported still the
    /// ledger's, every NotSent sale still never received.
    pub fn final_check(&mut self, now: u64, device: &DeviceSide) {
        let unresolved: Vec<_> = self
            .journal
            .iter()
            .map(|(r, w)| (r.clone(), w.clone()))
            .collect();
        for (reference, why) in unresolved {
            let ledger = ledger_outcome(device, &reference);
            self.violation(
                now,
                "(c) unresolved",
                format!("{reference} ({why}) was never resolved by a lookup (ledger: {ledger:?})"),
            );
        }
        let reported = std::mem::take(&mut self.reported);
        for (reference, outcome) in &reported {
            let ledger = ledger_outcome(device, reference);
            if ledger != *outcome {
                self.violation(
                    now,
                    "(a) final",
                    format!("{reference} was reported {outcome:?}; the ledger now says {ledger:?}"),
                );
            }
        }
        for reference in std::mem::take(&mut self.not_sent) {
            if device.received.get(&reference).copied().unwrap_or(0) > 0 {
                let what =
                    format!("{reference} was reported NotSent; the device received it later");
                self.violation(now, "(b) not sent", what);
            }
        }
        self.check_device(now, device);
    }
}

/// The ledger's word on `reference`.
pub fn ledger_outcome(device: &DeviceSide, reference: &str) -> Outcome {
    device
        .ledger
        .get(reference)
        .map_or(Outcome::NoTransaction, |r| r.outcome)
}
