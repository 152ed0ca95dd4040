//! A first-in first-out queue of variable-length records in a caller's byte buffer (ours): the
//! session's transmit queue, its inbox, and the device's response cache. No allocation; a full
//! queue refuses a record and says so, it never overwrites one.

use crate::Buffer;

/// Bytes of a record's header: kind (1), tag (4), length (4).
const HEADER: usize = 9;

/// What a queue's records are: a `#[repr(u8)]` enum of its own, declared with
/// [`record_kinds!`](crate::fifo::record_kinds), kept as its byte in the record's header.
pub(crate) trait RecordKind: Copy + Eq {
    /// The byte kept.
    fn to_u8(self) -> u8;
    /// The kind a kept byte stands for.
    fn from_u8(byte: u8) -> Option<Self>;
}

/// Declares the `#[repr(u8)]` enum of a queue's record kinds.
macro_rules! record_kinds {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $byte:literal, )+ }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[repr(u8)]
        $vis enum $name { $( $(#[$vmeta])* $variant = $byte, )+ }

        impl $crate::fifo::RecordKind for $name {
            fn to_u8(self) -> u8 {
                self as u8
            }

            fn from_u8(byte: u8) -> Option<Self> {
                match byte {
                    $( $byte => Some(Self::$variant), )+
                    _ => None,
                }
            }
        }
    };
}
pub(crate) use record_kinds;

/// One record: what it is, a tag (a request id, say), and its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Record<'a, K> {
    pub kind: K,
    pub tag: u32,
    pub bytes: &'a [u8],
}

/// The queue would need more room than the buffer has free.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Full;

/// What became of a record offered to [`Fifo::push_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pushed<E> {
    /// It is queued.
    Kept,
    /// Its writer gave it up, saying why: nothing is kept.
    Abandoned(E),
    /// There is no room for even its header.
    Full,
}

/// A queue of records of kind `K` in a buffer `B`.
pub(crate) struct Fifo<B, K> {
    buf: B,
    head: usize,
    tail: usize,
    len: usize,
    kinds: core::marker::PhantomData<K>,
}

impl<B: Buffer, K: RecordKind> Fifo<B, K> {
    pub fn new(buf: B) -> Self {
        Self {
            buf,
            head: 0,
            tail: 0,
            len: 0,
            kinds: core::marker::PhantomData,
        }
    }

    /// Records held.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends a record whose bytes `write` produces in place, given all the room there is (the
    /// records held are moved to the front first); it returns the length written, or why it
    /// abandons the record (nothing is kept).
    pub fn push_with<E>(
        &mut self,
        kind: K,
        tag: u32,
        write: impl FnOnce(&mut [u8]) -> Result<usize, E>,
    ) -> Pushed<E> {
        if self.head > 0 {
            self.compact();
        }
        let room = self.buf.as_ref().len().saturating_sub(self.tail + HEADER);
        if room == 0 {
            return Pushed::Full;
        }
        let start = self.tail + HEADER;
        let n = match write(&mut self.buf.as_mut()[start..]) {
            Ok(n) => n.min(room),
            Err(why) => return Pushed::Abandoned(why),
        };
        self.buf.as_mut()[self.tail] = kind.to_u8();
        self.buf.as_mut()[self.tail + 1..self.tail + 5].copy_from_slice(&tag.to_le_bytes());
        self.buf.as_mut()[self.tail + 5..start].copy_from_slice(&(n as u32).to_le_bytes());
        self.tail = start + n;
        self.len += 1;
        Pushed::Kept
    }

    /// Appends a record holding a copy of `bytes`.
    pub fn push(&mut self, kind: K, tag: u32, bytes: &[u8]) -> Result<(), Full> {
        if HEADER + bytes.len() > self.free() {
            return Err(Full);
        }
        match self.push_with(kind, tag, |out| {
            out[..bytes.len()].copy_from_slice(bytes);
            Ok::<_, Full>(bytes.len())
        }) {
            Pushed::Kept => Ok(()),
            Pushed::Abandoned(Full) | Pushed::Full => Err(Full),
        }
    }

    /// Room for one more record's header and bytes, all told.
    pub fn free(&self) -> usize {
        self.buf.as_ref().len() - (self.tail - self.head)
    }

    fn compact(&mut self) {
        self.buf.as_mut().copy_within(self.head..self.tail, 0);
        self.tail -= self.head;
        self.head = 0;
    }

    /// The oldest record.
    pub fn peek(&self) -> Option<Record<'_, K>> {
        self.record_at(self.head).map(|(r, _)| r)
    }

    /// Drops the oldest record.
    pub fn pop(&mut self) {
        if let Some((_, next)) = self.record_at(self.head) {
            self.head = next;
            self.len -= 1;
        }
    }

    /// Every record, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = Record<'_, K>> {
        let mut at = self.head;
        core::iter::from_fn(move || {
            let (record, next) = self.record_at(at)?;
            at = next;
            Some(record)
        })
    }

    /// Removes the first record after the oldest one that `pick` chooses; returns whether one
    /// was. (The oldest record may be in use by the driver: it is never removed this way.)
    pub fn remove_after_oldest(&mut self, mut pick: impl FnMut(&Record<'_, K>) -> bool) -> bool {
        let Some((_, mut at)) = self.record_at(self.head) else {
            return false;
        };
        while let Some((record, next)) = self.record_at(at) {
            if pick(&record) {
                self.buf.as_mut().copy_within(next..self.tail, at);
                self.tail -= next - at;
                self.len -= 1;
                return true;
            }
            at = next;
        }
        false
    }

    pub fn clear(&mut self) {
        self.head = 0;
        self.tail = 0;
        self.len = 0;
    }

    /// The record at `at`, and where the next one starts. (Only this queue writes its headers,
    /// so every kind byte is one of `K`'s.)
    fn record_at(&self, at: usize) -> Option<(Record<'_, K>, usize)> {
        if at >= self.tail {
            return None;
        }
        let h = self.buf.as_ref().get(at..at + HEADER)?;
        let kind = K::from_u8(h[0])?;
        let tag = u32::from_le_bytes([h[1], h[2], h[3], h[4]]);
        let len = u32::from_le_bytes([h[5], h[6], h[7], h[8]]) as usize;
        let bytes = self.buf.as_ref().get(at + HEADER..at + HEADER + len)?;
        Some((Record { kind, tag, bytes }, at + HEADER + len))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    record_kinds! {
        enum Kind {
            A = 1,
            B = 2,
            C = 3,
            D = 4,
        }
    }
    type Fifo<'b> = super::Fifo<&'b mut [u8], Kind>;

    #[test]
    fn records_come_out_in_order_and_space_is_reused() {
        let mut storage = [0u8; 40];
        let mut q = Fifo::new(&mut storage);
        q.push(Kind::A, 10, b"hello").unwrap();
        q.push(Kind::B, 20, b"world!").unwrap();
        assert_eq!(q.push(Kind::C, 30, b"too much for the rest"), Err(Full));
        assert_eq!(
            q.peek(),
            Some(Record {
                kind: Kind::A,
                tag: 10,
                bytes: b"hello"
            })
        );
        q.pop();
        // Room freed at the front is found again by compaction.
        q.push(Kind::C, 30, b"abcdefgh").unwrap();
        let kinds = [q.iter().next().unwrap().kind, q.iter().nth(1).unwrap().kind];
        assert_eq!(kinds, [Kind::B, Kind::C]);
        assert_eq!(q.len(), 2);
    }

    #[test]
    fn removal_spares_the_oldest_record_and_keeps_order() {
        let mut storage = [0u8; 64];
        let mut q = Fifo::new(&mut storage);
        for (i, kind) in [Kind::A, Kind::B, Kind::C, Kind::D].into_iter().enumerate() {
            let i = i as u8;
            q.push(kind, u32::from(i), &[i; 3]).unwrap();
        }
        assert!(!q.remove_after_oldest(|r| r.tag == 0));
        assert!(q.remove_after_oldest(|r| r.tag == 2));
        let tags: heapless::Vec<u32, 4> = q.iter().map(|r| r.tag).collect();
        assert_eq!(&tags[..], &[0, 1, 3]);
        assert_eq!(q.len(), 3);
        q.push(Kind::A, 9, b"x").unwrap();
        assert_eq!(q.iter().last().unwrap().bytes, b"x");
    }

    #[test]
    fn push_with_writes_in_place_or_abandons() {
        let mut storage = [0u8; 32];
        let mut q = Fifo::new(&mut storage);
        assert_eq!(
            q.push_with(Kind::A, 1, |_| Err("no")),
            Pushed::Abandoned("no")
        );
        assert!(q.is_empty());
        assert_eq!(
            q.push_with(Kind::A, 1, |out| {
                out[..2].copy_from_slice(b"ok");
                Ok::<_, ()>(2)
            }),
            Pushed::Kept
        );
        assert_eq!(q.peek().unwrap().bytes, b"ok");
        q.push(Kind::B, 2, &[0; 12]).unwrap();
        assert_eq!(q.push_with(Kind::C, 3, |_| Ok::<_, ()>(0)), Pushed::Full);
    }
}
