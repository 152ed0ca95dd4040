//! What one seed did, and the sum over all seeds: payments and their outcomes
//! (spec/protocol.md §6), unsolicited answers (§2 "Cached responses"), and the faults the link
//! injected, by kind (§1 framing and resynchronisation, §2 connections).

use std::fmt;
use std::ops::AddAssign;

/// Faults the link and the world injected.
#[derive(Debug, Clone, Copy, Default)]
pub struct Faults {
    /// Writes cut into several reads.
    pub split: u64,
    /// Several writes handed over in one read.
    pub merge: u64,
    /// A byte flipped on the line.
    pub corrupt: u64,
    /// The tail of a write lost.
    pub lose_tail: u64,
    /// Bytes held back for a while.
    pub delay: u64,
    /// A transport that stopped taking bytes for a while.
    pub stall: u64,
    /// The connection cut under both sides.
    pub cut: u64,
    /// The client process replaced by a new one (same ClientId, new id prefix).
    pub replace_process: u64,
    /// Another client connecting and taking the device over.
    pub takeover: u64,
    /// A response frame with an id the client never sent.
    pub inject: u64,
    /// A device answer naming another transaction (armed).
    pub misanswer: u64,
    /// An application that polls no events for a while (its inbox may overflow).
    pub slow_app: u64,
}

/// Counters of one seed, or of many.
#[derive(Debug, Clone, Copy, Default)]
pub struct Counters {
    /// Seeds run.
    pub seeds: u64,
    /// Sales queued by a client.
    pub sales: u64,
    /// Sales whose outcome a client reported as known (a Response or a LateResponse).
    pub known: u64,
    /// Sales whose outcome became unknown (a Failed with `outcome_unknown`, or a process that
    /// ended with it outstanding).
    pub unknown: u64,
    /// Unknown outcomes resolved by a lookup.
    pub resolved: u64,
    /// Sales reported `NotSent`.
    pub not_sent: u64,
    /// LateResponse events.
    pub late: u64,
    /// Unsolicited events.
    pub unsolicited: u64,
    /// Lookups answered (found or not found).
    pub lookups: u64,
    /// Sales cancelled on the device.
    pub cancelled: u64,
    /// Responses the device replayed from its cache on a connect.
    pub cached_replayed: u64,
    /// Messages a client reported lost to a full inbox (`Overflow`).
    pub overflow_lost: u64,
    /// Faults.
    pub faults: Faults,
}

impl AddAssign for Faults {
    fn add_assign(&mut self, o: Self) {
        self.split += o.split;
        self.merge += o.merge;
        self.corrupt += o.corrupt;
        self.lose_tail += o.lose_tail;
        self.delay += o.delay;
        self.stall += o.stall;
        self.cut += o.cut;
        self.replace_process += o.replace_process;
        self.takeover += o.takeover;
        self.inject += o.inject;
        self.misanswer += o.misanswer;
        self.slow_app += o.slow_app;
    }
}

impl AddAssign for Counters {
    fn add_assign(&mut self, o: Self) {
        self.seeds += o.seeds;
        self.sales += o.sales;
        self.known += o.known;
        self.unknown += o.unknown;
        self.resolved += o.resolved;
        self.not_sent += o.not_sent;
        self.late += o.late;
        self.unsolicited += o.unsolicited;
        self.lookups += o.lookups;
        self.cancelled += o.cancelled;
        self.cached_replayed += o.cached_replayed;
        self.overflow_lost += o.overflow_lost;
        self.faults += o.faults;
    }
}

impl fmt::Display for Counters {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let x = &self.faults;
        write!(
            f,
            "{} seeds: sales {}, known outcomes {}, unknown outcomes {} (resolved by lookup {}), \
             not sent {}, cancelled {}, late responses {}, unsolicited answers seen {}, \
             lookups answered {}, cached answers replayed {}, messages lost to a full inbox {}; faults: split {}, merge {}, \
             corrupt {}, lose_tail {}, delay {}, stall {}, cut {}, replace_process {}, \
             takeover {}, inject_unsolicited {}, misanswer {}, slow_app {}",
            self.seeds,
            self.sales,
            self.known,
            self.unknown,
            self.resolved,
            self.not_sent,
            self.cancelled,
            self.late,
            self.unsolicited,
            self.lookups,
            self.cached_replayed,
            self.overflow_lost,
            x.split,
            x.merge,
            x.corrupt,
            x.lose_tail,
            x.delay,
            x.stall,
            x.cut,
            x.replace_process,
            x.takeover,
            x.inject,
            x.misanswer,
            x.slow_app
        )
    }
}
