//! The transmit queue: whole frames, handed to the driver in order, possibly a few bytes at a
//! time (spec/protocol.md §1 frames; ours: the queue). A frame counts as sent once its last byte
//! was taken; one still queued, or half taken, when the connection goes is unsent.

use synqpay_link::{ApiKey, MessageType, seal};
use synqpay_rpc::EncodeError;

use crate::Buffer;
use crate::fifo::{Fifo, Full, Pushed, Record, record_kinds};

record_kinds! {
    /// What a frame queued for the transport is, in either role (and in the device's cache).
    pub(crate) enum Outgoing {
        /// A client's request: its tag is the request id.
        Request = 1,
        /// A device's answer to a request.
        Response = 2,
        /// A device's notification (`transactionEvent`).
        Event = 3,
        /// A KeepAlive, an ACK or an Error frame.
        Link = 4,
    }
}

/// Why [`framed`] wrote no frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unframed {
    /// The frame does not fit the room left.
    NoRoom,
    /// The payload could not be written as JSON.
    Encode,
}

/// A record writer for [`Fifo::push_with`]: `write` puts a JSON-RPC payload at the payload
/// offset of a `t` frame, and the frame is sealed around it (key for requests only).
pub(crate) fn framed(
    t: MessageType,
    key: Option<ApiKey>,
    write: impl FnOnce(&mut [u8]) -> Result<usize, EncodeError>,
) -> impl FnOnce(&mut [u8]) -> Result<usize, Unframed> {
    move |out| {
        let payload = out.get_mut(t.header_len()..).ok_or(Unframed::NoRoom)?;
        let n = write(payload).map_err(|e| match e {
            EncodeError::BufferFull => Unframed::NoRoom,
            EncodeError::Value => Unframed::Encode,
        })?;
        seal(out, t, key, n).map_err(|_| Unframed::NoRoom)
    }
}

pub(crate) struct TxQueue<B> {
    frames: Fifo<B, Outgoing>,
    /// Bytes of the oldest frame already taken by the driver.
    taken: usize,
}

impl<B: Buffer> TxQueue<B> {
    pub fn new(buf: B) -> Self {
        Self {
            frames: Fifo::new(buf),
            taken: 0,
        }
    }

    /// Queues a frame written in place by `write` (see [`framed`]).
    pub fn push_with(
        &mut self,
        kind: Outgoing,
        tag: u32,
        write: impl FnOnce(&mut [u8]) -> Result<usize, Unframed>,
    ) -> Pushed<Unframed> {
        self.frames.push_with(kind, tag, write)
    }

    /// Queues a copy of a frame.
    pub fn push(&mut self, kind: Outgoing, tag: u32, frame: &[u8]) -> Result<(), Full> {
        self.frames.push(kind, tag, frame)
    }

    /// The bytes to write next.
    pub fn pending_bytes(&self) -> Option<&[u8]> {
        self.frames
            .peek()
            .map(|r| &r.bytes[self.taken.min(r.bytes.len())..])
    }

    /// Marks `n` bytes as written; returns the kind and tag of each frame completed.
    pub fn advance(&mut self, mut n: usize, mut sent: impl FnMut(Outgoing, u32)) {
        while n > 0 {
            let Some(record) = self.frames.peek() else {
                break;
            };
            let left = record.bytes.len() - self.taken;
            if n < left {
                self.taken += n;
                break;
            }
            n -= left;
            let (kind, tag) = (record.kind, record.tag);
            self.frames.pop();
            self.taken = 0;
            sent(kind, tag);
        }
    }

    /// Whether nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// Every queued frame, oldest first (the first may be partly taken).
    pub fn frames(&self) -> impl Iterator<Item = Record<'_, Outgoing>> {
        self.frames.iter()
    }

    /// Takes back a queued frame the driver has not started on; returns whether it was.
    pub fn withdraw(&mut self, kind: Outgoing, tag: u32) -> bool {
        if self.taken == 0
            && let Some(head) = self.frames.peek()
            && (head.kind, head.tag) == (kind, tag)
        {
            self.frames.pop();
            return true;
        }
        self.frames
            .remove_after_oldest(|r| (r.kind, r.tag) == (kind, tag))
    }

    /// Forgets every frame (the connection is gone).
    pub fn clear(&mut self) {
        self.frames.clear();
        self.taken = 0;
    }
}
