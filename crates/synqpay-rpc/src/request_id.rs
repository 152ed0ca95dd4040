//! Request ids, made without allocation (spec/protocol.md §4: `id` is a string; §2 "Cached
//! responses": ids unique across processes and reconnects).
//!
//! ours: an id is `PPPPPPPP-N`: the client session's prefix (8 hex digits, random per session)
//! and a counter from 1. The device replays cached answers to whoever connects next from the
//! same IP address (field), so a bare counter from 1 would let the next process of the same app
//! take an earlier process's sale for its own; with a random prefix, an answer to another
//! session's request does not parse as this session's id and is reported as unsolicited.

use core::fmt;

use crate::Text;

/// The id of a request this side sent: its place in its session's counter. Its text on the
/// wire carries the session's [`IdPrefix`] as well ([`IdGenerator::text`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RequestId(pub u32);

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A client session's id prefix: 32 bits the caller draws from an RNG (or, lacking one, from a
/// clock and a serial number) once per session. Two sessions that share a prefix share ids,
/// so the caller must not reuse one across processes (spec/protocol.md §2, ours).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct IdPrefix(pub u32);

/// The longest id text: 8 hex digits, a dash, 10 decimal digits.
pub const MAX_ID_TEXT: usize = 19;

/// Hands out request ids in order, and recognises its own ids in answers.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct IdGenerator {
    prefix: IdPrefix,
    next: u32,
}

impl IdGenerator {
    /// A generator for a session with `prefix`, counting from 1.
    pub const fn new(prefix: IdPrefix) -> Self {
        Self { prefix, next: 1 }
    }

    /// The session's prefix.
    pub const fn prefix(&self) -> IdPrefix {
        self.prefix
    }

    /// The next id (ours: 0 is skipped when the counter wraps).
    pub fn next_id(&mut self) -> RequestId {
        let id = RequestId(self.next);
        self.next = self.next.checked_add(1).unwrap_or(1);
        id
    }

    /// The wire text of `id` in this session: `PPPPPPPP-N`.
    pub fn text(&self, id: RequestId) -> IdText {
        let mut out = IdText {
            bytes: [0; MAX_ID_TEXT],
            len: 0,
        };
        const HEX: &[u8; 16] = b"0123456789abcdef";
        for shift in (0..8).rev() {
            out.push(HEX[((self.prefix.0 >> (shift * 4)) & 0xf) as usize]);
        }
        out.push(b'-');
        let mut digits = [0u8; 10];
        let mut n = id.0;
        let mut start = digits.len();
        loop {
            start -= 1;
            digits[start] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        for &d in &digits[start..] {
            out.push(d);
        }
        out
    }

    /// The id an answer carries, if this session sent it: the prefix must be this session's
    /// and the counter written as [`IdGenerator::text`] writes it. Anything else is another
    /// session's (or nobody's) id.
    pub fn parse(&self, received: &Text<'_>) -> Option<RequestId> {
        let s = received.as_str()?;
        // The counter after `PPPPPPPP-`; the whole text must then be what `text` writes for it
        // (this prefix, lowercase, no leading zero), which settles every other question.
        let counter = u32::try_from(crate::decimal::decimal(s.get(9..)?)?).ok()?;
        let id = RequestId(counter);
        (counter != 0 && self.text(id).as_str() == s).then_some(id)
    }
}

/// The text of a request id, on the stack.
#[derive(Clone, Copy)]
pub struct IdText {
    bytes: [u8; MAX_ID_TEXT],
    len: u8,
}

impl IdText {
    fn push(&mut self, b: u8) {
        self.bytes[usize::from(self.len)] = b;
        self.len += 1;
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        // Only ASCII hex digits, a dash and decimal digits are ever written.
        core::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or("")
    }
}

impl fmt::Debug for IdText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_carry_the_prefix_and_parse_back_only_in_their_session() {
        let mut g = IdGenerator::new(IdPrefix(0x00c0_ffee));
        let id = g.next_id();
        assert_eq!(id, RequestId(1));
        assert_eq!(g.text(id).as_str(), "00c0ffee-1");
        assert_eq!(g.parse(&Text::new("00c0ffee-1")), Some(RequestId(1)));
        assert_eq!(g.text(RequestId(u32::MAX)).as_str(), "00c0ffee-4294967295");
        let other = IdGenerator::new(IdPrefix(0x00c0_ffef));
        assert_eq!(other.parse(&Text::new("00c0ffee-1")), None);
        for foreign in [
            "1",
            "00c0ffee-01",
            "00C0FFEE-1",
            "00c0ffee-",
            "c0ffee-1",
            "00c0ffee-1x",
            "00c0ffee-0",
            "00c0ffee--1",
            "00c0ffee-+1",
            "00c0ffee_1",
            "00c0ffee-4294967296",
            "\u{fc}0c0ffee-1",
            "00c0ffee-\u{fc}",
        ] {
            assert_eq!(g.parse(&Text::new(foreign)), None, "{foreign}");
        }
    }

    proptest::proptest! {
        /// Every id reads back in its own session, and in no other.
        #[test]
        fn every_id_reads_back_only_in_its_session(prefix: u32, other: u32, counter in 1u32..) {
            let g = IdGenerator::new(IdPrefix(prefix));
            let text = g.text(RequestId(counter));
            proptest::prop_assert_eq!(g.parse(&Text::new(text.as_str())), Some(RequestId(counter)));
            let h = IdGenerator::new(IdPrefix(other));
            proptest::prop_assert_eq!(h.parse(&Text::new(text.as_str())).is_some(), prefix == other);
        }
    }

    #[test]
    fn the_counter_wraps_past_zero() {
        let mut g = IdGenerator::new(IdPrefix(1));
        g.next = u32::MAX;
        assert_eq!(g.next_id(), RequestId(u32::MAX));
        assert_eq!(g.next_id(), RequestId(1));
    }
}
