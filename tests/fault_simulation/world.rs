//! The world of one seed: one device, two parties (A, the cashier's app, and B, another client
//! on the network), one line, and ONE virtual clock that every timer of both roles runs on
//! (the sessions never read a clock: spec/protocol.md §2 KeepAlive, §6 deadlines, §1 the
//! partial-frame timeout are all driven from here). Connections are in `conn.rs`.

use synqpay_session::ClientId;

use crate::device::DeviceSide;
use crate::invariants::Books;
use crate::link::{Link, PIPE_BOUND};
use crate::party::Party;
use crate::rng::Rng;

/// Requests a client session may have outstanding.
pub const PENDING: usize = 4;

/// The cashier's app.
pub const A: usize = 0;
/// Another client on the network, with another address.
pub const B: usize = 1;

/// One seed's world.
pub struct World {
    /// The virtual clock, in ms.
    pub now: u64,
    /// Actions and faults.
    pub rng: Rng,
    /// Chunking and merging on the line.
    pub line_rng: Rng,
    /// The device.
    pub device: DeviceSide,
    /// The line.
    pub link: Link,
    /// A and B.
    pub parties: Vec<Party>,
    /// The books and what was found.
    pub books: Books,
    /// Print a trace.
    pub verbose: bool,
    /// An unsolicited answer waits for a frame boundary on the line.
    pub inject_armed: bool,
    /// The seed.
    pub seed: u64,
    /// Sale attempts so far (each gets a new referenceId).
    pub sale_attempts: u64,
}

/// Whether a run prints what happens, step by step (a single seed replayed does).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trace {
    /// Every step printed.
    Printed,
    /// Nothing printed.
    Quiet,
}

impl World {
    /// A world where A is connected at t=0.
    pub fn new(seed: u64, trace: Trace) -> Self {
        let mut rng = Rng::new(seed);
        let line_rng = rng.fork();
        let device = DeviceSide::new(rng.fork(), trace);
        let verbose = trace == Trace::Printed;
        let parties = vec![
            Party::new("A", ClientId([10; 16])),
            Party::new("B", ClientId([20; 16])),
        ];
        let mut w = Self {
            now: 0,
            rng,
            line_rng,
            device,
            link: Link::default(),
            parties,
            books: Books::default(),
            verbose,
            inject_armed: false,
            seed,
            sale_attempts: 0,
        };
        w.connect(A);
        w
    }

    /// Prints a trace line when verbose.
    pub fn trace(&self, what: std::fmt::Arguments<'_>) {
        if self.verbose {
            println!("t={} {what}", self.now);
        }
    }

    /// The party whose connection is whole: the device holds it and its client is on it.
    pub fn whole(&self) -> Option<usize> {
        let (c, o) = self.link.device_conn?;
        (self.parties[o].conn == Some(c)).then_some(o)
    }

    /// Runs every timer due at `now`.
    fn handle_timers(&mut self) {
        let now = self.now;
        for p in self.parties.iter_mut().filter_map(|p| p.process.as_mut()) {
            if p.client.poll_timeout().is_some_and(|t| t <= now) {
                p.client.handle_timeout(now);
            }
        }
        if self.device.session.poll_timeout().is_some_and(|t| t <= now) {
            self.device.session.handle_timeout(now);
        }
        self.device.tick(now);
        if self.link.device_close_at.is_some_and(|t| t <= now) {
            self.device_notices_close();
        }
        if self.parties[B].leave_at.is_some_and(|t| t <= now) {
            self.retire(B);
        }
        for i in [A, B] {
            if self.parties[i].reconnect_at.is_some_and(|t| t <= now) {
                self.connect(i);
            }
        }
    }

    /// The earliest timer of anything in the world.
    fn next_timer(&self) -> Option<u64> {
        let clients = self
            .parties
            .iter()
            .filter_map(|p| p.process.as_ref()?.client.poll_timeout());
        let parties = self
            .parties
            .iter()
            .flat_map(|p| [p.reconnect_at, p.leave_at])
            .flatten();
        let others = [
            self.device.session.poll_timeout(),
            self.device.next_timer(),
            self.link.device_close_at,
            Some(self.parties[A].busy_until).filter(|t| *t > self.now),
            self.link.up.next_due(self.now),
            self.link.down.next_due(self.now),
        ];
        clients
            .chain(parties)
            .chain(others.into_iter().flatten())
            .min()
    }

    /// Lets virtual time run to `to`, stopping at every timer on the way.
    pub fn advance(&mut self, to: u64) {
        let mut rounds = 0;
        while let Some(t) = self.next_timer().filter(|t| *t <= to) {
            self.now = self.now.max(t);
            self.handle_timers();
            self.pump();
            rounds += 1;
            if rounds > 20_000 {
                let what = format!("the timers did not move on (stuck at {t})");
                return self.books.violation(self.now, "(d) timers", what);
            }
        }
        self.now = self.now.max(to);
        self.handle_timers();
        self.pump();
    }

    /// The checks that hold after every step: (b) on the device, (d) bounds, and that the
    /// sessions' bookkeeping agrees with the harness's (f).
    pub fn check(&mut self) {
        let now = self.now;
        self.books.check_device(now, &self.device);
        for party in &self.parties {
            let Some(p) = &party.process else { continue };
            // An application that polls no events yet knows nothing of what ended.
            let (name, outstanding, unreported) =
                (party.name, p.client.outstanding(), p.sent.len());
            let (label, what) = if outstanding > PENDING {
                let what = format!("{name} has {outstanding} requests outstanding, over {PENDING}");
                ("(d) bounds", what)
            } else if party.busy_until <= now && outstanding != unreported {
                let mut ids: Vec<_> = p.sent.iter().map(|(id, s)| format!("{id} {s:?}")).collect();
                ids.sort();
                let what = format!(
                    "{name}: the session has {outstanding} requests outstanding but {unreported} \
                     were never reported ({}): a request ended without a Response or Failed event",
                    ids.join(", ")
                );
                ("(f) reported once", what)
            } else if p.client.is_connected() != party.conn.is_some() {
                let what = format!("{name}: the session's connection state disagrees");
                ("(d) state", what)
            } else {
                continue;
            };
            self.books.violation(now, label, what);
        }
        if self.link.up.bytes() > PIPE_BOUND || self.link.down.bytes() > PIPE_BOUND {
            let what = "bytes in flight outgrew the line".to_string();
            self.books.violation(now, "(d) bounds", what);
        }
        let expected = self.link.device_conn.map(|(_, o)| self.parties[o].id);
        if self.device.session.client() != expected {
            let what = "the device's client disagrees with its transport".to_string();
            self.books.violation(now, "(d) state", what);
        }
    }
}
