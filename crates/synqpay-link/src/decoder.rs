//! The streaming decoder: bytes in any chunking, frames out, resynchronisation as the spec says
//! (spec/protocol.md §1, "Maximum payload" and "Resynchronisation").
//!
//! # Contract
//! - Bytes go in through [`Decoder::write_buf`] + [`Decoder::commit`] (read straight into the
//!   decoder: no copy of ours) or [`Decoder::push`] (copies from a slice); [`Decoder::poll`] is
//!   then called until it returns `None`, each call yielding one frame, borrowed from the
//!   decoder's buffer, or one rejected candidate. Only then is more input taken.
//! - Or a chunk read elsewhere goes to [`Decoder::feed`], which decodes the frames lying wholly
//!   inside it in place and keeps only a trailing partial frame.
//! - A candidate that fails costs exactly its STX byte; scanning resumes at the next byte, so a
//!   frame that begins inside a false candidate is still found. Bytes before an STX are skipped
//!   and counted in [`Stats::skipped_bytes`].
//! - A length above [`Decoder::max_payload`] is LEN_ERROR as soon as the four length bytes are in:
//!   the payload is never waited for. The buffer therefore never holds more than one candidate
//!   that can still become a frame, and a full buffer always lets `poll` make progress.
//! - Nothing here panics, whatever the bytes.

use crate::frame::{MAX_OVERHEAD, STX};
use crate::parse::{ParseError, ParseOptions, SwappedCrc, parse_frame};
use crate::{Frame, FrameError, MessageType, Stats};

/// The smallest buffer a [`Decoder`] takes: room for the largest frame with an empty payload.
/// With at least this much, a full buffer always holds a complete frame or a failed candidate,
/// so [`Decoder::poll`] always makes room.
pub const MIN_CAPACITY: usize = MAX_OVERHEAD;
const _: () = assert!(
    MIN_CAPACITY == 13,
    "update the message of Decoder::new's panic"
);

/// The buffer given to [`Decoder::try_new`] is shorter than [`MIN_CAPACITY`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CapacityError {
    /// The length of the buffer given.
    pub capacity: usize,
}

impl core::fmt::Display for CapacityError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "a decoder buffer needs at least {MIN_CAPACITY} bytes, not {}",
            self.capacity
        )
    }
}

impl core::error::Error for CapacityError {}

/// A streaming decoder over a buffer the caller sizes: `[u8; N]`, or a borrowed `&mut [u8]`.
///
/// The largest payload it accepts is the buffer length minus [`MAX_OVERHEAD`] (13), or less
/// with [`Decoder::with_max_payload`].
///
/// ```
/// use synqpay_link::{Decoder, Frame};
///
/// let mut decoder = Decoder::new([0u8; 256]);
/// // Garbage, then a KeepAlive and an ACK, arriving in two reads split mid-frame.
/// for chunk in [&b"noise\x02\x04"[..], &b"\x03\x02\x05\x03"[..]] {
///     decoder.push(chunk);
///     while let Some(result) = decoder.poll() {
///         println!("{:?}", result);
///     }
/// }
/// assert_eq!(decoder.stats().frames, 2);
/// assert_eq!(decoder.stats().skipped_bytes, 5);
/// ```
pub struct Decoder<B> {
    buf: B,
    /// First byte not yet consumed.
    start: usize,
    /// End of the bytes received.
    end: usize,
    options: ParseOptions,
    stats: Stats,
    consumed: u64,
}

impl<B: AsRef<[u8]> + AsMut<[u8]>> Decoder<B> {
    /// A decoder over `buf`, accepting payloads up to `buf.len() - 13` bytes, with the CRC
    /// expected big-endian.
    ///
    /// # Panics
    /// If `buf` is shorter than [`MIN_CAPACITY`]: a configuration error, caught at start-up.
    /// [`Decoder::try_new`] returns it as an error instead.
    pub fn new(buf: B) -> Self {
        match Self::try_new(buf) {
            Ok(decoder) => decoder,
            // A literal message: formatting the error would pull its Display into every firmware.
            // The number in it is checked against MIN_CAPACITY at compile time below.
            Err(_) => panic!("Decoder::new: the buffer must hold at least 13 bytes (MIN_CAPACITY)"),
        }
    }

    /// A decoder over `buf`, or an error if `buf` is shorter than [`MIN_CAPACITY`].
    pub fn try_new(buf: B) -> Result<Self, CapacityError> {
        let capacity = buf.as_ref().len();
        if capacity < MIN_CAPACITY {
            return Err(CapacityError { capacity });
        }
        let max_payload = capacity_limit(capacity);
        Ok(Self {
            buf,
            start: 0,
            end: 0,
            options: ParseOptions {
                max_payload,
                accept_swapped_crc: false,
            },
            stats: Stats::default(),
            consumed: 0,
        })
    }

    /// Lowers the largest accepted payload (it can never exceed what the buffer holds).
    pub fn with_max_payload(mut self, max_payload: u32) -> Self {
        self.options.max_payload = max_payload.min(capacity_limit(self.capacity()));
        self
    }

    /// Whether a CRC sent low byte first is also accepted (refused by default; spec/protocol.md
    /// §1, "CRC").
    pub fn with_swapped_crc(mut self, swapped: SwappedCrc) -> Self {
        self.options.accept_swapped_crc = swapped == SwappedCrc::Accepted;
        self
    }

    /// The options candidates are parsed with.
    pub fn options(&self) -> ParseOptions {
        self.options
    }

    /// The largest payload accepted; a longer length field is LEN_ERROR.
    pub fn max_payload(&self) -> u32 {
        self.options.max_payload
    }

    /// The buffer's length.
    pub fn capacity(&self) -> usize {
        self.buf.as_ref().len()
    }

    /// Bytes received and not yet consumed: a partial frame, or input not yet polled.
    pub fn buffered(&self) -> usize {
        self.end - self.start
    }

    /// Whether the bytes held are the start of a frame still waiting for the rest.
    /// Meaningful after `poll` returned `None`.
    pub fn has_partial_frame(&self) -> bool {
        self.buffered() > 0
    }

    /// Counters since creation.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// Stream bytes consumed so far: skipped, rejected or decoded. Right after `poll` returned a
    /// frame, the frame's bytes end at this offset of the stream.
    pub fn consumed(&self) -> u64 {
        self.consumed
    }

    /// The free space to read into; then call [`Decoder::commit`] with the count read.
    ///
    /// Moves a partial frame to the front of the buffer first when less than half of the buffer
    /// is free behind it. Empty only when the buffer is full of bytes not yet polled.
    pub fn write_buf(&mut self) -> &mut [u8] {
        let capacity = self.capacity();
        // Lazy: a partial frame is moved only when less than half the buffer is free behind it.
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        } else if self.start > 0 && capacity - self.end < capacity / 2 {
            self.buf.as_mut().copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        &mut self.buf.as_mut()[self.end..]
    }

    /// Marks `n` bytes of [`Decoder::write_buf`] as received. A count beyond the free space is
    /// clamped to it.
    pub fn commit(&mut self, n: usize) {
        self.end = self.end.saturating_add(n).min(self.capacity());
    }

    /// Copies as much of `bytes` as fits and returns the count taken; poll, then push the rest.
    pub fn push(&mut self, bytes: &[u8]) -> usize {
        let free = self.write_buf();
        let n = free.len().min(bytes.len());
        free[..n].copy_from_slice(&bytes[..n]);
        self.commit(n);
        n
    }

    /// The next frame or rejected candidate, or `None` when more bytes are needed.
    pub fn poll(&mut self) -> Option<Result<Frame<'_>, FrameError>> {
        let Self {
            buf,
            start,
            end,
            options,
            stats,
            consumed,
        } = self;
        let buf: &[u8] = <B as AsRef<[u8]>>::as_ref(buf);
        scan(&buf[..*end], start, options, stats, consumed)
    }

    /// Decodes a chunk of input, handing each frame or rejected candidate to `on_frame` in order.
    ///
    /// The zero-copy path for input that arrives in a buffer of the caller's: frames lying wholly
    /// inside `chunk` are parsed where they are, and only a frame split across chunks is assembled
    /// in the decoder's buffer. All of `chunk` is taken; frames held from before come first.
    ///
    /// ```
    /// use synqpay_link::{Decoder, Frame};
    ///
    /// let mut decoder = Decoder::new([0u8; 64]);
    /// let mut acks = 0;
    /// decoder.feed(b"\x02\x05\x03\x02\x05", |r| acks += (r == Ok(Frame::Ack)) as u32);
    /// decoder.feed(b"\x03", |r| acks += (r == Ok(Frame::Ack)) as u32);
    /// assert_eq!(acks, 2);
    /// ```
    pub fn feed(&mut self, chunk: &[u8], mut on_frame: impl FnMut(Result<Frame<'_>, FrameError>)) {
        let mut rest = chunk;
        // Finish what the buffer holds, moving into it only what its partial frame still needs.
        loop {
            while let Some(result) = self.poll() {
                on_frame(result);
            }
            if self.buffered() == 0 || rest.is_empty() {
                break;
            }
            let held = &self.buf.as_ref()[self.start..self.end];
            let want = missing_bytes(held).min(rest.len());
            rest = &rest[self.push(&rest[..want])..];
        }
        if rest.is_empty() {
            return;
        }
        // The buffer is empty: the rest of the chunk is decoded in place.
        let mut pos = 0;
        while let Some(result) = scan(
            rest,
            &mut pos,
            &self.options,
            &mut self.stats,
            &mut self.consumed,
        ) {
            on_frame(result);
        }
        // What is left is one incomplete candidate, which fits the buffer: its header is shorter
        // than MIN_CAPACITY, and a claimed length over `max_payload` would have been LEN_ERROR.
        self.start = 0;
        self.end = 0;
        let kept = self.push(&rest[pos..]);
        debug_assert_eq!(kept, rest.len() - pos);
    }

    /// Gives up on a partial frame: drops its STX byte, counts INVALID_MESSAGE, and returns it.
    ///
    /// For a driver that has seen no byte for a while with a partial frame held (ours: an
    /// inter-byte timeout). A false STX with a plausible length would otherwise hold back a real
    /// frame behind it until the claimed length had arrived. Poll again afterwards: the bytes
    /// after the dropped STX are scanned afresh. Returns `None` if nothing was held.
    pub fn abandon_partial(&mut self) -> Option<FrameError> {
        if self.buffered() == 0 {
            return None;
        }
        advance(&mut self.start, &mut self.consumed, 1);
        let error = FrameError::InvalidMessage;
        self.stats.count_error(&error);
        Some(error)
    }

    /// Forgets every byte held (for a new connection); counters are kept.
    pub fn clear(&mut self) {
        self.consumed += self.buffered() as u64;
        self.start = 0;
        self.end = 0;
    }

    /// The buffer back.
    pub fn into_inner(self) -> B {
        self.buf
    }
}

/// Scans `data` from `*pos`: skips bytes before an STX, then returns the frame or rejected
/// candidate there and moves `*pos` past what it consumed. `None` when all that is left is an
/// incomplete candidate (or nothing). The one loop behind both [`Decoder::poll`] and
/// [`Decoder::feed`].
fn scan<'a>(
    data: &'a [u8],
    pos: &mut usize,
    options: &ParseOptions,
    stats: &mut Stats,
    consumed: &mut u64,
) -> Option<Result<Frame<'a>, FrameError>> {
    loop {
        let here = data.get(*pos..).unwrap_or_default();
        if *here.first()? != STX {
            let skip = here.iter().position(|&b| b == STX).unwrap_or(here.len());
            trace!("link: {} bytes before STX skipped", skip);
            advance(pos, consumed, skip);
            stats.skipped_bytes = stats.skipped_bytes.saturating_add(skip as u32);
            continue;
        }
        return match parse_frame(here, options) {
            Ok((frame, len)) => {
                advance(pos, consumed, len);
                stats.frames = stats.frames.saturating_add(1);
                Some(Ok(frame))
            }
            Err(ParseError::Incomplete) => None,
            Err(ParseError::Invalid(error)) => {
                debug!("link: invalid frame, resynchronising: {:?}", error);
                advance(pos, consumed, 1);
                stats.count_error(&error);
                Some(Err(error))
            }
        };
    }
}

/// How many more bytes the incomplete candidate `held` needs: to its claimed end once its length
/// field is in, else to the end of its header.
fn missing_bytes(held: &[u8]) -> usize {
    let Some(t) = held.get(1).and_then(|&b| MessageType::from_u8(b)) else {
        return 2usize.saturating_sub(held.len()).max(1);
    };
    let header = t.header_len();
    let total = if !t.has_payload() {
        header + t.trailer_len()
    } else if let Some(len) = held.get(header - 4..header) {
        let length = u32::from_be_bytes([len[0], len[1], len[2], len[3]]) as usize;
        header
            .saturating_add(length)
            .saturating_add(t.trailer_len())
    } else {
        header
    };
    total.saturating_sub(held.len()).max(1)
}

fn advance(start: &mut usize, consumed: &mut u64, n: usize) {
    *start += n;
    *consumed += n as u64;
}

/// The largest payload a buffer of `capacity` bytes can hold whatever the frame type.
fn capacity_limit(capacity: usize) -> u32 {
    u32::try_from(capacity.saturating_sub(MAX_OVERHEAD)).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ApiKey, ErrorCode};

    fn encode<'b>(frame: &Frame<'_>, buf: &'b mut [u8]) -> &'b [u8] {
        let n = frame.encode(buf).unwrap();
        &buf[..n]
    }

    #[test]
    fn one_byte_at_a_time() {
        let mut wire = [0u8; 64];
        let frame = Frame::Request {
            api_key: ApiKey::from_bytes([2, 3, 2, 3]),
            payload: b"{\"x\":2}",
        };
        let bytes = encode(&frame, &mut wire);
        let mut decoder = Decoder::new([0u8; 64]);
        for (i, b) in bytes.iter().enumerate() {
            assert_eq!(decoder.push(&[*b]), 1);
            match decoder.poll() {
                None => assert!(i + 1 < bytes.len()),
                Some(got) => {
                    assert_eq!(got, Ok(frame));
                    assert_eq!(i + 1, bytes.len());
                }
            }
        }
        assert_eq!(decoder.consumed(), bytes.len() as u64);
    }

    #[test]
    fn length_error_does_not_wait_for_the_payload() {
        let mut decoder = Decoder::new([0u8; 32]);
        assert_eq!(decoder.max_payload(), 19);
        decoder.push(&[STX, 0x03, 0, 0, 0, 20]);
        assert_eq!(
            decoder.poll(),
            Some(Err(FrameError::LenError {
                length: 20,
                max: 19
            }))
        );
        assert_eq!(decoder.poll(), None);
        assert_eq!(decoder.stats().len_error, 1);
    }

    #[test]
    fn a_full_buffer_always_makes_progress() {
        let mut wire = [0u8; 32];
        let frame = Frame::Response {
            payload: &[b' '; 19],
        };
        let bytes = encode(&frame, &mut wire);
        assert_eq!(bytes.len(), 28);
        let mut decoder = Decoder::new([0u8; 32]);
        // 20 bytes of garbage then the frame: more than the buffer holds at once.
        let mut stream = [b'x'; 48];
        stream[20..].copy_from_slice(bytes);
        let mut input = &stream[..];
        let mut frames = 0;
        while !input.is_empty() {
            let n = decoder.push(input);
            input = &input[n..];
            while let Some(r) = decoder.poll() {
                assert_eq!(r, Ok(frame));
                frames += 1;
            }
        }
        assert_eq!(frames, 1);
        assert_eq!(decoder.stats().skipped_bytes, 20);
    }

    #[test]
    fn abandoning_a_false_candidate_finds_the_frame_behind_it() {
        let mut decoder = Decoder::new([0u8; 512]);
        // A false STX claiming 200 bytes, then a whole ACK.
        decoder.push(&[STX, 0x02, 0, 0, 0, 200, STX, 0x05, 0x03]);
        assert_eq!(decoder.poll(), None);
        assert!(decoder.has_partial_frame());
        assert_eq!(decoder.abandon_partial(), Some(FrameError::InvalidMessage));
        assert_eq!(decoder.poll(), Some(Err(FrameError::InvalidMsgType(0))));
        assert_eq!(decoder.poll(), Some(Ok(Frame::Ack)));
        assert_eq!(decoder.poll(), None);
        assert_eq!(decoder.abandon_partial(), None);
    }

    #[test]
    fn borrowed_buffers_work_and_tiny_ones_are_refused() {
        let mut storage = [0u8; MIN_CAPACITY];
        let mut decoder = Decoder::new(&mut storage[..]);
        assert_eq!(decoder.max_payload(), 0);
        decoder.push(&[STX, 0x06, 0x05, 0x03]);
        assert_eq!(
            decoder.poll(),
            Some(Ok(Frame::Error(ErrorCode::NotAuthenticated)))
        );
        decoder.push(&[STX, 0x01, 1, 2, 3, 4, 0, 0, 0, 0, 0x24, 0x00, 0x03]);
        assert!(matches!(
            decoder.poll(),
            Some(Ok(Frame::Request { payload: [], .. }))
        ));
        let mut small = [0u8; MIN_CAPACITY - 1];
        assert_eq!(
            Decoder::try_new(&mut small[..]).err(),
            Some(CapacityError {
                capacity: MIN_CAPACITY - 1
            })
        );
    }

    #[test]
    #[should_panic(expected = "at least 13 bytes")]
    fn new_panics_on_a_tiny_buffer() {
        let _ = Decoder::new([0u8; 3]);
    }

    #[test]
    fn commit_beyond_the_free_space_is_clamped() {
        let mut decoder = Decoder::new([0u8; 16]);
        decoder.commit(100);
        assert_eq!(decoder.buffered(), 16);
        decoder.clear();
        assert_eq!(decoder.buffered(), 0);
        assert_eq!(decoder.consumed(), 16);
    }
}
