//! The line between the client and the device: one pipe each way, bytes in flight with the
//! virtual time they arrive, and the faults of a real line (spec/protocol.md §1: frames, CRC,
//! resynchronisation; §2: TCP, one client at a time). A write may be split into several reads
//! and several writes merged into one read; a byte may be flipped; the tail of a write may be
//! lost; bytes may be held back; the transport may stop taking bytes for a while. A connection
//! that goes loses what is in flight (see `world.rs` for cuts and takeovers).

use std::collections::VecDeque;

use synqpay_session::{Client, Device};

use crate::counters::Faults;
use crate::rng::Rng;
use crate::world::PENDING;

/// The most bytes a pipe may hold (invariant (d): the harness's queues are bounded).
pub const PIPE_BOUND: usize = 64 * 1024;

/// One end of the line: what it has to write, and where what it reads goes.
pub trait End {
    /// The bytes to write next.
    fn pending(&self) -> Option<&[u8]>;
    /// `n` of them were written.
    fn taken(&mut self, now: u64, n: usize);
    /// Bytes read.
    fn input(&mut self, now: u64, bytes: &[u8]);
}

impl End for Client<Vec<u8>, PENDING> {
    fn pending(&self) -> Option<&[u8]> {
        self.poll_transmit()
    }
    fn taken(&mut self, now: u64, n: usize) {
        self.transmitted(now, n);
    }
    fn input(&mut self, now: u64, bytes: &[u8]) {
        self.handle_input(now, bytes);
    }
}

impl End for Device<Vec<u8>> {
    fn pending(&self) -> Option<&[u8]> {
        self.poll_transmit()
    }
    fn taken(&mut self, now: u64, n: usize) {
        self.transmitted(now, n);
    }
    fn input(&mut self, now: u64, bytes: &[u8]) {
        self.handle_input(now, bytes);
    }
}

/// Faults waiting for the next write in one direction.
#[derive(Debug, Default, Clone, Copy)]
pub struct Armed {
    /// Flip one byte of the next write.
    pub corrupt: bool,
    /// Lose the last bytes of the next write.
    pub lose_tail: bool,
    /// Hold the next write back this long (ms).
    pub delay: u64,
    /// The transport takes no bytes before this time.
    pub stall_until: u64,
}

/// Bytes in flight one way.
#[derive(Debug, Default)]
pub struct Pipe {
    chunks: VecDeque<(u64, Vec<u8>)>,
    bytes: usize,
    last_at: u64,
    /// The faults armed for this direction.
    pub armed: Armed,
}

impl Pipe {
    /// Bytes in flight.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// When something is due: a chunk's arrival, or the end of a stall.
    pub fn next_due(&self, now: u64) -> Option<u64> {
        let stall = (self.armed.stall_until > now).then_some(self.armed.stall_until);
        let chunk = self.chunks.front().map(|(at, _)| *at);
        [stall, chunk].into_iter().flatten().min()
    }

    /// Takes what `src` has to write, applying the armed faults; whether anything moved.
    pub fn send(&mut self, now: u64, rng: &mut Rng, src: &mut impl End, f: &mut Faults) -> bool {
        if now < self.armed.stall_until {
            return false;
        }
        let mut moved = false;
        while let Some(bytes) = src.pending() {
            let len = bytes.len();
            let split = len > 1 && rng.chance(20);
            let n = if split {
                rng.range(1, len as u64 - 1) as usize
            } else {
                len
            };
            let mut chunk = bytes[..n].to_vec();
            src.taken(now, n);
            f.split += u64::from(split);
            if std::mem::take(&mut self.armed.corrupt) {
                let i = rng.index(chunk.len());
                chunk[i] ^= rng.range(1, 255) as u8;
                f.corrupt += 1;
            }
            if chunk.len() > 1 && std::mem::take(&mut self.armed.lose_tail) {
                let k = rng.range(1, (chunk.len() as u64 - 1).min(12)) as usize;
                chunk.truncate(chunk.len() - k);
                f.lose_tail += 1;
            }
            let delay = std::mem::take(&mut self.armed.delay);
            f.delay += u64::from(delay > 0);
            self.push(now + delay, chunk);
            moved = true;
        }
        moved
    }

    /// Puts bytes on the line, behind what is in flight.
    pub fn push(&mut self, at: u64, chunk: Vec<u8>) {
        let at = at.max(self.last_at);
        self.last_at = at;
        self.bytes += chunk.len();
        self.chunks.push_back((at, chunk));
    }

    /// Hands what has arrived by `now` to `dst`, sometimes several writes in one read.
    pub fn deliver(&mut self, now: u64, rng: &mut Rng, dst: &mut impl End, f: &mut Faults) -> bool {
        let mut moved = false;
        while self.chunks.front().is_some_and(|(at, _)| *at <= now) {
            let (_, mut read) = self.chunks.pop_front().expect("a due chunk");
            while self.chunks.front().is_some_and(|(at, _)| *at <= now) && rng.chance(40) {
                let (_, next) = self.chunks.pop_front().expect("a due chunk");
                read.extend_from_slice(&next);
                f.merge += 1;
            }
            self.bytes -= read.len();
            dst.input(now, &read);
            moved = true;
        }
        moved
    }

    /// Hands everything in flight to `dst` now (a close after the last write: the data arrives
    /// before the close does).
    pub fn flush(&mut self, now: u64, dst: &mut impl End) {
        while let Some((_, chunk)) = self.chunks.pop_front() {
            dst.input(now, &chunk);
        }
        self.clear();
    }

    /// The connection is gone: what is in flight is lost, and the stall with it.
    pub fn clear(&mut self) {
        self.chunks.clear();
        self.bytes = 0;
        self.last_at = 0;
        self.armed = Armed::default();
    }
}

/// Takes what `src` has to write and loses it: a connection that is gone at the other end.
pub fn discard(now: u64, src: &mut impl End) -> bool {
    let mut moved = false;
    while let Some(bytes) = src.pending() {
        let n = bytes.len();
        src.taken(now, n);
        moved = true;
    }
    moved
}

/// The line: the connection the device holds, and its two pipes. A client may believe it is
/// connected on a connection the device has closed, and the device may hold a connection whose
/// client has gone (half-open TCP): what either writes then is lost.
#[derive(Debug, Default)]
pub struct Link {
    /// The connection the device holds: its number and the party at the other end
    /// (one client at a time, spec/protocol.md §2).
    pub device_conn: Option<(u64, usize)>,
    /// When the device notices that the client of its connection has gone.
    pub device_close_at: Option<u64>,
    /// Connections opened so far (their numbers).
    pub opened: u64,
    /// Client to device.
    pub up: Pipe,
    /// Device to client.
    pub down: Pipe,
}

/// One way along the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Way {
    /// Client to device.
    Up,
    /// Device to client.
    Down,
}

impl Way {
    /// In words, for the trace.
    pub fn words(self) -> &'static str {
        match self {
            Self::Up => "client to device",
            Self::Down => "device to client",
        }
    }
}

impl Link {
    /// The pipe one way.
    pub fn pipe(&mut self, way: Way) -> &mut Pipe {
        match way {
            Way::Up => &mut self.up,
            Way::Down => &mut self.down,
        }
    }

    /// Drops the connection's bytes in flight both ways.
    pub fn clear(&mut self) {
        self.up.clear();
        self.down.clear();
    }
}
