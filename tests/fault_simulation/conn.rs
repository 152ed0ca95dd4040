//! Connections (spec/protocol.md §2 "TCP transport"): one client at a time, a new connection
//! closes the previous one, "cached responses" replay on a connection from the same address;
//! cuts seen by both ends, or by one end only (half-open: the other end's writes are lost until
//! it notices, the client by its KeepAlive deadline, the device by a TCP timeout); client
//! processes that end; and the pump that moves bytes and events at one instant.

use crate::link::discard;
use crate::party::{Process, Sent};
use crate::world::{B, World};

/// How a connection fails.
#[derive(Debug, Clone, Copy)]
pub enum Cut {
    /// Both ends see it close; with `flush`, what the client wrote arrives first.
    Clean {
        /// Deliver the client's bytes in flight before the close.
        flush: bool,
    },
    /// The client's end closes; the device holds the connection until a TCP timeout.
    DeviceUnaware,
    /// The device's end closes; the client finds out by its KeepAlive deadline.
    ClientUnaware,
}

impl World {
    /// Party `i` connects (starting a process if it has none); the device closes the connection
    /// it held (spec/protocol.md §2) and replays what it kept for `i`'s address.
    pub fn connect(&mut self, i: usize) {
        if let Some((c, o)) = self.link.device_conn
            && self.parties[o].conn == Some(c)
            && o != i
        {
            self.closed_by_device(o);
        }
        if self.parties[i].process.is_none() {
            let prefix = self.rng.next_u64() as u32;
            let inbox = if self.rng.chance(50) { 640 } else { 8192 };
            self.parties[i].process = Some(Process::new(prefix, inbox));
            self.parties[i].busy_until = 0;
            let name = self.parties[i].name;
            self.trace(format_args!(
                "{name}: new process, id prefix {prefix:08x}, inbox {inbox}"
            ));
        }
        self.link.clear();
        self.link.opened += 1;
        let (c, now) = (self.link.opened, self.now);
        let party = &mut self.parties[i];
        party.reconnect_at = None;
        party.conn = Some(c);
        party
            .process
            .as_mut()
            .expect("a process")
            .client
            .connect(now);
        let done = self.device.session.connect(now, party.id);
        self.link.device_conn = Some((c, i));
        self.link.device_close_at = None;
        self.books.counters.cached_replayed += done.cached_sent as u64;
        let (name, n) = (self.parties[i].name, done.cached_sent);
        self.trace(format_args!(
            "{name}: connected (#{c}), {n} cached answers replayed"
        ));
    }

    /// The device closed `o`'s connection (another client connected); `o` reads the close.
    fn closed_by_device(&mut self, o: usize) {
        let name = self.parties[o].name;
        self.trace(format_args!("{name}: the device closed the connection"));
        self.parties[o].conn = None;
        if let Some(p) = &mut self.parties[o].process {
            p.client.disconnect(self.now);
        }
        self.handle_events(o);
        if o == B {
            self.retire(B);
        } else {
            self.parties[o].reconnect_at = Some(self.now + self.rng.range(1000, 15_000));
        }
    }

    /// The connection that is whole fails, as `how` says.
    pub fn cut(&mut self, how: Cut) {
        let Some(i) = self.whole() else { return };
        self.trace(format_args!(
            "{}: connection cut: {how:?}",
            self.parties[i].name
        ));
        if let Cut::Clean { flush: true } = how {
            self.link.up.flush(self.now, &mut self.device.session);
            self.device.serve(self.now);
        }
        self.link.clear();
        if let Cut::ClientUnaware = how {
            self.device.session.disconnect(self.now);
            self.link.device_conn = None;
            return;
        }
        if let Cut::Clean { .. } = how {
            self.device.session.disconnect(self.now);
            self.link.device_conn = None;
        } else {
            self.link.device_close_at = Some(self.now + self.rng.range(5000, 60_000));
        }
        self.parties[i].conn = None;
        if let Some(p) = &mut self.parties[i].process {
            p.client.disconnect(self.now);
        }
        self.handle_events(i);
        self.parties[i].reconnect_at = Some(self.now + self.rng.range(200, 6000));
    }

    /// The device notices that the client of the connection it holds has gone.
    pub fn device_notices_close(&mut self) {
        self.link.device_close_at = None;
        if let Some((c, o)) = self.link.device_conn
            && self.parties[o].conn != Some(c)
        {
            self.trace(format_args!("device: notices connection #{c} is gone"));
            self.device.session.disconnect(self.now);
            self.link.device_conn = None;
            self.link.clear();
        }
    }

    /// Party `i`'s process ends: its sales still outstanding have an unknown outcome, kept in
    /// the journal for a later process to look up (spec/protocol.md §6).
    pub fn retire(&mut self, i: usize) {
        if self.whole() == Some(i) {
            let flush = self.rng.chance(50);
            self.cut(Cut::Clean { flush });
        }
        if self.parties[i].conn.take().is_some()
            && let Some(p) = &mut self.parties[i].process
        {
            p.client.disconnect(self.now);
        }
        self.handle_events(i);
        let party = &mut self.parties[i];
        party.reconnect_at = None;
        party.leave_at = None;
        let Some(p) = party.process.take() else {
            return;
        };
        party.history.push((p.prefix, p.max_id));
        for sent in p.sent.values() {
            if let Sent::Sale { reference, .. } = sent {
                self.books.unknown(reference, "the process ended".into());
            }
        }
        let name = self.parties[i].name;
        self.trace(format_args!("{name}: process {:08x} ended", p.prefix));
    }

    /// Handles party `i`'s events; whether there were any. A session that dropped its
    /// connection (no ACK in time) closes its transport, and the device reads the close.
    pub fn handle_events(&mut self, i: usize) -> bool {
        let Some(p) = &mut self.parties[i].process else {
            return false;
        };
        let seen = p.events();
        let any = !seen.is_empty();
        for s in seen {
            crate::events::on_event(self, i, s);
        }
        let party = &self.parties[i];
        let Some(c) = party.conn else { return any };
        if party
            .process
            .as_ref()
            .is_none_or(|p| p.client.is_connected())
        {
            return any;
        }
        self.trace(format_args!(
            "{}: the session dropped connection #{c}",
            party.name
        ));
        self.parties[i].conn = None;
        if self.link.device_conn == Some((c, i)) {
            self.device.session.disconnect(self.now);
            self.link.device_conn = None;
            self.link.clear();
        }
        self.parties[i].reconnect_at = Some(self.now + self.rng.range(200, 3000));
        true
    }

    /// Moves bytes and events until nothing moves at this instant. What a client writes on a
    /// connection the device no longer holds is lost, and so is what the device writes on a
    /// connection whose client has gone.
    pub fn pump(&mut self) {
        for _ in 0..1000 {
            let now = self.now;
            let mut moved = false;
            let device_conn = self.link.device_conn;
            for (i, party) in self.parties.iter_mut().enumerate() {
                let Some(p) = &mut party.process else {
                    continue;
                };
                let f = &mut self.books.counters.faults;
                if party.conn.is_some_and(|c| device_conn == Some((c, i))) {
                    moved |= self.link.up.send(now, &mut self.line_rng, &mut p.client, f);
                } else {
                    moved |= discard(now, &mut p.client);
                }
            }
            let f = &mut self.books.counters.faults;
            moved |= self
                .link
                .up
                .deliver(now, &mut self.line_rng, &mut self.device.session, f);
            self.device.serve(now);
            if let Some(o) = self.whole() {
                let f = &mut self.books.counters.faults;
                moved |= self
                    .link
                    .down
                    .send(now, &mut self.line_rng, &mut self.device.session, f);
                if self.inject_armed && self.device.session.poll_transmit().is_none() {
                    self.inject_armed = false;
                    crate::faults::inject(self, o);
                    moved = true;
                }
                let client = &mut self.parties[o].process.as_mut().expect("a process").client;
                let f = &mut self.books.counters.faults;
                moved |= self.link.down.deliver(now, &mut self.line_rng, client, f);
            } else {
                moved |= discard(now, &mut self.device.session);
            }
            for i in 0..self.parties.len() {
                moved |= self.handle_events(i);
            }
            if !moved {
                return;
            }
        }
        let what = "the line never settled".to_string();
        self.books.violation(self.now, "(d) bounds", what);
    }
}
