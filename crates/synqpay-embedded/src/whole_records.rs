//! Cancel-safe reads under TLS. embedded-tls keeps a record header it is reading in its read
//! future, so a read dropped half-way (the async driver's timer fired) loses bytes and breaks the
//! stream. Underneath it, this adapter hands bytes up only once a whole TLS record (RFC 8446
//! §5.1: 5-byte header, then its length) is buffered: every read then completes without waiting
//! except the first of a record, which has taken nothing yet when it is dropped (ours).

use embedded_io_async::{ErrorKind, ErrorType, Read, Write};

/// TLS record header: type, version (2), length (2).
const HEADER: usize = 5;

/// Why [`WholeRecords`] failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum WholeRecordsError<E> {
    /// The socket failed.
    Io(E),
    /// A record is larger than the adapter's buffer: give it `N` ≥ the device's largest record.
    RecordTooLarge,
}

impl<E: embedded_io_async::Error> embedded_io_async::Error for WholeRecordsError<E> {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::Io(e) => e.kind(),
            Self::RecordTooLarge => ErrorKind::OutOfMemory,
        }
    }
}

impl<E: core::fmt::Debug> core::fmt::Display for WholeRecordsError<E> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Io(e) => write!(f, "socket error: {e:?}"),
            Self::RecordTooLarge => f.write_str("a TLS record is larger than the buffer"),
        }
    }
}

impl<E: core::fmt::Debug> core::error::Error for WholeRecordsError<E> {}

/// A socket whose reads yield TLS records whole, for embedded-tls under the async driver. Its
/// buffer (`[u8; N]`, `&mut [u8]`, ...) holds at least the device's largest record plus 5 bytes.
pub struct WholeRecords<S, B> {
    socket: S,
    buf: B,
    /// Bytes buffered: `buf[start..end]`.
    start: usize,
    end: usize,
    /// Bytes of the record being handed up that are still in the buffer.
    releasable: usize,
}

impl<S, B: AsRef<[u8]> + AsMut<[u8]>> WholeRecords<S, B> {
    /// Wraps `socket`, with `buf` for the record being received.
    pub fn new(socket: S, buf: B) -> Self {
        Self {
            socket,
            buf,
            start: 0,
            end: 0,
            releasable: 0,
        }
    }

    /// The socket back (bytes still buffered are dropped).
    pub fn into_inner(self) -> S {
        self.socket
    }

    /// The length of the whole record at the front, once its header is in.
    fn front_record(&self) -> Option<usize> {
        let held = self.buf.as_ref().get(self.start..self.end)?;
        let header = held.get(..HEADER)?;
        Some(HEADER + usize::from(u16::from_be_bytes([header[3], header[4]])))
    }
}

impl<S: ErrorType, B> ErrorType for WholeRecords<S, B> {
    type Error = WholeRecordsError<S::Error>;
}

impl<S: Read, B: AsRef<[u8]> + AsMut<[u8]>> Read for WholeRecords<S, B> {
    async fn read(&mut self, out: &mut [u8]) -> Result<usize, Self::Error> {
        let capacity = self.buf.as_ref().len();
        while self.releasable == 0 {
            match self.front_record() {
                Some(len) if len > capacity => return Err(WholeRecordsError::RecordTooLarge),
                Some(len) if self.end - self.start >= len => self.releasable = len,
                _ => {
                    if self.end == capacity {
                        // Make room: the partial record moves to the front.
                        self.buf.as_mut().copy_within(self.start..self.end, 0);
                        self.end -= self.start;
                        self.start = 0;
                    }
                    // The only wait: everything read so far stays in `self`.
                    let free = &mut self.buf.as_mut()[self.end..];
                    let n = self
                        .socket
                        .read(free)
                        .await
                        .map_err(WholeRecordsError::Io)?;
                    if n == 0 {
                        return Ok(0);
                    }
                    self.end += n;
                }
            }
        }
        let n = out.len().min(self.releasable);
        out[..n].copy_from_slice(&self.buf.as_ref()[self.start..self.start + n]);
        self.start += n;
        self.releasable -= n;
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
        Ok(n)
    }
}

impl<S: Write, B> Write for WholeRecords<S, B> {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        self.socket.write(buf).await.map_err(WholeRecordsError::Io)
    }

    async fn flush(&mut self) -> Result<(), Self::Error> {
        self.socket.flush().await.map_err(WholeRecordsError::Io)
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::vec::Vec;

    use embassy_futures::block_on;
    use embassy_futures::select::{Either, select};

    use super::*;

    /// A socket that gives `chunk` bytes per read and is not ready on every other poll.
    struct Trickle {
        data: Vec<u8>,
        at: usize,
        chunk: usize,
        ready: bool,
    }

    impl ErrorType for Trickle {
        type Error = core::convert::Infallible;
    }

    impl Read for Trickle {
        async fn read(&mut self, out: &mut [u8]) -> Result<usize, Self::Error> {
            core::future::poll_fn(|cx| {
                self.ready = !self.ready;
                if self.ready {
                    core::task::Poll::Ready(())
                } else {
                    cx.waker().wake_by_ref();
                    core::task::Poll::Pending
                }
            })
            .await;
            let n = out.len().min(self.chunk).min(self.data.len() - self.at);
            out[..n].copy_from_slice(&self.data[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }

    /// Reads one record the way embedded-tls does: the header into a local buffer first.
    async fn read_record<R: Read>(io: &mut R) -> Vec<u8> {
        let mut header = [0u8; HEADER];
        let mut got = 0;
        while got < HEADER {
            got += io.read(&mut header[got..]).await.ok().unwrap();
        }
        let len = usize::from(u16::from_be_bytes([header[3], header[4]]));
        let mut record = header.to_vec();
        record.resize(HEADER + len, 0);
        while got < HEADER + len {
            got += io.read(&mut record[got..]).await.ok().unwrap();
        }
        record
    }

    fn records(lens: &[u16]) -> Vec<Vec<u8>> {
        let record = |(i, &len): (usize, &u16)| {
            let mut r = std::vec![0x17, 3, 3];
            r.extend_from_slice(&len.to_be_bytes());
            r.extend((0..len).map(|j| (i as u8) ^ (j as u8)));
            r
        };
        lens.iter().enumerate().map(record).collect()
    }

    #[test]
    fn reads_dropped_at_any_wait_lose_no_byte() {
        let sent = records(&[0, 1, 4, 5, 300, 17, 1000, 2, 511]);
        for chunk in [1, 2, 3, 5, 7, 64, 4096] {
            let socket = Trickle {
                data: sent.concat(),
                at: 0,
                chunk,
                ready: false,
            };
            let mut io = WholeRecords::new(socket, [0u8; 1024]);
            let (mut received, mut dropped) = (Vec::new(), 0);
            while received.len() < sent.len() {
                // A timer that is always due: every read that would wait is dropped.
                match block_on(select(read_record(&mut io), core::future::ready(()))) {
                    Either::First(record) => received.push(record),
                    Either::Second(()) => dropped += 1,
                }
            }
            assert_eq!(received, sent, "chunk {chunk}");
            assert!(dropped > 0);
        }
    }

    proptest::proptest! {
        /// Any records, any read sizes, any reads dropped while they wait: the stream comes out
        /// whole and in order.
        #[test]
        fn any_records_any_chunks_any_cancellations(
            lens in proptest::collection::vec(0u16..600, 1..12),
            chunk in 1usize..700,
        ) {
            let sent = records(&lens);
            let socket = Trickle { data: sent.concat(), at: 0, chunk, ready: false };
            let mut io = WholeRecords::new(socket, [0u8; 700]);
            let mut received = Vec::new();
            while received.len() < sent.len() {
                if let Either::First(record) =
                    block_on(select(read_record(&mut io), core::future::ready(())))
                {
                    received.push(record);
                }
            }
            proptest::prop_assert_eq!(received, sent);
        }
    }

    #[test]
    fn a_record_larger_than_the_buffer_is_an_error() {
        let socket = Trickle {
            data: records(&[100]).concat(),
            at: 0,
            chunk: 64,
            ready: false,
        };
        let mut io = WholeRecords::new(socket, [0u8; 64]);
        let mut out = [0u8; 8];
        assert_eq!(
            block_on(io.read(&mut out)),
            Err(WholeRecordsError::RecordTooLarge)
        );
    }
}
